// The verification paths of ECDSA and SM2DSA that ordinary signatures almost never reach, and
// the variable-time inversion modulo n that verification uses for s^-1:
//   - ec_mod_n_inv_var_time (test module) against BigInt on every curve, for 1, 2, n - 1,
//     n - 2, (n - 1) / 2, powers of two and random values; 0 has no inverse;
//   - signatures whose point R = [u1]G + [u2]Q has an x-coordinate in [n, p), so that
//     r = x - n and the core's comparison without an inversion must take its second branch,
//     X = (r + n) Z^2 (probability about 2^-128 to 2^-260 for a real signature, so built
//     here: R is a point with such an x, and Q = r^-1 (s R - e G) for chosen e and s makes
//     (r, s) valid for e under Q). They verify here and in @noble/curves (ECDSA); r + 1, or
//     x itself (r >= n), does not;
//   - the same for SM2DSA, where the core compares x1 mod n with (r - e) mod n:
//     P = t^-1 (X1 - s G) with t = r + s and r = (e + x1) mod n;
//   - the per-key tables of verify-table.ts (second verification with a key on): the same
//     results as the first, over more keys than the cache has slots, and a key off the curve
//     is refused whatever the cache holds. Each signature above is verified twice for that;
//   - the parsed-key cache of src/core/ecdsa.ts: a caller's buffer reused for another key.

import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { loadCore, type CoreVariant } from '../src/core/module.js';
import { ecdsaVerify } from '../src/core/ecdsa.js';
import { sm2Sign, sm2Verify } from '../src/core/sm2.js';
import { ecFlag, EC_CURVES, generateEc } from '../src/core/ec.js';
import { ecSpki, ecdsaSignatureDer, type EcCurve } from '../src/der/ec.js';
import { readVectorJson } from './helpers/vectors.js';
import { loadTestCore } from './helpers/test-core.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  curveFromHex,
  generator,
  mod,
  modInverse,
  pointAdd,
  pointNegate,
  scalarMult,
  type CurveHex,
  type RefCurve,
  type RefPoint,
} from './helpers/ec-reference.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const params = readVectorJson<{ curves: Record<string, CurveHex> }>('facts/ec_curve_params.json');
const sm2Params = readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json');

interface Case {
  curve: EcCurve;
  ref: RefCurve;
  hashBytes: number;
  noble?: { verify: (sig: Uint8Array, msg: Uint8Array, pub: Uint8Array, opts: object) => boolean };
}

const ECDSA_CASES: Case[] = [
  { curve: 'P-256', ref: curveFromHex('P-256', params.curves['P-256']!), hashBytes: 32, noble: p256 },
  { curve: 'P-384', ref: curveFromHex('P-384', params.curves['P-384']!), hashBytes: 48, noble: p384 },
  { curve: 'P-521', ref: curveFromHex('P-521', params.curves['P-521']!), hashBytes: 64, noble: p521 },
  { curve: 'secp256k1', ref: curveFromHex('secp256k1', params.curves.secp256k1!), hashBytes: 32, noble: secp256k1 },
];
const SM2_CASE: Case = { curve: 'SM2', ref: curveFromHex('SM2', sm2Params.curve), hashBytes: 32 };

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

/** A point whose x-coordinate is the first x >= n (from `from` on) with a square x^3 + ax + b. */
function pointWithLargeX(c: RefCurve, from: bigint): { x: bigint; y: bigint } {
  // Every p here is 3 mod 4: a square's root is its (p + 1) / 4-th power.
  expect(c.p % 4n).toBe(3n);
  for (let x = from; x < c.p; x++) {
    const rhs = mod(x * x * x + c.a * x + c.b, c.p);
    const y = modPow(rhs, (c.p + 1n) / 4n, c.p);
    if ((y * y) % c.p === rhs) return { x, y };
  }
  throw new Error(`${c.name}: no x in [${from}, p) on the curve`);
}

const randomBelow = (n: bigint): bigint => (bytesToBigInt(crypto.randomBytes(80)) % (n - 1n)) + 1n;

/** The uncompressed encoding of a finite point. */
function encode(c: RefCurve, P: RefPoint): Uint8Array {
  if (!P) throw new Error('the point at infinity');
  return new Uint8Array([4, ...bigIntToBytes(P.x, c.bytes), ...bigIntToBytes(P.y, c.bytes)]);
}

