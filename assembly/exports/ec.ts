// Elliptic-curve entry point. Curve ids: 1 P-256, 2 P-384, 3 P-521, 4 secp256k1, 5 SM2.
// The host calls begin(1 << (id + 1)) first, which builds the curve's public tables.

import { ecGenerate } from '../ec/weierstrass';
import { OK, INVALID_ARGUMENT, KEYGEN_FAILED } from '../status';

/**
 * A key pair: d (field-length bytes) to outD, 04 || x || y to outPoint. INVALID_ARGUMENT for
 * an unknown curve id; KEYGEN_FAILED when rejection sampling found no d in range.
 */
export function ec_generate(id: i32, outD: usize, outPoint: usize): i32 {
  if (id < 1 || id > 5) return INVALID_ARGUMENT;
  return ecGenerate(id, outD, outPoint) ? OK : KEYGEN_FAILED;
}
