// Test-only entry points of the hash family and ML-KEM encapsulation (test module only,
// assembly/test-exports.ts): streaming in pieces, and encapsulation with given randomness.

import { alloc, mark, release } from '../arena';
import { OK, INVALID_ARGUMENT } from '../status';
import {
  hashIdValid,
  hashInit,
  hashUpdate,
  hashFinal,
  HASH_CTX_SIZE,
  hmacAnyInit,
  hmacAnyRestart,
  hmacAnyUpdate,
  hmacAnyFinal,
  HMAC_ANY_CTX_SIZE,
  ctEqual,
} from '../symmetric/hash';
import { mlkemEncapsInternal } from '../mlkem/encaps';
import { mlkemDecapsInternal } from '../mlkem/decaps';
import { compress, decompress } from '../mlkem/encode';
import { ntt, invNtt, polyFreeze } from '../mlkem/ntt';

/** Hash `id` of [ptr, ptr+len) through init/update/final, fed in `chunk`-byte pieces (chunk >= 1). */
export function hash_digest_chunked(id: i32, ptr: usize, len: i32, chunk: i32, out: usize): i32 {
  if (!hashIdValid(id) || chunk < 1) return INVALID_ARGUMENT;
  const m = mark();
  const ctx = alloc(HASH_CTX_SIZE);
  hashInit(ctx, id);
  for (let off = 0; off < len; off += chunk) hashUpdate(ctx, ptr + <usize>off, <usize>min(chunk, len - off));
  hashFinal(ctx, out);
  release(m);
  return OK;
}

/**
 * HMAC with hash `id` of [msg, msg+len) fed in `chunk`-byte pieces, twice under one keyed
 * context (the second after hmacAnyRestart); both MACs to out, one after the other.
 */
export function hmac_any_chunked_twice(
  id: i32, key: usize, keyLen: i32, msg: usize, len: i32, chunk: i32, out: usize, out2: usize,
): i32 {
  if (!hashIdValid(id) || chunk < 1) return INVALID_ARGUMENT;
  const m = mark();
  const ctx = alloc(HMAC_ANY_CTX_SIZE);
  hmacAnyInit(ctx, id, key, <usize>keyLen);
  for (let off = 0; off < len; off += chunk) hmacAnyUpdate(ctx, msg + <usize>off, <usize>min(chunk, len - off));
  hmacAnyFinal(ctx, out);
  hmacAnyRestart(ctx);
  for (let off = 0; off < len; off += chunk) hmacAnyUpdate(ctx, msg + <usize>off, <usize>min(chunk, len - off));
  hmacAnyFinal(ctx, out2);
  release(m);
  return OK;
}

/** 1 if [a, a+len) equals [b, b+len) by ctEqual, else 0. */
export function ct_equal(a: usize, b: usize, len: i32): i32 {
  return ctEqual(a, b, <usize>len) ? 1 : 0;
}

/** ML-KEM.Encaps_internal (FIPS 203 Alg. 17) with the given 32-byte m: c to outC, K to outK. */
export function mlkem_encaps_internal(k: i32, ek: usize, m: usize, outC: usize, outK: usize): i32 {
  if (k < 2 || k > 4) return INVALID_ARGUMENT;
  return mlkemEncapsInternal(k, ek, m, outC, outK) ? OK : INVALID_ARGUMENT;
}

/** ML-KEM.Decaps_internal (FIPS 203 Alg. 18) with an expanded dk (768k + 96 bytes). */
export function mlkem_decaps_internal(k: i32, dk: usize, c: usize, outK: usize): i32 {
  if (k < 2 || k > 4) return INVALID_ARGUMENT;
  mlkemDecapsInternal(k, dk, c, outK);
  return OK;
}

/** Compress_d(x) for 0 <= x < q. */
export function mlkem_compress(x: i32, d: i32): i32 {
  return compress(x, d);
}

/** Decompress_d(y) for 0 <= y < 2^d. */
export function mlkem_decompress(y: i32, d: i32): i32 {
  return decompress(y, d);
}

/** In place on 256 i16 coefficients in [0, q): NTT, then reduction to [0, q) (forward = 1), or NTT^-1 then the same. */
export function mlkem_ntt(f: usize, forward: i32): void {
  if (forward) ntt(f);
  else invNtt(f);
  polyFreeze(f);
}
