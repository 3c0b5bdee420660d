// CiphertextForRecipient: AES-256-CBC in the core (both builds; the encryption is sequential, so
// every block uses one block of the eight-block bitsliced cipher, while the decryption runs eight
// blocks at a time) against OpenSSL through node:crypto's aes-256-cbc (AES-NI), on 1,217 bytes
// (an RSA_2048 PKCS#8) and 2,375 bytes (RSA_4096); and a whole CMS envelope to an RSA-2048
// enclave key (envelopeForRecipient: RSAES-OAEP-SHA-256 of a fresh key, AES-256-CBC, the BER) and
// its opening (openEnvelope), against node:crypto doing the same two primitives without the CMS
// encoding. Every result is checked.

import crypto from 'node:crypto';
import { aes256CbcEncrypt, aes256CbcDecrypt } from '../../dist/core/symmetric.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';
import { envelopeForRecipient, openEnvelope, parseEnvelope } from '../../dist/kms/attestation/cms.js';

export const id = 'cms';
export const title = 'CMS envelopes for attested enclaves (AES-256-CBC, RSAES-OAEP-SHA-256)';
export const baseline = 'node:crypto';
// Bounds that catch a large regression of the SIMD build. Three quick runs on a shared 2-core
// machine (load average 8-13) measured, SIMD build against node:crypto: CBC decrypt 2.5-3.3x, CBC
// encrypt 9.5-11.4x (one block per bitsliced pass), a whole envelope 4.1-4.5x (0.18-0.19 ms);
// opening one 7-49x (the RSA-2048 private operation, 2.4-16 ms, very noisy).
export const targets = [
  { group: 'CBC decrypt 2,375 bytes (RSA_4096 PKCS#8)', task: 'wasm-kms (simd)', maxRatio: 8 },
  { group: 'CBC encrypt 2,375 bytes (RSA_4096 PKCS#8)', task: 'wasm-kms (simd)', maxRatio: 25 },
  { group: 'envelope 2,375 bytes to RSA-2048', task: 'wasm-kms (simd)', maxRatio: 10 },
];

const SIMD = 'wasm-kms (simd)';
const BUDGET = { timeMs: 2_000, minSamples: 50 };
const SIZES = [
  { name: '1,217 bytes (RSA_2048 PKCS#8)', bytes: 1217 },
  { name: '2,375 bytes (RSA_4096 PKCS#8)', bytes: 2375 },
];

function nodeCbc(decrypt, key, iv, data) {
  const c = decrypt ? crypto.createDecipheriv('aes-256-cbc', key, iv) : crypto.createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  const key = new Uint8Array(crypto.randomBytes(32));
  const iv = new Uint8Array(crypto.randomBytes(16));
  const cores = [...(simd ? [{ name: SIMD, core: simd }] : []), { name: 'wasm-kms (scalar)', core: scalar }];
  const same = (want, what) => (out) => {
    if (!out || !Buffer.from(out).equals(Buffer.from(want))) throw new Error(`${what}: differs from node:crypto`);
  };

  const cbc = SIZES.flatMap((size) => {
    const content = new Uint8Array(crypto.randomBytes(size.bytes));
    const ct = new Uint8Array(nodeCbc(false, key, iv, content));
    return [
      {
        name: `CBC encrypt ${size.name}`,
        ...BUDGET,
        tasks: [
          ...cores.map((c) => ({ name: c.name, fn: () => aes256CbcEncrypt(c.core, key, iv, content) })),
          { name: 'node:crypto', fn: () => nodeCbc(false, key, iv, content) },
        ].map((t) => ({ ...t, check: same(ct, `encrypt ${size.name}, ${t.name}`) })),
      },
      {
        name: `CBC decrypt ${size.name}`,
        ...BUDGET,
        tasks: [
          ...cores.map((c) => ({ name: c.name, fn: () => aes256CbcDecrypt(c.core, key, iv, ct) })),
          { name: 'node:crypto', fn: () => nodeCbc(true, key, iv, ct) },
        ].map((t) => ({ ...t, check: same(content, `decrypt ${size.name}, ${t.name}`) })),
      },
    ];
  });

  // The enclave's key pair, and an RSA_4096 PKCS#8's worth of content.
  const enclave = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = new Uint8Array(enclave.publicKey.export({ type: 'spki', format: 'der' }));
  const pkcs8 = new Uint8Array(enclave.privateKey.export({ type: 'pkcs8', format: 'der' }));
  const content = new Uint8Array(crypto.randomBytes(2375));
  const oaep = { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  const nodeSeal = () => {
    const cek = crypto.randomBytes(32);
    const civ = crypto.randomBytes(16);
    return {
      ek: crypto.publicEncrypt({ key: enclave.publicKey, ...oaep }, cek),
      iv: civ,
      ct: nodeCbc(false, cek, civ, content),
    };
  };
  const sealed = nodeSeal();
  const nodeOpen = (s) => nodeCbc(true, crypto.privateDecrypt({ key: enclave.privateKey, ...oaep }, s.ek), s.iv, s.ct);
  const opensTo = (what) => (out) => {
    const f = parseEnvelope(out);
    same(content, what)(nodeOpen({ ek: f.encryptedKey, iv: f.iv, ct: f.encryptedContent }));
  };
  const envelope = simd
    ? envelopeForRecipient(spki, content, () => simd)
    : envelopeForRecipient(spki, content, () => scalar);
  return [
    ...cbc,
    {
      name: 'envelope 2,375 bytes to RSA-2048',
      ...BUDGET,
      tasks: [
        ...cores.map((c) => ({
          name: c.name,
          fn: () => envelopeForRecipient(spki, content, () => c.core),
          check: opensTo(`envelope, ${c.name}`),
        })),
        { name: 'node:crypto', fn: nodeSeal, check: (s) => same(content, 'envelope, node:crypto')(nodeOpen(s)) },
      ],
    },
    {
      name: 'open an envelope of 2,375 bytes (RSA-2048)',
      ...BUDGET,
      tasks: [
        ...cores.map((c) => ({ name: c.name, fn: () => openEnvelope(envelope, pkcs8, () => c.core) })),
        { name: 'node:crypto', fn: () => nodeOpen(sealed) },
      ].map((t) => ({ ...t, check: same(content, `open, ${t.name}`) })),
    },
  ];
}
