// SM2DSA signatures and SM2PKE encryption with an SM2 key (sm2p256v1, SM3), a 100-byte RAW
// message (e = SM3(Z_A || M) with the default ID computed in every call, as KMS Sign does) and
// a 32-byte plaintext (a data key). The core takes DER keys and returns DER, as the KMS layer
// calls it; sm-crypto-v2 takes hex keys and returns DER (signatures) or C1C3C2 hex.
//
// node:crypto cannot make or check SM2DSA signatures in Node 20: an SM2-curve key has the EC
// key type there, and crypto.sign(alg, m, key) makes an ECDSA signature (the SM2 key type,
// with Z_A and the SM2 signing equation, is not reachable from Node's API), nor SM2PKE
// ciphertexts (publicEncrypt refuses EC keys). Its ECDSA-SM3 on the same curve, with
// KeyObjects made beforehand, is timed as the nearest OpenSSL figure (the same [k]G and
// [u1]G + [u2]Q on the same curve, but not the same scheme), and is not a target.

import crypto from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { sm2Sign, sm2Verify, sm2Encrypt, sm2Decrypt } from '../../dist/core/sm2.js';
import { generateEc } from '../../dist/core/ec.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';
import { parseEcPkcs8, parseEcSpki } from '../../dist/der/ec.js';
import { derInteger, derOctetString, derSequence } from '../../dist/der/writer.js';

export const id = 'sm2';
export const title = 'SM2DSA and SM2PKE';
export const baseline = 'sm-crypto-v2';

const SIMD = 'wasm-kms (simd)';
const NODE = 'node:crypto (ECDSA-SM3 on the SM2 curve, not SM2DSA)';
const BUDGET = { timeMs: 2_000, minSamples: 300 };
const SIGN = 'SM2DSA sign (RAW, 100 bytes)';
const VERIFY = 'SM2DSA verify (RAW, 100 bytes)';
const ENCRYPT = 'SM2PKE encrypt (32 bytes)';
const DECRYPT = 'SM2PKE decrypt (32 bytes)';

// wasm-kms (simd) faster than sm-crypto-v2 in every group.
export const targets = [SIGN, VERIFY, ENCRYPT, DECRYPT].map((group) => ({ group, task: SIMD, maxRatio: 1 }));

const hex = (b) => Buffer.from(b).toString('hex');

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  const { publicKey: spki, privateKey: pkcs8 } = generateEc(scalar, 'SM2');
  const dHex = hex(parseEcPkcs8(pkcs8).privateKey);
  const pubHex = hex(parseEcSpki(spki).point);
  const nodePriv = crypto.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const nodePub = crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const msg = new Uint8Array(crypto.randomBytes(100));
  const plaintext = new Uint8Array(crypto.randomBytes(32));
  /** @type {[string, import('../../dist/core/module.js').Core][]} */
  const cores = [['wasm-kms (scalar)', scalar]];
  if (simd) cores.unshift([SIMD, simd]);

  // One signature of each kind, checked by sm-crypto-v2 (SM2DSA) or node (ECDSA).
  const ours = sm2Sign(scalar, pkcs8, msg, 'RAW');
  const theirs = sm2.doSignature(msg, dHex, { der: true, hash: true, publicKey: pubHex });
  const theirsDer = Buffer.from(theirs, 'hex');
  const nodeSig = crypto.sign('sm3', msg, nodePriv);
  const checkSm2Sig = (name) => (sig) => {
    if (!sm2.doVerifySignature(msg, typeof sig === 'string' ? sig : hex(sig), pubHex, { der: true, hash: true }))
      throw new Error(`${name}: the signature does not verify in sm-crypto-v2`);
  };
  const checkTrue = (name) => (ok) => {
    if (ok !== true) throw new Error(`${name}: a valid signature did not verify`);
  };
  const ct = sm2Encrypt(scalar, spki, plaintext);
  const ctTheirs = sm2.doEncrypt(plaintext, pubHex, 1);
  const checkCiphertext = (name) => (c) => {
    const back = typeof c === 'string' ? sm2Decrypt(scalar, pkcs8, c1c3c2ToDer(c)) : sm2Decrypt(scalar, pkcs8, c);
    if (hex(back) !== hex(plaintext)) throw new Error(`${name}: the ciphertext does not decrypt to the plaintext`);
  };
  const checkPlaintext = (name) => (p) => {
    if (hex(p) !== hex(plaintext)) throw new Error(`${name}: wrong plaintext`);
  };

  return [
    {
      name: SIGN,
      ...BUDGET,
      tasks: [
        ...cores.map(([name, core]) => ({
          name,
          fn: () => sm2Sign(core, pkcs8, msg, 'RAW'),
          check: checkSm2Sig(name),
        })),
        {
          name: 'sm-crypto-v2',
          fn: () => sm2.doSignature(msg, dHex, { der: true, hash: true, publicKey: pubHex }),
          check: checkSm2Sig('sm-crypto-v2'),
        },
        {
          name: NODE,
          fn: () => crypto.sign('sm3', msg, nodePriv),
          check: (sig) => {
            if (!crypto.verify('sm3', msg, nodePub, sig)) throw new Error('node:crypto: the signature does not verify');
          },
        },
      ],
    },
    {
      name: VERIFY,
      ...BUDGET,
      tasks: [
        ...cores.map(([name, core]) => ({
          name,
          fn: () => sm2Verify(core, spki, msg, 'RAW', theirsDer),
          check: checkTrue(name),
        })),
        {
          name: 'sm-crypto-v2',
          fn: () => sm2.doVerifySignature(msg, hex(ours), pubHex, { der: true, hash: true }),
          check: checkTrue('sm-crypto-v2'),
        },
        { name: NODE, fn: () => crypto.verify('sm3', msg, nodePub, nodeSig), check: checkTrue(NODE) },
      ],
    },
    {
      name: ENCRYPT,
      ...BUDGET,
      tasks: [
        ...cores.map(([name, core]) => ({
          name,
          fn: () => sm2Encrypt(core, spki, plaintext),
          check: checkCiphertext(name),
        })),
        {
          name: 'sm-crypto-v2',
          fn: () => sm2.doEncrypt(plaintext, pubHex, 1),
          check: checkCiphertext('sm-crypto-v2'),
        },
      ],
    },
    {
      name: DECRYPT,
      ...BUDGET,
      tasks: [
        ...cores.map(([name, core]) => ({
          name,
          fn: () => sm2Decrypt(core, pkcs8, ct),
          check: checkPlaintext(name),
        })),
        {
          name: 'sm-crypto-v2',
          fn: () => sm2.doDecrypt(ctTheirs, dHex, 1, { output: 'array' }),
          check: checkPlaintext('sm-crypto-v2'),
        },
      ],
    },
  ];
}

/** sm-crypto-v2's C1C3C2 hex (C1 without its 04 prefix) as the DER SM2Cipher. */
function c1c3c2ToDer(h) {
  const b = new Uint8Array(Buffer.from(h, 'hex'));
  return derSequence(
    derInteger(b.subarray(0, 32)),
    derInteger(b.subarray(32, 64)),
    derOctetString(b.subarray(64, 96)),
    derOctetString(b.subarray(96)),
  );
}
