// ML-DSA (FIPS 204) in the core (assembly/mldsa/) on both builds:
//  - NIST ACVP: keyGen (ξ → pk, sk), sigGen (every group: pure and pre-hash M' with contexts,
//    internal M' and external μ, deterministic and hedged with the given rnd) and sigVer (every
//    testPassed value), through the test module's internal-function entry points;
//  - Wycheproof mldsa_{44,65,87}_sign_seed_test (keys from the seed, signatures byte for byte,
//    also through the library's PKCS#8 path) and mldsa_*_verify_test (every valid one accepted,
//    every invalid one refused);
//  - @noble/post-quantum: the same pk/sk from random seeds, the same signatures with rnd fixed
//    (pure and external μ), and each side accepts the other's signatures;
//  - the library API (src/core/mldsa.ts): DER key pairs, hedged signing (rnd is the host's
//    random bytes; a failing source is ENTROPY_FAILURE), RAW and EXTERNAL_MU, false for bad
//    signatures, no secret left in memory, refused arguments;
//  - Decompose of every r in [0, q) against FIPS 204's definition;
//  - the DER of src/der/mldsa.ts.

import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { type CoreVariant } from '../src/core/module.js';
import { CORE_STATUS, CoreError } from '../src/core/errors.js';
import { withRandom } from './helpers/random.js';
import { caughtSync } from './helpers/caught.js';
import { loadTestCore, testExports } from './helpers/test-core.js';
import { readVectorJson } from './helpers/vectors.js';
import {
  generateMlDsa,
  mldsaKeygenInternal,
  mldsaSign,
  mldsaSignInternal,
  mldsaSignWithRnd,
  mldsaVerify,
  mldsaVerifyInternal,
  type MlDsaExports,
} from '../src/core/mldsa.js';
import {
  ML_DSA_LEVELS,
  ML_DSA_OIDS,
  mldsaPkcs8,
  mldsaSpki,
  mldsaSignatureBytes,
  parseMlDsaPkcs8,
  parseMlDsaSpki,
  type MlDsaLevel,
} from '../src/der/mldsa.js';
import {
  DerError,
  derBitString,
  derContextPrimitive,
  derIntegerSmall,
  derNull,
  derOctetString,
  derOid,
  derSequence,
} from '../src/der/index.js';
import { hex, unhex } from './helpers/hex.js';

const NOBLE = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const;
const LEVEL_OF: Record<string, MlDsaLevel> = { 'ML-DSA-44': 44, 'ML-DSA-65': 65, 'ML-DSA-87': 87 };
const ZERO_RND = new Uint8Array(32);

/** M' of pure ML-DSA (FIPS 204 Alg. 2 line 10): 0 ‖ |ctx| ‖ ctx ‖ M. */
function pureMessage(ctx: Uint8Array, msg: Uint8Array): Uint8Array {
  if (ctx.length > 255) throw new RangeError('context over 255 bytes');
  return Uint8Array.from([0, ctx.length, ...ctx, ...msg]);
}

// The DER OIDs and node:crypto names of the pre-hash functions of HashML-DSA (FIPS 204 §5.4.1).
const PRE_HASH: Record<string, { oid: string; name: string; outputLength?: number }> = {
  'SHA2-224': { oid: '2.16.840.1.101.3.4.2.4', name: 'sha224' },
  'SHA2-256': { oid: '2.16.840.1.101.3.4.2.1', name: 'sha256' },
  'SHA2-384': { oid: '2.16.840.1.101.3.4.2.2', name: 'sha384' },
  'SHA2-512': { oid: '2.16.840.1.101.3.4.2.3', name: 'sha512' },
  'SHA2-512/224': { oid: '2.16.840.1.101.3.4.2.5', name: 'sha512-224' },
  'SHA2-512/256': { oid: '2.16.840.1.101.3.4.2.6', name: 'sha512-256' },
  'SHA3-224': { oid: '2.16.840.1.101.3.4.2.7', name: 'sha3-224' },
  'SHA3-256': { oid: '2.16.840.1.101.3.4.2.8', name: 'sha3-256' },
  'SHA3-384': { oid: '2.16.840.1.101.3.4.2.9', name: 'sha3-384' },
  'SHA3-512': { oid: '2.16.840.1.101.3.4.2.10', name: 'sha3-512' },
  'SHAKE-128': { oid: '2.16.840.1.101.3.4.2.11', name: 'shake128', outputLength: 32 },
  'SHAKE-256': { oid: '2.16.840.1.101.3.4.2.12', name: 'shake256', outputLength: 64 },
};

