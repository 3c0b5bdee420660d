// Ed25519 signing and verification (RFC 8032) of a 100-byte message: wasm-kms from the DER
// PKCS#8 / SPKI a KMS key record holds (the parsing is part of every call), node:crypto with
// KeyObjects made beforehand, @noble/curves with raw keys. Every task's first result is
// checked: a signature must verify in node:crypto, a verification must say true.

import crypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Sign, ed25519Verify } from '../../dist/core/ed25519.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';

export const id = 'ed25519-sign';
export const title = 'Ed25519 sign and verify';
export const baseline = 'node:crypto';

const SIMD = 'wasm-kms (simd)';
const BUDGET = { timeMs: 3_000, minSamples: 500 };
const MESSAGE_BYTES = 100;

// Signing at most 0.8 × node:crypto, verification at most 1 ×.
export const targets = [
  { group: 'Ed25519 sign', task: SIMD, maxRatio: 0.8 },
  { group: 'Ed25519 verify', task: SIMD, maxRatio: 1 },
];

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  const seed = pkcs8.slice(16);
  const rawPublic = spki.slice(12);
  const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
  const signature = new Uint8Array(crypto.sign(null, message, privateKey));

  const checkSignature = (name) => (sig) => {
    if (!crypto.verify(null, message, publicKey, sig)) throw new Error(`${name}: the signature does not verify`);
  };
  const checkTrue = (name) => (ok) => {
    if (ok !== true) throw new Error(`${name}: a valid signature was not accepted`);
  };
  const cores = [...(simd ? [{ name: SIMD, core: simd }] : []), { name: 'wasm-kms (scalar)', core: scalar }];
  // The core keeps the public keys of the last 16 seeds that signed; 32 keys signing in turns
  // never find theirs, and pay a second fixed-base multiplication (informative, no target).
  const manyKeys = Array.from({ length: 32 }, () => {
    const pair = crypto.generateKeyPairSync('ed25519');
    return {
      pkcs8: new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' })),
      publicKey: pair.publicKey,
    };
  });
  let turn = 0;
  const signTasks = [
    ...cores.map(({ name, core }) => ({ name, fn: () => ed25519Sign(core, pkcs8, message) })),
    ...(simd
      ? [
          {
            name: `${SIMD}, 32 keys in turns`,
            fn: () => ed25519Sign(simd, manyKeys[turn++ % manyKeys.length].pkcs8, message),
            // the first call signs with the first key
            check: (sig) => {
              if (!crypto.verify(null, message, manyKeys[0].publicKey, sig))
                throw new Error('rotating keys: bad signature');
            },
          },
        ]
      : []),
    { name: 'node:crypto', fn: () => crypto.sign(null, message, privateKey) },
    { name: '@noble/curves', fn: () => ed25519.sign(message, seed) },
  ];
  const verifyTasks = [
    ...cores.map(({ name, core }) => ({ name, fn: () => ed25519Verify(core, spki, message, signature) })),
    { name: 'node:crypto', fn: () => crypto.verify(null, message, publicKey, signature) },
    { name: '@noble/curves', fn: () => ed25519.verify(signature, message, rawPublic) },
  ];
  return [
    { name: 'Ed25519 sign', ...BUDGET, tasks: signTasks.map((t) => ({ check: checkSignature(t.name), ...t })) },
    { name: 'Ed25519 verify', ...BUDGET, tasks: verifyTasks.map((t) => ({ ...t, check: checkTrue(t.name) })) },
  ];
}
