// Test-only entry points of the Ed25519 field (assembly/test-exports.ts; never shipped).

import { alloc, mark, release } from '../arena';
import { FE_SIZE, feFromBytes, feInvert, feToBytes } from './field';

/**
 * out (32 bytes) = the canonical encoding of x^-1 mod 2^255 - 19 for the 32-byte little-endian
 * x at `x` (bit 255 ignored, values of p and above taken mod p; 0 gives 0), by feInvert.
 */
export function ed25519_fe_invert(x: usize, out: usize): void {
  const m = mark();
  const f = alloc(FE_SIZE);
  const t = alloc(4 * FE_SIZE);
  feFromBytes(f, x);
  feInvert(f, f, t);
  feToBytes(out, f);
  release(m);
}
