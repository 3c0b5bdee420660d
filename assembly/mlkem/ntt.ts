// Arithmetic in R_q = Z_q[X]/(X^256 + 1), q = 3329 (FIPS 203 §2.4.4), and its NTT
// (§4.3, Alg. 9 and 11-12), for ML-KEM key generation.
//
// A polynomial is 256 i16 coefficients in natural order (512 bytes). Coefficients are
// signed and only "lazily" reduced: every function states the bound it needs and the
// bound it leaves, and the bounds keep each value inside an i16 (and each i32 sum inside
// an i32) without a reduction after every step.
//
// Multiplication by a known constant z (a twiddle factor or a table entry) avoids Montgomery
// form altogether: with z' = round(z·2^15/q) precomputed,
//     t = round(a·z'/2^15),   a·z − t·q  ≡  a·z (mod q),   |a·z − t·q| ≤ q·(|a|/2^16 + 1/2),
// because a·z' /2^15 is a·z/q up to |a|/2^16, and the rounding adds at most 1/2. So for
// |a| < 2^15 the result is below q in absolute value; it is computed exactly in 16 bits
// even though a·z and t·q wrap, since the true difference fits. SIMD does this with
// i16x8.q15mulr_sat_s (exactly round(a·z'/2^15): (a·z' + 2^14) >> 15, and it cannot saturate
// with |z'| ≤ 2^15 − 1) and two wrapping i16x8.mul; the scalar build does the same
// arithmetic in i32. Both builds produce identical values at every step.
//
// Sums of products (the matrix-vector product of Alg. 13 line 19) are accumulated in i32 and
// reduced once with Montgomery's method (R = 2^16), the factor R^-1 being cancelled by
// tables that carry a factor R.
//
// Constant time: no branch and no memory address depends on a coefficient; the loops and
// tables are indexed by positions only.

export const Q: i32 = 3329;
export const N: i32 = 256;
export const POLY_BYTES: usize = 512;
/** q^-1 mod 2^16, for Montgomery reduction. */
const QINV: i32 = 62209;
/** round(2^15/q): multiplying by it and by q reduces any |a| < 2^15 to |r| < q (see normalize). */
const V1: i32 = 10;
/** R = 2^16 mod q, centred (−1044 ≡ 2285), and round(R·2^15/q). */
const MONT_R: i32 = -1044;
const MONT_RQ: i32 = -10276;

// ζ^BitRev7(i) mod q for i = 0..127 (ζ = 17, §4.3), centred in (−q/2, q/2), in the order
// Alg. 9 uses them (entry 0 is unused), and z' = round(z·2^15/q) for each.
const ZETA: usize = memory.data<i16>([
  1, -1600, -749, -40, -687, 630, -1432, 848, 1062, -1410, 193, 797, -543, -69, 569, -1583,
  296, -882, 1339, 1476, -283, 56, -1089, 1333, 1426, -1235, 535, -447, -936, -450, -1355, 821,
  289, 331, -76, -1573, 1197, -1025, -1052, -1274, 650, -1352, -816, 632, -464, 33, 1320, -1414,
  -1010, 1435, 807, 452, 1438, -461, 1534, -927, -682, -712, 1481, 648, -855, -219, 1227, 910,
  17, -568, 583, -680, 1637, 723, -1041, 1100, 1409, -667, -48, 233, 756, -1173, -314, -279,
  -1626, 1651, -540, -1540, -1482, 952, 1461, -642, 939, -1021, -892, -941, 733, -992, 268, 641,
  1584, -1031, -1292, -109, 375, -780, -1239, 1645, 1063, 319, -556, 757, -1230, 561, -863, -735,
  -525, 1092, 403, 1026, 1143, -1179, -554, 886, -1607, 1212, -1455, 1029, -1219, -394, 885, -1175,
], 16);
const ZETA_Q: usize = memory.data<i16>([
  10, -15749, -7373, -394, -6762, 6201, -14095, 8347, 10453, -13879, 1900, 7845, -5345, -679, 5601, -15582,
  2914, -8682, 13180, 14529, -2786, 551, -10719, 13121, 14036, -12156, 5266, -4400, -9213, -4429, -13338, 8081,
  2845, 3258, -748, -15483, 11782, -10089, -10355, -12540, 6398, -13308, -8032, 6221, -4567, 325, 12993, -13918,
  -9942, 14125, 7943, 4449, 14155, -4538, 15099, -9125, -6713, -7008, 14578, 6378, -8416, -2156, 12078, 8957,
  167, -5591, 5739, -6693, 16113, 7117, -10247, 10828, 13869, -6565, -472, 2293, 7441, -11546, -3091, -2746,
  -16005, 16251, -5315, -15159, -14588, 9371, 14381, -6319, 9243, -10050, -8780, -9262, 7215, -9764, 2638, 6309,
  15592, -10148, -12717, -1073, 3691, -7678, -12196, 16192, 10463, 3140, -5473, 7451, -12107, 5522, -8495, -7235,
  -5168, 10749, 3967, 10099, 11251, -11605, -5453, 8721, -15818, 11930, -14322, 10129, -11999, -3878, 8711, -11566,
], 16);

