// SM2 signatures (SM2DSA, GB/T 32918.2-2016) and public-key encryption (SM2PKE, GB/T
// 32918.4-2016) on the recommended curve sm2p256v1 (GB/T 32918.5-2017), with SM3 as the hash.
//
// Scalars and coordinates cross this file as 32-byte big-endian strings; arithmetic modulo
// the group order n runs on the Montgomery machinery of bignum/mont.ts (10 limbs of 28 bits,
// the unrolled field code of field.ts), and the point operations are those of weierstrass.ts
// ([k]G) and ops.ts ([k]P, [u1]G + [u2]Q, point validation, random scalars).
//
// Signing nonces: k is drawn from an HMAC_DRBG (the construction of RFC 6979 §3.2) with
// HMAC-SHA-256, seeded with d, e mod n and 32 fresh random bytes (the additional data of
// RFC 6979 §3.6). With a broken random source k still depends on d and e through HMAC, so it
// neither repeats across messages or keys nor can be predicted without d; with a working one
// it is fresh for every signature, the same message included. SHA-256 rather than SM3: the
// DRBG is a PRF construction whose security does not depend on the message hash (RFC 6979
// takes the message's hash only for convenience), HMAC-SHA-256 is already in the core and
// tested against the NIST and Wycheproof vectors, and SP 800-90A approves HMAC_DRBG with it.
//
// Constant time: d, k and everything derived from them are touched only by fixed-length
// arithmetic, masks and the constant-time scalar multiplications. The loops that draw k
// branch on whether a candidate was accepted; a rejected candidate is discarded, and the
// branches of GB/T 32918.2 §6.1 (r = 0, r + k = n, s = 0) are taken with probability about
// 2^-254, so the branch taken tells nothing about the key that signs.

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import * as L from '../bignum/limbs';
import { Mont, toMont, fromMont, newLimbs } from '../bignum/mont';
import { fsub, fmul } from './field';
import { hmacInit, hmacRestart, hmacUpdate, hmacFinal, HMAC_CTX_SIZE } from '../symmetric/hmac';
import { sm3Init, sm3Update, sm3Final, SM3_STATE_SIZE } from '../symmetric/sm3';
import { scalarMultBase, CURVE_SM2, Curve } from './weierstrass';
import {
  curveOf,
  orderContext,
  modNInvMont,
  ecPointOnCurve,
  ecScalarMult,
  ecDoubleScalarMultCheckX,
  ecRandomScalar,
} from './ops';
import * as SM2 from './curves/sm2';
import { verifyTableLookup, verifyTableRemember, ecDoubleScalarMultCheckXTable } from './verify-table';
import { OK, INVALID_ARGUMENT, KEYGEN_FAILED, AUTH_FAILED } from '../status';

/** Scalars and coordinates: 32 bytes. */
export const SM2_BYTES: i32 = 32;
const NL: i32 = 10; // limbs of 28 bits for 256-bit values with R >= 4n
const BYTES: usize = 32;

// GM/T 0009-2012 §10 (and AWS KMS): the default distinguishing identifier, 16 ASCII bytes,
// ENTL = 128 bits.
const DEFAULT_ID: usize = memory.data<u8>([
  0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38,
]);
const DEFAULT_ID_LEN: usize = 16;

// ---- Z_A and e (GB/T 32918.2 §5.5, §6.1 A1-A2) ------------------------------------------

/**
 * out (32 bytes) = Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) for the
 * public key (x_A, y_A) and the default ID.
 */
