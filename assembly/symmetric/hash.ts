// The SHA family by id, and HMAC over any of it (FIPS 180-4, RFC 2104 / FIPS 198-1), for
// core code that takes the hash as a parameter (RSA padding, ECDSA nonces, KMS MACs).
//
// Ids: HASH_SHA1 = 1, HASH_SHA224 = 2, HASH_SHA256 = 3, HASH_SHA384 = 4, HASH_SHA512 = 5.
// SHA-224 is SHA-256 from its own H(0), truncated to 7 words; SHA-384 is SHA-512 from its
// own, truncated to 6. The id is public: the dispatch branches on it, never on data.
//
// A hash context (HASH_CTX_SIZE bytes) is the id in its first word and the algorithm's
// state block after it. An HMAC context (HMAC_ANY_CTX_SIZE bytes) keeps the chaining values
// after the key blocks (K0 ⊕ ipad) and (K0 ⊕ opad), as hmac.ts does for SHA-256 alone, so
// a key is hashed once for any number of messages. Contexts live in scratch memory; final()
// zeroes the hash state and hmacAnyWipe() the key material, temporaries are released
// (zeroed) here.
//
// hmac.ts stays the SHA-256-only path that HKDF and the ciphertext format use: fewer
// branches per call, and its digest sizes are constants.

import { alloc, mark, release } from '../arena';
import { sha1Init, sha1InitFrom, sha1SaveChain, sha1Update, sha1Final, SHA1_STATE_SIZE } from './sha1';
import {
  sha224Init,
  sha256Init,
  sha256InitFrom,
  sha256SaveChain,
  sha256Update,
  sha256FinalWords,
  SHA256_STATE_SIZE,
} from './sha256';
import {
  sha384Init,
  sha512Init,
  sha512InitFrom,
  sha512SaveChain,
  sha512Update,
  sha512FinalWords,
  SHA512_STATE_SIZE,
} from './sha512';

export const HASH_SHA1: i32 = 1;
export const HASH_SHA224: i32 = 2;
export const HASH_SHA256: i32 = 3;
export const HASH_SHA384: i32 = 4;
export const HASH_SHA512: i32 = 5;

/** The largest digest (SHA-512) and block (SHA-384/512), for callers sizing buffers. */
export const HASH_MAX_SIZE: usize = 64;
export const HASH_MAX_BLOCK_SIZE: usize = 128;

// Hash context: the id, then the state block (the largest is SHA-512's).
const ST_OFF: usize = 16;
export const HASH_CTX_SIZE: usize =
  ST_OFF + max<usize>(SHA512_STATE_SIZE, max<usize>(SHA256_STATE_SIZE, SHA1_STATE_SIZE));

/** true for the five ids above. */
export function hashIdValid(id: i32): bool {
  return id >= HASH_SHA1 && id <= HASH_SHA512;
}

/** Digest size in bytes of `id`; 0 for an unknown id. */
export function hashSize(id: i32): usize {
  if (id == HASH_SHA1) return 20;
  if (id == HASH_SHA224) return 28;
  if (id == HASH_SHA256) return 32;
  if (id == HASH_SHA384) return 48;
  if (id == HASH_SHA512) return 64;
  return 0;
}

/** Block size in bytes of `id` (the HMAC key block B); 0 for an unknown id. */
export function hashBlockSize(id: i32): usize {
  if (id == HASH_SHA1 || id == HASH_SHA224 || id == HASH_SHA256) return 64;
  if (id == HASH_SHA384 || id == HASH_SHA512) return 128;
  return 0;
}

/** Size of the chaining value the compression function carries (what HMAC precomputes). */
function chainSize(id: i32): usize {
  if (id == HASH_SHA1) return 20;
  if (id <= HASH_SHA256) return 32;
  return 64;
}

/** Starts hash `id` in `ctx` (HASH_CTX_SIZE bytes); traps on an unknown id (callers check). */
export function hashInit(ctx: usize, id: i32): void {
  store<i32>(ctx, id);
  const st = ctx + ST_OFF;
  if (id == HASH_SHA1) sha1Init(st);
  else if (id == HASH_SHA224) sha224Init(st);
  else if (id == HASH_SHA256) sha256Init(st);
  else if (id == HASH_SHA384) sha384Init(st);
  else if (id == HASH_SHA512) sha512Init(st);
  else unreachable();
}

/** Absorbs [ptr, ptr+len) into the hash in `ctx`. */
export function hashUpdate(ctx: usize, ptr: usize, len: usize): void {
  const id = load<i32>(ctx);
  const st = ctx + ST_OFF;
  if (id == HASH_SHA1) sha1Update(st, ptr, len);
  else if (id <= HASH_SHA256) sha256Update(st, ptr, len);
  else sha512Update(st, ptr, len);
}

/** Writes hashSize(id) bytes of digest to `out` and zeroes the context. */
export function hashFinal(ctx: usize, out: usize): void {
  const id = load<i32>(ctx);
  const st = ctx + ST_OFF;
  if (id == HASH_SHA1) sha1Final(st, out);
  else if (id == HASH_SHA224) sha256FinalWords(st, out, 7);
  else if (id == HASH_SHA256) sha256FinalWords(st, out, 8);
  else if (id == HASH_SHA384) sha512FinalWords(st, out, 6);
  else sha512FinalWords(st, out, 8);
  store<i32>(ctx, 0);
}

