// AES-256 decryption (FIPS 197 §5.3 InvCipher), bitsliced, eight blocks at a time, in
// constant time: the inverse of aes.ts, on the same planes, with the same round keys.
//
// Constant time for the reasons aes.ts gives: the state is bitsliced, InvSubBytes is a fixed
// circuit of XOR and AND gates, InvShiftRows and InvMixColumns are fixed byte permutations of
// planes and XORs, AddRoundKey is an XOR; no branch and no address depends on the key or data.
//
// InvSubBytes from the forward circuit. Write S(x) = A(x^-1) ⊕ 0x63 with A the linear part of
// the affine map of §5.1.1, and L = A^-1, which is bit i of L(y) = y(i+2) ⊕ y(i+5) ⊕ y(i+7),
// indices mod 8 (§5.3.2; L(0x63) = 0x05, the constant of the inverse affine map there). The
// circuit of aes.ts computes C(x) = A(x^-1), so x^-1 = L(C(x)) and
//   S^-1(y) = (L(y ⊕ 0x63))^-1 = L(C(L(y ⊕ 0x63))).
// Both L are XORs of planes. The ⊕ 0x63 is already in the round keys 1..14 that aes.ts makes
// (it folded the S-box constant into them for encryption): in the inverse cipher, round key
// 14 and round keys 13..1 (through InvMixColumns and InvShiftRows, which map a state of equal
// bytes c to itself: 0e ⊕ 0b ⊕ 0d ⊕ 09 = 01) reach the next InvSubBytes, and round key 0,
// which carries no constant, is the last step. So the same key schedule serves both ways.
//
// InvMixColumns as MixColumns after a cheap step ("The Design of Rijndael", §4.1.3): the
// inverse polynomial 0b·x^3 ⊕ 0d·x^2 ⊕ 09·x ⊕ 0e is (03·x^3 ⊕ x^2 ⊕ x ⊕ 02)·(04·x^2 ⊕ 05)
// mod x^4 + 1, so with b[r] = a[r] ⊕ 04·(a[r] ⊕ a[r+2]) per column, InvMixColumns(a) =
// MixColumns(b). Multiplying by 04 is xtime twice.
//
// The round is reordered, which changes nothing: InvShiftRows permutes bytes and InvSubBytes
// acts on each byte, so they commute; each round here is InvSubBytes, then InvShiftRows,
// AddRoundKey and (rounds 13..1) InvMixColumns as one linear pass.

import { addRoundKey, aesLoad, aesStore, aesSubBytesPlanes, rot1V, rot2V, AES_BATCH_BYTES } from './aes';

const ROUNDS: usize = 14;
const PLANES_BYTES: usize = 128;
/** Scratch of aes256Decrypt8: the planes and, in the scalar build, a second set for InvMixColumns. */
export const AES_DECRYPT_SCRATCH: usize = 2 * PLANES_BYTES;

// ---- L = A^-1 on the planes ---------------------------------------------------------------

@inline function X<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.xor(a, b);
  else return a ^ b;
}

/** Plane i ← plane (i+2) ⊕ plane (i+5) ⊕ plane (i+7), i mod 8; `T` v128, or u64 on each half. */
@inline function inverseLinear<T>(p: usize): void {
  const y0 = load<T>(p, 0);
  const y1 = load<T>(p, 16);
  const y2 = load<T>(p, 32);
  const y3 = load<T>(p, 48);
  const y4 = load<T>(p, 64);
  const y5 = load<T>(p, 80);
  const y6 = load<T>(p, 96);
  const y7 = load<T>(p, 112);
  store<T>(p, X<T>(X<T>(y2, y5), y7), 0);
  store<T>(p, X<T>(X<T>(y3, y6), y0), 16);
  store<T>(p, X<T>(X<T>(y4, y7), y1), 32);
  store<T>(p, X<T>(X<T>(y5, y0), y2), 48);
  store<T>(p, X<T>(X<T>(y6, y1), y3), 64);
  store<T>(p, X<T>(X<T>(y7, y2), y4), 80);
  store<T>(p, X<T>(X<T>(y0, y3), y5), 96);
  store<T>(p, X<T>(X<T>(y1, y4), y6), 112);
}

