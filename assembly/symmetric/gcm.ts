// AES-256-GCM (NIST SP 800-38D) with 96-bit IVs and 128-bit tags, and its GHASH.
//
// Constant-time argument for GHASH (after the header of BearSSL's ghash_ctmul64.c). The
// usual fast GHASH looks up multiples of the hash key H in tables indexed by data bits,
// whose addresses would reveal H. Here the product in GF(2^128) is computed with integer
// multiplications, no table and no branch: a carry-less product of two 64-bit words is
// built from the 16 integer products of their bits split four ways, x_i = x & (0x1111… << i),
// each of which has a one-bit value only every fourth position, so the integer sums
// counting the carry-less terms at a position are at most 15 (≤ 16 at positions 60-63,
// whose carry leaves the word) and never spill into the next position kept; the result
// takes, from each of the four partial sums, only its own positions. Wasm's i64.mul keeps
// the low 64 bits of a product, so the high half of a 64x64 product comes from the
// bit-reversed operands: rev(x)·rev(y) is x·y reversed as a 127-bit string, whose low 64
// bits are the high bits of x·y in reverse order. Every step is a fixed
// sequence of and, xor, or, shifts and i64.mul, whose timing does not depend on the
// operands on 64-bit engines (a 32-bit host emulating i64.mul in software might not
// be constant time). The AES part is constant time as aes.ts explains, and the tag is
// compared with an OR of XORs, without an early exit.
//
// Representation: a 128-bit block X_0 … X_127 (X_0 the leftmost bit, the coefficient of
// x^0, §6.3) read as two big-endian u64 words (hi, lo) puts the coefficient of x^i at bit
// 127 - i: the bit-reversal of the polynomial. Carry-less multiplication of reversed
// operands gives the reversed product shifted right by one, so products are shifted left
// by one and reduced modulo x^128 + x^7 + x^2 + x + 1 in that reversed form, where
// multiplying by x is a right shift.
//
// Four blocks are absorbed per reduction: Y ← (Y ⊕ X1)·H^4 ⊕ X2·H^3 ⊕ X3·H^2 ⊕ X4·H,
// the unreduced products added up first (multiplication distributes over ⊕), and the
// bit-reversed partial products are reversed once per group rather than once per block.

import { alloc, mark, release } from '../arena';
import { aes256KeySchedule, aes256Encrypt8, AES256_KS_SIZE, AES_BATCH_BYTES } from './aes';

const M1: u64 = 0x1111111111111111;
const M2: u64 = 0x2222222222222222;
const M4: u64 = 0x4444444444444444;
const M8: u64 = 0x8888888888888888;

// A power of H, prepared for bmul: for each of the six words h1, h0, h1 ⊕ h0 and their
// bit-reversals, the four masked parts (y & M1, y & M2, y & M4, y & M8).
const POWER_SIZE: usize = 6 * 4 * 8;
const MAX_AGGREGATE: i32 = 4;
const GHASH_KEY_SIZE: usize = POWER_SIZE * <usize>MAX_AGGREGATE;

/** The low 64 bits of the carry-less product of x and the word whose masked parts are at y. */
@inline function bmul(x: u64, y: usize): u64 {
  const x0 = x & M1;
  const x1 = x & M2;
  const x2 = x & M4;
  const x3 = x & M8;
  const y0 = load<u64>(y, 0);
  const y1 = load<u64>(y, 8);
  const y2 = load<u64>(y, 16);
  const y3 = load<u64>(y, 24);
  // x_i·y_j has its terms at positions ≡ i + j (mod 4); z_k gathers those ≡ k.
  const z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
  const z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
  const z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
  const z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
  return (z0 & M1) | (z1 & M2) | (z2 & M4) | (z3 & M8);
}

/** Reverses the bits within each byte. */
@inline function rev8(x: u64): u64 {
  x = ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
  x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
  return ((x >> 4) & 0x0f0f0f0f0f0f0f0f) | ((x & 0x0f0f0f0f0f0f0f0f) << 4);
}

@inline function rev64(x: u64): u64 {
  return rev8(bswap<u64>(x));
}

// An out-of-line rev64 for the key set-up, which runs once per call.
function rev64Once(x: u64): u64 {
  return rev64(x);
}

@inline function putMasked(p: usize, y: u64): void {
  store<u64>(p, y & M1, 0);
  store<u64>(p, y & M2, 8);
  store<u64>(p, y & M4, 16);
  store<u64>(p, y & M8, 24);
}

