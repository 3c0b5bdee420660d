// RSA private and public operations: RSASSA-PKCS1-v1_5 and RSASSA-PSS signing and
// verification of a SHA-256 digest, and RSAES-OAEP-SHA-256 decryption, per key size, against
// node:crypto (OpenSSL) with KeyObjects made beforehand. Signing is CRT with blinding and a
// check of the result in both.

import crypto from 'node:crypto';
import { loadCore, simdSupported } from '../../dist/core/module.js';
import { rsaSign, rsaVerify, rsaOaepDecrypt, rsaOaepEncrypt } from '../../dist/core/rsa.js';

export const id = 'rsa-sign';
export const title = 'RSA signatures and OAEP decryption';
export const baseline = 'node:crypto';

const SIZES = [2048, 3072, 4096];
const SIMD = 'wasm-kms (simd)';
const SCALAR = 'wasm-kms (scalar)';

export const targets = SIZES.flatMap((bits) => [
  { group: `RSA_${bits} PKCS#1 sign`, task: SIMD, maxRatio: 1.5 },
  { group: `RSA_${bits} PSS sign`, task: SIMD, maxRatio: 1.5 },
  { group: `RSA_${bits} PKCS#1 verify`, task: SIMD, maxRatio: 2 },
  { group: `RSA_${bits} PSS verify`, task: SIMD, maxRatio: 2 },
]);

const BUDGET = { timeMs: 3_000, minSamples: 30 };
const MESSAGE = Buffer.from('wasm-kms RSA benchmark message');
const DIGEST = new Uint8Array(crypto.createHash('sha256').update(MESSAGE).digest());

function cores() {
  /** @type {[string, import('../../dist/core/module.js').Core][]} */
  const list = [[SCALAR, loadCore('scalar')]];
  if (simdSupported()) list.unshift([SIMD, loadCore('simd')]);
  else process.emitWarning('WebAssembly SIMD is unavailable: skipping wasm-kms (simd)');
  return list;
}

/** @param {number} bits */
function sizeGroups(bits) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  const pss = { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  const pssPub = { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  const oaep = { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  const verifies = (/** @type {Uint8Array} */ sig, /** @type {boolean} */ isPss) => {
    if (!crypto.verify('sha256', MESSAGE, isPss ? pssPub : publicKey, sig))
      throw new Error('signature does not verify');
  };
  const plaintext = crypto.randomBytes(32);
  const ciphertext = new Uint8Array(
    crypto.publicEncrypt(
      { key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      plaintext,
    ),
  );
  const pkcs1Sig = new Uint8Array(crypto.sign('sha256', MESSAGE, privateKey));
  const pssSig = new Uint8Array(crypto.sign('sha256', MESSAGE, pss));
  const decrypted = (/** @type {Uint8Array} */ m) => {
    if (!Buffer.from(m).equals(plaintext)) throw new Error('wrong plaintext');
  };
  const isTrue = (/** @type {boolean} */ v) => {
    if (v !== true) throw new Error('valid signature rejected');
  };
  const cs = cores();
  // One warm call per core and key: the first call draws a fresh blinding pair.
  for (const [, core] of cs) rsaOaepEncrypt(core, spki, 'SHA-256', plaintext);
  return [
    {
      name: `RSA_${bits} PKCS#1 sign`,
      ...BUDGET,
      tasks: [
        ...cs.map(([name, core]) => ({
          name,
          fn: () => rsaSign(core, pkcs8, 'PKCS1', 'SHA-256', DIGEST),
          check: (/** @type {Uint8Array} */ s) => verifies(s, false),
        })),
        { name: 'node:crypto', fn: () => crypto.sign('sha256', MESSAGE, privateKey), check: (s) => verifies(s, false) },
      ],
    },
    {
      name: `RSA_${bits} PSS sign`,
      ...BUDGET,
      tasks: [
        ...cs.map(([name, core]) => ({
          name,
          fn: () => rsaSign(core, pkcs8, 'PSS', 'SHA-256', DIGEST),
          check: (/** @type {Uint8Array} */ s) => verifies(s, true),
        })),
        { name: 'node:crypto', fn: () => crypto.sign('sha256', MESSAGE, pss), check: (s) => verifies(s, true) },
      ],
    },
    {
      name: `RSA_${bits} PKCS#1 verify`,
      ...BUDGET,
      tasks: [
        ...cs.map(([name, core]) => ({
          name,
          fn: () => rsaVerify(core, spki, 'PKCS1', 'SHA-256', DIGEST, pkcs1Sig),
          check: isTrue,
        })),
        { name: 'node:crypto', fn: () => crypto.verify('sha256', MESSAGE, publicKey, pkcs1Sig), check: isTrue },
      ],
    },
    {
      name: `RSA_${bits} PSS verify`,
      ...BUDGET,
      tasks: [
        ...cs.map(([name, core]) => ({
          name,
          fn: () => rsaVerify(core, spki, 'PSS', 'SHA-256', DIGEST, pssSig),
          check: isTrue,
        })),
        { name: 'node:crypto', fn: () => crypto.verify('sha256', MESSAGE, pssPub, pssSig), check: isTrue },
      ],
    },
    {
      name: `RSA_${bits} OAEP-SHA-256 decrypt`,
      ...BUDGET,
      tasks: [
        ...cs.map(([name, core]) => ({
          name,
          fn: () => rsaOaepDecrypt(core, pkcs8, 'SHA-256', ciphertext),
          check: decrypted,
        })),
        { name: 'node:crypto', fn: () => crypto.privateDecrypt(oaep, ciphertext), check: decrypted },
      ],
    },
  ];
}

export async function groups() {
  return SIZES.flatMap(sizeGroups);
}
