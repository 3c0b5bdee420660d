// RSA key pair generation, each task ending with the DER SPKI and DER PKCS#8 bytes.

import crypto from 'node:crypto';
import { generateKeyPair } from '../../dist/core/index.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';
import { generateRsa } from '../../dist/core/rsa.js';

export const id = 'rsa';
export const title = 'RSA key generation';
export const baseline = 'node:crypto';

export const targets = [
  { group: 'RSA_2048', task: 'wasm-kms (simd)', maxRatio: 0.6 },
  { group: 'RSA_3072', task: 'wasm-kms (simd)', maxRatio: 0.7 },
  { group: 'RSA_4096', task: 'wasm-kms (simd)', maxRatio: 0.7 },
];

// Latency is heavy-tailed (prime search), hence long budgets and a floor on the sample count.
/** @type {{ bits: 2048 | 3072 | 4096, timeMs: number, minSamples: number }[]} */
const SIZES = [
  { bits: 2048, timeMs: 20_000, minSamples: 30 },
  { bits: 3072, timeMs: 30_000, minSamples: 15 },
  { bits: 4096, timeMs: 40_000, minSamples: 8 },
];

/** Throws unless `pair` is a matching SPKI / PKCS#8 pair of an RSA key of `bits` bits. */
function checkPair(pair, bits) {
  const pub = crypto.createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
  const priv = crypto.createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
  const { modulusLength, publicExponent } = pub.asymmetricKeyDetails ?? {};
  if (pub.asymmetricKeyType !== 'rsa' || modulusLength !== bits || publicExponent !== 65537n) {
    throw new Error(`expected an RSA-${bits} key with e = 65537, got ${pub.asymmetricKeyType} ${modulusLength} bits`);
  }
  const derived = crypto.createPublicKey(priv).export({ type: 'spki', format: 'der' });
  if (!derived.equals(Buffer.from(pair.publicKey))) throw new Error('the private key does not match the public key');
}

/** @param {2048 | 3072 | 4096} bits */
function tasks(bits) {
  /** @type {`RSA_${typeof bits}`} */
  const spec = `RSA_${bits}`;
  const scalar = loadCore('scalar');
  const list = [
    { name: 'wasm-kms (scalar)', fn: () => generateRsa(scalar, bits) },
    {
      name: 'node:crypto',
      fn: () =>
        crypto.generateKeyPairSync('rsa', {
          modulusLength: bits,
          publicKeyEncoding: { type: 'spki', format: 'der' },
          privateKeyEncoding: { type: 'pkcs8', format: 'der' },
        }),
    },
    {
      name: 'WebCrypto',
      fn: async () => {
        /** @type {RsaHashedKeyGenParams} */
        const algorithm = {
          name: 'RSA-PSS',
          modulusLength: bits,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-256',
        };
        const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
        const [spki, pkcs8] = await Promise.all([
          crypto.subtle.exportKey('spki', keys.publicKey),
          crypto.subtle.exportKey('pkcs8', keys.privateKey),
        ]);
        return { publicKey: new Uint8Array(spki), privateKey: new Uint8Array(pkcs8) };
      },
    },
  ];
  // generateKeyPair uses the default core, which is the SIMD build where the runtime has SIMD.
  if (simdSupported()) list.unshift({ name: 'wasm-kms (simd)', fn: () => generateKeyPair(spec) });
  else process.emitWarning('WebAssembly SIMD is unavailable: skipping wasm-kms (simd)');
  return list.map((t) => ({ ...t, check: (pair) => checkPair(pair, bits) }));
}

export async function groups() {
  return SIZES.map(({ bits, timeMs, minSamples }) => ({
    name: `RSA_${bits}`,
    timeMs,
    minSamples,
    tasks: tasks(bits),
  }));
}
