// Arithmetic in GF(p), p = 2^255 - 19 (RFC 8032 §5.1), for Ed25519.
//
// Representation: ten signed limbs in radix 2^25.5 (Bernstein, "Curve25519: new
// Diffie-Hellman speed records", 2006, §4): x = sum f_i 2^ceil(25.5 i), so even limbs carry
// 26 bits and odd limbs 25. Each limb is an i32 in memory (an element is 40 bytes).
//
// Why this radix in WebAssembly: there is no 64x64->128 multiply, but a limb product is at
// most ~2^56, so a whole column of a 10x10 product (with the factors 2 and 19 that the
// uneven radix and 2^255 = 19 mod p bring in) fits in one i64 with no carry handling;
// one carry chain per multiplication follows. 5 limbs of 51 bits would need 128-bit products.
//
// Bounds. "Tight" means the output of a carry chain: |f_i| <= 2^25 (even i), 2^24 (odd i),
// except |f_1| <= 2^24 + 2^17 and |f_5| <= 2^24 + 2^12 (they take the chain's last carries).
// The carries round to nearest (add half, shift), which keeps limbs centred on zero and
// buys two bits of headroom over floor carries. add/sub/neg do not carry. With both
// operands sums of up to 8 tight elements, the largest column stays below 2^62.97, under
// the i64 limit of 2^63; the point formulas use sums of at most 3 (columns below 2^60.2).
//
// Constant time: straight-line code; selections by masks; inversion by a fixed number of
// divsteps (./inverse), the square root's power by a fixed chain.

import { invertModP } from './inverse';

export const FE_SIZE: usize = 40;

// Limbs of field constants, least significant first (canonical, non-negative).
// d = -121665/121666 (RFC 8032 §5.1)
export const FE_D: usize = memory.data<i32>([
  56195235, 13857412, 51736253, 6949390, 114729, 24766616, 60832955, 30306712, 48412415, 21499315,
]);
// 2d, the factor of the addition formulas
export const FE_D2: usize = memory.data<i32>([
  45281625, 27714825, 36363642, 13898781, 229458, 15978800, 54557047, 27058993, 29715967, 9444199,
]);
// The base point B (RFC 8032 §5.1): y = 4/5, x the even square root.
export const FE_BX: usize = memory.data<i32>([
  52811034, 25909283, 16144682, 17082669, 27570973, 30858332, 40966398, 8378388, 20764389, 8758491,
]);
export const FE_BY: usize = memory.data<i32>([
  40265304, 26843545, 13421772, 20132659, 26843545, 6710886, 53687091, 13421772, 40265318, 26843545,
]);

@inline function ld(f: usize, i: usize): i64 {
  return <i64>load<i32>(f + (i << 2));
}

export function feZero(h: usize): void {
  memory.fill(h, 0, FE_SIZE);
}

export function feOne(h: usize): void {
  memory.fill(h, 0, FE_SIZE);
  store<i32>(h, 1);
}

export function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, FE_SIZE);
}

// add, sub and neg are written out limb by limb (four at a time with SIMD): as loops over ten
// limbs they spent as much on counting and branching as on arithmetic, several times per point
// operation. Each limb of h depends only on the same limb of f and g, so h may alias f or g.

/** h = f + g, no carry. */
export function feAdd(h: usize, f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    const a = i32x4.add(v128.load(f), v128.load(g));
    const b = i32x4.add(v128.load(f, 16), v128.load(g, 16));
    const c = load<i32>(f, 32) + load<i32>(g, 32);
    const d = load<i32>(f, 36) + load<i32>(g, 36);
    v128.store(h, a);
    v128.store(h, b, 16);
    store<i32>(h, c, 32);
    store<i32>(h, d, 36);
  } else {
    store<i32>(h, load<i32>(f, 0) + load<i32>(g, 0), 0);
    store<i32>(h, load<i32>(f, 4) + load<i32>(g, 4), 4);
    store<i32>(h, load<i32>(f, 8) + load<i32>(g, 8), 8);
    store<i32>(h, load<i32>(f, 12) + load<i32>(g, 12), 12);
    store<i32>(h, load<i32>(f, 16) + load<i32>(g, 16), 16);
    store<i32>(h, load<i32>(f, 20) + load<i32>(g, 20), 20);
    store<i32>(h, load<i32>(f, 24) + load<i32>(g, 24), 24);
    store<i32>(h, load<i32>(f, 28) + load<i32>(g, 28), 28);
    store<i32>(h, load<i32>(f, 32) + load<i32>(g, 32), 32);
    store<i32>(h, load<i32>(f, 36) + load<i32>(g, 36), 36);
  }
}

