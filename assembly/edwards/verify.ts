// Ed25519 and Ed25519ph verification, RFC 8032 §5.1.7, cofactorless: the signature R || S
// of M under A is valid when A decodes, S < L and [S]B = R + [k]A with
// k = SHA-512(dom2 || R || A || M) mod L, the check OpenSSL (and so node:crypto), BoringSSL
// and Go make. Every input is public, so this file is variable time.
//
// Decoding (§5.1.3) is strict: a y of p or more, and x = 0 with the sign bit set, are refused.
// R is not decoded: [S]B - [k]A is computed and encoded, and its 32 bytes compared with R's.
// That accepts exactly the R that strict decoding accepts and that satisfy the equation: an
// encoding this code produces is canonical, so a non-canonical R never matches, and a
// canonical R matches only the point it encodes.
//
// The multiplication is Straus-Shamir with width-w non-adjacent forms: one chain of doublings
// for both scalars, adding odd multiples of -A (w = 5: 8 points, kept for the last 4 keys) and
// of B (w = 8: 64 points, computed once per instance like the signing table). Points in the loop are kept
// "completed" ((E : H : G : F) with x = E/G, y = H/F, what the formulas of ./point produce before
// their last four multiplications): a doubling followed by a doubling needs only X, Y, Z (3
// multiplications), an addition T as well (4).

import { alloc, mark, release } from '../arena';
import { sha512Update, sha512Final, SHA512_STATE_SIZE } from '../symmetric/sha512';
import {
  FE_SIZE, FE_D, FE_D2, FE_BX, FE_BY, FE_SQRTM1, feAdd, feSub, feNeg, feMul, feSqr, feSqr2,
  feCarry, feCopy, feOne, feInvert, feToBytes, feFromBytes, fePow22523,
} from './field';
import { EXT_SIZE, NIELS_SIZE, POINT_TMP_SIZE, extAdd, extDouble, nielsFromExt } from './point';
import { scReduce512, scIsCanonicalVartime } from './modl';
import { hashStart } from './sign';

const X: usize = 0;
const Y: usize = FE_SIZE;
const Z: usize = 2 * FE_SIZE;
const T: usize = 3 * FE_SIZE;

/** A point in cached form: (Y + X, Y - X, 2 Z, 2 d T), for additions of a projective point. */
const CACHED_SIZE: usize = 4 * FE_SIZE;

const B_WIDTH: i32 = 8;
const B_POINTS: i32 = 1 << (B_WIDTH - 2); // 1B, 3B, ..., 127B
const A_WIDTH: i32 = 5;
const A_POINTS: i32 = 1 << (A_WIDTH - 2); // 1A, 3A, ..., 15A

const bTable: usize = memory.data(B_POINTS * <i32>NIELS_SIZE, 64);
let bTableReady = false;

/** The odd multiples of B in Niels form, built on first use (public data). */
function ensureBTable(): void {
  if (bTableReady) return;
  const m = mark();
  const pts = alloc(<usize>B_POINTS * EXT_SIZE);
  const prefix = alloc(<usize>B_POINTS * FE_SIZE);
  const b2 = alloc(EXT_SIZE);
  const tmp = alloc(POINT_TMP_SIZE);
  const inv = alloc(FE_SIZE);
  const zi = alloc(FE_SIZE);
  feCopy(pts + X, FE_BX);
  feCopy(pts + Y, FE_BY);
  feOne(pts + Z);
  feMul(pts + T, FE_BX, FE_BY);
  extDouble(b2, pts, tmp);
  for (let i = 1; i < B_POINTS; i++) {
    extAdd(pts + <usize>i * EXT_SIZE, pts + <usize>(i - 1) * EXT_SIZE, b2, tmp);
  }
  // One inversion for all the Z (Montgomery's trick), then each point to Niels form.
  feCopy(prefix, pts + Z);
  for (let i = 1; i < B_POINTS; i++) {
    feMul(prefix + <usize>i * FE_SIZE, prefix + <usize>(i - 1) * FE_SIZE, pts + <usize>i * EXT_SIZE + Z);
  }
  feInvert(inv, prefix + <usize>(B_POINTS - 1) * FE_SIZE, alloc(4 * FE_SIZE));
  for (let i = B_POINTS - 1; i > 0; i--) {
    const p = pts + <usize>i * EXT_SIZE;
    feMul(zi, inv, prefix + <usize>(i - 1) * FE_SIZE);
    feMul(inv, inv, p + Z);
    nielsFromExt(bTable + <usize>i * NIELS_SIZE, p, zi, tmp);
  }
  nielsFromExt(bTable, pts, inv, tmp);
  release(m);
  bTableReady = true;
}

