// Ed25519 and Ed25519ph signatures made and checked in the core (assembly/edwards/sign.ts,
// verify.ts) through src/core/ed25519.ts, on both builds:
//  - known answers: RFC 8032 §7.1 (Ed25519) and §7.3 (Ed25519ph, "abc"), signed and verified;
//  - Wycheproof ed25519_test.json (verification: every valid accepted, every invalid refused)
//    and eddsa_test.json (its private keys sign every valid message to the expected bytes);
//  - node:crypto both ways on random keys and messages of 0..4096 bytes (Ed25519 signatures
//    are deterministic, so the bytes must be equal too), @noble/curves' ed25519ph both ways;
//  - refusals: altered bytes, S + L, non-canonical A and R, wrong lengths, the other variant;
//  - the decisions where RFC 8032 leaves room or OpenSSL differs, pinned: cofactorless, strict;
//  - no secret left in the core's memory after a signature.

import { describe, it, expect } from 'vitest';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import type { Core } from '../src/core/module.js';
import { ed25519Sign, ed25519Verify, ed25519phSign, ed25519phVerify, generateEd25519 } from '../src/core/ed25519.js';
import * as coreIndex from '../src/core/index.js';
import { ed25519Pkcs8, ed25519Spki } from '../src/der/ed25519.js';
import { loadTestCore } from './helpers/test-core.js';
import { readVectorJson } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** 32 little-endian bytes of x (x < 2^256). */
function le32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
const fromLe = (b: Uint8Array): bigint => BigInt('0x' + hex(Uint8Array.from(b).reverse()));
const sha512 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha512').update(data).digest());
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

interface Rfc {
  tests: { name: string; secretKey: string; publicKey: string; message?: string; signature?: string }[];
}
interface RfcPh {
  tests: {
    name: string;
    secretKey: string;
    publicKey: string;
    message: string;
    sha512OfMessage: string;
    signature: string;
  }[];
}
interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Ed25519TestFile {
  testGroups: { publicKey: { pk: string }; publicKeyDer: string; tests: WycheproofTest[] }[];
}
interface EddsaTestFile {
  testGroups: { key: { sk: string; pk: string }; keyDer: string; tests: WycheproofTest[] }[];
}

const RFC = readVectorJson<Rfc>('facts/ed25519_rfc8032_7.1.json');
const RFC_PH = readVectorJson<RfcPh>('facts/ed25519ph_rfc8032_7.3.json');
const WYCHEPROOF = readVectorJson<Ed25519TestFile>('wycheproof/ed25519_test.json');
const WYCHEPROOF_EDDSA = readVectorJson<EddsaTestFile>('wycheproof/eddsa_test.json');

/** A node:crypto key pair as the DER the core takes, with the raw seed and public key. */
function nodeKeyPair(): {
  pkcs8: Uint8Array;
  spki: Uint8Array;
  seed: Uint8Array;
  pub: Uint8Array;
  privateKey: ReturnType<typeof createPrivateKey>;
  publicKey: ReturnType<typeof createPublicKey>;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return { pkcs8, spki, seed: pkcs8.slice(16), pub: spki.slice(12), privateKey, publicKey };
}

const spkiKey = (spki: Uint8Array) => createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
const pkcs8Key = (pkcs8: Uint8Array) => createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });

/** Every occurrence of `needle` in the core's linear memory. */
function findInMemory(core: Core, needle: Uint8Array): number[] {
  const mem = new Uint8Array(core.exports.memory.buffer);
  const hits: number[] = [];
  outer: for (
    let i = mem.indexOf(needle[0]!);
    i >= 0 && i <= mem.length - needle.length;
    i = mem.indexOf(needle[0]!, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (mem[i + j] !== needle[j]) continue outer;
    hits.push(i);
  }
  return hits;
}

describe('the wasm-kms/core entry', () => {
  it('exports the four Ed25519 signature functions', () => {
    expect(coreIndex.ed25519Sign).toBe(ed25519Sign);
    expect(coreIndex.ed25519Verify).toBe(ed25519Verify);
    expect(coreIndex.ed25519phSign).toBe(ed25519phSign);
    expect(coreIndex.ed25519phVerify).toBe(ed25519phVerify);
  });
});

describe.each(['simd', 'scalar'] as const)('Ed25519 signatures, %s build', (variant) => {
  const core = loadTestCore(variant);

  it('RFC 8032 §7.1: every test with a message signs to the published bytes and verifies', () => {
    const tests = RFC.tests.filter((t) => t.message !== undefined && t.signature !== undefined);
    expect(tests.length).toBeGreaterThanOrEqual(4);
    for (const t of tests) {
      const pkcs8 = ed25519Pkcs8(unhex(t.secretKey));
      const spki = ed25519Spki(unhex(t.publicKey));
      const message = unhex(t.message!);
      expect(hex(ed25519Sign(core, pkcs8, message)), t.name).toBe(t.signature);
      expect(ed25519Verify(core, spki, message, unhex(t.signature!)), t.name).toBe(true);
      // The same signature is not an Ed25519ph signature (dom2 separates them).
      if (message.length === 64) expect(ed25519phVerify(core, spki, message, unhex(t.signature!))).toBe(false);
    }
  });

  it('RFC 8032 §7.3: Ed25519ph of "abc" signs to the published bytes and verifies', () => {
    const [t] = RFC_PH.tests;
    expect(hex(sha512(unhex(t!.message)))).toBe(t!.sha512OfMessage);
    const pkcs8 = ed25519Pkcs8(unhex(t!.secretKey));
    const spki = ed25519Spki(unhex(t!.publicKey));
    const digest = unhex(t!.sha512OfMessage);
    expect(hex(ed25519phSign(core, pkcs8, digest))).toBe(t!.signature);
    expect(ed25519phVerify(core, spki, digest, unhex(t!.signature))).toBe(true);
    // Neither the pure variant on the digest nor on the message accepts it.
    expect(ed25519Verify(core, spki, digest, unhex(t!.signature))).toBe(false);
    expect(ed25519Verify(core, spki, unhex(t!.message), unhex(t!.signature))).toBe(false);
    expect(hex(ed25519Sign(core, pkcs8, digest))).not.toBe(t!.signature);
  });

  it('Wycheproof ed25519_test.json: every valid signature accepted, every invalid one refused', () => {
    let valid = 0;
    let invalid = 0;
    const wrong: string[] = [];
    for (const g of WYCHEPROOF.testGroups) {
      const spki = unhex(g.publicKeyDer);
      for (const t of g.tests) {
        const got = ed25519Verify(core, spki, unhex(t.msg), unhex(t.sig));
        if (t.result === 'valid') valid++;
        else invalid++;
        if (got !== (t.result === 'valid'))
          wrong.push(`tcId ${t.tcId} (${t.result}, ${t.flags.join(',')}: ${t.comment})`);
      }
    }
    expect(wrong).toEqual([]);
    expect([valid, invalid]).toEqual([88, 63]);
  });

  it('Wycheproof eddsa_test.json: verification as expected, and each key signs every valid message to its bytes', () => {
    let signed = 0;
    const wrong: string[] = [];
    for (const g of WYCHEPROOF_EDDSA.testGroups) {
      const spki = unhex(g.keyDer);
      const pkcs8 = ed25519Pkcs8(unhex(g.key.sk));
      expect(hex(spki.slice(12))).toBe(g.key.pk);
      for (const t of g.tests) {
        const msg = unhex(t.msg);
        if (ed25519Verify(core, spki, msg, unhex(t.sig)) !== (t.result === 'valid'))
          wrong.push(`verify tcId ${t.tcId}`);
        if (t.result === 'valid') {
          signed++;
          if (hex(ed25519Sign(core, pkcs8, msg)) !== t.sig) wrong.push(`sign tcId ${t.tcId}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(signed).toBeGreaterThan(80);
  });

  it('node:crypto both ways: random keys, messages of 0..4096 bytes (and the same bytes: Ed25519 is deterministic)', () => {
    const lengths = [0, 1, 31, 32, 63, 64, 111, 112, 127, 128, 129, 255, 256, 1000, 4095, 4096];
    for (let i = 0; i < 40; i++) lengths.push(randomBytes(2).readUInt16BE(0) % 4097);
    for (const len of lengths) {
      const k = nodeKeyPair();
      const message = new Uint8Array(randomBytes(len));
      const ours = ed25519Sign(core, k.pkcs8, message);
      const theirs = new Uint8Array(sign(null, message, k.privateKey));
      expect(verify(null, message, k.publicKey, ours), `node verifies ours, ${len} bytes`).toBe(true);
      expect(ed25519Verify(core, k.spki, message, theirs), `we verify node's, ${len} bytes`).toBe(true);
      expect(hex(ours), `${len} bytes`).toBe(hex(theirs));
    }
  });

  it('the cached public keys (16 in the core): 24 keys signing in turns, over and over, sign as node:crypto does', () => {
    const keys = Array.from({ length: 24 }, nodeKeyPair);
    const message = new Uint8Array(randomBytes(40));
    // Orders that hit, miss and evict: round robin over more keys than entries, then one key
    // repeatedly, then a few keys back and forth.
    const order = [
      ...[0, 1, 2].flatMap(() => keys.map((_, i) => i)),
      ...Array.from({ length: 5 }, () => 7),
      ...[3, 4, 3, 4, 23, 3, 0, 23],
    ];
    for (const i of order) {
      const k = keys[i]!;
      message[0] = i;
      expect(hex(ed25519Sign(core, k.pkcs8, message)), `key #${i}`).toBe(
        hex(new Uint8Array(sign(null, message, k.privateKey))),
      );
    }
  });

  it('the kept tables of public keys (4 in the core): 7 keys verifying in turns, good and altered signatures', () => {
    const keys = Array.from({ length: 7 }, nodeKeyPair);
    const badKey = ed25519Spki(le32(2n)); // y = 2 is on no point: never kept
    for (let round = 0; round < 3; round++) {
      for (const [i, k] of keys.entries()) {
        const message = new Uint8Array(randomBytes(10 + i));
        const sig = new Uint8Array(sign(null, message, k.privateKey));
        expect(ed25519Verify(core, k.spki, message, sig), `key #${i}`).toBe(true);
        sig[40]! ^= 4;
        expect(ed25519Verify(core, k.spki, message, sig), `key #${i}, altered`).toBe(false);
        expect(ed25519Verify(core, keys[(i + 1) % 7]!.spki, message, sig), `key #${i}, another key`).toBe(false);
        expect(ed25519Verify(core, badKey, message, sig)).toBe(false);
      }
    }
  });

  it('keys generated in the core sign what node:crypto verifies, and node:crypto signs with them what we verify', () => {
    for (let i = 0; i < 10; i++) {
      const { publicKey, privateKey } = generateEd25519(core);
      const message = new Uint8Array(randomBytes(i * 50));
      expect(verify(null, message, spkiKey(publicKey), ed25519Sign(core, privateKey, message))).toBe(true);
      const theirs = new Uint8Array(sign(null, message, pkcs8Key(privateKey)));
      expect(ed25519Verify(core, publicKey, message, theirs)).toBe(true);
    }
  });

  it('Ed25519ph against @noble/curves both ways (it hashes the message itself)', () => {
    for (const len of [0, 3, 64, 200, 4096]) {
      const k = nodeKeyPair();
      const message = new Uint8Array(randomBytes(len));
      const digest = sha512(message);
      const ours = ed25519phSign(core, k.pkcs8, digest);
      expect(ed25519ph.verify(ours, message, k.pub)).toBe(true);
      const theirs = ed25519ph.sign(message, k.seed);
      expect(hex(ours)).toBe(hex(theirs));
      expect(ed25519phVerify(core, k.spki, digest, theirs)).toBe(true);
      // And the pure variant does not take the Ed25519ph signature.
      expect(ed25519Verify(core, k.spki, digest, theirs)).toBe(false);
      expect(ed25519.verify(ours, digest, k.pub)).toBe(false);
    }
  });

  it('refuses altered signatures, other messages and other keys', () => {
    const k = nodeKeyPair();
    const other = nodeKeyPair();
    const message = new Uint8Array(randomBytes(100));
    const sig = ed25519Sign(core, k.pkcs8, message);
    expect(ed25519Verify(core, k.spki, message, sig)).toBe(true);
    for (let bit = 0; bit < 512; bit += 7) {
      const bad = sig.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(ed25519Verify(core, k.spki, message, bad), `bit ${bit}`).toBe(false);
    }
    const m2 = message.slice();
    m2[99]! ^= 1;
    expect(ed25519Verify(core, k.spki, m2, sig)).toBe(false);
    expect(ed25519Verify(core, k.spki, message.subarray(0, 99), sig)).toBe(false);
    expect(ed25519Verify(core, other.spki, message, sig)).toBe(false);
    // Wrong lengths are false, not exceptions.
    expect(ed25519Verify(core, k.spki, message, sig.subarray(0, 63))).toBe(false);
    expect(ed25519Verify(core, k.spki, message, concat(sig, new Uint8Array(1)))).toBe(false);
    expect(ed25519Verify(core, k.spki, message, new Uint8Array(0))).toBe(false);
  });

  it('refuses S + L and any S of L or more (RFC 8032 §5.1.7: malleability)', () => {
    const k = nodeKeyPair();
    const message = new Uint8Array(randomBytes(20));
    const sig = ed25519Sign(core, k.pkcs8, message);
    const s = fromLe(sig.subarray(32));
    for (const bigS of [s + L, s + 2n * L, L, 2n ** 256n - 1n]) {
      if (bigS >= 2n ** 256n) continue;
      expect(ed25519Verify(core, k.spki, message, concat(sig.subarray(0, 32), le32(bigS))), `S = ${bigS}`).toBe(false);
    }
  });

  it('decodes strictly: A or R with y >= p, or x = 0 with the sign bit, is refused (OpenSSL accepts such an A)', () => {
    const identity = le32(1n);
    const minusZero = le32(1n | (1n << 255n)); // y = 1, x = 0, sign bit set
    const identityPlusP = le32(P + 1n); // y = p + 1, the identity's y non-canonically
    const sZero = new Uint8Array(32);
    const message = new TextEncoder().encode('wasm-kms');
    // The canonical encodings: A = R = identity and S = 0 satisfy [S]B = R + [k]A (cofactorless
    // or not), and node:crypto agrees.
    expect(ed25519Verify(core, ed25519Spki(identity), message, concat(identity, sZero))).toBe(true);
    expect(verify(null, message, spkiKey(ed25519Spki(identity)), concat(identity, sZero))).toBe(true);
    // Non-canonical A: refused here; OpenSSL decodes them and accepts.
    for (const a of [identityPlusP, minusZero]) {
      expect(ed25519Verify(core, ed25519Spki(a), message, concat(identity, sZero))).toBe(false);
      expect(verify(null, message, spkiKey(ed25519Spki(a)), concat(identity, sZero))).toBe(true);
    }
    // Non-canonical R: refused by both.
    for (const r of [identityPlusP, minusZero]) {
      expect(ed25519Verify(core, ed25519Spki(identity), message, concat(r, sZero))).toBe(false);
      expect(verify(null, message, spkiKey(ed25519Spki(identity)), concat(r, sZero))).toBe(false);
    }
    // y with no x on the curve (y = 2: (y^2 - 1) / (d y^2 + 1) is not a square).
    const k = nodeKeyPair();
    const sig = ed25519Sign(core, k.pkcs8, message);
    expect(ed25519Verify(core, ed25519Spki(le32(2n)), message, sig)).toBe(false);
  });

  it('is cofactorless: a signature valid only up to a small-order component is refused', () => {
    // R' = R + T with T of order 8 makes [8][S]B = [8]R' + [8][k]A hold, but not [S]B = R' + [k]A.
    // T = (x, y) with y = the order-8 point's y: encode it and add with the reference below.
    const k = nodeKeyPair();
    const message = new Uint8Array(randomBytes(32));
    const sig = ed25519Sign(core, k.pkcs8, message);
    const rPlusT = addTorsion(sig.subarray(0, 32));
    const forged = concat(rPlusT, sig.subarray(32));
    expect(ed25519Verify(core, k.spki, message, forged)).toBe(false);
    // node:crypto (OpenSSL) is cofactorless too.
    expect(verify(null, message, k.publicKey, forged)).toBe(false);
  });

  it("leaves the caller's keys as they were, Node Buffers included (their slice() is a view)", () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const [pkcs8Before, spkiBefore] = [hex(pkcs8), hex(spki)];
    const message = new Uint8Array(randomBytes(30));
    const digest = sha512(message);
    for (let i = 0; i < 2; i++) {
      const sig = ed25519Sign(core, pkcs8, message);
      expect(verify(null, message, publicKey, sig)).toBe(true);
      expect(ed25519Verify(core, spki, message, sig)).toBe(true);
      expect(ed25519phVerify(core, spki, digest, ed25519phSign(core, pkcs8, digest))).toBe(true);
    }
    expect(hex(pkcs8)).toBe(pkcs8Before);
    expect(hex(spki)).toBe(spkiBefore);
  });

  it('reads the keys of every valid DER form: the one encoding directly, any other through the DER reader', () => {
    const k = nodeKeyPair();
    const message = new Uint8Array(randomBytes(16));
    const sig = ed25519Sign(core, k.pkcs8, message);
    // The encoders' output is the one encoding the direct path takes.
    expect(hex(ed25519Pkcs8(k.seed))).toBe(hex(k.pkcs8));
    expect(hex(ed25519Spki(k.pub))).toBe(hex(k.spki));
    // One byte more or less, or a changed prefix byte: not the direct path, and refused.
    expect(() => ed25519Sign(core, concat(k.pkcs8, new Uint8Array(1)), message)).toThrow();
    expect(() => ed25519Sign(core, k.pkcs8.subarray(0, 47), message)).toThrow();
    expect(() => ed25519Verify(core, concat(k.spki, new Uint8Array(1)), message, sig)).toThrow();
    const wrongOid = k.pkcs8.slice();
    wrongOid[11] = 0x71; // 1.3.101.113, Ed448
    expect(() => ed25519Sign(core, wrongOid, message)).toThrow();
    const unusedBit = k.spki.slice();
    unusedBit[11] = 0x01; // one unused bit
    expect(() => ed25519Verify(core, unusedBit, message, sig)).toThrow();
    // A PKCS#8 with the length in long form is valid BER but not DER: the DER reader refuses it.
    const longForm = concat(Uint8Array.of(0x30, 0x81, 0x2e), k.pkcs8.subarray(2));
    expect(() => ed25519Sign(core, longForm, message)).toThrow();
  });

  it('Ed25519ph needs a 64-byte digest', () => {
    const k = nodeKeyPair();
    for (const len of [0, 32, 63, 65]) {
      expect(() => ed25519phSign(core, k.pkcs8, new Uint8Array(len))).toThrow(RangeError);
      expect(() => ed25519phVerify(core, k.spki, new Uint8Array(len), new Uint8Array(64))).toThrow(RangeError);
    }
  });

  it('a malformed key is an error, not a signature or a false', () => {
    const k = nodeKeyPair();
    expect(() => ed25519Sign(core, k.spki, new Uint8Array(1))).toThrow();
    expect(() => ed25519Verify(core, k.pkcs8, new Uint8Array(1), new Uint8Array(64))).toThrow();
  });

  it('leaves no copy of the seed, the scalar, the prefix or r in the core memory', () => {
    const k = nodeKeyPair();
    const message = new Uint8Array(randomBytes(77));
    ed25519Sign(core, k.pkcs8, message);
    const h = sha512(k.seed);
    const s = h.slice(0, 32);
    s[0]! &= 0xf8;
    s[31] = (s[31]! & 0x7f) | 0x40;
    const r = sha512(concat(h.subarray(32), message));
    for (const [what, bytes] of [
      ['seed', k.seed],
      ['SHA-512(seed)', h.subarray(0, 16)],
      ['s', s.subarray(0, 16)],
      ['prefix', h.subarray(32, 48)],
      ['SHA-512(prefix || M)', r.subarray(0, 16)],
    ] as const) {
      expect(findInMemory(core, bytes), what).toEqual([]);
    }
  });
});

// ---- A small BigInt reference for the torsion test ------------------------------------------

const mod = (a: bigint): bigint => ((a % P) + P) % P;
function modPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
const inv = (a: bigint): bigint => modPow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = modPow(2n, (P - 1n) / 4n);

function decode(b: Uint8Array): [bigint, bigint] {
  const v = fromLe(b);
  const y = v & ((1n << 255n) - 1n);
  const sign = v >> 255n;
  const x2 = mod((y * y - 1n) * inv(D * y * y + 1n));
  let x = modPow(x2, (P + 3n) / 8n);
  if (mod(x * x - x2) !== 0n) x = mod(x * SQRT_M1);
  if (mod(x * x - x2) !== 0n) throw new Error('not a point');
  if ((x & 1n) !== sign) x = mod(-x);
  return [x, y];
}

function encode([x, y]: [bigint, bigint]): Uint8Array {
  return le32(y | ((x & 1n) << 255n));
}

function addAffine([x1, y1]: [bigint, bigint], [x2, y2]: [bigint, bigint]): [bigint, bigint] {
  const t = mod(D * x1 * x2 * y1 * y2);
  return [mod((x1 * y2 + y1 * x2) * inv(1n + t)), mod((y1 * y2 + x1 * x2) * inv(1n - t))];
}

/** R + T for T a point of order 8 (found as [L]Q for a point Q with an order-8 component). */
function addTorsion(rBytes: Uint8Array): Uint8Array {
  const mul = (n: bigint, q: [bigint, bigint]): [bigint, bigint] => {
    let acc: [bigint, bigint] = [0n, 1n];
    for (let b = q; n > 0n; n >>= 1n, b = addAffine(b, b)) if (n & 1n) acc = addAffine(acc, b);
    return acc;
  };
  for (let y = 3n; ; y++) {
    let q: [bigint, bigint];
    try {
      q = decode(le32(y));
    } catch {
      continue;
    }
    const t = mul(L, q);
    // order exactly 8: [4]T is not the identity
    const t4 = mul(4n, t);
    if (t4[0] === 0n && t4[1] === 1n) continue;
    return encode(addAffine(decode(rBytes), t));
  }
}
