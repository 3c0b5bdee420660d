// ML-KEM key generation in the core (assembly/mlkem/) on both builds:
//  - known answers: the NIST ACVP keyGen vectors (d, z → ek, dk) and Wycheproof's
//    seed → ek, dk vectors, for ML-KEM-512, -768 and -1024;
//  - agreement with @noble/post-quantum: for 100 random seeds per parameter set the same
//    ek and dk, hence byte-identical SPKI and PKCS#8; generated key pairs whose PKCS#8 seed
//    expands (in noble) to exactly our SPKI;
//  - the keys work: noble encapsulates to our public key, and decapsulation with the dk
//    expanded from our seed (by our core, used by noble) gives the same shared secret;
//  - the DER is KMS's: the reference files (KMS's own and the noble-built ones) are
//    reproduced byte for byte from their seeds; templates, lengths and the strict parsers;
//  - constant time (instruction counting, test/helpers/instrument.ts): K-PKE.KeyGen with a
//    fixed ρ takes one path and one address sequence for every secret σ, and G = SHA3-512
//    one for every d; a different ρ changes the trace (SampleNTT is variable time on ρ);
//  - no seed left in memory after a call; bad ranks and lengths refused.

import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { type CoreVariant } from '../src/core/module.js';
import { CORE_STATUS, CoreError, checkStatus } from '../src/core/errors.js';
import { loadTestCore, testExports, testWasm } from './helpers/test-core.js';
import {
  instrumentModule,
  TracedCore,
  traceCall,
  formatTrace,
  groupByTrace,
  type Trace,
} from './helpers/instrument.js';
import { readVector } from './helpers/vectors.js';
import { generateMlKem, mlkemKeyMaterial, mlkemKeygenInternal, type MlKemExports } from '../src/core/mlkem.js';
import {
  mlkemPkcs8,
  mlkemSpki,
  parseMlKemPkcs8,
  parseMlKemSpki,
  mlkemEkBytes,
  mlkemDkBytes,
  ML_KEM_OIDS,
  type MlKemRank,
} from '../src/der/mlkem.js';
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

const readJson = (path: string): any => JSON.parse(readVector(path).toString('utf8'));

const RANKS: MlKemRank[] = [2, 3, 4];
const NAME: Record<MlKemRank, string> = { 2: 'ML-KEM-512', 3: 'ML-KEM-768', 4: 'ML-KEM-1024' };
const NOBLE = { 2: ml_kem512, 3: ml_kem768, 4: ml_kem1024 } as const;
const RANK_OF: Record<string, MlKemRank> = { 'ML-KEM-512': 2, 'ML-KEM-768': 3, 'ML-KEM-1024': 4 };

// The DER templates (hex) in front of ek and of the seed: draft-ietf-lamps-kyber-certificates, seed-only private key.
const SPKI_PREFIX: Record<MlKemRank, string> = {
  2: '30820332300b06096086480165030404010382032100',
  3: '308204b2300b0609608648016503040402038204a100',
  4: '30820632300b06096086480165030404030382062100',
};
const PKCS8_PREFIX = (k: MlKemRank): string => `3054020100300b06096086480165030404${'0' + (k - 1)}04428040`;

interface KnownAnswer {
  k: MlKemRank;
  seed: Uint8Array;
  ek: string;
  dk: string;
  id: string;
}

function acvpVectors(): KnownAnswer[] {
  const file = readJson('nist-acvp/ML-KEM-keyGen-FIPS203/internalProjection.json');
  const out: KnownAnswer[] = [];
  for (const g of file.testGroups) {
    for (const t of g.tests) {
      out.push({
        k: RANK_OF[g.parameterSet],
        seed: unhex(t.d + t.z), // KeyGen_internal(d, z): the seed is d ‖ z
        ek: t.ek.toLowerCase(),
        dk: t.dk.toLowerCase(),
        id: `${g.parameterSet} tcId ${t.tcId}`,
      });
    }
  }
  return out;
}

function wycheproofVectors(k: MlKemRank): KnownAnswer[] {
  const file = readJson(`wycheproof/mlkem_${256 * k}_keygen_seed_test.json`);
  const out: KnownAnswer[] = [];
  for (const g of file.testGroups) {
    expect(g.parameterSet).toBe(NAME[k]);
    for (const t of g.tests) {
      expect(t.result).toBe('valid');
      out.push({ k, seed: unhex(t.seed), ek: t.ek, dk: t.dk, id: `${NAME[k]} tcId ${t.tcId}` });
    }
  }
  return out;
}

