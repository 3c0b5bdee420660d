// The symmetric core (assembly/symmetric/, src/core/symmetric.ts) on both builds:
//   SHA-256        every NIST CAVP byte-oriented vector (SHA256ShortMsg.rsp, SHA256LongMsg.rsp),
//                  streaming in pieces, node:crypto on every length 0..300;
//   HMAC-SHA-256   node:crypto with every key length 0..200 (longer than a block: hashed);
//   HKDF-SHA-256   every Wycheproof case (the size limit included), node:crypto;
//   AES-256        FIPS 197 Appendix C.3, the bitsliced S-box on all 256 inputs against the
//                  definition, node:crypto's aes-256-ecb;
//   GHASH          a bit-serial reference (SP 800-38D Algorithm 1), extreme operands included;
//   AES-256-GCM    Wycheproof (256-bit keys, 96-bit IVs, 128-bit tags), node:crypto in both
//                  directions on every length 0..64 and a spread up to 4096, rejection of any
//                  flipped bit with the output left all zero, argument checks;
// and, on instrumented builds, one execution trace (instructions, branches, addresses) for
// different keys and data of the same lengths, and for authentic and forged tags alike.

import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
} from 'node:crypto';
import { type Core, type CoreVariant } from '../src/core/module.js';
import { CORE_STATUS } from '../src/core/errors.js';
import { loadTestCore } from './helpers/test-core.js';
import {
  sha256,
  hmacSha256,
  hkdfSha256,
  aes256GcmEncrypt,
  aes256GcmDecrypt,
  type SymmetricExports,
} from '../src/core/symmetric.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  formatTrace,
  groupByTrace,
  type Trace,
} from './helpers/instrument.js';
import { readVectorJson, readVectorText } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const symOf = (core: Core): SymmetricExports => core.exports as unknown as SymmetricExports;

// ---- Vector files ------------------------------------------------------------------------------

interface ShaVector {
  len: number; // bits
  msg: Uint8Array;
  md: string;
}

/** A CAVP .rsp file (CRLF line endings): Len (bits), Msg, MD records. */
function readRsp(name: string): ShaVector[] {
  const text = readVectorText(`nist-cavp/shs/${name}`);
  const out: ShaVector[] = [];
  let len: number | undefined;
  let msg: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^(Len|Msg|MD)\s*=\s*([0-9a-fA-F]*)$/.exec(raw.trim());
    if (!m) continue;
    if (m[1] === 'Len') len = Number(m[2]);
    else if (m[1] === 'Msg') msg = m[2];
    else {
      if (len === undefined || msg === undefined) throw new Error(`${name}: MD without Len and Msg`);
      // Len = 0 comes with "Msg = 00": the message is empty, the 00 a placeholder.
      const bytes = len === 0 ? new Uint8Array(0) : unhex(msg);
      if (bytes.length * 8 !== len) throw new Error(`${name}: Len ${len} does not match the message`);
      out.push({ len, msg: bytes, md: m[2].toLowerCase() });
      len = msg = undefined;
    }
  }
  return out;
}

interface WycheproofFile<G> {
  numberOfTests: number;
  testGroups: G[];
}

interface HkdfTest {
  tcId: number;
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
  result: 'valid' | 'invalid' | 'acceptable';
}

interface GcmTest {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}

interface GcmGroup {
  keySize: number;
  ivSize: number;
  tagSize: number;
  tests: GcmTest[];
}

const readJson = <T>(path: string): T => readVectorJson<T>(path);

const shortMsgs = readRsp('SHA256ShortMsg.rsp');
const longMsgs = readRsp('SHA256LongMsg.rsp');
const hkdfFile = readJson<WycheproofFile<{ tests: HkdfTest[] }>>('wycheproof/hkdf_sha256_test.json');
const hkdfTests = hkdfFile.testGroups.flatMap((g) => g.tests);
const gcmFile = readJson<WycheproofFile<GcmGroup>>('wycheproof/aes_gcm_test.json');
// Only AES-256 with 96-bit IVs and 128-bit tags is in scope.
const gcmTests = gcmFile.testGroups
  .filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128)
  .flatMap((g) => g.tests);

