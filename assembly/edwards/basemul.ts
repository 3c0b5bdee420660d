// Fixed-base scalar multiplication [k]B on edwards25519, constant time in k.
//
// Method: k (reduced mod L, so below 2^253) is written as 51 signed radix-32 digits e_i in
// [-16, 16]; table j holds the multiples 1..16 of 32^j B (51 tables of 16 points), so
//   [k]B = sum_j [e_j] 32^j B,
// which costs 51 table lookups, no doubling and 50 mixed additions (the first looked-up point
// starts the sum). A lookup reads all sixteen entries of its table and keeps one by mask (the
// digit is secret; the table index j is the loop counter), then negates by mask when the digit
// is negative: -(x, y) = (-x, y), so (y+x, y-x, 2dxy) becomes (y-x, y+x, -2dxy). Radix 32
// rather than 16 (64 additions over tables of 8) trades 13 additions for lookups twice as
// long; the additions cost more. One table per digit rather than one per pair of digits (26
// tables, the odd digits' sum doubled five times) saves the five doublings for twice the
// table: 0.9 microseconds of a 14.7-microsecond [k]B in Node 20.
//
// The table (102 KiB, public) is computed at the second call into a static, zero-initialised
// region of linear memory (memory.data: not stored in the binary) rather than embedded as
// constants: 765 additions, 50 doublings and a batched inversion once per instance. It is
// built inside that call (after begin(), so not with allocPersistent) in scratch memory that
// it releases before returning; it reads nothing secret.
//
// The first call goes without the table (scalarMultBaseNoTable, below, on radix-16 digits), as
// the Weierstrass curves' first keys do: a process that makes one key does not pay for the
// table. (Measured with the earlier 32-KiB table of radix 16: in a fresh Node 20 process the
// first [k]B took 0.6 ms that way against 0.9-2.2 ms with the table built first.)

import { alloc, mark, release } from '../arena';
import { FE_SIZE, FE_BX, FE_BY, feCopy, feMul, feOne, feInvert, feNeg, feCmov, feAdd, feSub, feZero } from './field';
import { GROUP_BASES } from './bases';
import {
  EXT_SIZE, NIELS_SIZE, POINT_TMP_SIZE, extIdentity, nielsIdentity, extAdd, extAddNiels,
  extDouble, nielsFromExt,
} from './point';
import { scalarFold, scalarRecode, scalarRecode32 } from './scalar';
import { scReduce512 } from './modl';

/** The table: 51 rows (32^j B, j = 0 .. 50) of the multiples 1 .. 16. */
const TABLES: i32 = 51;
const TABLE_ENTRIES: i32 = 16;
const POINTS: i32 = TABLES * TABLE_ENTRIES;
const TABLE_BYTES: i32 = POINTS * <i32>NIELS_SIZE;
/** Rows of the no-table path: the multiples 1 .. 8 (radix-16 digits). */
const ENTRIES: i32 = 8;

const table: usize = memory.data(TABLE_BYTES, 64);
let tableReady = false;
/** Whether a first key was made without the table: the next call builds it. */
let firstDone = false;

