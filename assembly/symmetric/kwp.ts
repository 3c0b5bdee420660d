// AES key wrap (RFC 3394; NIST SP 800-38F §6.2, W and W^-1) and AES key wrap with padding
// (RFC 5649; SP 800-38F §6.3, KWP), with AES-256 only: what KMS uses to carry imported key
// material under a one-time AES-256 key (RSA_AES_KEY_WRAP_SHA_1 / _SHA_256).
//
// The wrap is sequential (each step's A feeds the next), so every step runs the bitsliced
// cipher on one block of a batch of eight: slow per byte, but the material is a few KB at most.
//
// Constant time: the step count depends only on the public length; the step counter t is
// public; the integrity check of the unwrap (the AIV's constant half, the length MLI within
// (8(n - 1), 8n], the padding bytes zero) gathers every difference into one word with masks,
// without a branch or an address depending on the data, and the output is cleared by a mask
// on failure; only the final verdict is a branch. The round keys, the cipher's planes and the
// block buffer are scratch, zeroed by release() before returning.

import { alloc, mark, release } from '../arena';
import { aes256KeySchedule, aes256Encrypt8, AES256_KS_SIZE, AES_BATCH_BYTES } from './aes';
import { aes256Decrypt8, AES_DECRYPT_SCRATCH } from './aes-decrypt';

/** RFC 3394 §2.2.3.1: the default initial value. */
const KW_ICV: u64 = 0xa6a6a6a6a6a6a6a6;
/** RFC 5649 §3: the constant first half of the alternative initial value. */
const KWP_ICV: u32 = 0xa65959a6;

// The scratch of the call under way, set by open(): round keys, cipher state, one batch of
// blocks (A and R[i] in the first block). Only pointers; the bytes are arena scratch.
let ks: usize = 0;
let st: usize = 0;
let buf: usize = 0;

function open(kek: usize): void {
  ks = alloc(AES256_KS_SIZE);
  st = alloc(AES_DECRYPT_SCRATCH);
  buf = alloc(AES_BATCH_BYTES);
  aes256KeySchedule(ks, kek);
}

/**
 * W of SP 800-38F §6.1 (RFC 3394 §2.2.1, index form), in place: A is the first 8 bytes of
 * buf on entry and exit, R[1..n] the n ≥ 2 blocks of 8 bytes at r.
 */
function wrapSteps(r: usize, n: usize): void {
  for (let j: usize = 0; j < 6; j++) {
    for (let i: usize = 1; i <= n; i++) {
      const ri = r + ((i - 1) << 3);
      // B = AES(K, A | R[i]); A = MSB64(B) ⊕ t; R[i] = LSB64(B)
      store<u64>(buf, load<u64>(ri), 8);
      aes256Encrypt8(ks, st, buf, buf);
      store<u64>(buf, load<u64>(buf) ^ bswap<u64>(<u64>(n * j + i)));
      store<u64>(ri, load<u64>(buf, 8));
    }
  }
}

/** W^-1 of SP 800-38F §6.1, in place, with A in buf as for wrapSteps. */
function unwrapSteps(r: usize, n: usize): void {
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      const ri = r + ((i - 1) << 3);
      // B = AES^-1(K, (A ⊕ t) | R[i]); A = MSB64(B); R[i] = LSB64(B)
      store<u64>(buf, load<u64>(buf) ^ bswap<u64>(<u64>(n * <usize>j + i)));
      store<u64>(buf, load<u64>(ri), 8);
      aes256Decrypt8(ks, st, buf, buf);
      store<u64>(ri, load<u64>(buf, 8));
    }
  }
}

/** All ones if x is zero, else zero, without a branch. */
@inline function zeroMask(x: u64): u64 {
  return ((x | (0 - x)) >> 63) - 1;
}

/**
 * KWP-AE (RFC 5649 §4.1) under the 32-byte kek: ptLen (1 ≤ ptLen < 2^32) bytes at pt to
 * 8·ceil(ptLen / 8) + 8 bytes at out, which must not overlap pt.
 */
