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
