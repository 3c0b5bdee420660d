// ML-DSA (FIPS 204) from the WebAssembly core: key pairs whose private key is the 32-byte seed
// ξ (encoded as KMS returns it, src/der/mldsa.ts), hedged signatures of a message (pure
// ML-DSA with an empty context, KMS MessageType RAW) or of μ (EXTERNAL_MU), and verification.

import {
  checkLevel,
  mldsaPkcs8,
  mldsaPublicKeyBytes,
  mldsaPrivateKeyBytes,
  mldsaSignatureBytes,
  mldsaSpki,
  parseMlDsaPkcs8,
  parseMlDsaSpki,
  ML_DSA_SEED_BYTES,
  type MlDsaLevel,
} from '../der/mldsa.js';
import { Core } from './module.js';
import { CORE_STATUS, checkStatus } from './errors.js';

export { ML_DSA_LEVELS, type MlDsaLevel } from '../der/mldsa.js';

/** What `message` is: the message itself (RAW) or the 64-byte μ of FIPS 204 Alg. 7 line 6 (EXTERNAL_MU). */
export type MlDsaMessageType = 'RAW' | 'EXTERNAL_MU';

/** Bytes of μ. */
export const ML_DSA_MU_BYTES = 64;

/** The core's ML-DSA entry points (assembly/exports/mldsa.ts); level = 44, 65 or 87. */
export interface MlDsaExports {
  /** OK, or INVALID_ARGUMENT for another level. */
  mldsa_generate(level: number, outSeed: number, outPk: number): number;
  /** OK, or INVALID_ARGUMENT (level, or μ not 64 bytes). */
  mldsa_sign(level: number, seed: number, msg: number, msgLen: number, externalMu: number, outSig: number): number;
  /** OK if valid, AUTH_FAILED if not, INVALID_ARGUMENT for a bad level or μ length. */
  mldsa_verify(
    level: number,
    pk: number,
    msg: number,
    msgLen: number,
    externalMu: number,
    sig: number,
    sigLen: number,
  ): number;
  // The rest are in the test module only (assembly/mldsa/test-exports.ts).
  /** Test only: ML-DSA.KeyGen_internal(ξ) (FIPS 204 Alg. 6): pk and the encoded sk. */
  mldsa_keygen_internal(level: number, xi: number, outPk: number, outSk: number): number;
  /** Test only: ML-DSA.Sign_internal(sk, M', rnd) (Alg. 7), or from μ when externalMu. */
  mldsa_sign_internal(
    level: number,
    sk: number,
    msg: number,
    msgLen: number,
    externalMu: number,
    rnd: number,
    outSig: number,
  ): number;
  /** Test only: the library's signing path with rnd given. */
  mldsa_sign_seed_rnd(
    level: number,
    seed: number,
    msg: number,
    msgLen: number,
    externalMu: number,
    rnd: number,
    outSig: number,
  ): number;
  /** Test only: ML-DSA.Verify_internal(pk, M', σ) (Alg. 8), or from μ when externalMu. */
  mldsa_verify_internal(
    level: number,
    pk: number,
    msg: number,
    msgLen: number,
    externalMu: number,
    sig: number,
    sigLen: number,
  ): number;
  /** Test only: one attempt of the signing loop with counter κ: 1 accepted, 0 rejected. */
  mldsa_sign_attempt(level: number, sk: number, mu: number, rnd: number, kappa: number): number;
  /** Test only: Decompose (FIPS 204 Alg. 36) of n polynomials' coefficients: r1 and r0. */
  mldsa_decompose(level: number, w: number, n: number, outHi: number, outLo: number): number;
}

const exportsOf = (core: Core): MlDsaExports => core.exports as unknown as MlDsaExports;

function checkMessageType(messageType: unknown, message: Uint8Array): number {
  if (!(message instanceof Uint8Array)) throw new TypeError('ML-DSA message must be a Uint8Array');
  if (messageType === 'RAW') return 0;
  if (messageType === 'EXTERNAL_MU') {
    if (message.length !== ML_DSA_MU_BYTES) {
      throw new RangeError(`ML-DSA external μ must be ${ML_DSA_MU_BYTES} bytes, got ${message.length}`);
    }
    return 1;
  }
  throw new RangeError(`ML-DSA message type must be RAW or EXTERNAL_MU, got ${String(messageType)}`);
}

