// Constant-time checks of the WebAssembly core by instruction counting.
//
// Each build is rewritten once (test/helpers/instrument.ts) so that it counts the
// instructions it executes per basic block and hashes, in order, every branch decision and
// every memory address it uses. An operation is run on many secret inputs of one public
// size, and every run must give the same instruction count, the same decision hash and the
// same address hash. That is a check of what the code does, not of timing: it is exact and
// does not flake, but it says nothing about instructions whose own duration depends on their
// operands in a given engine and CPU (division, for one), or about what the engine's
// compiler does with the code.
//
// Negative controls (trial division, Miller-Rabin) must give different traces for inputs
// that take different paths, so the check cannot pass vacuously.
//
// Elliptic curves and Ed25519: fixed-base scalar multiplication [k]G on 100 random scalars,
// k = 1 and k = n - 1 per curve, must give one trace per curve (Ed25519: with the table and
// without it, the path of a first key).
//
// The builds are the test module's (build/wasm-kms.test.{simd,scalar}.wasm, made by
// `npm run build:wasm:test`, which `npm test` runs first): the arithmetic entry points
// measured here are not in the shipped module, and the test module compiles the same
// sources with the same options. WASM_KMS_CT_BUILD_DIR points the test at other builds.

import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes, generatePrimeSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { modPow } from './helpers/rsa-check.js';
import { readVectorText } from './helpers/vectors.js';
import { Core, type CoreVariant } from '../src/core/module.js';
import { Bignum, bigintToBytes, bytesToBigint } from '../src/core/bignum.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  diffProfiles,
  formatTrace,
  groupByTrace,
  sameTrace,
  type InstrumentedModule,
  type Trace,
  type TracedCall,
} from './helpers/instrument.js';

const BUILD_DIR = process.env.WASM_KMS_CT_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));
const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const FLAG_RSA = 1;

// ---- Values --------------------------------------------------------------------------------

const hex = (x: bigint): string => '0x' + x.toString(16);
const pow2 = (k: number): bigint => 1n << BigInt(k);
const ones = (k: number): bigint => pow2(k) - 1n;

function randBits(bits: number): bigint {
  return BigInt('0x' + randomBytes(Math.ceil(bits / 8)).toString('hex')) & ones(bits);
}

function randBelow(n: bigint): bigint {
  const bits = n.toString(2).length;
  for (;;) {
    const x = randBits(bits);
    if (x < n) return x;
  }
}

function randOddModulus(bits: number): bigint {
  return randBits(bits) | pow2(bits - 1) | 1n;
}

function gcdRef(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

// ---- Running the operations through an instrumented core -----------------------------------

type Inputs = Record<string, bigint>;

interface Case {
  label: string;
  in: Inputs;
}

/** One exported operation: how to call it, and the reference result when there is one. */
interface Op {
  name: string;
  flags: number;
  call(core: TracedCore, v: Inputs, profile: boolean): TracedCall<bigint | bigint[]>;
  want?(v: Inputs): bigint | bigint[];
}

function put(c: TracedCore, x: bigint, len: number): number {
  return c.put(bigintToBytes(x, len));
}

const modexp = (len: number): Op => ({
  name: `bn_modexp (${len * 8}-bit)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ out: c.x.alloc(len), b: put(c, v.base, len), e: put(c, v.exp, len), m: put(c, v.mod, len) }),
      (c, a) => {
        c.fn('bn_modexp')(a.b, a.e, a.m, len, a.out);
        return bytesToBigint(c.take(a.out, len));
      },
      { profile },
    ),
  want: (v) => modPow(v.base, v.exp, v.mod),
});

const modexp32 = (len: number): Op => ({
  name: `bn_modexp32 (${len * 8}-bit)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ out: c.x.alloc(len), b: put(c, v.base, len), e: put(c, v.exp, len), m: put(c, v.mod, len) }),
      (c, a) => {
        c.fn('bn_modexp32')(a.b, a.e, a.m, len, a.out);
        return bytesToBigint(c.take(a.out, len));
      },
      { profile },
    ),
  want: (v) => modPow(v.base, v.exp, v.mod),
});