export function sm2Za(px: usize, py: usize, out: usize): void {
  const m = mark();
  const st = alloc(SM3_STATE_SIZE);
  const tmp = alloc(BYTES);
  sm3Init(st);
  // ENTL_A: the ID's length in bits, two bytes big-endian.
  const bits = DEFAULT_ID_LEN << 3;
  store<u8>(tmp, <u8>(bits >> 8));
  store<u8>(tmp + 1, <u8>bits);
  sm3Update(st, tmp, 2);
  sm3Update(st, DEFAULT_ID, DEFAULT_ID_LEN);
  // a = p - 3: p ends in 0xff, so a is p with its last byte 0xfc.
  memory.copy(tmp, SM2.P, BYTES);
  store<u8>(tmp + BYTES - 1, load<u8>(tmp + BYTES - 1) - 3);
  sm3Update(st, tmp, BYTES);
  sm3Update(st, SM2.B, BYTES);
  sm3Update(st, SM2.GX, BYTES);
  sm3Update(st, SM2.GY, BYTES);
  sm3Update(st, px, BYTES);
  sm3Update(st, py, BYTES);
  sm3Final(st, out);
  release(m);
}

/** out (32 bytes) = e = SM3(Z_A || M) for the public key (px, py) and message [msg, msg+len). */
export function sm2MessageHash(px: usize, py: usize, msg: usize, len: usize, out: usize): void {
  const m = mark();
  const za = alloc(BYTES);
  sm2Za(px, py, za);
  const st = alloc(SM3_STATE_SIZE);
  sm3Init(st);
  sm3Update(st, za, BYTES);
  sm3Update(st, msg, len);
  sm3Final(st, out);
  release(m);
}

// ---- KDF (GB/T 32918.4 §5.4.3) ----------------------------------------------------------

/**
 * data[0..len) ^= KDF(x2 || y2, 8·len), the key stream t = SM3(Z || ct_1) || SM3(Z || ct_2)
 * || ... with a 32-bit big-endian counter from 1, truncated to len bytes. z: the 64 bytes
 * x2 || y2. Returns all-ones when t is all zero (GB/T 32918.4 §6.1 A5, §7.1 B4), else 0.
 */
export function sm2KdfXor(z: usize, data: usize, len: usize): u32 {
  const m = mark();
  const st = alloc(SM3_STATE_SIZE);
  const block = alloc(BYTES);
  const ctr = alloc(4);
  let any: u32 = 0;
  let ct: u32 = 1;
  for (let off: usize = 0; off < len; off += BYTES, ct++) {
    sm3Init(st);
    sm3Update(st, z, 2 * BYTES);
    store<u32>(ctr, bswap<u32>(ct));
    sm3Update(st, ctr, 4);
    sm3Final(st, block);
    let take = len - off;
    if (take > BYTES) take = BYTES;
    for (let i: usize = 0; i < take; i++) {
      const t = load<u8>(block + i);
      any |= t;
      store<u8>(data + off + i, load<u8>(data + off + i) ^ t);
    }
  }
  release(m);
  return ~L.nonZeroMask(any);
}

/** out (32 bytes) = C3 = SM3(x2 || M || y2) (GB/T 32918.4 §6.1 A7, §7.1 B6). */
export function sm2C3(x2: usize, y2: usize, msg: usize, len: usize, out: usize): void {
  const m = mark();
  const st = alloc(SM3_STATE_SIZE);
  sm3Init(st);
  sm3Update(st, x2, BYTES);
  sm3Update(st, msg, len);
  sm3Update(st, y2, BYTES);
  sm3Final(st, out);
  release(m);
}

// ---- Nonces: HMAC_DRBG with HMAC-SHA-256 (RFC 6979 §3.2 b-h, §3.6) -----------------------

// DRBG state: K (32), V (32), the HMAC context.
const DRBG_K: usize = 0;
const DRBG_V: usize = 32;
const DRBG_CTX: usize = 64;
const DRBG_SIZE: usize = DRBG_CTX + HMAC_CTX_SIZE;

/**
 * K = HMAC_K(V || sep || seed), V = HMAC_K(V); seed may be empty (seedLen 0). keyed: the HMAC
 * context holds K already (every call but the first: the last MAC was under the current K), so
 * a restart skips the key's two compressions.
 */