/** h = f - g, no carry. */
export function feSub(h: usize, f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    const a = i32x4.sub(v128.load(f), v128.load(g));
    const b = i32x4.sub(v128.load(f, 16), v128.load(g, 16));
    const c = load<i32>(f, 32) - load<i32>(g, 32);
    const d = load<i32>(f, 36) - load<i32>(g, 36);
    v128.store(h, a);
    v128.store(h, b, 16);
    store<i32>(h, c, 32);
    store<i32>(h, d, 36);
  } else {
    store<i32>(h, load<i32>(f, 0) - load<i32>(g, 0), 0);
    store<i32>(h, load<i32>(f, 4) - load<i32>(g, 4), 4);
    store<i32>(h, load<i32>(f, 8) - load<i32>(g, 8), 8);
    store<i32>(h, load<i32>(f, 12) - load<i32>(g, 12), 12);
    store<i32>(h, load<i32>(f, 16) - load<i32>(g, 16), 16);
    store<i32>(h, load<i32>(f, 20) - load<i32>(g, 20), 20);
    store<i32>(h, load<i32>(f, 24) - load<i32>(g, 24), 24);
    store<i32>(h, load<i32>(f, 28) - load<i32>(g, 28), 28);
    store<i32>(h, load<i32>(f, 32) - load<i32>(g, 32), 32);
    store<i32>(h, load<i32>(f, 36) - load<i32>(g, 36), 36);
  }
}

/** h = -f, no carry. */
export function feNeg(h: usize, f: usize): void {
  if (ASC_FEATURE_SIMD) {
    const a = i32x4.neg(v128.load(f));
    const b = i32x4.neg(v128.load(f, 16));
    const c = -load<i32>(f, 32);
    const d = -load<i32>(f, 36);
    v128.store(h, a);
    v128.store(h, b, 16);
    store<i32>(h, c, 32);
    store<i32>(h, d, 36);
  } else {
    store<i32>(h, -load<i32>(f, 0), 0);
    store<i32>(h, -load<i32>(f, 4), 4);
    store<i32>(h, -load<i32>(f, 8), 8);
    store<i32>(h, -load<i32>(f, 12), 12);
    store<i32>(h, -load<i32>(f, 16), 16);
    store<i32>(h, -load<i32>(f, 20), 20);
    store<i32>(h, -load<i32>(f, 24), 24);
    store<i32>(h, -load<i32>(f, 28), 28);
    store<i32>(h, -load<i32>(f, 32), 32);
    store<i32>(h, -load<i32>(f, 36), 36);
  }
}

/** f = g where mask is all ones, f unchanged where it is zero. */
export function feCmov(f: usize, g: usize, mask: i32): void {
  for (let i: usize = 0; i < FE_SIZE; i += 4) {
    const a = load<i32>(f + i);
    store<i32>(f + i, a ^ ((a ^ load<i32>(g + i)) & mask));
  }
}

/**
 * The carry chain shared by mul, sqr and carry: brings column sums |h_i| < 2^63 back to
 * tight limbs. The order interleaves two chains (0→1→2→3→4 and 4→5→…→9→0) so that each
 * limb receives its last carry after it was reduced once; the carry out of limb 9 re-enters
 * limb 0 times 19 (2^255 = 19 mod p).
 */
