// Montgomery arithmetic modulo an odd N of n 28-bit limbs, R = 2^(28n).
//
// Multiplication is product scanning ("finely integrated product scanning", Koc, Acar and
// Kaliski 1996): output column by column, the a*b and q*N partial products of a column
// summed in one u64 accumulator with no per-product carry. That is what makes 28-bit
// limbs pay: the inner loop is multiply-add only, and with SIMD i64x2.extmul_*_i32x4_u
// computes four products per two instructions. To make the column sums contiguous in
// memory, b and N are kept reversed, so both operands of a column run upwards.
//
// Lazy reduction (Walter 1999): the limb count is chosen so that R >= 4N, which keeps
// every input and output in [0, 2N) with no final subtraction inside the multiplication.
// A value is brought into [0, N) only when it is compared or exported (reduceOnce).
//
// Constant time: loop bounds depend only on n; no branch or address depends on values.

import { alloc } from '../arena';
import * as L from './limbs';

/** Zero limbs kept after every operand so that 4-wide vector loads may over-read. */
export const PAD: i32 = 8;

@unmanaged export class Mont {
  n: i32 = 0;
  n0: u32 = 0; // -N^-1 mod 2^28
  N: usize = 0; // modulus, n + PAD limbs
  Nrev: usize = 0; // modulus reversed: Nrev[n-1-i] = N[i]; zero pad after
  N2: usize = 0; // 2N
  one: usize = 0; // R mod N (Montgomery form of 1), fully reduced
  minusOne: usize = 0; // N - one (Montgomery form of N-1), fully reduced
  r2: usize = 0; // R^2 mod N, computed on demand
  hasR2: bool = false;
  aa: usize = 0; // scratch: copy of a, zero padded
  rev: usize = 0; // scratch: b reversed, zero padded
  m: usize = 0; // scratch: quotient digits, zero padded
  tmp: usize = 0; // scratch for callers (n + PAD)
  shape: i32 = 0; // a curve prime with its own reduction (ec/field.ts), or 0 for any modulus
}

/** Limb count for a modulus of `bits` bits such that R = 2^(28n) >= 4N. */
export function montLimbs(bits: i32): i32 {
  return (bits + 2 + 27) / 28;
}

export function newLimbs(n: i32): usize {
  return alloc(<usize>(n + PAD) << 2);
}

/** Creates a context; N (n limbs, odd) is copied. */
export function montNew(Nsrc: usize, n: i32): Mont {
  const c = changetype<Mont>(alloc(offsetof<Mont>()));
  c.n = n;
  c.N = newLimbs(n);
  c.Nrev = newLimbs(n);
  c.N2 = newLimbs(n);
  c.one = newLimbs(n);
  c.minusOne = newLimbs(n);
  c.aa = newLimbs(n);
  c.rev = newLimbs(n);
  c.m = newLimbs(n);
  c.tmp = newLimbs(n);
  c.r2 = newLimbs(n);
  if (Nsrc != 0) montSetModulus(c, Nsrc);
  return c;
}

/** Re-targets an existing context at a new modulus with the same limb count. */
export function montSetModulus(c: Mont, Nsrc: usize): void {
  const n = c.n;
  setModulus(c, Nsrc);
  // one = R mod N: start from the power of two just below N (the bit length of a
  // modulus is public) and double up to 2^(28n).
  const top = L.bitLengthVarTime(Nsrc, n) - 1;
  L.zero(c.one, n);
  L.st(c.one, top / 28, <u32>1 << <u32>(top % 28));
  for (let i = top; i < 28 * n; i++) doubleMod(c, c.one, c.N);
  L.sub(c.minusOne, c.N, c.one, n);
  c.hasR2 = false;
}

/**
 * A context for N (n limbs, odd) whose R mod N and R^2 mod N (n limbs each, fully reduced)
 * the caller kept from an earlier context for the same N: montNew without the doublings to
 * R mod N (a tenth of an RSA-2048 verification) or the computation of R^2.
 */
export function montNewKnown(Nsrc: usize, n: i32, one: usize, r2: usize): Mont {
  const c = montNew(0, n);
  setModulus(c, Nsrc);
  L.copy(c.one, one, n);
  L.sub(c.minusOne, c.N, c.one, n);
  L.copy(c.r2, r2, n);
  c.hasR2 = true;
  return c;
}

