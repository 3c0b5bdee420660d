// Elliptic-curve key material from both WebAssembly builds (P-256, P-384, P-521, secp256k1,
// SM2), checked against things that share no code with the core:
//   - node:crypto (OpenSSL): d -> point with createECDH, JWK import, ECDSA sign/verify;
//   - plain BigInt: the curve equation, and an affine double-and-add reference for [k]G
//     (test/helpers/ec-reference.ts) over the published curve constants;
//   - known answers: Wycheproof's webcrypto private JWKs (d with its x, y), the SM2 example
//     key pairs, [1]G = G;
//   - statistics: chi-square on the top and low bytes of 10,000 P-256 private scalars (1e-6 level).
//
// Every mismatch is reported with its inputs in hex so that it can be replayed by hand.

import { beforeAll, describe, expect, it } from 'vitest';
import { createECDH, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { type Core, type CoreVariant } from '../src/core/module.js';
import { loadTestCore } from './helpers/test-core.js';
import { EC_CURVES, ecKeyMaterial, ecScalarMultBase } from '../src/core/ec.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  curveFromHex,
  decodePoint,
  hexToBigInt,
  isOnCurve,
  pointDouble,
  pointFromScalar,
  scalarMult,
  generator,
  encodePoint,
  type CurveHex,
  type RefCurve,
} from './helpers/ec-reference.js';
import { readVectorJson } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

type Curve = keyof typeof EC_CURVES;

// ---- Vectors -----------------------------------------------------------------------------

// Kept in test/vectors (sources and licences in its README).
const readJson = <T>(rel: string): T => readVectorJson<T>(rel);

interface ParamsFile {
  curves: Record<string, CurveHex & { nodeCurveName: string }>;
}
interface Sm2File {
  curve: CurveHex & { nodeCurveName: string };
  keyPairs: { name: string; privateKey: string; publicKey: { x: string; y: string }; publicKeyUncompressed: string }[];
}
interface Jwk {
  kty?: string;
  crv?: string;
  d?: string;
  x?: string;
  y?: string;
}
interface WebcryptoFile {
  testGroups: { tests: { tcId: number; private?: Jwk }[] }[];
}

const params = readJson<ParamsFile>('facts/ec_curve_params.json');
const sm2 = readJson<Sm2File>('facts/sm2p256v1.json');

interface CurveInfo {
  curve: Curve;
  ref: RefCurve;
  /** createECDH name. */
  node: string;
  /** JWK crv accepted by node's createPrivateKey, or undefined (SM2 has none in node). */
  jwkCrv?: string;
  /** Largest private scalar the core may return: n - 1 (SM2: n - 2, GB/T 32918.1 §6.1). */
  dMax: bigint;
  /** Wycheproof webcrypto file with d -> (x, y) pairs, and its JWK crv. */
  wycheproof?: { file: string; crv: string };
}

function info(curve: Curve, hex: CurveHex & { nodeCurveName: string }, extra: Partial<CurveInfo>): CurveInfo {
  const ref = curveFromHex(curve, hex);
  return { curve, ref, node: hex.nodeCurveName, dMax: ref.n - 1n, ...extra };
}

const CURVES: CurveInfo[] = [
  info('P-256', params.curves['P-256'], {
    jwkCrv: 'P-256',
    wycheproof: { file: 'wycheproof/ecdh_secp256r1_webcrypto_test.json', crv: 'P-256' },
  }),
  info('P-384', params.curves['P-384'], {
    jwkCrv: 'P-384',
    wycheproof: { file: 'wycheproof/ecdh_secp384r1_webcrypto_test.json', crv: 'P-384' },
  }),
  info('P-521', params.curves['P-521'], {
    jwkCrv: 'P-521',
    wycheproof: { file: 'wycheproof/ecdh_secp521r1_webcrypto_test.json', crv: 'P-521' },
  }),
  info('secp256k1', params.curves.secp256k1, {
    jwkCrv: 'secp256k1',
    // Wycheproof names secp256k1 'P-256K' in its JWKs (node calls it 'secp256k1').
    wycheproof: { file: 'wycheproof/ecdh_secp256k1_webcrypto_test.json', crv: 'P-256K' },
  }),
  // SM2 private keys are in [1, n-2] (GB/T 32918.1 §6.1).
  info('SM2', sm2.curve, { dMax: hexToBigInt(sm2.curve.n) - 2n }),
];

