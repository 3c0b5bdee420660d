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


/**
 * c ← SampleInBall(ρ) (Alg. 29) for the c̃ of `ctildeLen` bytes at `ctilde`: τ coefficients ±1 at
 * `c` (256 i32), the rest 0.
 *
 * Alg. 29 moves c_j to c_i and writes the sign at j, for each accepted byte j ≤ i, i running
 * from 256 − τ to 255. Done literally, both the accept test and the positions i and j would
 * steer branches and addresses by c̃, which is secret in a rejected signing attempt. Here the
 * state is the list of the τ nonzero positions (pos[t], sign[t]) for t < i − (256 − τ): every
 * earlier position is below i, so accepting j moves the entry at position j (if any) to i and
 * appends (j, sign); every candidate is applied to every slot under a mask, whatever it is.
 * The fixed part reads the first SHAKE256 block (128 candidates after the 8 sign bytes) for
 * τ = 39 and 49, two blocks (264) for τ = 60; each candidate is accepted with probability at
 * least (256 − τ)/256, so fewer than τ are accepted with probability below 2^-80 (Chernoff
 * bound); only then does a data-dependent loop read further bytes. The polynomial is written last, each coefficient
 * gathered from all τ slots.
 */
export function sampleInBall(c: usize, ctilde: usize, ctildeLen: i32): void {
  const m = mark();
  const st = alloc(KECCAK_STATE_SIZE);
  const blocks: usize = TAU > 50 ? 2 : 1;
  const buf = alloc(2 * SHAKE256_RATE);
  const pos = alloc(64 << 2);
  const sgn = alloc(64 << 2);
  keccakInit(st, SHAKE256_RATE);
  keccakAbsorb(st, ctilde, <usize>ctildeLen);
  keccakFinish(st, SHAKE_SUFFIX);
  keccakSqueeze(st, buf, blocks * SHAKE256_RATE);
  const signs = load<u64>(buf);
  const tau = TAU;
  const first = N - tau;
  // Empty slots hold a position no byte can name.
  for (let t = 0; t < tau; t++) store<i32>(pos + (<usize>t << 2), 0x1000);
  let i = first;
  for (let p: usize = 8; p < blocks * SHAKE256_RATE; p++) {
    const j = <i32>load<u8>(buf + p);
    // All ones when j ≤ i < 256 (both values below 2^9, so the differences keep their sign).
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
    i -= acc; // acc is −1 or 0
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
  for (let k = 0; k < N; k++) {
    let v = 0;
    for (let t = 0; t < tau; t++) {
      v |= load<i32>(sgn + (<usize>t << 2)) & eqMask(load<i32>(pos + (<usize>t << 2)), k);
    }
    store<i32>(c + (<usize>k << 2), v);
  }
  release(m);
}

/** All ones if a == b, else 0, for a, b in [0, 2^16). */
@inline function eqMask(a: i32, b: i32): i32 {
  return ((a ^ b) - 1) >> 31;
}
