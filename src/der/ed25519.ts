/**
 * Ed25519 keys in SubjectPublicKeyInfo and PKCS#8 form (RFC 8410), for the KMS key
 * pair spec ECC_NIST_EDWARDS25519.
 *
 * The output is byte for byte what OpenSSL 3 (and so node:crypto) writes:
 * AlgorithmIdentifier { id-Ed25519 } with the parameters absent (RFC 8410 §3:
 * "the parameters MUST be absent"), the 32-byte public key as the BIT STRING
 * (§4), and a version 0 PrivateKeyInfo whose privateKey OCTET STRING holds
 * CurvePrivateKey ::= OCTET STRING, the 32-byte seed (§7), with no attributes
 * and no publicKey field.
 */
import { DerError, DerReader } from './reader.js';
import { derBitString, derIntegerSmall, derOctetString, derSequence } from './writer.js';
import { ED25519_ALGORITHM_IDENTIFIER_DER } from './constants.js';

/** id-Ed25519 (RFC 8410 §3). */
export const ED25519_OID = '1.3.101.112';

/** Bytes of an Ed25519 public key and of a private key (seed), RFC 8032 §5.1.5. */
export const ED25519_KEY_BYTES = 32;

/** Bytes of an Ed25519 signature R || S, RFC 8032 §5.1.6. */
export const ED25519_SIGNATURE_BYTES = 64;

/** AlgorithmIdentifier { id-Ed25519 }, no parameters (literal bytes). Only ever copied into outputs. */
const ALGORITHM_IDENTIFIER = ED25519_ALGORITHM_IDENTIFIER_DER;

function checkLength(what: string, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ED25519_KEY_BYTES) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new RangeError(`Ed25519 ${what} must be ${ED25519_KEY_BYTES} bytes, got ${got}`);
  }
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING } (44 bytes). */
export function ed25519Spki(publicKey: Uint8Array): Uint8Array {
  checkLength('public key', publicKey);
  return derSequence(ALGORITHM_IDENTIFIER, derBitString(publicKey));
}

/**
 * PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, privateKey OCTET STRING } with
 * privateKey = DER(CurvePrivateKey ::= OCTET STRING seed) (48 bytes). Intermediate copies
 * of the seed are zeroed; the caller owns (and wipes) `seed` and the result.
 */
export function ed25519Pkcs8(seed: Uint8Array): Uint8Array {
  checkLength('private key', seed);
  let curvePrivateKey: Uint8Array | undefined;
  let privateKey: Uint8Array | undefined;
  try {
    curvePrivateKey = derOctetString(seed);
    privateKey = derOctetString(curvePrivateKey);
    return derSequence(derIntegerSmall(0), ALGORITHM_IDENTIFIER, privateKey);
  } finally {
    curvePrivateKey?.fill(0);
    privateKey?.fill(0);
  }
}

function readAlgorithm(r: DerReader): void {
  const alg = r.readSequence();
  const oid = alg.readOid();
  if (oid !== ED25519_OID) throw new DerError(`expected id-Ed25519 (${ED25519_OID}), found ${oid}`);
  if (!alg.done) throw new DerError('id-Ed25519 AlgorithmIdentifier must have no parameters (RFC 8410 §3)');
}

// The whole DER before the key, in the one encoding of each structure (what ed25519Spki and
// ed25519Pkcs8 write, as OpenSSL does): an input that starts with it and has the key's length
// after it is read without the DER reader, which would accept it and return the same bytes.
// SEQUENCE(42) { SEQUENCE(5) { OID 1.3.101.112 }, BIT STRING(33) 0 unused bits, ... }
const SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);
// SEQUENCE(46) { INTEGER 0, SEQUENCE(5) { OID 1.3.101.112 }, OCTET STRING(34) { OCTET STRING(32) ... } }
// prettier-ignore
const PKCS8_PREFIX = Uint8Array.of(
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
);

function hasPrefix(der: Uint8Array, prefix: Uint8Array): boolean {
  if (!(der instanceof Uint8Array) || der.length !== prefix.length + ED25519_KEY_BYTES) return false;
  for (let i = 0; i < prefix.length; i++) if (der[i] !== prefix[i]) return false;
  return true;
}

/** The 32-byte public key from an Ed25519 SubjectPublicKeyInfo (a copy, also for Buffer input). */
export function parseEd25519Spki(der: Uint8Array): Uint8Array {
  if (hasPrefix(der, SPKI_PREFIX)) return new Uint8Array(der.subarray(SPKI_PREFIX.length));
  const spki = new DerReader(der).readOnlySequence();
  readAlgorithm(spki);
  const { bytes, unusedBits } = spki.readBitString();
  spki.expectEnd();
  if (unusedBits !== 0) throw new DerError('Ed25519 subjectPublicKey has unused bits');
  if (bytes.length !== ED25519_KEY_BYTES)
    throw new DerError(`Ed25519 public key must be 32 bytes, got ${bytes.length}`);
  // A copy: new Uint8Array(view) copies where slice() would not on a Node Buffer (a view).
  return new Uint8Array(bytes);
}

/**
 * The 32-byte seed from an Ed25519 PKCS#8 PrivateKeyInfo (a copy the caller must wipe, also for
 * Buffer input).
 * Version 0 only, without attributes (what this library and OpenSSL write).
 */
export function parseEd25519Pkcs8(der: Uint8Array): Uint8Array {
  if (hasPrefix(der, PKCS8_PREFIX)) return new Uint8Array(der.subarray(PKCS8_PREFIX.length));
  const info = new DerReader(der).readOnlySequence();
  const version = info.readInteger();
  if (version !== 0n) throw new DerError(`unsupported PrivateKeyInfo version ${version}`);
  readAlgorithm(info);
  const privateKey = info.readOctetString();
  info.expectEnd();
  const inner = new DerReader(privateKey);
  const seed = inner.readOctetString();
  inner.expectEnd();
  if (seed.length !== ED25519_KEY_BYTES) throw new DerError(`Ed25519 private key must be 32 bytes, got ${seed.length}`);
  // A copy the caller may wipe: new Uint8Array(view) copies, where slice() on a view of a Node
  // Buffer (what DerReader hands out for Buffer input) is a view, and wiping it would wipe the key.
  return new Uint8Array(seed);
}
