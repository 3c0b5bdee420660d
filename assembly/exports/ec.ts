// Elliptic-curve entry points. Curve ids: 1 P-256, 2 P-384, 3 P-521, 4 secp256k1, 5 SM2.
// The host calls begin(1 << (id + 1)) first, which builds the curve's public tables.

import { ecGenerate, scalarMultBase } from '../ec/weierstrass';

/** A key pair: d (field-length bytes) to outD, 04 || x || y to outPoint. */
export function ec_generate(id: i32, outD: usize, outPoint: usize): void {
  ecGenerate(id, outD, outPoint);
}

/** [k]G for a big-endian k of field length (any value below 2^bits); 0 = point at infinity. */
export function ec_scalar_mult_base(id: i32, k: usize, outX: usize, outY: usize): i32 {
  return scalarMultBase(id, k, outX, outY);
}
