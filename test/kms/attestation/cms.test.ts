// CMS EnvelopedData for attested enclaves (src/kms/attestation/cms.ts), checked by independent code:
//   - the two KMS envelopes of test/vectors/nitro/kms-cms-envelopeddata-parse.json: parseEnvelope
//     extracts exactly the fields the file lists (constructed and primitive content forms), and our
//     envelope for a 2048-bit key has their bytes except for the key id, keys, IV and ciphertext;
//   - envelopes for fresh RSA-2048/3072/4096 keys (node:crypto) with contents of 0, 1, 16 and 32
//     bytes and the PKCS#8 of every data key pair spec: `openssl cms -decrypt` gives back exactly the
//     content; so does node:crypto alone (RSAES-OAEP-SHA-256 and aes-256-cbc) on the fields that
//     `openssl cms -cmsout -print` reports; so does openEnvelope;
//   - the wrong private key does not open an envelope (ours and OpenSSL's); keys that are not RSA,
//     are not 2048 to 4096 bits, have an even modulus or an exponent that is even, below 3 or 2^64
//     or more are refused with RecipientKeyError, by envelopeForRecipient and recipientKeyCheck;
//   - parseEnvelope reads DER (OpenSSL's re-encoding) and BER with segmented, nested and long-form
//     content as the same fields, and refuses malformed envelopes with CmsError.

import { spawnSync } from 'node:child_process';
import { constants, createDecipheriv, createHash, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CMS_OIDS,
  CmsError,
  RecipientKeyError,
  envelopeForRecipient,
  openEnvelope,
  parseEnvelope,
  recipientKeyCheck,
  type ParsedEnvelope,
} from '../../../src/kms/attestation/cms.js';
import { KEY_PAIR_SPECS, generateKeyPair } from '../../../src/core/index.js';
import { enclaveKeyPair } from '../../helpers/nitro.js';
import { readVectorJson } from '../../helpers/vectors.js';
import { hex, unhex } from '../../helpers/hex.js';

interface CmsVectorFile {
  vectors: {
    name: string;
    ber_hex: string;
    structure: { rid_subjectKeyIdentifier_hex: string; encrypted_content_form: string };
    expected: { encrypted_key_hex: string; iv_hex: string; ciphertext_hex: string; ciphertext_bytes: number };
  }[];
}
const VECTORS = readVectorJson<CmsVectorFile>('nitro/kms-cms-envelopeddata-parse.json').vectors;

type KeyPair = { spki: Uint8Array; pkcs8: Uint8Array; pem: string };
const KEYS: Record<number, KeyPair> = {};
let dir: string;

beforeAll(() => {
  for (const bits of [2048, 3072, 4096]) KEYS[bits] = enclaveKeyPair(bits);
  dir = mkdtempSync(join(tmpdir(), 'wasm-kms-cms-'));
  for (const bits of [2048, 3072, 4096]) writeFileSync(join(dir, `key${bits}.pem`), KEYS[bits]!.pem);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function tempFile(bytes: Uint8Array): string {
  const path = join(dir, `in${fileCount++}.der`);
  writeFileSync(path, bytes);
  return path;
}

/** `openssl cms -decrypt` with the private key in `keyFile`: its exit status and output. */
function opensslDecrypt(cms: Uint8Array, keyFile: string): { status: number | null; out: Uint8Array } {
  const r = spawnSync('openssl', [
    'cms',
    '-decrypt',
    '-inform',
    'DER',
    '-in',
    tempFile(cms),
    '-inkey',
    keyFile,
    '-binary',
  ]);
  return { status: r.status, out: new Uint8Array(r.stdout) };
}

/** The bytes of the hex dump lines that follow line `at` in OpenSSL's print ("0000 - 70 87 b5 ...-5c ..."). */
function dumpAfter(lines: string[], at: number): Uint8Array {
  let h = '';
  for (let i = at + 1; i < lines.length; i++) {
    const m = /^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -])*[0-9a-f]{2})/.exec(lines[i]!);
    if (!m) break;
    h += m[1]!.replace(/[ -]/g, '');
  }
  return unhex(h);
}