/** Prepares power `j` (1-based) of the key from the 16-byte block at `h`. */
function preparePower(key: usize, j: i32, h: usize): void {
  const p = key + <usize>(j - 1) * POWER_SIZE;
  const h1 = bswap<u64>(load<u64>(h));
  const h0 = bswap<u64>(load<u64>(h, 8));
  putMasked(p, h1);
  putMasked(p + 32, h0);
  putMasked(p + 64, h1 ^ h0);
  const r1 = rev64Once(h1);
  const r0 = rev64Once(h0);
  putMasked(p + 96, r1);
  putMasked(p + 128, r0);
  putMasked(p + 160, r1 ^ r0);
}

/**
 * Y ← (Y ⊕ X_1)·H^n ⊕ X_2·H^(n-1) ⊕ … ⊕ X_n·H for the n blocks (1 ≤ n ≤ 4) at `x`;
 * Y is two u64 at `y`: the big-endian words (hi, lo) of the block.
 */
function ghashBlocks(key: usize, y: usize, x: usize, n: i32): void {
  // Six accumulators: the low halves of a1·b1, a0·b0, (a1⊕a0)(b1⊕b0), and the same for
  // the bit-reversed operands (the high halves, reversed).
  let lhh: u64 = 0, lll: u64 = 0, lmm: u64 = 0;
  let rhh: u64 = 0, rll: u64 = 0, rmm: u64 = 0;
  for (let t = 0; t < n; t++) {
    const b = x + (<usize>t << 4);
    const w1 = load<u64>(b);
    const w0 = load<u64>(b, 8);
    // Big-endian words, and their bit-reversals: reversing a big-endian word is
    // reversing the bits of each byte of the little-endian one.
    let a1 = bswap<u64>(w1);
    let a0 = bswap<u64>(w0);
    let r1 = rev8(w1);
    let r0 = rev8(w0);
    if (t == 0) {
      const y1 = load<u64>(y);
      const y0 = load<u64>(y, 8);
      a1 ^= y1;
      a0 ^= y0;
      r1 ^= rev64(y1);
      r0 ^= rev64(y0);
    }
    const p = key + <usize>(n - 1 - t) * POWER_SIZE;
    lhh ^= bmul(a1, p);
    lll ^= bmul(a0, p + 32);
    lmm ^= bmul(a1 ^ a0, p + 64);
    rhh ^= bmul(r1, p + 96);
    rll ^= bmul(r0, p + 128);
    rmm ^= bmul(r1 ^ r0, p + 160);
  }
  // The 128-bit products (high:low). Reversing the low 64 bits of rev(x)·rev(y) gives bits
  // 63..126 of x·y, so the high half (bits 64..127) is that shifted right by one.
  const hhHi = rev64(rhh) >> 1, hhLo = lhh;
  const llHi = rev64(rll) >> 1, llLo = lll;
  // Karatsuba: a1·b0 ⊕ a0·b1 = (a1⊕a0)(b1⊕b0) ⊕ a1·b1 ⊕ a0·b0.
  const mmHi = (rev64(rmm) >> 1) ^ hhHi ^ llHi;
  const mmLo = lmm ^ hhLo ^ llLo;
  // The 256-bit product p3:p2:p1:p0, shifted left by one (see the header).
  const p3 = hhHi, p2 = hhLo ^ mmHi, p1 = llHi ^ mmLo, p0 = llLo;
  let q3 = (p3 << 1) | (p2 >> 63);
  let q2 = (p2 << 1) | (p1 >> 63);
  let q1 = (p1 << 1) | (p0 >> 63);
  const q0 = p0 << 1;
  // q3 holds the coefficients of x^0..x^63 (reversed), q2 x^64.., q1 x^128.., q0 x^192...
  // x^128 ≡ 1 + x + x^2 + x^7: fold q0 (times x^192 ≡ x^64·(1 + x + x^2 + x^7)) into q2,
  // the terms past x^127 into q1; then q1 into q3 and q2.
  q2 ^= q0 ^ (q0 >> 1) ^ (q0 >> 2) ^ (q0 >> 7);
  q1 ^= (q0 << 63) ^ (q0 << 62) ^ (q0 << 57);
  q3 ^= q1 ^ (q1 >> 1) ^ (q1 >> 2) ^ (q1 >> 7);
  q2 ^= (q1 << 63) ^ (q1 << 62) ^ (q1 << 57);
  store<u64>(y, q3);
  store<u64>(y, q2, 8);
}

