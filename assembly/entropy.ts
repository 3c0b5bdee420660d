// Entropy comes from the host and from nowhere else: one imported function that fills
// [ptr, ptr+len) with cryptographically secure random bytes (crypto.getRandomValues), at
// most 65,536 bytes per call. The host throws if it cannot (CoreError ENTROPY_FAILURE); the
// throw unwinds through the module, so key generation never continues with fewer or
// predictable bytes. It is the one failure that is not a status: no status can stop a
// computation midway, and a throw does without a trap.

import { allocPersistent } from './arena';

@external("env", "fillRandom")
declare function hostFillRandom(ptr: usize, len: i32): void;

const POOL_SIZE: i32 = 16384;

// The pool lives in the persistent region (allocated by the first call), so that a call does
// not pay for zeroing and wiping 16 KiB of scratch when it needs 32 bytes. Bytes are zeroed as
// they are consumed, and wipeEntropyPool() zeroes whatever a call drew and left unconsumed.
let pool: usize = 0;
let poolPos: i32 = POOL_SIZE;
// The lowest pool offset the host has written since the last wipe.
let filledFrom: i32 = POOL_SIZE;
// Bytes asked of the host at the next refill: small first (an EC key needs 32 bytes), then
// doubling up to POOL_SIZE (an RSA key consumes tens of kilobytes of candidates).
let refill: i32 = 0;

/**
 * Called at the start of every exported call, right after the scratch arena was reset (so
 * that the first call can take the pool from the persistent region).
 */
export function resetEntropyPool(): void {
  if (pool == 0) pool = allocPersistent(<usize>POOL_SIZE);
  wipeEntropyPool();
  refill = 128;
}

/** Zeroes every pool byte the host wrote since the last wipe; the next request refills. */
export function wipeEntropyPool(): void {
  if (pool != 0 && filledFrom < POOL_SIZE) memory.fill(pool + <usize>filledFrom, 0, <usize>(POOL_SIZE - filledFrom));
  filledFrom = POOL_SIZE;
  poolPos = POOL_SIZE;
}

/** Copies `len` fresh random bytes to `dst`; bytes are consumed once and zeroed in the pool. */
export function randomBytes(dst: usize, len: i32): void {
  while (len > 0) {
    if (pool == 0) unreachable();
    if (poolPos >= POOL_SIZE) {
      // Fill the tail of the pool, so that consumption always ends at POOL_SIZE.
      let want = refill;
      while (want < len && want < POOL_SIZE) want <<= 1;
      // Recorded before the host writes: a host that fails midway may have written some.
      if (POOL_SIZE - want < filledFrom) filledFrom = POOL_SIZE - want;
      hostFillRandom(pool + <usize>(POOL_SIZE - want), want);
      poolPos = POOL_SIZE - want;
      refill = want < POOL_SIZE ? want << 1 : POOL_SIZE;
    }
    let n = POOL_SIZE - poolPos;
    if (n > len) n = len;
    memory.copy(dst, pool + <usize>poolPos, <usize>n);
    memory.fill(pool + <usize>poolPos, 0, <usize>n);
    poolPos += n;
    dst += <usize>n;
    len -= n;
  }
}
