// The module's ABI: i32 pointers and lengths only. Every call sequence from the host is
//   begin(flags) -> alloc()/write inputs -> operation -> read outputs -> wipe()
// and wipe() zeroes all scratch memory the call used. Nothing else is exported.

import './abort';
import * as arena from './arena';
import { resetEntropyPool, wipeEntropyPool } from './entropy';
import * as L from './bignum/limbs';
import { montNew, montLimbs, montMul, montSqr, toMont, fromMont } from './bignum/mont';
import { modExp, modExpBase2 } from './bignum/modexp';
import { modExp32 } from './bignum/mont32';
import { divMod, gcdOddPart } from './bignum/div';
import { rsaEnsureTables, rsaGenerate } from './rsa/keygen';
import { ecEnsureCurve } from './ec/weierstrass';
import { trialDivisionVarTime, smallPrimeCount, CANDIDATE_LIMBS } from './rsa/sieve';
import { mrNew, millerRabin } from './rsa/primality';


const FLAG_RSA: i32 = 1;

/** Starts a call: resets and wipes scratch, builds tables the call needs, refills nothing yet. */
export function begin(flags: i32): void {
  arena.wipeScratch();
  if (flags & FLAG_RSA) rsaEnsureTables();
  // bits 2..6: elliptic curves 1..5 (see exports/ec.ts)
  for (let id = 1; id <= 5; id++) if (flags & (1 << (id + 1))) ecEnsureCurve(id);
  resetEntropyPool();
}

/** Zeroed scratch for host inputs and outputs. */
export function alloc(len: i32): usize {
  return arena.alloc(<usize>len);
}

/** Zeroes every byte of scratch memory used since begin(), and what is left of the entropy pool. */
export function wipe(): void {
  arena.wipeScratch();
  wipeEntropyPool();
}

export function scratchHighWater(): i32 {
  return <i32>arena.scratchHighWater();
}

/** RSA key pair of nlen bits; returns 8 (ptr, len) pairs: n, e, d, p, q, dP, dQ, qInv. */
export function rsa_generate(nlen: i32): usize {
  return rsaGenerate(nlen);
}

// ---- Arithmetic entry points, exercised by the tests and the benchmark -----------------
// Inputs are big-endian byte strings of `len` bytes; the modulus must be odd.

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

/** 1 if no odd prime below 2^16 divides w (needs begin(FLAG_RSA)). */
export function bn_trial_division(w: usize, len: i32): i32 {
  const n = L.limbsFor(len * 8);
  if (n > CANDIDATE_LIMBS) unreachable();
  return trialDivisionVarTime(limbsOf(w, len, n), n) ? 1 : 0;
}

export function bn_small_prime_count(): i32 {
  return smallPrimeCount();
}

/** out = base^exp mod m with 32-bit limbs (CIOS), for the limb-size comparison benchmark. */
export function bn_modexp32(base: usize, exp: usize, mod: usize, len: i32, out: usize): void {
  modExp32(out, base, exp, mod, len);
}

// ---- Entry points of the elliptic-curve and Edwards cores -------------------------------
export * from './exports/ed25519';
export * from './exports/ec';
export * from './exports/mlkem';
export * from './exports/symmetric';
