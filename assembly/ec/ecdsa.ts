// ECDSA (FIPS 186-5 §6.4) and ECDH (SP 800-56A r3 §5.7.1.2, the x-coordinate of [d]Q) on
// the curves of weierstrass.ts.
//
// The digest may have any length: bits2int (RFC 6979 §2.3.2, FIPS 186-5 §6.4.1 step 4) keeps
// its leftmost len(n) bits, and e = bits2int(H) mod n.
//
// Signing nonces are hedged as RFC 6979 §3.6 describes: k comes from the HMAC_DRBG of
// RFC 6979 §3.2 with HMAC over the signing hash, seeded with int2octets(d) ||
// bits2octets(H) || k', where k' is 32 fresh bytes from the core's entropy. A broken random
// source alone then leaves the deterministic nonce of RFC 6979 (never a repeated or biased one
// across messages), and a fault in the derivation alone still meets fresh randomness. The
// candidate loop of §3.2 step h rejects k outside [1, n-1], and FIPS 186-5 retries on r = 0 or
// s = 0: each retry continues the same DRBG, as §3.2 prescribes.
//
// Constant time: d, k and what derives from them go through fixed-length limb arithmetic,
// Montgomery multiplication modulo n, inversion by Fermat and the constant-time [k]G. The
// only branches on secret-derived values are the accept/retry decisions above, taken with
// probability below 2^-32 (P-256's n is 2^256 - 2^224 - ...); a rejected candidate is
// discarded, so the branch tells nothing about the nonce used.
//
// Verification works on public values and may take variable time ([u1]G + [u2]Q).

import { alloc, mark, release } from '../arena';
import { randomBytes } from '../entropy';
import * as L from '../bignum/limbs';
import { Mont, newLimbs } from '../bignum/mont';
import { fmul } from './field';
import { Curve, scalarMultBase } from './weierstrass';
import { invModVarTime } from './verify-inverse';
import { verifyTableLookup, verifyTableRemember, ecDoubleScalarMultCheckXTable } from './verify-table';
import { curveOf, orderContext, modNInvMont, ecPointOnCurve, ecScalarMult, ecDoubleScalarMultCheckX } from './ops';
import {
  hashIdValid,
  hashSize,
  hmacAnyInit,
  hmacAnyRestart,
  hmacAnyUpdate,
  hmacAnyFinal,
  hmacAnyWipe,
  HMAC_ANY_CTX_SIZE,
  HASH_MAX_SIZE,
} from '../symmetric/hash';

/** Bytes of fresh randomness mixed into every nonce (RFC 6979 §3.6's k'). */
export const ECDSA_EXTRA_BYTES: i32 = 32;

/** Retries of the nonce loop before giving up (each is needed with probability < 2^-32). */
const MAX_ATTEMPTS: i32 = 64;

/**
 * out (limbs, < 2^bits) = bits2int(src[0..len)): the leftmost len(n) bits of the string as an
 * integer (RFC 6979 §2.3.2). Lengths are public; the bits may be secret (the DRBG output).
 */
function bits2int(cv: Curve, out: usize, src: usize, len: i32): void {
  const qlen = cv.bits;
  const rlen = cv.bytes;
  if (len * 8 > qlen) {
    // len * 8 > qlen implies len >= rlen: the first rlen bytes hold the leftmost qlen bits
    // and 8 rlen - qlen more (P-521: 7), shifted out.
    L.fromBytes(out, cv.n, src, rlen);
    for (let i = 0; i < rlen * 8 - qlen; i++) L.shr1(out, cv.n);
  } else {
    L.fromBytes(out, cv.n, src, len);
  }
}

/**
 * HMAC_K(V || [sep] || tail...) into out, under key K (ctx keyed with it when `keyed`, else
 * keyed here): the DRBG's one operation.
 */
