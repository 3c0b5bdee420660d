// Short-Weierstrass curves y^2 = x^3 + ax + b with a = -3 (P-256, P-384, P-521, SM2) or
// a = 0 (secp256k1): key generation by constant-time fixed-base scalar multiplication.
//
// Points are projective (X : Y : Z) and added with the complete formulas of Renes, Costello
// and Batina, "Complete addition formulas for prime order elliptic curves" (EUROCRYPT 2016):
// Algorithm 4 for a = -3, Algorithm 7 for a = 0. Complete means one formula for every pair
// of inputs (doubling and the point at infinity included), so no input takes another path.
//
// [k]G uses signed W-bit windows (W = 5): k = sum d_i 2^(Wi) with d_i in [-16, 15], and a
// public table T[i][j] = (j+1) 2^(Wi) G of affine points, built once per curve. Each window
// adds sign(d_i) T[i][|d_i|-1], read by scanning all 16 entries with masks, with the mixed
// complete formulas (RCB 2016, Algorithms 5 and 8). A zero digit adds T[i][0] anyway and the
// sum is discarded by mask: the same work for every window, whatever the scalar.

import { alloc, allocPersistent, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import * as L from '../bignum/limbs';
import { Mont, montNew, montNewKnown, montR2, toMont, fromMont, newLimbs, PAD, montLimbs } from '../bignum/mont';
import { fadd, fsub, fmul, fsqr, finv } from './field';
import * as P256 from './curves/p256';
import * as P384 from './curves/p384';
import * as P521 from './curves/p521';
import * as K256 from './curves/secp256k1';
import * as SM2 from './curves/sm2';

export const CURVE_P256: i32 = 1;
export const CURVE_P384: i32 = 2;
export const CURVE_P521: i32 = 3;
export const CURVE_SECP256K1: i32 = 4;
export const CURVE_SM2: i32 = 5;

/** Public per-curve data, in the persistent region. */
@unmanaged export class Curve {
  bits: i32 = 0;
  bytes: i32 = 0;
  n: i32 = 0; // field limbs
  aZero: bool = false;
  windows: i32 = 0;
  p: usize = 0; // limbs
  pMinus2: usize = 0;
  order: usize = 0; // n (the group order), limbs
  bM: usize = 0; // b in Montgomery form (a = -3) or 3b (a = 0)
  table: usize = 0; // windows * ROW affine points (x, y), Montgomery form
  gx: usize = 0;
  gy: usize = 0;
  r2: usize = 0; // R^2 mod p, so that contexts made per call skip computing it
  bases: usize = 0; // GROUPS affine points (x, y), Montgomery form: G, then 2^(W·m·g)·G
  orderMinus2: usize = 0; // n - 2, limbs: the exponent of inversion modulo n
  orderR2: usize = 0; // R^2 mod n
  id: i32 = 0; // CURVE_*: also the shape of its field contexts (ec/field.ts)
  oneP: usize = 0; // R mod p, so that contexts made per call skip the doublings to it
  oneN: usize = 0; // R mod n
}

/** A Montgomery context for the field of cv, in scratch (its buffers will hold secrets). */
export function fieldContext(cv: Curve): Mont {
  const c = montNewKnown(cv.p, cv.n, cv.oneP, cv.r2);
  c.shape = cv.id;
  return c;
}

// Curve records by id, in static data (no managed allocation: the arena owns the heap).
const curves: usize = memory.data(6 * sizeof<usize>());

/** Window width and table row length (entries 1..2^(W-1) times the row's base). */
export const W: i32 = 5;
export const ROW: i32 = 1 << (W - 1);
/** Groups of windows in a key made without the table (scalarMultBaseNoTable). */
const GROUPS: i32 = 4;

@inline export function curveRecord(id: i32): usize {
  return load<usize>(curves + (<usize>id << alignof<usize>()));
}

@inline export function elemBytes(n: i32): usize {
  return <usize>(n + PAD) << 2;
}
@inline export function pointBytes(n: i32): usize {
  return 3 * elemBytes(n);
}
@inline export function affineBytes(n: i32): usize {
  return 2 * elemBytes(n);
}

function paramsBits(id: i32): i32 {
  if (id == CURVE_P256) return P256.BITS;
  if (id == CURVE_P384) return P384.BITS;
  if (id == CURVE_P521) return P521.BITS;
  if (id == CURVE_SECP256K1) return K256.BITS;
  return SM2.BITS;
}

/** Persistent setup of a curve: constants and the fixed-base table. No scratch may be live. */
export function ecEnsureCurve(id: i32): void {
  if (id < 1 || id > 5) unreachable();
  const record = curveRecord(id);
  if (record != 0) {
    // The second call for a curve builds its fixed-base table; the first went without.
    const cv = changetype<Curve>(record);
    if (cv.table == 0) buildTable(cv);
    return;
  }
  let bytes: i32, aZero: bool, P: usize, B: usize, N: usize, GX: usize, GY: usize, GB: usize;
  if (id == CURVE_P256) { bytes = P256.BYTES; aZero = P256.A_IS_ZERO; P = P256.P; B = P256.B; N = P256.N; GX = P256.GX; GY = P256.GY; GB = P256.GROUP_BASES; }
  else if (id == CURVE_P384) { bytes = P384.BYTES; aZero = P384.A_IS_ZERO; P = P384.P; B = P384.B; N = P384.N; GX = P384.GX; GY = P384.GY; GB = P384.GROUP_BASES; }
  else if (id == CURVE_P521) { bytes = P521.BYTES; aZero = P521.A_IS_ZERO; P = P521.P; B = P521.B; N = P521.N; GX = P521.GX; GY = P521.GY; GB = P521.GROUP_BASES; }
  else if (id == CURVE_SECP256K1) { bytes = K256.BYTES; aZero = K256.A_IS_ZERO; P = K256.P; B = K256.B; N = K256.N; GX = K256.GX; GY = K256.GY; GB = K256.GROUP_BASES; }
  else { bytes = SM2.BYTES; aZero = SM2.A_IS_ZERO; P = SM2.P; B = SM2.B; N = SM2.N; GX = SM2.GX; GY = SM2.GY; GB = SM2.GROUP_BASES; }
  const bits = paramsBits(id);
  const n = montLimbs(bits);
  // The recoding carries into the next window when a window's value reaches 2^(W-1): the
  // top window must hold at most W-2 scalar bits, so that value plus carry stays below it.
  const windows = (bits + 2 + W - 1) / W;
  const cv = changetype<Curve>(allocPersistent(offsetof<Curve>()));
  cv.id = id;
  cv.bits = bits;
  cv.bytes = bytes;
  cv.n = n;
  cv.aZero = aZero;
  cv.windows = windows;
  cv.p = allocPersistent(elemBytes(n));
  cv.pMinus2 = allocPersistent(elemBytes(n));
  cv.order = allocPersistent(elemBytes(n));
  cv.bM = allocPersistent(elemBytes(n));
  cv.gx = allocPersistent(elemBytes(n));
  cv.gy = allocPersistent(elemBytes(n));
  cv.bases = allocPersistent(<usize>GROUPS * affineBytes(n));
  L.fromBytes(cv.p, n, P, bytes);
  L.fromBytes(cv.pMinus2, n, P, bytes);
  L.subSmall(cv.pMinus2, n, 2);
  L.fromBytes(cv.order, n, N, bytes);
  cv.orderMinus2 = allocPersistent(elemBytes(n));
  L.copy(cv.orderMinus2, cv.order, n);
  L.subSmall(cv.orderMinus2, n, 2);
  cv.orderR2 = allocPersistent(elemBytes(n));
  // Everything below is computed in scratch, and the scratch is released (zeroed) after.
  cv.r2 = allocPersistent(elemBytes(n));
  cv.oneP = allocPersistent(elemBytes(n));
  cv.oneN = allocPersistent(elemBytes(n));
  const m0 = mark();
  const c = montNew(cv.p, n);
  c.shape = id;
  L.copy(cv.r2, montR2(c), n);
  L.copy(cv.oneP, c.one, n);
  const co = montNew(cv.order, n);
  L.copy(cv.orderR2, montR2(co), n);
  L.copy(cv.oneN, co.one, n);
  const t = newLimbs(n);
  L.fromBytes(t, n, B, bytes);
  if (aZero) {
    // Algorithm 7 multiplies by b3 = 3b.
    const t3 = newLimbs(n);
    L.add(t3, t, t, n);
    L.add(t3, t3, t, n);
    toMont(c, cv.bM, t3);
  } else {
    toMont(c, cv.bM, t);
  }
  L.fromBytes(t, n, GX, bytes);
  toMont(c, cv.gx, t);
  L.fromBytes(t, n, GY, bytes);
  toMont(c, cv.gy, t);
  // bases[0] = G; bases[g] = 2^(W·m·g)·G from the generated constants (scripts/gen-curve-params.mjs).
  const ab = affineBytes(n);
  L.copy(cv.bases, cv.gx, n);
  L.copy(cv.bases + elemBytes(n), cv.gy, n);
  for (let g = 1; g < GROUPS; g++) {
    const src = GB + <usize>(2 * (g - 1) * bytes);
    const dst = cv.bases + <usize>g * ab;
    L.fromBytes(t, n, src, bytes);
    toMont(c, dst, t);
    L.fromBytes(t, n, src + <usize>bytes, bytes);
    toMont(c, dst + elemBytes(n), t);
  }
  release(m0);
  store<usize>(curves + (<usize>id << alignof<usize>()), changetype<usize>(cv));
}

/**
 * The fixed-base table of cv, in the persistent region. Built at the second call that needs
 * the curve, not the first: it costs some 16 times the key it speeds up (832 point additions
 * and a batch inversion for P-256, against about 320 additions for one key without it), so a
 * process that makes a single key never pays for it. No scratch may be live.
 */
function buildTable(cv: Curve): void {
  const n = cv.n;
  const windows = cv.windows;
  const table = allocPersistent(<usize>windows * ROW * affineBytes(n));
  const m0 = mark();
  const c = fieldContext(cv);
  // Table: T[i][j] = (j+1) * 2^(Wi) * G, first projective, then all made affine with one
  // inversion (Montgomery's batch trick). Public data: variable time is fine here.
  const pb = pointBytes(n);
  const e = elemBytes(n);
  const count = windows * ROW;
  const proj = alloc(<usize>count * pb);
  const base = alloc(pb);
  L.copy(base, cv.gx, n);
  L.copy(base + e, cv.gy, n);
  L.copy(base + 2 * e, c.one, n);
  const s = newScratch(n);
  for (let i = 0; i < windows; i++) {
    const row = proj + <usize>i * ROW * pb;
    memory.copy(row, base, pb);
    for (let j = 1; j < ROW; j++) pointAdd(cv, c, s, row + <usize>j * pb, row + <usize>(j - 1) * pb, base);
    // next base = 2^W * base = 2 * (2^(W-1) * base)
    pointAdd(cv, c, s, base, row + <usize>(ROW - 1) * pb, row + <usize>(ROW - 1) * pb);
  }
  // prefix[i] = Z_0 ... Z_i
  const prefix = alloc(<usize>count * e);
  L.copy(prefix, proj + 2 * e, n);
  for (let i = 1; i < count; i++) {
    fmul(c, prefix + <usize>i * e, prefix + <usize>(i - 1) * e, proj + <usize>i * pb + 2 * e);
  }
  const inv = newLimbs(n);
  const zi = newLimbs(n);
  finv(c, inv, prefix + <usize>(count - 1) * e, cv.pMinus2, cv.bits);
  const ab = affineBytes(n);
  for (let i = count - 1; i >= 0; i--) {
    // inv = (Z_0 ... Z_i)^-1
    if (i > 0) fmul(c, zi, inv, prefix + <usize>(i - 1) * e);
    else L.copy(zi, inv, n);
    const src = proj + <usize>i * pb;
    const dst = table + <usize>i * ab;
    fmul(c, dst, src, zi);
    fmul(c, dst + e, src + e, zi);
    L.reduceOnce(dst, c.N, n);
    L.reduceOnce(dst + e, c.N, n);
    fmul(c, inv, inv, src + 2 * e);
  }
  release(m0);
  cv.table = table;
}

/** Scratch for pointAdd: 5 temporaries and 3 outputs. */
export function newScratch(n: i32): usize {
  return alloc(8 * elemBytes(n));
}

/**
 * out = p1 + p2 with the complete formulas (RCB 2016, Algorithm 4 for a = -3, 7 for a = 0).
 * out may alias p1 or p2. s: scratch from newScratch.
 */
export function pointAdd(cv: Curve, c: Mont, s: usize, out: usize, p1: usize, p2: usize): void {
  const e = elemBytes(cv.n);
  const X1 = p1, Y1 = p1 + e, Z1 = p1 + 2 * e;
  const X2 = p2, Y2 = p2 + e, Z2 = p2 + 2 * e;
  const t0 = s, t1 = s + e, t2 = s + 2 * e, t3 = s + 3 * e, t4 = s + 4 * e;
  const X3 = s + 5 * e, Y3 = s + 6 * e, Z3 = s + 7 * e;
  fmul(c, t0, X1, X2);
  fmul(c, t1, Y1, Y2);
  fmul(c, t2, Z1, Z2);
  fadd(c, t3, X1, Y1);
  fadd(c, t4, X2, Y2);
  fmul(c, t3, t3, t4);
  fadd(c, t4, t0, t1);
  fsub(c, t3, t3, t4);
  fadd(c, t4, Y1, Z1);
  fadd(c, X3, Y2, Z2);
  fmul(c, t4, t4, X3);
  fadd(c, X3, t1, t2);
  fsub(c, t4, t4, X3);
  fadd(c, X3, X1, Z1);
  fadd(c, Y3, X2, Z2);
  fmul(c, X3, X3, Y3);
  fadd(c, Y3, t0, t2);
  fsub(c, Y3, X3, Y3);
  addTail(cv, c, s);
  L.copy(out, X3, cv.n);
  L.copy(out + e, Y3, cv.n);
  L.copy(out + 2 * e, Z3, cv.n);
}

/**
 * The second half of the complete addition, shared by the projective and the mixed form:
 * RCB 2016 Algorithm 4 steps 19-43 (a = -3) or Algorithm 7 steps 19-33 (a = 0), which are
 * Algorithm 5 steps 12-36 and Algorithm 8 steps 12-26 once t2 = Z1 * Z2 is Z1. Works on the
 * scratch layout of newScratch: t0..t4, then X3, Y3, Z3.
 */
function addTail(cv: Curve, c: Mont, s: usize): void {
  const e = elemBytes(cv.n);
  const t0 = s, t1 = s + e, t2 = s + 2 * e, t3 = s + 3 * e, t4 = s + 4 * e;
  const X3 = s + 5 * e, Y3 = s + 6 * e, Z3 = s + 7 * e;
  const b = cv.bM;
  if (cv.aZero) {
    // b holds 3b.
    fadd(c, X3, t0, t0);
    fadd(c, t0, X3, t0);
    fmul(c, t2, b, t2);
    fadd(c, Z3, t1, t2);
    fsub(c, t1, t1, t2);
    fmul(c, Y3, b, Y3);
    fmul(c, X3, t4, Y3);
    fmul(c, t2, t3, t1);
    fsub(c, X3, t2, X3);
    fmul(c, Y3, Y3, t0);
    fmul(c, t1, t1, Z3);
    fadd(c, Y3, t1, Y3);
    fmul(c, t0, t0, t3);
    fmul(c, Z3, Z3, t4);
    fadd(c, Z3, Z3, t0);
  } else {
    fmul(c, Z3, b, t2);
    fsub(c, X3, Y3, Z3);
    fadd(c, Z3, X3, X3);
    fadd(c, X3, X3, Z3);
    fsub(c, Z3, t1, X3);
    fadd(c, X3, t1, X3);
    fmul(c, Y3, b, Y3);
    fadd(c, t1, t2, t2);
    fadd(c, t2, t1, t2);
    fsub(c, Y3, Y3, t2);
    fsub(c, Y3, Y3, t0);
    fadd(c, t1, Y3, Y3);
    fadd(c, Y3, t1, Y3);
    fadd(c, t1, t0, t0);
    fadd(c, t0, t1, t0);
    fsub(c, t0, t0, t2);
    fmul(c, t1, t4, Y3);
    fmul(c, t2, t0, Y3);
    fmul(c, Y3, X3, Z3);
    fadd(c, Y3, Y3, t2);
    fmul(c, X3, t3, X3);
    fsub(c, X3, X3, t1);
    fmul(c, Z3, t4, Z3);
    fmul(c, t1, t3, t0);
    fadd(c, Z3, Z3, t1);
  }
}

/**
 * out = p1 + q for projective p1 and affine q (not the point at infinity), by the mixed
 * complete formulas: RCB 2016 Algorithm 5 (a = -3) and 8 (a = 0). out may alias p1.
 */
export function pointAddMixed(cv: Curve, c: Mont, s: usize, out: usize, p1: usize, q: usize): void {
  const e = elemBytes(cv.n);
  const X1 = p1, Y1 = p1 + e, Z1 = p1 + 2 * e;
  const X2 = q, Y2 = q + e;
  const t0 = s, t1 = s + e, t2 = s + 2 * e, t3 = s + 3 * e, t4 = s + 4 * e;
  const X3 = s + 5 * e, Y3 = s + 6 * e, Z3 = s + 7 * e;
  fmul(c, t0, X1, X2);
  fmul(c, t1, Y1, Y2);
  fadd(c, t3, X2, Y2);
  fadd(c, t4, X1, Y1);
  fmul(c, t3, t3, t4);
  fadd(c, t4, t0, t1);
  fsub(c, t3, t3, t4);
  fmul(c, t4, Y2, Z1);
  fadd(c, t4, t4, Y1);
  fmul(c, Y3, X2, Z1);
  fadd(c, Y3, Y3, X1);
  // With Z2 = 1, the rest is the full formula's with Z1 in the place of t2 = Z1*Z2.
  L.copy(t2, Z1, cv.n);
  addTail(cv, c, s);
  L.copy(out, X3, cv.n);
  L.copy(out + e, Y3, cv.n);
  L.copy(out + 2 * e, Z3, cv.n);
}

/**
 * out = 2 p1 by the exact doubling formulas of RCB 2016: Algorithm 6 (a = -3, 8M + 3S) and
 * Algorithm 9 (a = 0, 6M + 2S), complete like the addition (the point at infinity doubles to
 * itself). out may alias p1. s: scratch from newScratch.
 */
export function pointDouble(cv: Curve, c: Mont, s: usize, out: usize, p1: usize): void {
  const e = elemBytes(cv.n);
  const X = p1, Y = p1 + e, Z = p1 + 2 * e;
  const t0 = s, t1 = s + e, t2 = s + 2 * e, t3 = s + 3 * e;
  const X3 = s + 5 * e, Y3 = s + 6 * e, Z3 = s + 7 * e;
  const b = cv.bM;
  if (cv.aZero) {
    // b holds 3b.
    fsqr(c, t0, Y);
    fadd(c, Z3, t0, t0);
    fadd(c, Z3, Z3, Z3);
    fadd(c, Z3, Z3, Z3);
    fmul(c, t1, Y, Z);
    fsqr(c, t2, Z);
    fmul(c, t2, b, t2);
    fmul(c, X3, t2, Z3);
    fadd(c, Y3, t0, t2);
    fmul(c, Z3, t1, Z3);
    fadd(c, t1, t2, t2);
    fadd(c, t2, t1, t2);
    fsub(c, t0, t0, t2);
    fmul(c, Y3, t0, Y3);
    fadd(c, Y3, X3, Y3);
    fmul(c, t1, X, Y);
    fmul(c, X3, t0, t1);
    fadd(c, X3, X3, X3);
  } else {
    fsqr(c, t0, X);
    fsqr(c, t1, Y);
    fsqr(c, t2, Z);
    fmul(c, t3, X, Y);
    fadd(c, t3, t3, t3);
    fmul(c, Z3, X, Z);
    fadd(c, Z3, Z3, Z3);
    fmul(c, Y3, b, t2);
    fsub(c, Y3, Y3, Z3);
    fadd(c, X3, Y3, Y3);
    fadd(c, Y3, X3, Y3);
    fsub(c, X3, t1, Y3);
    fadd(c, Y3, t1, Y3);
    fmul(c, Y3, X3, Y3);
    fmul(c, X3, X3, t3);
    fadd(c, t3, t2, t2);
    fadd(c, t2, t2, t3);
    fmul(c, Z3, b, Z3);
    fsub(c, Z3, Z3, t2);
    fsub(c, Z3, Z3, t0);
    fadd(c, t3, Z3, Z3);
    fadd(c, Z3, Z3, t3);
    fadd(c, t3, t0, t0);
    fadd(c, t0, t3, t0);
    fsub(c, t0, t0, t2);
    fmul(c, t0, t0, Z3);
    fadd(c, Y3, Y3, t0);
    fmul(c, t0, Y, Z);
    fadd(c, t0, t0, t0);
    fmul(c, Z3, t0, Z3);
    fsub(c, X3, X3, Z3);
    fmul(c, Z3, t0, t1);
    fadd(c, Z3, Z3, Z3);
    fadd(c, Z3, Z3, Z3);
  }
  L.copy(out, X3, cv.n);
  L.copy(out + e, Y3, cv.n);
  L.copy(out + 2 * e, Z3, cv.n);
}

/**
 * out = p1 + q for p1 in Jacobian coordinates (X : Y : Z), x = X/Z^2 and y = Y/Z^3, and q
 * affine: 8M + 3S (add-1998-cmo-2 of the Explicit-Formulas Database with Z2 = 1), against
 * 13M for the complete mixed formula. NOT complete: the result is wrong when p1 = q,
 * p1 = -q or p1 is the point at infinity. scalarMultBase calls it only where none of those
 * can happen (see there). Straight-line: constant time. out may alias p1.
 */
function jacAddAffine(cv: Curve, c: Mont, s: usize, out: usize, p1: usize, q: usize): void {
  const e = elemBytes(cv.n);
  const X1 = p1, Y1 = p1 + e, Z1 = p1 + 2 * e;
  const x2 = q, y2 = q + e;
  const t0 = s, t1 = s + e, t2 = s + 2 * e, t3 = s + 3 * e;
  fsqr(c, t0, Z1); // Z1^2
  fmul(c, t1, x2, t0); // U2 = x2 Z1^2
  fmul(c, t0, t0, Z1); // Z1^3
  fmul(c, t0, y2, t0); // S2 = y2 Z1^3
  fsub(c, t1, t1, X1); // H = U2 - X1
  fsub(c, t0, t0, Y1); // R = S2 - Y1
  fsqr(c, t2, t1); // H^2
  fmul(c, out + 2 * e, Z1, t1); // Z3 = Z1 H (Z1 is not read again)
  fmul(c, t1, t1, t2); // H^3
  fmul(c, t2, X1, t2); // V = X1 H^2
  fsqr(c, t3, t0); // R^2
  fsub(c, t3, t3, t1);
  fsub(c, t3, t3, t2);
  fsub(c, out, t3, t2); // X3 = R^2 - H^3 - 2V (X1 is not read again)
  fsub(c, t2, t2, out); // V - X3
  fmul(c, t2, t0, t2); // R (V - X3)
  fmul(c, t1, Y1, t1); // Y1 H^3
  fsub(c, out + e, t2, t1); // Y3
}

/**
 * out = mask ? a : b over the n limbs of field elements, with SIMD a whole vector at a time
 * (the limbs past n, up to a multiple of four, are the elements' zero padding).
 */
@inline function vselect(out: usize, mask: u32, a: usize, b: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) {
    const m = i32x4.splat(mask);
    const bytes = <usize>((n + 3) & ~3) << 2;
    for (let off: usize = 0; off < bytes; off += 16) {
      v128.store(out + off, v128.bitselect(v128.load(a + off), v128.load(b + off), m));
    }
  } else {
    L.select(out, mask, a, b, n);
  }
}