/** M' of HashML-DSA (FIPS 204 Alg. 4 line 23): 1 ‖ |ctx| ‖ ctx ‖ OID(PH) ‖ PH(M). */
function preHashMessage(hashAlg: string, ctx: Uint8Array, msg: Uint8Array): Uint8Array {
  const ph = PRE_HASH[hashAlg];
  if (!ph) throw new Error(`unknown pre-hash ${hashAlg}`);
  const digest = createHash(ph.name, ph.outputLength ? { outputLength: ph.outputLength } : {})
    .update(msg)
    .digest();
  return Uint8Array.from([1, ctx.length, ...ctx, ...derOid(ph.oid), ...digest]);
}

/** The input of Sign_internal / Verify_internal for an ACVP test. */
function acvpInput(g: any, t: any): { message: Uint8Array; externalMu: boolean } {
  if (g.signatureInterface === 'internal') {
    return g.externalMu ? { message: unhex(t.mu), externalMu: true } : { message: unhex(t.message), externalMu: false };
  }
  const ctx = unhex(t.context ?? '');
  const msg = unhex(t.message);
  const message = g.preHash === 'preHash' ? preHashMessage(t.hashAlg, ctx, msg) : pureMessage(ctx, msg);
  return { message, externalMu: false };
}

/** μ = H(H(pk, 64) ‖ M', 64) (FIPS 204 Alg. 7 line 6 with tr of Alg. 6 line 9), by node:crypto. */
function muOf(pk: Uint8Array, messagePrime: Uint8Array): Uint8Array {
  const tr = createHash('shake256', { outputLength: 64 }).update(pk).digest();
  return new Uint8Array(createHash('shake256', { outputLength: 64 }).update(tr).update(messagePrime).digest());
}

