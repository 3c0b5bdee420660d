// HMAC-SHA-256, RFC 2104 (FIPS 198-1), over linear memory.
//
//   HMAC(K, text) = H((K0 ⊕ opad) ‖ H((K0 ⊕ ipad) ‖ text))
//
// K0 is the key padded with zeros to the block size B = 64, or, for keys longer than B,
// H(K) padded with zeros (RFC 2104 §2). A keyed context keeps only the chaining values
// after the first block of each hash, (K0 ⊕ ipad) and (K0 ⊕ opad): RFC 2104 §4 suggests
// this precomputation, and HKDF-Expand (RFC 5869 §2.3) runs many HMACs under one PRK.
// Neither K0 nor the chaining values stay anywhere but in the context, which the caller
// allocates from the arena and the host wipes; temporaries are released (zeroed) here.
//
// Constant time: the key is touched only by XOR, copies and SHA-256, none of which
// branch on or index by its bytes; lengths are public.

import { alloc, mark, release } from '../arena';
import {
  sha256,
  sha256Init,
  sha256InitFrom,
  sha256SaveChain,
  sha256Update,
  sha256Final,
  SHA256_STATE_SIZE,
  SHA256_DIGEST_SIZE,
  SHA256_BLOCK_SIZE,
} from './sha256';

const IPAD: u64 = 0x3636363636363636;
const OPAD: u64 = 0x5c5c5c5c5c5c5c5c;

// Context layout: the two chaining values, then the running inner hash.
const INNER_OFF: usize = 0;
const OUTER_OFF: usize = 32;
const ST_OFF: usize = 64;
export const HMAC_CTX_SIZE: usize = ST_OFF + SHA256_STATE_SIZE;
export const HMAC_SIZE: usize = SHA256_DIGEST_SIZE;

/** Keys the context `ctx` (HMAC_CTX_SIZE bytes) with [key, key+keyLen) and starts a message. */
export function hmacInit(ctx: usize, key: usize, keyLen: usize): void {
  const m = mark();
  const k0 = alloc(SHA256_BLOCK_SIZE);
  // RFC 2104 §2: keys longer than B are hashed first; shorter ones are zero-padded (alloc zeroes).
  if (keyLen > SHA256_BLOCK_SIZE) sha256(key, keyLen, k0);
  else memory.copy(k0, key, keyLen);
  const st = ctx + ST_OFF;
  // (K0 ⊕ ipad) and (K0 ⊕ opad) are exactly one block each: hash them once.
  for (let i: usize = 0; i < SHA256_BLOCK_SIZE; i += 8) store<u64>(k0 + i, load<u64>(k0 + i) ^ IPAD);
  sha256Init(st);
  sha256Update(st, k0, SHA256_BLOCK_SIZE);
  sha256SaveChain(st, ctx + INNER_OFF);
  for (let i: usize = 0; i < SHA256_BLOCK_SIZE; i += 8) store<u64>(k0 + i, load<u64>(k0 + i) ^ (IPAD ^ OPAD));
  sha256Init(st);
  sha256Update(st, k0, SHA256_BLOCK_SIZE);
  sha256SaveChain(st, ctx + OUTER_OFF);
  release(m);
  hmacRestart(ctx);
}

/** Starts a new message under the key already in `ctx`. */
export function hmacRestart(ctx: usize): void {
  sha256InitFrom(ctx + ST_OFF, ctx + INNER_OFF, <u64>SHA256_BLOCK_SIZE);
}

/** Absorbs [ptr, ptr+len) into the message. */
export function hmacUpdate(ctx: usize, ptr: usize, len: usize): void {
  sha256Update(ctx + ST_OFF, ptr, len);
}

/** Writes the 32-byte MAC to `out`; the key stays in `ctx` for hmacRestart. */
export function hmacFinal(ctx: usize, out: usize): void {
  const m = mark();
  const inner = alloc(SHA256_DIGEST_SIZE);
  const st = ctx + ST_OFF;
  sha256Final(st, inner);
  sha256InitFrom(st, ctx + OUTER_OFF, <u64>SHA256_BLOCK_SIZE);
  sha256Update(st, inner, SHA256_DIGEST_SIZE);
  sha256Final(st, out);
  release(m);
}

/** Zeroes the context (the key's chaining values included). */
export function hmacWipe(ctx: usize): void {
  memory.fill(ctx, 0, HMAC_CTX_SIZE);
}

/** out = HMAC-SHA-256(key, msg); `out` may overlap the key or the message. */
export function hmacSha256(key: usize, keyLen: usize, msg: usize, msgLen: usize, out: usize): void {
  const m = mark();
  const ctx = alloc(HMAC_CTX_SIZE);
  hmacInit(ctx, key, keyLen);
  hmacUpdate(ctx, msg, msgLen);
  hmacFinal(ctx, out);
  release(m);
}
