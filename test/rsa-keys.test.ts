// RSA key pairs from both WebAssembly builds, checked independently of our DER code:
// node:crypto (OpenSSL) parses the DER, BigInt arithmetic checks FIPS 186-5 A.1.3, and the
// openssl CLI validates the keys on its own.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  constants,
  createHash,
  checkPrimeSync,
  createPublicKey,
  generatePrimeSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY_PAIR_SPECS, generateKeyPair } from '../src/core/index.js';
import { type Core, loadCore, type CoreVariant } from '../src/core/module.js';
import { CoreError } from '../src/core/errors.js';
import { loadTestCore, newTestCore, testExports } from './helpers/test-core.js';
import { generateRsa } from '../src/core/rsa.js';
import {
  bigintToBytes,
  bitLength,
  crtProblems,
  gcd,
  importPrivate,
  importPublic,
  lcm,
  opensslCheckPrivate,
  opensslReadPublic,
  primeProblems,
  privateExponentProblems,
  problemCodes,
  publicProblems,
  randomBelow,
  rawRsaProblems,
  rsaKeyProblems,
  rsaValues,
  type RsaValues,
} from './helpers/rsa-check.js';

interface GeneratedKey {
  label: string;
  nlen: number;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** Every key generated in this file, for the uniqueness test at the end. */
const allKeys: GeneratedKey[] = [];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'wasm-kms-rsa-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function generate(core: Core, nlen: number, label: string): GeneratedKey {
  const { publicKey, privateKey } = generateRsa(core, nlen);
  const key = { label, nlen, publicKey, privateKey };
  allKeys.push(key);
  return key;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const fileName = (label: string): string => label.replace(/[^A-Za-z0-9]+/g, '_');

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };

function pssSign(priv: KeyObject, msg: Buffer): Buffer {
  return sign('sha256', msg, { key: priv, ...PSS });
}
function pssVerify(pub: KeyObject, msg: Buffer, sig: Buffer): boolean {
  return verify('sha256', msg, { key: pub, ...PSS }, sig);
}

/** Everything the per-size tests check, in one call (for keys generated elsewhere). */
function expectValidKey(key: GeneratedKey): void {
  const priv = importPrivate(key.privateKey);
  const pub = importPublic(key.publicKey);
  expect(same(createPublicKey(priv).export({ type: 'spki', format: 'der' }), key.publicKey), key.label).toBe(true);
  expect(same(priv.export({ type: 'pkcs8', format: 'der' }), key.privateKey), key.label).toBe(true);
  const msg = randomBytes(64);
  expect(pssVerify(pub, msg, pssSign(priv, msg)), key.label).toBe(true);
  const v = rsaValues(key.privateKey);
  expect(rsaKeyProblems(v, key.nlen), key.label).toEqual([]);
  expect(rawRsaProblems(v, randomBelow(v.n)), key.label).toEqual([]);
  const check = opensslCheckPrivate(tmp, fileName(key.label), key.privateKey);
  expect(check.status, `${key.label}: ${check.stderr}`).toBe(0);
}

// ---- Per size: keys from both builds ---------------------------------------------------

const SIZES = [
  { spec: 'RSA_2048', nlen: 2048, simd: 3, scalar: 3 },
  { spec: 'RSA_3072', nlen: 3072, simd: 3, scalar: 2 },
  { spec: 'RSA_4096', nlen: 4096, simd: 1, scalar: 1 },
] as const;

