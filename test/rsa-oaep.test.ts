// RSAES-OAEP (RFC 8017 §7.1) from the WebAssembly core against node:crypto (OpenSSL), both
// ways, with SHA-1 and SHA-256 at every KMS key size; Wycheproof's OAEP decryption vectors;
// and one error for every ciphertext that does not decrypt.

import { describe, expect, it } from 'vitest';
import {
  constants,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { type CoreVariant } from '../src/core/module.js';
import { CoreError } from '../src/core/errors.js';
import { loadTestCore } from './helpers/test-core.js';
import { readVectorJson } from './helpers/vectors.js';
import {
  RsaDecryptionError,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaOaepMaxPlaintext,
  type RsaOaepHash,
} from '../src/core/rsa.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const SIZES = [2048, 3072, 4096] as const;
const HASHES: RsaOaepHash[] = ['SHA-1', 'SHA-256'];
const nodeHash = (h: RsaOaepHash): string => h.replace('-', '').toLowerCase();
// KMS's plaintext limits: RSAES_OAEP_SHA_1 / RSAES_OAEP_SHA_256 per key spec.
const LIMITS: Record<number, Record<RsaOaepHash, number>> = {
  2048: { 'SHA-1': 214, 'SHA-256': 190 },
  3072: { 'SHA-1': 342, 'SHA-256': 318 },
  4096: { 'SHA-1': 470, 'SHA-256': 446 },
};

interface Key {
  bits: number;
  spki: Uint8Array;
  pkcs8: Uint8Array;
  pub: KeyObject;
  priv: KeyObject;
}

// One key per size for the whole file.
const KEYS: Key[] = SIZES.map((bits) => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    bits,
    spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    pub: publicKey,
    priv: privateKey,
  };
});

const nodeEncrypt = (key: Key, hash: RsaOaepHash, m: Uint8Array): Uint8Array =>
  new Uint8Array(
    publicEncrypt({ key: key.pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: nodeHash(hash) }, m),
  );
const nodeDecrypt = (key: Key, hash: RsaOaepHash, c: Uint8Array): Uint8Array =>
  new Uint8Array(
    privateDecrypt({ key: key.priv, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: nodeHash(hash) }, c),
  );

describe.each(VARIANTS)('RSAES-OAEP (%s build)', (variant) => {
  const core = loadTestCore(variant);
  for (const key of KEYS) {
    for (const hash of HASHES) {
      const limit = LIMITS[key.bits]![hash];
      it(`${hash} RSA_${key.bits}: node's ciphertexts decrypt here, ours in node; 0, 1, 37 and ${limit} bytes`, () => {
        expect(rsaOaepMaxPlaintext(key.spki, hash)).toBe(limit);
        for (const len of [0, 1, 37, limit]) {
          const m = new Uint8Array(randomBytes(len));
          const theirs = nodeEncrypt(key, hash, m);
          expect(Buffer.from(rsaOaepDecrypt(core, key.pkcs8, hash, theirs)).equals(Buffer.from(m))).toBe(true);
          const ours = rsaOaepEncrypt(core, key.spki, hash, m);
          expect(ours.length).toBe(key.bits / 8);
          expect(Buffer.from(nodeDecrypt(key, hash, ours)).equals(Buffer.from(m))).toBe(true);
          expect(Buffer.from(rsaOaepDecrypt(core, key.pkcs8, hash, ours)).equals(Buffer.from(m))).toBe(true);
        }
        expect(() => rsaOaepEncrypt(core, key.spki, hash, new Uint8Array(limit + 1))).toThrow(RangeError);
      });
    }
  }
});

// ---- Wycheproof ---------------------------------------------------------------------------

interface WycheproofOaepFile {
  testGroups: {
    privateKeyPkcs8: string;
    sha: string;
    mgfSha: string;
    tests: { tcId: number; comment: string; msg: string; ct: string; label: string; result: string }[];
  }[];
}

const WYCHEPROOF: { file: string; hash: RsaOaepHash }[] = [
  { file: 'rsa_oaep_2048_sha1_mgf1sha1_test.json', hash: 'SHA-1' },
  { file: 'rsa_oaep_2048_sha256_mgf1sha256_test.json', hash: 'SHA-256' },
  { file: 'rsa_oaep_3072_sha256_mgf1sha256_test.json', hash: 'SHA-256' },
  { file: 'rsa_oaep_4096_sha256_mgf1sha256_test.json', hash: 'SHA-256' },
];

