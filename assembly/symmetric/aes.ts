// AES-256 encryption (FIPS 197), bitsliced, eight blocks at a time, in constant time.
//
// Constant-time argument (after the header of BearSSL's aes_ct64.c). AES's only
// non-linear step is the S-box, and a table lookup S[x] would load from an address that
// depends on the state, which the cache (and our instruction trace) reveals. Here the state
// is bitsliced: bit i of every state byte of eight blocks sits in one 128-bit "plane" i,
// and SubBytes is a fixed circuit of XOR and AND gates over the eight planes (Boyar and
// Peralta, "A depth-16 circuit for the AES S-box", IFIP SEC 2012, ePrint 2011/332: a top
// linear layer, the inversion in GF(2^8) through GF(2^4) with 34 ANDs, a bottom linear
// layer; 128 gates). ShiftRows and MixColumns are fixed byte permutations of planes and XORs;
// AddRoundKey is an XOR. So every operation, every branch and every memory address is the
// same whatever the key and the data; only the number of blocks, a public length, changes
// the count of batches. The key schedule runs its S-box through the same circuit. The
// operations used (v128/i64/i32 and, xor, or, shifts, constant shuffles) take a time
// independent of their operands on every engine we know of.
//
// Layout of a plane (Käsper and Schwabe, "Faster and timing-attack resistant AES-GCM",
// CHES 2009, adapted to wasm's 128-bit vectors): byte 4r + c of the plane holds row r,
// column c of the state (FIPS 197 §3.4), and bit k of that byte belongs to block k. So a
// 32-bit lane is a row: ShiftRows rotates the bytes of each lane, and MixColumns needs
// the rows rotated, lane r taking lane r + 1. The SIMD build keeps a plane in one v128,
// where each of these is one i8x16.shuffle; the scalar build keeps it in two u64 (rows
// 0-1 and rows 2-3, the same bytes in memory) and does them with shifts and masks.
// Planes are stored at 16-byte intervals, plane 0 (the least significant bit) first.
//
// The circuit computes S(x) ⊕ 0x63: the affine constant of the S-box (its four NOT gates)
// is left out, and folded into round keys 1..14 instead (see aes256KeySchedule).

import { alloc, mark, release } from '../arena';

export const AES_BLOCK: usize = 16;
/** Blocks per pass of the bitsliced core. */
export const AES_BATCH: usize = 8;
export const AES_BATCH_BYTES: usize = AES_BLOCK * AES_BATCH;
const ROUNDS: usize = 14; // FIPS 197 §5, Nr for Nk = 8
const PLANES_BYTES: usize = 128; // 8 planes of 16 bytes
/** Bitsliced round keys 0..14. */
export const AES256_KS_SIZE: usize = (ROUNDS + 1) * PLANES_BYTES;

// ---- Operations on a plane (v128) or half a plane (u64), written once for both ------------

@inline function X<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.xor(a, b);
  else return a ^ b;
}

@inline function A<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.and(a, b);
  else return a & b;
}

@inline function SHR<T>(a: T, n: i32): T {
  if (isVector<T>()) return i64x2.shr_u(a, n);
  else return a >> <T>n;
}

@inline function SHL<T>(a: T, n: i32): T {
  if (isVector<T>()) return i64x2.shl(a, n);
  else return a << <T>n;
}

@inline function MASK<T>(m: u64): T {
  if (isVector<T>()) return i64x2.splat(m);
  else return <T>m;
}

/**
 * SubBytes on eight planes at p, p + stride, …, p + 7·stride (plane i = bit i), in place,
 * by the Boyar–Peralta circuit without its output NOTs: the result is S(x) ⊕ 0x63.
 * The circuit numbers bits from the most significant: U0 = bit 7, and S0 = bit 7.
 */
