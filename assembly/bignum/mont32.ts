// Montgomery multiplication with 32-bit limbs (CIOS, Koc, Acar and Kaliski 1996), kept for
// comparison with the 28-bit product-scanning form in mont.ts: the benchmark measures both
// (bn_modexp32 against bn_modexp). Full 32-bit limbs need fewer limb products, but every
// product needs its carry propagated at once, since WebAssembly has no 64x64->128 multiply.
// Constant time: fixed loops, final subtraction by mask.

import { alloc, mark, release } from '../arena';

@inline function ld(p: usize, i: i32): u32 {
  return load<u32>(p + (<usize>i << 2));
}
@inline function st(p: usize, i: i32, v: u32): void {
  store<u32>(p + (<usize>i << 2), v);
}

/** out = a*b*2^(-32n) mod N, all n limbs, inputs and output in [0, N). t: n + 2 limbs. */
export function montMul32(out: usize, a: usize, b: usize, N: usize, n0: u32, n: i32, t: usize): void {
  memory.fill(t, 0, <usize>(n + 2) << 2);
  for (let i = 0; i < n; i++) {
    const bi = <u64>ld(b, i);
    let c: u64 = 0;
    for (let j = 0; j < n; j++) {
      const s = <u64>ld(t, j) + <u64>ld(a, j) * bi + c;
      st(t, j, <u32>s);
      c = s >> 32;
    }
    let s = <u64>ld(t, n) + c;
    st(t, n, <u32>s);
    st(t, n + 1, <u32>(s >> 32));
    const m = <u64>(ld(t, 0) * n0);
    c = (<u64>ld(t, 0) + m * <u64>ld(N, 0)) >> 32;
    for (let j = 1; j < n; j++) {
      s = <u64>ld(t, j) + m * <u64>ld(N, j) + c;
      st(t, j - 1, <u32>s);
      c = s >> 32;
    }
    s = <u64>ld(t, n) + c;
    st(t, n - 1, <u32>s);
    st(t, n, ld(t, n + 1) + <u32>(s >> 32));
  }
  // out = t - N if t >= N (t < 2N), by mask
  let borrow: u64 = 0;
  for (let j = 0; j < n; j++) {
    const d = <u64>ld(t, j) - <u64>ld(N, j) - borrow;
    st(out, j, <u32>d);
    borrow = (d >> 63) & 1;
  }
  const keepT = 0 - (<u32>borrow & ~ld(t, n) & 1); // borrowed and no top word: keep t
  for (let j = 0; j < n; j++) {
    const o = ld(out, j);
    st(out, j, o ^ (keepT & (o ^ ld(t, j))));
  }
}

/** base^e mod N with 32-bit limbs, 4-bit fixed windows and masked table scans. Bytes in/out. */
export function modExp32(out: usize, base: usize, e: usize, N: usize, len: i32): void {
  const n = (len + 3) >> 2;
  const m0 = mark();
  const limb = (<usize>n + 2) << 2;
  const Nl = alloc(limb);
  const bl = alloc(limb);
  const el = alloc(limb);
  const t = alloc(limb);
  const acc = alloc(limb);
  const tmp = alloc(limb);
  const r2 = alloc(limb);
  for (let i = 0; i < len; i++) {
    const k = len - 1 - i;
    const byte = <u32>load<u8>(N + <usize>i);
    st(Nl, k >> 2, ld(Nl, k >> 2) | (byte << (<u32>(k & 3) << 3)));
    st(bl, k >> 2, ld(bl, k >> 2) | (<u32>load<u8>(base + <usize>i) << (<u32>(k & 3) << 3)));
    st(el, k >> 2, ld(el, k >> 2) | (<u32>load<u8>(e + <usize>i) << (<u32>(k & 3) << 3)));
  }
  const N0 = ld(Nl, 0);
  let x = N0;
  for (let i = 0; i < 5; i++) x = x * (2 - N0 * x);
  const n0 = 0 - x;
  // r2 = 2^(64n) mod N by doubling from 1 (public modulus, setup only)
  st(r2, 0, 1);
  for (let i = 0; i < 64 * n; i++) {
    let c: u32 = 0;
    for (let j = 0; j < n; j++) {
      const v = ld(r2, j);
      st(r2, j, (v << 1) | c);
      c = v >> 31;
    }
    let borrow: u64 = 0;
    for (let j = 0; j < n; j++) {
      const d = <u64>ld(r2, j) - <u64>ld(Nl, j) - borrow;
      st(tmp, j, <u32>d);
      borrow = (d >> 63) & 1;
    }
    const take = 0 - ((<u32>borrow ^ 1) | c);
    for (let j = 0; j < n; j++) {
      const o = ld(r2, j);
      st(r2, j, o ^ (take & (o ^ ld(tmp, j))));
    }
  }
  const TABLE = 16;
  const stride = <usize>limb;
  const table = alloc(stride * TABLE);
  const one = alloc(limb);
  st(one, 0, 1);
  montMul32(table, r2, one, Nl, n0, n, t); // R mod N
  montMul32(table + stride, bl, r2, Nl, n0, n, t);
  for (let i = 2; i < TABLE; i++) {
    montMul32(table + <usize>i * stride, table + <usize>(i - 1) * stride, table + stride, Nl, n0, n, t);
  }
  memory.copy(acc, table, stride);
  for (let w = (len * 2) - 1; w >= 0; w--) {
    for (let k = 0; k < 4; k++) montMul32(acc, acc, acc, Nl, n0, n, t);
    const idx = (ld(el, w >> 3) >> (<u32>(w & 7) << 2)) & 15;
    for (let j = 0; j < n; j++) {
      let v: u32 = 0;
      for (let k = 0; k < TABLE; k++) {
        const d = <u32>k ^ idx;
        const mask = ~(<u32>(<i32>(d | (0 - d)) >> 31));
        v |= ld(table + <usize>k * stride, j) & mask;
      }
      st(tmp, j, v);
    }
    montMul32(acc, acc, tmp, Nl, n0, n, t);
  }
  montMul32(acc, acc, one, Nl, n0, n, t);
  for (let i = 0; i < len; i++) {
    const k = len - 1 - i;
    store<u8>(out + <usize>i, <u8>(ld(acc, k >> 2) >> (<u32>(k & 3) << 3)));
  }
  release(m0);
}
