// ML-DSA (FIPS 204): ML-DSA.KeyGen_internal (Alg. 6), ML-DSA.Sign_internal (Alg. 7) and
// ML-DSA.Verify_internal (Alg. 8), for the parameter set chosen by setParams().
//
// The private key a KMS key keeps is the seed ξ: signing runs KeyGen_internal(ξ) into scratch
// first (and keeps its Â), then Sign_internal on the encoded sk, as FIPS 204 lets a seed stand
// for sk. The message enters μ = H(tr ‖ M', 64) as tr ‖ `pre` ‖ `msg`, so that pure ML-DSA.Sign
// with an empty context (M' = 0 ‖ 0 ‖ M, Alg. 2) needs no copy of M; or μ is given (external μ).
//
// Constant time in signing: one attempt of the rejection loop (signAttempt) always does all its
// work. The four rejection conditions of Alg. 7 lines 23 and 28 are ORed as masks over every
// coefficient and decide the loop only at the end of the attempt; the number of attempts is the
// one thing that varies, as FIPS 204 allows (§3.4 and Appendix C). SampleInBall on the attempt's
// c̃ is constant time (sample.ts). Everything secret lives in scratch between mark() and
// release(), which zeroes it, and the host wipes all scratch after the call.

import { alloc, mark, release } from '../arena';
import {
  KECCAK_STATE_SIZE,
  SHAKE256_RATE,
  SHAKE_SUFFIX,
  keccakInit,
  keccakAbsorb,
  keccakFinish,
  keccakSqueeze,
  shake256,
} from '../symmetric/keccak';
import {
  Q,
  D,
  POLY_BYTES,
  K,
  L,
  ETA,
  BETA,
  GAMMA1,
  GAMMA2,
  OMEGA,
  CTILDE_BYTES,
  Z_BITS,
  ETA_BITS,
  W1_BITS,
  pkBytes,
  skBytes,
} from './params';
import {
  ntt,
  invNtt,
  polyPointwise,
  polyRowMul,
  polyAdd,
  polySub,
  polyShiftLeft,
  polyExceeds,
  freeze,
} from './poly';
import { expandA, expandS, expandMask, sampleInBall } from './sample';
import { packPoly, unpackPoly, packHint, unpackHint } from './pack';
import { polyPower2Round, polyDecompose, polyMakeHint, polyUseHint } from './rounding';

const HALF_Q: i32 = (Q - 1) / 2;

@inline function polys(n: i32): usize {
  return alloc(<usize>n * POLY_BYTES);
}

@inline function at(v: usize, i: i32): usize {
  return v + <usize>i * POLY_BYTES;
}

/** f_i ← f_i mod± q, in [−(q − 1)/2, (q − 1)/2], for |f_i| < 2^31 − 2^22. */
function polyCentre(f: usize): void {
  if (ASC_FEATURE_SIMD) {
    const q = i32x4.splat(Q);
    const half = i32x4.splat(HALF_Q);
    for (let off: usize = 0; off < POLY_BYTES; off += 16) {
      const a = v128.load(f + off);
      const t = i32x4.shr_s(i32x4.add(a, i32x4.splat(1 << 22)), 23);
      let r = i32x4.sub(a, i32x4.mul(t, q));
      r = i32x4.add(r, v128.and(i32x4.shr_s(r, 31), q));
      v128.store(f + off, i32x4.sub(r, v128.and(i32x4.gt_s(r, half), q)));
    }
    return;
  }
  for (let off: usize = 0; off < POLY_BYTES; off += 4) {
    const r = freeze(load<i32>(f + off));
    store<i32>(f + off, r - (((HALF_Q - r) >> 31) & Q));
  }
}

/** Bytes of one packed polynomial of `bits` bits a coefficient. */
@inline function packed(bits: i32): usize {
  return <usize>(32 * bits);
}

/**
 * (pk, sk) ← ML-DSA.KeyGen_internal(ξ) (Alg. 6) for the 32-byte ξ at `xi`: pk (pkBytes()) to
 * `outPk`, sk (skBytes()) to `outSk` unless it is 0, and Â (k·ℓ polynomials) to `outA` unless
 * it is 0 (signing reuses it).
 */
