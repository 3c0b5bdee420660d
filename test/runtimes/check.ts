// Checks in Node of what another runtime produced: every spec came back, Decrypt returned the
// private key, and each public key is the public half of its private key by node:crypto (RSA,
// EC, SM2, Ed25519) or @noble/post-quantum (ML-KEM) — never by the library itself.
import { expect } from 'vitest';
import { createECDH, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { DATA_KEY_PAIR_SPECS } from '../../src/kms/schema.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** One spec's outcome as scenario.mjs reports it (blobs in base64). */
export interface PairResult {
  spec: string;
  region: string;
  KeyId: string;
  KeyPairSpec: string;
  PublicKey: string;
  PrivateKeyPlaintext: string;
  PrivateKeyCiphertextBlob: string;
  DecryptKeyId: string;
  Plaintext: string;
}

/** The path of a dev-dependency binary, or a failure that says what to install. */
export function devBinary(name: string, pkg = name): string {
  const bin = join(root, 'node_modules', '.bin', name);
  if (!existsSync(bin)) {
    throw new Error(
      `${name} is not installed (${bin} is missing): run \`npm ci\` to install the dev dependency "${pkg}"`,
    );
  }
  return bin;
}

const ML_KEM = { ML_KEM_512: ml_kem512, ML_KEM_768: ml_kem768, ML_KEM_1024: ml_kem1024 } as const;
const EC_CURVES: Record<string, string> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
  ECC_SECG_P256K1: 'secp256k1',
  SM2: 'SM2',
};
/** The length of the big-endian private scalar (and of each coordinate) per EC spec. */
const EC_SCALAR_BYTES: Record<string, number> = {
  ECC_NIST_P256: 32,
  ECC_NIST_P384: 48,
  ECC_NIST_P521: 66,
  ECC_SECG_P256K1: 32,
  SM2: 32,
};

const b64 = (s: string) => Buffer.from(s, 'base64');

/** The private scalar of an RFC 5915 ECPrivateKey inside PKCS#8: the first OCTET STRING of its length. */
function ecScalar(pkcs8: Buffer, len: number): Buffer {
  const marker = Buffer.from([0x02, 0x01, 0x01, 0x04, len]); // version 1, OCTET STRING
  const at = pkcs8.indexOf(marker);
  expect(at, 'ECPrivateKey version and private key OCTET STRING').toBeGreaterThan(0);
  return pkcs8.subarray(at + marker.length, at + marker.length + len);
}

/** Checks that `spki` is the public half of `pkcs8` for `spec`, independently of the library. */
export function expectPairMatches(spec: string, pkcs8: Buffer, spki: Buffer): void {
  if (spec in ML_KEM) {
    // The PKCS#8 holds the 64-byte seed d‖z (86 bytes in all); noble expands it to the key.
    expect(pkcs8.length).toBe(86);
    const { publicKey } = ML_KEM[spec as keyof typeof ML_KEM].keygen(new Uint8Array(pkcs8.subarray(pkcs8.length - 64)));
    expect(spki.subarray(spki.length - publicKey.length)).toEqual(Buffer.from(publicKey));
    return;
  }
  // node:crypto takes the PKCS#8 and writes the SPKI: byte for byte the library's.
  const priv = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  expect(createPublicKey(priv).export({ type: 'spki', format: 'der' })).toEqual(spki);
  const curve = EC_CURVES[spec];
  if (curve) {
    // An ECPrivateKey carries its public point, which OpenSSL copies rather than recomputes:
    // derive d·G from the scalar alone.
    const len = EC_SCALAR_BYTES[spec];
    const ecdh = createECDH(curve);
    ecdh.setPrivateKey(ecScalar(pkcs8, len));
    // The SPKI ends with the uncompressed point 04‖X‖Y.
    expect(spki.subarray(spki.length - (1 + 2 * len))).toEqual(ecdh.getPublicKey());
  } else if (spec.startsWith('RSA_')) {
    // PKCS#8 RSA carries n and e too: a signature by d that verifies under the SPKI ties them.
    const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)));
    const msg = Buffer.from('wasm-kms runtime check');
    expect(verify('sha256', msg, pub, sign('sha256', msg, priv))).toBe(true);
  } else {
    expect(spec).toBe('ECC_NIST_EDWARDS25519'); // the seed alone: the SPKI above was derived
    expect(priv.asymmetricKeyType).toBe('ed25519');
  }
}

/** One result: the right spec and Region, Decrypt gave back the private key, the pair matches. */
export function expectResult(r: PairResult, spec: string): void {
  expect(r.spec).toBe(spec);
  expect(r.KeyPairSpec).toBe(spec);
  expect(r.region).toBe(spec === 'SM2' ? 'cn-north-1' : 'us-east-1');
  expect(r.KeyId).toMatch(new RegExp(`^arn:aws[a-z-]*:kms:${r.region}:111122223333:key/[0-9a-f-]{36}$`));
  expect(r.DecryptKeyId).toBe(r.KeyId);
  const plaintext = b64(r.PrivateKeyPlaintext);
  expect(plaintext.length).toBeGreaterThan(0);
  expect(b64(r.Plaintext)).toEqual(plaintext);
  expect(b64(r.PrivateKeyCiphertextBlob).includes(plaintext)).toBe(false);
  expectPairMatches(spec, plaintext, b64(r.PublicKey));
}

/** Every data key pair spec, once each, in the library's order, all checked. */
export function expectAllSpecs(results: PairResult[]): void {
  expect(results.map((r) => r.spec)).toEqual([...DATA_KEY_PAIR_SPECS]);
  for (const r of results) expectResult(r, r.spec);
  // Fresh keys: no two results share a private key.
  expect(new Set(results.map((r) => r.PrivateKeyPlaintext)).size).toBe(results.length);
}
