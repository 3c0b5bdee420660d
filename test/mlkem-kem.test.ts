// ML-KEM encapsulation and decapsulation in the core (assembly/mlkem/encaps.ts, decaps.ts;
// mlkemEncapsulate / mlkemDecapsulate of src/core/mlkem.ts) on both builds, for ML-KEM-512,
// -768 and -1024:
//  - byte-for-byte agreement with @noble/post-quantum: from the same seed and the same
//    encapsulation randomness m, the same ciphertext and shared secret (Encaps_internal);
//    its decapsulation of our ciphertexts and ours of its;
//  - the public API on KMS key material (SPKI, seed-form PKCS#8): Encapsulate's secret equals
//    our and noble's decapsulation of its ciphertext, and fresh randomness every call;
//  - implicit rejection: a ciphertext changed anywhere decapsulates to J(z ‖ c) =
//    SHAKE256(z ‖ c) (computed with node:crypto), equal to noble's, never to the real secret;
//  - FIPS 203 §7.2's modulus check on the encapsulation key; ciphertext lengths; no secret
//    left in memory;
//  - the building blocks: Compress_d / Decompress_d against their definitions for every
//    input, and NTT^-1(NTT(f)) = f.

import { describe, it, expect } from 'vitest';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { type CoreVariant } from '../src/core/module.js';
import { CoreError } from '../src/core/errors.js';
import { loadTestCore, testExports } from './helpers/test-core.js';
import {
  generateMlKem,
  mlkemDecapsulate,
  mlkemEncapsulate,
  mlkemEncapsInternal,
  mlkemDecapsInternal,
  mlkemKeygenInternal,
  ML_KEM_CIPHERTEXT_BYTES,
} from '../src/core/mlkem.js';
import { mlkemPkcs8, mlkemSpki, parseMlKemPkcs8, parseMlKemSpki, type MlKemRank } from '../src/der/mlkem.js';
import { DerError } from '../src/der/index.js';
import { hex } from './helpers/hex.js';

const RANKS: MlKemRank[] = [2, 3, 4];
const NAME: Record<MlKemRank, string> = { 2: 'ML-KEM-512', 3: 'ML-KEM-768', 4: 'ML-KEM-1024' };
const NOBLE = { 2: ml_kem512, 3: ml_kem768, 4: ml_kem1024 } as const;
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
/** J(s) = SHAKE256(s, 8·32) (FIPS 203 §4.1). */
const J = (z: Uint8Array, c: Uint8Array): string =>
  createHash('shake256', { outputLength: 32 }).update(z).update(c).digest('hex');

interface KemTestExports {
  mlkem_compress(x: number, d: number): number;
  mlkem_decompress(y: number, d: number): number;
  mlkem_ntt(f: number, forward: number): void;
  scratchHighWater(): number;
}

