// wasm-kms/core: key pair generation in WebAssembly, DER in and out.

import { getCore } from './module.js';
import { generateRsa } from './rsa.js';

export { initCore, simdSupported, type CoreSource, type CoreVariant } from './module.js';

/** The key pair specs this build generates. */
export const KEY_PAIR_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
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

/**
 * A fresh key pair for `spec`. Synchronous once the core is loaded; in runtimes that cannot
 * compile WebAssembly synchronously, `await initCore()` first.
 */
export function generateKeyPair(spec: KeyPairSpec): KeyPair {
  const bits = RSA_BITS.get(spec);
  if (bits !== undefined) return generateRsa(getCore(), bits);
  throw new TypeError(`Unknown key pair spec ${describe(spec)}; valid specs are: ${KEY_PAIR_SPECS.join(', ')}`);
}

/** A printable form of any value, for error messages; never throws. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return `(${typeof value})`;
}