/** N, its reversal, 2N and n0 of a context. */
function setModulus(c: Mont, Nsrc: usize): void {
  const n = c.n;
  L.copy(c.N, Nsrc, n);
  for (let i = 0; i < n; i++) L.st(c.Nrev, n - 1 - i, L.ld(Nsrc, i));
  L.add(c.N2, Nsrc, Nsrc, n);
  // n0 = -N^-1 mod 2^28 by Newton iteration: x = N0 is an inverse mod 2^3 for odd N0,
  // and each step doubles the number of correct bits (3, 6, 12, 24, 48).
  const n0 = L.ld(Nsrc, 0);
  let x = n0;
  for (let i = 0; i < 4; i++) x = x * (2 - n0 * x);
  c.n0 = (0 - x) & L.LIMB_MASK;
}

/** x = 2x mod m for x in [0, m): shift, then subtract m unless that borrows. */
function doubleMod(c: Mont, x: usize, m: usize): void {
  const n = c.n;
  L.shl1(x, n); // x < m < 2^(28n-2), so no bit is lost
  L.reduceOnce(x, m, n);
}

/**
 * R^2 mod N, fully reduced, computed once per modulus. R mod N is the Montgomery form of 1;
 * s doublings make it that of 2^s, k squarings that of 2^(s 2^k), and t more doublings that
 * of 2^(s 2^k + t). With 28n = s 2^k + t that is the Montgomery form of 2^(28n) = R, which
 * is R^2 mod N. k = 6: about 28n/64 + 63 doublings and six squarings, where 28n doublings
 * took 36% of an RSA-2048 verification.
 */
export function montR2(c: Mont): usize {
  if (!c.hasR2) {
    const bits = 28 * c.n;
    const k = bits >= 128 ? 6 : 0;
    const s = bits >> k;
    const t = bits - (s << k);
    L.copy(c.r2, c.one, c.n);
    for (let i = 0; i < s; i++) doubleMod(c, c.r2, c.N);
    for (let i = 0; i < k; i++) montSqr(c, c.r2, c.r2);
    L.reduceOnce(c.r2, c.N, c.n);
    for (let i = 0; i < t; i++) doubleMod(c, c.r2, c.N);
    c.hasR2 = true;
  }
  return c.r2;
}

// Column sums. `a`/`m` run upwards from their start, `r`/`nr` upwards from theirs.

@inline function dotPairs(a: usize, r: usize, m: usize, nr: usize, count: i32): u64 {
  if (ASC_FEATURE_SIMD) {
    // Rounded up to 4: the caller guarantees zeros past the exact range.
    let acc0 = i64x2.splat(0);
    let acc1 = i64x2.splat(0);
    for (let k = 0; k < count; k += 4) {
      const off = <usize>k << 2;
      const va = v128.load(a + off);
      const vr = v128.load(r + off);
      const vm = v128.load(m + off);
      const vn = v128.load(nr + off);
      acc0 = i64x2.add(acc0, i64x2.extmul_low_i32x4_u(va, vr));
      acc1 = i64x2.add(acc1, i64x2.extmul_high_i32x4_u(va, vr));
      acc0 = i64x2.add(acc0, i64x2.extmul_low_i32x4_u(vm, vn));
      acc1 = i64x2.add(acc1, i64x2.extmul_high_i32x4_u(vm, vn));
    }
    const s = i64x2.add(acc0, acc1);
    return <u64>(i64x2.extract_lane(s, 0) + i64x2.extract_lane(s, 1));
  } else {
    let acc: u64 = 0;
    for (let k = 0; k < count; k++) {
      const off = <usize>k << 2;
      acc += <u64>load<u32>(a + off) * <u64>load<u32>(r + off);
      acc += <u64>load<u32>(m + off) * <u64>load<u32>(nr + off);
    }
    return acc;
  }
}

