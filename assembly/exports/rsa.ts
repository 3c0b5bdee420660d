// RSA entry point. The host calls begin(FLAG_RSA) first, which builds the small-prime and
// e-power tables.

import * as arena from '../arena';
import { rsaGenerate, rsaSupportedLength, OUT_FIELDS } from '../rsa/keygen';
import { rsaPrivate, rsaPublic, rsaModulusValid } from '../rsa/private';
import { byteBitLengthVarTime } from '../rsa/modn';
import {
  signHashValid,
  oaepHashValid,
  oaepMaxMessage,
  pkcs1Encode,
  pkcs1Verify,
  pssEncode,
  pssVerify,
  oaepEncode,
  oaepDecode,
} from '../rsa/padding';
import { hashSize } from '../symmetric/hash';
import { OK, INVALID_ARGUMENT, KEYGEN_FAILED, DECRYPT_FAILED } from '../status';

/**
 * RSA key pair of nlen bits: writes 8 (ptr, len) i32 pairs to out (64 bytes): n, e, d, p,
 * q, dP, dQ, qInv. INVALID_ARGUMENT for an nlen the core does not generate; KEYGEN_FAILED
 * when FIPS 186-5 A.1.3 returns FAILURE (no prime among the candidates it allows).
 */
export function rsa_generate(nlen: i32, out: usize): i32 {
  if (!rsaSupportedLength(nlen)) return INVALID_ARGUMENT;
  const record = rsaGenerate(nlen);
  if (record == 0) return KEYGEN_FAILED;
  memory.copy(out, record, <usize>OUT_FIELDS * 8);
  return OK;
}

// ---- Signatures and OAEP -----------------------------------------------------------------
// Keys: a private key is a record of 8 (ptr, len) i32 pairs like rsa_generate's output
// (n, e, d, p, q, dP, dQ, qInv; big-endian, n and e without leading zero bytes; d unused);
// a public key is n (k bytes) and e. Private operations take a blinding pair at `blind`
// (2k bytes, A || Ai) and replace it with the next one; `fresh` != 0 makes a new pair first
// (see rsa/private.ts). Hash ids are those of symmetric/hash.ts.

/** Signature schemes of rsa_sign / rsa_verify. */
const SCHEME_PKCS1: i32 = 1;
const SCHEME_PSS: i32 = 2;

function signInputsValid(scheme: i32, hashId: i32, digestLen: i32): bool {
  if (scheme != SCHEME_PKCS1 && scheme != SCHEME_PSS) return false;
  return signHashValid(hashId) && digestLen == <i32>hashSize(hashId);
}

/** out (k bytes) = the signature of a digest. INVALID_ARGUMENT, RSA_FAULT or KEYGEN_FAILED. */
export function rsa_sign(
  key: usize,
  scheme: i32,
  hashId: i32,
  digest: usize,
  digestLen: i32,
  blind: usize,
  fresh: i32,
  out: usize,
): i32 {
  if (!signInputsValid(scheme, hashId, digestLen)) return INVALID_ARGUMENT;
  const n = <usize>load<u32>(key);
  const k = load<i32>(key + 4);
  if (!rsaModulusValid(n, k)) return INVALID_ARGUMENT;
  const em = arena.alloc(<usize>k);
  const ok =
    scheme == SCHEME_PKCS1
      ? pkcs1Encode(hashId, digest, em, k)
      : pssEncode(hashId, digest, em, k, byteBitLengthVarTime(n, k));
  if (!ok) return INVALID_ARGUMENT;
  return rsaPrivate(key, em, out, blind, fresh);
}

/**
 * 1 if sig is a valid signature of digest under (n, e), else 0 (malformed input included).
 * kept: 2k + 1 bytes that keep R^2 mod n and R mod n from one call to the next (see rsaPublic),
 * or 0.
 */
export function rsa_verify(
  n: usize,
  k: i32,
  e: usize,
  eLen: i32,
  scheme: i32,
  hashId: i32,
  digest: usize,
  digestLen: i32,
  sig: usize,
  sigLen: i32,
  kept: usize,
): i32 {
  if (!signInputsValid(scheme, hashId, digestLen)) return 0;
  if (!rsaModulusValid(n, k) || sigLen != k) return 0;
  const em = arena.alloc(<usize>k);
  if (rsaPublic(n, k, e, eLen, sig, em, kept) != OK) return 0;
  const ok =
    scheme == SCHEME_PKCS1
      ? pkcs1Verify(hashId, digest, em, k)
      : pssVerify(hashId, digest, em, k, byteBitLengthVarTime(n, k));
  return ok ? 1 : 0;
}

/** out (k bytes) = RSAES-OAEP encryption of msg (KMS: an empty label). INVALID_ARGUMENT if too long. kept: as rsa_verify's. */
export function rsa_oaep_encrypt(
  n: usize,
  k: i32,
  e: usize,
  eLen: i32,
  hashId: i32,
  label: usize,
  labelLen: i32,
  msg: usize,
  msgLen: i32,
  out: usize,
  kept: usize,
): i32 {
  if (!oaepHashValid(hashId) || !rsaModulusValid(n, k)) return INVALID_ARGUMENT;
  if (msgLen < 0 || msgLen > oaepMaxMessage(hashId, k)) return INVALID_ARGUMENT;
  const em = arena.alloc(<usize>k);
  if (labelLen < 0) return INVALID_ARGUMENT;
  oaepEncode(hashId, label, labelLen, msg, msgLen, em, k);
  return rsaPublic(n, k, e, eLen, em, out, kept);
}

/**
 * RSAES-OAEP decryption: out (k - 2h - 2 bytes) receives the message, outLen (4 bytes) its
 * length. DECRYPT_FAILED for every ciphertext that does not decrypt, whatever the reason,
 * after the same work for every ciphertext of k bytes below n; INVALID_ARGUMENT for a key
 * OAEP cannot use; RSA_FAULT when the private operation's check fails.
 */
export function rsa_oaep_decrypt(
  key: usize,
  hashId: i32,
  label: usize,
  labelLen: i32,
  ct: usize,
  ctLen: i32,
  blind: usize,
  fresh: i32,
  out: usize,
  outLen: usize,
): i32 {
  const n = <usize>load<u32>(key);
  const k = load<i32>(key + 4);
  if (!oaepHashValid(hashId) || !rsaModulusValid(n, k) || oaepMaxMessage(hashId, k) < 0 || labelLen < 0) {
    return INVALID_ARGUMENT;
  }
  store<i32>(outLen, 0);
  if (ctLen != k) return DECRYPT_FAILED;
  const em = arena.alloc(<usize>k);
  const status = rsaPrivate(key, ct, em, blind, fresh);
  // INVALID_ARGUMENT here is a ciphertext >= n (the key passed the checks above)
  if (status == INVALID_ARGUMENT) return DECRYPT_FAILED;
  if (status != OK) return status;
  const good = oaepDecode(hashId, label, labelLen, em, k, out, outLen);
  return <i32>(<u32>DECRYPT_FAILED & ~good);
}