function drbgMac(
  hashId: i32,
  ctx: usize,
  K: usize,
  keyed: bool,
  V: usize,
  sep: i32,
  d: usize,
  e: usize,
  rlen: i32,
  extra: usize,
  extraLen: i32,
  out: usize,
): void {
  const hlen = hashSize(hashId);
  // The key's inner and outer chaining values cost two compressions, which a restart under
  // the same key skips.
  if (keyed) hmacAnyRestart(ctx);
  else hmacAnyInit(ctx, hashId, K, hlen);
  hmacAnyUpdate(ctx, V, hlen);
  if (sep >= 0) {
    const m0 = mark();
    const b = alloc(1);
    store<u8>(b, <u8>sep);
    hmacAnyUpdate(ctx, b, 1);
    release(m0);
  }
  if (d != 0) {
    hmacAnyUpdate(ctx, d, <usize>rlen);
    hmacAnyUpdate(ctx, e, <usize>rlen);
    if (extraLen > 0) hmacAnyUpdate(ctx, extra, <usize>extraLen);
  }
  hmacAnyFinal(ctx, out);
}

/**
 * An ECDSA signature (r, s), each field-length big-endian bytes, of the digest h[0..hLen)
 * with private key d (field-length big-endian), the nonce hedged with extra[0..extraLen)
 * (RFC 6979 §3.6; extraLen 0 gives RFC 6979's deterministic nonce). Returns false, with
 * nothing written, if d is not in [1, n-1] or hashId is unknown.
 */
export function ecdsaSignWith(
  id: i32,
  hashId: i32,
  d: usize,
  h: usize,
  hLen: i32,
  extra: usize,
  extraLen: i32,
  outR: usize,
  outS: usize,
): bool {
  if (!hashIdValid(hashId) || hLen < 0 || extraLen < 0) return false;
  const cv = curveOf(id);
  const n = cv.n;
  const rlen = cv.bytes;
  const hlen = <i32>hashSize(hashId);
  const m0 = mark();
  const dl = newLimbs(n);
  L.fromBytes(dl, n, d, rlen);
  // Whether the key is valid is public (the host refuses an invalid key anyway).
  if ((L.lessThan(dl, cv.order, n) & ~L.isZeroMask(dl, n) & 1) == 0) {
    release(m0);
    return false;
  }
  const c = orderContext(cv);
  // e = bits2int(H) mod n; bits2octets(H) = int2octets(e).
  const el = newLimbs(n);
  bits2int(cv, el, h, hLen);
  L.reduceOnce(el, cv.order, n);
  const eb = alloc(<usize>rlen);
  L.toBytes(eb, rlen, el, n);
  // d in canonical int2octets form (it is already field-length).
  const db = alloc(<usize>rlen);
  L.toBytes(db, rlen, dl, n);
  // HMAC_DRBG, RFC 6979 §3.2 steps b-f with the additional input of §3.6.
  const ctx = alloc(HMAC_ANY_CTX_SIZE);
  const K = alloc(HASH_MAX_SIZE);
  const V = alloc(HASH_MAX_SIZE);
  memory.fill(V, 0x01, <usize>hlen);
  // ctx keeps the key of the last drbgMac: each new K is keyed once, the MACs under it restart.
  drbgMac(hashId, ctx, K, false, V, 0x00, db, eb, rlen, extra, extraLen, K);
  drbgMac(hashId, ctx, K, false, V, -1, 0, 0, 0, 0, 0, V);
  drbgMac(hashId, ctx, K, true, V, 0x01, db, eb, rlen, extra, extraLen, K);
  drbgMac(hashId, ctx, K, false, V, -1, 0, 0, 0, 0, 0, V);
  const tlen = ((rlen + hlen - 1) / hlen) * hlen;
  const T = alloc(<usize>tlen);
  const k = newLimbs(n);
  let done = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && !done; attempt++) {
    if (attempt > 0) {
      // §3.2 step h.3: K = HMAC_K(V || 0x00), V = HMAC_K(V).
      drbgMac(hashId, ctx, K, true, V, 0x00, 0, 0, 0, 0, 0, K);
      drbgMac(hashId, ctx, K, false, V, -1, 0, 0, 0, 0, 0, V);
    }
    for (let off = 0; off < tlen; off += hlen) {
      drbgMac(hashId, ctx, K, true, V, -1, 0, 0, 0, 0, 0, V);
      memory.copy(T + <usize>off, V, <usize>hlen);
    }
    bits2int(cv, k, T, tlen);
    if ((L.lessThan(k, cv.order, n) & ~L.isZeroMask(k, n) & 1) == 0) continue;
    if (!signWithNonce(cv, c, id, dl, el, k, outR, outS)) continue;
    done = true;
  }
  hmacAnyWipe(ctx);
  release(m0);
  // 64 rejections in a row: probability below 2^-2000, a broken core rather than bad luck.
  if (!done) unreachable();
  return true;
}