/**
 * Above this many limbs a column's sum of 2n limb products may exceed a u64 (it holds 256 of
 * them): montMul and montSqr then keep the a*b and q*N sums apart (each at most n products,
 * so exact up to WIDE_MAX_LIMBS) and add them with the carry split at bit 28. RSA_4096's
 * modulus (147 limbs) takes this path; its primes and every smaller modulus do not.
 */
export const WIDE_LIMBS: i32 = 128;
/** The most limbs the wide path is exact for: two sums of at most 255 products. */
export const WIDE_MAX_LIMBS: i32 = 254;

/** acc + x + y as (hi << 28) + lo with lo < 2^28, without overflowing: sets foldLo, returns hi. */
let foldLo: u64 = 0;
@inline function fold(acc: u64, x: u64, y: u64): u64 {
  const M = <u64>L.LIMB_MASK;
  const lo = (acc & M) + (x & M) + (y & M);
  foldLo = lo & M;
  return (acc >> 28) + (x >> 28) + (y >> 28) + (lo >> 28);
}

function montMulWide(c: Mont, out: usize, a: usize, b: usize): void {
  const n = c.n;
  const aa = c.aa;
  const rev = c.rev;
  const m = c.m;
  const Nrev = c.Nrev;
  const n0 = c.n0;
  const N0 = <u64>L.ld(c.N, 0);
  L.copy(aa, a, n);
  for (let i = 0; i < n; i++) L.st(rev, n - 1 - i, L.ld(b, i));
  L.zero(m, n);
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) {
    const k0 = <usize>(n - 1 - i) << 2;
    const hi = fold(acc, L.dot(aa, rev + k0, i + 1), L.dot(m, Nrev + k0, i));
    const q = (<u32>foldLo * n0) & L.LIMB_MASK;
    L.st(m, i, q);
    acc = hi + ((foldLo + <u64>q * N0) >> 28);
  }
  for (let i = n; i < 2 * n; i++) {
    const j0 = i - n + 1;
    const o = <usize>j0 << 2;
    acc = fold(acc, L.dot(aa + o, rev, n - j0), L.dot(m + o, Nrev, n - j0));
    L.st(out, i - n, <u32>foldLo);
  }
  foldLo = 0; // it held a limb of the result
}

function montSqrWide(c: Mont, out: usize, a: usize): void {
  const n = c.n;
  const aa = c.aa;
  const rev = c.rev;
  const m = c.m;
  const Nrev = c.Nrev;
  const n0 = c.n0;
  const N0 = <u64>L.ld(c.N, 0);
  L.copy(aa, a, n);
  for (let i = 0; i < n; i++) L.st(rev, n - 1 - i, L.ld(a, i));
  L.zero(m, n);
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) {
    const k0 = <usize>(n - 1 - i) << 2;
    let diag: u64 = 0;
    if ((i & 1) == 0) {
      const d = <u64>L.ld(aa, i >> 1);
      diag = d * d;
    }
    const h = (i + 1) >> 1;
    const hi = fold(acc, (L.dot(aa, rev + k0, h) << 1) + diag, L.dot(m, Nrev + k0, i));
    const q = (<u32>foldLo * n0) & L.LIMB_MASK;
    L.st(m, i, q);
    acc = hi + ((foldLo + <u64>q * N0) >> 28);
  }
  for (let i = n; i < 2 * n; i++) {
    const j0 = i - n + 1;
    const o = <usize>j0 << 2;
    const hcount = ((i + 1) >> 1) - j0;
    const h = hcount > 0 ? hcount : 0;
    let diag: u64 = 0;
    if ((i & 1) == 0) {
      const d = <u64>L.ld(aa, i >> 1);
      diag = d * d;
    }
    acc = fold(acc, (L.dot(aa + o, rev, h) << 1) + diag, L.dot(m + o, Nrev, n - j0));
    L.st(out, i - n, <u32>foldLo);
  }
  foldLo = 0;
}

