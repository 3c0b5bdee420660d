// AES-256 decryption and AES key wrap (RFC 3394) and key wrap with padding (RFC 5649) in the core
// (assembly/symmetric/aes-decrypt.ts, assembly/symmetric/kwp.ts, src/core/symmetric.ts), on both builds:
//   AES-256 decryption   FIPS 197 Appendix C.3, node:crypto's aes-256-ecb on random keys and blocks,
//                        the inverse S-box through the circuit on all 256 inputs against the definition;
//   KW (RFC 3394)        its §4.3 and §4.6 examples (256-bit KEK), node:crypto's id-aes256-wrap both ways;
//   KWP (RFC 5649)       every Wycheproof AES-KWP case with a 256-bit key, node:crypto's
//                        id-aes256-wrap-pad both ways on lengths 1..64 and 100..1024, the RFC's example
//                        plaintexts through its §4.1 construction, refusal of every flipped bit, wrong keys,
//                        bad lengths, a bad MLI and non-zero padding, with the output left zeroed;
// and, on instrumented shipped builds, one execution trace for authentic and forged wrappings alike.

import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { type Core, type CoreVariant } from '../src/core/module.js';
import { CORE_STATUS } from '../src/core/errors.js';
import { aes256KeyWrapPad, aes256KeyUnwrapPad } from '../src/core/index.js';
import { loadTestCore } from './helpers/test-core.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  formatTrace,
  groupByTrace,
  type Trace,
} from './helpers/instrument.js';
import { readVectorJson } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const KWP_IV = Buffer.from('A65959A6', 'hex');

/** The test module's entry points used here (assembly/exports/kwp-testing.ts and the shipped KWP pair). */
interface KwpTestExports {
  aes256_encrypt_blocks(key32: number, src: number, blocks: number, dst: number): void;
  aes256_decrypt_blocks(key32: number, src: number, blocks: number, dst: number): void;
  aes_inv_sub_bytes(ptr: number, len: number): void;
  aes256_kw_wrap(kek32: number, pt: number, ptLen: number, out: number): number;
  aes256_kw_unwrap(kek32: number, ct: number, ctLen: number, out: number): number;
  aes256_kwp_unwrap(kek32: number, ct: number, ctLen: number, out: number, outLen4: number): number;
}

