// Reduction of multi-limb values modulo small public moduli (< 2^17), constant time.
//
// x mod p is computed as sum_i x[i] * (2^(28i) mod p), which stays below 2^53 for up to
// 256 limbs (28 + 17 + 8 bits), followed by one reduction of that sum. The reduction uses
// a double-precision reciprocal: every integer below 2^53 is exact in an f64, the quotient
// estimate floor(s * (1/p)) is off by at most one, and the fix-ups are masks. No integer
// division instruction touches the secret value (its latency varies with the operands on
// some processors).

import * as L from './limbs';

/** s mod p for s < 2^53, p < 2^17, given inv = 1.0 / p. */
@inline export function reduceSmall(s: u64, p: u32, inv: f64): u32 {
  const q = <i64>(<f64>s * inv);
  let r = <i64>s - q * <i64>p;
  r += <i64>p & (r >> 63); // r < 0: add p
  const t = r - <i64>p;
  r = t + (<i64>p & (t >> 63)); // r >= p: subtract p
  return <u32>r;
}

/** Fills pw[0..count) with 2^(28i) mod p. */
export function powersOf2to28(pw: usize, count: i32, p: u32): void {
  const inv = 1.0 / <f64>p;
  let v: u32 = 1 % p;
  for (let i = 0; i < count; i++) {
    store<u32>(pw + (<usize>i << 2), v);
    v = reduceSmall(<u64>v << 28, p, inv);
  }
}

/** x mod p with the power table pw of p (at least n entries). */
@inline export function modSmall(x: usize, n: i32, pw: usize, p: u32, inv: f64): u32 {
  return reduceSmall(L.dot(x, pw, n), p, inv);
}