for (const { spec, nlen, simd, scalar } of SIZES) {
  describe(`${spec}: ${simd} keys from the SIMD build, ${scalar} from the scalar build`, () => {
    const keys: GeneratedKey[] = [];
    const half = nlen / 2;

    beforeAll(() => {
      for (const [variant, count] of [
        ['simd', simd],
        ['scalar', scalar],
      ] as [CoreVariant, number][]) {
        const core = loadCore(variant);
        expect(core.variant).toBe(variant);
        for (let i = 1; i <= count; i++) keys.push(generate(core, nlen, `${spec} ${variant} #${i}`));
      }
    }, 120_000);

    const values = (key: GeneratedKey): RsaValues => rsaValues(key.privateKey);

    it('node:crypto imports the PKCS#8 private key and the SPKI public key', () => {
      expect(keys).toHaveLength(simd + scalar);
      for (const key of keys) {
        const priv = importPrivate(key.privateKey);
        const pub = importPublic(key.publicKey);
        expect(priv.type, key.label).toBe('private');
        expect(priv.asymmetricKeyType, key.label).toBe('rsa');
        expect(priv.asymmetricKeyDetails, key.label).toEqual({ modulusLength: nlen, publicExponent: 65537n });
        expect(pub.type, key.label).toBe('public');
        expect(pub.asymmetricKeyType, key.label).toBe('rsa');
        expect(pub.asymmetricKeyDetails, key.label).toEqual({ modulusLength: nlen, publicExponent: 65537n });
      }
    });

    it('the public key node derives from the private key is our SPKI, byte for byte', () => {
      for (const key of keys) {
        const derived = createPublicKey(importPrivate(key.privateKey)).export({ type: 'spki', format: 'der' });
        expect(Buffer.from(key.publicKey).toString('hex'), key.label).toBe(derived.toString('hex'));
      }
    });

    it('node re-encodes the private key to our PKCS#8 bytes exactly (canonical DER, v0, NULL params)', () => {
      for (const key of keys) {
        const again = importPrivate(key.privateKey).export({ type: 'pkcs8', format: 'der' });
        expect(Buffer.from(key.privateKey).toString('hex'), key.label).toBe(again.toString('hex'));
      }
    });

    it('RSA-PSS SHA-256: signs with our private key, verifies with our SPKI, rejects a changed message, signature or key', () => {
      keys.forEach((key, i) => {
        const priv = importPrivate(key.privateKey);
        const pub = importPublic(key.publicKey);
        const msg = randomBytes(100);
        const sig = pssSign(priv, msg);
        expect(sig.length, key.label).toBe(nlen / 8);
        expect(pssVerify(pub, msg, sig), key.label).toBe(true);
        const otherMsg = Buffer.from(msg);
        otherMsg[37] ^= 0x01;
        expect(pssVerify(pub, otherMsg, sig), key.label).toBe(false);
        const otherSig = Buffer.from(sig);
        otherSig[otherSig.length - 1] ^= 0x80;
        expect(pssVerify(pub, msg, otherSig), key.label).toBe(false);
        const otherKey = importPublic(keys[(i + 1) % keys.length]!.publicKey);
        expect(pssVerify(otherKey, msg, sig), key.label).toBe(false);
      });
    });

    it('RSA-OAEP SHA-256: encrypts with our SPKI, decrypts with our private key', () => {
      for (const key of keys) {
        const msg = randomBytes(64);
        const ct = publicEncrypt({ key: importPublic(key.publicKey), ...OAEP }, msg);
        expect(ct.length, key.label).toBe(nlen / 8);
        expect(privateDecrypt({ key: importPrivate(key.privateKey), ...OAEP }, ct).equals(msg), key.label).toBe(true);
      }
    });

    it(`the modulus has exactly ${nlen} bits and e = 65537`, () => {
      for (const key of keys) {
        const v = values(key);
        expect(bitLength(v.n), key.label).toBe(nlen);
        expect(v.e, key.label).toBe(65537n);
        // the SPKI carries the same n and e as the private key
        const jwk = importPublic(key.publicKey).export({ format: 'jwk' });
        expect([jwk.n, jwk.e], key.label).toEqual([
          Buffer.from(bigintToBytes(v.n)).toString('base64url'),
          Buffer.from(bigintToBytes(v.e)).toString('base64url'),
        ]);
        expect(publicProblems(v, nlen), key.label).toEqual([]);
      }
    });

    it(`p and q: probable primes of ${half} bits, ≥ √2·2^${half - 1}, gcd(e, p−1) = gcd(e, q−1) = 1, |p − q| > 2^${half - 100}, n = p·q`, () => {
      for (const key of keys) {
        const v = values(key);
        expect(bitLength(v.p), key.label).toBe(half);
        expect(bitLength(v.q), key.label).toBe(half);
        // p ≥ √2·2^(k−1)  ⇔  p² ≥ 2^(2k−1) for integers p > 0
        expect(v.p * v.p >= 1n << BigInt(nlen - 1), key.label).toBe(true);
        expect(v.q * v.q >= 1n << BigInt(nlen - 1), key.label).toBe(true);
        expect(gcd(v.e, v.p - 1n), key.label).toBe(1n);
        expect(gcd(v.e, v.q - 1n), key.label).toBe(1n);
        const diff = v.p > v.q ? v.p - v.q : v.q - v.p;
        expect(diff > 1n << BigInt(half - 100), key.label).toBe(true);
        expect(v.p * v.q, key.label).toBe(v.n);
        // and the primality (checkPrimeSync, 32 Miller-Rabin rounds each)
        expect(primeProblems(v, nlen, 32), key.label).toEqual([]);
      }
    }, 60_000);

    it(`d = e⁻¹ mod lcm(p−1, q−1), reduced (d < λ), and d > 2^${half}`, () => {
      for (const key of keys) {
        const v = values(key);
        const lambda = lcm(v.p - 1n, v.q - 1n);
        expect((v.d * v.e) % lambda, key.label).toBe(1n);
        expect(v.d < lambda, key.label).toBe(true);
        expect(v.d > 1n << BigInt(half), key.label).toBe(true);
        expect(privateExponentProblems(v, nlen), key.label).toEqual([]);
      }
    });

    it('CRT values: dP = d mod (p−1), dQ = d mod (q−1), qInv·q ≡ 1 (mod p) with qInv < p; raw RSA with d and with CRT gives m back', () => {
      for (const key of keys) {
        const v = values(key);
        expect(v.dP, key.label).toBe(v.d % (v.p - 1n));
        expect(v.dQ, key.label).toBe(v.d % (v.q - 1n));
        expect((v.qInv * v.q) % v.p, key.label).toBe(1n);
        expect(v.qInv > 0n && v.qInv < v.p, key.label).toBe(true);
        expect(crtProblems(v), key.label).toEqual([]);
        expect(rawRsaProblems(v, randomBelow(v.n)), key.label).toEqual([]);
      }
    }, 60_000);

    it('openssl pkey -check accepts the private key; openssl pkey -pubin reads the SPKI (and -pubcheck passes)', () => {
      for (const key of keys) {
        const name = fileName(key.label);
        const priv = opensslCheckPrivate(tmp, name, key.privateKey);
        expect(priv.status, `${key.label}: ${priv.stderr}`).toBe(0);
        expect(priv.stdout + priv.stderr, key.label).toMatch(/Key is valid/);
        const pub = opensslReadPublic(tmp, name, key.publicKey);
        expect(pub.status, `${key.label}: ${pub.stderr}`).toBe(0);
        const pubcheck = opensslReadPublic(tmp, name, key.publicKey, true);
        expect(pubcheck.status, `${key.label}: ${pubcheck.stderr}`).toBe(0);
      }
    }, 60_000);
  });
}