function nodeCipher(
  name: string,
  key: Uint8Array,
  iv: Uint8Array | null,
  data: Uint8Array,
  decrypt = false,
): Uint8Array {
  const c = decrypt ? createDecipheriv(name, key, iv) : createCipheriv(name, key, iv);
  if (name.endsWith('-ecb')) c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

const nodeKwp = (kek: Uint8Array, pt: Uint8Array): Uint8Array => nodeCipher('id-aes256-wrap-pad', kek, KWP_IV, pt);
const nodeKwpOpen = (kek: Uint8Array, ct: Uint8Array): Uint8Array =>
  nodeCipher('id-aes256-wrap-pad', kek, KWP_IV, ct, true);
/** RFC 3394's W with a chosen 8-byte initial value: lets a test build any AIV, a malformed one too. */
const nodeKwWithIv = (kek: Uint8Array, iv: Uint8Array, pt: Uint8Array): Uint8Array =>
  nodeCipher('id-aes256-wrap', kek, iv, pt);

/** The AIV of RFC 5649 §3 for a length field `mli`. */
function aiv(mli: number): Uint8Array {
  const a = new Uint8Array(8);
  a.set(KWP_IV);
  new DataView(a.buffer).setUint32(4, mli >>> 0);
  return a;
}

/** The AES S-box from its definition (FIPS 197 §5.1.1): inverse in GF(2^8), then the affine map. */
function referenceSbox(): Uint8Array {
  const mul = (a: number, b: number): number => {
    let r = 0;
    for (; b; b >>= 1) {
      if (b & 1) r ^= a;
      a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
    }
    return r;
  };
  const s = new Uint8Array(256);
  for (let x = 0; x < 256; x++) {
    let inv = 0;
    for (let y = 1; y < 256 && x !== 0; y++) if (mul(x, y) === 1) inv = y;
    let b = inv;
    for (let k = 1; k <= 4; k++) b ^= ((inv << k) | (inv >> (8 - k))) & 0xff;
    s[x] = b ^ 0x63;
  }
  return s;
}

interface KwpVector {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  msg: string;
  ct: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface KwpFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: { keySize: number; type: string; tests: KwpVector[] }[];
}

describe.each(VARIANTS)('AES-256 decryption and key wrap in the core (%s build)', (variant) => {
  let core: Core;
  let x: KwpTestExports;

  beforeAll(() => {
    core = loadTestCore(variant);
    x = core.exports as unknown as KwpTestExports;
  });

  function ecb(entry: 'aes256_encrypt_blocks' | 'aes256_decrypt_blocks', key: Uint8Array, data: Uint8Array) {
    return core.run(0, (c) => {
      const k = core.put(key);
      const src = core.put(data);
      const out = c.alloc(data.length);
      x[entry](k, src, data.length >> 4, out);
      return core.take(out, data.length);
    });
  }

  // ---- AES-256 decryption ----

  it('decrypts FIPS 197 Appendix C.3', () => {
    const key = unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const ct = unhex('8ea2b7ca516745bfeafc49904b496089');
    expect(hex(ecb('aes256_decrypt_blocks', key, ct))).toBe('00112233445566778899aabbccddeeff');
  });

  it('the inverse S-box through the bitsliced circuit is the inverse of the S-box on all 256 inputs', () => {
    const s = referenceSbox();
    const inv = new Uint8Array(256);
    for (let i = 0; i < 256; i++) inv[s[i]] = i;
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const got = core.run(0, () => {
      const p = core.put(all);
      x.aes_inv_sub_bytes(p, all.length);
      return core.take(p, all.length);
    });
    expect(hex(got)).toBe(hex(inv));
  });

  it('agrees with node:crypto aes-256-ecb decryption on 1..40 blocks under random keys, and inverts encryption', () => {
    const keys = [new Uint8Array(32), new Uint8Array(32).fill(0xff)];
    for (let blocks = 1; blocks <= 40; blocks++) {
      const key = blocks <= 2 ? keys[blocks - 1] : rand(32);
      const data = blocks === 3 ? new Uint8Array(48).fill(0xff) : rand(16 * blocks);
      const want = nodeCipher('aes-256-ecb', key, null, data, true);
      expect(hex(ecb('aes256_decrypt_blocks', key, data)), `${blocks} blocks`).toBe(hex(want));
      expect(hex(ecb('aes256_decrypt_blocks', key, ecb('aes256_encrypt_blocks', key, data)))).toBe(hex(data));
    }
  });

  // ---- RFC 3394 key wrap (W and W^-1, the steps KWP uses for two blocks or more) ----

  function kwWrap(kek: Uint8Array, pt: Uint8Array): Uint8Array {
    return core.run(0, (c) => {
      const out = c.alloc(pt.length + 8);
      expect(x.aes256_kw_wrap(core.put(kek), core.put(pt), pt.length, out)).toBe(CORE_STATUS.OK);
      return core.take(out, pt.length + 8);
    });
  }

  function kwUnwrap(kek: Uint8Array, ct: Uint8Array): { status: number; out: Uint8Array } {
    return core.run(0, (c) => {
      const out = c.alloc(ct.length - 8);
      const status = x.aes256_kw_unwrap(core.put(kek), core.put(ct), ct.length, out);
      return { status, out: core.take(out, ct.length - 8) };
    });
  }

  it('KW: RFC 3394 §4.3 and §4.6 (256-bit KEK) both ways', () => {
    const kek = unhex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
    const cases = [
      ['00112233445566778899AABBCCDDEEFF', '64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7'],
      [
        '00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F',
        '28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21',
      ],
    ];
    for (const [pt, ct] of cases) {
      expect(hex(kwWrap(kek, unhex(pt)))).toBe(hex(unhex(ct)));
      const r = kwUnwrap(kek, unhex(ct));
      expect(r.status).toBe(CORE_STATUS.OK);
      expect(hex(r.out)).toBe(hex(unhex(pt)));
    }
  });

  it('KW: agrees with node:crypto id-aes256-wrap on 2..128 blocks, and refuses a flipped bit', () => {
    const iv = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
    for (let n = 2; n <= 128; n += n < 8 ? 1 : 15) {
      const kek = rand(32);
      const pt = rand(8 * n);
      const ct = kwWrap(kek, pt);
      expect(hex(ct), `${n} blocks`).toBe(hex(nodeCipher('id-aes256-wrap', kek, iv, pt)));
      expect(hex(kwUnwrap(kek, ct).out)).toBe(hex(pt));
      const bad = ct.slice();
      bad[randomInt(bad.length)] ^= 1 << randomInt(8);
      const r = kwUnwrap(kek, bad);
      expect(r.status).toBe(CORE_STATUS.AUTH_FAILED);
      expect(r.out.every((b) => b === 0)).toBe(true);
    }
  });

  // ---- KWP (RFC 5649) through the library functions ----

  const wrap = (kek: Uint8Array, pt: Uint8Array): Uint8Array => aes256KeyWrapPad(core, kek, pt);
  const unwrap = (kek: Uint8Array, ct: Uint8Array): Uint8Array | null => aes256KeyUnwrapPad(core, kek, ct);

  it('KWP: every Wycheproof AES-KWP case with a 256-bit key (the 128- and 192-bit groups counted, not run)', () => {
    const file = readVectorJson<KwpFile>('wycheproof/aes_kwp_test.json');
    expect(file.algorithm).toBe('AES-KWP');
    const sizes = file.testGroups.map((g) => `${g.keySize}:${g.tests.length}`);
    // The core has AES-256 only (the key size of KMS's wrapping keys): the 75 tests of the
    // 128-bit group and the 85 of the 192-bit group cannot run here; a new group would show.
    expect(sizes).toEqual(['128:75', '192:85', '256:94']);
    let valid = 0;
    let invalid = 0;
    const flags = new Map<string, number>();
    for (const t of file.testGroups.find((g) => g.keySize === 256)!.tests) {
      const key = unhex(t.key);
      for (const f of t.flags) flags.set(f, (flags.get(f) ?? 0) + 1);
      if (t.result === 'valid') {
        expect(hex(wrap(key, unhex(t.msg))), `tcId ${t.tcId}`).toBe(t.ct);
        const got = unwrap(key, unhex(t.ct));
        expect(got && hex(got), `tcId ${t.tcId}`).toBe(t.msg);
        valid++;
      } else {
        expect(t.result).toBe('invalid');
        expect(unwrap(key, unhex(t.ct)), `tcId ${t.tcId} (${t.comment})`).toBeNull();
        invalid++;
      }
    }
    expect({ valid, invalid }).toEqual({ valid: 25, invalid: 69 });
    expect(Object.fromEntries(flags)).toEqual({ SmallKey: 15, Normal: 9, CounterOverflow: 1, ModifiedPadding: 69 });
  });

  it('KWP: agrees with node:crypto id-aes256-wrap-pad both ways on lengths 1..64 and 100..1024', () => {
    const lengths = [...Array.from({ length: 64 }, (_, i) => i + 1)];
    for (let n = 100; n <= 1024; n += randomInt(1, 40)) lengths.push(n);
    lengths.push(1024);
    for (const n of lengths) {
      const kek = rand(32);
      const pt = rand(n);
      const ct = wrap(kek, pt);
      expect(ct.length).toBe(8 * Math.ceil(n / 8) + 8);
      expect(hex(ct), `length ${n}`).toBe(hex(nodeKwp(kek, pt)));
      // The other direction: node's wrapping of other material, unwrapped by the core.
      const pt2 = rand(n);
      const got = unwrap(kek, nodeKwp(kek, pt2));
      expect(got && hex(got), `length ${n}`).toBe(hex(pt2));
      expect(hex(nodeKwpOpen(kek, ct))).toBe(hex(pt));
    }
  });

  it("KWP: RFC 5649 §6's example plaintexts through the §4.1 construction with a 256-bit key", () => {
    // The RFC's examples use a 192-bit KEK, which this AES-256 core does not take; their
    // plaintexts are checked here against the construction itself under a 256-bit KEK: one block
    // (7 bytes) is AES(K, AIV | P | pad), more (20 bytes) is W with the AIV as initial value.
    const kek = unhex('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a85840df6e29b02af1');
    const seven = unhex('466f7250617369');
    const block = new Uint8Array(16);
    block.set(aiv(7));
    block.set(seven, 8);
    expect(hex(wrap(kek, seven))).toBe(hex(nodeCipher('aes-256-ecb', kek, null, block)));
    const twenty = unhex('c37b7e6492584340bed12207808941155068f738');
    const padded = new Uint8Array(24);
    padded.set(twenty);
    expect(hex(wrap(kek, twenty))).toBe(hex(nodeKwWithIv(kek, aiv(20), padded)));
    expect(hex(unwrap(kek, wrap(kek, twenty))!)).toBe(hex(twenty));
    expect(hex(unwrap(kek, wrap(kek, seven))!)).toBe(hex(seven));
  });

  it('KWP: refuses every flipped bit and a wrong key', () => {
    for (const n of [5, 8, 9, 16, 33]) {
      const kek = rand(32);
      const pt = rand(n);
      const ct = wrap(kek, pt);
      for (let bit = 0; bit < ct.length * 8; bit++) {
        const bad = ct.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(unwrap(kek, bad), `length ${n}, bit ${bit}`).toBeNull();
      }
      const otherKey = kek.slice();
      otherKey[31] ^= 0x80;
      expect(unwrap(otherKey, ct)).toBeNull();
      expect(hex(unwrap(kek, ct)!)).toBe(hex(pt));
    }
  });

  it('KWP: refuses a bad length field, non-zero padding and a wrong AIV constant, with the output zeroed', () => {
    const kek = rand(32);
    const unwrapRaw = (ct: Uint8Array): { status: number; out: Uint8Array } =>
      core.run(0, (c) => {
        const out = c.alloc(ct.length - 8);
        const len = c.alloc(4);
        const status = x.aes256_kwp_unwrap(core.put(kek), core.put(ct), ct.length, out, len);
        expect(core.take(len, 4).every((b) => b === 0)).toBe(status !== CORE_STATUS.OK);
        return { status, out: core.take(out, ct.length - 8) };
      });
    // Three 8-byte blocks of plaintext (n = 3): MLI must be in 17..24.
    const body = rand(24);
    const withAiv = (a: Uint8Array, p = body): Uint8Array => nodeKwWithIv(kek, a, p);
    for (const mli of [17, 20, 24]) {
      const p = body.slice();
      p.fill(0, mli);
      expect(unwrapRaw(withAiv(aiv(mli), p)).status, `MLI ${mli}`).toBe(CORE_STATUS.OK);
    }
    const refused: [string, Uint8Array][] = [
      ['MLI 0', withAiv(aiv(0), new Uint8Array(24))],
      [
        'MLI 16 (a whole block of padding)',
        withAiv(aiv(16), Uint8Array.from([...body.subarray(0, 16), 0, 0, 0, 0, 0, 0, 0, 0])),
      ],
      ['MLI 25', withAiv(aiv(25))],
      ['MLI 2^32 - 1', withAiv(aiv(0xffffffff))],
      ['a non-zero padding byte', withAiv(aiv(20), Uint8Array.from([...body.subarray(0, 20), 0, 0, 1, 0]))],
      [
        'the last padding byte non-zero',
        withAiv(aiv(17), Uint8Array.from([...body.subarray(0, 17), 0, 0, 0, 0, 0, 0, 0x80])),
      ],
      ['the RFC 3394 IV', withAiv(unhex('A6A6A6A6A6A6A6A6'))],
      ['the AIV constant off by one bit', withAiv(unhex('A65959A700000018'))],
    ];
    // One block (n = 1): AES(K, AIV | P), with MLI out of 1..8 or padding set.
    const one = (a: Uint8Array, p: Uint8Array): Uint8Array => {
      const b = new Uint8Array(16);
      b.set(a);
      b.set(p, 8);
      return nodeCipher('aes-256-ecb', kek, null, b);
    };
    expect(unwrapRaw(one(aiv(3), Uint8Array.of(1, 2, 3, 0, 0, 0, 0, 0))).status).toBe(CORE_STATUS.OK);
    refused.push(['one block, MLI 0', one(aiv(0), new Uint8Array(8))]);
    refused.push(['one block, MLI 9', one(aiv(9), rand(8))]);
    refused.push(['one block, padding set', one(aiv(3), Uint8Array.of(1, 2, 3, 0, 0, 0, 0, 4))]);
    for (const [what, ct] of refused) {
      const r = unwrapRaw(ct);
      expect(r.status, what).toBe(CORE_STATUS.AUTH_FAILED);
      expect(
        r.out.every((b) => b === 0),
        what,
      ).toBe(true);
      expect(unwrap(kek, ct), what).toBeNull();
    }
  });

  it('KWP: lengths and arguments', () => {
    const kek = rand(32);
    for (const n of [0, 8, 15, 17, 23, 31]) expect(unwrap(kek, rand(n)), `${n} bytes`).toBeNull();
    const status = core.run(0, (c) =>
      x.aes256_kwp_unwrap(core.put(kek), core.put(rand(24)), 20, c.alloc(16), c.alloc(4)),
    );
    expect(status).toBe(CORE_STATUS.INVALID_ARGUMENT);
    expect(() => wrap(kek, new Uint8Array(0))).toThrow(RangeError);
    expect(() => wrap(rand(16), rand(16))).toThrow(RangeError);
    expect(() => wrap(rand(24), rand(16))).toThrow(RangeError);
    expect(() => unwrap(rand(16), rand(24))).toThrow(RangeError);
    expect(() => wrap(kek, 'material' as unknown as Uint8Array)).toThrow(TypeError);
    // Deterministic: the same key and material give the same bytes.
    const pt = rand(40);
    expect(hex(wrap(kek, pt))).toBe(hex(wrap(kek, pt)));
  });
});

/** The byte-form round key 14 of AES-256 (FIPS 197 §5.2): what the core's key schedule holds in scratch as bytes. */
function lastRoundKey(key: Uint8Array): Uint8Array {
  const s = referenceSbox();
  const w = new Uint8Array(240);
  w.set(key);
  let rcon = 1;
  for (let i = 8; i < 60; i++) {
    const t = w.slice(4 * (i - 1), 4 * i);
    if (i % 8 === 0) {
      t.set([s[t[1]] ^ rcon, s[t[2]], s[t[3]], s[t[0]]]);
      rcon <<= 1;
    } else if (i % 8 === 4) {
      t.set([s[t[0]], s[t[1]], s[t[2]], s[t[3]]]);
    }
    for (let b = 0; b < 4; b++) w[4 * i + b] = w[4 * (i - 8) + b] ^ t[b];
  }
  return w.subarray(224);
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (
    let i = hay.indexOf(needle[0]);
    i !== -1 && i <= hay.length - needle.length;
    i = hay.indexOf(needle[0], i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe.each(VARIANTS)('scratch memory after key wrap with padding (%s)', (variant) => {
  it('holds neither the KEK, its expanded key, nor the material after wrapping and unwrapping', async () => {
    const { loadCore } = await import('../src/core/module.js');
    const core = loadCore(variant);
    // FIPS 197 C.3's key: its last round key is 24fc79ccbf0979e9371ac23c6d68de36 (Appendix A.3).
    const probe = lastRoundKey(unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'));
    expect(hex(probe)).toBe('24fc79ccbf0979e9371ac23c6d68de36');
    const kek = rand(32);
    const pt = rand(300);
    const ct = aes256KeyWrapPad(core, kek, pt);
    expect(hex(aes256KeyUnwrapPad(core, kek, ct)!)).toBe(hex(pt));
    const bad = ct.slice();
    bad[5] ^= 1;
    expect(aes256KeyUnwrapPad(core, kek, bad)).toBeNull();
    const memory = (): Uint8Array => new Uint8Array(core.exports.memory.buffer);
    for (const [what, secret] of [
      ['KEK', kek.subarray(8, 24)],
      ['round key 14', lastRoundKey(kek)],
      ['material', pt.subarray(100, 116)],
    ] as const) {
      expect(contains(memory(), secret), what).toBe(false);
    }
    // The check sees a value that is there.
    const at = core.exports.alloc(pt.length);
    memory().set(pt, at);
    expect(contains(memory(), pt.subarray(100, 116))).toBe(true);
    core.exports.wipe();
    expect(contains(memory(), pt.subarray(100, 116))).toBe(false);
  });
});

describe('AES-256 key wrap with padding in the shipped core', () => {
  it('aes256KeyWrapPad and aes256KeyUnwrapPad from wasm-kms/core work on the loaded core', async () => {
    const { getCore } = await import('../src/core/module.js');
    const kek = rand(32);
    const pt = rand(1218); // about the size of an RSA-2048 private key in PKCS#8
    const ct = aes256KeyWrapPad(getCore(), kek, pt);
    expect(hex(ct)).toBe(hex(nodeKwp(kek, pt)));
    expect(hex(aes256KeyUnwrapPad(getCore(), kek, ct)!)).toBe(hex(pt));
  });
});

// ---- Constant time, by execution traces ------------------------------------------------------------
// Each shipped build from build/ is instrumented to count its instructions per basic block and hash
// every branch decision and memory address (test/helpers/instrument.ts). Wrapping different keys and
// material of one length, and unwrapping authentic and forged wrappings of one length, must each give
// one trace: no branch or address depends on the key, the material or the verdict's reasons.

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));

describe.each(VARIANTS)('constant time of AES-256 key wrap with padding (%s build)', (variant) => {
  let core: TracedCore;

  beforeAll(() => {
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(join(BUILD_DIR, `wasm-kms.${variant}.wasm`)))));
  });

  function wrapTraced(kek: Uint8Array, pt: Uint8Array): { trace: Trace; out: string } {
    const outLength = 8 * Math.ceil(pt.length / 8) + 8;
    const r = traceCall(
      core,
      0,
      (c) => ({ k: c.put(kek), p: c.put(pt), o: c.x.alloc(outLength) }),
      (c, a) => {
        expect(c.fn('aes256_kwp_wrap')(a.k, a.p, pt.length, a.o)).toBe(CORE_STATUS.OK);
        return hex(c.take(a.o, outLength));
      },
    );
    return { trace: r.trace, out: r.result };
  }

  function unwrapTraced(kek: Uint8Array, ct: Uint8Array): { trace: Trace; status: number } {
    const r = traceCall(
      core,
      0,
      (c) => ({ k: c.put(kek), w: c.put(ct), o: c.x.alloc(ct.length - 8), l: c.x.alloc(4) }),
      (c, a) => c.fn('aes256_kwp_unwrap')(a.k, a.w, ct.length, a.o, a.l),
    );
    return { trace: r.trace, status: r.result };
  }

  const oneTrace = (runs: { trace: Trace }[], what: string): Trace => {
    const groups = groupByTrace(runs);
    expect(groups.length, `${what}: ${groups.map((g) => formatTrace(g[0].trace)).join('\n')}`).toBe(1);
    return runs[0].trace;
  };

  it('wrap: one trace for different keys and material of the same length', () => {
    for (const n of [7, 40]) {
      const runs = [];
      for (let i = 0; i < 6; i++) {
        const kek = i === 0 ? new Uint8Array(32) : rand(32);
        const pt = i === 1 ? new Uint8Array(n).fill(0xff) : rand(n);
        const r = wrapTraced(kek, pt);
        expect(r.out).toBe(hex(nodeKwp(kek, pt))); // the instrumented module still wraps
        runs.push(r);
      }
      const t = oneTrace(runs, `wrap ${n}`);
      // Negative control: one block more is another trace.
      expect(formatTrace(wrapTraced(rand(32), rand(n + 8)).trace)).not.toBe(formatTrace(t));
    }
  });

  it('unwrap: one trace for authentic and forged wrappings of the same length, whatever the reason', () => {
    for (const n of [1, 3]) {
      const kek = rand(32);
      const body = rand(8 * n);
      const seal = (a: Uint8Array, p: Uint8Array): Uint8Array => {
        if (n > 1) return nodeKwWithIv(kek, a, p);
        const b = new Uint8Array(16);
        b.set(a);
        b.set(p, 8);
        return nodeCipher('aes-256-ecb', kek, null, b);
      };
      const last = 8 * (n - 1);
      const zeroTail = (mli: number): Uint8Array => {
        const p = body.slice();
        p.fill(0, mli);
        return p;
      };
      const cases: [string, Uint8Array, number][] = [
        ['authentic, no padding', seal(aiv(8 * n), body), CORE_STATUS.OK],
        ['authentic, 7 bytes of padding', seal(aiv(last + 1), zeroTail(last + 1)), CORE_STATUS.OK],
        ['authentic, other material', nodeKwp(kek, rand(8 * n - 3)), CORE_STATUS.OK],
        ['MLI too large', seal(aiv(8 * n + 1), body), CORE_STATUS.AUTH_FAILED],
        ['MLI too small', seal(aiv(last), zeroTail(last)), CORE_STATUS.AUTH_FAILED],
        ['padding not zero', seal(aiv(last + 1), body), CORE_STATUS.AUTH_FAILED],
        ['bad AIV constant', seal(unhex('A65959A500000000'), body), CORE_STATUS.AUTH_FAILED],
        ['random bytes', rand(8 * n + 8), CORE_STATUS.AUTH_FAILED],
      ];
      const runs = cases.map(([what, ct, want]) => {
        const r = unwrapTraced(kek, ct);
        expect(r.status, `${n} blocks: ${what}`).toBe(want);
        return r;
      });
      oneTrace(runs, `unwrap ${n} blocks`);
    }
  });
});
