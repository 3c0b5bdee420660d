// ML-DSA's samplers (FIPS 204 §7.3): ExpandA (Alg. 32 over RejNTTPoly, Alg. 30), ExpandS
// (Alg. 33 over RejBoundedPoly, Alg. 31), ExpandMask (Alg. 34) and SampleInBall (Alg. 29).
//
// Timing: ExpandA works on the public ρ and stops when it has 256 coefficients, so its time
// depends on ρ only. ExpandS rejects the half-bytes 15 (η = 2) or 9..15 (η = 4) of a secret
// stream and stops when it has 256 coefficients: how many bytes it reads and where each
// coefficient is stored depend on where rejected half-bytes fall, which is independent of the
// accepted values (the coefficients themselves are computed without a branch). ExpandMask
// reads a fixed length. SampleInBall, which runs inside the signing loop on a secret c̃, is
// constant time (see sampleInBall).

import { alloc, mark, release } from '../arena';
import {
  KECCAK_STATE_SIZE,
  SHAKE128_RATE,
  SHAKE256_RATE,
  SHAKE_SUFFIX,
  keccakInit,
  keccakAbsorb,
  keccakFinish,
  keccakSqueeze,
} from '../symmetric/keccak';
import { Q, N, POLY_BYTES, K, L, ETA, TAU, GAMMA1, Z_BITS } from './params';
import { unpackPoly } from './pack';

/**
 * Â ← ExpandA(ρ) (Alg. 32): k·ℓ polynomials at `a`, row r column s at a + (r·ℓ + s)·1024,
 * each RejNTTPoly(ρ ‖ s ‖ r) (Alg. 30): 23-bit candidates from SHAKE128, those below q kept.
 */
export function expandA(a: usize, rho: usize): void {
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  const seed = alloc(34);
  const buf = alloc(SHAKE128_RATE);
  memory.copy(seed, rho, 32);
  for (let r = 0; r < K; r++) {
    for (let s = 0; s < L; s++) {
      store<u8>(seed + 32, <u8>s);
      store<u8>(seed + 33, <u8>r);
      keccakInit(st, SHAKE128_RATE);
      keccakAbsorb(st, seed, 34);
      keccakFinish(st, SHAKE_SUFFIX);
      const f = a + <usize>(r * L + s) * POLY_BYTES;
      let j = 0;
      while (j < N) {
        keccakSqueeze(st, buf, SHAKE128_RATE);
        // 168 bytes are 56 whole candidates (CoeffFromThreeBytes, Alg. 14).
        for (let p: usize = 0; p < SHAKE128_RATE && j < N; p += 3) {
          const t = (<i32>load<u8>(buf + p)) | ((<i32>load<u8>(buf + p + 1)) << 8) | (((<i32>load<u8>(buf + p + 2)) & 0x7f) << 16);
          if (t < Q) {
            store<i32>(f + (<usize>j << 2), t);
            j++;
          }
        }
      }
    }
  }
  release(m);
}

/**
 * (s1, s2) ← ExpandS(ρ') (Alg. 33): ℓ + k polynomials at `s` (s1 then s2, contiguous), the r-th
 * RejBoundedPoly(ρ' ‖ r as 2 bytes) (Alg. 31): coefficients η − (b mod 5) for half-bytes b < 15
 * (η = 2) or η − b for b < 9 (η = 4) (CoeffFromHalfByte, Alg. 15), low half first.
 */
export function expandS(s: usize, rhoPrime: usize): void {
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  const seed = alloc(66);
  const buf = alloc(SHAKE256_RATE);
  memory.copy(seed, rhoPrime, 64);
  const limit = ETA == 2 ? 15 : 9;
  for (let r = 0; r < K + L; r++) {
    store<u16>(seed + 64, <u16>r);
    keccakInit(st, SHAKE256_RATE);
    keccakAbsorb(st, seed, 66);
    keccakFinish(st, SHAKE_SUFFIX);
    const f = s + <usize>r * POLY_BYTES;
    let j = 0;
    while (j < N) {
      keccakSqueeze(st, buf, SHAKE256_RATE);
      for (let p: usize = 0; p < SHAKE256_RATE && j < N; p++) {
        const z = <i32>load<u8>(buf + p);
        const b0 = z & 15;
        const b1 = z >> 4;
        if (b0 < limit) {
          store<i32>(f + (<usize>j << 2), coeffFromHalfByte(b0));
          j++;
        }
        if (b1 < limit && j < N) {
          store<i32>(f + (<usize>j << 2), coeffFromHalfByte(b1));
          j++;
        }
      }
    }
  }
  release(m);
}

