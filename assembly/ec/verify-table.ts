// Verification with a public key seen before: a table of the key's multiples, kept in the
// arena's persistent region, and a like table of G per curve, so that [u1]G + [u2]Q takes an
// eighth of the doublings of the plain path and fewer additions.
//
// u = sum c_j 2^(w j) (CHUNKS chunks of w = bits / 8 bits), so [u]P = sum [c_j] P_j with
// P_j = [2^(w j)] P: the NAFs of all chunks of u1 and u2 share one run of about w doublings,
// and each nonzero digit adds an odd multiple of a P_j from a table, affine, so by the mixed
// addition (7M + 4S). Q's table holds (1, 3, .., 31) Q_j (width-6 NAF), G's (1, 3, .., 63) G_j
// (width 7: G's table is made once per curve). A P-256 verification then takes some 33
// doublings and 69 mixed additions, against 256 doublings, 43 Jacobian and 52 mixed additions.
// Making a key's table (7w doublings, 120 additions, one batch normalisation) costs about one
// and a half plain verifications, so it is made at the second verification with a key, not the
// first: a key used once never pays for it. G's table (about two plain verifications) is made
// at the first use of a key table on the curve.
//
// The cache: SLOTS slots, each a key (curve id, x || y) and, from its second use, its table
// (27 KiB at most: 166 KiB for the slots). A key seen for the first time takes a free slot,
// else the least recently used slot that has no table yet, else the least recently used one.
// Public keys and their multiples are public: the cache is not wiped between calls (like the
// curves' fixed-base tables). Variable time.

import { alloc, allocPersistent, mark, release } from '../arena';
import * as L from '../bignum/limbs';
import { Mont, newLimbs } from '../bignum/mont';
import { fmul, fsqr } from './field';
import { newJacobianScratch, jacDouble, jacAdd } from './jacobian';
import { Curve, fieldContext, elemBytes, pointBytes, affineBytes } from './weierstrass';
import { curveOf, loadAffine, Acc, accAdd, xModNEquals, wnafLimbs } from './ops';
import { invModVarTime } from './verify-inverse';

const CHUNKS: i32 = 8;
/** NAF widths: odd multiples 1, 3, .., 31 of each Q_j, 1, 3, .., 63 of each G_j. */
const Q_WIDTH: i32 = 6;
const Q_ENTRIES: i32 = 1 << (Q_WIDTH - 2);
const G_WIDTH: i32 = 7;
const G_ENTRIES: i32 = 1 << (G_WIDTH - 2);
const SLOTS: i32 = 6;
/** The largest curve: P-521, 19 limbs; 66-byte coordinates. */
const MAX_LIMBS: i32 = 19;
const MAX_AFFINE: usize = 2 * ((<usize>MAX_LIMBS + 8) << 2);
const KEY_BYTES: usize = 2 * 66;
const TABLE_BYTES: usize = <usize>(CHUNKS * Q_ENTRIES) * MAX_AFFINE;
// Slot layout: id (i32), state (i32), last use (u32), pad, key (KEY_BYTES), table.
const SLOT_KEY: usize = 16;
const SLOT_TABLE: usize = (SLOT_KEY + KEY_BYTES + 15) & ~(<usize>15);
const SLOT_BYTES: usize = (SLOT_TABLE + TABLE_BYTES + 15) & ~(<usize>15);
const EMPTY: i32 = 0;
const SEEN: i32 = 1;
const READY: i32 = 2;

// In the arena's persistent region, reserved by verifyCacheEnsure at begin(): the slots at the
// first call for any curve, a curve's G table at the first call for it.
let slots: usize = 0;
let clock: u32 = 0;
/** G's table of each curve 1..5 (0: not reserved), and whether it is made. */
const gTables: usize = memory.data(6 * sizeof<usize>(), sizeof<usize>());
const gReady: usize = memory.data(6 * 4, 4);