function drbgUpdate(g: usize, sep: u8, seed: usize, seedLen: usize, tmp: usize, keyed: bool): void {
  const ctx = g + DRBG_CTX;
  if (keyed) hmacRestart(ctx);
  else hmacInit(ctx, g + DRBG_K, BYTES);
  hmacUpdate(ctx, g + DRBG_V, BYTES);
  store<u8>(tmp, sep);
  hmacUpdate(ctx, tmp, 1);
  if (seedLen > 0) hmacUpdate(ctx, seed, seedLen);
  hmacFinal(ctx, g + DRBG_K);
  hmacInit(ctx, g + DRBG_K, BYTES);
  hmacUpdate(ctx, g + DRBG_V, BYTES);
  hmacFinal(ctx, g + DRBG_V);
}

/** Seeds the DRBG at g (DRBG_SIZE bytes) with [seed, seed+seedLen): RFC 6979 §3.2 b-g. */
function drbgSeed(g: usize, seed: usize, seedLen: usize, tmp: usize): void {
  memory.fill(g + DRBG_K, 0x00, BYTES);
  memory.fill(g + DRBG_V, 0x01, BYTES);
  drbgUpdate(g, 0x00, seed, seedLen, tmp, false);
  drbgUpdate(g, 0x01, seed, seedLen, tmp, true);
}

/** out (32 bytes) = the next candidate T = V = HMAC_K(V): RFC 6979 §3.2 h.2 with qlen = hlen. */
function drbgNext(g: usize, out: usize): void {
  const ctx = g + DRBG_CTX;
  hmacRestart(ctx);
  hmacUpdate(ctx, g + DRBG_V, BYTES);
  hmacFinal(ctx, g + DRBG_V);
  memory.copy(out, g + DRBG_V, BYTES);
}

// ---- SM2DSA ----------------------------------------------------------------------------

/**
 * A private key's scalar d (32 bytes) in limbs, with 1 <= d <= n - 2 checked (GB/T 32918.1
 * §6.1: (1 + d)^-1 must exist). Returns all-ones if in range. Constant time.
 */
function loadPrivate(cv: Curve, d: usize, dl: usize): u32 {
  L.fromBytes(dl, NL, d, SM2_BYTES);
  const limit = newLimbs(NL);
  L.copy(limit, cv.order, NL);
  L.subSmall(limit, NL, 1);
  return (0 - L.lessThan(dl, limit, NL)) & ~L.isZeroMask(dl, NL);
}

/**
 * One signing attempt with nonce k (32 bytes, 1 <= k <= n - 1 checked by the caller):
 * GB/T 32918.2 §6.1 A4-A6. dM: d in Montgomery form; invM: (1 + d)^-1 in Montgomery form;
 * el: e mod n in limbs. Writes r, s (32 bytes each) and returns all-ones when the signature
 * must be discarded (r = 0, r + k = n or s = 0).
 */
function signWithNonce(cv: Curve, c: Mont, dM: usize, invM: usize, el: usize, k: usize, outR: usize, outS: usize): u32 {
  const m = mark();
  const x1 = alloc(BYTES);
  const y1 = alloc(BYTES);
  // A4: (x1, y1) = [k]G. k in [1, n-1], so the result is finite.
  if (scalarMultBase(CURVE_SM2, k, x1, y1) == 0) unreachable();
  // A5: r = (e + x1) mod n. x1 < p < 2n and e < n, so one reduction each.
  const r = newLimbs(NL);
  const t = newLimbs(NL);
  L.fromBytes(r, NL, x1, SM2_BYTES);
  L.reduceOnce(r, cv.order, NL);
  L.add(r, r, el, NL);
  L.reduceOnce(r, cv.order, NL);
  const kl = newLimbs(NL);
  L.fromBytes(kl, NL, k, SM2_BYTES);
  // r + k = n exactly when (r + k) mod n = 0, both being in [0, n).
  L.add(t, r, kl, NL);
  L.reduceOnce(t, cv.order, NL);
  let bad = L.isZeroMask(r, NL) | L.isZeroMask(t, NL);
  // A6: s = (1 + d)^-1 (k - r d) mod n, in Montgomery form throughout.
  const rM = newLimbs(NL);
  const kM = newLimbs(NL);
  const sM = newLimbs(NL);
  toMont(c, rM, r);
  toMont(c, kM, kl);
  fmul(c, sM, rM, dM);
  fsub(c, sM, kM, sM);
  fmul(c, sM, invM, sM);
  const s = newLimbs(NL);
  fromMont(c, s, sM);
  bad |= L.isZeroMask(s, NL);
  L.toBytes(outR, SM2_BYTES, r, NL);
  L.toBytes(outS, SM2_BYTES, s, NL);
  release(m);
  return bad;
}

