// Elliptic-curve operations for the signature, agreement and encryption schemes built on the
// short-Weierstrass curves of weierstrass.ts (ECDSA, ECDH, SM2DSA, SM2PKE).
//
// API (curve ids CURVE_P256 .. CURVE_SM2 from weierstrass.ts; the curve must have been set up
// by begin() with its flag, see exports/ec.ts). Every value crosses as big-endian bytes of the
// curve's field length `ecFieldBytes(id)` (32, 48, 66, 32, 32): coordinates, scalars and
// results alike. A scalar argument must be below 2^bits (bits = the bit length of n, which is
// the field's for these five curves: P-521's 66 bytes leave the top 7 bits zero). Outputs may
// not overlap inputs. Scratch is taken from the arena and released (zeroed) before returning.
//
//   ecPointOnCurve(id, x, y): bool
//       x < p, y < p and y^2 = x^3 + ax + b. Such a point is never the point at infinity, and
//       with cofactor 1 it lies in the group of order n. Constant time.
//   ecScalarMult(id, k, x, y, outX, outY): i32
//       [k]P for a valid point P = (x, y) (check it with ecPointOnCurve first): a fixed 5-bit
//       signed window over a table of P's multiples made per call, read by masked scans, and
//       the complete formulas; constant time in k (and in P). Returns 1, or 0 (outX = outY = 0)
//       when the result is the point at infinity (k = 0 mod n).
//   scalarMultBase(id, k, outX, outY): i32   (weierstrass.ts)
//       [k]G, constant time in k, same return convention.
//   ecDoubleScalarMultVarTime(id, u1, u2, qx, qy, outX, outY): i32
//       [u1]G + [u2]Q for a valid Q, VARIABLE TIME: for public inputs only (verification).
//       Returns 1, or 0 (outputs zero) for the point at infinity. Jacobian coordinates
//       (jacobian.ts), width-5 NAF of u2, u1 from the fixed-base table once it exists.
//   ecDoubleScalarMultCheckX(id, u1, u2, qx, qy, r): bool
//       whether [u1]G + [u2]Q is finite with x mod n = r (ECDSA's and SM2DSA's last step),
//       no inversion.
//   ecScalarInRange(id, a): bool              1 <= a < n, constant time.
//   ecModNReduce(id, a, out)                  out = a mod n (a < 2^bits).
//   ecModNAdd(id, a, b, out), ecModNSub(id, a, b, out), ecModNMul(id, a, b, out)
//       out = a + b, a - b, a * b mod n (a, b < 2^bits; reduced first). Constant time.
//   ecModNInv(id, a, out)
//       out = a^-1 mod n by Bernstein-Yang divsteps (nonce-safegcd.ts), constant time; 0 for
//       a = 0 mod n.
//   ecRandomScalar(id, out): bool
//       a uniform scalar in [1, n-1] by rejection sampling (FIPS 186-5 A.2.2) from the core's
//       entropy; false (out zeroed) if the source gave nothing in range in 256 draws.
//
// Arithmetic modulo n is Montgomery arithmetic over n with the field's limb count (n and p
// have the same bit length on these curves), so the unrolled field multipliers serve both.

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import * as L from '../bignum/limbs';
import { Mont, montNewKnown, newLimbs } from '../bignum/mont';
import { fsub, fmul, fsqr, finv } from './field';
import { newJacobianScratch, jacDouble, jacAdd } from './jacobian';
import { invModConstTime } from './nonce-safegcd';
import {
  Curve,
  curveRecord,
  fieldContext,
  elemBytes,
  pointBytes,
  affineBytes,
  newScratch,
  pointAdd,
  pointAddMixed,
  pointDouble,
  scanTable,
  windowBits,
  isOnCurve,
  W,
  ROW,
} from './weierstrass';

/** The set-up record of curve id (a trap for an unknown id or a curve begin() did not set up). */
export function curveOf(id: i32): Curve {
  if (id < 1 || id > 5) unreachable();
  const record = curveRecord(id);
  if (record == 0) unreachable();
  return changetype<Curve>(record);
}

/** A Montgomery context modulo the group order n (in scratch: its buffers will hold secrets). */
export function orderContext(cv: Curve): Mont {
  return montNewKnown(cv.order, cv.n, cv.oneN, cv.orderR2);
}

