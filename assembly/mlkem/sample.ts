// Sampling for ML-KEM key generation (FIPS 203 §4.2.2): the matrix Â from the public seed ρ
// (SampleNTT, Alg. 7, with XOF = SHAKE128) and the secret vectors s and e from σ
// (SamplePolyCBD, Alg. 8, with PRF = SHAKE256, §4.1).
//
// SampleNTT is rejection sampling and so runs in time that depends on its input; that input
// is ρ, which is published in the encapsulation key, hence the name …VarTime. SamplePolyCBD
// sees the secret σ's output: it counts bits with masks and shifts, with no branch and no
// data-dependent address.

import { keccakF1600, SHAKE_SUFFIX } from '../symmetric/keccak';
import { Q, N } from './ntt';

/** Bytes written past the 512 of a polynomial by sampleNttVarTime (an accepted candidate's slot). */
export const SAMPLE_SLACK: usize = 16;

/**
 * out ← SampleNTT(ρ ‖ j ‖ i) (Alg. 7), 256 coefficients in [0, q). `st` is a 200-byte Keccak
 * state and `out` needs SAMPLE_SLACK spare bytes. The XOF is driven directly on the state:
 * the 34-byte input and SHAKE's padding fit in the first block (rate 168), and every
 * squeezed block is read in place, 56 groups of 3 bytes, 168 being a multiple of 3.
 */
export function sampleNttVarTime(out: usize, st: usize, rho: usize, j: i32, i: i32): void {
  // Lines 1-2: XOF.Init and XOF.Absorb(ρ ‖ j ‖ i), with the SHAKE suffix and pad10*1.
  memory.fill(st, 0, 200);
  memory.copy(st, rho, 32);
  store<u8>(st, <u8>j, 32);
  store<u8>(st, <u8>i, 33);
  store<u8>(st, SHAKE_SUFFIX, 34);
  store<u8>(st, 0x80, 167);
  let n: usize = 0;
  while (true) {
    keccakF1600(st);
    for (let p: usize = 0; p < 168; p += 3) {
      // Lines 6-7: two 12-bit candidates from three bytes, little-endian.
      const w = load<u32>(st + p);
      const d1 = w & 0xfff;
      const d2 = (w >> 12) & 0xfff;
      // Lines 8-15 with no branch per candidate (about one in five is rejected, which a
      // branch predictor cannot guess): each is stored at the next free slot and kept only
      // if below q, a rejected one being overwritten by the next. Past the 256th, at most
      // one more lands in the slack.
      store<u16>(out + (n << 1), <u16>d1);
      n += <usize>(d1 < <u32>Q);
      store<u16>(out + (n << 1), <u16>d2);
      n += <usize>(d2 < <u32>Q);
      if (n >= <usize>N) return;
    }
  }
}

/**
 * out ← PRF_η(σ, b) = SHAKE256(σ ‖ b, 8·64·η) (§4.1): 64η bytes, η ∈ {2, 3}. `st`
 * is a 200-byte Keccak state, left holding σ-derived data for the caller to release. The
 * 33-byte input and the padding fit in the first block (rate 136), so the sponge is driven
 * directly: 128 bytes are one block, 192 bytes two.
 */
export function prf(out: usize, st: usize, sigma: usize, b: i32, eta: i32): void {
  memory.fill(st, 0, 200);
  memory.copy(st, sigma, 32);
  store<u8>(st, <u8>b, 32);
  store<u8>(st, SHAKE_SUFFIX, 33);
  store<u8>(st, 0x80, 135); // the last byte of the 136-byte block
  keccakF1600(st);
  if (eta == 2) {
    memory.copy(out, st, 128);
  } else {
    memory.copy(out, st, 136);
    keccakF1600(st);
    memory.copy(out + 136, st, 56);
  }
}

/**
 * f ← SamplePolyCBD_2(B) (Alg. 8, η = 2), B of 128 bytes: coefficient i is
 * (b[4i] + b[4i+1]) − (b[4i+2] + b[4i+3]) over the little-endian bits b, in [−2, 2].
 * Adding the even bits to the odd ones gives every 2-bit field its bit count (lines 3-4).
 */
export function cbd2(f: usize, buf: usize): void {
  if (ASC_FEATURE_SIMD) {
    const m55 = i8x16.splat(0x55);
    const m3 = i8x16.splat(3);
    for (let off: usize = 0; off < 128; off += 16) {
      const x = v128.load(buf + off);
      // Shifts cross byte boundaries; the masks keep only bits from the byte itself.
      const t = i8x16.add(v128.and(x, m55), v128.and(i16x8.shr_u(x, 1), m55));
      // Byte n holds coefficient 2n in its low nibble and 2n+1 in its high one (line 5).
      const lo = i8x16.sub(v128.and(t, m3), v128.and(i16x8.shr_u(t, 2), m3));
      const hi = i8x16.sub(v128.and(i16x8.shr_u(t, 4), m3), v128.and(i16x8.shr_u(t, 6), m3));
      const c0 = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const c1 = i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      const o = f + (off << 2);
      v128.store(o, i16x8.extend_low_i8x16_s(c0));
      v128.store(o, i16x8.extend_high_i8x16_s(c0), 16);
      v128.store(o, i16x8.extend_low_i8x16_s(c1), 32);
      v128.store(o, i16x8.extend_high_i8x16_s(c1), 48);
    }
  } else {
    for (let w: usize = 0; w < 32; w++) {
      const x = load<u32>(buf + (w << 2));
      const t = (x & 0x55555555) + ((x >> 1) & 0x55555555);
      for (let m: u32 = 0; m < 8; m++) {
        const a = (t >> (m << 2)) & 3;
        const b = (t >> ((m << 2) + 2)) & 3;
        store<i16>(f + ((w << 4) + (<usize>m << 1)), <i16>(<i32>a - <i32>b));
      }
    }
  }
}

/**
 * f ← SamplePolyCBD_3(B) (Alg. 8, η = 3), B of 192 bytes (plus one readable byte after it):
 * coefficient i is the count of bits 6i..6i+2 minus that of bits 6i+3..6i+5, in [−3, 3].
 * Four coefficients per 3 bytes; each 3-bit field gets its count from three masked shifts.
 */
export function cbd3(f: usize, buf: usize): void {
  for (let w: usize = 0; w < 64; w++) {
    const x = load<u32>(buf + w * 3) & 0xffffff;
    const t = (x & 0x249249) + ((x >> 1) & 0x249249) + ((x >> 2) & 0x249249);
    for (let m: u32 = 0; m < 4; m++) {
      const a = (t >> (m * 6)) & 7;
      const b = (t >> (m * 6 + 3)) & 7;
      store<i16>(f + ((w << 3) + (<usize>m << 1)), <i16>(<i32>a - <i32>b));
    }
  }
}