function inverseLinearPlanes(st: usize): void {
  if (ASC_FEATURE_SIMD) {
    inverseLinear<v128>(st);
  } else {
    inverseLinear<u64>(st);
    inverseLinear<u64>(st + 8);
  }
}

/**
 * InvSubBytes of eight blocks in plane form whose bytes carry an extra ⊕ 0x63 (as the round
 * keys 1..14 leave them): L, the forward circuit, L.
 */
export function aesInvSubBytesPlanes(st: usize): void {
  inverseLinearPlanes(st);
  aesSubBytesPlanes(st);
  inverseLinearPlanes(st);
}

// ---- InvShiftRows, AddRoundKey, InvMixColumns: SIMD build ----------------------------------

// §5.3.1 InvShiftRows: s'[r][c] = s[r][(c - r) mod 4], lane r rotates left by r bytes.
@inline function invShiftRowsV(x: v128): v128 {
  return i8x16.shuffle(x, x, 0, 1, 2, 3, 7, 4, 5, 6, 10, 11, 8, 9, 13, 14, 15, 12);
}

/**
 * InvShiftRows, AddRoundKey and (when `mix`) InvMixColumns on the planes at `st`.
 * With a the state after the key addition and u = a ⊕ rot2(a): b = a ⊕ 04·u, then
 * MixColumns(b) = 02·v ⊕ rot1(b) ⊕ rot2(v) with v = b ⊕ rot1(b), as in aes.ts.
 * xtime moves plane i to i + 1 and adds plane 7 into planes 0, 1, 3 and 4; twice, 04·u has
 * planes (u6, u6 ⊕ u7, u0 ⊕ u7, u1 ⊕ u6, u2 ⊕ u6 ⊕ u7, u3 ⊕ u7, u4, u5).
 */
function invRoundLinearV(st: usize, rk: usize, mix: bool): void {
  const a0 = v128.xor(invShiftRowsV(v128.load(st, 0)), v128.load(rk, 0));
  const a1 = v128.xor(invShiftRowsV(v128.load(st, 16)), v128.load(rk, 16));
  const a2 = v128.xor(invShiftRowsV(v128.load(st, 32)), v128.load(rk, 32));
  const a3 = v128.xor(invShiftRowsV(v128.load(st, 48)), v128.load(rk, 48));
  const a4 = v128.xor(invShiftRowsV(v128.load(st, 64)), v128.load(rk, 64));
  const a5 = v128.xor(invShiftRowsV(v128.load(st, 80)), v128.load(rk, 80));
  const a6 = v128.xor(invShiftRowsV(v128.load(st, 96)), v128.load(rk, 96));
  const a7 = v128.xor(invShiftRowsV(v128.load(st, 112)), v128.load(rk, 112));
  if (!mix) {
    v128.store(st, a0, 0);
    v128.store(st, a1, 16);
    v128.store(st, a2, 32);
    v128.store(st, a3, 48);
    v128.store(st, a4, 64);
    v128.store(st, a5, 80);
    v128.store(st, a6, 96);
    v128.store(st, a7, 112);
    return;
  }
  const u0 = v128.xor(a0, rot2V(a0));
  const u1 = v128.xor(a1, rot2V(a1));
  const u2 = v128.xor(a2, rot2V(a2));
  const u3 = v128.xor(a3, rot2V(a3));
  const u4 = v128.xor(a4, rot2V(a4));
  const u5 = v128.xor(a5, rot2V(a5));
  const u6 = v128.xor(a6, rot2V(a6));
  const u7 = v128.xor(a7, rot2V(a7));
  const u67 = v128.xor(u6, u7);
  const b0 = v128.xor(a0, u6);
  const b1 = v128.xor(a1, u67);
  const b2 = v128.xor(a2, v128.xor(u0, u7));
  const b3 = v128.xor(a3, v128.xor(u1, u6));
  const b4 = v128.xor(a4, v128.xor(u2, u67));
  const b5 = v128.xor(a5, v128.xor(u3, u7));
  const b6 = v128.xor(a6, u4);
  const b7 = v128.xor(a7, u5);
  const r0 = rot1V(b0);
  const r1 = rot1V(b1);
  const r2 = rot1V(b2);
  const r3 = rot1V(b3);
  const r4 = rot1V(b4);
  const r5 = rot1V(b5);
  const r6 = rot1V(b6);
  const r7 = rot1V(b7);
  const v0 = v128.xor(b0, r0);
  const v1 = v128.xor(b1, r1);
  const v2 = v128.xor(b2, r2);
  const v3 = v128.xor(b3, r3);
  const v4 = v128.xor(b4, r4);
  const v5 = v128.xor(b5, r5);
  const v6 = v128.xor(b6, r6);
  const v7 = v128.xor(b7, r7);
  v128.store(st, v128.xor(v128.xor(v7, r0), rot2V(v0)), 0);
  v128.store(st, v128.xor(v128.xor(v128.xor(v0, v7), r1), rot2V(v1)), 16);
  v128.store(st, v128.xor(v128.xor(v1, r2), rot2V(v2)), 32);
  v128.store(st, v128.xor(v128.xor(v128.xor(v2, v7), r3), rot2V(v3)), 48);
  v128.store(st, v128.xor(v128.xor(v128.xor(v3, v7), r4), rot2V(v4)), 64);
  v128.store(st, v128.xor(v128.xor(v4, r5), rot2V(v5)), 80);
  v128.store(st, v128.xor(v128.xor(v5, r6), rot2V(v6)), 96);
  v128.store(st, v128.xor(v128.xor(v6, r7), rot2V(v7)), 112);
}