/** limbs = a mod n for big-endian a < 2^bits (field-length bytes). */
function loadScalar(cv: Curve, out: usize, a: usize): void {
  L.fromBytes(out, cv.n, a, cv.bytes);
  L.reduceOnce(out, cv.order, cv.n);
}

/** limbs = a * R mod n (Montgomery form, in [0, 2n)) for big-endian a < 2^bits. */
function loadScalarMont(cv: Curve, c: Mont, out: usize, a: usize): void {
  loadScalar(cv, out, a);
  fmul(c, out, out, c.r2);
}

/** Big-endian bytes of a value in Montgomery form: out = x / R mod n, fully reduced. */
function storeScalarMont(cv: Curve, c: Mont, out: usize, x: usize): void {
  const t = newLimbs(cv.n);
  L.setSmall(t, cv.n, 1);
  fmul(c, t, x, t);
  L.reduceOnce(t, cv.order, cv.n);
  L.toBytes(out, cv.bytes, t, cv.n);
}

export function ecScalarInRange(id: i32, a: usize): bool {
  const cv = curveOf(id);
  const m0 = mark();
  const t = newLimbs(cv.n);
  L.fromBytes(t, cv.n, a, cv.bytes);
  const ok = L.lessThan(t, cv.order, cv.n) & ~L.isZeroMask(t, cv.n) & 1;
  release(m0);
  return ok != 0;
}

export function ecModNReduce(id: i32, a: usize, out: usize): void {
  const cv = curveOf(id);
  const m0 = mark();
  const t = newLimbs(cv.n);
  loadScalar(cv, t, a);
  L.toBytes(out, cv.bytes, t, cv.n);
  release(m0);
}

export function ecModNAdd(id: i32, a: usize, b: usize, out: usize): void {
  const cv = curveOf(id);
  const m0 = mark();
  const ta = newLimbs(cv.n);
  const tb = newLimbs(cv.n);
  loadScalar(cv, ta, a);
  loadScalar(cv, tb, b);
  L.add(ta, ta, tb, cv.n);
  L.reduceOnce(ta, cv.order, cv.n);
  L.toBytes(out, cv.bytes, ta, cv.n);
  release(m0);
}

export function ecModNSub(id: i32, a: usize, b: usize, out: usize): void {
  const cv = curveOf(id);
  const m0 = mark();
  const ta = newLimbs(cv.n);
  const tb = newLimbs(cv.n);
  loadScalar(cv, ta, a);
  loadScalar(cv, tb, b);
  const borrow = L.sub(ta, ta, tb, cv.n);
  L.condAdd(ta, cv.order, 0 - borrow, cv.n);
  L.toBytes(out, cv.bytes, ta, cv.n);
  release(m0);
}

export function ecModNMul(id: i32, a: usize, b: usize, out: usize): void {
  const cv = curveOf(id);
  const m0 = mark();
  const c = orderContext(cv);
  const ta = newLimbs(cv.n);
  const tb = newLimbs(cv.n);
  loadScalarMont(cv, c, ta, a);
  loadScalar(cv, tb, b);
  // (aR) * b / R = ab
  fmul(c, ta, ta, tb);
  L.reduceOnce(ta, cv.order, cv.n);
  L.toBytes(out, cv.bytes, ta, cv.n);
  release(m0);
}

/**
 * out = a^-1 (Montgomery form in and out) modulo n; constant time: the divsteps of
 * nonce-safegcd.ts on the plain value, then back to Montgomery form.
 */
export function modNInvMont(cv: Curve, c: Mont, out: usize, a: usize): void {
  const n = cv.n;
  const m0 = mark();
  const t = newLimbs(n);
  L.setSmall(t, n, 1);
  fmul(c, t, a, t); // a R / R = a, in [0, 2n)
  L.reduceOnce(t, cv.order, n);
  invModConstTime(t, t, cv.order, n, cv.bits);
  fmul(c, out, t, c.r2); // a^-1 R
  release(m0);
}

export function ecModNInv(id: i32, a: usize, out: usize): void {
  const cv = curveOf(id);
  const m0 = mark();
  const c = orderContext(cv);
  const t = newLimbs(cv.n);
  loadScalarMont(cv, c, t, a);
  modNInvMont(cv, c, t, t);
  storeScalarMont(cv, c, out, t);
  release(m0);
}

