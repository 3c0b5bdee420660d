// The private-key wrapping blob (src/kms/ciphertext.ts, docs/ciphertext-format.md):
// round trips over plaintext sizes and contexts, rejection of every single-byte change and
// every truncation, the context encoding's unambiguity and byte order, wrong key material,
// fresh salt and IV per seal, an independent decryption with node:crypto from the documented
// layout, and the size budget against Decrypt's 6144-byte limit.

import { describe, it, expect } from 'vitest';
import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { getCore } from '../src/core/module.js';
import {
  encodeEncryptionContext,
  sealBlob,
  openBlob,
  parseBlobHeader,
  sealedBlobLength,
  CiphertextError,
  BLOB_FIXED_OVERHEAD,
  HKDF_INFO_LABEL,
  MAX_CIPHERTEXT_BLOB_BYTES,
} from '../src/kms/ciphertext.js';
import { hex } from './helpers/hex.js';

const core = getCore();
const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MATERIAL_ID = 'a'.repeat(32) + '0123456789abcdef0123456789abcdef';
const material = new Uint8Array(randomBytes(32));

function seal(plaintext: Uint8Array, encryptionContext?: Record<string, string>, keyArn = ARN): Uint8Array {
  return sealBlob(core, { keyArn, keyMaterialId: MATERIAL_ID, keyMaterial: material, plaintext, encryptionContext });
}

/** Either parse or open must throw a CiphertextError with an empty message. */
function expectRejected(blob: Uint8Array, ctx?: Record<string, string>, key: Uint8Array = material): void {
  let error: unknown;
  try {
    parseBlobHeader(blob);
    openBlob(core, blob, key, ctx);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CiphertextError);
  expect((error as CiphertextError).message).toBe('');
}

const contexts: [string, Record<string, string> | undefined][] = [
  ['no context', undefined],
  ['empty context', {}],
  ['one pair', { purpose: 'test' }],
  ['empty strings', { '': '', k: '' }],
  ['unicode', { clé: 'välue', 日本: '語', emoji: '🔑\u{1F600}' }],
  ['UTF-16 vs UTF-8 order', { '\u{10000}': 'astral', '\uFFFF': 'bmp', a: 'z' }],
];

describe('round trips', () => {
  for (const size of [0, 1, 1217, 2375, 4096]) {
    for (const [name, ctx] of contexts) {
      it(`${size}-byte plaintext, ${name}`, () => {
        const pt = new Uint8Array(randomBytes(size));
        const blob = seal(pt, ctx);
        expect(blob.length).toBe(sealedBlobLength(ARN, MATERIAL_ID, size));
        expect(openBlob(core, blob, material, ctx)).toEqual(pt);
        // Insertion order of the context does not matter.
        const reversed = ctx && Object.fromEntries(Object.entries(ctx).reverse());
        expect(openBlob(core, blob, material, reversed)).toEqual(pt);
      });
    }
  }

  it('{} and undefined are the same context', () => {
    const pt = Uint8Array.of(1, 2, 3);
    expect(openBlob(core, seal(pt, undefined), material, {})).toEqual(pt);
    expect(openBlob(core, seal(pt, {}), material, undefined)).toEqual(pt);
  });

  it('a unicode ARN round trips and parses back', () => {
    const arn = 'arn:aws:kms:us-east-1:111122223333:alias/ключ-🔑';
    const blob = seal(Uint8Array.of(9), undefined, arn);
    expect(parseBlobHeader(blob).keyArn).toBe(arn);
    expect(openBlob(core, blob, material)).toEqual(Uint8Array.of(9));
  });
});

