// Constant time of ML-KEM decapsulation and encapsulation by instruction counting
// (test/helpers/instrument.ts, as test/constant-time.test.ts): the test module of each build
// is rewritten to count the instructions it executes and hash every branch decision and every
// memory address, and an operation run on many secret inputs of one public size must give one
// trace.
//
//  - Decaps_internal (FIPS 203 Alg. 18) under one encapsulation key: valid ciphertexts, and
//    ciphertexts changed in one bit (implicit rejection), with different secret parts of dk
//    (ŝ, z): one trace. The outcome, K' or K̄, is checked against noble and J(z ‖ c).
//  - Decaps from the seed (the shipped entry point) with one key: valid and invalid
//    ciphertexts give one trace.
//  - Encaps_internal (Alg. 17) to one key for different messages m: one trace.
// Negative control: another encapsulation key (another ρ, so another number of SampleNTT
// candidates) gives another trace, so the check cannot pass vacuously.

import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { type CoreVariant } from '../src/core/module.js';
import { CORE_STATUS } from '../src/core/errors.js';
import { loadTestCore, testWasm } from './helpers/test-core.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  formatTrace,
  groupByTrace,
  type Trace,
} from './helpers/instrument.js';
import { mlkemKeygenInternal, ML_KEM_CIPHERTEXT_BYTES } from '../src/core/mlkem.js';
import { type MlKemRank } from '../src/der/mlkem.js';
import { hex } from './helpers/hex.js';

const RANKS: MlKemRank[] = [2, 3, 4];
const NAME: Record<MlKemRank, string> = { 2: 'ML-KEM-512', 3: 'ML-KEM-768', 4: 'ML-KEM-1024' };
const NOBLE = { 2: ml_kem512, 3: ml_kem768, 4: ml_kem1024 } as const;
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const J = (z: Uint8Array, c: Uint8Array): string =>
  createHash('shake256', { outputLength: 32 }).update(z).update(c).digest('hex');
const sha3 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha3-256').update(data).digest());

/** A random ŝ encoded with ByteEncode_12: 384k bytes of 12-bit fields below q. */
function randomDkPke(k: number): Uint8Array {
  const out = new Uint8Array(384 * k);
  for (let i = 0; i < out.length; i += 3) {
    const a = randomBytes(2).readUInt16LE(0) % 3329;
    const b = randomBytes(2).readUInt16LE(0) % 3329;
    out[i] = a & 0xff;
    out[i + 1] = (a >> 8) | ((b & 0x0f) << 4);
    out[i + 2] = b >> 4;
  }
  return out;
}

