// The RSA private operation, s = c^d mod n, by the Chinese remainder theorem (RFC 8017
// §5.1.2, second form) with base blinding and a check of the result:
//
//   blind     cb = c * A mod n, A = r^e for a random r
//   CRT       m1 = cb^dP mod p, m2 = cb^dQ mod q (fixed 4-bit windows, masked table reads)
//   Garner    h = qInv * (m1 - m2) mod p, s' = m2 + q*h  (= (c*r^e)^d = c^d * r mod n)
//   unblind   s = s' * Ai mod n, Ai = r^-1
//   check     s^e mod n == c, else FAULT and no output (a fault in one CRT half would
//             otherwise give away a factor of n: gcd(s^e - c, n) = p or q)
//
// The blinding pair (A, Ai) comes from the host and goes back to it squared (A^2, (Ai)^2 is
// again a pair r'^e, r'^-1 for r' = r^2), the way OpenSSL updates its BN_BLINDING; the host
// asks for a fresh pair every 32 uses and for every key it has no pair for. A fresh pair is
// made here: r and b random, z = r*b inverted in variable time (z is independent of r
// because b is uniform and secret), r^-1 = z^-1 * b, A = r^e.
//
// Moduli: the primes in 28-bit-limb Montgomery form (mont.ts, lazy reduction), n in that form
// too up to 3582 bits and in 32-bit limbs beyond (modn.ts). Everything that touches p, q, dP, dQ, qInv, c or r is constant time:
// fixed loops over public lengths, masks, no secret-dependent address.

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import * as L from '../bignum/limbs';
import { Mont, montNew, montLimbs, newLimbs, montMul, montR2, fromMont } from '../bignum/mont';
import { modExp } from '../bignum/modexp';
import {
  ModN,
  modnNew,
  modnLimbs,
  modnMul,
  modnToMont,
  modnFromMont,
  modnPowVarTime,
  modnInverseVarTime,
  modnLoad,
  modnStore,
  modnReduce,
  modnBelowN,
  modnNewKnown,
  modnConstants,
  modnPowPublic,
  bytesToLimbs32,
  limbs32ToBytes,
  byteBitLengthVarTime,
} from './modn';
import { OK, INVALID_ARGUMENT, KEYGEN_FAILED, RSA_FAULT } from '../status';

// Key record: 8 (ptr, len) pairs of big-endian byte strings, as rsa_generate writes them:
// n, e, d, p, q, dP, dQ, qInv (d is not used).
const F_N = 0;
const F_E = 1;
const F_P = 3;
const F_Q = 4;
const F_DP = 5;
const F_DQ = 6;
const F_QINV = 7;

@inline function fptr(key: usize, i: i32): usize {
  return <usize>load<u32>(key + (<usize>i << 3));
}
@inline function flen(key: usize, i: i32): i32 {
  return load<i32>(key + (<usize>i << 3) + 4);
}

/** Largest prime the 28-bit Montgomery arithmetic takes: 128 limbs with R >= 4p. */
const MAX_PRIME_BITS: i32 = 128 * 28 - 2;
/** Largest modulus: 8192 bits. */
export const MAX_MODULUS_BYTES: i32 = 1024;

// Test hook (set by the test module only): corrupts m1 so that the check must catch it.
let faultInjection: i32 = 0;
export function rsaSetFaultInjection(on: i32): void {
  faultInjection = on;
}

/**
 * A modulus n for RSA operations: odd, 512 to 8192 bits, given in its minimal length k (the
 * first byte nonzero). INVALID_ARGUMENT otherwise.
 */
export function rsaModulusValid(n: usize, k: i32): bool {
  if (k < 64 || k > MAX_MODULUS_BYTES) return false;
  if (load<u8>(n) == 0) return false;
  return (load<u8>(n + <usize>(k - 1)) & 1) == 1;
}

/** A public exponent: odd, at least 3, at most 8 bytes (what the host passes, minimal). */
export function rsaExponentValid(e: usize, eLen: i32): bool {
  if (eLen < 1 || eLen > 8 || load<u8>(e) == 0) return false;
  if ((load<u8>(e + <usize>(eLen - 1)) & 1) == 0) return false;
  return eLen > 1 || load<u8>(e) >= 3;
}

