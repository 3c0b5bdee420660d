// The SHA family by id and HMAC over it (assembly/symmetric/hash.ts, sha1.ts; digest, hmac and
// hmacVerify of src/core/symmetric.ts) on both builds:
//   SHA-1/224/256/384/512  the FIPS 180-4 example messages ("abc", the 448- and 896-bit
//                          messages, a million 'a's), the CAVP SHA-256/512 files through the
//                          generic path, node:crypto on every length 0..300 and random lengths to
//                          2000, whole and in random pieces;
//   HMAC-SHA-224..512      every Wycheproof case (full tags through hmacVerify, truncated tags
//                          against a prefix), node:crypto with keys of 0..200 bytes (longer than
//                          either block size), a keyed context reused for a second message;
//   ctEqual                every single-bit difference at every position of a 70-byte buffer;
// and, on instrumented builds, one execution trace for HMAC verification of valid and forged
// tags under different keys, and for digests of different data of one length.

import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { type Core, type CoreVariant, loadCore } from '../src/core/module.js';
import { CORE_STATUS } from '../src/core/errors.js';
import { loadTestCore } from './helpers/test-core.js';
import { digest, hmac, hmacVerify, type HashName, type HmacHashName } from '../src/core/symmetric.js';
import * as coreIndex from '../src/core/index.js';
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
const BUILD_DIR = fileURLToPath(new URL('../build/', import.meta.url));
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const HASHES: HashName[] = ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'];
const HMAC_HASHES: HmacHashName[] = ['SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'];
const ID: Record<HashName, number> = { 'SHA-1': 1, 'SHA-224': 2, 'SHA-256': 3, 'SHA-384': 4, 'SHA-512': 5 };
const SIZE: Record<HashName, number> = { 'SHA-1': 20, 'SHA-224': 28, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const nodeName = (h: HashName): string => h.replace('-', '').toLowerCase();
const nodeDigest = (h: HashName, m: Uint8Array): string => createHash(nodeName(h)).update(m).digest('hex');
const nodeHmac = (h: HashName, k: Uint8Array, m: Uint8Array): string =>
  createHmac(nodeName(h), k).update(m).digest('hex');

interface HashTestExports {
  hash_digest(id: number, ptr: number, len: number, out: number): number;
  hash_digest_chunked(id: number, ptr: number, len: number, chunk: number, out: number): number;
  hmac_any_chunked_twice(
    id: number,
    key: number,
    keyLen: number,
    msg: number,
    len: number,
    chunk: number,
    out: number,
    out2: number,
  ): number;
  ct_equal(a: number, b: number, len: number): number;
}
const testX = (core: Core): HashTestExports => core.exports as unknown as HashTestExports;

// ---- Known answers ---------------------------------------------------------------------------

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const MSG448 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const MSG896 =
  'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';

/**
 * The digests of FIPS 180-4's example messages, as published in NIST's "Examples with
 * Intermediate Values" (csrc.nist.gov, Cryptographic Standards and Guidelines) and in
 * FIPS 180-2 Appendices A-C and RFC 6234 §8.5.
 */
const EXAMPLES: [HashName, string, string][] = [
  ['SHA-1', 'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['SHA-1', MSG448, '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  ['SHA-1', 'a*1000000', '34aa973cd4c4daa4f61eeb2bdbad27316534016f'],
  ['SHA-224', 'abc', '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
  ['SHA-224', MSG448, '75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525'],
  ['SHA-224', 'a*1000000', '20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67'],
  ['SHA-256', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    'SHA-384',
    'abc',
    'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  ],
  [
    'SHA-384',
    MSG896,
    '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039',
  ],
  [
    'SHA-384',
    'a*1000000',
    '9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985',
  ],
  [
    'SHA-512',
    MSG896,
    '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
  ],
];
const exampleMessage = (s: string): Uint8Array => (s === 'a*1000000' ? new Uint8Array(1_000_000).fill(0x61) : enc(s));

interface ShaVector {
  len: number;
  msg: Uint8Array;
  md: string;
}

/** Reads a CAVP .rsp file (CRLF line endings): Len (bits), Msg, MD records. */
function readRsp(name: string): ShaVector[] {
  const out: ShaVector[] = [];
  let len: number | undefined;
  let msg: string | undefined;
  for (const raw of readVectorText(`nist-cavp/shs/${name}`).split(/\r?\n/)) {
    const m = /^(Len|Msg|MD)\s*=\s*([0-9a-fA-F]*)$/.exec(raw.trim());
    if (!m) continue;
    if (m[1] === 'Len') len = Number(m[2]);
    else if (m[1] === 'Msg') msg = m[2];
    else {
      if (len === undefined || msg === undefined) throw new Error(`${name}: MD without Len/Msg`);
      out.push({ len, msg: len === 0 ? new Uint8Array(0) : unhex(msg), md: m[2].toLowerCase() });
      len = msg = undefined;
    }
  }
  return out;
}

interface MacTest {
  tcId: number;
  key: string;
  msg: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface MacFile {
  numberOfTests: number;
  testGroups: { keySize: number; tagSize: number; tests: MacTest[] }[];
}
const WYCHEPROOF: Record<HmacHashName, MacFile> = {
  'SHA-224': readVectorJson<MacFile>('wycheproof/hmac_sha224_test.json'),
  'SHA-256': readVectorJson<MacFile>('wycheproof/hmac_sha256_test.json'),
  'SHA-384': readVectorJson<MacFile>('wycheproof/hmac_sha384_test.json'),
  'SHA-512': readVectorJson<MacFile>('wycheproof/hmac_sha512_test.json'),
};

describe('the vector files', () => {
  it('are read completely', () => {
    expect(readRsp('SHA256ShortMsg.rsp').length).toBe(65);
    expect(readRsp('SHA512ShortMsg.rsp').length).toBe(129);
    for (const h of HMAC_HASHES) {
      const f = WYCHEPROOF[h];
      expect(f.testGroups.reduce((n, g) => n + g.tests.length, 0)).toBe(f.numberOfTests);
    }
  });
});

describe('the public API', () => {
  it('is exported from wasm-kms/core', () => {
    expect(coreIndex.digest).toBe(digest);
    expect(coreIndex.hmac).toBe(hmac);
    expect(coreIndex.hmacVerify).toBe(hmacVerify);
  });

  it('runs on the shipped module (its export list includes hash_digest, hmac_any, hmac_any_verify)', () => {
    const core = loadCore('simd');
    const m = rand(100);
    const k = rand(30);
    expect(hex(digest(core, 'SHA-384', m))).toBe(nodeDigest('SHA-384', m));
    expect(hex(hmac(core, 'SHA-224', k, m))).toBe(nodeHmac('SHA-224', k, m));
    expect(hmacVerify(core, 'SHA-512', k, m, unhex(nodeHmac('SHA-512', k, m)))).toBe(true);
  });
});

describe.each(VARIANTS)('hashes and HMAC (%s)', (variant) => {
  const core = loadTestCore(variant);
  const x = testX(core);

  function chunked(h: HashName, data: Uint8Array, chunk: number): string {
    return core.run(0, (c) => {
      const ptr = core.put(data);
      const out = c.alloc(64);
      expect(x.hash_digest_chunked(ID[h], ptr, data.length, chunk, out)).toBe(CORE_STATUS.OK);
      return hex(core.take(out, SIZE[h]));
    });
  }

  it.each(EXAMPLES)('%s of the FIPS 180-4 example %#', (h, m, want) => {
    expect(hex(digest(core, h, exampleMessage(m)))).toBe(want);
  });

  it('SHA-256 and SHA-512 through the generic path match every CAVP short and long message', () => {
    for (const [h, name] of [
      ['SHA-256', 'SHA256'],
      ['SHA-512', 'SHA512'],
    ] as const) {
      for (const v of [...readRsp(`${name}ShortMsg.rsp`), ...readRsp(`${name}LongMsg.rsp`)]) {
        expect(hex(digest(core, h, v.msg)), `${h} Len = ${v.len}`).toBe(v.md);
      }
    }
  });

  it.each(HASHES)('%s agrees with node:crypto on every length 0..300 and random lengths to 2000', (h) => {
    for (let n = 0; n <= 300; n++) {
      const m = rand(n);
      expect(hex(digest(core, h, m)), `length ${n}`).toBe(nodeDigest(h, m));
    }
    for (let i = 0; i < 60; i++) {
      const m = rand(randomInt(0, 2001));
      expect(hex(digest(core, h, m)), `length ${m.length}`).toBe(nodeDigest(h, m));
    }
  });

  it.each(HASHES)('%s fed in pieces equals node:crypto (every buffer fill path)', (h) => {
    const m = rand(777);
    for (const chunk of [1, 7, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000]) {
      expect(chunked(h, m, chunk), `pieces of ${chunk}`).toBe(nodeDigest(h, m));
    }
    for (let i = 0; i < 30; i++) {
      const r = rand(randomInt(0, 2001));
      const chunk = randomInt(1, 300);
      expect(chunked(h, r, chunk), `length ${r.length}, pieces of ${chunk}`).toBe(nodeDigest(h, r));
    }
  });

  it.each(HMAC_HASHES)('HMAC-%s passes every Wycheproof case', (h) => {
    let valid = 0;
    let invalid = 0;
    for (const g of WYCHEPROOF[h].testGroups) {
      for (const t of g.tests) {
        const key = unhex(t.key);
        const msg = unhex(t.msg);
        const tag = unhex(t.tag);
        const what = `tcId ${t.tcId}`;
        if (t.result === 'valid') valid++;
        else invalid++;
        if (g.tagSize / 8 === SIZE[h]) {
          expect(hmacVerify(core, h, key, msg, tag), what).toBe(t.result === 'valid');
        }
        // Truncated tags (and full ones) against the prefix of the MAC.
        const prefix = hex(hmac(core, h, key, msg).subarray(0, g.tagSize / 8));
        expect(prefix === t.tag, what).toBe(t.result === 'valid');
      }
    }
    expect(valid).toBe(66);
    expect(invalid).toBeGreaterThan(100);
  });

  it.each(HMAC_HASHES)('HMAC-%s agrees with node:crypto for every key length 0..200', (h) => {
    for (let keyLen = 0; keyLen <= 200; keyLen++) {
      const key = rand(keyLen);
      const msg = rand([0, 1, 63, 64, 65, 127, 128, 129][keyLen % 8] + (keyLen % 3) * randomInt(0, 700));
      const want = nodeHmac(h, key, msg);
      expect(hex(hmac(core, h, key, msg)), `key ${keyLen} bytes, message ${msg.length} bytes`).toBe(want);
      expect(hmacVerify(core, h, key, msg, unhex(want))).toBe(true);
    }
  });

  it.each(HASHES)('HMAC with %s: a keyed context gives the same MAC for a second message, fed in pieces', (h) => {
    for (const keyLen of [0, 20, 64, 65, 128, 129, 200]) {
      const key = rand(keyLen);
      const msg = rand(randomInt(0, 600));
      const chunk = randomInt(1, 150);
      const [a, b] = core.run(0, (c) => {
        const k = core.put(key);
        const m = core.put(msg);
        const out = c.alloc(64);
        const out2 = c.alloc(64);
        expect(x.hmac_any_chunked_twice(ID[h], k, keyLen, m, msg.length, chunk, out, out2)).toBe(CORE_STATUS.OK);
        return [hex(core.take(out, SIZE[h])), hex(core.take(out2, SIZE[h]))];
      });
      expect(a, `key ${keyLen}, pieces of ${chunk}`).toBe(nodeHmac(h, key, msg));
      expect(b).toBe(a);
    }
  });

  it('hmacVerify rejects every single-bit change of the tag, a tag of another length, and the wrong key', () => {
    const key = rand(32);
    const msg = rand(100);
    for (const h of HMAC_HASHES) {
      const tag = hmac(core, h, key, msg);
      expect(hmacVerify(core, h, key, msg, tag)).toBe(true);
      for (let bit = 0; bit < tag.length * 8; bit++) {
        const bad = tag.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(hmacVerify(core, h, key, msg, bad), `${h} bit ${bit}`).toBe(false);
      }
      expect(hmacVerify(core, h, key, msg, tag.subarray(0, tag.length - 1))).toBe(false);
      expect(hmacVerify(core, h, key, msg, new Uint8Array([...tag, 0]))).toBe(false);
      const otherKey = key.slice();
      otherKey[0] ^= 1;
      expect(hmacVerify(core, h, otherKey, msg, tag)).toBe(false);
    }
  });

  it('ctEqual finds a one-bit difference at every position and equal buffers equal', () => {
    const a = rand(70);
    const run = (b: Uint8Array, len: number): number => core.run(0, () => x.ct_equal(core.put(a), core.put(b), len));
    for (const len of [0, 1, 7, 8, 9, 64, 70]) expect(run(a.slice(), len), `length ${len}`).toBe(1);
    for (let bit = 0; bit < 70 * 8; bit++) {
      const b = a.slice();
      b[bit >> 3] ^= 1 << (bit & 7);
      expect(run(b, 70), `bit ${bit}`).toBe(0);
      // Outside the compared length a difference does not count.
      if (bit >> 3 >= 9) expect(run(b, 9)).toBe(1);
    }
  });

  it('checks its arguments', () => {
    expect(() => digest(core, 'MD5' as HashName, rand(1))).toThrow(/hash must be one of SHA-1, SHA-224/);
    expect(() => hmac(core, 'SHA-1' as HmacHashName, rand(1), rand(1))).toThrow(/hash must be one of SHA-224/);
    expect(() => hmacVerify(core, 'constructor' as HmacHashName, rand(1), rand(1), rand(1))).toThrow(TypeError);
    expect(() => digest(core, 'SHA-256', 'abc' as unknown as Uint8Array)).toThrow(/data must be a Uint8Array/);
    expect(core.run(0, (c) => x.hash_digest(9, c.alloc(1), 0, c.alloc(64)))).toBe(CORE_STATUS.INVALID_ARGUMENT);
  });
});

describe.each(VARIANTS)('constant time of the hashes and HMAC (%s build)', (variant) => {
  let core: TracedCore;

  beforeAll(() => {
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(join(BUILD_DIR, `wasm-kms.${variant}.wasm`)))));
  });

  const oneTrace = (runs: { trace: Trace }[], what: string): Trace => {
    const groups = groupByTrace(runs);
    expect(groups.length, `${what}: ${groups.map((g) => formatTrace(g[0].trace)).join('\n')}`).toBe(1);
    return runs[0].trace;
  };

  function verify(
    h: HmacHashName,
    key: Uint8Array,
    msg: Uint8Array,
    tag: Uint8Array,
  ): { trace: Trace; result: number } {
    return traceCall(
      core,
      0,
      (c) => ({ k: c.put(key), m: c.put(msg), t: c.put(tag) }),
      (c, a) => c.fn('hmac_any_verify')(ID[h], a.k, key.length, a.m, msg.length, a.t),
    );
  }

  it.each(HMAC_HASHES)(
    'HMAC-%s verification: one trace for valid tags, tags wrong in the first or last byte, and different keys',
    (h) => {
      const runs = [];
      const results = new Set<number>();
      for (let i = 0; i < 9; i++) {
        const key = rand(40);
        const msg = rand(300);
        const tag = unhex(nodeHmac(h, key, msg));
        if (i % 3 === 1) tag[0] ^= 0x80;
        if (i % 3 === 2) tag[tag.length - 1] ^= 1;
        const r = verify(h, key, msg, tag);
        expect(r.result).toBe(i % 3 === 0 ? CORE_STATUS.OK : CORE_STATUS.AUTH_FAILED);
        results.add(r.result);
        runs.push(r);
      }
      expect(results.size).toBe(2);
      const t = oneTrace(runs, `HMAC-${h} verify`);
      expect(t.insn).toBeGreaterThan(1000n);
      // Negative control: a longer message is a different trace.
      const key = rand(40);
      const msg = rand(301);
      expect(formatTrace(verify(h, key, msg, unhex(nodeHmac(h, key, msg))).trace)).not.toBe(formatTrace(t));
    },
  );

  it.each(HASHES)('%s: one trace for different data of one length', (h) => {
    const runs = [];
    for (let i = 0; i < 6; i++) {
      const m = i === 0 ? new Uint8Array(200) : i === 1 ? new Uint8Array(200).fill(0xff) : rand(200);
      runs.push(
        traceCall(
          core,
          0,
          (c) => ({ p: c.put(m), o: c.x.alloc(64) }),
          (c, a) => {
            c.fn('hash_digest')(ID[h], a.p, 200, a.o);
            return hex(c.take(a.o, SIZE[h]));
          },
        ),
      );
      expect(runs[i].result).toBe(nodeDigest(h, m));
    }
    oneTrace(runs, h);
  });
});