for (const variant of ['simd', 'scalar'] as CoreVariant[]) {
  describe(`ML-KEM key generation in the core (${variant})`, () => {
    const core = loadTestCore(variant);

    it('NIST ACVP ML-KEM keyGen (FIPS 203): 25 vectors per parameter set, d ‖ z → ek, dk', () => {
      const list = acvpVectors();
      expect(list.length).toBe(75);
      for (const v of list) {
        const { ek, dk } = mlkemKeygenInternal(core, v.k, v.seed);
        expect(hex(ek), v.id).toBe(v.ek);
        expect(hex(dk), v.id).toBe(v.dk);
      }
    });

    for (const k of RANKS) {
      it(`Wycheproof mlkem_${256 * k}_keygen_seed_test: 100 seeds → ek, dk`, () => {
        const list = wycheproofVectors(k);
        expect(list.length).toBe(100);
        for (const v of list) {
          const { ek, dk } = mlkemKeygenInternal(core, k, v.seed);
          expect(hex(ek), v.id).toBe(v.ek);
          expect(hex(dk), v.id).toBe(v.dk);
        }
      });
    }

    for (const k of RANKS) {
      it(`${NAME[k]}: 100 random seeds give noble's ek and dk, so the same SPKI and PKCS#8`, () => {
        for (let i = 0; i < 100; i++) {
          const seed = new Uint8Array(randomBytes(64));
          const ours = mlkemKeygenInternal(core, k, seed);
          const theirs = NOBLE[k].keygen(seed);
          expect(hex(ours.ek)).toBe(hex(theirs.publicKey));
          expect(hex(ours.dk)).toBe(hex(theirs.secretKey));
          const spki = mlkemSpki(k, ours.ek);
          expect(hex(spki)).toBe(hex(mlkemSpki(k, theirs.publicKey)));
          expect(spki.length).toBe(readVector(`der/noble_MLKEM${256 * k}.spki.der`).length);
          const pkcs8 = mlkemPkcs8(k, seed);
          expect(pkcs8.length).toBe(86);
          expect(hex(pkcs8)).toBe(PKCS8_PREFIX(k) + hex(seed));
        }
      });

      it(`${NAME[k]}: generated key pairs have KMS's layout and their seed expands (in noble) to their SPKI`, () => {
        const seen = new Set<string>();
        for (let i = 0; i < 100; i++) {
          const { publicKey, privateKey } = generateMlKem(core, k);
          expect(publicKey.length).toBe(mlkemEkBytes(k) + 22);
          expect(hex(publicKey.subarray(0, 22))).toBe(SPKI_PREFIX[k]);
          expect(privateKey.length).toBe(86);
          expect(hex(privateKey.subarray(0, 22))).toBe(PKCS8_PREFIX(k));
          const { k: rank, seed } = parseMlKemPkcs8(privateKey);
          expect(rank).toBe(k);
          expect(parseMlKemSpki(publicKey)).toEqual({ k, ek: publicKey.subarray(22) });
          expect(hex(NOBLE[k].keygen(seed).publicKey)).toBe(hex(publicKey.subarray(22)));
          seen.add(hex(seed));
        }
        expect(seen.size).toBe(100);
      });

      it(`${NAME[k]}: noble encapsulates to our key; the dk expanded from our seed decapsulates the same secret`, () => {
        for (let i = 0; i < 20; i++) {
          const { publicKey, privateKey } = generateMlKem(core, k);
          const { ek } = parseMlKemSpki(publicKey);
          const { seed } = parseMlKemPkcs8(privateKey);
          const { cipherText, sharedSecret } = NOBLE[k].encapsulate(ek);
          const { ek: ek2, dk } = mlkemKeygenInternal(core, k, seed);
          expect(hex(ek2)).toBe(hex(ek));
          expect(hex(NOBLE[k].decapsulate(cipherText, dk))).toBe(hex(sharedSecret));
          // A different key pair does not (ML-KEM's implicit rejection gives another secret).
          const other = mlkemKeygenInternal(core, k, new Uint8Array(randomBytes(64)));
          expect(hex(NOBLE[k].decapsulate(cipherText, other.dk))).not.toBe(hex(sharedSecret));
        }
      });
    }

    it("reproduces the reference DER: KMS's MLKEM768 and MLKEM1024 pairs and the noble-built ones from seed.bin", () => {
      for (const k of [3, 4] as MlKemRank[]) {
        const spki = readVector(`der/MLKEM${256 * k}.spki.der`);
        const pkcs8 = readVector(`der/MLKEM${256 * k}.pkcs8.der`);
        const { k: rank, seed } = parseMlKemPkcs8(pkcs8);
        expect(rank).toBe(k);
        expect(hex(mlkemPkcs8(k, seed))).toBe(hex(pkcs8));
        const { ek } = mlkemKeygenInternal(core, k, seed);
        expect(hex(mlkemSpki(k, ek))).toBe(hex(spki));
      }
      const seed = readVector('der/seed.bin');
      expect(seed.length).toBe(64);
      for (const k of RANKS) {
        const { ek } = mlkemKeygenInternal(core, k, new Uint8Array(seed));
        expect(hex(mlkemSpki(k, ek))).toBe(hex(readVector(`der/noble_MLKEM${256 * k}.spki.der`)));
        expect(hex(mlkemPkcs8(k, new Uint8Array(seed)))).toBe(hex(readVector(`der/noble_MLKEM${256 * k}.pkcs8.der`)));
      }
    });

    it('leaves no seed, ek or dk in linear memory after a call', () => {
      const mem = (): Buffer => Buffer.from(core.exports.memory.buffer);
      const seed = new Uint8Array(randomBytes(64));
      const { dk } = mlkemKeygenInternal(core, 3, seed);
      expect(mem().indexOf(Buffer.from(seed.subarray(0, 16)))).toBe(-1);
      expect(mem().indexOf(Buffer.from(seed.subarray(32, 48)))).toBe(-1);
      expect(mem().indexOf(Buffer.from(dk.subarray(0, 16)))).toBe(-1); // the start of ByteEncode12(ŝ)
      const material = mlkemKeyMaterial(core, 4);
      expect(mem().indexOf(Buffer.from(material.seed.subarray(0, 16)))).toBe(-1);
      expect(mem().indexOf(Buffer.from(material.ek.subarray(0, 16)))).toBe(-1);
      expect(testExports(core).scratchHighWater()).toBe(0);
    });

    it('refuses a rank other than 2, 3, 4 and a missing dk pointer with INVALID_ARGUMENT; the wrappers refuse bad arguments', () => {
      const mk = core.exports as unknown as MlKemExports;
      for (const k of [0, 1, 5, -1]) {
        expect(core.run(0, (x) => mk.mlkem_generate(k, x.alloc(64), x.alloc(2000)))).toBe(CORE_STATUS.INVALID_ARGUMENT);
        expect(core.run(0, (x) => mk.mlkem_keygen_internal(k, x.alloc(64), x.alloc(2000), x.alloc(4000)))).toBe(
          CORE_STATUS.INVALID_ARGUMENT,
        );
      }
      expect(core.run(0, (x) => mk.mlkem_keygen_internal(3, x.alloc(64), x.alloc(2000), 0))).toBe(
        CORE_STATUS.INVALID_ARGUMENT,
      );
      expect(() =>
        core.run(0, (x) => checkStatus(mk.mlkem_generate(7, x.alloc(64), x.alloc(2000)), 'mlkem_generate')),
      ).toThrow(CoreError);
      // The core is usable after a refused call.
      expect(generateMlKem(core, 2).publicKey.length).toBe(822);
      expect(() => generateMlKem(core, 1 as MlKemRank)).toThrow(RangeError);
      expect(() => mlkemKeygenInternal(core, 3, new Uint8Array(63))).toThrow(RangeError);
      expect(() => mlkemKeygenInternal(core, 3, new Uint8Array(65))).toThrow(RangeError);
    });
  });
}