const BUILDS: CoreVariant[] = ['simd', 'scalar'];

const hexOf = (v: bigint): string => '0x' + v.toString(16);
const pow2 = (i: number): bigint => 1n << BigInt(i);

/** Uniform in [0, bound) by rejection, from node:crypto. */
function randomBelow(bound: bigint): bigint {
  const bits = bound.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  const mask = pow2(bits) - 1n;
  for (;;) {
    const v = bytesToBigInt(randomBytes(bytes)) & mask;
    if (v < bound) return v;
  }
}

/** [k]G from the reference, memoized: both builds (and several cases) ask for the same k. */
const refCache = new Map<string, string | undefined>();
function refPoint(c: CurveInfo, k: bigint): string | undefined {
  const key = `${c.curve}:${k.toString(16)}`;
  if (!refCache.has(key)) {
    const p = pointFromScalar(c.ref, k);
    refCache.set(key, p === undefined ? undefined : hex(p));
  }
  return refCache.get(key);
}

/** The core's [k]G as hex (undefined: the point at infinity). */
function corePoint(core: Core, c: CurveInfo, k: bigint): string | undefined {
  const out = ecScalarMultBase(core, c.curve, bigIntToBytes(k, c.ref.bytes));
  return out === undefined ? undefined : hex(out);
}

/** The problems of a returned point: encoding, coordinates below p, the curve equation. */
function pointProblems(c: CurveInfo, hex: string): string[] {
  const bytes = unhex(hex);
  const problems: string[] = [];
  if (bytes.length !== 1 + 2 * c.ref.bytes) return [`length ${bytes.length}`];
  if (bytes[0] !== 4) problems.push(`prefix ${bytes[0]}`);
  const x = bytesToBigInt(bytes.subarray(1, 1 + c.ref.bytes));
  const y = bytesToBigInt(bytes.subarray(1 + c.ref.bytes));
  if (x >= c.ref.p) problems.push('x >= p');
  if (y >= c.ref.p) problems.push('y >= p');
  if (!isOnCurve(c.ref, x, y)) problems.push('not on the curve');
  return problems;
}

// ---- The vector files and the reference themselves ----------------------------------------

describe('curve constants and the BigInt reference', () => {
  it.each(CURVES.map((c) => [c.curve, c] as const))('%s: constants match the core, G is on the curve', (_, c) => {
    expect(c.ref.bytes).toBe(EC_CURVES[c.curve].bytes);
    expect(isOnCurve(c.ref, c.ref.gx, c.ref.gy)).toBe(true);
    // n is the order of G: [n - 1]G = -G, so [n]G = -G + G = O.
    const minusG = scalarMult(c.ref, c.ref.n - 1n, generator(c.ref));
    expect(minusG).toEqual({ x: c.ref.gx, y: c.ref.p - c.ref.gy });
  });

  it.each(CURVES.map((c) => [c.curve, c] as const))('%s: reference [k]G agrees with node:crypto', (_, c) => {
    // The oracle itself is checked against OpenSSL for a few scalars in [1, n-1].
    const ks = [1n, 2n, 3n, c.ref.n - 1n, randomBelow(c.ref.n - 1n) + 1n, randomBelow(c.ref.n - 1n) + 1n];
    for (const k of ks) {
      const ecdh = createECDH(c.node);
      ecdh.setPrivateKey(bigIntToBytes(k, c.ref.bytes));
      expect(refPoint(c, k), `k = ${hexOf(k)}`).toBe(ecdh.getPublicKey('hex'));
    }
    expect(encodePoint(c.ref, pointDouble(c.ref, generator(c.ref)))).toEqual(pointFromScalar(c.ref, 2n));
  });
});

// ---- Known answers -----------------------------------------------------------------------

interface KnownAnswer {
  label: string;
  d: bigint;
  point: string;
}