// The last two layers (len = 4 and 2) as whole vectors, one per group of 16 coefficients g:
// for len = 4, lanes 0-3 take ζ^BitRev7(32 + 2g) and lanes 4-7 ζ^BitRev7(33 + 2g); for len = 2,
// lane pair t takes ζ^BitRev7(64 + 4g + t). The lane order matches the shuffles in nttSimd.
const ZETA6: usize = memory.data<i16>([
  289, 289, 289, 289, 331, 331, 331, 331, -76, -76, -76, -76, -1573, -1573, -1573, -1573,
  1197, 1197, 1197, 1197, -1025, -1025, -1025, -1025, -1052, -1052, -1052, -1052, -1274, -1274, -1274, -1274,
  650, 650, 650, 650, -1352, -1352, -1352, -1352, -816, -816, -816, -816, 632, 632, 632, 632,
  -464, -464, -464, -464, 33, 33, 33, 33, 1320, 1320, 1320, 1320, -1414, -1414, -1414, -1414,
  -1010, -1010, -1010, -1010, 1435, 1435, 1435, 1435, 807, 807, 807, 807, 452, 452, 452, 452,
  1438, 1438, 1438, 1438, -461, -461, -461, -461, 1534, 1534, 1534, 1534, -927, -927, -927, -927,
  -682, -682, -682, -682, -712, -712, -712, -712, 1481, 1481, 1481, 1481, 648, 648, 648, 648,
  -855, -855, -855, -855, -219, -219, -219, -219, 1227, 1227, 1227, 1227, 910, 910, 910, 910,
], 16);
const ZETA6_Q: usize = memory.data<i16>([
  2845, 2845, 2845, 2845, 3258, 3258, 3258, 3258, -748, -748, -748, -748, -15483, -15483, -15483, -15483,
  11782, 11782, 11782, 11782, -10089, -10089, -10089, -10089, -10355, -10355, -10355, -10355, -12540, -12540, -12540, -12540,
  6398, 6398, 6398, 6398, -13308, -13308, -13308, -13308, -8032, -8032, -8032, -8032, 6221, 6221, 6221, 6221,
  -4567, -4567, -4567, -4567, 325, 325, 325, 325, 12993, 12993, 12993, 12993, -13918, -13918, -13918, -13918,
  -9942, -9942, -9942, -9942, 14125, 14125, 14125, 14125, 7943, 7943, 7943, 7943, 4449, 4449, 4449, 4449,
  14155, 14155, 14155, 14155, -4538, -4538, -4538, -4538, 15099, 15099, 15099, 15099, -9125, -9125, -9125, -9125,
  -6713, -6713, -6713, -6713, -7008, -7008, -7008, -7008, 14578, 14578, 14578, 14578, 6378, 6378, 6378, 6378,
  -8416, -8416, -8416, -8416, -2156, -2156, -2156, -2156, 12078, 12078, 12078, 12078, 8957, 8957, 8957, 8957,
], 16);
const ZETA7: usize = memory.data<i16>([
  17, 17, -568, -568, 583, 583, -680, -680, 1637, 1637, 723, 723, -1041, -1041, 1100, 1100,
  1409, 1409, -667, -667, -48, -48, 233, 233, 756, 756, -1173, -1173, -314, -314, -279, -279,
  -1626, -1626, 1651, 1651, -540, -540, -1540, -1540, -1482, -1482, 952, 952, 1461, 1461, -642, -642,
  939, 939, -1021, -1021, -892, -892, -941, -941, 733, 733, -992, -992, 268, 268, 641, 641,
  1584, 1584, -1031, -1031, -1292, -1292, -109, -109, 375, 375, -780, -780, -1239, -1239, 1645, 1645,
  1063, 1063, 319, 319, -556, -556, 757, 757, -1230, -1230, 561, 561, -863, -863, -735, -735,
  -525, -525, 1092, 1092, 403, 403, 1026, 1026, 1143, 1143, -1179, -1179, -554, -554, 886, 886,
  -1607, -1607, 1212, 1212, -1455, -1455, 1029, 1029, -1219, -1219, -394, -394, 885, 885, -1175, -1175,
], 16);
const ZETA7_Q: usize = memory.data<i16>([
  167, 167, -5591, -5591, 5739, 5739, -6693, -6693, 16113, 16113, 7117, 7117, -10247, -10247, 10828, 10828,
  13869, 13869, -6565, -6565, -472, -472, 2293, 2293, 7441, 7441, -11546, -11546, -3091, -3091, -2746, -2746,
  -16005, -16005, 16251, 16251, -5315, -5315, -15159, -15159, -14588, -14588, 9371, 9371, 14381, 14381, -6319, -6319,
  9243, 9243, -10050, -10050, -8780, -8780, -9262, -9262, 7215, 7215, -9764, -9764, 2638, 2638, 6309, 6309,
  15592, 15592, -10148, -10148, -12717, -12717, -1073, -1073, 3691, 3691, -7678, -7678, -12196, -12196, 16192, 16192,
  10463, 10463, 3140, 3140, -5473, -5473, 7451, 7451, -12107, -12107, 5522, 5522, -8495, -8495, -7235, -7235,
  -5168, -5168, 10749, 10749, 3967, 3967, 10099, 10099, 11251, 11251, -11605, -11605, -5453, -5453, 8721, 8721,
  -15818, -15818, 11930, 11930, -14322, -14322, 10129, 10129, -11999, -11999, -3878, -3878, 8711, 8711, -11566, -11566,
], 16);

