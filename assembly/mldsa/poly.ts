// Arithmetic in R_q = Z_q[X]/(X^256 + 1), q = 8380417 = 2^23 − 2^13 + 1, and its NTT
// (FIPS 204 §7.5, Alg. 41-42 and 45-46), for ML-DSA.
//
// A polynomial is 256 i32 coefficients in natural order (1024 bytes). Products are
// computed exactly in i64 and brought back with Montgomery reduction, R = 2^32:
//     montReduce(a) = (a − t·q) / 2^32 with t = (a mod 2^32)·q^-1 (as a signed i32),
// which is a·R^-1 mod q, exact since the low 32 bits cancel, and |result| ≤ q for
// |a| ≤ 2^31·q. The twiddle factors carry a factor R, so that multiplying by one costs one
// i64 product and one reduction. Every function states the input bound it needs.
//
// The SIMD build does the same arithmetic four lanes at a time: i64x2.extmul gives the exact
// products, the low word of t·q is never needed (it equals the product's), and the result is
// the high words, picked with one shuffle. Both builds compute identical values at every step.
//
// Constant time: no branch and no memory address depends on a coefficient; comparisons
// become masks (i32 arithmetic shifts or 0/1 values), never branches.

import { Q, N } from './params';

/** q^-1 mod 2^32. */
const QINV: i32 = 58728449;
/** R^2/256 mod q: the last step of the inverse NTT (Alg. 42 line 21, times R for the products' R^-1). */
const F_MONT: i64 = 41978;

// ζ^BitRev8(k)·R mod q for k = 0..255 (ζ = 1753, FIPS 204 Appendix B), centred; entry 0 unused.
const ZETAS: usize = memory.data<i32>([
  -4186625, 25847, -2608894, -518909, 237124, -777960, -876248, 466468,
  1826347, 2353451, -359251, -2091905, 3119733, -2884855, 3111497, 2680103,
  2725464, 1024112, -1079900, 3585928, -549488, -1119584, 2619752, -2108549,
  -2118186, -3859737, -1399561, -3277672, 1757237, -19422, 4010497, 280005,
  2706023, 95776, 3077325, 3530437, -1661693, -3592148, -2537516, 3915439,
  -3861115, -3043716, 3574422, -2867647, 3539968, -300467, 2348700, -539299,
  -1699267, -1643818, 3505694, -3821735, 3507263, -2140649, -1600420, 3699596,
  811944, 531354, 954230, 3881043, 3900724, -2556880, 2071892, -2797779,
  -3930395, -1528703, -3677745, -3041255, -1452451, 3475950, 2176455, -1585221,
  -1257611, 1939314, -4083598, -1000202, -3190144, -3157330, -3632928, 126922,
  3412210, -983419, 2147896, 2715295, -2967645, -3693493, -411027, -2477047,
  -671102, -1228525, -22981, -1308169, -381987, 1349076, 1852771, -1430430,
  -3343383, 264944, 508951, 3097992, 44288, -1100098, 904516, 3958618,
  -3724342, -8578, 1653064, -3249728, 2389356, -210977, 759969, -1316856,
  189548, -3553272, 3159746, -1851402, -2409325, -177440, 1315589, 1341330,
  1285669, -1584928, -812732, -1439742, -3019102, -3881060, -3628969, 3839961,
  2091667, 3407706, 2316500, 3817976, -3342478, 2244091, -2446433, -3562462,
  266997, 2434439, -1235728, 3513181, -3520352, -3759364, -1197226, -3193378,
  900702, 1859098, 909542, 819034, 495491, -1613174, -43260, -522500,
  -655327, -3122442, 2031748, 3207046, -3556995, -525098, -768622, -3595838,
  342297, 286988, -2437823, 4108315, 3437287, -3342277, 1735879, 203044,
  2842341, 2691481, -2590150, 1265009, 4055324, 1247620, 2486353, 1595974,
  -3767016, 1250494, 2635921, -3548272, -2994039, 1869119, 1903435, -1050970,
  -1333058, 1237275, -3318210, -1430225, -451100, 1312455, 3306115, -1962642,
  -1279661, 1917081, -2546312, -1374803, 1500165, 777191, 2235880, 3406031,
  -542412, -2831860, -1671176, -1846953, -2584293, -3724270, 594136, -3776993,
  -2013608, 2432395, 2454455, -164721, 1957272, 3369112, 185531, -1207385,
  -3183426, 162844, 1616392, 3014001, 810149, 1652634, -3694233, -1799107,
  -3038916, 3523897, 3866901, 269760, 2213111, -975884, 1717735, 472078,
  -426683, 1723600, -1803090, 1910376, -1667432, -1104333, -260646, -3833893,
  -2939036, -2235985, -420899, -2286327, 183443, -976891, 1612842, -3545687,
  -554416, 3919660, -48306, -1362209, 3937738, 1400424, -846154, 1976782,
], 16);

