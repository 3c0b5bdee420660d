// The module's ABI: i32 pointers and lengths only. Every call sequence from the host is
//   begin(flags) -> alloc()/write inputs -> operation -> read outputs -> wipe()
// and wipe() zeroes all scratch memory the call used. An operation that can fail returns an
// i32 status (assembly/status.ts). This entry exports what the library calls and nothing
// else; the entry points only the tests use are added by assembly/test-exports.ts, which
// builds the test module (build/wasm-kms.test.*.wasm), never shipped.

import './abort';
import * as arena from './arena';
import { resetEntropyPool, wipeEntropyPool } from './entropy';
import { rsaEnsureTables } from './rsa/keygen';
import { ecEnsureCurve } from './ec/weierstrass';
import { verifyCacheEnsure } from './ec/verify-table';

const FLAG_RSA: i32 = 1;

/** Starts a call: resets and wipes scratch, builds tables the call needs, refills nothing yet. */
export function begin(flags: i32): void {
  arena.wipeScratch();
  if (flags & FLAG_RSA) rsaEnsureTables();
  // bits 2..6: elliptic curves 1..5 (see exports/ec.ts)
  for (let id = 1; id <= 5; id++) if (flags & (1 << (id + 1))) ecEnsureCurve(id);
  verifyCacheEnsure(flags);
  // A table built just now leaves its scratch's high-water mark behind: reset it, so that the
  // call runs on the same arena state as every later one.
  arena.wipeScratch();
  resetEntropyPool();
}

/** Zeroed scratch for host inputs and outputs. */
export function alloc(len: i32): usize {
  return arena.alloc(<usize>len);
}

/** Zeroes every byte of scratch memory used since begin(), and what is left of the entropy pool. */
export function wipe(): void {
  arena.wipeScratch();
  wipeEntropyPool();
}

// ---- Operations, one file per area in exports/ ------------------------------------------
export * from './exports/rsa';
export * from './exports/ec';
export * from './exports/ed25519';
export * from './exports/mlkem';
export * from './exports/symmetric';
export * from './exports/sm2';
export * from './exports/mldsa';
