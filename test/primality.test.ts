// Miller-Rabin (FIPS 186-5 B.3.1: a base-2 round, then random-base rounds) and the trial
// division pre-screen of the WebAssembly core, on both builds.
//
// Random-base rounds make a composite pass with a probability that depends on the number:
// at most 4^-t for t rounds, and close to that bound for n = p(2p - 1). Tests that must
// never flake use COMPOSITE_ROUNDS rounds for composites (<= 4^-40 per call); the behaviour
// with fewer rounds is checked statistically against the exact strong-liar counts.

import { describe, it, expect } from 'vitest';
import { generatePrimeSync, randomBytes } from 'node:crypto';
import { FLAG_RSA } from '../src/core/module.js';
import { loadTestCore, testExports } from './helpers/test-core.js';
import { Bignum } from '../src/core/bignum.js';
import { modPow } from './helpers/rsa-check.js';
import { readVectorText } from './helpers/vectors.js';

const PRIME_ROUNDS = 5; // FIPS 186-5 Table B.1 (strict) for 1024-bit primes; primes pass any count
const COMPOSITE_ROUNDS = 40;

// ---- BigInt references -------------------------------------------------------------------

const pow2 = (k: number): bigint => 1n << BigInt(k);
const hex = (x: bigint): string => '0x' + x.toString(16);

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function randBits(bits: number): bigint {
  return BigInt('0x' + randomBytes(Math.ceil(bits / 8)).toString('hex')) & (pow2(bits) - 1n);
}

/** Strong probable-prime test to base b for odd n > 3 (B.3.1 steps 4.3-4.7). */
function sprp(n: bigint, b: bigint): boolean {
  let d = n - 1n;
  let a = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    a++;
  }
  let z = modPow(b, d, n);
  if (z === 1n || z === n - 1n) return true;
  for (let j = 1; j < a; j++) {
    z = (z * z) % n;
    if (z === n - 1n) return true;
    if (z === 1n) return false;
  }
  return false;
}

/** Odd primes below 2^16 (the core's trial-division table), by a sieve. */
const SMALL_PRIMES: number[] = (() => {
  const composite = new Uint8Array(65536);
  const out: number[] = [];
  for (let i = 3; i < 65536; i += 2) {
    if (composite[i]) continue;
    out.push(i);
    for (let j = i * i; j < 65536; j += 2 * i) composite[j] = 1;
  }
  return out;
})();
const SMALL_PRIME_SET = new Set(SMALL_PRIMES);
const FIRST_PRIME_BASES = [2n, ...SMALL_PRIMES.slice(0, 12).map(BigInt)]; // 2, 3, ..., 41

/**
 * Reference primality: trial division by the primes below 1000, then strong tests to the
 * prime bases 2..41 (deterministic below 3.3e24) and, above that, 16 random bases as well.
 */
function isPrimeRef(n: bigint): boolean {
  if (n < 2n) return false;
  if (n === 2n) return true;
  if ((n & 1n) === 0n) return false;
  for (const p of SMALL_PRIMES) {
    if (p > 1000) break;
    const bp = BigInt(p);
    if (n === bp) return true;
    if (n % bp === 0n) return false;
  }
  if (n < 1_000_000n) return true;
  for (const b of FIRST_PRIME_BASES) if (!sprp(n, b)) return false;
  if (n >= 3_317_044_064_679_887_385_961_981n) {
    for (let i = 0; i < 16; i++) {
      const b = 2n + (randBits(bitLength(n)) % (n - 3n));
      if (!sprp(n, b)) return false;
    }
  }
  return true;
}

/** Exact number of strong liars b in [2, n-2] for a small odd composite n (Number arithmetic). */
function strongLiarCount(n: number): number {
  let d = n - 1;
  let a = 0;
  while (d % 2 === 0) {
    d /= 2;
    a++;
  }
  const mulmod = (x: number, y: number): number => (x * y) % n; // n^2 < 2^53 here
  let count = 0;
  for (let b = 2; b <= n - 2; b++) {
    let z = 1;
    let base = b;
    for (let e = d; e > 0; e = Math.floor(e / 2)) {
      if (e % 2 === 1) z = mulmod(z, base);
      base = mulmod(base, base);
    }
    let liar = z === 1 || z === n - 1;
    for (let j = 1; j < a && !liar; j++) {
      z = mulmod(z, z);
      if (z === n - 1) liar = true;
    }
    if (liar) count++;
  }
  return count;
}

