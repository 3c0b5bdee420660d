// ML-KEM key pair generation per KMS spec (FIPS 203), each task ending with the DER SPKI and
// the seed-form DER PKCS#8 of the pair. @noble/post-quantum gives raw keys, so its task wraps
// them with our DER encoder from dist/ (the same work the library does after the core), and
// draws its 64-byte seed from crypto.getRandomValues as the core's host does.

import crypto from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { generateMlKem } from '../../dist/core/mlkem.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';
import { mlkemPkcs8, mlkemSpki, parseMlKemPkcs8, parseMlKemSpki } from '../../dist/der/mlkem.js';

export const id = 'mlkem';
export const title = 'ML-KEM key generation';
export const baseline = '@noble/post-quantum';

const SIMD = 'wasm-kms (simd)';
const BUDGET = { timeMs: 3_000, minSamples: 200 };

/** @type {{ spec: string, k: import('../../dist/core/mlkem.js').MlKemRank, noble: typeof ml_kem512 }[]} */
const SPECS = [
  { spec: 'ML_KEM_512', k: 2, noble: ml_kem512 },
  { spec: 'ML_KEM_768', k: 3, noble: ml_kem768 },
  { spec: 'ML_KEM_1024', k: 4, noble: ml_kem1024 },
];

// wasm-kms (simd) at most a third of @noble/post-quantum's time, for every spec.
export const targets = SPECS.map((s) => ({ group: s.spec, task: SIMD, maxRatio: 0.333 }));

/** Throws unless `pair` is an SPKI / PKCS#8 pair of the spec whose seed expands (in noble) to its public key. */
function checkPair(pair, s, name) {
  const fail = (why) => {
    throw new Error(`${s.spec} ${name}: ${why}`);
  };
  const { k, ek } = parseMlKemSpki(pair.publicKey);
  const { k: k2, seed } = parseMlKemPkcs8(pair.privateKey);
  if (k !== s.k || k2 !== s.k) fail(`wrong parameter set (${k}, ${k2})`);
  if (!Buffer.from(s.noble.keygen(seed).publicKey).equals(Buffer.from(ek)))
    fail('the seed does not expand to the public key');
}

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  return SPECS.map((s) => {
    const list = [
      ...(simd ? [{ name: SIMD, fn: () => generateMlKem(simd, s.k) }] : []),
      { name: 'wasm-kms (scalar)', fn: () => generateMlKem(scalar, s.k) },
      {
        name: '@noble/post-quantum',
        fn: () => {
          const seed = crypto.getRandomValues(new Uint8Array(64));
          try {
            const { publicKey } = s.noble.keygen(seed);
            return { publicKey: mlkemSpki(s.k, publicKey), privateKey: mlkemPkcs8(s.k, seed) };
          } finally {
            seed.fill(0);
          }
        },
      },
    ];
    return { name: s.spec, ...BUDGET, tasks: list.map((t) => ({ ...t, check: (pair) => checkPair(pair, s, t.name) })) };
  });
}