/** out = a * b * R^-1 mod N, inputs and output in [0, 2N). out may alias a or b. */
export function montMul(c: Mont, out: usize, a: usize, b: usize): void {
  const n = c.n;
  if (n > WIDE_LIMBS) {
    montMulWide(c, out, a, b);
    return;
  }
  const aa = c.aa;
  const rev = c.rev;
  const m = c.m;
  const Nrev = c.Nrev;
  const n0 = c.n0;
  const N0 = <u64>L.ld(c.N, 0);
  L.copy(aa, a, n);
  for (let i = 0; i < n; i++) L.st(rev, n - 1 - i, L.ld(b, i));
  L.zero(m, n);
  const rsa = n >= RSA_LIMBS;
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) {
    const k0 = <usize>(n - 1 - i) << 2;
    acc += dotPairs(aa, rev + k0, m, Nrev + k0, i + 1);
    const q = ((<u32>acc & L.LIMB_MASK) * n0) & L.LIMB_MASK;
    if (rsa) storeDigit(m, i, q);
    else L.st(m, i, q);
    acc += <u64>q * N0;
    acc >>= 28;
  }
  for (let i = n; i < 2 * n; i++) {
    const j0 = i - n + 1;
    const o = <usize>j0 << 2;
    acc += dotPairs(aa + o, rev, m + o, Nrev, n - j0);
    L.st(out, i - n, <u32>acc & L.LIMB_MASK);
    acc >>= 28;
  }
}

/** Lane masks for the last group of a column's a-part: TAIL_MASKS + 16 r keeps lanes 0..r-1. */
const ONES: u32 = 0xffffffff;
const TAIL_MASKS: usize = memory.data<u32>([0, 0, 0, 0, ONES, 0, 0, 0, ONES, ONES, 0, 0, ONES, ONES, ONES, 0], 16);

/**
 * Moduli of at least this many limbs (RSA's: 1024-bit primes and up; curve primes have at most
 * 19) take montSqr's one-loop columns (sqrColumn), and store each quotient digit by a store of
 * its whole group of four (storeDigit).
 */
export const RSA_LIMBS: i32 = 32;

/**
 * m[i] = q for the quotient digits of an RSA-sized multiplication (n >= RSA_LIMBS): in the
 * SIMD build, by a store of the whole group of four that holds m[i] (m is zero past i). The
 * next column's vector load of that group then reads what one store of its own size wrote,
 * where a 4-byte store under a 16-byte load waits for the store to reach the cache (3-5% of a
 * 1024- to 4096-bit multiplication).
 */
@inline function storeDigit(m: usize, i: i32, q: u32): void {
  if (ASC_FEATURE_SIMD) {
    const at = m + (<usize>(i & ~3) << 2);
    const lane = i & 3;
    let g = v128.load(at);
    if (lane == 0) g = i32x4.replace_lane(g, 0, q);
    else if (lane == 1) g = i32x4.replace_lane(g, 1, q);
    else if (lane == 2) g = i32x4.replace_lane(g, 2, q);
    else g = i32x4.replace_lane(g, 3, q);
    v128.store(at, g);
  } else {
    L.st(m, i, q);
  }
}

/**
 * One squaring column for RSA moduli (n >= RSA_LIMBS), measured faster than two separate
 * sums there. 2 * sum(a[k]*r[k], k < h) + sum(m[k]*nr[k], k < mc), mc >= h. Whole groups of
 * four of both sums share one loop; the a-part's 0..3 leftover terms take one masked group,
 * and the rest of the m-part runs on (m is zero past the digits known, so it may over-read to
 * a whole group).
 */
