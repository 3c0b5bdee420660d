// ML-DSA's bit packings (FIPS 204 §7.1-7.2): SimpleBitPack/BitPack (Alg. 16-17) and their
// inverses (Alg. 18-19), and HintBitPack/HintBitUnpack (Alg. 20-21).
//
// A packed polynomial is its 256 values of `bits` bits each, value i at bit positions
// bits·i .. bits·i + bits − 1, least significant bit first (BytesToBits order). One routine
// packs every field: the value written is a + s·f_i with s = ±1 (t1 and w1: a = 0, s = 1; s1,
// s2: a = η, s = −1; t0: a = 2^12, s = −1; z: a = γ1, s = −1). Loops depend on `bits` only.

import { N, K, OMEGA } from './params';

/** Writes 32·bits bytes at `out`: the values a + s·f_i of the polynomial at `f`. */
export function packPoly(out: usize, f: usize, bits: i32, a: i32, s: i32): void {
  let acc: u64 = 0;
  let have: i32 = 0;
  let o = out;
  for (let i = 0; i < N; i++) {
    const v = <u32>(a + s * load<i32>(f + (<usize>i << 2)));
    acc |= (<u64>v) << <u64>have;
    have += bits;
    while (have >= 8) {
      store<u8>(o, <u8>acc);
      o++;
      acc >>= 8;
      have -= 8;
    }
  }
}

/**
 * Reads the polynomial written by packPoly(…, bits, a, s): f_i = s·(v_i − a). Every bit pattern
 * gives some polynomial; the callers check ranges where FIPS 204 asks for it.
 */
export function unpackPoly(f: usize, p: usize, bits: i32, a: i32, s: i32): void {
  let acc: u64 = 0;
  let have: i32 = 0;
  const mask: u64 = (<u64>1 << <u64>bits) - 1;
  let q = p;
  for (let i = 0; i < N; i++) {
    while (have < bits) {
      acc |= (<u64>load<u8>(q)) << <u64>have;
      q++;
      have += 8;
    }
    const v = <i32>(acc & mask);
    acc >>= <u64>bits;
    have -= bits;
    store<i32>(f + (<usize>i << 2), s * (v - a));
  }
}

/**
 * HintBitPack (Alg. 20): ω + k bytes at `out` for the k hint polynomials at `h` (0/1
 * coefficients, at most ω ones in all, which the signer has checked). The positions of the
 * ones are the signature's, public once it is released; this runs on the accepted one only.
 */
export function packHint(out: usize, h: usize): void {
  memory.fill(out, 0, <usize>(OMEGA + K));
  let index = 0;
  for (let i = 0; i < K; i++) {
    const hi = h + (<usize>i << 10);
    for (let j = 0; j < N; j++) {
      if (load<i32>(hi + (<usize>j << 2)) != 0) {
        store<u8>(out + <usize>index, <u8>j);
        index++;
      }
    }
    store<u8>(out + <usize>(OMEGA + i), <u8>index);
  }
}

/**
 * HintBitUnpack (Alg. 21): the k hint polynomials at `h` from the ω + k bytes at `p`; false
 * (Alg. 21's ⊥) for an encoding FIPS 204 rejects: counts out of order or above ω, positions
 * not strictly increasing within a polynomial, or nonzero padding. Public data (verification).
 */
export function unpackHint(h: usize, p: usize): bool {
  memory.fill(h, 0, <usize>K << 10);
  let index = 0;
  for (let i = 0; i < K; i++) {
    const end = <i32>load<u8>(p + <usize>(OMEGA + i));
    if (end < index || end > OMEGA) return false;
    const first = index;
    while (index < end) {
      const j = <i32>load<u8>(p + <usize>index);
      if (index > first && <i32>load<u8>(p + <usize>(index - 1)) >= j) return false;
      store<i32>(h + (<usize>i << 10) + (<usize>j << 2), 1);
      index++;
    }
  }
  for (let i = index; i < OMEGA; i++) if (load<u8>(p + <usize>i) != 0) return false;
  return true;
}