/**
 * Number of strong liars b in [1, n - 1] for n = product of distinct odd primes `factors`
 * (Monier 1980): (1 + sum_{j<k} 2^(j*w)) * prod gcd(d, d_i), where n - 1 = 2^s d,
 * p_i - 1 = 2^(s_i) d_i with d, d_i odd, k = min s_i and w the number of factors.
 */
function monierLiars(factors: bigint[]): bigint {
  const split = (x: bigint): [number, bigint] => {
    let s = 0;
    while ((x & 1n) === 0n) {
      x >>= 1n;
      s++;
    }
    return [s, x];
  };
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const n = factors.reduce((x, y) => x * y, 1n);
  const [, d] = split(n - 1n);
  const parts = factors.map((f) => split(f - 1n));
  const k = Math.min(...parts.map(([si]) => si));
  const w = BigInt(factors.length);
  let sum = 1n;
  for (let j = 0n; j < BigInt(k); j++) sum += 2n ** (j * w);
  return parts.reduce((acc, [, di]) => acc * gcd(d, di), sum);
}

/** The probability that one random base in [2, n - 2] is a strong liar. */
function liarRate(factors: bigint[]): number {
  const n = factors.reduce((x, y) => x * y, 1n);
  return Number(((monierLiars(factors) - 2n) * 10n ** 12n) / (n - 3n)) / 1e12;
}

function memo<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}

const genPrime = (bits: number): bigint => generatePrimeSync(bits, { bigint: true }) as bigint;

// ---- Wycheproof primality vectors ---------------------------------------------------------

interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  value: string;
  result: 'valid' | 'invalid' | 'acceptable';
}

const wycheproof = JSON.parse(readVectorText('wycheproof/primality_test.json')) as {
  numberOfTests: number;
  testGroups: { tests: WycheproofTest[] }[];
};
const WYCHEPROOF_TESTS = wycheproof.testGroups.flatMap((g) => g.tests);

/** A two's-complement big-endian hex string (possibly with a leading 00, possibly negative). */
function twosComplement(h: string): bigint {
  if (h.length === 0) return 0n;
  const v = BigInt('0x' + h);
  return parseInt(h[0]!, 16) >= 8 ? v - pow2(4 * h.length) : v;
}

type Skip = 'negative' | 'at most 3' | 'even';
function skipReason(w: bigint): Skip | undefined {
  if (w < 0n) return 'negative';
  if (w <= 3n) return 'at most 3';
  if ((w & 1n) === 0n) return 'even';
  return undefined;
}

const WYCHEPROOF = WYCHEPROOF_TESTS.map((t) => {
  const w = twosComplement(t.value);
  return { ...t, w, skip: skipReason(w) };
});

// ---- Constructed composites ---------------------------------------------------------------

/**
 * Arnault's 397-digit Carmichael number, a strong pseudoprime to every prime base below 307
 * (F. Arnault, "Constructing Carmichael numbers which are strong pseudoprimes to several
 * bases", J. Symbolic Computation 20 (1995)): n = p1 * p2 * p3 with p2 = 313(p1 - 1) + 1 and
 * p3 = 353(p1 - 1) + 1. The properties are re-checked below before the number is used.
 */
const ARNAULT_P1 =
  29674495668685510550154174642905332730771991799853043350995075531276838753171770199594238596428121188033664754218345562493168782883n;
const ARNAULT_FACTORS = [ARNAULT_P1, 313n * (ARNAULT_P1 - 1n) + 1n, 353n * (ARNAULT_P1 - 1n) + 1n] as const;
const ARNAULT = ARNAULT_FACTORS[0] * ARNAULT_FACTORS[1] * ARNAULT_FACTORS[2];

/**
 * Chernick's Carmichael numbers (6k+1)(12k+1)(18k+1) with all three factors prime: the first
 * k >= k0. The k are sieved by the primes below 2^16 (each factor c*k + 1 rules out one
 * residue of k per prime), then the survivors get the reference test.
 */