@inline function gTableAt(id: i32): usize {
  return load<usize>(gTables + (<usize>id << alignof<usize>()));
}

/**
 * Reserves the cache's memory for the curves of begin()'s flags (bits 2..6: curves 1..5), once:
 * only while no scratch is live (begin() calls it after the curves' setup).
 */
export function verifyCacheEnsure(flags: i32): void {
  if ((flags & 0x7c) == 0) return;
  if (slots == 0) slots = allocPersistent(SLOT_BYTES * <usize>SLOTS);
  for (let id = 1; id <= 5; id++) {
    if ((flags & (1 << (id + 1))) != 0 && gTableAt(id) == 0) {
      const n = curveOf(id).n;
      store<usize>(gTables + (<usize>id << alignof<usize>()), allocPersistent(<usize>(CHUNKS * G_ENTRIES) * affineBytes(n)));
    }
  }
}

@inline function slotAt(i: i32): usize {
  return slots + <usize>i * SLOT_BYTES;
}

/** Whether slot i holds the key (id, qx || qy). */
function holds(i: i32, id: i32, len: i32, qx: usize, qy: usize): bool {
  const slot = slotAt(i);
  if (load<i32>(slot + 4) == EMPTY || load<i32>(slot) != id) return false;
  const key = slot + SLOT_KEY;
  return memory.compare(key, qx, <usize>len) == 0 && memory.compare(key + <usize>len, qy, <usize>len) == 0;
}

/** The table of (id, Q) if it is ready, else 0. Q need not be valid (a hit was validated). */
export function verifyTableLookup(id: i32, qx: usize, qy: usize): usize {
  if (slots == 0) return 0;
  const len = curveOf(id).bytes;
  for (let i = 0; i < SLOTS; i++) {
    if (holds(i, id, len, qx, qy) && load<i32>(slotAt(i) + 4) == READY) {
      store<u32>(slotAt(i) + 8, ++clock);
      return slotAt(i) + SLOT_TABLE;
    }
  }
  return 0;
}

/**
 * Records a use of the VALID key (id, Q) (checked on the curve by the caller) without a ready
 * table: at its first use it takes a slot and 0 is returned; at its second the table is made
 * and returned. Needs the curve's fixed-base table (0 without it).
 */
export function verifyTableRemember(id: i32, qx: usize, qy: usize): usize {
  if (slots == 0 || gTableAt(id) == 0) return 0;
  const cv = curveOf(id);
  const len = cv.bytes;
  for (let i = 0; i < SLOTS; i++) {
    if (!holds(i, id, len, qx, qy)) continue;
    const slot = slotAt(i);
    store<u32>(slot + 8, ++clock);
    if (load<i32>(slot + 4) == SEEN) {
      const m0 = mark();
      const c = fieldContext(cv);
      const qa = alloc(affineBytes(cv.n));
      loadAffine(cv, c, qa, qx, qy);
      buildTable(cv, c, slot + SLOT_TABLE, qa, Q_ENTRIES);
      release(m0);
      store<i32>(slot + 4, READY);
    }
    return slot + SLOT_TABLE;
  }
  // A new key: a free slot, else the oldest without a table, else the oldest.
  let victim = -1;
  for (let pass = EMPTY; pass <= READY && victim < 0; pass++) {
    let oldest: u32 = 0xffffffff;
    for (let i = 0; i < SLOTS; i++) {
      const slot = slotAt(i);
      if (load<i32>(slot + 4) != pass) continue;
      const used = load<u32>(slot + 8);
      if (pass == EMPTY || used < oldest) {
        victim = i;
        oldest = used;
        if (pass == EMPTY) break;
      }
    }
  }
  const slot = slotAt(victim);
  store<i32>(slot, id);
  store<i32>(slot + 4, SEEN);
  store<u32>(slot + 8, ++clock);
  memory.copy(slot + SLOT_KEY, qx, <usize>len);
  memory.copy(slot + SLOT_KEY + <usize>len, qy, <usize>len);
  return 0;
}