/** The per-key part of signing: dM = d·R and invM = (1 + d)^-1·R mod n. */
function signSetup(cv: Curve, c: Mont, dl: usize, dM: usize, invM: usize): void {
  const m = mark();
  toMont(c, dM, dl);
  const t = newLimbs(NL);
  L.copy(t, dl, NL);
  L.addSmall(t, NL, 1); // d <= n - 2, so 1 + d < n
  toMont(c, t, t);
  modNInvMont(cv, c, invM, t);
  release(m);
}

/**
 * An SM2DSA signature (r, s) of the 32-byte e = SM3(Z_A || M) under the private scalar d:
 * GB/T 32918.2 §6.1 A3-A7 with k from the hedged DRBG. INVALID_ARGUMENT when d is not in
 * [1, n - 2] (nothing written); OK otherwise.
 */
export function sm2Sign(d: usize, e: usize, outR: usize, outS: usize): i32 {
  const cv = curveOf(CURVE_SM2);
  const m0 = mark();
  const dl = newLimbs(NL);
  if (loadPrivate(cv, d, dl) == 0) {
    release(m0);
    return INVALID_ARGUMENT;
  }
  const c = orderContext(cv);
  const dM = newLimbs(NL);
  const invM = newLimbs(NL);
  signSetup(cv, c, dl, dM, invM);
  const el = newLimbs(NL);
  L.fromBytes(el, NL, e, SM2_BYTES);
  L.reduceOnce(el, cv.order, NL); // e < 2^256 < 2n
  // DRBG seed: int2octets(d) || bits2octets(e) (e mod n, 32 bytes) || 32 fresh random bytes.
  const seed = alloc(3 * BYTES);
  memory.copy(seed, d, BYTES);
  L.toBytes(seed + BYTES, SM2_BYTES, el, NL);
  randomBytes(seed + 2 * BYTES, SM2_BYTES);
  const g = alloc(DRBG_SIZE);
  const tmp = alloc(16);
  drbgSeed(g, seed, 3 * BYTES, tmp);
  const k = alloc(BYTES);
  const kl = newLimbs(NL);
  for (let attempt = 0; ; attempt++) {
    // Each candidate is accepted with probability > 1 - 2^-31; 64 failures in a row mean a
    // broken HMAC, not bad luck.
    if (attempt == 64) unreachable();
    drbgNext(g, k);
    L.fromBytes(kl, NL, k, SM2_BYTES);
    const inRange = L.lessThan(kl, cv.order, NL) & ~L.isZeroMask(kl, NL) & 1;
    if (inRange != 0 && signWithNonce(cv, c, dM, invM, el, k, outR, outS) == 0) break;
    // RFC 6979 §3.2 h.3: K = HMAC_K(V || 0x00), V = HMAC_K(V), then the next candidate.
    drbgUpdate(g, 0x00, 0, 0, tmp, true);
  }
  release(m0);
  return OK;
}

/**
 * Test module only: the signature with a given nonce k (32 bytes), as the standard's worked
 * examples fix it. INVALID_ARGUMENT when d or k is out of range or the signature would have
 * to be discarded.
 */
export function sm2SignWithNonce(d: usize, e: usize, k: usize, outR: usize, outS: usize): i32 {
  const cv = curveOf(CURVE_SM2);
  const m0 = mark();
  const dl = newLimbs(NL);
  const kl = newLimbs(NL);
  L.fromBytes(kl, NL, k, SM2_BYTES);
  const kOk = L.lessThan(kl, cv.order, NL) & ~L.isZeroMask(kl, NL) & 1;
  if ((loadPrivate(cv, d, dl) & kOk) == 0) {
    release(m0);
    return INVALID_ARGUMENT;
  }
  const c = orderContext(cv);
  const dM = newLimbs(NL);
  const invM = newLimbs(NL);
  signSetup(cv, c, dl, dM, invM);
  const el = newLimbs(NL);
  L.fromBytes(el, NL, e, SM2_BYTES);
  L.reduceOnce(el, cv.order, NL);
  const bad = signWithNonce(cv, c, dM, invM, el, k, outR, outS);
  release(m0);
  return bad != 0 ? INVALID_ARGUMENT : OK;
}

