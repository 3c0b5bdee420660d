// Jacobian coordinates (X : Y : Z) for x = X/Z^2, y = Y/Z^3, for VARIABLE-TIME code on public
// values only (signature verification): the doubling costs 3M + 5S (a = -3, dbl-2001-b of the
// Explicit-Formulas Database) or 2M + 5S (a = 0, dbl-2009-l), against 8M + 3S and 6M + 2S for
// the complete projective formulas, and verification is mostly doublings. The addition
// formulas (add-2007-bl, madd-2007-bl) are not complete: the point at infinity is kept as a
// flag beside the coordinates, and P + P and P + (-P) are detected and handled by branches.
// None of this may ever see a secret.

import { alloc } from '../arena';
import * as L from '../bignum/limbs';
import { Mont } from '../bignum/mont';
import { fadd, fsub, fmul, fsqr } from './field';
import { Curve, elemBytes } from './weierstrass';

/** Scratch for the functions here: 12 field elements. */
export function newJacobianScratch(n: i32): usize {
  return alloc(12 * elemBytes(n));
}

/** true if x = 0 mod p for x in [0, 2p) (variable time). */
function isZeroModP(cv: Curve, c: Mont, x: usize, tmp: usize): bool {
  L.copy(tmp, x, cv.n);
  L.reduceOnce(tmp, c.N, cv.n);
  return L.isZeroMask(tmp, cv.n) != 0;
}

/** out = a / 2 mod p for a in [0, 2p): a, plus p when odd, shifted right; out in [0, 1.5p). */
function fhalf(cv: Curve, c: Mont, out: usize, a: usize): void {
  const n = cv.n;
  L.copy(out, a, n);
  L.condAdd(out, c.N, 0 - (L.ld(out, 0) & 1), n);
  L.shr1(out, n);
}

/**
 * out = 2 p1 (Jacobian; p1 finite). out may alias p1. The result is infinity iff Y = 0, never
 * on these curves (odd order). With T = 2Y: T^2 = 4Y^2, X T^2 = 4XY^2, (T^2)^2 / 2 = 8Y^4 and
 * Z3 = T Z, which trades additions for a multiplication against the published sequences.
 */
export function jacDouble(cv: Curve, c: Mont, s: usize, out: usize, p1: usize): void {
  const e = elemBytes(cv.n);
  const X1 = p1, Y1 = p1 + e, Z1 = p1 + 2 * e;
  const X3 = out, Y3 = out + e, Z3 = out + 2 * e;
  const t0 = s, t1 = s + e, t2 = s + 2 * e, t3 = s + 3 * e, t4 = s + 4 * e;
  if (cv.aZero) {
    // dbl-2009-l: A = X^2, B = Y^2, C = B^2, D = 2((X + B)^2 - A - C) = 4XB, E = 3A, F = E^2,
    // X3 = F - 2D, Y3 = E (D - X3) - 8C, Z3 = 2 Y Z.
    fsqr(c, t0, X1); // A
    fadd(c, t1, Y1, Y1); // T
    fmul(c, Z3, t1, Z1); // Z3 = 2 Y Z (Y1, Z1 no longer needed)
    fsqr(c, t1, t1); // T^2 = 4B
    fmul(c, t2, X1, t1); // D = 4XB
    fsqr(c, t1, t1); // 16C
    fhalf(cv, c, t1, t1); // 8C
    fadd(c, t3, t0, t0);
    fadd(c, t3, t3, t0); // E
    fsqr(c, t4, t3); // F
    fsub(c, t4, t4, t2);
    fsub(c, X3, t4, t2); // X3 = F - 2D
    fsub(c, t2, t2, X3);
    fmul(c, t2, t3, t2); // E (D - X3)
    fsub(c, Y3, t2, t1);
  } else {
    // dbl-2001-b: delta = Z^2, gamma = Y^2, beta = X gamma, alpha = 3 (X - delta)(X + delta),
    // X3 = alpha^2 - 8 beta, Z3 = 2 Y Z, Y3 = alpha (4 beta - X3) - 8 gamma^2.
    fsqr(c, t0, Z1); // delta
    fadd(c, t1, Y1, Y1); // T
    fmul(c, Z3, t1, Z1); // Z3 = 2 Y Z (Y1, Z1 no longer needed)
    fsqr(c, t1, t1); // T^2 = 4 gamma
    fsub(c, t3, X1, t0);
    fadd(c, t4, X1, t0);
    fmul(c, t3, t3, t4);
    fadd(c, t4, t3, t3);
    fadd(c, t3, t4, t3); // alpha
    fmul(c, t2, X1, t1); // 4 beta
    fsqr(c, t4, t3);
    fsub(c, t4, t4, t2);
    fsub(c, X3, t4, t2); // X3 = alpha^2 - 8 beta (X1 no longer needed)
    fsub(c, t2, t2, X3);
    fmul(c, t2, t3, t2); // alpha (4 beta - X3)
    fsqr(c, t1, t1); // 16 gamma^2
    fhalf(cv, c, t1, t1); // 8 gamma^2
    fsub(c, Y3, t2, t1);
  }
}

