// Ed25519 key generation in the core (assembly/edwards/) on both builds:
//  - known answers: RFC 8032 §7.1 and the Wycheproof key pairs (seed -> public key);
//  - generated keys: node:crypto imports our PKCS#8, derives exactly our SPKI, and signs
//    and verifies with the pair; the DER has the layout OpenSSL writes;
//  - the fixed-base multiplication against a BigInt reference written here (projective
//    coordinates straight from the affine addition law of RFC 8032 §5.1.4, double and add),
//    on edge-case scalars and random ones; every output decodes (§5.1.3) to a curve point;
//  - no secret left in memory, the table built on first use in a fresh instance.

import { describe, it, expect } from 'vitest';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { Core } from '../src/core/module.js';
import { loadTestCore, testWasm } from './helpers/test-core.js';
import {
  generateEd25519,
  ed25519KeyMaterial,
  ed25519PublicFromSeed,
  ed25519ScalarMultBase,
  type Ed25519Exports,
} from '../src/core/ed25519.js';
import { ed25519Pkcs8, ed25519Spki, parseEd25519Pkcs8, parseEd25519Spki, ED25519_OID } from '../src/der/ed25519.js';
import {
  DerError,
  derBitString,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  derIntegerSmall,
} from '../src/der/index.js';
import { readVector } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

// ---- BigInt reference (RFC 8032 §5.1) --------------------------------------------------

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const mod = (a: bigint): bigint => {
  const r = a % P;
  return r < 0n ? r + P : r;
};
function modPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
const inv = (a: bigint): bigint => modPow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = modPow(2n, (P - 1n) / 4n);

/** Projective (X : Y : Z), x = X/Z, y = Y/Z. */
type Pt = [bigint, bigint, bigint];
const IDENTITY: Pt = [0n, 1n, 1n];

/**
 * x3 = (x1 y2 + y1 x2) / (1 + d x1 x2 y1 y2), y3 = (y1 y2 + x1 x2) / (1 - d x1 x2 y1 y2)
 * (§5.1.4 with a = -1), over the common denominator (Z1 Z2)^2.
 */
function add([X1, Y1, Z1]: Pt, [X2, Y2, Z2]: Pt): Pt {
  const zz = mod(Z1 * Z2);
  const B = mod(zz * zz);
  const E = mod(D * X1 * X2 * Y1 * Y2);
  const X3 = mod(mod(X1 * Y2 + Y1 * X2) * zz * mod(B - E));
  const Y3 = mod(mod(Y1 * Y2 + X1 * X2) * zz * mod(B + E));
  return [X3, Y3, mod(mod(B + E) * mod(B - E))];
}

function mul(k: bigint, p: Pt): Pt {
  let r = IDENTITY;
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    r = add(r, r);
    if ((k >> i) & 1n) r = add(r, p);
  }
  return r;
}

function recoverX(y: bigint, sign: number): bigint | undefined {
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  const x2 = mod(u * inv(v));
  let x = modPow(x2, (P + 3n) / 8n);
  if (mod(x * x - x2) !== 0n) x = mod(x * SQRT_M1);
  if (mod(x * x - x2) !== 0n) return undefined;
  if (x === 0n && sign === 1) return undefined;
  return Number(x & 1n) !== sign ? P - x : x;
}

const BY = mod(4n * inv(5n));
const BASE: Pt = [recoverX(BY, 0)!, BY, 1n];

function leToBig(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  return x;
}
function bigToLe(x: bigint, len = 32): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** §5.1.2 */
function encode([X, Y, Z]: Pt): Uint8Array {
  const zi = inv(Z);
  const x = mod(X * zi);
  const y = mod(Y * zi);
  return bigToLe(y | ((x & 1n) << 255n));
}

/** §5.1.3, strict: y < p, and x = 0 with the sign bit set is rejected. */
function decode(b: Uint8Array): Pt | undefined {
  const raw = leToBig(b);
  const y = raw & ((1n << 255n) - 1n);
  if (y >= P) return undefined;
  const x = recoverX(y, Number(raw >> 255n));
  return x === undefined ? undefined : [x, y, 1n];
}

