// ML-KEM key pairs (FIPS 203) from the WebAssembly core: the private key in seed form (d ‖ z),
// encoded as KMS returns it (src/der/mlkem.ts); encapsulation to an SPKI and decapsulation with
// that PKCS#8.

import {
  checkRank,
  mlkemDkBytes,
  mlkemEkBytes,
  mlkemPkcs8,
  mlkemSpki,
  parseMlKemPkcs8,
  parseMlKemSpki,
  ML_KEM_SEED_BYTES,
  type MlKemRank,
} from '../der/mlkem.js';
import { Core } from './module.js';
import { checkStatus } from './errors.js';

export type { MlKemRank } from '../der/mlkem.js';

/** The rank k of each KMS key pair spec (FIPS 203 Table 2). */
export const ML_KEM_SPEC_RANKS = { ML_KEM_512: 2, ML_KEM_768: 3, ML_KEM_1024: 4 } as const satisfies Record<
  string,
  MlKemRank
>;

/** The core's ML-KEM and SHA-3 entry points (assembly/exports/mlkem.ts). k = 2, 3, 4. */
export interface MlKemExports {
  /** OK, or INVALID_ARGUMENT for a rank other than 2, 3, 4. */
  mlkem_generate(k: number, outSeed: number, outEk: number): number;
  /** OK, or INVALID_ARGUMENT for a bad rank or an ek that fails the modulus check (FIPS 203 §7.2). */
  mlkem_encapsulate(k: number, ek: number, outC: number, outK: number): number;
  /** OK, or INVALID_ARGUMENT for a bad rank; implicit rejection gives J(z ‖ c), not a status. */
  mlkem_decapsulate(k: number, seed64: number, c: number, outK: number): number;
  // The rest are in the test module only (assembly/exports/testing.ts); each returns a status.
  /** Test only: ML-KEM.KeyGen_internal (FIPS 203 Alg. 16) of a given d ‖ z. */
  mlkem_keygen_internal(k: number, seed64: number, outEk: number, outDk: number): number;
  /** Test only: K-PKE.KeyGen (FIPS 203 Alg. 13) from a given ρ ‖ σ: ek and dk_PKE (384k bytes). */
  mlkem_kpke_keygen(k: number, rhoSigma64: number, outEk: number, outDkPke: number): number;
  /** Test only: ML-KEM.Encaps_internal (FIPS 203 Alg. 17) with a given 32-byte m. */
  mlkem_encaps_internal(k: number, ek: number, m: number, outC: number, outK: number): number;
  /** Test only: ML-KEM.Decaps_internal (FIPS 203 Alg. 18) with an expanded dk. */
  mlkem_decaps_internal(k: number, dk: number, c: number, outK: number): number;
  /** Test only: SHA3-256; outLen must be 32. */
  sha3_256(ptr: number, len: number, out: number, outLen: number): number;
  /** Test only: SHA3-512; outLen must be 64. */
  sha3_512(ptr: number, len: number, out: number, outLen: number): number;
  /** Test only: SHAKE128 with outLen bytes of output. */
  shake128(ptr: number, len: number, out: number, outLen: number): number;
  /** Test only: SHAKE256 with outLen bytes of output. */
  shake256(ptr: number, len: number, out: number, outLen: number): number;
  /** Test only: SHAKE256 absorbing in `chunk`-byte and squeezing in `outChunk`-byte pieces. */
  shake256_chunked(ptr: number, len: number, chunk: number, out: number, outLen: number, outChunk: number): number;
}

const exportsOf = (core: Core): MlKemExports => core.exports as unknown as MlKemExports;

/** Raw key material: the 64-byte seed d ‖ z and the encapsulation key. The caller wipes the seed. */
export function mlkemKeyMaterial(core: Core, k: MlKemRank): { seed: Uint8Array; ek: Uint8Array } {
  checkRank(k);
  const mk = exportsOf(core);
  const ekLen = mlkemEkBytes(k);
  return core.run(0, (x) => {
    const outSeed = x.alloc(ML_KEM_SEED_BYTES);
    const outEk = x.alloc(ekLen);
    checkStatus(mk.mlkem_generate(k, outSeed, outEk), 'mlkem_generate');
    return { seed: core.take(outSeed, ML_KEM_SEED_BYTES), ek: core.take(outEk, ekLen) };
  });
}

