// HMAC of a 4 KiB message (what GenerateMac and VerifyMac compute) against node:crypto, and ML-KEM
// encapsulation and decapsulation per KMS key spec (Encapsulate, Decapsulate) against
// @noble/post-quantum.
//
// HMAC: the core's generic HMAC by hash id (digest/hmac of src/core/symmetric.ts) on both builds,
// the SHA-256-only path the ciphertext format uses (hmacSha256), and node:crypto's createHmac
// with a KeyObject made beforehand. The key is 32 bytes (an HMAC_256 KMS key), 64 for SHA-512.
//
// ML-KEM: wasm-kms works from what a KMS key record holds: encapsulation parses the SPKI,
// decapsulation parses the seed-form PKCS#8 and expands the seed into dk inside the core on every
// call (ML-KEM.KeyGen_internal, then Decaps), where noble decapsulates with its expanded secret
// key made beforehand and encapsulates to the raw ek. Every task's first result is checked: an
// encapsulation's secret must be what noble decapsulates from its ciphertext, a decapsulation
// must give the secret the ciphertext was made with.

import crypto from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { hmac, hmacSha256 } from '../../dist/core/symmetric.js';
import { generateMlKem, mlkemDecapsulate, mlkemEncapsulate } from '../../dist/core/mlkem.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';
import { parseMlKemPkcs8, parseMlKemSpki } from '../../dist/der/mlkem.js';

export const id = 'mac-kem';
export const title = 'HMAC (GenerateMac) and ML-KEM encapsulation / decapsulation';
export const baseline = 'node:crypto';

const SIMD = 'wasm-kms (simd)';
const NOBLE = '@noble/post-quantum';
const MESSAGE_BYTES = 4096;

/** @type {{ name: string, hash: 'SHA-256' | 'SHA-384' | 'SHA-512', node: string, keyBytes: number }[]} */
const MACS = [
  { name: 'HMAC-SHA-256, 4 KiB', hash: 'SHA-256', node: 'sha256', keyBytes: 32 },
  { name: 'HMAC-SHA-512, 4 KiB', hash: 'SHA-512', node: 'sha512', keyBytes: 64 },
];

/** @type {{ spec: string, k: import('../../dist/der/mlkem.js').MlKemRank, noble: typeof ml_kem512 }[]} */
const KEMS = [
  { spec: 'ML_KEM_512', k: 2, noble: ml_kem512 },
  { spec: 'ML_KEM_768', k: 3, noble: ml_kem768 },
  { spec: 'ML_KEM_1024', k: 4, noble: ml_kem1024 },
];

export const targets = [
  // HMAC-SHA-256 of 4 KiB at most twice node:crypto's time.
  { group: MACS[0].name, task: SIMD, maxRatio: 2 },
  // Encapsulate and Decapsulate at least 3 × faster than @noble/post-quantum.
  ...KEMS.flatMap((s) =>
    ['encapsulate', 'decapsulate'].map((op) => ({ group: `${s.spec} ${op}`, task: SIMD, maxRatio: 0.33, than: NOBLE })),
  ),
];

export async function groups() {
  const scalar = loadCore('scalar');
  const simd = simdSupported() ? loadCore('simd') : undefined;
  if (!simd) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  const cores = [...(simd ? [{ name: SIMD, core: simd }] : []), { name: 'wasm-kms (scalar)', core: scalar }];
  const message = new Uint8Array(crypto.randomBytes(MESSAGE_BYTES));
  const out = [];

  for (const m of MACS) {
    const key = new Uint8Array(crypto.randomBytes(m.keyBytes));
    const keyObject = crypto.createSecretKey(key);
    const want = crypto.createHmac(m.node, key).update(message).digest();
    const check = (name) => (mac) => {
      if (!Buffer.from(mac).equals(want)) throw new Error(`${m.name} ${name}: the MAC differs from node:crypto's`);
    };
    const tasks = [
      ...cores.map((c) => ({ name: c.name, fn: () => hmac(c.core, m.hash, key, message) })),
      ...(m.hash === 'SHA-256' && simd
        ? [{ name: 'wasm-kms (simd, SHA-256-only path)', fn: () => hmacSha256(simd, key, message) }]
        : []),
      { name: 'node:crypto', fn: () => crypto.createHmac(m.node, keyObject).update(message).digest() },
    ];
    out.push({
      name: m.name,
      timeMs: 2_000,
      minSamples: 1_000,
      tasks: tasks.map((t) => ({ ...t, check: check(t.name) })),
    });
  }

  for (const s of KEMS) {
    const pair = generateMlKem(scalar, s.k);
    const { ek } = parseMlKemSpki(pair.publicKey);
    const { seed } = parseMlKemPkcs8(pair.privateKey);
    const nobleKeys = s.noble.keygen(seed);
    const sample = s.noble.encapsulate(ek);
    const secretOf = (ciphertext) => Buffer.from(s.noble.decapsulate(ciphertext, nobleKeys.secretKey));
    const checkEncaps = (name) => (r) => {
      const ct = r.ciphertext ?? r.cipherText;
      if (!secretOf(ct).equals(Buffer.from(r.sharedSecret)))
        throw new Error(`${s.spec} ${name}: noble decapsulates another secret`);
    };
    const checkDecaps = (name) => (secret) => {
      if (!Buffer.from(secret).equals(Buffer.from(sample.sharedSecret)))
        throw new Error(`${s.spec} ${name}: the secret differs from the encapsulated one`);
    };
    const budget = { timeMs: 2_000, minSamples: 200 };
    out.push({
      name: `${s.spec} encapsulate`,
      ...budget,
      tasks: [
        ...cores.map((c) => ({ name: c.name, fn: () => mlkemEncapsulate(c.core, pair.publicKey) })),
        { name: NOBLE, fn: () => s.noble.encapsulate(ek) },
      ].map((t) => ({ ...t, check: checkEncaps(t.name) })),
    });
    out.push({
      name: `${s.spec} decapsulate`,
      ...budget,
      tasks: [
        ...cores.map((c) => ({
          name: c.name,
          fn: () => mlkemDecapsulate(c.core, pair.privateKey, sample.cipherText),
        })),
        { name: NOBLE, fn: () => s.noble.decapsulate(sample.cipherText, nobleKeys.secretKey) },
      ].map((t) => ({ ...t, check: checkDecaps(t.name) })),
    });
  }
  return out;
}

/** The ML-KEM groups' ratios against noble (the table's ratio column is against node:crypto, which has no ML-KEM in Node 20). */
export async function notes(done) {
  const lines = [];
  for (const g of done) {
    const base = g.tasks.find((t) => t.name === NOBLE);
    if (!base) continue;
    const parts = g.tasks
      .filter((t) => t !== base)
      .map((t) => `${t.name} ${(t.median / base.median).toFixed(3)}×`)
      .join(', ');
    lines.push(`- ${g.name}: ${parts} of ${NOBLE}'s ${(base.median * 1000).toFixed(1)} µs`);
  }
  return lines;
}
