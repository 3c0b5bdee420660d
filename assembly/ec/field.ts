// Field arithmetic modulo a curve prime p, on the Montgomery machinery of bignum/mont.ts:
// 28-bit limbs, R = 2^(28n) >= 4p, every value kept lazily in [0, 2p). Addition and
// subtraction bring results back into [0, 2p) with one masked correction by 2p.
// Constant time: fixed loops, masks, no value-dependent branch or address.

import * as L from '../bignum/limbs';
import { Mont, montMul, montSqr, montR2, newLimbs } from '../bignum/mont';
import { mark, release } from '../arena';
import { mul10, sqr10, add10, sub10, mul14, sqr14, add14, sub14, mul19, sqr19, add19, sub19 } from './mont-unrolled';
import { invModConstTime } from './nonce-safegcd';
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
 * out = a^-1 (Montgomery form in and out). The constant-time divsteps of nonce-safegcd.ts
 * invert aR (reduced below p) to a^-1 R^-1, and a product with R^3 brings that to a^-1 R:
 * about a quarter of the work of a^(p-2) by 4-bit windows for 256 bits (255 squarings and
 * 47 products for P-256), less still for P-384 and P-521. a = 0 gives 0. pMinus2 is not used.
 */
export function finv(c: Mont, out: usize, a: usize, pMinus2: usize, bits: i32): void {
  const n = c.n;
  const m0 = mark();
  const t = newLimbs(n);
  L.copy(t, a, n);
  L.reduceOnce(t, c.N, n);
  invModConstTime(t, t, c.N, n, bits);
  // R^3 = (R^2)^2 / R
  const r3 = newLimbs(n);
  const r2 = montR2(c);
  fmul(c, r3, r2, r2);
  fmul(c, out, t, r3);
  release(m0);
}