function chernick(k0: bigint): { k: bigint; factors: bigint[]; n: bigint } {
  const WINDOW = 1 << 20;
  for (let start = k0; ; start += BigInt(WINDOW)) {
    const out = new Uint8Array(WINDOW);
    for (const p of SMALL_PRIMES) {
      if (p < 5) continue;
      const bp = BigInt(p);
      const k0mod = Number(start % bp);
      for (const c of [6, 12, 18]) {
        // c*k + 1 = 0 (mod p)  <=>  k = -c^-1 (mod p)
        const inv = Number(modPow(BigInt(c), bp - 2n, bp));
        const kres = (p - inv) % p;
        for (let j = (kres - k0mod + p) % p; j < WINDOW; j += p) out[j] = 1;
      }
    }
    for (let j = 0; j < WINDOW; j++) {
      if (out[j]) continue;
      const k = start + BigInt(j);
      const factors = [6n * k + 1n, 12n * k + 1n, 18n * k + 1n];
      if (factors.every((f) => sprp(f, 2n)) && factors.every(isPrimeRef)) {
        return { k, factors, n: factors[0]! * factors[1]! * factors[2]! };
      }
    }
  }
}

/**
 * n = p(2p - 1) with both factors prime, a near worst case for Miller-Rabin, that is also a
 * strong pseudoprime to base 2 (so that the core's random-base rounds decide). With
 * p = 3 (mod 4) the liar rate is 1/4 but 2 is never a liar (2 is a non-residue modulo
 * 2p - 1 = 5 (mod 8)), so p = 5 (mod 8): liar rate 3/16. The first such p at or above `from`.
 */
function worstCaseSemiprime(from: bigint): { p: bigint; q: bigint; n: bigint } {
  let p = from - (from % 8n) + 5n;
  for (; ; p += 8n) {
    const q = 2n * p - 1n;
    let small = false;
    for (const s of SMALL_PRIMES.slice(0, 60)) {
      const bs = BigInt(s);
      if (p % bs === 0n || q % bs === 0n) {
        small = true;
        break;
      }
    }
    if (small || !sprp(p, 2n) || !sprp(q, 2n)) continue;
    if (!sprp(p * q, 2n) || !isPrimeRef(p) || !isPrimeRef(q)) continue;
    return { p, q, n: p * q };
  }
}

const CHERNICK_512 = memo(() => chernick(pow2(165)));
const CHERNICK_1024 = memo(() => chernick(pow2(337)));
const WORST_CASE = memo(() => worstCaseSemiprime(pow2(127) + randBits(120)));
const SPSP2_LIARS = memo(() => SPSP2.map(strongLiarCount));

// Primes of RSA sizes, generated once for both builds.
const GENERATED_PRIMES = memo(() => [512, 1024, 1536, 2048].map(genPrime));

/** Strong pseudoprimes to base 2 (OEIS A001262) below 10^5. */
const SPSP2 = [
  2047, 3277, 4033, 4681, 8321, 15841, 29341, 42799, 49141, 52633, 65281, 74665, 80581, 85489, 88357, 90751,
];
const CARMICHAELS = [561n, 1105n, 1729n, 2465n, 2821n, 6601n, 8911n, 41041n, 825265n, 321197185n];

/** Primes with special shapes: limb boundaries, curve fields, long runs of zeros in w - 1. */
const KNOWN_PRIMES: [string, bigint][] = [
  ['5', 5n],
  ['7', 7n],
  ['11', 11n],
  ['13', 13n],
  ['17 (Fermat)', 17n],
  ['257 (Fermat)', 257n],
  ['65521 (largest below 2^16)', 65521n],
  ['65537 (Fermat, a = 16)', 65537n],
  ['65539', 65539n],
  ['2^28 - 57 (largest below one limb)', pow2(28) - 57n],
  ['2^56 - 5', pow2(56) - 5n],
  ['2^64 - 59', pow2(64) - 59n],
  ['2^61 - 1', pow2(61) - 1n],
  ['2^89 - 1', pow2(89) - 1n],
  ['2^107 - 1', pow2(107) - 1n],
  ['2^127 - 1', pow2(127) - 1n],
  ['2^521 - 1', pow2(521) - 1n],
  ['2^607 - 1', pow2(607) - 1n],
  ['2^1279 - 1', pow2(1279) - 1n],
  ['P-224 field, a = 96', pow2(224) - pow2(96) + 1n],
  ['P-256 field', pow2(256) - pow2(224) + pow2(192) + pow2(96) - 1n],
  ['P-384 field', pow2(384) - pow2(128) - pow2(96) + pow2(32) - 1n],
  ['secp256k1 field', pow2(256) - pow2(32) - 977n],
  ['2^255 - 19', pow2(255) - 19n],
  ['Ed448 field', pow2(448) - pow2(224) - 1n],
];