/**
 * SM2DSA verification (GB/T 32918.2 §7.1 B1-B7) of (r, s) for the 32-byte e under the public
 * key (px, py). Public inputs only: variable time. Returns false for r or s outside
 * [1, n - 1], a key off the curve, t = 0, or a signature that does not verify.
 */
export function sm2Verify(px: usize, py: usize, e: usize, r: usize, s: usize): bool {
  // A key whose table is cached was checked on the curve when it was first seen.
  let table = verifyTableLookup(CURVE_SM2, px, py);
  if (table == 0 && !ecPointOnCurve(CURVE_SM2, px, py)) return false;
  const cv = curveOf(CURVE_SM2);
  const m0 = mark();
  const rl = newLimbs(NL);
  const sl = newLimbs(NL);
  L.fromBytes(rl, NL, r, SM2_BYTES);
  L.fromBytes(sl, NL, s, SM2_BYTES);
  // B1, B2: r, s in [1, n - 1].
  let ok = L.lessThan(rl, cv.order, NL) & L.lessThan(sl, cv.order, NL) & ~L.isZeroMask(rl, NL) & ~L.isZeroMask(sl, NL) & 1;
  // B5: t = (r + s) mod n, t != 0.
  const t = newLimbs(NL);
  L.add(t, rl, sl, NL);
  L.reduceOnce(t, cv.order, NL);
  ok &= ~L.isZeroMask(t, NL) & 1;
  if (ok == 0) {
    release(m0);
    return false;
  }
  const tb = alloc(BYTES);
  L.toBytes(tb, SM2_BYTES, t, NL);
  // B6, B7: (x1, y1) = [s]G + [t]P_A must be finite with (e + x1) mod n = r, that is
  // x1 mod n = (r - e) mod n: compared in Jacobian coordinates, without an inversion.
  const v = newLimbs(NL);
  const el = newLimbs(NL);
  L.fromBytes(el, NL, e, SM2_BYTES);
  L.reduceOnce(el, cv.order, NL); // e < 2^256 < 2n
  const borrow = L.sub(v, rl, el, NL);
  L.condAdd(v, cv.order, 0 - borrow, NL);
  const vb = alloc(BYTES);
  L.toBytes(vb, SM2_BYTES, v, NL);
  // The second verification with a key makes its table (verify-table.ts), later ones use it.
  if (table == 0) table = verifyTableRemember(CURVE_SM2, px, py);
  const valid =
    table != 0
      ? ecDoubleScalarMultCheckXTable(CURVE_SM2, s, tb, table, vb)
      : ecDoubleScalarMultCheckX(CURVE_SM2, s, tb, px, py, vb);
  release(m0);
  return valid;
}

// ---- SM2PKE ----------------------------------------------------------------------------

/**
 * SM2PKE encryption (GB/T 32918.4 §6.1 A1-A8) of [msg, msg+len), len >= 1, under the
 * public key (px, py): C1 = (x1, y1) to outC1 (64 bytes), C3 to outC3 (32 bytes), C2 to
 * outC2 (len bytes). INVALID_ARGUMENT for a key off the curve; KEYGEN_FAILED when the random
 * source gave no k in range (ecRandomScalar: 256 draws).
 */