for (const variant of ['simd', 'scalar'] as CoreVariant[]) {
  describe(`ML-KEM constant time by instruction counting (${variant})`, () => {
    const traced = new TracedCore(instrumentModule(testWasm(variant)));
    const core = loadTestCore(variant);

    /** K-PKE.KeyGen from ρ ‖ σ in the instrumented core: its outputs and its trace. */
    const kpke = (k: MlKemRank, rhoSigma: Uint8Array): { ek: Uint8Array; dkPke: Uint8Array; trace: Trace } => {
      const ekLen = mlkemEkBytes(k);
      const { result, trace } = traceCall(
        traced,
        0,
        (c) => ({ rs: c.put(rhoSigma), ek: c.x.alloc(ekLen), dk: c.x.alloc(384 * k) }),
        (c, a) => {
          c.fn('mlkem_kpke_keygen')(k, a.rs, a.ek, a.dk);
          return { ek: c.take(a.ek, ekLen), dkPke: c.take(a.dk, 384 * k) };
        },
      );
      return { ...result, trace };
    };
    const oneTrace = (runs: { trace: Trace }[]): string[] => groupByTrace(runs).map((g) => formatTrace(g[0].trace));

    for (const k of RANKS) {
      it(`${NAME[k]}: K-PKE.KeyGen, one trace for 8 secret σ under one ρ; ρ alone changes it`, () => {
        const rho = new Uint8Array(randomBytes(32));
        const runs = [];
        for (let i = 0; i < 8; i++) {
          // σ from a real seed: (ρ', σ) = G(d ‖ k); the result must be the core's own ek, dk_PKE
          // for that seed once ρ' is put back.
          const seed = new Uint8Array(randomBytes(64));
          const g = createHash('sha3-512').update(seed.subarray(0, 32)).update(Uint8Array.of(k)).digest();
          const run = kpke(k, Uint8Array.from([...rho, ...g.subarray(32)]));
          runs.push(run);
          if (i < 2) {
            const own = kpke(k, new Uint8Array(g));
            const { ek, dk } = mlkemKeygenInternal(core, k, seed);
            expect(hex(own.ek)).toBe(hex(ek));
            expect(hex(own.dkPke)).toBe(hex(dk.subarray(0, 384 * k)));
          }
        }
        expect(oneTrace(runs)).toHaveLength(1);
        // Negative control: another ρ, another number of SampleNTT blocks and candidates.
        const others = [0, 1, 2].map(() => kpke(k, new Uint8Array(randomBytes(64))));
        expect(oneTrace([...runs, ...others]).length).toBeGreaterThan(1);
      });
    }

    it('G = SHA3-512 of d ‖ k, and SHAKE128/256: one trace for every input of a length', () => {
      for (const [fn, len, outLen] of [
        ['sha3_512', 33, 64],
        ['sha3_256', 1568, 32],
        ['shake256', 33, 192],
        ['shake128', 34, 504],
      ] as const) {
        const runs = [0, 1, 2, 3, 4, 5].map((i) => {
          const msg =
            i === 0 ? new Uint8Array(len) : i === 1 ? new Uint8Array(len).fill(0xff) : new Uint8Array(randomBytes(len));
          return traceCall(
            traced,
            0,
            (c) => ({ p: c.put(msg), out: c.x.alloc(outLen) }),
            (c, a) => c.fn(fn)(a.p, len, a.out, outLen),
          );
        });
        expect(oneTrace(runs), fn).toHaveLength(1);
      }
    });
  });
}

