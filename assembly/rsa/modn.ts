// Arithmetic modulo a full RSA modulus n (blinding, unblinding, the public exponent, the
// check of a signature). Two representations:
//   - mont.ts's 28-bit limbs (product scanning, SIMD in the SIMD build, lazy reduction: values
//     in [0, 2N) until modnReduce), for moduli up to 254 limbs (7110 bits): RSA_2048 to
//     RSA_4096 (past 128 limbs through mont.ts's wide path, whose sums stay exact).
//   - mont32.ts's 32-bit limbs with CIOS multiplication (carries propagated at once, fully
//     reduced values), for larger moduli, up to 8192 bits.
// Values are moved in and out as big-endian bytes (modnLoad, modnStore).
//
// Constant time in the values: both multiplications run fixed loops and select by mask. The
// modulus, its length and the public exponent are public; modnPowVarTime skips zero bits of
// that exponent, and modnInverseVarTime is variable time (used on blinded values only).

import { alloc, mark, release } from '../arena';
import { montMul32 } from '../bignum/mont32';
import * as L from '../bignum/limbs';
import {
  Mont,
  montNew,
  montNewKnown,
  montLimbs,
  montMul,
  montSqr,
  montR2,
  newLimbs,
  toMont,
  fromMont,
  PAD,
  WIDE_MAX_LIMBS,
} from '../bignum/mont';

/** Largest modulus for the 28-bit representation: WIDE_MAX_LIMBS limbs with R >= 4N. */
const MAX_MONT28_BITS: i32 = WIDE_MAX_LIMBS * 28 - 2;

@inline function ld(p: usize, i: i32): u32 {
  return load<u32>(p + (<usize>i << 2));
}
@inline function st(p: usize, i: i32, v: u32): void {
  store<u32>(p + (<usize>i << 2), v);
}

@unmanaged export class ModN {
  n: i32 = 0; // 32-bit limbs
  len: i32 = 0; // bytes of the modulus (k)
  bits: i32 = 0;
  c: Mont = changetype<Mont>(0); // the 28-bit context, or a null reference (CIOS)
  words: i32 = 0; // u32 words of a value in either representation, padding included
  N: usize = 0; // 32-bit limbs (both representations: modnInverseVarTime uses them)
  n0: u32 = 0; // -N^-1 mod 2^32
  rmod: usize = 0; // R mod N (Montgomery form of 1)
  r2: usize = 0; // R^2 mod N
  one: usize = 0; // plain 1
  t: usize = 0; // montMul32 scratch, n + 2 limbs
}

/** A zeroed value of either representation. */
export function modnLimbs(m: ModN): usize {
  return alloc(<usize>m.words << 2);
}

@inline function wide(m: ModN): bool {
  return changetype<usize>(m.c) == 0;
}

/** x = the big-endian value at src (len <= k bytes). */
export function modnLoad(m: ModN, x: usize, src: usize, len: i32): void {
  if (wide(m)) bytesToLimbs32(x, m.n, src, len);
  else L.fromBytes(x, m.c.n, src, len);
}

/** k big-endian bytes at dst = x (fully reduced first by the caller: modnReduce). */
export function modnStore(m: ModN, dst: usize, x: usize): void {
  if (wide(m)) limbs32ToBytes(dst, m.len, x, m.n);
  else L.toBytes(dst, m.len, x, m.c.n);
}

/** x in [0, 2N) -> [0, N). */
export function modnReduce(m: ModN, x: usize): void {
  if (!wide(m)) L.reduceOnce(x, m.c.N, m.c.n);
}

/** Whether a loaded value is below N (public values: a ciphertext, a signature). */
export function modnBelowN(m: ModN, x: usize): bool {
  if (wide(m)) return lessThanVarTime(x, m.N, m.n);
  return L.lessThan(x, m.c.N, m.c.n) != 0;
}

/** Big-endian bytes (len <= 4 * n) -> n limbs. */
export function bytesToLimbs32(dst: usize, n: i32, src: usize, len: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
  for (let i = 0; i < len; i++) {
    const k = len - 1 - i;
    const w = k >> 2;
    if (w < n) st(dst, w, ld(dst, w) | (<u32>load<u8>(src + <usize>i) << (<u32>(k & 3) << 3)));
  }
}