// ---- Field tests (variable time) ------------------------------------------------------

function feIsZeroVartime(f: usize, scratch32: usize): bool {
  feToBytes(scratch32, f);
  return load<u64>(scratch32) == 0 && load<u64>(scratch32, 8) == 0 && load<u64>(scratch32, 16) == 0 &&
    load<u64>(scratch32, 24) == 0;
}

function feIsOddVartime(f: usize, scratch32: usize): bool {
  feToBytes(scratch32, f);
  return (load<u8>(scratch32) & 1) != 0;
}

// ---- Decoding ---------------------------------------------------------------------------

/** Whether the 32 bytes at `s` (bit 255 ignored) are p = 2^255 - 19 or more. */
function yNonCanonical(s: usize): bool {
  if ((load<u8>(s + 31) & 0x7f) != 0x7f) return false;
  for (let i: usize = 30; i >= 1; i--) if (load<u8>(s + i) != 0xff) return false;
  return load<u8>(s) >= 0xed;
}

/**
 * r (extended) = the point encoded at `s` (RFC 8032 §5.1.3), or false when the encoding is
 * refused: y not below p, x^2 = (y^2 - 1) / (d y^2 + 1) not a square, or x = 0 with the sign
 * bit set.
 */
export function decodePointVartime(r: usize, s: usize): bool {
  if (yNonCanonical(s)) return false;
  const m = mark();
  const u = alloc(FE_SIZE);
  const v = alloc(FE_SIZE);
  const v3 = alloc(FE_SIZE);
  const t = alloc(FE_SIZE);
  const x = alloc(FE_SIZE);
  const chk = alloc(FE_SIZE);
  const tmp = alloc(3 * FE_SIZE);
  const b32 = alloc(32);
  const y = r + Y;
  feFromBytes(y, s);
  // u = y^2 - 1, v = d y^2 + 1
  feSqr(u, y);
  feMul(v, u, FE_D);
  store<i32>(u, load<i32>(u) - 1);
  store<i32>(v, load<i32>(v) + 1);
  // x = u v^3 (u v^7)^((p-5)/8)
  feSqr(v3, v);
  feMul(v3, v3, v); //      v^3
  feSqr(t, v3);
  feMul(t, t, v); //        v^7
  feMul(t, t, u); //        u v^7
  fePow22523(t, t, tmp);
  feMul(t, t, v3);
  feMul(x, t, u);
  // v x^2 is u (x is a root), -u (x sqrt(-1) is), or neither (no root).
  feSqr(chk, x);
  feMul(chk, chk, v);
  feSub(t, chk, u);
  let ok = true;
  if (!feIsZeroVartime(t, b32)) {
    feAdd(t, chk, u);
    if (feIsZeroVartime(t, b32)) feMul(x, x, FE_SQRTM1);
    else ok = false;
  }
  const sign = (load<u8>(s + 31) >> 7) != 0;
  if (ok && sign && feIsZeroVartime(x, b32)) ok = false;
  if (ok) {
    if (feIsOddVartime(x, b32) != sign) feNeg(x, x);
    feCarry(r + X, x);
    feOne(r + Z);
    feMul(r + T, r + X, y);
  }
  release(m);
  return ok;
}

// ---- Points for the double multiplication -----------------------------------------------

