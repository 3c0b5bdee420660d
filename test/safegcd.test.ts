// The constant-time modular inverse by Bernstein-Yang divsteps (assembly/ec/nonce-safegcd.ts),
// which inverts the signing nonces and, in ec/field.ts, the curve field elements,
// against BigInt arithmetic: the curve primes and group orders, random odd primes and odd
// moduli of many sizes (with x coprime to them), and the edges x = 0, 1, 2, M - 1, M - 2,
// (M + 1) / 2 and powers of two. Its instruction trace is the same for every x of a modulus.
import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import type { Core } from '../src/core/module.js';
import { readVectorJson } from './helpers/vectors.js';
import { bytesToBigInt, curveFromHex, mod, modInverse, type CurveHex } from './helpers/ec-reference.js';
import { newTestCore, testWasm } from './helpers/test-core.js';
import { instrumentModule, TracedCore, traceCall, expectOneTrace } from './helpers/instrument.js';

interface InverseExports {
  bn_mod_inverse_ct(x: number, m: number, n: number, bits: number, out: number): number;
}

const MASK = (1n << 28n) - 1n;
const limbCount = (bits: number): number => Math.ceil(bits / 28);

function toLimbs(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(4 * n);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) view.setUint32(4 * i, Number((v >> BigInt(28 * i)) & MASK), true);
  return out;
}

function fromLimbs(bytes: Uint8Array, n: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 28n) | BigInt(view.getUint32(4 * i, true));
  return v;
}

function inverse(core: Core, x: bigint, m: bigint): bigint {
  const bits = m.toString(2).length;
  const n = limbCount(bits);
  return core.run(0, (c) => {
    const px = core.put(toLimbs(x, n));
    const pm = core.put(toLimbs(m, n));
    const out = c.alloc(4 * n);
    expect((c as unknown as InverseExports).bn_mod_inverse_ct(px, pm, n, bits, out)).toBe(0);
    return fromLimbs(core.take(out, 4 * n), n);
  });
}

const params = readVectorJson<{ curves: Record<string, CurveHex> }>('facts/ec_curve_params.json').curves;
const curves = [
  ...['P-256', 'P-384', 'P-521', 'secp256k1'].map((name) => curveFromHex(name, params[name]!)),
  curveFromHex('SM2', readVectorJson<{ curve: CurveHex }>('facts/sm2p256v1.json').curve),
];
const PRIMES = curves.flatMap((c) => [c.p, c.n]);

const randomBelow = (m: bigint): bigint => bytesToBigInt(crypto.randomBytes(m.toString(16).length + 8)) % m;
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

function edges(m: bigint): bigint[] {
  const list = [0n, 1n, 2n, 3n, m - 1n, m - 2n, (m + 1n) / 2n];
  for (let k = 1n; 1n << k < m; k *= 3n) list.push(1n << k);
  return list.filter((x) => x >= 0n && x < m);
}

describe.each(['simd', 'scalar'] as const)('constant-time modular inverse (%s)', (variant) => {
  const core = newTestCore(variant);

  it('the curve primes and orders: edges and random values', () => {
    for (const m of PRIMES) {
      const xs = [...edges(m), ...Array.from({ length: 40 }, () => randomBelow(m))];
      for (const x of xs) {
        const want = x === 0n ? 0n : modInverse(x, m);
        expect(inverse(core, x, m), `${x.toString(16)}^-1 mod ${m.toString(16)}`).toBe(want);
      }
    }
  });

  it('random odd moduli from 46 to 600 bits, x coprime to them', () => {
    let checked = 0;
    for (let bits = 46; bits <= 600; bits += 7) {
      for (let i = 0; i < 4; i++) {
        const m =
          (bytesToBigInt(crypto.randomBytes(Math.ceil(bits / 8))) % (1n << BigInt(bits))) |
          (1n << BigInt(bits - 1)) |
          1n;
        for (const x of [...edges(m), randomBelow(m), randomBelow(m)]) {
          if (x !== 0n && gcd(x, m) !== 1n) continue;
          const want = x === 0n ? 0n : mod(modInverse(x, m), m);
          expect(inverse(core, x, m), `bits ${bits}: ${x.toString(16)}^-1 mod ${m.toString(16)}`).toBe(want);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('one instruction, branch and memory trace for every x of a modulus', () => {
    const traced = new TracedCore(instrumentModule(testWasm(variant)));
    for (const m of [curves[0]!.p, curves[2]!.n]) {
      const bits = m.toString(2).length;
      const n = limbCount(bits);
      const runs = [0n, 1n, 2n, m - 1n, randomBelow(m), randomBelow(m), (m + 1n) / 2n].map((x) => {
        const { trace, result } = traceCall(
          traced,
          0,
          (c) => ({ px: c.put(toLimbs(x, n)), pm: c.put(toLimbs(m, n)), out: c.x.alloc(4 * n) }),
          (c, a) => {
            (c.x as unknown as InverseExports).bn_mod_inverse_ct(a.px, a.pm, n, bits, a.out);
            return fromLimbs(c.take(a.out, 4 * n), n);
          },
        );
        expect(result).toBe(x === 0n ? 0n : modInverse(x, m));
        return { label: `x = ${x.toString(16)}`, trace };
      });
      expectOneTrace(`modular inverse, ${bits}-bit modulus`, runs);
    }
  });
});