/** Builds the table on first use (public data: only the base point goes in). */
export function ensureBaseTable(): void {
  if (tableReady) return;
  const m = mark();
  const pts = alloc(<usize>POINTS * EXT_SIZE);
  const prefix = alloc(<usize>POINTS * FE_SIZE);
  const q = alloc(EXT_SIZE);
  const tmp = alloc(POINT_TMP_SIZE);
  const inv = alloc(FE_SIZE);
  const zi = alloc(FE_SIZE);
  // q = B in extended coordinates: (x, y, 1, x y).
  feCopy(q, FE_BX);
  feCopy(q + FE_SIZE, FE_BY);
  feOne(q + 2 * FE_SIZE);
  feMul(q + 3 * FE_SIZE, FE_BX, FE_BY);
  for (let j = 0; j < TABLES; j++) {
    const row = pts + <usize>(j * TABLE_ENTRIES) * EXT_SIZE;
    memory.copy(row, q, EXT_SIZE);
    for (let k = 1; k < TABLE_ENTRIES; k++) {
      extAdd(row + <usize>k * EXT_SIZE, row + <usize>(k - 1) * EXT_SIZE, q, tmp);
    }
    if (j + 1 < TABLES) {
      // next q = 32 q = 2 * (16 q); extDouble computes T too, so q can be added again.
      extDouble(q, row + <usize>(TABLE_ENTRIES - 1) * EXT_SIZE, tmp);
    }
  }
  // Montgomery's simultaneous inversion: one inversion and 3(n-1) multiplications.
  const zOff: usize = 2 * FE_SIZE;
  feCopy(prefix, pts + zOff);
  for (let i = 1; i < POINTS; i++) {
    feMul(prefix + <usize>i * FE_SIZE, prefix + <usize>(i - 1) * FE_SIZE, pts + <usize>i * EXT_SIZE + zOff);
  }
  feInvert(inv, prefix + <usize>(POINTS - 1) * FE_SIZE, alloc(4 * FE_SIZE));
  for (let i = POINTS - 1; i > 0; i--) {
    const p = pts + <usize>i * EXT_SIZE;
    feMul(zi, inv, prefix + <usize>(i - 1) * FE_SIZE); // 1 / Z_i
    feMul(inv, inv, p + zOff); //                          1 / (Z_0 ... Z_{i-1})
    nielsFromExt(table + <usize>i * NIELS_SIZE, p, zi, tmp);
  }
  nielsFromExt(table, pts, inv, tmp);
  release(m);
  tableReady = true;
}

/**
 * t = [digit] (32^j B) in Niels form, digit in [-16, 16], reading every entry of table j: the
 * kept one by AND with an all-ones mask and OR, which costs one operation less per vector than
 * a bitwise select (13.5 -> 13.1 microseconds per [k]B).
 */
function select(t: usize, j: i32, digit: i32): void {
  const neg = digit >> 31; // all ones iff digit < 0
  const abs = (digit ^ neg) - neg;
  nielsIdentity(t);
  const row = table + <usize>(j * TABLE_ENTRIES) * NIELS_SIZE;
  if (ASC_FEATURE_SIMD) {
    // The neutral element where digit = 0, else zero; then every entry ANDed with its mask
    // (all ones for the one entry kept, zero for the others) and ORed in.
    const m0 = i32x4.splat((abs - 1) >> 31); // all ones iff abs == 0
    let v0 = v128.and(v128.load(t, 0), m0);
    let v1 = v128.and(v128.load(t, 16), m0);
    let v2 = v128.and(v128.load(t, 32), m0);
    let v3 = v128.and(v128.load(t, 48), m0);
    let v4 = v128.and(v128.load(t, 64), m0);
    let v5 = v128.and(v128.load(t, 80), m0);
    let v6 = v128.and(v128.load(t, 96), m0);
    let v7 = v128.and(v128.load(t, 112), m0);
    for (let k = 1; k <= TABLE_ENTRIES; k++) {
      const m = i32x4.splat(((abs ^ k) - 1) >> 31); // all ones iff abs == k
      const p = row + <usize>(k - 1) * NIELS_SIZE;
      v0 = v128.or(v0, v128.and(v128.load(p, 0), m));
      v1 = v128.or(v1, v128.and(v128.load(p, 16), m));
      v2 = v128.or(v2, v128.and(v128.load(p, 32), m));
      v3 = v128.or(v3, v128.and(v128.load(p, 48), m));
      v4 = v128.or(v4, v128.and(v128.load(p, 64), m));
      v5 = v128.or(v5, v128.and(v128.load(p, 80), m));
      v6 = v128.or(v6, v128.and(v128.load(p, 96), m));
      v7 = v128.or(v7, v128.and(v128.load(p, 112), m));
    }
    v128.store(t, v0, 0);
    v128.store(t, v1, 16);
    v128.store(t, v2, 32);
    v128.store(t, v3, 48);
    v128.store(t, v4, 64);
    v128.store(t, v5, 80);
    v128.store(t, v6, 96);
    v128.store(t, v7, 112);
  } else {
    // Word by word, the word kept in a register across the sixteen entries; as above.
    const m0 = <u64>(<i64>((abs - 1) >> 31));
    for (let w: usize = 0; w < NIELS_SIZE; w += 8) {
      let a = load<u64>(t + w) & m0;
      for (let k = 1; k <= TABLE_ENTRIES; k++) {
        const mk = <u64>(<i64>(((abs ^ k) - 1) >> 31));
        a |= load<u64>(row + <usize>(k - 1) * NIELS_SIZE + w) & mk;
      }
      store<u64>(t + w, a);
    }
  }
  // Conditional negation: swap y+x and y-x (bitwise, five 64-bit words each), negate 2dxy.
  const neg64 = <u64>(<i64>neg);
  for (let w: usize = 0; w < FE_SIZE; w += 8) {
    const a = load<u64>(t + w);
    const b = load<u64>(t + FE_SIZE + w);
    const x = (a ^ b) & neg64;
    store<u64>(t + w, a ^ x);
    store<u64>(t + FE_SIZE + w, b ^ x);
  }
  const c = t + 2 * FE_SIZE;
  if (ASC_FEATURE_SIMD) {
    const m = i32x4.splat(neg);
    const c0 = v128.load(c);
    const c1 = v128.load(c, 16);
    v128.store(c, v128.bitselect(i32x4.neg(c0), c0, m));
    v128.store(c, v128.bitselect(i32x4.neg(c1), c1, m), 16);
    for (let i: usize = 32; i < FE_SIZE; i += 4) {
      const v = load<i32>(c + i);
      store<i32>(c + i, v ^ ((v ^ -v) & neg));
    }
  } else {
    for (let i: usize = 0; i < FE_SIZE; i += 4) {
      const v = load<i32>(c + i);
      store<i32>(c + i, v ^ ((v ^ -v) & neg));
    }
  }
}

