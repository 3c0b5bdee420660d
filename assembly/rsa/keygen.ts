// RSA key pair generation, FIPS 186-5 Appendix A.1.3 (random probable primes), with
// e = 65537 and the Miller-Rabin rounds of Table B.1 (error probability 2^-112 / 2^-128
// / 2^-144 for nlen = 2048 / 3072 / 4096).
//
// Everything that touches p, q or their derived values is constant time (see limbs.ts,
// mont.ts, modexp.ts, div.ts), except where a candidate is rejected: such a candidate is
// discarded, and the one that is kept went through every check the same way.

import { alloc, allocPersistent } from '../arena';
import { randomBytes } from '../entropy';
import * as L from '../bignum/limbs';
import { Mont, montNew, montSetModulus, montLimbs, newLimbs, toMont, fromMont } from '../bignum/mont';
import { modExp } from '../bignum/modexp';
import { divMod, gcdOddPart } from '../bignum/div';
import { powersOf2to28, reduceSmall, modSmall } from '../bignum/small';
import { ensureSmallPrimes, trialDivisionVarTime } from './sieve';

/** Limbs of the largest value reduced mod e: lambda of a 4096-bit key is 147 limbs. */
const E_TABLE_LIMBS: i32 = 148;
import { MRState, mrNew, millerRabin } from './primality';

const E: u32 = 65537;

let ePowers: usize = 0; // 2^(28i) mod e, E_TABLE_LIMBS entries (public)

/** Builds the public tables; must run while no scratch memory is live. */
export function rsaEnsureTables(): void {
  ensureSmallPrimes();
  if (ePowers == 0) {
    ePowers = allocPersistent(<usize>E_TABLE_LIMBS << 2);
    powersOf2to28(ePowers, E_TABLE_LIMBS, E);
  }
}

/** Table B.1 (strict column): M-R rounds for p and q by nlen. */
export function rsaMillerRabinRounds(nlen: i32): i32 {
  if (nlen <= 2048) return 5;
  return 4;
}

/** x mod e for x of n limbs (n <= E_TABLE_LIMBS). */
function modE(x: usize, n: i32): u32 {
  return modSmall(x, n, ePowers, E, 1.0 / <f64>E);
}

/** b^k mod e for public k, by square-and-multiply on small integers (values < 2^17). */
function powModE(b: u32, k: u32): u32 {
  const inv = 1.0 / <f64>E;
  let r: u32 = 1;
  let x = b;
  while (k != 0) {
    if (k & 1) r = reduceSmall(<u64>r * <u64>x, E, inv);
    x = reduceSmall(<u64>x * <u64>x, E, inv);
    k >>= 1;
  }
  return r;
}

/**
 * out = e^-1 mod x for x coprime to e (Arazi's method): with t = -x^-1 mod e,
 * x*t + 1 is divisible by e and e * ((x*t + 1) / e) = 1 + x*t == 1 (mod x). The only
 * work on x is a reduction mod e, a multiplication by t < e and an exact division by e.
 * out: n + 1 limbs.
 */
function invEModX(out: usize, x: usize, n: i32): void {
  const xm = modE(x, n);
  const inv = powModE(xm, E - 2); // Fermat: e is prime, xm != 0
  const t = E - inv;
  L.zero(out, n + 1);
  L.copy(out, x, n);
  L.st(out, n, L.mulSmallAdd(out, n, t, 1));
  // Exact division by e, top limb down; quotient digits by the f64 reciprocal.
  const invE = 1.0 / <f64>E;
  let r: u64 = 0;
  for (let i = n; i >= 0; i--) {
    const cur = (r << 28) | <u64>L.ld(out, i);
    const qd = <u64>(<f64>cur * invE);
    let rem = <i64>cur - <i64>(qd * <u64>E);
    // qd may be one off either way
    const neg = rem >> 63;
    let q = <i64>qd + neg;
    rem += <i64>E & neg;
    const over = ~((rem - <i64>E) >> 63);
    q -= over;
    rem -= <i64>E & over;
    L.st(out, i, <u32>q);
    r = <u64>rem;
  }
}

/**
 * |a - b| > 2^(bits-100): A.1.3 step 5.4 sends q back to step 5.2 otherwise, since p and q
 * that close are found by Fermat's method. Variable time in the outcome only.
 */