describe('the vector files', () => {
  it('are read completely', () => {
    expect(shortMsgs.length).toBe(65); // 0 to 64 bytes
    expect(longMsgs.length).toBe(64);
    expect(shortMsgs[0].msg.length).toBe(0);
    expect(hkdfTests.length).toBe(hkdfFile.numberOfTests);
    expect(hkdfTests.length).toBe(86);
    expect(hkdfTests.filter((t) => t.result === 'invalid').length).toBe(3);
    expect(gcmFile.testGroups.flatMap((g) => g.tests).length).toBe(gcmFile.numberOfTests);
    // 66 of Wycheproof's 316 AES-GCM cases apply: 39 valid, 27 invalid (modified tags).
    expect(gcmTests.length).toBe(66);
    expect(gcmTests.filter((t) => t.result === 'valid').length).toBe(39);
    expect(gcmTests.filter((t) => t.result === 'invalid').length).toBe(27);
    expect(gcmTests.filter((t) => t.result === 'acceptable').length).toBe(0);
  });
});

// ---- References ----------------------------------------------------------------------------------

const nodeSha256 = (m: Uint8Array): string => createHash('sha256').update(m).digest('hex');

function nodeGcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  pt: Uint8Array,
  aad: Uint8Array,
): { ct: Uint8Array; tag: Uint8Array } {
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return { ct: new Uint8Array(ct), tag: new Uint8Array(c.getAuthTag()) };
}

function nodeGcmDecrypt(key: Uint8Array, iv: Uint8Array, ct: Uint8Array, tag: Uint8Array, aad: Uint8Array): Uint8Array {
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(aad);
  d.setAuthTag(tag);
  return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
}

/** The AES S-box from its definition (FIPS 197 §5.1.1): inverse in GF(2^8), then the affine map. */
function referenceSbox(): Uint8Array {
  const mul = (a: number, b: number): number => {
    let r = 0;
    for (let i = 0; i < 8; i++) {
      if (b & 1) r ^= a;
      a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
      b >>= 1;
    }
    return r;
  };
  const rotl = (x: number, n: number): number => ((x << n) | (x >> (8 - n))) & 0xff;
  const s = new Uint8Array(256);
  for (let x = 0; x < 256; x++) {
    let inv = 1;
    for (let i = 0; i < 254; i++) inv = mul(inv, x); // x^254 = x^-1, and 0 for 0
    if (x === 0) inv = 0;
    s[x] = inv ^ rotl(inv, 1) ^ rotl(inv, 2) ^ rotl(inv, 3) ^ rotl(inv, 4) ^ 0x63;
  }
  return s;
}

const toBig = (b: Uint8Array): bigint => BigInt('0x' + (hex(b) || '0'));
const fromBig = (x: bigint): Uint8Array => unhex(x.toString(16).padStart(32, '0'));

