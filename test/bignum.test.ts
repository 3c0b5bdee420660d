// The core's multi-precision arithmetic (src/core/bignum.ts front-ends) against BigInt, on
// both builds of the WebAssembly module. Every check is exact equality with a reference
// computed here in plain BigInt.
//
// Random inputs come from node:crypto; every mismatch is reported with its inputs in hex,
// so a failure can be replayed by hand.

import { describe, it, expect } from 'vitest';
import { randomBytes, generatePrimeSync } from 'node:crypto';
import { loadTestCore } from './helpers/test-core.js';
import { Bignum, bigintToBytes, bytesToBigint } from '../src/core/bignum.js';
import { modPow } from './helpers/rsa-check.js';

// ---- BigInt references -------------------------------------------------------------------

const hex = (x: bigint): string => '0x' + x.toString(16);
const pow2 = (k: number): bigint => 1n << BigInt(k);
const ones = (k: number): bigint => pow2(k) - 1n;

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The front-ends' default width: the byte length of the value (at least 1). */
function byteLen(x: bigint): number {
  return Math.max(1, Math.ceil(bitLength(x) / 8));
}

/** Uniform in [0, 2^bits). */
function randBits(bits: number): bigint {
  if (bits <= 0) return 0n;
  const bytes = randomBytes(Math.ceil(bits / 8));
  return BigInt('0x' + bytes.toString('hex')) & ones(bits);
}

/** Uniform in [0, n) by rejection. */
function randBelow(n: bigint): bigint {
  const bits = bitLength(n);
  for (;;) {
    const x = randBits(bits);
    if (x < n) return x;
  }
}

/** Uniform integer in [lo, hi]. */
function randInt(lo: number, hi: number): number {
  return lo + (randomBytes(4).readUInt32BE(0) % (hi - lo + 1));
}