function farEnough(a: usize, b: usize, n: i32, bits: i32, tmp: usize): bool {
  const borrow = L.sub(tmp, a, b, n);
  // negate when a < b: |a-b| = (a-b) xor mask + 1 in two's complement over n limbs
  const mask = (0 - borrow) & L.LIMB_MASK;
  let c: u32 = borrow;
  for (let i = 0; i < n; i++) {
    const v = (L.ld(tmp, i) ^ mask) + c;
    L.st(tmp, i, v & L.LIMB_MASK);
    c = v >> 28;
  }
  L.subSmall(tmp, n, 1);
  // any bit at position >= bits - 100 set?
  const lo = bits - 100;
  let acc: u32 = L.ld(tmp, lo / 28) >> <u32>(lo % 28);
  for (let i = lo / 28 + 1; i < n; i++) acc |= L.ld(tmp, i);
  return acc != 0;
}

/**
 * FIPS 186-5 A.1.3 step 4 (other == 0: p, steps 4.1-4.7) and step 5 (other == p: q, steps
 * 5.1-5.8): a probable prime of `bits` = nlen/2 bits. Returns false (FAILURE) when the
 * candidate counter reaches its bound (step 4.7 for p, 5.8 for q); this core uses the bound
 * of step 4.7, 5(nlen/2), for both, so a broken random source is reported, not looped on.
 */
function generatePrime(out: usize, bits: i32, rounds: i32, other: usize, c: Mont, s: MRState): bool {
  const n = c.n;
  const nb = (bits + 7) >> 3;
  const excess = <u32>(nb * 8 - bits);
  const buf = alloc(<usize>nb);
  const cand = newLimbs(n);
  const tmp = newLimbs(n);
  const candLimbs = L.limbsFor(bits);
  // i is the counter of steps 4.1/4.6 (p) and 5.1/5.7 (q).
  for (let i = 0; i < 5 * bits; i++) {
    // 4.2 / 5.2: a string of nlen/2 bits from the RBG. 4.3 / 5.3: made odd. Setting the top
    // two bits gives a candidate >= 2^(bits-1) + 2^(bits-2) > sqrt(2) * 2^(bits-1), so the
    // lower bound of 4.4 / 5.5 always holds (no candidate is drawn only to be rejected there)
    // and p*q has exactly nlen bits.
    randomBytes(buf, nb);
    store<u8>(buf, load<u8>(buf) & <u8>(<u32>0xff >> excess));
    if (excess < 7) {
      store<u8>(buf, load<u8>(buf) | <u8>(<u32>0xc0 >> excess));
    } else {
      store<u8>(buf, load<u8>(buf) | 1);
      store<u8>(buf + 1, load<u8>(buf + 1) | 0x80);
    }
    store<u8>(buf + <usize>(nb - 1), load<u8>(buf + <usize>(nb - 1)) | 1);
    L.fromBytes(cand, n, buf, nb);
    // Not a step of A.1.3: a small-prime sieve only rejects candidates the Miller-Rabin test
    // of 4.5.1 / 5.6.1 would reject too, ~90% of them, before any exponentiation.
    if (!trialDivisionVarTime(cand, candLimbs)) continue;
    // 4.5 / 5.6: GCD(p - 1, e) = 1 is required before testing; e is prime, so it is
    // p mod e != 1.
    if (modE(cand, candLimbs) == 1) continue;
    // 5.4: |p - q| > 2^(nlen/2 - 100) (q only; checked after the cheaper filters, which
    // changes which check rejects a candidate, not which candidates are accepted).
    if (other != 0 && !farEnough(cand, other, n, bits, tmp)) continue;
    // 4.5.1 / 5.6.1: Miller-Rabin with the rounds of Table B.1; 4.5.2 / 5.6.2: a probable
    // prime ends the step.
    montSetModulus(c, cand);
    if (!millerRabin(c, s, bits, rounds)) continue;
    L.copy(out, cand, n);
    // buf holds the prime's bytes: no copy of p or q is left beyond the limbs the caller
    // uses (wipe() clears the rest of scratch when the call ends).
    memory.fill(buf, 0, <usize>nb);
    return true;
  }
  return false;
}

/** Output layout: 8 (pointer, length) pairs of big-endian byte strings. */
export const OUT_FIELDS: i32 = 8; // n, e, d, p, q, dP, dQ, qInv

/** nlen values the tables and the output layout support. */
export function rsaSupportedLength(nlen: i32): bool {
  return nlen >= 1024 && nlen <= 4096 && nlen % 16 == 0;
}

/**
 * Generates an RSA key of nlen bits (2048, 3072 or 4096; any multiple of 16 from 1024 to
 * 4096). Returns a pointer to OUT_FIELDS (ptr, len) u32 pairs in scratch memory, or 0 when
 * A.1.3 returns FAILURE (step 4.7 or 5.8: 5(nlen/2) candidates without a prime, which
 * means a broken random source; the host reports KEYGEN_FAILED) —
 * the caller reports it; it is never retried here with the same source.
 */