/** Wycheproof webcrypto d -> (x, y): well-formed private JWKs, de-duplicated, d in [1, n-1]. */
function wycheproofPairs(c: CurveInfo): { pairs: KnownAnswer[]; skipped: number } {
  const w = c.wycheproof!;
  const file = readJson<WebcryptoFile>(w.file);
  const len = c.ref.bytes;
  const seen = new Set<string>();
  const pairs: KnownAnswer[] = [];
  let skipped = 0;
  const b64u = /^[A-Za-z0-9_-]+$/;
  for (const g of file.testGroups) {
    for (const t of g.tests) {
      const j = t.private;
      if (!j || j.kty !== 'EC' || j.crv !== w.crv) continue;
      if (![j.d, j.x, j.y].every((s) => typeof s === 'string' && b64u.test(s))) continue;
      const d = Buffer.from(j.d!, 'base64url');
      const x = Buffer.from(j.x!, 'base64url');
      const y = Buffer.from(j.y!, 'base64url');
      // A JWK's d, x and y are exactly field length (RFC 7518 §6.2.1.2, §6.2.2.1).
      if (d.length !== len || x.length !== len || y.length !== len) continue;
      const key = `${d.toString('hex')}|${x.toString('hex')}|${y.toString('hex')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const dv = bytesToBigInt(d);
      if (dv === 0n || dv >= c.ref.n) {
        skipped++;
        continue;
      }
      pairs.push({ label: `tcId ${t.tcId}`, d: dv, point: '04' + x.toString('hex') + y.toString('hex') });
    }
  }
  return { pairs, skipped };
}

/** Distinct well-formed private keys in each Wycheproof webcrypto file (counted once, by hand). */
const WYCHEPROOF_KEYS: Partial<Record<Curve, number>> = { 'P-256': 26, 'P-384': 21, 'P-521': 25, secp256k1: 25 };

const SM2_PAIRS: KnownAnswer[] = sm2.keyPairs.map((kp) => ({
  label: kp.name,
  d: hexToBigInt(kp.privateKey),
  point: '04' + kp.publicKey.x + kp.publicKey.y,
}));

// ---- Scalar edge cases -------------------------------------------------------------------

interface EdgeCase {
  label: string;
  k: bigint;
}

/** Scalars that stress the signed 4-bit windows, carries, the order n and the top bits. */
function edgeScalars(c: CurveInfo): EdgeCase[] {
  const { n, bits, bytes } = c.ref;
  const top = pow2(bits); // the core accepts any k < 2^bits
  const all = top - 1n;
  const rep = (byteHex: string): bigint => hexToBigInt(byteHex.repeat(bytes)) & all;
  const list: EdgeCase[] = [];
  const add = (label: string, k: bigint): void => {
    if (k < 0n || k >= top) return;
    list.push({ label, k });
  };
  const addBoth = (label: string, k: bigint): void => {
    add(label, k);
    if (k >= n) add(`${label} mod n`, k % n);
  };
  add('k = 0 (point at infinity)', 0n);
  for (const k of [1n, 2n, 3n, 4n, 7n, 8n, 9n, 15n, 16n, 17n, 0x88n, 0xffn, 0x100n]) add(`k = ${hexOf(k)}`, k);
  add('k = n - 1 (-G)', n - 1n);
  add(c.curve === 'SM2' ? 'k = n - 2 (the largest SM2 private key)' : 'k = n - 2', n - 2n);
  add('k = n - 3', n - 3n);
  add('k = n - 8', n - 8n);
  add('k = (n - 1) / 2', (n - 1n) / 2n);
  add('k = (n + 1) / 2', (n + 1n) / 2n);
  add('k = n (point at infinity)', n);
  add('k = n + 1 (= G)', n + 1n);
  add('k = n + 2', n + 2n);
  add('k = 2^(bits-1)', pow2(bits - 1));
  add('k = 2^(bits-1) - 1', pow2(bits - 1) - 1n);
  add('k = 2^(bits-1) + 1', pow2(bits - 1) + 1n);
  add('k = 2^bits - 1', all);
  add('k = (2^bits - 1) mod n', all % n);
  add('k = 2^(bits-4)', pow2(bits - 4));
  for (const w of [4, 5, 6]) {
    // The lowest bit of the highest W-bit window that holds a scalar bit, and a half digit
    // 2^(W-1) in the window below it (it carries into the top window).
    const topWindow = w * Math.floor((bits - 1) / w);
    add(`k = 2^${topWindow} (lowest bit of the top ${w}-bit window)`, pow2(topWindow));
    add(`k = 2^(W-1) * 2^${topWindow - w} (carry into the top ${w}-bit window)`, pow2(w - 1 + topWindow - w));
  }
  // Long runs of zero bits and of one bits.
  const half = Math.floor(bits / 2);
  add('k = 0x00..01ff..ff (low half ones)', pow2(half) - 1n);
  add('k = 0x00ff..ff (all ones below the top byte)', pow2(bits - 8) - 1n);
  add('k = 0x00..0100..00 (one bit in the middle)', pow2(half));
  add(
    'k = 0x00ff..ff00..00 (ones from the middle to below the top byte)',
    (pow2(bits - half - 8) - 1n) << BigInt(half),
  );
  addBoth('k = 0xff..ff00..00 (top half ones)', all - (pow2(half) - 1n));
  {
    // The longest run of ones from the top bit that is still below n.
    let run = bits;
    while ((pow2(run) - 1n) << BigInt(bits - run) >= n) run--;
    add(`k = ${run} one bits then zeros (largest such below n)`, (pow2(run) - 1n) << BigInt(bits - run));
  }
  add('k = n with the low half cleared', (n >> BigInt(half)) << BigInt(half));
  add('k = n - 2^(bits/2)', n - pow2(half));
  // Alternating and repeating nibble patterns: 5 = 0101, a = 1010, 8 = -8 with a carry into
  // every window, 7 and 9 around the signed-digit boundary.
  for (const b of ['55', 'aa', '88', '77', '99', 'f0', '0f', 'ee', '11']) addBoth(`k = 0x${b}${b}..${b}`, rep(b));
  // The same around the signed-digit boundary for 5- and 6-bit windows: every W-bit window
  // holds 2^(W-1) (a carry out of every window), 2^(W-1) - 1 (none) or 2^(W-1) + 1.
  for (const w of [5, 6]) {
    const mid = pow2(w - 1);
    for (const [name, digit] of [
      ['2^(W-1)', mid],
      ['2^(W-1) - 1', mid - 1n],
      ['2^(W-1) + 1', mid + 1n],
    ] as const) {
      let k = 0n;
      for (let i = 0; i < bits; i += w) k |= digit << BigInt(i);
      addBoth(`k = ${name} in every ${w}-bit window`, k & all);
    }
  }
  // Deduplicate by value, keeping the first label.
  const seen = new Set<bigint>();
  return list.filter((e) => !seen.has(e.k) && (seen.add(e.k), true));
}

/** 30 random scalars per curve, shared by both builds: 20 in [1, n-1], 5 in [n, 2^bits), 5 below 2^bits. */
const RANDOM_K = new Map<Curve, bigint[]>(
  CURVES.map((c) => {
    const { n, bits } = c.ref;
    const ks: bigint[] = [];
    for (let i = 0; i < 20; i++) ks.push(randomBelow(n - 1n) + 1n);
    for (let i = 0; i < 5; i++) ks.push(n + randomBelow(pow2(bits) - n));
    for (let i = 0; i < 5; i++) ks.push(randomBelow(pow2(bits)));
    return [c.curve, ks];
  }),
);

// ---- Generated keys, known answers and edge cases, per build and curve -------------------

const KEYS_PER_CURVE = 50;
const MESSAGE = Buffer.from('wasm-kms ec-keys test message');

describe.each(BUILDS)('%s build', (variant) => {
  let core: Core;
  beforeAll(() => {
    core = loadTestCore(variant);
  });

  describe.each(CURVES.map((c) => [c.curve, c] as const))('%s', (_, c) => {
    const len = c.ref.bytes;
    const keys: { d: Uint8Array; point: Uint8Array }[] = [];
    beforeAll(() => {
      for (let i = 0; i < KEYS_PER_CURVE; i++) keys.push(ecKeyMaterial(core, c.curve));
    });

    it(`${KEYS_PER_CURVE} generated keys: d has field length and is in [1, ${c.curve === 'SM2' ? 'n-2' : 'n-1'}]`, () => {
      expect(keys).toHaveLength(KEYS_PER_CURVE);
      const bad = keys
        .filter(({ d, point }) => {
          const v = bytesToBigInt(d);
          return d.length !== len || point.length !== 1 + 2 * len || v < 1n || v > c.dMax;
        })
        .map(({ d, point }) => `d = ${hex(d)} (${d.length} bytes), point ${point.length} bytes`);
      expect(bad).toEqual([]);
    });

    it('generated keys: node:crypto createECDH derives exactly the same point', () => {
      const bad: string[] = [];
      for (const { d, point } of keys) {
        const ecdh = createECDH(c.node);
        ecdh.setPrivateKey(d);
        const expected = ecdh.getPublicKey('hex');
        if (expected !== hex(point)) bad.push(`d = ${hex(d)}: core ${hex(point)}, node ${expected}`);
      }
      expect(bad).toEqual([]);
    });

    it('generated keys: every point is on the curve, with x, y < p', () => {
      const bad = keys
        .map(({ d, point }) => ({ d, problems: pointProblems(c, hex(point)) }))
        .filter((r) => r.problems.length > 0)
        .map((r) => `d = ${hex(r.d)}: ${r.problems.join(', ')}`);
      expect(bad).toEqual([]);
    });

    it('generated keys: private scalars and points all differ', () => {
      expect(new Set(keys.map((k) => hex(k.d))).size).toBe(keys.length);
      expect(new Set(keys.map((k) => hex(k.point))).size).toBe(keys.length);
    });

    if (c.jwkCrv !== undefined) {
      it('generated keys: JWK import and ECDSA-SHA-256 sign/verify with node:crypto', () => {
        const crv = c.jwkCrv!;
        const bad: string[] = [];
        for (const { d, point } of keys) {
          const x = Buffer.from(point.subarray(1, 1 + len)).toString('base64url');
          const y = Buffer.from(point.subarray(1 + len)).toString('base64url');
          const dj = Buffer.from(d).toString('base64url');
          const privateKey = createPrivateKey({ key: { kty: 'EC', crv, d: dj, x, y }, format: 'jwk' });
          // node accepts a JWK whose (x, y) does not match d, so verify with a public key made
          // from our point alone: the signature (made with d) only verifies if Q = [d]G.
          const publicKey = createPublicKey({ key: { kty: 'EC', crv, x, y }, format: 'jwk' });
          const sig = sign('sha256', MESSAGE, privateKey);
          const ok = verify('sha256', MESSAGE, publicKey, sig);
          const forged = verify('sha256', Buffer.concat([MESSAGE, Buffer.from([0])]), publicKey, sig);
          if (!ok || forged) bad.push(`d = ${hex(d)}: verify ${ok}, other message ${forged}`);
        }
        expect(bad).toEqual([]);
      });
    }
    // SM2: node has no JWK 'crv' for it (createPrivateKey refuses crv 'SM2'), and it does not
    // sign ECDSA-SHA-256 with SM2 keys: OpenSSL 3 treats an SM2 key as the SM2 signature
    // scheme, and crypto.sign('sha256', ..., sm2Key) fails with ERR_OSSL_INVALID_DIGEST
    // (checked on Node 20.20.2 / OpenSSL 3.0.19). So SM2 keys are checked here with
    // createECDH('SM2') and the BigInt curve equation only.

    it('[1]G = G from the curve parameters', () => {
      const expected = '04' + hex(bigIntToBytes(c.ref.gx, len)) + hex(bigIntToBytes(c.ref.gy, len));
      expect(corePoint(core, c, 1n)).toBe(expected);
    });

    if (c.wycheproof !== undefined) {
      it('Wycheproof webcrypto private JWKs: d -> (x, y)', () => {
        const { pairs, skipped } = wycheproofPairs(c);
        expect(skipped).toBe(0);
        expect(pairs.length).toBe(WYCHEPROOF_KEYS[c.curve]);
        const bad: string[] = [];
        for (const kp of pairs) {
          const got = corePoint(core, c, kp.d);
          if (got !== kp.point) bad.push(`${kp.label}: d = ${hexOf(kp.d)}: core ${got}, expected ${kp.point}`);
        }
        expect(bad).toEqual([]);
      });
    }

    if (c.curve === 'SM2') {
      it('SM2 example key pairs (GM/T 0003.5 Annex A, OpenSSL SM2_key1)', () => {
        expect(SM2_PAIRS.length).toBe(2);
        for (const kp of SM2_PAIRS) {
          expect(corePoint(core, c, kp.d), kp.label).toBe(kp.point);
        }
      });
    }

    const edges = edgeScalars(c);
    it.each(edges.map((e) => [e.label, e] as const))('[k]G, %s', (_label, e) => {
      const got = corePoint(core, c, e.k);
      const expected = refPoint(c, e.k);
      expect(got, `k = ${hexOf(e.k)}`).toBe(expected);
      if (got !== undefined) expect(pointProblems(c, got), `k = ${hexOf(e.k)}`).toEqual([]);
    });

    it('[k]G structural identities: 0, n -> infinity; n - 1 -> (Gx, p - Gy); n + 1 -> G', () => {
      const { n, p, gx, gy } = c.ref;
      const g = corePoint(core, c, 1n);
      expect(corePoint(core, c, 0n)).toBeUndefined();
      expect(corePoint(core, c, n)).toBeUndefined();
      expect(corePoint(core, c, n + 1n)).toBe(g); // n + 1 < 2^bits for every curve here
      const minusG = corePoint(core, c, n - 1n)!;
      expect(decodePoint(c.ref, unhex(minusG))).toEqual({ x: gx, y: p - gy });
    });

    it('[k]G for 30 random k (20 in [1, n-1], 5 in [n, 2^bits), 5 below 2^bits)', () => {
      const ks = RANDOM_K.get(c.curve)!;
      expect(ks).toHaveLength(30);
      const bad: string[] = [];
      for (const k of ks) {
        const got = corePoint(core, c, k);
        const expected = refPoint(c, k);
        if (got !== expected) bad.push(`k = ${hexOf(k)}: core ${got}, reference ${expected}`);
        else if (got !== undefined && pointProblems(c, got).length > 0)
          bad.push(`k = ${hexOf(k)}: ${pointProblems(c, got)}`);
      }
      expect(bad).toEqual([]);
    });

    it('ecScalarMultBase refuses a scalar that is not exactly field length', () => {
      expect(() => ecScalarMultBase(core, c.curve, new Uint8Array(len - 1))).toThrow(RangeError);
      expect(() => ecScalarMultBase(core, c.curve, new Uint8Array(len + 1))).toThrow(RangeError);
    });
  });
});

// ---- Uniformity of the private scalars ---------------------------------------------------

/** Pearson's chi-square statistic. */
function chiSquare(observed: number[], expected: number[]): number {
  let s = 0;
  for (let i = 0; i < observed.length; i++) s += (observed[i] - expected[i]) ** 2 / expected[i];
  return s;
}

// Upper 0.1% points of the chi-square distribution, from scipy.stats.chi2.isf(0.001, df)
// (SciPy 1.x): 329.383 for df = 254 and 330.520 for df = 255. A sanity check below compares
// them with the Wilson-Hilferty approximation.
const CHI2_CRIT_0001: Record<number, number> = { 254: 329.383, 255: 330.52 };

/** Wilson-Hilferty: df (1 - 2/(9 df) + z sqrt(2/(9 df)))^3 for the upper normal point z. */
function wilsonHilferty(df: number, z = 3.090232 /* Phi^-1(0.999) */): number {
  const v = 2 / (9 * df);
  return df * (1 - v + z * Math.sqrt(v)) ** 3;
}

// The tests below reject at the 1e-6 level (z = Phi^-1(1 - 1e-6) = 4.753424), so that a
// correct generator fails them about once in a million runs, not once in a thousand CI runs.
// Wilson-Hilferty is accurate to well under 1% at 255 degrees of freedom (checked above
// against SciPy's 0.1% points), far less than the gap between the 0.1% and 1e-6 points.
const CHI2_CRIT_1E6_255 = wilsonHilferty(255, 4.753424);

/** How many integers in [lo, hi] have (v >> shift) & 0xff === byte. */
function countWithByte(lo: bigint, hi: bigint, shift: bigint, byte: bigint): bigint {
  // Integers in [0, x) with that byte: full periods of 2^(shift+8), then a partial one.
  const period = 1n << (shift + 8n);
  const width = 1n << shift;
  const below = (x: bigint): bigint => {
    const full = (x / period) * width;
    const rest = (x % period) - byte * width;
    return full + (rest <= 0n ? 0n : rest > width ? width : rest);
  };
  return below(hi + 1n) - below(lo);
}

/** How many integers in [lo, hi] have bit j set. */
function countWithBit(lo: bigint, hi: bigint, j: number): bigint {
  const below = (x: bigint): bigint => {
    const period = pow2(j + 1);
    const full = (x / period) * pow2(j);
    const rest = (x % period) - pow2(j);
    return full + (rest > 0n ? rest : 0n);
  };
  return below(hi + 1n) - below(lo);
}

describe('uniformity of P-256 private scalars (simd build)', () => {
  const SAMPLES = 10_000;
  const c = CURVES.find((x) => x.curve === 'P-256')!;
  const ds: bigint[] = [];
  beforeAll(() => {
    const core = loadTestCore('simd');
    for (let i = 0; i < SAMPLES; i++) ds.push(bytesToBigInt(ecKeyMaterial(core, 'P-256').d));
  });

  it('the critical values agree with the Wilson-Hilferty approximation', () => {
    for (const df of [254, 255]) {
      expect(Math.abs(wilsonHilferty(df) - CHI2_CRIT_0001[df]) / CHI2_CRIT_0001[df]).toBeLessThan(1e-3);
    }
  });

  // d is uniform in [1, n - 1]. Since n = 0xffffffff00000000ff..., the top byte 0xff covers
  // slightly fewer values than the others (n - 255 * 2^248 instead of 2^248, a relative
  // deficit of about 2^-32) and 0x00 one fewer (d = 0 is excluded). The expected counts are
  // computed exactly from n, so all 256 values take part: 255 degrees of freedom.
  const byteTest = (label: string, shift: bigint): void => {
    it(`${label} byte: chi-square over its 256 values below the 1e-6 critical value (df = 255)`, () => {
      expect(ds).toHaveLength(SAMPLES);
      const lo = 1n;
      const hi = c.dMax;
      const total = Number(hi - lo + 1n);
      const expected: number[] = [];
      for (let b = 0n; b < 256n; b++) expected.push((SAMPLES * Number(countWithByte(lo, hi, shift, b))) / total);
      expect(expected.reduce((s, e) => s + e, 0)).toBeCloseTo(SAMPLES, 6);
      const observed = new Array<number>(256).fill(0);
      for (const d of ds) observed[Number((d >> shift) & 0xffn)]++;
      const stat = chiSquare(observed, expected);
      expect(CHI2_CRIT_1E6_255).toBeGreaterThan(370);
      expect(CHI2_CRIT_1E6_255).toBeLessThan(385);
      expect(stat, `chi-square ${stat.toFixed(1)}; counts ${observed.join(' ')}`).toBeLessThan(CHI2_CRIT_1E6_255);
    });
  };
  byteTest('top', BigInt(8 * (c.ref.bytes - 1)));
  byteTest('low', 0n);

  it('every bit position: frequency within 5 standard deviations of its exact expectation', () => {
    // 256 z-tests at |z| < 5 (two-sided p = 5.7e-7 each): a false alarm in under 1.5e-4 runs.
    const bad: string[] = [];
    const total = Number(c.dMax);
    for (let j = 0; j < c.ref.bits; j++) {
      const p = Number(countWithBit(1n, c.dMax, j)) / total;
      let ones = 0;
      for (const d of ds) if ((d >> BigInt(j)) & 1n) ones++;
      const z = (ones - SAMPLES * p) / Math.sqrt(SAMPLES * p * (1 - p));
      if (Math.abs(z) >= 5)
        bad.push(`bit ${j}: ${ones} ones, expected ${(SAMPLES * p).toFixed(1)}, z = ${z.toFixed(2)}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('scalar range', () => {
  it('P-521 scalars of 2^521 or more are refused, not silently wrapped', () => {
    const core = loadTestCore('simd');
    const k = new Uint8Array(66);
    k[0] = 0x02;
    expect(() => ecScalarMultBase(core, 'P-521', k)).toThrow(RangeError);
    k[0] = 0x01;
    expect(ecScalarMultBase(core, 'P-521', k)).toBeDefined();
  });
});
