/**
 * ML-KEM keys in SubjectPublicKeyInfo and PKCS#8 form, for the KMS key pair specs
 * ML_KEM_512, ML_KEM_768 and ML_KEM_1024 (FIPS 203; the encodings of the IETF LAMPS
 * "ML-KEM in X.509" profile, as OpenSSL 3.5+ writes them).
 *
 * The output is byte for byte what KMS returns (reference files MLKEM768.* and MLKEM1024.*;
 * the @noble/post-quantum-built noble_MLKEM* files have the same layout):
 *   SPKI:   SEQUENCE { SEQUENCE { id-alg-ml-kem-N }, BIT STRING ek }
 *           AlgorithmIdentifier without parameters; ek raw, 800 / 1184 / 1568 bytes
 *           (822 / 1206 / 1590 bytes in all).
 *   PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE { id-alg-ml-kem-N }, OCTET STRING { [0] seed } }
 *           a version 0 PrivateKeyInfo whose privateKey is the seed choice of
 *           ML-KEM-PrivateKey, [0] IMPLICIT OCTET STRING (SIZE (64)), the seed d ‖ z;
 *           86 bytes for every parameter set, no attributes and no public key.
 */
import { DerError, DerReader, readTlv } from './reader.js';
import { checkKeyBytes, prefixed, seedKeyTemplate, type SeedKeyTemplate } from './seed-key.js';
import { ML_KEM_ALGORITHM_IDENTIFIER_DER } from './constants.js';

/** The module rank k of ML-KEM-512, -768 and -1024 (FIPS 203 Table 2). */
export type MlKemRank = 2 | 3 | 4;

/** id-alg-ml-kem-512 / -768 / -1024 (NIST CSOR, under 2.16.840.1.101.3.4.4). */
export const ML_KEM_OIDS: Readonly<Record<MlKemRank, string>> = {
  2: '2.16.840.1.101.3.4.4.1',
  3: '2.16.840.1.101.3.4.4.2',
  4: '2.16.840.1.101.3.4.4.3',
};

/** The seed d ‖ z (FIPS 203 Alg. 19): the private key in seed form. */
export const ML_KEM_SEED_BYTES = 64;

/** Bytes of the encapsulation key, 384k + 32 (FIPS 203 Table 3). */
export function mlkemEkBytes(k: MlKemRank): number {
  return 384 * k + 32;
}

/** Bytes of the expanded decapsulation key, 768k + 96 (FIPS 203 Table 3). */
export function mlkemDkBytes(k: MlKemRank): number {
  return 768 * k + 96;
}

export function checkRank(k: unknown): asserts k is MlKemRank {
  if (k !== 2 && k !== 3 && k !== 4) throw new RangeError(`ML-KEM rank k must be 2, 3 or 4, got ${String(k)}`);
}

const templates = new Map<MlKemRank, SeedKeyTemplate>();

function template(k: MlKemRank): SeedKeyTemplate {
  let t = templates.get(k);
  if (!t) {
    t = seedKeyTemplate(ML_KEM_ALGORITHM_IDENTIFIER_DER[k], mlkemEkBytes(k), ML_KEM_SEED_BYTES);
    templates.set(k, t);
  }
  return t;
}

/** SubjectPublicKeyInfo of an encapsulation key ek (384k + 32 bytes). */
export function mlkemSpki(k: MlKemRank, ek: Uint8Array): Uint8Array {
  checkRank(k);
  checkKeyBytes('ML-KEM', 'encapsulation key', ek, mlkemEkBytes(k));
  return prefixed(template(k).spkiPrefix, ek);
}

/**
 * PKCS#8 PrivateKeyInfo holding the 64-byte seed d ‖ z. The caller owns (and wipes) `seed`
 * and the result; no other copy of the seed is made.
 */
export function mlkemPkcs8(k: MlKemRank, seed: Uint8Array): Uint8Array {
  checkRank(k);
  checkKeyBytes('ML-KEM', 'seed', seed, ML_KEM_SEED_BYTES);
  return prefixed(template(k).pkcs8Prefix, seed);
}

function readAlgorithm(r: DerReader): MlKemRank {
  const alg = r.readSequence();
  const oid = alg.readOid();
  const k = ([2, 3, 4] as const).find((x) => ML_KEM_OIDS[x] === oid);
  if (k === undefined)
    throw new DerError(`expected an ML-KEM algorithm (${Object.values(ML_KEM_OIDS).join(', ')}), found ${oid}`);
  if (!alg.done) throw new DerError('ML-KEM AlgorithmIdentifier must have no parameters');
  return k;
}

/** The parameter set and encapsulation key of an ML-KEM SubjectPublicKeyInfo (a copy). */
export function parseMlKemSpki(der: Uint8Array): { k: MlKemRank; ek: Uint8Array } {
  const spki = new DerReader(der).readOnlySequence();
  const k = readAlgorithm(spki);
  const { bytes, unusedBits } = spki.readBitString();
  spki.expectEnd();
  if (unusedBits !== 0) throw new DerError('ML-KEM subjectPublicKey has unused bits');
  if (bytes.length !== mlkemEkBytes(k)) {
    throw new DerError(`ML-KEM-${256 * k} encapsulation key must be ${mlkemEkBytes(k)} bytes, got ${bytes.length}`);
  }
  return { k, ek: bytes.slice() };
}

/**
 * The parameter set and 64-byte seed of an ML-KEM PKCS#8 PrivateKeyInfo in seed form
 * (a copy the caller must wipe). Version 0 without attributes, what KMS and this library write.
 */
export function parseMlKemPkcs8(der: Uint8Array): { k: MlKemRank; seed: Uint8Array } {
  const info = new DerReader(der).readOnlySequence();
  const version = info.readInteger();
  if (version !== 0n) throw new DerError(`unsupported PrivateKeyInfo version ${version}`);
  const k = readAlgorithm(info);
  const privateKey = info.readOctetString();
  info.expectEnd();
  const inner = readTlv(privateKey);
  if (inner.tag !== 0x80)
    throw new DerError(`expected the ML-KEM seed [0], found tag 0x${inner.tag.toString(16).padStart(2, '0')}`);
  if (inner.end !== privateKey.length)
    throw new DerError(`${privateKey.length - inner.end} trailing byte(s) after the ML-KEM seed`);
  if (inner.contents.length !== ML_KEM_SEED_BYTES) {
    throw new DerError(`ML-KEM seed must be ${ML_KEM_SEED_BYTES} bytes, got ${inner.contents.length}`);
  }
  return { k, seed: inner.contents.slice() };
}