/** n limbs -> `len` big-endian bytes (the value must fit). */
export function limbs32ToBytes(dst: usize, len: i32, src: usize, n: i32): void {
  for (let i = 0; i < len; i++) {
    const k = len - 1 - i;
    const w = k >> 2;
    store<u8>(dst + <usize>i, w < n ? <u8>(ld(src, w) >> (<u32>(k & 3) << 3)) : 0);
  }
}

/** Bit length of a big-endian byte string (public values only). */
export function byteBitLengthVarTime(src: usize, len: i32): i32 {
  for (let i = 0; i < len; i++) {
    const b = <u32>load<u8>(src + <usize>i);
    if (b != 0) return (len - i) * 8 - (<i32>clz(b) - 24);
  }
  return 0;
}

/**
 * x = 2x mod N for x < N. The setup of a context only (public values), but without a branch,
 * so that the instruction trace of a private operation does not depend on which key it uses.
 */
function doubleMod(m: ModN, x: usize, tmp: usize): void {
  const n = m.n;
  let c: u32 = 0;
  let borrow: u64 = 0;
  for (let j = 0; j < n; j++) {
    const v = ld(x, j);
    const d2 = (v << 1) | c;
    c = v >> 31;
    st(x, j, d2);
    const d = <u64>d2 - <u64>ld(m.N, j) - borrow;
    st(tmp, j, <u32>d);
    borrow = (d >> 63) & 1;
  }
  // keep 2x - N unless that borrowed without a carry out of 2x
  const take = 0 - ((<u32>borrow ^ 1) | c);
  for (let j = 0; j < n; j++) {
    const o = ld(x, j);
    st(x, j, o ^ (take & (o ^ ld(tmp, j))));
  }
}

/** a < b over n limbs, variable time (public values). */
export function lessThanVarTime(a: usize, b: usize, n: i32): bool {
  for (let j = n - 1; j >= 0; j--) {
    const x = ld(a, j);
    const y = ld(b, j);
    if (x != y) return x < y;
  }
  return false;
}

/** A context's sizes and N in 32-bit limbs. */
function modnShell(src: usize, len: i32, bits: i32): ModN {
  const m = changetype<ModN>(alloc(offsetof<ModN>()));
  const n = (len + 3) >> 2;
  m.n = n;
  m.len = len;
  m.bits = bits;
  m.words = n + 2;
  m.N = modnLimbs(m);
  bytesToLimbs32(m.N, n, src, len);
  return m;
}

/** A context for the odd modulus given as `len` big-endian bytes with a nonzero first byte. */
export function modnNew(src: usize, len: i32): ModN {
  const m = modnShell(src, len, byteBitLengthVarTime(src, len));
  const n = m.n;
  if (m.bits <= MAX_MONT28_BITS) {
    const n28 = montLimbs(m.bits);
    if (n28 + PAD > m.words) m.words = n28 + PAD;
    const N28 = modnLimbs(m);
    L.fromBytes(N28, n28, src, len);
    m.c = montNew(N28, n28);
    m.rmod = m.c.one;
    return m;
  }
  m.rmod = modnLimbs(m);
  m.r2 = modnLimbs(m);
  m.one = modnLimbs(m);
  m.t = modnLimbs(m);
  st(m.one, 0, 1);
  // n0 = -N^-1 mod 2^32 by Newton's iteration (3, 6, 12, 24, 48 correct bits).
  const N0 = ld(m.N, 0);
  let x = N0;
  for (let i = 0; i < 4; i++) x = x * (2 - N0 * x);
  m.n0 = 0 - x;
  // R mod N: 2^(bits-1) < N doubled up to 2^(32n).
  const top = m.bits - 1;
  st(m.rmod, top >> 5, <u32>1 << <u32>(top & 31));
  const tmp = modnLimbs(m);
  for (let i = top; i < 32 * n; i++) doubleMod(m, m.rmod, tmp);
  // R^2 mod N: the Montgomery form of 2^n (R * 2^n, n more doublings) squared five times is
  // the Montgomery form of 2^(32n) = R, which is R^2 mod N.
  memory.copy(m.r2, m.rmod, <usize>n << 2);
  for (let i = 0; i < n; i++) doubleMod(m, m.r2, tmp);
  for (let i = 0; i < 5; i++) modnMul(m, m.r2, m.r2, m.r2);
  return m;
}