// ---- The same, scalar build ------------------------------------------------------------------

// A plane is four u32 rows (row r at byte 4r, column c in bits 8c..8c+7), so rot1 and rot2
// are a change of row index and InvShiftRows rotates row r left by 8r bits.

@inline function row(p: usize, i: usize, r: usize): u32 {
  return load<u32>(p + (i << 4) + ((r & 3) << 2));
}

/** The scalar counterpart of invRoundLinearV; `tmp` holds b (128 bytes). */
function invRoundLinearS(st: usize, rk: usize, mix: bool, tmp: usize): void {
  for (let i: usize = 0; i < 8; i++) {
    for (let r: usize = 0; r < 4; r++) {
      const q = st + (i << 4) + (r << 2);
      store<u32>(q, rotl<u32>(load<u32>(q), <u32>(r << 3)) ^ row(rk, i, r));
    }
  }
  if (!mix) return;
  for (let r: usize = 0; r < 4; r++) {
    const u0 = row(st, 0, r) ^ row(st, 0, r + 2);
    const u1 = row(st, 1, r) ^ row(st, 1, r + 2);
    const u2 = row(st, 2, r) ^ row(st, 2, r + 2);
    const u3 = row(st, 3, r) ^ row(st, 3, r + 2);
    const u4 = row(st, 4, r) ^ row(st, 4, r + 2);
    const u5 = row(st, 5, r) ^ row(st, 5, r + 2);
    const u6 = row(st, 6, r) ^ row(st, 6, r + 2);
    const u7 = row(st, 7, r) ^ row(st, 7, r + 2);
    const o = tmp + (r << 2);
    store<u32>(o, row(st, 0, r) ^ u6, 0);
    store<u32>(o, row(st, 1, r) ^ u6 ^ u7, 16);
    store<u32>(o, row(st, 2, r) ^ u0 ^ u7, 32);
    store<u32>(o, row(st, 3, r) ^ u1 ^ u6, 48);
    store<u32>(o, row(st, 4, r) ^ u2 ^ u6 ^ u7, 64);
    store<u32>(o, row(st, 5, r) ^ u3 ^ u7, 80);
    store<u32>(o, row(st, 6, r) ^ u4, 96);
    store<u32>(o, row(st, 7, r) ^ u5, 112);
  }
  for (let r: usize = 0; r < 4; r++) {
    // v = b ⊕ rot1(b) at row r, rot1(b) at row r, and rot2(v) at row r = v at row r + 2.
    const v0 = row(tmp, 0, r) ^ row(tmp, 0, r + 1), w0 = row(tmp, 0, r + 2) ^ row(tmp, 0, r + 3);
    const v1 = row(tmp, 1, r) ^ row(tmp, 1, r + 1), w1 = row(tmp, 1, r + 2) ^ row(tmp, 1, r + 3);
    const v2 = row(tmp, 2, r) ^ row(tmp, 2, r + 1), w2 = row(tmp, 2, r + 2) ^ row(tmp, 2, r + 3);
    const v3 = row(tmp, 3, r) ^ row(tmp, 3, r + 1), w3 = row(tmp, 3, r + 2) ^ row(tmp, 3, r + 3);
    const v4 = row(tmp, 4, r) ^ row(tmp, 4, r + 1), w4 = row(tmp, 4, r + 2) ^ row(tmp, 4, r + 3);
    const v5 = row(tmp, 5, r) ^ row(tmp, 5, r + 1), w5 = row(tmp, 5, r + 2) ^ row(tmp, 5, r + 3);
    const v6 = row(tmp, 6, r) ^ row(tmp, 6, r + 1), w6 = row(tmp, 6, r + 2) ^ row(tmp, 6, r + 3);
    const v7 = row(tmp, 7, r) ^ row(tmp, 7, r + 1), w7 = row(tmp, 7, r + 2) ^ row(tmp, 7, r + 3);
    const o = st + (r << 2);
    store<u32>(o, v7 ^ row(tmp, 0, r + 1) ^ w0, 0);
    store<u32>(o, v0 ^ v7 ^ row(tmp, 1, r + 1) ^ w1, 16);
    store<u32>(o, v1 ^ row(tmp, 2, r + 1) ^ w2, 32);
    store<u32>(o, v2 ^ v7 ^ row(tmp, 3, r + 1) ^ w3, 48);
    store<u32>(o, v3 ^ v7 ^ row(tmp, 4, r + 1) ^ w4, 64);
    store<u32>(o, v4 ^ row(tmp, 5, r + 1) ^ w5, 80);
    store<u32>(o, v5 ^ row(tmp, 6, r + 1) ^ w6, 96);
    store<u32>(o, v6 ^ row(tmp, 7, r + 1) ^ w7, 112);
  }
}

