// AES-256-GCM encryption of a wrapped private key: 1,217 bytes (the size of an RSA_2048
// PKCS#8) and 2,375 bytes (RSA_4096), with 100 bytes of additional data (a blob header with
// a key ARN), a 12-byte IV and a 16-byte tag: the core's bitsliced AES and multiply-based
// GHASH (both builds) against OpenSSL through node:crypto (AES-NI and carry-less multiply
// instructions) and WebCrypto. Every task encrypts the same plaintext under the same key
// and IV, so each result can be checked against the others; the WebCrypto key is imported
// once, outside the timed part, as a long-lived CryptoKey would be.

import crypto from 'node:crypto';
import { aes256GcmEncrypt } from '../../dist/core/symmetric.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';

export const id = 'aead';
export const title = 'AES-256-GCM encryption';
export const baseline = 'node:crypto';
// Reported only: no AES or GHASH instructions are reachable from WebAssembly.
export const targets = [];

const SIMD = 'wasm-kms (simd)';
const BUDGET = { timeMs: 2_000, minSamples: 500 };
const SIZES = [
  { name: '1,217 bytes (RSA_2048 PKCS#8)', bytes: 1217 },
  { name: '2,375 bytes (RSA_4096 PKCS#8)', bytes: 2375 },
];
const AAD_BYTES = 100;

function nodeEncrypt(key, iv, plaintext, aad) {
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
  return { ciphertext, tag: c.getAuthTag() };
}

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  const key = crypto.randomBytes(32);
  const iv = crypto.randomBytes(12);
  const aad = crypto.randomBytes(AAD_BYTES);
  const webKey = await crypto.subtle.importKey('raw', key, { name: 'AES-GCM' }, false, ['encrypt']);
  const webParams = { name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 };

  return SIZES.map((size) => {
    const plaintext = new Uint8Array(crypto.randomBytes(size.bytes));
    const want = nodeEncrypt(key, iv, plaintext, aad);
    const expected = Buffer.concat([want.ciphertext, want.tag]);
    /** Throws unless ciphertext ‖ tag is node:crypto's. */
    const check = (name) => (out) => {
      const got = out instanceof ArrayBuffer ? Buffer.from(out) : Buffer.concat([out.ciphertext, out.tag]);
      if (!got.equals(expected))
        throw new Error(`${size.name} ${name}: the ciphertext or tag differs from node:crypto's`);
      // And it decrypts: node checks the tag.
      const d = crypto.createDecipheriv('aes-256-gcm', key, iv);
      d.setAAD(aad);
      d.setAuthTag(got.subarray(size.bytes));
      const back = Buffer.concat([d.update(got.subarray(0, size.bytes)), d.final()]);
      if (!back.equals(plaintext)) throw new Error(`${size.name} ${name}: does not decrypt to the plaintext`);
    };
    const list = [
      ...(simd ? [{ name: SIMD, fn: () => aes256GcmEncrypt(simd, key, iv, plaintext, aad) }] : []),
      { name: 'wasm-kms (scalar)', fn: () => aes256GcmEncrypt(scalar, key, iv, plaintext, aad) },
      { name: 'node:crypto', fn: () => nodeEncrypt(key, iv, plaintext, aad) },
      { name: 'WebCrypto', fn: () => crypto.subtle.encrypt(webParams, webKey, plaintext) },
    ];
    return { name: size.name, ...BUDGET, tasks: list.map((t) => ({ ...t, check: check(t.name) })) };
  });
}