/** (X : Y : Z) from completed (E : H : G : F): X = E F, Y = H G, Z = G F. */
function completedToProjective(r: usize, c: usize): void {
  feMul(r + X, c + X, c + T);
  feMul(r + Y, c + Y, c + Z);
  feMul(r + Z, c + Z, c + T);
}

/** (X : Y : Z : T) from completed: the three above and T = E H. */
function completedToExtended(r: usize, c: usize): void {
  feMul(r + X, c + X, c + T);
  feMul(r + Y, c + Y, c + Z);
  feMul(r + Z, c + Z, c + T);
  feMul(r + T, c + X, c + Y);
}

/** c (completed) = 2p for p's X, Y, Z (dbl-2008-hwcd, as extDouble in ./point). */
function dblCompleted(c: usize, p: usize, a: usize): void {
  const b = a + FE_SIZE;
  const cc = a + 2 * FE_SIZE;
  feSqr(a, p + X); //         A = X^2
  feSqr(b, p + Y); //         B = Y^2
  feSqr2(cc, p + Z); //       C = 2 Z^2
  feAdd(c + X, p + X, p + Y);
  feSqr(c + X, c + X);
  feAdd(c + Y, a, b); //      A + B
  feSub(c + X, c + X, c + Y); // E = (X + Y)^2 - A - B
  feNeg(c + Y, c + Y); //     H = -A - B
  feSub(c + Z, b, a); //      G = B - A
  feSub(c + T, c + Z, cc); // F = G - C
}

/**
 * c (completed) = p ± q for p extended and q cached (Y2 + X2, Y2 - X2, 2 Z2, 2 d T2): with
 * A = (Y1 - X1)(Y2 - X2), B = (Y1 + X1)(Y2 + X2), C = T1 2dT2, D = Z1 2Z2, the result is
 * (B - A : B + A : D + C : D - C). Subtracting q = adding -q = (Y2 - X2, Y2 + X2, 2 Z2, -2dT2):
 * the first two factors swap and C changes sign. `a` is 4 elements of scratch.
 */
function addCached(c: usize, p: usize, q: usize, sub: bool, a: usize): void {
  const d = a + 3 * FE_SIZE;
  feMul(d, p + Z, q + 2 * FE_SIZE); // D
  addCommon(c, p, q, q + 3 * FE_SIZE, sub, a);
}

/** The same for q in Niels form (y + x, y - x, 2dxy), Z2 = 1: D = 2 Z1. */
function addNiels(c: usize, p: usize, q: usize, sub: bool, a: usize): void {
  const d = a + 3 * FE_SIZE;
  feAdd(d, p + Z, p + Z); // D
  addCommon(c, p, q, q + 2 * FE_SIZE, sub, a);
}

/** The rest of both additions, D already in a[3]; q2d is q's 2dT2 (or 2dxy). */
@inline function addCommon(c: usize, p: usize, q: usize, q2d: usize, sub: bool, a: usize): void {
  const b = a + FE_SIZE;
  const cc = a + 2 * FE_SIZE;
  const d = a + 3 * FE_SIZE;
  const qp = sub ? q + FE_SIZE : q;
  const qm = sub ? q : q + FE_SIZE;
  feAdd(a, p + Y, p + X);
  feMul(b, a, qp); //           B
  feSub(a, p + Y, p + X);
  feMul(a, a, qm); //           A
  feMul(cc, p + T, q2d); //     C (of +q)
  feSub(c + X, b, a); //        E = B - A
  feAdd(c + Y, b, a); //        H = B + A
  if (sub) {
    feSub(c + Z, d, cc); //     G = D - C
    feAdd(c + T, d, cc); //     F = D + C
  } else {
    feAdd(c + Z, d, cc); //     G = D + C
    feSub(c + T, d, cc); //     F = D - C
  }
}

