// Elliptic-curve key pair generation per KMS spec, each task ending with the DER SPKI and
// DER PKCS#8 bytes of the pair. Peers that only produce raw keys (@noble/curves,
// sm-crypto-v2, tiny-secp256k1) get the same DER from per-curve templates sliced out of one
// node:crypto key pair at start-up, so that every task does comparable work.

import crypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sm2 } from 'sm-crypto-v2';
import * as tinySecp256k1 from 'tiny-secp256k1';
import { generateEc } from '../../dist/core/ec.js';
import { generateKeyPair, KEY_PAIR_SPECS } from '../../dist/core/index.js';
import { loadCore, simdSupported } from '../../dist/core/module.js';

export const id = 'ec';
export const title = 'EC key generation';
export const baseline = 'node:crypto';

const SIMD = 'wasm-kms (simd)';
const ED25519 = 'ECC_NIST_EDWARDS25519';
const BUDGET = { timeMs: 3_000, minSamples: 200 };
/** @type {crypto.ED25519KeyPairOptions<'der', 'der'>} */
const DER = {
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'der' },
};

const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));
const fromHex = (hex) => Buffer.from(hex, 'hex');

/** A peer on a noble Weierstrass curve: random secret key and its uncompressed point. */
const nobleEc = (curve) => (der) => {
  const d = curve.utils.randomSecretKey();
  return der(d, curve.getPublicKey(d, false));
};

// Per spec: the core's curve name, node:crypto's, WebCrypto's algorithm where it has the
// curve, the length of the private key (bytes) and the peers, as (der) => key pair.
/**
 * @typedef {object} EcSpec
 * @property {import('../../dist/core/index.js').KeyPairSpec} spec
 * @property {import('../../dist/der/ec.js').EcCurve} [curve] the core's name (none for Ed25519)
 * @property {string} node
 * @property {number} bytes
 * @property {EcKeyGenParams | Algorithm} [webCrypto]
 * @property {Record<string, (der: DerEncoder) => { publicKey: Uint8Array, privateKey: Uint8Array }>} peers
 */
/** @typedef {(d: Uint8Array, point: Uint8Array) => { publicKey: Uint8Array, privateKey: Uint8Array }} DerEncoder */
/** @type {EcSpec[]} */
const ALL_SPECS = [
  {
    spec: 'ECC_NIST_P256',
    curve: 'P-256',
    node: 'prime256v1',
    bytes: 32,
    webCrypto: { name: 'ECDSA', namedCurve: 'P-256' },
    peers: { '@noble/curves': nobleEc(p256) },
  },
  {
    spec: 'ECC_NIST_P384',
    curve: 'P-384',
    node: 'secp384r1',
    bytes: 48,
    webCrypto: { name: 'ECDSA', namedCurve: 'P-384' },
    peers: { '@noble/curves': nobleEc(p384) },
  },
  {
    spec: 'ECC_NIST_P521',
    curve: 'P-521',
    node: 'secp521r1',
    bytes: 66,
    webCrypto: { name: 'ECDSA', namedCurve: 'P-521' },
    peers: { '@noble/curves': nobleEc(p521) },
  },
  {
    spec: 'ECC_SECG_P256K1',
    curve: 'secp256k1',
    node: 'secp256k1',
    bytes: 32,
    peers: {
      '@noble/curves': nobleEc(secp256k1),
      'tiny-secp256k1': (der) => {
        let d;
        do d = randomBytes(32);
        while (!tinySecp256k1.isPrivate(d));
        const point = tinySecp256k1.pointFromScalar(d, false);
        if (!point) throw new Error('tiny-secp256k1: no point for a valid private key');
        return der(d, point);
      },
    },
  },
  {
    spec: 'SM2',
    curve: 'SM2',
    node: 'SM2',
    bytes: 32,
    peers: {
      'sm-crypto-v2': (der) => {
        const { privateKey, publicKey } = sm2.generateKeyPairHex();
        return der(fromHex(privateKey), fromHex(publicKey));
      },
    },
  },
  {
    spec: ED25519,
    node: 'ed25519',
    bytes: 32,
    webCrypto: { name: 'Ed25519' },
    peers: {
      '@noble/curves': (der) => {
        const seed = ed25519.utils.randomSecretKey();
        return der(seed, ed25519.getPublicKey(seed));
      },
    },
  },
];
const SPECS = ALL_SPECS.filter((s) => s.spec !== ED25519 || KEY_PAIR_SPECS.includes(ED25519));

// Every spec: wasm-kms (simd) ahead of every other implementation in the same run (ratio of
// medians ≤ 1 against each); P-256 at most half of node:crypto. secp256k1 ≤ tiny-secp256k1
// is one of the "ahead of every peer" targets.
export const targets = SPECS.flatMap((s) => [
  { group: s.spec, task: SIMD, maxRatio: s.spec === 'ECC_NIST_P256' ? 0.5 : 1 },
  ...[...(s.webCrypto ? ['WebCrypto'] : []), ...Object.keys(s.peers)].map((than) => ({
    group: s.spec,
    task: SIMD,
    than,
    maxRatio: 1,
  })),
]);