export function ecRandomScalar(id: i32, out: usize): bool {
  const cv = curveOf(id);
  const n = cv.n;
  const len = cv.bytes;
  const excess = <u32>(len * 8 - cv.bits);
  const m0 = mark();
  const t = newLimbs(n);
  // As ecGenerate: candidates of len(n) bits, accepted in [1, n-1]; a rejected candidate is
  // discarded, so the data-dependent exit tells nothing about the accepted one.
  for (let attempt = 0; attempt < 256; attempt++) {
    randomBytes(out, len);
    store<u8>(out, load<u8>(out) & <u8>(<u32>0xff >> excess));
    L.fromBytes(t, n, out, len);
    const inRange = L.lessThan(t, cv.order, n) & ~L.isZeroMask(t, n) & 1;
    if (inRange != 0) {
      release(m0);
      return true;
    }
  }
  memory.fill(out, 0, <usize>len);
  release(m0);
  return false;
}

/** Affine (x, y) bytes to Montgomery-form limbs at dst (x) and dst + e (y); false unless x, y < p. */
export function loadAffine(cv: Curve, c: Mont, dst: usize, x: usize, y: usize): u32 {
  const n = cv.n;
  const e = elemBytes(n);
  const t = newLimbs(n);
  L.fromBytes(t, n, x, cv.bytes);
  let ok = L.lessThan(t, cv.p, n);
  fmul(c, dst, t, c.r2);
  L.fromBytes(t, n, y, cv.bytes);
  ok &= L.lessThan(t, cv.p, n);
  fmul(c, dst + e, t, c.r2);
  return ok;
}

export function ecPointOnCurve(id: i32, x: usize, y: usize): bool {
  const cv = curveOf(id);
  const m0 = mark();
  const c = fieldContext(cv);
  const q = alloc(affineBytes(cv.n));
  const inField = loadAffine(cv, c, q, x, y);
  const on = isOnCurve(cv, c, q, q + elemBytes(cv.n)) & 1;
  release(m0);
  return (inField & on) != 0;
}

/**
 * Projective acc to affine big-endian outX, outY; returns 1, or 0 (outputs zero) for the point
 * at infinity. Traps if a finite result is off the curve (a fault, never an input).
 */
function storeAffine(cv: Curve, c: Mont, acc: usize, outX: usize, outY: usize): i32 {
  const n = cv.n;
  const e = elemBytes(n);
  const zi = newLimbs(n);
  const x = newLimbs(n);
  const y = newLimbs(n);
  finv(c, zi, acc + 2 * e, cv.pMinus2, cv.bits);
  fmul(c, x, acc, zi);
  fmul(c, y, acc + e, zi);
  const onCurveM = isOnCurve(cv, c, x, y);
  // From Montgomery form: multiply by 1.
  const one = newLimbs(n);
  L.setSmall(one, n, 1);
  fmul(c, x, x, one);
  fmul(c, y, y, one);
  L.reduceOnce(x, c.N, n);
  L.reduceOnce(y, c.N, n);
  // Z = 0 gives x = y = 0; no finite point of these odd-order curves has y = 0.
  const infinite = L.isZeroMask(y, n);
  L.toBytes(outX, cv.bytes, x, n);
  L.toBytes(outY, cv.bytes, y, n);
  if ((onCurveM | infinite) == 0) unreachable();
  return <i32>(~infinite & 1);
}

/** The signed W-bit digits of k (big-endian, field length), low to high, as i32s at digits. */
function signedDigits(cv: Curve, digits: usize, k: usize): void {
  const half: u32 = <u32>ROW;
  let carry: u32 = 0;
  for (let i = 0; i < cv.windows; i++) {
    const v = windowBits(k, cv.bytes, i * W) + carry;
    carry = (v + half) >> <u32>W;
    store<i32>(digits + (<usize>i << 2), <i32>v - <i32>(carry << <u32>W));
  }
}

