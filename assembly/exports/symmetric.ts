// Entry points of the symmetric core: the SHA family and HMAC over it by hash id
// (symmetric/hash.ts), SHA-256, HMAC-SHA-256, HKDF-SHA-256 and AES-256-GCM, which wrap
// private keys (docs/ciphertext-format.md), AES key wrap, and AES-256-CBC for CMS
// envelopes (symmetric/cbc.ts). Every pointer is
// scratch memory allocated by the host after begin(); outputs are read back before wipe().
// Lengths are i32 and never negative (the host checks); outputs may coincide with the
// plaintext/ciphertext input but must not otherwise overlap the inputs.

import { sha256 } from '../symmetric/sha256';
import { hmacSha256 } from '../symmetric/hmac';
import { hkdfSha256 } from '../symmetric/hkdf';
import { aes256GcmEncrypt, aes256GcmDecrypt } from '../symmetric/gcm';
import { hashIdValid, hashOnce, hashSize, hmacAny, ctEqual, HASH_MAX_SIZE } from '../symmetric/hash';
import { aes256KwpWrap, aes256KwpUnwrap } from '../symmetric/kwp';
import { aes256CbcEncrypt, aes256CbcDecrypt } from '../symmetric/cbc';
import { alloc, mark, release } from '../arena';
import { OK, INVALID_ARGUMENT, AUTH_FAILED } from '../status';

/** out (32 bytes) = SHA-256 of [ptr, ptr+len). */
export function sha256_digest(ptr: usize, len: i32, out: usize): void {
  sha256(ptr, <usize>len, out);
}

/** out (32 bytes) = HMAC-SHA-256(key, msg) (RFC 2104). */
export function hmac_sha256(key: usize, keyLen: i32, msg: usize, msgLen: i32, out: usize): void {
  hmacSha256(key, <usize>keyLen, msg, <usize>msgLen, out);
}

/** out (hashSize(id) bytes) = hash `id` (1 SHA-1, 2 SHA-224, 3 SHA-256, 4 SHA-384, 5 SHA-512) of [ptr, ptr+len). */
export function hash_digest(id: i32, ptr: usize, len: i32, out: usize): i32 {
  if (!hashIdValid(id)) return INVALID_ARGUMENT;
  hashOnce(id, ptr, <usize>len, out);
  return OK;
}

/** out (hashSize(id) bytes) = HMAC with hash `id` of msg under key (RFC 2104); INVALID_ARGUMENT for an unknown id. */
export function hmac_any(id: i32, key: usize, keyLen: i32, msg: usize, msgLen: i32, out: usize): i32 {
  if (!hashIdValid(id)) return INVALID_ARGUMENT;
  hmacAny(id, key, <usize>keyLen, msg, <usize>msgLen, out);
  return OK;
}

/**
 * OK if tag (hashSize(id) bytes) is the HMAC with hash `id` of msg under key, AUTH_FAILED if
 * not; the MAC is computed in scratch and compared in constant time, and never leaves the core.
 */
export function hmac_any_verify(id: i32, key: usize, keyLen: i32, msg: usize, msgLen: i32, tag: usize): i32 {
  if (!hashIdValid(id)) return INVALID_ARGUMENT;
  const m = mark();
  const mac = alloc(HASH_MAX_SIZE);
  hmacAny(id, key, <usize>keyLen, msg, <usize>msgLen, mac);
  const ok = ctEqual(mac, tag, hashSize(id));
  release(m);
  return ok ? OK : AUTH_FAILED;
}

/** RFC 5869 extract-and-expand into outLen bytes at out; INVALID_ARGUMENT if outLen > 255·32 (out untouched). */
export function hkdf_sha256(
  ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32, out: usize, outLen: i32,
): i32 {
  if (outLen < 0) return INVALID_ARGUMENT;
  return hkdfSha256(ikm, <usize>ikmLen, salt, <usize>saltLen, info, <usize>infoLen, out, <usize>outLen) ? OK : INVALID_ARGUMENT;
}

/** AES-256-GCM encryption with a 12-byte IV: ptLen bytes of ciphertext to outCt, a 16-byte tag to outTag16. */
export function aes256_gcm_encrypt(
  key32: usize, iv12: usize, aad: usize, aadLen: i32, pt: usize, ptLen: i32, outCt: usize, outTag16: usize,
): void {
  aes256GcmEncrypt(key32, iv12, aad, <usize>aadLen, pt, <usize>ptLen, outCt, outTag16);
}

/** AES-256-GCM decryption: OK and the plaintext in outPt if tag16 authenticates, else AUTH_FAILED and outPt zeroed. */
export function aes256_gcm_decrypt(
  key32: usize, iv12: usize, aad: usize, aadLen: i32, ct: usize, ctLen: i32, tag16: usize, outPt: usize,
): i32 {
  return aes256GcmDecrypt(key32, iv12, aad, <usize>aadLen, ct, <usize>ctLen, tag16, outPt) ? OK : AUTH_FAILED;
}

