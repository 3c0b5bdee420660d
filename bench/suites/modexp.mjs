// Modular exponentiation with a full-size exponent modulo a random prime: the core's
// constant-time Montgomery ladder (28-bit limbs, SIMD and scalar builds, and the 32-bit-limb
// CIOS variant for comparison) against V8 BigInt and OpenSSL (reached through
// DiffieHellman.computeSecret, which returns base^privateKey mod prime).

import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Bignum } from '../../dist/core/bignum.js';
import { Core, simdSupported } from '../../dist/core/module.js';

// The arithmetic entry points (bn_*) are in the test module only (build/wasm-kms.test.*.wasm,
// made by `npm run build:wasm:test`, which prebench runs); the shipped module has none.
/** @type {Partial<Record<'simd' | 'scalar', Core>>} */
const testCores = {};
/** @param {'simd' | 'scalar'} variant */
const testCore = (variant) =>
  (testCores[variant] ??= new Core(
    new WebAssembly.Module(readFileSync(new URL(`../../build/wasm-kms.test.${variant}.wasm`, import.meta.url))),
    variant,
  ));

export const id = 'modexp';
export const title = 'Modular exponentiation';
export const baseline = 'OpenSSL';
export const targets = [];

const SIZES = [1024, 2048];
const BUDGET = { timeMs: 4_000, minSamples: 30 };

const toBuffer = (x, len) => Buffer.from(x.toString(16).padStart(2 * len, '0'), 'hex');
const toBigint = (bytes) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

/**
 * base^exp mod m in plain BigInt: left-to-right sliding window over the exponent's bits,
 * with the odd powers base^1, base^3, …, base^(2^w - 1) precomputed.
 *
 * @param {bigint} base
 * @param {bigint} exp
 * @param {bigint} m
 * @param {number} [w] the window width in bits
 * @returns {bigint}
 */
export function bigintModPow(base, exp, m, w = exp.toString(2).length > 1536 ? 6 : 5) {
  const bits = exp.toString(2);
  const b = base % m;
  const b2 = (b * b) % m;
  const odd = [b];
  for (let i = 1; i < 1 << (w - 1); i++) odd.push((odd[i - 1] * b2) % m);
  let r = 1n % m;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      r = (r * r) % m;
      i++;
      continue;
    }
    let j = Math.min(i + w, bits.length);
    while (bits[j - 1] === '0') j--; // the window ends on a 1 bit, so its value is odd
    for (let k = i; k < j; k++) r = (r * r) % m;
    r = (r * odd[parseInt(bits.slice(i, j), 2) >> 1]) % m;
    i = j;
  }
  return r;
}

/** A uniformly random integer with exactly `bits` bits (top bit set). */
function randomBits(bits) {
  const x = toBigint(crypto.randomBytes(bits / 8));
  return x | (1n << BigInt(bits - 1));
}

function group(bits) {
  const len = bits / 8;
  const p = crypto.generatePrimeSync(bits, { bigint: true });
  let exp = randomBits(bits);
  while (exp >= p) exp = randomBits(bits);
  const base = (toBigint(crypto.randomBytes(len)) % (p - 3n)) + 2n;

  const dh = crypto.createDiffieHellman(toBuffer(p, len), Buffer.from([2]));
  dh.setPrivateKey(toBuffer(exp, len));
  const baseBuffer = toBuffer(base, len);

  /**
   * A timed task, and its result read as an integer (to check that every implementation agrees).
   * @template T
   * @param {string} name
   * @param {() => T} fn
   * @param {(r: T) => bigint} value
   */
  const impl = (name, fn, value) => ({ name, fn, result: () => value(fn()) });
  /** @type {[string, Bignum][]} */
  const cores = [['wasm-kms (scalar)', new Bignum(testCore('scalar'))]];
  if (simdSupported()) cores.unshift(['wasm-kms (simd)', new Bignum(testCore('simd'))]);
  /** @type {{ name: string, fn: () => unknown, result: () => bigint }[]} */
  const impls = cores.map(([name, bn]) =>
    impl(
      name,
      () => bn.modExp(base, exp, p),
      (r) => r,
    ),
  );
  // The alternative limb layout: 32-bit limbs with CIOS Montgomery multiplication (scalar).
  const scalar = new Bignum(testCore('scalar'));
  impls.push(
    impl(
      'wasm-kms 32-bit limbs (scalar CIOS)',
      () => scalar.modExp32(base, exp, p),
      (r) => r,
    ),
  );
  impls.push(
    impl(
      'V8 BigInt',
      () => bigintModPow(base, exp, p),
      (r) => r,
    ),
  );
  impls.push(impl('OpenSSL', () => dh.computeSecret(baseBuffer), toBigint));

  const results = impls.map((t) => /** @type {const} */ ([t.name, t.result()]));
  const expected = results.find(([name]) => name === 'OpenSSL')?.[1];
  const wrong = results.filter(([, v]) => v !== expected);
  if (wrong.length > 0) {
    const show = (v) => `0x${v.toString(16)}`;
    throw new Error(
      `modexp ${bits}-bit: implementations disagree\n  p = ${show(p)}\n  base = ${show(base)}\n  exp = ${show(exp)}\n` +
        results.map(([name, v]) => `  ${name}: ${show(v)}`).join('\n'),
    );
  }

  return {
    name: `${bits}-bit`,
    ...BUDGET,
    tasks: impls.map(({ name, fn }) => ({ name, fn })),
  };
}

export async function groups() {
  return SIZES.map(group);
}