describe.each(VARIANTS)('verification paths in the %s build', (variant) => {
  const testCore = loadTestCore(variant);
  const core = loadCore(variant);

  describe.each([...ECDSA_CASES, SM2_CASE])('$curve', ({ curve, ref }) => {
    it('ec_mod_n_inv_var_time: a^-1 mod n as BigInt computes it; 0 has none', () => {
      const { id, bytes } = EC_CURVES[curve];
      const n = ref.n;
      const values = [1n, 2n, 3n, n - 1n, n - 2n, (n - 1n) / 2n, 1n << BigInt(ref.bits - 2), (1n << 128n) + 1n];
      for (let i = 0; i < 60; i++) values.push(randomBelow(n));
      const x = testCore.exports as unknown as {
        alloc(len: number): number;
        ec_mod_n_inv_var_time(id: number, a: number, out: number): number;
      };
      const wrong: string[] = [];
      testCore.run(ecFlag(id), () => {
        const a = x.alloc(bytes);
        const out = x.alloc(bytes);
        for (const v of values) {
          testCore.bytes(a, bytes).set(bigIntToBytes(v, bytes));
          const ok = x.ec_mod_n_inv_var_time(id, a, out);
          if (ok !== 1 || bytesToBigInt(testCore.bytes(out, bytes)) !== modInverse(v, n)) wrong.push(v.toString(16));
        }
        testCore.bytes(a, bytes).fill(0);
        expect(x.ec_mod_n_inv_var_time(id, a, out)).toBe(0);
        expect(testCore.bytes(out, bytes).every((b) => b === 0)).toBe(true);
      });
      expect(wrong).toEqual([]);
    });
  });

  describe.each(ECDSA_CASES)('$curve', ({ curve, ref, hashBytes, noble }) => {
    it('a signature whose R has x in [n, p) verifies (r = x - n), here and in @noble/curves; r + 1 and x do not', () => {
      const n = ref.n;
      const G = generator(ref);
      for (const from of [n + 1n, n + 1000n]) {
        const R = pointWithLargeX(ref, from);
        expect(R.x >= n && R.x < ref.p).toBe(true);
        const r = R.x - n;
        const digest = new Uint8Array(crypto.randomBytes(hashBytes));
        const e = mod(bytesToBigInt(digest), n); // hash length <= bit length of n here
        const s = randomBelow(n);
        // (e/s) G + (r/s) Q = R  <=>  Q = r^-1 (s R - e G)
        const Q = scalarMult(
          ref,
          modInverse(r, n),
          pointAdd(ref, scalarMult(ref, s, R), pointNegate(ref, scalarMult(ref, e, G))),
        );
        const point = encode(ref, Q);
        const spki = ecSpki(curve, point);
        const sig = ecdsaSignatureDer(bigIntToBytes(r, ref.bytes), bigIntToBytes(s, ref.bytes));
        expect(noble!.verify(sig, digest, point, { prehash: false, lowS: false, format: 'der' })).toBe(true);
        // twice: the second verification with the key takes its cached table
        expect(ecdsaVerify(core, spki, digest, sig)).toBe(true);
        expect(ecdsaVerify(core, spki, digest, sig)).toBe(true);
        const plusOne = ecdsaSignatureDer(bigIntToBytes(r + 1n, ref.bytes), bigIntToBytes(s, ref.bytes));
        expect(ecdsaVerify(core, spki, digest, plusOne)).toBe(false);
        const unreduced = ecdsaSignatureDer(bigIntToBytes(R.x, ref.bytes), bigIntToBytes(s, ref.bytes));
        expect(ecdsaVerify(core, spki, digest, unreduced)).toBe(false);
      }
    });
  });

  // verify-table.ts: from the second verification with a key on, [u2]Q comes from a table of the
  // key's multiples cached in the instance (6 slots). Every result must be the same either way,
  // also while keys evict each other.
  describe.each(ECDSA_CASES)('$curve', ({ curve, ref, hashBytes }) => {
    const NODE_CURVE: Record<string, string> = {
      'P-256': 'prime256v1',
      'P-384': 'secp384r1',
      'P-521': 'secp521r1',
      secp256k1: 'secp256k1',
    };
    const HASH: Record<number, string> = { 32: 'sha256', 48: 'sha384', 64: 'sha512' };
    it('verifications with cached key tables: 12 keys (more than the slots), three rounds, valid and altered signatures', () => {
      const keys = Array.from({ length: 12 }, () =>
        crypto.generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve]! }),
      );
      const wrong: string[] = [];
      for (let round = 0; round < 3; round++) {
        for (const [k, { publicKey, privateKey }] of keys.entries()) {
          // keys 0-3 every time, the others in turn: cached tables, evictions and fresh keys
          if (k >= 4 && k % 3 !== round) continue;
          const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
          const message = crypto.randomBytes(40);
          const digest = new Uint8Array(crypto.createHash(HASH[hashBytes]!).update(message).digest());
          const sig = new Uint8Array(crypto.sign(HASH[hashBytes]!, message, privateKey));
          const other = new Uint8Array(digest);
          other[0]! ^= 0x80;
          for (let rep = 0; rep < 2; rep++) {
            if (!ecdsaVerify(core, spki, digest, sig)) wrong.push(`round ${round} key ${k}: valid rejected`);
            if (ecdsaVerify(core, spki, other, sig)) wrong.push(`round ${round} key ${k}: altered accepted`);
          }
        }
      }
      expect(wrong).toEqual([]);
      // the point is checked on the curve whatever the cache holds
      const bad = new Uint8Array(keys[0]!.publicKey.export({ format: 'der', type: 'spki' }));
      bad[bad.length - 1]! ^= 1;
      const message = crypto.randomBytes(40);
      const digest = new Uint8Array(crypto.createHash(HASH[hashBytes]!).update(message).digest());
      const sig = new Uint8Array(crypto.sign(HASH[hashBytes]!, message, keys[0]!.privateKey));
      for (let rep = 0; rep < 3; rep++) expect(ecdsaVerify(core, bad, digest, sig)).toBe(false);
      expect(ref.bytes).toBeGreaterThan(0);
    });
  });

  it('parsed keys are cached by their bytes: a reused buffer holding another key verifies as that key', () => {
    const one = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const two = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spkiOne = new Uint8Array(one.publicKey.export({ format: 'der', type: 'spki' }));
    const spkiTwo = new Uint8Array(two.publicKey.export({ format: 'der', type: 'spki' }));
    const message = crypto.randomBytes(40);
    const digest = new Uint8Array(crypto.createHash('sha256').update(message).digest());
    const sigOne = new Uint8Array(crypto.sign('sha256', message, one.privateKey));
    const sigTwo = new Uint8Array(crypto.sign('sha256', message, two.privateKey));
    const buffer = new Uint8Array(spkiOne);
    for (let round = 0; round < 3; round++) {
      buffer.set(spkiOne);
      expect(ecdsaVerify(core, buffer, digest, sigOne)).toBe(true);
      expect(ecdsaVerify(core, buffer, digest, sigTwo)).toBe(false);
      buffer.set(spkiTwo);
      expect(ecdsaVerify(core, buffer, digest, sigTwo)).toBe(true);
      expect(ecdsaVerify(core, buffer, digest, sigOne)).toBe(false);
    }
    // a key that does not parse is refused every time
    const broken = spkiOne.subarray(0, spkiOne.length - 1);
    for (let i = 0; i < 2; i++) expect(() => ecdsaVerify(core, broken, digest, sigOne)).toThrow();
  });

  it('SM2DSA with cached key tables: 10 keys, three rounds, valid and altered signatures', () => {
    const keys = Array.from({ length: 10 }, () => generateEc(core, 'SM2'));
    const wrong: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [k, { publicKey, privateKey }] of keys.entries()) {
        const message = crypto.randomBytes(30);
        const sig = sm2Sign(core, privateKey, message, 'RAW');
        for (let rep = 0; rep < 2; rep++) {
          if (!sm2Verify(core, publicKey, message, 'RAW', sig)) wrong.push(`round ${round} key ${k}: valid rejected`);
          if (sm2Verify(core, publicKey, crypto.randomBytes(30), 'RAW', sig))
            wrong.push(`round ${round} key ${k}: altered accepted`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('SM2DSA: a signature whose point (x1, y1) has x1 in [n, p) verifies; r + 1 does not', () => {
    const ref = SM2_CASE.ref;
    const n = ref.n;
    const G = generator(ref);
    for (const from of [n, n + 1000n]) {
      const X1 = pointWithLargeX(ref, from);
      const e = randomBelow(n);
      const r = mod(e + X1.x, n);
      const s = randomBelow(n);
      const t = mod(r + s, n);
      // [s]G + [t]P = X1  <=>  P = t^-1 (X1 - s G)
      const P = scalarMult(ref, modInverse(t, n), pointAdd(ref, X1, pointNegate(ref, scalarMult(ref, s, G))));
      const spki = ecSpki('SM2', encode(ref, P));
      const eBytes = bigIntToBytes(e, 32);
      const sig = ecdsaSignatureDer(bigIntToBytes(r, 32), bigIntToBytes(s, 32));
      expect(sm2Verify(core, spki, eBytes, 'DIGEST', sig)).toBe(true);
      expect(sm2Verify(core, spki, eBytes, 'DIGEST', sig)).toBe(true);
      const plusOne = ecdsaSignatureDer(bigIntToBytes(mod(r + 1n, n), 32), bigIntToBytes(s, 32));
      expect(sm2Verify(core, spki, eBytes, 'DIGEST', plusOne)).toBe(false);
    }
  });
});
