// Test-only entry points of the inversions modulo n (assembly/test-exports.ts): the variable-time
// one of verification and the constant-time one of signing. Never shipped.

import { mark, release } from '../arena';
import * as L from '../bignum/limbs';
import { newLimbs } from '../bignum/mont';
import { curveOf, ecModNInv } from './ops';
import { invModVarTime } from './verify-inverse';

/**
 * out = a^-1 mod n (the group order of curve id) by the variable-time inversion, a and out
 * field-length big-endian, a < n. Returns 1, or 0 with out zero when a = 0.
 */
export function ec_mod_n_inv_var_time(id: i32, a: usize, out: usize): i32 {
  const cv = curveOf(id);
  const m0 = mark();
  const t = newLimbs(cv.n);
  const r = newLimbs(cv.n);
  L.fromBytes(t, cv.n, a, cv.bytes);
  const ok = invModVarTime(r, t, cv.order, cv.n);
  L.toBytes(out, cv.bytes, r, cv.n);
  release(m0);
  return ok ? 1 : 0;
}

/**
 * out = a^-1 mod n by the constant-time inversion signing uses (nonce-safegcd.ts), a and out
 * field-length big-endian, a < 2^bits. 0 for a = 0 mod n.
 */
export function ec_mod_n_inv(id: i32, a: usize, out: usize): void {
  ecModNInv(id, a, out);
}