export function sm2Encrypt(px: usize, py: usize, msg: usize, len: usize, outC1: usize, outC3: usize, outC2: usize): i32 {
  // A3: S = [h]P_B with h = 1 is P_B itself; a point on the curve is never the point at
  // infinity and lies in the group of order n (cofactor 1).
  if (len == 0 || !ecPointOnCurve(CURVE_SM2, px, py)) return INVALID_ARGUMENT;
  const m0 = mark();
  const k = alloc(BYTES);
  const x2y2 = alloc(2 * BYTES);
  for (let attempt = 0; ; attempt++) {
    // Each attempt fails only when t = 0 (probability about 2^-(8 len)): a second failure
    // means a broken core.
    if (attempt == 8) unreachable();
    // A1: k in [1, n - 1] from the core's entropy.
    if (!ecRandomScalar(CURVE_SM2, k)) {
      memory.fill(outC1, 0, 2 * BYTES);
      release(m0);
      return KEYGEN_FAILED;
    }
    // A2: C1 = [k]G.
    if (scalarMultBase(CURVE_SM2, k, outC1, outC1 + BYTES) == 0) unreachable();
    // A4: (x2, y2) = [k]P_B, constant time in k.
    if (ecScalarMult(CURVE_SM2, k, px, py, x2y2, x2y2 + BYTES) == 0) unreachable();
    // A5, A6: C2 = M xor KDF(x2 || y2, klen), retried when the key stream is all zero.
    memory.copy(outC2, msg, len);
    if (sm2KdfXor(x2y2, outC2, len) == 0) break;
  }
  // A7: C3 = SM3(x2 || M || y2).
  sm2C3(x2y2, x2y2 + BYTES, msg, len, outC3);
  release(m0);
  return OK;
}

/**
 * SM2PKE decryption (GB/T 32918.4 §7.1 B1-B7) under the private scalar d of C1 = (c1x, c1y),
 * C3 (32 bytes) and C2 (len >= 1 bytes) to out (len bytes). AUTH_FAILED, with out zeroed, for
 * every failure that depends on the ciphertext: C1 off the curve (B1), an all-zero key stream
 * (B4) or C3 that does not match (B6); the work after B1 is the same whichever it is.
 * INVALID_ARGUMENT for d outside [1, n - 1].
 */
export function sm2Decrypt(d: usize, c1x: usize, c1y: usize, c3: usize, c2: usize, len: usize, out: usize): i32 {
  const cv = curveOf(CURVE_SM2);
  const m0 = mark();
  const dl = newLimbs(NL);
  L.fromBytes(dl, NL, d, SM2_BYTES);
  const dOk = L.lessThan(dl, cv.order, NL) & ~L.isZeroMask(dl, NL) & 1;
  release(m0);
  if (dOk == 0) return INVALID_ARGUMENT;
  memory.fill(out, 0, len);
  // B1: C1 must satisfy the curve equation (public data: an early exit tells nothing secret).
  if (len == 0 || !ecPointOnCurve(CURVE_SM2, c1x, c1y)) return AUTH_FAILED;
  const m1 = mark();
  // B3: (x2, y2) = [d]C1, constant time in d. C1 is in the group of prime order n and
  // 0 < d < n, so the result is finite.
  const x2y2 = alloc(2 * BYTES);
  if (ecScalarMult(CURVE_SM2, d, c1x, c1y, x2y2, x2y2 + BYTES) == 0) unreachable();
  // B4, B5: M' = C2 xor KDF(x2 || y2, klen); t = 0 fails.
  const msg = alloc(len);
  memory.copy(msg, c2, len);
  const zeroStream = sm2KdfXor(x2y2, msg, len);
  // B6: u = SM3(x2 || M' || y2) must equal C3; compared in constant time.
  const u = alloc(BYTES);
  sm2C3(x2y2, x2y2 + BYTES, msg, len, u);
  let diff: u32 = 0;
  for (let i: usize = 0; i < BYTES; i++) diff |= <u32>(load<u8>(u + i) ^ load<u8>(c3 + i));
  const okMask = ~L.nonZeroMask(diff) & ~zeroStream;
  // B7: out = M' when everything held, zeros otherwise (masked, no branch on the outcome).
  const mask8 = <u8>okMask;
  for (let i: usize = 0; i < len; i++) store<u8>(out + i, load<u8>(msg + i) & mask8);
  release(m1);
  return okMask != 0 ? OK : AUTH_FAILED;
}
