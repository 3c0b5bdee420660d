// ECDSA (src/core/ecdsa.ts) against independent implementations and published vectors:
// signatures made here verify in node:crypto (and @noble/curves for secp256k1), node:crypto's
// verify here, wrong message / key / signature are rejected, every Wycheproof ECDSA case
// gives its expected result, and the hedged nonce (RFC 6979 §3.6) is checked both ways: two
// signatures of one digest differ, and with the random input fixed the nonce is RFC 6979's
// (the RFC's own A.2.5-A.2.7 signatures with no random input, @noble/curves' hedged
// signature with 32 zero bytes when the runtime's random source returns zeros).

import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { loadCore, type Core } from '../src/core/module.js';
import { generateKeyPair, type KeyPairSpec } from '../src/core/index.js';
import { ecdsaSign, ecdsaVerify } from '../src/core/ecdsa.js';
import { EC_CURVES, ecFlag } from '../src/core/ec.js';
import { ecPkcs8, ecSpki, ecdsaSignatureDer, parseEcPkcs8, parseEcSpki, type EcCurve } from '../src/der/ec.js';
import { readVectorJson } from './helpers/vectors.js';
import { hex, unhex } from './helpers/hex.js';
import { withRandom } from './helpers/random.js';
import { loadTestCore, newTestCore } from './helpers/test-core.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  curveFromHex,
  generator,
  scalarMult,
  type CurveHex,
} from './helpers/ec-reference.js';

const VARIANTS = ['simd', 'scalar'] as const;

interface CurveCase {
  spec: KeyPairSpec;
  curve: EcCurve;
  hash: string;
  n: bigint;
}

const CURVES: CurveCase[] = [
  {
    spec: 'ECC_NIST_P256',
    curve: 'P-256',
    hash: 'sha256',
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  {
    spec: 'ECC_NIST_P384',
    curve: 'P-384',
    hash: 'sha384',
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  {
    spec: 'ECC_NIST_P521',
    curve: 'P-521',
    hash: 'sha512',
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
  {
    spec: 'ECC_SECG_P256K1',
    curve: 'secp256k1',
    hash: 'sha256',
    n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  },
];

const digestOf = (hash: string, msg: Uint8Array): Uint8Array =>
  new Uint8Array(crypto.createHash(hash).update(msg).digest());
const spkiKey = (spki: Uint8Array) => crypto.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
const pkcs8Key = (pkcs8: Uint8Array) =>
  crypto.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });

/** The (r, s) integers of a DER signature (lenient: for building test inputs only). */
function rs(sig: Uint8Array): { r: bigint; s: bigint } {
  const der = Buffer.from(sig);
  let at = der[1]! & 0x80 ? 3 : 2;
  const out: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    const len = der[at + 1]!;
    out.push(BigInt('0x' + (der.subarray(at + 2, at + 2 + len).toString('hex') || '0')));
    at += 2 + len;
  }
  return { r: out[0]!, s: out[1]! };
}

const bytesOf = (v: bigint, len: number): Uint8Array => unhex(v.toString(16).padStart(len * 2, '0'));