/** @param {EcSpec} s */
const nodeKeyPair = (s) =>
  s.spec === ED25519
    ? crypto.generateKeyPairSync('ed25519', DER)
    : crypto.generateKeyPairSync('ec', { namedCurve: s.node, ...DER });

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The DER encoder for a spec's raw keys, (d, point) → { publicKey, privateKey }, with its
 * constant bytes sliced out of a node:crypto key pair. EC: SPKI = prefix ‖ point and
 * PKCS#8 = prefix ‖ d ‖ middle ‖ point (an RFC 5915 ECPrivateKey that carries the public key).
 * Ed25519 (RFC 8410): SPKI = prefix ‖ public key and PKCS#8 = prefix ‖ seed.
 */
function derEncoder(s) {
  const { publicKey: spki, privateKey: pkcs8 } = nodeKeyPair(s);
  const ed = s.spec === ED25519;
  const n = s.bytes;
  const pointBytes = ed ? 32 : 1 + 2 * n;
  const marker = Buffer.from([0x02, 0x01, 0x01, 0x04, n]); // ECPrivateKey: version 1, then d
  const dAt = ed ? pkcs8.length - n : pkcs8.indexOf(marker) + marker.length;
  if (dAt < marker.length) throw new Error(`${s.spec}: no ECPrivateKey in node:crypto's PKCS#8`);
  const spkiPrefix = spki.subarray(0, spki.length - pointBytes);
  const pkcs8Prefix = pkcs8.subarray(0, dAt);
  const middle = pkcs8.subarray(dAt + n, pkcs8.length - pointBytes);
  const der = (d, point) => {
    if (d.length !== n || point.length !== pointBytes) throw new Error(`${s.spec}: raw key of the wrong length`);
    return {
      publicKey: concat(spkiPrefix, point),
      privateKey: ed ? concat(pkcs8Prefix, d) : concat(pkcs8Prefix, d, middle, point),
    };
  };
  // The encoder must reproduce node's own pair from its raw keys.
  const again = der(pkcs8.subarray(dAt, dAt + n), spki.subarray(spki.length - pointBytes));
  if (!spki.equals(again.publicKey) || !pkcs8.equals(again.privateKey))
    throw new Error(`${s.spec}: DER template mismatch`);
  return { der, spkiPrefix };
}

/** Throws unless `pair` is a DER SPKI / PKCS#8 pair on the spec's curve that node:crypto imports, halves matching. */
function checkPair(pair, s, spkiPrefix, name) {
  const fail = (why) => {
    throw new Error(`${s.spec} ${name}: ${why}`);
  };
  const spki = Buffer.from(pair.publicKey);
  // The prefix holds the algorithm and curve OIDs (node reports no curve for SM2).
  const pointBytes = s.spec === ED25519 ? 32 : 1 + 2 * s.bytes;
  if (spki.length !== spkiPrefix.length + pointBytes || !spki.subarray(0, spkiPrefix.length).equals(spkiPrefix)) {
    fail(`not an SPKI for this curve: ${spki.toString('hex')}`);
  }
  crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const priv = crypto.createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
  const derived = crypto.createPublicKey(priv).export({ type: 'spki', format: 'der' });
  if (!derived.equals(spki)) fail('node:crypto derives a different public key from the PKCS#8');
}

async function webCrypto(algorithm) {
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const [spki, pkcs8] = await Promise.all([
    crypto.subtle.exportKey('spki', keys.publicKey),
    crypto.subtle.exportKey('pkcs8', keys.privateKey),
  ]);
  return { publicKey: new Uint8Array(spki), privateKey: new Uint8Array(pkcs8) };
}

export async function groups() {
  const scalar = loadCore('scalar');
  const { generateEd25519 } = SPECS.some((s) => s.spec === ED25519) ? await import('../../dist/core/ed25519.js') : {};
  if (!simdSupported()) process.emitWarning(`WebAssembly SIMD is unavailable: skipping ${SIMD}`);
  /** The scalar build's generator for a spec: the curve's, or Ed25519's (the spec without a curve). */
  const scalarTask = (s) => {
    const curve = s.curve;
    if (curve) return () => generateEc(scalar, curve);
    if (!generateEd25519) throw new Error(`${s.spec}: the Ed25519 module is not loaded`);
    return () => generateEd25519(scalar);
  };
  return SPECS.map((s) => {
    const { der, spkiPrefix } = derEncoder(s);
    const list = [
      ...(simdSupported() ? [{ name: SIMD, fn: () => generateKeyPair(s.spec) }] : []),
      { name: 'wasm-kms (scalar)', fn: scalarTask(s) },
      { name: 'node:crypto', fn: () => nodeKeyPair(s) },
      ...(s.webCrypto ? [{ name: 'WebCrypto', fn: () => webCrypto(s.webCrypto) }] : []),
      ...Object.entries(s.peers).map(([name, peer]) => ({ name, fn: () => peer(der) })),
    ];
    return {
      name: s.spec,
      ...BUDGET,
      tasks: list.map((t) => ({ ...t, check: (pair) => checkPair(pair, s, spkiPrefix, t.name) })),
    };
  });
}