/**
 * sel = entry idx of a row of ROW entries (eb bytes apart): every entry is read whatever idx
 * is, and kept or dropped by mask, so the addresses never depend on idx. With e and n given,
 * an entry holds floor(eb / e) coordinates of e bytes of which only the first n limbs
 * (rounded up to whole 16-byte vectors, zeros past n) are read and written, not the padding.
 * With SIMD, a coordinate's vectors (at most 5: 19 limbs) are accumulated in locals while the
 * entries go by, one mask per entry and coordinate, made in a register.
 */
export function scanTable(sel: usize, row: usize, eb: usize, idx: u32, e: usize = 0, n: i32 = 0): void {
  // [base, base + span) within each stride of `step` bytes
  const step = e != 0 ? e : eb;
  const span = e != 0 ? <usize>((n + 3) & ~3) << 2 : eb;
  for (let base: usize = 0; base + step <= eb; base += step) {
    if (ASC_FEATURE_SIMD) {
      let off = base;
      while (off < base + span) {
        // up to five vectors at a time
        const left = (base + span - off) >> 4;
        const count = left < 5 ? left : 5;
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0), a4 = i32x4.splat(0);
        let p = row + off;
        for (let j: u32 = 0; j < <u32>ROW; j++) {
          const m = i32x4.splat(~L.nonZeroMask(j ^ idx));
          a0 = v128.or(a0, v128.and(v128.load(p), m));
          if (count > 1) a1 = v128.or(a1, v128.and(v128.load(p, 16), m));
          if (count > 2) a2 = v128.or(a2, v128.and(v128.load(p, 32), m));
          if (count > 3) a3 = v128.or(a3, v128.and(v128.load(p, 48), m));
          if (count > 4) a4 = v128.or(a4, v128.and(v128.load(p, 64), m));
          p += eb;
        }
        v128.store(sel + off, a0);
        if (count > 1) v128.store(sel + off, a1, 16);
        if (count > 2) v128.store(sel + off, a2, 32);
        if (count > 3) v128.store(sel + off, a3, 48);
        if (count > 4) v128.store(sel + off, a4, 64);
        off += count << 4;
      }
    } else {
      for (let off = base; off < base + span; off += 4) {
        let acc: u32 = 0;
        for (let j: u32 = 0; j < <u32>ROW; j++) {
          acc |= load<u32>(row + <usize>j * eb + off) & ~L.nonZeroMask(j ^ idx);
        }
        store<u32>(sel + off, acc);
      }
    }
  }
}