/**
 * A context for the modulus at src (as modnNew) whose constants the caller kept from an
 * earlier context for it (modnConstants: 2k bytes at `kept`, R^2 mod N then R mod N, public):
 * skips the doublings to R mod N and the computation of R^2 mod N, about a third of an
 * RSA-2048 verification. 28-bit form only: a null reference (and nothing allocated) for the
 * 32-bit form or constants that are not below N.
 */
export function modnNewKnown(src: usize, len: i32, kept: usize): ModN {
  const bits = byteBitLengthVarTime(src, len);
  if (bits > MAX_MONT28_BITS) return changetype<ModN>(0);
  const mk = mark();
  const n28 = montLimbs(bits);
  const N28 = newLimbs(n28);
  const r2 = newLimbs(n28);
  const one = newLimbs(n28);
  L.fromBytes(N28, n28, src, len);
  L.fromBytes(r2, n28, kept, len);
  L.fromBytes(one, n28, kept + <usize>len, len);
  if ((L.lessThan(r2, N28, n28) & L.lessThan(one, N28, n28)) == 0) {
    release(mk);
    return changetype<ModN>(0);
  }
  const m = modnShell(src, len, bits);
  if (n28 + PAD > m.words) m.words = n28 + PAD;
  m.c = montNewKnown(N28, n28, one, r2);
  m.rmod = m.c.one;
  return m;
}

/** The constants modnNewKnown takes (2k bytes at dst: R^2 mod N, R mod N); false for the 32-bit form. */
export function modnConstants(m: ModN, dst: usize): bool {
  if (wide(m)) return false;
  L.toBytes(dst, m.len, montR2(m.c), m.c.n);
  L.toBytes(dst + <usize>m.len, m.len, m.c.one, m.c.n);
  return true;
}

/** out = a*b/R mod N (in [0, 2N); a and b too). out may alias a or b. */
export function modnMul(m: ModN, out: usize, a: usize, b: usize): void {
  if (wide(m)) montMul32(out, a, b, m.N, m.n0, m.n, m.t);
  else montMul(m.c, out, a, b);
}

/** out = a*a/R mod N (a product-scanning square: about 3/4 of a multiplication's work). */
export function modnSqr(m: ModN, out: usize, a: usize): void {
  if (wide(m)) montMul32(out, a, a, m.N, m.n0, m.n, m.t);
  else montSqr(m.c, out, a);
}

/** out = x*R mod N for x < N. */
export function modnToMont(m: ModN, out: usize, x: usize): void {
  if (wide(m)) montMul32(out, x, m.r2, m.N, m.n0, m.n, m.t);
  else toMont(m.c, out, x);
}

/** out = x/R mod N, fully reduced. */
export function modnFromMont(m: ModN, out: usize, x: usize): void {
  if (wide(m)) montMul32(out, x, m.one, m.N, m.n0, m.n, m.t);
  else fromMont(m.c, out, x);
}

/**
 * out = base^e in Montgomery form, base in Montgomery form, e a public big-endian exponent:
 * left-to-right square and multiply over e's bits, skipping its zero bits.
 */
export function modnPowVarTime(m: ModN, out: usize, base: usize, e: usize, eLen: i32): void {
  const acc = modnLimbs(m);
  memory.copy(acc, m.rmod, <usize>m.words << 2);
  let started = false;
  for (let i = 0; i < eLen; i++) {
    const byte = <u32>load<u8>(e + <usize>i);
    for (let b = 7; b >= 0; b--) {
      if (started) modnSqr(m, acc, acc);
      if ((byte >> <u32>b) & 1) {
        modnMul(m, acc, acc, base);
        started = true;
      }
    }
  }
  memory.copy(out, acc, <usize>m.words << 2);
}

/**
 * out = x^e mod N, fully reduced, for x < N (plain, loaded) and a public odd exponent e > 1
 * (big-endian, first byte nonzero): x in Montgomery form, one squaring per bit of e below its
 * top bit and one multiplication per set bit, the last one (e is odd) by the plain x, which
 * leaves the plain result. For e = 65537: 16 squarings and 2 multiplications, where
 * modnToMont, modnPowVarTime and modnFromMont take 16 and 4 (the first multiplication is by 1).
 * The sequence of operations depends on e only. out may alias x.
 */
