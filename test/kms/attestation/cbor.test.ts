// The strict CBOR decoder of the attestation verifier (src/kms/attestation/cbor.ts): RFC 8949
// Appendix A examples of the types it takes, definite and indefinite lengths, and the inputs it
// refuses (trailing bytes, duplicate keys, deep nesting, truncation, lengths beyond the input,
// floats and other simple values, invalid UTF-8).
import { describe, expect, it } from 'vitest';
import { CborError, CborMap, CborTagged, decodeCbor, type CborValue } from '../../../src/kms/attestation/cbor.js';
import { hex, unhex } from '../../helpers/hex.js';
import { readVector } from '../../helpers/vectors.js';

const dec = (h: string): CborValue => decodeCbor(unhex(h));
const refusal = (h: string | Uint8Array): string => {
  try {
    decodeCbor(typeof h === 'string' ? unhex(h) : h);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(CborError);
    return (err as Error).message;
  }
};

/** A plain view of a decoded value for toEqual. */
function plain(v: CborValue): unknown {
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof CborMap) return { map: v.entries.map(([k, x]) => [plain(k), plain(x)]) };
  if (v instanceof CborTagged) return { tag: v.tag, value: plain(v.value) };
  return v;
}

describe('CBOR decoding (RFC 8949 Appendix A examples)', () => {
  it('integers, including 64-bit ones as bigints', () => {
    expect(dec('00')).toBe(0);
    expect(dec('17')).toBe(23);
    expect(dec('1818')).toBe(24);
    expect(dec('1903e8')).toBe(1000);
    expect(dec('1a000f4240')).toBe(1000000);
    expect(dec('1b000000e8d4a51000')).toBe(1000000000000);
    expect(dec('1b001fffffffffffff')).toBe(Number.MAX_SAFE_INTEGER);
    expect(dec('1b0020000000000000')).toBe(2n ** 53n);
    expect(dec('1bffffffffffffffff')).toBe(18446744073709551615n);
    expect(dec('20')).toBe(-1);
    expect(dec('3863')).toBe(-100);
    expect(dec('3903e7')).toBe(-1000);
    expect(dec('3bffffffffffffffff')).toBe(-18446744073709551616n);
    expect(dec('3822')).toBe(-35);
  });

  it('simple values false, true, null', () => {
    expect(dec('f4')).toBe(false);
    expect(dec('f5')).toBe(true);
    expect(dec('f6')).toBe(null);
  });

  it('byte and text strings, definite and indefinite', () => {
    expect(plain(dec('40'))).toEqual({ bytes: '' });
    expect(plain(dec('4401020304'))).toEqual({ bytes: '01020304' });
    expect(dec('60')).toBe('');
    expect(dec('6449455446')).toBe('IETF');
    expect(dec('62c3bc')).toBe('\u00fc');
    expect(dec('64f0908591')).toBe('\u{10151}');
    expect(plain(dec('5f42010243030405ff'))).toEqual({ bytes: '0102030405' });
    expect(dec('7f657374726561646d696e67ff')).toBe('streaming');
    expect(plain(dec('5fff'))).toEqual({ bytes: '' });
  });

  it('arrays and maps, definite and indefinite, nested', () => {
    expect(plain(dec('83010203'))).toEqual([1, 2, 3]);
    expect(plain(dec('8301820203820405'))).toEqual([1, [2, 3], [4, 5]]);
    expect(plain(dec('9f018202039f0405ffff'))).toEqual([1, [2, 3], [4, 5]]);
    expect(plain(dec('83018202039f0405ff'))).toEqual([1, [2, 3], [4, 5]]);
    expect(plain(dec('9fff'))).toEqual([]);
    expect(plain(dec('a201020304'))).toEqual({
      map: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(plain(dec('a26161016162820203'))).toEqual({
      map: [
        ['a', 1],
        ['b', [2, 3]],
      ],
    });
    expect(plain(dec('bf61610161629f0203ffff'))).toEqual({
      map: [
        ['a', 1],
        ['b', [2, 3]],
      ],
    });
    const m = dec('a2616101616202') as CborMap;
    expect([m.get('a'), m.get('b'), m.get('c'), m.has('a'), m.size]).toEqual([1, 2, undefined, true, 2]);
  });

  it('tags (COSE_Sign1 tag 18)', () => {
    expect(plain(dec('d28440a04040'))).toEqual({
      tag: 18,
      value: [{ bytes: '' }, { map: [] }, { bytes: '' }, { bytes: '' }],
    });
    expect(plain(dec('c11a514b67b0'))).toEqual({ tag: 1, value: 1363896240 });
  });

  it('a real attestation document (its outer COSE_Sign1 array)', () => {
    const doc = decodeCbor(readVector('nitro/capejs-key-attestation-2022-09-28.cose')) as CborValue[];
    expect(doc.length).toBe(4);
    expect(plain(doc[0])).toEqual({ bytes: 'a1013822' });
    expect(plain(doc[1])).toEqual({ map: [] });
    expect((doc[3] as Uint8Array).length).toBe(96);
    const payload = decodeCbor(doc[2] as Uint8Array) as CborMap;
    expect(payload.entries.map(([k]) => k)).toEqual([
      'module_id',
      'digest',
      'timestamp',
      'pcrs',
      'certificate',
      'cabundle',
      'public_key',
      'user_data',
      'nonce',
    ]);
  });
});

describe('CBOR refusals', () => {
  it('trailing bytes after the item', () => {
    expect(refusal('0000')).toMatch(/1 trailing byte/);
    expect(refusal('83010203ff')).toMatch(/trailing/);
  });

  it('duplicate map keys (by value), definite and indefinite maps', () => {
    expect(refusal('a201020103')).toMatch(/duplicate map key/);
    expect(refusal('a2616101616102')).toMatch(/duplicate map key/);
    expect(refusal('bf616101616102ff')).toMatch(/duplicate map key/);
    // Same value, different encodings of the key (1 and 1 written in two bytes).
    expect(refusal('a20102180103')).toMatch(/duplicate map key/);
    // A text key "1" and an integer key 1 are different keys.
    expect(plain(dec('a2613101010a'))).toEqual({
      map: [
        ['1', 1],
        [1, 10],
      ],
    });
  });

  it('nesting deeper than the limit (16 by default; configurable)', () => {
    const nested = (n: number): Uint8Array => Uint8Array.of(...new Array(n).fill(0x81), 0x00);
    expect(refusal(nested(16))).toBe('accepted');
    expect(refusal(nested(17))).toMatch(/nesting deeper than 16/);
    expect(refusal(Uint8Array.of(...new Array(100000).fill(0x9f)))).toMatch(/nesting/);
    expect(refusal(Uint8Array.of(...new Array(17).fill(0xa1).flatMap((b) => [b, 0x00]), 0x00))).toMatch(/nesting/);
    expect(refusal(Uint8Array.of(...new Array(17).fill(0xd2), 0x00))).toMatch(/nesting/);
    expect(() => decodeCbor(nested(3), { maxDepth: 2 })).toThrow(/nesting deeper than 2/);
  });

  it('truncated items and lengths beyond the input', () => {
    expect(refusal('')).toMatch(/truncated/);
    expect(refusal('19')).toMatch(/truncated/);
    expect(refusal('1b0000')).toMatch(/truncated/);
    expect(refusal('44010203')).toMatch(/beyond the end/);
    expect(refusal('5bffffffffffffffff')).toMatch(/beyond the end/);
    expect(refusal('5a7fffffff')).toMatch(/beyond the end/);
    expect(refusal('9b00000000ffffffff00')).toMatch(/beyond the end/);
    expect(refusal('bb00000000ffffffff0000')).toMatch(/beyond the end/);
    expect(refusal('830102')).toMatch(/beyond the end/);
    expect(refusal('83010203')).toBe('accepted');
    expect(refusal('8301029f')).toMatch(/truncated/);
    expect(refusal('a10102a1')).toMatch(/trailing|truncated/);
    expect(refusal('a201')).toMatch(/beyond the end|truncated/);
    expect(refusal('9f0102')).toMatch(/without its break/);
    expect(refusal('5f4101')).toMatch(/without its break/);
    expect(refusal('bf6161')).toMatch(/truncated|break/);
  });

  it('what COSE and the attestation document never use: floats, undefined, other simple values, reserved forms', () => {
    for (const h of [
      'f7',
      'f0',
      'f818',
      'f93c00',
      'fa47c35000',
      'fb3ff199999999999a',
      '1c',
      '1d',
      '1e',
      '3c',
      'ff',
      '1f',
      '3f',
      'df00',
    ]) {
      expect([h, refusal(h)]).not.toEqual([h, 'accepted']);
    }
  });

  it('map keys that are not integers or text: byte strings, arrays, maps, tags, simple values', () => {
    for (const h of ['a1410000', 'a1800000', 'a1a000', 'a1c10000', 'a1f500', 'a1f600', 'bf410000ff', 'a20000a10000']) {
      expect([h, refusal(h)]).toEqual([h, expect.stringMatching(/map key is not an integer or a text string/)]);
    }
    // Integer keys beyond 2^53 compare by value too.
    expect(refusal('a2' + '1b0020000000000000' + '00' + '1b0020000000000000' + '01')).toMatch(/duplicate map key/);
    expect(refusal('a2' + '1b0020000000000000' + '00' + '1b0020000000000001' + '01')).toBe('accepted');
    expect(refusal('a2' + '01' + '00' + '1b0000000000000001' + '02')).toMatch(/duplicate map key/);
  });

  it('more elements than maxEntries, definite and indefinite', () => {
    expect(() => decodeCbor(unhex('83010203'), { maxEntries: 3 })).not.toThrow();
    expect(() => decodeCbor(unhex('83010203'), { maxEntries: 2 })).toThrow(/more than 2 elements/);
    expect(() => decodeCbor(unhex('9f010203ff'), { maxEntries: 2 })).toThrow(/more than 2 elements/);
    expect(() => decodeCbor(unhex('a201020304'), { maxEntries: 1 })).toThrow(/more than 1 elements/);
    expect(() => decodeCbor(unhex('bf01020304ff'), { maxEntries: 1 })).toThrow(/more than 1 elements/);
    expect(() => decodeCbor(unhex('bf01020304ff'), { maxEntries: 2 })).not.toThrow();
  });

  it('shortestDefinite: heads not in their shortest form and indefinite lengths refused', () => {
    const strict = (h: string): string => {
      try {
        decodeCbor(unhex(h), { shortestDefinite: true });
        return 'accepted';
      } catch (err) {
        expect(err).toBeInstanceOf(CborError);
        return (err as Error).message;
      }
    };
    for (const h of [
      '1817',
      '1900ff',
      '1a0000ffff',
      '1b00000000ffffffff',
      '3817',
      '5800',
      '7800',
      '9800',
      'b800',
      'd81200',
    ]) {
      expect([h, strict(h)]).toEqual([h, expect.stringMatching(/not in its shortest form/)]);
      expect([h, refusal(h)]).not.toEqual([h, expect.stringMatching(/shortest/)]); // accepted by default
    }
    for (const h of ['5fff', '7fff', '9fff', 'bfff']) {
      expect([h, strict(h)]).toEqual([h, expect.stringMatching(/indefinite length/)]);
    }
    for (const h of ['17', '1818', '190100', '1a00010000', '1b0000000100000000', '3818', 'd2a0', '8440a04040']) {
      expect([h, strict(h)]).toEqual([h, 'accepted']);
    }
  });

  it('many chunks are joined once, in order', () => {
    const chunks = new Uint8Array(200_002).fill(0x40);
    chunks[0] = 0x5f;
    chunks[1000] = 0x41; // one chunk of one byte: 0x40 (the byte after its head)
    chunks[chunks.length - 1] = 0xff;
    expect(plain(decodeCbor(chunks))).toEqual({ bytes: '40' });
    expect(dec('7f6161626263ff')).toBe('abc');
    // A long chunk (copied whole) between short ones (copied byte by byte).
    const long = Array.from({ length: 100 }, (_, i) => i);
    const mixed = Uint8Array.of(0x5f, 0x41, 0xaa, 0x58, 100, ...long, 0x40, 0x42, 0xbb, 0xcc, 0xff);
    expect(plain(decodeCbor(mixed))).toEqual({ bytes: hex(Uint8Array.of(0xaa, ...long, 0xbb, 0xcc)) });
  });

  it('bad chunks in indefinite-length strings, invalid UTF-8', () => {
    expect(refusal('5f6161ff')).toMatch(/bad chunk/); // text chunk in a byte string
    expect(refusal('7f4161ff')).toMatch(/bad chunk/);
    expect(refusal('5f5f4101ffff')).toMatch(/bad chunk/); // nested indefinite chunk
    expect(refusal('62c328')).toMatch(/UTF-8/);
    expect(refusal('61ff')).toMatch(/UTF-8/);
    expect(refusal('7f61c361bcff')).toMatch(/UTF-8/); // a character split across chunks
    expect(refusal('7f62e28261acff')).toMatch(/UTF-8/); // split 2 + 1
    expect(refusal('7f62e282ff')).toMatch(/UTF-8/); // the last chunk ends inside a character
    expect(refusal('7f62e28261aaff')).toMatch(/UTF-8/);
    expect(dec('7f63e282ac6062c3bcff')).toBe('\u20ac\u00fc'); // whole characters, an empty chunk
  });
});