// ---- Public API -------------------------------------------------------------------------

describe('generateKeyPair (public API, default core)', () => {
  it('KEY_PAIR_SPECS lists RSA_2048, RSA_3072 and RSA_4096', () => {
    expect([...KEY_PAIR_SPECS]).toEqual(expect.arrayContaining(['RSA_2048', 'RSA_3072', 'RSA_4096']));
  });

  it('generateKeyPair("RSA_2048") returns a valid 2048-bit key pair', () => {
    const pair = generateKeyPair('RSA_2048');
    expect(pair.publicKey).toBeInstanceOf(Uint8Array);
    expect(pair.privateKey).toBeInstanceOf(Uint8Array);
    const key = { label: 'generateKeyPair RSA_2048', nlen: 2048, ...pair };
    allKeys.push(key);
    expectValidKey(key);
  }, 30_000);

  it.each([
    ['RSA_1024', 'RSA_1024'],
    ['toString', 'toString'],
    ['the empty string', ''],
    ['a lower-case spec', 'rsa_2048'],
    ['a spec with a trailing space', 'RSA_2048 '],
    ['__proto__', '__proto__'],
    ['a near miss of an EC spec', 'ECC_NIST_P255'],
    ['undefined', undefined],
    ['a number', 2048],
  ])('rejects %s with a TypeError naming every valid spec', (_name, spec) => {
    let thrown: unknown;
    try {
      generateKeyPair(spec as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    for (const valid of KEY_PAIR_SPECS) expect(message).toContain(valid);
  });
});

// ---- Entropy ----------------------------------------------------------------------------

/** A deterministic getRandomValues: SHA-256(seed ‖ counter) blocks. Records what it gave. */
function deterministicRandom(seed: string, failOnCall = Infinity) {
  let counter = 0;
  let calls = 0;
  const given: Buffer[] = [];
  const fill = <T extends ArrayBufferView | null>(view: T): T => {
    calls++;
    if (calls >= failOnCall) throw new Error(`entropy source failed on request ${calls}`);
    const v = view as unknown as ArrayBufferView;
    const out = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    for (let off = 0; off < out.length; off += 32) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, out.length - off)), off);
    }
    given.push(Buffer.from(out));
    return view;
  };
  return { fill, given, calls: () => calls };
}

