// AES-256 key wrap with padding (RFC 5649), what ImportKeyMaterial's RSA_AES_KEY_WRAP_SHA_*
// wrapping algorithms put around the key material: the core's bitsliced AES-256 (both builds;
// the wrap is sequential, so every step uses one block of the eight-block cipher) against
// OpenSSL through node:crypto's id-aes256-wrap-pad (AES-NI). Material of 32 bytes (a
// SYMMETRIC_DEFAULT or HMAC_256 key), 1,217 bytes (an RSA_2048 PKCS#8) and 2,375 bytes (RSA_4096),
// wrapped and unwrapped under one 32-byte key; every result is checked against node:crypto's.

import crypto from 'node:crypto';
import { aes256KeyWrapPad, aes256KeyUnwrapPad } from '../../dist/core/symmetric.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';

export const id = 'kwp';
export const title = 'AES-256 key wrap with padding (RFC 5649)';
export const baseline = 'node:crypto';
// ImportKeyMaterial unwraps once per import; a bound that catches a large regression of the
// SIMD build (about 1.8-2.8x node:crypto in quick runs on a shared 2-core machine).
export const targets = [
  { group: 'unwrap 1,217 bytes (RSA_2048 PKCS#8)', task: 'wasm-kms (simd)', maxRatio: 5 },
  { group: 'unwrap 32 bytes (AES-256 key)', task: 'wasm-kms (simd)', maxRatio: 5 },
];

const SIMD = 'wasm-kms (simd)';
const BUDGET = { timeMs: 2_000, minSamples: 100 };
const SIZES = [
  { name: '32 bytes (AES-256 key)', bytes: 32 },
  { name: '1,217 bytes (RSA_2048 PKCS#8)', bytes: 1217 },
  { name: '2,375 bytes (RSA_4096 PKCS#8)', bytes: 2375 },
];
const IV = Buffer.from('A65959A6', 'hex');

function nodeKwp(decrypt, key, data) {
  const c = decrypt
    ? crypto.createDecipheriv('id-aes256-wrap-pad', key, IV)
    : crypto.createCipheriv('id-aes256-wrap-pad', key, IV);
  return Buffer.concat([c.update(data), c.final()]);
}

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  const key = new Uint8Array(crypto.randomBytes(32));
  const cores = [...(simd ? [{ name: SIMD, core: simd }] : []), { name: 'wasm-kms (scalar)', core: scalar }];

  return SIZES.flatMap((size) => {
    const material = new Uint8Array(crypto.randomBytes(size.bytes));
    const wrapped = new Uint8Array(nodeKwp(false, key, material));
    const same = (want, what) => (out) => {
      if (!out || !Buffer.from(out).equals(Buffer.from(want)))
        throw new Error(`${size.name} ${what}: differs from node:crypto`);
    };
    return [
      {
        name: `wrap ${size.name}`,
        ...BUDGET,
        tasks: [
          ...cores.map((c) => ({ name: c.name, fn: () => aes256KeyWrapPad(c.core, key, material) })),
          { name: 'node:crypto', fn: () => nodeKwp(false, key, material) },
        ].map((t) => ({ ...t, check: same(wrapped, `wrap, ${t.name}`) })),
      },
      {
        name: `unwrap ${size.name}`,
        ...BUDGET,
        tasks: [
          ...cores.map((c) => ({ name: c.name, fn: () => aes256KeyUnwrapPad(c.core, key, wrapped) })),
          { name: 'node:crypto', fn: () => nodeKwp(true, key, wrapped) },
        ].map((t) => ({ ...t, check: same(material, `unwrap, ${t.name}`) })),
      },
    ];
  });
}