// BaseCaseMultiply (Alg. 12) of pair i uses γ_i = ζ^(2·BitRev7(i)+1) (Alg. 11 line 2). For the
// product with a secret vector b, basemulPrepare stores b0·R, b1·γ_i·R at coefficients 2i, 2i+1
// (this table, with R = 2^16 mod q, centred), so that a·(that) summed over a pair is c0·R.
const GAMMA_R: usize = memory.data<i16>([
  -1044, -1103, -1044, 1103, -1044, 430, -1044, -430, -1044, 555, -1044, -555, -1044, 843, -1044, -843,
  -1044, -1251, -1044, 1251, -1044, 871, -1044, -871, -1044, 1550, -1044, -1550, -1044, 105, -1044, -105,
  -1044, 422, -1044, -422, -1044, 587, -1044, -587, -1044, 177, -1044, -177, -1044, -235, -1044, 235,
  -1044, -291, -1044, 291, -1044, -460, -1044, 460, -1044, 1574, -1044, -1574, -1044, 1653, -1044, -1653,
  -1044, -246, -1044, 246, -1044, 778, -1044, -778, -1044, 1159, -1044, -1159, -1044, -147, -1044, 147,
  -1044, -777, -1044, 777, -1044, 1483, -1044, -1483, -1044, -602, -1044, 602, -1044, 1119, -1044, -1119,
  -1044, -1590, -1044, 1590, -1044, 644, -1044, -644, -1044, -872, -1044, 872, -1044, 349, -1044, -349,
  -1044, 418, -1044, -418, -1044, 329, -1044, -329, -1044, -156, -1044, 156, -1044, -75, -1044, 75,
  -1044, 817, -1044, -817, -1044, 1097, -1044, -1097, -1044, 603, -1044, -603, -1044, 610, -1044, -610,
  -1044, 1322, -1044, -1322, -1044, -1285, -1044, 1285, -1044, -1465, -1044, 1465, -1044, 384, -1044, -384,
  -1044, -1215, -1044, 1215, -1044, -136, -1044, 136, -1044, 1218, -1044, -1218, -1044, -1335, -1044, 1335,
  -1044, -874, -1044, 874, -1044, 220, -1044, -220, -1044, -1187, -1044, 1187, -1044, -1659, -1044, 1659,
  -1044, -1185, -1044, 1185, -1044, -1530, -1044, 1530, -1044, -1278, -1044, 1278, -1044, 794, -1044, -794,
  -1044, -1510, -1044, 1510, -1044, -854, -1044, 854, -1044, -870, -1044, 870, -1044, 478, -1044, -478,
  -1044, -108, -1044, 108, -1044, -308, -1044, 308, -1044, 996, -1044, -996, -1044, 991, -1044, -991,
  -1044, 958, -1044, -958, -1044, -1460, -1044, 1460, -1044, 1522, -1044, -1522, -1044, 1628, -1044, -1628,
], 16);
const GAMMA_R_Q: usize = memory.data<i16>([
  -10276, -10857, -10276, 10857, -10276, 4233, -10276, -4233, -10276, 5463, -10276, -5463, -10276, 8298, -10276, -8298,
  -10276, -12314, -10276, 12314, -10276, 8573, -10276, -8573, -10276, 15257, -10276, -15257, -10276, 1034, -10276, -1034,
  -10276, 4154, -10276, -4154, -10276, 5778, -10276, -5778, -10276, 1742, -10276, -1742, -10276, -2313, -10276, 2313,
  -10276, -2864, -10276, 2864, -10276, -4528, -10276, 4528, -10276, 15493, -10276, -15493, -10276, 16271, -10276, -16271,
  -10276, -2421, -10276, 2421, -10276, 7658, -10276, -7658, -10276, 11408, -10276, -11408, -10276, -1447, -10276, 1447,
  -10276, -7648, -10276, 7648, -10276, 14597, -10276, -14597, -10276, -5926, -10276, 5926, -10276, 11015, -10276, -11015,
  -10276, -15651, -10276, 15651, -10276, 6339, -10276, -6339, -10276, -8583, -10276, 8583, -10276, 3435, -10276, -3435,
  -10276, 4114, -10276, -4114, -10276, 3238, -10276, -3238, -10276, -1536, -10276, 1536, -10276, -738, -10276, 738,
  -10276, 8042, -10276, -8042, -10276, 10798, -10276, -10798, -10276, 5935, -10276, -5935, -10276, 6004, -10276, -6004,
  -10276, 13013, -10276, -13013, -10276, -12649, -10276, 12649, -10276, -14420, -10276, 14420, -10276, 3780, -10276, -3780,
  -10276, -11959, -10276, 11959, -10276, -1339, -10276, 1339, -10276, 11989, -10276, -11989, -10276, -13141, -10276, 13141,
  -10276, -8603, -10276, 8603, -10276, 2166, -10276, -2166, -10276, -11684, -10276, 11684, -10276, -16330, -10276, 16330,
  -10276, -11664, -10276, 11664, -10276, -15060, -10276, 15060, -10276, -12580, -10276, 12580, -10276, 7815, -10276, -7815,
  -10276, -14863, -10276, 14863, -10276, -8406, -10276, 8406, -10276, -8564, -10276, 8564, -10276, 4705, -10276, -4705,
  -10276, -1063, -10276, 1063, -10276, -3032, -10276, 3032, -10276, 9804, -10276, -9804, -10276, 9755, -10276, -9755,
  -10276, 9430, -10276, -9430, -10276, -14371, -10276, 14371, -10276, 14981, -10276, -14981, -10276, 16025, -10276, -16025,
], 16);

