// Points of edwards25519, -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19) (RFC 8032 §5.1).
//
// Extended coordinates (Hisil, Wong, Carter, Dawson, "Twisted Edwards curves revisited",
// ASIACRYPT 2008, §3): (X : Y : Z : T) with x = X/Z, y = Y/Z, x y = T/Z; 160 bytes.
// The formulas for a = -1 are the paper's §3.1 (unified addition, "add-2008-hwcd-3" in
// the Explicit-Formulas Database) and §3.3 (doubling, "dbl-2008-hwcd"), the ones RFC 8032
// §5.1.4 gives. They are complete on this curve (a = -1 is a square mod p, d is not), so
// no input, the neutral element included, needs a special case.
//
// Precomputed points are affine and kept as (y + x, y - x, 2 d x y) ("Niels" form), which
// saves a multiplication and two additions per mixed addition; 3 elements padded to 128
// bytes so that a table entry is eight 16-byte vectors.

import { alloc, mark, release } from '../arena';
import {
  FE_SIZE, FE_D2, feAdd, feSub, feNeg, feMul, feSqr, feSqr2, feCarry, feOne, feZero,
  feInvert, feToBytes,
} from './field';

export const EXT_SIZE: usize = 4 * FE_SIZE;
export const NIELS_SIZE: usize = 128;

// Offsets of the coordinates.
const X: usize = 0;
const Y: usize = FE_SIZE;
const Z: usize = 2 * FE_SIZE;
const T: usize = 3 * FE_SIZE;
const YPX: usize = 0;
const YMX: usize = FE_SIZE;
const XY2D: usize = 2 * FE_SIZE;

/** Scratch for the formulas: five field elements. */
export const POINT_TMP_SIZE: usize = 5 * FE_SIZE;

/** The neutral element (0 : 1 : 1 : 0). */
export function extIdentity(r: usize): void {
  feZero(r + X);
  feOne(r + Y);
  feOne(r + Z);
  feZero(r + T);
}

/** (y + x, y - x, 2dxy) of the neutral element (0, 1): (1, 1, 0). */
export function nielsIdentity(r: usize): void {
  memory.fill(r, 0, NIELS_SIZE);
  store<i32>(r + YPX, 1);
  store<i32>(r + YMX, 1);
}

/**
 * The tail shared by both additions: from B = (Y1+X1)(Y2+X2) in a, A = (Y1-X1)(Y2-X2) in b,
 * C = 2d T1 T2 in c and D = 2 Z1 Z2 in d: E = B - A, F = D - C, G = D + C, H = B + A, and
 * X3 = E F, Y3 = G H, T3 = E H, Z3 = F G. r may alias the inputs (all already consumed).
 */
@inline function addTail(r: usize, a: usize, b: usize, c: usize, d: usize, e: usize): void {
  feSub(e, a, b); // E
  feAdd(a, a, b); // H
  feSub(b, d, c); // F
  feAdd(d, d, c); // G
  feMul(r + X, e, b);
  feMul(r + Y, d, a);
  feMul(r + T, e, a);
  feMul(r + Z, b, d);
}

/** r = p + q for q in Niels form (mixed addition, Z2 = 1): 7 multiplications. */
export function extAddNiels(r: usize, p: usize, q: usize, tmp: usize): void {
  const a = tmp;
  const b = tmp + FE_SIZE;
  const c = tmp + 2 * FE_SIZE;
  const d = tmp + 3 * FE_SIZE;
  const e = tmp + 4 * FE_SIZE;
  feAdd(a, p + Y, p + X);
  feSub(b, p + Y, p + X);
  feMul(a, a, q + YPX);
  feMul(b, b, q + YMX);
  feMul(c, p + T, q + XY2D);
  feAdd(d, p + Z, p + Z);
  addTail(r, a, b, c, d, e);
}

/** r = p + q, both extended: 9 multiplications. Used to build the public table. */
export function extAdd(r: usize, p: usize, q: usize, tmp: usize): void {
  const a = tmp;
  const b = tmp + FE_SIZE;
  const c = tmp + 2 * FE_SIZE;
  const d = tmp + 3 * FE_SIZE;
  const e = tmp + 4 * FE_SIZE;
  feAdd(a, p + Y, p + X);
  feAdd(e, q + Y, q + X);
  feMul(a, a, e);
  feSub(b, p + Y, p + X);
  feSub(e, q + Y, q + X);
  feMul(b, b, e);
  feMul(c, p + T, q + T);
  feMul(c, c, FE_D2);
  feMul(d, p + Z, q + Z);
  feAdd(d, d, d);
  addTail(r, a, b, c, d, e);
}

/**
 * r = 2p: A = X^2, B = Y^2, C = 2 Z^2, E = (X+Y)^2 - A - B, G = B - A (a = -1: D = -A),
 * F = G - C, H = -A - B; X3 = E F, Y3 = G H, T3 = E H, Z3 = F G. T of p is not read.
 */
export function extDouble(r: usize, p: usize, tmp: usize): void {
  const a = tmp;
  const b = tmp + FE_SIZE;
  const c = tmp + 2 * FE_SIZE;
  const e = tmp + 3 * FE_SIZE;
  const h = tmp + 4 * FE_SIZE;
  feSqr(a, p + X);
  feSqr(b, p + Y);
  feSqr2(c, p + Z);
  feAdd(e, p + X, p + Y);
  feSqr(e, e);
  feAdd(h, a, b); // A + B
  feSub(e, e, h); // E
  feNeg(h, h); //    H
  feSub(a, b, a); // G
  feSub(b, a, c); // F
  feMul(r + X, e, b);
  feMul(r + Y, a, h);
  feMul(r + T, e, h);
  feMul(r + Z, b, a);
}

/**
 * RFC 8032 §5.1.2 encoding of p: y as 32 little-endian bytes, the least significant bit
 * of x in bit 255. One inversion (Fermat, constant time) brings p to affine.
 */
export function extEncode(out: usize, p: usize): void {
  const m = mark();
  const zinv = alloc(FE_SIZE);
  const x = alloc(FE_SIZE);
  const y = alloc(FE_SIZE);
  const xb = alloc(32);
  const tmp = alloc(4 * FE_SIZE);
  feInvert(zinv, p + Z, tmp);
  feMul(x, p + X, zinv);
  feMul(y, p + Y, zinv);
  feToBytes(out, y);
  feToBytes(xb, x);
  store<u8>(out + 31, load<u8>(out + 31) | (<u8>(load<u8>(xb) & 1) << 7));
  release(m);
}

/** Niels form of an extended point whose Z is known to be inverted as zinv. */
export function nielsFromExt(r: usize, p: usize, zinv: usize, tmp: usize): void {
  const x = tmp;
  const y = tmp + FE_SIZE;
  const s = tmp + 2 * FE_SIZE;
  feMul(x, p + X, zinv);
  feMul(y, p + Y, zinv);
  feAdd(s, y, x);
  feCarry(r + YPX, s);
  feSub(s, y, x);
  feCarry(r + YMX, s);
  feMul(s, x, y);
  feMul(r + XY2D, s, FE_D2);
}