export function aes256KwpWrap(kek: usize, pt: usize, ptLen: usize, out: usize): void {
  const m = mark();
  open(kek);
  const n = (ptLen + 7) >> 3;
  // AIV = A65959A6 | MLI (big-endian), then the plaintext padded with zeros to n blocks.
  store<u32>(buf, bswap<u32>(KWP_ICV));
  store<u32>(buf, bswap<u32>(<u32>ptLen), 4);
  memory.copy(out + 8, pt, ptLen);
  memory.fill(out + 8 + ptLen, 0, (n << 3) - ptLen);
  if (n == 1) {
    // §4.1 step 2, one block: C = AES(K, AIV | P).
    store<u64>(buf, load<u64>(out + 8), 8);
    aes256Encrypt8(ks, st, buf, buf);
    store<u64>(out + 8, load<u64>(buf, 8));
  } else {
    wrapSteps(out + 8, n);
  }
  store<u64>(out, load<u64>(buf));
  release(m);
}

/**
 * KWP-AD (RFC 5649 §4.2): ctLen bytes at ct (a multiple of 8, at least 16; the caller checks)
 * to n = ctLen / 8 - 1 blocks at out (8n bytes, not overlapping ct). Returns the plaintext's
 * length, or -1 if the integrity check fails, with out zeroed then.
 */
export function aes256KwpUnwrap(kek: usize, ct: usize, ctLen: usize, out: usize): i64 {
  const m = mark();
  open(kek);
  const n = (ctLen >> 3) - 1;
  store<u64>(buf, load<u64>(ct));
  if (n == 1) {
    store<u64>(buf, load<u64>(ct, 8), 8);
    aes256Decrypt8(ks, st, buf, buf);
    store<u64>(out, load<u64>(buf, 8));
  } else {
    memory.copy(out, ct + 8, n << 3);
    unwrapSteps(out, n);
  }
  // §4.2 step 3: MSB32(A) = A65959A6, 8(n - 1) < MLI ≤ 8n, and the padding bytes zero.
  const mli = <u64>bswap<u32>(load<u32>(buf, 4));
  let bad = <u64>(bswap<u32>(load<u32>(buf)) ^ KWP_ICV);
  const last = <u64>((n - 1) << 3);
  // Both differences are below 2^35 in size, so a negative one sets bit 63.
  bad |= ((mli - last - 1) | ((last + 8) - mli)) >> 63;
  for (let k: u64 = 0; k < 8; k++) {
    // Byte last + k is padding when last + k ≥ MLI, i.e. when MLI - 1 - (last + k) < 0.
    const padding = <u64>(<i64>(mli - 1 - (last + k)) >> 63);
    bad |= <u64>load<u8>(out + <usize>(last + k)) & padding;
  }
  const ok = zeroMask(bad);
  const okByte = <u8>ok;
  for (let i: usize = 0; i < n << 3; i++) store<u8>(out + i, load<u8>(out + i) & okByte);
  const result = <i64>(mli & ok) | <i64>(~ok);
  release(m);
  return result;
}

/** RFC 3394 §2.2.1 with the default IV: ptLen (a multiple of 8, at least 16) bytes to ptLen + 8 at out. */
export function aes256KwWrap(kek: usize, pt: usize, ptLen: usize, out: usize): void {
  const m = mark();
  open(kek);
  store<u64>(buf, KW_ICV);
  memory.copy(out + 8, pt, ptLen);
  wrapSteps(out + 8, ptLen >> 3);
  store<u64>(out, load<u64>(buf));
  release(m);
}

/** RFC 3394 §2.2.2 with the default IV: true and ctLen - 8 bytes at out if the IV checks, else false and out zeroed. */
export function aes256KwUnwrap(kek: usize, ct: usize, ctLen: usize, out: usize): bool {
  const m = mark();
  open(kek);
  const n = (ctLen >> 3) - 1;
  store<u64>(buf, load<u64>(ct));
  memory.copy(out, ct + 8, n << 3);
  unwrapSteps(out, n);
  const ok = zeroMask(load<u64>(buf) ^ KW_ICV);
  const okByte = <u8>ok;
  for (let i: usize = 0; i < n << 3; i++) store<u8>(out + i, load<u8>(out + i) & okByte);
  release(m);
  return ok != 0;
}
