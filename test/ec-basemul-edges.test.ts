// [k]G with the fixed-base table adds in Jacobian coordinates with an incomplete formula in
// every window but the top ones, where a doubling or the point at infinity can occur, and
// there converts to projective coordinates and adds with the complete formula
// (assembly/ec/weierstrass.ts, scalarMultBase). These scalars sit where that matters: the
// group order and its neighbours (k = n makes the top window add P + (-P)), values above n
// up to 2^bits - 1, powers of two at the window boundaries of the top windows, runs of zero
// digits before a last nonzero one, and a single nonzero digit in each window position. Each
// is checked against a plain BigInt reference and against the path without the table.
import { describe, it, expect } from 'vitest';
import { EC_CURVES } from '../src/core/ec.js';
import type { EcCurve } from '../src/der/ec.js';
import type { Core } from '../src/core/module.js';
import { readVectorJson } from './helpers/vectors.js';
import { curveFromHex, generator, scalarMult, type CurveHex, type RefCurve } from './helpers/ec-reference.js';
import { newTestCore } from './helpers/test-core.js';
import { scalarMultBaseCore, type BaseMult } from './helpers/ec-core.js';

const params = readVectorJson<{ curves: Record<string, CurveHex> }>('facts/ec_curve_params.json').curves;
const REF: Record<EcCurve, RefCurve> = {
  'P-256': curveFromHex('P-256', params['P-256']!),
  'P-384': curveFromHex('P-384', params['P-384']!),
  'P-521': curveFromHex('P-521', params['P-521']!),
  secp256k1: curveFromHex('secp256k1', params['secp256k1']!),
  SM2: curveFromHex('SM2', readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json').curve),
};
const W = 5;

/** [k]G as affine (x, y), or null for the point at infinity. */
function mult(core: Core, fn: BaseMult, curve: EcCurve, k: bigint): { x: bigint; y: bigint } | null {
  const point = scalarMultBaseCore(core, fn, curve, k);
  if (point === undefined) return null;
  const bytes = EC_CURVES[curve].bytes;
  const read = (at: number): bigint => BigInt('0x' + Buffer.from(point.subarray(at, at + bytes)).toString('hex'));
  return { x: read(1), y: read(1 + bytes) };
}

function edgeScalars(curve: EcCurve): bigint[] {
  const { n, bits } = REF[curve];
  const top = 1n << BigInt(bits);
  const list = new Set<bigint>([
    n,
    n - 1n,
    n - 2n,
    n + 1n,
    n + 2n,
    n / 2n,
    n / 2n + 1n,
    top - 1n,
    top / 2n,
    top / 2n - 1n,
  ]);
  list.add(top / 2n + 1n);
  const windows = Math.floor((bits + 2 + W - 1) / W);
  for (let i = windows - 4; i < windows; i++) {
    const b = 1n << BigInt(W * i);
    // window boundaries of the top windows, a lone top digit after zeros, its neighbours
    for (const k of [b, b - 1n, b + 1n, 16n * b, 15n * b, 17n * b, 16n * b - 1n, b * 31n]) list.add(k);
  }
  // one nonzero digit (15, then -16 by the recoding) in every position
  for (let i = 0; i < windows; i += 7) {
    list.add(15n << BigInt(W * i));
    list.add(16n << BigInt(W * i));
  }
  return [...list].filter((k) => k > 0n && k < top);
}

describe.each(['simd', 'scalar'] as const)('[k]G at the edges of the windows (%s)', (variant) => {
  it.each(Object.keys(EC_CURVES) as EcCurve[])('%s: table path = path without table = reference', (curve) => {
    const core = newTestCore(variant);
    const ref = REF[curve];
    const G = generator(ref);
    // The first call of a curve goes without the table; make sure the table exists.
    mult(core, 'ec_scalar_mult_base', curve, 1n);
    mult(core, 'ec_scalar_mult_base', curve, 2n);
    const ks = edgeScalars(curve);
    expect(ks.length).toBeGreaterThan(30);
    for (const k of ks) {
      const want = scalarMult(ref, k % ref.n, G);
      expect(mult(core, 'ec_scalar_mult_base', curve, k), `k = 0x${k.toString(16)}`).toEqual(want);
      expect(mult(core, 'ec_scalar_mult_base_no_table', curve, k), `k = 0x${k.toString(16)}`).toEqual(want);
    }
  });
});