/**
 * r (extended) = [k]B for the 32-byte little-endian integer at `scalar` (any value; with
 * `reduced`, the caller promises k < L and the table path skips its reduction). The first call
 * (or any with useTable false) goes without the table; the second builds it.
 */
export function scalarMultBase(r: usize, scalar: usize, useTable: bool = true, reduced: bool = false): void {
  if (useTable && !tableReady && firstDone) ensureBaseTable();
  const withTable = useTable && tableReady;
  if (useTable) firstDone = true;
  const m = mark();
  const k = alloc(64);
  const e = alloc(64);
  memory.copy(k, scalar, 32);
  if (withTable) {
    // k mod L < 2^253 (B has order L), in radix 32; k is padded for the recoding's reads.
    // `reduced`: the caller's k is below L already (a signature's nonce r).
    if (!reduced) scReduce512(k, k);
    scalarRecode32(e, k);
    multWithTable(r, e);
  } else {
    scalarFold(k);
    scalarRecode(e, k);
    scalarMultBaseNoTable(r, e);
  }
  release(m);
}

/** 1/d, d = -121665/121666 (RFC 8032 §5.1), in the limbs of ./field. */
const FE_DINV: usize = memory.data<i32>([
  30013507, 3972531, 42321084, 12719050, 2979674, 28954470, 51415654, 29910370, 18959708, 16925179,
]);

/**
 * r (extended) = the point t in Niels form (y + x, y - x, 2dxy): (2x : 2y : 2 : 2xy), with
 * 2xy = 2dxy / d. One multiplication instead of the seven of adding t to the neutral element.
 */
function extFromNiels(r: usize, t: usize): void {
  feSub(r, t, t + FE_SIZE);
  feAdd(r + FE_SIZE, t, t + FE_SIZE);
  feZero(r + 2 * FE_SIZE);
  store<i32>(r + 2 * FE_SIZE, 2);
  feMul(r + 3 * FE_SIZE, t + 2 * FE_SIZE, FE_DINV);
}

function multWithTable(r: usize, e: usize): void {
  const m = mark();
  const t = alloc(NIELS_SIZE);
  const tmp = alloc(POINT_TMP_SIZE);
  select(t, 0, <i32>load<i8>(e));
  extFromNiels(r, t);
  for (let i = 1; i < 51; i++) {
    select(t, i, <i32>load<i8>(e + <usize>i));
    extAddNiels(r, r, t, tmp);
  }
  release(m);
}

// ---- Without the table (a first key) -------------------------------------------------------