@inline function carryStore(
  h: usize,
  h0: i64, h1: i64, h2: i64, h3: i64, h4: i64,
  h5: i64, h6: i64, h7: i64, h8: i64, h9: i64,
): void {
  let c: i64;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h1 + (1 << 24)) >> 25; h2 += c; h1 -= c << 25;
  c = (h5 + (1 << 24)) >> 25; h6 += c; h5 -= c << 25;
  c = (h2 + (1 << 25)) >> 26; h3 += c; h2 -= c << 26;
  c = (h6 + (1 << 25)) >> 26; h7 += c; h6 -= c << 26;
  c = (h3 + (1 << 24)) >> 25; h4 += c; h3 -= c << 25;
  c = (h7 + (1 << 24)) >> 25; h8 += c; h7 -= c << 25;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h8 + (1 << 25)) >> 26; h9 += c; h8 -= c << 26;
  c = (h9 + (1 << 24)) >> 25; h0 += c * 19; h9 -= c << 25;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  store<i32>(h, <i32>h0, 0);
  store<i32>(h, <i32>h1, 4);
  store<i32>(h, <i32>h2, 8);
  store<i32>(h, <i32>h3, 12);
  store<i32>(h, <i32>h4, 16);
  store<i32>(h, <i32>h5, 20);
  store<i32>(h, <i32>h6, 24);
  store<i32>(h, <i32>h7, 28);
  store<i32>(h, <i32>h8, 32);
  store<i32>(h, <i32>h9, 36);
}

/** h = f, carried to tight limbs. */
export function feCarry(h: usize, f: usize): void {
  carryStore(h, ld(f, 0), ld(f, 1), ld(f, 2), ld(f, 3), ld(f, 4), ld(f, 5), ld(f, 6), ld(f, 7), ld(f, 8), ld(f, 9));
}

/**
 * h = f * g. Column k sums f_i g_j over i + j = k (mod 10); a product of two odd limbs
 * lands one bit above the column's weight (25.5 i rounds up twice), hence the factor 2,
 * and a product that wraps past 2^255 is multiplied by 19. h may alias f or g.
 */