/** Runs fn with globalThis.crypto.getRandomValues replaced; always restores it. */
function withRandom<R>(impl: (view: ArrayBufferView | null) => ArrayBufferView | null, fn: () => R): R {
  const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(impl as never);
  try {
    return fn();
  } finally {
    spy.mockRestore();
  }
}

/** A fresh, unshared core (its own instance and memory) of the test module, which reports scratchHighWater. */
function freshCore(variant: CoreVariant): Core {
  return newTestCore(variant);
}

/** Whether any of the given byte strings (or a 32-byte sample of it) is in the core's memory. */
function memoryHolds(core: Core, secrets: Uint8Array[]): boolean {
  const mem = Buffer.from(core.exports.memory.buffer);
  return secrets.some((s) => {
    for (let off = 0; off + 32 <= s.length; off += 512) {
      if (mem.indexOf(Buffer.from(s.subarray(off, off + 32))) >= 0) return true;
    }
    return false;
  });
}

describe('entropy', () => {
  it('key generation draws its randomness from globalThis.crypto.getRandomValues', () => {
    const original = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
    const sizes: number[] = [];
    const key = withRandom(
      (view) => {
        sizes.push(view!.byteLength);
        return original(view as Uint8Array);
      },
      () => generate(loadCore('scalar'), 2048, 'entropy pass-through'),
    );
    expect(sizes.length).toBeGreaterThan(0);
    for (const s of sizes) expect(s).toBeLessThanOrEqual(65536);
    expectValidKey(key);
  }, 30_000);

  it.each(['scalar', 'simd'] as const)(
    'a throwing getRandomValues makes generation throw (%s core); the core is wiped and still works afterwards',
    (variant) => {
      const core = loadTestCore(variant);
      const failure = new Error('entropy source unavailable');
      let calls = 0;
      expect(() =>
        withRandom(
          () => {
            calls++;
            throw failure;
          },
          () => generateRsa(core, 2048),
        ),
      ).toThrow(CoreError);
      expect(calls).toBe(1); // the very first request already failed, and it was not retried
      let err: unknown;
      try {
        withRandom(
          () => {
            throw failure;
          },
          () => generateRsa(core, 2048),
        );
      } catch (e) {
        err = e;
      }
      expect((err as CoreError).code).toBe('ENTROPY_FAILURE');
      expect((err as CoreError).cause).toBe(failure);
      expect(testExports(core).scratchHighWater()).toBe(0); // run() wiped the scratch memory
      expectValidKey(generate(core, 2048, `after a failed getRandomValues (${variant})`));
    },
    30_000,
  );

  it('a getRandomValues failure in the middle of generation propagates; none of the bytes it gave stay in memory', () => {
    // A full run with this seed makes `total` requests; the replay fails on the last of them,
    // so the failure lands mid-generation whatever the pool size is.
    const full = deterministicRandom('mid-generation failure');
    withRandom(full.fill, () => generateRsa(freshCore('scalar'), 2048));
    const total = full.calls();
    expect(total).toBeGreaterThan(1);
    const core = freshCore('scalar');
    const rnd = deterministicRandom('mid-generation failure', total);
    expect(() => withRandom(rnd.fill, () => generateRsa(core, 2048))).toThrow(
      `entropy source failed on request ${total}`,
    );
    expect(rnd.given).toHaveLength(total - 1);
    expect(testExports(core).scratchHighWater()).toBe(0);
    expect(memoryHolds(core, rnd.given)).toBe(false);
    expectValidKey(generate(core, 2048, 'after a mid-generation failure (fresh scalar core)'));
  }, 30_000);

  it('a getRandomValues that returns without filling the given buffer is refused', () => {
    const core = loadTestCore('scalar');
    expect(() =>
      withRandom(
        () => new Uint8Array(16384),
        () => generateRsa(core, 2048),
      ),
    ).toThrow(/did not fill/);
    expect(testExports(core).scratchHighWater()).toBe(0);
  });

  it('after generation, no copy of p, q, d or the entropy remains in the core memory', () => {
    const core = freshCore('simd');
    const rnd = deterministicRandom('memory hygiene');
    const key = withRandom(rnd.fill, () => generate(core, 2048, 'memory hygiene (fresh simd core)'));
    const v = rsaValues(key.privateKey);
    const secrets = [v.p, v.q, v.d, v.dP, v.dQ, v.qInv].map(bigintToBytes);
    expect(memoryHolds(core, secrets)).toBe(false);
    expect(memoryHolds(core, rnd.given)).toBe(false);
  }, 30_000);

  it('with the same deterministic entropy, fresh SIMD and scalar cores produce the same valid key; other entropy gives another key', () => {
    const run = (variant: CoreVariant, seed: string) => {
      const rnd = deterministicRandom(seed);
      const key = withRandom(rnd.fill, () => generateRsa(freshCore(variant), 2048));
      expect(rnd.calls()).toBeGreaterThan(0);
      return key;
    };
    const a = run('simd', 'seed A');
    const b = run('scalar', 'seed A');
    expect(Buffer.from(b.privateKey).toString('hex')).toBe(Buffer.from(a.privateKey).toString('hex'));
    expect(Buffer.from(b.publicKey).toString('hex')).toBe(Buffer.from(a.publicKey).toString('hex'));
    const c = run('scalar', 'seed B');
    expect(same(c.publicKey, a.publicKey)).toBe(false);
    for (const [label, k] of [
      ['deterministic seed A', a],
      ['deterministic seed B', c],
    ] as const) {
      const key = { label, nlen: 2048, ...k };
      allKeys.push(key);
      expectValidKey(key);
    }
  }, 30_000);
});

