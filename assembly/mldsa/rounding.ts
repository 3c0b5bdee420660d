// ML-DSA's rounding (FIPS 204 §7.4): Power2Round (Alg. 35), Decompose (Alg. 36), HighBits and
// LowBits (Alg. 37-38), MakeHint (Alg. 39) and UseHint (Alg. 40), on whole polynomials.
//
// Decompose divides by 2γ2 with a multiplication: r1 = floor((r+ + γ2 − 1)/(2γ2)) is
// ceil((r+ − γ2)/(2γ2)), the r1 that puts r0 = r+ − 2γ2·r1 in (−γ2, γ2]. 2γ2 is 93·2^11
// (γ2 = (q − 1)/88) or 1023·2^9 (γ2 = (q − 1)/32), so with x = r+ + γ2 − 1,
// r1 = floor(floor(x/2^sh)/d), and floor(y/d) = (y·M) >> s with M = ceil(2^s/d) for
// (sh, d, s, M) = (11, 93, 18, 2819) and (9, 1023, 24, 16401): checked for every r+ in [0, q)
// when the constants were chosen (the products stay below 2^29, so i32 arithmetic suffices and
// the SIMD build uses i32x4 lanes); the known-answer tests cover it again. The case
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
  const sh = small ? 11 : 9;
  const mul = small ? 2819 : 16401;
  const s = small ? 18 : 24;
  const m = small ? 44 : 16; // (q − 1)/(2γ2)
  let r1 = (((r + g2 - 1) >> sh) * mul) >> s;
  let r0 = r - r1 * 2 * g2;
  // r+ − r0 = q − 1 exactly when r1 = m: then r1 = 0 and r0 = r0 − 1.
  const wrap = ((r1 ^ m) - 1) >> 31;
  r1 &= ~wrap;
  r0 += wrap;
  lastR0 = r0;
  return r1;
}

/** decompose() on four lanes r in [0, q): r1 returned, r0 stored at `lo` unless it is 0. */
@inline function decomposeV(r: v128, lo: usize): v128 {
  const g2 = GAMMA2;
  const small = g2 == GAMMA2_88;
  const sh = small ? 11 : 9;
  const s = small ? 18 : 24;
  const x = i32x4.shr_s(i32x4.add(r, i32x4.splat(g2 - 1)), sh);
  let r1 = i32x4.shr_s(i32x4.mul(x, i32x4.splat(small ? 2819 : 16401)), s);
  const wrap = i32x4.eq(r1, i32x4.splat(small ? 44 : 16));
  if (lo != 0) v128.store(lo, i32x4.add(i32x4.sub(r, i32x4.mul(r1, i32x4.splat(2 * g2))), wrap));
  return v128.andnot(r1, wrap);
}

/** The representative in [0, q) on four lanes (freeze() of poly.ts). */
@inline function freezeV(a: v128): v128 {
  const t = i32x4.shr_s(i32x4.add(a, i32x4.splat(1 << 22)), 23);
  const r = i32x4.sub(a, i32x4.mul(t, i32x4.splat(Q)));
  return i32x4.add(r, v128.and(i32x4.shr_s(r, 31), i32x4.splat(Q)));
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
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < 1024; off += 16) {
      v128.store(hi + off, decomposeV(freezeV(v128.load(w + off)), lo != 0 ? lo + off : 0));
    }
    return;
  }
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
  if (ASC_FEATURE_SIMD) {
    let ones = i32x4.splat(0);
    for (let off: usize = 0; off < 1024; off += 16) {
      const one = v128.andnot(i32x4.splat(1), i32x4.eq(v128.load(a + off), v128.load(b + off)));
      v128.store(h + off, one);
      ones = i32x4.add(ones, one);
    }
    return i32x4.extract_lane(ones, 0) + i32x4.extract_lane(ones, 1) + i32x4.extract_lane(ones, 2) + i32x4.extract_lane(ones, 3);
  }
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