describe('ML-KEM DER (src/der/mlkem.ts)', () => {
  it('encodes with the writer: SPKI and PKCS#8 per the LAMPS profile, 822/1206/1590 and 86 bytes', () => {
    for (const k of RANKS) {
      const ek = new Uint8Array(randomBytes(mlkemEkBytes(k)));
      const seed = new Uint8Array(randomBytes(64));
      const alg = derSequence(derOid(ML_KEM_OIDS[k]));
      expect(hex(mlkemSpki(k, ek))).toBe(hex(derSequence(alg, derBitString(ek))));
      expect(hex(mlkemPkcs8(k, seed))).toBe(
        hex(derSequence(derIntegerSmall(0), alg, derOctetString(derContextPrimitive(0, seed)))),
      );
      expect(mlkemSpki(k, ek).length).toBe({ 2: 822, 3: 1206, 4: 1590 }[k]);
      expect(hex(mlkemSpki(k, ek).subarray(0, 22))).toBe(SPKI_PREFIX[k]);
      expect(mlkemDkBytes(k)).toBe({ 2: 1632, 3: 2400, 4: 3168 }[k]);
    }
  });

  it('round-trips and rejects malformed or foreign encodings', () => {
    const ek = new Uint8Array(randomBytes(1184));
    const seed = new Uint8Array(randomBytes(64));
    expect(parseMlKemSpki(mlkemSpki(3, ek))).toEqual({ k: 3, ek });
    expect(parseMlKemPkcs8(mlkemPkcs8(3, seed))).toEqual({ k: 3, seed });
    const alg = derSequence(derOid(ML_KEM_OIDS[3]));
    const bad = [
      // parameters present
      derSequence(derSequence(derOid(ML_KEM_OIDS[3]), derNull()), derBitString(ek)),
      // an ek of ML-KEM-512's length under the ML-KEM-768 OID
      derSequence(alg, derBitString(ek.subarray(0, 800))),
      // another algorithm
      derSequence(derSequence(derOid('1.3.101.112')), derBitString(ek)),
      // trailing byte
      Uint8Array.from([...mlkemSpki(3, ek), 0]),
    ];
    for (const der of bad) expect(() => parseMlKemSpki(der)).toThrow(DerError);
    const badPkcs8 = [
      derSequence(derIntegerSmall(1), alg, derOctetString(derContextPrimitive(0, seed))),
      derSequence(derIntegerSmall(0), alg, derOctetString(derContextPrimitive(0, seed.subarray(0, 32)))),
      // the expandedKey choice (a plain OCTET STRING) is not what KMS returns
      derSequence(derIntegerSmall(0), alg, derOctetString(derOctetString(seed))),
      derSequence(derIntegerSmall(0), alg, derOctetString(Uint8Array.from([...derContextPrimitive(0, seed), 0]))),
    ];
    for (const der of badPkcs8) expect(() => parseMlKemPkcs8(der)).toThrow(DerError);
    expect(() => mlkemSpki(3, ek.subarray(1))).toThrow(RangeError);
    expect(() => mlkemPkcs8(4, seed.subarray(1))).toThrow(RangeError);
    expect(() => mlkemSpki(5 as MlKemRank, ek)).toThrow(RangeError);
  });
});