export function rsaGenerate(nlen: i32): usize {
  if (!rsaSupportedLength(nlen)) return 0;
  const bits = nlen / 2;
  const n = montLimbs(bits);
  if (ePowers == 0) unreachable(); // rsaEnsureTables() first
  const rounds = rsaMillerRabinRounds(nlen);
  const record = alloc(<usize>OUT_FIELDS * 8);
  const c = montNew(0, n);
  const s = mrNew(n, (bits + 7) >> 3);
  const p = newLimbs(n);
  const q = newLimbs(n);
  const n2 = 2 * n;
  const modulus = newLimbs(n2);
  const p1 = newLimbs(n);
  const q1 = newLimbs(n);
  const g = newLimbs(n);
  const q1g = newLimbs(n);
  const tmp = newLimbs(n);
  const lambda = newLimbs(n2);
  const d = newLimbs(n2 + 1);
  const dP = newLimbs(n + 1);
  const dQ = newLimbs(n + 1);
  const qInv = newLimbs(n);
  const pm2 = newLimbs(n);
  // d <= 2^(nlen/2) sends A.1.1 back to new primes; it happens with probability about
  // 2^-(nlen/2), so a handful of attempts only guard against a broken random source.
  let done = false;
  for (let attempt = 0; attempt < 4 && !done; attempt++) {
    if (!generatePrime(p, bits, rounds, 0, c, s)) return 0;
    if (!generatePrime(q, bits, rounds, p, c, s)) return 0;
    // A.1.1 (d): n = pq; lambda = lcm(p-1, q-1) = (p-1) * ((q-1) / gcd(p-1, q-1)).
    L.mul(modulus, p, n, q, n);
    L.copy(p1, p, n);
    L.subSmall(p1, n, 1);
    L.copy(q1, q, n);
    L.subSmall(q1, n, 1);
    const k = gcdOddPart(g, p1, q1, n);
    L.copy(tmp, q1, n);
    L.shrSecret(tmp, n, k, q1g);
    divMod(q1g, 0, tmp, n, g, n);
    L.mul(lambda, p1, n, q1g, n);
    // d = e^-1 mod lambda, and A.1.1 requires 2^(nlen/2) < d.
    invEModX(d, lambda, n2);
    if (!dAboveHalf(d, n2 + 1, bits, tmp)) continue;
    // CRT values: dP = d mod (p-1) = e^-1 mod (p-1) (since (p-1) | lambda), same for q.
    invEModX(dP, p1, n);
    invEModX(dQ, q1, n);
    // qInv = q^-1 mod p = q^(p-2) mod p (p is prime). q < 2p fits Montgomery's lazy range.
    montSetModulus(c, p);
    L.copy(pm2, p, n);
    L.subSmall(pm2, n, 2);
    toMont(c, tmp, q);
    modExp(c, qInv, tmp, pm2, bits);
    fromMont(c, qInv, qInv);
    done = true;
  }
  if (!done) return 0;
  const byteLen = nlen / 8;
  const half = bits / 8;
  putField(record, 0, modulus, n2, byteLen);
  const eBytes = alloc(4);
  store<u8>(eBytes, 0x01);
  store<u8>(eBytes + 1, 0x00);
  store<u8>(eBytes + 2, 0x01);
  store<u32>(record + 8, <u32>eBytes);
  store<u32>(record + 12, 3);
  putField(record, 2, d, n2 + 1, byteLen);
  putField(record, 3, p, n, half);
  putField(record, 4, q, n, half);
  putField(record, 5, dP, n + 1, half);
  putField(record, 6, dQ, n + 1, half);
  putField(record, 7, qInv, n, half);
  return record;
}

function putField(record: usize, i: i32, x: usize, n: i32, len: i32): void {
  const bytes = alloc(<usize>len);
  L.toBytes(bytes, len, x, n);
  store<u32>(record + (<usize>i << 3), <u32>bytes);
  store<u32>(record + (<usize>i << 3) + 4, <u32>len);
}

/** d > 2^bits: (d - 1) has a bit at position >= bits. */
function dAboveHalf(d: usize, n: i32, bits: i32, scratch: usize): bool {
  let borrow: u32 = 1;
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) {
    const v = L.ld(d, i) - borrow;
    borrow = v >> 31;
    const limb = v & L.LIMB_MASK;
    const lo = i * 28;
    if (lo + 28 <= bits) continue;
    const shift = lo >= bits ? 0 : bits - lo;
    acc |= limb >> <u32>shift;
  }
  return acc != 0;
}