/**
 * x (nx 28-bit limbs, any value < R^chunks) -> x*R mod p in [0, 2p), R = 2^(28 c.n): Horner
 * over chunks of c.n limbs, each brought into Montgomery form by a multiplication with R^2
 * (a chunk < R times R^2 mod p < p gives a product below 2p after reduction). `x` must be
 * readable up to a whole number of chunks (zero padded).
 */
function reduceToMont(c: Mont, out: usize, x: usize, nx: i32): void {
  const n = c.n;
  const r2 = montR2(c);
  const chunks = (nx + n - 1) / n;
  const y = newLimbs(n);
  const tmp = newLimbs(n);
  L.zero(out, n);
  for (let i = chunks - 1; i >= 0; i--) {
    montMul(c, out, out, r2); // out * R
    L.copy(tmp, x + ((<usize>(i * n)) << 2), n);
    montMul(c, y, tmp, r2); // chunk in Montgomery form
    L.add(out, out, y, n); // < 4p < R: no carry out
    // back into [0, 2p): subtract 2p, add it back if that borrowed
    const borrow = L.sub(out, out, c.N2, n);
    L.condAdd(out, c.N2, 0 - borrow, n);
  }
}

/** A zero-padded limb copy of a big-endian field, `limbs` long (whole chunks for reduceToMont). */
function fieldLimbs(src: usize, len: i32, limbs: i32): usize {
  const x = newLimbs(limbs);
  L.fromBytes(x, limbs, src, len);
  return x;
}

/** A Montgomery context for a prime of the key; a null reference if the prime is out of range. */
function primeContext(p: usize, len: i32): Mont {
  const bits = byteBitLengthVarTime(p, len);
  if (bits < 64 || bits > MAX_PRIME_BITS) return changetype<Mont>(0);
  if ((load<u8>(p + <usize>(len - 1)) & 1) == 0) return changetype<Mont>(0);
  const n = montLimbs(bits);
  const limbs = fieldLimbs(p, len, n);
  return montNew(limbs, n);
}

/**
 * A fresh blinding pair for modulus m and exponent e: A = r^e and Ai = r^-1 (plain values
 * < n, 32-bit limbs). False when no random r gave an invertible value (only a broken random
 * source gets there: a non-invertible r*b reveals a factor of n).
 */
function newBlinding(m: ModN, e: usize, eLen: i32, A: usize, Ai: usize): bool {
  const k = m.len;
  const mk = mark();
  const buf = alloc(<usize>k);
  const r = modnLimbs(m);
  const b = modnLimbs(m);
  const z = modnLimbs(m);
  const zi = modnLimbs(m);
  const z32 = alloc(<usize>(m.n + 2) << 2);
  const zi32 = alloc(<usize>(m.n + 2) << 2);
  // r, b < 2^(bits-1) < n: the top byte keeps only the bits below the modulus's top bit.
  const topBits = (m.bits - 1) & 7;
  const topMask = <u8>((<u32>1 << <u32>topBits) - 1);
  const skip = topBits == 0 ? 1 : 0;
  let ok = false;
  for (let attempt = 0; attempt < 4 && !ok; attempt++) {
    memory.fill(buf, 0, <usize>k);
    randomBytes(buf + <usize>skip, k - skip);
    if (skip == 0) store<u8>(buf, load<u8>(buf) & topMask);
    modnLoad(m, r, buf, k);
    randomBytes(buf + <usize>skip, k - skip);
    if (skip == 0) store<u8>(buf, load<u8>(buf) & topMask);
    modnLoad(m, b, buf, k);
    modnToMont(m, r, r); // r*R
    modnMul(m, z, r, b); // r*b
    modnReduce(m, z);
    modnStore(m, buf, z);
    bytesToLimbs32(z32, m.n, buf, k);
    if (!modnInverseVarTime(m, zi32, z32)) continue;
    limbs32ToBytes(buf, k, zi32, m.n);
    modnLoad(m, zi, buf, k);
    modnToMont(m, zi, zi);
    modnMul(m, Ai, zi, b); // (rb)^-1 * b = r^-1
    modnReduce(m, Ai);
    modnPowVarTime(m, A, r, e, eLen); // (r^e)*R
    modnFromMont(m, A, A);
    ok = true;
  }
  release(mk);
  return ok;
}

