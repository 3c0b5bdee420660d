// Imported key material (GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial):
// the rules the three operations share, the unwrapping of EncryptedKeyMaterial, the checks that
// material suits its key, and the expiry of material past its ValidTo.
//
// State kept on the key record:
// - importParameters: the last GetParametersForImport (wrapping key pair, token, 24 hours);
// - importedMaterials: one entry per material ever imported (symmetric keys may have several),
//   with its id, import state (IMPORTED / PENDING_IMPORT) and key material state (CURRENT,
//   NON_CURRENT, PENDING_ROTATION, PENDING_MULTI_REGION_IMPORT_AND_ROTATION), expiration model
//   and ValidTo;
// - the bytes themselves where every key keeps them: keyMaterials (symmetric), hmacKey, keyPair.
//
// The id of a material is what lets KMS know that material imported again is the same: for
// symmetric and HMAC keys HMAC-SHA-256 keyed by the material over the key id (KMS derives the id
// "based on the KMS key ID and the imported key material"; its exact function is not published),
// for asymmetric keys SHA-256 of the public key's SubjectPublicKeyInfo. It is kept after the
// bytes are deleted, so that a re-import of other material is refused.
//
// Multi-Region keys (ImportKeyMaterial, ReplicateKey and RotateKeyOnDemand in the AWS KMS API
// Reference): KMS does not copy imported material between Regions, but a family holds one set
// of materials. New material goes into the primary; a replica takes only material its primary
// has (the id depends on the material and the key id, which is the same in every Region, so a
// replica's import of the primary's material has the primary's id). Each member's expiration
// and import state are its own; the key material states are the family's: new material is
// PENDING_MULTI_REGION_IMPORT_AND_ROTATION until every replica has imported it, then
// PENDING_ROTATION, and RotateKeyOnDemand on the primary makes it CURRENT in every member.

