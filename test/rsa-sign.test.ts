// RSASSA-PKCS1-v1_5 and RSASSA-PSS from the WebAssembly core against node:crypto (OpenSSL),
// both ways, for every hash at every KMS key size, and Wycheproof's signature vectors.

import { describe, expect, it } from 'vitest';
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  generatePrimeSync,
  privateDecrypt,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { type Core, type CoreVariant } from '../src/core/module.js';
import { CoreError } from '../src/core/errors.js';
import { loadTestCore, newTestCore } from './helpers/test-core.js';
import { readVectorJson } from './helpers/vectors.js';
import { rsaSpki } from '../src/der/rsa.js';
import {
  generateRsa,
  privateFields,
  rsaOaepEncrypt,
  rsaPublicKeysCached,
  rsaSign,
  rsaVerify,
  type RsaSignatureHash,
  type RsaSignatureScheme,
} from '../src/core/rsa.js';

const VARIANTS: CoreVariant[] = ['simd', 'scalar'];
const SIZES = [2048, 3072, 4096] as const;
const HASHES: RsaSignatureHash[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const SCHEMES: RsaSignatureScheme[] = ['PKCS1', 'PSS'];
const nodeHash = (h: RsaSignatureHash): string => h.replace('-', '').toLowerCase();
const HLEN: Record<RsaSignatureHash, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

interface Key {
  bits: number;
  spki: Uint8Array;
  pkcs8: Uint8Array;
  pub: KeyObject;
  priv: KeyObject;
}

// One key per size for the whole file (node:crypto generates them).
const KEYS: Key[] = SIZES.map((bits) => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    bits,
    spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    pub: publicKey,
    priv: privateKey,
  };
});

function nodeOptions(key: KeyObject, scheme: RsaSignatureScheme, hash: RsaSignatureHash) {
  return scheme === 'PSS'
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HLEN[hash] }
    : { key, padding: constants.RSA_PKCS1_PADDING };
}