export function ecScalarMult(id: i32, k: usize, x: usize, y: usize, outX: usize, outY: usize): i32 {
  const cv = curveOf(id);
  const n = cv.n;
  const e = elemBytes(n);
  const pb = pointBytes(n);
  const m0 = mark();
  const c = fieldContext(cv);
  const s = newScratch(n);
  // P in affine Montgomery form.
  const pa = alloc(affineBytes(n));
  loadAffine(cv, c, pa, x, y);
  // tab[j] = (j+1) P, projective; entries 16-byte aligned for scanTable.
  const stride = (pb + 15) & ~(<usize>15);
  const tab = alloc(<usize>ROW * stride);
  L.copy(tab, pa, n);
  L.copy(tab + e, pa + e, n);
  L.copy(tab + 2 * e, c.one, n);
  pointDouble(cv, c, s, tab + stride, tab);
  for (let j = 2; j < ROW; j++) pointAddMixed(cv, c, s, tab + <usize>j * stride, tab + <usize>(j - 1) * stride, pa);
  const digits = alloc(<usize>cv.windows << 2);
  signedDigits(cv, digits, k);
  const acc = alloc(pb);
  const sum = alloc(pb);
  const sel = alloc(stride);
  const negY = newLimbs(n);
  const zero = newLimbs(n);
  // acc = point at infinity (0 : 1 : 0)
  L.copy(acc + e, c.one, n);
  for (let i = cv.windows - 1; i >= 0; i--) {
    // Doubling the point at infinity leaves it there: the top window doubles too.
    for (let b = 0; b < W; b++) pointDouble(cv, c, s, acc, acc);
    const d = load<i32>(digits + (<usize>i << 2));
    const neg = <u32>(d >> 31);
    const abs = <u32>((d ^ (d >> 31)) - (d >> 31)); // [0, 2^(W-1)]
    const isZero = ~L.nonZeroMask(abs);
    // entry abs-1, or entry 0 as a stand-in when abs = 0 (its sum is discarded below)
    scanTable(sel, tab, stride, (abs - 1) & ~isZero);
    fsub(c, negY, zero, sel + e);
    L.select(sel + e, neg, negY, sel + e, n);
    pointAdd(cv, c, s, sum, acc, sel);
    L.select(acc, isZero, acc, sum, n);
    L.select(acc + e, isZero, acc + e, sum + e, n);
    L.select(acc + 2 * e, isZero, acc + 2 * e, sum + 2 * e, n);
  }
  const finite = storeAffine(cv, c, acc, outX, outY);
  release(m0);
  return finite;
}

// ---- Variable time, public inputs only ----------------------------------------------------

/** Width of the NAF of u2 (and of u1 without the fixed-base table): odd multiples up to 15. */
const NAF_W: i32 = 5;
const NAF_ENTRIES: i32 = 1 << (NAF_W - 2);

/**
 * Width-NAF_W non-adjacent form of the big-endian scalar k: one i8 digit per bit position,
 * low to high, each 0 or odd in (-2^(W-1), 2^(W-1)). Returns the digit count. Variable time.
 */
function wnaf(cv: Curve, naf: usize, k: usize): i32 {
  const t = newLimbs(cv.n);
  L.fromBytes(t, cv.n, k, cv.bytes);
  return wnafLimbs(naf, t, cv.n);
}

/** wnaf of the value in t (n limbs, destroyed), of width NAF_W or the one given. */
export function wnafLimbs(naf: usize, t: usize, n: i32, width: i32 = NAF_W): i32 {
  const full: i32 = 1 << width;
  const half: i32 = 1 << (width - 1);
  let len = 0;
  while (L.isZeroMask(t, n) == 0) {
    let d: i32 = 0;
    const low = <i32>L.ld(t, 0);
    if (low & 1) {
      d = low & (full - 1);
      if (d >= half) d -= full;
      if (d > 0) L.subSmall(t, n, <u32>d);
      else L.addSmall(t, n, <u32>-d);
    }
    store<i8>(naf + <usize>len, <i8>d);
    len++;
    L.shr1(t, n);
  }
  return len;
}