/** SP 800-38D §6.3 Algorithm 1, bit by bit: X·Y in GF(2^128), X_0 the leftmost bit. */
function gfMul(x: bigint, y: bigint): bigint {
  const R = 0xe1n << 120n;
  let z = 0n;
  let v = y;
  for (let i = 127; i >= 0; i--) {
    if ((x >> BigInt(i)) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

/** §6.4 GHASH of data zero-padded to whole blocks. */
function referenceGhash(h: Uint8Array, data: Uint8Array): Uint8Array {
  const H = toBig(h);
  let y = 0n;
  for (let off = 0; off < data.length; off += 16) {
    const block = new Uint8Array(16);
    block.set(data.subarray(off, off + 16));
    y = gfMul(y ^ toBig(block), H);
  }
  return fromBig(y);
}

// Lengths of the GCM agreement tests: all of 0..64 (every partial block and the edges of
// the first pass, which yields 96 bytes of keystream), then a spread to 4096 across the
// 128-byte passes and the 64-byte GHASH groups, the two benchmark sizes included.
const GCM_LENGTHS = [
  ...Array.from({ length: 65 }, (_, i) => i),
  65,
  79,
  80,
  95,
  96,
  97,
  111,
  112,
  127,
  128,
  129,
  143,
  191,
  192,
  223,
  224,
  225,
  255,
  256,
  257,
  300,
  351,
  352,
  353,
  480,
  511,
  512,
  513,
  777,
  1000,
  1023,
  1024,
  1025,
  1217,
  1500,
  2047,
  2048,
  2049,
  2375,
  3000,
  3333,
  4000,
  4095,
  4096,
];

describe.each(VARIANTS)('symmetric core (%s)', (variant) => {
  const core = loadTestCore(variant);
  const x = symOf(core);

  // ---- SHA-256 ----

  function sha256Chunked(data: Uint8Array, chunk: number): string {
    return core.run(0, (c) => {
      const ptr = core.put(data);
      const out = c.alloc(32);
      expect(x.sha256_digest_chunked(ptr, data.length, chunk, out)).toBe(CORE_STATUS.OK);
      return hex(core.take(out, 32));
    });
  }

  it.each([
    ['SHA256ShortMsg.rsp', shortMsgs],
    ['SHA256LongMsg.rsp', longMsgs],
  ] as const)('SHA-256 matches every vector of %s', (_name, vectors) => {
    for (const v of vectors) expect(hex(sha256(core, v.msg)), `Len = ${v.len}`).toBe(v.md);
  });

  it('SHA-256 matches the long vectors fed in pieces of 1, 7, 63, 64, 65 and 1000 bytes', () => {
    for (const v of longMsgs.slice(0, 12)) {
      for (const chunk of [1, 7, 63, 64, 65, 1000]) {
        expect(sha256Chunked(v.msg, chunk), `Len = ${v.len}, pieces of ${chunk}`).toBe(v.md);
      }
    }
  });

  it('SHA-256 agrees with node:crypto on every length 0..300 and random pieces', () => {
    for (let n = 0; n <= 300; n++) {
      const m = rand(n);
      expect(hex(sha256(core, m)), `length ${n}`).toBe(nodeSha256(m));
    }
    for (let i = 0; i < 100; i++) {
      const m = rand(randomInt(0, 2000));
      const chunk = randomInt(1, 200);
      expect(sha256Chunked(m, chunk), `length ${m.length}, pieces of ${chunk}`).toBe(nodeSha256(m));
    }
  });

  // ---- HMAC-SHA-256 ----

  it('HMAC-SHA-256 agrees with node:crypto for every key length 0..200', () => {
    for (let keyLen = 0; keyLen <= 200; keyLen++) {
      const key = rand(keyLen);
      for (const msgLen of [0, 1, 55, 56, 63, 64, 65, randomInt(0, 1000)]) {
        const msg = rand(msgLen);
        const want = createHmac('sha256', key).update(msg).digest('hex');
        expect(hex(hmacSha256(core, key, msg)), `key ${keyLen} bytes, message ${msgLen} bytes`).toBe(want);
      }
    }
  });

  it('HMAC-SHA-256 matches RFC 4231 test case 2 and handles a key of exactly one hash block', () => {
    const mac = hmacSha256(
      core,
      new TextEncoder().encode('Jefe'),
      new TextEncoder().encode('what do ya want for nothing?'),
    );
    expect(hex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    // A 64-byte key is used as is; a 65-byte key is hashed to 32 bytes first.
    const k64 = rand(64);
    const k65 = rand(65);
    expect(hex(hmacSha256(core, k64, rand(0)))).toBe(createHmac('sha256', k64).update(Buffer.alloc(0)).digest('hex'));
    const m = rand(10);
    expect(hex(hmacSha256(core, k65, m))).toBe(hex(hmacSha256(core, unhex(nodeSha256(k65)), m)));
  });

  // ---- HKDF-SHA-256 ----

  it('HKDF-SHA-256 passes every Wycheproof case, and refuses sizes over 255·32', () => {
    let valid = 0;
    let invalid = 0;
    for (const t of hkdfTests) {
      const ikm = unhex(t.ikm);
      const salt = unhex(t.salt);
      const info = unhex(t.info);
      if (t.result === 'valid') {
        expect(hex(hkdfSha256(core, ikm, salt, info, t.size)), `tcId ${t.tcId}`).toBe(t.okm);
        valid++;
      } else {
        expect(() => hkdfSha256(core, ikm, salt, info, t.size), `tcId ${t.tcId}`).toThrow(RangeError);
        // The core refuses it too, without writing.
        const status = core.run(0, (c) => {
          const out = c.alloc(t.size);
          return x.hkdf_sha256(
            core.put(ikm),
            ikm.length,
            core.put(salt),
            salt.length,
            core.put(info),
            info.length,
            out,
            t.size,
          );
        });
        expect(status, `tcId ${t.tcId}`).toBe(CORE_STATUS.INVALID_ARGUMENT);
        invalid++;
      }
    }
    expect(valid).toBe(83);
    expect(invalid).toBe(3);
  });

  it('HKDF-SHA-256 agrees with node:crypto on random inputs and every length 0..8160 in steps', () => {
    for (let i = 0; i < 60; i++) {
      const ikm = rand(randomInt(0, 100));
      const salt = rand(randomInt(0, 100));
      const info = rand(randomInt(0, 100));
      const length = i < 40 ? i : randomInt(1, 8161);
      const want = new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
      expect(hex(hkdfSha256(core, ikm, salt, info, length)), `length ${length}`).toBe(hex(want));
    }
    const ikm = rand(32);
    const want = new Uint8Array(hkdfSync('sha256', ikm, rand(0), rand(0), 8160));
    expect(hex(hkdfSha256(core, ikm, rand(0), rand(0), 8160))).toBe(hex(want));
  });

  // ---- AES-256 ----

  function aesEcb(key: Uint8Array, data: Uint8Array): Uint8Array {
    return core.run(0, (c) => {
      const k = core.put(key);
      const src = core.put(data);
      const out = c.alloc(data.length);
      x.aes256_encrypt_blocks(k, src, data.length >> 4, out);
      return core.take(out, data.length);
    });
  }

  it('AES-256 matches FIPS 197 Appendix C.3', () => {
    const key = unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    expect(hex(aesEcb(key, unhex('00112233445566778899aabbccddeeff')))).toBe('8ea2b7ca516745bfeafc49904b496089');
  });

  it('the bitsliced S-box circuit is the S-box on all 256 inputs', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = core.run(0, () => {
      const p = core.put(all);
      x.aes_sub_bytes(p, all.length);
      return core.take(p, all.length);
    });
    expect(hex(s)).toBe(hex(referenceSbox()));
  });

  it('AES-256 agrees with node:crypto aes-256-ecb on 1..40 blocks under random keys', () => {
    for (let blocks = 1; blocks <= 40; blocks++) {
      const key = rand(32);
      const data = rand(16 * blocks);
      const c = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
      const want = Buffer.concat([c.update(data), c.final()]);
      expect(hex(aesEcb(key, data)), `${blocks} blocks`).toBe(want.toString('hex'));
    }
    // Keys of all zeros and all ones: extreme inputs to the key schedule's S-box.
    for (const key of [new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
      const data = rand(128);
      const c = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
      expect(hex(aesEcb(key, data))).toBe(Buffer.concat([c.update(data), c.final()]).toString('hex'));
    }
  });

  // ---- GHASH ----

  function coreGhash(h: Uint8Array, data: Uint8Array): Uint8Array {
    return core.run(0, (c) => {
      const hp = core.put(h);
      const dp = core.put(data);
      const out = c.alloc(16);
      x.gcm_ghash(hp, dp, data.length, out);
      return core.take(out, 16);
    });
  }

  it('GHASH agrees with the bit-serial definition, extreme operands included', () => {
    const ones = new Uint8Array(16).fill(0xff);
    const one = unhex('80000000000000000000000000000000'); // the polynomial 1
    const specials = [
      ones,
      one,
      new Uint8Array(16),
      unhex('00000000000000000000000000000001'),
      unhex('ffffffffffffffff0000000000000000'),
    ];
    // All-ones operands put the most terms on each position of the integer products.
    for (const h of [...specials, rand(16)]) {
      for (const data of [ones, new Uint8Array(64).fill(0xff), new Uint8Array(80).fill(0xff), ...specials]) {
        expect(hex(coreGhash(h, data)), `H = ${hex(h)}, X = ${hex(data)}`).toBe(hex(referenceGhash(h, data)));
      }
    }
    for (let i = 0; i < 200; i++) {
      const h = rand(16);
      const data = rand(randomInt(0, 200));
      expect(hex(coreGhash(h, data)), `H = ${hex(h)}, ${data.length} bytes`).toBe(hex(referenceGhash(h, data)));
    }
  });

  // ---- AES-256-GCM ----

  /** The raw decrypt export, with the output prefilled with 0xa5 to show what the core writes. */
  function rawDecrypt(
    key: Uint8Array,
    iv: Uint8Array,
    ct: Uint8Array,
    tag: Uint8Array,
    aad: Uint8Array,
  ): { ok: number; out: Uint8Array } {
    return core.run(0, (c) => {
      const args = [
        core.put(key),
        core.put(iv),
        core.put(aad),
        aad.length,
        core.put(ct),
        ct.length,
        core.put(tag),
      ] as const;
      const out = c.alloc(ct.length);
      core.bytes(out, ct.length).fill(0xa5);
      const ok = x.aes256_gcm_decrypt(...args, out);
      return { ok, out: core.take(out, ct.length) };
    });
  }

  it('AES-256-GCM passes every applicable Wycheproof case', () => {
    let valid = 0;
    let invalid = 0;
    for (const t of gcmTests) {
      const [key, iv, aad, msg, ct, tag] = [t.key, t.iv, t.aad, t.msg, t.ct, t.tag].map(unhex);
      const label = `tcId ${t.tcId} (${t.comment || t.flags.join(', ')})`;
      if (t.result === 'valid') {
        const enc = aes256GcmEncrypt(core, key, iv, msg, aad);
        expect(hex(enc.ciphertext), label).toBe(t.ct);
        expect(hex(enc.tag), label).toBe(t.tag);
        const dec = aes256GcmDecrypt(core, key, iv, ct, tag, aad);
        expect(dec && hex(dec), label).toBe(t.msg);
        valid++;
      } else {
        expect(aes256GcmDecrypt(core, key, iv, ct, tag, aad), label).toBeNull();
        const raw = rawDecrypt(key, iv, ct, tag, aad);
        expect(raw.ok, label).toBe(CORE_STATUS.AUTH_FAILED);
        expect(
          raw.out.every((b) => b === 0),
          label,
        ).toBe(true);
        invalid++;
      }
    }
    expect([valid, invalid]).toEqual([39, 27]);
  });

  it('AES-256-GCM agrees with node:crypto in both directions on every length 0..64 and a spread to 4096', () => {
    for (const len of GCM_LENGTHS) {
      const key = rand(32);
      const iv = rand(12);
      const aad = rand(randomInt(0, 301));
      const pt = rand(len);
      const label = `${len} bytes, ${aad.length} bytes of AAD`;
      // We encrypt, node decrypts.
      const ours = aes256GcmEncrypt(core, key, iv, pt, aad);
      const theirs = nodeGcmEncrypt(key, iv, pt, aad);
      expect(hex(ours.ciphertext), label).toBe(hex(theirs.ct));
      expect(hex(ours.tag), label).toBe(hex(theirs.tag));
      expect(hex(nodeGcmDecrypt(key, iv, ours.ciphertext, ours.tag, aad)), label).toBe(hex(pt));
      // Node encrypts (fresh values), we decrypt.
      const pt2 = rand(len);
      const aad2 = rand(randomInt(0, 301));
      const n = nodeGcmEncrypt(key, iv, pt2, aad2);
      const back = aes256GcmDecrypt(core, key, iv, n.ct, n.tag, aad2);
      expect(back && hex(back), label).toBe(hex(pt2));
    }
  });

  it('AES-256-GCM rejects a flipped bit anywhere in ciphertext, tag, AAD or IV and writes only zeros', () => {
    const key = rand(32);
    const iv = rand(12);
    const aad = rand(21);
    const pt = rand(37);
    const { ciphertext, tag } = aes256GcmEncrypt(core, key, iv, pt, aad);
    expect(hex(rawDecrypt(key, iv, ciphertext, tag, aad).out)).toBe(hex(pt));
    const parts = { ciphertext, tag, aad, iv } as const;
    let tried = 0;
    for (const name of Object.keys(parts) as (keyof typeof parts)[]) {
      for (let bit = 0; bit < parts[name].length * 8; bit++) {
        const bad = { ...parts, [name]: parts[name].slice() };
        bad[name][bit >> 3] ^= 1 << (bit & 7);
        const r = rawDecrypt(key, bad.iv, bad.ciphertext, bad.tag, bad.aad);
        expect(r.ok, `${name} bit ${bit}`).toBe(CORE_STATUS.AUTH_FAILED);
        expect(
          r.out.every((b) => b === 0),
          `${name} bit ${bit}: output not zeroed`,
        ).toBe(true);
        expect(aes256GcmDecrypt(core, key, bad.iv, bad.ciphertext, bad.tag, bad.aad), `${name} bit ${bit}`).toBeNull();
        tried++;
      }
    }
    expect(tried).toBe((37 + 16 + 21 + 12) * 8);
    // A longer message: random bits across several passes, and a wrong key.
    const longPt = rand(3000);
    const longAad = rand(300);
    const enc = aes256GcmEncrypt(core, key, iv, longPt, longAad);
    for (let i = 0; i < 100; i++) {
      const ct = enc.ciphertext.slice();
      const t = enc.tag.slice();
      const a = longAad.slice();
      const target = [ct, t, a][i % 3];
      const bit = randomInt(0, target.length * 8);
      target[bit >> 3] ^= 1 << (bit & 7);
      const r = rawDecrypt(key, iv, ct, t, a);
      expect(r.ok).toBe(CORE_STATUS.AUTH_FAILED);
      expect(r.out.every((b) => b === 0)).toBe(true);
    }
    const wrongKey = key.slice();
    wrongKey[31] ^= 0x80;
    expect(aes256GcmDecrypt(core, wrongKey, iv, enc.ciphertext, enc.tag, longAad)).toBeNull();
    expect(hex(aes256GcmDecrypt(core, key, iv, enc.ciphertext, enc.tag, longAad)!)).toBe(hex(longPt));
  });

  it('AES-256-GCM decrypts in place (output over the ciphertext)', () => {
    const key = rand(32);
    const iv = rand(12);
    const aad = rand(9);
    const pt = rand(333);
    const { ct, tag } = nodeGcmEncrypt(key, iv, pt, aad);
    const got = core.run(0, () => {
      const c = core.put(ct);
      const ok = x.aes256_gcm_decrypt(
        core.put(key),
        core.put(iv),
        core.put(aad),
        aad.length,
        c,
        ct.length,
        core.put(tag),
        c,
      );
      return { ok, pt: core.take(c, ct.length) };
    });
    expect(got.ok).toBe(CORE_STATUS.OK);
    expect(hex(got.pt)).toBe(hex(pt));
  });

  it('leaves neither the key, the plaintext nor the round keys in memory', () => {
    const key = rand(32);
    const iv = rand(12);
    const pt = rand(500);
    const memoryHas = (needle: Uint8Array): boolean =>
      Buffer.from(core.exports.memory.buffer).includes(Buffer.from(needle));
    const { ciphertext, tag } = aes256GcmEncrypt(core, key, iv, pt, rand(10));
    expect(ciphertext.length).toBe(500);
    expect(tag.length).toBe(16);
    expect(memoryHas(key.subarray(0, 16))).toBe(false);
    expect(memoryHas(pt.subarray(100, 116))).toBe(false);
    // The last round key of FIPS 197 C.3's key (w[56..59]).
    const c3 = unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    aes256GcmEncrypt(core, c3, iv, pt);
    expect(memoryHas(unhex('24fc79ccbf0979e9371ac23c6d68de36'))).toBe(false);
    const okm = hkdfSha256(core, key, rand(32), rand(0), 32);
    expect(memoryHas(okm)).toBe(false);
  });

  it('checks lengths and types with clear errors', () => {
    const k = rand(32);
    const iv = rand(12);
    const t = rand(16);
    expect(() => aes256GcmEncrypt(core, rand(31), iv, rand(1))).toThrow(/key must be 32 bytes, got 31/);
    expect(() => aes256GcmEncrypt(core, rand(16), iv, rand(1))).toThrow(RangeError);
    expect(() => aes256GcmEncrypt(core, k, rand(16), rand(1))).toThrow(/iv must be 12 bytes, got 16/);
    expect(() => aes256GcmDecrypt(core, k, rand(11), rand(1), t)).toThrow(RangeError);
    expect(() => aes256GcmDecrypt(core, k, iv, rand(1), rand(15))).toThrow(/tag must be 16 bytes, got 15/);
    expect(() => aes256GcmDecrypt(core, rand(33), iv, rand(1), t)).toThrow(RangeError);
    expect(() => aes256GcmEncrypt(core, k, iv, 'text' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => hkdfSha256(core, k, rand(0), rand(0), 8161)).toThrow(/0 to 8160/);
    expect(() => hkdfSha256(core, k, rand(0), rand(0), -1)).toThrow(RangeError);
    expect(() => hkdfSha256(core, k, rand(0), rand(0), 1.5)).toThrow(RangeError);
    expect(hkdfSha256(core, k, rand(0), rand(0), 0).length).toBe(0);
    // An empty message with an empty AAD still has a tag.
    const e = aes256GcmEncrypt(core, k, iv, rand(0));
    expect(e.ciphertext.length).toBe(0);
    expect(hex(aes256GcmDecrypt(core, k, iv, e.ciphertext, e.tag)!)).toBe('');
  });
});

// ---- Constant time, by execution traces ------------------------------------------------------------
// Each build from build/ (made by `npm run build:wasm`) is instrumented so that it counts its
// instructions per basic block and hashes every branch decision and every memory address
// (test/helpers/instrument.ts). Runs on different secrets of the same public lengths must give
// one trace; the negative control shows that the trace does see a change of length.

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));

describe.each(VARIANTS)('constant time of the symmetric core (%s build)', (variant) => {
  let core: TracedCore;

  beforeAll(() => {
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(join(BUILD_DIR, `wasm-kms.${variant}.wasm`)))));
  });

  const put = (c: TracedCore, b: Uint8Array): number => c.put(b);

  function encrypt(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, pt: Uint8Array): { trace: Trace; out: string } {
    const r = traceCall(
      core,
      0,
      (c) => ({
        k: put(c, key),
        n: put(c, iv),
        a: put(c, aad),
        p: put(c, pt),
        o: c.x.alloc(pt.length),
        t: c.x.alloc(16),
      }),
      (c, a) => {
        c.fn('aes256_gcm_encrypt')(a.k, a.n, a.a, aad.length, a.p, pt.length, a.o, a.t);
        return hex(c.take(a.o, pt.length)) + hex(c.take(a.t, 16));
      },
    );
    return { trace: r.trace, out: r.result };
  }

  function decrypt(
    key: Uint8Array,
    iv: Uint8Array,
    aad: Uint8Array,
    ct: Uint8Array,
    tag: Uint8Array,
  ): { trace: Trace; ok: number } {
    const r = traceCall(
      core,
      0,
      (c) => ({
        k: put(c, key),
        n: put(c, iv),
        a: put(c, aad),
        p: put(c, ct),
        t: put(c, tag),
        o: c.x.alloc(ct.length),
      }),
      (c, a) => c.fn('aes256_gcm_decrypt')(a.k, a.n, a.a, aad.length, a.p, ct.length, a.t, a.o),
    );
    return { trace: r.trace, ok: r.result };
  }

  const oneTrace = (runs: { trace: Trace }[], what: string): Trace => {
    const groups = groupByTrace(runs);
    expect(groups.length, `${what}: ${groups.map((g) => formatTrace(g[0].trace)).join('\n')}`).toBe(1);
    return runs[0].trace;
  };

  it('AES-256-GCM encryption: one trace for different keys, IVs and data of the same lengths', () => {
    const runs = [];
    const edge = [new Uint8Array(32), new Uint8Array(32).fill(0xff)];
    for (let i = 0; i < 12; i++) {
      const key = i < 2 ? edge[i] : rand(32);
      const pt = i < 2 ? new Uint8Array(200).fill(i * 0xff) : rand(200);
      const iv = rand(12);
      const aad = rand(33);
      const r = encrypt(key, iv, aad, pt);
      const want = nodeGcmEncrypt(key, iv, pt, aad);
      expect(r.out).toBe(hex(want.ct) + hex(want.tag)); // the instrumented module still computes GCM
      runs.push(r);
    }
    const t = oneTrace(runs, 'encrypt');
    expect(t.insn).toBeGreaterThan(10_000n);
    // Negative control: one more byte of plaintext is a different trace.
    expect(formatTrace(encrypt(rand(32), rand(12), rand(33), rand(201)).trace)).not.toBe(formatTrace(t));
  });

  it('AES-256-GCM decryption: one trace for authentic and forged inputs alike', () => {
    const runs = [];
    const oks = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const key = rand(32);
      const iv = rand(12);
      const aad = rand(20);
      const pt = rand(150);
      const { ct, tag } = nodeGcmEncrypt(key, iv, pt, aad);
      // Even runs authentic; odd runs with a flipped bit in the tag, ciphertext or AAD.
      if (i % 2 === 1) [tag, ct, aad][i % 3][i] ^= 1 << (i % 8);
      const r = decrypt(key, iv, aad, ct, tag);
      expect(r.ok).toBe(i % 2 === 0 ? CORE_STATUS.OK : CORE_STATUS.AUTH_FAILED);
      oks.add(r.ok);
      runs.push(r);
    }
    expect(oks.size).toBe(2);
    oneTrace(runs, 'decrypt');
  });

  it('HMAC-SHA-256 and HKDF-SHA-256: one trace per length for different keys', () => {
    const hmacRuns = [];
    const hkdfRuns = [];
    for (let i = 0; i < 8; i++) {
      const key = rand(48);
      const msg = rand(100);
      hmacRuns.push(
        traceCall(
          core,
          0,
          (c) => ({ k: put(c, key), m: put(c, msg), o: c.x.alloc(32) }),
          (c, a) => c.fn('hmac_sha256')(a.k, 48, a.m, 100, a.o),
        ),
      );
      const salt = rand(32);
      const info = rand(40);
      hkdfRuns.push(
        traceCall(
          core,
          0,
          (c) => ({ i: put(c, key), s: put(c, salt), f: put(c, info), o: c.x.alloc(32) }),
          (c, a) => c.fn('hkdf_sha256')(a.i, 48, a.s, 32, a.f, 40, a.o, 32),
        ),
      );
    }
    oneTrace(hmacRuns, 'hmac');
    oneTrace(hkdfRuns, 'hkdf');
  });
});