@inline function sboxPlanes<T>(p: usize, stride: usize): void {
  const U0 = load<T>(p + 7 * stride);
  const U1 = load<T>(p + 6 * stride);
  const U2 = load<T>(p + 5 * stride);
  const U3 = load<T>(p + 4 * stride);
  const U4 = load<T>(p + 3 * stride);
  const U5 = load<T>(p + 2 * stride);
  const U6 = load<T>(p + 1 * stride);
  const U7 = load<T>(p);

  // Top linear layer: 8 inputs to the 22 values the inversion needs.
  const T1 = X<T>(U0, U3);
  const T2 = X<T>(U0, U5);
  const T3 = X<T>(U0, U6);
  const T4 = X<T>(U3, U5);
  const T5 = X<T>(U4, U6);
  const T6 = X<T>(T1, T5);
  const T7 = X<T>(U1, U2);
  const T8 = X<T>(U7, T6);
  const T9 = X<T>(U7, T7);
  const T10 = X<T>(T6, T7);
  const T11 = X<T>(U1, U5);
  const T12 = X<T>(U2, U5);
  const T13 = X<T>(T3, T4);
  const T14 = X<T>(T6, T11);
  const T15 = X<T>(T5, T11);
  const T16 = X<T>(T5, T12);
  const T17 = X<T>(T9, T16);
  const T18 = X<T>(U3, U7);
  const T19 = X<T>(T7, T18);
  const T20 = X<T>(T1, T19);
  const T21 = X<T>(U6, U7);
  const T22 = X<T>(T7, T21);
  const T23 = X<T>(T2, T22);
  const T24 = X<T>(T2, T10);
  const T25 = X<T>(T20, T17);
  const T26 = X<T>(T3, T16);
  const T27 = X<T>(T1, T12);

  // Middle non-linear layer: inversion in GF(2^8) through GF(2^4), 34 ANDs.
  const M1 = A<T>(T13, T6);
  const M2 = A<T>(T23, T8);
  const M3 = X<T>(T14, M1);
  const M4 = A<T>(T19, U7);
  const M5 = X<T>(M4, M1);
  const M6 = A<T>(T3, T16);
  const M7 = A<T>(T22, T9);
  const M8 = X<T>(T26, M6);
  const M9 = A<T>(T20, T17);
  const M10 = X<T>(M9, M6);
  const M11 = A<T>(T1, T15);
  const M12 = A<T>(T4, T27);
  const M13 = X<T>(M12, M11);
  const M14 = A<T>(T2, T10);
  const M15 = X<T>(M14, M11);
  const M16 = X<T>(M3, M2);
  const M17 = X<T>(M5, T24);
  const M18 = X<T>(M8, M7);
  const M19 = X<T>(M10, M15);
  const M20 = X<T>(M16, M13);
  const M21 = X<T>(M17, M15);
  const M22 = X<T>(M18, M13);
  const M23 = X<T>(M19, T25);
  const M24 = X<T>(M22, M23);
  const M25 = A<T>(M22, M20);
  const M26 = X<T>(M21, M25);
  const M27 = X<T>(M20, M21);
  const M28 = X<T>(M23, M25);
  const M29 = A<T>(M28, M27);
  const M30 = A<T>(M26, M24);
  const M31 = A<T>(M20, M23);
  const M32 = A<T>(M27, M31);
  const M33 = X<T>(M27, M25);
  const M34 = A<T>(M21, M22);
  const M35 = A<T>(M24, M34);
  const M36 = X<T>(M24, M25);
  const M37 = X<T>(M21, M29);
  const M38 = X<T>(M32, M33);
  const M39 = X<T>(M23, M30);
  const M40 = X<T>(M35, M36);
  const M41 = X<T>(M38, M40);
  const M42 = X<T>(M37, M39);
  const M43 = X<T>(M37, M38);
  const M44 = X<T>(M39, M40);
  const M45 = X<T>(M42, M41);
  const M46 = A<T>(M44, T6);
  const M47 = A<T>(M40, T8);
  const M48 = A<T>(M39, U7);
  const M49 = A<T>(M43, T16);
  const M50 = A<T>(M38, T9);
  const M51 = A<T>(M37, T17);
  const M52 = A<T>(M42, T15);
  const M53 = A<T>(M45, T27);
  const M54 = A<T>(M41, T10);
  const M55 = A<T>(M44, T13);
  const M56 = A<T>(M40, T23);
  const M57 = A<T>(M39, T19);
  const M58 = A<T>(M43, T3);
  const M59 = A<T>(M38, T22);
  const M60 = A<T>(M37, T20);
  const M61 = A<T>(M42, T1);
  const M62 = A<T>(M45, T4);
  const M63 = A<T>(M41, T2);

  // Bottom linear layer: back to the 8 output bits (the affine map of FIPS 197 §5.1.1
  // without its constant).
  const L0 = X<T>(M61, M62);
  const L1 = X<T>(M50, M56);
  const L2 = X<T>(M46, M48);
  const L3 = X<T>(M47, M55);
  const L4 = X<T>(M54, M58);
  const L5 = X<T>(M49, M61);
  const L6 = X<T>(M62, L5);
  const L7 = X<T>(M46, L3);
  const L8 = X<T>(M51, M59);
  const L9 = X<T>(M52, M53);
  const L10 = X<T>(M53, L4);
  const L11 = X<T>(M60, L2);
  const L12 = X<T>(M48, M51);
  const L13 = X<T>(M50, L0);
  const L14 = X<T>(M52, M61);
  const L15 = X<T>(M55, L1);
  const L16 = X<T>(M56, L0);
  const L17 = X<T>(M57, L1);
  const L18 = X<T>(M58, L8);
  const L19 = X<T>(M63, L4);
  const L20 = X<T>(L0, L1);
  const L21 = X<T>(L1, L7);
  const L22 = X<T>(L3, L12);
  const L23 = X<T>(L18, L2);
  const L24 = X<T>(L15, L9);
  const L25 = X<T>(L6, L10);
  const L26 = X<T>(L7, L9);
  const L27 = X<T>(L8, L10);
  const L28 = X<T>(L11, L14);
  const L29 = X<T>(L11, L17);
  store<T>(p + 7 * stride, X<T>(L6, L24)); //   S0
  store<T>(p + 6 * stride, X<T>(L16, L26)); //  S1 (a NOT in the S-box)
  store<T>(p + 5 * stride, X<T>(L19, L28)); //  S2 (a NOT)
  store<T>(p + 4 * stride, X<T>(L6, L21)); //   S3
  store<T>(p + 3 * stride, X<T>(L20, L22)); //  S4
  store<T>(p + 2 * stride, X<T>(L25, L29)); //  S5
  store<T>(p + 1 * stride, X<T>(L13, L27)); //  S6 (a NOT)
  store<T>(p, X<T>(L6, L23)); //                S7 (a NOT)
}

