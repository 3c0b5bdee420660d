// Multi-precision integers as little-endian arrays of 28-bit limbs, one limb per u32.
//
// Why 28 bits: WebAssembly has no 64x64->128 multiply, but a 28x28-bit product is < 2^56,
// so up to 256 products fit in a u64 accumulator with no carry handling at all. Montgomery
// multiplication in product-scanning form then needs just a multiply and an add per limb
// product, and i64x2.extmul_low/high_i32x4_u do two of those per instruction.
//
// Every function here is constant time in the values of its operands: loops run over the
// public limb count, carries and borrows propagate arithmetically, and selections use masks.
// Functions that are not say so in their name (...VarTime).

export const LIMB_BITS: u32 = 28;
export const LIMB_MASK: u32 = (1 << 28) - 1;

@inline export function ld(p: usize, i: i32): u32 {
  return load<u32>(p + (<usize>i << 2));
}
@inline export function st(p: usize, i: i32, v: u32): void {
  store<u32>(p + (<usize>i << 2), v);
}

/** Number of 28-bit limbs that hold `bits` bits. */
@inline export function limbsFor(bits: i32): i32 {
  return (bits + 27) / 28;
}

/** All-ones if x != 0 else 0. */
@inline export function nonZeroMask(x: u32): u32 {
  return <u32>(<i32>(x | (0 - x)) >> 31);
}

export function zero(x: usize, n: i32): void {
  memory.fill(x, 0, <usize>n << 2);
}

export function copy(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

export function setSmall(x: usize, n: i32, v: u32): void {
  zero(x, n);
  st(x, 0, v & LIMB_MASK);
  if (n > 1) st(x, 1, v >> 28);
}

/**
 * Big-endian bytes -> n limbs. Bytes beyond what n limbs hold must be zero (not checked).
 */
export function fromBytes(x: usize, n: i32, src: usize, len: i32): void {
  zero(x, n);
  let acc: u64 = 0;
  let accBits: u32 = 0;
  let li = 0;
  for (let i = len - 1; i >= 0; i--) {
    acc |= (<u64>load<u8>(src + <usize>i)) << accBits;
    accBits += 8;
    if (accBits >= 28) {
      if (li < n) st(x, li, <u32>acc & LIMB_MASK);
      li++;
      acc >>= 28;
      accBits -= 28;
    }
  }
  if (li < n) st(x, li, <u32>acc & LIMB_MASK);
}

/** n limbs -> `len` big-endian bytes (value must fit). */
export function toBytes(dst: usize, len: i32, x: usize, n: i32): void {
  let acc: u64 = 0;
  let accBits: u32 = 0;
  let li = 0;
  for (let i = len - 1; i >= 0; i--) {
    if (accBits < 8) {
      const limb: u64 = li < n ? <u64>ld(x, li) : 0;
      acc |= limb << accBits;
      accBits += 28;
      li++;
    }
    store<u8>(dst + <usize>i, <u8>acc);
    acc >>= 8;
    accBits -= 8;
  }
}

/** out = a + b, returns the carry (0 or 1). out may alias a or b. */
export function add(out: usize, a: usize, b: usize, n: i32): u32 {
  let c: u32 = 0;
  for (let i = 0; i < n; i++) {
    const s = ld(a, i) + ld(b, i) + c;
    st(out, i, s & LIMB_MASK);
    c = s >> 28;
  }
  return c;
}

/** out = a - b, returns the borrow (0 or 1). out may alias a or b. */
export function sub(out: usize, a: usize, b: usize, n: i32): u32 {
  let borrow: u32 = 0;
  for (let i = 0; i < n; i++) {
    const d = ld(a, i) - ld(b, i) - borrow;
    st(out, i, d & LIMB_MASK);
    borrow = d >> 31;
  }
  return borrow;
}

/** x = x - small, returns borrow. */
export function subSmall(x: usize, n: i32, v: u32): u32 {
  let borrow = v;
  for (let i = 0; i < n; i++) {
    const d = ld(x, i) - borrow;
    st(x, i, d & LIMB_MASK);
    borrow = d >> 31;
  }
  return borrow;
}

/** x = x + small, returns carry. */
export function addSmall(x: usize, n: i32, v: u32): u32 {
  let c = v;
  for (let i = 0; i < n; i++) {
    const s = ld(x, i) + c;
    st(x, i, s & LIMB_MASK);
    c = s >> 28;
  }
  return c;
}

/** 1 if a < b else 0. */
export function lessThan(a: usize, b: usize, n: i32): u32 {
  let borrow: u32 = 0;
  for (let i = 0; i < n; i++) {
    const d = ld(a, i) - ld(b, i) - borrow;
    borrow = d >> 31;
  }
  return borrow;
}

/** All-ones if a == b else 0. */
export function equalMask(a: usize, b: usize, n: i32): u32 {
  let d: u32 = 0;
  for (let i = 0; i < n; i++) d |= ld(a, i) ^ ld(b, i);
  return ~nonZeroMask(d);
}

/** All-ones if x == 0 else 0. */
export function isZeroMask(x: usize, n: i32): u32 {
  let d: u32 = 0;
  for (let i = 0; i < n; i++) d |= ld(x, i);
  return ~nonZeroMask(d);
}

/** out = mask ? a : b (mask is all-ones or zero). */
export function select(out: usize, mask: u32, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const bi = ld(b, i);
    st(out, i, bi ^ (mask & (ld(a, i) ^ bi)));
  }
}

