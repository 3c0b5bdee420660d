// ByteEncode_12 (FIPS 203 Alg. 5 with d = 12): 256 coefficients in [0, q) to 384 bytes.
//
// Bit j of coefficient i is bit 12i + j of the output, bytes little-endian, so a pair
// (a, b) of coefficients is the 24-bit little-endian integer a + 2^12·b in 3 bytes.
// Constant time: shifts and masks only (it encodes the secret ŝ into dk).

import { N } from './ntt';

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
