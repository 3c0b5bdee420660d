// Test-only elliptic-curve entry points (assembly/test-exports.ts): the primitives below
// ECDSA and ECDH, and ECDSA signing with a hedge chosen by the caller, for known-answer tests
// (RFC 6979's deterministic nonces) and the constant-time traces. Never shipped.

import { ecdsaSignWith, ecdsaSignWithNonce } from '../ec/ecdsa';
import { ecScalarMult, ecDoubleScalarMultVarTime } from '../ec/ops';
import { OK, INVALID_ARGUMENT } from '../status';

/** ECDSA with the hedge [extra, extra+extraLen) instead of fresh bytes (0 bytes: RFC 6979 §3.2). */
export function ec_ecdsa_sign_with(
  id: i32,
  hashId: i32,
  d: usize,
  h: usize,
  hLen: i32,
  extra: usize,
  extraLen: i32,
  outR: usize,
  outS: usize,
): i32 {
  if (id < 1 || id > 5) return INVALID_ARGUMENT;
  return ecdsaSignWith(id, hashId, d, h, hLen, extra, extraLen, outR, outS) ? OK : INVALID_ARGUMENT;
}

/** ECDSA with the nonce k given (field-length bytes); INVALID_ARGUMENT for d or k out of range, r = 0 or s = 0. */
export function ec_ecdsa_sign_with_nonce(id: i32, d: usize, h: usize, hLen: i32, k: usize, outR: usize, outS: usize): i32 {
  if (id < 1 || id > 5) return INVALID_ARGUMENT;
  return ecdsaSignWithNonce(id, d, h, hLen, k, outR, outS) ? OK : INVALID_ARGUMENT;
}

/** [k]P for a point the caller knows to be valid; 0 for the point at infinity. */
export function ec_scalar_mult(id: i32, k: usize, x: usize, y: usize, outX: usize, outY: usize): i32 {
  return ecScalarMult(id, k, x, y, outX, outY);
}

/** [u1]G + [u2]Q (variable time); 0 for the point at infinity. */
export function ec_double_scalar_mult(id: i32, u1: usize, u2: usize, qx: usize, qy: usize, outX: usize, outY: usize): i32 {
  return ecDoubleScalarMultVarTime(id, u1, u2, qx, qy, outX, outY);
}