// ---- Scalar building blocks (also the reference for the SIMD ones) -----------------------

@inline function ld(f: usize, i: i32): i32 {
  return <i32>load<i16>(f + (<usize>i << 1));
}

@inline function st(f: usize, i: i32, v: i32): void {
  store<i16>(f + (<usize>i << 1), <i16>v);
}

/** a·z mod q, |result| ≤ q(|a|/2^16 + 1/2), for |a| < 2^15 and zq = round(z·2^15/q). */
@inline function mulConst(a: i32, z: i32, zq: i32): i32 {
  const t = (a * zq + 0x4000) >> 15;
  return a * z - t * Q;
}

/** The representative in [0, q) of |a| < 2^15: the multiplier V1 leaves |a − t·q| < q, then a masked +q. */
@inline function freeze(a: i32): i32 {
  const t = (a * V1 + 0x4000) >> 15;
  const r = a - t * Q;
  return r + ((r >> 31) & Q);
}

/** a·2^-16 mod q for |a| < 2^31 − 2^15·q; |result| < |a|/2^16 + q/2. */
@inline function montReduce(a: i32): i32 {
  const t = (a * QINV) << 16 >> 16;
  return (a - t * Q) >> 16;
}

// ---- SIMD building blocks --------------------------------------------------------------

@inline function mulConstV(a: v128, z: v128, zq: v128): v128 {
  const t = i16x8.q15mulr_sat_s(a, zq);
  return i16x8.sub(i16x8.mul(a, z), i16x8.mul(t, i16x8.splat(<i16>Q)));
}

@inline function freezeV(a: v128): v128 {
  const t = i16x8.q15mulr_sat_s(a, i16x8.splat(<i16>V1));
  const r = i16x8.sub(a, i16x8.mul(t, i16x8.splat(<i16>Q)));
  return i16x8.add(r, v128.and(i16x8.shr_s(r, 15), i16x8.splat(<i16>Q)));
}

@inline function montReduceV(a: v128): v128 {
  const t = i32x4.shr_s(i32x4.shl(i32x4.mul(a, i32x4.splat(QINV)), 16), 16);
  return i32x4.shr_s(i32x4.sub(a, i32x4.mul(t, i32x4.splat(Q))), 16);
}

// ---- NTT (Alg. 9) ------------------------------------------------------------------------

/**
 * f ← NTT(f) in place (Alg. 9), for |f_i| ≤ 3 (the output of SamplePolyCBD, η ≤ 3).
 * Each of the 7 layers adds at most |t| < q to a coefficient's bound and t needs |a| < 2^15,
 * so no reduction is needed in between: after layer 7, |f̂_i| ≤ 3 + 7·3328 = 23299.
 */
export function ntt(f: usize): void {
  if (ASC_FEATURE_SIMD) {
    nttSimd(f);
  } else {
    nttScalar(f);
  }
}

