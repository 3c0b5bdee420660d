// Ed25519's first key is made without the fixed-base table (assembly/edwards/basemul.ts,
// scalarMultBaseNoTable), over B and three generated group bases 2^(64·g)·B
// (assembly/edwards/bases.ts); the table is built at the second call. Checked here: the bases
// are those @noble/curves computes, the no-table path computes [k]B as the table path and
// @noble/curves do, a fresh core's first key is the RFC 8032 key of its seed and its keys are
// those a warm core makes from the same random bytes, and the table is built at the second
// call and not the first (instruction counts). Its constant time is checked with the table
// path's in test/constant-time.test.ts.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Core, type CoreVariant } from '../src/core/module.js';
import { ed25519KeyMaterial, ed25519PublicFromSeed } from '../src/core/ed25519.js';
import { newTestCore, testWasm } from './helpers/test-core.js';
import { withRandom } from './helpers/random.js';
import { instrumentModule, TracedCore, traceCall } from './helpers/instrument.js';
import { readVector } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

type Mult = 'ed25519_scalar_mult_base' | 'ed25519_scalar_mult_base_no_table';

/** The encoding of [k]B by the core, k a raw little-endian 32-byte integer. */
function mult(core: Core, fn: Mult, k: bigint): string {
  return core.run(0, (x) => {
    const kp = core.put(le32(k));
    const out = x.alloc(32);
    (x as unknown as Record<Mult, (a: number, b: number) => void>)[fn](kp, out);
    return hex(core.take(out, 32));
  });
}

function le32(k: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((k >> BigInt(8 * i)) & 0xffn);
  return b;
}

/** [k]B encoded by @noble/curves (k mod L = 0: the neutral element, y = 1). */
function reference(k: bigint): string {
  const r = k % L;
  if (r === 0n) return hex(le32(1n));
  return hex(ed25519.Point.BASE.multiply(r).toBytes());
}

const scalars = (): bigint[] => {
  const list = [0n, 1n, 8n, L - 1n, L, 2n ** 64n, 2n ** 128n - 1n, 2n ** 192n + 7n, 2n ** 255n - 8n, 2n ** 256n - 1n];
  list.push(BigInt('0x' + '88'.repeat(32)), BigInt('0x7' + '8'.repeat(63)), 8n * L);
  for (let i = 0; i < 20; i++) list.push(BigInt('0x' + randomBytes(32).toString('hex')));
  return list;
};

describe('the generated group bases (assembly/edwards/bases.ts)', () => {
  it('are 2^(64·g)·B for g = 1, 2, 3, by @noble/curves', () => {
    const text = readFileSync(join(root, 'assembly', 'edwards', 'bases.ts'), 'utf8');
    const list = /GROUP_BASES: usize = memory\.data<i32>\(\[([^\]]*)\]\)/.exec(text)![1];
    const limbs = list
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => BigInt(s));
    expect(limbs.length).toBe(3 * 2 * 10);
    // Ten limbs in radix 2^25.5: limb i at bit ceil(25.5 i), canonical (below 2^26 or 2^25).
    const value = (ten: bigint[]): bigint => {
      let v = 0n;
      for (let i = 0; i < 10; i++) {
        expect(ten[i] >= 0n && ten[i] < 1n << BigInt(i % 2 === 0 ? 26 : 25)).toBe(true);
        v += ten[i] << BigInt(Math.ceil(25.5 * i));
      }
      expect(v < P).toBe(true);
      return v;
    };
    for (let g = 1; g <= 3; g++) {
      const at = (g - 1) * 20;
      const want = ed25519.Point.BASE.multiply(1n << BigInt(64 * g)).toAffine();
      expect(value(limbs.slice(at, at + 10)), `x, g = ${g}`).toBe(want.x);
      expect(value(limbs.slice(at + 10, at + 20)), `y, g = ${g}`).toBe(want.y);
    }
  });
});

describe.each(['simd', 'scalar'] as const)('the no-table path, %s build', (variant: CoreVariant) => {
  it('[k]B equals the table path and @noble/curves, for edge and random k', () => {
    const core = newTestCore(variant);
    for (const k of scalars()) {
      const cold = mult(core, 'ed25519_scalar_mult_base_no_table', k);
      expect(cold, `k = ${k}`).toBe(reference(k));
      expect(mult(core, 'ed25519_scalar_mult_base', k), `k = ${k}`).toBe(cold);
    }
  });

  it("a fresh core's first key is the RFC 8032 §7.1 key of its seed, for each vector", () => {
    const vectors = (
      JSON.parse(readVector('facts/ed25519_rfc8032_7.1.json').toString('utf8')) as {
        tests: { name: string; secretKey: string; publicKey: string }[];
      }
    ).tests;
    expect(vectors.length).toBe(5);
    for (const t of vectors) {
      const core = newTestCore(variant);
      expect(hex(ed25519PublicFromSeed(core, unhex(t.secretKey))), `${t.name}, first`).toBe(t.publicKey);
      expect(hex(ed25519PublicFromSeed(core, unhex(t.secretKey))), `${t.name}, second`).toBe(t.publicKey);
      expect(hex(ed25519PublicFromSeed(core, unhex(t.secretKey))), `${t.name}, third`).toBe(t.publicKey);
    }
  });

  it("a fresh core's keys are a warm core's keys for the same random bytes", () => {
    const seeded = (): ((a: Uint8Array) => void) => {
      let state = 0x2551;
      return (a) => {
        for (let i = 0; i < a.length; i++) {
          state = (Math.imul(state, 1103515245) + 12345) >>> 0;
          a[i] = state >>> 24;
        }
      };
    };
    const warm = newTestCore(variant);
    ed25519KeyMaterial(warm);
    ed25519KeyMaterial(warm); // the table is there from the second call on
    const keys = (core: Core) => {
      const fill = seeded();
      return withRandom(fill, () =>
        [0, 1, 2].map(() => {
          const { seed, publicKey } = ed25519KeyMaterial(core);
          return `${hex(seed)}:${hex(publicKey)}`;
        }),
      );
    };
    const fresh = keys(newTestCore(variant)); // no table, then the table built, then with it
    expect(fresh).toEqual(keys(warm));
    expect(new Set(fresh).size).toBe(3);
    // And they are the keys of their seeds.
    for (const pair of fresh) {
      const [seed, pub] = pair.split(':');
      expect(hex(ed25519.getPublicKey(unhex(seed)))).toBe(pub);
    }
  });

  it('the table is built at the second call, not the first (instructions executed per call)', () => {
    const traced = new TracedCore(instrumentModule(testWasm(variant)));
    const run = (k: bigint) =>
      traceCall(
        traced,
        0,
        (c) => ({ k: c.put(le32(k)), out: c.x.alloc(32) }),
        (c, a) => c.fn('ed25519_scalar_mult_base')(a.k, a.out),
      ).trace.insn;
    const k = BigInt('0x' + randomBytes(32).toString('hex'));
    const [first, second, third, fourth] = [run(k), run(k), run(k), run(k)];
    console.info(`[cold] Ed25519 ${variant}: instructions per call ${first}, ${second}, ${third}, ${fourth}`);
    expect(third).toBe(fourth); // the table path from the third call on
    expect(second).toBeGreaterThan(first + third); // the table built once, inside the second
    expect(first).toBeGreaterThan(third); // the first call made the key without it
    expect(first).toBeLessThan(second - third); // and for less than building the table
  });
});