/** The fields of an envelope as `openssl cms -cmsout -print` reports them (an independent parser). */
function opensslFields(cms: Uint8Array): ParsedEnvelope & { oaepParameters: string } {
  const r = spawnSync('openssl', ['cms', '-cmsout', '-print', '-noout', '-inform', 'DER', '-in', tempFile(cms)], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const find = (re: RegExp, from = 0): number => {
    const i = lines.findIndex((l, j) => j >= from && re.test(l));
    expect(i, String(re)).toBeGreaterThanOrEqual(0);
    return i;
  };
  const oid = (i: number): string => /\(([0-9.]+)\)/.exec(lines[i]!)![1]!;
  const kea = find(/keyEncryptionAlgorithm:/);
  const ek = find(/^\s*encryptedKey:/);
  const cea = find(/contentEncryptionAlgorithm:/);
  return {
    recipientKeyId: dumpAfter(lines, find(/d\.subjectKeyIdentifier:/)),
    keyEncryptionAlgorithm: oid(kea + 1),
    oaepParameters: lines.slice(kea + 2, ek).join('\n'),
    encryptedKey: dumpAfter(lines, ek),
    contentEncryptionAlgorithm: oid(cea + 1),
    iv: dumpAfter(lines, find(/parameter: OCTET STRING:/, cea)),
    encryptedContent: dumpAfter(lines, find(/^\s*encryptedContent:/, cea)),
  };
}

/** node:crypto alone on the fields: RSAES-OAEP-SHA-256 for the CEK, then aes-256-cbc. */
function nodeOpen(f: ParsedEnvelope, pem: string): Uint8Array {
  const cek = privateDecrypt(
    { key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    f.encryptedKey,
  );
  expect(cek.length).toBe(32);
  const d = createDecipheriv('aes-256-cbc', cek, f.iv);
  return new Uint8Array(Buffer.concat([d.update(f.encryptedContent), d.final()]));
}

const fieldsHex = (f: ParsedEnvelope): Record<string, string> => ({
  recipientKeyId: hex(f.recipientKeyId),
  keyEncryptionAlgorithm: f.keyEncryptionAlgorithm,
  encryptedKey: hex(f.encryptedKey),
  contentEncryptionAlgorithm: f.contentEncryptionAlgorithm,
  iv: hex(f.iv),
  encryptedContent: hex(f.encryptedContent),
});

describe('parseEnvelope on the KMS envelopes of the AWS Nitro Enclaves SDK', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('%s: exactly the listed fields', (_name, v) => {
    const f = parseEnvelope(unhex(v.ber_hex));
    expect(fieldsHex(f)).toEqual({
      recipientKeyId: v.structure.rid_subjectKeyIdentifier_hex,
      keyEncryptionAlgorithm: CMS_OIDS.rsaesOaep,
      encryptedKey: v.expected.encrypted_key_hex,
      contentEncryptionAlgorithm: CMS_OIDS.aes256Cbc,
      iv: v.expected.iv_hex,
      encryptedContent: v.expected.ciphertext_hex,
    });
    expect(f.encryptedContent.length).toBe(v.expected.ciphertext_bytes);
    // OpenSSL's reading of the same envelope (which checks the print reader used below).
    const o = opensslFields(unhex(v.ber_hex));
    expect(fieldsHex(o)).toEqual(fieldsHex(f));
    expect(o.oaepParameters).toMatch(/:sha256[\s\S]*:mgf1[\s\S]*:sha256/);
  });

  it('covers both content forms', () => {
    expect(VECTORS.map((v) => v.structure.encrypted_content_form.split(' ')[1])).toEqual(['constructed,', 'primitive']);
  });
});

describe('envelopeForRecipient: the shape KMS returns', () => {
  it('has the bytes of the first KMS envelope but for the key id, encrypted key, IV and ciphertext', () => {
    const kms = unhex(VECTORS[0]!.ber_hex);
    const k = KEYS[2048]!;
    // 33..47 bytes of content give 48 bytes of ciphertext, as in the KMS envelope.
    const ours = envelopeForRecipient(k.spki, new Uint8Array(40).fill(7));
    expect(ours.length).toBe(kms.length);
    const mask = (b: Uint8Array, f: ParsedEnvelope): string => {
      let h = hex(b);
      for (const part of [f.recipientKeyId, f.encryptedKey, f.iv, f.encryptedContent]) {
        const at = h.indexOf(hex(part));
        expect(at).toBeGreaterThan(0);
        h = h.slice(0, at) + '..'.repeat(part.length) + h.slice(at + 2 * part.length);
      }
      return h;
    };
    expect(mask(ours, parseEnvelope(ours))).toBe(mask(kms, parseEnvelope(kms)));
  });

  it('identifies the recipient by the SHA-256 of its SubjectPublicKeyInfo', () => {
    for (const bits of [2048, 3072, 4096]) {
      const k = KEYS[bits]!;
      const f = parseEnvelope(envelopeForRecipient(k.spki, new Uint8Array(3)));
      expect(hex(f.recipientKeyId)).toBe(createHash('sha256').update(k.spki).digest('hex'));
      expect(f.encryptedKey.length).toBe(bits / 8);
      expect(f.iv.length).toBe(16);
    }
  });

  it('draws a fresh CEK and IV for every envelope', () => {
    const k = KEYS[2048]!;
    const content = new Uint8Array(32).fill(1);
    const a = parseEnvelope(envelopeForRecipient(k.spki, content));
    const b = parseEnvelope(envelopeForRecipient(k.spki, content));
    expect(hex(a.iv)).not.toBe(hex(b.iv));
    expect(hex(a.encryptedContent)).not.toBe(hex(b.encryptedContent));
    expect(hex(a.encryptedKey)).not.toBe(hex(b.encryptedKey));
    const cekA = privateDecrypt(
      { key: k.pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      a.encryptedKey,
    );
    const cekB = privateDecrypt(
      { key: k.pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      b.encryptedKey,
    );
    expect(cekA.equals(cekB)).toBe(false);
  });
});

// The contents: small sizes, and the PKCS#8 of every data key pair spec (what GenerateDataKeyPair
// puts in CiphertextForRecipient; RSA_4096's is about 2.4 KB).
const CONTENTS: [string, Uint8Array][] = [
  ['0 bytes', new Uint8Array(0)],
  ['1 byte', Uint8Array.of(0x42)],
  ['16 bytes', new Uint8Array(16).map((_, i) => i)],
  ['32 bytes', new Uint8Array(32).map((_, i) => 255 - i)],
];

let specContents: [string, Uint8Array][] | undefined;
function allContents(): [string, Uint8Array][] {
  specContents ??= KEY_PAIR_SPECS.map((spec) => {
    const pkcs8 = generateKeyPair(spec).privateKey;
    return [`${spec} PKCS#8 (${pkcs8.length} bytes)`, pkcs8];
  });
  return [...CONTENTS, ...specContents];
}

describe.each([2048, 3072, 4096])('an envelope for an RSA-%i enclave key', (bits) => {
  it('opens with openssl cms -decrypt, with node:crypto on OpenSSL-parsed fields, and with openEnvelope', () => {
    const k = KEYS[bits]!;
    const contents = allContents();
    expect(Math.max(...contents.map(([, c]) => c.length))).toBeGreaterThan(2300);
    for (const [what, content] of contents) {
      const cms = envelopeForRecipient(k.spki, content);
      const ossl = opensslDecrypt(cms, join(dir, `key${bits}.pem`));
      expect(ossl.status, what).toBe(0);
      expect(hex(ossl.out), what).toBe(hex(content));
      const fields = opensslFields(cms);
      expect(fieldsHex(fields), what).toEqual(fieldsHex(parseEnvelope(cms)));
      expect(fields.oaepParameters).toMatch(/:sha256[\s\S]*:mgf1[\s\S]*:sha256/);
      expect(hex(nodeOpen(fields, k.pem)), what).toBe(hex(content));
      expect(hex(openEnvelope(cms, k.pkcs8)), what).toBe(hex(content));
    }
  });

  it('does not open with another key', () => {
    const k = KEYS[bits]!;
    const other = bits === 2048 ? KEYS[3072]! : KEYS[2048]!;
    const content = new Uint8Array(32).fill(9);
    const cms = envelopeForRecipient(k.spki, content);
    expect(() => openEnvelope(cms, other.pkcs8)).toThrow(CmsError);
    expect(() => openEnvelope(cms, other.pkcs8)).toThrow('does not open with this key');
    const ossl = opensslDecrypt(cms, join(dir, `key${bits === 2048 ? 3072 : 2048}.pem`));
    expect(ossl.status !== 0 || hex(ossl.out) !== hex(content)).toBe(true);
    // A changed encrypted key does not open either.
    const f = parseEnvelope(cms);
    const at = hex(cms).indexOf(hex(f.encryptedKey)) / 2;
    const bad = cms.slice();
    bad[at + 10]! ^= 1;
    expect(() => openEnvelope(bad, k.pkcs8)).toThrow(CmsError);
  });
});

describe('recipient keys that are refused', () => {
  const refused = (spki: Uint8Array): unknown => {
    try {
      envelopeForRecipient(spki, new Uint8Array(4));
    } catch (err) {
      return err;
    }
    return undefined;
  };
  const checkRefusal = (spki: Uint8Array): unknown => {
    try {
      recipientKeyCheck(spki);
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('refuses a non-RSA SubjectPublicKeyInfo with RecipientKeyError', () => {
    const spkiOf = (kp: { publicKey: { export(o: { type: 'spki'; format: 'der' }): Buffer } }): Uint8Array =>
      new Uint8Array(kp.publicKey.export({ type: 'spki', format: 'der' }));
    const keys = {
      'P-256': spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
      'P-384': spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
      Ed25519: spkiOf(generateKeyPairSync('ed25519')),
      'RSA-PSS': spkiOf(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })),
      X25519: spkiOf(generateKeyPairSync('x25519')),
      'raw 32 bytes (as in real documents)': new Uint8Array(32).fill(1),
      empty: new Uint8Array(0),
      'PKCS#8 instead of SPKI': KEYS[2048]!.pkcs8,
    };
    for (const [what, spki] of Object.entries(keys)) {
      const err = refused(spki);
      expect(err, what).toBeInstanceOf(RecipientKeyError);
      expect((err as Error).message, what).toMatch(/RSA SubjectPublicKeyInfo/);
    }
  });

  it('refuses RSA keys below 2048 or above 4096 bits with RecipientKeyError', () => {
    for (const bits of [1024, 1536, 2040]) {
      const k = generateKeyPairSync('rsa', { modulusLength: bits });
      const err = refused(new Uint8Array(k.publicKey.export({ type: 'spki', format: 'der' })));
      expect(err, `${bits}`).toBeInstanceOf(RecipientKeyError);
      expect((err as Error).message).toContain(`${bits} bits`);
    }
    // 4104 bits: a SubjectPublicKeyInfo around an odd modulus of that size (no key needed to refuse it).
    const n = new Uint8Array(514).fill(0xff);
    n[0] = 0;
    const spki = unhex(
      '30820223300d06092a864886f70d01010105000382021000' + '3082020b' + '02820202' + hex(n) + '0203010001',
    );
    const err = refused(spki);
    expect(err).toBeInstanceOf(RecipientKeyError);
    expect((err as Error).message).toContain('4104 bits');
  });

  it('refuses an even modulus, and an exponent that is even, below 3 or 2^64 or more; recipientKeyCheck refuses the same', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const n = BigInt(`0x${Buffer.from(publicKey.export({ format: 'jwk' }).n!, 'base64url').toString('hex')}`);
    // RSAPublicKey written here: INTEGER n (257 bytes with its leading zero), INTEGER e.
    const integer = (v: bigint): string => {
      let h = v.toString(16);
      if (h.length % 2 === 1) h = `0${h}`;
      if (parseInt(h.slice(0, 2), 16) >= 0x80) h = `00${h}`;
      const len = h.length / 2;
      return `02${len < 0x80 ? len.toString(16).padStart(2, '0') : `820${len.toString(16)}`}${h}`;
    };
    const spkiOf = (m: bigint, e: bigint): Uint8Array => {
      const key = integer(m) + integer(e);
      const keyLen = key.length / 2;
      const bitString =
        `0382${(keyLen + 5).toString(16).padStart(4, '0')}00` + `3082${keyLen.toString(16).padStart(4, '0')}${key}`;
      const body = '300d06092a864886f70d0101010500' + bitString;
      return unhex(`3082${(body.length / 2).toString(16).padStart(4, '0')}${body}`);
    };
    expect(hex(spkiOf(n, 65537n))).toBe(hex(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))));
    const cases: [string, Uint8Array, RegExp][] = [
      ['e = 1', spkiOf(n, 1n), /public exponent/],
      ['e = 2', spkiOf(n, 2n), /public exponent/],
      ['e = 65536', spkiOf(n, 65536n), /public exponent/],
      ['e = 2^64 + 1', spkiOf(n, (1n << 64n) + 1n), /public exponent/],
      ['even modulus', spkiOf(n - 1n, 65537n), /modulus of the recipient public key is even/],
    ];
    for (const [what, spki, message] of cases) {
      for (const err of [refused(spki), checkRefusal(spki)]) {
        expect(err, what).toBeInstanceOf(RecipientKeyError);
        expect((err as Error).message, what).toMatch(message);
      }
    }
    expect(recipientKeyCheck(spkiOf(n, 3n))).toBe(2048);
    expect(recipientKeyCheck(spkiOf(n, (1n << 64n) - 1n))).toBe(2048);
    expect(recipientKeyCheck(KEYS[4096]!.spki)).toBe(4096);
  });

  it('takes RSA keys of 2048 to 4096 bits, odd sizes included', () => {
    const k = generateKeyPairSync('rsa', { modulusLength: 2056 });
    const spki = new Uint8Array(k.publicKey.export({ type: 'spki', format: 'der' }));
    const pkcs8 = new Uint8Array(k.privateKey.export({ type: 'pkcs8', format: 'der' }));
    expect(hex(openEnvelope(envelopeForRecipient(spki, Uint8Array.of(1, 2, 3)), pkcs8))).toBe('010203');
  });
});