/** The chunk width w: CHUNKS chunks cover the bits of n. */
@inline function chunkBits(cv: Curve): i32 {
  return (cv.bits + CHUNKS - 1) / CHUNKS;
}

/** G's table of curve cv, made at its first use. */
function gTableOf(cv: Curve, id: i32, c: Mont): usize {
  const table = gTableAt(id);
  if (load<i32>(gReady + (<usize>id << 2)) == 0) {
    buildTable(cv, c, table, cv.bases, G_ENTRIES); // bases[0] = G, affine, Montgomery form
    store<i32>(gReady + (<usize>id << 2), 1);
  }
  return table;
}

/**
 * out = the (affine, Montgomery form) multiples (2k + 1) [2^(w j)] P, j < CHUNKS, k < entries,
 * of the affine point pa (Montgomery form, x then y).
 */
function buildTable(cv: Curve, c: Mont, out: usize, pa: usize, entries: i32): void {
  const n = cv.n;
  const e = elemBytes(n);
  const pb = pointBytes(n);
  const ab = affineBytes(n);
  const count = CHUNKS * entries;
  const m0 = mark();
  const s = newJacobianScratch(n);
  const base = alloc(pb);
  L.copy(base, pa, n);
  L.copy(base + e, pa + e, n);
  L.copy(base + 2 * e, c.one, n);
  const twice = alloc(pb);
  const proj = alloc(<usize>count * pb);
  const w = chunkBits(cv);
  for (let j = 0; j < CHUNKS; j++) {
    if (j > 0) for (let b = 0; b < w; b++) jacDouble(cv, c, s, base, base);
    const row = proj + <usize>(j * entries) * pb;
    memory.copy(row, base, pb);
    jacDouble(cv, c, s, twice, base);
    for (let k = 1; k < entries; k++) {
      const dst = row + <usize>k * pb;
      memory.copy(dst, dst - pb, pb);
      // (2k+1) 2^(wj) P is neither infinity nor 2^(wj+1) P: n is a prime above 2^(7w+6).
      if (!jacAdd(cv, c, s, dst, twice, false)) unreachable();
    }
  }
  // One inversion for all (Montgomery's trick): prefix[i] = Z_0 ... Z_i.
  const prefix = alloc(<usize>count * e);
  L.copy(prefix, proj + 2 * e, n);
  for (let i = 1; i < count; i++) fmul(c, prefix + <usize>i * e, prefix + <usize>(i - 1) * e, proj + <usize>i * pb + 2 * e);
  const inv = newLimbs(n);
  const t = newLimbs(n);
  // The product is public: invert it in plain form by divsteps, then back to Montgomery form.
  L.setSmall(t, n, 1);
  fmul(c, t, prefix + <usize>(count - 1) * e, t);
  L.reduceOnce(t, c.N, n);
  if (!invModVarTime(inv, t, cv.p, n)) unreachable();
  fmul(c, inv, inv, c.r2);
  const zi = newLimbs(n);
  const z2 = newLimbs(n);
  for (let i = count - 1; i >= 0; i--) {
    const src = proj + <usize>i * pb;
    if (i > 0) fmul(c, zi, inv, prefix + <usize>(i - 1) * e);
    else L.copy(zi, inv, n);
    fmul(c, inv, inv, src + 2 * e);
    // x = X / Z^2, y = Y / Z^3
    const dst = out + <usize>i * ab;
    fsqr(c, z2, zi);
    fmul(c, dst, src, z2);
    fmul(c, z2, z2, zi);
    fmul(c, dst + e, src + e, z2);
    L.reduceOnce(dst, c.N, n);
    L.reduceOnce(dst + e, c.N, n);
  }
  release(m0);
}