const modexpBase2 = (len: number): Op => ({
  name: `bn_modexp_base2 (${len * 8}-bit)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ out: c.x.alloc(len), e: put(c, v.exp, len), m: put(c, v.mod, len) }),
      (c, a) => {
        c.fn('bn_modexp_base2')(a.e, a.m, len, a.out);
        return bytesToBigint(c.take(a.out, len));
      },
      { profile },
    ),
  want: (v) => modPow(2n, v.exp, v.mod),
});

const modmul = (len: number): Op => ({
  name: `bn_modmul (${len * 8}-bit)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ out: c.x.alloc(len), a: put(c, v.a, len), b: put(c, v.b, len), m: put(c, v.mod, len) }),
      (c, a) => {
        c.fn('bn_modmul')(a.a, a.b, a.m, len, 0, a.out);
        return bytesToBigint(c.take(a.out, len));
      },
      { profile },
    ),
  want: (v) => (v.a * v.b) % v.mod,
});

const divmod = (len: number): Op => ({
  name: `bn_divmod (${len * 8}-bit)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ q: c.x.alloc(len), r: c.x.alloc(len), x: put(c, v.x, len), y: put(c, v.y, len) }),
      (c, a) => {
        c.fn('bn_divmod')(a.x, a.y, len, a.q, a.r);
        return [bytesToBigint(c.take(a.q, len)), bytesToBigint(c.take(a.r, len))];
      },
      { profile },
    ),
  want: (v) => [v.x / v.y, v.x % v.y],
});

const gcd = (len: number): Op => ({
  name: `bn_gcd (${len * 8}-bit)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ out: c.x.alloc(len), u: put(c, v.u, len), v: put(c, v.v, len) }),
      (c, a) => {
        c.fn('bn_gcd')(a.u, a.v, len, a.out);
        return bytesToBigint(c.take(a.out, len));
      },
      { profile },
    ),
  want: (v) => gcdRef(v.u, v.v),
});

const shr = (len: number): Op => ({
  name: `bn_shr (${len * 8}-bit)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ out: c.x.alloc(len), x: put(c, v.x, len) }),
      (c, a) => {
        c.fn('bn_shr')(a.x, len, Number(v.s), a.out);
        return bytesToBigint(c.take(a.out, len));
      },
      { profile },
    ),
  want: (v) => v.x >> v.s,
});

const trialDivision = (len: number): Op => ({
  name: `bn_trial_division (${len * 8}-bit)`,
  flags: FLAG_RSA,
  call: (core, v, profile) =>
    traceCall(
      core,
      FLAG_RSA,
      (c) => ({ w: put(c, v.w, len), out: c.x.alloc(1) }),
      (c, a) => {
        if (c.fn('bn_trial_division')(a.w, len, a.out) !== 0) throw new Error('bn_trial_division refused its input');
        return BigInt(c.take(a.out, 1)[0]!);
      },
      { profile },
    ),
});

const millerRabin = (len: number, rounds: number): Op => ({
  name: `bn_miller_rabin (${len * 8}-bit, ${rounds} rounds)`,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      (c) => ({ w: put(c, v.w, len) }),
      (c, a) => BigInt(c.fn('bn_miller_rabin')(a.w, len, rounds)),
      { profile },
    ),
});

// ---- The checks ----------------------------------------------------------------------------

/** A build of the core: its instrumented instance, and a profiling one made on demand. */
class Build {
  readonly bytes: Uint8Array;
  readonly im: InstrumentedModule;
  readonly core: TracedCore;
  readonly plain: Bignum;
  private profiled: TracedCore | undefined;

  constructor(readonly variant: CoreVariant) {
    const path = join(BUILD_DIR, `wasm-kms.test.${variant}.wasm`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:wasm:test`);
    this.bytes = new Uint8Array(readFileSync(path));
    this.im = instrumentModule(this.bytes);
    this.core = new TracedCore(this.im);
    this.plain = new Bignum(new Core(new WebAssembly.Module(this.bytes as BufferSource), variant));
  }

  /** A second instance that reports every decision, to locate a difference. */
  profiler(): TracedCore {
    this.profiled ??= new TracedCore(instrumentModule(this.bytes, { profile: true }));
    return this.profiled;
  }
}