/**
 * HKDF then AES-256-GCM in one call (used to wrap private keys): the derived key =
 * HKDF-SHA-256(ikm, salt, info) is derived into scratch memory and used for AES-256-GCM there,
 * so it never reaches the host. OK, or INVALID_ARGUMENT if HKDF refused the length (it cannot here).
 */
export function hkdf_aes256_gcm_seal(
  ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32,
  iv12: usize, aad: usize, aadLen: i32, pt: usize, ptLen: i32, outCt: usize, outTag16: usize,
): i32 {
  const m0 = mark();
  const key = alloc(32);
  if (!hkdfSha256(ikm, <usize>ikmLen, salt, <usize>saltLen, info, <usize>infoLen, key, 32)) return INVALID_ARGUMENT;
  aes256GcmEncrypt(key, iv12, aad, <usize>aadLen, pt, <usize>ptLen, outCt, outTag16);
  release(m0);
  return OK;
}

/** The inverse of hkdf_aes256_gcm_seal: OK if authentic (outPt written), AUTH_FAILED if not (outPt zeroed). */
export function hkdf_aes256_gcm_open(
  ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32,
  iv12: usize, aad: usize, aadLen: i32, ct: usize, ctLen: i32, tag16: usize, outPt: usize,
): i32 {
  const m0 = mark();
  const key = alloc(32);
  if (!hkdfSha256(ikm, <usize>ikmLen, salt, <usize>saltLen, info, <usize>infoLen, key, 32)) return INVALID_ARGUMENT;
  const ok = aes256GcmDecrypt(key, iv12, aad, <usize>aadLen, ct, <usize>ctLen, tag16, outPt);
  release(m0);
  return ok ? OK : AUTH_FAILED;
}

/**
 * AES-256 key wrap with padding (RFC 5649): ptLen bytes at pt to 8·ceil(ptLen / 8) + 8 bytes at
 * out (not overlapping pt); INVALID_ARGUMENT if ptLen is 0 (RFC 5649 wraps 1 to 2^32 - 1 bytes).
 */
export function aes256_kwp_wrap(kek32: usize, pt: usize, ptLen: i32, out: usize): i32 {
  if (ptLen < 1) return INVALID_ARGUMENT;
  aes256KwpWrap(kek32, pt, <usize>ptLen, out);
  return OK;
}

/**
 * The inverse of aes256_kwp_wrap: ctLen bytes at ct to ctLen - 8 bytes at out (not overlapping
 * ct). OK with the plaintext's length as a u32 at outLen4, or AUTH_FAILED (wrong key, modified
 * data, bad length field or padding: one status, out zeroed); INVALID_ARGUMENT if ctLen is not a
 * multiple of 8 of at least 16.
 */
export function aes256_kwp_unwrap(kek32: usize, ct: usize, ctLen: i32, out: usize, outLen4: usize): i32 {
  if (ctLen < 16 || (ctLen & 7) != 0) return INVALID_ARGUMENT;
  const len = aes256KwpUnwrap(kek32, ct, <usize>ctLen, out);
  store<u32>(outLen4, <u32>len & <u32>(~(len >> 63)));
  return len >= 0 ? OK : AUTH_FAILED;
}

/**
 * AES-256-CBC with PKCS#7 padding (the content encryption of CMS EnvelopedData): ptLen bytes at
 * pt to (ptLen & ~15) + 16 bytes at out (not overlapping pt). Always OK.
 */
export function aes256_cbc_encrypt(key32: usize, iv16: usize, pt: usize, ptLen: i32, out: usize): i32 {
  if (ptLen < 0) return INVALID_ARGUMENT;
  aes256CbcEncrypt(key32, iv16, pt, <usize>ptLen, out);
  return OK;
}

/**
 * The inverse of aes256_cbc_encrypt: ctLen bytes at ct to out (ctLen bytes, not overlapping ct).
 * OK with the plaintext's length as a u32 at outLen4, or AUTH_FAILED when the padding does not
 * check (one status whatever byte was wrong; checked in constant time; out zeroed);
 * INVALID_ARGUMENT if ctLen is not a multiple of 16 of at least 16.
 */
export function aes256_cbc_decrypt(key32: usize, iv16: usize, ct: usize, ctLen: i32, out: usize, outLen4: usize): i32 {
  if (ctLen < 16 || (ctLen & 15) != 0) return INVALID_ARGUMENT;
  const len = aes256CbcDecrypt(key32, iv16, ct, <usize>ctLen, out);
  store<u32>(outLen4, <u32>len & <u32>(~(len >> 63)));
  return len >= 0 ? OK : AUTH_FAILED;
}
