// Field arithmetic modulo a curve prime p, on the Montgomery machinery of bignum/mont.ts:
// 28-bit limbs, R = 2^(28n) >= 4p, every value kept lazily in [0, 2p). Addition and
// subtraction bring results back into [0, 2p) with one masked correction by 2p.
// Constant time: fixed loops, masks, no value-dependent branch or address.

import * as L from '../bignum/limbs';
import { Mont, montMul, montSqr } from '../bignum/mont';
import { modExpVarTime } from '../bignum/modexp';

/** out = a + b mod p (lazy). */
@inline export function fadd(c: Mont, out: usize, a: usize, b: usize): void {
  L.add(out, a, b, c.n);
  L.reduceOnce(out, c.N2, c.n);
}

/** out = a - b mod p (lazy): a - b, plus 2p when that borrowed. */
@inline export function fsub(c: Mont, out: usize, a: usize, b: usize): void {
  const borrow = L.sub(out, a, b, c.n);
  L.condAdd(out, c.N2, 0 - borrow, c.n);
}

@inline export function fmul(c: Mont, out: usize, a: usize, b: usize): void {
  montMul(c, out, a, b);
}

@inline export function fsqr(c: Mont, out: usize, a: usize): void {
  montSqr(c, out, a);
}

/** out = a^-1 (Montgomery form in, Montgomery form out) = a^(p-2); p is public. */
export function finv(c: Mont, out: usize, a: usize, pMinus2: usize, bits: i32): void {
  modExpVarTime(c, out, a, pMinus2, bits);
}