// secp256k1's endomorphism (GLV, Gallant-Lambert-Vanstone 2001): [lambda](x, y) = (beta x, y),
// with lambda^3 = 1 mod n and beta^3 = 1 mod p, and the short basis (a1, b1), (a2, b2) of the
// lattice of (k1, k2) with k1 + k2 lambda = 0 mod n (b1 < 0: its magnitude here). Checked in
// the tests through verification against node:crypto and @noble/curves.
const K1_BETA: usize = memory.data<u8>([
  0x7a, 0xe9, 0x6a, 0x2b, 0x65, 0x7c, 0x07, 0x10, 0x6e, 0x64, 0x47, 0x9e, 0xac, 0x34, 0x34, 0xe9,
  0x9c, 0xf0, 0x49, 0x75, 0x12, 0xf5, 0x89, 0x95, 0xc1, 0x39, 0x6c, 0x28, 0x71, 0x95, 0x01, 0xee,
]);
/** a1 = b2 (126 bits), |b1| (128 bits), a2 (129 bits); 17 bytes each, big-endian. */
const K1_A1: usize = memory.data<u8>([
  0x00, 0x30, 0x86, 0xd2, 0x21, 0xa7, 0xd4, 0x6b, 0xcd, 0xe8, 0x6c, 0x90, 0xe4, 0x92, 0x84, 0xeb, 0x15,
]);
const K1_B1: usize = memory.data<u8>([
  0x00, 0xe4, 0x43, 0x7e, 0xd6, 0x01, 0x0e, 0x88, 0x28, 0x6f, 0x54, 0x7f, 0xa9, 0x0a, 0xbf, 0xe4, 0xc3,
]);
const K1_A2: usize = memory.data<u8>([
  0x01, 0x14, 0xca, 0x50, 0xf7, 0xa8, 0xe2, 0xf3, 0xf6, 0x57, 0xc1, 0x10, 0x8d, 0x9d, 0x44, 0xcf, 0xd8,
]);
const GLV_LIMBS: i32 = 5; // 140 bits: the basis values
const WIDE: i32 = 16; // products of a scalar and a basis value, plus room

/** g1 = round(2^384 b2 / n), g2 = round(2^384 |b1| / n), 32 bytes each, big-endian. */
const K1_G1: usize = memory.data<u8>([
  0x30, 0x86, 0xd2, 0x21, 0xa7, 0xd4, 0x6b, 0xcd, 0xe8, 0x6c, 0x90, 0xe4, 0x92, 0x84, 0xeb, 0x15,
  0x3d, 0xaa, 0x8a, 0x14, 0x71, 0xe8, 0xca, 0x7f, 0xe8, 0x93, 0x20, 0x9a, 0x45, 0xdb, 0xb0, 0x31,
]);
const K1_G2: usize = memory.data<u8>([
  0xe4, 0x43, 0x7e, 0xd6, 0x01, 0x0e, 0x88, 0x28, 0x6f, 0x54, 0x7f, 0xa9, 0x0a, 0xbf, 0xe4, 0xc4,
  0x22, 0x12, 0x08, 0xac, 0x9d, 0xf5, 0x06, 0xc6, 0x15, 0x71, 0xb4, 0xae, 0x8a, 0xc4, 0x7f, 0x71,
]);

/** c (GLV_LIMBS limbs, zero above) = round(x / 2^384) for x of 20 limbs (< 2^512). 384 = 13 * 28 + 20. */
function roundShift384(c: usize, x: usize): void {
  for (let i = 0; i < GLV_LIMBS; i++) {
    const lo = L.ld(x, 13 + i) >> 20;
    const hi = 13 + i + 1 < 20 ? (L.ld(x, 13 + i + 1) << 8) & L.LIMB_MASK : 0;
    L.st(c, i, lo | hi);
  }
  // bit 383 = bit 19 of limb 13
  L.addSmall(c, GLV_LIMBS, (L.ld(x, 13) >> 19) & 1);
}

/**
 * k = k1 + k2 lambda (mod n) with |k1|, |k2| < 2^129 (Babai rounding: c1 = round(b2 k / n),
 * c2 = round(-b1 k / n), k1 = k - c1 a1 - c2 a2, k2 = -c1 b1 - c2 b2). k: big-endian, < n.
 * Writes |k1|, |k2| (n limbs each) and returns their signs as bits 0 (k1 < 0) and 1 (k2 < 0).
 * Variable time (public scalars only).
 */