const fmtInputs = (v: Inputs): string =>
  Object.entries(v)
    .map(([k, x]) => `${k}=${hex(x)}`)
    .join(' ');

const sameResult = (a: bigint | bigint[], b: bigint | bigint[]): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;

const fmtResult = (r: bigint | bigint[]): string => (Array.isArray(r) ? `[${r.map(hex).join(', ')}]` : hex(r));

interface Run {
  c: Case;
  trace: Trace;
}

function runAll(build: Build, op: Op, cases: Case[]): Run[] {
  const wrong: string[] = [];
  const runs = cases.map((c) => {
    const { result, trace } = op.call(build.core, c.in, false);
    if (op.want) {
      const want = op.want(c.in);
      if (!sameResult(result, want))
        wrong.push(`${c.label}: ${fmtInputs(c.in)} gave ${fmtResult(result)}, want ${fmtResult(want)}`);
    }
    return { c, trace };
  });
  expect(wrong, `${op.name}: the instrumented ${build.variant} core computed wrong results`).toEqual([]);
  return runs;
}

/** Where two cases part ways: the decision sites whose outcomes differ. */
function explain(build: Build, op: Op, a: Case, b: Case): string[] {
  const p = build.profiler();
  const ra = op.call(p, a.in, true);
  const rb = op.call(p, b.in, true);
  return diffProfiles(p.im, ra.profile!, rb.profile!);
}

/**
 * Runs `op` on every case and requires one trace for all of them; returns it. On failure
 * the message lists the distinct traces with example inputs and the sites where the first
 * two differ.
 */
function expectConstantTime(build: Build, op: Op, cases: Case[]): Trace {
  const gs = groupByTrace(runAll(build, op, cases));
  if (gs.length > 1) {
    const lines = gs
      .slice(0, 6)
      .map((g) => `  ${g.length} run(s) [${formatTrace(g[0].trace)}], e.g. ${g[0].c.label}: ${fmtInputs(g[0].c.in)}`);
    const where = explain(build, op, gs[0][0].c, gs[1][0].c).map((s) => '  ' + s);
    expect.fail(
      `${op.name} on the ${build.variant} build is not constant time: ${gs.length} distinct traces over ${cases.length} runs\n${lines.join('\n')}\nfirst differences:\n${where.join('\n')}`,
    );
  }
  const t = gs[0][0].trace;
  console.info(`[ct] ${build.variant} ${op.name}: ${cases.length} runs, one trace: ${formatTrace(t)}`);
  return t;
}

/** The negative control: these cases must NOT all share one trace. */
function expectVariableTime(build: Build, op: Op, cases: Case[]): Run[][] {
  const gs = groupByTrace(runAll(build, op, cases));
  expect(
    gs.length,
    `${op.name} gave one trace for inputs that take different paths: the harness sees nothing`,
  ).toBeGreaterThan(1);
  for (const g of gs)
    console.info(
      `[ct] ${build.variant} ${op.name} (control): ${g.map((r) => r.c.label).join(', ')}: ${formatTrace(g[0].trace)}`,
    );
  return gs;
}

// ---- Inputs --------------------------------------------------------------------------------