// ---- The checks themselves catch broken keys ----------------------------------------------

describe('the checks reject broken keys', () => {
  let key: GeneratedKey;
  let good: RsaValues;

  beforeAll(() => {
    key = generate(loadCore('scalar'), 2048, 'checker base key');
    good = rsaValues(key.privateKey);
  }, 30_000);

  it('the unaltered key passes every check', () => {
    expect(rsaKeyProblems(good, 2048)).toEqual([]);
    expect(rawRsaProblems(good, randomBelow(good.n))).toEqual([]);
  });

  const k = 1024;
  type Mutation = [what: string, code: string, mutate: (v: RsaValues) => Partial<RsaValues>];
  const MUTATIONS: Mutation[] = [
    ['n has lost its top bit', 'n-bits', (v) => ({ n: v.n - (1n << 2047n) })],
    ['n is not p·q', 'n-pq', (v) => ({ n: v.n + 2n })],
    ['e is 3', 'e', () => ({ e: 3n })],
    [
      'p is a product of two 512-bit primes',
      'p-prime',
      () => ({
        p: generatePrimeSync(512, { bigint: true }) * generatePrimeSync(512, { bigint: true }),
      }),
    ],
    ['q is even', 'q-prime', (v) => ({ q: v.q + 1n })],
    ['p has 1023 bits', 'p-bits', (v) => ({ p: (v.p >> 1n) | 1n })],
    ['q has 1025 bits', 'q-bits', (v) => ({ q: (v.q << 1n) | 1n })],
    ['p is just below √2·2^1023', 'p-sqrt2', () => ({ p: sqrt2Floor(k) })],
    ['p ≡ 1 (mod e)', 'p-gcd', (v) => ({ p: primeWithPMinus1DivisibleByE(v.p) })],
    ['q = p + 2', 'p-q-distance', (v) => ({ q: v.p + 2n })],
    ['|p − q| = 2^924 exactly', 'p-q-distance', (v) => ({ q: v.p - (1n << 924n) })],
    ['d is off by 2', 'd-inverse', (v) => ({ d: v.d + 2n })],
    ['d is not reduced (d + λ)', 'd-reduced', (v) => ({ d: v.d + lcm(v.p - 1n, v.q - 1n) })],
    ['d is e⁻¹ mod φ(n) (plus φ if that is below λ) instead of e⁻¹ mod λ', 'd-reduced', (v) => ({ d: dModPhi(v) })],
    ['d is tiny', 'd-small', () => ({ d: 1n })],
    ['dP is not reduced', 'dP', (v) => ({ dP: v.dP + v.p - 1n })],
    ['dQ is off by one', 'dQ', (v) => ({ dQ: v.dQ + 1n })],
    ['qInv is off by one', 'qInv-inverse', (v) => ({ qInv: v.qInv + 1n })],
    ['qInv is not reduced', 'qInv-reduced', (v) => ({ qInv: v.qInv + v.p })],
    ['p and q are swapped (CRT values not)', 'qInv-inverse', (v) => ({ p: v.q, q: v.p })],
  ];

  it.each(MUTATIONS)('flags %s (%s)', (_what, code, mutate) => {
    const bad = { ...good, ...mutate(good) };
    expect(problemCodes(rsaKeyProblems(bad, 2048))).toContain(code);
  });

  it('raw RSA with CRT notices a wrong dP even though d is right', () => {
    const bad = { ...good, dP: good.dP + 2n };
    expect(problemCodes(rawRsaProblems(bad, randomBelow(good.n)))).toEqual(['raw-crt']);
  });

  it('a byte changed in the SPKI modulus no longer matches the public key node derives, and signatures fail', () => {
    const spki = Buffer.from(key.publicKey);
    const at = spki.indexOf(Buffer.from(bigintToBytes(good.n)));
    expect(at).toBeGreaterThan(0);
    spki[at + 100] ^= 0x10;
    const derived = createPublicKey(importPrivate(key.privateKey)).export({ type: 'spki', format: 'der' });
    expect(spki.equals(derived)).toBe(false);
    const msg = randomBytes(32);
    expect(pssVerify(importPublic(spki), msg, pssSign(importPrivate(key.privateKey), msg))).toBe(false);
  });

  it('openssl pkey -check rejects a PKCS#8 key whose q was altered, and so do our checks', () => {
    const pk8 = Buffer.from(key.privateKey);
    const at = pk8.indexOf(Buffer.from(bigintToBytes(good.q)));
    expect(at).toBeGreaterThan(0);
    pk8[at + 127] ^= 0x02; // q ± 2: odd, so only a real primality / consistency check notices
    const result = opensslCheckPrivate(tmp, 'tampered_q', pk8);
    expect(result.status).not.toBe(0);
    const codes = problemCodes(rsaKeyProblems(rsaValues(pk8), 2048));
    expect(codes).toContain('n-pq');
    expect(codes).toContain('qInv-inverse');
  });

  it('openssl pkey -check rejects a PKCS#8 key whose d was altered', () => {
    const pk8 = Buffer.from(key.privateKey);
    const dBytes = Buffer.from(bigintToBytes(good.d));
    const at = pk8.indexOf(dBytes);
    expect(at).toBeGreaterThan(0);
    pk8[at + dBytes.length - 10] ^= 0x01;
    expect(opensslCheckPrivate(tmp, 'tampered_d', pk8).status).not.toBe(0);
    expect(problemCodes(rsaKeyProblems(rsaValues(pk8), 2048))).toContain('d-inverse');
  });
});