/** W bits of a big-endian scalar of `len` bytes from bit `pos` (public position, secret bits). */
@inline export function windowBits(k: usize, len: i32, pos: i32): u32 {
  let v: u32 = 0;
  for (let b = W - 1; b >= 0; b--) {
    const bitPos = pos + b;
    const byteIndex = len - 1 - (bitPos >> 3);
    const bit: u32 = byteIndex >= 0 ? (<u32>load<u8>(k + <usize>byteIndex) >> <u32>(bitPos & 7)) & 1 : 0;
    v = (v << 1) | bit;
  }
  return v;
}

/**
 * out (affine x, y as big-endian bytes, 2 * bytes) = [k]G for a big-endian scalar k of
 * `bytes` bytes, k < 2^bits. Returns 0 if the result is the point at infinity (k = 0 mod n).
 */
export function scalarMultBase(id: i32, k: usize, outX: usize, outY: usize, useTable: bool = true): i32 {
  const cv = changetype<Curve>(curveRecord(id));
  if (changetype<usize>(cv) == 0) unreachable();
  const n = cv.n;
  const e = elemBytes(n);
  const pb = pointBytes(n);
  const m0 = mark();
  const c = fieldContext(cv);
  const s = newScratch(n);
  const acc = alloc(pb);
  const sum = alloc(pb);
  const sel = alloc(affineBytes(n));
  const negY = newLimbs(n);
  const zero = newLimbs(n);
  const ab = affineBytes(n);
  const half: u32 = <u32>ROW;
  // acc = point at infinity (0 : 1 : 0)
  L.copy(acc + e, c.one, n);
  // Before the curve's table exists (its first key), or when a test asks: without it.
  const withTable = cv.table != 0 && useTable;
  if (!withTable) scalarMultBaseNoTable(cv, c, s, acc, k);
  // With the table, acc = A_i G after window i, A_i = sum of d_j 2^(Wj) for j <= i, and
  // |A_(i-1)| < 16 * 2^(W(i-1)) * 32/31 < 2^(Wi) / 1.9 while a nonzero entry d_i 2^(Wi) G has
  // |d_i| 2^(Wi) >= 2^(Wi). So A_(i-1) = +-d_i 2^(Wi) mod n (a doubling, or infinity) needs
  // |A_(i-1)| + 16 * 2^(Wi) >= n > 2^(bits-1), that is Wi > bits - 6; at or below that, acc
  // is also never the point at infinity once a digit was nonzero. The windows with
  // Wi < bits - 6 (one fewer than the bound allows when W divides bits - 6) add in Jacobian
  // coordinates with the cheaper incomplete formula (jacAddAffine), the infinity of a run of
  // zero digits kept as a mask; the top windows, where the special cases can occur, convert
  // acc to projective coordinates and use the complete formula. All by masks: the same work
  // whatever the digits.
  const jacobianEnd = withTable ? min((cv.bits - 6 + W - 1) / W, cv.windows) : 0;
  if (withTable) {
    // Jacobian infinity (1 : 1 : 0); inf is all-ones while every digit so far was zero.
    L.copy(acc, c.one, n);
  }
  let inf: u32 = 0xffffffff;
  let carry: u32 = 0;
  for (let i = 0; withTable && i < cv.windows; i++) {
    // Signed recoding: v in [0, 2^W]; v >= 2^(W-1) becomes v - 2^W with a carry.
    const v = windowBits(k, cv.bytes, i * W) + carry;
    carry = (v + half) >> <u32>W;
    const d = <i32>v - <i32>(carry << <u32>W); // [-2^(W-1), 2^(W-1) - 1]
    const neg = <u32>(d >> 31);
    const abs = <u32>((d ^ (d >> 31)) - (d >> 31)); // [0, 2^(W-1)]
    const isZero = ~L.nonZeroMask(abs);
    // entry abs-1, or entry 0 as a stand-in when abs = 0 (its sum is discarded below)
    scanTable(sel, cv.table + <usize>i * ROW * ab, ab, (abs - 1) & ~isZero, e, n);
    fsub(c, negY, zero, sel + e);
    vselect(sel + e, neg, negY, sel + e, n);
    if (i < jacobianEnd) {
      jacAddAffine(cv, c, s, sum, acc, sel);
      // After only zero digits acc is infinity, and the sum is the entry itself (Z = 1).
      vselect(sum, inf, sel, sum, n);
      vselect(sum + e, inf, sel + e, sum + e, n);
      vselect(sum + 2 * e, inf, c.one, sum + 2 * e, n);
      inf &= isZero;
    } else {
      if (i == jacobianEnd) {
        // Jacobian (X : Y : Z) to projective (X Z : Y : Z^3); infinity (1 : 1 : 0) becomes (0 : 1 : 0).
        fmul(c, acc, acc, acc + 2 * e);
        fsqr(c, sum, acc + 2 * e);
        fmul(c, acc + 2 * e, acc + 2 * e, sum);
      }
      pointAddMixed(cv, c, s, sum, acc, sel);
    }
    vselect(acc, isZero, acc, sum, n);
    vselect(acc + e, isZero, acc + e, sum + e, n);
    vselect(acc + 2 * e, isZero, acc + 2 * e, sum + 2 * e, n);
  }
  if (withTable && jacobianEnd == cv.windows) unreachable(); // the last window is always complete
  // Affine: x = X/Z, y = Y/Z.
  const zi = newLimbs(n);
  const x = newLimbs(n);
  const y = newLimbs(n);
  finv(c, zi, acc + 2 * e, cv.pMinus2, cv.bits);
  fmul(c, x, acc, zi);
  fmul(c, y, acc + e, zi);
  // Defence against faults: the point must satisfy the curve equation.
  const onCurveM = isOnCurve(cv, c, x, y);
  fromMont(c, x, x);
  fromMont(c, y, y);
  // The point at infinity has Z = 0, so zi = 0 and x = y = 0; no finite point has y = 0 on
  // these curves (their order is odd and prime).
  const infinite = L.isZeroMask(y, n);
  const onCurve = onCurveM | infinite;
  L.toBytes(outX, cv.bytes, x, n);
  L.toBytes(outY, cv.bytes, y, n);
  release(m0);
  if (onCurve == 0) unreachable();
  return <i32>(~infinite & 1);
}