describe('header', () => {
  it('parseBlobHeader returns the version, ARN and key material id', () => {
    expect(parseBlobHeader(seal(new Uint8Array(10)))).toEqual({ version: 1, keyArn: ARN, keyMaterialId: MATERIAL_ID });
  });

  it('two seals of the same input differ in salt, IV and ciphertext', () => {
    const pt = new Uint8Array(64);
    const a = seal(pt, { x: 'y' });
    const b = seal(pt, { x: 'y' });
    expect(a.length).toBe(b.length);
    const h = a.length - 64 - 16 - 44; // start of salt
    expect(hex(a.subarray(h, h + 32))).not.toBe(hex(b.subarray(h, h + 32)));
    expect(hex(a.subarray(h + 32, h + 44))).not.toBe(hex(b.subarray(h + 32, h + 44)));
    expect(hex(a.subarray(h + 44))).not.toBe(hex(b.subarray(h + 44)));
  });

  it('CiphertextError has an empty message and a non-enumerable reason', () => {
    let error: CiphertextError | undefined;
    try {
      parseBlobHeader(new Uint8Array(2));
    } catch (e) {
      error = e as CiphertextError;
    }
    expect(error).toBeInstanceOf(CiphertextError);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toBe('');
    expect(error!.reason).toMatch(/ends inside/);
    expect(Object.keys(error!)).not.toContain('reason');
  });

  it('rejects malformed headers with a reason', () => {
    const good = seal(Uint8Array.of(1));
    const reasonOf = (b: Uint8Array): string => {
      try {
        parseBlobHeader(b);
      } catch (e) {
        expect(e).toBeInstanceOf(CiphertextError);
        return (e as CiphertextError).reason;
      }
      return 'parsed';
    };
    expect(reasonOf(new Uint8Array(0))).toMatch(/ends inside/);
    const v2 = good.slice();
    v2[2] = 2;
    expect(reasonOf(v2)).toMatch(/unknown version/);
    const magic = good.slice();
    magic[0] ^= 1;
    expect(reasonOf(magic)).toMatch(/magic/);
    const long = good.slice();
    long[3] = 0xff;
    expect(reasonOf(long)).toMatch(/ends inside the key ARN/);
    const badUtf8 = good.slice();
    badUtf8[5] = 0xc0; // an overlong lead byte
    expect(reasonOf(badUtf8)).toMatch(/not UTF-8/);
    const surrogate = good.slice();
    surrogate.set([0xed, 0xa0, 0x80], 5); // an encoded surrogate
    expect(reasonOf(surrogate)).toMatch(/not UTF-8/);
    const zeroArn = good.slice();
    zeroArn[3] = 0;
    zeroArn[4] = 0;
    expect(reasonOf(zeroArn)).toMatch(/empty key ARN/);
    const badId = good.slice();
    badId[5 + ARN.length + 1] = 0x20;
    expect(reasonOf(badId)).toMatch(/printable ASCII/);
    expect(reasonOf(good.subarray(0, good.length - 17))).toMatch(/ends inside the tag/);
    expect(reasonOf(good)).toBe('parsed');
  });
});

describe('tampering', () => {
  it('every single-byte change of a small blob is rejected', () => {
    const ctx = { k: 'v' };
    const blob = seal(Uint8Array.of(1, 2, 3, 4, 5), ctx);
    expect(openBlob(core, blob, material, ctx)).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
    for (let i = 0; i < blob.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = blob.slice();
        bad[i] ^= mask;
        expectRejected(bad, ctx);
      }
    }
  });

  it('a sample of single-byte changes of a large blob is rejected', () => {
    const blob = seal(new Uint8Array(randomBytes(2375)), { a: 'b' });
    const positions = new Set<number>();
    for (let i = 0; i < 200; i++) positions.add(i); // the whole header and then some
    for (let i = blob.length - 40; i < blob.length; i++) positions.add(i); // the tag
    for (let i = 0; i < 150; i++) positions.add(Math.floor(Math.random() * blob.length));
    for (const i of positions) {
      const bad = blob.slice();
      bad[i] ^= 1 << (i % 8);
      expectRejected(bad, { a: 'b' });
    }
  });

  it('every truncation is rejected, and so is an extension', () => {
    const ctx = { k: 'v' };
    const blob = seal(new Uint8Array(randomBytes(40)), ctx);
    for (let n = 0; n < blob.length; n++) expectRejected(blob.slice(0, n), ctx);
    const longer = new Uint8Array(blob.length + 1);
    longer.set(blob);
    expectRejected(longer, ctx);
  });

  it('wrong key material is rejected', () => {
    const blob = seal(Uint8Array.of(7));
    const other = material.slice();
    other[31] ^= 1;
    expectRejected(blob, undefined, other);
    expectRejected(blob, undefined, new Uint8Array(32));
  });
});

describe('encryption context', () => {
  it('{"a":"bc"} and {"ab":"c"} encode differently (documented hex)', () => {
    expect(hex(encodeEncryptionContext({ a: 'bc' }))).toBe('00000001' + '00000001' + '61' + '00000002' + '6263');
    expect(hex(encodeEncryptionContext({ ab: 'c' }))).toBe('00000001' + '00000002' + '6162' + '00000001' + '63');
    expect(hex(encodeEncryptionContext({}))).toBe('00000000');
    expect(hex(encodeEncryptionContext(undefined))).toBe('00000000');
  });

  it('{"a":"bc"} and {"ab":"c"} do not decrypt each other', () => {
    const pt = Uint8Array.of(1);
    expectRejected(seal(pt, { a: 'bc' }), { ab: 'c' });
    expectRejected(seal(pt, { ab: 'c' }), { a: 'bc' });
  });

  it('pairs sort by UTF-8 bytes, not UTF-16 code units', () => {
    const ctx = { '\u{10000}': '', '\uFFFF': '' };
    // JavaScript's string order puts U+10000 (D800 DC00) first; byte order puts U+FFFF (EF BF BF) first.
    expect(Object.keys(ctx).sort()[0]).toBe('\u{10000}');
    expect(hex(encodeEncryptionContext(ctx))).toBe(
      '00000002' + '00000003efbfbf' + '00000000' + '00000004f0908080' + '00000000',
    );
  });

  it('an extra pair, a missing pair, a changed case or value fails', () => {
    const ctx = { Department: 'Finance', Project: 'Alpha' };
    const blob = seal(Uint8Array.of(42), ctx);
    expect(openBlob(core, blob, material, { Project: 'Alpha', Department: 'Finance' })).toEqual(Uint8Array.of(42));
    expectRejected(blob, { ...ctx, Extra: 'x' });
    expectRejected(blob, { Department: 'Finance' });
    expectRejected(blob, { department: 'Finance', Project: 'Alpha' });
    expectRejected(blob, { Department: 'finance', Project: 'Alpha' });
    expectRejected(blob, { Department: 'Finance', Project: 'Alpha ' });
    expectRejected(blob, undefined);
    expectRejected(seal(Uint8Array.of(42)), ctx);
  });

  it('refuses lone surrogates when sealing and fails them when opening', () => {
    expect(() => encodeEncryptionContext({ '\uD800': 'x' })).toThrow(TypeError);
    expect(() => encodeEncryptionContext({ k: 'x\uDC00' })).toThrow(TypeError);
    expect(() => seal(Uint8Array.of(1), { k: '\uD800' })).toThrow(TypeError);
    expectRejected(seal(Uint8Array.of(1), { k: '\uFFFD' }), { k: '\uD800' });
  });
});