// ---- Across all keys -------------------------------------------------------------------------

describe('all keys generated in this file', () => {
  it('no modulus or prime repeats, and no two moduli share a factor', () => {
    const values = allKeys.map((k) => rsaValues(k.privateKey));
    // a full run has 22: 6 + 5 + 2 per size, the public API key, the entropy and checker keys
    expect(allKeys.length).toBeGreaterThan(1);
    const moduli = values.map((v) => v.n.toString(16));
    expect(new Set(moduli).size).toBe(moduli.length);
    const primes = values.flatMap((v) => [v.p.toString(16), v.q.toString(16)]);
    expect(new Set(primes).size).toBe(primes.length);
    for (let i = 0; i < values.length; i++) {
      for (let j = i + 1; j < values.length; j++) {
        expect(gcd(values[i]!.n, values[j]!.n), `${allKeys[i]!.label} / ${allKeys[j]!.label}`).toBe(1n);
      }
    }
  });
});

/** floor(√2·2^(k−1)): the largest k-bit integer below the FIPS 186-5 bound. */
function sqrt2Floor(k: number): bigint {
  // integer square root of 2^(2k−1) by Newton's method
  const target = 1n << BigInt(2 * k - 1);
  let x = 1n << BigInt(k);
  for (;;) {
    const y = (x + target / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  if (x * x === target) x -= 1n;
  return x;
}

/** A prime near p (same size) with p ≡ 1 (mod 65537), i.e. gcd(e, p − 1) = e. */
function primeWithPMinus1DivisibleByE(p: bigint): bigint {
  let c = p - ((p - 1n) % 65537n); // c ≡ 1 (mod e)
  if ((c & 1n) === 0n) c += 65537n; // still ≡ 1 (mod e), now odd
  while (!checkPrimeSync(c, { checks: 8 })) c += 2n * 65537n;
  return c;
}

/** e⁻¹ mod φ(n) = (p−1)(q−1): a valid but unreduced RSA exponent whenever it exceeds λ. */
function dModPhi(v: RsaValues): bigint {
  const phi = (v.p - 1n) * (v.q - 1n);
  // extended Euclid
  let [r0, r1] = [65537n, phi];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const t = r0 / r1;
    [r0, r1] = [r1, r0 - t * r1];
    [s0, s1] = [s1, s0 - t * s1];
  }
  const d = ((s0 % phi) + phi) % phi;
  // e⁻¹ mod φ = (e⁻¹ mod λ) + jλ for some 0 ≤ j < φ/λ; when j = 0, add φ to leave the range
  return d >= lcm(v.p - 1n, v.q - 1n) ? d : d + phi;
}
