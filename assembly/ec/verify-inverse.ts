// Inversion modulo an odd modulus for signature verification (PUBLIC inputs only: variable
// time), by Bernstein and Yang's divsteps ("Fast constant-time gcd computation and modular
// inversion", TCHES 2019, §§ 8-11), run in batches of 30 on the low word and applied to the
// full values as a 2x2 matrix: about 17 batches of a few hundred instructions for a 256-bit
// value, where Fermat's a^(n-2) takes some 330 Montgomery products.
//
// Values are signed 30-bit limbs, one per i64: limbs 0..K-2 in [0, 2^30), the top one signed
// and carrying what is left. With f = N, g = a, d = 0, e = 1, every batch keeps d a = f and
// e a = g (mod N); the loop ends when g = 0, f is then +-gcd(a, N) and a^-1 = +-d.
//
// Never for a secret: the number of batches and every branch depend on a.

import { alloc, mark, release } from '../arena';
import * as L from '../bignum/limbs';

const M30: i64 = (1 << 30) - 1;
/** A batch bound no input reaches (Bernstein-Yang: fewer than 3 divsteps per bit). */
const MAX_BATCHES: i32 = 64;

@inline function ldw(p: usize, i: i32): i64 {
  return load<i64>(p + (<usize>i << 3));
}
@inline function stw(p: usize, i: i32, v: i64): void {
  store<i64>(p + (<usize>i << 3), v);
}

/** out (K words of 30 bits) = x (n limbs of 28 bits). Fixed loops: also for secrets. */
export function to30(out: usize, K: i32, x: usize, n: i32): void {
  let acc: u64 = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    acc |= <u64>L.ld(x, i) << <u64>bits;
    bits += 28;
    if (bits >= 30) {
      stw(out, j++, <i64>(acc & <u64>M30));
      acc >>= 30;
      bits -= 30;
    }
  }
  for (; j < K; j++) {
    stw(out, j, <i64>(acc & <u64>M30));
    acc >>= 30;
  }
}

/**
 * out (n limbs of 28 bits) = x (K words of 30 bits, non-negative and below 2^(28n)). Fixed
 * loops: also for secrets.
 */
export function from30(out: usize, n: i32, x: usize, K: i32): void {
  let acc: u64 = 0;
  let bits = 0;
  let i = 0;
  for (let j = 0; j < K && i < n; j++) {
    acc |= <u64>ldw(x, j) << <u64>bits;
    bits += 30;
    while (bits >= 28 && i < n) {
      L.st(out, i++, <u32>(acc & <u64>L.LIMB_MASK));
      acc >>= 28;
      bits -= 28;
    }
  }
  for (; i < n; i++) {
    L.st(out, i, <u32>(acc & <u64>L.LIMB_MASK));
    acc >>= 28;
  }
}

