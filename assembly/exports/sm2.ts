// Entry points of SM3 and SM2 (SM2DSA signatures, SM2PKE encryption) on sm2p256v1. The host
// calls begin(1 << 6) first (curve 5, see exports/ec.ts). Every pointer is scratch memory
// allocated by the host after begin(); outputs are read back before wipe(). Scalars and
// coordinates are 32-byte big-endian strings; a public key is x || y (64 bytes).

import { sm3 } from '../symmetric/sm3';
import { sm2Sign, sm2Verify, sm2Encrypt, sm2Decrypt, sm2MessageHash, SM2_BYTES } from '../ec/sm2';
import { scalarMultBase, CURVE_SM2 } from '../ec/weierstrass';
import { alloc, mark, release } from '../arena';
import { OK, INVALID_ARGUMENT } from '../status';

/** out (32 bytes) = SM3 of [ptr, ptr+len) (GB/T 32905-2016). */
export function sm3_digest(ptr: usize, len: i32, out: usize): void {
  sm3(ptr, <usize>len, out);
}

/**
 * An SM2DSA signature (r to outR, s to outS, 32 bytes each) under the private scalar d.
 * raw = 1: msg is the message M and e = SM3(Z_A || M) with the default ID, for the public key
 * pub (x || y), or for [d]G when pub is 0. raw = 0: msg is e itself (len must be 32).
 * INVALID_ARGUMENT for a length out of range or d outside [1, n - 2].
 */
export function sm2_sign(d: usize, pub: usize, msg: usize, len: i32, raw: i32, outR: usize, outS: usize): i32 {
  if (len < 0 || (raw == 0 && len != SM2_BYTES)) return INVALID_ARGUMENT;
  if (raw == 0) return sm2Sign(d, msg, outR, outS);
  const m = mark();
  const e = alloc(<usize>SM2_BYTES);
  let p = pub;
  if (p == 0) {
    p = alloc(2 * <usize>SM2_BYTES);
    // [d]G is finite for 0 < d < n; d = 0 or d >= n is refused by sm2Sign below.
    scalarMultBase(CURVE_SM2, d, p, p + <usize>SM2_BYTES);
  }
  sm2MessageHash(p, p + <usize>SM2_BYTES, msg, <usize>len, e);
  const status = sm2Sign(d, e, outR, outS);
  release(m);
  return status;
}

/**
 * 1 when (r, s) (32 bytes each) is a valid SM2DSA signature of msg under the public key pub
 * (x || y), else 0. raw as for sm2_sign; a length out of range gives 0.
 */
export function sm2_verify(pub: usize, msg: usize, len: i32, raw: i32, r: usize, s: usize): i32 {
  if (len < 0 || (raw == 0 && len != SM2_BYTES)) return 0;
  if (raw == 0) return sm2Verify(pub, pub + <usize>SM2_BYTES, msg, r, s) ? 1 : 0;
  const m = mark();
  const e = alloc(<usize>SM2_BYTES);
  sm2MessageHash(pub, pub + <usize>SM2_BYTES, msg, <usize>len, e);
  const valid = sm2Verify(pub, pub + <usize>SM2_BYTES, e, r, s);
  release(m);
  return valid ? 1 : 0;
}

/**
 * SM2PKE encryption of [msg, msg+len) (len >= 1) under pub (x || y): C1 = x1 || y1 to outC1
 * (64 bytes), C3 to outC3 (32 bytes), C2 to outC2 (len bytes). INVALID_ARGUMENT for an empty
 * message or a key off the curve.
 */
export function sm2_encrypt(pub: usize, msg: usize, len: i32, outC1: usize, outC3: usize, outC2: usize): i32 {
  if (len < 1) return INVALID_ARGUMENT;
  return sm2Encrypt(pub, pub + <usize>SM2_BYTES, msg, <usize>len, outC1, outC3, outC2);
}

/**
 * SM2PKE decryption under the private scalar d of C1 = c1 (x1 || y1, 64 bytes), C3 (32 bytes)
 * and C2 (len >= 1 bytes) to out (len bytes). AUTH_FAILED (out zeroed) for any ciphertext
 * that does not decrypt; INVALID_ARGUMENT for len < 1 or d outside [1, n - 1].
 */
export function sm2_decrypt(d: usize, c1: usize, c3: usize, c2: usize, len: i32, out: usize): i32 {
  if (len < 1) return INVALID_ARGUMENT;
  return sm2Decrypt(d, c1, c1 + <usize>SM2_BYTES, c3, c2, <usize>len, out);
}
