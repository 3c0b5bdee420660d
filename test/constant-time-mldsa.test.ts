// Constant-time check of ML-DSA signing in the WebAssembly core, by instruction counting (the
// harness of test/constant-time.test.ts, test/helpers/instrument.ts).
//
// Signing repeats an attempt (FIPS 204 Alg. 7 lines 11-31) until one is accepted; how many it
// takes is the one thing allowed to vary. So the unit checked is one attempt, with the setup
// of lines 1-7 before it (sk decoding, the NTTs of s1, s2 and t0, ExpandA, μ and ρ''): for one
// message μ, many keys and many rnd, every attempt must give one instruction count, one hash
// of branch decisions and one hash of memory addresses, whether it is accepted or rejected.
// ExpandA depends on the public ρ only (its rejection sampling is variable time by design), so
// the keys share one ρ: each sk is a real key's (KeyGen_internal from a random or edge-case ξ)
// with its first 32 bytes set to a fixed ρ. The runs must include accepted and rejected
// attempts, so both outcomes are seen to take the same path.
//
// The instrumented module is also seen to compute the right thing: signatures it makes equal
// @noble/post-quantum's. Negative control: with each key's own ρ, ExpandA's rejection sampling
// makes the traces differ, so the harness does see data-dependent paths here.
//
// The test module's builds (build/wasm-kms.test.{simd,scalar}.wasm, npm run build:wasm:test).

import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { type CoreVariant } from '../src/core/module.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  formatTrace,
  groupByTrace,
  type Trace,
} from './helpers/instrument.js';
import { hex } from './helpers/hex.js';

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));
const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const LEVELS = [44, 65, 87] as const;
type Level = (typeof LEVELS)[number];
const NOBLE = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const;
const SIZES: Record<Level, { pk: number; sk: number; sig: number }> = {
  44: { pk: 1312, sk: 2560, sig: 2420 },
  65: { pk: 1952, sk: 4032, sig: 3309 },
  87: { pk: 2592, sk: 4896, sig: 4627 },
};

interface Run {
  label: string;
  trace: Trace;
  accepted: number;
}

/** Seeds ξ: the edges of the byte range, then random ones. */
function seeds(count: number): { label: string; seed: Uint8Array }[] {
  const out = [
    { label: 'ξ 00..00', seed: new Uint8Array(32) },
    { label: 'ξ ff..ff', seed: new Uint8Array(32).fill(0xff) },
    { label: 'ξ 01 00..00', seed: Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)) },
  ];
  for (let i = 0; i < count; i++) out.push({ label: `random ξ #${i}`, seed: new Uint8Array(randomBytes(32)) });
  return out;
}

