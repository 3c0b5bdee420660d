// Test-only entry points of the multi-precision arithmetic, for the tests (which check it
// against BigInt) and the modexp benchmark. Key generation never goes through them; they are
// built into the test module only (assembly/test-exports.ts). Inputs are big-endian byte
// strings of `len` bytes; the modulus must be odd.

import * as arena from '../arena';
import * as L from '../bignum/limbs';
import { montNew, montLimbs, montMul, montSqr, toMont, fromMont } from '../bignum/mont';
import { modExp, modExpBase2 } from '../bignum/modexp';
import { modExp32 } from '../bignum/mont32';
import { divMod, gcdOddPart } from '../bignum/div';
import { trialDivisionVarTime, smallPrimeCount, CANDIDATE_LIMBS } from '../rsa/sieve';
import { mrNew, millerRabin } from '../rsa/primality';
import { OK, INVALID_ARGUMENT } from '../status';

function limbsOf(src: usize, len: i32, n: i32): usize {
  const x = arena.alloc(<usize>(n + 8) << 2);
  L.fromBytes(x, n, src, len);
  return x;
}

/** out = base^exp mod m (constant-time path). */
export function bn_modexp(base: usize, exp: usize, mod: usize, len: i32, out: usize): void {
  const bits = len * 8;
  const n = montLimbs(bits);
  const m = limbsOf(mod, len, n);
  const c = montNew(m, n);
  const b = limbsOf(base, len, n);
  const e = limbsOf(exp, len, n);
  const r = arena.alloc(<usize>(n + 8) << 2);
  toMont(c, b, b);
  modExp(c, r, b, e, bits);
  fromMont(c, r, r);
  L.toBytes(out, len, r, n);
}

/** out = 2^exp mod m (constant-time path). */
export function bn_modexp_base2(exp: usize, mod: usize, len: i32, out: usize): void {
  const bits = len * 8;
  const n = montLimbs(bits);
  const c = montNew(limbsOf(mod, len, n), n);
  const e = limbsOf(exp, len, n);
  const r = arena.alloc(<usize>(n + 8) << 2);
  modExpBase2(c, r, e, bits);
  fromMont(c, r, r);
  L.toBytes(out, len, r, n);
}

/** out = a*b mod m through Montgomery multiplication (squaring when sqr != 0). */
export function bn_modmul(a: usize, b: usize, mod: usize, len: i32, sqr: i32, out: usize): void {
  const n = montLimbs(len * 8);
  const c = montNew(limbsOf(mod, len, n), n);
  const x = limbsOf(a, len, n);
  const y = limbsOf(b, len, n);
  toMont(c, x, x);
  toMont(c, y, y);
  if (sqr) montSqr(c, x, x);
  else montMul(c, x, x, y);
  fromMont(c, x, x);
  L.toBytes(out, len, x, n);
}

/** q = x / y, r = x mod y (constant-time division). */
export function bn_divmod(x: usize, y: usize, len: i32, q: usize, r: usize): void {
  const n = L.limbsFor(len * 8);
  const xl = limbsOf(x, len, n);
  const yl = limbsOf(y, len, n);
  const ql = arena.alloc(<usize>(n + 8) << 2);
  const rl = arena.alloc(<usize>(n + 8) << 2);
  divMod(ql, rl, xl, n, yl, n);
  L.toBytes(q, len, ql, n);
  L.toBytes(r, len, rl, n);
}

/** out = gcd(u, v) for nonzero u, v. */
export function bn_gcd(u: usize, v: usize, len: i32, out: usize): void {
  const n = L.limbsFor(len * 8) + 1;
  const ul = limbsOf(u, len, n);
  const vl = limbsOf(v, len, n);
  const g = arena.alloc(<usize>(n + 8) << 2);
  const k = gcdOddPart(g, ul, vl, n);
  // g <<= k without revealing k: every possible shift step runs, kept by mask.
  const t = arena.alloc(<usize>(n + 8) << 2);
  for (let i: u32 = 0; i < <u32>(28 * n); i++) {
    L.copy(t, g, n);
    L.shl1(t, n);
    L.select(g, 0 - ((i - k) >> 31), t, g, n);
  }
  L.toBytes(out, len, g, n);
}

/** x >> s with the constant-time barrel shifter. */
export function bn_shr(x: usize, len: i32, s: i32, out: usize): void {
  const n = L.limbsFor(len * 8);
  const xl = limbsOf(x, len, n);
  const tmp = arena.alloc(<usize>(n + 8) << 2);
  L.shrSecret(xl, n, <u32>s, tmp);
  L.toBytes(out, len, xl, n);
}

/** Miller-Rabin: base 2 then `rounds` random bases, for odd w > 3. 1 = probably prime. */
export function bn_miller_rabin(w: usize, len: i32, rounds: i32): i32 {
  const bits = len * 8;
  const n = montLimbs(bits);
  const wl = limbsOf(w, len, n);
  const wbits = L.bitLengthVarTime(wl, n);
  const c = montNew(wl, n);
  const s = mrNew(n, len);
  return millerRabin(c, s, wbits, rounds) ? 1 : 0;
}

/**
 * out (1 byte) = 1 if no odd prime below 2^16 divides w (needs begin(FLAG_RSA)), else 0;
 * INVALID_ARGUMENT for a w longer than the sieve's candidates.
 */
export function bn_trial_division(w: usize, len: i32, out: usize): i32 {
  const n = L.limbsFor(len * 8);
  if (len < 1 || n > CANDIDATE_LIMBS) return INVALID_ARGUMENT;
  store<u8>(out, trialDivisionVarTime(limbsOf(w, len, n), n) ? 1 : 0);
  return OK;
}

export function bn_small_prime_count(): i32 {
  return smallPrimeCount();
}

/** out = base^exp mod m with 32-bit limbs (CIOS), for the limb-size comparison benchmark. */
export function bn_modexp32(base: usize, exp: usize, mod: usize, len: i32, out: usize): void {
  modExp32(out, base, exp, mod, len);
}
