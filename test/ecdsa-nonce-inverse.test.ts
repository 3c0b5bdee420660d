// The constant-time inversion modulo n that signing uses for k^-1 (ECDSA) and (1 + d)^-1
// (SM2DSA): Bernstein-Yang divsteps, a fixed number of them for each n, branch-free
// (assembly/ec/nonce-safegcd.ts). Against BigInt on every curve for 1, 2, n - 1, n - 2,
// (n - 1) / 2, powers of two and random values, and 0 (no inverse) gives 0; and one
// instruction trace (instructions, branches, memory addresses) over all of them, by the
// instruction counting of test/helpers/instrument.ts.

import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { type CoreVariant } from '../src/core/module.js';
import { ecFlag, EC_CURVES } from '../src/core/ec.js';
import { type EcCurve } from '../src/der/ec.js';
import { readVectorJson } from './helpers/vectors.js';
import { testWasm } from './helpers/test-core.js';
import { instrumentModule, TracedCore, traceCall, expectOneTrace, type Trace } from './helpers/instrument.js';
import { bigIntToBytes, bytesToBigInt, curveFromHex, modInverse, type CurveHex } from './helpers/ec-reference.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const params = readVectorJson<{ curves: Record<string, CurveHex> }>('facts/ec_curve_params.json');
const sm2Params = readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json');

const CURVES: { curve: EcCurve; hex: CurveHex }[] = [
  { curve: 'P-256', hex: params.curves['P-256']! },
  { curve: 'P-384', hex: params.curves['P-384']! },
  { curve: 'P-521', hex: params.curves['P-521']! },
  { curve: 'secp256k1', hex: params.curves.secp256k1! },
  { curve: 'SM2', hex: sm2Params.curve },
];

describe.each(VARIANTS)('inversion modulo n for signing in the %s build', (variant) => {
  const core = new TracedCore(instrumentModule(testWasm(variant)));

  it.each(CURVES)('$curve: a^-1 mod n as BigInt computes it, 0 for 0, one trace for every a', ({ curve, hex }) => {
    const ref = curveFromHex(curve, hex);
    const { id, bytes } = EC_CURVES[curve];
    const n = ref.n;
    for (let i = 0; i < 2; i++)
      traceCall(
        core,
        ecFlag(id),
        () => null,
        () => null,
      );
    const values = [1n, 2n, 3n, n - 1n, n - 2n, (n - 1n) / 2n, 1n << BigInt(ref.bits - 2), (1n << 128n) + 1n];
    for (let i = 0; i < 24; i++) values.push((bytesToBigInt(crypto.randomBytes(80)) % (n - 1n)) + 1n);
    const runs: { label: string; trace: Trace }[] = [];
    const wrong: string[] = [];
    for (const v of [...values, 0n]) {
      const { result, trace } = traceCall(
        core,
        ecFlag(id),
        (x) => ({ a: x.put(bigIntToBytes(v, bytes)), out: x.x.alloc(bytes) }),
        (x, a) => {
          x.fn('ec_mod_n_inv')(id, a.a, a.out);
          return bytesToBigInt(x.take(a.out, bytes));
        },
      );
      if (result !== (v === 0n ? 0n : modInverse(v, n))) wrong.push(v.toString(16));
      runs.push({ label: v.toString(16), trace });
    }
    expect(wrong).toEqual([]);
    expectOneTrace(`${variant} ${curve} ec_mod_n_inv`, runs);
  });
});