function glvSplit(cv: Curve, k: usize, k1: usize, k2: usize): i32 {
  const n = cv.n;
  const m0 = mark();
  const kl = newLimbs(WIDE);
  L.fromBytes(kl, n, k, cv.bytes);
  const a1 = newLimbs(GLV_LIMBS);
  const b1 = newLimbs(GLV_LIMBS);
  const a2 = newLimbs(GLV_LIMBS);
  L.fromBytes(a1, GLV_LIMBS, K1_A1, 17);
  L.fromBytes(b1, GLV_LIMBS, K1_B1, 17);
  L.fromBytes(a2, GLV_LIMBS, K1_A2, 17);
  // c1 = round(k g1 / 2^384), c2 = round(k g2 / 2^384) with g1 = round(2^384 b2 / n) and
  // g2 = round(2^384 |b1| / n): Babai's rounding up to one unit, which keeps k1 + k2 lambda = k
  // exactly (for any c1, c2) and |k1|, |k2| within a basis vector of the optimum.
  const g = newLimbs(n);
  const x = newLimbs(2 * n + 2);
  const c1 = newLimbs(WIDE);
  const c2 = newLimbs(WIDE);
  L.fromBytes(g, n, K1_G1, 32);
  L.zero(x, 2 * n + 2);
  L.mul(x, kl, n, g, n);
  roundShift384(c1, x);
  L.fromBytes(g, n, K1_G2, 32);
  L.zero(x, 2 * n + 2);
  L.mul(x, kl, n, g, n);
  roundShift384(c2, x);
  // k1 = k - (c1 a1 + c2 a2)
  const sum = newLimbs(WIDE);
  const t = newLimbs(WIDE);
  L.zero(sum, WIDE);
  L.mul(sum, c1, GLV_LIMBS, a1, GLV_LIMBS);
  L.zero(t, WIDE);
  L.mul(t, c2, GLV_LIMBS, a2, GLV_LIMBS);
  L.add(sum, sum, t, WIDE);
  let signs = 0;
  if (L.lessThan(kl, sum, WIDE) != 0) {
    L.sub(t, sum, kl, WIDE);
    signs |= 1;
  } else {
    L.sub(t, kl, sum, WIDE);
  }
  L.copy(k1, t, n);
  // k2 = c1 |b1| - c2 b2
  L.zero(sum, WIDE);
  L.mul(sum, c1, GLV_LIMBS, b1, GLV_LIMBS);
  L.zero(t, WIDE);
  L.mul(t, c2, GLV_LIMBS, a1, GLV_LIMBS);
  if (L.lessThan(sum, t, WIDE) != 0) {
    L.sub(t, t, sum, WIDE);
    signs |= 2;
  } else {
    L.sub(t, sum, t, WIDE);
  }
  L.copy(k2, t, n);
  release(m0);
  return signs;
}

/** tab[j] = (2j+1) P for j < NAF_ENTRIES, Jacobian, from affine P (Montgomery form). */
function oddMultiples(cv: Curve, c: Mont, s: usize, tab: usize, pa: usize): void {
  const n = cv.n;
  const e = elemBytes(n);
  const pb = pointBytes(n);
  const twice = alloc(pb);
  L.copy(tab, pa, n);
  L.copy(tab + e, pa + e, n);
  L.copy(tab + 2 * e, c.one, n);
  jacDouble(cv, c, s, twice, tab);
  for (let j = 1; j < NAF_ENTRIES; j++) {
    const dst = tab + <usize>j * pb;
    memory.copy(dst, dst - pb, pb);
    // (2j+1) P is never the point at infinity nor 2P: the sum is an ordinary one.
    if (!jacAdd(cv, c, s, dst, twice, false)) unreachable();
  }
}

/**
 * The running sum of the variable-time multiplications: a Jacobian point and whether it is
 * finite (the point at infinity has no Jacobian coordinates here).
 */
@unmanaged export class Acc {
  p: usize = 0;
  finite: bool = false;
}

/** acc += (x, y[, z]) at entry, negated for neg; affine entries have no z. */
export function accAdd(cv: Curve, c: Mont, s: usize, acc: Acc, entry: usize, neg: bool, affine: bool, tmp: usize): void {
  const n = cv.n;
  const e = elemBytes(n);
  let q = entry;
  if (neg) {
    L.copy(tmp, entry, n);
    L.zero(tmp + e, n);
    fsub(c, tmp + e, tmp + e, entry + e);
    if (!affine) L.copy(tmp + 2 * e, entry + 2 * e, n);
    q = tmp;
  }
  if (!acc.finite) {
    L.copy(acc.p, q, n);
    L.copy(acc.p + e, q + e, n);
    L.copy(acc.p + 2 * e, affine ? c.one : q + 2 * e, n);
    acc.finite = true;
  } else {
    acc.finite = jacAdd(cv, c, s, acc.p, q, affine);
  }
}

/**
 * acc = [u1]G + [u2]Q (Jacobian) for big-endian u1, u2 < 2^bits and Q affine (Montgomery form):
 * width-5 NAF of u2 over Q's odd multiples, interleaved with u1's over G's when the curve has
 * no fixed-base table yet, else u1 from the fixed-base table (one mixed addition per nonzero
 * signed digit). Returns whether the result is finite. Variable time.
 */
