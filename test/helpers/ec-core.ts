// [k]G by the core's test entry points, with the fixed-base table (ec_scalar_mult_base) or
// without it (ec_scalar_mult_base_no_table), for the tests that compare the two paths.
import type { Core } from '../../src/core/module.js';
import { EC_CURVES, ecFlag } from '../../src/core/ec.js';
import type { EcCurve } from '../../src/der/ec.js';
import { bigintToBytes } from '../../src/core/bignum.js';

export type BaseMult = 'ec_scalar_mult_base' | 'ec_scalar_mult_base_no_table';

/** [k]G as 04 || x || y, or undefined for the point at infinity. */
export function scalarMultBaseCore(core: Core, fn: BaseMult, curve: EcCurve, k: bigint): Uint8Array | undefined {
  const { id, bytes } = EC_CURVES[curve];
  return core.run(ecFlag(id), (x) => {
    const kp = core.put(bigintToBytes(k, bytes));
    const ox = x.alloc(bytes);
    const oy = x.alloc(bytes);
    const f = (x as unknown as Record<BaseMult, (...a: number[]) => number>)[fn];
    if (!f(id, kp, ox, oy)) return undefined;
    return new Uint8Array([4, ...core.take(ox, bytes), ...core.take(oy, bytes)]);
  });
}
