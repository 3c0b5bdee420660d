// Field arithmetic modulo a curve prime p, on the Montgomery machinery of bignum/mont.ts:
// 28-bit limbs, R = 2^(28n) >= 4p, every value kept lazily in [0, 2p). Addition and
// subtraction bring results back into [0, 2p) with one masked correction by 2p.
// Constant time: fixed loops, masks, no value-dependent branch or address.

import * as L from '../bignum/limbs';
import { Mont, montMul, montSqr, newLimbs, PAD } from '../bignum/mont';
import { alloc, mark, release } from '../arena';
import { mul10, sqr10, add10, sub10, mul14, sqr14, add14, sub14, mul19, sqr19, add19, sub19 } from './mont-unrolled';
import { mulP256, sqrP256, mulP384, sqrP384, mulP521, sqrP521, mulK256, sqrK256, mulSM2, sqrSM2 } from './mont-sparse';

/** out = a + b mod p (lazy). */
@inline export function fadd(c: Mont, out: usize, a: usize, b: usize): void {
  const n = c.n;
  if (n == 10) add10(out, a, b, c.N2);
  else if (n == 14) add14(out, a, b, c.N2);
  else if (n == 19) add19(out, a, b, c.N2);
  else {
    L.add(out, a, b, n);
    L.reduceOnce(out, c.N2, n);
  }
}

/** out = a - b mod p (lazy): a - b, plus 2p when that borrowed. */
@inline export function fsub(c: Mont, out: usize, a: usize, b: usize): void {
  const n = c.n;
  if (n == 10) sub10(out, a, b, c.N2);
  else if (n == 14) sub14(out, a, b, c.N2);
  else if (n == 19) sub19(out, a, b, c.N2);
  else {
    const borrow = L.sub(out, a, b, n);
    L.condAdd(out, c.N2, 0 - borrow, n);
  }
}

// A curve's field context has the curve's id as its shape (weierstrass.ts fieldContext): its
// products take the reduction specialised to that prime (mont-sparse.ts), about half the
// multiplications of the generic one. Other contexts of 10, 14 or 19 limbs (the group orders)
// take the straight-line generic code (mont-unrolled.ts), any other the loops. The shape and
// limb count are public. Not inlined: one call per product is cheap beside the product, and
// the dispatch is not copied into every call site.
export function fmul(c: Mont, out: usize, a: usize, b: usize): void {
  const shape = c.shape;
  if (shape == 1) mulP256(out, a, b);
  else if (shape == 2) mulP384(out, a, b);
  else if (shape == 3) mulP521(out, a, b);
  else if (shape == 4) mulK256(out, a, b);
  else if (shape == 5) mulSM2(out, a, b);
  else {
    const n = c.n;
    if (n == 10) mul10(out, a, b, c.N, <u64>c.n0);
    else if (n == 14) mul14(out, a, b, c.N, <u64>c.n0);
    else if (n == 19) mul19(out, a, b, c.N, <u64>c.n0);
    else montMul(c, out, a, b);
  }
}

export function fsqr(c: Mont, out: usize, a: usize): void {
  const shape = c.shape;
  if (shape == 1) sqrP256(out, a);
  else if (shape == 2) sqrP384(out, a);
  else if (shape == 3) sqrP521(out, a);
  else if (shape == 4) sqrK256(out, a);
  else if (shape == 5) sqrSM2(out, a);
  else {
    const n = c.n;
    if (n == 10) sqr10(out, a, c.N, <u64>c.n0);
    else if (n == 14) sqr14(out, a, c.N, <u64>c.n0);
    else if (n == 19) sqr19(out, a, c.N, <u64>c.n0);
    else montSqr(c, out, a);
  }
}

/**
 * out = a^-1 = a^(p-2) (Montgomery form in and out), with 4-bit windows. The exponent p - 2
 * is public, so the table is indexed by its bits directly; every window squares four times
 * and multiplies once unless its bits are zero, whatever a is.
 */
export function finv(c: Mont, out: usize, a: usize, pMinus2: usize, bits: i32): void {
  const n = c.n;
  const m0 = mark();
  const stride = <usize>(n + PAD) << 2;
  const table = alloc(stride * 16);
  L.copy(table, c.one, n);
  L.copy(table + stride, a, n);
  for (let i = 2; i < 16; i++) fmul(c, table + <usize>i * stride, table + <usize>(i - 1) * stride, a);
  const acc = newLimbs(n);
  L.copy(acc, c.one, n);
  for (let w = (bits + 3) / 4 - 1; w >= 0; w--) {
    for (let k = 0; k < 4; k++) fsqr(c, acc, acc);
    let idx = 0;
    for (let k = 3; k >= 0; k--) {
      const i = w * 4 + k;
      idx = (idx << 1) | (i < bits ? <i32>L.bit(pMinus2, i) : 0);
    }
    // The exponent is public: a zero window skips its multiplication by one.
    if (idx != 0) fmul(c, acc, acc, table + <usize>idx * stride);
  }
  L.copy(out, acc, n);
  release(m0);
}