export function feMul(h: usize, f: usize, g: usize): void {
  const f0 = ld(f, 0), f1 = ld(f, 1), f2 = ld(f, 2), f3 = ld(f, 3), f4 = ld(f, 4);
  const f5 = ld(f, 5), f6 = ld(f, 6), f7 = ld(f, 7), f8 = ld(f, 8), f9 = ld(f, 9);
  const g0 = ld(g, 0), g1 = ld(g, 1), g2 = ld(g, 2), g3 = ld(g, 3), g4 = ld(g, 4);
  const g5 = ld(g, 5), g6 = ld(g, 6), g7 = ld(g, 7), g8 = ld(g, 8), g9 = ld(g, 9);
  const f1_2 = f1 << 1, f3_2 = f3 << 1, f5_2 = f5 << 1, f7_2 = f7 << 1, f9_2 = f9 << 1;
  const g1_19 = g1 * 19, g2_19 = g2 * 19, g3_19 = g3 * 19, g4_19 = g4 * 19, g5_19 = g5 * 19;
  const g6_19 = g6 * 19, g7_19 = g7 * 19, g8_19 = g8 * 19, g9_19 = g9 * 19;
  const h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
  const h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
  const h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
  const h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
  const h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
  const h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/**
 * h = f^2 (times 2 when `double`, for the 2Z^2 of point doubling). The products f_i f_j
 * with i != j appear twice in a column, so each is computed once with a doubled factor:
 * 55 multiplications instead of 100.
 */
@inline function sqrInto(h: usize, f: usize, double: bool): void {
  const f0 = ld(f, 0), f1 = ld(f, 1), f2 = ld(f, 2), f3 = ld(f, 3), f4 = ld(f, 4);
  const f5 = ld(f, 5), f6 = ld(f, 6), f7 = ld(f, 7), f8 = ld(f, 8), f9 = ld(f, 9);
  const f0_2 = f0 << 1, f1_2 = f1 << 1, f2_2 = f2 << 1, f3_2 = f3 << 1, f4_2 = f4 << 1;
  const f5_2 = f5 << 1, f7_2 = f7 << 1;
  const f6_19 = f6 * 19, f8_19 = f8 * 19;
  const f5_38 = f5 * 38, f6_38 = f6 * 38, f7_38 = f7 * 38, f8_38 = f8 * 38, f9_38 = f9 * 38;
  let h0 = f0 * f0 + f1_2 * f9_38 + f2 * f8_38 + f3_2 * f7_38 + f4 * f6_38 + f5 * f5_38;
  let h1 = f0_2 * f1 + f2 * f9_38 + f3 * f8_38 + f4 * f7_38 + f5 * f6_38;
  let h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4 * f8_38 + f5_2 * f7_38 + f6 * f6_19;
  let h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5 * f8_38 + f6 * f7_38;
  let h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6 * f8_38 + f7 * f7_38;
  let h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7 * f8_38;
  let h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
  let h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
  let h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
  let h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
  if (double) {
    h0 <<= 1; h1 <<= 1; h2 <<= 1; h3 <<= 1; h4 <<= 1;
    h5 <<= 1; h6 <<= 1; h7 <<= 1; h8 <<= 1; h9 <<= 1;
  }
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f^2. h may alias f. */
export function feSqr(h: usize, f: usize): void {
  sqrInto(h, f, false);
}

/** h = 2 f^2. h may alias f. */
export function feSqr2(h: usize, f: usize): void {
  sqrInto(h, f, true);
}

/**
 * h = f^(2^n), n >= 1 (n public). The limbs stay in locals from one squaring to the next (the
 * products and the carry chain of sqrInto and carryStore, written out once more here), which
 * saves a load and a store per limb per squaring in the inversion's long runs of squarings.
 */
export function feSqrN(h: usize, f: usize, n: i32): void {
  let f0 = ld(f, 0), f1 = ld(f, 1), f2 = ld(f, 2), f3 = ld(f, 3), f4 = ld(f, 4);
  let f5 = ld(f, 5), f6 = ld(f, 6), f7 = ld(f, 7), f8 = ld(f, 8), f9 = ld(f, 9);
  for (let it = 0; it < n; it++) {
    const f0_2 = f0 << 1, f1_2 = f1 << 1, f2_2 = f2 << 1, f3_2 = f3 << 1, f4_2 = f4 << 1;
    const f5_2 = f5 << 1, f7_2 = f7 << 1;
    const f6_19 = f6 * 19, f8_19 = f8 * 19;
    const f5_38 = f5 * 38, f6_38 = f6 * 38, f7_38 = f7 * 38, f8_38 = f8 * 38, f9_38 = f9 * 38;
    let h0 = f0 * f0 + f1_2 * f9_38 + f2 * f8_38 + f3_2 * f7_38 + f4 * f6_38 + f5 * f5_38;
    let h1 = f0_2 * f1 + f2 * f9_38 + f3 * f8_38 + f4 * f7_38 + f5 * f6_38;
    let h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4 * f8_38 + f5_2 * f7_38 + f6 * f6_19;
    let h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5 * f8_38 + f6 * f7_38;
    let h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6 * f8_38 + f7 * f7_38;
    let h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7 * f8_38;
    let h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
    let h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
    let h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
    let h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
    let c: i64;
    c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
    c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
    c = (h1 + (1 << 24)) >> 25; h2 += c; h1 -= c << 25;
    c = (h5 + (1 << 24)) >> 25; h6 += c; h5 -= c << 25;
    c = (h2 + (1 << 25)) >> 26; h3 += c; h2 -= c << 26;
    c = (h6 + (1 << 25)) >> 26; h7 += c; h6 -= c << 26;
    c = (h3 + (1 << 24)) >> 25; h4 += c; h3 -= c << 25;
    c = (h7 + (1 << 24)) >> 25; h8 += c; h7 -= c << 25;
    c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
    c = (h8 + (1 << 25)) >> 26; h9 += c; h8 -= c << 26;
    c = (h9 + (1 << 24)) >> 25; h0 += c * 19; h9 -= c << 25;
    c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
    // The stored limbs are i32 (carryStore truncates); these are in range, as there.
    f0 = h0; f1 = h1; f2 = h2; f3 = h3; f4 = h4;
    f5 = h5; f6 = h6; f7 = h7; f8 = h8; f9 = h9;
  }
  store<i32>(h, <i32>f0, 0);
  store<i32>(h, <i32>f1, 4);
  store<i32>(h, <i32>f2, 8);
  store<i32>(h, <i32>f3, 12);
  store<i32>(h, <i32>f4, 16);
  store<i32>(h, <i32>f5, 20);
  store<i32>(h, <i32>f6, 24);
  store<i32>(h, <i32>f7, 28);
  store<i32>(h, <i32>f8, 32);
  store<i32>(h, <i32>f9, 36);
}

/**
 * h = f^-1 (0 maps to 0), by the constant-time gcd of ./inverse on the canonical bytes of f.
 * `t` is scratch of at least 32 bytes (callers pass 4 elements).
 */
export function feInvert(h: usize, f: usize, t: usize): void {
  feToBytes(t, f);
  invertModP(t, t);
  feFromBytes(h, t);
}

/**
 * The canonical 32-byte little-endian encoding of f (RFC 8032 §5.1.2 encodes y this way).
 * Two floor carry passes give limbs in [0, 2^26) / [0, 2^25) and a value v in [0, 2^255);
 * then v + 19 overflows 2^255 exactly when v >= p, and that overflow selects v - p.
 */
export function feToBytes(out: usize, f: usize): void {
  let h0 = ld(f, 0), h1 = ld(f, 1), h2 = ld(f, 2), h3 = ld(f, 3), h4 = ld(f, 4);
  let h5 = ld(f, 5), h6 = ld(f, 6), h7 = ld(f, 7), h8 = ld(f, 8), h9 = ld(f, 9);
  for (let pass = 0; pass < 2; pass++) {
    let c: i64;
    c = h0 >> 26; h1 += c; h0 -= c << 26;
    c = h1 >> 25; h2 += c; h1 -= c << 25;
    c = h2 >> 26; h3 += c; h2 -= c << 26;
    c = h3 >> 25; h4 += c; h3 -= c << 25;
    c = h4 >> 26; h5 += c; h4 -= c << 26;
    c = h5 >> 25; h6 += c; h5 -= c << 25;
    c = h6 >> 26; h7 += c; h6 -= c << 26;
    c = h7 >> 25; h8 += c; h7 -= c << 25;
    c = h8 >> 26; h9 += c; h8 -= c << 26;
    c = h9 >> 25; h0 += c * 19; h9 -= c << 25;
  }
  // q = 1 iff v + 19 >= 2^255, i.e. v >= p; then v - p = v + 19 - 2^255.
  let q = (h0 + 19) >> 26;
  q = (h1 + q) >> 25;
  q = (h2 + q) >> 26;
  q = (h3 + q) >> 25;
  q = (h4 + q) >> 26;
  q = (h5 + q) >> 25;
  q = (h6 + q) >> 26;
  q = (h7 + q) >> 25;
  q = (h8 + q) >> 26;
  q = (h9 + q) >> 25;
  h0 += 19 * q;
  let c: i64;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  h9 &= (1 << 25) - 1; // drops the 2^255 of v + 19 - 2^255 when q = 1
  // Pack the limbs at bit offsets 0, 26, 51, 77, 102, 128, 153, 179, 204, 230.
  const lo0 = <u64>h0 | (<u64>h1 << 26) | (<u64>h2 << 51);
  const lo1 = (<u64>h2 >> 13) | (<u64>h3 << 13) | (<u64>h4 << 38);
  const lo2 = <u64>h5 | (<u64>h6 << 25) | (<u64>h7 << 51);
  const lo3 = (<u64>h7 >> 13) | (<u64>h8 << 12) | (<u64>h9 << 38);
  store<u64>(out, lo0, 0);
  store<u64>(out, lo1, 8);
  store<u64>(out, lo2, 16);
  store<u64>(out, lo3, 24);
}

/** sqrt(-1) = 2^((p-1)/4) mod p, the root RFC 8032 §5.1.3 multiplies by in decoding. */
export const FE_SQRTM1: usize = memory.data<i32>([
  34513072, 25610706, 9377949, 3500415, 12389472, 33281959, 41962654, 31548777, 326685, 11406482,
]);

/**
 * h = the 255-bit little-endian integer at `src` (bit 255, the sign bit of an encoded point,
 * is ignored), carried to tight limbs. The value may be p or more (a non-canonical encoding):
 * callers that must refuse those check the bytes themselves.
 */
export function feFromBytes(h: usize, src: usize): void {
  const w0 = load<u64>(src, 0);
  const w1 = load<u64>(src, 8);
  const w2 = load<u64>(src, 16);
  const w3 = load<u64>(src, 24);
  // Limbs at bit offsets 0, 26, 51, 77, 102 | 128, 153, 179, 204, 230, of 26 and 25 bits.
  const m26: u64 = (1 << 26) - 1;
  const m25: u64 = (1 << 25) - 1;
  const h0 = w0 & m26;
  const h1 = (w0 >> 26) & m25;
  const h2 = ((w0 >> 51) | (w1 << 13)) & m26;
  const h3 = (w1 >> 13) & m25;
  const h4 = (w1 >> 38) & m26;
  const h5 = w2 & m25;
  const h6 = (w2 >> 25) & m26;
  const h7 = ((w2 >> 51) | (w3 << 13)) & m25;
  const h8 = (w3 >> 12) & m26;
  const h9 = (w3 >> 38) & m25;
  carryStore(
    h, <i64>h0, <i64>h1, <i64>h2, <i64>h3, <i64>h4,
    <i64>h5, <i64>h6, <i64>h7, <i64>h8, <i64>h9,
  );
}

/**
 * h = f^((p-5)/8) = f^(2^252 - 3), the exponent of the square root in RFC 8032 §5.1.3: a fixed
 * chain to f^(2^250 - 1) (f^(2^k - 1) for k = 5, 10, 20, 40, 50, 100, 200, 250), then two
 * squarings and a multiplication by f.
 * `t` is 3 elements of scratch.
 */
export function fePow22523(h: usize, f: usize, t: usize): void {
  const t0 = t;
  const t1 = t + FE_SIZE;
  const t2 = t + 2 * FE_SIZE;
  feSqr(t0, f); //              f^2
  feSqrN(t1, t0, 2); //         f^8
  feMul(t1, f, t1); //          f^9
  feMul(t0, t0, t1); //         f^11
  feSqr(t0, t0); //             f^22
  feMul(t0, t1, t0); //         f^31 = f^(2^5 - 1)
  feSqrN(t1, t0, 5);
  feMul(t0, t1, t0); //         f^(2^10 - 1)
  feSqrN(t1, t0, 10);
  feMul(t1, t1, t0); //         f^(2^20 - 1)
  feSqrN(t2, t1, 20);
  feMul(t1, t2, t1); //         f^(2^40 - 1)
  feSqrN(t1, t1, 10);
  feMul(t0, t1, t0); //         f^(2^50 - 1)
  feSqrN(t1, t0, 50);
  feMul(t1, t1, t0); //         f^(2^100 - 1)
  feSqrN(t2, t1, 100);
  feMul(t1, t2, t1); //         f^(2^200 - 1)
  feSqrN(t1, t1, 50);
  feMul(t0, t1, t0); //         f^(2^250 - 1)
  feSqrN(t0, t0, 2); //         f^(2^252 - 4)
  feMul(h, t0, f); //           f^(2^252 - 3)
}