// Moduli whose bit length is 1 mod 8: EMSA-PSS then encodes into k - 1 bytes (emBits =
// modBits - 1 is a multiple of 8), the one case where emLen differs from k. OpenSSL makes only
// even-length moduli from modulusLength, so the key is built from two primes here.
function oddKey(bits: number): { pub: KeyObject; priv: KeyObject; spki: Uint8Array; pkcs8: Uint8Array } {
  const e = 65537n;
  const b64 = (x: bigint): string => {
    const hex = x.toString(16);
    return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
  };
  const modInv = (a: bigint, m: bigint): bigint => {
    let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
    while (r1 !== 0n) {
      const q = r0 / r1;
      [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
    }
    return ((s0 % m) + m) % m;
  };
  for (;;) {
    const p = generatePrimeSync((bits + 1) / 2, { bigint: true });
    const q = generatePrimeSync((bits - 1) / 2, { bigint: true });
    const n = p * q;
    if (n.toString(2).length !== bits || (p - 1n) % e === 0n || (q - 1n) % e === 0n) continue;
    const d = modInv(e, (p - 1n) * (q - 1n));
    const jwk = {
      kty: 'RSA',
      n: b64(n),
      e: b64(e),
      d: b64(d),
      p: b64(p),
      q: b64(q),
      dp: b64(d % (p - 1n)),
      dq: b64(d % (q - 1n)),
      qi: b64(modInv(q, p)),
    };
    const priv = createPrivateKey({ key: jwk, format: 'jwk' });
    const pub = createPublicKey(priv);
    return {
      pub,
      priv,
      spki: new Uint8Array(pub.export({ type: 'spki', format: 'der' })),
      pkcs8: new Uint8Array(priv.export({ type: 'pkcs8', format: 'der' })),
    };
  }
}

describe.each(VARIANTS)('RSASSA-PSS with moduli of 2049 and 3073 bits (%s build)', (variant) => {
  const core = loadTestCore(variant);
  for (const bits of [2049, 3073]) {
    it(`RSA ${bits}: ours verify in node:crypto, node's verify here, every hash`, () => {
      const key = oddKey(bits);
      for (const hash of HASHES) {
        const msg = createHash('sha256').update(`${variant}${bits}${hash}`).digest();
        const digest = new Uint8Array(createHash(nodeHash(hash)).update(msg).digest());
        const sig = rsaSign(core, key.pkcs8, 'PSS', hash, digest);
        expect(sig.length).toBe(Math.ceil(bits / 8));
        expect(verify(nodeHash(hash), msg, nodeOptions(key.pub, 'PSS', hash), sig)).toBe(true);
        const theirs = new Uint8Array(sign(nodeHash(hash), msg, nodeOptions(key.priv, 'PSS', hash)));
        expect(rsaVerify(core, key.spki, 'PSS', hash, digest, theirs)).toBe(true);
        const bad = theirs.slice();
        bad[bad.length - 1]! ^= 1;
        expect(rsaVerify(core, key.spki, 'PSS', hash, digest, bad)).toBe(false);
      }
    });
  }
});

describe('RSA blinding pairs', () => {
  // The core returns the next pair (A^2, Ai^2) in the 2k-byte buffer it was given (A || Ai,
  // big-endian); reading it after each rsa_sign shows that a fresh pair is a real one (A != 1,
  // A * Ai^e = 1 mod n) and that the next call squares it.
  it('a fresh pair satisfies A * Ai^e = 1 mod n with A != 1, and each signature squares it', () => {
    const core = newTestCore('simd');
    const key = KEYS[0]!;
    const k = key.bits / 8;
    const jwk = key.pub.export({ format: 'jwk' });
    const big = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
    const n = big(Buffer.from(jwk.n!, 'base64url'));
    const e = big(Buffer.from(jwk.e!, 'base64url'));
    const pow = (b: bigint, x: bigint): bigint => {
      let r = 1n;
      for (b %= n; x > 0n; x >>= 1n, b = (b * b) % n) if (x & 1n) r = (r * b) % n;
      return r;
    };
    const pairs: Array<{ a: bigint; ai: bigint; fresh: number }> = [];
    const raw = core.exports as unknown as Record<string, unknown>;
    const sign = raw.rsa_sign as (...args: number[]) => number;
    // The exports object is frozen: a copy with rsa_sign wrapped stands in for it.
    const recording = {
      ...raw,
      rsa_sign: (...args: number[]) => {
        const status = sign(...args);
        const [blind, fresh] = [args[args.length - 3]!, args[args.length - 2]!];
        const bytes = new Uint8Array(core.exports.memory.buffer, blind, 2 * k);
        pairs.push({ a: big(bytes.subarray(0, k)), ai: big(bytes.subarray(k)), fresh });
        return status;
      },
    };
    Object.defineProperty(core, 'exports', { value: recording });
    const digest = new Uint8Array(32).fill(3);
    for (let i = 0; i < 3; i++) rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-256', digest);
    expect(pairs.map((p) => p.fresh)).toEqual([1, 0, 0]);
    for (const p of pairs) {
      expect(p.a).not.toBe(1n);
      expect((p.a * pow(p.ai, e)) % n).toBe(1n);
    }
    expect(pairs[1]!.a).toBe((pairs[0]!.a * pairs[0]!.a) % n);
    expect(pairs[1]!.ai).toBe((pairs[0]!.ai * pairs[0]!.ai) % n);
    expect(pairs[2]!.a).toBe((pairs[1]!.a * pairs[1]!.a) % n);
  });
});

describe.each(VARIANTS)('RSA signatures (%s build)', (variant) => {
  const core = loadTestCore(variant);
  for (const key of KEYS) {
    for (const scheme of SCHEMES) {
      for (const hash of HASHES) {
        it(`${scheme} ${hash} RSA_${key.bits}: ours verify in node:crypto, node's verify here`, () => {
          const msg = createHash('sha256').update(`${variant}${key.bits}${scheme}${hash}`).digest();
          const digest = new Uint8Array(createHash(nodeHash(hash)).update(msg).digest());
          const sig = rsaSign(core, key.pkcs8, scheme, hash, digest);
          expect(sig.length).toBe(key.bits / 8);
          expect(verify(nodeHash(hash), msg, nodeOptions(key.pub, scheme, hash), sig)).toBe(true);
          expect(rsaVerify(core, key.spki, scheme, hash, digest, sig)).toBe(true);
          const theirs = new Uint8Array(sign(nodeHash(hash), msg, nodeOptions(key.priv, scheme, hash)));
          expect(rsaVerify(core, key.spki, scheme, hash, digest, theirs)).toBe(true);
          // a flipped bit anywhere fails
          const bad = theirs.slice();
          bad[bad.length >> 1]! ^= 1;
          expect(rsaVerify(core, key.spki, scheme, hash, digest, bad)).toBe(false);
          const otherDigest = digest.slice();
          otherDigest[0]! ^= 0x80;
          expect(rsaVerify(core, key.spki, scheme, hash, otherDigest, sig)).toBe(false);
        });
      }
    }
  }
});

// ---- Wycheproof ---------------------------------------------------------------------------

interface WycheproofSigFile {
  testGroups: {
    publicKeyDer: string;
    sha: string;
    sLen?: number;
    mgfSha?: string;
    tests: { tcId: number; comment: string; flags: string[]; msg: string; sig: string; result: string }[];
  }[];
}

const WYCHEPROOF: { file: string; scheme: RsaSignatureScheme; hash: RsaSignatureHash }[] = [
  { file: 'rsa_signature_2048_sha256_test.json', scheme: 'PKCS1', hash: 'SHA-256' },
  { file: 'rsa_signature_3072_sha384_test.json', scheme: 'PKCS1', hash: 'SHA-384' },
  { file: 'rsa_signature_4096_sha512_test.json', scheme: 'PKCS1', hash: 'SHA-512' },
  { file: 'rsa_pss_2048_sha256_mgf1_32_test.json', scheme: 'PSS', hash: 'SHA-256' },
  { file: 'rsa_pss_3072_sha256_mgf1_32_test.json', scheme: 'PSS', hash: 'SHA-256' },
  { file: 'rsa_pss_4096_sha512_mgf1_64_test.json', scheme: 'PSS', hash: 'SHA-512' },
];

const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('Wycheproof RSA signature verification', () => {
  const core = loadTestCore('simd');
  for (const { file, scheme, hash } of WYCHEPROOF) {
    it(`${file}: every valid signature verifies, every invalid one and the one acceptable (MissingNull) fail`, () => {
      const data = readVectorJson<WycheproofSigFile>(`wycheproof/${file}`);
      const counts = { valid: 0, invalid: 0, acceptable: 0 };
      for (const g of data.testGroups) {
        expect(g.sha).toBe(hash);
        if (scheme === 'PSS') {
          expect(g.mgfSha).toBe(hash);
          expect(g.sLen).toBe(HLEN[hash]);
        }
        const spki = fromHex(g.publicKeyDer);
        for (const t of g.tests) {
          const digest = new Uint8Array(createHash(nodeHash(hash)).update(fromHex(t.msg)).digest());
          const got = rsaVerify(core, spki, scheme, hash, digest, fromHex(t.sig));
          // KMS, like OpenSSL, takes the DigestInfo with its NULL parameters only.
          const want = t.result === 'valid';
          if (got !== want) throw new Error(`tcId ${t.tcId} (${t.comment}, ${t.result}): verify returned ${got}`);
          counts[t.result as keyof typeof counts]++;
        }
      }
      expect(counts.valid).toBeGreaterThan(5);
      expect(counts.invalid).toBeGreaterThan(40);
    });
  }
});

// ---- Keys, inputs, fault check --------------------------------------------------------------

describe('RSA signing keys and inputs', () => {
  const core = loadTestCore('simd');
  const key = KEYS[0]!;
  const digest = new Uint8Array(createHash('sha256').update('fault').digest());

  it('signs with a key the engine generated (its PKCS#8 as generateRsa writes it)', () => {
    const engineDigest = new Uint8Array(createHash('sha256').update('engine key').digest());
    const pair = generateRsa(core, 2048);
    const pub = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
    for (const scheme of SCHEMES) {
      const sig = rsaSign(core, pair.privateKey, scheme, 'SHA-256', engineDigest);
      expect(verify('sha256', Buffer.from('engine key'), nodeOptions(pub, scheme, 'SHA-256'), sig)).toBe(true);
      expect(rsaVerify(core, pair.publicKey, scheme, 'SHA-256', engineDigest, sig)).toBe(true);
    }
  });

  it('PKCS#1 v1.5 signatures are deterministic; PSS signatures differ (random salt) and all verify', () => {
    const a = rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-256', digest);
    const b = rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-256', digest);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const p = rsaSign(core, key.pkcs8, 'PSS', 'SHA-256', digest);
    const q = rsaSign(core, key.pkcs8, 'PSS', 'SHA-256', digest);
    expect(Buffer.from(p).equals(Buffer.from(q))).toBe(false);
    expect(rsaVerify(core, key.spki, 'PSS', 'SHA-256', digest, p)).toBe(true);
    expect(rsaVerify(core, key.spki, 'PSS', 'SHA-256', digest, q)).toBe(true);
  });

  it('70 signatures in a row with one key (two fresh blinding pairs and the squared ones between) all verify in node:crypto', () => {
    for (let i = 0; i < 70; i++) {
      const d = new Uint8Array(createHash('sha256').update(`m${i}`).digest());
      const sig = rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-256', d);
      expect(verify('sha256', Buffer.from(`m${i}`), key.pub, sig)).toBe(true);
    }
  });

  it('refuses a digest of the wrong length, an unknown hash or scheme', () => {
    expect(() => rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-384', digest)).toThrow(RangeError);
    expect(() => rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-1' as RsaSignatureHash, digest)).toThrow(TypeError);
    expect(() => rsaSign(core, key.pkcs8, 'RAW' as RsaSignatureScheme, 'SHA-256', digest)).toThrow(TypeError);
    expect(() => rsaVerify(core, key.spki, 'PSS', 'SHA-512', digest, new Uint8Array(256))).toThrow(RangeError);
    expect(rsaVerify(core, key.spki, 'PSS', 'SHA-256', digest, new Uint8Array(255))).toBe(false);
    expect(rsaVerify(core, key.spki, 'PKCS1', 'SHA-256', digest, new Uint8Array(256).fill(0xff))).toBe(false);
  });

  it('a fault in one CRT half is caught by the check: RSA_FAULT, and no signature comes out', () => {
    const x = core.exports as unknown as { rsa_test_fault(on: number): void };
    const good = rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-256', digest);
    x.rsa_test_fault(1);
    try {
      for (const scheme of SCHEMES) {
        let caught: unknown;
        try {
          rsaSign(core, key.pkcs8, scheme, 'SHA-256', digest);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(CoreError);
        expect((caught as CoreError).code).toBe('RSA_FAULT');
      }
    } finally {
      x.rsa_test_fault(0);
    }
    expect(Buffer.from(rsaSign(core, key.pkcs8, 'PKCS1', 'SHA-256', digest)).equals(Buffer.from(good))).toBe(true);
  });
});

/** a^-1 mod m for gcd(a, m) = 1 (extended Euclid). */
function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

describe('RSA private key fields for the core', () => {
  it("equal node:crypto's JWK components: n, e, p, q minimal, dP, qInv at p's length and dQ at q's", () => {
    const strip = (b: Buffer): Buffer => b.subarray(Math.min(b.findIndex((x) => x !== 0) >>> 0, b.length - 1));
    // 512 to 624 bits in steps of 16: values with odd and even numbers of hexadecimal digits.
    for (let t = 0; t < 24; t++) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 512 + 16 * (t % 8) });
      const jwk = privateKey.export({ format: 'jwk' });
      const { fields, k } = privateFields(new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })));
      const want = (name: string): Buffer => strip(Buffer.from(jwk[name as keyof typeof jwk] as string, 'base64url'));
      const [n, e, , p, q, dP, dQ, qInv] = fields.map((f) => Buffer.from(f));
      expect(n!.equals(want('n'))).toBe(true);
      expect(k).toBe(n!.length);
      expect(e!.equals(want('e'))).toBe(true);
      expect(p!.equals(want('p'))).toBe(true);
      expect(q!.equals(want('q'))).toBe(true);
      for (const [got, name, like] of [
        [dP!, 'dp', p!],
        [dQ!, 'dq', q!],
        [qInv!, 'qi', p!],
      ] as const) {
        expect(got.length).toBe(like.length);
        expect(strip(got).equals(want(name))).toBe(true);
      }
    }
  });
});