/** Starts hash `id` from a chaining value at `h` after `absorbed` bytes (whole blocks). */
function hashInitFrom(ctx: usize, id: i32, h: usize, absorbed: u64): void {
  store<i32>(ctx, id);
  const st = ctx + ST_OFF;
  if (id == HASH_SHA1) sha1InitFrom(st, h, absorbed);
  else if (id <= HASH_SHA256) sha256InitFrom(st, h, absorbed);
  else sha512InitFrom(st, h, absorbed);
}

/** Copies the chaining value of the hash in `ctx` to `h` (after whole blocks only). */
function hashSaveChain(ctx: usize, h: usize): void {
  const id = load<i32>(ctx);
  const st = ctx + ST_OFF;
  if (id == HASH_SHA1) sha1SaveChain(st, h);
  else if (id <= HASH_SHA256) sha256SaveChain(st, h);
  else sha512SaveChain(st, h);
}

/** out = hash `id` of [ptr, ptr+len); the context is scratch, zeroed after. */
export function hashOnce(id: i32, ptr: usize, len: usize, out: usize): void {
  const m = mark();
  const ctx = alloc(HASH_CTX_SIZE);
  hashInit(ctx, id);
  hashUpdate(ctx, ptr, len);
  hashFinal(ctx, out);
  release(m);
}

// ---- HMAC ---------------------------------------------------------------------------------

const IPAD: u64 = 0x3636363636363636;
const OPAD: u64 = 0x5c5c5c5c5c5c5c5c;

// HMAC context: the id, the two chaining values (64 bytes each at most), the running hash.
const HM_ID_OFF: usize = 0;
const HM_INNER_OFF: usize = 16;
const HM_OUTER_OFF: usize = 80;
const HM_HASH_OFF: usize = 144;
export const HMAC_ANY_CTX_SIZE: usize = HM_HASH_OFF + HASH_CTX_SIZE;

/** Keys `ctx` (HMAC_ANY_CTX_SIZE bytes) for HMAC with hash `id` and starts a message. */
export function hmacAnyInit(ctx: usize, id: i32, key: usize, keyLen: usize): void {
  if (!hashIdValid(id)) unreachable();
  const B = hashBlockSize(id);
  const m = mark();
  const k0 = alloc(B);
  // RFC 2104 §2: keys longer than B are hashed first; shorter ones are zero-padded (alloc zeroes).
  if (keyLen > B) hashOnce(id, key, keyLen, k0);
  else memory.copy(k0, key, keyLen);
  store<i32>(ctx + HM_ID_OFF, id);
  const h = ctx + HM_HASH_OFF;
  for (let i: usize = 0; i < B; i += 8) store<u64>(k0 + i, load<u64>(k0 + i) ^ IPAD);
  hashInit(h, id);
  hashUpdate(h, k0, B);
  hashSaveChain(h, ctx + HM_INNER_OFF);
  for (let i: usize = 0; i < B; i += 8) store<u64>(k0 + i, load<u64>(k0 + i) ^ (IPAD ^ OPAD));
  hashInit(h, id);
  hashUpdate(h, k0, B);
  hashSaveChain(h, ctx + HM_OUTER_OFF);
  release(m);
  hmacAnyRestart(ctx);
}

/** Starts a new message under the key already in `ctx`. */
export function hmacAnyRestart(ctx: usize): void {
  const id = load<i32>(ctx + HM_ID_OFF);
  hashInitFrom(ctx + HM_HASH_OFF, id, ctx + HM_INNER_OFF, <u64>hashBlockSize(id));
}

/** Absorbs [ptr, ptr+len) into the message. */
export function hmacAnyUpdate(ctx: usize, ptr: usize, len: usize): void {
  hashUpdate(ctx + HM_HASH_OFF, ptr, len);
}

/** Writes the hashSize(id)-byte MAC to `out`; the key stays in `ctx` for hmacAnyRestart. */
export function hmacAnyFinal(ctx: usize, out: usize): void {
  const id = load<i32>(ctx + HM_ID_OFF);
  const n = hashSize(id);
  const m = mark();
  const inner = alloc(HASH_MAX_SIZE);
  const h = ctx + HM_HASH_OFF;
  hashFinal(h, inner);
  hashInitFrom(h, id, ctx + HM_OUTER_OFF, <u64>hashBlockSize(id));
  hashUpdate(h, inner, n);
  hashFinal(h, out);
  release(m);
}

/** Zeroes the context (the key's chaining values included). */
export function hmacAnyWipe(ctx: usize): void {
  memory.fill(ctx, 0, HMAC_ANY_CTX_SIZE);
}

/** out (hashSize(id) bytes) = HMAC-hash(key, msg); `out` may overlap the key or the message. */
export function hmacAny(id: i32, key: usize, keyLen: usize, msg: usize, msgLen: usize, out: usize): void {
  const m = mark();
  const ctx = alloc(HMAC_ANY_CTX_SIZE);
  hmacAnyInit(ctx, id, key, keyLen);
  hmacAnyUpdate(ctx, msg, msgLen);
  hmacAnyFinal(ctx, out);
  release(m);
}

/**
 * true iff [a, a+len) and [b, b+len) are equal, in time that depends on len only: every byte
 * pair is XORed into one accumulator, and the answer is computed from it without a branch.
 */
export function ctEqual(a: usize, b: usize, len: usize): bool {
  let acc: u32 = 0;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const x = load<u64>(a + i) ^ load<u64>(b + i);
    acc |= <u32>(x | (x >> 32));
  }
  for (; i < len; i++) acc |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  // acc == 0 -> 1, else 0, without comparing acc: (acc | -acc) has its top bit set iff acc != 0.
  return <bool>(1 ^ ((acc | (0 - acc)) >> 31));
}
