/**
 * ML-DSA keys in SubjectPublicKeyInfo and PKCS#8 form, for the KMS key specs ML_DSA_44,
 * ML_DSA_65 and ML_DSA_87 (FIPS 204; the encodings of the IETF LAMPS profile
 * draft-ietf-lamps-dilithium-certificates, "ML-DSA in X.509"):
 *   SPKI:   SEQUENCE { SEQUENCE { id-ml-dsa-N }, BIT STRING pk }
 *           AlgorithmIdentifier without parameters; pk raw, 1312 / 1952 / 2592 bytes
 *           (1334 / 1974 / 2614 bytes in all).
 *   PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE { id-ml-dsa-N }, OCTET STRING { [0] seed } }
 *           a version 0 PrivateKeyInfo whose privateKey is the seed choice of
 *           ML-DSA-PrivateKey, seed [0] IMPLICIT OCTET STRING (SIZE (32)), the seed ξ of
 *           ML-DSA.KeyGen (FIPS 204 Alg. 1); 54 bytes for every parameter set.
 */
import { DerError, DerReader, readTlv } from './reader.js';
import { checkKeyBytes, prefixed, seedKeyTemplate, type SeedKeyTemplate } from './seed-key.js';

/** The three parameter sets, named by their NIST security category labels. */
export const ML_DSA_LEVELS = [44, 65, 87] as const;
export type MlDsaLevel = (typeof ML_DSA_LEVELS)[number];

/** id-ml-dsa-44 / -65 / -87 (NIST CSOR, under 2.16.840.1.101.3.4.3 sigAlgs). */
export const ML_DSA_OIDS: Readonly<Record<MlDsaLevel, string>> = {
  44: '2.16.840.1.101.3.4.3.17',
  65: '2.16.840.1.101.3.4.3.18',
  87: '2.16.840.1.101.3.4.3.19',
};

/** AlgorithmIdentifier { id-ml-dsa-N } (no parameters) as DER. */
const ALGORITHM_IDENTIFIER_DER: Readonly<Record<MlDsaLevel, Uint8Array>> = {
  44: Uint8Array.of(0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11),
  65: Uint8Array.of(0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12),
  87: Uint8Array.of(0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x13),
};

/** The seed ξ (FIPS 204 Alg. 1): the private key in seed form. */
export const ML_DSA_SEED_BYTES = 32;

/** Bytes of pk, sk and σ (FIPS 204 Table 2). */
const SIZES: Readonly<Record<MlDsaLevel, { pk: number; sk: number; sig: number }>> = {
  44: { pk: 1312, sk: 2560, sig: 2420 },
  65: { pk: 1952, sk: 4032, sig: 3309 },
  87: { pk: 2592, sk: 4896, sig: 4627 },
};

export function mldsaPublicKeyBytes(level: MlDsaLevel): number {
  return SIZES[level].pk;
}

export function mldsaPrivateKeyBytes(level: MlDsaLevel): number {
  return SIZES[level].sk;
}

export function mldsaSignatureBytes(level: MlDsaLevel): number {
  return SIZES[level].sig;
}

export function checkLevel(level: unknown): asserts level is MlDsaLevel {
  if (level !== 44 && level !== 65 && level !== 87) {
    throw new RangeError(`ML-DSA parameter set must be 44, 65 or 87, got ${String(level)}`);
  }
}

const templates = new Map<MlDsaLevel, SeedKeyTemplate>();

function template(level: MlDsaLevel): SeedKeyTemplate {
  let t = templates.get(level);
  if (!t) {
    t = seedKeyTemplate(ALGORITHM_IDENTIFIER_DER[level], mldsaPublicKeyBytes(level), ML_DSA_SEED_BYTES);
    templates.set(level, t);
  }
  return t;
}

/** SubjectPublicKeyInfo of a public key pk (FIPS 204 pkEncode). */
export function mldsaSpki(level: MlDsaLevel, pk: Uint8Array): Uint8Array {
  checkLevel(level);
  checkKeyBytes('ML-DSA', 'public key', pk, mldsaPublicKeyBytes(level));
  return prefixed(template(level).spkiPrefix, pk);
}

/**
 * PKCS#8 PrivateKeyInfo holding the 32-byte seed ξ. The caller owns (and wipes) `seed` and
 * the result; no other copy of the seed is made.
 */
export function mldsaPkcs8(level: MlDsaLevel, seed: Uint8Array): Uint8Array {
  checkLevel(level);
  checkKeyBytes('ML-DSA', 'seed', seed, ML_DSA_SEED_BYTES);
  return prefixed(template(level).pkcs8Prefix, seed);
}

function readAlgorithm(r: DerReader): MlDsaLevel {
  const alg = r.readSequence();
  const oid = alg.readOid();
  const level = ML_DSA_LEVELS.find((x) => ML_DSA_OIDS[x] === oid);
  if (level === undefined) {
    throw new DerError(`expected an ML-DSA algorithm (${Object.values(ML_DSA_OIDS).join(', ')}), found ${oid}`);
  }
  if (!alg.done) throw new DerError('ML-DSA AlgorithmIdentifier must have no parameters');
  return level;
}

/** The parameter set and public key of an ML-DSA SubjectPublicKeyInfo (a copy). */
export function parseMlDsaSpki(der: Uint8Array): { level: MlDsaLevel; pk: Uint8Array } {
  const spki = new DerReader(der).readOnlySequence();
  const level = readAlgorithm(spki);
  const { bytes, unusedBits } = spki.readBitString();
  spki.expectEnd();
  if (unusedBits !== 0) throw new DerError('ML-DSA subjectPublicKey has unused bits');
  if (bytes.length !== mldsaPublicKeyBytes(level)) {
    throw new DerError(`ML-DSA-${level} public key must be ${mldsaPublicKeyBytes(level)} bytes, got ${bytes.length}`);
  }
  return { level, pk: bytes.slice() };
}

/**
 * The parameter set and 32-byte seed of an ML-DSA PKCS#8 PrivateKeyInfo in seed form (a copy
 * the caller must wipe). Version 0 without attributes, what KMS and this library write; the
 * expandedKey and both choices are refused (a key without its seed cannot be used here).
 */
export function parseMlDsaPkcs8(der: Uint8Array): { level: MlDsaLevel; seed: Uint8Array } {
  const info = new DerReader(der).readOnlySequence();
  const version = info.readInteger();
  if (version !== 0n) throw new DerError(`unsupported PrivateKeyInfo version ${version}`);
  const level = readAlgorithm(info);
  const privateKey = info.readOctetString();
  info.expectEnd();
  const inner = readTlv(privateKey);
  if (inner.tag !== 0x80) {
    throw new DerError(`expected the ML-DSA seed [0], found tag 0x${inner.tag.toString(16).padStart(2, '0')}`);
  }
  if (inner.end !== privateKey.length) {
    throw new DerError(`${privateKey.length - inner.end} trailing byte(s) after the ML-DSA seed`);
  }
  if (inner.contents.length !== ML_DSA_SEED_BYTES) {
    throw new DerError(`ML-DSA seed must be ${ML_DSA_SEED_BYTES} bytes, got ${inner.contents.length}`);
  }
  return { level, seed: inner.contents.slice() };
}