/** Groups of digits, each over its own base B_g = 2^(64 g) B (g = 0 .. 3). */
const GROUPS: i32 = 4;
const PER_GROUP: i32 = 64 / GROUPS;

/**
 * t = [digit] P_g (extended) for digit in [-8, 8], reading all eight entries of row (the
 * multiples 1..8 of P_g, extended, EXT_SIZE apart) and keeping one by mask, then negating by
 * mask: -(X : Y : Z : T) = (-X : Y : Z : -T). digit 0 leaves the neutral element.
 */
function selectExt(t: usize, row: usize, digit: i32, tmp: usize): void {
  const neg = digit >> 31; // all ones iff digit < 0
  const abs = (digit ^ neg) - neg;
  extIdentity(t);
  for (let k = 1; k <= ENTRIES; k++) {
    const p = row + <usize>(k - 1) * EXT_SIZE;
    if (ASC_FEATURE_SIMD) {
      const mv = i32x4.splat(((abs ^ k) - 1) >> 31); // all ones iff abs == k
      for (let w: usize = 0; w < EXT_SIZE; w += 16) {
        v128.store(t + w, v128.bitselect(v128.load(p + w), v128.load(t + w), mv));
      }
    } else {
      const mk = <u64>(<i64>(((abs ^ k) - 1) >> 31));
      for (let w: usize = 0; w < EXT_SIZE; w += 8) {
        const a = load<u64>(t + w);
        store<u64>(t + w, a ^ ((a ^ load<u64>(p + w)) & mk));
      }
    }
  }
  feNeg(tmp, t);
  feCmov(t, tmp, neg);
  feNeg(tmp, t + 3 * FE_SIZE);
  feCmov(t + 3 * FE_SIZE, tmp, neg);
}

/**
 * r = sum e_i 16^i B without the fixed-base table, for the 64 signed digits at e. Digit i
 * = 16 g + j belongs to group g, whose base B_g = 2^(64 g) B is public (B itself, then the
 * generated constants of ./bases), so [k]B = sum over j of 16^j sum over g of e_(16g+j) B_g:
 * from the top j down, four doublings, then per group the addition of the selected multiple
 * of B_g from an 8-entry row of its multiples made for this call (extended coordinates, read
 * by scanning every entry). The additions are complete, so a zero digit adds the neutral
 * element and the work is the same for every scalar: 28 additions for the rows, 60 doublings
 * and 64 additions, against 224 additions, 155 doublings and an inversion for the table.
 */
export function scalarMultBaseNoTable(r: usize, e: usize): void {
  const m = mark();
  const rowBytes = <usize>ENTRIES * EXT_SIZE;
  const rows = alloc(<usize>GROUPS * rowBytes);
  const t = alloc(EXT_SIZE);
  const tmp = alloc(POINT_TMP_SIZE);
  for (let g = 0; g < GROUPS; g++) {
    const row = rows + <usize>g * rowBytes;
    const bx = g == 0 ? FE_BX : GROUP_BASES + <usize>(2 * (g - 1)) * FE_SIZE;
    // row[0] = B_g = (x, y, 1, x y); row[k] = row[k - 1] + B_g.
    feCopy(row, bx);
    feCopy(row + FE_SIZE, g == 0 ? FE_BY : bx + FE_SIZE);
    feOne(row + 2 * FE_SIZE);
    feMul(row + 3 * FE_SIZE, row, row + FE_SIZE);
    for (let k = 1; k < ENTRIES; k++) {
      extAdd(row + <usize>k * EXT_SIZE, row + <usize>(k - 1) * EXT_SIZE, row, tmp);
    }
  }
  extIdentity(r);
  for (let j = PER_GROUP - 1; j >= 0; j--) {
    if (j < PER_GROUP - 1) {
      extDouble(r, r, tmp);
      extDouble(r, r, tmp);
      extDouble(r, r, tmp);
      extDouble(r, r, tmp);
    }
    for (let g = 0; g < GROUPS; g++) {
      selectExt(t, rows + <usize>g * rowBytes, <i32>load<i8>(e + <usize>(g * PER_GROUP + j)), tmp);
      extAdd(r, r, t, tmp);
    }
  }
  release(m);
}