const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('Wycheproof RSAES-OAEP decryption', () => {
  const core = loadTestCore('simd');
  for (const { file, hash } of WYCHEPROOF) {
    it(`${file}: every valid ciphertext decrypts to its message (with its label), every invalid one throws RsaDecryptionError`, () => {
      const data = readVectorJson<WycheproofOaepFile>(`wycheproof/${file}`);
      let valid = 0;
      let invalid = 0;
      for (const g of data.testGroups) {
        expect(g.sha).toBe(hash);
        expect(g.mgfSha).toBe(hash);
        const pkcs8 = fromHex(g.privateKeyPkcs8);
        for (const t of g.tests) {
          const label = fromHex(t.label);
          if (t.result === 'valid') {
            const m = rsaOaepDecrypt(core, pkcs8, hash, fromHex(t.ct), label);
            if (Buffer.from(m).toString('hex') !== t.msg)
              throw new Error(`tcId ${t.tcId} (${t.comment}): wrong message`);
            // KMS's empty label: a ciphertext made with another label does not decrypt.
            if (label.length > 0)
              expect(() => rsaOaepDecrypt(core, pkcs8, hash, fromHex(t.ct))).toThrow(RsaDecryptionError);
            valid++;
          } else {
            expect(t.result).toBe('invalid');
            expect(() => rsaOaepDecrypt(core, pkcs8, hash, fromHex(t.ct), label), `tcId ${t.tcId}`).toThrow(
              RsaDecryptionError,
            );
            invalid++;
          }
        }
      }
      expect(valid).toBeGreaterThanOrEqual(17);
      expect(invalid).toBe(19);
    });
  }
});

// ---- One error ----------------------------------------------------------------------------

describe('RSAES-OAEP failures', () => {
  const core = loadTestCore('simd');
  const key = KEYS[0]!;
  const hash: RsaOaepHash = 'SHA-256';
  const k = key.bits / 8;
  const n = BigInt('0x' + Buffer.from(key.pub.export({ format: 'jwk' }).n!, 'base64url').toString('hex'));
  const raw = (em: Uint8Array): Uint8Array =>
    new Uint8Array(publicEncrypt({ key: key.pub, padding: constants.RSA_NO_PADDING }, em));

  it("a fault in a CRT half is the engine's error (CoreError RSA_FAULT), not the ciphertext's", () => {
    const x = core.exports as unknown as { rsa_test_fault(on: number): void };
    const good = nodeEncrypt(key, hash, new Uint8Array(16).fill(7));
    x.rsa_test_fault(1);
    let caught: unknown;
    try {
      rsaOaepDecrypt(core, key.pkcs8, hash, good);
    } catch (err) {
      caught = err;
    } finally {
      x.rsa_test_fault(0);
    }
    expect(caught).toBeInstanceOf(CoreError);
    expect((caught as CoreError).code).toBe('RSA_FAULT');
    expect(Buffer.from(rsaOaepDecrypt(core, key.pkcs8, hash, good)).equals(Buffer.alloc(16, 7))).toBe(true);
  });

  it('every malformed ciphertext gives the same RsaDecryptionError with the same message', () => {
    const good = nodeEncrypt(key, hash, new Uint8Array(16).fill(7));
    const flipped = good.slice();
    flipped[100]! ^= 1;
    const em = (first: number, fill: number): Uint8Array => {
      const b = new Uint8Array(k).fill(fill);
      b[0] = first;
      return b;
    };
    const cases: [string, Uint8Array, Uint8Array?][] = [
      ['a flipped bit', flipped],
      ['random bytes below n', raw(new Uint8Array(randomBytes(k)).map((b, i) => (i === 0 ? b & 0x3f : b)))],
      ['a nonzero first byte (Y != 0)', raw(em(1, 0))],
      ['all zero after decryption', raw(em(0, 0))],
      ['a different label', good, new Uint8Array([1])],
      ['one byte short', good.subarray(1)],
      ['one byte long', Uint8Array.of(0, ...good)],
      ['n itself', fromHex(n.toString(16).padStart(2 * k, '0'))],
      ['all ones (above n)', new Uint8Array(k).fill(0xff)],
      ['empty', new Uint8Array(0)],
    ];
    const messages = new Set<string>();
    for (const [what, c, label] of cases) {
      let caught: unknown;
      try {
        rsaOaepDecrypt(core, key.pkcs8, hash, c, label);
      } catch (err) {
        caught = err;
      }
      expect(caught, what).toBeInstanceOf(RsaDecryptionError);
      messages.add(`${(caught as Error).name}: ${(caught as Error).message}`);
    }
    expect([...messages]).toEqual(['RsaDecryptionError: wasm-kms: RSAES-OAEP decryption failed']);
    // and the key still decrypts afterwards
    expect(Buffer.from(rsaOaepDecrypt(core, key.pkcs8, hash, good)).equals(Buffer.alloc(16, 7))).toBe(true);
  });
});
