// Inversion modulo the group order n of a SECRET value (the signing nonce k, SM2's 1 + d), by
// Fermat: a^-1 = a^(n-2), with an addition chain read off the public exponent n - 2 instead of
// fixed 4-bit windows. The orders of these curves start with long runs of one bits (P-384: 190,
// P-521: 260, secp256k1: 127), and a run of 2^j ones costs one product once x^(2^(2^j) - 1)
// is known: t_j = x^(2^(2^j) - 1) comes from t_(j-1) by 2^(j-1) squarings and one product, and
// those squarings are the ones the leading run needs anyway. The rest of the exponent takes
// sliding windows of up to 4 bits over the odd powers x, x^3, ..., x^15, and later runs of at
// least RUN_MIN ones are taken whole from the t_j. Same squarings as before (bits - 1), about
// half the products: P-256 some 41 instead of 77, P-384 some 55 instead of 110.
//
// Constant time: the chain depends only on n (public); each step is a Montgomery product or
// squaring of fixed length (field.ts), whatever the value of a.

import { alloc, mark, release } from '../arena';
import * as L from '../bignum/limbs';
import { Mont, PAD } from '../bignum/mont';
import { fmul, fsqr } from './field';

/** Window width of the sliding windows, and their odd powers x^1 .. x^(2^W - 1). */
const WIN: i32 = 4;
const ODD: i32 = 1 << (WIN - 1);
/** Runs of ones at least this long after the leading one are taken from the t_j. */
const RUN_MIN: i32 = 12;
/** t_0 .. t_(TMAX-1): runs up to 2^(TMAX-1) ones per product (P-521's leading run needs 2^8). */
const TMAX: i32 = 10;

@inline function squareTimes(c: Mont, acc: usize, k: i32): void {
  for (let i = 0; i < k; i++) fsqr(c, acc, acc);
}

/**
 * out = a^(e) for the public exponent e of `bits` bits (limbs; its top bit set), a and out
 * in Montgomery form, modulo c's modulus. Constant time in a. For e = n - 2 (n prime): a^-1.
 */
export function powPublicChain(c: Mont, out: usize, a: usize, e: usize, bits: i32): void {
  const n = c.n;
  const m0 = mark();
  const stride = <usize>(n + PAD) << 2;
  let top = bits - 1;
  while (top > 0 && L.bit(e, top) == 0) top--;
  // The leading run of ones: bits top .. top - lead + 1.
  let lead = 0;
  while (top - lead >= 0 && L.bit(e, top - lead) == 1) lead++;
  // t_j = a^(2^(2^j) - 1) for 2^j <= lead.
  const t = alloc(stride * <usize>TMAX);
  L.copy(t, a, n);
  let tm = 0;
  while (tm + 1 < TMAX && 1 << (tm + 1) <= lead) {
    const prev = t + <usize>tm * stride;
    const next = prev + stride;
    L.copy(next, prev, n);
    squareTimes(c, next, 1 << tm);
    fmul(c, next, next, prev);
    tm++;
  }
  const acc = alloc(stride);
  L.copy(acc, t + <usize>tm * stride, n);
  let rest = lead - (1 << tm);
  for (let j = tm - 1; j >= 0; j--) {
    if ((rest & (1 << j)) != 0) {
      squareTimes(c, acc, 1 << j);
      fmul(c, acc, acc, t + <usize>j * stride);
    }
  }
  // Odd powers a, a^3, .., a^(2^WIN - 1) for the sliding windows.
  const odd = alloc(stride * <usize>ODD);
  const a2 = alloc(stride);
  L.copy(odd, a, n);
  fsqr(c, a2, a);
  for (let j = 1; j < ODD; j++) fmul(c, odd + <usize>j * stride, odd + <usize>(j - 1) * stride, a2);
  let i = top - lead;
  while (i >= 0) {
    if (L.bit(e, i) == 0) {
      fsqr(c, acc, acc);
      i--;
      continue;
    }
    let run = 0;
    while (i - run >= 0 && L.bit(e, i - run) == 1) run++;
    if (run >= RUN_MIN && tm >= 2) {
      // The whole run from the t_j, largest pieces first.
      let left = run;
      for (let j = tm; j >= 0 && left > 0; j--) {
        while (left >= 1 << j) {
          squareTimes(c, acc, 1 << j);
          fmul(c, acc, acc, t + <usize>j * stride);
          left -= 1 << j;
        }
      }
      i -= run;
      continue;
    }
    // A window of at most WIN bits from bit i down, ending in a one.
    let len = i + 1 < WIN ? i + 1 : WIN;
    while (L.bit(e, i - len + 1) == 0) len--;
    let val = 0;
    for (let b = 0; b < len; b++) val = (val << 1) | <i32>L.bit(e, i - b);
    squareTimes(c, acc, len);
    fmul(c, acc, acc, odd + <usize>(val >> 1) * stride);
    i -= len;
  }
  L.copy(out, acc, n);
  release(m0);
}
