// A curve's first key is made without its fixed-base table (assembly/ec/weierstrass.ts,
// scalarMultBaseNoTable), from four generated group bases; the table is built at the second
// call. Checked here: the bases are 2^(5·m·g)·G as @noble/curves computes them, that path
// computes [k]G as @noble/curves does and as the table path does, in one instruction trace for
// every scalar, and a fresh core's first and later keys are those a warm core makes from the
// same random bytes.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Core, type CoreVariant } from '../src/core/module.js';
import { generateEc, EC_CURVES, ecFlag } from '../src/core/ec.js';
import type { EcCurve } from '../src/der/ec.js';
import { bigintToBytes, bytesToBigint } from '../src/core/bignum.js';
import { newTestCore, testWasm } from './helpers/test-core.js';
import { scalarMultBaseCore } from './helpers/ec-core.js';
import { withRandom } from './helpers/random.js';
import { instrumentModule, TracedCore, traceCall, groupByTrace, formatTrace } from './helpers/instrument.js';
import { hex } from './helpers/hex.js';

const ORDERS: Record<EcCurve, bigint> = {
  'P-256': p256.Point.CURVE().n,
  'P-384': p384.Point.CURVE().n,
  'P-521': p521.Point.CURVE().n,
  secp256k1: secp256k1.Point.CURVE().n,
  SM2: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
};
const root = fileURLToPath(new URL('..', import.meta.url));
const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const;
const CURVES = Object.keys(EC_CURVES) as EcCurve[];

const mult = scalarMultBaseCore;

const scalars = (curve: EcCurve, count: number): bigint[] => {
  const n = ORDERS[curve];
  const list = [1n, 2n, 15n, 16n, 17n, n - 1n, n - 2n];
  for (let i = 0; i < count; i++) list.push((bytesToBigint(randomBytes(EC_CURVES[curve].bytes)) % (n - 1n)) + 1n);
  return list;
};

describe.each(['simd', 'scalar'] as const)('the no-table path, %s build', (variant: CoreVariant) => {
  it.each(CURVES)('%s: [k]G equals the table path and @noble/curves (SM2: the table path)', (curve) => {
    const core = newTestCore(variant);
    for (const k of scalars(curve, 20)) {
      const cold = mult(core, 'ec_scalar_mult_base_no_table', curve, k);
      const warm = mult(core, 'ec_scalar_mult_base', curve, k);
      expect(cold && hex(cold), `k = ${k}`).toBe(warm && hex(warm));
      const noble = curve === 'SM2' ? undefined : NOBLE[curve];
      if (noble) expect(hex(cold!)).toBe(hex(noble.Point.BASE.multiply(k).toBytes(false)));
    }
    // k = n: the point at infinity on both paths.
    expect(mult(core, 'ec_scalar_mult_base_no_table', curve, ORDERS[curve])).toBeUndefined();
  });

  it.each(CURVES)("%s: a fresh core's keys are a warm core's keys for the same random bytes", (curve) => {
    const seeded = (): ((a: Uint8Array) => void) => {
      let state = 0x12345678 ^ EC_CURVES[curve].id;
      return (a) => {
        for (let i = 0; i < a.length; i++) {
          state = (Math.imul(state, 1103515245) + 12345) >>> 0;
          a[i] = state >>> 24;
        }
      };
    };
    const warm = newTestCore(variant);
    generateEc(warm, curve);
    generateEc(warm, curve); // the table is there from the second call on
    const keys = (core: Core) => {
      const fill = seeded();
      return withRandom(fill, () => [0, 1, 2].map(() => hex(generateEc(core, curve).privateKey)));
    };
    const fresh = keys(newTestCore(variant)); // no table, then the table built, then with it
    expect(fresh).toEqual(keys(warm));
    expect(new Set(fresh).size).toBe(3);
  });
});

describe('the generated group bases (assembly/ec/curves/*.ts, GROUP_BASES)', () => {
  const FILES = { 'P-256': 'p256', 'P-384': 'p384', 'P-521': 'p521', secp256k1: 'secp256k1' } as const;
  it.each(Object.keys(FILES) as (keyof typeof FILES)[])(
    '%s: 2^(5·m·g)·G for g = 1, 2, 3, by @noble/curves',
    (curve) => {
      const text = readFileSync(join(root, 'assembly', 'ec', 'curves', `${FILES[curve]}.ts`), 'utf8');
      const list = /GROUP_BASES: usize = memory\.data<u8>\(\[([^\]]*)\]\)/.exec(text)![1];
      const data = Uint8Array.from(list.split(',').map((b) => Number(b.trim())));
      const { bytes } = EC_CURVES[curve];
      const bits = curve === 'P-521' ? 521 : curve === 'P-384' ? 384 : 256;
      const m = Math.ceil(Math.floor((bits + 2 + 4) / 5) / 4);
      expect(data.length).toBe(3 * 2 * bytes);
      for (let g = 1; g <= 3; g++) {
        const want = NOBLE[curve].Point.BASE.multiply(1n << BigInt(5 * m * g))
          .toBytes(false)
          .subarray(1);
        expect(hex(data.subarray((g - 1) * 2 * bytes, g * 2 * bytes)), `g = ${g}`).toBe(hex(want));
      }
    },
  );
});

describe('the no-table path is constant time (instruction traces)', () => {
  it.each(['simd', 'scalar'] as const)('%s build: one trace per curve for k = 1, n - 1 and 24 random k', (variant) => {
    const traced = new TracedCore(instrumentModule(testWasm(variant)));
    for (const curve of CURVES) {
      const { id, bytes } = EC_CURVES[curve];
      const run = (k: bigint) =>
        traceCall(
          traced,
          ecFlag(id),
          (c) => ({ k: c.put(bigintToBytes(k, bytes)), x: c.x.alloc(bytes), y: c.x.alloc(bytes) }),
          (c, a) => c.fn('ec_scalar_mult_base_no_table')(id, a.k, a.x, a.y),
        );
      run(2n); // the first call grows the arena (public), as in test/constant-time.test.ts
      const n = ORDERS[curve];
      const ks = [1n, n - 1n, ...scalars(curve, 24).slice(7)];
      const groups = groupByTrace(ks.map((k) => ({ k, ...run(k) })));
      expect(groups.length, `${curve}: ${groups.map((g) => formatTrace(g[0].trace)).join(' / ')}`).toBe(1);
      expect(groups[0][0].trace.insn).toBeGreaterThan(100_000n);
    }
  });
});