function doubleMulVarTime(cv: Curve, c: Mont, acc: usize, u1: usize, u2: usize, qa: usize): bool {
  const n = cv.n;
  const e = elemBytes(n);
  const pb = pointBytes(n);
  const ab = affineBytes(n);
  const s = newJacobianScratch(n);
  const tmp = alloc(pb);
  const tabQ = alloc(<usize>NAF_ENTRIES * pb);
  oddMultiples(cv, c, s, tabQ, qa);
  const nafQ = alloc(<usize>(cv.bits + 8));
  let lenQ: i32;
  // secp256k1: u2 Q = k1 Q + k2 [lambda]Q with half-length k1, k2 (half the doublings).
  let tabL: usize = 0;
  let nafL: usize = 0;
  let lenL = 0;
  let negQ = false;
  let negL = false;
  if (cv.aZero) {
    const k1 = newLimbs(cv.n);
    const k2 = newLimbs(cv.n);
    const signs = glvSplit(cv, u2, k1, k2);
    negQ = (signs & 1) != 0;
    negL = (signs & 2) != 0;
    lenQ = wnafLimbs(nafQ, k1, cv.n);
    nafL = alloc(<usize>(cv.bits + 8));
    lenL = wnafLimbs(nafL, k2, cv.n);
    // [lambda](X : Y : Z) = (beta X : Y : Z)
    const beta = newLimbs(n);
    L.fromBytes(beta, n, K1_BETA, cv.bytes);
    fmul(c, beta, beta, c.r2);
    tabL = alloc(<usize>NAF_ENTRIES * pb);
    memory.copy(tabL, tabQ, <usize>NAF_ENTRIES * pb);
    for (let j = 0; j < NAF_ENTRIES; j++) fmul(c, tabL + <usize>j * pb, tabL + <usize>j * pb, beta);
  } else {
    lenQ = wnaf(cv, nafQ, u2);
  }
  const withTable = cv.table != 0;
  let tabG: usize = 0;
  let nafG: usize = 0;
  let lenG = 0;
  if (!withTable) {
    tabG = alloc(<usize>NAF_ENTRIES * pb);
    oddMultiples(cv, c, s, tabG, cv.bases); // bases[0] = G, affine
    nafG = alloc(<usize>(cv.bits + 8));
    lenG = wnaf(cv, nafG, u1);
  }
  const a = changetype<Acc>(alloc(offsetof<Acc>()));
  a.p = acc;
  a.finite = false;
  let top = lenQ > lenG ? lenQ : lenG;
  if (lenL > top) top = lenL;
  for (let i = top - 1; i >= 0; i--) {
    if (a.finite) jacDouble(cv, c, s, acc, acc);
    const dq: i32 = i < lenQ ? <i32>load<i8>(nafQ + <usize>i) : 0;
    if (dq != 0) accAdd(cv, c, s, a, tabQ + <usize>(((dq < 0 ? -dq : dq) - 1) >> 1) * pb, (dq < 0) != negQ, false, tmp);
    const dl: i32 = i < lenL ? <i32>load<i8>(nafL + <usize>i) : 0;
    if (dl != 0) accAdd(cv, c, s, a, tabL + <usize>(((dl < 0 ? -dl : dl) - 1) >> 1) * pb, (dl < 0) != negL, false, tmp);
    const dg: i32 = i < lenG ? <i32>load<i8>(nafG + <usize>i) : 0;
    if (dg != 0) accAdd(cv, c, s, a, tabG + <usize>(((dg < 0 ? -dg : dg) - 1) >> 1) * pb, dg < 0, false, tmp);
  }
  if (withTable) addFixedBase(cv, c, s, a, u1, tmp);
  return a.finite;
}

/**
 * a += [u1]G from the curve's fixed-base table (which must exist): one mixed addition per
 * nonzero signed window digit, no doubling. Variable time. tmp: a point of scratch.
 */
