// Test-only entry points (assembly/test-exports.ts): the constant-time modular inverse, and one product in a curve's field, by the
// reduction specialised to its prime (the curve's field context) or by the generic unrolled
// one (the same context with shape 0), on raw 28-bit limbs, so that the tests can compare
// both with exact arithmetic at the edges of the lazy range. Never shipped.

import * as L from '../bignum/limbs';
import { newLimbs } from '../bignum/mont';
import { invModConstTime } from '../ec/nonce-safegcd';
import { fmul, fsqr } from '../ec/field';
import { curveOf } from '../ec/ops';
import { fieldContext } from '../ec/weierstrass';
import { OK, INVALID_ARGUMENT } from '../status';

/**
 * out = a*b*R^-1 (square: a*a*R^-1) mod p as n limbs in [0, 2p), a and b n limbs each (n the
 * curve's field limb count). generic != 0 takes the generic reduction instead of the prime's.
 */
export function ec_field_mul(id: i32, a: usize, b: usize, out: usize, square: i32, generic: i32): i32 {
  if (id < 1 || id > 5) return INVALID_ARGUMENT;
  const cv = curveOf(id);
  const n = cv.n;
  const c = fieldContext(cv);
  if (generic != 0) c.shape = 0;
  const x = newLimbs(n);
  const y = newLimbs(n);
  const r = newLimbs(n);
  L.copy(x, a, n);
  L.copy(y, b, n);
  if (square != 0) fsqr(c, r, x);
  else fmul(c, r, x, y);
  L.copy(out, r, n);
  return OK;
}

/**
 * out = x^-1 mod m by the constant-time divsteps (ec/nonce-safegcd.ts), all as n 28-bit limbs;
 * m odd with `bits` bits, x in [0, m). INVALID_ARGUMENT for an even m or bits out of range.
 */
export function bn_mod_inverse_ct(x: usize, m: usize, n: i32, bits: i32, out: usize): i32 {
  if (n < 1 || bits < 2 || bits > 28 * n || (L.ld(m, 0) & 1) == 0) return INVALID_ARGUMENT;
  const xs = newLimbs(n);
  const ms = newLimbs(n);
  const r = newLimbs(n);
  L.copy(xs, x, n);
  L.copy(ms, m, n);
  invModConstTime(r, xs, ms, n, bits);
  L.copy(out, r, n);
  return OK;
}