function onCurve([x, y]: Pt): boolean {
  return mod(-x * x + y * y - 1n - D * x * x * y * y) === 0n;
}

/** The encoding of [k]B, reducing k mod L first (B has order L). */
const refScalarMultBase = (k: bigint): string => hex(encode(mul(k % L, BASE)));

/** RFC 8032 §5.1.5 from the seed, with node's SHA-512. */
function refPublicFromSeed(seed: Uint8Array): string {
  const h = createHash('sha512').update(seed).digest();
  const s = new Uint8Array(h.subarray(0, 32));
  s[0] &= 248;
  s[31] &= 127;
  s[31] |= 64;
  return refScalarMultBase(leToBig(s));
}

/** The encoding decodes to a point on the curve of order L; returns the point. */
function expectValidPoint(encoded: Uint8Array, what: string): Pt {
  const p = decode(encoded);
  expect(p, `${what}: ${hex(encoded)} does not decode`).toBeDefined();
  expect(onCurve(p!), `${what}: not on the curve`).toBe(true);
  return p!;
}

// The reference must itself be right: B has order L and RFC 8032's encoding of B.
describe('the BigInt reference', () => {
  it('encodes B as RFC 8032 §5.1 gives it and [L]B is the identity', () => {
    expect(hex(encode(BASE))).toBe('5866666666666666666666666666666666666666666666666666666666666666');
    expect(onCurve(BASE)).toBe(true);
    expect(hex(encode(mul(L, BASE)))).toBe(hex(encode(IDENTITY)));
    expect(refPublicFromSeed(unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'))).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
  });
});

// ---- Vectors --------------------------------------------------------------------------

interface Rfc8032Vector {
  name: string;
  secretKey: string;
  publicKey: string;
}
const rfc8032 = (
  JSON.parse(readVector('facts/ed25519_rfc8032_7.1.json').toString('utf8')) as { tests: Rfc8032Vector[] }
).tests;

interface WycheproofGroup {
  key: { sk: string; pk: string; curve: string };
}
const wycheproofKeys = (
  JSON.parse(readVector('wycheproof/eddsa_test.json').toString('utf8')) as { testGroups: WycheproofGroup[] }
).testGroups.map((g) => g.key);

const REF_PKCS8 = new Uint8Array(readVector('der/ECC_NIST_EDWARDS25519.pkcs8.der'));
const REF_SPKI = new Uint8Array(readVector('der/ECC_NIST_EDWARDS25519.spki.der'));

// Scalars whose signed radix-16 recoding hits its edges: zero and small digits, every
// nibble 8 (all carries), every nibble 7 or f, the top nibble 7 with a carry into it
// (digit 8 at position 63), values at and around L, 8L and the powers of two the fold
// (to below 2^255) works with.
const EDGE_SCALARS: [string, bigint][] = [
  ['0', 0n],
  ['1', 1n],
  ['2', 2n],
  ['7', 7n],
  ['8', 8n],
  ['9', 9n],
  ['15', 15n],
  ['16', 16n],
  ['L-1', L - 1n],
  ['L', L],
  ['L+1', L + 1n],
  ['2^252', 2n ** 252n],
  ['2^252-1', 2n ** 252n - 1n],
  ['2^254', 2n ** 254n],
  ['2^255-1', 2n ** 255n - 1n],
  ['2^255', 2n ** 255n],
  ['2^255+1', 2n ** 255n + 1n],
  ['2^256-1 (all ones)', 2n ** 256n - 1n],
  ['8L-1', 8n * L - 1n],
  ['8L', 8n * L],
  ['8L+1', 8n * L + 1n],
  ['4L', 4n * L],
  ['alternating 0101…', BigInt('0x' + '55'.repeat(32))],
  ['alternating 1010…', BigInt('0x' + 'aa'.repeat(32))],
  ['alternating below 2^255', BigInt('0x' + '55'.repeat(32)) >> 1n],
  ['every nibble 8', BigInt('0x' + '88'.repeat(32))],
  ['every nibble 8 below 2^255', BigInt('0x' + '78'.padEnd(64, '8'))],
  ['every nibble 7', BigInt('0x' + '77'.repeat(32))],
  ['every nibble f below 2^255', 2n ** 255n - 1n],
  ['top nibble 7, carry in (digit 8)', BigInt('0x7' + '8'.repeat(63))],
  ['2^255 - 2^251 + 8', 2n ** 255n - 2n ** 251n + 8n],
  ['long run of zeros', 2n ** 254n + 1n],
  ['long run of ones', 2n ** 254n - 2n ** 10n],
  ['clamped minimum 2^254', 2n ** 254n],
  ['clamped maximum', 2n ** 255n - 8n],
];

describe.each(['simd', 'scalar'] as const)('Ed25519 (%s)', (variant) => {
  const core = loadTestCore(variant);

  it('derives the RFC 8032 §7.1 public keys', () => {
    expect(rfc8032.length).toBe(5);
    for (const t of rfc8032) {
      expect(hex(ed25519PublicFromSeed(core, unhex(t.secretKey))), t.name).toBe(t.publicKey);
    }
  });

  it('derives the public keys of the Wycheproof key pairs', () => {
    expect(wycheproofKeys.length).toBeGreaterThanOrEqual(50);
    for (const k of wycheproofKeys) {
      expect(k.curve).toBe('edwards25519');
      expect(hex(ed25519PublicFromSeed(core, unhex(k.sk))), `sk ${k.sk}`).toBe(k.pk);
    }
  });

  it('matches the BigInt reference on edge-case scalars', () => {
    for (const [name, k] of EDGE_SCALARS) {
      const out = ed25519ScalarMultBase(core, bigToLe(k));
      expect(hex(out), name).toBe(refScalarMultBase(k));
      expectValidPoint(out, name);
    }
    // [0]B and [L]B are the identity, encoded as y = 1, x = 0.
    expect(hex(ed25519ScalarMultBase(core, bigToLe(L)))).toBe('01' + '00'.repeat(31));
  });

  it('matches the BigInt reference on 100 random 256-bit scalars and 100 below 2^255', () => {
    for (let i = 0; i < 200; i++) {
      const k = leToBig(new Uint8Array(randomBytes(32))) >> (i < 100 ? 0n : 1n);
      const out = ed25519ScalarMultBase(core, bigToLe(k));
      expect(hex(out), `k = 0x${k.toString(16)}`).toBe(refScalarMultBase(k));
      expectValidPoint(out, `k = 0x${k.toString(16)}`);
    }
  });

  it('derives the public key of random seeds as the reference does', () => {
    for (let i = 0; i < 20; i++) {
      const seed = new Uint8Array(randomBytes(32));
      expect(hex(ed25519PublicFromSeed(core, seed)), `seed ${hex(seed)}`).toBe(refPublicFromSeed(seed));
    }
  });

  it('generates key pairs that node:crypto accepts, re-derives and signs with (60 keys)', () => {
    const seeds = new Set<string>();
    const message = new Uint8Array(randomBytes(100));
    for (let i = 0; i < 60; i++) {
      const { publicKey, privateKey } = generateEd25519(core);
      // The layout OpenSSL 3 writes: same lengths and the same bytes before the key.
      expect(privateKey.length).toBe(REF_PKCS8.length);
      expect(publicKey.length).toBe(REF_SPKI.length);
      expect(hex(privateKey.subarray(0, 16))).toBe(hex(REF_PKCS8.subarray(0, 16)));
      expect(hex(publicKey.subarray(0, 12))).toBe(hex(REF_SPKI.subarray(0, 12)));
      // node derives exactly our public key from our private key.
      const priv = createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' });
      expect(priv.asymmetricKeyType).toBe('ed25519');
      const derived = createPublicKey(priv).export({ type: 'spki', format: 'der' });
      expect(hex(derived)).toBe(hex(publicKey));
      // and signs with it; the signature verifies under our SPKI.
      const pub = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
      const sig = sign(null, message, priv);
      expect(verify(null, message, pub, sig)).toBe(true);
      expect(verify(null, Buffer.concat([message, Buffer.of(0)]), pub, sig)).toBe(false);
      // Our parsers read back what we wrote; the public key is a valid point.
      const seed = parseEd25519Pkcs8(privateKey);
      const pk = parseEd25519Spki(publicKey);
      expectValidPoint(pk, `key ${i}`);
      if (i < 10) expect(hex(pk)).toBe(refPublicFromSeed(seed));
      seeds.add(hex(seed));
    }
    expect(seeds.size).toBe(60);
  });

  it('leaves neither the hash of the seed nor the scalar in memory', () => {
    const ed = core.exports as unknown as Ed25519Exports;
    const memoryHas = (needle: Uint8Array): boolean =>
      Buffer.from(core.exports.memory.buffer).includes(Buffer.from(needle));
    let seed: Uint8Array = new Uint8Array(0);
    core.run(0, (x) => {
      const outSeed = x.alloc(32);
      const outPub = x.alloc(32);
      ed.ed25519_generate(outSeed, outPub);
      // Before wipe(): the outputs are there, the intermediates already zeroed.
      seed = core.take(outSeed, 32);
      const h = createHash('sha512').update(seed).digest();
      const s = Buffer.from(h.subarray(0, 32));
      s[0] &= 248;
      s[31] = (s[31] & 127) | 64;
      expect(memoryHas(h.subarray(0, 16)), 'h[0..16)').toBe(false);
      expect(memoryHas(h.subarray(32, 48)), 'h[32..48)').toBe(false);
      expect(memoryHas(s.subarray(8, 24)), 'clamped s').toBe(false);
      expect(memoryHas(seed)).toBe(true);
    });
    expect(memoryHas(seed)).toBe(false);
  });

  it('a fresh instance answers right whichever entry point comes first, before and after its table is built', () => {
    const module = new WebAssembly.Module(testWasm(variant) as BufferSource);
    const timings: string[] = [];
    for (const first of ['scalar_mult_base', 'generate'] as const) {
      const fresh = new Core(module, variant);
      const t0 = performance.now();
      if (first === 'generate') ed25519KeyMaterial(fresh);
      else expect(hex(ed25519ScalarMultBase(fresh, bigToLe(1n)))).toBe(hex(encode(BASE)));
      const t1 = performance.now();
      ed25519KeyMaterial(fresh);
      const t2 = performance.now();
      timings.push(`${first} first: ${(t1 - t0).toFixed(2)} ms, then ${(t2 - t1).toFixed(3)} ms`);
      const t = rfc8032[0];
      expect(hex(ed25519PublicFromSeed(fresh, unhex(t.secretKey)))).toBe(t.publicKey);
    }
    console.log(`Ed25519 ${variant}: ${timings.join('; ')}`);
  });

  it('rejects seeds of the wrong length on the host side', () => {
    expect(() => ed25519PublicFromSeed(core, new Uint8Array(31))).toThrow(RangeError);
    expect(() => ed25519ScalarMultBase(core, new Uint8Array(33))).toThrow(RangeError);
  });
});

/** The test module's field inversion (assembly/edwards/testing.ts). */
function feInvertCore(core: Core, x: bigint): bigint {
  const fn = (core.exports as unknown as Record<string, (a: number, b: number) => void>).ed25519_fe_invert;
  return core.run(0, (c) => {
    const xp = core.put(bigToLe(x));
    const out = c.alloc(32);
    fn(xp, out);
    return leToBig(core.take(out, 32));
  });
}

describe.each(['simd', 'scalar'] as const)('the field inversion, constant-time gcd (%s)', (variant) => {
  const core = loadTestCore(variant);
  // The encoding's bit 255 is dropped (feFromBytes), and values of p and above are reduced.
  const reduced = (x: bigint): bigint => mod(x & (2n ** 255n - 1n));

  it('inverts the edges: 0 -> 0, 1, 2, -1, -2, (p-1)/2, 19, every power of two, values of p and above', () => {
    const edges = [0n, 1n, 2n, 3n, 19n, P - 1n, P - 2n, (P - 1n) / 2n, (P + 1n) / 2n, P, P + 1n, P + 18n];
    for (let k = 1n; k < 255n; k++) edges.push(2n ** k, 2n ** k - 1n, P - 2n ** k);
    edges.push(
      2n ** 255n - 1n,
      2n ** 256n - 1n,
      2n ** 255n,
      BigInt('0x' + '55'.repeat(32)),
      BigInt('0x' + 'aa'.repeat(32)),
    );
    for (const x of edges) {
      const r = reduced(x);
      const got = feInvertCore(core, x);
      expect(got, `x = 0x${x.toString(16)}`).toBe(r === 0n ? 0n : inv(r));
      if (r !== 0n) expect(mod(got * r), `x = 0x${x.toString(16)}`).toBe(1n);
    }
  });

  it('inverts elements that need many divsteps (567 of the 750 run, where random ones need about 530)', () => {
    // Bernstein-Yang divsteps from (δ, f, g) = (1, p, x) until g = 0, in BigInt.
    const divsteps = (x: bigint): number => {
      let [d, f, g, n] = [1n, P, x, 0];
      for (; g !== 0n; n++) {
        if (d > 0n && g & 1n) [d, f, g] = [1n - d, g, (g - f) >> 1n];
        else [d, g] = [d + 1n, (g + (g & 1n ? f : 0n)) >> 1n];
      }
      return n;
    };
    // Found by flipping bits of random elements while the count did not drop.
    const hard = [
      0x59b098a556af9b73a589f57183e3f8355231ce744c5847a23f924f6e0e1cdf85n,
      0x62b13ee36d4975097bca6fa28c1eda673b7e3139e1fac41ce8793fb8b998b059n,
    ];
    for (const x of hard) {
      expect(divsteps(x)).toBeGreaterThanOrEqual(567);
      expect(feInvertCore(core, x), `x = 0x${x.toString(16)}`).toBe(inv(x));
    }
  });

  it('inverts 2000 random elements as x^(p-2) does', () => {
    for (let i = 0; i < 2000; i++) {
      const x = leToBig(new Uint8Array(randomBytes(32)));
      expect(feInvertCore(core, x), `x = 0x${x.toString(16)}`).toBe(inv(reduced(x)) % P);
    }
  });
});

describe('Ed25519 DER (RFC 8410)', () => {
  it('re-encodes the reference key pair byte for byte', () => {
    const seed = parseEd25519Pkcs8(REF_PKCS8);
    const pk = parseEd25519Spki(REF_SPKI);
    expect(hex(ed25519Pkcs8(seed))).toBe(hex(REF_PKCS8));
    expect(hex(ed25519Spki(pk))).toBe(hex(REF_SPKI));
    // and the reference public key is the one of the reference seed
    expect(hex(ed25519PublicFromSeed(loadTestCore(), seed))).toBe(hex(pk));
  });

  it('rejects keys of the wrong size and malformed structures', () => {
    expect(() => ed25519Spki(new Uint8Array(31))).toThrow(RangeError);
    expect(() => ed25519Pkcs8(new Uint8Array(33))).toThrow(RangeError);
    const algWithNull = derSequence(derOid(ED25519_OID), derNull());
    const key = new Uint8Array(32).fill(7);
    expect(() => parseEd25519Spki(derSequence(algWithNull, derBitString(key)))).toThrow(DerError);
    expect(() => parseEd25519Spki(derSequence(derSequence(derOid('1.3.101.113')), derBitString(key)))).toThrow(
      DerError,
    );
    expect(() =>
      parseEd25519Spki(derSequence(derSequence(derOid(ED25519_OID)), derBitString(key.subarray(1)))),
    ).toThrow(DerError);
    const alg = derSequence(derOid(ED25519_OID));
    expect(() => parseEd25519Pkcs8(derSequence(derIntegerSmall(1), alg, derOctetString(derOctetString(key))))).toThrow(
      DerError,
    );
    expect(() => parseEd25519Pkcs8(derSequence(derIntegerSmall(0), alg, derOctetString(key)))).toThrow(DerError);
    expect(() =>
      parseEd25519Pkcs8(derSequence(derIntegerSmall(0), alg, derOctetString(derOctetString(key.subarray(2))))),
    ).toThrow(DerError);
  });
});
