// AES-256-CBC with PKCS#7 padding in the core (assembly/symmetric/cbc.ts, src/core/symmetric.ts),
// the content encryption of the CMS envelopes made for attested enclaves, on both builds:
//   NIST SP 800-38A F.2.5 / F.2.6 (CBC-AES256): the four blocks of the example are the first four
//   blocks of our encryption (which then adds a full block of padding), and decrypt back;
//   node:crypto's aes-256-cbc in both directions on every length 0..80, a spread up to 4096 and 1 MiB;
//   every malformed padding (a pad byte of 0 or over 16, any one padding byte different, random
//   blocks) refused as null with the output left all zero, and the valid edge cases accepted;
//   argument checks;
// and, on instrumented shipped builds, one execution trace for valid and invalid paddings alike.

import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { type Core, type CoreVariant } from '../src/core/module.js';
import { CORE_STATUS } from '../src/core/errors.js';
import { aes256CbcEncrypt, aes256CbcDecrypt } from '../src/core/index.js';
import { loadTestCore } from './helpers/test-core.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  formatTrace,
  groupByTrace,
  type Trace,
} from './helpers/instrument.js';
import { hex, unhex } from './helpers/hex.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

function nodeCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt = false, padding = true): Uint8Array {
  const c = decrypt ? createDecipheriv('aes-256-cbc', key, iv) : createCipheriv('aes-256-cbc', key, iv);
  c.setAutoPadding(padding);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** node:crypto's CBC encryption of blocks given in full (a chosen, possibly malformed, padding). */
const nodeCbcRaw = (key: Uint8Array, iv: Uint8Array, blocks: Uint8Array): Uint8Array =>
  nodeCbc(key, iv, blocks, false, false);

// NIST SP 800-38A, Appendix F.2.5 (CBC-AES256.Encrypt) and F.2.6 (CBC-AES256.Decrypt).
const SP800_38A = {
  key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
  iv: '000102030405060708090a0b0c0d0e0f',
  plaintext: [
    '6bc1bee22e409f96e93d7e117393172a',
    'ae2d8a571e03ac9c9eb76fac45af8e51',
    '30c81c46a35ce411e5fbc1191a0a52ef',
    'f69f2445df4f9b17ad2b417be66c3710',
  ],
  ciphertext: [
    'f58c4c04d6e5f1ba779eabfb5f7bfbd6',
    '9cfc4e967edb808d679f777bc6702c7d',
    '39f23369a9d9bacfa530e26304231461',
    'b2eb05e2c39be9fcda6c19078c6a9d1b',
  ],
};

describe.each(VARIANTS)('AES-256-CBC with PKCS#7 padding (%s build)', (variant) => {
  let core: Core;

  beforeAll(() => {
    core = loadTestCore(variant);
  });

  it('NIST SP 800-38A F.2.5: the example blocks, then one block of padding', () => {
    const key = unhex(SP800_38A.key);
    const iv = unhex(SP800_38A.iv);
    const ct = aes256CbcEncrypt(core, key, iv, unhex(SP800_38A.plaintext.join('')));
    expect(ct.length).toBe(80);
    for (let i = 0; i < 4; i++) expect(hex(ct.subarray(16 * i, 16 * i + 16))).toBe(SP800_38A.ciphertext[i]);
    // The fifth block is sixteen 0x10 bytes chained to the fourth ciphertext block.
    const padBlock = nodeCbcRaw(key, unhex(SP800_38A.ciphertext[3]), new Uint8Array(16).fill(16));
    expect(hex(ct.subarray(64))).toBe(hex(padBlock));
  });

  it('NIST SP 800-38A F.2.6: the example ciphertext (with its padding block) decrypts to the example', () => {
    const key = unhex(SP800_38A.key);
    const iv = unhex(SP800_38A.iv);
    const padBlock = nodeCbcRaw(key, unhex(SP800_38A.ciphertext[3]), new Uint8Array(16).fill(16));
    const ct = unhex(SP800_38A.ciphertext.join('') + hex(padBlock));
    expect(hex(aes256CbcDecrypt(core, key, iv, ct)!)).toBe(SP800_38A.plaintext.join(''));
    // Each block decrypted alone, with the previous ciphertext block as IV, and a last block of padding.
    for (let i = 0; i < 4; i++) {
      const prev = i === 0 ? iv : unhex(SP800_38A.ciphertext[i - 1]);
      const block = unhex(SP800_38A.ciphertext[i]);
      const pad = nodeCbcRaw(key, block, new Uint8Array(16).fill(16));
      const two = new Uint8Array(32);
      two.set(block);
      two.set(pad, 16);
      expect(hex(aes256CbcDecrypt(core, key, prev, two)!)).toBe(SP800_38A.plaintext[i]);
    }
  });

  it('matches node:crypto both ways on every length 0..80 and a spread up to 4096', () => {
    const lengths = [...Array.from({ length: 81 }, (_, i) => i), 127, 128, 129, 255, 256, 1000, 1023, 1024, 4095, 4096];
    for (const n of lengths) {
      const key = rand(32);
      const iv = rand(16);
      const pt = rand(n);
      const ct = aes256CbcEncrypt(core, key, iv, pt);
      expect(hex(ct), `length ${n}`).toBe(hex(nodeCbc(key, iv, pt)));
      expect(ct.length).toBe(16 * Math.floor(n / 16) + 16);
      const back = aes256CbcDecrypt(core, key, iv, nodeCbc(key, iv, pt));
      expect(back && hex(back), `length ${n}`).toBe(hex(pt));
    }
  });

  it('matches node:crypto both ways on 1 MiB', () => {
    const key = rand(32);
    const iv = rand(16);
    const pt = rand(1 << 20);
    const ct = aes256CbcEncrypt(core, key, iv, pt);
    expect(Buffer.from(ct).equals(Buffer.from(nodeCbc(key, iv, pt)))).toBe(true);
    const back = aes256CbcDecrypt(core, key, iv, ct)!;
    expect(Buffer.from(back).equals(Buffer.from(pt))).toBe(true);
  });

  it('accepts every valid padding length 1..16', () => {
    const key = rand(32);
    const iv = rand(16);
    for (let p = 1; p <= 16; p++) {
      const blocks = rand(48);
      blocks.fill(p, 48 - p);
      const back = aes256CbcDecrypt(core, key, iv, nodeCbcRaw(key, iv, blocks));
      expect(back && hex(back), `pad ${p}`).toBe(hex(blocks.subarray(0, 48 - p)));
    }
  });

  it('refuses every malformed padding as null', () => {
    const key = rand(32);
    const iv = rand(16);
    const bad: [string, Uint8Array][] = [];
    const withLast = (last: number[]): Uint8Array => {
      const b = rand(32);
      b.set(last, 32 - last.length);
      return b;
    };
    bad.push(['pad byte 0', withLast([0])]);
    for (const v of [17, 32, 0x80, 0xff]) bad.push([`pad byte ${v}`, withLast([v])]);
    // A pad of p with one of its other p - 1 bytes changed, for every p and position.
    for (let p = 2; p <= 16; p++) {
      for (let k = 1; k < p; k++) {
        const b = rand(32);
        b.fill(p, 32 - p);
        b[31 - k] ^= 1 << randomInt(8);
        bad.push([`pad ${p}, byte ${k} from the end changed`, b]);
      }
    }
    for (const [what, blocks] of bad) {
      expect(aes256CbcDecrypt(core, key, iv, nodeCbcRaw(key, iv, blocks)), what).toBeNull();
    }
  });

  it('leaves the output all zero when the padding is refused, and writes it when accepted', () => {
    const x = core.exports as unknown as {
      aes256_cbc_decrypt(k: number, v: number, c: number, n: number, o: number, l: number): number;
    };
    const run = (key: Uint8Array, iv: Uint8Array, ct: Uint8Array): { status: number; out: Uint8Array; len: number } =>
      core.run(0, (c) => {
        const k = core.put(key);
        const v = core.put(iv);
        const w = core.put(ct);
        const o = c.alloc(ct.length);
        const l = c.alloc(4);
        core.bytes(o, ct.length).fill(0xaa);
        const status = x.aes256_cbc_decrypt(k, v, w, ct.length, o, l);
        return { status, out: core.take(o, ct.length), len: new DataView(core.take(l, 4).buffer).getUint32(0, true) };
      });
    const key = rand(32);
    const iv = rand(16);
    const blocks = rand(64);
    blocks[63] = 2;
    blocks[62] = 3; // a pad of 2 whose other byte is wrong
    const refused = run(key, iv, nodeCbcRaw(key, iv, blocks));
    expect(refused.status).toBe(CORE_STATUS.AUTH_FAILED);
    expect(refused.len).toBe(0);
    expect(refused.out.every((b) => b === 0)).toBe(true);
    blocks[62] = 2;
    const accepted = run(key, iv, nodeCbcRaw(key, iv, blocks));
    expect(accepted.status).toBe(CORE_STATUS.OK);
    expect(accepted.len).toBe(62);
    expect(hex(accepted.out)).toBe(hex(blocks));
    // The entry point checks the length itself too.
    expect(run(key, iv, rand(24)).status).toBe(CORE_STATUS.INVALID_ARGUMENT);
  });

  it('a wrong key or IV does not give the plaintext', () => {
    const key = rand(32);
    const iv = rand(16);
    const pt = rand(100);
    const ct = aes256CbcEncrypt(core, key, iv, pt);
    const other = aes256CbcDecrypt(core, rand(32), iv, ct);
    expect(other === null || hex(other) !== hex(pt)).toBe(true);
    // A wrong IV changes only the first block.
    const wrongIv = iv.slice();
    wrongIv[0] ^= 1;
    const back = aes256CbcDecrypt(core, key, wrongIv, ct)!;
    expect(back[0]).toBe(pt[0] ^ 1);
    expect(hex(back.subarray(1))).toBe(hex(pt.subarray(1)));
  });

  it('checks its arguments', () => {
    const key = rand(32);
    const iv = rand(16);
    expect(() => aes256CbcEncrypt(core, rand(16), iv, rand(5))).toThrow(RangeError);
    expect(() => aes256CbcEncrypt(core, key, rand(12), rand(5))).toThrow(RangeError);
    expect(() => aes256CbcEncrypt(core, key, iv, [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => aes256CbcDecrypt(core, rand(31), iv, rand(16))).toThrow(RangeError);
    for (const n of [0, 1, 15, 17, 40]) expect(aes256CbcDecrypt(core, key, iv, rand(n)), `length ${n}`).toBeNull();
  });
});

// ---- Constant time, by execution traces ------------------------------------------------------------
// Each shipped build from build/ is instrumented to count its instructions per basic block and hash
// every branch decision and memory address (test/helpers/instrument.ts). Decrypting ciphertexts of one
// length whose paddings are valid (of any length) or invalid (for any reason) must give one trace.

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));

describe.each(VARIANTS)('constant time of AES-256-CBC (%s build)', (variant) => {
  let core: TracedCore;

  beforeAll(() => {
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(join(BUILD_DIR, `wasm-kms.${variant}.wasm`)))));
  });

  function decryptTraced(key: Uint8Array, iv: Uint8Array, ct: Uint8Array): { trace: Trace; status: number } {
    const r = traceCall(
      core,
      0,
      (c) => ({ k: c.put(key), v: c.put(iv), w: c.put(ct), o: c.x.alloc(ct.length), l: c.x.alloc(4) }),
      (c, a) => c.fn('aes256_cbc_decrypt')(a.k, a.v, a.w, ct.length, a.o, a.l),
    );
    return { trace: r.trace, status: r.result };
  }

  function encryptTraced(key: Uint8Array, iv: Uint8Array, pt: Uint8Array): { trace: Trace; out: string } {
    const n = 16 * Math.floor(pt.length / 16) + 16;
    const r = traceCall(
      core,
      0,
      (c) => ({ k: c.put(key), v: c.put(iv), p: c.put(pt), o: c.x.alloc(n) }),
      (c, a) => {
        expect(c.fn('aes256_cbc_encrypt')(a.k, a.v, a.p, pt.length, a.o)).toBe(CORE_STATUS.OK);
        return hex(c.take(a.o, n));
      },
    );
    return { trace: r.trace, out: r.result };
  }

  const oneTrace = (runs: { trace: Trace }[], what: string): Trace => {
    const groups = groupByTrace(runs);
    expect(groups.length, `${what}: ${groups.map((g) => formatTrace(g[0].trace)).join('\n')}`).toBe(1);
    return runs[0].trace;
  };

  it('encrypt: one trace for different keys and data of the same length', () => {
    const runs = [];
    for (let i = 0; i < 5; i++) {
      const key = i === 0 ? new Uint8Array(32) : rand(32);
      const iv = rand(16);
      const pt = i === 1 ? new Uint8Array(37).fill(0xff) : rand(37);
      const r = encryptTraced(key, iv, pt);
      expect(r.out).toBe(hex(nodeCbc(key, iv, pt))); // the instrumented module still encrypts
      runs.push(r);
    }
    const t = oneTrace(runs, 'encrypt');
    // Negative control: one block more is another trace.
    expect(formatTrace(encryptTraced(rand(32), rand(16), rand(37 + 16)).trace)).not.toBe(formatTrace(t));
  });

  it('decrypt: one trace for valid and invalid paddings of the same length, whatever the reason', () => {
    for (const len of [16, 144]) {
      const key = rand(32);
      const iv = rand(16);
      const ending = (last: number[]): Uint8Array => {
        const b = rand(len);
        b.set(last, len - last.length);
        return nodeCbcRaw(key, iv, b);
      };
      const cases: [string, Uint8Array, number][] = [
        ['pad 1', ending([1]), CORE_STATUS.OK],
        ['pad 16', ending(new Array<number>(16).fill(16)), CORE_STATUS.OK],
        ['pad 5', ending([5, 5, 5, 5, 5]), CORE_STATUS.OK],
        ['pad byte 0', ending([0]), CORE_STATUS.AUTH_FAILED],
        ['pad byte 17', ending([17]), CORE_STATUS.AUTH_FAILED],
        ['pad byte 255', ending([255]), CORE_STATUS.AUTH_FAILED],
        ['pad 5, first byte wrong', ending([4, 5, 5, 5, 5]), CORE_STATUS.AUTH_FAILED],
        ['pad 16, first byte wrong', ending([0, ...new Array<number>(15).fill(16)]), CORE_STATUS.AUTH_FAILED],
        ['pad 2, second byte wrong', ending([3, 2]), CORE_STATUS.AUTH_FAILED],
      ];
      const runs = cases.map(([what, ct, want]) => {
        const r = decryptTraced(key, iv, ct);
        expect(r.status, `${len} bytes: ${what}`).toBe(want);
        return r;
      });
      oneTrace(runs, `decrypt ${len} bytes`);
    }
  });
});