/** GHASH key (powers H^1..H^4) from the 16-byte block H; `tmp` is 32 bytes of scratch. */
function ghashKey(key: usize, h: usize, tmp: usize): void {
  preparePower(key, 1, h);
  // H^j = H^(j-1)·H: Y = 0 and one block H^(j-1), multiplied by the prepared H.
  const y = tmp;
  const hp = tmp + 16;
  memory.copy(hp, h, 16);
  for (let j = 2; j <= MAX_AGGREGATE; j++) {
    store<u64>(y, 0);
    store<u64>(y, 0, 8);
    ghashBlocks(key, y, hp, 1);
    store<u64>(hp, bswap<u64>(load<u64>(y)));
    store<u64>(hp, bswap<u64>(load<u64>(y, 8)), 8);
    preparePower(key, j, hp);
  }
}

/**
 * Absorbs [x, x + len) into Y, the last partial block padded with zeros (§6.4: the
 * additional data and the ciphertext are each padded to whole blocks). `pad` is 16 bytes.
 */
function ghashUpdate(key: usize, y: usize, x: usize, len: usize, pad: usize): void {
  while (len >= 64) {
    ghashBlocks(key, y, x, 4);
    x += 64;
    len -= 64;
  }
  const whole = <i32>(len >> 4);
  if (whole > 0) ghashBlocks(key, y, x, whole);
  const rest = len & 15;
  if (rest > 0) {
    memory.fill(pad, 0, 16);
    memory.copy(pad, x + (len & ~15), rest);
    ghashBlocks(key, y, pad, 1);
  }
}

// ---- GCM -------------------------------------------------------------------------------------

// Scratch layout of one GCM call.
const KS_OFF: usize = 0;
const ST_OFF: usize = KS_OFF + AES256_KS_SIZE; //  bitsliced state
const CB_OFF: usize = ST_OFF + 128; //               eight counter blocks
const KSTREAM_OFF: usize = CB_OFF + 128; //          their encryption
const HKEY_OFF: usize = KSTREAM_OFF + 128; //        GHASH key
const Y_OFF: usize = HKEY_OFF + GHASH_KEY_SIZE; //  GHASH state
const EKJ0_OFF: usize = Y_OFF + 16; //               E(K, J0)
const IV_OFF: usize = EKJ0_OFF + 16; //              the IV (the caller's may be overwritten)
const PAD_OFF: usize = IV_OFF + 16; //               a padded block; 32 bytes of scratch
const CTX_SIZE: usize = PAD_OFF + 32;

/** Keystream bytes from the first pass: the counter blocks after H and J0. */
const FIRST_STREAM: usize = AES_BATCH_BYTES - 32;

/**
 * Sets up a call: key schedule; J0 = IV ‖ 0^31 ‖ 1 (§7.1 step 2, 96-bit IV); one pass of
 * the cipher over 0^128 (giving H, §7.1 step 1), J0 (for the tag) and the counter blocks
 * inc32(J0)+0..5 (the first six keystream blocks); GHASH key; Y = 0.
 */
function gcmSetup(ctx: usize, key: usize, iv: usize): void {
  aes256KeySchedule(ctx + KS_OFF, key);
  memory.copy(ctx + IV_OFF, iv, 12);
  iv = ctx + IV_OFF;
  const cb = ctx + CB_OFF;
  memory.fill(cb, 0, 16);
  for (let k: u32 = 1; k < 8; k++) {
    const b = cb + (<usize>k << 4);
    memory.copy(b, iv, 12);
    store<u32>(b, bswap<u32>(k), 12);
  }
  aes256Encrypt8(ctx + KS_OFF, ctx + ST_OFF, cb, ctx + KSTREAM_OFF);
  memory.copy(ctx + EKJ0_OFF, ctx + KSTREAM_OFF + 16, 16);
  ghashKey(ctx + HKEY_OFF, ctx + KSTREAM_OFF, ctx + PAD_OFF);
  memory.fill(ctx + Y_OFF, 0, 16);
}

/** dst = src ⊕ ks for n bytes (any alignment). */
@inline function xorInto(dst: usize, src: usize, ks: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) store<u64>(dst + i, load<u64>(src + i) ^ load<u64>(ks + i));
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(ks + i));
}

/**
 * §6.5 GCTR from inc32(J0): dst = src ⊕ keystream, len bytes. The first six keystream
 * blocks come from gcmSetup; then eight counter blocks per pass. `dst` may equal `src`.
 */