// ---- Public key cache -----------------------------------------------------------------------

describe.each(VARIANTS)('RSA public key cache (%s build)', (variant) => {
  // Public operations keep, per SPKI, the parsed key and the constants of its modulus (R^2 mod n
  // and R mod n, R = 2^(28 L) for L = ceil((bits + 2) / 28) limbs) that the core makes on first
  // use; the core gets them back in the buffer of rsa_verify's last argument (2k bytes, then a
  // flag byte: 1 = given). A copy of the exports records that buffer before and after each call.
  const big = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
  const modulus = (spki: Uint8Array): bigint => {
    const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    return big(Buffer.from(jwk.n!, 'base64url'));
  };
  interface Call {
    given: boolean;
    kept: Uint8Array;
  }
  function recordingCore(): { core: Core; calls: Call[] } {
    const core = newTestCore(variant);
    const raw = core.exports as unknown as Record<string, unknown>;
    const inner = raw.rsa_verify as (...args: number[]) => number;
    const calls: Call[] = [];
    const recording = {
      ...raw,
      rsa_verify: (...args: number[]) => {
        const [k, kept] = [args[1]!, args[args.length - 1]!];
        const given = new Uint8Array(core.exports.memory.buffer, kept + 2 * k, 1)[0] === 1;
        const result = inner(...args);
        calls.push({ given, kept: new Uint8Array(core.exports.memory.buffer, kept, 2 * k + 1).slice() });
        return result;
      },
    };
    Object.defineProperty(core, 'exports', { value: recording });
    return { core, calls };
  }
  const digest = new Uint8Array(createHash('sha256').update('cache').digest());
  const signed = (key: { priv: KeyObject }): Uint8Array =>
    new Uint8Array(sign('sha256', Buffer.from('cache'), key.priv));

  it('the constants kept are R^2 mod n and R mod n, and a key seen before gets them back', () => {
    const { core, calls } = recordingCore();
    for (const key of KEYS) {
      const n = modulus(key.spki);
      const k = key.bits / 8;
      const R = 1n << BigInt(28 * Math.ceil((key.bits + 2) / 28));
      const sig = signed(key);
      expect(rsaVerify(core, key.spki, 'PKCS1', 'SHA-256', digest, sig)).toBe(true);
      const first = calls.at(-1)!;
      expect(big(first.kept.subarray(0, k))).toBe((R * R) % n);
      expect(big(first.kept.subarray(k, 2 * k))).toBe(R % n);
      expect(first.kept[2 * k]).toBe(1);
      expect(rsaVerify(core, key.spki, 'PKCS1', 'SHA-256', digest, sig)).toBe(true);
      expect(calls.at(-1)!.given).toBe(true);
    }
  });

  it('two keys alternating: each verifies its own signatures only, and OAEP encrypts to the right key', () => {
    const { core, calls } = recordingCore();
    const a = KEYS[0]!;
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const b = { spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })), priv: privateKey };
    const [sa, sb] = [signed(a), signed(b)];
    for (let round = 0; round < 3; round++) {
      expect(rsaVerify(core, a.spki, 'PKCS1', 'SHA-256', digest, sa)).toBe(true);
      expect(rsaVerify(core, b.spki, 'PKCS1', 'SHA-256', digest, sb)).toBe(true);
      expect(rsaVerify(core, b.spki, 'PKCS1', 'SHA-256', digest, sa)).toBe(false);
      expect(rsaVerify(core, a.spki, 'PKCS1', 'SHA-256', digest, sb)).toBe(false);
      for (const [spki, priv] of [
        [a.spki, a.priv],
        [b.spki, b.priv],
      ] as const) {
        const msg = randomBytes(20);
        const ct = rsaOaepEncrypt(core, spki, 'SHA-256', msg);
        const back = privateDecrypt({ key: priv, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ct);
        expect(back.equals(msg)).toBe(true);
      }
    }
    // Every verification after the first with each key was given the constants.
    expect(calls.filter((c) => c.given).length).toBeGreaterThanOrEqual(calls.length - 2);
  });

  it('a wrong signature is still rejected once the constants are kept', () => {
    const { core, calls } = recordingCore();
    const key = KEYS[0]!;
    const n = modulus(key.spki);
    const k = key.bits / 8;
    const sig = signed(key);
    expect(rsaVerify(core, key.spki, 'PKCS1', 'SHA-256', digest, sig)).toBe(true);
    const bytes = (v: bigint): Uint8Array => new Uint8Array(Buffer.from(v.toString(16).padStart(2 * k, '0'), 'hex'));
    const wrong = [0n, 1n, n - 1n, n, n + 1n, big(sig) + 1n, big(sig) ^ (1n << 1000n)].map(bytes);
    for (let i = 0; i < k; i += 37) {
      const flipped = sig.slice();
      flipped[i]! ^= 0x10;
      wrong.push(flipped);
    }
    for (const w of wrong) {
      expect(rsaVerify(core, key.spki, 'PKCS1', 'SHA-256', digest, w)).toBe(false);
      expect(rsaVerify(core, key.spki, 'PSS', 'SHA-256', digest, w)).toBe(false);
    }
    expect(calls.slice(1).every((c) => c.given)).toBe(true);
    expect(rsaVerify(core, key.spki, 'PKCS1', 'SHA-256', digest, sig)).toBe(true);
  });

  it('many keys: at most 256 are kept, the least recently used goes first, and an evicted key still verifies', () => {
    const { core, calls } = recordingCore();
    const keys = Array.from({ length: 300 }, () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 512 });
      return { spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })), priv: privateKey };
    });
    const sigs = keys.map(signed);
    const check = (i: number, given: boolean): void => {
      expect(rsaVerify(core, keys[i]!.spki, 'PKCS1', 'SHA-256', digest, sigs[i]!)).toBe(true);
      expect(calls.at(-1)!.given).toBe(given);
      expect(rsaVerify(core, keys[i]!.spki, 'PKCS1', 'SHA-256', digest, sigs[(i + 1) % keys.length]!)).toBe(false);
    };
    for (let i = 0; i < keys.length; i++) {
      check(i, false);
      if (i === 200) check(0, true); // key 0 used again: now more recent than keys 1 to 200
    }
    // Kept: keys 45 to 299 and key 0, the 256 most recently used.
    expect(rsaPublicKeysCached()).toBe(256);
    check(0, true);
    check(299, true);
    check(45, true);
    check(44, false); // evicted, made again (key 46 goes)
    check(44, true);
    check(46, false);
    expect(rsaPublicKeysCached()).toBe(256);
  });

  it('moduli past the 28-bit form (7110 bits; 32-bit limbs): verification is right and keeps no constants', () => {
    // A modulus of fifteen 512-bit primes (the core takes any odd modulus), so that a
    // signature s = EM^d mod n comes from CRT over small primes in BigInt.
    const { core, calls } = recordingCore();
    const e = 65537n;
    const primes: bigint[] = [];
    while (primes.length < 15) {
      const p = generatePrimeSync(512, { bigint: true });
      if ((p - 1n) % e !== 0n && !primes.includes(p)) primes.push(p);
    }
    const n = primes.reduce((a, b) => a * b, 1n);
    const k = Math.ceil(n.toString(2).length / 8);
    expect(n.toString(2).length).toBeGreaterThan(7110);
    const bytes = (v: bigint, len: number): Uint8Array =>
      new Uint8Array(Buffer.from(v.toString(16).padStart(2 * len, '0'), 'hex'));
    const pow = (b: bigint, x: bigint, m: bigint): bigint => {
      let r = 1n;
      for (b %= m; x > 0n; x >>= 1n, b = (b * b) % m) if (x & 1n) r = (r * b) % m;
      return r;
    };
    // EMSA-PKCS1-v1_5 with SHA-256: 00 01 FF..FF 00 || DigestInfo || H
    const info = Buffer.from('3031300d060960864801650304020105000420', 'hex');
    const em = big(
      Buffer.concat([
        Buffer.from([0, 1]),
        Buffer.alloc(k - 3 - info.length - 32, 0xff),
        Buffer.from([0]),
        info,
        digest,
      ]),
    );
    // s = EM^d mod n by CRT: s = EM^(e^-1 mod p-1) mod p for each p, combined.
    let sig = 0n;
    for (const p of primes) {
      const sp = pow(em, modInverse(e, p - 1n), p);
      const rest = n / p;
      sig = (sig + sp * rest * modInverse(rest % p, p)) % n;
    }
    expect(pow(sig, e, n)).toBe(em);
    const spki = rsaSpki(bytes(n, k), bytes(e, 3));
    const s = bytes(sig, k);
    for (let round = 0; round < 2; round++) {
      expect(rsaVerify(core, spki, 'PKCS1', 'SHA-256', digest, s)).toBe(true);
      expect(calls.at(-1)!.kept[2 * k]).toBe(0);
      const bad = s.slice();
      bad[k >> 1]! ^= 4;
      expect(rsaVerify(core, spki, 'PKCS1', 'SHA-256', digest, bad)).toBe(false);
    }
  });

  it('the core computes the constants again when the ones it is given are not below n', () => {
    const { core } = recordingCore();
    const key = KEYS[0]!;
    const k = key.bits / 8;
    const n = modulus(key.spki);
    const sig = signed(key);
    const jwk = key.pub.export({ format: 'jwk' });
    const nBytes = new Uint8Array(Buffer.from(jwk.n!, 'base64url'));
    const eBytes = new Uint8Array(Buffer.from(jwk.e!, 'base64url'));
    const x = core.exports as unknown as { rsa_verify(...args: number[]): number };
    for (const junk of [0xff, 0x00]) {
      const result = core.run(0, () => {
        const kept = core.exports.alloc(2 * k + 1);
        const view = core.bytes(kept, 2 * k + 1);
        view.fill(0xff);
        if (junk === 0) view.subarray(k, 2 * k).set(nBytes); // R^2 junk, R mod n = n: not below n
        view[2 * k] = 1;
        const args = [core.put(nBytes), k, core.put(eBytes), eBytes.length, 1, 3, core.put(digest), 32];
        const ok = x.rsa_verify(...args, core.put(sig), k, kept);
        return { ok, kept: core.take(kept, 2 * k + 1) };
      });
      expect(result.ok).toBe(1);
      expect(big(result.kept.subarray(0, k))).toBe((1n << BigInt(2 * 28 * Math.ceil((key.bits + 2) / 28))) % n);
    }
  });
});

