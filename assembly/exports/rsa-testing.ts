// Test-only RSA entry points (built into the test module through assembly/test-exports.ts,
// never shipped).

import { rsaSetFaultInjection } from '../rsa/private';

/** While on != 0, every RSA private operation corrupts its half modulo p before the check. */
export function rsa_test_fault(on: i32): void {
  rsaSetFaultInjection(on);
}