/**
 * §5.3 InvCipher(): decrypts the eight blocks held as planes at `st` in place, with the round
 * keys of aes256KeySchedule (aes.ts) at `ks`; `st` is AES_DECRYPT_SCRATCH bytes.
 */
export function aes256DecryptPlanes(ks: usize, st: usize): void {
  addRoundKey(st, ks + ROUNDS * PLANES_BYTES);
  for (let r = <isize>ROUNDS - 1; r >= 0; r--) {
    aesInvSubBytesPlanes(st);
    const rk = ks + <usize>r * PLANES_BYTES;
    // The last round has no InvMixColumns (§5.3).
    if (ASC_FEATURE_SIMD) invRoundLinearV(st, rk, r > 0);
    else invRoundLinearS(st, rk, r > 0, st + PLANES_BYTES);
  }
}

/**
 * Decrypts eight blocks: `src` to `dst` (128 bytes each; they may be the same), with the
 * scratch `st` (AES_DECRYPT_SCRATCH bytes, left holding key-dependent data for the caller's
 * wipe) and the round keys of aes256KeySchedule at `ks`.
 */
export function aes256Decrypt8(ks: usize, st: usize, src: usize, dst: usize): void {
  aesLoad(st, src);
  aes256DecryptPlanes(ks, st);
  aesStore(dst, st);
}

/** Test only: the inverse S-box applied in place to [ptr, ptr + len) through the circuit. */
export function aesInvSubBytes(scratch: usize, ptr: usize, len: usize): void {
  const st = scratch;
  const buf = scratch + PLANES_BYTES;
  for (let off: usize = 0; off < len; off += AES_BATCH_BYTES) {
    let n = len - off;
    if (n > AES_BATCH_BYTES) n = AES_BATCH_BYTES;
    memory.fill(buf, 0x63, AES_BATCH_BYTES);
    for (let i: usize = 0; i < n; i++) store<u8>(buf + i, load<u8>(ptr + off + i) ^ 0x63);
    aesLoad(st, buf);
    aesInvSubBytesPlanes(st);
    aesStore(buf, st);
    memory.copy(ptr + off, buf, n);
  }
}
