// Elliptic-curve entry point. Curve ids: 1 P-256, 2 P-384, 3 P-521, 4 secp256k1, 5 SM2.
// The host calls begin(1 << (id + 1)) first, which builds the curve's public tables.
// Scalars, coordinates and signature halves cross as big-endian bytes of the curve's field
// length (32, 48, 66, 32, 32 bytes). Hash ids are those of assembly/symmetric/hash.ts.

import { ecGenerate } from '../ec/weierstrass';
import { ecdsaSign, ecdsaVerify, ecdh } from '../ec/ecdsa';
import { OK, INVALID_ARGUMENT, KEYGEN_FAILED } from '../status';

/**
 * A key pair: d (field-length bytes) to outD, 04 || x || y to outPoint. INVALID_ARGUMENT for
 * an unknown curve id; KEYGEN_FAILED when rejection sampling found no d in range.
 */
export function ec_generate(id: i32, outD: usize, outPoint: usize): i32 {
  if (id < 1 || id > 5) return INVALID_ARGUMENT;
  return ecGenerate(id, outD, outPoint) ? OK : KEYGEN_FAILED;
}

/**
 * ECDSA signature (r to outR, s to outS) of the digest [h, h+hLen) with private key d, the
 * nonce from RFC 6979's HMAC_DRBG over hash hashId hedged with 32 fresh random bytes.
 * INVALID_ARGUMENT for an unknown curve or hash, or d outside [1, n-1].
 */
export function ec_ecdsa_sign(id: i32, hashId: i32, d: usize, h: usize, hLen: i32, outR: usize, outS: usize): i32 {
  if (id < 1 || id > 4) return INVALID_ARGUMENT;
  return ecdsaSign(id, hashId, d, h, hLen, outR, outS) ? OK : INVALID_ARGUMENT;
}

/** 1 if (r, s) is a valid ECDSA signature of [h, h+hLen) under the point (qx, qy), else 0. */
export function ec_ecdsa_verify(id: i32, h: usize, hLen: i32, qx: usize, qy: usize, r: usize, s: usize): i32 {
  if (id < 1 || id > 4) return 0;
  return ecdsaVerify(id, h, hLen, qx, qy, r, s) ? 1 : 0;
}

/**
 * ECDH shared secret: the x-coordinate of [d]Q to outX. Returns 0, or (outX zeroed) 1 when
 * Q = (qx, qy) is not a point of the curve, 2 when d is outside [1, n-1], 3 for an unknown
 * curve id: the host tells a bad peer key from a bad private key.
 */
export function ec_ecdh(id: i32, d: usize, qx: usize, qy: usize, outX: usize): i32 {
  if (id < 1 || id > 5) return 3;
  return ecdh(id, d, qx, qy, outX);
}