/** A fresh ML-KEM key pair of rank k (2, 3, 4 for ML_KEM_512/768/1024): DER SPKI and DER PKCS#8 (seed form). */
export function generateMlKem(core: Core, k: MlKemRank): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const { seed, ek } = mlkemKeyMaterial(core, k);
  try {
    return { publicKey: mlkemSpki(k, ek), privateKey: mlkemPkcs8(k, seed) };
  } finally {
    seed.fill(0);
  }
}

/** Test module only: ML-KEM.KeyGen_internal(d, z) (FIPS 203 Alg. 16) of a 64-byte seed d ‖ z: ek and the expanded dk. */
export function mlkemKeygenInternal(core: Core, k: MlKemRank, seed: Uint8Array): { ek: Uint8Array; dk: Uint8Array } {
  checkRank(k);
  if (!(seed instanceof Uint8Array) || seed.length !== ML_KEM_SEED_BYTES) {
    throw new RangeError(`ML-KEM seeds are ${ML_KEM_SEED_BYTES} bytes`);
  }
  const mk = exportsOf(core);
  const ekLen = mlkemEkBytes(k);
  const dkLen = mlkemDkBytes(k);
  return core.run(0, (x) => {
    const seedPtr = core.put(seed);
    const outEk = x.alloc(ekLen);
    const outDk = x.alloc(dkLen);
    checkStatus(mk.mlkem_keygen_internal(k, seedPtr, outEk, outDk), 'mlkem_keygen_internal');
    return { ek: core.take(outEk, ekLen), dk: core.take(outDk, dkLen) };
  });
}

/** Ciphertext bytes of each rank, 32(d_u·k + d_v) (FIPS 203 Table 3). */
export const ML_KEM_CIPHERTEXT_BYTES: Readonly<Record<MlKemRank, number>> = { 2: 768, 3: 1088, 4: 1568 };
/** Shared secret bytes (FIPS 203 §8). */
export const ML_KEM_SHARED_SECRET_BYTES = 32;

/**
 * ML-KEM.Encaps (FIPS 203 Alg. 20) to the encapsulation key in `spki` (DER SubjectPublicKeyInfo,
 * ML-KEM-512/768/1024), with fresh randomness in the core: the ciphertext and the 32-byte shared
 * secret. Throws DerError for a malformed key and a CoreError (INVALID_ARGUMENT) for a key whose
 * coefficients are not all below q.
 */
export function mlkemEncapsulate(core: Core, spki: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  const { k, ek } = parseMlKemSpki(spki);
  const mk = exportsOf(core);
  const ctLen = ML_KEM_CIPHERTEXT_BYTES[k];
  return core.run(0, (x) => {
    const ekPtr = core.put(ek);
    const outC = x.alloc(ctLen);
    const outK = x.alloc(ML_KEM_SHARED_SECRET_BYTES);
    checkStatus(
      mk.mlkem_encapsulate(k, ekPtr, outC, outK),
      'mlkem_encapsulate',
      'the ML-KEM encapsulation key is invalid (a coefficient is not below q)',
    );
    return { ciphertext: core.take(outC, ctLen), sharedSecret: core.take(outK, ML_KEM_SHARED_SECRET_BYTES) };
  });
}

/**
 * ML-KEM.Decaps (FIPS 203 Alg. 21) of `ciphertext` with the private key `pkcs8` (DER PKCS#8 in
 * seed form, as generateKeyPair and CreateKey make it): the 32-byte shared secret. A ciphertext
 * that was not made for the key gives the implicit-rejection secret J(z ‖ c), as FIPS 203
 * specifies, not an error. RangeError for a ciphertext of the wrong length.
 */