// ---- BER forms and malformed envelopes -----------------------------------------------------------

/** A BER length in the long form with `extra` leading zero octets (allowed in BER, not in DER). */
function berLength(n: number, extra = 0): number[] {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  for (let i = 0; i < extra; i++) bytes.unshift(0);
  return [0x80 | bytes.length, ...bytes];
}
const tlv = (tag: number, body: Uint8Array, extra = 1): Uint8Array =>
  Uint8Array.from([tag, ...berLength(body.length, extra), ...body]);
const indef = (tag: number, ...parts: Uint8Array[]): Uint8Array =>
  Uint8Array.from([tag, 0x80, ...parts.flatMap((p) => [...p]), 0, 0]);
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

/** Where our envelope's recipientInfos SET starts: after 30 80, the contentType, a0 80, 30 80 and the version. */
const SET_AT = 20;

/** Our envelope split around its recipientInfos SET (30 82 LL LL) and the one KeyTransRecipientInfo in it. */
function splitAtRecipients(cms: Uint8Array): { head: Uint8Array; ktri: Uint8Array; tail: Uint8Array } {
  expect(hex(cms.subarray(SET_AT, SET_AT + 2))).toBe('3182');
  const setLen = (cms[SET_AT + 2]! << 8) | cms[SET_AT + 3]!;
  return {
    head: cms.subarray(0, SET_AT),
    ktri: cms.subarray(SET_AT + 4, SET_AT + 4 + setLen),
    tail: cms.subarray(SET_AT + 4 + setLen),
  };
}

