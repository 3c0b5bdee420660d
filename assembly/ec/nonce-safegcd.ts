// Inversion modulo the group order n of a SECRET value (the signing nonce k, SM2's 1 + d) in
// constant time by Bernstein and Yang's divsteps ("Fast constant-time gcd computation and
// modular inversion", TCHES 2019): a fixed number of divsteps, ceil((49 d + 57) / 17) for a
// d-bit n (§ 11: enough for g to reach 0 from any 0 <= g < f = n), each one branch-free on
// masks, in batches of 30 whose 2x2 transition matrix is then applied to the full values
// (signed 30-bit words, as in verify-inverse.ts, whose variable-time loop this is with the
// branches turned into masks and the loop bound fixed). P-256: 25 batches, some 30 thousand
// instructions against 330 thousand for a^(n-2) by Montgomery products.
//
// With f = n, g = a, d = 0, e = 1, every batch keeps d a = f and e a = g (mod n); at the end
// g = 0 and f = +-1 (n prime, a != 0), so a^-1 = +-d, chosen by mask. Extra divsteps after g
// reaches 0 leave f and d as they are. d and e are brought back into [0, n) after each batch
// by masked additions of n. No branch and no memory address depends on a.

import { alloc, mark, release } from '../arena';
import { from30, inv32, applyTransition, divstepsStart } from './verify-inverse';

const M30: i64 = (1 << 30) - 1;

@inline function ldw(p: usize, i: i32): i64 {
  return load<i64>(p + (<usize>i << 3));
}
@inline function stw(p: usize, i: i32, v: i64): void {
  store<i64>(p + (<usize>i << 3), v);
}

/** a += m & mask (mask 0 or all-ones), carries propagated; the top word keeps the sign. */
function addMasked(a: usize, m: usize, mask: i64, K: i32): void {
  let c: i64 = 0;
  for (let i = 0; i < K - 1; i++) {
    c += ldw(a, i) + (ldw(m, i) & mask);
    stw(a, i, c & M30);
    c >>= 30;
  }
  stw(a, K - 1, ldw(a, K - 1) + (ldw(m, K - 1) & mask) + c);
}

/** t = a - b, carries propagated. */
function subWords(t: usize, a: usize, b: usize, K: i32): void {
  let c: i64 = 0;
  for (let i = 0; i < K - 1; i++) {
    c += ldw(a, i) - ldw(b, i);
    stw(t, i, c & M30);
    c >>= 30;
  }
  stw(t, K - 1, ldw(a, K - 1) - ldw(b, K - 1) + c);
}

/** a = mask ? b : a, word by word. */
function selectWords(a: usize, b: usize, mask: i64, K: i32): void {
  for (let i = 0; i < K; i++) stw(a, i, (ldw(b, i) & mask) | (ldw(a, i) & ~mask));
}

/** d from (-N, 2N) into [0, N), by masks. tmp: K words. */
function normalise(d: usize, N: usize, tmp: usize, K: i32): void {
  addMasked(d, N, ldw(d, K - 1) >> 63, K);
  subWords(tmp, d, N, K);
  selectWords(d, tmp, ~(ldw(tmp, K - 1) >> 63), K);
}

/**
 * out = a^-1 mod N (n limbs of 28 bits each, plain form) for a in [0, N), N an odd prime of
 * `bits` bits; 0 for a = 0. Constant time in a. out may alias a.
 */
export function invModConstTime(out: usize, a: usize, N: usize, n: i32, bits: i32): void {
  const K = (28 * n + 29) / 30 + 1;
  const steps = bits < 46 ? (49 * bits + 80 + 16) / 17 : (49 * bits + 57 + 16) / 17;
  const batches = (steps + 29) / 30;
  const m0 = mark();
  const wb = <usize>K << 3;
  const f = divstepsStart(K, a, N, n);
  const g = f + wb, d = f + 2 * wb, e = f + 3 * wb, Nw = f + 4 * wb;
  const tmp = alloc(wb);
  const nInv = <i64>(inv32(<u32>ldw(Nw, 0)) & <u32>M30); // N^-1 mod 2^30
  let delta: i64 = 1;
  for (let batch = 0; batch < batches; batch++) {
    // 30 divsteps on the low words, the matrix [[u, v], [q, r]] scaled by 2^30.
    let u: i64 = 1,
      v: i64 = 0,
      q: i64 = 0,
      r: i64 = 1;
    let fl = ldw(f, 0);
    let gl = ldw(g, 0);
    for (let i = 0; i < 30; i++) {
      const godd: i64 = 0 - (gl & 1);
      // delta > 0 and g odd: (f, g) = (g, -f), (u, v, q, r) = (q, r, -u, -v), delta = -delta
      const swap: i64 = godd & ((0 - delta) >> 63);
      let x = (fl ^ gl) & swap;
      fl ^= x;
      gl ^= x;
      x = (u ^ q) & swap;
      u ^= x;
      q ^= x;
      x = (v ^ r) & swap;
      v ^= x;
      r ^= x;
      gl = (gl ^ swap) - swap;
      q = (q ^ swap) - swap;
      r = (r ^ swap) - swap;
      delta = (delta ^ swap) - swap;
      // g odd: g += f; then g = g / 2
      gl += fl & godd;
      q += u & godd;
      r += v & godd;
      gl >>= 1;
      u <<= 1;
      v <<= 1;
      delta += 1;
    }
    // (f, g) = T (f, g) / 2^30 and (d, e) = T (d, e) / 2^30 mod N: no branch, no secret address.
    applyTransition(f, g, d, e, Nw, K, u, v, q, r, nInv);
    normalise(d, Nw, tmp, K);
    normalise(e, Nw, tmp, K);
  }
  // f = -1: a^-1 = N - d; f = 1: d (and a = 0 leaves f = N, d = 0).
  subWords(tmp, Nw, d, K);
  selectWords(d, tmp, ldw(f, K - 1) >> 63, K);
  from30(out, n, d, K);
  release(m0);
}