export function mlkemDecapsulate(core: Core, pkcs8: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (!(ciphertext instanceof Uint8Array)) throw new TypeError('ciphertext must be a Uint8Array');
  const { k, seed } = parseMlKemPkcs8(pkcs8);
  try {
    const ctLen = ML_KEM_CIPHERTEXT_BYTES[k];
    if (ciphertext.length !== ctLen) {
      throw new RangeError(`ML-KEM-${256 * k} ciphertexts are ${ctLen} bytes, got ${ciphertext.length}`);
    }
    const mk = exportsOf(core);
    return core.run(0, (x) => {
      const seedPtr = core.put(seed);
      const c = core.put(ciphertext);
      const outK = x.alloc(ML_KEM_SHARED_SECRET_BYTES);
      checkStatus(mk.mlkem_decapsulate(k, seedPtr, c, outK), 'mlkem_decapsulate');
      return core.take(outK, ML_KEM_SHARED_SECRET_BYTES);
    });
  } finally {
    seed.fill(0);
  }
}

/** Test module only: ML-KEM.Encaps_internal (FIPS 203 Alg. 17) of raw ek with the given 32-byte m. */
export function mlkemEncapsInternal(
  core: Core,
  k: MlKemRank,
  ek: Uint8Array,
  m: Uint8Array,
): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  checkRank(k);
  if (ek.length !== mlkemEkBytes(k) || m.length !== 32) throw new RangeError('bad ek or m length');
  const mk = exportsOf(core);
  const ctLen = ML_KEM_CIPHERTEXT_BYTES[k];
  return core.run(0, (x) => {
    const e = core.put(ek);
    const mp = core.put(m);
    const outC = x.alloc(ctLen);
    const outK = x.alloc(32);
    checkStatus(mk.mlkem_encaps_internal(k, e, mp, outC, outK), 'mlkem_encaps_internal');
    return { ciphertext: core.take(outC, ctLen), sharedSecret: core.take(outK, 32) };
  });
}

/** Test module only: ML-KEM.Decaps_internal (FIPS 203 Alg. 18) with an expanded dk (768k + 96 bytes). */
export function mlkemDecapsInternal(core: Core, k: MlKemRank, dk: Uint8Array, c: Uint8Array): Uint8Array {
  checkRank(k);
  if (dk.length !== mlkemDkBytes(k) || c.length !== ML_KEM_CIPHERTEXT_BYTES[k]) {
    throw new RangeError('bad dk or ciphertext length');
  }
  const mk = exportsOf(core);
  return core.run(0, (x) => {
    const d = core.put(dk);
    const cp = core.put(c);
    const outK = x.alloc(32);
    checkStatus(mk.mlkem_decaps_internal(k, d, cp, outK), 'mlkem_decaps_internal');
    return core.take(outK, 32);
  });
}

export type Sha3Function = 'sha3-256' | 'sha3-512' | 'shake128' | 'shake256';

/** Test only: a SHA-3 function of `data` computed in the core (outLen: required for the SHAKEs; 32 or 64 for SHA3-256/512, the default). */
export function sha3Core(core: Core, fn: Sha3Function, data: Uint8Array, outLen?: number): Uint8Array {
  const mk = exportsOf(core);
  const len = outLen ?? (fn === 'sha3-256' ? 32 : fn === 'sha3-512' ? 64 : undefined);
  if (len === undefined || !Number.isSafeInteger(len) || len < 0) throw new RangeError(`${fn} needs an output length`);
  return core.run(0, (x) => {
    const ptr = core.put(data);
    const out = x.alloc(len);
    const f =
      fn === 'sha3-256' ? mk.sha3_256 : fn === 'sha3-512' ? mk.sha3_512 : fn === 'shake128' ? mk.shake128 : mk.shake256;
    checkStatus(f(ptr, data.length, out, len), fn);
    return core.take(out, len);
  });
}

/** Test only: SHAKE256 of `data` through the core's incremental sponge, fed and read in pieces. */
export function shake256ChunkedCore(
  core: Core,
  data: Uint8Array,
  chunk: number,
  outLen: number,
  outChunk: number,
): Uint8Array {
  const mk = exportsOf(core);
  return core.run(0, (x) => {
    const ptr = core.put(data);
    const out = x.alloc(outLen);
    checkStatus(mk.shake256_chunked(ptr, data.length, chunk, out, outLen, outChunk), 'shake256_chunked');
    return core.take(out, outLen);
  });
}