function gcmCtr(ctx: usize, src: usize, dst: usize, len: usize): void {
  const iv = ctx + IV_OFF;
  const cb = ctx + CB_OFF;
  const ks = ctx + KSTREAM_OFF;
  let n = len < FIRST_STREAM ? len : FIRST_STREAM;
  xorInto(dst, src, ks + 32, n);
  let off = n;
  // Counter blocks 8, 9, … (J0 is 1). A 32-bit counter cannot wrap: len < 2^31 bytes.
  let counter: u32 = 8;
  for (let k: usize = 0; k < 8; k++) memory.copy(cb + (k << 4), iv, 12);
  while (off < len) {
    for (let k: usize = 0; k < 8; k++) store<u32>(cb + (k << 4), bswap<u32>(counter + <u32>k), 12);
    counter += 8;
    aes256Encrypt8(ctx + KS_OFF, ctx + ST_OFF, cb, ks);
    n = len - off;
    if (n > AES_BATCH_BYTES) n = AES_BATCH_BYTES;
    xorInto(dst + off, src + off, ks, n);
    off += n;
  }
}

/** §7.1 steps 5-6: S = GHASH(A ‖ 0^v ‖ C ‖ 0^u ‖ [len(A)]64 ‖ [len(C)]64), T = S ⊕ E(K, J0). */
function gcmTag(ctx: usize, aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize): void {
  const key = ctx + HKEY_OFF;
  const y = ctx + Y_OFF;
  const pad = ctx + PAD_OFF;
  ghashUpdate(key, y, aad, aadLen, pad);
  ghashUpdate(key, y, ct, ctLen, pad);
  store<u64>(pad, bswap<u64>(<u64>aadLen << 3));
  store<u64>(pad, bswap<u64>(<u64>ctLen << 3), 8);
  ghashBlocks(key, y, pad, 1);
  store<u64>(tag, bswap<u64>(load<u64>(y)) ^ load<u64>(ctx + EKJ0_OFF));
  store<u64>(tag, bswap<u64>(load<u64>(y, 8)) ^ load<u64>(ctx + EKJ0_OFF, 8), 8);
}

/** §7.1 GCM-AE: ciphertext (ptLen bytes) to outCt, the 16-byte tag to outTag. */
export function aes256GcmEncrypt(
  key: usize, iv: usize, aad: usize, aadLen: usize, pt: usize, ptLen: usize, outCt: usize, outTag: usize,
): void {
  const m = mark();
  const ctx = alloc(CTX_SIZE);
  gcmSetup(ctx, key, iv);
  gcmCtr(ctx, pt, outCt, ptLen);
  gcmTag(ctx, aad, aadLen, outCt, ptLen, outTag);
  release(m);
}

/**
 * §7.2 GCM-AD: returns true and the plaintext in outPt if `tag` authenticates; otherwise
 * false and outPt all zero. The tag is compared without a data-dependent branch, and both
 * outcomes run the same code: the plaintext is computed and then ANDed with a mask that is
 * all ones or all zeros, so neither the time nor the memory trace tells them apart.
 */
export function aes256GcmDecrypt(
  key: usize, iv: usize, aad: usize, aadLen: usize, ct: usize, ctLen: usize, tag: usize, outPt: usize,
): bool {
  const m = mark();
  const ctx = alloc(CTX_SIZE);
  gcmSetup(ctx, key, iv);
  const want = alloc(16);
  // The tag covers the ciphertext as received: hash it before outPt (which may be ct) changes.
  gcmTag(ctx, aad, aadLen, ct, ctLen, want);
  const diff = (load<u64>(want) ^ load<u64>(tag)) | (load<u64>(want, 8) ^ load<u64>(tag, 8));
  // 1 when diff == 0: (diff | -diff) has its top bit set exactly when diff != 0.
  const ok = ((diff | (0 - diff)) >> 63) ^ 1;
  const keep = 0 - ok;
  gcmCtr(ctx, ct, outPt, ctLen);
  let i: usize = 0;
  for (; i + 8 <= ctLen; i += 8) store<u64>(outPt + i, load<u64>(outPt + i) & keep);
  for (; i < ctLen; i++) store<u8>(outPt + i, load<u8>(outPt + i) & <u8>keep);
  release(m);
  return ok != 0;
}

/** Test only: GHASH_H of [x, x + len) (zero-padded) from Y = 0, to the 16 bytes at `out`. */
export function ghash(h: usize, x: usize, len: usize, out: usize): void {
  const m = mark();
  const key = alloc(GHASH_KEY_SIZE);
  const y = alloc(16);
  const tmp = alloc(32);
  ghashKey(key, h, tmp);
  ghashUpdate(key, y, x, len, tmp);
  store<u64>(out, bswap<u64>(load<u64>(y)));
  store<u64>(out, bswap<u64>(load<u64>(y, 8)), 8);
  release(m);
}
