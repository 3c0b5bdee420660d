// ML-DSA (FIPS 204) key generation, signing and verification per KMS key spec, against
// @noble/post-quantum. wasm-kms works from what a KMS key record holds: key generation ends
// with the DER SPKI and the seed-form PKCS#8 (noble's keys are wrapped with the same DER
// encoder from dist/, its seed drawn from crypto.getRandomValues as the core's host does);
// signing parses the PKCS#8 and expands the seed ξ into the key on every call (KeyGen_internal
// inside the core), where noble signs with its expanded secret key made beforehand; both sign
// hedged (fresh rnd). Verification parses the SPKI; noble takes the raw public key. The message
// is 256 bytes, signed as pure ML-DSA with an empty context (KMS MessageType RAW). Every task's
// first result is checked: a key pair's seed must expand (in noble) to its public key, a
// signature must verify in noble, a verification must say true.

import crypto from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { generateMlDsa, mldsaSign, mldsaVerify } from '../../dist/core/mldsa.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';
import { mldsaPkcs8, mldsaSpki, parseMlDsaPkcs8, parseMlDsaSpki } from '../../dist/der/mldsa.js';

export const id = 'mldsa';
export const title = 'ML-DSA key generation, signing and verification';
export const baseline = '@noble/post-quantum';

const SIMD = 'wasm-kms (simd)';
const BUDGET = { timeMs: 3_000, minSamples: 100 };
const MESSAGE_BYTES = 256;

/** @type {{ spec: string, level: import('../../dist/der/mldsa.js').MlDsaLevel, noble: typeof ml_dsa44 }[]} */
const SPECS = [
  { spec: 'ML_DSA_44', level: 44, noble: ml_dsa44 },
  { spec: 'ML_DSA_65', level: 65, noble: ml_dsa65 },
  { spec: 'ML_DSA_87', level: 87, noble: ml_dsa87 },
];
const OPS = ['keygen', 'sign', 'verify'];

// wasm-kms (simd) at least 5 × faster than @noble/post-quantum: ratio ≤ 0.2, every spec and operation.
export const targets = SPECS.flatMap((s) => OPS.map((op) => ({ group: `${s.spec} ${op}`, task: SIMD, maxRatio: 0.2 })));

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  /** @type {{ name: string, core: import('../../dist/core/module.js').Core }[]} */
  const cores = [...(simd ? [{ name: SIMD, core: simd }] : []), { name: 'wasm-kms (scalar)', core: scalar }];
  const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
  const out = [];
  for (const s of SPECS) {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const { publicKey: pk, secretKey: sk } = s.noble.keygen(seed);
    const spki = mldsaSpki(s.level, pk);
    const pkcs8 = mldsaPkcs8(s.level, seed);
    const signature = s.noble.sign(message, sk);

    const checkPair = (name) => (pair) => {
      const { level, pk: ours } = parseMlDsaSpki(pair.publicKey);
      const { level: level2, seed: ourSeed } = parseMlDsaPkcs8(pair.privateKey);
      if (level !== s.level || level2 !== s.level) throw new Error(`${s.spec} ${name}: wrong parameter set`);
      if (!Buffer.from(s.noble.keygen(ourSeed).publicKey).equals(Buffer.from(ours))) {
        throw new Error(`${s.spec} ${name}: the seed does not expand to the public key`);
      }
    };
    const checkSignature = (name) => (sig) => {
      if (!s.noble.verify(sig, message, pk)) throw new Error(`${s.spec} ${name}: the signature does not verify`);
    };
    const checkTrue = (name) => (ok) => {
      if (ok !== true) throw new Error(`${s.spec} ${name}: a valid signature was not accepted`);
    };

    const keygen = [
      ...cores.map(({ name, core }) => ({ name, fn: () => generateMlDsa(core, s.level) })),
      {
        name: '@noble/post-quantum',
        fn: () => {
          const xi = crypto.getRandomValues(new Uint8Array(32));
          try {
            return { publicKey: mldsaSpki(s.level, s.noble.keygen(xi).publicKey), privateKey: mldsaPkcs8(s.level, xi) };
          } finally {
            xi.fill(0);
          }
        },
      },
    ];
    const sign = [
      ...cores.map(({ name, core }) => ({ name, fn: () => mldsaSign(core, pkcs8, message, 'RAW') })),
      { name: '@noble/post-quantum', fn: () => s.noble.sign(message, sk) },
    ];
    const verify = [
      ...cores.map(({ name, core }) => ({ name, fn: () => mldsaVerify(core, spki, message, 'RAW', signature) })),
      { name: '@noble/post-quantum', fn: () => s.noble.verify(signature, message, pk) },
    ];
    out.push(
      { name: `${s.spec} keygen`, ...BUDGET, tasks: keygen.map((t) => ({ ...t, check: checkPair(t.name) })) },
      { name: `${s.spec} sign`, ...BUDGET, tasks: sign.map((t) => ({ ...t, check: checkSignature(t.name) })) },
      { name: `${s.spec} verify`, ...BUDGET, tasks: verify.map((t) => ({ ...t, check: checkTrue(t.name) })) },
    );
  }
  return out;
}
