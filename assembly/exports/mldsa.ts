// ML-DSA entry points (FIPS 204). Every pointer is scratch memory allocated by the host after
// begin(); outputs are read back before wipe(). `level` is 44, 65 or 87 (ML-DSA-44/65/87;
// anything else is INVALID_ARGUMENT). The private key is the 32-byte seed ξ. Messages are
// signed with pure ML-DSA and an empty context (M' = 0 ‖ 0 ‖ M), or given as μ (64 bytes)
// when `externalMu` is nonzero.

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import { OK, INVALID_ARGUMENT, AUTH_FAILED } from '../status';
import { setParams, sigBytes } from '../mldsa/params';
import { keygenInternal, signFromSeed, verifyInternal } from '../mldsa/dsa';

/** A fresh key pair (ML-DSA.KeyGen, Alg. 1): 32 random bytes ξ to `outSeed`, pk (32 + 320k bytes) to `outPk`. */
export function mldsa_generate(level: i32, outSeed: usize, outPk: usize): i32 {
  if (!setParams(level)) return INVALID_ARGUMENT;
  randomBytes(outSeed, 32);
  keygenInternal(outSeed, outPk, 0, 0);
  return OK;
}

/**
 * A hedged signature (ML-DSA.Sign, Alg. 2: rnd is 32 fresh random bytes) of the message
 * [msg, msg + msgLen) with the key of seed ξ, written to `outSig` (2420, 3309 or 4627 bytes).
 */
export function mldsa_sign(level: i32, seed: usize, msg: usize, msgLen: i32, externalMu: i32, outSig: usize): i32 {
  if (!setParams(level) || msgLen < 0 || (externalMu != 0 && msgLen != 64)) return INVALID_ARGUMENT;
  const m = mark();
  const rnd = alloc(32);
  randomBytes(rnd, 32);
  signFromSeed(seed, msg, <usize>msgLen, externalMu != 0, rnd, outSig);
  release(m);
  return OK;
}

/**
 * ML-DSA.Verify (Alg. 3, empty context) or Verify_internal from μ: OK if σ (sigLen bytes) is
 * a valid signature of the message under pk, AUTH_FAILED if not (a wrong length included).
 */
export function mldsa_verify(
  level: i32,
  pk: usize,
  msg: usize,
  msgLen: i32,
  externalMu: i32,
  sig: usize,
  sigLen: i32,
): i32 {
  if (!setParams(level) || msgLen < 0 || (externalMu != 0 && msgLen != 64)) return INVALID_ARGUMENT;
  if (sigLen != sigBytes()) return AUTH_FAILED;
  const m = mark();
  const pre = alloc(2);
  const ok = verifyInternal(pk, pre, 2, msg, <usize>msgLen, externalMu != 0 ? msg : 0, sig);
  release(m);
  return ok ? OK : AUTH_FAILED;
}