@inline function ld(f: usize, i: i32): i32 {
  return load<i32>(f + (<usize>i << 2));
}

/** a·2^-32 mod q, |result| ≤ q, for |a| ≤ 2^31·q. */
@inline export function montReduce(a: i64): i32 {
  const t = <i32>a * QINV;
  return <i32>((a - <i64>t * <i64>Q) >> 32);
}

/** a·b·2^-32 mod q for |a·b| ≤ 2^31·q. */
@inline export function montMul(a: i32, b: i32): i32 {
  return montReduce(<i64>a * <i64>b);
}

/** A representative of a mod q in (−2^22 − q/2, 2^22 + q/2), for any i32 a ≤ 2^31 − 2^22. */
@inline export function reduce32(a: i32): i32 {
  const t = (a + (1 << 22)) >> 23;
  return a - t * Q;
}

/** a + q if a < 0: [0, q) from (−q, q). */
@inline export function caddq(a: i32): i32 {
  return a + ((a >> 31) & Q);
}

/** The representative in [0, q) of a, for |a| < 2^31 − 2^22. */
@inline export function freeze(a: i32): i32 {
  return caddq(reduce32(a));
}

// ---- SIMD building blocks (i32x4; the same arithmetic as the scalar functions) ------------

/**
 * montMul on four lanes: the exact i64 products a·z (extmul), t = a·(z·q^-1) mod 2^32 (one i32
 * multiply: the low word of a·z times q^-1), and the high words of a·z − t·q.
 */