describe('independent decryption with node:crypto from the documented layout', () => {
  it('HKDF-SHA-256 + AES-256-GCM with the documented offsets and AAD', () => {
    const ctx = { a: 'bc', ü: '\u{10000}' };
    const pt = new Uint8Array(randomBytes(300));
    const blob = seal(pt, ctx);
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);

    // docs/ciphertext-format.md, "Layout"
    expect(blob[0]).toBe(0x57);
    expect(blob[1]).toBe(0x4b);
    expect(blob[2]).toBe(0x01);
    const arnLength = view.getUint16(3);
    expect(new TextDecoder().decode(blob.subarray(5, 5 + arnLength))).toBe(ARN);
    const idLength = blob[5 + arnLength];
    const idStart = 6 + arnLength;
    expect(new TextDecoder().decode(blob.subarray(idStart, idStart + idLength))).toBe(MATERIAL_ID);
    const saltStart = idStart + idLength;
    const salt = blob.subarray(saltStart, saltStart + 32);
    const iv = blob.subarray(saltStart + 32, saltStart + 44);
    const headerLength = saltStart + 44;
    const tag = blob.subarray(blob.length - 16);
    const ciphertext = blob.subarray(headerLength, blob.length - 16);

    // docs: "Encryption context encoding", built here by hand.
    const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const enc = (s: string): number[] => Array.from(new TextEncoder().encode(s));
    const context = Uint8Array.from([
      ...u32(2),
      ...u32(1),
      ...enc('a'),
      ...u32(2),
      ...enc('bc'),
      ...u32(2),
      ...enc('ü'),
      ...u32(4),
      ...enc('\u{10000}'),
    ]);
    expect(hex(encodeEncryptionContext(ctx))).toBe(hex(context));
    const aad = Uint8Array.from([...blob.subarray(0, headerLength), ...context]);

    // docs: "Key derivation": info = ASCII label ‖ version byte.
    expect(HKDF_INFO_LABEL).toBe('wasm-kms private key blob');
    const info = Uint8Array.from([...enc('wasm-kms private key blob'), 0x01]);
    const key = new Uint8Array(hkdfSync('sha256', material, salt, info, 32));
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const out = new Uint8Array([...decipher.update(ciphertext), ...decipher.final()]);
    expect(out).toEqual(pt);
  });
});

describe('size budget', () => {
  it('an RSA_4096 PKCS#8 under a 2048-character ARN fits in 6144 bytes', () => {
    const arn = 'arn:aws:kms:us-east-1:111122223333:alias/' + 'x'.repeat(2048 - 41);
    expect(arn.length).toBe(2048);
    const blob = seal(new Uint8Array(randomBytes(2375)), { purpose: 'x' }, arn);
    expect(blob.length).toBe(BLOB_FIXED_OVERHEAD + 2048 + 64 + 2375);
    expect(blob.length).toBe(4553);
    expect(blob.length).toBeLessThanOrEqual(MAX_CIPHERTEXT_BLOB_BYTES);
    expect(parseBlobHeader(blob).keyArn).toBe(arn);
  });

  it('refuses an ARN over 2048 characters and bad key material', () => {
    expect(() => seal(Uint8Array.of(1), undefined, 'a'.repeat(2049))).toThrow(RangeError);
    expect(() => seal(Uint8Array.of(1), undefined, '')).toThrow(RangeError);
    expect(() =>
      sealBlob(core, {
        keyArn: ARN,
        keyMaterialId: MATERIAL_ID,
        keyMaterial: new Uint8Array(16),
        plaintext: new Uint8Array(1),
      }),
    ).toThrow(RangeError);
  });
});
