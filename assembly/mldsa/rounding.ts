// ML-DSA's rounding (FIPS 204 §7.4): Power2Round (Alg. 35), Decompose (Alg. 36), HighBits and
// LowBits (Alg. 37-38), MakeHint (Alg. 39) and UseHint (Alg. 40), on whole polynomials.
//
// Decompose divides by 2γ2 with a multiplication: r1 = floor((r+ + γ2 − 1)/(2γ2)) is
// ceil((r+ − γ2)/(2γ2)), the r1 that puts r0 = r+ − 2γ2·r1 in (−γ2, γ2], and
// floor(x·M/2^s) equals floor(x/(2γ2)) for every x = r+ + γ2 − 1 with r+ in [0, q) when
// M = ceil(2^s/(2γ2)) and s = 39 (γ2 = (q − 1)/88) or 42 (γ2 = (q − 1)/32) (checked for all
// q inputs when the constants were chosen; the known-answer tests cover it again). The case
// r+ − r0 = q − 1 is folded in with a mask. Nothing here branches on a coefficient.

import { Q, N, D, GAMMA2 } from './params';
import { freeze } from './poly';

const GAMMA2_88: i32 = (Q - 1) / 88;

/** r0 of the last decompose(). */
let lastR0: i32 = 0;

/** (r1, r0) of Decompose(r) (Alg. 36) for r in [0, q); r1 is returned, r0 left in lastR0. */
@inline function decompose(r: i32): i32 {
  const g2 = GAMMA2;
  const small = g2 == GAMMA2_88;
  const mul: i64 = small ? 2886403 : 8396809;
  const shift: i64 = small ? 39 : 42;
  const m = small ? 44 : 16; // (q − 1)/(2γ2)
  let r1 = <i32>((<i64>(r + g2 - 1) * mul) >> shift);
  let r0 = r - r1 * 2 * g2;
  // r+ − r0 = q − 1 exactly when r1 = m: then r1 = 0 and r0 = r0 − 1.
  const wrap = ((r1 ^ m) - 1) >> 31;
  r1 &= ~wrap;
  r0 += wrap;
  lastR0 = r0;
  return r1;
}

/** t1 and t0 of Power2Round (Alg. 35) of each coefficient of t (any i32 below 2^31 − 2^22 in size). */
export function polyPower2Round(t1: usize, t0: usize, t: usize): void {
  for (let i: usize = 0; i < <usize>N; i++) {
    const r = freeze(load<i32>(t + (i << 2)));
    const r1 = (r + (1 << (D - 1)) - 1) >> D;
    store<i32>(t1 + (i << 2), r1);
    store<i32>(t0 + (i << 2), r - (r1 << D));
  }
}

/**
 * HighBits (Alg. 37) of each coefficient of `w` into `hi`, and, unless `lo` is 0, LowBits
 * (Alg. 38) into `lo`. Coefficients of w may be any i32 below 2^31 − 2^22 in size (reduced here).
 */
export function polyDecompose(hi: usize, lo: usize, w: usize): void {
  for (let i: usize = 0; i < <usize>N; i++) {
    store<i32>(hi + (i << 2), decompose(freeze(load<i32>(w + (i << 2)))));
    if (lo != 0) store<i32>(lo + (i << 2), lastR0);
  }
  lastR0 = 0;
}

/**
 * h_i = MakeHint(z_i, r_i) = [HighBits(r_i) ≠ HighBits(r_i + z_i)] (Alg. 39), given as the two
 * high parts: `h` ← (a ≠ b) coefficient-wise, as 0/1; returns the number of ones.
 */
export function polyMakeHint(h: usize, a: usize, b: usize): i32 {
  let count = 0;
  for (let i: usize = 0; i < <usize>N; i++) {
    const d = load<i32>(a + (i << 2)) ^ load<i32>(b + (i << 2));
    const one = ((d | -d) >>> 31) & 1; // 1 if d ≠ 0
    store<i32>(h + (i << 2), one);
    count += one;
  }
  return count;
}

/**
 * UseHint (Alg. 40) of each coefficient: r1 of w adjusted by the hint h (0/1) towards r0's
 * side, mod m = (q − 1)/(2γ2). Written to `out`. (Verification only: public data.)
 */
export function polyUseHint(out: usize, h: usize, w: usize): void {
  const m = GAMMA2 == GAMMA2_88 ? 44 : 16;
  for (let i: usize = 0; i < <usize>N; i++) {
    let r1 = decompose(freeze(load<i32>(w + (i << 2))));
    if (load<i32>(h + (i << 2)) != 0) {
      // r0 > 0: r1 + 1, else r1 − 1, both mod m.
      if (lastR0 > 0) r1 = r1 + 1 == m ? 0 : r1 + 1;
      else r1 = r1 == 0 ? m - 1 : r1 - 1;
    }
    store<i32>(out + (i << 2), r1);
  }
}