/**
 * acc = [k]G without the fixed-base table (acc holds the point at infinity on entry). The same
 * signed W-bit digits d_i as the table path fall into GROUPS groups of m consecutive windows,
 * and group g multiplies the base B_g = 2^(W·m·g)·G (public constants, cv.bases), so that
 * [k]G = sum over t of 2^(Wt) · sum over g of d_(gm+t) B_g: from the top t down, W doublings
 * (the complete addition of a point to itself), then per group the addition of sign(d)·(|d|)B_g
 * from a 16-entry table of B_g's multiples made for this call, read by scanning every entry.
 * The work is the same for every scalar: a zero digit adds an entry anyway and the sum is
 * discarded by mask. P-256: 65 doublings, 52 additions and 60 to make the tables, against 832
 * additions and a batch inversion to build the fixed-base table.
 */
function scalarMultBaseNoTable(cv: Curve, c: Mont, s: usize, acc: usize, k: usize): void {
  const n = cv.n;
  const e = elemBytes(n);
  const pb = pointBytes(n);
  const ab = affineBytes(n);
  const windows = cv.windows;
  const m = (windows + GROUPS - 1) / GROUPS;
  // Entries 16-byte aligned, so that scanTable reads each whole and nothing past it.
  const stride = (pb + 15) & ~(<usize>15);
  const rowBytes = <usize>ROW * stride;
  const tabs = alloc(<usize>GROUPS * rowBytes);
  for (let g = 0; g < GROUPS; g++) {
    // tabs[g][j] = (j+1) B_g, projective
    const tab = tabs + <usize>g * rowBytes;
    const base = cv.bases + <usize>g * ab;
    L.copy(tab, base, n);
    L.copy(tab + e, base + e, n);
    L.copy(tab + 2 * e, c.one, n);
    for (let j = 1; j < ROW; j++) {
      pointAddMixed(cv, c, s, tab + <usize>j * stride, tab + <usize>(j - 1) * stride, base);
    }
  }
  // The digits, low to high, as the table path recodes them, then zeros up to GROUPS·m
  // (secret: scratch, wiped after).
  const digits = alloc(<usize>(GROUPS * m) << 2);
  const half: u32 = <u32>ROW;
  let carry: u32 = 0;
  for (let i = 0; i < windows; i++) {
    const v = windowBits(k, cv.bytes, i * W) + carry;
    carry = (v + half) >> <u32>W;
    store<i32>(digits + (<usize>i << 2), <i32>v - <i32>(carry << <u32>W));
  }
  const sel = alloc(stride);
  const sum = alloc(pb);
  const negY = newLimbs(n);
  const zero = newLimbs(n);
  for (let t = m - 1; t >= 0; t--) {
    for (let b = 0; b < W; b++) pointDouble(cv, c, s, acc, acc);
    for (let g = 0; g < GROUPS; g++) {
      const d = load<i32>(digits + (<usize>(g * m + t) << 2));
      const neg = <u32>(d >> 31);
      const abs = <u32>((d ^ (d >> 31)) - (d >> 31)); // [0, 2^(W-1)]
      const isZero = ~L.nonZeroMask(abs);
      scanTable(sel, tabs + <usize>g * rowBytes, stride, (abs - 1) & ~isZero, e, n);
      fsub(c, negY, zero, sel + e);
      L.select(sel + e, neg, negY, sel + e, n);
      pointAdd(cv, c, s, sum, acc, sel);
      L.select(acc, isZero, acc, sum, n);
      L.select(acc + e, isZero, acc + e, sum + e, n);
      L.select(acc + 2 * e, isZero, acc + 2 * e, sum + 2 * e, n);
    }
  }
}