/**
 * The 8x8 bit transpose across eight 128-bit values at p, p + 16, …: bit j of byte q of
 * value i trades places with bit i of byte q of value j. Three rounds of "swapmove"
 * (exchange of the bits selected by a mask between two values), for shifts 1, 2, 4.
 * It is its own inverse. `T` is v128, or u64 applied to each half (p and p + 8).
 */
@inline function transpose8<T>(p: usize): void {
  let x0 = load<T>(p, 0);
  let x1 = load<T>(p, 16);
  let x2 = load<T>(p, 32);
  let x3 = load<T>(p, 48);
  let x4 = load<T>(p, 64);
  let x5 = load<T>(p, 80);
  let x6 = load<T>(p, 96);
  let x7 = load<T>(p, 112);
  let t: T;
  const m1 = MASK<T>(0x5555555555555555);
  t = A<T>(X<T>(SHR<T>(x0, 1), x1), m1); x1 = X<T>(x1, t); x0 = X<T>(x0, SHL<T>(t, 1));
  t = A<T>(X<T>(SHR<T>(x2, 1), x3), m1); x3 = X<T>(x3, t); x2 = X<T>(x2, SHL<T>(t, 1));
  t = A<T>(X<T>(SHR<T>(x4, 1), x5), m1); x5 = X<T>(x5, t); x4 = X<T>(x4, SHL<T>(t, 1));
  t = A<T>(X<T>(SHR<T>(x6, 1), x7), m1); x7 = X<T>(x7, t); x6 = X<T>(x6, SHL<T>(t, 1));
  const m2 = MASK<T>(0x3333333333333333);
  t = A<T>(X<T>(SHR<T>(x0, 2), x2), m2); x2 = X<T>(x2, t); x0 = X<T>(x0, SHL<T>(t, 2));
  t = A<T>(X<T>(SHR<T>(x1, 2), x3), m2); x3 = X<T>(x3, t); x1 = X<T>(x1, SHL<T>(t, 2));
  t = A<T>(X<T>(SHR<T>(x4, 2), x6), m2); x6 = X<T>(x6, t); x4 = X<T>(x4, SHL<T>(t, 2));
  t = A<T>(X<T>(SHR<T>(x5, 2), x7), m2); x7 = X<T>(x7, t); x5 = X<T>(x5, SHL<T>(t, 2));
  const m4 = MASK<T>(0x0f0f0f0f0f0f0f0f);
  t = A<T>(X<T>(SHR<T>(x0, 4), x4), m4); x4 = X<T>(x4, t); x0 = X<T>(x0, SHL<T>(t, 4));
  t = A<T>(X<T>(SHR<T>(x1, 4), x5), m4); x5 = X<T>(x5, t); x1 = X<T>(x1, SHL<T>(t, 4));
  t = A<T>(X<T>(SHR<T>(x2, 4), x6), m4); x6 = X<T>(x6, t); x2 = X<T>(x2, SHL<T>(t, 4));
  t = A<T>(X<T>(SHR<T>(x3, 4), x7), m4); x7 = X<T>(x7, t); x3 = X<T>(x3, SHL<T>(t, 4));
  store<T>(p, x0, 0);
  store<T>(p, x1, 16);
  store<T>(p, x2, 32);
  store<T>(p, x3, 48);
  store<T>(p, x4, 64);
  store<T>(p, x5, 80);
  store<T>(p, x6, 96);
  store<T>(p, x7, 112);
}