/** Raw key material of a fresh key pair: the seed ξ and pk. The caller wipes the seed. */
export function mldsaKeyMaterial(core: Core, level: MlDsaLevel): { seed: Uint8Array; pk: Uint8Array } {
  checkLevel(level);
  const md = exportsOf(core);
  const pkLen = mldsaPublicKeyBytes(level);
  return core.run(0, (x) => {
    const outSeed = x.alloc(ML_DSA_SEED_BYTES);
    const outPk = x.alloc(pkLen);
    checkStatus(md.mldsa_generate(level, outSeed, outPk), 'mldsa_generate');
    return { seed: core.take(outSeed, ML_DSA_SEED_BYTES), pk: core.take(outPk, pkLen) };
  });
}

/** A fresh ML-DSA key pair (44, 65, 87 for ML_DSA_44/65/87): DER SPKI and DER PKCS#8 (seed form). */
export function generateMlDsa(core: Core, level: MlDsaLevel): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const { seed, pk } = mldsaKeyMaterial(core, level);
  try {
    return { publicKey: mldsaSpki(level, pk), privateKey: mldsaPkcs8(level, seed) };
  } finally {
    seed.fill(0);
  }
}

/**
 * A hedged ML-DSA signature (FIPS 204 Alg. 2, fresh rnd; empty context) of `message` (RAW), or
 * of μ (EXTERNAL_MU, 64 bytes), with the key in `pkcs8` (seed form). The parameter set is the key's.
 * Throws RangeError for a μ that is not 64 bytes or another message type, DerError for a key that
 * is not an ML-DSA PKCS#8 in seed form.
 */
export function mldsaSign(
  core: Core,
  pkcs8: Uint8Array,
  message: Uint8Array,
  messageType: MlDsaMessageType,
): Uint8Array {
  const externalMu = checkMessageType(messageType, message);
  const { level, seed } = parseMlDsaPkcs8(pkcs8);
  const md = exportsOf(core);
  const sigLen = mldsaSignatureBytes(level);
  try {
    return core.run(0, (x) => {
      const seedPtr = core.put(seed);
      const msgPtr = core.put(message);
      const outSig = x.alloc(sigLen);
      checkStatus(md.mldsa_sign(level, seedPtr, msgPtr, message.length, externalMu, outSig), 'mldsa_sign');
      return core.take(outSig, sigLen);
    });
  } finally {
    seed.fill(0);
  }
}

/**
 * Whether `signature` is a valid ML-DSA signature (empty context) of `message` (RAW) or of μ
 * (EXTERNAL_MU, 64 bytes) under the key in `spki`; false for a signature of the wrong length or
 * encoding. Throws RangeError for a μ that is not 64 bytes, DerError for a key that is not an
 * ML-DSA SubjectPublicKeyInfo.
 */
export function mldsaVerify(
  core: Core,
  spki: Uint8Array,
  message: Uint8Array,
  messageType: MlDsaMessageType,
  signature: Uint8Array,
): boolean {
  const externalMu = checkMessageType(messageType, message);
  const { level, pk } = parseMlDsaSpki(spki);
  if (!(signature instanceof Uint8Array) || signature.length !== mldsaSignatureBytes(level)) return false;
  const md = exportsOf(core);
  return core.run(0, () => {
    const pkPtr = core.put(pk);
    const msgPtr = core.put(message);
    const sigPtr = core.put(signature);
    const status = md.mldsa_verify(level, pkPtr, msgPtr, message.length, externalMu, sigPtr, signature.length);
    if (status === CORE_STATUS.AUTH_FAILED) return false;
    checkStatus(status, 'mldsa_verify');
    return true;
  });
}

// ---- Test module only ----------------------------------------------------------------------

