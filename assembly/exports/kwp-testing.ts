// Test-only entry points of AES-256 decryption and of RFC 3394 key wrap without padding
// (symmetric/aes-decrypt.ts, symmetric/kwp.ts), built into the test module only.

import { aes256Decrypt8, aesInvSubBytes, AES_DECRYPT_SCRATCH } from '../symmetric/aes-decrypt';
import { aes256KwWrap, aes256KwUnwrap } from '../symmetric/kwp';
import { alloc, mark, release } from '../arena';
import { OK, INVALID_ARGUMENT, AUTH_FAILED } from '../status';
import { aes256EcbBlocks } from './testing';

/** AES-256 decryption (FIPS 197 InvCipher) of `blocks` 16-byte blocks, ECB, from src to dst. */
export function aes256_decrypt_blocks(key32: usize, src: usize, blocks: i32, dst: usize): void {
  aes256EcbBlocks(key32, src, blocks, dst, AES_DECRYPT_SCRATCH, (ks: usize, st: usize, buf: usize): void =>
    aes256Decrypt8(ks, st, buf, buf),
  );
}

/** The inverse AES S-box applied in place to [ptr, ptr+len) through the bitsliced circuit. */
export function aes_inv_sub_bytes(ptr: usize, len: i32): void {
  const m = mark();
  aesInvSubBytes(alloc(AES_DECRYPT_SCRATCH), ptr, <usize>len);
  release(m);
}

/** RFC 3394 AES-256 key wrap with the default IV: ptLen + 8 bytes at out; ptLen a multiple of 8, ≥ 16. */
export function aes256_kw_wrap(kek32: usize, pt: usize, ptLen: i32, out: usize): i32 {
  if (ptLen < 16 || (ptLen & 7) != 0) return INVALID_ARGUMENT;
  aes256KwWrap(kek32, pt, <usize>ptLen, out);
  return OK;
}

/** RFC 3394 AES-256 key unwrap: OK and ctLen - 8 bytes at out, or AUTH_FAILED (out zeroed). */
export function aes256_kw_unwrap(kek32: usize, ct: usize, ctLen: i32, out: usize): i32 {
  if (ctLen < 24 || (ctLen & 7) != 0) return INVALID_ARGUMENT;
  return aes256KwUnwrap(kek32, ct, <usize>ctLen, out) ? OK : AUTH_FAILED;
}