describe.each(VARIANTS)('ECDSA against node:crypto (%s)', (variant) => {
  const core = loadCore(variant);
  describe.each(CURVES)('$curve', ({ spec, curve, hash }) => {
    const { publicKey, privateKey } = generateKeyPair(spec, () => core);

    it('signatures made here verify in node:crypto, and only for their message and key', () => {
      const other = generateKeyPair(spec, () => core);
      for (let i = 0; i < 8; i++) {
        const msg = crypto.randomBytes(i * 37);
        const sig = ecdsaSign(core, privateKey, digestOf(hash, msg));
        expect(crypto.verify(hash, msg, spkiKey(publicKey), sig), `${curve} #${i}`).toBe(true);
        expect(crypto.verify(hash, Buffer.concat([msg, Buffer.from([1])]), spkiKey(publicKey), sig)).toBe(false);
        expect(crypto.verify(hash, msg, spkiKey(other.publicKey), sig)).toBe(false);
        // and here
        expect(ecdsaVerify(core, publicKey, digestOf(hash, msg), sig)).toBe(true);
      }
    });

    it("node:crypto's signatures verify here; a changed message, key or signature does not", () => {
      const other = generateKeyPair(spec, () => core);
      for (let i = 0; i < 8; i++) {
        const msg = crypto.randomBytes(1 + i * 29);
        const sig = new Uint8Array(crypto.sign(hash, msg, pkcs8Key(privateKey)));
        const digest = digestOf(hash, msg);
        expect(ecdsaVerify(core, publicKey, digest, sig), `${curve} #${i}`).toBe(true);
        const badDigest = digest.slice();
        badDigest[i % badDigest.length]! ^= 0x10;
        expect(ecdsaVerify(core, publicKey, badDigest, sig)).toBe(false);
        expect(ecdsaVerify(core, other.publicKey, digest, sig)).toBe(false);
        const badSig = sig.slice();
        badSig[badSig.length - 1 - (i % 8)]! ^= 0x01;
        expect(ecdsaVerify(core, publicKey, digest, badSig)).toBe(false);
        // s and n - s both verify (no low-s rule); r + n or s + n do not.
        const { r, s } = rs(sig);
        const n = CURVES.find((c) => c.curve === curve)!.n;
        const len = EC_CURVES[curve].bytes;
        expect(ecdsaVerify(core, publicKey, digest, ecdsaSignatureDer(bytesOf(r, len), bytesOf(n - s, len)))).toBe(
          true,
        );
        expect(
          ecdsaVerify(core, publicKey, digest, ecdsaSignatureDer(bytesOf(r, len + 1), bytesOf(s + n, len + 1))),
        ).toBe(false);
        expect(
          ecdsaVerify(core, publicKey, digest, ecdsaSignatureDer(bytesOf(r + n, len + 1), bytesOf(s, len + 1))),
        ).toBe(false);
      }
    });

    it('takes digests of any length (bits2int): node:crypto agrees through its own truncation', () => {
      for (const h of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
        const msg = crypto.randomBytes(50);
        const sig = ecdsaSign(core, privateKey, digestOf(h, msg));
        expect(crypto.verify(h, msg, spkiKey(publicKey), sig), `${curve}/${h}`).toBe(true);
        const theirs = new Uint8Array(crypto.sign(h, msg, pkcs8Key(privateKey)));
        expect(ecdsaVerify(core, publicKey, digestOf(h, msg), theirs), `${curve}/${h}`).toBe(true);
      }
      // Empty and odd-length digests sign and verify here.
      for (const len of [0, 1, 17, 65, 100]) {
        const digest = crypto.randomBytes(len);
        const sig = ecdsaSign(core, privateKey, digest);
        expect(ecdsaVerify(core, publicKey, digest, sig), `${curve} ${len}-byte digest`).toBe(true);
      }
    });

    it('two signatures of the same digest differ (fresh randomness in the nonce)', () => {
      const digest = digestOf(hash, new Uint8Array([1, 2, 3]));
      const a = ecdsaSign(core, privateKey, digest);
      const b = ecdsaSign(core, privateKey, digest);
      expect(hex(a)).not.toBe(hex(b));
      expect(rs(a).r).not.toBe(rs(b).r);
    });
  });

  it('rejects malformed signatures: BER lengths, trailing bytes, negative and non-minimal integers, r or s = 0', () => {
    const { publicKey, privateKey } = generateKeyPair('ECC_NIST_P256', () => core);
    const digest = digestOf('sha256', new Uint8Array([7]));
    const sig = ecdsaSign(core, privateKey, digest);
    const { r, s } = rs(sig);
    expect(ecdsaVerify(core, publicKey, digest, sig)).toBe(true);
    const int = (v: Uint8Array) => Buffer.concat([Buffer.from([0x02, v.length]), v]);
    const seq = (...parts: Uint8Array[]) => {
      const body = Buffer.concat(parts);
      return new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    };
    const minimal = (v: bigint) => {
      let h = v.toString(16);
      if (h.length % 2) h = '0' + h;
      if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h;
      return unhex(h);
    };
    expect(ecdsaVerify(core, publicKey, digest, seq(int(minimal(r)), int(minimal(s))))).toBe(true);
    const bad: Uint8Array[] = [
      new Uint8Array(Buffer.concat([Buffer.from(sig), Buffer.from([0])])), // trailing byte
      seq(int(minimal(r)), int(minimal(s)), int(minimal(1n))), // a third integer
      seq(int(Buffer.concat([Buffer.from([0]), minimal(r)])), int(minimal(s))), // non-minimal r
      seq(int(minimal(r)), int(minimal(s)).subarray(0, 1)), // truncated
      seq(int(minimal(0n)), int(minimal(s))), // r = 0
      seq(int(minimal(r)), int(minimal(0n))), // s = 0
      seq(int(unhex('ff')), int(minimal(s))), // negative r
      new Uint8Array(Buffer.concat([Buffer.from([0x30, 0x81, sig[1]!]), Buffer.from(sig.subarray(2))])), // BER length
      new Uint8Array(0),
      sig.subarray(0, sig.length - 1),
    ];
    for (const [i, b] of bad.entries()) expect(ecdsaVerify(core, publicKey, digest, b), `case ${i}`).toBe(false);
  });

  it('refuses keys of curves without ECDSA here (SM2) and private keys out of range', () => {
    const sm2 = generateKeyPair('SM2', () => core);
    expect(() => ecdsaSign(core, sm2.privateKey, new Uint8Array(32))).toThrow(RangeError);
    expect(() => ecdsaVerify(core, sm2.publicKey, new Uint8Array(32), new Uint8Array(8))).toThrow(RangeError);
    const { point } = parseEcSpki(generateKeyPair('ECC_NIST_P256', () => core).publicKey);
    const n = CURVES[0]!.n;
    expect(() => ecdsaSign(core, ecPkcs8('P-256', bytesOf(n, 32), point), new Uint8Array(32))).toThrow(/\[1, n-1\]/);
    expect(() => ecdsaSign(core, ecPkcs8('P-256', bytesOf(n + 5n, 32), point), new Uint8Array(32))).toThrow(
      /\[1, n-1\]/,
    );
  });
});

