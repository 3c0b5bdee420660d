// Constant-time division and greatest common divisor on limbs, for RSA key values.
// Both run a number of steps fixed by the operand sizes and select with masks.

import { alloc, mark, release } from '../arena';
import * as L from './limbs';

/**
 * q = floor(x / y), r = x mod y, by binary restoring division over every bit of x.
 * x: nx limbs, y: ny limbs (nonzero), q: nx limbs, r: ny limbs. Constant time.
 */
export function divMod(q: usize, r: usize, x: usize, nx: i32, y: usize, ny: i32): void {
  const m0 = mark();
  const rr = alloc(<usize>(ny + 1) << 2);
  const yy = alloc(<usize>(ny + 1) << 2);
  const t = alloc(<usize>(ny + 1) << 2);
  L.copy(yy, y, ny);
  if (q != 0) L.zero(q, nx);
  for (let i = nx * 28 - 1; i >= 0; i--) {
    L.shl1(rr, ny + 1);
    L.st(rr, 0, L.ld(rr, 0) | L.bit(x, i));
    const borrow = L.sub(t, rr, yy, ny + 1);
    const keep = 0 - (borrow ^ 1); // all-ones when rr >= y
    L.select(rr, keep, t, rr, ny + 1);
    if (q != 0) L.st(q, i / 28, L.ld(q, i / 28) | ((keep & 1) << <u32>(i % 28)));
  }
  if (r != 0) L.copy(r, rr, ny);
  release(m0);
}

/**
 * g = gcd(u, v) for nonzero u, v of n limbs, as g = 2^k * godd with k = min(v2(u), v2(v)).
 * Writes godd (odd part) and returns k. Binary GCD with a fixed 28n*2 iterations:
 * a stays odd, and each step either halves b or replaces b by (b - a)/2 after ordering,
 * so bits(a) + bits(b) drops every step.
 */
export function gcdOddPart(godd: usize, u: usize, v: usize, n: i32): u32 {
  const m0 = mark();
  const a = alloc(<usize>n << 2);
  const b = alloc(<usize>n << 2);
  const tmp = alloc(<usize>n << 2);
  const ku = L.trailingZeros(u, n);
  const kv = L.trailingZeros(v, n);
  L.copy(a, u, n);
  L.shrSecret(a, n, ku, tmp);
  L.copy(b, v, n);
  const iterations = 2 * 28 * n;
  for (let i = 0; i < iterations; i++) {
    const bOdd = 0 - (L.ld(b, 0) & 1);
    const swap = bOdd & (0 - L.lessThan(b, a, n));
    L.condSwap(swap, a, b, n);
    L.condSub(b, a, bOdd, n);
    L.shr1(b, n);
  }
  L.copy(godd, a, n);
  release(m0);
  // min(ku, kv) without a branch
  const lt = 0 - <u32>((<i32>(ku - kv)) >>> 31 & 1);
  const k = kv ^ (lt & (ku ^ kv));
  return k;
}