/**
 * acc += q for Jacobian acc (finite) and Jacobian or affine q (finite): affine when `affine`
 * (q holds x, y; Z = 1 implied: madd-2007-bl, 7M + 4S), else add-2007-bl (11M + 5S). Returns
 * false when the sum is the point at infinity (acc is then garbage); doubles when acc = q.
 */
export function jacAdd(cv: Curve, c: Mont, s: usize, acc: usize, q: usize, affine: bool): bool {
  const n = cv.n;
  const e = elemBytes(n);
  const X1 = acc, Y1 = acc + e, Z1 = acc + 2 * e;
  const X2 = q, Y2 = q + e, Z2 = q + 2 * e;
  const z1z1 = s, z2z2 = s + e, u1 = s + 2 * e, u2 = s + 3 * e, s1 = s + 4 * e, s2 = s + 5 * e;
  const h = s + 6 * e, i = s + 7 * e, j = s + 8 * e, r = s + 9 * e, v = s + 10 * e, tmp = s + 11 * e;
  fsqr(c, z1z1, Z1);
  if (affine) {
    L.copy(u1, X1, n);
    L.copy(s1, Y1, n);
  } else {
    fsqr(c, z2z2, Z2);
    fmul(c, u1, X1, z2z2);
    fmul(c, s1, Y1, Z2);
    fmul(c, s1, s1, z2z2);
  }
  fmul(c, u2, X2, z1z1);
  fmul(c, s2, Y2, Z1);
  fmul(c, s2, s2, z1z1);
  fsub(c, h, u2, u1);
  fsub(c, r, s2, s1);
  if (isZeroModP(cv, c, h, tmp)) {
    // Same x: the same point (double it) or its negation (infinity).
    if (isZeroModP(cv, c, r, tmp)) {
      jacDouble(cv, c, s, acc, acc);
      return true;
    }
    return false;
  }
  fadd(c, r, r, r); // r = 2 (S2 - S1)
  // I = (2H)^2, J = H I, V = U1 I
  fadd(c, i, h, h);
  fsqr(c, i, i);
  fmul(c, j, h, i);
  fmul(c, v, u1, i);
  // Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H, or 2 Z1 H for Z2 = 1 (madd-2007-bl writes
  // (Z1 + H)^2 - Z1Z1 - HH with HH = H^2 and I = 4 HH: the same value, 2 Z1 H).
  if (affine) {
    fmul(c, Z1, Z1, h);
    fadd(c, Z1, Z1, Z1);
  } else {
    fadd(c, tmp, Z1, Z2);
    fsqr(c, tmp, tmp);
    fsub(c, tmp, tmp, z1z1);
    fsub(c, tmp, tmp, z2z2);
    fmul(c, Z1, tmp, h);
  }
  // X3 = r^2 - J - 2V
  fsqr(c, X1, r);
  fsub(c, X1, X1, j);
  fsub(c, X1, X1, v);
  fsub(c, X1, X1, v);
  // Y3 = r (V - X3) - 2 S1 J
  fsub(c, v, v, X1);
  fmul(c, v, r, v);
  fmul(c, s1, s1, j);
  fadd(c, s1, s1, s1);
  fsub(c, Y1, v, s1);
  return true;
}
