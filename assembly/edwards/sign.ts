// Ed25519 and Ed25519ph signing, RFC 8032 §5.1.6 (Ed25519ph: §5.1 with phflag 1 and an
// empty context, on the 64-byte SHA-512 digest of the message).
//
// Constant time in the private key and in the message's bytes (its length is public): the
// hashes, the fixed-base multiplications (assembly/edwards/basemul.ts), the inversion and the
// scalar arithmetic mod L (assembly/edwards/modl.ts) branch on nothing and index by nothing
// secret. The one branch is on whether the seed's public key is cached (./pubcache), which
// the host knows: it chose the keys. Every secret (h, s, prefix, r, the points, k s) lives in scratch memory between
// mark() and release(), which zeroes it.

import { alloc, mark, release } from '../arena';
import { sha512, sha512Init, sha512Update, sha512Final, SHA512_STATE_SIZE } from '../symmetric/sha512';
import { FE_SIZE, feInvert, feMul, feToBytes } from './field';
import { EXT_SIZE, extEncode } from './point';
import { publicKeyTag, publicKeyLookup, publicKeyInsert } from './pubcache';
import { scalarMultBase } from './basemul';
import { scReduce512, scMulAdd } from './modl';

/** dom2(1, "") of RFC 8032 §5.1: "SigEd25519 no Ed25519 collisions" || 0x01 || 0x00. */
export const DOM2_PH: usize = memory.data<u8>([
  0x53, 0x69, 0x67, 0x45, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39, 0x20, 0x6e, 0x6f, 0x20, 0x45, 0x64,
  0x32, 0x35, 0x35, 0x31, 0x39, 0x20, 0x63, 0x6f, 0x6c, 0x6c, 0x69, 0x73, 0x69, 0x6f, 0x6e, 0x73,
  0x01, 0x00,
]);
export const DOM2_PH_LEN: usize = 34;

/** Starts SHA-512 in `st` with dom2(1, "") absorbed when `ph`, nothing for pure Ed25519. */
export function hashStart(st: usize, ph: bool): void {
  sha512Init(st);
  if (ph) sha512Update(st, DOM2_PH, DOM2_PH_LEN);
}

/**
 * Encodes two extended points (RFC 8032 §5.1.2) with one inversion (Montgomery's trick):
 * 1/Z1 = Z2 / (Z1 Z2) and 1/Z2 = Z1 / (Z1 Z2). Neither Z is ever 0 on this curve.
 */
function encodeTwo(out1: usize, p1: usize, out2: usize, p2: usize): void {
  const m = mark();
  const zz = alloc(FE_SIZE);
  const inv = alloc(FE_SIZE);
  const zi = alloc(FE_SIZE);
  const x = alloc(FE_SIZE);
  const y = alloc(FE_SIZE);
  const xb = alloc(32);
  const tmp = alloc(4 * FE_SIZE);
  feMul(zz, p1 + 2 * FE_SIZE, p2 + 2 * FE_SIZE);
  feInvert(inv, zz, tmp);
  feMul(zi, inv, p2 + 2 * FE_SIZE);
  encodeWith(out1, p1, zi, x, y, xb);
  feMul(zi, inv, p1 + 2 * FE_SIZE);
  encodeWith(out2, p2, zi, x, y, xb);
  release(m);
}

/** y = Y / Z in 32 bytes with the parity of x = X / Z in bit 255; zi = 1/Z. */
function encodeWith(out: usize, p: usize, zi: usize, x: usize, y: usize, xb: usize): void {
  feMul(x, p, zi);
  feMul(y, p + FE_SIZE, zi);
  feToBytes(out, y);
  feToBytes(xb, x);
  store<u8>(out + 31, load<u8>(out + 31) | (<u8>(load<u8>(xb) & 1) << 7));
}

/**
 * outSig (64 bytes) = the signature R || S of the message [msg, msg + msgLen) under the
 * 32-byte seed at `seed` (§5.1.6). With `ph` the message must be the 64-byte SHA-512 digest
 * of the real message (Ed25519ph, empty context; the caller checks the length).
 */
export function ed25519Sign(outSig: usize, seed: usize, msg: usize, msgLen: usize, ph: bool): void {
  const m = mark();
  const st = alloc(SHA512_STATE_SIZE);
  const h = alloc(64);
  const s = alloc(32);
  const r = alloc(64);
  const k = alloc(64);
  const pa = alloc(EXT_SIZE);
  const pr = alloc(EXT_SIZE);
  const enc = alloc(64); // R || A
  const tag = alloc(32);
  // Step 1: h = SHA-512(seed); s = the pruned first half (§5.1.5), prefix = the second half.
  sha512(seed, 32, h);
  memory.copy(s, h, 32);
  store<u8>(s, load<u8>(s) & 0xf8);
  store<u8>(s + 31, (load<u8>(s + 31) & 0x7f) | 0x40);
  // The public key A = [s]B, from the cache when this seed signed lately (./pubcache).
  publicKeyTag(tag, seed);
  const cached = publicKeyLookup(enc + 32, tag);
  if (!cached) scalarMultBase(pa, s);
  // Step 2: r = SHA-512(dom2(F, C) || prefix || PH(M)) mod L.
  hashStart(st, ph);
  sha512Update(st, h + 32, 32);
  sha512Update(st, msg, msgLen);
  sha512Final(st, r);
  scReduce512(r, r);
  // Step 3: R = [r]B, encoded (with A and one inversion for both when A was not cached).
  scalarMultBase(pr, r, true, true); // r < L: no reduction needed
  if (cached) {
    extEncode(enc, pr);
  } else {
    encodeTwo(enc, pr, enc + 32, pa);
    publicKeyInsert(tag, enc + 32);
  }
  // Step 4: k = SHA-512(dom2(F, C) || R || A || PH(M)) mod L.
  hashStart(st, ph);
  sha512Update(st, enc, 64);
  sha512Update(st, msg, msgLen);
  sha512Final(st, k);
  scReduce512(k, k);
  // Steps 5-6: S = (r + k s) mod L; the signature is R || S.
  memory.copy(outSig, enc, 32);
  scMulAdd(outSig + 32, r, k, s);
  release(m);
}