/** η − (b mod 5) for η = 2 (b < 15), η − b for η = 4 (b < 9), without a division or branch. */
@inline function coeffFromHalfByte(b: i32): i32 {
  if (ETA == 2) {
    // b mod 5 = b − 5·floor(b/5), and floor(b/5) = (b·205) >> 10 for b < 1024.
    return 2 - (b - 5 * ((b * 205) >> 10));
  }
  return 4 - b;
}

/**
 * y ← ExpandMask(ρ'', κ) (Alg. 34): ℓ polynomials at `y`, the r-th BitUnpack(H(ρ'' ‖ κ + r, 32c),
 * γ1 − 1, γ1) with c = 18 or 20 bits a coefficient (γ1 − value).
 */
export function expandMask(y: usize, rhoPP: usize, kappa: i32): void {
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  const seed = alloc(66);
  const bytes = <usize>(32 * Z_BITS);
  const buf = alloc(bytes);
  memory.copy(seed, rhoPP, 64);
  for (let r = 0; r < L; r++) {
    store<u16>(seed + 64, <u16>(kappa + r));
    keccakInit(st, SHAKE256_RATE);
    keccakAbsorb(st, seed, 66);
    keccakFinish(st, SHAKE_SUFFIX);
    keccakSqueeze(st, buf, bytes);
    unpackPoly(y + <usize>r * POLY_BYTES, buf, Z_BITS, GAMMA1, -1);
  }
  release(m);
}


/** Byte k of the table is k: the positions of 16 coefficients per vector, for the SIMD SampleInBall. */
const POSITIONS: usize = memory.data<u8>([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
  32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
  62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91,
  92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116,
  117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140,
  141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164,
  165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188,
  189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212,
  213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236,
  237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255,
], 16);

/**
 * c ← SampleInBall(ρ) (Alg. 29) for the c̃ of `ctildeLen` bytes at `ctilde`: τ coefficients ±1 at
 * `c` (256 i32), the rest 0.
 *
 * Alg. 29 moves c_j to c_i and writes the sign at j, for each accepted byte j ≤ i, i running
 * from 256 − τ to 255. Done literally, both the accept test and the positions i and j would
 * steer branches and addresses by c̃, which is secret in a rejected signing attempt. Here every
 * candidate byte of a fixed stretch of the stream is applied under masks, whatever it is:
 *  - SIMD: c is 256 bytes (16 vectors); a candidate compares all 256 positions with j and with i
 *    at once, gathers c_j with an OR over the vectors, then writes c_j at i and the sign at j
 *    with bitselects, the masks cleared when the candidate is rejected;
 *  - scalar: the state is the list of the τ nonzero positions (pos[t], sign[t]) for
 *    t < i − (256 − τ); every earlier position is below i, so accepting j moves the entry at
 *    position j (if any) to i and appends (j, sign), each slot updated under a mask.
 * The fixed stretch is the first SHAKE256 block (128 candidates after the 8 sign bytes) for
 * τ = 39 and 49, two blocks (264) for τ = 60; each candidate is accepted with probability at
 * least (256 − τ)/256, so fewer than τ are accepted with probability below 2^-80 (Chernoff
 * bound); only then does a data-dependent loop read further bytes.
 */