export function keygenInternal(xi: usize, outPk: usize, outSk: usize, outA: usize): void {
  const m = mark();
  // Line 1: (ρ, ρ', K) ← H(ξ ‖ k ‖ ℓ, 128).
  const input = alloc(34);
  memory.copy(input, xi, 32);
  store<u8>(input + 32, <u8>K);
  store<u8>(input + 33, <u8>L);
  const h = alloc(128);
  shake256(input, 34, h, 128);
  const rho = h;
  const rhoPrime = h + 32;
  const key = h + 96;
  // Lines 3-4: Â ← ExpandA(ρ); (s1, s2) ← ExpandS(ρ').
  const a = outA != 0 ? outA : polys(K * L);
  expandA(a, rho);
  const s = polys(K + L);
  expandS(s, rhoPrime);
  // Line 5: t ← NTT^-1(Â ∘ NTT(s1)) + s2; line 6: (t1, t0) ← Power2Round(t); line 8: pk.
  const s1h = polys(L);
  memory.copy(s1h, s, <usize>L * POLY_BYTES);
  for (let j = 0; j < L; j++) ntt(at(s1h, j));
  const t = polys(1);
  const t1 = polys(1);
  const t0 = polys(K);
  memory.copy(outPk, rho, 32);
  for (let i = 0; i < K; i++) {
    polyRowMul(t, at(a, i * L), POLY_BYTES, s1h, L, 0, 0);
    invNtt(t);
    polyAdd(t, t, at(s, L + i));
    polyPower2Round(t1, at(t0, i), t);
    packPoly(outPk + 32 + <usize>i * 320, t1, 10, 0, 1);
  }
  if (outSk != 0) {
    // Lines 9-10: tr ← H(pk, 64); sk ← skEncode(ρ, K, tr, s1, s2, t0) (Alg. 24).
    memory.copy(outSk, rho, 32);
    memory.copy(outSk + 32, key, 32);
    shake256(outPk, <usize>pkBytes(), outSk + 64, 64);
    let off: usize = 128;
    for (let i = 0; i < L + K; i++) {
      packPoly(outSk + off, at(s, i), ETA_BITS, ETA, -1);
      off += packed(ETA_BITS);
    }
    for (let i = 0; i < K; i++) {
      packPoly(outSk + off, at(t0, i), D, 1 << (D - 1), -1);
      off += packed(D);
    }
  }
  release(m);
}

// ---- Signing -------------------------------------------------------------------------------

// The state of the signing call in progress (the core runs one call at a time), all in scratch.
let sA: usize = 0; // Â, k·ℓ polynomials
let sS1: usize = 0; // ŝ1 (ℓ)
let sS2: usize = 0; // ŝ2 (k)
let sT0: usize = 0; // t̂0 (k)
let sMu: usize = 0; // μ, 64 bytes
let sRhoPP: usize = 0; // ρ'', 64 bytes
let sY: usize = 0; // y (ℓ)
let sYh: usize = 0; // NTT(y) (ℓ)
let sW: usize = 0; // w (k)
let sW1: usize = 0; // HighBits(w), one polynomial at a time
let sW1Packed: usize = 0; // w1Encode(w1)
let sCtilde: usize = 0; // c̃ (up to 64 bytes)
let sC: usize = 0; // ĉ
let sZ: usize = 0; // z (ℓ)
let sH: usize = 0; // h (k)
let sT: usize = 0; // cs2, then ct0
let sV: usize = 0; // w − cs2
let sHiV: usize = 0; // HighBits(w − cs2)
let sLo: usize = 0; // LowBits(w − cs2)
let sHi2: usize = 0; // HighBits(w − cs2 + ct0)
let sSt: usize = 0; // a Keccak state

/**
 * Decodes sk (Alg. 25) into the signing state and takes ŝ1, ŝ2, t̂0 (Alg. 7 lines 1-4); Â is
 * ExpandA(ρ) unless `aPre` already holds it. Allocates the whole state in scratch.
 */