/** Swaps a and b when mask is all-ones. */
export function condSwap(mask: u32, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const ai = ld(a, i);
    const bi = ld(b, i);
    const t = mask & (ai ^ bi);
    st(a, i, ai ^ t);
    st(b, i, bi ^ t);
  }
}

/** x = x - (mask & m), returns the borrow masked the same way. */
export function condSub(x: usize, m: usize, mask: u32, n: i32): u32 {
  let borrow: u32 = 0;
  for (let i = 0; i < n; i++) {
    const d = ld(x, i) - (ld(m, i) & mask) - borrow;
    st(x, i, d & LIMB_MASK);
    borrow = d >> 31;
  }
  return borrow;
}

/** x = x + (mask & m), returns carry. */
export function condAdd(x: usize, m: usize, mask: u32, n: i32): u32 {
  let c: u32 = 0;
  for (let i = 0; i < n; i++) {
    const s = ld(x, i) + (ld(m, i) & mask) + c;
    st(x, i, s & LIMB_MASK);
    c = s >> 28;
  }
  return c;
}

/** If x >= m then x -= m. Both n limbs. */
export function reduceOnce(x: usize, m: usize, n: i32): void {
  // Subtract, then add back when it borrowed: two passes, no branch.
  const borrow = sub(x, x, m, n);
  condAdd(x, m, 0 - borrow, n);
}

/** x >>= 1. */
export function shr1(x: usize, n: i32): void {
  for (let i = 0; i < n - 1; i++) {
    st(x, i, (ld(x, i) >> 1) | ((ld(x, i + 1) & 1) << 27));
  }
  st(x, n - 1, ld(x, n - 1) >> 1);
}

/** x <<= 1, returns the bit shifted out. */
export function shl1(x: usize, n: i32): u32 {
  let c: u32 = 0;
  for (let i = 0; i < n; i++) {
    const v = (ld(x, i) << 1) | c;
    st(x, i, v & LIMB_MASK);
    c = v >> 28;
  }
  return c;
}

/**
 * x >>= s for a secret shift s < 8192: a barrel shifter whose every stage always runs,
 * selecting the shifted or unshifted value with a mask. tmp: n limbs of scratch.
 */
