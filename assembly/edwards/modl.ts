// Arithmetic modulo the group order L = 2^252 + 27742317777372353535851937790883648493
// (RFC 8032 §5.1), for the scalars of Ed25519 signatures: the reduction of a 512-bit hash
// (§5.1.6 steps 2 and 4) and S = (r + k s) mod L (step 5).
//
// Numbers are little-endian arrays of u32 words. The reduction is Barrett's (Menezes, van
// Oorschot, Vanstone, Handbook of Applied Cryptography, Algorithm 14.42) with base b = 2^32
// and k = 8 words: for x < b^16, q = floor(floor(x / b^7) * mu / b^9) with mu = floor(b^16 / L)
// under-estimates floor(x / L) by at most 2, so x - q L, computed modulo b^9, lies in [0, 3L);
// two subtractions of L, each kept by mask, finish it.
//
// Constant time: loops of fixed length over all words, carries propagated arithmetically,
// the final corrections selected by masks; nothing branches on or indexes by a value.

import { alloc, mark, release } from '../arena';

/** L as 8 words. */
const L_WORDS: usize = memory.data<u32>([
  0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0x00000000, 0x00000000, 0x00000000, 0x10000000,
]);
/** mu = floor(2^512 / L), 260 bits, as 9 words. */
const MU_WORDS: usize = memory.data<u32>([
  0x0a2c131b, 0xed9ce5a3, 0x086329a7, 0x2106215d, 0xffffffeb, 0xffffffff, 0xffffffff, 0xffffffff, 0x0000000f,
]);

/** out (an + bn words, zeroed here) = a * b, schoolbook with a carry per row. */
function mulWords(out: usize, a: usize, an: i32, b: usize, bn: i32): void {
  memory.fill(out, 0, <usize>(an + bn) << 2);
  for (let i = 0; i < an; i++) {
    const ai = <u64>load<u32>(a + (<usize>i << 2));
    let carry: u64 = 0;
    for (let j = 0; j < bn; j++) {
      const at = out + (<usize>(i + j) << 2);
      // (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1: never overflows.
      const t = ai * <u64>load<u32>(b + (<usize>j << 2)) + <u64>load<u32>(at) + carry;
      store<u32>(at, <u32>t);
      carry = t >> 32;
    }
    store<u32>(out + (<usize>(i + bn) << 2), <u32>carry);
  }
}

/**
 * out (9 words, zeroed here) = (q * L) mod b^9 for the 9-word q: only the products that land
 * in words 0..8, and only L's nonzero words (0..3 and 7; words 4..6 of L are zero), 32 products
 * of the 72 a whole product would take. The carry out of word 8 is dropped (mod b^9).
 */
function mulLowL(out: usize, q: usize): void {
  memory.fill(out, 0, 9 * 4);
  for (let j = 0; j < 8; j++) {
    if (j >= 4 && j < 7) continue; // L's zero words (public constants)
    const lj = <u64>load<u32>(L_WORDS + (<usize>j << 2));
    let carry: u64 = 0;
    for (let i = 0; i + j < 9; i++) {
      const at = out + (<usize>(i + j) << 2);
      const t = <u64>load<u32>(q + (<usize>i << 2)) * lj + <u64>load<u32>(at) + carry;
      store<u32>(at, <u32>t);
      carry = t >> 32;
    }
  }
}

/** r (9 words) = r - L where r >= L, unchanged otherwise; by mask. */
function subLIfAbove(r: usize): void {
  let borrow: u64 = 0;
  for (let i: usize = 0; i < 9; i++) {
    const l = i < 8 ? <u64>load<u32>(L_WORDS + (i << 2)) : 0;
    const d = <u64>load<u32>(r + (i << 2)) - l - borrow;
    borrow = d >> 63;
  }
  const keep = <u32>borrow - 1; // all ones when there was no borrow: r >= L
  borrow = 0;
  for (let i: usize = 0; i < 9; i++) {
    const l = i < 8 ? <u64>load<u32>(L_WORDS + (i << 2)) : 0;
    const a = load<u32>(r + (i << 2));
    const d = <u64>a - l - borrow;
    borrow = d >> 63;
    store<u32>(r + (i << 2), a ^ ((a ^ <u32>d) & keep));
  }
}

/**
 * out (32 bytes, little-endian) = x mod L for the 64-byte little-endian x at `x` (a SHA-512
 * output read as an integer, as RFC 8032 §5.1.6 does). out may alias x.
 */
export function scReduce512(out: usize, x: usize): void {
  const m = mark();
  const q2 = alloc(18 * 4);
  const q3l = alloc(17 * 4);
  const r = alloc(9 * 4);
  // q1 = floor(x / b^7): words 7..15 of x (9 words); q2 = q1 * mu (18 words).
  mulWords(q2, x + 7 * 4, 9, MU_WORDS, 9);
  // q3 = floor(q2 / b^9): words 9..17 of q2. q3 * L, of which only words 0..8 matter.
  mulLowL(q3l, q2 + 9 * 4);
  // r = (x mod b^9) - (q3 L mod b^9), modulo b^9.
  let borrow: u64 = 0;
  for (let i: usize = 0; i < 9; i++) {
    const d = <u64>load<u32>(x + (i << 2)) - <u64>load<u32>(q3l + (i << 2)) - borrow;
    store<u32>(r + (i << 2), <u32>d);
    borrow = d >> 63;
  }
  subLIfAbove(r);
  subLIfAbove(r);
  memory.copy(out, r, 32);
  release(m);
}

/**
 * out (32 bytes) = (a + b * c) mod L for 32-byte little-endian a, b, c (any values below
 * 2^256: a + b c < 2^512, the range of the reduction). out may alias any input.
 */
export function scMulAdd(out: usize, a: usize, b: usize, c: usize): void {
  const m = mark();
  const t = alloc(16 * 4);
  mulWords(t, b, 8, c, 8);
  let carry: u64 = 0;
  for (let i: usize = 0; i < 16; i++) {
    const ai = i < 8 ? <u64>load<u32>(a + (i << 2)) : 0;
    const s = <u64>load<u32>(t + (i << 2)) + ai + carry;
    store<u32>(t + (i << 2), <u32>s);
    carry = s >> 32;
  }
  scReduce512(out, t);
  release(m);
}

/** Whether the 32-byte little-endian s is below L (variable time: for public S only). */
export function scIsCanonicalVartime(s: usize): bool {
  for (let i = 7; i >= 0; i--) {
    const a = load<u32>(s + (<usize>i << 2));
    const l = load<u32>(L_WORDS + (<usize>i << 2));
    if (a < l) return true;
    if (a > l) return false;
  }
  return false; // s == L
}