// Composite Fermat numbers 2^(2^k) + 1, k = 5..10: strong pseudoprimes to base 2 with
// w - 1 = 2^(2^k), so the squaring loop of the round runs 2^k - 1 times.
const FERMAT_COMPOSITES = [5, 6, 7, 8, 9, 10].map((k) => pow2(2 ** k) + 1n);

// ---- Tests ---------------------------------------------------------------------------------

describe('test data', () => {
  it('Wycheproof vectors parse, and the filter leaves the expected numbers to run', () => {
    expect(WYCHEPROOF.length).toBe(wycheproof.numberOfTests);
    expect(WYCHEPROOF.length).toBe(317);
    const count = (pred: (t: (typeof WYCHEPROOF)[number]) => boolean): number => WYCHEPROOF.filter(pred).length;
    expect(count((t) => t.skip === 'negative')).toBe(14);
    expect(count((t) => t.skip === 'at most 3')).toBe(4);
    expect(count((t) => t.skip === 'even')).toBe(1);
    expect(count((t) => !t.skip && t.result === 'valid')).toBe(64);
    expect(count((t) => !t.skip && t.result === 'invalid')).toBe(234);
    // every 'acceptable' vector is the negative of a prime, and none of them is run
    expect(count((t) => t.result === 'acceptable')).toBe(8);
    expect(count((t) => t.result === 'acceptable' && t.skip !== 'negative')).toBe(0);
    expect(twosComplement('00ff')).toBe(255n);
    expect(twosComplement('ff')).toBe(-1n);
    expect(twosComplement('feff')).toBe(-257n);
  });

  it('the reference test agrees with the sieve below 10^5 and with the vectors marked prime', () => {
    for (let w = 0; w < 100_000; w += 1 + Math.floor(Math.random() * 50)) {
      const sieved =
        w === 2 ||
        (w > 2 && SMALL_PRIME_SET.has(w)) ||
        (w >= 65536 && w % 2 === 1 && SMALL_PRIMES.every((p) => p * p > w || w % p !== 0));
      expect(isPrimeRef(BigInt(w)), `w = ${w}`).toBe(sieved);
    }
    for (const n of SPSP2) expect(isPrimeRef(BigInt(n)), `${n}`).toBe(false);
    for (const t of WYCHEPROOF) {
      if (t.result === 'valid' && t.w < pow2(300)) expect(isPrimeRef(t.w), `tcId ${t.tcId}`).toBe(true);
    }
  });

  it("Arnault's number is reproduced: 397 digits, Korselt's criterion, strong pseudoprime to every prime base < 307", () => {
    expect(ARNAULT.toString().length).toBe(397);
    for (const f of ARNAULT_FACTORS) {
      expect(isPrimeRef(f), hex(f)).toBe(true);
      expect((ARNAULT - 1n) % (f - 1n)).toBe(0n);
    }
    const bases = [2, ...SMALL_PRIMES.filter((p) => p < 307)];
    expect(bases.length).toBe(62);
    for (const b of bases) expect(sprp(ARNAULT, BigInt(b)), `base ${b}`).toBe(true);
    expect(sprp(ARNAULT, 307n)).toBe(false);
  });

  it('the strong pseudoprimes are composite and strong pseudoprimes to the bases claimed', () => {
    for (const n of SPSP2) {
      expect(
        SMALL_PRIMES.some((p) => p * p <= n && n % p === 0),
        `${n}`,
      ).toBe(true);
      expect(sprp(BigInt(n), 2n), `${n}`).toBe(true);
    }
    for (const b of [2n, 3n, 5n, 7n]) expect(sprp(3215031751n, b)).toBe(true);
    expect(3215031751n % 151n).toBe(0n);
    for (let b = 2n; b <= 23n; b++) if (isPrimeRef(b)) expect(sprp(3825123056546413051n, b), `base ${b}`).toBe(true);
    expect(3825123056546413051n % 149491n).toBe(0n);
    for (const f of FERMAT_COMPOSITES) expect(sprp(f, 2n)).toBe(true);
    expect(FERMAT_COMPOSITES[0]! % 641n).toBe(0n);
    expect(1093n * 1093n).toBe(1194649n); // Wieferich primes: their squares are base-2 pseudoprimes
    expect(sprp(1194649n, 2n) && sprp(3511n * 3511n, 2n)).toBe(true);
  });

  it("Monier's strong-liar count agrees with a brute-force count, and gives the rates used below", () => {
    const cases: bigint[][] = [
      [23n, 89n],
      [29n, 113n],
      [157n, 313n],
      [7n, 13n],
      [5n, 17n, 29n],
      [7n, 13n, 19n],
      [37n, 73n],
      [53n, 157n],
    ];
    for (const fs of cases) {
      const n = Number(fs.reduce((x, y) => x * y, 1n));
      expect(Number(monierLiars(fs)) - 2, `${fs.join(' * ')}`).toBe(strongLiarCount(n));
    }
    expect(SPSP2_LIARS()[SPSP2.indexOf(49141)]).toBe(9124);
    // Arnault's number: a strong liar rate of almost exactly 1/4, the Rabin bound
    expect(liarRate([...ARNAULT_FACTORS])).toBeGreaterThan(0.2499);
    const w = WORST_CASE();
    expect(liarRate([w.p, w.q])).toBeGreaterThan(0.18);
    expect(liarRate([w.p, w.q])).toBeLessThan(0.19);
  });

  it('Chernick Carmichael numbers (6k+1)(12k+1)(18k+1) are found and check out', () => {
    for (const c of [CHERNICK_512(), CHERNICK_1024()]) {
      for (const f of c.factors) {
        expect(isPrimeRef(f)).toBe(true);
        expect((c.n - 1n) % (f - 1n)).toBe(0n); // Korselt
      }
    }
    expect(bitLength(CHERNICK_512().n)).toBeGreaterThanOrEqual(500);
    expect(bitLength(CHERNICK_1024().n)).toBeGreaterThanOrEqual(1020);
  });
});