/** Exponent cases for modulus m over `len` bytes: `random` random ones and the edge cases. */
function exponentCases(m: bigint, len: number, random: number, withBase: boolean): Case[] {
  const bits = len * 8;
  const base = (): Inputs => (withBase ? { base: randBelow(m) } : {});
  const out: Case[] = [];
  for (let i = 0; i < random; i++)
    out.push({ label: `random exponent #${i}`, in: { ...base(), exp: randBits(bits), mod: m } });
  const edges: [string, bigint][] = [
    ['exponent 0', 0n],
    ['exponent 1', 1n],
    ['exponent 2', 2n],
    ['exponent m-1', m - 1n],
    ['exponent all ones', ones(bits)],
    [`exponent 2^${bits - 1}`, pow2(bits - 1)],
    ['exponent 0x0f0f...', ones(bits) / 17n],
  ];
  for (const [label, exp] of edges) out.push({ label, in: { ...base(), exp, mod: m } });
  if (withBase) {
    const exp = randBits(bits);
    for (const [label, b] of [
      ['base 0', 0n],
      ['base 1', 1n],
      ['base 2', 2n],
      ['base m-1', m - 1n],
    ] as const) {
      out.push({ label: `${label}, random exponent`, in: { base: b, exp, mod: m } });
      out.push({ label: `${label}, exponent 1`, in: { base: b, exp: 1n, mod: m } });
    }
  }
  return out;
}

/** A random even value of at most `bits` bits, with `k` trailing zeros if given. */
function randEven(bits: number, k?: number): bigint {
  // A nonzero even number has at least 2 bits; with fewer the loop below could never end.
  if (bits < 2) throw new RangeError(`randEven needs at least 2 bits, got ${bits}`);
  for (;;) {
    let x = randBits(bits) & ~1n;
    if (k !== undefined) x = ((x >> BigInt(k)) | 1n) << BigInt(k);
    x &= ones(bits);
    if (x !== 0n) return x;
  }
}

// ---- The harness itself ----------------------------------------------------------------------

describe('instruction-count harness', () => {
  // A loop summing n words: the count per iteration is known exactly.
  //   block, loop                                          2 (once)
  //   local.get i, local.get n, i32.ge_u, br_if            4 (every test, the last one too)
  //   local.get s, local.get i, i32.const, i32.shl,
  //   i32.load, i32.add, local.set s,
  //   local.get i, i32.const, i32.add, local.set i, br     12 (every iteration)
  //   local.get s                                          1 (once)
  // so 16n + 7 instructions, n + 1 decisions, n + 1 loop entries, n loads.
  const WAT = `(module
    (memory (export "memory") 1)
    (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
      (block $done
        (loop $top
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $top)))
      (local.get $s))
    (func (export "begin") (param i32))
    (func (export "alloc") (param i32) (result i32) (i32.const 0))
    (func (export "wipe")))`;

  it('counts a known loop exactly and computes the same result', () => {
    const m = binaryen.parseText(WAT);
    const bytes = m.emitBinary();
    m.dispose();
    const core = new TracedCore(instrumentModule(bytes));
    const words = new Uint32Array(core.x.memory.buffer, 0, 64);
    for (let i = 0; i < 64; i++) words[i] = i * 7 + 1;
    const traces: Trace[] = [];
    for (const n of [0, 1, 5, 64]) {
      const { result, trace } = traceCall(
        core,
        0,
        () => n,
        (c, k) => c.fn('sum')(k),
      );
      let want = 0;
      for (let i = 0; i < n; i++) want += i * 7 + 1;
      expect(result).toBe(want);
      expect(trace.insn, `n = ${n}`).toBe(BigInt(16 * n + 7));
      expect(trace.branches).toBe(BigInt(n + 1));
      expect(trace.iters).toBe(BigInt(n + 1));
      expect(trace.memops).toBe(BigInt(n));
      expect(trace.calls).toBe(1n);
      traces.push(trace);
    }
    expect(new Set(traces.map((t) => t.ctrl)).size).toBe(4);
  });

  it('tells two address sequences apart that have the same instructions', () => {
    const m = binaryen.parseText(`(module
      (memory (export "memory") 1)
      (func (export "get") (param $p i32) (result i32) (i32.load (local.get $p)))
      (func (export "begin") (param i32))
      (func (export "alloc") (param i32) (result i32) (i32.const 0))
      (func (export "wipe")))`);
    const bytes = m.emitBinary();
    m.dispose();
    const core = new TracedCore(instrumentModule(bytes));
    const a = traceCall(
      core,
      0,
      () => 0,
      (c) => c.fn('get')(16),
    ).trace;
    const b = traceCall(
      core,
      0,
      () => 0,
      (c) => c.fn('get')(32),
    ).trace;
    const a2 = traceCall(
      core,
      0,
      () => 0,
      (c) => c.fn('get')(16),
    ).trace;
    expect(a.insn).toBe(b.insn);
    expect(a.ctrl).toBe(b.ctrl);
    expect(a.mem).not.toBe(b.mem);
    expect(sameTrace(a, a2)).toBe(true);
  });
});