/** y^2 == x^3 + ax + b for x, y in Montgomery form. All-ones if so. */
export function isOnCurve(cv: Curve, c: Mont, xm: usize, ym: usize): u32 {
  const n = cv.n;
  const lhs = newLimbs(n), rhs = newLimbs(n), t = newLimbs(n);
  fsqr(c, lhs, ym);
  fsqr(c, rhs, xm);
  fmul(c, rhs, rhs, xm);
  if (cv.aZero) {
    // bM holds 3b: b = 3b / 3 is awkward, so compare 3y^2 with 3x^3 + 3b.
    fadd(c, t, lhs, lhs);
    fadd(c, lhs, t, lhs);
    fadd(c, t, rhs, rhs);
    fadd(c, rhs, t, rhs);
    fadd(c, rhs, rhs, cv.bM);
  } else {
    fsub(c, rhs, rhs, xm);
    fsub(c, rhs, rhs, xm);
    fsub(c, rhs, rhs, xm);
    fadd(c, rhs, rhs, cv.bM);
  }
  L.reduceOnce(lhs, c.N, n);
  L.reduceOnce(rhs, c.N, n);
  return L.equalMask(lhs, rhs, n);
}

/**
 * A key pair: Q = [d]G for d uniform in the private key range. Writes d (field-length bytes)
 * to outD and 04 || x || y to outPoint. Returns false, with nothing usable written, when the
 * random source gave no candidate in range (a broken source; the host reports KEYGEN_FAILED).
 */