describe.each(['simd', 'scalar'] as const)('primality (%s build)', (variant) => {
  const core = loadTestCore(variant);
  const bn = new Bignum(core);

  describe('Wycheproof primality_test.json', () => {
    it('valid (prime) values are accepted with 5 rounds', () => {
      const failures: string[] = [];
      let ran = 0;
      for (const t of WYCHEPROOF) {
        if (t.skip || t.result !== 'valid') continue;
        ran++;
        if (!bn.millerRabin(t.w, PRIME_ROUNDS)) failures.push(`tcId ${t.tcId} (${t.comment}) ${hex(t.w)}`);
      }
      expect(failures).toEqual([]);
      expect(ran).toBe(64);
    });

    it('invalid (composite) values are rejected', () => {
      const failures: string[] = [];
      let ran = 0;
      for (const t of WYCHEPROOF) {
        if (t.skip || t.result !== 'invalid') continue;
        ran++;
        if (bn.millerRabin(t.w, COMPOSITE_ROUNDS)) failures.push(`tcId ${t.tcId} (${t.comment}) ${hex(t.w)}`);
      }
      expect(failures).toEqual([]);
      expect(ran).toBe(234);
    });

    it('the skipped values (negative, at most 3, even) are refused with a RangeError', () => {
      let skipped = 0;
      for (const t of WYCHEPROOF) {
        if (!t.skip) continue;
        skipped++;
        expect(() => bn.millerRabin(t.w, PRIME_ROUNDS), `tcId ${t.tcId}`).toThrow(RangeError);
      }
      expect(skipped).toBe(19);
    });
  });

  describe('Carmichael numbers', () => {
    it('the small ones are rejected', () => {
      for (const n of CARMICHAELS) {
        for (let i = 0; i < 3; i++) expect(bn.millerRabin(n, PRIME_ROUNDS), `${n}`).toBe(false);
      }
    });

    it("Arnault's 397-digit number passes the base-2 round alone and is rejected by the random-base rounds", () => {
      expect(bn.millerRabin(ARNAULT, 0)).toBe(true);
      for (let i = 0; i < 3; i++) expect(bn.millerRabin(ARNAULT, COMPOSITE_ROUNDS)).toBe(false);
    });

    it('large Chernick numbers (about 512 and 1024 bits) are rejected', () => {
      for (const c of [CHERNICK_512(), CHERNICK_1024()]) {
        for (let i = 0; i < 2; i++) expect(bn.millerRabin(c.n, COMPOSITE_ROUNDS), `k = ${c.k}`).toBe(false);
        for (const f of c.factors) expect(bn.millerRabin(f, PRIME_ROUNDS), `factor ${hex(f)}`).toBe(true);
      }
    });
  });

  describe('strong pseudoprimes', () => {
    it('the base-2 strong pseudoprimes pass the base-2 round alone and are rejected with random bases', () => {
      for (const n of SPSP2) {
        const w = BigInt(n);
        expect(bn.millerRabin(w, 0), `${n} with the base-2 round only`).toBe(true);
        for (let i = 0; i < 4; i++) expect(bn.millerRabin(w, COMPOSITE_ROUNDS), `${n}`).toBe(false);
      }
    });

    it('with 5 random-base rounds they are rejected up to the exact strong-liar probability', () => {
      // P(pass) = (L / (n - 3))^5 for L strong liars in [2, n - 2]; the sum over the list of
      // RUNS * P(pass) bounds the expected number of acceptances.
      const RUNS = 10;
      let expectedPasses = 0;
      let passes = 0;
      let calls = 0;
      for (const [i, n] of SPSP2.entries()) {
        const f = SPSP2_LIARS()[i]! / (n - 3);
        expectedPasses += RUNS * f ** 5;
        for (let i = 0; i < RUNS; i++) {
          calls++;
          if (bn.millerRabin(BigInt(n), 5)) passes++;
        }
      }
      expect(calls).toBe(SPSP2.length * RUNS);
      expect(expectedPasses).toBeLessThan(0.005);
      // P(two or more) < 2e-5 at that expectation
      expect(passes).toBeLessThanOrEqual(1);
    });

    it('one random-base round accepts a base-2 strong pseudoprime at its strong-liar rate', () => {
      // 49141 = 157 * 313: 9124 strong liars among the 49138 bases in [2, n - 2]
      const n = 49141;
      const liars = strongLiarCount(n);
      expect(liars).toBe(9124);
      const rate = liars / (n - 3);
      const TRIALS = 3000;
      let passes = 0;
      for (let i = 0; i < TRIALS; i++) if (bn.millerRabin(BigInt(n), 1)) passes++;
      const sd = Math.sqrt(TRIALS * rate * (1 - rate));
      expect(
        Math.abs(passes - TRIALS * rate),
        `${passes} of ${TRIALS} passed, expected about ${Math.round(TRIALS * rate)}`,
      ).toBeLessThan(6 * sd);
    });

    it('n = p(2p - 1), a base-2 pseudoprime with liar rate 3/16, passes one round at that rate and is rejected by 40', () => {
      const { p, q, n } = WORST_CASE();
      const rate = liarRate([p, q]);
      expect(bn.millerRabin(n, 0), `n = ${hex(n)}`).toBe(true);
      const TRIALS = 2000;
      let passes = 0;
      for (let i = 0; i < TRIALS; i++) if (bn.millerRabin(n, 1)) passes++;
      const sd = Math.sqrt(TRIALS * rate * (1 - rate));
      expect(Math.abs(passes - TRIALS * rate), `${passes} of ${TRIALS} passed for n = ${hex(n)}`).toBeLessThan(6 * sd);
      for (let i = 0; i < 3; i++) expect(bn.millerRabin(n, COMPOSITE_ROUNDS)).toBe(false);
    });

    it("Arnault's number (liar rate 1/4) passes one random-base round at that rate", () => {
      const rate = liarRate([...ARNAULT_FACTORS]);
      const TRIALS = 200;
      let passes = 0;
      for (let i = 0; i < TRIALS; i++) if (bn.millerRabin(ARNAULT, 1)) passes++;
      const sd = Math.sqrt(TRIALS * rate * (1 - rate));
      expect(Math.abs(passes - TRIALS * rate), `${passes} of ${TRIALS} passed`).toBeLessThan(6 * sd);
    });

    it('strong pseudoprimes to several bases (2..7 and 2..23) are rejected', () => {
      for (const n of [3215031751n, 3825123056546413051n]) {
        expect(bn.millerRabin(n, 0), `${n} with the base-2 round only`).toBe(true);
        for (let i = 0; i < 4; i++) expect(bn.millerRabin(n, COMPOSITE_ROUNDS), `${n}`).toBe(false);
      }
    });

    it('composite Fermat numbers F5..F10 (w - 1 = 2^(2^k)) pass base 2 and are rejected', () => {
      for (const f of FERMAT_COMPOSITES) {
        expect(bn.millerRabin(f, 0), `${hex(f)} with the base-2 round only`).toBe(true);
        for (let i = 0; i < 2; i++) expect(bn.millerRabin(f, COMPOSITE_ROUNDS), hex(f)).toBe(false);
      }
    });

    it('squares of the Wieferich primes 1093 and 3511 (base-2 pseudoprimes) are rejected', () => {
      for (const n of [1093n * 1093n, 3511n * 3511n]) {
        expect(bn.millerRabin(n, 0)).toBe(true);
        for (let i = 0; i < 4; i++) expect(bn.millerRabin(n, COMPOSITE_ROUNDS), `${n}`).toBe(false);
      }
    });
  });

  describe('known primes and composites', () => {
    it.each(KNOWN_PRIMES)('%s is accepted', (_name, p) => {
      expect(bn.millerRabin(p, PRIME_ROUNDS)).toBe(true);
      expect(bn.millerRabin(p, 0)).toBe(true);
    });

    it('primes from crypto.generatePrimeSync (512, 1024, 1536, 2048 bits) are accepted', () => {
      for (const p of GENERATED_PRIMES()) {
        expect(bn.millerRabin(p, PRIME_ROUNDS), hex(p)).toBe(true);
      }
    });

    it('products of two random 512-bit primes and squares of primes are rejected', () => {
      for (let i = 0; i < 3; i++) {
        const p = genPrime(512);
        const q = genPrime(512);
        expect(bn.millerRabin(p * q, PRIME_ROUNDS), `p=${hex(p)} q=${hex(q)}`).toBe(false);
        expect(bn.millerRabin(p * p, PRIME_ROUNDS), `p^2, p=${hex(p)}`).toBe(false);
      }
      for (const p of [...GENERATED_PRIMES().slice(0, 2), pow2(127) - 1n, 65537n, 65521n]) {
        expect(bn.millerRabin(p * p, COMPOSITE_ROUNDS), `p^2, p=${hex(p)}`).toBe(false);
        expect(bn.millerRabin(p * (2n * p - 1n), COMPOSITE_ROUNDS), `p(2p-1), p=${hex(p)}`).toBe(false);
        expect(bn.millerRabin(p * (2n * p + 1n), COMPOSITE_ROUNDS), `p(2p+1), p=${hex(p)}`).toBe(false);
      }
    });

    it('every odd w in [5, 20000) is classified as the sieve says', () => {
      const failures: number[] = [];
      let primes = 0;
      for (let w = 5; w < 20000; w += 2) {
        const prime = SMALL_PRIME_SET.has(w);
        if (prime) primes++;
        if (bn.millerRabin(BigInt(w), prime ? 2 : COMPOSITE_ROUNDS) !== prime) failures.push(w);
      }
      expect(failures).toEqual([]);
      expect(primes).toBe(2260); // pi(20000) = 2262, minus 2 and 3
    });

    it('random odd 64-bit values and products of two 32-bit primes agree with the deterministic reference', () => {
      const failures: string[] = [];
      let primes = 0;
      const values: bigint[] = [];
      for (let i = 0; i < 1500; i++) values.push(randBits(64) | 1n | pow2(63));
      for (let i = 0; i < 100; i++) values.push(genPrime(32) * genPrime(32));
      for (const w of values) {
        const want = isPrimeRef(w);
        if (want) primes++;
        if (bn.millerRabin(w, want ? PRIME_ROUNDS : COMPOSITE_ROUNDS) !== want) failures.push(`${hex(w)} want ${want}`);
      }
      expect(failures).toEqual([]);
      expect(primes).toBeGreaterThan(20); // about 1500 * 2 / ln(2^64) = 68
    });

    it('primes h * 2^k + 1 with long zero runs in w - 1 (k = 100, 300, 700) are accepted', () => {
      for (const k of [100, 300, 700]) {
        let h = 1n;
        while (!isPrimeRef(h * pow2(k) + 1n)) h += 2n;
        const p = h * pow2(k) + 1n;
        expect(bn.millerRabin(p, PRIME_ROUNDS), `h=${h} k=${k}`).toBe(true);
        // and a composite of the same shape
        let g = h + 2n;
        while (isPrimeRef(g * pow2(k) + 1n)) g += 2n;
        expect(bn.millerRabin(g * pow2(k) + 1n, COMPOSITE_ROUNDS), `h=${g} k=${k}`).toBe(false);
      }
    });
  });

  it('millerRabin throws RangeError for even inputs and inputs <= 3', () => {
    for (const w of [
      -(pow2(61) - 1n),
      -5n,
      -1n,
      0n,
      1n,
      2n,
      3n,
      4n,
      6n,
      8n,
      65536n,
      pow2(64),
      pow2(2048),
      (pow2(127) - 1n) * 2n,
    ]) {
      expect(() => bn.millerRabin(w, PRIME_ROUNDS), `${w}`).toThrow(RangeError);
      expect(() => bn.millerRabin(w, 0), `${w}`).toThrow(RangeError);
    }
  });

  describe('passesTrialDivision', () => {
    it('the core sieves the same 6541 odd primes below 2^16', () => {
      expect(SMALL_PRIMES.length).toBe(6541);
      expect(SMALL_PRIMES[SMALL_PRIMES.length - 1]).toBe(65521);
      expect(core.run(FLAG_RSA, () => testExports(core).bn_small_prime_count())).toBe(6541);
    });

    it('every odd prime below 2^16 fails on itself, on its square and on a large multiple', () => {
      const big = genPrime(256);
      const failures: string[] = [];
      for (const p of SMALL_PRIMES) {
        const bp = BigInt(p);
        if (bn.passesTrialDivision(bp)) failures.push(`${p}`);
        if (bn.passesTrialDivision(bp * bp)) failures.push(`${p}^2`);
        if (bn.passesTrialDivision(bp * big)) failures.push(`${p} * ${hex(big)}`);
      }
      expect(failures).toEqual([]);
    });

    it('multiples of 3 and of 65521 fail; large primes and products of primes above 2^16 pass', () => {
      const [p512, p1024] = GENERATED_PRIMES();
      for (let i = 0; i < 10; i++) expect(bn.passesTrialDivision(3n * (randBits(1000) | 1n))).toBe(false);
      for (const p of [p512!, p1024!, pow2(127) - 1n]) expect(bn.passesTrialDivision(65521n * p)).toBe(false);
      expect(bn.passesTrialDivision(65521n * 65521n)).toBe(false);
      expect(bn.passesTrialDivision(0n)).toBe(false); // every prime divides 0
      for (const p of [...GENERATED_PRIMES(), ...KNOWN_PRIMES.map(([, v]) => v).filter((v) => v > 65536n)]) {
        expect(bn.passesTrialDivision(p), hex(p)).toBe(true);
      }
      expect(bn.passesTrialDivision(65537n * 65539n)).toBe(true);
      expect(bn.passesTrialDivision(65537n * 65537n)).toBe(true);
      expect(bn.passesTrialDivision(genPrime(512) * genPrime(512))).toBe(true);
      // the largest candidates: 2048 bits (RSA_4096's primes); larger inputs are refused
      const n2048 = genPrime(1024) * genPrime(1024);
      expect(bn.passesTrialDivision(n2048)).toBe(true);
      expect(bn.passesTrialDivision(n2048 * 3n)).toBe(false);
      expect(() => bn.passesTrialDivision(n2048 * n2048)).toThrow(RangeError);
      // only odd primes are tried: 1, powers of two and 2 * (large prime) pass
      for (const w of [1n, 2n, 4n, pow2(100), pow2(2047), 2n * 65537n])
        expect(bn.passesTrialDivision(w), `${w}`).toBe(true);
    });

    it('takes values up to 2128 bits (the core table size) and refuses wider ones with a RangeError', () => {
      expect(bn.passesTrialDivision(pow2(2128) - 1n)).toBe(false); // divisible by 3
      const rough = genPrime(1000) * genPrime(1000) * genPrime(127);
      expect(bitLength(rough)).toBeLessThanOrEqual(2128);
      expect(bn.passesTrialDivision(rough)).toBe(true);
      expect(() => bn.passesTrialDivision(pow2(2128))).toThrow(RangeError);
      expect(() => bn.passesTrialDivision(randBits(2200) | pow2(2199) | 1n)).toThrow(RangeError);
    });

    it('agrees with a BigInt reference on random values and rough numbers', () => {
      const ref = (w: bigint): boolean => SMALL_PRIMES.every((p) => w % BigInt(p) !== 0n);
      const values: bigint[] = [];
      for (const bits of [17, 32, 64, 200, 1000, 2048]) for (let i = 0; i < 8; i++) values.push(randBits(bits) | 1n);
      // rough numbers (no factor below 2^16), some times one small prime
      for (let i = 0; i < 10; i++) {
        const rough = genPrime(64) * genPrime(200);
        values.push(rough, rough * BigInt(SMALL_PRIMES[Math.floor(Math.random() * SMALL_PRIMES.length)]!));
      }
      let passed = 0;
      for (const w of values) {
        const want = ref(w);
        if (want) passed++;
        expect(bn.passesTrialDivision(w), hex(w)).toBe(want);
      }
      expect(passed).toBeGreaterThanOrEqual(10);
    });
  });
});
