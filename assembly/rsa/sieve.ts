// Trial division of RSA prime candidates by the odd primes below 2^16.
//
// FIPS 186-5 leaves the pre-screening of candidates open; dividing by small primes removes
// about 90% of random odd candidates before the first Miller-Rabin exponentiation. The
// primes and the tables of 2^(28i) mod p are public and built once, on first use, in the
// persistent region of the arena.
//
// trialDivisionVarTime returns early when it finds a divisor: that only happens for a
// candidate that is then discarded. A candidate that becomes p or q goes through every
// prime and every step the same way.

import { alloc, allocPersistent, mark, release } from '../arena';
import * as L from '../bignum/limbs';
import { powersOf2to28, modSmall } from '../bignum/small';

/** Limbs of the largest candidate: a 2048-bit prime (RSA_4096) is 74 limbs. */
export const CANDIDATE_LIMBS: i32 = 76;
const SIEVE_LIMIT: i32 = 65536;

let count: i32 = 0;
let primes: usize = 0; // u32[count]
let inverses: usize = 0; // f64[count]
let powers: usize = 0; // u32[count][tableStride], 2^(28i) mod p
let tableStride: i32 = 0;

/** The number of odd primes below 2^16. */
const ODD_PRIMES_BELOW_LIMIT: i32 = 6541;

/** Builds the tables on first use. */
export function ensureSmallPrimes(): void {
  if (count != 0) return;
  tableStride = CANDIDATE_LIMBS;
  primes = allocPersistent(<usize>ODD_PRIMES_BELOW_LIMIT << 2);
  inverses = allocPersistent(<usize>ODD_PRIMES_BELOW_LIMIT << 3);
  powers = allocPersistent((<usize>ODD_PRIMES_BELOW_LIMIT * <usize>tableStride) << 2);
  // Sieve of Eratosthenes over [0, 65536) in scratch memory, released at once.
  const m0 = mark();
  const composite = alloc(<usize>SIEVE_LIMIT);
  let k = 0;
  for (let i = 3; i < SIEVE_LIMIT; i += 2) {
    if (load<u8>(composite + <usize>i) != 0) continue;
    if (i < 256) for (let j = i * i; j < SIEVE_LIMIT; j += 2 * i) store<u8>(composite + <usize>j, 1);
    store<u32>(primes + (<usize>k << 2), <u32>i);
    store<f64>(inverses + (<usize>k << 3), 1.0 / <f64>i);
    powersOf2to28(powers + ((<usize>k * <usize>tableStride) << 2), tableStride, <u32>i);
    k++;
  }
  release(m0);
  if (k != ODD_PRIMES_BELOW_LIMIT) unreachable();
  count = k;
}

export function smallPrimeCount(): i32 {
  return count;
}

/** true if no odd prime below 2^16 divides x (x of n <= CANDIDATE_LIMBS limbs). */
export function trialDivisionVarTime(x: usize, n: i32): bool {
  const stride = <usize>tableStride << 2;
  let pw = powers;
  for (let k = 0; k < count; k++) {
    const off = <usize>k;
    const r = modSmall(x, n, pw, load<u32>(primes + (off << 2)), load<f64>(inverses + (off << 3)));
    if (r == 0) return false;
    pw += stride;
  }
  return true;
}