export function signSetup(sk: usize, aPre: usize): void {
  if (aPre != 0) {
    sA = aPre;
  } else {
    sA = polys(K * L);
    expandA(sA, sk);
  }
  sS1 = polys(L);
  sS2 = polys(K);
  sT0 = polys(K);
  let off: usize = 128;
  for (let j = 0; j < L; j++) {
    unpackPoly(at(sS1, j), sk + off, ETA_BITS, ETA, -1);
    ntt(at(sS1, j));
    off += packed(ETA_BITS);
  }
  for (let i = 0; i < K; i++) {
    unpackPoly(at(sS2, i), sk + off, ETA_BITS, ETA, -1);
    ntt(at(sS2, i));
    off += packed(ETA_BITS);
  }
  for (let i = 0; i < K; i++) {
    unpackPoly(at(sT0, i), sk + off, D, 1 << (D - 1), -1);
    ntt(at(sT0, i));
    off += packed(D);
  }
  sMu = alloc(64);
  sRhoPP = alloc(64);
  sY = polys(L);
  sYh = polys(L);
  sW = polys(K);
  sW1 = polys(1);
  sW1Packed = alloc(<usize>K * packed(W1_BITS));
  sCtilde = alloc(64);
  sC = polys(1);
  sZ = polys(L);
  sH = polys(K);
  sT = polys(1);
  sV = polys(1);
  sHiV = polys(1);
  sLo = polys(1);
  sHi2 = polys(1);
  sSt = alloc(KECCAK_STATE_SIZE);
}

/** μ ← H(tr ‖ pre ‖ msg, 64) into the signing state (Alg. 7 line 6), tr at `tr`. */
function hashMu(out: usize, tr: usize, pre: usize, preLen: usize, msg: usize, msgLen: usize): void {
  keccakInit(sSt, SHAKE256_RATE);
  keccakAbsorb(sSt, tr, 64);
  keccakAbsorb(sSt, pre, preLen);
  keccakAbsorb(sSt, msg, msgLen);
  keccakFinish(sSt, SHAKE_SUFFIX);
  keccakSqueeze(sSt, out, 64);
}

/** μ from the message (or copied when `mu` is not 0), then ρ'' ← H(K ‖ rnd ‖ μ, 64) (Alg. 7 lines 6-7). */
export function signPrepare(sk: usize, pre: usize, preLen: usize, msg: usize, msgLen: usize, mu: usize, rnd: usize): void {
  if (mu != 0) memory.copy(sMu, mu, 64);
  else hashMu(sMu, sk + 64, pre, preLen, msg, msgLen);
  keccakInit(sSt, SHAKE256_RATE);
  keccakAbsorb(sSt, sk + 32, 32);
  keccakAbsorb(sSt, rnd, 32);
  keccakAbsorb(sSt, sMu, 64);
  keccakFinish(sSt, SHAKE_SUFFIX);
  keccakSqueeze(sSt, sRhoPP, 64);
}

/**
 * One attempt of Alg. 7's loop (lines 11-31) with counter κ: 1 if (z, h) is accepted (then
 * c̃, z and h are in the state), 0 if rejected. Its path and memory accesses do not depend on
 * the key, the message or the outcome.
 */