/**
 * out (k bytes) = in^d mod n for the key record `key` and an input of k bytes below n.
 * `blind` holds 2k bytes, the pair A || Ai (big-endian); when `fresh` is nonzero a new pair
 * is made first. On return (OK) it holds the next pair, A^2 || Ai^2.
 * INVALID_ARGUMENT for a malformed key or an input >= n (public properties), RSA_FAULT when
 * the result does not check (the output is then zero).
 */
export function rsaPrivate(key: usize, input: usize, out: usize, blind: usize, fresh: i32): i32 {
  const np = fptr(key, F_N);
  const k = flen(key, F_N);
  if (!rsaModulusValid(np, k)) return INVALID_ARGUMENT;
  const ep = fptr(key, F_E);
  const eLen = flen(key, F_E);
  if (!rsaExponentValid(ep, eLen)) return INVALID_ARGUMENT;
  const pLen = flen(key, F_P);
  const qLen = flen(key, F_Q);
  if (pLen < 1 || qLen < 1 || pLen > k || qLen > k) return INVALID_ARGUMENT;
  const dpLen = flen(key, F_DP);
  const dqLen = flen(key, F_DQ);
  const qiLen = flen(key, F_QINV);
  // Lengths only: dP < p, dQ < q and qInv < p hold for a valid key; a key that breaks them
  // gives a wrong result, which the check refuses.
  if (dpLen < 1 || dpLen > pLen || dqLen < 1 || dqLen > qLen || qiLen < 1 || qiLen > pLen) return INVALID_ARGUMENT;
  const mk = mark();
  const m = modnNew(np, k);
  const cc = modnLimbs(m);
  modnLoad(m, cc, input, k);
  if (!modnBelowN(m, cc)) {
    release(mk);
    return INVALID_ARGUMENT;
  }
  const cp = fptr(key, F_P);
  const cq = fptr(key, F_Q);
  const P = primeContext(cp, pLen);
  const Q = primeContext(cq, qLen);
  if (changetype<usize>(P) == 0 || changetype<usize>(Q) == 0) {
    release(mk);
    return INVALID_ARGUMENT;
  }
  const pBits = byteBitLengthVarTime(cp, pLen);
  const qBits = byteBitLengthVarTime(cq, qLen);
  const A = modnLimbs(m);
  const Ai = modnLimbs(m);
  if (fresh != 0) {
    if (!newBlinding(m, ep, eLen, A, Ai)) {
      release(mk);
      return KEYGEN_FAILED;
    }
  } else {
    modnLoad(m, A, blind, k);
    modnLoad(m, Ai, blind + <usize>k, k);
    if (!modnBelowN(m, A) || !modnBelowN(m, Ai)) {
      release(mk);
      return INVALID_ARGUMENT;
    }
  }

  // Blind: cb = c * A.
  const t32 = modnLimbs(m);
  modnToMont(m, t32, cc);
  modnMul(m, t32, t32, A);
  modnReduce(m, t32);
  const buf = alloc(<usize>k);
  modnStore(m, buf, t32);

  // cb in 28-bit limbs, padded to whole chunks of either prime's limb count.
  const pn = P.n;
  const qn = Q.n;
  const nx = L.limbsFor(k * 8);
  const padTo = nx + pn + qn;
  const x = fieldLimbs(buf, k, padTo);

  const m1 = newLimbs(pn);
  const m2 = newLimbs(qn);
  const base = newLimbs(pn > qn ? pn : qn);
  // m1 = cb^dP mod p (Montgomery form, [0, 2p))
  reduceToMont(P, base, x, nx);
  modExp(P, m1, base, fieldLimbs(fptr(key, F_DP), dpLen, pn), pBits);
  if (faultInjection != 0) L.st(m1, 0, L.ld(m1, 0) ^ 1);
  // m2 = cb^dQ mod q, plain and fully reduced
  reduceToMont(Q, base, x, nx);
  modExp(Q, m2, base, fieldLimbs(fptr(key, F_DQ), dqLen, qn), qBits);
  fromMont(Q, m2, m2);
  // Garner: h = qInv * (m1 - m2) mod p
  const m2pad = newLimbs(qn + pn);
  L.copy(m2pad, m2, qn);
  const m2p = newLimbs(pn);
  reduceToMont(P, m2p, m2pad, qn);
  const diff = newLimbs(pn);
  const borrow = L.sub(diff, m1, m2p, pn);
  L.condAdd(diff, P.N2, 0 - borrow, pn); // [0, 2p)
  const qinv = newLimbs(pn);
  reduceToMont(P, qinv, fieldLimbs(fptr(key, F_QINV), qiLen, pn), pn);
  const h = newLimbs(pn);
  montMul(P, h, diff, qinv); // (qInv * (m1 - m2)) * R
  fromMont(P, h, h); // [0, p)
  // s' = m2 + q*h < q + q(p - 1) = n
  const ql = fieldLimbs(cq, qLen, qn);
  const prod = newLimbs(pn + qn + 1);
  L.mul(prod, ql, qn, h, pn);
  L.add(prod, prod, m2pad, qn + pn);
  L.toBytes(buf, k, prod, pn + qn);

  // Unblind: s = s' * Ai.
  const s = modnLimbs(m);
  modnLoad(m, s, buf, k);
  modnToMont(m, s, s);
  modnMul(m, s, s, Ai);
  modnReduce(m, s);

  // Check: s^e == c.
  const v = modnLimbs(m);
  modnPowPublic(m, v, s, ep, eLen);
  let d: u32 = 0;
  for (let i = 0; i < m.words; i++) d |= load<u32>(v + (<usize>i << 2)) ^ load<u32>(cc + (<usize>i << 2));
  const good = ~L.nonZeroMask(d); // all-ones when the check holds

  // Next blinding pair: A^2, Ai^2.
  modnToMont(m, t32, A);
  modnMul(m, A, t32, A);
  modnReduce(m, A);
  modnToMont(m, t32, Ai);
  modnMul(m, Ai, t32, Ai);
  modnReduce(m, Ai);
  modnStore(m, blind, A);
  modnStore(m, blind + <usize>k, Ai);

  // The output, zeroed unless the check held.
  for (let i = 0; i < m.words; i++) store<u32>(s + (<usize>i << 2), load<u32>(s + (<usize>i << 2)) & good);
  modnStore(m, out, s);
  release(mk);
  return <i32>(<u32>RSA_FAULT & ~good) | OK;
}