/** -1, 0 or 1 as a < b, a = b, a > b (both normalised: low words in [0, 2^30)). */
function cmp30(a: usize, b: usize, K: i32): i32 {
  for (let i = K - 1; i >= 0; i--) {
    const x = ldw(a, i);
    const y = ldw(b, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** a += sign * m (sign = 1 or -1), carries propagated. */
function addSigned30(a: usize, m: usize, sign: i64, K: i32): void {
  let c: i64 = 0;
  for (let i = 0; i < K - 1; i++) {
    c += ldw(a, i) + sign * ldw(m, i);
    stw(a, i, c & M30);
    c >>= 30;
  }
  stw(a, K - 1, c + ldw(a, K - 1) + sign * ldw(m, K - 1));
}

/** Brings d from (-N, 2N) into [0, N). */
function normalise(d: usize, N: usize, K: i32): void {
  if (ldw(d, K - 1) < 0) addSigned30(d, N, 1, K);
  else if (cmp30(d, N, K) >= 0) addSigned30(d, N, -1, K);
}

/**
 * The starting state of the divsteps for a^-1 mod N, in scratch: five arrays of K signed
 * 30-bit words, one after the other, f = N, g = a, d = 0, e = 1 and N itself. Returns f's
 * address. Shared by the variable-time inverse here and the constant-time one.
 */
export function divstepsStart(K: i32, a: usize, N: usize, n: i32): usize {
  const wb = <usize>K << 3;
  const f = alloc(5 * wb);
  to30(f, K, N, n);
  to30(f + wb, K, a, n);
  stw(f + 3 * wb, 0, 1);
  to30(f + 4 * wb, K, N, n);
  return f;
}

/**
 * One batch's transition matrix T = (u v; q r) applied to the whole values, with no branch:
 * (f, g) = T (f, g) / 2^30 (exact: the low 30 bits of both sums are zero) and
 * (d, e) = T (d, e) / 2^30 mod N (the multiples of N that clear the low 30 bits added first),
 * signed 30-bit words, K of them; d and e are left for the caller to bring back into range.
 * Shared by the variable-time inverse here and the constant-time one (nonce-safegcd.ts).
 */
export function applyTransition(
  f: usize,
  g: usize,
  d: usize,
  e: usize,
  Nw: usize,
  K: i32,
  u: i64,
  v: i64,
  q: i64,
  r: i64,
  nInv: i64,
): void {
  // (f, g) = T (f, g) / 2^30: exact, the low 30 bits of both sums are zero.
  let cf: i64 = u * ldw(f, 0) + v * ldw(g, 0);
  let cg: i64 = q * ldw(f, 0) + r * ldw(g, 0);
  cf >>= 30;
  cg >>= 30;
  for (let i = 1; i < K; i++) {
    const fi = ldw(f, i);
    const gi = ldw(g, i);
    cf += u * fi + v * gi;
    cg += q * fi + r * gi;
    stw(f, i - 1, cf & M30);
    stw(g, i - 1, cg & M30);
    cf >>= 30;
    cg >>= 30;
  }
  stw(f, K - 1, cf);
  stw(g, K - 1, cg);
  // (d, e) = T (d, e) / 2^30 mod N: add the multiples of N that clear the low 30 bits.
  const d0 = ldw(d, 0);
  const e0 = ldw(e, 0);
  let cd: i64 = u * d0 + v * e0;
  let ce: i64 = q * d0 + r * e0;
  const md: i64 = (0 - ((cd & M30) * nInv)) & M30;
  const me: i64 = (0 - ((ce & M30) * nInv)) & M30;
  cd += md * ldw(Nw, 0);
  ce += me * ldw(Nw, 0);
  cd >>= 30;
  ce >>= 30;
  for (let i = 1; i < K; i++) {
    const di = ldw(d, i);
    const ei = ldw(e, i);
    const ni = ldw(Nw, i);
    cd += u * di + v * ei + md * ni;
    ce += q * di + r * ei + me * ni;
    stw(d, i - 1, cd & M30);
    stw(e, i - 1, ce & M30);
    cd >>= 30;
    ce >>= 30;
  }
  stw(d, K - 1, cd);
  stw(e, K - 1, ce);
}

/** x^-1 mod 2^32 for odd x, by Newton's iteration (correct low bits: 3, 6, 12, 24, 48). */
export function inv32(x: u32): u32 {
  let y = x; // x * x = 1 mod 8 for odd x
  for (let i = 0; i < 4; i++) y *= 2 - x * y;
  return y;
}

/**
 * out (n limbs of 28 bits, in [0, N)) = a^-1 mod N for a in [0, N) and N odd (n limbs). Returns
 * false, with out zero, when gcd(a, N) != 1 (a = 0 included). Variable time: public values only.
 */
export function invModVarTime(out: usize, a: usize, N: usize, n: i32): bool {
  const K = (28 * n + 29) / 30 + 1;
  const m0 = mark();
  const wb = <usize>K << 3;
  const f = divstepsStart(K, a, N, n);
  const g = f + wb, d = f + 2 * wb, e = f + 3 * wb, Nw = f + 4 * wb;
  const nInv = <i64>(inv32(<u32>ldw(Nw, 0)) & <u32>M30); // N^-1 mod 2^30
  let delta: i32 = 1;
  let ok = false;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    let zero = true;
    for (let i = 0; i < K; i++) {
      if (ldw(g, i) != 0) {
        zero = false;
        break;
      }
    }
    if (zero) {
      ok = true;
      break;
    }
    // 30 divsteps on the low words; the transition matrix [[u, v], [q, r]] scaled by 2^30:
    // 2^30 (f', g') = (u f + v g, q f + r g).
    let u: i64 = 1,
      v: i64 = 0,
      q: i64 = 0,
      r: i64 = 1;
    let fl = <i32>ldw(f, 0);
    let gl = <i32>ldw(g, 0);
    for (let i = 0; i < 30; i++) {
      if ((gl & 1) == 0) {
        // g even: g' = g / 2
        delta = 1 + delta;
        gl >>= 1;
        u <<= 1;
        v <<= 1;
      } else if (delta > 0) {
        // f' = g, g' = (g - f) / 2
        delta = 1 - delta;
        const nf = gl;
        gl = (gl - fl) >> 1;
        fl = nf;
        const nq = q - u;
        const nr = r - v;
        u = q << 1;
        v = r << 1;
        q = nq;
        r = nr;
      } else {
        // g' = (g + f) / 2
        delta = 1 + delta;
        gl = (gl + fl) >> 1;
        q += u;
        r += v;
        u <<= 1;
        v <<= 1;
      }
    }
    applyTransition(f, g, d, e, Nw, K, u, v, q, r, nInv);
    normalise(d, Nw, K);
    normalise(e, Nw, K);
  }
  L.zero(out, n);
  if (ok) {
    // f = +-gcd(a, N): a is invertible iff f = 1 (a^-1 = d) or f = -1 (a^-1 = -d), where -1
    // has every low word 2^30 - 1 and the top word -1.
    const f0 = ldw(f, 0);
    const neg = f0 == M30;
    ok = f0 == 1 || neg;
    for (let i = 1; ok && i < K - 1; i++) if (ldw(f, i) != (neg ? M30 : 0)) ok = false;
    if (ok && ldw(f, K - 1) != (neg ? -1 : 0)) ok = false;
    if (ok && neg) {
      // -d = N - d (d is not zero: d a = -1 mod N); e is no longer needed.
      for (let i = 0; i < K; i++) stw(e, i, ldw(Nw, i));
      addSigned30(e, d, -1, K);
      from30(out, n, e, K);
    } else if (ok) {
      from30(out, n, d, K);
    }
  }
  release(m0);
  return ok;
}