describe.each(VARIANTS)('constant time of ML-DSA signing in the %s build', (variant) => {
  let core: TracedCore;

  beforeAll(() => {
    const path = join(BUILD_DIR, `wasm-kms.test.${variant}.wasm`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm:test`);
    core = new TracedCore(instrumentModule(new Uint8Array(readFileSync(path))));
  });

  function keygen(level: Level, seed: Uint8Array): { pk: Uint8Array; sk: Uint8Array } {
    const { pk, sk } = SIZES[level];
    return traceCall(
      core,
      0,
      (c) => ({ seed: c.put(seed), pk: c.x.alloc(pk), sk: c.x.alloc(sk) }),
      (c, a) => {
        expect(c.fn('mldsa_keygen_internal')(level, a.seed, a.pk, a.sk)).toBe(0);
        return { pk: c.take(a.pk, pk), sk: c.take(a.sk, sk) };
      },
    ).result;
  }

  function attempt(level: Level, sk: Uint8Array, mu: Uint8Array, rnd: Uint8Array, kappa: number): Run {
    const { result, trace } = traceCall(
      core,
      0,
      (c) => ({ sk: c.put(sk), mu: c.put(mu), rnd: c.put(rnd) }),
      (c, a) => c.fn('mldsa_sign_attempt')(level, a.sk, a.mu, a.rnd, kappa),
    );
    expect(result === 0 || result === 1).toBe(true);
    return { label: '', trace, accepted: result };
  }

  it.each(LEVELS)(
    'ML-DSA-%i: one trace for a signing attempt over 43 keys under one ρ, fresh rnd each, accepted or rejected',
    (level) => {
      const rho = new Uint8Array(randomBytes(32));
      const mu = new Uint8Array(randomBytes(64));
      const runs: Run[] = [];
      // One attempt first, not counted: the instance's first attempt at a level may grow the
      // memory to its scratch high-water mark: one memory.grow, whatever the key.
      const warm = keygen(level, new Uint8Array(32)).sk;
      attempt(level, warm, mu, new Uint8Array(32), 0);
      for (const { label, seed } of seeds(40)) {
        const sk = keygen(level, seed).sk;
        sk.set(rho, 0);
        for (const kappa of [0, 40]) {
          const rnd = new Uint8Array(randomBytes(32));
          const run = attempt(level, sk, mu, rnd, kappa);
          runs.push({ ...run, label: `${label}, κ = ${kappa}` });
        }
      }
      const groups = groupByTrace(runs);
      const lines = groups
        .slice(0, 6)
        .map((g) => `  ${g.length} run(s) [${formatTrace(g[0]!.trace)}], e.g. ${g[0]!.label}`);
      expect(groups.length, `${groups.length} distinct traces over ${runs.length} runs\n${lines.join('\n')}`).toBe(1);
      const accepted = runs.filter((r) => r.accepted === 1).length;
      // About a quarter of attempts are accepted (FIPS 204 Table 1's expected repetitions 4.25, 5.1, 3.85).
      expect(accepted, 'accepted attempts').toBeGreaterThan(0);
      expect(runs.length - accepted, 'rejected attempts').toBeGreaterThan(0);
      console.info(
        `[ct] ${variant} ML-DSA-${level} attempt: ${runs.length} runs (${accepted} accepted), one trace: ${formatTrace(runs[0]!.trace)}`,
      );
      expect(runs[0]!.trace.insn).toBeGreaterThan(1_000_000n);
    },
  );

  it.each(LEVELS)('ML-DSA-%i: the instrumented module signs as @noble/post-quantum does', (level) => {
    for (let i = 0; i < 3; i++) {
      const seed = new Uint8Array(randomBytes(32));
      const { pk, sk } = keygen(level, seed);
      const noble = NOBLE[level].keygen(seed);
      expect(hex(pk)).toBe(hex(noble.publicKey));
      const msg = new Uint8Array(randomBytes(50));
      const rnd = new Uint8Array(randomBytes(32));
      const sig = traceCall(
        core,
        0,
        (c) => ({ seed: c.put(seed), msg: c.put(msg), rnd: c.put(rnd), out: c.x.alloc(SIZES[level].sig) }),
        (c, a) => {
          expect(c.fn('mldsa_sign_seed_rnd')(level, a.seed, a.msg, msg.length, 0, a.rnd, a.out)).toBe(0);
          return c.take(a.out, SIZES[level].sig);
        },
      ).result;
      expect(hex(sig)).toBe(hex(NOBLE[level].sign(msg, noble.secretKey, { extraEntropy: rnd })));
      expect(sk.length).toBe(SIZES[level].sk);
    }
  });

  it('negative control: with each key its own ρ, ExpandA (variable time on public ρ) makes the traces differ', () => {
    const mu = new Uint8Array(randomBytes(64));
    const rnd = new Uint8Array(randomBytes(32));
    const runs = seeds(3).map(({ label, seed }) => ({ ...attempt(44, keygen(44, seed).sk, mu, rnd, 0), label }));
    expect(groupByTrace(runs).length).toBeGreaterThan(1);
  });
});