/**
 * out (k bytes) = in^e mod n, for a public key (n of k bytes, minimal; e minimal). Returns
 * INVALID_ARGUMENT for a malformed key or an input >= n. `kept` (2k + 1 bytes, or 0 for none)
 * carries the modulus's constants (R^2 mod n and R mod n, public) between calls with the same
 * key: when its last byte is 1 the first 2k bytes are used; otherwise they are written, with
 * the last byte set to 1 if they are valid (not for moduli past the 28-bit form's range).
 */
export function rsaPublic(n: usize, k: i32, e: usize, eLen: i32, input: usize, out: usize, kept: usize): i32 {
  if (!rsaModulusValid(n, k) || !rsaExponentValid(e, eLen)) return INVALID_ARGUMENT;
  const mk = mark();
  let m = changetype<ModN>(0);
  const flag = kept + <usize>(2 * k);
  if (kept != 0 && load<u8>(flag) == 1) m = modnNewKnown(n, k, kept);
  if (changetype<usize>(m) == 0) {
    m = modnNew(n, k);
    if (kept != 0) store<u8>(flag, modnConstants(m, kept) ? 1 : 0);
  }
  const x = modnLimbs(m);
  modnLoad(m, x, input, k);
  if (!modnBelowN(m, x)) {
    release(mk);
    return INVALID_ARGUMENT;
  }
  modnPowPublic(m, x, x, e, eLen);
  modnStore(m, out, x);
  release(mk);
  return OK;
}