/** q (cached) from p (extended): (Y + X, Y - X, 2 Z, 2 d T), carried. */
function toCached(q: usize, p: usize, a: usize): void {
  feAdd(a, p + Y, p + X);
  feCarry(q, a);
  feSub(a, p + Y, p + X);
  feCarry(q + FE_SIZE, a);
  feAdd(a, p + Z, p + Z);
  feCarry(q + 2 * FE_SIZE, a);
  feMul(q + 3 * FE_SIZE, p + T, FE_D2);
}

// ---- Width-w NAF -------------------------------------------------------------------------

/** Digits of the width-w NAF at naf (NAF_LEN i8, zeroed here) of the 32-byte little-endian k
 * (k < 2^253): k = sum naf_i 2^i, every nonzero digit odd and below 2^(w-1) in absolute value,
 * at least w - 1 zeros after each. `k` must have 8 readable bytes after its 32. */
const NAF_LEN: i32 = 264;

function wnaf(naf: usize, k: usize, w: i32): void {
  memory.fill(naf, 0, <usize>NAF_LEN);
  const full: i32 = (1 << w) - 1;
  const half: i32 = 1 << (w - 1);
  let carry: i32 = 0;
  let pos: i32 = 0;
  while (pos < 256) {
    const bits = <i32>(load<u32>(k + <usize>(pos >> 3)) >> <u32>(pos & 7)) & full;
    if ((bits & 1) == carry) {
      pos++;
      continue;
    }
    const window = bits + carry; // odd, below 2^w
    if (window & half) {
      store<i8>(naf + <usize>pos, <i8>(window - (1 << w)));
      carry = 1;
    } else {
      store<i8>(naf + <usize>pos, <i8>window);
      carry = 0;
    }
    pos += w;
  }
  if (carry) store<i8>(naf + <usize>pos, 1);
}

// ---- The tables of the last public keys ----------------------------------------------------

// Verification with one key over and over (what a KMS key does) decodes A (a square root: as
// much as an inversion) and builds its 8 odd multiples every time; the tables of the last
// A_KEYS keys are kept instead, by their 32-byte encodings, in a static region (public data:
// wipe() leaves it). Only keys that decoded are kept.
const A_KEYS: i32 = 4;
const A_TABLE_BYTES: usize = <usize>A_POINTS * CACHED_SIZE;
const A_ENTRY_BYTES: usize = 32 + A_TABLE_BYTES;
const aKeys: usize = memory.data(<i32>(<usize>A_KEYS * A_ENTRY_BYTES), 16);
let aKeysFilled: i32 = 0;
let aKeysNext: i32 = 0;

/** The cached table of the key encoded at `pub`, or 0. */
function aTableLookup(pub: usize): usize {
  for (let e = 0; e < aKeysFilled; e++) {
    const entry = aKeys + <usize>e * A_ENTRY_BYTES;
    if (
      load<u64>(entry) == load<u64>(pub) &&
      load<u64>(entry, 8) == load<u64>(pub, 8) &&
      load<u64>(entry, 16) == load<u64>(pub, 16) &&
      load<u64>(entry, 24) == load<u64>(pub, 24)
    ) {
      return entry + 32;
    }
  }
  return 0;
}

/** Keeps the table of the key at `pub`, replacing the oldest once all entries are used. */
function aTableInsert(pub: usize, table: usize): void {
  const entry = aKeys + <usize>aKeysNext * A_ENTRY_BYTES;
  memory.copy(entry, pub, 32);
  memory.copy(entry + 32, table, A_TABLE_BYTES);
  aKeysNext = (aKeysNext + 1) % A_KEYS;
  if (aKeysFilled < A_KEYS) aKeysFilled++;
}

// ---- The check ----------------------------------------------------------------------------

/**
 * Whether sig (64 bytes) is a valid signature of [msg, msg + msgLen) under the 32-byte public
 * key at `pub`; with `ph`, Ed25519ph (dom2(1, "")) on the 64-byte digest at msg.
 */