export function addFixedBase(cv: Curve, c: Mont, s: usize, a: Acc, u1: usize, tmp: usize): void {
  const ab = affineBytes(cv.n);
  const m0 = mark();
  const digits = alloc(<usize>cv.windows << 2);
  signedDigits(cv, digits, u1);
  for (let i = 0; i < cv.windows; i++) {
    const d = load<i32>(digits + (<usize>i << 2));
    if (d == 0) continue;
    const abs = d < 0 ? -d : d;
    accAdd(cv, c, s, a, cv.table + <usize>(i * ROW + abs - 1) * ab, d < 0, true, tmp);
  }
  release(m0);
}

export function ecDoubleScalarMultVarTime(
  id: i32,
  u1: usize,
  u2: usize,
  qx: usize,
  qy: usize,
  outX: usize,
  outY: usize,
): i32 {
  const cv = curveOf(id);
  const n = cv.n;
  const e = elemBytes(n);
  const m0 = mark();
  const c = fieldContext(cv);
  const qa = alloc(affineBytes(n));
  loadAffine(cv, c, qa, qx, qy);
  const acc = alloc(pointBytes(n));
  let finite = 0;
  memory.fill(outX, 0, <usize>cv.bytes);
  memory.fill(outY, 0, <usize>cv.bytes);
  if (doubleMulVarTime(cv, c, acc, u1, u2, qa)) {
    // x = X / Z^2, y = Y / Z^3
    const zi = newLimbs(n);
    const t = newLimbs(n);
    const one = newLimbs(n);
    L.setSmall(one, n, 1);
    finv(c, zi, acc + 2 * e, cv.pMinus2, cv.bits);
    fsqr(c, t, zi);
    fmul(c, acc, acc, t);
    fmul(c, t, t, zi);
    fmul(c, acc + e, acc + e, t);
    if ((isOnCurve(cv, c, acc, acc + e) & 1) == 0) unreachable();
    fmul(c, acc, acc, one);
    fmul(c, acc + e, acc + e, one);
    L.reduceOnce(acc, c.N, n);
    L.reduceOnce(acc + e, c.N, n);
    L.toBytes(outX, cv.bytes, acc, n);
    L.toBytes(outY, cv.bytes, acc + e, n);
    finite = 1;
  }
  release(m0);
  return finite;
}

/**
 * Whether [u1]G + [u2]Q is finite and its x-coordinate reduced mod n equals r (big-endian,
 * r in [0, n-1]): ECDSA's final check (and SM2DSA's, with r - e), without an inversion.
 * x = X / Z^2 and x < p < 2n, so x mod n = r iff X = r Z^2 or, when r + n < p,
 * X = (r + n) Z^2 (mod p). Variable time.
 */
export function ecDoubleScalarMultCheckX(id: i32, u1: usize, u2: usize, qx: usize, qy: usize, r: usize): bool {
  const cv = curveOf(id);
  const n = cv.n;
  const m0 = mark();
  const c = fieldContext(cv);
  const qa = alloc(affineBytes(n));
  loadAffine(cv, c, qa, qx, qy);
  const acc = alloc(pointBytes(n));
  const ok = doubleMulVarTime(cv, c, acc, u1, u2, qa) && xModNEquals(cv, c, acc, r);
  release(m0);
  return ok;
}

/**
 * Whether the finite Jacobian point acc has x mod n = r (big-endian, r in [0, n-1]):
 * X = r Z^2, or X = (r + n) Z^2 when r + n < p (x < p < 2n). Variable time.
 */
export function xModNEquals(cv: Curve, c: Mont, acc: usize, r: usize): bool {
  const n = cv.n;
  const e = elemBytes(n);
  const m0 = mark();
  const z2 = newLimbs(n);
  const x = newLimbs(n);
  const rl = newLimbs(n);
  const t = newLimbs(n);
  fsqr(c, z2, acc + 2 * e);
  // X in plain form, fully reduced: X R / R.
  L.setSmall(t, n, 1);
  fmul(c, x, acc, t);
  L.reduceOnce(x, c.N, n);
  L.fromBytes(rl, n, r, cv.bytes);
  // r Z^2: (r)(Z^2 R) / R
  fmul(c, t, z2, rl);
  L.reduceOnce(t, c.N, n);
  let ok = L.equalMask(t, x, n) != 0;
  if (!ok) {
    L.add(rl, rl, cv.order, n);
    if (L.lessThan(rl, cv.p, n) != 0) {
      fmul(c, t, z2, rl);
      L.reduceOnce(t, c.N, n);
      ok = L.equalMask(t, x, n) != 0;
    }
  }
  release(m0);
  return ok;
}