/** Test module only: ML-DSA.KeyGen_internal(ξ) (FIPS 204 Alg. 6): pk and the encoded sk. */
export function mldsaKeygenInternal(
  core: Core,
  level: MlDsaLevel,
  seed: Uint8Array,
): { pk: Uint8Array; sk: Uint8Array } {
  checkLevel(level);
  if (!(seed instanceof Uint8Array) || seed.length !== ML_DSA_SEED_BYTES) {
    throw new RangeError(`ML-DSA seeds are ${ML_DSA_SEED_BYTES} bytes`);
  }
  const md = exportsOf(core);
  const pkLen = mldsaPublicKeyBytes(level);
  const skLen = mldsaPrivateKeyBytes(level);
  return core.run(0, (x) => {
    const seedPtr = core.put(seed);
    const outPk = x.alloc(pkLen);
    const outSk = x.alloc(skLen);
    checkStatus(md.mldsa_keygen_internal(level, seedPtr, outPk, outSk), 'mldsa_keygen_internal');
    return { pk: core.take(outPk, pkLen), sk: core.take(outSk, skLen) };
  });
}

/** What an internal-function test hook signs or verifies: M' whole, or μ. */
export interface MlDsaInternalInput {
  /** M' (FIPS 204 Alg. 7/8 input) or, with externalMu, μ (64 bytes). */
  message: Uint8Array;
  externalMu?: boolean;
}

/** Test module only: ML-DSA.Sign_internal(sk, M', rnd) (Alg. 7) from an encoded sk, or from μ. */
export function mldsaSignInternal(
  core: Core,
  level: MlDsaLevel,
  sk: Uint8Array,
  input: MlDsaInternalInput,
  rnd: Uint8Array,
): Uint8Array {
  checkLevel(level);
  if (sk.length !== mldsaPrivateKeyBytes(level)) throw new RangeError(`ML-DSA-${level} sk has the wrong length`);
  if (rnd.length !== 32) throw new RangeError('rnd must be 32 bytes');
  const md = exportsOf(core);
  const sigLen = mldsaSignatureBytes(level);
  return core.run(0, (x) => {
    const skPtr = core.put(sk);
    const msgPtr = core.put(input.message);
    const rndPtr = core.put(rnd);
    const outSig = x.alloc(sigLen);
    const mu = input.externalMu ? 1 : 0;
    checkStatus(
      md.mldsa_sign_internal(level, skPtr, msgPtr, input.message.length, mu, rndPtr, outSig),
      'mldsa_sign_internal',
    );
    return core.take(outSig, sigLen);
  });
}

/** Test module only: mldsaSign's path (seed, pure or external μ) with a given rnd. */
export function mldsaSignWithRnd(
  core: Core,
  pkcs8: Uint8Array,
  message: Uint8Array,
  messageType: MlDsaMessageType,
  rnd: Uint8Array,
): Uint8Array {
  const externalMu = checkMessageType(messageType, message);
  const { level, seed } = parseMlDsaPkcs8(pkcs8);
  if (rnd.length !== 32) throw new RangeError('rnd must be 32 bytes');
  const md = exportsOf(core);
  const sigLen = mldsaSignatureBytes(level);
  return core.run(0, (x) => {
    const seedPtr = core.put(seed);
    const msgPtr = core.put(message);
    const rndPtr = core.put(rnd);
    const outSig = x.alloc(sigLen);
    checkStatus(
      md.mldsa_sign_seed_rnd(level, seedPtr, msgPtr, message.length, externalMu, rndPtr, outSig),
      'mldsa_sign_seed_rnd',
    );
    return core.take(outSig, sigLen);
  });
}

/** Test module only: ML-DSA.Verify_internal(pk, M', σ) (Alg. 8) on a raw pk, or from μ. */
export function mldsaVerifyInternal(
  core: Core,
  level: MlDsaLevel,
  pk: Uint8Array,
  input: MlDsaInternalInput,
  signature: Uint8Array,
): boolean {
  checkLevel(level);
  if (pk.length !== mldsaPublicKeyBytes(level)) throw new RangeError(`ML-DSA-${level} pk has the wrong length`);
  const md = exportsOf(core);
  return core.run(0, () => {
    const pkPtr = core.put(pk);
    const msgPtr = core.put(input.message);
    const sigPtr = core.put(signature);
    const mu = input.externalMu ? 1 : 0;
    const status = md.mldsa_verify_internal(level, pkPtr, msgPtr, input.message.length, mu, sigPtr, signature.length);
    if (status === CORE_STATUS.AUTH_FAILED) return false;
    checkStatus(status, 'mldsa_verify_internal');
    return true;
  });
}