describe('ECDSA secp256k1 against @noble/curves', () => {
  const core = loadCore();
  it('signatures made here verify in @noble/curves (high s allowed) and theirs here', () => {
    for (let i = 0; i < 10; i++) {
      const { publicKey, privateKey } = generateKeyPair('ECC_SECG_P256K1', () => core);
      const point = parseEcSpki(publicKey).point;
      const digest = crypto.randomBytes(32);
      const sig = ecdsaSign(core, privateKey, digest);
      expect(secp256k1.verify(sig, digest, point, { prehash: false, lowS: false, format: 'der' })).toBe(true);
      const d = parseEcPkcs8(privateKey).privateKey;
      const theirs = secp256k1.sign(digest, d, { prehash: false, format: 'der' });
      expect(ecdsaVerify(core, publicKey, digest, theirs)).toBe(true);
    }
  });
});

// ---- Wycheproof ------------------------------------------------------------------------------

interface WycheproofEcdsa {
  testGroups: {
    publicKeyDer: string;
    sha: string;
    tests: { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }[];
  }[];
}

const NODE_HASH: Record<string, string> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

describe.each([
  'ecdsa_secp256r1_sha256_test.json',
  'ecdsa_secp384r1_sha384_test.json',
  'ecdsa_secp384r1_sha256_test.json',
  'ecdsa_secp521r1_sha512_test.json',
  'ecdsa_secp256k1_sha256_test.json',
])('Wycheproof %s', (file) => {
  it('accepts every valid signature and rejects every invalid one', () => {
    const core = loadCore();
    const data = readVectorJson<WycheproofEcdsa>(`wycheproof/${file}`);
    const counts = { valid: 0, invalid: 0, acceptable: 0 };
    const wrong: string[] = [];
    for (const group of data.testGroups) {
      const spki = unhex(group.publicKeyDer);
      for (const t of group.tests) {
        const digest = digestOf(NODE_HASH[group.sha]!, unhex(t.msg));
        const ok = ecdsaVerify(core, spki, digest, unhex(t.sig));
        counts[t.result]++;
        // No acceptable cases in these files; were there any, they would have to be rejected.
        if (ok !== (t.result === 'valid')) wrong.push(`tcId ${t.tcId} (${t.result}, ${t.flags.join(',')}): got ${ok}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(counts.valid).toBeGreaterThan(150);
    expect(counts.invalid).toBeGreaterThan(300);
  });
});

// ---- RFC 6979 nonces ---------------------------------------------------------------------------

interface Rfc6979Fixture {
  curves: {
    section: string;
    curve: EcCurve;
    x: string;
    Ux: string;
    Uy: string;
    signatures: { hash: string; message: string; k: string; r: string; s: string }[];
  }[];
}

const HASH_ID: Record<string, number> = { 'SHA-1': 1, 'SHA-224': 2, 'SHA-256': 3, 'SHA-384': 4, 'SHA-512': 5 };
const NODE_NAME: Record<string, string> = {
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

interface SignWithExports {
  ec_ecdsa_sign_with(
    id: number,
    hashId: number,
    d: number,
    h: number,
    hLen: number,
    extra: number,
    extraLen: number,
    outR: number,
    outS: number,
  ): number;
}

/** Test module: ECDSA with the hedge given (0 bytes: RFC 6979 §3.2 exactly). r || s as hex. */
function signWith(core: Core, curve: EcCurve, hashId: number, d: Uint8Array, digest: Uint8Array, extra: Uint8Array) {
  const { id, bytes } = EC_CURVES[curve];
  return core.run(ecFlag(id), (x) => {
    const dp = core.put(d);
    const hp = core.put(digest);
    const ep = core.put(extra);
    const outR = x.alloc(bytes);
    const outS = x.alloc(bytes);
    const status = (x as unknown as SignWithExports).ec_ecdsa_sign_with(
      id,
      hashId,
      dp,
      hp,
      digest.length,
      ep,
      extra.length,
      outR,
      outS,
    );
    expect(status).toBe(0);
    return { r: hex(core.take(outR, bytes)), s: hex(core.take(outS, bytes)) };
  });
}

describe.each(VARIANTS)('RFC 6979 nonces (%s)', (variant) => {
  const fixture = readVectorJson<Rfc6979Fixture>('facts/rfc6979_ecdsa_a2.json');

  it('without the random input, signatures are RFC 6979 A.2.5-A.2.7 byte for byte', () => {
    const core = loadTestCore(variant);
    let checked = 0;
    for (const c of fixture.curves) {
      const len = EC_CURVES[c.curve].bytes;
      const d = unhex(c.x.padStart(len * 2, '0'));
      for (const v of c.signatures) {
        const digest = digestOf(NODE_NAME[v.hash]!, new TextEncoder().encode(v.message));
        const got = signWith(core, c.curve, HASH_ID[v.hash]!, d, digest, new Uint8Array(0));
        expect(got, `${c.section} ${v.hash} "${v.message}"`).toEqual({
          r: v.r.toLowerCase().padStart(len * 2, '0'),
          s: v.s.toLowerCase().padStart(len * 2, '0'),
        });
        checked++;
      }
    }
    expect(checked).toBe(14);
  });

  it("with the random source returning zeros, the signature is valid and is RFC 6979 §3.6 with k' = 32 zero bytes", () => {
    const core = loadCore(variant);
    // The RFC's A.2.5 key, as a PKCS#8 key record holds it.
    const a25 = fixture.curves[0]!;
    const point = unhex('04' + a25.Ux + a25.Uy);
    const pkcs8 = ecPkcs8('P-256', unhex(a25.x), point);
    const spki = ecSpki('P-256', point);
    for (const message of ['sample', 'test', '']) {
      const digest = digestOf('sha256', new TextEncoder().encode(message));
      const sig = withRandom(
        (a) => a.fill(0),
        () => ecdsaSign(core, pkcs8, digest),
      );
      expect(ecdsaVerify(core, spki, digest, sig)).toBe(true);
      expect(crypto.verify('sha256', Buffer.from(message), spkiKey(spki), sig)).toBe(true);
      // @noble/curves' hedged signing: the same HMAC_DRBG, k' appended to its seed.
      const noble = p256.sign(digest, unhex(a25.x), {
        prehash: false,
        lowS: false,
        format: 'der',
        extraEntropy: new Uint8Array(32),
      });
      expect(hex(sig), message).toBe(hex(noble));
      // and through the test module's entry point with 32 zero bytes given
      const direct = signWith(loadTestCore(variant), 'P-256', 3, unhex(a25.x), digest, new Uint8Array(32));
      const { r, s } = rs(sig);
      expect(direct).toEqual({ r: r.toString(16).padStart(64, '0'), s: s.toString(16).padStart(64, '0') });
      // A zero k' is not the deterministic nonce: the RFC's own signature differs.
      if (message === 'sample') expect(r.toString(16)).not.toBe(a25.signatures[2]!.r.toLowerCase());
    }
  });

  it("secp256k1 with the random source returning zeros equals @noble/curves with the same k'", () => {
    const core = loadCore(variant);
    const { privateKey } = generateKeyPair('ECC_SECG_P256K1', () => core);
    const d = parseEcPkcs8(privateKey).privateKey;
    const digest = crypto.randomBytes(32);
    const sig = withRandom(
      (a) => a.fill(0),
      () => ecdsaSign(core, privateKey, digest),
    );
    const noble = secp256k1.sign(digest, d, {
      prehash: false,
      lowS: false,
      format: 'der',
      extraEntropy: new Uint8Array(32),
    });
    expect(hex(sig)).toBe(hex(noble));
  });
});

// ---- The variable-time [u1]G + [u2]Q of verification, its special cases included -------------

interface DoubleMultExports {
  ec_double_scalar_mult(id: number, u1: number, u2: number, qx: number, qy: number, outX: number, outY: number): number;
}

describe.each(VARIANTS)('[u1]G + [u2]Q (%s)', (variant) => {
  const params = readVectorJson<{ curves: Record<string, CurveHex> }>('facts/ec_curve_params.json').curves;
  it.each(CURVES)(
    '$curve: random, Q = G with u1 = u2 (a doubling inside), u2 = n - u1 (infinity), zeros',
    ({ curve }) => {
      // A fresh instance: its first call per curve has no fixed-base table yet.
      const core = newTestCore(variant);
      const ref = curveFromHex(curve, params[curve]!);
      const G = generator(ref)!;
      const { id, bytes } = EC_CURVES[curve];
      const run = (u1: bigint, u2: bigint, Q: { x: bigint; y: bigint }) =>
        core.run(ecFlag(id), (x) => {
          const a = core.put(bigIntToBytes(u1, bytes));
          const b = core.put(bigIntToBytes(u2, bytes));
          const qx = core.put(bigIntToBytes(Q.x, bytes));
          const qy = core.put(bigIntToBytes(Q.y, bytes));
          const ox = x.alloc(bytes);
          const oy = x.alloc(bytes);
          const finite = (x as unknown as DoubleMultExports).ec_double_scalar_mult(id, a, b, qx, qy, ox, oy);
          return finite ? { x: bytesToBigInt(core.take(ox, bytes)), y: bytesToBigInt(core.take(oy, bytes)) } : null;
        });
      const rand = () => bytesToBigInt(crypto.randomBytes(bytes + 8)) % ref.n;
      // Twice each: the curve's first call works without its fixed-base table, later ones with it.
      for (let round = 0; round < 2; round++) {
        const d = rand();
        const Q = scalarMult(ref, d, G)!;
        for (let i = 0; i < 3; i++) {
          const u1 = rand();
          const u2 = rand();
          expect(run(u1, u2, Q)).toEqual(scalarMult(ref, (u1 + u2 * d) % ref.n, G));
        }
        const u = rand();
        expect(run(u, u, G)).toEqual(scalarMult(ref, (2n * u) % ref.n, G));
        expect(run(u, ref.n - u, G)).toBeNull();
        expect(run(0n, 0n, Q)).toBeNull();
        expect(run(0n, 1n, Q)).toEqual(Q);
        expect(run(1n, 0n, Q)).toEqual(G);
        expect(run(1n, ref.n - 1n, G)).toBeNull();
        // [u2]G equal to the first piece the fixed-base table adds: a doubling in the addition
        expect(run(5n, 5n, G)).toEqual(scalarMult(ref, 10n, G));
        expect(run(ref.n - 3n, 3n, G)).toBeNull();
        // Scalars at the ends of the range (secp256k1 splits u2 with its endomorphism)
        for (const u2 of [ref.n - 1n, ref.n - 2n, 1n << BigInt(ref.bits - 1), (1n << 128n) - 1n, 1n << 128n]) {
          expect(run(0n, u2, Q), u2.toString(16)).toEqual(scalarMult(ref, (u2 * d) % ref.n, G));
        }
        const lambda = 0x5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72n;
        expect(run(0n, lambda, Q)).toEqual(scalarMult(ref, (lambda * d) % ref.n, G));
      }
    },
  );
});