/**
 * (r, s) for the nonce k (limbs, in [1, n-1]), d (limbs, in [1, n-1]) and e (limbs, < n):
 * r = x([k]G) mod n, s = k^-1 (e + r d) mod n, written as field-length bytes. Returns false,
 * with nothing written, when r = 0 or s = 0. c: a context modulo n.
 */
export function signWithNonce(cv: Curve, c: Mont, id: i32, dl: usize, el: usize, k: usize, outR: usize, outS: usize): bool {
  const n = cv.n;
  const rlen = cv.bytes;
  const m0 = mark();
  const kb = alloc(<usize>rlen);
  const x = alloc(<usize>rlen);
  const y = alloc(<usize>rlen);
  const r = newLimbs(n);
  const t = newLimbs(n);
  const kinv = newLimbs(n);
  // r = x([k]G) mod n (k in [1, n-1]: the point is finite).
  L.toBytes(kb, rlen, k, n);
  if (scalarMultBase(id, kb, x, y) == 0) unreachable();
  L.fromBytes(r, n, x, rlen);
  L.reduceOnce(r, cv.order, n);
  let ok = L.isZeroMask(r, n) == 0;
  // s = k^-1 (e + r d) mod n. With a = aR / R: t = (rR) d / R = r d.
  fmul(c, t, r, c.r2); // r R
  fmul(c, t, t, dl); // r d, in [0, 2n)
  L.reduceOnce(t, cv.order, n);
  L.add(t, t, el, n); // < 2n
  L.reduceOnce(t, cv.order, n);
  fmul(c, kinv, k, c.r2); // k R
  modNInvMont(cv, c, kinv, kinv); // k^-1 R
  fmul(c, t, kinv, t); // k^-1 (e + r d)
  L.reduceOnce(t, cv.order, n);
  ok = ok && L.isZeroMask(t, n) == 0;
  if (ok) {
    L.toBytes(outR, rlen, r, n);
    L.toBytes(outS, rlen, t, n);
  }
  release(m0);
  return ok;
}

/**
 * Test entry: (r, s) for a given nonce k (field-length bytes): d and k must be in [1, n-1].
 * Returns false for d or k out of range, r = 0 or s = 0.
 */
export function ecdsaSignWithNonce(id: i32, d: usize, h: usize, hLen: i32, kBytes: usize, outR: usize, outS: usize): bool {
  const cv = curveOf(id);
  const n = cv.n;
  const m0 = mark();
  const dl = newLimbs(n);
  const k = newLimbs(n);
  const el = newLimbs(n);
  L.fromBytes(dl, n, d, cv.bytes);
  L.fromBytes(k, n, kBytes, cv.bytes);
  const valid = L.lessThan(dl, cv.order, n) & ~L.isZeroMask(dl, n) & L.lessThan(k, cv.order, n) & ~L.isZeroMask(k, n) & 1;
  let ok = false;
  if (valid != 0) {
    bits2int(cv, el, h, hLen);
    L.reduceOnce(el, cv.order, n);
    ok = signWithNonce(cv, orderContext(cv), id, dl, el, k, outR, outS);
  }
  release(m0);
  return ok;
}

/** ecdsaSignWith with ECDSA_EXTRA_BYTES fresh random bytes as the hedge. */
export function ecdsaSign(id: i32, hashId: i32, d: usize, h: usize, hLen: i32, outR: usize, outS: usize): bool {
  const m0 = mark();
  const extra = alloc(<usize>ECDSA_EXTRA_BYTES);
  randomBytes(extra, ECDSA_EXTRA_BYTES);
  const ok = ecdsaSignWith(id, hashId, d, h, hLen, extra, ECDSA_EXTRA_BYTES, outR, outS);
  release(m0);
  return ok;
}

