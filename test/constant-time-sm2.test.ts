// Constant-time checks of SM2 signing and decryption in the WebAssembly core, by instruction
// counting (the harness of test/constant-time.test.ts, test/helpers/instrument.ts): every
// run of an operation over many secret inputs of one public size must give the same
// instruction count, the same hash of branch decisions and the same hash of memory
// addresses. That checks what the code does, not how long an engine takes over it.
//
//   - sm2_sign_with_nonce (test module): SM2DSA with a given nonce, over random private keys
//     d and nonces k, d = 1, d = n - 2, k = 1, k = n - 1; each result equals a plain BigInt
//     computation of GB/T 32918.2 §6.1 (test/helpers/ec-reference.ts for [k]G);
//   - sm2_sign: the shipped entry, nonce from the hedged DRBG, over random keys, RAW and DIGEST;
//   - sm2_decrypt: over random keys, valid ciphertexts and ones whose C3 or C2 was changed
//     (the failure must take the same path as success: one trace for all).
//
// The test module's builds (build/wasm-kms.test.{simd,scalar}.wasm, npm run build:wasm:test).

import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type CoreVariant } from '../src/core/module.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  groupByTrace,
  type Trace,
  expectOneTrace,
} from './helpers/instrument.js';
import { readVectorJson } from './helpers/vectors.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  curveFromHex,
  mod,
  modInverse,
  scalarMult,
  generator,
  type CurveHex,
} from './helpers/ec-reference.js';

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));
const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const SM2_FLAG = 1 << 6;