for (const variant of ['simd', 'scalar'] as CoreVariant[]) {
  describe(`ML-KEM constant time by instruction counting (${variant})`, () => {
    const traced = new TracedCore(instrumentModule(testWasm(variant)));
    const core = loadTestCore(variant);
    const oneTrace = (runs: { trace: Trace }[]): string[] => groupByTrace(runs).map((g) => formatTrace(g[0].trace));

    const encaps = (k: MlKemRank, ek: Uint8Array, m: Uint8Array): { c: Uint8Array; key: string; trace: Trace } => {
      const ctLen = ML_KEM_CIPHERTEXT_BYTES[k];
      const { result, trace } = traceCall(
        traced,
        0,
        (c) => ({ ek: c.put(ek), m: c.put(m), oc: c.x.alloc(ctLen), ok: c.x.alloc(32) }),
        (c, a) => {
          expect(c.fn('mlkem_encaps_internal')(k, a.ek, a.m, a.oc, a.ok)).toBe(CORE_STATUS.OK);
          return { c: c.take(a.oc, ctLen), key: hex(c.take(a.ok, 32)) };
        },
      );
      return { ...result, trace };
    };

    const decaps = (k: MlKemRank, dk: Uint8Array, ct: Uint8Array): { key: string; trace: Trace } => {
      const { result, trace } = traceCall(
        traced,
        0,
        (c) => ({ dk: c.put(dk), ct: c.put(ct), ok: c.x.alloc(32) }),
        (c, a) => {
          expect(c.fn('mlkem_decaps_internal')(k, a.dk, a.ct, a.ok)).toBe(CORE_STATUS.OK);
          return hex(c.take(a.ok, 32));
        },
      );
      return { key: result, trace };
    };

    const decapsSeed = (k: MlKemRank, seed: Uint8Array, ct: Uint8Array): { key: string; trace: Trace } => {
      const { result, trace } = traceCall(
        traced,
        0,
        (c) => ({ s: c.put(seed), ct: c.put(ct), ok: c.x.alloc(32) }),
        (c, a) => {
          expect(c.fn('mlkem_decapsulate')(k, a.s, a.ct, a.ok)).toBe(CORE_STATUS.OK);
          return hex(c.take(a.ok, 32));
        },
      );
      return { key: result, trace };
    };

    for (const k of RANKS) {
      it(`${NAME[k]}: Decaps_internal, one trace for valid and rejected ciphertexts under different secret ŝ and z`, () => {
        const { ek, dk } = mlkemKeygenInternal(core, k, rand(64));
        const runs = [];
        const outcomes = new Set<string>();
        for (let i = 0; i < 10; i++) {
          // The real dk for even runs (valid ciphertexts decapsulate to K); for odd runs a dk
          // with another ŝ and z under the same ek (every ciphertext is then rejected).
          const z = i % 2 === 0 ? dk.subarray(768 * k + 64) : rand(32);
          const key = i % 2 === 0 ? dk : Uint8Array.from([...randomDkPke(k), ...ek, ...sha3(ek), ...z]);
          const m = rand(32);
          const enc = encaps(k, ek, m);
          const ct = enc.c.slice();
          if (i % 4 === 2) ct[i * 7] ^= 0x10; // a changed ciphertext under the real key
          const r = decaps(k, key, ct);
          if (i % 4 === 0) {
            expect(r.key).toBe(enc.key);
            expect(r.key).toBe(hex(NOBLE[k].decapsulate(ct, dk)));
            outcomes.add('accepted');
          } else {
            expect(r.key).toBe(J(z, ct));
            outcomes.add('rejected');
          }
          runs.push(r);
        }
        expect([...outcomes].sort()).toEqual(['accepted', 'rejected']);
        expect(oneTrace(runs)).toHaveLength(1);
        expect(runs[0].trace.insn).toBeGreaterThan(100_000n);
        // Negative control: another key (another ρ) takes another path through SampleNTT.
        const other = mlkemKeygenInternal(core, k, rand(64));
        const others = [0, 1].map(() => decaps(k, other.dk, encaps(k, other.ek, rand(32)).c));
        expect(oneTrace([...runs, ...others]).length).toBeGreaterThan(1);
      });

      it(`${NAME[k]}: decapsulation from the seed, one trace for valid and invalid ciphertexts`, () => {
        const seed = rand(64);
        const { ek } = mlkemKeygenInternal(core, k, seed);
        const runs = [];
        for (let i = 0; i < 6; i++) {
          const enc = encaps(k, ek, rand(32));
          const ct = enc.c.slice();
          if (i % 2 === 1) ct[ct.length - 1 - i] ^= 1;
          const r = decapsSeed(k, seed, ct);
          expect(r.key).toBe(i % 2 === 0 ? enc.key : J(seed.subarray(32), ct));
          runs.push(r);
        }
        expect(oneTrace(runs)).toHaveLength(1);
      });

      it(`${NAME[k]}: Encaps_internal, one trace for different messages m to one key`, () => {
        const seed = rand(64);
        const { ek } = mlkemKeygenInternal(core, k, seed);
        const runs = [0, 1, 2, 3, 4, 5].map((i) =>
          encaps(k, ek, i === 0 ? new Uint8Array(32) : i === 1 ? new Uint8Array(32).fill(0xff) : rand(32)),
        );
        for (const r of runs.slice(0, 2)) expect(r.c.length).toBe(ML_KEM_CIPHERTEXT_BYTES[k]);
        expect(oneTrace(runs)).toHaveLength(1);
      });
    }
  });
}