// ---- The core ------------------------------------------------------------------------------

// ---- Elliptic curves and Ed25519 ---------------------------------------------------------

const nistParams = JSON.parse(readVectorText('facts/ec_curve_params.json')).curves;
const sm2Params = JSON.parse(readVectorText('facts/sm2p256v1.json')).curve;
const EC: { name: string; id: number; bytes: number; n: bigint }[] = [
  { name: 'P-256', id: 1, bytes: 32, n: BigInt(`0x${nistParams['P-256'].n}`) },
  { name: 'P-384', id: 2, bytes: 48, n: BigInt(`0x${nistParams['P-384'].n}`) },
  { name: 'P-521', id: 3, bytes: 66, n: BigInt(`0x${nistParams['P-521'].n}`) },
  { name: 'secp256k1', id: 4, bytes: 32, n: BigInt(`0x${nistParams['secp256k1'].n}`) },
  { name: 'SM2', id: 5, bytes: 32, n: BigInt(`0x${sm2Params.n}`) },
];
const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;

const ecScalarMult = (curve: (typeof EC)[number]): Op => ({
  name: `ec_scalar_mult_base (${curve.name})`,
  flags: 1 << (curve.id + 1),
  call: (core, v, profile) =>
    traceCall(
      core,
      1 << (curve.id + 1),
      (c) => ({ k: put(c, v.k, curve.bytes), x: c.x.alloc(curve.bytes), y: c.x.alloc(curve.bytes) }),
      (c, a) => {
        const finite = c.fn('ec_scalar_mult_base')(curve.id, a.k, a.x, a.y) as number;
        return BigInt(finite) + (bytesToBigint(c.take(a.x, curve.bytes)) << 1n);
      },
      { profile },
    ),
});

const ed25519Mult = (fn: 'ed25519_scalar_mult_base' | 'ed25519_scalar_mult_base_no_table'): Op => ({
  name: fn,
  flags: 0,
  call: (core, v, profile) =>
    traceCall(
      core,
      0,
      // the scalar is little-endian
      (c) => ({ k: c.put(bigintToBytes(v.k, 32).reverse()), out: c.x.alloc(32) }),
      (c, a) => {
        c.fn(fn)(a.k, a.out);
        return bytesToBigint(c.take(a.out, 32));
      },
      { profile },
    ),
});
const ed25519ScalarMult = ed25519Mult('ed25519_scalar_mult_base');
const ed25519ScalarMultNoTable = ed25519Mult('ed25519_scalar_mult_base_no_table');

function scalarCases(n: bigint, bytes: number): Case[] {
  const cases: Case[] = [
    { label: 'k = 1', in: { k: 1n } },
    { label: 'k = n - 1', in: { k: n - 1n } },
  ];
  for (let i = 0; i < 100; i++)
    cases.push({ label: `random #${i}`, in: { k: (bytesToBigint(randomBytes(bytes)) % (n - 1n)) + 1n } });
  return cases;
}

