// ImportKeyMaterial (AWS KMS API Reference): key material wrapped under the public key of
// GetParametersForImport goes into the EXTERNAL key it was asked for. Order: validate → resolve
// (key id or key ARN) → same account → origin EXTERNAL → key state (Enabled, Disabled,
// PendingImport; PendingDeletion [3]) → expiration inputs → the 2025 inputs (ImportType,
// KeyMaterialId, KeyMaterialDescription: symmetric keys only) → import token
// (InvalidImportTokenException, ExpiredImportTokenException) → unwrap (InvalidCiphertextException)
// → material suits the key (IncorrectKeyMaterialException) → new or existing material → write.
//
// Expiration: ExpirationModel defaults to KEY_MATERIAL_EXPIRES, which needs ValidTo ([AWS-REC]
// ValidationException "A validTo date must be set if the ExpirationModel is
// KEY_MATERIAL_EXPIRES"); KEY_MATERIAL_DOES_NOT_EXPIRE takes no ValidTo; ValidTo is in the future
// and at most 365 days ahead (those messages are ours).
//
// Symmetric keys may hold several materials: the first import (or ImportType NEW_KEY_MATERIAL
// on a key without material) gives the CURRENT one; NEW_KEY_MATERIAL later waits as
// PENDING_ROTATION until RotateKeyOnDemand makes it current, one at a time ([AWS-REC]
// KMSInvalidStateException "New key material (id: <new>) cannot be imported into KMS key <ARN>,
// because another key material (id: <pending>) is pending rotation."); without ImportType a
// later import is EXISTING_KEY_MATERIAL, which must be a material the key already has. HMAC and
// asymmetric keys hold one material, and only that one can be imported again. The key becomes
// Enabled once every material that belongs to it is imported.
//
// Multi-Region keys (key-import.ts): new material goes into the primary only; ImportType
// NEW_KEY_MATERIAL on a replica is UnsupportedOperationException, and a replica takes only
// material its primary has (else IncorrectKeyMaterialException), by default as
// EXISTING_KEY_MATERIAL, with the primary's key material state. The primary's new material for
// rotation is PENDING_MULTI_REGION_IMPORT_AND_ROTATION while a replica lacks it, and
// PENDING_ROTATION on every member once all have imported it. Both messages are ours (not
// recorded).

