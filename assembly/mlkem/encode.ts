// ByteEncode_12 (FIPS 203 Alg. 5 with d = 12): 256 coefficients in [0, q) to 384 bytes; and
// for encapsulation and decapsulation ByteDecode_12 with the modulus check of §7.2, and
// ByteEncode_d ∘ Compress_d and Decompress_d ∘ ByteDecode_d for d = 1, 4, 5, 10, 11.
//
// Bit j of coefficient i is bit 12i + j of the output, bytes little-endian, so a pair
// (a, b) of coefficients is the 24-bit little-endian integer a + 2^12·b in 3 bytes.
// Constant time: shifts and masks only (it encodes the secret ŝ into dk).

import { N, Q } from './ntt';

/** out[0..384) ← ByteEncode_12(f), for 0 ≤ f_i < q. */
export function byteEncode12(out: usize, f: usize): void {
  if (ASC_FEATURE_SIMD) {
    // Four pairs per vector: a pair is one 32-bit lane a + 2^16·b, turned into a + 2^12·b,
    // and the three low bytes of each lane are gathered into 12 bytes.
    for (let i: usize = 0; i < <usize>N; i += 8) {
      const v = v128.load(f + (i << 1));
      const w = v128.or(v128.and(v, i32x4.splat(0xfff)), v128.and(i32x4.shr_u(v, 4), i32x4.splat(0xfff000)));
      const packed = i8x16.shuffle(w, w, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0, 0, 0, 0);
      const o = out + ((i >> 1) * 3);
      store<u64>(o, i64x2.extract_lane(packed, 0));
      store<u32>(o, i32x4.extract_lane(packed, 2), 8);
    }
  } else {
    for (let i: usize = 0; i < <usize>N; i += 2) {
      const a = <u32>load<u16>(f + (i << 1));
      const b = <u32>load<u16>(f + (i << 1), 2);
      const o = out + ((i >> 1) * 3);
      store<u8>(o, <u8>a);
      store<u8>(o, <u8>((a >> 8) | (b << 4)), 1);
      store<u8>(o, <u8>(b >> 4), 2);
    }
  }
}

// ---- Encapsulation and decapsulation: ByteEncode_d / ByteDecode_d, Compress_d / Decompress_d ----

/** ceil(2^40 / q): floor(n/q) = (n·M) >> 40 exactly for 0 ≤ n < 2^23 (the error n/2^40 < 2^-17 stays below 1/q). */
const DIV_Q_M: u64 = 330282857;

/**
 * Compress_d(x) = ⌈(2^d/q)·x⌋ mod 2^d (FIPS 203 (4.7)) for 0 ≤ x < q and d ≤ 11, without a
 * division (whose time can depend on its operands): ⌈y⌋ = ⌊(x·2^d + (q−1)/2) / q⌋, q being
 * odd, and the division by q is a multiplication and a shift.
 */
@inline export function compress(x: i32, d: i32): i32 {
  const n = <u64>((x << d) + ((Q - 1) >> 1));
  return <i32>((n * DIV_Q_M) >> 40) & ((1 << d) - 1);
}

/** Decompress_d(y) = ⌈(q/2^d)·y⌋ (FIPS 203 (4.8)) for 0 ≤ y < 2^d. */
@inline export function decompress(y: i32, d: i32): i32 {
  return (y * Q + (1 << (d - 1))) >> d;
}

/**
 * out[0..32d) ← ByteEncode_d(Compress_d(f)) (Alg. 5 with (4.7)) for 0 ≤ f_i < q, d ∈ {1, 4, 5,
 * 10, 11}: coefficient i's d bits are bits di .. di+d−1 of the output, little-endian. The bit
 * position depends on i only.
 */
export function compressEncode(out: usize, f: usize, d: i32): void {
  let acc: u64 = 0;
  let bits: i32 = 0;
  let o = out;
  for (let i: usize = 0; i < <usize>N; i++) {
    acc |= <u64>compress(<i32>load<i16>(f + (i << 1)), d) << <u64>bits;
    bits += d;
    while (bits >= 8) {
      store<u8>(o++, <u8>acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

/**
 * f ← Decompress_d(ByteDecode_d(in[0..32d))) (Alg. 6 with (4.8)) for d ∈ {1, 4, 5, 10, 11}:
 * 0 ≤ f_i < q.
 */
export function decodeDecompress(f: usize, inp: usize, d: i32): void {
  let acc: u64 = 0;
  let bits: i32 = 0;
  let p = inp;
  const mask: u64 = (<u64>1 << <u64>d) - 1;
  for (let i: usize = 0; i < <usize>N; i++) {
    while (bits < d) {
      acc |= <u64>load<u8>(p++) << <u64>bits;
      bits += 8;
    }
    store<i16>(f + (i << 1), <i16>decompress(<i32>(acc & mask), d));
    acc >>= <u64>d;
    bits -= d;
  }
}

/**
 * f ← ByteDecode_12(in[0..384)) (Alg. 6 with d = 12), each coefficient in [0, 4096). Returns
 * the OR over i of (f_i + (2^16 − q)) >> 16, which is 1 iff some f_i ≥ q: FIPS 203 §7.2's
 * check of an encapsulation key (ByteEncode_12(ByteDecode_12(ek)) = ek), without a branch.
 */
export function byteDecode12(f: usize, inp: usize): u32 {
  let bad: u32 = 0;
  for (let i: usize = 0; i < <usize>N; i += 2) {
    const w = <u32>load<u16>(inp + (i >> 1) * 3) | (<u32>load<u8>(inp + (i >> 1) * 3, 2) << 16);
    const a = w & 0xfff;
    const b = w >> 12;
    store<i16>(f + (i << 1), <i16>a);
    store<i16>(f + (i << 1), <i16>b, 2);
    bad |= ((a + (0x10000 - <u32>Q)) | (b + (0x10000 - <u32>Q))) >> 16;
  }
  return bad;
}