for (const variant of ['simd', 'scalar'] as CoreVariant[]) {
  describe(`ML-DSA in the core (${variant})`, () => {
    const core = loadTestCore(variant);

    it('NIST ACVP ML-DSA keyGen (FIPS 204): 25 vectors per parameter set, ξ → pk, sk', () => {
      const file = readVectorJson<any>('nist-acvp/ML-DSA-keyGen-FIPS204/internalProjection.json');
      let n = 0;
      for (const g of file.testGroups) {
        const level = LEVEL_OF[g.parameterSet];
        for (const t of g.tests) {
          const { pk, sk } = mldsaKeygenInternal(core, level, unhex(t.seed));
          expect(hex(pk), `${g.parameterSet} tcId ${t.tcId}`).toBe(t.pk.toLowerCase());
          expect(hex(sk), `${g.parameterSet} tcId ${t.tcId}`).toBe(t.sk.toLowerCase());
          n++;
        }
      }
      expect(n).toBe(75);
    });

    it('NIST ACVP ML-DSA sigGen: all 360 signatures (pure, pre-hash, internal, external μ; deterministic and hedged)', () => {
      const prompt = readVectorJson<any>('nist-acvp/ML-DSA-sigGen-FIPS204/prompt.json');
      const expected = readVectorJson<any>('nist-acvp/ML-DSA-sigGen-FIPS204/expectedResults.json');
      const answers = new Map<string, string>();
      for (const g of expected.testGroups) for (const t of g.tests) answers.set(`${g.tgId}/${t.tcId}`, t.signature);
      const kinds = new Set<string>();
      let n = 0;
      for (const g of prompt.testGroups) {
        const level = LEVEL_OF[g.parameterSet];
        for (const t of g.tests) {
          const rnd = g.deterministic ? ZERO_RND : unhex(t.rnd);
          const sig = mldsaSignInternal(core, level, unhex(t.sk), acvpInput(g, t), rnd);
          expect(hex(sig), `tgId ${g.tgId} tcId ${t.tcId}`).toBe(answers.get(`${g.tgId}/${t.tcId}`)!.toLowerCase());
          kinds.add(`${g.signatureInterface}/${g.preHash ?? (g.externalMu ? 'mu' : 'message')}/${g.deterministic}`);
          n++;
        }
      }
      expect(n).toBe(360);
      expect(kinds.size).toBe(8);
    });

    it('NIST ACVP ML-DSA sigVer: 36 valid signatures accepted, 144 modified ones (message, c̃, z, hint) refused', () => {
      const file = readVectorJson<any>('nist-acvp/ML-DSA-sigVer-FIPS204/internalProjection.json');
      const counts = { pass: 0, fail: 0 };
      for (const g of file.testGroups) {
        const level = LEVEL_OF[g.parameterSet];
        for (const t of g.tests) {
          const ok = mldsaVerifyInternal(core, level, unhex(t.pk), acvpInput(g, t), unhex(t.signature));
          expect(ok, `tgId ${g.tgId} tcId ${t.tcId}: ${t.reason}`).toBe(t.testPassed);
          counts[ok ? 'pass' : 'fail']++;
        }
      }
      expect(counts).toEqual({ pass: 36, fail: 144 });
    });

    for (const level of ML_DSA_LEVELS) {
      it(`Wycheproof mldsa_${level}_sign_seed_test: keys from ξ, signatures byte for byte, invalid cases refused`, () => {
        const file = readVectorJson<any>(`wycheproof/mldsa_${level}_sign_seed_test.json`);
        const counts = { valid: 0, invalid: 0, library: 0 };
        for (const g of file.testGroups) {
          const seed = unhex(g.privateSeed);
          for (const t of g.tests) {
            const id = `tcId ${t.tcId} (${t.comment})`;
            if (t.result === 'invalid') {
              // A seed of the wrong length cannot be encoded, parsed or expanded; a context over 255
              // bytes cannot be put in M' (and the library signs with the empty context only).
              if (seed.length !== 32) {
                expect(t.flags, id).toContain('IncorrectPrivateKeyLength');
                expect(() => mldsaKeygenInternal(core, level, seed), id).toThrow(RangeError);
                expect(() => mldsaPkcs8(level, seed), id).toThrow(RangeError);
                const der = derSequence(
                  derIntegerSmall(0),
                  derSequence(derOid(ML_DSA_OIDS[level])),
                  derOctetString(derContextPrimitive(0, seed)),
                );
                expect(() => mldsaSign(core, der, new Uint8Array(1), 'RAW'), id).toThrow(DerError);
              } else {
                expect(t.flags, id).toContain('InvalidContext');
                expect(() => pureMessage(unhex(t.ctx), unhex(t.msg)), id).toThrow(RangeError);
              }
              counts.invalid++;
              continue;
            }
            expect(t.result, id).toBe('valid');
            const { pk, sk } = mldsaKeygenInternal(core, level, seed);
            expect(hex(pk), id).toBe(g.publicKey);
            if (g.privateKeyPkcs8) expect(hex(mldsaPkcs8(level, seed)), id).toBe(g.privateKeyPkcs8);
            const rnd = t.rnd ? unhex(t.rnd) : ZERO_RND;
            const input =
              t.msg === undefined
                ? { message: unhex(t.mu), externalMu: true }
                : { message: pureMessage(unhex(t.ctx ?? ''), unhex(t.msg)), externalMu: false };
            if (t.msg !== undefined && t.mu !== undefined) expect(hex(muOf(pk, input.message)), id).toBe(t.mu);
            const sig = mldsaSignInternal(core, level, sk, input, rnd);
            expect(hex(sig), id).toBe(t.sig);
            // The library's path (PKCS#8 seed, pure with empty context or external μ) with the same rnd.
            if (t.msg === undefined || !t.ctx) {
              const pkcs8 = mldsaPkcs8(level, seed);
              const viaLib =
                t.msg === undefined
                  ? mldsaSignWithRnd(core, pkcs8, unhex(t.mu), 'EXTERNAL_MU', rnd)
                  : mldsaSignWithRnd(core, pkcs8, unhex(t.msg), 'RAW', rnd);
              expect(hex(viaLib), id).toBe(t.sig);
              counts.library++;
            }
            counts.valid++;
          }
        }
        const expected = { 44: [82, 4], 65: [101, 4], 87: [92, 4] }[level];
        expect([counts.valid, counts.invalid], JSON.stringify(counts)).toEqual(expected);
        expect(counts.library).toBeGreaterThan(counts.valid / 2);
      });

      it(`Wycheproof mldsa_${level}_verify_test: every valid signature accepted, every invalid one refused`, () => {
        const file = readVectorJson<any>(`wycheproof/mldsa_${level}_verify_test.json`);
        const counts = { valid: 0, invalid: 0 };
        const md = core.exports as unknown as MlDsaExports;
        for (const g of file.testGroups) {
          const pk = unhex(g.publicKey);
          const spkiOk = pk.length === { 44: 1312, 65: 1952, 87: 2592 }[level];
          for (const t of g.tests) {
            const id = `tcId ${t.tcId} (${t.comment})`;
            const ctx = unhex(t.ctx ?? '');
            const msg = unhex(t.msg);
            const sig = unhex(t.sig);
            let ok: boolean;
            if (!spkiOk) {
              // A key of the wrong length is refused before any signature is looked at.
              expect(() => mldsaVerifyInternal(core, level, pk, { message: msg }, sig), id).toThrow(RangeError);
              expect(() => parseMlDsaSpki(unhex(g.publicKeyDer)), id).toThrow(DerError);
              ok = false;
            } else if (ctx.length > 255) {
              expect(() => pureMessage(ctx, msg), id).toThrow(RangeError);
              ok = false;
            } else {
              ok = mldsaVerifyInternal(core, level, pk, { message: pureMessage(ctx, msg) }, sig);
              if (ctx.length === 0) {
                // The library's path from the SPKI, and the raw entry point, agree.
                expect(mldsaVerify(core, unhex(g.publicKeyDer), msg, 'RAW', sig), id).toBe(ok);
                const status = core.run(0, () =>
                  md.mldsa_verify(level, core.put(pk), core.put(msg), msg.length, 0, core.put(sig), sig.length),
                );
                expect(status, id).toBe(ok ? CORE_STATUS.OK : CORE_STATUS.AUTH_FAILED);
              }
            }
            expect(ok ? 'valid' : 'invalid', id).toBe(t.result);
            counts[ok ? 'valid' : 'invalid']++;
          }
        }
        const expected = { 44: [77, 103], 65: [79, 131], 87: [71, 170] }[level];
        expect([counts.valid, counts.invalid]).toEqual(expected);
      });

      it(`ML-DSA-${level}: 25 random seeds give noble's pk and sk, and its signatures with rnd fixed`, () => {
        const noble = NOBLE[level];
        for (let i = 0; i < 25; i++) {
          const seed = new Uint8Array(randomBytes(32));
          const ours = mldsaKeygenInternal(core, level, seed);
          const theirs = noble.keygen(seed);
          expect(hex(ours.pk)).toBe(hex(theirs.publicKey));
          expect(hex(ours.sk)).toBe(hex(theirs.secretKey));
          const msg = new Uint8Array(randomBytes(i * 37));
          const rnd = new Uint8Array(randomBytes(32));
          const pkcs8 = mldsaPkcs8(level, seed);
          const sig = mldsaSignWithRnd(core, pkcs8, msg, 'RAW', rnd);
          expect(hex(sig)).toBe(hex(noble.sign(msg, theirs.secretKey, { extraEntropy: rnd })));
          expect(noble.verify(sig, msg, theirs.publicKey)).toBe(true);
          // External μ: the same signature from μ = H(tr ‖ 0 ‖ 0 ‖ M).
          const mu = muOf(ours.pk, pureMessage(new Uint8Array(0), msg));
          expect(hex(mldsaSignWithRnd(core, pkcs8, mu, 'EXTERNAL_MU', rnd))).toBe(hex(sig));
          expect(hex(noble.internal.sign(mu, theirs.secretKey, { externalMu: true, extraEntropy: rnd }))).toBe(
            hex(sig),
          );
          // noble's hedged signatures verify here, RAW and from μ; a changed message does not.
          const spki = mldsaSpki(level, ours.pk);
          const nobleSig = noble.sign(msg, theirs.secretKey);
          expect(mldsaVerify(core, spki, msg, 'RAW', nobleSig)).toBe(true);
          expect(mldsaVerify(core, spki, mu, 'EXTERNAL_MU', nobleSig)).toBe(true);
          expect(mldsaVerify(core, spki, Uint8Array.from([...msg, 0]), 'RAW', nobleSig)).toBe(false);
        }
      });

      it(`ML-DSA-${level}: generated key pairs have KMS's layout, sign hedged, and verify here and in noble`, () => {
        const noble = NOBLE[level];
        for (let i = 0; i < 5; i++) {
          const { publicKey, privateKey } = generateMlDsa(core, level);
          const { level: l1, pk } = parseMlDsaSpki(publicKey);
          const { level: l2, seed } = parseMlDsaPkcs8(privateKey);
          expect([l1, l2]).toEqual([level, level]);
          expect(privateKey.length).toBe(54);
          expect(hex(noble.keygen(seed).publicKey)).toBe(hex(pk));
          const msg = new Uint8Array(randomBytes(100));
          const s1 = mldsaSign(core, privateKey, msg, 'RAW');
          const s2 = mldsaSign(core, privateKey, msg, 'RAW');
          expect(s1.length).toBe(mldsaSignatureBytes(level));
          expect(hex(s1)).not.toBe(hex(s2)); // rnd is fresh each time
          for (const s of [s1, s2]) {
            expect(mldsaVerify(core, publicKey, msg, 'RAW', s)).toBe(true);
            expect(noble.verify(s, msg, pk)).toBe(true);
          }
          const mu = muOf(pk, pureMessage(new Uint8Array(0), msg));
          const s3 = mldsaSign(core, privateKey, mu, 'EXTERNAL_MU');
          expect(noble.verify(s3, msg, pk)).toBe(true);
          expect(mldsaVerify(core, publicKey, msg, 'RAW', s3)).toBe(true);
          expect(mldsaVerify(core, publicKey, mu, 'EXTERNAL_MU', s1)).toBe(true);
          // Every byte position of a signature matters; lengths other than the set's are false.
          for (const at of [0, 100, s1.length - 90, s1.length - 1]) {
            const bad = s1.slice();
            bad[at] ^= 0x10;
            expect(mldsaVerify(core, publicKey, msg, 'RAW', bad), `byte ${at}`).toBe(false);
          }
          expect(mldsaVerify(core, publicKey, msg, 'RAW', s1.subarray(1))).toBe(false);
          expect(mldsaVerify(core, publicKey, msg, 'RAW', Uint8Array.from([...s1, 0]))).toBe(false);
          expect(mldsaVerify(core, publicKey, msg, 'RAW', new Uint8Array(0))).toBe(false);
          // Another key's signature is false.
          const other = generateMlDsa(core, level);
          expect(mldsaVerify(core, other.publicKey, msg, 'RAW', s1)).toBe(false);
          seed.fill(0);
        }
      });
    }

    it('Decompose (Alg. 36) of every r in [0, q) for both γ2, as FIPS 204 defines it', () => {
      const md = core.exports as unknown as MlDsaExports;
      const Q = 8380417;
      const CHUNK = 1 << 16; // 256 polynomials
      for (const level of [44, 65] as const) {
        const g2 = level === 44 ? (Q - 1) / 88 : (Q - 1) / 32;
        let wrong = 0;
        for (let from = 0; from < Q; from += CHUNK) {
          const n = Math.min(CHUNK, Q - from);
          const w = new Int32Array(CHUNK);
          for (let i = 0; i < n; i++) w[i] = from + i;
          const { hi, lo } = core.run(0, (x) => {
            const wPtr = core.put(new Uint8Array(w.buffer));
            const outHi = x.alloc(CHUNK * 4);
            const outLo = x.alloc(CHUNK * 4);
            expect(md.mldsa_decompose(level, wPtr, CHUNK / 256, outHi, outLo)).toBe(CORE_STATUS.OK);
            return {
              hi: new Int32Array(core.take(outHi, CHUNK * 4).buffer),
              lo: new Int32Array(core.take(outLo, CHUNK * 4).buffer),
            };
          });
          for (let i = 0; i < n; i++) {
            const r = from + i;
            let r0 = r % (2 * g2);
            if (r0 > g2) r0 -= 2 * g2;
            let r1 = (r - r0) / (2 * g2);
            if (r - r0 === Q - 1) {
              r1 = 0;
              r0 -= 1;
            }
            if (hi[i] !== r1 || lo[i] !== r0) wrong++;
          }
        }
        expect(wrong, `ML-DSA-${level}`).toBe(0);
      }
    });

    it('signs an empty and a 4096-byte message; ML-DSA-65 noble agrees', () => {
      const { publicKey, privateKey } = generateMlDsa(core, 65);
      const { pk } = parseMlDsaSpki(publicKey);
      for (const msg of [new Uint8Array(0), new Uint8Array(randomBytes(4096))]) {
        const sig = mldsaSign(core, privateKey, msg, 'RAW');
        expect(ml_dsa65.verify(sig, msg, pk)).toBe(true);
        expect(mldsaVerify(core, publicKey, msg, 'RAW', sig)).toBe(true);
      }
    });

    it("signing takes rnd from the host's random source; a failing source is ENTROPY_FAILURE", () => {
      const seed = new Uint8Array(randomBytes(32));
      const pkcs8 = mldsaPkcs8(65, seed);
      const msg = new Uint8Array(randomBytes(40));
      for (const byte of [0x00, 0x5a]) {
        const viaHost = withRandom(
          (a) => a.fill(byte),
          () => mldsaSign(core, pkcs8, msg, 'RAW'),
        );
        expect(hex(viaHost)).toBe(hex(mldsaSignWithRnd(core, pkcs8, msg, 'RAW', new Uint8Array(32).fill(byte))));
      }
      const failure = new Error('no entropy today');
      const err = withRandom(
        () => {
          throw failure;
        },
        () => caughtSync(() => mldsaSign(core, pkcs8, msg, 'RAW')),
      );
      expect(err).toBeInstanceOf(CoreError);
      expect((err as CoreError).code).toBe('ENTROPY_FAILURE');
      const err2 = withRandom(
        () => {
          throw failure;
        },
        () => caughtSync(() => generateMlDsa(core, 44)),
      );
      expect((err2 as CoreError).code).toBe('ENTROPY_FAILURE');
      expect(Buffer.from(core.exports.memory.buffer).indexOf(Buffer.from(seed.subarray(0, 16)))).toBe(-1);
      expect(
        mldsaVerify(
          core,
          mldsaSpki(65, mldsaKeygenInternal(core, 65, seed).pk),
          msg,
          'RAW',
          mldsaSign(core, pkcs8, msg, 'RAW'),
        ),
      ).toBe(true);
    });

    it('leaves no seed, sk or μ in linear memory after a call', () => {
      const mem = (): Buffer => Buffer.from(core.exports.memory.buffer);
      const seed = new Uint8Array(randomBytes(32));
      const { sk } = mldsaKeygenInternal(core, 65, seed);
      expect(mem().indexOf(Buffer.from(seed.subarray(0, 16)))).toBe(-1);
      expect(mem().indexOf(Buffer.from(sk.subarray(32, 48)))).toBe(-1); // K
      expect(mem().indexOf(Buffer.from(sk.subarray(128, 144)))).toBe(-1); // the start of s1
      const pkcs8 = mldsaPkcs8(87, seed);
      const msg = new Uint8Array(randomBytes(64));
      mldsaSign(core, pkcs8, msg, 'RAW');
      mldsaSign(core, pkcs8, msg, 'EXTERNAL_MU');
      expect(mem().indexOf(Buffer.from(seed.subarray(0, 16)))).toBe(-1);
      expect(mem().indexOf(Buffer.from(msg.subarray(0, 16)))).toBe(-1);
      const { privateKey } = generateMlDsa(core, 44);
      expect(mem().indexOf(Buffer.from(parseMlDsaPkcs8(privateKey).seed.subarray(0, 16)))).toBe(-1);
      expect(testExports(core).scratchHighWater()).toBe(0);
    });

    it('refuses levels other than 44, 65, 87 and μ of the wrong length; the wrappers refuse bad arguments', () => {
      const md = core.exports as unknown as MlDsaExports;
      for (const level of [0, 2, 3, 5, 43, 66, 88, -1]) {
        expect(core.run(0, (x) => md.mldsa_generate(level, x.alloc(32), x.alloc(3000)))).toBe(
          CORE_STATUS.INVALID_ARGUMENT,
        );
        expect(core.run(0, (x) => md.mldsa_sign(level, x.alloc(32), x.alloc(64), 64, 0, x.alloc(5000)))).toBe(
          CORE_STATUS.INVALID_ARGUMENT,
        );
        expect(core.run(0, (x) => md.mldsa_verify(level, x.alloc(3000), x.alloc(64), 64, 0, x.alloc(5000), 2420))).toBe(
          CORE_STATUS.INVALID_ARGUMENT,
        );
      }
      expect(core.run(0, (x) => md.mldsa_sign(44, x.alloc(32), x.alloc(64), 63, 1, x.alloc(5000)))).toBe(
        CORE_STATUS.INVALID_ARGUMENT,
      );
      expect(core.run(0, (x) => md.mldsa_sign(44, x.alloc(32), x.alloc(64), -1, 0, x.alloc(5000)))).toBe(
        CORE_STATUS.INVALID_ARGUMENT,
      );
      expect(core.run(0, (x) => md.mldsa_verify(44, x.alloc(1312), x.alloc(64), 65, 1, x.alloc(2420), 2420))).toBe(
        CORE_STATUS.INVALID_ARGUMENT,
      );
      expect(core.run(0, (x) => md.mldsa_verify(44, x.alloc(1312), x.alloc(64), 64, 0, x.alloc(2420), 2419))).toBe(
        CORE_STATUS.AUTH_FAILED,
      );
      const { publicKey, privateKey } = generateMlDsa(core, 44);
      expect(() => mldsaSign(core, privateKey, new Uint8Array(63), 'EXTERNAL_MU')).toThrow(RangeError);
      expect(() => mldsaSign(core, privateKey, new Uint8Array(64), 'DIGEST' as 'RAW')).toThrow(RangeError);
      expect(() => mldsaVerify(core, publicKey, new Uint8Array(65), 'EXTERNAL_MU', new Uint8Array(2420))).toThrow(
        RangeError,
      );
      expect(() => mldsaSign(core, publicKey, new Uint8Array(1), 'RAW')).toThrow(DerError);
      expect(() => mldsaVerify(core, privateKey, new Uint8Array(1), 'RAW', new Uint8Array(2420))).toThrow(DerError);
      expect(() => generateMlDsa(core, 66 as MlDsaLevel)).toThrow(RangeError);
      // The core is usable after refused calls.
      expect(generateMlDsa(core, 87).publicKey.length).toBe(2614);
    });
  });
}

