// HKDF-SHA-256, RFC 5869: extract-then-expand key derivation over HMAC-SHA-256.
//
// The wrapping of private keys derives one AES-256 key per blob from the KMS key's material
// and a random salt (see docs/ciphertext-format.md), so the PRK and every T(i) are
// secrets: they live in arena scratch and are released (zeroed) before returning.
//
// Constant time: everything secret goes through HMAC-SHA-256 and copies; the only branches
// are on lengths, which are public.

import { alloc, mark, release } from '../arena';
import { hmacInit, hmacRestart, hmacUpdate, hmacFinal, hmacSha256, HMAC_CTX_SIZE, HMAC_SIZE } from './hmac';

/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_MAX_OUTPUT: usize = 255 * HMAC_SIZE;

/**
 * §2.2 HKDF-Extract: prk = HMAC-Hash(salt, IKM). An absent salt is HashLen zero bytes,
 * which HMAC pads to the same key block as an empty one, so no special case is needed.
 */
export function hkdfExtract(salt: usize, saltLen: usize, ikm: usize, ikmLen: usize, prk: usize): void {
  hmacSha256(salt, saltLen, ikm, ikmLen, prk);
}

/**
 * §2.3 HKDF-Expand: the first L bytes of T(1) ‖ T(2) ‖ …, where
 * T(i) = HMAC-Hash(PRK, T(i-1) ‖ info ‖ i) and T(0) is empty. Returns false (and writes
 * nothing) when L > 255 * HashLen.
 */
export function hkdfExpand(prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, outLen: usize): bool {
  if (outLen > HKDF_MAX_OUTPUT) return false;
  const m = mark();
  const ctx = alloc(HMAC_CTX_SIZE);
  const t = alloc(HMAC_SIZE);
  const counter = alloc(1);
  hmacInit(ctx, prk, prkLen);
  let done: usize = 0;
  for (let i: u32 = 1; done < outLen; i++) {
    if (i > 1) {
      hmacRestart(ctx);
      hmacUpdate(ctx, t, HMAC_SIZE);
    }
    hmacUpdate(ctx, info, infoLen);
    store<u8>(counter, <u8>i);
    hmacUpdate(ctx, counter, 1);
    hmacFinal(ctx, t);
    let n = outLen - done;
    if (n > HMAC_SIZE) n = HMAC_SIZE;
    memory.copy(out + done, t, n);
    done += n;
  }
  release(m);
  return true;
}

/**
 * Extract then expand. Returns false (writing nothing) when outLen > 255 * 32. `out` may
 * overlap the inputs only if it does not overlap `info` (info is read by every block).
 */
export function hkdfSha256(
  ikm: usize, ikmLen: usize, salt: usize, saltLen: usize, info: usize, infoLen: usize, out: usize, outLen: usize,
): bool {
  if (outLen > HKDF_MAX_OUTPUT) return false;
  const m = mark();
  const prk = alloc(HMAC_SIZE);
  hkdfExtract(salt, saltLen, ikm, ikmLen, prk);
  const ok = hkdfExpand(prk, HMAC_SIZE, info, infoLen, out, outLen);
  release(m);
  return ok;
}