describe.each(VARIANTS)('constant time of the %s build', (variant) => {
  let build: Build;
  const M1024 = randOddModulus(1024);
  const M2048 = randOddModulus(2048);

  beforeAll(() => {
    const t0 = performance.now();
    build = new Build(variant);
    console.info(
      `[ct] ${variant}: instrumented in ${(performance.now() - t0).toFixed(0)} ms: ${build.im.functions.length} functions, ` +
        `${build.im.staticInstructions} instructions, ${build.im.sites.filter((x) => !x.kind.endsWith('address')).length} decision sites, ` +
        `${build.im.sites.filter((x) => x.kind.endsWith('address')).length} memory-access sites, ${build.bytes.length} -> ${build.im.binary.length} bytes`,
    );
  });

  it('the instrumented module computes what the original does', () => {
    const bn = build.plain;
    const m = M1024;
    for (let i = 0; i < 3; i++) {
      const base = randBelow(m);
      const exp = randBits(1024);
      expect(modexp(128).call(build.core, { base, exp, mod: m }, false).result).toBe(bn.modExp(base, exp, m, 128));
      expect(modexpBase2(128).call(build.core, { exp, mod: m }, false).result).toBe(bn.modExpBase2(exp, m, 128));
      const [x, y] = [randBits(1024), randBits(1000) | 1n];
      expect(divmod(128).call(build.core, { x, y }, false).result).toEqual(bn.divMod(x, y, 128));
      const [u, v] = [randEven(1024), randEven(1024)];
      expect(gcd(128).call(build.core, { u, v }, false).result).toBe(bn.gcd(u, v, 128));
    }
    const w = generatePrimeSync(1000, { bigint: true });
    expect(trialDivision(128).call(build.core, { w }, false).result).toBe(bn.passesTrialDivision(w) ? 1n : 0n);
    expect(trialDivision(128).call(build.core, { w: w * 3n }, false).result).toBe(0n);
  });

  it('bn_modexp, 1024-bit modulus: one trace for 100 random exponents and bases and the edge cases', () => {
    const t = expectConstantTime(build, modexp(128), exponentCases(M1024, 128, 100, true));
    expect(t.insn).toBeGreaterThan(1_000_000n);
  });

  it('bn_modexp, 2048-bit modulus: one trace for 10 random exponents and the edge cases', () => {
    expectConstantTime(build, modexp(256), exponentCases(M2048, 256, 10, true));
  });

  it('bn_modexp_base2, 1024- and 2048-bit moduli: one trace per size', () => {
    expectConstantTime(build, modexpBase2(128), exponentCases(M1024, 128, 100, false));
    expectConstantTime(build, modexpBase2(256), exponentCases(M2048, 256, 10, false));
  });

  it('bn_modexp32 and bn_modmul, 1024-bit modulus: one trace each', () => {
    expectConstantTime(build, modexp32(128), exponentCases(M1024, 128, 10, true));
    const mulCases: Case[] = [];
    for (let i = 0; i < 20; i++)
      mulCases.push({ label: `random #${i}`, in: { a: randBelow(M1024), b: randBelow(M1024), mod: M1024 } });
    for (const [a, b] of [
      [0n, 0n],
      [1n, 1n],
      [M1024 - 1n, M1024 - 1n],
      [0n, M1024 - 1n],
    ])
      mulCases.push({ label: `a=${hex(a)}`, in: { a, b, mod: M1024 } });
    expectConstantTime(build, modmul(128), mulCases);
  });

  it('bn_divmod, 1024 bits: one trace for random even values of every size', () => {
    const cases: Case[] = [];
    for (let i = 0; i < 30; i++) {
      const xb = 2 + (randomBytes(2).readUInt16BE(0) % 1023);
      const yb = 2 + (randomBytes(2).readUInt16BE(0) % 1023);
      cases.push({ label: `random even #${i} (${xb}/${yb} bits)`, in: { x: randEven(xb), y: randEven(yb) } });
    }
    const y = randEven(1024);
    cases.push({ label: 'x = 0', in: { x: 0n, y } });
    cases.push({ label: 'x = y', in: { x: y, y } });
    cases.push({ label: 'y = 2', in: { x: randEven(1024), y: 2n } });
    cases.push({ label: 'y = 2^1023', in: { x: ones(1024) - 1n, y: pow2(1023) } });
    cases.push({ label: 'x < y', in: { x: 2n, y: ones(1024) - 1n } });
    expectConstantTime(build, divmod(128), cases);
  });

  it('bn_shr, 1024 bits: one trace for every secret shift', () => {
    const cases: Case[] = [];
    for (const s of [0, 1, 27, 28, 29, 100, 511, 1000, 1023, 1024, 2000])
      cases.push({ label: `s = ${s}`, in: { x: randBits(1024), s: BigInt(s) } });
    expectConstantTime(build, shr(128), cases);
  });

  it('bn_gcd, 1024 bits: one trace for random even values, whatever power of two they share', () => {
    const cases: Case[] = [];
    for (let i = 0; i < 12; i++) {
      const [ku, kv] = [1 + (i % 5), 1 + ((i * 7) % 6)];
      cases.push({ label: `random #${i} (v2 ${ku}, ${kv})`, in: { u: randEven(1024, ku), v: randEven(1024, kv) } });
    }
    for (let k = 1; k <= 6; k++) cases.push({ label: `v2 = ${k}`, in: { u: randEven(1024, k), v: randEven(1024, k) } });
    cases.push({ label: 'u = v', in: { u: pow2(3) * 3n, v: pow2(3) * 3n } });
    cases.push({ label: 'u = 2', in: { u: 2n, v: randEven(1024, 1) } });
    cases.push({ label: 'top bits', in: { u: ones(1024) - ones(5), v: pow2(1023) + pow2(5) } });
    expectConstantTime(build, gcd(128), cases);
  });

  it.each(EC.map((c) => [c.name, c] as const))(
    '%s fixed-base scalar multiplication: one trace for k = 1, n - 1 and 100 random k',
    (_, curve) => {
      // A first call grows the scratch arena's high-water mark (public, but a different path);
      // trace from the second on.
      ecScalarMult(curve).call(build.core, { k: 2n }, false);
      const t = expectConstantTime(build, ecScalarMult(curve), scalarCases(curve.n, curve.bytes));
      expect(t.insn).toBeGreaterThan(100_000n);
    },
  );

  it('Ed25519 fixed-base scalar multiplication: one trace for k = 1, L - 1 and 100 random k', () => {
    // The first call goes without the table and the second builds it (public); trace from the third on.
    ed25519ScalarMult.call(build.core, { k: 1n }, false);
    ed25519ScalarMult.call(build.core, { k: 1n }, false);
    const t = expectConstantTime(build, ed25519ScalarMult, scalarCases(ED25519_L, 32));
    expect(t.insn).toBeGreaterThan(100_000n);
  });

  it('Ed25519 fixed-base scalar multiplication without the table (a first key): one trace for k = 1, L - 1 and 100 random k', () => {
    // A first call grows the scratch arena's high-water mark (public); trace from the second on.
    ed25519ScalarMultNoTable.call(build.core, { k: 2n }, false);
    const t = expectConstantTime(build, ed25519ScalarMultNoTable, scalarCases(ED25519_L, 32));
    expect(t.insn).toBeGreaterThan(100_000n);
  });

  it('negative control: trial division takes different paths for 3 | w, 5 | w and a prime w', () => {
    const w = generatePrimeSync(1024, { bigint: true });
    const odd = randBits(1000) | 1n;
    const gs = expectVariableTime(build, trialDivision(128), [
      { label: 'prime', in: { w } },
      { label: '3 * odd', in: { w: 3n * odd } },
      { label: '5 * odd, not a multiple of 3', in: { w: 5n * (3n * odd + 2n) } },
    ]);
    expect(gs.length).toBe(3);
    // The difference is found where it is: the early return in trialDivisionVarTime.
    const where = explain(build, trialDivision(128), gs[0][0].c, gs[1][0].c);
    expect(where.length).toBeGreaterThan(0);
    console.info(`[ct] ${variant} trial division differs at:\n  ${where.join('\n  ')}`);
  });

  it('negative control: Miller-Rabin stops early for a composite', () => {
    const p = generatePrimeSync(512, { bigint: true });
    const q = generatePrimeSync(512, { bigint: true });
    const w = generatePrimeSync(1024, { bigint: true });
    expectVariableTime(build, millerRabin(128, 2), [
      { label: 'prime', in: { w } },
      { label: 'p*q', in: { w: p * q } },
    ]);
  });
});