// ---- Wide Montgomery multiplication ---------------------------------------------------------

describe.each(VARIANTS)('Montgomery multiplication past 128 limbs (%s build)', (variant) => {
  // A 4096-bit modulus is 147 28-bit limbs: a column holds up to 294 limb products, more than a
  // u64 sums exactly, so mont.ts keeps the two halves of each column apart there.
  const core = loadTestCore(variant);
  const x = core.exports as unknown as {
    bn_modmul(a: number, b: number, mod: number, len: number, sqr: number, out: number): void;
  };
  const big = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex'));
  const bytes = (v: bigint, len: number): Uint8Array =>
    new Uint8Array(Buffer.from(v.toString(16).padStart(2 * len, '0'), 'hex'));
  const modmul = (a: bigint, b: bigint, m: bigint, len: number, sqr: boolean): bigint =>
    core.run(0, () => {
      const out = core.exports.alloc(len);
      x.bn_modmul(core.put(bytes(a, len)), core.put(bytes(b, len)), core.put(bytes(m, len)), len, sqr ? 1 : 0, out);
      return big(core.take(out, len));
    });
  // 3616 bits and up: past 128 limbs. 880 to 3576 bits: 32 to 128 limbs, where montSqr takes
  // one loop per column with a masked last group and both store quotient digits by groups.
  for (const bits of [880, 1024, 1032, 1536, 2048, 3072, 3576, 3616, 4096, 6144, 7104]) {
    it(`${bits}-bit modulus: products and squares equal BigInt's, extreme values included`, () => {
      const len = bits / 8;
      const moduli = [
        (1n << BigInt(bits)) - 1n,
        (1n << BigInt(bits - 1)) + 1n,
        big(randomBytes(len)) | 1n | (1n << BigInt(bits - 1)),
      ];
      for (const m of moduli) {
        const values = [0n, 1n, m - 1n, m - 2n, m >> 1n, big(randomBytes(len)) % m, big(randomBytes(len)) % m];
        for (const a of values) {
          expect(modmul(a, a, m, len, true)).toBe((a * a) % m);
          const b = values[(values.indexOf(a) + 3) % values.length]!;
          expect(modmul(a, b, m, len, false)).toBe((a * b) % m);
        }
      }
    });
  }
});
