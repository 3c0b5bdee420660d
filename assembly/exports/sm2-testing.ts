// Test-only entry points of SM2 (assembly/test-exports.ts): the known-answer tests of the
// standard's worked examples fix the nonce k, which the shipped entry points never take, and
// the constant-time test signs with chosen nonces.

import { sm2SignWithNonce, sm2KdfXor, sm2MessageHash } from '../ec/sm2';

/**
 * The SM2DSA signature (r, s) of the 32-byte e under d with the nonce k (32 bytes each):
 * INVALID_ARGUMENT when d is outside [1, n - 2], k outside [1, n - 1], or k gives r = 0,
 * r + k = n or s = 0.
 */
export function sm2_sign_with_nonce(d: usize, e: usize, k: usize, outR: usize, outS: usize): i32 {
  return sm2SignWithNonce(d, e, k, outR, outS);
}

/** data[0..len) ^= KDF(z, 8 len) for the 64-byte z = x2 || y2; 1 when the key stream was all zero. */
export function sm2_kdf_xor(z: usize, data: usize, len: i32): i32 {
  return sm2KdfXor(z, data, <usize>len) != 0 ? 1 : 0;
}

/** out (32 bytes) = e = SM3(Z_A || M) for the public key pub (x || y) and the default ID. */
export function sm2_message_hash(pub: usize, msg: usize, len: i32, out: usize): void {
  sm2MessageHash(pub, pub + 32, msg, <usize>len, out);
}
