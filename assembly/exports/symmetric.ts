// Entry points of the symmetric core: SHA-256, HMAC-SHA-256, HKDF-SHA-256 and
// AES-256-GCM, which wrap private keys (docs/ciphertext-format.md). Every pointer is
// scratch memory allocated by the host after begin(); outputs are read back before wipe().
// Lengths are i32 and never negative (the host checks); outputs may coincide with the
// plaintext/ciphertext input but must not otherwise overlap the inputs.

import { sha256, sha256Init, sha256Update, sha256Final, SHA256_STATE_SIZE } from '../symmetric/sha256';
import { hmacSha256 } from '../symmetric/hmac';
import { hkdfSha256 } from '../symmetric/hkdf';
import { aes256KeySchedule, aes256Encrypt8, aesSubBytes, AES256_KS_SIZE, AES_BATCH_BYTES } from '../symmetric/aes';
import { aes256GcmEncrypt, aes256GcmDecrypt, ghash } from '../symmetric/gcm';
import { alloc, mark, release } from '../arena';

/** out (32 bytes) = SHA-256 of [ptr, ptr+len). */
export function sha256_digest(ptr: usize, len: i32, out: usize): void {
  sha256(ptr, <usize>len, out);
}

/** out (32 bytes) = HMAC-SHA-256(key, msg) (RFC 2104). */
export function hmac_sha256(key: usize, keyLen: i32, msg: usize, msgLen: i32, out: usize): void {
  hmacSha256(key, <usize>keyLen, msg, <usize>msgLen, out);
}

/** RFC 5869 extract-and-expand into outLen bytes at out: 0 on success, 1 if outLen > 255·32 (out untouched). */
export function hkdf_sha256(
  ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32, out: usize, outLen: i32,
): i32 {
  if (outLen < 0) return 1;
  return hkdfSha256(ikm, <usize>ikmLen, salt, <usize>saltLen, info, <usize>infoLen, out, <usize>outLen) ? 0 : 1;
}

/** AES-256-GCM encryption with a 12-byte IV: ptLen bytes of ciphertext to outCt, a 16-byte tag to outTag16. */
export function aes256_gcm_encrypt(
  key32: usize, iv12: usize, aad: usize, aadLen: i32, pt: usize, ptLen: i32, outCt: usize, outTag16: usize,
): void {
  aes256GcmEncrypt(key32, iv12, aad, <usize>aadLen, pt, <usize>ptLen, outCt, outTag16);
}

/** AES-256-GCM decryption: 1 and the plaintext in outPt if tag16 authenticates, else 0 and outPt zeroed. */
export function aes256_gcm_decrypt(
  key32: usize, iv12: usize, aad: usize, aadLen: i32, ct: usize, ctLen: i32, tag16: usize, outPt: usize,
): i32 {
  return aes256GcmDecrypt(key32, iv12, aad, <usize>aadLen, ct, <usize>ctLen, tag16, outPt) ? 1 : 0;
}

// ---- Test-only entry points -------------------------------------------------------------

/** Test only: SHA-256 through init/update/final, fed in `chunk`-byte pieces (chunk >= 1). */
export function sha256_digest_chunked(ptr: usize, len: i32, chunk: i32, out: usize): void {
  if (chunk < 1) unreachable();
  const m = mark();
  const st = alloc(SHA256_STATE_SIZE);
  sha256Init(st);
  let off = 0;
  while (off < len) {
    const n = min(chunk, len - off);
    sha256Update(st, ptr + <usize>off, <usize>n);
    off += n;
  }
  sha256Final(st, out);
  release(m);
}

/** Test only: AES-256 (FIPS 197 Cipher) of `blocks` 16-byte blocks, ECB, from src to dst. */
export function aes256_encrypt_blocks(key32: usize, src: usize, blocks: i32, dst: usize): void {
  const m = mark();
  const ks = alloc(AES256_KS_SIZE);
  const st = alloc(AES_BATCH_BYTES);
  const buf = alloc(AES_BATCH_BYTES);
  aes256KeySchedule(ks, key32);
  const len = <usize>blocks << 4;
  for (let off: usize = 0; off < len; off += AES_BATCH_BYTES) {
    let n = len - off;
    if (n > AES_BATCH_BYTES) n = AES_BATCH_BYTES;
    memory.fill(buf, 0, AES_BATCH_BYTES);
    memory.copy(buf, src + off, n);
    aes256Encrypt8(ks, st, buf, buf);
    memory.copy(dst + off, buf, n);
  }
  release(m);
}

/** Test only: the AES S-box applied in place to [ptr, ptr+len) through the bitsliced circuit. */
export function aes_sub_bytes(ptr: usize, len: i32): void {
  aesSubBytes(ptr, <usize>len);
}

/** Test only: GHASH_H (SP 800-38D §6.4) of [x, x+len) zero-padded, from a zero state; 16 bytes to out. */
export function gcm_ghash(h16: usize, x: usize, len: i32, out: usize): void {
  ghash(h16, x, <usize>len, out);
}

/**
 * HKDF then AES-256-GCM in one call (used to wrap private keys): the derived key =
 * HKDF-SHA-256(ikm, salt, info) is derived into scratch memory and used for AES-256-GCM there,
 * so it never reaches the host. Returns 0, or 1 if HKDF refused the length (it cannot here).
 */
export function hkdf_aes256_gcm_seal(
  ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32,
  iv12: usize, aad: usize, aadLen: i32, pt: usize, ptLen: i32, outCt: usize, outTag16: usize,
): i32 {
  const m0 = mark();
  const key = alloc(32);
  if (!hkdfSha256(ikm, <usize>ikmLen, salt, <usize>saltLen, info, <usize>infoLen, key, 32)) return 1;
  aes256GcmEncrypt(key, iv12, aad, <usize>aadLen, pt, <usize>ptLen, outCt, outTag16);
  release(m0);
  return 0;
}

/** The inverse of hkdf_aes256_gcm_seal: 1 if authentic (outPt written), 0 if not (outPt zeroed). */
export function hkdf_aes256_gcm_open(
  ikm: usize, ikmLen: i32, salt: usize, saltLen: i32, info: usize, infoLen: i32,
  iv12: usize, aad: usize, aadLen: i32, ct: usize, ctLen: i32, tag16: usize, outPt: usize,
): i32 {
  const m0 = mark();
  const key = alloc(32);
  if (!hkdfSha256(ikm, <usize>ikmLen, salt, <usize>saltLen, info, <usize>infoLen, key, 32)) return 0;
  const ok = aes256GcmDecrypt(key, iv12, aad, <usize>aadLen, ct, <usize>ctLen, tag16, outPt);
  release(m0);
  return ok ? 1 : 0;
}