export function modnPowPublic(m: ModN, out: usize, x: usize, e: usize, eLen: i32): void {
  const xm = modnLimbs(m);
  const acc = modnLimbs(m);
  modnToMont(m, xm, x);
  memory.copy(acc, xm, <usize>m.words << 2);
  const top = byteBitLengthVarTime(e, eLen) - 1;
  for (let i = top - 1; i >= 0; i--) {
    modnSqr(m, acc, acc);
    const byte = <u32>load<u8>(e + <usize>(eLen - 1 - (i >> 3)));
    if ((byte >> <u32>(i & 7)) & 1) modnMul(m, acc, acc, i == 0 ? x : xm);
  }
  modnReduce(m, acc);
  memory.copy(out, acc, <usize>m.words << 2);
}

// ---- Inversion of a blinded value (variable time) ------------------------------------------

@inline function isEven(x: usize): bool {
  return (ld(x, 0) & 1) == 0;
}

function isSmallVarTime(x: usize, n: i32, v: u32): bool {
  if (ld(x, 0) != v) return false;
  for (let j = 1; j < n; j++) if (ld(x, j) != 0) return false;
  return true;
}

function shr1(x: usize, n: i32, topBit: u32): void {
  for (let j = 0; j < n - 1; j++) st(x, j, (ld(x, j) >> 1) | (ld(x, j + 1) << 31));
  st(x, n - 1, (ld(x, n - 1) >> 1) | (topBit << 31));
}

function add32(out: usize, a: usize, b: usize, n: i32): u32 {
  let c: u64 = 0;
  for (let j = 0; j < n; j++) {
    const s = <u64>ld(a, j) + <u64>ld(b, j) + c;
    st(out, j, <u32>s);
    c = s >> 32;
  }
  return <u32>c;
}

function sub32(out: usize, a: usize, b: usize, n: i32): u32 {
  let borrow: u64 = 0;
  for (let j = 0; j < n; j++) {
    const d = <u64>ld(a, j) - <u64>ld(b, j) - borrow;
    st(out, j, <u32>d);
    borrow = (d >> 63) & 1;
  }
  return <u32>borrow;
}

/** x = x/2 mod N for x < N. */
function halveMod(m: ModN, x: usize): void {
  if (isEven(x)) shr1(x, m.n, 0);
  else shr1(x, m.n, add32(x, x, m.N, m.n));
}

/** x = x - y mod N for x, y < N. */
function subMod(m: ModN, x: usize, y: usize): void {
  if (sub32(x, x, y, m.n)) add32(x, x, m.N, m.n);
}

/**
 * out = z^-1 mod N by the binary extended Euclidean algorithm, on 32-bit limbs in either
 * representation (z: n 32-bit limbs, bytesToLimbs32); false when z has no inverse.
 * Variable time in z: callers pass a blinded value only (z = r*b for a random b that is
 * multiplied back afterwards), which is independent of what it hides.
 */
export function modnInverseVarTime(m: ModN, out: usize, z: usize): bool {
  const n = m.n;
  const u = modnLimbs(m);
  const v = modnLimbs(m);
  const x1 = modnLimbs(m);
  const x2 = modnLimbs(m);
  memory.copy(u, z, <usize>n << 2);
  memory.copy(v, m.N, <usize>n << 2);
  st(x1, 0, 1);
  if (isSmallVarTime(u, n, 0)) return false;
  while (!isSmallVarTime(u, n, 1) && !isSmallVarTime(v, n, 1)) {
    while (isEven(u)) {
      shr1(u, n, 0);
      halveMod(m, x1);
    }
    while (isEven(v)) {
      shr1(v, n, 0);
      halveMod(m, x2);
    }
    if (!lessThanVarTime(u, v, n)) {
      sub32(u, u, v, n);
      subMod(m, x1, x2);
      if (isSmallVarTime(u, n, 0)) return false; // gcd(z, N) = v > 1
    } else {
      sub32(v, v, u, n);
      subMod(m, x2, x1);
      if (isSmallVarTime(v, n, 0)) return false;
    }
  }
  memory.copy(out, isSmallVarTime(u, n, 1) ? x1 : x2, <usize>n << 2);
  return true;
}