export function ed25519VerifyVartime(pub: usize, msg: usize, msgLen: usize, sig: usize, ph: bool): bool {
  // S < L (§5.1.7 step 1: "If any of the decodings fail (including S being out of range)").
  if (!scIsCanonicalVartime(sig + 32)) return false;
  ensureBTable();
  const m = mark();
  const tmp = alloc(4 * FE_SIZE);
  const c = alloc(EXT_SIZE);
  // Odd multiples of -A, cached: -A, -3A, ..., -15A; kept for the last keys (public data).
  let aTab = aTableLookup(pub);
  if (aTab == 0) {
    const a = alloc(EXT_SIZE);
    if (!decodePointVartime(a, pub)) {
      release(m);
      return false;
    }
    aTab = alloc(<usize>A_POINTS * CACHED_SIZE);
    const na = alloc(EXT_SIZE);
    const e = alloc(EXT_SIZE);
    const twoA = alloc(CACHED_SIZE);
    feNeg(na + X, a + X);
    feCopy(na + Y, a + Y);
    feCopy(na + Z, a + Z);
    feNeg(na + T, a + T);
    toCached(aTab, na, tmp);
    dblCompleted(c, na, tmp);
    completedToExtended(e, c);
    toCached(twoA, e, tmp);
    memory.copy(e, na, EXT_SIZE);
    for (let i = 1; i < A_POINTS; i++) {
      addCached(c, e, twoA, false, tmp);
      completedToExtended(e, c);
      toCached(aTab + <usize>i * CACHED_SIZE, e, tmp);
    }
    aTableInsert(pub, aTab);
  }
  // k = SHA-512(dom2 || R || A || M) mod L, padded for wnaf's reads.
  const st = alloc(SHA512_STATE_SIZE);
  const k = alloc(64);
  const sc = alloc(40);
  hashStart(st, ph);
  sha512Update(st, sig, 32);
  sha512Update(st, pub, 32);
  sha512Update(st, msg, msgLen);
  sha512Final(st, k);
  scReduce512(k, k);
  memory.fill(k + 32, 0, 32);
  memory.copy(sc, sig + 32, 32);
  const nafK = alloc(<usize>NAF_LEN);
  const nafS = alloc(<usize>NAF_LEN);
  wnaf(nafK, k, A_WIDTH);
  wnaf(nafS, sc, B_WIDTH);
  // From the highest nonzero digit down: double, then add the digits' points.
  let top = NAF_LEN - 1;
  while (top >= 0 && load<i8>(nafK + <usize>top) == 0 && load<i8>(nafS + <usize>top) == 0) top--;
  const p = alloc(EXT_SIZE);
  feOne(p + Y);
  feOne(p + Z);
  for (let i = top; i >= 0; i--) {
    dblCompleted(c, p, tmp);
    const dk = <i32>load<i8>(nafK + <usize>i);
    const ds = <i32>load<i8>(nafS + <usize>i);
    if (dk != 0) {
      completedToExtended(p, c);
      const idx = dk > 0 ? dk : -dk;
      addCached(c, p, aTab + <usize>(idx >> 1) * CACHED_SIZE, dk < 0, tmp);
    }
    if (ds != 0) {
      completedToExtended(p, c);
      const idx = ds > 0 ? ds : -ds;
      addNiels(c, p, bTable + <usize>(idx >> 1) * NIELS_SIZE, ds < 0, tmp);
    }
    completedToProjective(p, c);
  }
  // Encode [S]B - [k]A and compare with R.
  const enc = alloc(32);
  const zi = alloc(FE_SIZE);
  const xa = alloc(FE_SIZE);
  feInvert(zi, p + Z, tmp);
  feMul(xa, p + X, zi);
  feMul(zi, p + Y, zi);
  feToBytes(enc, zi);
  const xb = alloc(32);
  feToBytes(xb, xa);
  store<u8>(enc + 31, load<u8>(enc + 31) | (<u8>(load<u8>(xb) & 1) << 7));
  let same = true;
  for (let i: usize = 0; i < 32; i++) if (load<u8>(enc + i) != load<u8>(sig + i)) same = false;
  release(m);
  return same;
}