@inline function sqrColumn(a: usize, r: usize, h: i32, m: usize, nr: usize, mc: i32): u64 {
  if (ASC_FEATURE_SIMD) {
    let accA0 = i64x2.splat(0);
    let accA1 = i64x2.splat(0);
    let accM0 = i64x2.splat(0);
    let accM1 = i64x2.splat(0);
    const whole = h & ~3;
    let k = 0;
    for (; k < whole; k += 4) {
      const off = <usize>k << 2;
      const va = v128.load(a + off);
      const vr = v128.load(r + off);
      const vm = v128.load(m + off);
      const vn = v128.load(nr + off);
      accA0 = i64x2.add(accA0, i64x2.extmul_low_i32x4_u(va, vr));
      accA1 = i64x2.add(accA1, i64x2.extmul_high_i32x4_u(va, vr));
      accM0 = i64x2.add(accM0, i64x2.extmul_low_i32x4_u(vm, vn));
      accM1 = i64x2.add(accM1, i64x2.extmul_high_i32x4_u(vm, vn));
    }
    if (h & 3) {
      // The a-part's last 1..3 terms: one group with the lanes past h masked off (past h lie
      // the mirrored products, which must not count).
      const off = <usize>k << 2;
      const va = v128.and(v128.load(a + off), v128.load(TAIL_MASKS + (<usize>(h & 3) << 4)));
      const vr = v128.load(r + off);
      accA0 = i64x2.add(accA0, i64x2.extmul_low_i32x4_u(va, vr));
      accA1 = i64x2.add(accA1, i64x2.extmul_high_i32x4_u(va, vr));
    }
    for (; k < mc; k += 4) {
      const off = <usize>k << 2;
      const vm = v128.load(m + off);
      const vn = v128.load(nr + off);
      accM0 = i64x2.add(accM0, i64x2.extmul_low_i32x4_u(vm, vn));
      accM1 = i64x2.add(accM1, i64x2.extmul_high_i32x4_u(vm, vn));
    }
    const s = i64x2.add(i64x2.shl(i64x2.add(accA0, accA1), 1), i64x2.add(accM0, accM1));
    return <u64>(i64x2.extract_lane(s, 0) + i64x2.extract_lane(s, 1));
  } else {
    return (L.dot(a, r, h) << 1) + L.dot(m, nr, mc);
  }
}

/** out = a^2 * R^-1 mod N, input and output in [0, 2N). out may alias a. */
export function montSqr(c: Mont, out: usize, a: usize): void {
  const n = c.n;
  if (n > WIDE_LIMBS) {
    montSqrWide(c, out, a);
    return;
  }
  const aa = c.aa;
  const rev = c.rev;
  const m = c.m;
  const Nrev = c.Nrev;
  const n0 = c.n0;
  const N0 = <u64>L.ld(c.N, 0);
  const wide = n >= RSA_LIMBS;
  L.copy(aa, a, n);
  for (let i = 0; i < n; i++) L.st(rev, n - 1 - i, L.ld(a, i));
  L.zero(m, n);
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) {
    const k0 = <usize>(n - 1 - i) << 2;
    // a[j]*a[i-j] for j < i-j, doubled, plus the square term when i is even.
    let diag: u64 = 0;
    if ((i & 1) == 0) {
      const d = <u64>L.ld(aa, i >> 1);
      diag = d * d;
    }
    const h = (i + 1) >> 1;
    if (wide) acc += diag + sqrColumn(aa, rev + k0, h, m, Nrev + k0, i);
    else acc += (L.dot(aa, rev + k0, h) << 1) + diag + L.dot(m, Nrev + k0, i);
    const q = ((<u32>acc & L.LIMB_MASK) * n0) & L.LIMB_MASK;
    if (wide) storeDigit(m, i, q);
    else L.st(m, i, q);
    acc += <u64>q * N0;
    acc >>= 28;
  }
  for (let i = n; i < 2 * n; i++) {
    const j0 = i - n + 1;
    const o = <usize>j0 << 2;
    const hcount = ((i + 1) >> 1) - j0;
    const h = hcount > 0 ? hcount : 0;
    let diag: u64 = 0;
    if ((i & 1) == 0) {
      const d = <u64>L.ld(aa, i >> 1);
      diag = d * d;
    }
    if (wide) acc += diag + sqrColumn(aa + o, rev, h, m + o, Nrev, n - j0);
    else acc += (L.dot(aa + o, rev, h) << 1) + diag + L.dot(m + o, Nrev, n - j0);
    L.st(out, i - n, <u32>acc & L.LIMB_MASK);
    acc >>= 28;
  }
}

/** x -> x*R mod N (input any value < 2N... or < R if reduced first by the caller). */
export function toMont(c: Mont, out: usize, x: usize): void {
  montMul(c, out, x, montR2(c));
}

/** x*R -> x, fully reduced into [0, N). */
export function fromMont(c: Mont, out: usize, x: usize): void {
  const t = c.tmp;
  L.setSmall(t, c.n, 1);
  montMul(c, out, x, t);
  L.reduceOnce(out, c.N, c.n);
}