/** Our envelope with `from` replaced by `to` (hex) inside the KeyTransRecipientInfo, lengths redone. */
function editRecipient(cms: Uint8Array, from: string, to: string): Uint8Array {
  const { head, ktri, tail } = splitAtRecipients(cms);
  const body = hex(ktri.subarray(4));
  expect(body).toContain(from);
  return cat(head, tlv(0x31, tlv(0x30, unhex(body.replace(from, to)))), tail);
}

describe('parseEnvelope: BER and DER forms, and malformed envelopes', () => {
  it('reads the DER that OpenSSL re-encodes our envelope to, as the same fields', () => {
    const cms = envelopeForRecipient(KEYS[2048]!.spki, new Uint8Array(100).fill(3));
    const r = spawnSync('openssl', ['cms', '-cmsout', '-inform', 'DER', '-outform', 'DER', '-in', tempFile(cms)]);
    expect(r.status).toBe(0);
    const der = new Uint8Array(r.stdout);
    expect(der[1]).not.toBe(0x80); // definite lengths
    expect(der.length).toBeLessThan(cms.length);
    expect(fieldsHex(parseEnvelope(der))).toEqual(fieldsHex(parseEnvelope(cms)));
    expect(hex(openEnvelope(der, KEYS[2048]!.pkcs8))).toBe(hex(new Uint8Array(100).fill(3)));
  });

  it('reads the content in segments, nested, with long-form lengths, as OpenSSL does', () => {
    const k = KEYS[2048]!;
    const content = new Uint8Array(200).map((_, i) => i);
    const cms = envelopeForRecipient(k.spki, content);
    const f = parseEnvelope(cms);
    // Rebuild around our fields: definite-length, long-form ContentInfo; the content in three
    // segments, the middle one itself constructed of two.
    const c = f.encryptedContent;
    const segments = indef(
      0xa0,
      tlv(0x04, c.subarray(0, 16)),
      indef(0x24, tlv(0x04, c.subarray(16, 100), 2), tlv(0x04, c.subarray(100, 112))),
      tlv(0x04, c.subarray(112)),
    );
    const { ktri } = splitAtRecipients(cms);
    const recipientInfos = tlv(0x31, ktri, 0);
    const eci = indef(
      0x30,
      unhex('06092a864886f70d010701'),
      tlv(0x30, cat(unhex('060960864801650304012a'), tlv(0x04, f.iv, 0))),
      segments,
    );
    const ed = tlv(0x30, cat(unhex('020102'), recipientInfos, eci), 2);
    const rebuilt = tlv(0x30, cat(unhex('06092a864886f70d010703'), tlv(0xa0, ed, 1)), 3);
    expect(fieldsHex(parseEnvelope(rebuilt))).toEqual(fieldsHex(f));
    expect(hex(openEnvelope(rebuilt, k.pkcs8))).toBe(hex(content));
    const ossl = opensslDecrypt(rebuilt, join(dir, 'key2048.pem'));
    expect(ossl.status).toBe(0);
    expect(hex(ossl.out)).toBe(hex(content));
  });

  it('refuses malformed envelopes with CmsError naming the field', () => {
    const cms = envelopeForRecipient(KEYS[2048]!.spki, new Uint8Array(20));
    const h = hex(cms);
    const edit = (from: string, to: string): Uint8Array => {
      expect(h.includes(from), from).toBe(true);
      return unhex(h.replace(from, to));
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /truncated/],
      ['truncated', cms.subarray(0, cms.length - 1), /truncated/],
      ['trailing byte', cat(cms, Uint8Array.of(0)), /after its end/],
      ['not a SEQUENCE', cat(Uint8Array.of(0x31), cms.subarray(1)), /ContentInfo/],
      ['signedData', edit('2a864886f70d010703', '2a864886f70d010702'), /contentType/],
      ['enveloped version 3', edit('3080020102', '3080020103'), /version 3/],
      ['KTRI version 0', edit('0201028020', '0201008020'), /recipient version 0/],
      ['rid not [0]', edit('0201028020', '0201020420'), /subjectKeyIdentifier/],
      ['encrypted content type', edit('2a864886f70d010701', '2a864886f70d010702'), /id-data/],
      ['IV not an OCTET STRING', edit('2a0410', '2a0510'), /IV/],
      ['high tag number', cat(Uint8Array.of(0x3f), cms.subarray(1)), /high tag/],
    ];
    // Two recipients: the SET holding the same KeyTransRecipientInfo twice.
    const { head, ktri, tail } = splitAtRecipients(cms);
    cases.push(['two recipients', cat(head, tlv(0x31, cat(ktri, ktri)), tail), /2 recipientInfos/]);
    cases.push(['no recipient', cat(head, Uint8Array.of(0x31, 0), tail), /0 recipientInfos/]);
    for (const [what, bytes, message] of cases) {
      let err: unknown;
      try {
        parseEnvelope(bytes);
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(CmsError);
      expect((err as Error).message, what).toMatch(message);
    }
  });

  it('openEnvelope refuses other algorithms than RSAES-OAEP-SHA-256 and AES-256-CBC', () => {
    const k = KEYS[2048]!;
    const cms = envelopeForRecipient(k.spki, new Uint8Array(20));
    const sha256 = '300d06096086480165030402010500';
    const sha1 = '300906052b0e03021a0500';
    const oaep = (hash: string, mgfHash: string, label = ''): string => {
      const params = hex(
        cat(
          tlv(0xa0, unhex(hash), 0),
          tlv(0xa1, tlv(0x30, cat(unhex('06092a864886f70d010108'), unhex(mgfHash)), 0), 0),
          unhex(label),
        ),
      );
      return hex(tlv(0x30, cat(unhex('06092a864886f70d010107'), tlv(0x30, unhex(params), 0)), 0));
    };
    // The AlgorithmIdentifier we write (the KMS envelopes' bytes): rsaesOaep, [0] sha256, [1] mgf1 with sha256.
    const ours = '303c06092a864886f70d010107302fa00f' + sha256 + 'a11c301a06092a864886f70d010108' + sha256;
    const emptyLabel = 'a20f300d06092a864886f70d0101090400';
    const cases: [string, Uint8Array, RegExp | null][] = [
      // Absent parameters mean SHA-1 and MGF1-SHA-1 (RFC 4055).
      ['OAEP with default parameters', editRecipient(cms, ours, '300b06092a864886f70d010107'), /RSAES-OAEP/],
      ['OAEP with SHA-1', editRecipient(cms, ours, oaep(sha1, sha1)), /RSAES-OAEP/],
      ['OAEP with MGF1-SHA-1', editRecipient(cms, ours, oaep(sha256, sha1)), /RSAES-OAEP/],
      [
        'OAEP with a label',
        editRecipient(cms, ours, oaep(sha256, sha256, 'a212301006092a864886f70d01010904036c6162')),
        /RSAES-OAEP/,
      ],
      ['PKCS#1 v1.5', editRecipient(cms, ours, '300d06092a864886f70d0101010500'), /RSAES-OAEP/],
      ['AES-128-CBC', unhex(hex(cms).replace('60864801650304012a', '608648016503040102')), /AES-256-CBC/],
      // Still SHA-256: the same parameters in their long-form BER, and an explicit empty label, open.
      ['OAEP, long-form lengths', editRecipient(cms, ours, oaep(sha256, sha256)), null],
      ['OAEP, explicit empty label', editRecipient(cms, ours, oaep(sha256, sha256, emptyLabel)), null],
    ];
    for (const [what, env, message] of cases) {
      expect(() => parseEnvelope(env), what).not.toThrow();
      if (message === null) {
        expect(hex(openEnvelope(env, k.pkcs8)), what).toBe(hex(new Uint8Array(20)));
        continue;
      }
      expect(() => openEnvelope(env, k.pkcs8), what).toThrow(message);
    }
  });
});
