// Modular exponentiation in Montgomery form.
//
// modExp: fixed 4-bit windows, every window squares four times and multiplies once, and the
// table entry is fetched by reading all 16 entries and keeping one with a mask, so neither
// the sequence of operations nor any memory address depends on the exponent. The exponent
// is processed over a public bit length, leading zero windows included.
//
// modExpBase2: the same ladder for base 2, where "multiply by the base" is a doubling:
// square every bit, always compute the doubled value, and keep it by mask.

import { alloc, mark, release } from '../arena';
import * as L from './limbs';
import { Mont, montMul, montSqr, newLimbs, PAD } from './mont';

const W: i32 = 4;
const TABLE: i32 = 1 << W;

/** Reads 4 exponent bits starting at bit `lo` (public position, secret bits). */
@inline function window4(e: usize, lo: i32, expBits: i32): u32 {
  let w: u32 = 0;
  for (let k = 0; k < W; k++) {
    const i = lo + k;
    if (i < expBits) w |= L.bit(e, i) << <u32>k;
  }
  return w;
}

/** out = table[idx] by a full scan with masks. Entries are `stride` bytes apart. */
function lookup(out: usize, table: usize, stride: usize, idx: u32, n: i32): void {
  const words = (n + 3) & ~3;
  if (ASC_FEATURE_SIMD) {
    for (let k = 0; k < words; k += 4) {
      const off = <usize>k << 2;
      let acc = i32x4.splat(0);
      for (let e = 0; e < TABLE; e++) {
        const mask = ~L.nonZeroMask(<u32>e ^ idx);
        acc = v128.or(acc, v128.and(v128.load(table + <usize>e * stride + off), i32x4.splat(mask)));
      }
      v128.store(out + off, acc);
    }
  } else {
    for (let k = 0; k < n; k++) {
      const off = <usize>k << 2;
      let acc: u32 = 0;
      for (let e = 0; e < TABLE; e++) {
        const mask = ~L.nonZeroMask(<u32>e ^ idx);
        acc |= load<u32>(table + <usize>e * stride + off) & mask;
      }
      store<u32>(out + off, acc);
    }
  }
}

/**
 * out = base^e in Montgomery form. base in Montgomery form in [0, 2N); e given as limbs
 * with a public bit length expBits. Output in [0, 2N). Constant time in base and e.
 */
export function modExp(c: Mont, out: usize, base: usize, e: usize, expBits: i32): void {
  const n = c.n;
  const m0 = mark();
  const stride = <usize>(n + PAD) << 2;
  const table = alloc(stride * TABLE);
  L.copy(table, c.one, n);
  L.copy(table + stride, base, n);
  for (let i = 2; i < TABLE; i++) {
    const dst = table + <usize>i * stride;
    if ((i & 1) == 0) montSqr(c, dst, table + <usize>(i >> 1) * stride);
    else montMul(c, dst, table + <usize>(i - 1) * stride, base);
  }
  const acc = newLimbs(n);
  const t = newLimbs(n);
  L.copy(acc, c.one, n);
  const windows = (expBits + W - 1) / W;
  for (let w = windows - 1; w >= 0; w--) {
    for (let k = 0; k < W; k++) montSqr(c, acc, acc);
    lookup(t, table, stride, window4(e, w * W, expBits), n);
    montMul(c, acc, acc, t);
  }
  L.copy(out, acc, n);
  release(m0);
}

/** out = 2^e in Montgomery form, in [0, 2N). Constant time in e. */
export function modExpBase2(c: Mont, out: usize, e: usize, expBits: i32): void {
  const n = c.n;
  const m0 = mark();
  const acc = newLimbs(n);
  const t = newLimbs(n);
  L.copy(acc, c.one, n);
  const t2 = newLimbs(n);
  const N2 = c.N2;
  for (let i = expBits - 1; i >= 0; i--) {
    montSqr(c, acc, acc);
    // One pass computes 2acc and 2acc - 2N, a second keeps acc, 2acc or 2acc - 2N by mask.
    let carry: u32 = 0;
    let borrow: u32 = 0;
    for (let k = 0; k < n; k++) {
      const v = (L.ld(acc, k) << 1) | carry;
      carry = v >> 28;
      const dbl = v & L.LIMB_MASK;
      L.st(t, k, dbl);
      const d = dbl - L.ld(N2, k) - borrow;
      L.st(t2, k, d & L.LIMB_MASK);
      borrow = d >> 31;
    }
    const useBit = 0 - L.bit(e, i);
    const keepDouble = useBit & (0 - borrow); // 2acc < 2N: keep it unreduced
    const keepReduced = useBit & ~(0 - borrow);
    for (let k = 0; k < n; k++) {
      const a = L.ld(acc, k);
      L.st(acc, k, a ^ (keepDouble & (a ^ L.ld(t, k))) ^ (keepReduced & (a ^ L.ld(t2, k))));
    }
  }
  L.copy(out, acc, n);
  release(m0);
}

/** out = base^e for a public exponent (left-to-right binary, skips zero bits). */
export function modExpVarTime(c: Mont, out: usize, base: usize, e: usize, expBits: i32): void {
  const n = c.n;
  const m0 = mark();
  const acc = newLimbs(n);
  L.copy(acc, c.one, n);
  for (let i = expBits - 1; i >= 0; i--) {
    montSqr(c, acc, acc);
    if (L.bit(e, i) != 0) montMul(c, acc, acc, base);
  }
  L.copy(out, acc, n);
  release(m0);
}