function nttScalar(f: usize): void {
  // Alg. 9 lines 2-13, with i counting the zetas.
  let i = 1;
  for (let len = 128; len >= 2; len >>= 1) {
    for (let start = 0; start < N; start += len << 1) {
      const z = ld(ZETA, i), zq = ld(ZETA_Q, i);
      i++;
      for (let j = start; j < start + len; j++) {
        const t = mulConst(ld(f, j + len), z, zq);
        const u = ld(f, j);
        st(f, j + len, u - t);
        st(f, j, u + t);
      }
    }
  }
}

function nttSimd(f: usize): void {
  // Layers len = 128 .. 8: butterflies between whole vectors, the zeta splatted.
  let i = 1;
  for (let len: usize = 128; len >= 8; len >>= 1) {
    for (let start: usize = 0; start < 256; start += len << 1) {
      const z = i16x8.splat(load<i16>(ZETA + (<usize>i << 1)));
      const zq = i16x8.splat(load<i16>(ZETA_Q + (<usize>i << 1)));
      i++;
      const lo = f + (start << 1);
      const hi = lo + (len << 1);
      for (let off: usize = 0; off < len << 1; off += 16) {
        const u = v128.load(lo + off);
        const t = mulConstV(v128.load(hi + off), z, zq);
        v128.store(lo + off, i16x8.add(u, t));
        v128.store(hi + off, i16x8.sub(u, t));
      }
    }
  }
  // Layers len = 4 and 2 within each group of 16 coefficients, [P0 .. P7] as pairs of
  // coefficients (32-bit lanes). len = 4 pairs P0P1|P4P5 with P2P3|P6P7; len = 2 then pairs
  // P0|P2|P4|P6 with P1|P3|P5|P7; one shuffle back to natural order at the end.
  for (let g: usize = 0; g < 16; g++) {
    const p = f + (g << 5);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    let a = i8x16.shuffle(v0, v1, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    let b = i8x16.shuffle(v0, v1, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    let t = mulConstV(b, v128.load(ZETA6 + (g << 4)), v128.load(ZETA6_Q + (g << 4)));
    const a6 = i16x8.add(a, t);
    const b6 = i16x8.sub(a, t);
    a = i8x16.shuffle(a6, b6, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
    b = i8x16.shuffle(a6, b6, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
    t = mulConstV(b, v128.load(ZETA7 + (g << 4)), v128.load(ZETA7_Q + (g << 4)));
    const a7 = i16x8.add(a, t);
    const b7 = i16x8.sub(a, t);
    v128.store(p, i8x16.shuffle(a7, b7, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(a7, b7, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 16);
  }
}

/** f_i ← f_i mod q in [0, q), for |f_i| < 2^15. */
export function polyFreeze(f: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < POLY_BYTES; off += 16) v128.store(f + off, freezeV(v128.load(f + off)));
  } else {
    for (let i = 0; i < N; i++) st(f, i, freeze(ld(f, i)));
  }
}

// ---- Matrix-vector product in the NTT domain (Alg. 13 line 19 via Alg. 11-12) -------------

/**
 * From b̂ with 0 ≤ b̂_i < q, the two multiplicands of a row of products Â[i, j] ∘ b̂:
 * b0 (at `p0`) holds b_2i·R, b_2i+1·γ_i·R and b1 (at `p1`) holds b_2i+1·R, b_2i·R (mod q,
 * |·| ≤ q·(q/2^16 + 1/2) < 1834). Then for a pair (a0, a1) of Â:
 *   a0·b0[2i] + a1·b0[2i+1] = (a0 b_2i + a1 b_2i+1 γ_i)·R = c0·R      (Alg. 12 line 1)
 *   a0·b1[2i] + a1·b1[2i+1] = (a0 b_2i+1 + a1 b_2i)·R      = c1·R      (Alg. 12 line 2)
 * which SIMD gets from one i32x4.dot_i16x8_s each.
 */
export function basemulPrepare(p0: usize, p1: usize, b: usize): void {
  if (ASC_FEATURE_SIMD) {
    const r = i16x8.splat(<i16>MONT_R);
    const rq = i16x8.splat(<i16>MONT_RQ);
    for (let off: usize = 0; off < POLY_BYTES; off += 16) {
      const v = v128.load(b + off);
      v128.store(p0 + off, mulConstV(v, v128.load(GAMMA_R + off), v128.load(GAMMA_R_Q + off)));
      const swapped = i8x16.shuffle(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
      v128.store(p1 + off, mulConstV(swapped, r, rq));
    }
  } else {
    for (let i = 0; i < N; i += 2) {
      const x0 = ld(b, i), x1 = ld(b, i + 1);
      const x0r = mulConst(x0, MONT_R, MONT_RQ);
      st(p0, i, x0r);
      st(p0, i + 1, mulConst(x1, ld(GAMMA_R, i + 1), ld(GAMMA_R_Q, i + 1)));
      st(p1, i, mulConst(x1, MONT_R, MONT_RQ));
      st(p1, i + 1, x0r);
    }
  }
}

/**
 * out ← (Σ_j a[j] ∘ b̂_j) + e mod q, in [0, q): one entry of t̂ = Â∘ŝ + ê (Alg. 13 line 19).
 * a[j] is at `a + j·aStride` with 0 ≤ a_i < q; b̂_j's multiplicands (basemulPrepare) at
 * `b + 2j·POLY_BYTES` (b0) and `b + (2j+1)·POLY_BYTES` (b1); |e_i| ≤ 23299 (an NTT output).
 * Bounds: a pair's products sum to < 2·3328·1834 < 2^23.6, k ≤ 4 of them to < 2^25.6; after
 * Montgomery reduction |r| < 2^9.6 + q/2 < 2441, and |r + e| < 25740 < 2^15, which freeze() takes.
 */
export function polyRowMulAdd(out: usize, a: usize, aStride: usize, b: usize, k: i32, e: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < POLY_BYTES; off += 16) {
      let c0 = i32x4.splat(0);
      let c1 = i32x4.splat(0);
      for (let j = 0; j < k; j++) {
        const av = v128.load(a + <usize>j * aStride + off);
        const bj = b + (<usize>j << 10);
        c0 = i32x4.add(c0, i32x4.dot_i16x8_s(av, v128.load(bj + off)));
        c1 = i32x4.add(c1, i32x4.dot_i16x8_s(av, v128.load(bj + POLY_BYTES + off)));
      }
      // c0 of pair p in the low half of 32-bit lane p, c1 in the high half: the coefficient
      // order 2p, 2p+1 of the i16 lanes.
      const r0 = montReduceV(c0);
      const r1 = montReduceV(c1);
      const r = v128.or(v128.and(r0, i32x4.splat(0xffff)), i32x4.shl(r1, 16));
      v128.store(out + off, freezeV(i16x8.add(r, v128.load(e + off))));
    }
  } else {
    for (let i = 0; i < N; i += 2) {
      let c0 = 0;
      let c1 = 0;
      for (let j = 0; j < k; j++) {
        const aj = a + <usize>j * aStride;
        const bj = b + (<usize>j << 10);
        const a0 = ld(aj, i), a1 = ld(aj, i + 1);
        c0 += a0 * ld(bj, i) + a1 * ld(bj, i + 1);
        c1 += a0 * ld(bj + POLY_BYTES, i) + a1 * ld(bj + POLY_BYTES, i + 1);
      }
      st(out, i, freeze(montReduce(c0) + ld(e, i)));
      st(out, i + 1, freeze(montReduce(c1) + ld(e, i + 1)));
    }
  }
}

// ---- Inverse NTT (Alg. 10) ----------------------------------------------------------------

// Alg. 10's layers len = 4 and 2 as whole vectors, per group g of 16 coefficients in the lane
// orders of invNttSimd: for len = 4, lanes 0-3 take ζ^BitRev7(63 − 2g) and lanes 4-7
// ζ^BitRev7(62 − 2g); for len = 2, lane pair t takes ζ^BitRev7(127 − 4g − t).
const IZETA6: usize = memory.data<i16>([
  910, 910, 910, 910, 1227, 1227, 1227, 1227, -219, -219, -219, -219, -855, -855, -855, -855,
  648, 648, 648, 648, 1481, 1481, 1481, 1481, -712, -712, -712, -712, -682, -682, -682, -682,
  -927, -927, -927, -927, 1534, 1534, 1534, 1534, -461, -461, -461, -461, 1438, 1438, 1438, 1438,
  452, 452, 452, 452, 807, 807, 807, 807, 1435, 1435, 1435, 1435, -1010, -1010, -1010, -1010,
  -1414, -1414, -1414, -1414, 1320, 1320, 1320, 1320, 33, 33, 33, 33, -464, -464, -464, -464,
  632, 632, 632, 632, -816, -816, -816, -816, -1352, -1352, -1352, -1352, 650, 650, 650, 650,
  -1274, -1274, -1274, -1274, -1052, -1052, -1052, -1052, -1025, -1025, -1025, -1025, 1197, 1197, 1197, 1197,
  -1573, -1573, -1573, -1573, -76, -76, -76, -76, 331, 331, 331, 331, 289, 289, 289, 289,
], 16);
const IZETA6_Q: usize = memory.data<i16>([
  8957, 8957, 8957, 8957, 12078, 12078, 12078, 12078, -2156, -2156, -2156, -2156, -8416, -8416, -8416, -8416,
  6378, 6378, 6378, 6378, 14578, 14578, 14578, 14578, -7008, -7008, -7008, -7008, -6713, -6713, -6713, -6713,
  -9125, -9125, -9125, -9125, 15099, 15099, 15099, 15099, -4538, -4538, -4538, -4538, 14155, 14155, 14155, 14155,
  4449, 4449, 4449, 4449, 7943, 7943, 7943, 7943, 14125, 14125, 14125, 14125, -9942, -9942, -9942, -9942,
  -13918, -13918, -13918, -13918, 12993, 12993, 12993, 12993, 325, 325, 325, 325, -4567, -4567, -4567, -4567,
  6221, 6221, 6221, 6221, -8032, -8032, -8032, -8032, -13308, -13308, -13308, -13308, 6398, 6398, 6398, 6398,
  -12540, -12540, -12540, -12540, -10355, -10355, -10355, -10355, -10089, -10089, -10089, -10089, 11782, 11782, 11782, 11782,
  -15483, -15483, -15483, -15483, -748, -748, -748, -748, 3258, 3258, 3258, 3258, 2845, 2845, 2845, 2845,
], 16);
const IZETA7: usize = memory.data<i16>([
  -1175, -1175, 885, 885, -394, -394, -1219, -1219, 1029, 1029, -1455, -1455, 1212, 1212, -1607, -1607,
  886, 886, -554, -554, -1179, -1179, 1143, 1143, 1026, 1026, 403, 403, 1092, 1092, -525, -525,
  -735, -735, -863, -863, 561, 561, -1230, -1230, 757, 757, -556, -556, 319, 319, 1063, 1063,
  1645, 1645, -1239, -1239, -780, -780, 375, 375, -109, -109, -1292, -1292, -1031, -1031, 1584, 1584,
  641, 641, 268, 268, -992, -992, 733, 733, -941, -941, -892, -892, -1021, -1021, 939, 939,
  -642, -642, 1461, 1461, 952, 952, -1482, -1482, -1540, -1540, -540, -540, 1651, 1651, -1626, -1626,
  -279, -279, -314, -314, -1173, -1173, 756, 756, 233, 233, -48, -48, -667, -667, 1409, 1409,
  1100, 1100, -1041, -1041, 723, 723, 1637, 1637, -680, -680, 583, 583, -568, -568, 17, 17,
], 16);
const IZETA7_Q: usize = memory.data<i16>([
  -11566, -11566, 8711, 8711, -3878, -3878, -11999, -11999, 10129, 10129, -14322, -14322, 11930, 11930, -15818, -15818,
  8721, 8721, -5453, -5453, -11605, -11605, 11251, 11251, 10099, 10099, 3967, 3967, 10749, 10749, -5168, -5168,
  -7235, -7235, -8495, -8495, 5522, 5522, -12107, -12107, 7451, 7451, -5473, -5473, 3140, 3140, 10463, 10463,
  16192, 16192, -12196, -12196, -7678, -7678, 3691, 3691, -1073, -1073, -12717, -12717, -10148, -10148, 15592, 15592,
  6309, 6309, 2638, 2638, -9764, -9764, 7215, 7215, -9262, -9262, -8780, -8780, -10050, -10050, 9243, 9243,
  -6319, -6319, 14381, 14381, 9371, 9371, -14588, -14588, -15159, -15159, -5315, -5315, 16251, 16251, -16005, -16005,
  -2746, -2746, -3091, -3091, -11546, -11546, 7441, 7441, 2293, 2293, -472, -472, -6565, -6565, 13869, 13869,
  10828, 10828, -10247, -10247, 7117, 7117, 16113, 16113, -6693, -6693, 5739, 5739, -5591, -5591, 167, 167,
], 16);

/** 128^-1 mod q = 3303, centred (−26), and round(−26·2^15/q), for the last step of Alg. 10. */
const F_INV: i32 = -26;
const F_INV_Q: i32 = -256;

/** The representative of a in (−q, q), for |a| < 2^15 (freeze without the final +q). */
@inline function reduce(a: i32): i32 {
  const t = (a * V1 + 0x4000) >> 15;
  return a - t * Q;
}

@inline function reduceV(a: v128): v128 {
  const t = i16x8.q15mulr_sat_s(a, i16x8.splat(<i16>V1));
  return i16x8.sub(a, i16x8.mul(t, i16x8.splat(<i16>Q)));
}

/**
 * f ← NTT^-1(f̂) in place (Alg. 10), for |f̂_i| < q; leaves |f_i| < 1834.
 * Bounds: every butterfly reduces its sum (|a + b| < 2q → |·| < q) and multiplies its
 * difference (|a − b| < 2q) by ζ, |·| ≤ q(2q/2^16 + 1/2) < q; so each layer keeps |f_i| < q,
 * and the final multiplication by 128^-1 leaves |f_i| ≤ q(q/2^16 + 1/2) < 1834.
 */
export function invNtt(f: usize): void {
  if (ASC_FEATURE_SIMD) {
    invNttSimd(f);
  } else {
    invNttScalar(f);
  }
}

function invNttScalar(f: usize): void {
  // Alg. 10 lines 2-13, i counting the zetas down from 127.
  let i = 127;
  for (let len = 2; len <= 128; len <<= 1) {
    for (let start = 0; start < N; start += len << 1) {
      const z = ld(ZETA, i), zq = ld(ZETA_Q, i);
      i--;
      for (let j = start; j < start + len; j++) {
        const t = ld(f, j);
        const u = ld(f, j + len);
        st(f, j, reduce(t + u));
        st(f, j + len, mulConst(u - t, z, zq));
      }
    }
  }
  // Line 14: f ← f · 3303 (128^-1 mod q).
  for (let j = 0; j < N; j++) st(f, j, mulConst(ld(f, j), F_INV, F_INV_Q));
}

function invNttSimd(f: usize): void {
  // Layers len = 2 and 4 within each group of 16 coefficients, in the lane orders of
  // nttSimd's last two layers run backwards: pairs P0|P2|P4|P6 with P1|P3|P5|P7 for
  // len = 2, then P0P1|P4P5 with P2P3|P6P7 for len = 4.
  for (let g: usize = 0; g < 16; g++) {
    const p = f + (g << 5);
    const v0 = v128.load(p);
    const v1 = v128.load(p, 16);
    // Natural order → a7 = pairs P0 P2 P4 P6, b7 = P1 P3 P5 P7 (inverse of nttSimd's last shuffle).
    let a = i8x16.shuffle(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    let b = i8x16.shuffle(v0, v1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    let s = reduceV(i16x8.add(a, b));
    let d = mulConstV(i16x8.sub(b, a), v128.load(IZETA7 + (g << 4)), v128.load(IZETA7_Q + (g << 4)));
    // Back to a6 = P0P1|P4P5, b6 = P2P3|P6P7 (the inverse of nttSimd's middle shuffle).
    a = i8x16.shuffle(s, d, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
    b = i8x16.shuffle(s, d, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
    s = reduceV(i16x8.add(a, b));
    d = mulConstV(i16x8.sub(b, a), v128.load(IZETA6 + (g << 4)), v128.load(IZETA6_Q + (g << 4)));
    // a = P0 P1 P4 P5, b = P2 P3 P6 P7 → natural order P0..P7 (inverse of nttSimd's first shuffle).
    v128.store(p, i8x16.shuffle(s, d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    v128.store(p, i8x16.shuffle(s, d, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31), 16);
  }
  // Layers len = 8 .. 128: butterflies between whole vectors, ζ splatted; zeta indices 31 .. 1.
  let i = 31;
  for (let len: usize = 8; len <= 128; len <<= 1) {
    for (let start: usize = 0; start < 256; start += len << 1) {
      const z = i16x8.splat(load<i16>(ZETA + (<usize>i << 1)));
      const zq = i16x8.splat(load<i16>(ZETA_Q + (<usize>i << 1)));
      i--;
      const lo = f + (start << 1);
      const hi = lo + (len << 1);
      for (let off: usize = 0; off < len << 1; off += 16) {
        const t = v128.load(lo + off);
        const u = v128.load(hi + off);
        v128.store(lo + off, reduceV(i16x8.add(t, u)));
        v128.store(hi + off, mulConstV(i16x8.sub(u, t), z, zq));
      }
    }
  }
  const fz = i16x8.splat(<i16>F_INV);
  const fzq = i16x8.splat(<i16>F_INV_Q);
  for (let off: usize = 0; off < POLY_BYTES; off += 16) v128.store(f + off, mulConstV(v128.load(f + off), fz, fzq));
}

// ---- Sums of polynomials ------------------------------------------------------------------

/** f_i ← f_i + g_i, for |f_i + g_i| < 2^15. */
export function polyAdd(f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < POLY_BYTES; off += 16) {
      v128.store(f + off, i16x8.add(v128.load(f + off), v128.load(g + off)));
    }
  } else {
    for (let i = 0; i < N; i++) st(f, i, ld(f, i) + ld(g, i));
  }
}

/** f_i ← g_i − f_i, for |g_i − f_i| < 2^15. */
export function polySubFrom(f: usize, g: usize): void {
  if (ASC_FEATURE_SIMD) {
    for (let off: usize = 0; off < POLY_BYTES; off += 16) {
      v128.store(f + off, i16x8.sub(v128.load(g + off), v128.load(f + off)));
    }
  } else {
    for (let i = 0; i < N; i++) st(f, i, ld(g, i) - ld(f, i));
  }
}
