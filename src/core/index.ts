// wasm-kms/core: key pair generation in WebAssembly, DER in and out.

import { getCore, type Core } from './module.js';
import { generateRsa } from './rsa.js';
import { generateEc } from './ec.js';
import { generateEd25519 } from './ed25519.js';
import { generateMlKem, ML_KEM_SPEC_RANKS } from './mlkem.js';
import type { EcCurve } from '../der/ec.js';

export { initCore, simdSupported, type CoreSource, type CoreVariant } from './module.js';
export { CoreError, type CoreErrorCode } from './errors.js';
export {
  digest,
  hmac,
  hmacVerify,
  aes256KeyWrapPad,
  aes256KeyUnwrapPad,
  aes256CbcEncrypt,
  aes256CbcDecrypt,
  type HashName,
  type HmacHashName,
} from './symmetric.js';
export { mlkemEncapsulate, mlkemDecapsulate } from './mlkem.js';
export { sm3, sm2Sign, sm2Verify, sm2Encrypt, sm2Decrypt, Sm2DecryptionError, type Sm2MessageType } from './sm2.js';
export { ML_DSA_LEVELS, generateMlDsa, mldsaSign, mldsaVerify, type MlDsaLevel } from './mldsa.js';
export { ed25519Sign, ed25519Verify, ed25519phSign, ed25519phVerify } from './ed25519.js';
export { ecdsaSign, ecdsaVerify, ecdhDerive, EcPublicKeyError } from './ecdsa.js';
export {
  rsaSign,
  rsaVerify,
  rsaOaepEncrypt,
  rsaOaepDecrypt,
  rsaOaepMaxPlaintext,
  RsaDecryptionError,
  type RsaSignatureScheme,
  type RsaSignatureHash,
  type RsaOaepHash,
} from './rsa.js';

/** The key pair specs this build generates (AWS KMS names). */
export const KEY_PAIR_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SM2',
  'ECC_NIST_EDWARDS25519',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;
export type KeyPairSpec = (typeof KEY_PAIR_SPECS)[number];

export interface KeyPair {
  /** DER SubjectPublicKeyInfo. */
  publicKey: Uint8Array;
  /** DER PKCS#8 PrivateKeyInfo. */
  privateKey: Uint8Array;
}

const RSA_BITS = new Map<string, number>([
  ['RSA_2048', 2048],
  ['RSA_3072', 3072],
  ['RSA_4096', 4096],
]);

const EC_SPECS = new Map<string, EcCurve>([
  ['ECC_NIST_P256', 'P-256'],
  ['ECC_NIST_P384', 'P-384'],
  ['ECC_NIST_P521', 'P-521'],
  ['ECC_SECG_P256K1', 'secp256k1'],
  ['SM2', 'SM2'],
]);

/**
 * A fresh key pair for `spec`. Synchronous once the core is loaded; in runtimes that cannot
 * compile WebAssembly synchronously, `await initCore()` first — on Cloudflare Workers, Vercel
 * Edge and with the package's edge entry, `await initCore(module)` with `wasm-kms/core.wasm`.
 * `core` gives the core to generate with (default the loaded one; anything but a function is
 * ignored, so `specs.map(generateKeyPair)` still works); it is asked once the spec is known.
 */
export function generateKeyPair(spec: KeyPairSpec, core?: () => Core): KeyPair {
  if (typeof core !== 'function') core = getCore;
  const bits = RSA_BITS.get(spec);
  if (bits !== undefined) return generateRsa(core(), bits);
  const curve = EC_SPECS.get(spec);
  if (curve !== undefined) return generateEc(core(), curve);
  if (spec === 'ECC_NIST_EDWARDS25519') return generateEd25519(core());
  if (spec === 'ML_KEM_512' || spec === 'ML_KEM_768' || spec === 'ML_KEM_1024') {
    return generateMlKem(core(), ML_KEM_SPEC_RANKS[spec]);
  }
  throw new TypeError(`Unknown key pair spec ${describe(spec)}; valid specs are: ${KEY_PAIR_SPECS.join(', ')}`);
}

/** A printable form of any value, for error messages; never throws. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return `(${typeof value})`;
}