/** An odd modulus of exactly `bits` bits. */
function randOddModulus(bits: number): bigint {
  return randBits(bits) | pow2(bits - 1) | 1n;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function gcdRef(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return mod(s0, m);
}

/** R = 2^(28n) with n = ceil((8*len + 2)/28): the Montgomery radix the core uses for `len`. */
function montR(len: number): bigint {
  return pow2(28 * Math.ceil((8 * len + 2) / 28));
}

/** Bits of `width` made of alternating runs: `run` ones, `run` zeros, ... (top run is ones). */
function runs(width: number, run: number): bigint {
  let x = 0n;
  for (let i = width - 1; i >= 0; i--) {
    const inOnes = Math.floor((width - 1 - i) / run) % 2 === 0;
    if (inOnes) x |= pow2(i);
  }
  return x;
}

function dedupe(xs: bigint[]): bigint[] {
  return [...new Set(xs)];
}

// ---- A tally of checks: counts them and keeps the first failures with their inputs -------

class Tally {
  checks = 0;
  failed = 0;
  readonly failures: string[] = [];

  eq(got: bigint, want: bigint, what: () => string): void {
    this.checks++;
    if (got !== want) {
      this.failed++;
      if (this.failures.length < 12) this.failures.push(`${what()}: got ${hex(got)}, want ${hex(want)}`);
    }
  }

  /** No mismatch, and at least `minChecks` comparisons were made. */
  done(minChecks: number): void {
    expect(this.failures, `${this.failed} of ${this.checks} checks failed`).toEqual([]);
    expect(this.checks).toBeGreaterThanOrEqual(minChecks);
  }
}

// ---- Inputs ------------------------------------------------------------------------------

const SIZES = [64, 256, 512, 1024, 1536, 2048];

/** Moduli for a size: the size itself and lengths that are multiples of neither 8 nor 28. */
function moduliForSize(size: number): bigint[] {
  const lengths = [size, size];
  while (lengths.length < 4) {
    const bits = size - randInt(1, 27);
    if (bits % 8 !== 0 && bits % 28 !== 0) lengths.push(bits);
  }
  return lengths.map(randOddModulus);
}

/** Odd moduli with special shapes. */
const EDGE_MODULI: bigint[] = dedupe([
  // the smallest odd moduli and small all-ones / sparse values
  3n,
  5n,
  7n,
  9n,
  11n,
  13n,
  15n,
  17n,
  0xffn,
  0x101n,
  0xfff1n,
  0xffff_fff1n,
  // 2^k - 1 (all-ones; all-ones limbs when 28 | k)
  ...[
    2, 3, 8, 27, 28, 29, 32, 55, 56, 57, 61, 64, 84, 89, 112, 127, 128, 255, 256, 521, 1008, 1023, 1024, 1279, 2044,
    2047, 2048,
  ].map(ones),
  // 2^(k-1) + 1 (low limb 1, so -N^-1 mod 2^28 is all ones)
  ...[3, 9, 28, 29, 30, 57, 65, 129, 257, 1024, 2048].map((k) => pow2(k - 1) + 1n),
  // all-ones low limb under a random high part; low limb 1 under a random high part
  (randBits(200) << 28n) | ones(28) | pow2(227),
  (randBits(1000) << 28n) | 1n | pow2(1027),
  // all-ones limbs with one zero limb in the middle; sparse 2048-bit modulus
  ones(28 * 10) ^ (ones(28) << 140n),
  pow2(2047) + pow2(1023) + 1n,
  // 2^(8*len) - small: the largest odd values of a width
  pow2(512) - 3n,
  pow2(1024) - 0x3bn,
  pow2(2048) - 0x9dn,
]);

/** Operands around 0, m, the byte width and the limb boundaries, for a modulus m. */
function edgeOperands(m: bigint, len = byteLen(m)): bigint[] {
  const top = pow2(8 * len);
  const r = montR(len);
  const rInv = m > 1n ? modInverse(r, m) : 0n;
  const xs: bigint[] = [0n, 1n, 2n, 3n, m - 1n, m - 2n, (m - 1n) / 2n, (m + 1n) / 2n, m, m + 1n, 2n * m - 1n, 2n * m];
  xs.push(top - 1n, top - 2n, top - m, top / 2n, top / 2n - 1n);
  // all-ones limbs: 2^(28k) - 1 itself and reduced mod m, for the low and the top limbs
  const limbs = Math.ceil((8 * len) / 28);
  for (const k of [1, 2, limbs - 1, limbs, limbs + 1]) {
    if (k >= 1) xs.push(ones(28 * k), ones(28 * k) % m);
  }
  // values whose Montgomery form is 0, 1, 2, m-1, m-2 or all-ones
  for (const t of [1n, 2n, m - 1n, m - 2n, ones(28) % m]) xs.push((t * rInv) % m);
  xs.push(randBelow(m), randBelow(top));
  return dedupe(xs.filter((x) => x >= 0n && x < top));
}

/** Exponents with zero and one runs across window and limb boundaries. */
function edgeExponents(m: bigint, len = byteLen(m)): bigint[] {
  const width = 8 * len;
  const top = pow2(width);
  const xs: bigint[] = [0n, 1n, 2n, 3n, 15n, 16n, 17n, m - 1n, m - 2n, m, m + 1n, top - 1n, top - 2n];
  xs.push(pow2(width - 1), pow2(width - 1) + 1n, pow2(width - 1) - 1n);
  for (const run of [1, 3, 4, 5, 27, 28, 29, 64]) {
    if (run < width) xs.push(runs(width, run), (top - 1n) ^ runs(width, run));
  }
  // a single set bit at every 4-bit window boundary near the top and bottom
  for (const k of [4, 8, 27, 28, 29, width - 5, width - 4, width - 3])
    if (k > 0 && k < width) xs.push(pow2(k), pow2(k) - 1n);
  xs.push(randBelow(top));
  return dedupe(xs.filter((x) => x >= 0n && x < top));
}

/** An exponentiation case; its BigInt result is computed once and shared by both builds. */
interface ExpCase {
  m: bigint;
  base: bigint;
  exp: bigint;
  want?: bigint;
}

function expected(c: ExpCase): bigint {
  return (c.want ??= modPow(c.base, c.exp, c.m));
}

/**
 * Edge bases x edge exponents. Every combination for moduli up to 64 bits; a selection
 * beyond, smaller as the modulus grows (each case is a full-width exponentiation in the
 * core and in BigInt).
 */
function edgeModExpCases(): ExpCase[] {
  const cases: ExpCase[] = [];
  for (const m of EDGE_MODULI) {
    const bits = bitLength(m);
    const top = pow2(8 * byteLen(m));
    const bases = edgeOperands(m);
    const exps = edgeExponents(m);
    let useBases: bigint[];
    let useExps: bigint[];
    if (bits <= 64) {
      [useBases, useExps] = [bases, exps];
    } else if (bits <= 600) {
      useBases = bases.filter((_, i) => i < 6 || i % 4 === 0 || i === bases.length - 1);
      useExps = exps.filter((_, i) => i % 2 === 0).concat([m - 1n, top - 1n]);
    } else if (bits <= 1100) {
      useBases = [1n, 2n, m - 1n, m + 1n, top - 1n, bases[bases.length - 1]!].filter((x) => x < top);
      useExps = [0n, 1n, m - 1n, top - 1n, runs(8 * byteLen(m), 28), runs(8 * byteLen(m), 5), exps[exps.length - 1]!];
    } else {
      useBases = [m - 1n, top - 1n, bases[bases.length - 1]!];
      useExps = [1n, m - 1n, top - 1n, runs(8 * byteLen(m), 29)];
    }
    for (const base of dedupe(useBases)) for (const exp of dedupe(useExps)) cases.push({ m, base, exp });
  }
  return cases;
}

function edgeBase2Cases(): ExpCase[] {
  const cases: ExpCase[] = [];
  for (const m of EDGE_MODULI) {
    const exps = edgeExponents(m);
    const bits = bitLength(m);
    const use = bits <= 600 ? exps : exps.filter((_, i) => i % (bits <= 1100 ? 3 : 8) === 0).concat([m - 1n]);
    for (const exp of dedupe(use)) cases.push({ m, base: 2n, exp });
  }
  return cases;
}

const EDGE_MODEXP_CASES = edgeModExpCases();
const EDGE_BASE2_CASES = edgeBase2Cases();

// ---- The plain-JS identity behind the barrel shifter ------------------------------------

describe('shiftRight limb-count identity', () => {
  it('floor(s / 28) === (s * 9363) >> 18 for every s in [0, 8192)', () => {
    let checked = 0;
    for (let s = 0; s < 8192; s++) {
      expect((s * 9363) >> 18, `s = ${s}`).toBe(Math.floor(s / 28));
      checked++;
    }
    expect(checked).toBe(8192);
    // the identity is not an accident of the range: it breaks further up
    expect((13131 * 9363) >> 18).not.toBe(Math.floor(13131 / 28));
  });
});

describe('bigintToBytes / bytesToBigint', () => {
  it('round trip big-endian at a fixed width and refuse what does not fit', () => {
    for (const x of [0n, 1n, 0xffn, 0x100n, ones(28), ones(2048), pow2(2047) + 12345n]) {
      const len = byteLen(x) + 2;
      const b = bigintToBytes(x, len);
      expect(b.length).toBe(len);
      expect(b[0]).toBe(0);
      expect(bytesToBigint(b)).toBe(x);
    }
    expect(Array.from(bigintToBytes(0x0102n, 3))).toEqual([0, 1, 2]);
    expect(() => bigintToBytes(0x100n, 1)).toThrow(RangeError);
    expect(() => bigintToBytes(-1n, 4)).toThrow(RangeError);
  });
});

// ---- Core arithmetic, both builds --------------------------------------------------------

describe.each(['simd', 'scalar'] as const)('bignum core (%s build)', (variant) => {
  const bn = new Bignum(loadTestCore(variant));

  describe('modMul and Montgomery squaring on random inputs', () => {
    it.each(SIZES)('%i-bit moduli', (size) => {
      const t = new Tally();
      for (const m of moduliForSize(size)) {
        const len = byteLen(m);
        const top = pow2(8 * len);
        for (let i = 0; i < 5; i++) {
          // half the operands reduced, half anywhere below 2^(8*len) (bigger than m)
          const a = i % 2 === 0 ? randBelow(m) : randBelow(top);
          const b = i % 2 === 0 ? randBelow(m) : randBelow(top);
          const ctx = (): string => `m=${hex(m)} a=${hex(a)} b=${hex(b)}`;
          t.eq(bn.modMul(a, b, m), (a * b) % m, () => `modMul ${ctx()}`);
          t.eq(bn.modMul(a, a, m, true), (a * a) % m, () => `square ${ctx()}`);
        }
      }
      t.done(40);
    });

    it('a wider wire width than the modulus needs (R far above N)', () => {
      const t = new Tally();
      for (const m of [3n, 0xfff1n, randOddModulus(61), randOddModulus(509), randOddModulus(1021)]) {
        for (const extra of [1, 3, 7, 16]) {
          const len = byteLen(m) + extra;
          const top = pow2(8 * len);
          for (const [a, b] of [
            [randBelow(top), randBelow(top)],
            [top - 1n, top - 1n],
            [top - 1n, m - 1n],
          ] as const) {
            const ctx = (): string => `m=${hex(m)} len=${len} a=${hex(a)} b=${hex(b)}`;
            t.eq(bn.modMul(a, b, m, false, len), (a * b) % m, () => `modMul ${ctx()}`);
            t.eq(bn.modMul(a, a, m, true, len), (a * a) % m, () => `square ${ctx()}`);
          }
        }
      }
      t.done(120);
    });
  });

  describe('modExp and modExpBase2 on random inputs', () => {
    const casesPerSize: Record<number, number> = { 64: 10, 256: 8, 512: 6, 1024: 4, 1536: 3, 2048: 2 };
    it.each(SIZES)('%i-bit moduli, full-size exponents', (size) => {
      const t = new Tally();
      const moduli = moduliForSize(size);
      for (let i = 0; i < casesPerSize[size]!; i++) {
        const m = moduli[i % moduli.length]!;
        const len = byteLen(m);
        const top = pow2(8 * len);
        const base = i % 2 === 0 ? randBelow(m) : randBelow(top);
        const exp = randBelow(top) | pow2(8 * len - 1); // top bit set: every window is used
        const ctx = (): string => `m=${hex(m)} base=${hex(base)} exp=${hex(exp)}`;
        t.eq(bn.modExp(base, exp, m), modPow(base, exp, m), () => `modExp ${ctx()}`);
        t.eq(bn.modExpBase2(exp, m), modPow(2n, exp, m), () => `modExpBase2 ${ctx()}`);
      }
      t.done(2 * casesPerSize[size]!);
    });

    it('padded widths: len beyond the modulus, base and exponent up to 2^(8*len) - 1', () => {
      const t = new Tally();
      for (const m of [5n, randOddModulus(67), randOddModulus(250), randOddModulus(700)]) {
        for (const extra of [1, 5, 9]) {
          const len = byteLen(m) + extra;
          const top = pow2(8 * len);
          for (const [base, exp] of [
            [randBelow(top), randBelow(top)],
            [top - 1n, top - 1n],
          ] as const) {
            const ctx = (): string => `m=${hex(m)} len=${len} base=${hex(base)} exp=${hex(exp)}`;
            t.eq(bn.modExp(base, exp, m, len), modPow(base, exp, m), () => `modExp ${ctx()}`);
            t.eq(bn.modExpBase2(exp, m, len), modPow(2n, exp, m), () => `modExpBase2 ${ctx()}`);
          }
        }
      }
      t.done(48);
    });
  });

  describe('edge inputs', () => {
    it('modMul / square: every pair of edge operands for every edge modulus', () => {
      const t = new Tally();
      for (const m of EDGE_MODULI) {
        const xs = edgeOperands(m);
        // all pairs for moduli up to 600 bits; a cross with the first operands beyond
        const ys = bitLength(m) <= 600 ? xs : xs.slice(0, 8);
        for (const a of xs) {
          t.eq(bn.modMul(a, a, m, true), (a * a) % m, () => `square m=${hex(m)} a=${hex(a)}`);
          for (const b of ys) {
            t.eq(bn.modMul(a, b, m), (a * b) % m, () => `modMul m=${hex(m)} a=${hex(a)} b=${hex(b)}`);
          }
        }
      }
      t.done(5000);
    });

    it('modExp: edge bases x edge exponents for every edge modulus', () => {
      const t = new Tally();
      for (const c of EDGE_MODEXP_CASES) {
        t.eq(
          bn.modExp(c.base, c.exp, c.m),
          expected(c),
          () => `modExp m=${hex(c.m)} base=${hex(c.base)} exp=${hex(c.exp)}`,
        );
      }
      t.done(2000);
    });

    it('modExpBase2: edge exponents for every edge modulus, and agreement with modExp(2, ...)', () => {
      const t = new Tally();
      for (const c of EDGE_BASE2_CASES) {
        t.eq(bn.modExpBase2(c.exp, c.m), expected(c), () => `modExpBase2 m=${hex(c.m)} exp=${hex(c.exp)}`);
      }
      for (const m of EDGE_MODULI) {
        const e = randBelow(pow2(8 * byteLen(m)));
        t.eq(bn.modExpBase2(e, m), bn.modExp(2n, e, m), () => `modExpBase2 vs modExp(2) m=${hex(m)} exp=${hex(e)}`);
      }
      t.done(500 + EDGE_MODULI.length);
    });

    it('Fermat: a^(p-1) = 1 and a^p = a modulo Mersenne and generated primes', () => {
      const t = new Tally();
      const primes = [
        pow2(61) - 1n,
        pow2(127) - 1n,
        pow2(521) - 1n,
        generatePrimeSync(1024, { bigint: true }) as bigint,
      ];
      for (const p of primes) {
        for (const a of [2n, 3n, p - 1n, randBelow(p - 2n) + 2n]) {
          t.eq(bn.modExp(a, p - 1n, p), 1n, () => `a^(p-1) p=${hex(p)} a=${hex(a)}`);
          t.eq(bn.modExp(a, p, p), a % p, () => `a^p p=${hex(p)} a=${hex(a)}`);
        }
        t.eq(bn.modExpBase2(p - 1n, p), 1n, () => `2^(p-1) p=${hex(p)}`);
      }
      t.done(36);
    });

    it('exhaustive small moduli (one limb): all a, b < m and all a < m with exponents 0..20, 254, 255', () => {
      const t = new Tally();
      for (let mi = 3; mi <= 31; mi += 2) {
        const m = BigInt(mi);
        for (let ai = 0; ai < mi; ai++) {
          const a = BigInt(ai);
          t.eq(bn.modMul(a, a, m, true), (a * a) % m, () => `square m=${mi} a=${ai}`);
          for (let bi = 0; bi < mi; bi++) {
            const b = BigInt(bi);
            t.eq(bn.modMul(a, b, m), (a * b) % m, () => `modMul m=${mi} a=${ai} b=${bi}`);
          }
          for (const e of [...Array.from({ length: 21 }, (_, i) => BigInt(i)), 254n, 255n]) {
            t.eq(bn.modExp(a, e, m), modPow(a, e, m), () => `modExp m=${mi} a=${ai} e=${e}`);
          }
        }
        // bases above m, up to 255
        for (const a of [m, m + 1n, 0x80n, 0xfen, 0xffn]) {
          t.eq(bn.modExp(a, 0xffn, m), modPow(a, 0xffn, m), () => `modExp m=${mi} a=${a} e=255`);
          t.eq(bn.modMul(a, 0xffn, m), (a * 0xffn) % m, () => `modMul m=${mi} a=${a} b=255`);
        }
      }
      t.done(10000);
    });
  });

  describe('divMod', () => {
    it.each(SIZES)('random %i-bit dividends, divisors of every length', (size) => {
      const t = new Tally();
      for (let i = 0; i < 20; i++) {
        const a = randBits(size) | (i % 4 === 0 ? pow2(size - 1) : 0n);
        const bBits = randInt(1, size);
        const b = randBits(bBits) | pow2(bBits - 1);
        const [q, r] = bn.divMod(a, b);
        const ctx = (): string => `a=${hex(a)} b=${hex(b)}`;
        t.eq(q, a / b, () => `quotient ${ctx()}`);
        t.eq(r, a % b, () => `remainder ${ctx()}`);
      }
      t.done(40);
    });

    it('edge values: a < b, a = b, b = 1, a = 0, powers of two, all-ones, wider widths', () => {
      const t = new Tally();
      const pairs: [bigint, bigint, number?][] = [];
      for (const size of [8, 28, 56, 64, 200, 1024, 2048]) {
        const top = pow2(size);
        const a = randBits(size) | pow2(size - 1);
        const small = randBits(size >> 1) | 1n;
        pairs.push(
          [a, 1n],
          [a, a],
          [a, a + 1n],
          [a - 1n, a],
          [0n, a],
          [0n, 1n],
          [1n, a],
          [a, 2n],
          [a, 3n],
          [top - 1n, top - 1n],
          [top - 1n, 1n],
          [top - 1n, 2n],
          [top - 1n, top - 2n],
          [top - 2n, top - 1n],
          [top - 1n, ones(28)],
          [top - 1n, pow2(28)],
          [top - 1n, pow2(28) + 1n],
          [a, small],
          [small * (a >> BigInt(size >> 1)) + small - 1n, small], // remainder b - 1
          [a, a >> 1n],
          [a, (a >> 1n) + 1n],
        );
        for (const k of [0, 1, 27, 28, 29, size - 1]) {
          if (k < size) pairs.push([a, pow2(k)], [top - 1n, pow2(k)], [pow2(k), a], [pow2(size - 1), pow2(k)]);
        }
        // the same values at a wider width than they need
        pairs.push([a, small, byteLen(top) + 3], [top - 1n, 1n, byteLen(top) + 1]);
      }
      for (const [a, b, len] of pairs) {
        const [q, r] = len === undefined ? bn.divMod(a, b) : bn.divMod(a, b, len);
        const ctx = (): string => `a=${hex(a)} b=${hex(b)} len=${len ?? 'default'}`;
        t.eq(q, a / b, () => `quotient ${ctx()}`);
        t.eq(r, a % b, () => `remainder ${ctx()}`);
      }
      t.done(2 * pairs.length);
      expect(pairs.length).toBeGreaterThan(200);
    });
  });

  describe('gcd', () => {
    it.each(SIZES)('random %i-bit pairs, with and without a planted common factor', (size) => {
      const t = new Tally();
      for (let i = 0; i < 20; i++) {
        let a = randBits(size) | 1n;
        let b = randBits(randInt(1, size)) | 1n;
        if (i % 2 === 1) {
          // plant g = 2^k * odd into both (cut back to `size` bits)
          const g = (randBits(randInt(1, size >> 2)) | 1n) << BigInt(randInt(0, 40));
          a = (a >> BigInt(bitLength(g))) * g || g;
          b = (b >> BigInt(bitLength(g))) * g || g;
        }
        t.eq(bn.gcd(a, b), gcdRef(a, b), () => `gcd a=${hex(a)} b=${hex(b)}`);
        t.eq(bn.gcd(b, a), gcdRef(a, b), () => `gcd a=${hex(b)} b=${hex(a)}`);
      }
      t.done(40);
    });

    it('RSA shape: gcd(p - 1, q - 1) for generated primes, and planted 2^k * odd factors', () => {
      const t = new Tally();
      for (const bits of [256, 512, 1024]) {
        for (let i = 0; i < 3; i++) {
          const p = generatePrimeSync(bits, { bigint: true }) as bigint;
          const q = generatePrimeSync(bits, { bigint: true }) as bigint;
          t.eq(bn.gcd(p - 1n, q - 1n), gcdRef(p - 1n, q - 1n), () => `gcd(p-1, q-1) p=${hex(p)} q=${hex(q)}`);
          // force a large common part: (p - 1) * g and (q - 1) * g with g = 2^k * odd
          const g = (randBits(60) | 1n) << BigInt(randInt(1, 64));
          t.eq(
            bn.gcd((p - 1n) * g, (q - 1n) * g),
            gcdRef((p - 1n) * g, (q - 1n) * g),
            () => `gcd planted p=${hex(p)} q=${hex(q)} g=${hex(g)}`,
          );
        }
      }
      t.done(18);
    });

    it('edge values: equal, 1, powers of two, all-ones, Fibonacci neighbours, one even one odd', () => {
      const t = new Tally();
      const fib: bigint[] = [0n, 1n];
      while (bitLength(fib[fib.length - 1]!) < 2048) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
      const n = fib.length - 2; // F_n has at most 2048 bits
      const pairs: [bigint, bigint][] = [
        [1n, 1n],
        [1n, 2n],
        [2n, 1n],
        [2n, 2n],
        [6n, 4n],
        [4n, 6n],
        [12n, 18n],
        [1n, ones(2048)],
        [ones(2048), ones(2048)],
        [ones(2048), ones(1024)],
        [ones(2048), ones(1023)],
        [ones(84), ones(56)],
        [ones(84), ones(28)],
        [fib[n]!, fib[n - 1]!],
        [fib[n - 1]!, fib[n]!],
        [fib[n]!, fib[n - 30]!],
        [fib[120]!, fib[90]!],
        [fib[2]!, fib[n]!],
        [pow2(2047), pow2(2046)],
        [pow2(2047), 3n * pow2(100)],
        [pow2(1000) * 3n, pow2(37) * 9n],
        [pow2(2047), pow2(2047) - 1n],
        [pow2(2047) + 1n, pow2(2047) - 1n],
        [pow2(28) * 7n, pow2(27) * 49n],
        [pow2(100) * 0xdeadbeefn, pow2(40) * 0xbeefn],
        [randBits(2000) * 6n, 10n],
        [ones(2048) - 1n, ones(2047) - 1n],
      ];
      for (const [a, b] of pairs) t.eq(bn.gcd(a, b), gcdRef(a, b), () => `gcd a=${hex(a)} b=${hex(b)}`);
      // gcd(F_i, F_j) = F_gcd(i, j)
      t.eq(bn.gcd(fib[120]!, fib[90]!), fib[30]!, () => 'gcd(F120, F90)');
      // at a wider width than needed
      t.eq(bn.gcd(12n, 18n, 40), 6n, () => 'gcd(12, 18) len=40');
      t.eq(bn.gcd(pow2(30), pow2(60) * 3n, 300), pow2(30), () => 'gcd(2^30, 3*2^60) len=300');
      t.done(pairs.length + 3);
    });
  });

  describe('shiftRight', () => {
    // widths in bytes: limb counts that are and are not powers of two, and len = 7 * 2^j
    // (8 * len a multiple of 28)
    const LENS = [1, 2, 3, 4, 7, 8, 13, 14, 28, 32, 33, 56, 64, 112, 128, 192, 224, 256];

    it.each(LENS)('len %i: every s in [0, 8*len) on random, all-ones and single-bit values', (len) => {
      const t = new Tally();
      const width = 8 * len;
      const values = [randBits(width) | pow2(width - 1), ones(width), pow2(width - 1), runs(width, 28)];
      for (const x of values) {
        for (let s = 0; s < width; s++) {
          t.eq(bn.shiftRight(x, s, len), x >> BigInt(s), () => `shiftRight len=${len} s=${s} x=${hex(x)}`);
        }
      }
      // limb boundaries and +-1 around them on more random values
      for (let q = 0; 28 * q <= width; q++) {
        for (const s of [28 * q - 1, 28 * q, 28 * q + 1]) {
          if (s < 0 || s >= width) continue;
          const x = randBits(width);
          t.eq(bn.shiftRight(x, s, len), x >> BigInt(s), () => `shiftRight len=${len} s=${s} x=${hex(x)}`);
        }
      }
      t.done(4 * width);
    });

    // Shifting by the full width must give 0. The limb stages of shrSecret only apply the
    // bits of floor(s/28) below log2(n); when 8*len = 28*n with n a power of two (len = 7,
    // 14, 28, 56, 112, 224), floor(s/28) = n has only the bit log2(n), and a core without the
    // final "shifts of n limbs or more leave nothing" mask returned x unchanged.
    it('s = 8*len (the full width) shifts everything out', () => {
      const t = new Tally();
      for (const len of LENS) {
        const width = 8 * len;
        for (const x of [ones(width), randBits(width) | pow2(width - 1)]) {
          t.eq(bn.shiftRight(x, width, len), 0n, () => `shiftRight len=${len} s=${width} x=${hex(x)}`);
        }
      }
      t.done(2 * LENS.length);
    });

    // The front-end takes any s < 8192; shifts past the width must give 0 as well (the same
    // missing mask made e.g. shiftRight(0xffffffff, 64, 4) return 0xffffff).
    it('s beyond the width (up to 8191) gives 0', () => {
      const t = new Tally();
      for (const len of [1, 4, 8, 32, 100, 256]) {
        const width = 8 * len;
        const x = ones(width);
        for (const s of [width + 1, width + 27, width + 28, width + 29, 2 * width, 4096, 8191]) {
          if (s > 8191) continue;
          t.eq(bn.shiftRight(x, s, len), 0n, () => `shiftRight len=${len} s=${s} x=${hex(x)}`);
        }
      }
      t.done(30);
    });
  });
});