export function signAttempt(kappa: i32): i32 {
  // Lines 11-13: y ← ExpandMask(ρ'', κ); w ← NTT^-1(Â ∘ NTT(y)).
  expandMask(sY, sRhoPP, kappa);
  memory.copy(sYh, sY, <usize>L * POLY_BYTES);
  for (let j = 0; j < L; j++) ntt(at(sYh, j));
  // Lines 14-15: w1 ← HighBits(w); c̃ ← H(μ ‖ w1Encode(w1), λ/4).
  for (let i = 0; i < K; i++) {
    const w = at(sW, i);
    polyRowMul(w, at(sA, i * L), POLY_BYTES, sYh, L, 0, 0);
    invNtt(w);
    polyDecompose(sW1, 0, w);
    packPoly(sW1Packed + <usize>i * packed(W1_BITS), sW1, W1_BITS, 0, 1);
  }
  keccakInit(sSt, SHAKE256_RATE);
  keccakAbsorb(sSt, sMu, 64);
  keccakAbsorb(sSt, sW1Packed, <usize>K * packed(W1_BITS));
  keccakFinish(sSt, SHAKE_SUFFIX);
  keccakSqueeze(sSt, sCtilde, <usize>CTILDE_BYTES);
  // Lines 16-17: c ← SampleInBall(c̃); ĉ ← NTT(c).
  sampleInBall(sC, sCtilde, CTILDE_BYTES);
  ntt(sC);
  // Lines 18, 20: z ← y + NTT^-1(ĉ ∘ ŝ1); line 23: ‖z‖∞ ≥ γ1 − β rejects.
  let bad = 0;
  for (let j = 0; j < L; j++) {
    const z = at(sZ, j);
    polyPointwise(z, sC, at(sS1, j));
    invNtt(z);
    polyAdd(z, z, at(sY, j));
    polyCentre(z);
    bad |= polyExceeds(z, GAMMA1 - BETA);
  }
  let ones = 0;
  for (let i = 0; i < K; i++) {
    // Lines 19, 21: r0 ← LowBits(w − cs2); line 23: ‖r0‖∞ ≥ γ2 − β rejects.
    polyPointwise(sT, sC, at(sS2, i));
    invNtt(sT);
    polySub(sV, at(sW, i), sT);
    polyDecompose(sHiV, sLo, sV);
    bad |= polyExceeds(sLo, GAMMA2 - BETA);
    // Lines 25-26: ct0 ← NTT^-1(ĉ ∘ t̂0); h ← MakeHint(−ct0, w − cs2 + ct0);
    // line 28: ‖ct0‖∞ ≥ γ2 or more than ω ones in h rejects.
    polyPointwise(sT, sC, at(sT0, i));
    invNtt(sT);
    polyCentre(sT);
    bad |= polyExceeds(sT, GAMMA2);
    polyAdd(sT, sV, sT);
    polyDecompose(sHi2, 0, sT);
    ones += polyMakeHint(at(sH, i), sHi2, sHiV);
  }
  bad |= ((OMEGA - ones) >> 31) & 1;
  return bad ^ 1;
}

/** σ ← sigEncode(c̃, z mod± q, h) (Alg. 26) from the accepted attempt in the state. */
export function signEncode(outSig: usize): void {
  memory.copy(outSig, sCtilde, <usize>CTILDE_BYTES);
  let off = outSig + <usize>CTILDE_BYTES;
  for (let j = 0; j < L; j++) {
    packPoly(off, at(sZ, j), Z_BITS, GAMMA1, -1);
    off += packed(Z_BITS);
  }
  packHint(off, sH);
}

/**
 * σ ← ML-DSA.Sign_internal(sk, M', rnd) (Alg. 7) with M' = pre ‖ msg, or from μ itself when
 * `mu` is not 0. `aPre` is Â when the caller has it (else 0). Writes sigBytes() to `outSig`.
 */
export function signInternal(
  sk: usize,
  aPre: usize,
  pre: usize,
  preLen: usize,
  msg: usize,
  msgLen: usize,
  mu: usize,
  rnd: usize,
  outSig: usize,
): void {
  const m = mark();
  signSetup(sk, aPre);
  signPrepare(sk, pre, preLen, msg, msgLen, mu, rnd);
  let kappa = 0;
  while (signAttempt(kappa) == 0) {
    kappa += L;
    // κ enters ExpandMask as 16 bits; 2^16/ℓ attempts in a row fail with probability < 2^-1000.
    if (kappa + L > 0xffff) unreachable();
  }
  signEncode(outSig);
  release(m);
}

/**
 * Pure ML-DSA.Sign (Alg. 2) with an empty context from the seed ξ: KeyGen_internal(ξ), then
 * Sign_internal(sk, 0 ‖ 0 ‖ msg, rnd), or Sign_internal from μ = msg (64 bytes) when
 * `externalMu` is true. Writes sigBytes() to `outSig`.
 */
export function signFromSeed(xi: usize, msg: usize, msgLen: usize, externalMu: bool, rnd: usize, outSig: usize): void {
  const m = mark();
  const pk = alloc(<usize>pkBytes());
  const sk = alloc(<usize>skBytes());
  const a = polys(K * L);
  const pre = alloc(2); // M' = IntegerToBytes(0, 1) ‖ IntegerToBytes(|ctx| = 0, 1) ‖ M
  keygenInternal(xi, pk, sk, a);
  signInternal(sk, a, pre, 2, msg, msgLen, externalMu ? msg : 0, rnd, outSig);
  release(m);
}