export function sampleInBall(c: usize, ctilde: usize, ctildeLen: i32): void {
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  const blocks: usize = TAU > 50 ? 2 : 1;
  const buf = alloc(2 * SHAKE256_RATE);
  keccakInit(st, SHAKE256_RATE);
  keccakAbsorb(st, ctilde, <usize>ctildeLen);
  keccakFinish(st, SHAKE_SUFFIX);
  keccakSqueeze(st, buf, blocks * SHAKE256_RATE);
  const signs = load<u64>(buf);
  const first = N - TAU;
  if (ASC_FEATURE_SIMD) {
    const c8 = alloc(N);
    let i = first;
    for (let p: usize = 8; p < blocks * SHAKE256_RATE; p++) {
      const j = <i32>load<u8>(buf + p);
      // All ones when j ≤ i < 256 (both values below 2^9, so the differences keep their sign).
      const acc = ~((i - j) >> 31) & ((i - N) >> 31);
      const sign = 1 - 2 * <i32>((signs >> <u64>((i - first) & 63)) & 1);
      const accV = i8x16.splat(<i8>acc);
      const jV = i8x16.splat(<i8>j);
      const iV = i8x16.splat(<i8>i);
      // c_j: the one lane at position j, ORed over the 16 vectors, then folded to every lane.
      let g = i8x16.splat(0);
      for (let off: usize = 0; off < 256; off += 16) {
        g = v128.or(g, v128.and(v128.load(c8 + off), i8x16.eq(v128.load(POSITIONS + off), jV)));
      }
      g = v128.or(g, i8x16.shuffle(g, g, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
      g = v128.or(g, i8x16.shuffle(g, g, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3));
      g = v128.or(g, i8x16.shuffle(g, g, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1));
      g = v128.or(g, i8x16.shuffle(g, g, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0));
      const sV = i8x16.splat(<i8>sign);
      for (let off: usize = 0; off < 256; off += 16) {
        const pos = v128.load(POSITIONS + off);
        let v = v128.load(c8 + off);
        v = v128.bitselect(g, v, v128.and(i8x16.eq(pos, iV), accV));
        v = v128.bitselect(sV, v, v128.and(i8x16.eq(pos, jV), accV));
        v128.store(c8 + off, v);
      }
      i -= acc; // acc is −1 or 0
    }
    // Left over with probability below 2^-80: the rest of Alg. 29 as written, on further blocks.
    while (i < N) {
      keccakSqueeze(st, buf, SHAKE256_RATE);
      for (let p: usize = 0; p < SHAKE256_RATE && i < N; p++) {
        const j = <i32>load<u8>(buf + p);
        if (j > i) continue;
        store<i8>(c8 + <usize>i, load<i8>(c8 + <usize>j));
        store<i8>(c8 + <usize>j, <i8>(1 - 2 * <i32>((signs >> <u64>(i - first)) & 1)));
        i++;
      }
    }
    for (let off: usize = 0; off < 256; off += 16) {
      const v = v128.load(c8 + off);
      const lo = i16x8.extend_low_i8x16_s(v);
      const hi = i16x8.extend_high_i8x16_s(v);
      const o = c + (off << 2);
      v128.store(o, i32x4.extend_low_i16x8_s(lo));
      v128.store(o + 16, i32x4.extend_high_i16x8_s(lo));
      v128.store(o + 32, i32x4.extend_low_i16x8_s(hi));
      v128.store(o + 48, i32x4.extend_high_i16x8_s(hi));
    }
  } else {
    const tau = TAU;
    const pos = alloc(64 << 2);
    const sgn = alloc(64 << 2);
    // Empty slots hold a position no byte can name.
    for (let t = 0; t < tau; t++) store<i32>(pos + (<usize>t << 2), 0x1000);
    let i = first;
    for (let p: usize = 8; p < blocks * SHAKE256_RATE; p++) {
      const j = <i32>load<u8>(buf + p);
      const acc = ~((i - j) >> 31) & ((i - N) >> 31);
      const slot = i - first; // the slot the new entry takes
      const s = 1 - 2 * <i32>((signs >> <u64>(slot & 63)) & 1);
      for (let t = 0; t < tau; t++) {
        const at = pos + (<usize>t << 2);
        const cur = load<i32>(at);
        const moved = acc & eqMask(cur, j);
        const appended = acc & eqMask(t, slot);
        store<i32>(at, (cur & ~moved & ~appended) | (i & moved) | (j & appended));
        const sa = sgn + (<usize>t << 2);
        store<i32>(sa, (load<i32>(sa) & ~appended) | (s & appended));
      }
      i -= acc;
    }
    // Left over with probability below 2^-80: the rest of Alg. 29 as written, on further blocks.
    while (i < N) {
      keccakSqueeze(st, buf, SHAKE256_RATE);
      for (let p: usize = 0; p < SHAKE256_RATE && i < N; p++) {
        const j = <i32>load<u8>(buf + p);
        if (j > i) continue;
        const slot = i - first;
        for (let t = 0; t < slot; t++) {
          if (load<i32>(pos + (<usize>t << 2)) == j) store<i32>(pos + (<usize>t << 2), i);
        }
        store<i32>(pos + (<usize>slot << 2), j);
        store<i32>(sgn + (<usize>slot << 2), 1 - 2 * <i32>((signs >> <u64>slot) & 1));
        i++;
      }
    }
    // Each coefficient gathered from all τ slots.
    for (let k = 0; k < N; k++) {
      let v = 0;
      for (let t = 0; t < tau; t++) {
        v |= load<i32>(sgn + (<usize>t << 2)) & eqMask(load<i32>(pos + (<usize>t << 2)), k);
      }
      store<i32>(c + (<usize>k << 2), v);
    }
  }
  release(m);
}

/** All ones if a == b, else 0, for a, b in [0, 2^16). */
@inline function eqMask(a: i32, b: i32): i32 {
  return ((a ^ b) - 1) >> 31;
}
