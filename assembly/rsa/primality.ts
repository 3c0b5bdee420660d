// Miller-Rabin probabilistic primality test, FIPS 186-5 Appendix B.3.1.
//
// A candidate w gets one round with base 2 first: it is not one of the random-base rounds
// that Table B.1 counts, it only rejects composites cheaply (an exponentiation by a power
// of two needs squarings and doublings, no multiplications). The survivors then get the
// number of random-base rounds that Table B.1 requires for their size.
//
// The exponentiations are constant time in w and m. What a round does not hide is the
// loop over j = 1..a-1 of step 4.5: its length is a, the number of trailing zero bits of
// w - 1, as in other implementations of B.3.1 (about two bits of p on average).

import { alloc } from '../arena';
import { randomBytes } from '../entropy';
import * as L from '../bignum/limbs';
import { Mont, montSqr, toMont, newLimbs } from '../bignum/mont';
import { modExp, modExpBase2 } from '../bignum/modexp';

/** Per-candidate values of B.3.1 step 1-2: w - 1 = 2^a * m. */
@unmanaged export class MRState {
  a: u32 = 0;
  m: usize = 0; // n limbs
  wm1: usize = 0; // w - 1
  z: usize = 0;
  b: usize = 0;
  bytes: usize = 0; // random-base bytes
  tmp: usize = 0;
}

export function mrNew(n: i32, bytes: i32): MRState {
  const s = changetype<MRState>(alloc(offsetof<MRState>()));
  s.m = newLimbs(n);
  s.wm1 = newLimbs(n);
  s.z = newLimbs(n);
  s.b = newLimbs(n);
  s.tmp = newLimbs(n);
  s.bytes = alloc(<usize>bytes);
  return s;
}

/** B.3.1 steps 1-2 for the modulus of c. */
export function mrSetup(c: Mont, s: MRState): void {
  const n = c.n;
  L.copy(s.wm1, c.N, n);
  L.subSmall(s.wm1, n, 1);
  s.a = L.trailingZeros(s.wm1, n);
  L.copy(s.m, s.wm1, n);
  L.shrSecret(s.m, n, s.a, s.tmp);
}

/** Steps 4.4-4.6 given z = b^m (Montgomery form, lazy range). true: probably prime. */
function mrFinish(c: Mont, s: MRState): bool {
  const n = c.n;
  const z = s.z;
  L.reduceOnce(z, c.N, n);
  let ok = L.equalMask(z, c.one, n) | L.equalMask(z, c.minusOne, n);
  let done = ok;
  for (let j: u32 = 1; j < s.a; j++) {
    montSqr(c, z, z);
    L.reduceOnce(z, c.N, n);
    const isMinusOne = L.equalMask(z, c.minusOne, n);
    const isOne = L.equalMask(z, c.one, n);
    ok |= ~done & isMinusOne;
    done |= isMinusOne | isOne;
  }
  return (ok & 1) != 0;
}

/** One round with base 2. */
export function mrBase2(c: Mont, s: MRState, wbits: i32): bool {
  modExpBase2(c, s.z, s.m, wbits);
  return mrFinish(c, s);
}

/**
 * One round with a random base, B.3.1 steps 4.1-4.2: b of wlen bits from the RBG,
 * drawn again while b <= 1 or b >= w - 1.
 */
export function mrRandomBase(c: Mont, s: MRState, wbits: i32): bool {
  const n = c.n;
  const nb = (wbits + 7) >> 3;
  const excess = <u32>(nb * 8 - wbits);
  const b = s.b;
  // A uniform b is in range with probability at least 1/4 (w = 5) and about 1/2 or more for
  // the sizes RSA uses — unless the random source
  // is broken. After 256 draws the round fails, which rejects the candidate.
  for (let attempt = 0; ; attempt++) {
    if (attempt == 256) return false;
    randomBytes(s.bytes, nb);
    store<u8>(s.bytes, load<u8>(s.bytes) & <u8>(<u32>0xff >> excess));
    L.fromBytes(b, n, s.bytes, nb);
    // b > 1  <=>  b - 2 does not borrow;  b < w - 1
    L.copy(s.tmp, b, n);
    const small = L.subSmall(s.tmp, n, 2);
    const below = L.lessThan(b, s.wm1, n);
    if ((small | (below ^ 1)) == 0) break;
  }
  memory.fill(s.bytes, 0, <usize>nb);
  toMont(c, b, b);
  modExp(c, s.z, b, s.m, wbits);
  return mrFinish(c, s);
}

/** Base-2 round, then `rounds` random-base rounds; for odd w > 3. */
export function millerRabin(c: Mont, s: MRState, wbits: i32, rounds: i32): bool {
  mrSetup(c, s);
  if (!mrBase2(c, s, wbits)) return false;
  for (let i = 0; i < rounds; i++) {
    if (!mrRandomBase(c, s, wbits)) return false;
  }
  return true;
}