for (const variant of ['simd', 'scalar'] as CoreVariant[]) {
  describe(`ML-KEM encapsulation and decapsulation (${variant})`, () => {
    const core = loadTestCore(variant);
    const tx = core.exports as unknown as KemTestExports;

    for (const k of RANKS) {
      const noble = NOBLE[k];

      it(`${NAME[k]}: Encaps_internal equals noble's for 40 seeds and messages, and each decapsulates the other's`, () => {
        for (let i = 0; i < 40; i++) {
          const seed = rand(64);
          const m = i === 0 ? new Uint8Array(32) : i === 1 ? new Uint8Array(32).fill(0xff) : rand(32);
          const { ek, dk } = mlkemKeygenInternal(core, k, seed);
          const theirs = noble.encapsulate(ek, m);
          const ours = mlkemEncapsInternal(core, k, ek, m);
          expect(ours.ciphertext.length).toBe(ML_KEM_CIPHERTEXT_BYTES[k]);
          expect(hex(ours.ciphertext), `seed ${hex(seed)}, m ${hex(m)}`).toBe(hex(theirs.cipherText));
          expect(hex(ours.sharedSecret)).toBe(hex(theirs.sharedSecret));
          // noble's dk is the same expansion of the seed (checked in mlkem.test.ts).
          expect(hex(noble.decapsulate(ours.ciphertext, dk))).toBe(hex(ours.sharedSecret));
          expect(hex(mlkemDecapsInternal(core, k, dk, theirs.cipherText))).toBe(hex(theirs.sharedSecret));
        }
      });

      it(`${NAME[k]}: Encapsulate to a generated SPKI; our and noble's decapsulation with the PKCS#8 seed agree`, () => {
        const seen = new Set<string>();
        for (let i = 0; i < 10; i++) {
          const pair = generateMlKem(core, k);
          const { seed } = parseMlKemPkcs8(pair.privateKey);
          const nobleKeys = noble.keygen(seed);
          const { ciphertext, sharedSecret } = mlkemEncapsulate(core, pair.publicKey);
          expect(ciphertext.length).toBe(ML_KEM_CIPHERTEXT_BYTES[k]);
          expect(sharedSecret.length).toBe(32);
          expect(hex(mlkemDecapsulate(core, pair.privateKey, ciphertext))).toBe(hex(sharedSecret));
          expect(hex(noble.decapsulate(ciphertext, nobleKeys.secretKey))).toBe(hex(sharedSecret));
          // And the other way: noble encapsulates to our key, we decapsulate.
          const theirs = noble.encapsulate(parseMlKemSpki(pair.publicKey).ek);
          expect(hex(mlkemDecapsulate(core, pair.privateKey, theirs.cipherText))).toBe(hex(theirs.sharedSecret));
          seen.add(hex(sharedSecret));
        }
        // Fresh randomness: two encapsulations to one key differ.
        const pair = generateMlKem(core, k);
        const a = mlkemEncapsulate(core, pair.publicKey);
        const b = mlkemEncapsulate(core, pair.publicKey);
        expect(hex(a.ciphertext)).not.toBe(hex(b.ciphertext));
        expect(hex(a.sharedSecret)).not.toBe(hex(b.sharedSecret));
        expect(seen.size).toBe(10);
      });

      it(`${NAME[k]}: implicit rejection: a changed ciphertext gives J(z ‖ c), as noble does`, () => {
        const seed = rand(64);
        const z = seed.subarray(32);
        const spki = mlkemSpki(k, mlkemKeygenInternal(core, k, seed).ek);
        const pkcs8 = mlkemPkcs8(k, seed);
        const { secretKey } = noble.keygen(seed);
        const { ciphertext, sharedSecret } = mlkemEncapsulate(core, spki);
        const len = ciphertext.length;
        const positions = [0, 1, len - 1, len - 32 * (k === 4 ? 5 : 4), randomInt(0, len), randomInt(0, len)];
        for (const pos of positions) {
          for (const bit of [0, 7]) {
            const bad = ciphertext.slice();
            bad[pos] ^= 1 << bit;
            const got = hex(mlkemDecapsulate(core, pkcs8, bad));
            expect(got, `byte ${pos} bit ${bit}`).toBe(J(z, bad));
            expect(got).toBe(hex(noble.decapsulate(bad, secretKey)));
            expect(got).not.toBe(hex(sharedSecret));
          }
        }
        // A ciphertext of all zeros, and one for another key.
        const zeros = new Uint8Array(len);
        expect(hex(mlkemDecapsulate(core, pkcs8, zeros))).toBe(J(z, zeros));
        const other = mlkemEncapsulate(core, generateMlKem(core, k).publicKey).ciphertext;
        expect(hex(mlkemDecapsulate(core, pkcs8, other))).toBe(J(z, other));
        // The unchanged ciphertext still gives the real secret.
        expect(hex(mlkemDecapsulate(core, pkcs8, ciphertext))).toBe(hex(sharedSecret));
      });

      it(`${NAME[k]}: an encapsulation key with a coefficient ≥ q is refused (FIPS 203 §7.2), as noble does`, () => {
        const { ek } = mlkemKeygenInternal(core, k, rand(64));
        const first = ek.slice(); // coefficient 0 of t̂[0] = 0xfff
        first[0] = 0xff;
        first[1] |= 0x0f;
        const last = ek.slice(); // the last coefficient of t̂[k − 1] ≥ 0xff0
        last[384 * k - 1] = 0xff;
        for (const bad of [first, last]) {
          expect(() => noble.encapsulate(bad)).toThrow();
          let err: unknown;
          try {
            mlkemEncapsulate(core, mlkemSpki(k, bad));
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(CoreError);
          expect((err as CoreError).code).toBe('INVALID_ARGUMENT');
          expect((err as CoreError).message).toMatch(/encapsulation key is invalid/);
        }
        // q − 1 everywhere is a valid key (0xd00 = 3328 in each 12-bit field).
        const edge = ek.slice();
        for (let i = 0; i < 384 * k; i += 3) edge.set([0x00, 0x0d, 0xd0], i);
        const { ciphertext, sharedSecret } = mlkemEncapsulate(core, mlkemSpki(k, edge));
        expect(ciphertext.length).toBe(ML_KEM_CIPHERTEXT_BYTES[k]);
        expect(sharedSecret.length).toBe(32);
      });

      it(`${NAME[k]}: ciphertexts of the wrong length and keys of another kind are refused`, () => {
        const pair = generateMlKem(core, k);
        const len = ML_KEM_CIPHERTEXT_BYTES[k];
        for (const n of [0, len - 1, len + 1]) {
          expect(() => mlkemDecapsulate(core, pair.privateKey, new Uint8Array(n))).toThrow(RangeError);
        }
        expect(() => mlkemDecapsulate(core, pair.privateKey, new Uint8Array(len - 1))).toThrow(
          `${NAME[k]} ciphertexts are ${len} bytes, got ${len - 1}`,
        );
        expect(() => mlkemDecapsulate(core, pair.publicKey, new Uint8Array(len))).toThrow(DerError);
        expect(() => mlkemEncapsulate(core, pair.privateKey)).toThrow(DerError);
        expect(() => mlkemDecapsulate(core, pair.privateKey, 'x' as unknown as Uint8Array)).toThrow(TypeError);
      });
    }

    it('leaves no seed, message or shared secret in linear memory', () => {
      const mem = (): Buffer => Buffer.from(core.exports.memory.buffer);
      const seed = rand(64);
      const m = rand(32);
      const { ek } = mlkemKeygenInternal(core, 3, seed);
      const { ciphertext, sharedSecret } = mlkemEncapsInternal(core, 3, ek, m);
      expect(mem().indexOf(Buffer.from(m))).toBe(-1);
      expect(mem().indexOf(Buffer.from(sharedSecret))).toBe(-1);
      const k2 = mlkemDecapsulate(core, mlkemPkcs8(3, seed), ciphertext);
      expect(hex(k2)).toBe(hex(sharedSecret));
      expect(mem().indexOf(Buffer.from(seed.subarray(0, 16)))).toBe(-1);
      expect(mem().indexOf(Buffer.from(seed.subarray(32, 48)))).toBe(-1);
      expect(mem().indexOf(Buffer.from(sharedSecret))).toBe(-1);
      expect(testExports(core).scratchHighWater()).toBe(0);
    });

    it('Compress_d and Decompress_d equal their definitions (FIPS 203 (4.7), (4.8)) on every input', () => {
      const q = 3329;
      for (const d of [1, 4, 5, 10, 11]) {
        for (let x = 0; x < q; x++) {
          // ⌈2^d·x/q⌋ mod 2^d with exact integer arithmetic (q odd: no ties).
          const want = Math.floor((2 * x * 2 ** d + q) / (2 * q)) % 2 ** d;
          if (tx.mlkem_compress(x, d) !== want) expect(tx.mlkem_compress(x, d), `Compress_${d}(${x})`).toBe(want);
        }
        for (let y = 0; y < 2 ** d; y++) {
          const want = Math.floor((2 * y * q + 2 ** d) / 2 ** (d + 1));
          if (tx.mlkem_decompress(y, d) !== want) expect(tx.mlkem_decompress(y, d), `Decompress_${d}(${y})`).toBe(want);
        }
      }
    });

    it('NTT^-1(NTT(f)) = f for random polynomials and the extremes 0 and q − 1', () => {
      for (let i = 0; i < 20; i++) {
        const f = new Int16Array(256).map(() => (i === 0 ? 0 : i === 1 ? 3328 : randomInt(0, 3329)));
        const back = core.run(0, (c) => {
          const p = c.alloc(512);
          core.bytes(p, 512).set(new Uint8Array(f.buffer));
          tx.mlkem_ntt(p, 1);
          tx.mlkem_ntt(p, 0);
          return new Int16Array(core.take(p, 512).buffer);
        });
        expect([...back]).toEqual([...f]);
      }
    });
  });
}