describe('ML-DSA DER (src/der/mldsa.ts)', () => {
  it('encodes with the writer: SPKI and PKCS#8 per the LAMPS profile, 1334/1974/2614 and 54 bytes', () => {
    for (const level of ML_DSA_LEVELS) {
      const pkLen = { 44: 1312, 65: 1952, 87: 2592 }[level];
      const pk = new Uint8Array(randomBytes(pkLen));
      const seed = new Uint8Array(randomBytes(32));
      const alg = derSequence(derOid(ML_DSA_OIDS[level]));
      expect(hex(mldsaSpki(level, pk))).toBe(hex(derSequence(alg, derBitString(pk))));
      expect(hex(mldsaPkcs8(level, seed))).toBe(
        hex(derSequence(derIntegerSmall(0), alg, derOctetString(derContextPrimitive(0, seed)))),
      );
      expect(mldsaSpki(level, pk).length).toBe(pkLen + 22);
      expect(mldsaPkcs8(level, seed).length).toBe(54);
      expect(parseMlDsaSpki(mldsaSpki(level, pk))).toEqual({ level, pk });
      expect(parseMlDsaPkcs8(mldsaPkcs8(level, seed))).toEqual({ level, seed });
    }
    expect(hex(derOid(ML_DSA_OIDS[44]))).toBe('0609608648016503040311');
    expect(hex(derOid(ML_DSA_OIDS[87]))).toBe('0609608648016503040313');
  });

  it('rejects malformed or foreign encodings', () => {
    const pk = new Uint8Array(randomBytes(1952));
    const seed = new Uint8Array(randomBytes(32));
    const alg = derSequence(derOid(ML_DSA_OIDS[65]));
    const bad = [
      derSequence(derSequence(derOid(ML_DSA_OIDS[65]), derNull()), derBitString(pk)),
      derSequence(alg, derBitString(pk.subarray(0, 1312))),
      derSequence(derSequence(derOid('2.16.840.1.101.3.4.4.2')), derBitString(pk)),
      derSequence(alg, derBitString(Uint8Array.from([...pk.subarray(0, 1951), pk[1951] & 0xfe]), 1)),
      Uint8Array.from([...mldsaSpki(65, pk), 0]),
    ];
    for (const der of bad) expect(() => parseMlDsaSpki(der)).toThrow(DerError);
    const badPkcs8 = [
      derSequence(derIntegerSmall(1), alg, derOctetString(derContextPrimitive(0, seed))),
      derSequence(derIntegerSmall(0), alg, derOctetString(derContextPrimitive(0, seed.subarray(0, 31)))),
      // the expandedKey and both choices are not what KMS returns
      derSequence(derIntegerSmall(0), alg, derOctetString(derOctetString(new Uint8Array(4032)))),
      derSequence(
        derIntegerSmall(0),
        alg,
        derOctetString(derSequence(derOctetString(seed), derOctetString(new Uint8Array(4032)))),
      ),
      derSequence(derIntegerSmall(0), alg, derOctetString(Uint8Array.from([...derContextPrimitive(0, seed), 0]))),
    ];
    for (const der of badPkcs8) expect(() => parseMlDsaPkcs8(der)).toThrow(DerError);
    expect(() => mldsaSpki(65, pk.subarray(1))).toThrow(RangeError);
    expect(() => mldsaPkcs8(65, new Uint8Array(33))).toThrow(RangeError);
    expect(() => mldsaSpki(66 as MlDsaLevel, pk)).toThrow(RangeError);
  });
});