export function shrSecret(x: usize, n: i32, s: u32, tmp: usize): void {
  // s = 28*q + r; floor(s/28) = (s*9363) >> 18 holds for every s < 8192 (checked in tests).
  const q = (s * 9363) >> 18;
  const r = s - q * 28;
  for (let k = 0; (1 << k) < n; k++) {
    const mask = 0 - ((q >> <u32>k) & 1);
    const step = 1 << k;
    for (let i = 0; i < n; i++) {
      const j = i + step;
      st(tmp, i, j < n ? ld(x, j) : 0);
    }
    select(x, mask, tmp, x, n);
  }
  // Shifts of n limbs or more leave nothing (the stages above only cover q < 2^stages).
  const gone = 0 - (((<u32>(n - 1) - q) >> 31) & 1);
  for (let i = 0; i < n; i++) st(x, i, ld(x, i) & ~gone);
  for (let k: u32 = 0; k < 5; k++) {
    const mask = 0 - ((r >> k) & 1);
    const sh: u32 = 1 << k;
    for (let i = 0; i < n; i++) {
      const lo = ld(x, i) >> sh;
      const hi = i + 1 < n ? (ld(x, i + 1) << (28 - sh)) & LIMB_MASK : 0;
      st(tmp, i, lo | hi);
    }
    select(x, mask, tmp, x, n);
  }
}

/** Number of trailing zero bits of a nonzero x, in constant time. */
export function trailingZeros(x: usize, n: i32): u32 {
  let count: u32 = 0;
  let seen: u32 = 0; // all-ones once a set bit was passed
  for (let i = 0; i < n; i++) {
    const limb = ld(x, i);
    for (let b: u32 = 0; b < 28; b++) {
      const bitSet = 0 - ((limb >> b) & 1);
      seen |= bitSet;
      count += 1 & ~seen;
    }
  }
  return count;
}

/** out[0..na+nb) = a * b (plain product, normalised limbs). out must not alias. */
export function mul(out: usize, a: usize, na: i32, b: usize, nb: i32): void {
  let acc: u64 = 0;
  const nout = na + nb;
  for (let k = 0; k < nout; k++) {
    let lo = k - nb + 1;
    if (lo < 0) lo = 0;
    let hi = k;
    if (hi > na - 1) hi = na - 1;
    for (let i = lo; i <= hi; i++) {
      acc += <u64>ld(a, i) * <u64>ld(b, k - i);
    }
    st(out, k, <u32>acc & LIMB_MASK);
    acc >>= 28;
  }
}

/** x = x * v + c for small v (< 2^32), returns the carry out. */
export function mulSmallAdd(x: usize, n: i32, v: u32, c: u32): u32 {
  let acc: u64 = c;
  for (let i = 0; i < n; i++) {
    acc += <u64>ld(x, i) * <u64>v;
    st(x, i, <u32>acc & LIMB_MASK);
    acc >>= 28;
  }
  return <u32>acc;
}

/** Bit length of x; variable time (public values only). */
export function bitLengthVarTime(x: usize, n: i32): i32 {
  for (let i = n - 1; i >= 0; i--) {
    const v = ld(x, i);
    if (v != 0) return i * 28 + 32 - <i32>clz(v);
  }
  return 0;
}

/** Bit `i` of x (0 or 1). The index is public; the bit may be secret. */
@inline export function bit(x: usize, i: i32): u32 {
  return (ld(x, i / 28) >> <u32>(i % 28)) & 1;
}

/** Exact-count sum of a[k]*r[k] (no over-read). */
@inline export function dot(a: usize, r: usize, count: i32): u64 {
  let acc: u64 = 0;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    let acc0 = i64x2.splat(0);
    let acc1 = i64x2.splat(0);
    for (; k + 4 <= count; k += 4) {
      const off = <usize>k << 2;
      const va = v128.load(a + off);
      const vr = v128.load(r + off);
      acc0 = i64x2.add(acc0, i64x2.extmul_low_i32x4_u(va, vr));
      acc1 = i64x2.add(acc1, i64x2.extmul_high_i32x4_u(va, vr));
    }
    const s = i64x2.add(acc0, acc1);
    acc = <u64>(i64x2.extract_lane(s, 0) + i64x2.extract_lane(s, 1));
  }
  for (; k < count; k++) {
    const off = <usize>k << 2;
    acc += <u64>load<u32>(a + off) * <u64>load<u32>(r + off);
  }
  return acc;
}