import { AES256_KEY_BYTES, aes256KeyUnwrapPad, digest, hmac } from '../core/symmetric.js';
import { rsaOaepDecrypt, rsaSign, rsaVerify, RsaDecryptionError } from '../core/rsa.js';
import { sm2Decrypt, sm2Sign, sm2Verify, Sm2DecryptionError } from '../core/sm2.js';
import { ecdsaSign, ecdsaVerify } from '../core/ecdsa.js';
import { DerError } from '../der/reader.js';
import { parseRsaPkcs8, rsaSpki } from '../der/rsa.js';
import { ecPkcs8, ecSpki, parseEcPkcs8, type EcCurve } from '../der/ec.js';
import { DAY_MS, nowOf, type OperationContext } from './context.js';
import {
  ExpiredImportTokenException,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from './exceptions.js';
import { invalidState } from './key-state.js';
import { otherMembers, settledLinks } from './multi-region.js';
import type { ImportedMaterialRecord, ImportParametersRecord } from './records.js';
import { randomBytes } from '../core/module.js';
import { toHex, type KeyRecord } from './store.js';

const HOUR_MS = 60 * 60 * 1000;

/** How long a wrapping key and import token stay valid (GetParametersForImport: 24 hours). */
export const IMPORT_PARAMETERS_LIFETIME_MS = 24 * HOUR_MS;

/** The latest ValidTo ImportKeyMaterial takes: 365 days from the request. */
export const MAX_VALID_TO_MS = 365 * DAY_MS;

// ---------------------------------------------------------------------------------------------
// Which keys take imported material

/** The curve of each EC key spec whose PKCS#8 material this engine can take. */
const EC_CURVE_OF_SPEC: Readonly<Record<string, EcCurve>> = {
  ECC_NIST_P256: 'P-256',
  ECC_NIST_P384: 'P-384',
  ECC_NIST_P521: 'P-521',
  ECC_SECG_P256K1: 'secp256k1',
  SM2: 'SM2',
};

const RSA_BITS_OF_SPEC: Readonly<Record<string, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

/**
 * HMAC key material: at least the digest length, at most the hash's block (KMS developer guide,
 * "Requirements for imported key material": HMAC_224 28-64, HMAC_256 32-64, HMAC_384 48-128,
 * HMAC_512 64-128 bytes).
 */
const HMAC_LENGTHS: Readonly<Record<string, readonly [number, number]>> = {
  HMAC_224: [28, 64],
  HMAC_256: [32, 64],
  HMAC_384: [48, 128],
  HMAC_512: [64, 128],
};

/** The number of bytes of symmetric key material (AES-256). */
export const SYMMETRIC_MATERIAL_BYTES = 32;

export function isSymmetric(key: KeyRecord): boolean {
  return key.keySpec === 'SYMMETRIC_DEFAULT';
}

/**
 * Only EXTERNAL keys take imported material. [AWS-REC] for GetParametersForImport on an
 * AWS_KMS key: UnsupportedOperationException "<ARN> origin is AWS_KMS which is not valid for
 * this operation."; the same wording for the other two operations and other origins.
 */
export function checkExternalKey(ctx: OperationContext, key: KeyRecord): void {
  // A key of another account is never this caller's to import into (cross-account use: No).
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  if (key.origin !== 'EXTERNAL') {
    throw new UnsupportedOperationException(
      `${key.arn} origin is ${key.origin} which is not valid for this operation.`,
    );
  }
}

/**
 * The key-state rule of GetParametersForImport and ImportKeyMaterial (key-state table: Enabled,
 * Disabled and PendingImport pass; PendingDeletion is [3]).
 */
export function checkImportState(key: KeyRecord): void {
  if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled' && key.keyState !== 'PendingImport')
    throw invalidState(key);
}

/**
 * Key specs whose material this engine cannot take: Ed25519, ML-DSA and ML-KEM private keys would
 * need their public key derived from the seed, which the core does not offer outside its test
 * build. The message is ours.
 */
export function checkImportableSpec(key: KeyRecord): void {
  const s = key.keySpec;
  if (s === 'SYMMETRIC_DEFAULT' || s in HMAC_LENGTHS || s in RSA_BITS_OF_SPEC || s in EC_CURVE_OF_SPEC) return;
  throw new UnsupportedOperationException(
    `${key.arn} key spec is ${s}; this engine cannot import key material for it.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Wrapping parameters and the import token

export type WrappingAlgorithm =
  | 'RSAES_PKCS1_V1_5'
  | 'RSAES_OAEP_SHA_1'
  | 'RSAES_OAEP_SHA_256'
  | 'RSA_AES_KEY_WRAP_SHA_1'
  | 'RSA_AES_KEY_WRAP_SHA_256'
  | 'SM2PKE';
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2';

/**
 * The wrapping algorithm and key spec rules of GetParametersForImport. None of these messages is
 * recorded; the exceptions and wording are ours, after the model's doc comments:
 * - RSAES_PKCS1_V1_5: "As of October 10, 2023, KMS does not support" it;
 * - SM2PKE and the SM2 wrapping key spec go together, and only in the China Regions;
 * - RSA private keys are wrapped with an RSA_AES algorithm only (they are longer than RSAES-OAEP
 *   takes).
 */
export function checkWrappingParameters(
  key: KeyRecord,
  region: string,
  algorithm: WrappingAlgorithm,
  spec: WrappingKeySpec,
): void {
  if (algorithm === 'RSAES_PKCS1_V1_5') {
    throw new UnsupportedOperationException(
      'The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported. Use RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.',
    );
  }
  const china = region.startsWith('cn-');
  if ((algorithm === 'SM2PKE' || spec === 'SM2') && !china) {
    throw new UnsupportedOperationException(
      `${algorithm === 'SM2PKE' ? 'WrappingAlgorithm SM2PKE' : 'WrappingKeySpec SM2'} is supported only in the China Regions; GetParametersForImport in ${region} cannot use it.`,
    );
  }
  if ((algorithm === 'SM2PKE') !== (spec === 'SM2')) {
    throw new ValidationException(
      `WrappingAlgorithm ${algorithm} is not compatible with WrappingKeySpec ${spec}: SM2PKE goes with the SM2 wrapping key spec only.`,
    );
  }
  if (
    key.keySpec in RSA_BITS_OF_SPEC &&
    algorithm !== 'RSA_AES_KEY_WRAP_SHA_1' &&
    algorithm !== 'RSA_AES_KEY_WRAP_SHA_256'
  ) {
    throw new ValidationException(
      `WrappingAlgorithm ${algorithm} cannot wrap RSA key material; use RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.`,
    );
  }
}

const TOKEN_MAGIC = [0x77, 0x6b, 0x69, 0x74]; // "wkit"
const TOKEN_VERSION = 1;
const TOKEN_NONCE_BYTES = 32;

/** A fresh import token: magic, version, 32 random bytes and the key id it is bound to. */
export function newImportToken(key: KeyRecord): Uint8Array {
  const id = new TextEncoder().encode(key.keyId);
  const out = new Uint8Array(TOKEN_MAGIC.length + 1 + TOKEN_NONCE_BYTES + id.length);
  out.set(TOKEN_MAGIC, 0);
  out[TOKEN_MAGIC.length] = TOKEN_VERSION;
  out.set(randomBytes(TOKEN_NONCE_BYTES), TOKEN_MAGIC.length + 1);
  out.set(id, TOKEN_MAGIC.length + 1 + TOKEN_NONCE_BYTES);
  return out;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Whether two byte strings are equal, looking at every byte (tokens are bearer values). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/**
 * The key's current import parameters, if `token` is their token and they have not expired.
 * A token that is not this key's latest (another key's, a replaced one, a forged one) is
 * InvalidImportTokenException; this key's latest after its 24 hours is
 * ExpiredImportTokenException. Messages: the model's descriptions (not recorded).
 */
export function checkImportToken(key: KeyRecord, token: Uint8Array, now: Date): ImportParametersRecord {
  const params = key.importParameters;
  const expected = params === undefined ? undefined : Uint8Array.from(atob(params.importToken), (c) => c.charCodeAt(0));
  if (params === undefined || expected === undefined || !sameBytes(expected, token)) {
    throw new InvalidImportTokenException('The import token is invalid or is associated with a different KMS key.');
  }
  if (params.validTo.getTime() <= now.getTime()) {
    throw new ExpiredImportTokenException(
      'The import token is expired. Use GetParametersForImport to get a new import token and public key.',
    );
  }
  return params;
}

/** The record of new import parameters for `key`. */
export function importParameters(
  key: KeyRecord,
  algorithm: WrappingAlgorithm,
  spec: WrappingKeySpec,
  pair: { publicKey: Uint8Array; privateKey: Uint8Array },
  now: Date,
): { record: ImportParametersRecord; token: Uint8Array } {
  const token = newImportToken(key);
  return {
    token,
    record: {
      importToken: base64(token),
      wrappingAlgorithm: algorithm,
      wrappingKeySpec: spec,
      publicKey: pair.publicKey,
      privateKey: pair.privateKey,
      validTo: new Date(now.getTime() + IMPORT_PARAMETERS_LIFETIME_MS),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Unwrapping

/**
 * KMS could not decrypt the wrapped key material (the model's meaning of
 * InvalidCiphertextException for ImportKeyMaterial). One message for every reason; not recorded.
 */
function notDecrypted(): InvalidCiphertextException {
  return new InvalidCiphertextException('The encrypted key material could not be decrypted with the wrapping key.');
}

/** The key material inside `wrapped`, decrypted with the parameters' wrapping private key. The caller wipes it. */
export function unwrapKeyMaterial(
  ctx: OperationContext,
  params: ImportParametersRecord,
  wrapped: Uint8Array,
): Uint8Array {
  const core = ctx.core();
  try {
    switch (params.wrappingAlgorithm) {
      case 'RSAES_OAEP_SHA_1':
        return rsaOaepDecrypt(core, params.privateKey, 'SHA-1', wrapped);
      case 'RSAES_OAEP_SHA_256':
        return rsaOaepDecrypt(core, params.privateKey, 'SHA-256', wrapped);
      case 'SM2PKE':
        return sm2Decrypt(core, params.privateKey, wrapped);
      case 'RSA_AES_KEY_WRAP_SHA_1':
        return unwrapRsaAes(ctx, params, 'SHA-1', wrapped);
      case 'RSA_AES_KEY_WRAP_SHA_256':
        return unwrapRsaAes(ctx, params, 'SHA-256', wrapped);
      default:
        // GetParametersForImport hands out no other algorithm.
        throw notDecrypted();
    }
  } catch (err) {
    if (err instanceof RsaDecryptionError || err instanceof Sm2DecryptionError || err instanceof DerError)
      throw notDecrypted();
    throw err;
  }
}

/** The modulus length in bytes of each RSA wrapping key spec. */
const WRAPPING_MODULUS_BYTES: Readonly<Record<string, number>> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

/**
 * RSA_AES_KEY_WRAP_SHA_1 / _SHA_256 (KMS developer guide, "Select a wrapping algorithm"): the
 * first modulus-length bytes are a 32-byte AES key under RSAES-OAEP with the hash, the rest the
 * key material under that AES key with AES key wrap with padding (RFC 5649).
 */
function unwrapRsaAes(
  ctx: OperationContext,
  params: ImportParametersRecord,
  hash: 'SHA-1' | 'SHA-256',
  wrapped: Uint8Array,
): Uint8Array {
  const k = WRAPPING_MODULUS_BYTES[params.wrappingKeySpec];
  if (k === undefined || wrapped.length <= k) throw notDecrypted();
  const core = ctx.core();
  const aesKey = rsaOaepDecrypt(core, params.privateKey, hash, wrapped.subarray(0, k));
  try {
    if (aesKey.length !== AES256_KEY_BYTES) throw notDecrypted();
    const material = aes256KeyUnwrapPad(core, aesKey, wrapped.subarray(k));
    if (material === null) throw notDecrypted();
    return material;
  } finally {
    aesKey.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// The material itself

/** Material that does not suit the key (IncorrectKeyMaterialException; wording ours). */
function unsuitable(key: KeyRecord, why: string): IncorrectKeyMaterialException {
  return new IncorrectKeyMaterialException(`The key material is not valid for ${key.arn} (${key.keySpec}): ${why}.`);
}

/** What an import puts on the key: symmetric or HMAC bytes, or a key pair, and the material's id. */
export type ImportedMaterial =
  | { kind: 'symmetric'; id: string; bytes: Uint8Array }
  | { kind: 'hmac'; id: string; bytes: Uint8Array }
  | { kind: 'pair'; id: string; publicKey: Uint8Array; privateKey: Uint8Array };

/** Wipes what `m` holds. */
export function wipeImported(m: ImportedMaterial | undefined): void {
  if (m === undefined) return;
  if (m.kind === 'pair') m.privateKey.fill(0);
  else m.bytes.fill(0);
}

/** The id of symmetric or HMAC material: HMAC-SHA-256 keyed by the material over the key id, 64 hex. */
function secretMaterialId(ctx: OperationContext, key: KeyRecord, material: Uint8Array): string {
  return toHex(hmac(ctx.core(), 'SHA-256', material, new TextEncoder().encode(key.keyId)));
}

/**
 * `plain` checked against the key's spec and turned into what the key keeps. Takes ownership of
 * `plain` (it is kept, or wiped). Symmetric keys: 32 bytes. HMAC keys: HMAC_LENGTHS. RSA and
 * EC keys: a PKCS#8 PrivateKeyInfo of the key's size or curve, whose key signs and verifies
 * (an EC PKCS#8 must carry its public key, as OpenSSL and node:crypto write it).
 */
export function materialForKey(ctx: OperationContext, key: KeyRecord, plain: Uint8Array): ImportedMaterial {
  let kept = false;
  try {
    if (key.keySpec === 'SYMMETRIC_DEFAULT') {
      if (plain.length !== SYMMETRIC_MATERIAL_BYTES)
        throw unsuitable(key, `symmetric key material is ${SYMMETRIC_MATERIAL_BYTES} bytes, got ${plain.length}`);
      kept = true;
      return { kind: 'symmetric', id: secretMaterialId(ctx, key, plain), bytes: plain };
    }
    const hmacRange = HMAC_LENGTHS[key.keySpec];
    if (hmacRange !== undefined) {
      const [min, max] = hmacRange;
      if (plain.length < min || plain.length > max)
        throw unsuitable(key, `HMAC key material is ${min} to ${max} bytes, got ${plain.length}`);
      kept = true;
      return { kind: 'hmac', id: secretMaterialId(ctx, key, plain), bytes: plain };
    }
    const bits = RSA_BITS_OF_SPEC[key.keySpec];
    if (bits !== undefined) {
      const pair = rsaPair(ctx, key, plain, bits);
      kept = true;
      return pair;
    }
    const curve = EC_CURVE_OF_SPEC[key.keySpec];
    if (curve !== undefined) return ecPair(ctx, key, plain, curve);
    throw unsuitable(key, 'this engine cannot import key material for this key spec');
  } finally {
    if (!kept) plain.fill(0);
  }
}

/** Minimal big-endian bytes of a positive public value. */
function unsignedBytes(x: bigint): Uint8Array {
  let hex = x.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A fixed digest the imported key signs once, to show that its parts belong together. */
const CHECK_MESSAGE = new TextEncoder().encode('wasm-kms: imported key material check');

function rsaPair(ctx: OperationContext, key: KeyRecord, pkcs8: Uint8Array, bits: number): ImportedMaterial {
  let n: bigint;
  let e: bigint;
  try {
    const v = parseRsaPkcs8(pkcs8);
    n = v.n;
    e = v.e;
  } catch (err) {
    if (err instanceof DerError) throw unsuitable(key, 'not an RSA PKCS#8 private key');
    throw err;
  }
  if (n.toString(2).length !== bits) throw unsuitable(key, `the RSA modulus is not ${bits} bits`);
  const spki = rsaSpki(unsignedBytes(n), unsignedBytes(e));
  const core = ctx.core();
  const d = digest(core, 'SHA-256', CHECK_MESSAGE);
  let ok: boolean;
  try {
    ok = rsaVerify(core, spki, 'PSS', 'SHA-256', d, rsaSign(core, pkcs8, 'PSS', 'SHA-256', d));
  } catch {
    ok = false;
  }
  if (!ok) throw unsuitable(key, 'the RSA private key is not consistent');
  return { kind: 'pair', id: toHex(digest(core, 'SHA-256', spki)), publicKey: spki, privateKey: pkcs8 };
}

function ecPair(ctx: OperationContext, key: KeyRecord, pkcs8: Uint8Array, curve: EcCurve): ImportedMaterial {
  let parsed: ReturnType<typeof parseEcPkcs8>;
  try {
    parsed = parseEcPkcs8(pkcs8);
  } catch (err) {
    if (err instanceof DerError) throw unsuitable(key, `not a PKCS#8 private key of ${curve}`);
    throw err;
  }
  const { privateKey: scalar, point } = parsed;
  try {
    if (parsed.curve !== curve) throw unsuitable(key, `the private key is on ${parsed.curve}, not ${curve}`);
    if (point === undefined) throw unsuitable(key, 'the PKCS#8 private key must include its public key');
    const spki = ecSpki(curve, point);
    const canonical = ecPkcs8(curve, scalar, point);
    const core = ctx.core();
    let ok: boolean;
    try {
      if (curve === 'SM2') {
        ok = sm2Verify(core, spki, CHECK_MESSAGE, 'RAW', sm2Sign(core, canonical, CHECK_MESSAGE, 'RAW'));
      } else {
        const d = digest(core, 'SHA-256', CHECK_MESSAGE);
        ok = ecdsaVerify(core, spki, d, ecdsaSign(core, canonical, d));
      }
    } catch {
      ok = false;
    }
    if (!ok) {
      canonical.fill(0);
      throw unsuitable(key, 'the public key does not belong to the private key');
    }
    return { kind: 'pair', id: toHex(digest(core, 'SHA-256', spki)), publicKey: spki, privateKey: canonical };
  } finally {
    scalar.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// The key's materials

/** The material new ciphertexts use (symmetric) or the only one (HMAC, asymmetric), if any. */
export function currentImported(key: KeyRecord): ImportedMaterialRecord | undefined {
  return key.importedMaterials?.find((m) => m.keyMaterialState === 'CURRENT');
}

/** Removes the bytes of the material `m` from the key (they are wiped with the record). */
export function dropMaterialBytes(key: KeyRecord, m: ImportedMaterialRecord): void {
  if (isSymmetric(key)) {
    const i = key.keyMaterials.findIndex((k) => k.id === m.keyMaterialId);
    if (i >= 0) key.keyMaterials.splice(i, 1)[0]!.material.fill(0);
  } else if (key.keySpec.startsWith('HMAC_')) {
    key.hmacKey?.fill(0);
    key.hmacKey = undefined;
  } else {
    key.keyPair?.privateKey.fill(0);
    key.keyPair?.publicKey.fill(0);
    key.keyPair = undefined;
  }
}

/** Material imported for a later RotateKeyOnDemand, not (yet) permanently part of the key. */
export function isPendingMaterial(m: ImportedMaterialRecord): boolean {
  return m.keyMaterialState === 'PENDING_ROTATION' || m.keyMaterialState === 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';
}

/** Whether `key` holds the bytes of material `id` (imported, not deleted or expired). */
export function hasImported(key: KeyRecord, id: string): boolean {
  return key.importedMaterials?.some((m) => m.keyMaterialId === id && m.importState === 'IMPORTED') === true;
}

/** PendingImport, unless the key is on its way to deletion (which keeps its state). */
function pendingImport(key: KeyRecord): void {
  if (key.keyState !== 'PendingDeletion' && key.keyState !== 'PendingReplicaDeletion') key.keyState = 'PendingImport';
}

/**
 * Deletes one material's bytes. Material pending rotation was never part of the key and goes
 * entirely; any other becomes PENDING_IMPORT and the key PendingImport, unless it is
 * PendingDeletion (which DeleteImportedKeyMaterial and expiry leave as it is).
 */
export function deleteMaterial(key: KeyRecord, m: ImportedMaterialRecord): void {
  dropMaterialBytes(key, m);
  if (isPendingMaterial(m)) {
    key.importedMaterials = (key.importedMaterials ?? []).filter((x) => x !== m);
    return;
  }
  m.importState = 'PENDING_IMPORT';
  m.expirationModel = undefined;
  m.validTo = undefined;
  pendingImport(key);
}

/**
 * Applies the expiry of imported material to a record just loaded: every material whose
 * ValidTo has passed at `now` is deleted as DeleteImportedKeyMaterial deletes it. The change is
 * made on the caller's copy, so every operation sees the key as KMS would; it reaches the store
 * with the next write of the record. True when something expired.
 */
export function expireImportedMaterial(key: KeyRecord, now: Date): boolean {
  if (key.origin !== 'EXTERNAL' || key.importedMaterials === undefined) return false;
  let expired = false;
  for (const m of [...key.importedMaterials]) {
    if (m.importState !== 'IMPORTED' || m.expirationModel !== 'KEY_MATERIAL_EXPIRES' || m.validTo === undefined)
      continue;
    if (m.validTo.getTime() > now.getTime()) continue;
    deleteMaterial(key, m);
    expired = true;
  }
  return expired;
}

/**
 * The expiry of imported material for a record resolveKey just loaded: applied to the record,
 * and written to the store. Inside the store's transaction (or on a store without one) the
 * record itself is written; outside, the record is read again inside a transaction, so that a
 * concurrent writer's change is kept.
 */
export async function applyImportExpiry(ctx: OperationContext, key: KeyRecord): Promise<void> {
  const now = nowOf(ctx);
  if (!expireImportedMaterial(key, now)) return;
  const store = ctx.store;
  if (ctx.inTransaction === true || store.transaction === undefined) {
    await store.putKey(key);
    return;
  }
  await store.transaction(async () => {
    const fresh = await store.getKey(key.account, key.region, key.keyId);
    if (fresh !== undefined && expireImportedMaterial(fresh, now)) await store.putKey(fresh);
  });
}

/** The material imported as NEW_KEY_MATERIAL that waits for RotateKeyOnDemand, if any. */
export function pendingImported(key: KeyRecord): ImportedMaterialRecord | undefined {
  return key.importedMaterials?.find((m) => isPendingMaterial(m) && m.importState === 'IMPORTED');
}

/** Removes the pending material of `key` other than `keep`, with its bytes (it was never part of the key). */
function dropOtherPending(key: KeyRecord, keep: string): void {
  for (const m of [...(key.importedMaterials ?? [])]) {
    if (m.keyMaterialId === keep || !isPendingMaterial(m)) continue;
    dropMaterialBytes(key, m);
    key.importedMaterials = (key.importedMaterials ?? []).filter((x) => x !== m);
  }
}

/**
 * RotateKeyOnDemand of an EXTERNAL symmetric key, in one member of its family: material `id`
 * becomes CURRENT and the current one NON_CURRENT; other pending material goes. A member
 * without the material (a replica scheduled for deletion when the family rotated) gets its
 * record as PENDING_IMPORT, and is PendingImport until it imports it.
 */
export function makeImportedCurrent(key: KeyRecord, id: string): void {
  dropOtherPending(key, id);
  const materials = (key.importedMaterials ??= []);
  let target = materials.find((m) => m.keyMaterialId === id);
  if (target === undefined) {
    target = { keyMaterialId: id, importState: 'PENDING_IMPORT', keyMaterialState: 'CURRENT' };
    materials.push(target);
    pendingImport(key);
  }
  for (const m of materials) if (m.keyMaterialState === 'CURRENT') m.keyMaterialState = 'NON_CURRENT';
  target.keyMaterialState = 'CURRENT';
  key.currentKeyMaterialId = id;
}

/**
 * The replicas that follow a multi-Region primary's materials at `now` (ms): every live replica
 * but those scheduled for deletion, loaded from the store. None for a single-Region key.
 */
export async function followingReplicas(ctx: OperationContext, primary: KeyRecord, now: number): Promise<KeyRecord[]> {
  const view = settledLinks(primary, now);
  if (view === undefined || view.links.primaryRegion !== primary.region) return [];
  const leaving = new Set((view.links.replicaDeletions ?? []).map((d) => d.region));
  return (await otherMembers(ctx, primary, now)).filter((r) => !leaving.has(r.region));
}

/** The family's state of pending material `id`: PENDING_ROTATION once every replica has imported it. */
export function familyPendingState(
  replicas: KeyRecord[],
  id: string,
): 'PENDING_ROTATION' | 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION' {
  return replicas.every((r) => hasImported(r, id)) ? 'PENDING_ROTATION' : 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';
}

/**
 * Brings a replica's material records in line with its primary's before the replica imports
 * material `id` (which the primary has): the primary's states; the primary's permanent
 * materials the replica lacks as PENDING_IMPORT (the replica is PendingImport until it has
 * them all); the pending material `id` added; pending material the primary no longer has
 * removed with its bytes. The record of `id` on the replica.
 */
export function followPrimaryMaterials(replica: KeyRecord, primary: KeyRecord, id: string): ImportedMaterialRecord {
  const source = primary.importedMaterials ?? [];
  const ids = new Set(source.map((p) => p.keyMaterialId));
  for (const m of [...(replica.importedMaterials ?? [])]) {
    if (ids.has(m.keyMaterialId) || !isPendingMaterial(m)) continue;
    dropMaterialBytes(replica, m);
    replica.importedMaterials = (replica.importedMaterials ?? []).filter((x) => x !== m);
  }
  const materials = (replica.importedMaterials ??= []);
  let lacking = false;
  for (const p of source) {
    let r = materials.find((m) => m.keyMaterialId === p.keyMaterialId);
    if (r === undefined) {
      if (isPendingMaterial(p) && p.keyMaterialId !== id) continue;
      r = { keyMaterialId: p.keyMaterialId, importState: 'PENDING_IMPORT', keyMaterialState: p.keyMaterialState };
      materials.push(r);
    }
    r.keyMaterialState = p.keyMaterialState;
    if (p.keyMaterialState === 'CURRENT') replica.currentKeyMaterialId = p.keyMaterialId;
    if (p.keyMaterialId !== id && !isPendingMaterial(r) && r.importState !== 'IMPORTED') lacking = true;
  }
  if (lacking) pendingImport(replica);
  return materials.find((m) => m.keyMaterialId === id)!;
}

/** Enabled once every material that belongs to the key (all but the pending ones) is imported. */
export function settleStateAfterImport(key: KeyRecord): void {
  if (key.keyState !== 'PendingImport') return;
  const permanent = (key.importedMaterials ?? []).filter((m) => !isPendingMaterial(m));
  if (permanent.length > 0 && permanent.every((m) => m.importState === 'IMPORTED')) key.keyState = 'Enabled';
}
