// ECDSA signing and verification per KMS curve (ECDSA_SHA_256/384/512 with the curve's hash):
// wasm-kms from the DER PKCS#8 / SPKI a KMS key record holds (the parsing is part of every
// call) on the message's digest, as KMS's MessageType DIGEST; node:crypto with KeyObjects made
// beforehand on the 100-byte message itself (its digest of it is part of its time, under a
// microsecond); for secp256k1 also @noble/curves and tiny-secp256k1 with raw keys on the
// digest. Every task's first result is checked: a signature must verify in node:crypto, a
// verification must say true.

import crypto from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as tinySecp256k1 from 'tiny-secp256k1';
import { ecdsaSign, ecdsaVerify } from '../../dist/core/ecdsa.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';

export const id = 'ecdsa';
export const title = 'ECDSA sign and verify';
export const baseline = 'node:crypto';

const SIMD = 'wasm-kms (simd)';
const BUDGET = { timeMs: 2_000, minSamples: 200 };
const MESSAGE_BYTES = 100;
/** Keys verified in turn for the first-use row: more than the core and the glue keep. */
const ROTATION = 128;

const CURVES = [
  { spec: 'ECC_NIST_P256', node: 'prime256v1', hash: 'sha256', target: 1 },
  { spec: 'ECC_NIST_P384', node: 'secp384r1', hash: 'sha384', target: 0.3 },
  { spec: 'ECC_NIST_P521', node: 'secp521r1', hash: 'sha512', target: 0.3 },
  { spec: 'ECC_SECG_P256K1', node: 'secp256k1', hash: 'sha256', target: 0.3 },
];
const K1 = 'ECC_SECG_P256K1';
const PEERS = ['@noble/curves', 'tiny-secp256k1'];

// Sign and verify: ≤ 1 × node:crypto on P-256, ≤ 0.3 × on P-384, P-521 and secp256k1; on
// secp256k1 also ahead of @noble/curves and tiny-secp256k1.
export const targets = CURVES.flatMap((c) =>
  ['sign', 'verify'].flatMap((op) => [
    { group: `${c.spec} ${op}`, task: SIMD, maxRatio: c.target },
    ...(c.spec === K1 ? PEERS.map((than) => ({ group: `${c.spec} ${op}`, task: SIMD, than, maxRatio: 1 })) : []),
  ]),
);

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  /** @type {Array<[string, import('../../dist/core/module.js').Core]>} */
  const cores = [...(simd ? [/** @type {[string, typeof simd]} */ ([SIMD, simd])] : []), ['wasm-kms (scalar)', scalar]];
  return CURVES.flatMap((c) => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: c.node });
    const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
    const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const message = crypto.getRandomValues(new Uint8Array(MESSAGE_BYTES));
    const digest = new Uint8Array(crypto.createHash(c.hash).update(message).digest());
    const signature = new Uint8Array(crypto.sign(c.hash, message, privateKey));
    const checkSignature = (name) => (sig) => {
      const der =
        sig.length === 64 ? new Uint8Array(secp256k1.Signature.fromBytes(sig, 'compact').toBytes('der')) : sig;
      if (!crypto.verify(c.hash, message, publicKey, der))
        throw new Error(`${c.spec} ${name}: the signature does not verify`);
    };
    const checkTrue = (name) => (ok) => {
      if (ok !== true) throw new Error(`${c.spec} ${name}: a valid signature was not accepted`);
    };
    const signTasks = [
      ...cores.map(([name, core]) => ({ name, fn: () => ecdsaSign(core, pkcs8, digest) })),
      { name: 'node:crypto', fn: () => crypto.sign(c.hash, message, privateKey) },
    ];
    // Verification keeps a key's parsed form and multiples after its second use (a KMS key
    // verifies many messages): the rows above measure that. This one turns through more keys
    // than are kept, so that every call takes the path of a key seen for the first time.
    const rotation = Array.from({ length: ROTATION }, () => {
      const k = crypto.generateKeyPairSync('ec', { namedCurve: c.node });
      return {
        spki: new Uint8Array(k.publicKey.export({ format: 'der', type: 'spki' })),
        sig: new Uint8Array(crypto.sign(c.hash, message, k.privateKey)),
      };
    });
    let turn = 0;
    const verifyTasks = [
      ...cores.map(([name, core]) => ({ name, fn: () => ecdsaVerify(core, spki, digest, signature) })),
      ...(simd
        ? [
            {
              name: `${SIMD}, ${ROTATION} keys in turn`,
              fn: () => {
                const k = rotation[turn++ % ROTATION];
                return ecdsaVerify(simd, k.spki, digest, k.sig);
              },
            },
          ]
        : []),
      { name: 'node:crypto', fn: () => crypto.verify(c.hash, message, publicKey, signature) },
    ];
    if (c.spec === K1) {
      const jwk = privateKey.export({ format: 'jwk' });
      const d = new Uint8Array(Buffer.from(/** @type {string} */ (jwk.d), 'base64url'));
      const point = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-65));
      // tiny-secp256k1 takes compact low-s signatures only: one made by @noble/curves (low s by default).
      const lowS = secp256k1.sign(digest, d, { prehash: false });
      signTasks.push(
        { name: '@noble/curves', fn: () => secp256k1.sign(digest, d, { prehash: false, lowS: false, format: 'der' }) },
        { name: 'tiny-secp256k1', fn: () => tinySecp256k1.sign(digest, d) },
      );
      verifyTasks.push(
        {
          name: '@noble/curves',
          fn: () => secp256k1.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' }),
        },
        { name: 'tiny-secp256k1', fn: () => tinySecp256k1.verify(digest, point, lowS) },
      );
    }
    return [
      {
        name: `${c.spec} sign`,
        ...BUDGET,
        tasks: signTasks.map((t) => ({ ...t, check: checkSignature(t.name) })),
      },
      { name: `${c.spec} verify`, ...BUDGET, tasks: verifyTasks.map((t) => ({ ...t, check: checkTrue(t.name) })) },
    ];
  });
}