export function ecGenerate(id: i32, outD: usize, outPoint: usize): bool {
  const cv = changetype<Curve>(curveRecord(id));
  if (changetype<usize>(cv) == 0) unreachable();
  const n = cv.n;
  const len = cv.bytes;
  const excess = <u32>(len * 8 - cv.bits);
  const m0 = mark();
  const d = newLimbs(n);
  const limit = newLimbs(n);
  L.copy(limit, cv.order, n);
  // SM2 (GB/T 32918.1-2016 §6.1, key pair generation) takes d in [1, n-2], not [1, n-1]:
  // its signature computes (1 + d)^-1 mod n, which does not exist for d = n - 1.
  if (id == CURVE_SM2) L.subSmall(limit, n, 1);
  // FIPS 186-5 Appendix A.2.2 (Rejection Sampling), one of the two methods FIPS 186-5 §A.2
  // allows for the curves of SP 800-186, used here for secp256k1 and SM2 too. A.2.2 draws c
  // of N = len(n) bits, rejects c > n - 2 and returns d = c + 1; accepting c in [1, n - 1]
  // directly is the same distribution (uniform on [1, n - 1]) with the same rejection
  // probability, and needs no addition on the secret. Unlike A.2.1 (64 extra bits, then a
  // reduction mod n - 1) nothing secret is reduced. Only the accepted candidate becomes d; a
  // rejected one is discarded, so the data-dependent loop exit tells nothing about the key.
  for (let attempt = 0; ; attempt++) {
    // A candidate lands in range with probability > 1/2 for every curve here; 256 misses
    // in a row (probability < 2^-256) mean the random source is broken.
    if (attempt == 256) {
      memory.fill(outD, 0, <usize>len);
      release(m0);
      return false;
    }
    randomBytes(outD, len);
    // N = len(n) bits: the bits of the top byte above len(n) are cleared, which keeps the
    // acceptance probability above 1/2 (P-521's 66 bytes carry 7 bits more than n).
    store<u8>(outD, load<u8>(outD) & <u8>(<u32>0xff >> excess));
    L.fromBytes(d, n, outD, len);
    // Accept 1 <= d < limit (SM2: d <= n - 2), else draw a new candidate.
    const inRange = L.lessThan(d, limit, n) & ~L.isZeroMask(d, n) & 1;
    if (inRange != 0) break;
  }
  store<u8>(outPoint, 0x04);
  // Q = [d]G. Q is never the point at infinity for 0 < d < n: a trap here is a broken
  // scalar multiplication, not a bad input.
  if (scalarMultBase(id, outD, outPoint + 1, outPoint + 1 + <usize>len) == 0) unreachable();
  release(m0);
  return true;
}

export function ecFieldBytes(id: i32): i32 {
  return changetype<Curve>(curveRecord(id)).bytes;
}