import {
  KMSInvalidStateException,
  IncorrectKeyMaterialException,
  UnsupportedOperationException,
  ValidationException,
} from '../exceptions.js';
import { nowOf, type OperationContext, transactional } from '../context.js';
import {
  checkExternalKey,
  checkImportState,
  checkImportToken,
  familyPendingState,
  followingReplicas,
  followPrimaryMaterials,
  isPendingMaterial,
  isSymmetric,
  materialForKey,
  MAX_VALID_TO_MS,
  settleStateAfterImport,
  unwrapKeyMaterial,
  wipeImported,
  type ImportedMaterial,
} from '../key-import.js';
import { resolveKey } from '../key-resolution.js';
import { isPrimary, otherMembers, storedLinks } from '../multi-region.js';
import type { ImportedMaterialRecord } from '../records.js';
import { keyArn, type KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface ImportKeyMaterialInput {
  KeyId: string | undefined;
  ImportToken: Uint8Array | undefined;
  EncryptedKeyMaterial: Uint8Array | undefined;
  ValidTo?: Date | number;
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  ImportType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
  KeyMaterialDescription?: string;
  KeyMaterialId?: string;
}

export interface ImportKeyMaterialOutput {
  KeyId?: string;
  KeyMaterialId?: string;
}

/** A timestamp input as a Date (numbers are epoch seconds, as on the wire). */
function dateOf(v: Date | number): Date {
  return v instanceof Date ? v : new Date(v * 1000);
}

/** The expiration inputs checked: the model and ValidTo to keep. */
function expiration(
  input: ImportKeyMaterialInput,
  now: Date,
): { model: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'; validTo?: Date } {
  const model = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    // Message ours: the model says ValidTo is "not valid" then.
    if (input.ValidTo !== undefined)
      throw new ValidationException(
        'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
      );
    return { model };
  }
  // [AWS-REC]
  if (input.ValidTo === undefined)
    throw new ValidationException('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  const validTo = dateOf(input.ValidTo);
  // Messages ours: "must be a future date and time. The maximum value is 365 days from the request date."
  if (validTo.getTime() <= now.getTime()) throw new ValidationException('The validTo date must be in the future.');
  if (validTo.getTime() > now.getTime() + MAX_VALID_TO_MS)
    throw new ValidationException('The validTo date must be no more than 365 days from the current date.');
  return { model, validTo };
}

/** The 2025 inputs are for symmetric encryption keys only (the model); messages ours. */
function checkMaterialInputs(key: KeyRecord, input: ImportKeyMaterialInput): void {
  if (!isSymmetric(key)) {
    for (const name of ['ImportType', 'KeyMaterialId', 'KeyMaterialDescription'] as const) {
      if (input[name] !== undefined)
        throw new ValidationException(
          `${name} is valid only for symmetric encryption KMS keys; ${key.arn} is ${key.keySpec}.`,
        );
    }
  }
  if (input.ImportType === 'NEW_KEY_MATERIAL' && input.KeyMaterialId !== undefined)
    throw new ValidationException('A KeyMaterialId cannot be specified when the ImportType is NEW_KEY_MATERIAL.');
  if (input.ImportType === 'NEW_KEY_MATERIAL' && isReplica(key)) {
    throw new UnsupportedOperationException(
      `New key material cannot be imported into the replica key ${key.arn}. Import it into the primary key with ImportType NEW_KEY_MATERIAL, then into each replica key with ImportType EXISTING_KEY_MATERIAL.`,
    );
  }
}

/** A replica of a multi-Region key. */
function isReplica(key: KeyRecord): boolean {
  return key.multiRegion && !isPrimary(key);
}

/** Material that is not the primary's, offered to a replica (IncorrectKeyMaterialException; wording ours). */
function notThePrimarys(key: KeyRecord, primaryArn: string): IncorrectKeyMaterialException {
  return new IncorrectKeyMaterialException(
    `The key material is not key material of the primary key ${primaryArn}; a replica key takes only key material imported into its primary key.`,
  );
}

/** The same material as `m` is not what came: IncorrectKeyMaterialException (wording ours). */
function notTheSame(key: KeyRecord): IncorrectKeyMaterialException {
  return new IncorrectKeyMaterialException(
    `The key material is not the key material previously imported into ${key.arn}.`,
  );
}

/** Puts the material's bytes on the key (the record owns them from here). */
function keepBytes(key: KeyRecord, material: ImportedMaterial): void {
  if (material.kind === 'symmetric') {
    const existing = key.keyMaterials.find((k) => k.id === material.id);
    if (existing !== undefined) existing.material.fill(0);
    key.keyMaterials = key.keyMaterials.filter((k) => k.id !== material.id);
    key.keyMaterials.push({ id: material.id, material: material.bytes });
  } else if (material.kind === 'hmac') {
    key.hmacKey?.fill(0);
    key.hmacKey = material.bytes;
  } else {
    key.keyPair?.privateKey.fill(0);
    key.keyPair?.publicKey.fill(0);
    key.keyPair = { publicKey: material.publicKey, privateKey: material.privateKey };
  }
}

async function importKeyMaterialUnlocked(
  ctx: OperationContext,
  input: ImportKeyMaterialInput,
): Promise<ImportKeyMaterialOutput> {
  validateInput('ImportKeyMaterial', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'ImportKeyMaterial',
  });
  checkExternalKey(ctx, key);
  checkImportState(key);
  const now = nowOf(ctx);
  const { model, validTo } = expiration(input, now);
  checkMaterialInputs(key, input);
  const params = checkImportToken(key, input.ImportToken as Uint8Array, now);
  const material = materialForKey(ctx, key, unwrapKeyMaterial(ctx, params, input.EncryptedKeyMaterial as Uint8Array));
  let kept = false;
  try {
    const nowMs = now.getTime();
    // The family of a multi-Region key, as this import needs it: the primary of a replica (with
    // the other replicas), or the replicas that follow a primary.
    let primary: KeyRecord | undefined;
    let peers: KeyRecord[] = [];
    if (isReplica(key)) {
      const others = await otherMembers(ctx, key, nowMs);
      const primaryRegion = storedLinks(key)!.primaryRegion;
      primary = others.find((m) => m.region === primaryRegion);
      if (primary === undefined || !primary.importedMaterials?.some((m) => m.keyMaterialId === material.id))
        throw notThePrimarys(key, keyArn(primaryRegion, key.account, key.keyId));
      followPrimaryMaterials(key, primary, material.id);
      peers = others.filter((m) => m !== primary);
    } else if (key.multiRegion) {
      peers = await followingReplicas(ctx, key, nowMs);
    }
    const materials = (key.importedMaterials ??= []);
    const known = materials.find((m) => m.keyMaterialId === material.id);
    let record: ImportedMaterialRecord;
    if (!isSymmetric(key)) {
      // One material for the life of the key.
      if (materials.length > 0 && known === undefined) throw notTheSame(key);
      record = known ?? { keyMaterialId: material.id, importState: 'IMPORTED', keyMaterialState: 'CURRENT' };
      if (known === undefined) materials.push(record);
    } else {
      const importType = input.ImportType ?? (materials.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
      if (input.KeyMaterialId !== undefined && input.KeyMaterialId !== material.id) throw notTheSame(key);
      if (importType === 'EXISTING_KEY_MATERIAL') {
        if (known === undefined) throw notTheSame(key);
        record = known;
      } else {
        if (known !== undefined) {
          // Message ours, after the model: "KMS expected new key material but the key material
          // being imported is already associated with the KMS key".
          throw new IncorrectKeyMaterialException(
            `The key material is already associated with ${key.arn}; import it with ImportType EXISTING_KEY_MATERIAL.`,
          );
        }
        const pending = materials.find(isPendingMaterial);
        if (pending !== undefined) {
          // [AWS-REC]
          throw new KMSInvalidStateException(
            `New key material (id: ${material.id}) cannot be imported into KMS key ${key.arn}, because another key material (id: ${pending.keyMaterialId}) is pending rotation.`,
          );
        }
        const first = materials.length === 0;
        record = {
          keyMaterialId: material.id,
          importState: 'IMPORTED',
          keyMaterialState: first ? 'CURRENT' : familyPendingState(peers, material.id),
        };
        materials.push(record);
        if (first) key.currentKeyMaterialId = material.id;
      }
      if (input.KeyMaterialDescription !== undefined) record.description = input.KeyMaterialDescription;
    }
    record.importState = 'IMPORTED';
    record.expirationModel = model;
    record.validTo = validTo;
    record.importDate = now;
    keepBytes(key, material);
    kept = true;
    settleStateAfterImport(key);
    if (key.multiRegion && isPendingMaterial(record)) await settleFamilyPending(ctx, key, primary, peers, material.id);
    await ctx.store.putKey(key);
    return { KeyId: key.arn, KeyMaterialId: material.id };
  } finally {
    if (!kept) wipeImported(material);
  }
}

/**
 * After `key` (a multi-Region primary, or a replica of `primary`) imported the family's pending
 * material `id`: its state on every member that has it, PENDING_ROTATION once every replica
 * following the primary has it imported. The other members whose state changed are written;
 * the caller writes `key`.
 */
async function settleFamilyPending(
  ctx: OperationContext,
  key: KeyRecord,
  primary: KeyRecord | undefined,
  peers: KeyRecord[],
  id: string,
): Promise<void> {
  const head = primary ?? key;
  const leaving = new Set((storedLinks(head)?.replicaDeletions ?? []).map((d) => d.region));
  const replicas = [key, ...peers].filter((r) => r !== head && !leaving.has(r.region));
  const state = familyPendingState(replicas, id);
  for (const member of [key, ...(primary === undefined ? [] : [primary]), ...peers]) {
    const m = member.importedMaterials?.find((x) => x.keyMaterialId === id);
    if (m === undefined || !isPendingMaterial(m) || m.keyMaterialState === state) continue;
    m.keyMaterialState = state;
    if (member !== key) await ctx.store.putKey(member);
  }
}

/** ImportKeyMaterial, inside the store's transaction (context.ts transactional). */
export const importKeyMaterial = transactional(importKeyMaterialUnlocked);