@inline function montMulV(a: v128, z: v128, zq: v128): v128 {
  const q = i32x4.splat(Q);
  const t = i32x4.mul(a, zq);
  const lo = i64x2.sub(i64x2.extmul_low_i32x4_s(a, z), i64x2.extmul_low_i32x4_s(t, q));
  const hi = i64x2.sub(i64x2.extmul_high_i32x4_s(a, z), i64x2.extmul_high_i32x4_s(t, q));
  return i8x16.shuffle(lo, hi, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
}

/** montReduce of the four i64 sums in lo (lanes 0, 1) and hi (lanes 2, 3). */
@inline function montReduceV(lo: v128, hi: v128): v128 {
  const q = i32x4.splat(Q);
  const low = i8x16.shuffle(lo, hi, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
  const t = i32x4.mul(low, i32x4.splat(QINV));
  const rlo = i64x2.sub(lo, i64x2.extmul_low_i32x4_s(t, q));
  const rhi = i64x2.sub(hi, i64x2.extmul_high_i32x4_s(t, q));
  return i8x16.shuffle(rlo, rhi, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
}

/**
 * f ← NTT(f) in place (Alg. 41), the output in bit-reversed order as FIPS 204 defines it.
 * For |f_i| < B the output is below B + 8q: each layer adds |t| ≤ q.
 */
export function ntt(f: usize): void {
  if (ASC_FEATURE_SIMD) {
    nttSimd(f);
    return;
  }
  let k = 0;
  for (let len = 128; len >= 1; len >>= 1) {
    for (let start = 0; start < N; start += len << 1) {
      k++;
      const z = <i64>ld(ZETAS, k);
      const lo = f + (<usize>start << 2);
      const hi = lo + (<usize>len << 2);
      for (let off: usize = 0; off < (<usize>len << 2); off += 4) {
        const t = montReduce(z * <i64>load<i32>(hi + off));
        const u = load<i32>(lo + off);
        store<i32>(hi + off, u - t);
        store<i32>(lo + off, u + t);
      }
    }
  }
}

/**
 * f ← NTT^-1(f)·R in place (Alg. 42 and a factor R that cancels the R^-1 of a Montgomery
 * product before it). For |f_i| < q the sums stay below 256·q < 2^31 and the output is ≤ q.
 */
export function invNtt(f: usize): void {
  if (ASC_FEATURE_SIMD) {
    invNttSimd(f);
    return;
  }
  let k = 256;
  for (let len = 1; len < N; len <<= 1) {
    for (let start = 0; start < N; start += len << 1) {
      k--;
      const z = -<i64>ld(ZETAS, k);
      const lo = f + (<usize>start << 2);
      const hi = lo + (<usize>len << 2);
      for (let off: usize = 0; off < (<usize>len << 2); off += 4) {
        const u = load<i32>(lo + off);
        const v = load<i32>(hi + off);
        store<i32>(lo + off, u + v);
        store<i32>(hi + off, montReduce(z * <i64>(u - v)));
      }
    }
  }
  for (let off: usize = 0; off < 1024; off += 4) store<i32>(f + off, montReduce(F_MONT * <i64>load<i32>(f + off)));
}

/**
 * The NTT of ntt() on vectors: layers len = 128 .. 4 butterfly whole vectors with the zeta
 * splatted; len = 2 and 1 work on two vectors (8 coefficients) at a time, regrouped with
 * shuffles so that each butterfly pairs lanes of two vectors. Same values as the scalar code.
 */
function nttSimd(f: usize): void {
  const qinv = i32x4.splat(QINV);
  let k = 0;
  for (let len: usize = 128; len >= 4; len >>= 1) {
    for (let start: usize = 0; start < 256; start += len << 1) {
      k++;
      const z = i32x4.splat(ld(ZETAS, k));
      const zq = i32x4.mul(z, qinv);
      const lo = f + (start << 2);
      const hi = lo + (len << 2);
      for (let off: usize = 0; off < len << 2; off += 16) {
        const u = v128.load(lo + off);
        const t = montMulV(v128.load(hi + off), z, zq);
        v128.store(hi + off, i32x4.sub(u, t));
        v128.store(lo + off, i32x4.add(u, t));
      }
    }
  }
  // Coefficients 8m .. 8m + 7 as a = [a0 a1 a2 a3], b = [b0 b1 b2 b3].
  for (let m: usize = 0; m < 32; m++) {
    const p = f + (m << 5);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    // len = 2: (a0, a2), (a1, a3) with ζ[64 + 2m]; (b0, b2), (b1, b3) with ζ[65 + 2m].
    const z2pair = v128.load64_zero(ZETAS + ((64 + 2 * m) << 2));
    const z2 = i8x16.shuffle(z2pair, z2pair, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7);
    const u2 = i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23); // a0 a1 b0 b1
    const v2 = i8x16.shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31); // a2 a3 b2 b3
    const t2 = montMulV(v2, z2, i32x4.mul(z2, qinv));
    const lo2 = i32x4.add(u2, t2); // a0 a1 b0 b1
    const hi2 = i32x4.sub(u2, t2); // a2 a3 b2 b3
    // len = 1: (a0, a1), (a2, a3), (b0, b1), (b2, b3) with ζ[128 + 4m .. 131 + 4m].
    const z1 = v128.load(ZETAS + ((128 + 4 * m) << 2));
    const u1 = i8x16.shuffle(lo2, hi2, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27); // a0 a2 b0 b2
    const v1 = i8x16.shuffle(lo2, hi2, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31); // a1 a3 b1 b3
    const t1 = montMulV(v1, z1, i32x4.mul(z1, qinv));
    const lo1 = i32x4.add(u1, t1); // a0 a2 b0 b2
    const hi1 = i32x4.sub(u1, t1); // a1 a3 b1 b3
    v128.store(p, i8x16.shuffle(lo1, hi1, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(lo1, hi1, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 16);
  }
}

/** invNtt() on vectors: len = 1 and 2 on pairs of vectors with shuffles, then whole vectors. */
function invNttSimd(f: usize): void {
  const qinv = i32x4.splat(QINV);
  for (let m: usize = 0; m < 32; m++) {
    const p = f + (m << 5);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    // len = 1: blocks h = 4m .. 4m + 3 take −ζ[255 − h].
    const z1r = v128.load(ZETAS + ((252 - 4 * m) << 2)); // ζ[252 − 4m] .. ζ[255 − 4m]
    const z1 = i32x4.neg(i8x16.shuffle(z1r, z1r, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
    const u1 = i8x16.shuffle(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27); // a0 a2 b0 b2
    const v1 = i8x16.shuffle(a, b, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31); // a1 a3 b1 b3
    const s1 = i32x4.add(u1, v1);
    const d1 = montMulV(i32x4.sub(u1, v1), z1, i32x4.mul(z1, qinv));
    // Back to a0 a1 b0 b1 / a2 a3 b2 b3 for len = 2: blocks g = 2m, 2m + 1 take −ζ[127 − g].
    const u2 = i8x16.shuffle(s1, d1, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
    const v2 = i8x16.shuffle(s1, d1, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
    const z2pair = v128.load64_zero(ZETAS + ((126 - 2 * m) << 2)); // ζ[126 − 2m], ζ[127 − 2m]
    const z2 = i32x4.neg(i8x16.shuffle(z2pair, z2pair, 4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3));
    const s2 = i32x4.add(u2, v2); // a0 a1 b0 b1
    const d2 = montMulV(i32x4.sub(u2, v2), z2, i32x4.mul(z2, qinv)); // a2 a3 b2 b3
    v128.store(p, i8x16.shuffle(s2, d2, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(s2, d2, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31), 16);
  }
  let k = 64;
  for (let len: usize = 4; len < 256; len <<= 1) {
    for (let start: usize = 0; start < 256; start += len << 1) {
      k--;
      const z = i32x4.splat(-ld(ZETAS, k));
      const zq = i32x4.mul(z, qinv);
      const lo = f + (start << 2);
      const hi = lo + (len << 2);
      for (let off: usize = 0; off < len << 2; off += 16) {
        const u = v128.load(lo + off);
        const v = v128.load(hi + off);
        v128.store(lo + off, i32x4.add(u, v));
        v128.store(hi + off, montMulV(i32x4.sub(u, v), z, zq));
      }
    }
  }
  const fv = i32x4.splat(<i32>F_MONT);
  const fq = i32x4.mul(fv, qinv);
  for (let off: usize = 0; off < 1024; off += 16) v128.store(f + off, montMulV(v128.load(f + off), fv, fq));
}

/** out ← a ∘ b·R^-1 (Alg. 45 with the Montgomery factor), for |a_i·b_i| ≤ 2^31·q; |out_i| ≤ q. */
export function polyPointwise(out: usize, a: usize, b: usize): void {
  if (ASC_FEATURE_SIMD) {
    const qinv = i32x4.splat(QINV);
    for (let off: usize = 0; off < 1024; off += 16) {
      const bv = v128.load(b + off);
      v128.store(out + off, montMulV(v128.load(a + off), bv, i32x4.mul(bv, qinv)));
    }
    return;
  }
  for (let off: usize = 0; off < 1024; off += 4) {
    store<i32>(out + off, montReduce(<i64>load<i32>(a + off) * <i64>load<i32>(b + off)));
  }
}

/**
 * out ← Σ_j a_j ∘ b_j·R^-1 over n terms, a_j at a + j·aStride and b_j at b + j·1024: one entry of
 * Â∘v̂ (Alg. 48). The sum of products is kept in i64 and reduced once; it must stay ≤ 2^31·q.
 * If `sub` is not 0, sub ∘ subB is subtracted from the sum first (verification's Â∘ẑ − ĉ∘t̂1).
 */
export function polyRowMul(out: usize, a: usize, aStride: usize, b: usize, n: i32, sub: usize, subB: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < 1024; off += 16) {
      let lo = i64x2.splat(0);
      let hi = i64x2.splat(0);
      for (let j = 0; j < n; j++) {
        const av = v128.load(a + <usize>j * aStride + off);
        const bv = v128.load(b + (<usize>j << 10) + off);
        lo = i64x2.add(lo, i64x2.extmul_low_i32x4_s(av, bv));
        hi = i64x2.add(hi, i64x2.extmul_high_i32x4_s(av, bv));
      }
      if (sub != 0) {
        const sv = v128.load(sub + off);
        const tv = v128.load(subB + off);
        lo = i64x2.sub(lo, i64x2.extmul_low_i32x4_s(sv, tv));
        hi = i64x2.sub(hi, i64x2.extmul_high_i32x4_s(sv, tv));
      }
      v128.store(out + off, montReduceV(lo, hi));
    }
    return;
  }
  for (let off: usize = 0; off < 1024; off += 4) {
    let acc: i64 = 0;
    for (let j = 0; j < n; j++) {
      acc += <i64>load<i32>(a + <usize>j * aStride + off) * <i64>load<i32>(b + (<usize>j << 10) + off);
    }
    if (sub != 0) acc -= <i64>load<i32>(sub + off) * <i64>load<i32>(subB + off);
    store<i32>(out + off, montReduce(acc));
  }
}

export function polyAdd(out: usize, a: usize, b: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < 1024; off += 16) {
      v128.store(out + off, i32x4.add(v128.load(a + off), v128.load(b + off)));
    }
    return;
  }
  for (let off: usize = 0; off < 1024; off += 4) store<i32>(out + off, load<i32>(a + off) + load<i32>(b + off));
}

export function polySub(out: usize, a: usize, b: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < 1024; off += 16) {
      v128.store(out + off, i32x4.sub(v128.load(a + off), v128.load(b + off)));
    }
    return;
  }
  for (let off: usize = 0; off < 1024; off += 4) store<i32>(out + off, load<i32>(a + off) - load<i32>(b + off));
}

/** f_i ← f_i·2^s (t1·2^d of Alg. 8 line 9). */
export function polyShiftLeft(f: usize, s: i32): void {
  for (let off: usize = 0; off < 1024; off += 4) store<i32>(f + off, load<i32>(f + off) << s);
}

/**
 * 0 if every |f_i| < bound, else 1, for coefficients in (−q, q) and bound ≤ (q − 1)/8
 * (the infinity-norm checks of Alg. 7 lines 23 and 28 and Alg. 8 line 13). Looks at every
 * coefficient whatever it finds: the answer is an OR of masks.
 */
export function polyExceeds(f: usize, bound: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    // i32x4.abs leaves no lane at −2^31 here (coefficients are in (−q, q)).
    let overV = i32x4.splat(0);
    const limit = i32x4.splat(bound - 1);
    for (let off: usize = 0; off < 1024; off += 16) overV = v128.or(overV, i32x4.gt_s(i32x4.abs(v128.load(f + off)), limit));
    return <i32>v128.any_true(overV);
  }
  let over = 0;
  for (let off: usize = 0; off < 1024; off += 4) {
    const a = load<i32>(f + off);
    const abs = a - ((a >> 31) & (a << 1)); // |a| without a branch
    over |= (bound - 1 - abs) >> 31; // all ones when |a| ≥ bound
  }
  return over & 1;
}