// ---- Verification --------------------------------------------------------------------------

/**
 * ML-DSA.Verify_internal(pk, M', σ) (Alg. 8) with M' = pre ‖ msg, or with μ given when `mu` is
 * not 0; σ must be sigBytes() long (the caller checks). Everything here is public.
 */
export function verifyInternal(
  pk: usize,
  pre: usize,
  preLen: usize,
  msg: usize,
  msgLen: usize,
  mu: usize,
  sig: usize,
): bool {
  const m = mark();
  const ok = verifyInner(pk, pre, preLen, msg, msgLen, mu, sig);
  release(m);
  return ok;
}

function verifyInner(pk: usize, pre: usize, preLen: usize, msg: usize, msgLen: usize, mu: usize, sig: usize): bool {
  // Line 2: (c̃, z, h) ← sigDecode(σ); line 3: h = ⊥ rejects; line 13: ‖z‖∞ ≥ γ1 − β rejects.
  const h = polys(K);
  const zBytes = <usize>L * packed(Z_BITS);
  if (!unpackHint(h, sig + <usize>CTILDE_BYTES + zBytes)) return false;
  const z = polys(L);
  for (let j = 0; j < L; j++) {
    unpackPoly(at(z, j), sig + <usize>CTILDE_BYTES + <usize>j * packed(Z_BITS), Z_BITS, GAMMA1, -1);
    if (polyExceeds(at(z, j), GAMMA1 - BETA) != 0) return false;
  }
  // Line 1: (ρ, t1) ← pkDecode(pk); t̂1·2^d in the NTT domain for line 9.
  const t1 = polys(K);
  for (let i = 0; i < K; i++) {
    unpackPoly(at(t1, i), pk + 32 + <usize>i * 320, 10, 0, 1);
    polyShiftLeft(at(t1, i), D);
    ntt(at(t1, i));
  }
  // Line 5: Â ← ExpandA(ρ); lines 6-7: tr ← H(pk, 64), μ ← H(tr ‖ M', 64).
  const a = polys(K * L);
  expandA(a, pk);
  const muBuf = alloc(64);
  if (mu != 0) {
    memory.copy(muBuf, mu, 64);
  } else {
    const tr = alloc(64);
    shake256(pk, <usize>pkBytes(), tr, 64);
    sSt = alloc(KECCAK_STATE_SIZE);
    hashMu(muBuf, tr, pre, preLen, msg, msgLen);
  }
  // Line 8: c ← SampleInBall(c̃); line 9: w'_Approx ← NTT^-1(Â ∘ NTT(z) − NTT(c) ∘ NTT(t1·2^d));
  // line 10: w1' ← UseHint(h, w'_Approx); line 12: c̃' ← H(μ ‖ w1Encode(w1'), λ/4).
  const c = polys(1);
  sampleInBall(c, sig, CTILDE_BYTES);
  ntt(c);
  for (let j = 0; j < L; j++) ntt(at(z, j));
  const w = polys(1);
  const w1 = polys(1);
  const w1Packed = alloc(<usize>K * packed(W1_BITS));
  for (let i = 0; i < K; i++) {
    polyRowMul(w, at(a, i * L), POLY_BYTES, z, L, c, at(t1, i));
    invNtt(w);
    polyUseHint(w1, at(h, i), w);
    packPoly(w1Packed + <usize>i * packed(W1_BITS), w1, W1_BITS, 0, 1);
  }
  const st = alloc(KECCAK_STATE_SIZE);
  const ctilde = alloc(64);
  keccakInit(st, SHAKE256_RATE);
  keccakAbsorb(st, muBuf, 64);
  keccakAbsorb(st, w1Packed, <usize>K * packed(W1_BITS));
  keccakFinish(st, SHAKE_SUFFIX);
  keccakSqueeze(st, ctilde, <usize>CTILDE_BYTES);
  // Line 13: c̃ = c̃'.
  let diff = 0;
  for (let i = 0; i < CTILDE_BYTES; i++) diff |= load<u8>(ctilde + <usize>i) ^ load<u8>(sig + <usize>i);
  return diff == 0;
}