/** Bit pos of the big-endian scalar k of len bytes (0 past its end). */
@inline function bitOf(k: usize, len: i32, pos: i32): u32 {
  const byteIndex = len - 1 - (pos >> 3);
  return byteIndex >= 0 ? (<u32>load<u8>(k + <usize>byteIndex) >> <u32>(pos & 7)) & 1 : 0;
}

/**
 * The width-`width` NAFs of the CHUNKS chunks of w bits of k (big-endian, field length), chunk
 * j at naf + j (w + 2), its length at lens + 4 j; returns the longest. Variable time.
 */
function chunkNafs(cv: Curve, k: usize, width: i32, naf: usize, lens: usize, t: usize): i32 {
  const w = chunkBits(cv);
  // A chunk and its carries fit in w + 2 bits: a few limbs, not the field's.
  const n = (w + 2 + 27) / 28;
  let top = 0;
  for (let j = 0; j < CHUNKS; j++) {
    L.zero(t, n);
    for (let b = w - 1; b >= 0; b--) {
      if (bitOf(k, cv.bytes, j * w + b) != 0) L.st(t, b / 28, L.ld(t, b / 28) | (1 << <u32>(b % 28)));
    }
    const out = naf + <usize>(j * (w + 2));
    const len = wnafLimbs(out, t, n, width);
    store<i32>(lens + (<usize>j << 2), len);
    if (len > top) top = len;
  }
  return top;
}

/**
 * Whether [u1]G + [u2]Q is finite with x mod n = r (as ecDoubleScalarMultCheckX), for Q's
 * table from verifyTableLookup / verifyTableRemember. u1, u2, r: big-endian, field length,
 * u1, u2 < 2^bits, r < n. Variable time.
 */
export function ecDoubleScalarMultCheckXTable(id: i32, u1: usize, u2: usize, table: usize, r: usize): bool {
  const cv = curveOf(id);
  const n = cv.n;
  const ab = affineBytes(n);
  const w = chunkBits(cv);
  const m0 = mark();
  const c = fieldContext(cv);
  const gTable = gTableOf(cv, id, c);
  const s = newJacobianScratch(n);
  const tmp = alloc(pointBytes(n));
  const acc = alloc(pointBytes(n));
  const t = newLimbs(n);
  const nafQ = alloc(<usize>(CHUNKS * (w + 2)));
  const lensQ = alloc(<usize>CHUNKS << 2);
  const nafG = alloc(<usize>(CHUNKS * (w + 2)));
  const lensG = alloc(<usize>CHUNKS << 2);
  const topQ = chunkNafs(cv, u2, Q_WIDTH, nafQ, lensQ, t);
  const topG = chunkNafs(cv, u1, G_WIDTH, nafG, lensG, t);
  const top = topQ > topG ? topQ : topG;
  const a = changetype<Acc>(alloc(offsetof<Acc>()));
  a.p = acc;
  a.finite = false;
  for (let i = top - 1; i >= 0; i--) {
    if (a.finite) jacDouble(cv, c, s, acc, acc);
    for (let j = 0; j < CHUNKS; j++) {
      if (i < load<i32>(lensQ + (<usize>j << 2))) {
        const d = <i32>load<i8>(nafQ + <usize>(j * (w + 2) + i));
        if (d != 0) {
          const abs = d < 0 ? -d : d;
          accAdd(cv, c, s, a, table + <usize>(j * Q_ENTRIES + ((abs - 1) >> 1)) * ab, d < 0, true, tmp);
        }
      }
      if (i < load<i32>(lensG + (<usize>j << 2))) {
        const d = <i32>load<i8>(nafG + <usize>(j * (w + 2) + i));
        if (d != 0) {
          const abs = d < 0 ? -d : d;
          accAdd(cv, c, s, a, gTable + <usize>(j * G_ENTRIES + ((abs - 1) >> 1)) * ab, d < 0, true, tmp);
        }
      }
    }
  }
  const ok = a.finite && xModNEquals(cv, c, acc, r);
  release(m0);
  return ok;
}
