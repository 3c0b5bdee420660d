// ML-DSA entry points of the test module only (assembly/test-exports.ts): the internal
// functions of FIPS 204 with every input given, for known-answer, cross-implementation and
// constant-time tests. M' is given whole (the tests build it for any context or pre-hash).

import { alloc, mark, release } from '../arena';
import { OK, INVALID_ARGUMENT, AUTH_FAILED } from '../status';
import { setParams, sigBytes } from './params';
import { keygenInternal, signFromSeed, signInternal, signSetup, signPrepare, signAttempt, verifyInternal } from './dsa';
import { polyDecompose } from './rounding';

/** ML-DSA.KeyGen_internal(ξ) (Alg. 6): pk and the encoded sk. */
export function mldsa_keygen_internal(level: i32, xi: usize, outPk: usize, outSk: usize): i32 {
  if (!setParams(level)) return INVALID_ARGUMENT;
  keygenInternal(xi, outPk, outSk, 0);
  return OK;
}

/** ML-DSA.Sign_internal(sk, M', rnd) (Alg. 7) for M' = [msg, msg + msgLen), or from μ = msg when externalMu. */
export function mldsa_sign_internal(
  level: i32,
  sk: usize,
  msg: usize,
  msgLen: i32,
  externalMu: i32,
  rnd: usize,
  outSig: usize,
): i32 {
  if (!setParams(level) || msgLen < 0 || (externalMu != 0 && msgLen != 64)) return INVALID_ARGUMENT;
  signInternal(sk, 0, 0, 0, msg, <usize>msgLen, externalMu != 0 ? msg : 0, rnd, outSig);
  return OK;
}

/** The library's signing path (mldsa_sign) with rnd given instead of drawn. */
export function mldsa_sign_seed_rnd(
  level: i32,
  seed: usize,
  msg: usize,
  msgLen: i32,
  externalMu: i32,
  rnd: usize,
  outSig: usize,
): i32 {
  if (!setParams(level) || msgLen < 0 || (externalMu != 0 && msgLen != 64)) return INVALID_ARGUMENT;
  signFromSeed(seed, msg, <usize>msgLen, externalMu != 0, rnd, outSig);
  return OK;
}

/** ML-DSA.Verify_internal(pk, M', σ) (Alg. 8), or from μ = msg when externalMu: OK or AUTH_FAILED. */
export function mldsa_verify_internal(
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
  return verifyInternal(pk, 0, 0, msg, <usize>msgLen, externalMu != 0 ? msg : 0, sig) ? OK : AUTH_FAILED;
}

/**
 * One attempt of the signing loop (Alg. 7 lines 11-31) with counter κ, after the setup of
 * lines 1-7 from sk, μ (64 bytes) and rnd: 1 if accepted, 0 if rejected, negative for a bad level.
 */
export function mldsa_sign_attempt(level: i32, sk: usize, mu: usize, rnd: usize, kappa: i32): i32 {
  if (!setParams(level)) return -1;
  const m = mark();
  signSetup(sk, 0);
  signPrepare(sk, 0, 0, 0, 0, mu, rnd);
  const accepted = signAttempt(kappa);
  release(m);
  return accepted;
}

/** Decompose (Alg. 36) of the coefficients of n polynomials at `w` (any values in [0, q)): r1 to outHi, r0 to outLo. */
export function mldsa_decompose(level: i32, w: usize, n: i32, outHi: usize, outLo: usize): i32 {
  if (!setParams(level) || n < 0) return INVALID_ARGUMENT;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 10;
    polyDecompose(outHi + off, outLo + off, w + off);
  }
  return OK;
}