const curve = curveFromHex('SM2', readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json').curve);
const n = curve.n;
const G = generator(curve);

const b32 = (v: bigint): Uint8Array => bigIntToBytes(v, 32);
const randScalar = (below: bigint): bigint => (bytesToBigInt(randomBytes(32)) % (below - 1n)) + 1n;

/** GB/T 32918.2 §6.1 A4-A6 in plain BigInt: (r, s) for d, e and k. */
function referenceSign(d: bigint, e: bigint, k: bigint): [bigint, bigint] {
  const x1 = scalarMult(curve, k, G)!.x;
  const r = mod(e + x1, n);
  const s = mod(modInverse(1n + d, n) * (k - r * d), n);
  return [r, s];
}

interface Run {
  label: string;
  trace: Trace;
}

describe.each(VARIANTS)('constant time of SM2 in the %s build', (variant) => {
  let core: TracedCore;

  beforeAll(() => {
    const path = join(BUILD_DIR, `wasm-kms.test.${variant}.wasm`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm:test`);
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(path))));
    // The curve's first call works without the fixed-base table and builds it for the next:
    // the runs below all use it.
    signWithNonce(1n, 1n, 1n);
    signWithNonce(1n, 1n, 1n);
  });

  function signWithNonce(d: bigint, e: bigint, k: bigint): { rs: [bigint, bigint]; trace: Trace } {
    const { result, trace } = traceCall(
      core,
      SM2_FLAG,
      (c) => ({ d: c.put(b32(d)), e: c.put(b32(e)), k: c.put(b32(k)), r: c.x.alloc(32), s: c.x.alloc(32) }),
      (c, a) => {
        const status = c.fn('sm2_sign_with_nonce')(a.d, a.e, a.k, a.r, a.s);
        expect(status).toBe(0);
        return [bytesToBigInt(c.take(a.r, 32)), bytesToBigInt(c.take(a.s, 32))] as [bigint, bigint];
      },
    );
    return { rs: result, trace };
  }

  it('sm2_sign_with_nonce: one trace over 60 random keys and nonces and the edge values, each result as the reference', () => {
    const cases: { label: string; d: bigint; e: bigint; k: bigint }[] = [
      { label: 'd = 1', d: 1n, e: randScalar(n), k: randScalar(n) },
      { label: 'd = n - 2', d: n - 2n, e: randScalar(n), k: randScalar(n) },
      { label: 'k = 1', d: randScalar(n - 1n), e: randScalar(n), k: 1n },
      { label: 'k = n - 1', d: randScalar(n - 1n), e: randScalar(n), k: n - 1n },
      { label: 'e = 0', d: randScalar(n - 1n), e: 0n, k: randScalar(n) },
      { label: 'e = 2^256 - 1', d: randScalar(n - 1n), e: (1n << 256n) - 1n, k: randScalar(n) },
    ];
    for (let i = 0; i < 60; i++)
      cases.push({ label: `random #${i}`, d: randScalar(n - 1n), e: randScalar(n), k: randScalar(n) });
    const runs: Run[] = [];
    const wrong: string[] = [];
    for (const c of cases) {
      const { rs, trace } = signWithNonce(c.d, c.e, c.k);
      const want = referenceSign(c.d, c.e, c.k);
      if (rs[0] !== want[0] || rs[1] !== want[1]) wrong.push(`${c.label}: d=${c.d.toString(16)} k=${c.k.toString(16)}`);
      runs.push({ label: c.label, trace });
    }
    expect(wrong).toEqual([]);
    expectOneTrace(`${variant} sm2_sign_with_nonce`, runs);
  });

  it('sm2_sign (hedged DRBG nonce): one trace over 30 random keys, RAW and DIGEST', () => {
    const msg = randomBytes(100);
    for (const raw of [1, 0]) {
      const runs: Run[] = [];
      for (let i = 0; i < 30; i++) {
        const d = i === 0 ? 1n : i === 1 ? n - 2n : randScalar(n - 1n);
        const pub = scalarMult(curve, d, G)!;
        const message = raw ? msg : randomBytes(32);
        const { trace } = traceCall(
          core,
          SM2_FLAG,
          (c) => ({
            d: c.put(b32(d)),
            pub: c.put(new Uint8Array([...b32(pub.x), ...b32(pub.y)])),
            m: c.put(message),
            r: c.x.alloc(32),
            s: c.x.alloc(32),
          }),
          (c, a) => {
            expect(c.fn('sm2_sign')(a.d, a.pub, a.m, message.length, raw, a.r, a.s)).toBe(0);
            return null;
          },
        );
        runs.push({ label: `key #${i}`, trace });
      }
      expectOneTrace(`${variant} sm2_sign (${raw ? 'RAW' : 'DIGEST'})`, runs);
    }
  });

  it('sm2_decrypt: one trace over random keys for valid ciphertexts and for changed C3 and C2', () => {
    const len = 40;
    const runs: Run[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const d = randScalar(n);
      const P = scalarMult(curve, d, G)!;
      const pub = new Uint8Array([...b32(P.x), ...b32(P.y)]);
      const msg = randomBytes(len);
      // A ciphertext from the core's own encryption (its correctness is test/sm2.test.ts's).
      const ct = traceCall(
        core,
        SM2_FLAG,
        (c) => ({ pub: c.put(pub), m: c.put(msg), c1: c.x.alloc(64), c3: c.x.alloc(32), c2: c.x.alloc(len) }),
        (c, a) => {
          expect(c.fn('sm2_encrypt')(a.pub, a.m, len, a.c1, a.c3, a.c2)).toBe(0);
          return { c1: c.take(a.c1, 64), c3: c.take(a.c3, 32), c2: c.take(a.c2, len) };
        },
      ).result;
      const kind = i % 3; // 0 valid, 1 C3 changed, 2 C2 changed
      if (kind === 1) ct.c3[i % 32] ^= 0x80;
      if (kind === 2) ct.c2[i % len] ^= 0x01;
      const { result, trace } = traceCall(
        core,
        SM2_FLAG,
        (c) => ({ d: c.put(b32(d)), c1: c.put(ct.c1), c3: c.put(ct.c3), c2: c.put(ct.c2), out: c.x.alloc(len) }),
        (c, a) => {
          const status = c.fn('sm2_decrypt')(a.d, a.c1, a.c3, a.c2, len, a.out);
          return { status, out: c.take(a.out, len) };
        },
      );
      statuses.push(result.status);
      if (kind === 0) expect(Buffer.from(result.out).equals(msg)).toBe(true);
      else expect(result.out.every((b) => b === 0)).toBe(true);
      runs.push({ label: `key #${i} (${['valid', 'C3 changed', 'C2 changed'][kind]})`, trace });
    }
    expect(statuses).toEqual(statuses.map((_, i) => (i % 3 === 0 ? 0 : 3)));
    expectOneTrace(`${variant} sm2_decrypt`, runs);
  });

  it('negative control: sm2_verify (public inputs, variable time) gives different traces for different signatures', () => {
    const d = randScalar(n - 1n);
    const P = scalarMult(curve, d, G)!;
    const pub = new Uint8Array([...b32(P.x), ...b32(P.y)]);
    const runs: Run[] = [];
    for (let i = 0; i < 4; i++) {
      const e = randScalar(n);
      const [r, s] = referenceSign(d, e, randScalar(n));
      const { result, trace } = traceCall(
        core,
        SM2_FLAG,
        (c) => ({ pub: c.put(pub), e: c.put(b32(e)), r: c.put(b32(r)), s: c.put(b32(s)) }),
        (c, a) => c.fn('sm2_verify')(a.pub, a.e, 32, 0, a.r, a.s),
      );
      expect(result).toBe(1);
      runs.push({ label: `signature #${i}`, trace });
    }
    expect(groupByTrace(runs).length).toBeGreaterThan(1);
  });
});
