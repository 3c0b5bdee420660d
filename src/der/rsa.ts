/**
 * RSA keys in SubjectPublicKeyInfo (RFC 5280 §4.1, RFC 3279 §2.3.1) and
 * PKCS#8 PrivateKeyInfo (RFC 5208) form, around the PKCS#1 structures
 * RSAPublicKey / RSAPrivateKey (RFC 8017 Appendix A.1).
 */
import { DerError, DerReader } from './reader.js';
import { derBitString, derInteger, derIntegerSmall, derOctetString, derSequence } from './writer.js';
import { RSA_ALGORITHM_IDENTIFIER_DER } from './constants.js';

/** rsaEncryption (PKCS#1). */
export const RSA_ENCRYPTION_OID = '1.2.840.113549.1.1.1';

/** Unsigned big-endian magnitudes; leading zero bytes are allowed. */
export interface RsaPrivateComponents {
  n: Uint8Array;
  e: Uint8Array;
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  dP: Uint8Array;
  dQ: Uint8Array;
  qInv: Uint8Array;
}

export interface RsaPublicValues {
  n: bigint;
  e: bigint;
}

export interface RsaPrivateValues extends RsaPublicValues {
  d: bigint;
  p: bigint;
  q: bigint;
  dP: bigint;
  dQ: bigint;
  qInv: bigint;
}

/** The RSAPrivateKey fields after the version, in ASN.1 order. */
const PRIVATE_FIELDS = ['n', 'e', 'd', 'p', 'q', 'dP', 'dQ', 'qInv'] as const;

/**
 * AlgorithmIdentifier { rsaEncryption, NULL }: the parameters must be
 * present and NULL (RFC 3279 §2.3.1, RFC 8017 A.1). Only ever copied into
 * outputs, never returned, so sharing one instance is safe.
 */
const RSA_ALGORITHM_IDENTIFIER = RSA_ALGORITHM_IDENTIFIER_DER;

/** PKCS#1 RSAPublicKey ::= SEQUENCE { modulus, publicExponent }. */
export function rsaPublicKeyPkcs1(n: Uint8Array, e: Uint8Array): Uint8Array {
  return derSequence(derInteger(n), derInteger(e));
}

/** PKCS#1 RSAPrivateKey, version 0 (two-prime, no otherPrimeInfos). */
export function rsaPrivateKeyPkcs1(c: RsaPrivateComponents): Uint8Array {
  return derSequence(derIntegerSmall(0), ...PRIVATE_FIELDS.map((k) => derInteger(c[k])));
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }. */
export function rsaSpki(n: Uint8Array, e: Uint8Array): Uint8Array {
  return derSequence(RSA_ALGORITHM_IDENTIFIER, derBitString(rsaPublicKeyPkcs1(n, e)));
}

/** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, privateKey OCTET STRING } (no attributes). */
export function rsaPkcs8(c: RsaPrivateComponents): Uint8Array {
  return derSequence(derIntegerSmall(0), RSA_ALGORITHM_IDENTIFIER, derOctetString(rsaPrivateKeyPkcs1(c)));
}

function readRsaAlgorithm(r: DerReader): void {
  const alg = r.readSequence();
  const oid = alg.readOid();
  if (oid !== RSA_ENCRYPTION_OID) {
    throw new DerError(`expected rsaEncryption (${RSA_ENCRYPTION_OID}), found ${oid}`);
  }
  if (alg.done) throw new DerError('rsaEncryption AlgorithmIdentifier lacks its NULL parameters');
  alg.readNull();
  alg.expectEnd();
}

/** Parses an RSA SubjectPublicKeyInfo. */
export function parseRsaSpki(der: Uint8Array): RsaPublicValues {
  const spki = new DerReader(der).readOnlySequence();
  readRsaAlgorithm(spki);
  const { bytes, unusedBits } = spki.readBitString();
  spki.expectEnd();
  if (unusedBits !== 0) throw new DerError('RSA subjectPublicKey has unused bits');
  const key = new DerReader(bytes).readOnlySequence();
  const n = key.readInteger();
  const e = key.readInteger();
  key.expectEnd();
  return { n, e };
}

/** Parses an RSA PKCS#8 PrivateKeyInfo (version 0, no attributes, two-prime key). */
export function parseRsaPkcs8(der: Uint8Array): RsaPrivateValues {
  const info = new DerReader(der).readOnlySequence();
  const version = info.readInteger();
  if (version !== 0n) throw new DerError(`unsupported PrivateKeyInfo version ${version}`);
  readRsaAlgorithm(info);
  const privateKey = info.readOctetString();
  info.expectEnd(); // optional attributes [0] are not supported
  const key = new DerReader(privateKey).readOnlySequence();
  const keyVersion = key.readInteger();
  if (keyVersion !== 0n) {
    throw new DerError(`unsupported RSAPrivateKey version ${keyVersion} (only two-prime version 0)`);
  }
  const out = {} as RsaPrivateValues;
  for (const k of PRIVATE_FIELDS) out[k] = key.readInteger();
  key.expectEnd();
  return out;
}
