// AES-256-CBC (NIST SP 800-38A §6.2) with PKCS#7 padding (RFC 5652 §6.3): the content
// encryption of the CMS EnvelopedData that carries a secret to an attested enclave.
//
// Encryption is sequential (each block is chained to the previous ciphertext block), so every
// block runs the bitsliced cipher on one block of a batch of eight. Decryption is not: the
// blocks are deciphered eight at a time and chained afterwards.
//
// Constant time: the block count depends only on the public length, and the padding length
// of the encryption only on the public plaintext length. The padding check of the decryption
// reads the last 16 bytes whatever the padding byte says, folds every difference into one
// word with masks, without a branch or an address depending on the data, and clears the
// output by a mask on failure; only the final verdict is a branch. It tells nothing of which
// byte was wrong. The round keys, the cipher's planes and the block buffers are scratch,
// zeroed by release() before returning.

import { alloc, mark, release } from '../arena';
import { aes256KeySchedule, aes256Encrypt8, AES256_KS_SIZE, AES_BATCH_BYTES, AES_BLOCK } from './aes';
import { aes256Decrypt8, AES_DECRYPT_SCRATCH } from './aes-decrypt';

/** The length of the encryption of ptLen bytes: the padding adds 1 to 16 bytes. */
export function cbcPaddedLength(ptLen: usize): usize {
  return (ptLen & ~(AES_BLOCK - 1)) + AES_BLOCK;
}

/** dst[0..16) = a[0..16) ⊕ b[0..16). */
@inline function xorBlock(dst: usize, a: usize, b: usize): void {
  store<u64>(dst, load<u64>(a) ^ load<u64>(b));
  store<u64>(dst, load<u64>(a, 8) ^ load<u64>(b, 8), 8);
}

/**
 * Encrypts ptLen bytes at pt under the 32-byte key with the 16-byte iv, PKCS#7-padded, to
 * cbcPaddedLength(ptLen) bytes at out (out may be pt only if pt has room for the padding;
 * otherwise they must not overlap).
 */
export function aes256CbcEncrypt(key: usize, iv: usize, pt: usize, ptLen: usize, out: usize): void {
  const m = mark();
  const ks = alloc(AES256_KS_SIZE);
  const st = alloc(AES_DECRYPT_SCRATCH);
  const buf = alloc(AES_BATCH_BYTES);
  const last = alloc(AES_BLOCK);
  aes256KeySchedule(ks, key);
  const full = ptLen >> 4;
  // The last block: the tail of the plaintext, then pad bytes whose value is their count.
  const tail = ptLen & (AES_BLOCK - 1);
  const pad = <u8>(AES_BLOCK - tail);
  memory.copy(last, pt + (full << 4), tail);
  memory.fill(last + tail, pad, AES_BLOCK - tail);
  // C_i = AES(K, P_i ⊕ C_{i-1}), C_{-1} = IV; the chaining value is the first block of buf.
  memory.copy(buf, iv, AES_BLOCK);
  for (let i: usize = 0; i <= full; i++) {
    const p = i < full ? pt + (i << 4) : last;
    xorBlock(buf, buf, p);
    aes256Encrypt8(ks, st, buf, buf);
    memory.copy(out + (i << 4), buf, AES_BLOCK);
  }
  release(m);
}

/** All ones if x is zero, else zero, without a branch. */
@inline function zeroMask(x: u64): u64 {
  return ((x | (0 - x)) >> 63) - 1;
}

/**
 * Decrypts ctLen bytes at ct (a multiple of 16, at least 16; the caller checks) with the key
 * and iv to out (ctLen bytes; it may be ct itself, but must not otherwise overlap it), and
 * checks the PKCS#7 padding: returns the plaintext's length (ctLen - pad), or -1 with out all
 * zero if the padding is not 1 to 16 bytes each holding the pad length.
 */
export function aes256CbcDecrypt(key: usize, iv: usize, ct: usize, ctLen: usize, out: usize): i64 {
  const m = mark();
  const ks = alloc(AES256_KS_SIZE);
  const st = alloc(AES_DECRYPT_SCRATCH);
  const buf = alloc(AES_BATCH_BYTES);
  // The batch's ciphertext (kept: out may be ct) and the block chained into its first block.
  const cbuf = alloc(AES_BATCH_BYTES);
  const prev = alloc(AES_BLOCK);
  aes256KeySchedule(ks, key);
  memory.copy(prev, iv, AES_BLOCK);
  for (let off: usize = 0; off < ctLen; off += AES_BATCH_BYTES) {
    let n = ctLen - off;
    if (n > AES_BATCH_BYTES) n = AES_BATCH_BYTES;
    memory.copy(cbuf, ct + off, n);
    aes256Decrypt8(ks, st, cbuf, buf);
    // P_i = AES^-1(K, C_i) ⊕ C_{i-1}
    xorBlock(out + off, buf, prev);
    for (let j: usize = AES_BLOCK; j < n; j += AES_BLOCK) xorBlock(out + off + j, buf + j, cbuf + j - AES_BLOCK);
    memory.copy(prev, cbuf + n - AES_BLOCK, AES_BLOCK);
  }
  // The padding: p = the last byte, 1 ≤ p ≤ 16, and the last p bytes all equal to p.
  const end = out + ctLen;
  const p = <u64>load<u8>(end - 1);
  let bad: u64 = ((p - 1) | (<u64>AES_BLOCK - p)) >> 63; // p = 0 or p > 16: a negative difference
  for (let k: u64 = 0; k < <u64>AES_BLOCK; k++) {
    // Byte end - 1 - k is padding when k < p, i.e. when k - p < 0.
    const inPad = <u64>(<i64>(k - p) >> 63);
    bad |= (<u64>load<u8>(end - 1 - <usize>k) ^ p) & inPad;
  }
  const ok = zeroMask(bad);
  for (let i: usize = 0; i < ctLen; i += 8) store<u64>(out + i, load<u64>(out + i) & ok);
  const result = <i64>((<u64>ctLen - p) & ok) | <i64>~ok;
  release(m);
  return result;
}