/**
 * Whether (r, s) (field-length big-endian each) is a valid signature of the digest h[0..hLen)
 * under the public point (qx, qy): FIPS 186-5 §6.4.2. False for r or s outside [1, n-1] and
 * for a point that is not on the curve. Variable time (public inputs).
 */
export function ecdsaVerify(id: i32, h: usize, hLen: i32, qx: usize, qy: usize, r: usize, s: usize): bool {
  if (hLen < 0) return false;
  const cv = curveOf(id);
  // A key whose table is cached was checked on the curve when it was first seen.
  let table = verifyTableLookup(id, qx, qy);
  if (table == 0 && !ecPointOnCurve(id, qx, qy)) return false;
  const n = cv.n;
  const rlen = cv.bytes;
  const m0 = mark();
  const rl = newLimbs(n);
  const sl = newLimbs(n);
  L.fromBytes(rl, n, r, rlen);
  L.fromBytes(sl, n, s, rlen);
  const inRange =
    L.lessThan(rl, cv.order, n) & ~L.isZeroMask(rl, n) & L.lessThan(sl, cv.order, n) & ~L.isZeroMask(sl, n) & 1;
  if (inRange == 0) {
    release(m0);
    return false;
  }
  const c = orderContext(cv);
  const el = newLimbs(n);
  bits2int(cv, el, h, hLen);
  L.reduceOnce(el, cv.order, n);
  // w = s^-1 R; u1 = e w, u2 = r w (plain: (xR)... / R). s is public: the variable-time
  // inversion (a few batches of divsteps) instead of Fermat's 330 products modulo n. s in
  // [1, n-1] and n prime: s is invertible.
  const w = newLimbs(n);
  if (!invModVarTime(w, sl, cv.order, n)) unreachable();
  fmul(c, w, w, c.r2);
  const u = newLimbs(n);
  const u1 = alloc(<usize>rlen);
  const u2 = alloc(<usize>rlen);
  fmul(c, u, w, el);
  L.reduceOnce(u, cv.order, n);
  L.toBytes(u1, rlen, u, n);
  fmul(c, u, w, rl);
  L.reduceOnce(u, cv.order, n);
  L.toBytes(u2, rlen, u, n);
  // The second verification with a key makes its table (verify-table.ts), later ones use it.
  if (table == 0) table = verifyTableRemember(id, qx, qy);
  const ok =
    table != 0
      ? ecDoubleScalarMultCheckXTable(id, u1, u2, table, r)
      : ecDoubleScalarMultCheckX(id, u1, u2, qx, qy, r);
  release(m0);
  return ok;
}

/** ecdh results. */
export const ECDH_OK: i32 = 0;
export const ECDH_BAD_POINT: i32 = 1;
export const ECDH_BAD_KEY: i32 = 2;

/**
 * ECDH: outX = the x-coordinate of [d]Q. Returns ECDH_OK, or with outX zeroed ECDH_BAD_POINT
 * when Q = (qx, qy) is not a point of the curve (a coordinate >= p, or off the curve; the point
 * at infinity has no affine form) and ECDH_BAD_KEY when d is not in [1, n-1]. Constant time in d.
 */
export function ecdh(id: i32, d: usize, qx: usize, qy: usize, outX: usize): i32 {
  const cv = curveOf(id);
  const n = cv.n;
  const rlen = cv.bytes;
  memory.fill(outX, 0, <usize>rlen);
  if (!ecPointOnCurve(id, qx, qy)) return ECDH_BAD_POINT;
  const m0 = mark();
  const dl = newLimbs(n);
  L.fromBytes(dl, n, d, rlen);
  const valid = L.lessThan(dl, cv.order, n) & ~L.isZeroMask(dl, n) & 1;
  release(m0);
  if (valid == 0) return ECDH_BAD_KEY;
  const y = alloc(<usize>rlen);
  // Cofactor 1 and d in [1, n-1]: [d]Q is finite for every Q of the group.
  if (ecScalarMult(id, d, qx, qy, outX, y) == 0) unreachable();
  release(m0);
  return ECDH_OK;
}
