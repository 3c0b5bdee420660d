// The field products of the five Weierstrass curves: the Montgomery reduction specialised to
// each prime (assembly/ec/mont-sparse.ts, p written as a short signed sum of powers of two)
// against exact BigInt arithmetic and against the generic reduction (mont-unrolled.ts), on
// random values of the whole lazy range [0, 2p) and on its edges: 0, 1, p - 1, p, p + 1,
// 2p - 1, powers of two, and values whose 28-bit limbs are all at their maximum. The
// accumulator of the specialised code is signed and takes shifted quotient digits, so the
// edges are where a wrong bound or a wrong shift would show.
import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import { EC_CURVES, ecFlag } from '../src/core/ec.js';
import type { EcCurve } from '../src/der/ec.js';
import { readVectorJson } from './helpers/vectors.js';
import { bytesToBigInt, curveFromHex, mod, type CurveHex } from './helpers/ec-reference.js';
import { newTestCore } from './helpers/test-core.js';

interface FieldExports {
  ec_field_mul(id: number, a: number, b: number, out: number, square: number, generic: number): number;
}

const params = readVectorJson<{ curves: Record<string, CurveHex> }>('facts/ec_curve_params.json').curves;
const sm2 = readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json').curve;
const CURVES: Array<{ curve: EcCurve; p: bigint }> = [
  { curve: 'P-256', p: curveFromHex('P-256', params['P-256']!).p },
  { curve: 'P-384', p: curveFromHex('P-384', params['P-384']!).p },
  { curve: 'P-521', p: curveFromHex('P-521', params['P-521']!).p },
  { curve: 'secp256k1', p: curveFromHex('secp256k1', params['secp256k1']!).p },
  { curve: 'SM2', p: curveFromHex('SM2', sm2).p },
];

const MASK = (1n << 28n) - 1n;

/** The core's limb count for p: R = 2^(28n) >= 4p. */
const limbCount = (p: bigint): number => Math.ceil((p.toString(2).length + 2) / 28);

function toLimbs(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(4 * n);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) view.setUint32(4 * i, Number((v >> BigInt(28 * i)) & MASK), true);
  return out;
}

function fromLimbs(bytes: Uint8Array, n: number): { value: bigint; limbs: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limbs = Array.from({ length: n }, (_, i) => view.getUint32(4 * i, true));
  const value = limbs.reduce((acc, l, i) => acc + (BigInt(l) << BigInt(28 * i)), 0n);
  return { value, limbs };
}

describe.each(['simd', 'scalar'] as const)('curve field products (%s)', (variant) => {
  const core = newTestCore(variant);
  it.each(CURVES)('$curve: specialised and generic reductions agree with exact arithmetic', ({ curve, p }) => {
    const { id } = EC_CURVES[curve];
    const n = limbCount(p);
    const R = 1n << BigInt(28 * n);
    const rInv = mod(modPow(R, p - 2n, p), p);
    const product = (a: bigint, b: bigint, square: boolean, generic: boolean): bigint =>
      core.run(ecFlag(id), (x) => {
        const pa = core.put(toLimbs(a, n));
        const pb = core.put(toLimbs(b, n));
        const out = x.alloc(4 * n);
        const status = (x as unknown as FieldExports).ec_field_mul(id, pa, pb, out, square ? 1 : 0, generic ? 1 : 0);
        expect(status).toBe(0);
        const { value, limbs } = fromLimbs(core.take(out, 4 * n), n);
        // limbs stay 28-bit (the top one included) and the value in the lazy range
        for (const l of limbs) expect(l).toBeLessThan(2 ** 28);
        expect(value < 2n * p).toBe(true);
        return value;
      });
    const allOnes = (limbs: number): bigint => (1n << BigInt(28 * limbs)) - 1n;
    const edges = [0n, 1n, 2n, p - 1n, p, p + 1n, 2n * p - 1n, 2n * p - 2n, (p + 1n) / 2n, R / 8n, R / 4n - 1n];
    for (let k = 1; k < n; k++) edges.push(1n << BigInt(28 * k), allOnes(k));
    // every limb at 2^28 - 1 below the top one, the top one as large as [0, 2p) allows
    const topMax = (2n * p - 1n) >> BigInt(28 * (n - 1));
    edges.push((topMax << BigInt(28 * (n - 1))) | allOnes(n - 1));
    const inRange = edges.filter((v) => v >= 0n && v < 2n * p);
    const rand = (): bigint => bytesToBigInt(crypto.randomBytes(4 * n + 8)) % (2n * p);
    const pairs: Array<[bigint, bigint]> = [];
    for (const a of inRange) for (const b of inRange) pairs.push([a, b]);
    for (let i = 0; i < 300; i++) pairs.push([rand(), rand()]);
    for (const a of inRange) pairs.push([a, rand()]);
    let checked = 0;
    for (const [a, b] of pairs) {
      const want = mod(a * b * rInv, p);
      const fast = product(a, b, false, false);
      expect(mod(fast, p), `${curve}: ${a.toString(16)} * ${b.toString(16)}`).toBe(want);
      expect(mod(product(a, b, false, true), p)).toBe(want);
      if (a === b || checked % 2 === 0) {
        const sq = mod(a * a * rInv, p);
        expect(mod(product(a, a, true, false), p), `${curve}: ${a.toString(16)}^2`).toBe(sq);
        expect(mod(product(a, a, true, true), p)).toBe(sq);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(400);
  });
});

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