/**
 * A block between FIPS 197 order (byte r + 4c is row r, column c: §3.4) and plane order
 * (byte 4r + c): the transpose of a 4x4 byte matrix, its own inverse.
 */
@inline function transposeBytes(dst: usize, src: usize): void {
  if (ASC_FEATURE_SIMD) {
    const v = v128.load(src);
    v128.store(dst, i8x16.shuffle(v, v, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  } else {
    let lo = load<u64>(src);
    let hi = load<u64>(src, 8);
    // Swap the 2x2 blocks off the diagonal (columns 0-1, rows 2-3 with columns 2-3, rows 0-1),
    let t = ((lo >> 16) ^ hi) & 0x0000ffff0000ffff;
    hi ^= t;
    lo ^= t << 16;
    // then, inside each 2x2 block, bytes (c, r+1) and (c+1, r) for even c and r.
    t = ((lo >> 24) ^ lo) & 0x00000000ff00ff00;
    lo ^= t ^ (t << 24);
    t = ((hi >> 24) ^ hi) & 0x00000000ff00ff00;
    hi ^= t ^ (t << 24);
    store<u64>(dst, lo);
    store<u64>(dst, hi, 8);
  }
}

// The bit transpose, out of line: aesLoad and aesStore share one copy.
function transposePlanes(st: usize): void {
  if (ASC_FEATURE_SIMD) {
    transpose8<v128>(st);
  } else {
    transpose8<u64>(st);
    transpose8<u64>(st + 8);
  }
}

/** Eight blocks at `src` (128 bytes) into bitsliced planes at `st`. */
export function aesLoad(st: usize, src: usize): void {
  for (let k: usize = 0; k < AES_BATCH; k++) transposeBytes(st + (k << 4), src + (k << 4));
  transposePlanes(st);
}

/** Bitsliced planes at `st` back to eight blocks at `dst` (128 bytes); `st` is left scrambled. */
export function aesStore(dst: usize, st: usize): void {
  transposePlanes(st);
  for (let k: usize = 0; k < AES_BATCH; k++) transposeBytes(dst + (k << 4), st + (k << 4));
}

/** SubBytes of eight blocks in plane form, without the constant 0x63. */
export function aesSubBytesPlanes(st: usize): void {
  if (ASC_FEATURE_SIMD) {
    sboxVector(st);
  } else {
    sboxHalf(st);
    sboxHalf(st + 8);
  }
}

// One out-of-line copy of the circuit per build: on whole planes (SIMD), or on each half
// of the planes (scalar). The key schedule's SubWord uses the same copy.
function sboxVector(p: usize): void {
  if (ASC_FEATURE_SIMD) sboxPlanes<v128>(p, 16);
}

function sboxHalf(p: usize): void {
  if (!ASC_FEATURE_SIMD) sboxPlanes<u64>(p, 16);
}

// ---- ShiftRows, MixColumns, AddRoundKey -------------------------------------------------

// §5.1.2 ShiftRows: row r moves left by r, s'[r][c] = s[r][(c + r) mod 4]: lane r of a
// plane rotates right by r bytes.
@inline function shiftRowsV(x: v128): v128 {
  return i8x16.shuffle(x, x, 0, 1, 2, 3, 5, 6, 7, 4, 10, 11, 8, 9, 15, 12, 13, 14);
}

// Row r takes row r + 1 (mod 4), and row r + 2 (also aes-decrypt.ts's InvMixColumns).
@inline export function rot1V(x: v128): v128 {
  return i8x16.shuffle(x, x, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3);
}

@inline export function rot2V(x: v128): v128 {
  return i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
}

/**
 * ShiftRows, MixColumns (when `mix`) and AddRoundKey on the planes at `st`, SIMD build.
 *
 * §5.1.3: s'[r] = 2·s[r] ⊕ 3·s[r+1] ⊕ s[r+2] ⊕ s[r+3] for each column. With
 * u = s ⊕ rot1(s) that is 2·u ⊕ rot1(s) ⊕ rot2(u), where rot_k(s)[r] = s[r+k]. Doubling
 * in GF(2^8) (xtime, §4.2.1, modulus x^8 + x^4 + x^3 + x + 1) moves plane i to i + 1 and
 * adds plane 7 into planes 0, 1, 3 and 4.
 */
function roundLinearV(st: usize, rk: usize, mix: bool): void {
  const a0 = shiftRowsV(v128.load(st, 0));
  const a1 = shiftRowsV(v128.load(st, 16));
  const a2 = shiftRowsV(v128.load(st, 32));
  const a3 = shiftRowsV(v128.load(st, 48));
  const a4 = shiftRowsV(v128.load(st, 64));
  const a5 = shiftRowsV(v128.load(st, 80));
  const a6 = shiftRowsV(v128.load(st, 96));
  const a7 = shiftRowsV(v128.load(st, 112));
  if (!mix) {
    v128.store(st, v128.xor(a0, v128.load(rk, 0)), 0);
    v128.store(st, v128.xor(a1, v128.load(rk, 16)), 16);
    v128.store(st, v128.xor(a2, v128.load(rk, 32)), 32);
    v128.store(st, v128.xor(a3, v128.load(rk, 48)), 48);
    v128.store(st, v128.xor(a4, v128.load(rk, 64)), 64);
    v128.store(st, v128.xor(a5, v128.load(rk, 80)), 80);
    v128.store(st, v128.xor(a6, v128.load(rk, 96)), 96);
    v128.store(st, v128.xor(a7, v128.load(rk, 112)), 112);
    return;
  }
  const r0 = rot1V(a0);
  const r1 = rot1V(a1);
  const r2 = rot1V(a2);
  const r3 = rot1V(a3);
  const r4 = rot1V(a4);
  const r5 = rot1V(a5);
  const r6 = rot1V(a6);
  const r7 = rot1V(a7);
  const u0 = v128.xor(a0, r0);
  const u1 = v128.xor(a1, r1);
  const u2 = v128.xor(a2, r2);
  const u3 = v128.xor(a3, r3);
  const u4 = v128.xor(a4, r4);
  const u5 = v128.xor(a5, r5);
  const u6 = v128.xor(a6, r6);
  const u7 = v128.xor(a7, r7);
  // o_i = xtime(u)_i ⊕ r_i ⊕ rot2(u_i) ⊕ rk_i
  v128.store(st, v128.xor(v128.xor(u7, r0), v128.xor(rot2V(u0), v128.load(rk, 0))), 0);
  v128.store(st, v128.xor(v128.xor(v128.xor(u0, u7), r1), v128.xor(rot2V(u1), v128.load(rk, 16))), 16);
  v128.store(st, v128.xor(v128.xor(u1, r2), v128.xor(rot2V(u2), v128.load(rk, 32))), 32);
  v128.store(st, v128.xor(v128.xor(v128.xor(u2, u7), r3), v128.xor(rot2V(u3), v128.load(rk, 48))), 48);
  v128.store(st, v128.xor(v128.xor(v128.xor(u3, u7), r4), v128.xor(rot2V(u4), v128.load(rk, 64))), 64);
  v128.store(st, v128.xor(v128.xor(u4, r5), v128.xor(rot2V(u5), v128.load(rk, 80))), 80);
  v128.store(st, v128.xor(v128.xor(u5, r6), v128.xor(rot2V(u6), v128.load(rk, 96))), 96);
  v128.store(st, v128.xor(v128.xor(u6, r7), v128.xor(rot2V(u7), v128.load(rk, 112))), 112);
}

// Scalar build: a plane is (lo, hi) = (rows 0-1, rows 2-3), each row a 32-bit half.
@inline function shiftRowsLo(lo: u64): u64 {
  // row 0 stays; row 1 rotates right by one byte within its 32 bits
  return (lo & 0x00000000ffffffff) | ((lo >> 8) & 0x00ffffff00000000) | ((lo << 24) & 0xff00000000000000);
}

@inline function shiftRowsHi(hi: u64): u64 {
  // row 2 rotates by two bytes, row 3 right by three (left by one)
  return ((hi >> 16) & 0x000000000000ffff) | ((hi << 16) & 0x00000000ffff0000) |
    ((hi << 8) & 0xffffff0000000000) | ((hi >> 24) & 0x000000ff00000000);
}

/** The scalar counterpart of roundLinearV: plane i is (lo_i, hi_i) at st + 16i, st + 16i + 8. */
function roundLinearS(st: usize, rk: usize, mix: bool): void {
  if (!mix) {
    for (let i: usize = 0; i < 128; i += 16) {
      store<u64>(st + i, shiftRowsLo(load<u64>(st + i)) ^ load<u64>(rk + i));
      store<u64>(st + i, shiftRowsHi(load<u64>(st + i, 8)) ^ load<u64>(rk + i, 8), 8);
    }
    return;
  }
  const l0 = shiftRowsLo(load<u64>(st, 0)), h0 = shiftRowsHi(load<u64>(st, 8));
  const l1 = shiftRowsLo(load<u64>(st, 16)), h1 = shiftRowsHi(load<u64>(st, 24));
  const l2 = shiftRowsLo(load<u64>(st, 32)), h2 = shiftRowsHi(load<u64>(st, 40));
  const l3 = shiftRowsLo(load<u64>(st, 48)), h3 = shiftRowsHi(load<u64>(st, 56));
  const l4 = shiftRowsLo(load<u64>(st, 64)), h4 = shiftRowsHi(load<u64>(st, 72));
  const l5 = shiftRowsLo(load<u64>(st, 80)), h5 = shiftRowsHi(load<u64>(st, 88));
  const l6 = shiftRowsLo(load<u64>(st, 96)), h6 = shiftRowsHi(load<u64>(st, 104));
  const l7 = shiftRowsLo(load<u64>(st, 112)), h7 = shiftRowsHi(load<u64>(st, 120));
  // rot1: rows (1, 2 | 3, 0); then u = a ⊕ rot1(a), whose rot2 swaps the halves.
  const rl0 = (l0 >> 32) | (h0 << 32), rh0 = (h0 >> 32) | (l0 << 32);
  const rl1 = (l1 >> 32) | (h1 << 32), rh1 = (h1 >> 32) | (l1 << 32);
  const rl2 = (l2 >> 32) | (h2 << 32), rh2 = (h2 >> 32) | (l2 << 32);
  const rl3 = (l3 >> 32) | (h3 << 32), rh3 = (h3 >> 32) | (l3 << 32);
  const rl4 = (l4 >> 32) | (h4 << 32), rh4 = (h4 >> 32) | (l4 << 32);
  const rl5 = (l5 >> 32) | (h5 << 32), rh5 = (h5 >> 32) | (l5 << 32);
  const rl6 = (l6 >> 32) | (h6 << 32), rh6 = (h6 >> 32) | (l6 << 32);
  const rl7 = (l7 >> 32) | (h7 << 32), rh7 = (h7 >> 32) | (l7 << 32);
  const ul0 = l0 ^ rl0, uh0 = h0 ^ rh0;
  const ul1 = l1 ^ rl1, uh1 = h1 ^ rh1;
  const ul2 = l2 ^ rl2, uh2 = h2 ^ rh2;
  const ul3 = l3 ^ rl3, uh3 = h3 ^ rh3;
  const ul4 = l4 ^ rl4, uh4 = h4 ^ rh4;
  const ul5 = l5 ^ rl5, uh5 = h5 ^ rh5;
  const ul6 = l6 ^ rl6, uh6 = h6 ^ rh6;
  const ul7 = l7 ^ rl7, uh7 = h7 ^ rh7;
  store<u64>(st, ul7 ^ rl0 ^ uh0 ^ load<u64>(rk, 0), 0);
  store<u64>(st, uh7 ^ rh0 ^ ul0 ^ load<u64>(rk, 8), 8);
  store<u64>(st, ul0 ^ ul7 ^ rl1 ^ uh1 ^ load<u64>(rk, 16), 16);
  store<u64>(st, uh0 ^ uh7 ^ rh1 ^ ul1 ^ load<u64>(rk, 24), 24);
  store<u64>(st, ul1 ^ rl2 ^ uh2 ^ load<u64>(rk, 32), 32);
  store<u64>(st, uh1 ^ rh2 ^ ul2 ^ load<u64>(rk, 40), 40);
  store<u64>(st, ul2 ^ ul7 ^ rl3 ^ uh3 ^ load<u64>(rk, 48), 48);
  store<u64>(st, uh2 ^ uh7 ^ rh3 ^ ul3 ^ load<u64>(rk, 56), 56);
  store<u64>(st, ul3 ^ ul7 ^ rl4 ^ uh4 ^ load<u64>(rk, 64), 64);
  store<u64>(st, uh3 ^ uh7 ^ rh4 ^ ul4 ^ load<u64>(rk, 72), 72);
  store<u64>(st, ul4 ^ rl5 ^ uh5 ^ load<u64>(rk, 80), 80);
  store<u64>(st, uh4 ^ rh5 ^ ul5 ^ load<u64>(rk, 88), 88);
  store<u64>(st, ul5 ^ rl6 ^ uh6 ^ load<u64>(rk, 96), 96);
  store<u64>(st, uh5 ^ rh6 ^ ul6 ^ load<u64>(rk, 104), 104);
  store<u64>(st, ul6 ^ rl7 ^ uh7 ^ load<u64>(rk, 112), 112);
  store<u64>(st, uh6 ^ rh7 ^ ul7 ^ load<u64>(rk, 120), 120);
}

/** AddRoundKey over the eight planes (also aes-decrypt.ts's). */
@inline export function addRoundKey(st: usize, rk: usize): void {
  for (let i: usize = 0; i < PLANES_BYTES; i += 16) {
    if (ASC_FEATURE_SIMD) {
      v128.store(st + i, v128.xor(v128.load(st + i), v128.load(rk + i)));
    } else {
      store<u64>(st + i, load<u64>(st + i) ^ load<u64>(rk + i));
      store<u64>(st + i, load<u64>(st + i, 8) ^ load<u64>(rk + i, 8), 8);
    }
  }
}

/** §5.1 Cipher(): encrypts the eight blocks held as planes at `st` in place. */
export function aes256EncryptPlanes(ks: usize, st: usize): void {
  addRoundKey(st, ks);
  for (let r: usize = 1; r <= ROUNDS; r++) {
    aesSubBytesPlanes(st);
    // The last round has no MixColumns (§5.1).
    if (ASC_FEATURE_SIMD) roundLinearV(st, ks + r * PLANES_BYTES, r < ROUNDS);
    else roundLinearS(st, ks + r * PLANES_BYTES, r < ROUNDS);
  }
}

/**
 * Encrypts eight blocks: `src` to `dst` (128 bytes each; they may be the same), with the
 * planes at `st` (128 bytes of scratch, left holding key-dependent data for the caller's
 * wipe).
 */
export function aes256Encrypt8(ks: usize, st: usize, src: usize, dst: usize): void {
  aesLoad(st, src);
  aes256EncryptPlanes(ks, st);
  aesStore(dst, st);
}

// ---- Key expansion (§5.2) ------------------------------------------------------------------

/**
 * SubWord of §5.2 through the circuit: the four bytes sit in bits 0, 8, 16 and 24 of the
 * first 32 bits of each plane (`planes`: 128 bytes, the rest zero), so one half-plane pass
 * of the circuit covers them.
 */
function subWord(w: u32, planes: usize): u32 {
  for (let i: usize = 0; i < 8; i++) store<u32>(planes + (i << 4), (w >> <u32>i) & 0x01010101);
  if (ASC_FEATURE_SIMD) sboxVector(planes);
  else sboxHalf(planes);
  let r: u32 = 0;
  for (let i: usize = 0; i < 8; i++) r |= load<u32>(planes + (i << 4)) << <u32>i;
  // The circuit leaves out the S-box constant; a word needs the true S-box.
  return r ^ 0x63636363;
}

/**
 * Expands a 32-byte key into the bitsliced round keys at `ks` (AES256_KS_SIZE bytes).
 * Round keys 1..14 carry the S-box constant 0x63 in every byte: each of them follows a
 * SubBytes whose circuit left the constant out, and ShiftRows and MixColumns map a state of
 * identical bytes c to itself (2c ⊕ 3c ⊕ c ⊕ c = c), so the constant passes straight
 * through to the key addition.
 */
export function aes256KeySchedule(ks: usize, key: usize): void {
  const m = mark();
  const w = alloc(4 * 4 * (ROUNDS + 1)); // the 60 words w[i] of §5.2, as bytes
  const planes = alloc(PLANES_BYTES);
  memory.copy(w, key, 32);
  // Rcon[i/Nk] = x^(i/Nk - 1) in GF(2^8), in the first byte of the word.
  let rcon: u32 = 1;
  for (let i: usize = 8; i < 4 * (ROUNDS + 1); i++) {
    let temp = load<u32>(w + ((i - 1) << 2)); // bytes in order: byte 0 is the low 8 bits
    if ((i & 7) == 0) {
      // SubWord(RotWord(temp)) ⊕ Rcon; RotWord moves byte 0 to the end.
      temp = subWord(rotr<u32>(temp, 8), planes) ^ rcon;
      rcon <<= 1; // no reduction needed: AES-256 uses Rcon[1..7] = 0x01..0x40
    } else if ((i & 7) == 4) {
      temp = subWord(temp, planes); // Nk > 6
    }
    store<u32>(w + (i << 2), load<u32>(w + ((i - 8) << 2)) ^ temp);
  }
  // Each round key becomes planes whose bytes are 0x00 or 0xff: the same key bit for all
  // eight blocks (what aesLoad would make of the key copied into every block slot).
  for (let r: usize = 0; r <= ROUNDS; r++) {
    const rk = ks + r * PLANES_BYTES;
    transposeBytes(rk, w + (r << 4));
    // 0x63 = bits 0, 1, 5, 6: in round keys 1..14, complement those planes.
    const c: u32 = r > 0 ? 0x63 : 0;
    if (ASC_FEATURE_SIMD) {
      const v = v128.load(rk);
      for (let i = 7; i >= 0; i--) {
        // Bit i of each byte to the top, then copied across the byte by an arithmetic shift.
        let p = i8x16.shr_s(i8x16.shl(v, <u32>(7 - i)), 7);
        if ((c >> <u32>i) & 1) p = v128.not(p);
        v128.store(rk + (<usize>i << 4), p);
      }
    } else {
      const lo = load<u64>(rk);
      const hi = load<u64>(rk, 8);
      for (let i = 7; i >= 0; i--) {
        const flip: u64 = (c >> <u32>i) & 1 ? ~(<u64>0) : 0;
        // Each byte 0 or 1, times 255 as (b << 8) - b: 0x00 or 0xff.
        const bl = (lo >> <u64>i) & 0x0101010101010101;
        const bh = (hi >> <u64>i) & 0x0101010101010101;
        store<u64>(rk + (<usize>i << 4), ((bl << 8) - bl) ^ flip);
        store<u64>(rk + (<usize>i << 4), ((bh << 8) - bh) ^ flip, 8);
      }
    }
  }
  release(m);
}

/** Test only: SubBytes of [ptr, ptr + len) in place through the bitsliced circuit. */
export function aesSubBytes(ptr: usize, len: usize): void {
  const m = mark();
  const st = alloc(PLANES_BYTES);
  const buf = alloc(AES_BATCH_BYTES);
  for (let off: usize = 0; off < len; off += AES_BATCH_BYTES) {
    let n = len - off;
    if (n > AES_BATCH_BYTES) n = AES_BATCH_BYTES;
    memory.fill(buf, 0, AES_BATCH_BYTES);
    memory.copy(buf, ptr + off, n);
    aesLoad(st, buf);
    aesSubBytesPlanes(st);
    aesStore(buf, st);
    for (let i: usize = 0; i < n; i++) store<u8>(ptr + off + i, load<u8>(buf + i) ^ 0x63);
  }
  release(m);
}
