// ListKeyRotations (AWS KMS API Reference): the key materials of a KMS key, oldest first (the
// order of the AWS CLI's documented example): by default (ROTATIONS_ONLY) the materials that
// rotations made, each with KeyMaterialId, KeyMaterialState (CURRENT / NON_CURRENT), RotationDate
// and RotationType (AUTOMATIC / ON_DEMAND, from the key's rotation history, rotation.ts);
// ALL_KEY_MATERIAL adds the first material (and, for imported material, any pending rotation),
// without RotationDate and RotationType, as the model says. Entries name the key by its key id
// (the CLI example). A material made by an on-demand rotation before rotations were recorded has
// no record: it is listed as ON_DEMAND without a RotationDate.
//
// A key of EXTERNAL origin lists its imported materials (importedMaterials, in the order they
// were imported) with KeyMaterialDescription, ImportState, ExpirationModel and ValidTo.
//
// Order: validate → resolve (key id or key ARN only; another account's key refused by authorize;
// automatic rotations due are made first, rotation.ts) → key type: only symmetric encryption keys
// outside custom key stores have rotations (UnsupportedOperationException: the empty message
// recorded for RotateKeyOnDemand on an asymmetric key; for a custom key store the message is
// ours, as EnableKeyRotation's) → page. Every key state is allowed, as for GetKeyRotationStatus
// and DescribeKey (LocalStack, checked against AWS, lets a key pending deletion through).
//
// Paging: Limit 1..1000 (default 100); the Marker is opaque (pagination.ts), the position of the
// last material returned, so a rotation made between pages neither repeats nor shifts a page; a
// marker this engine did not issue is InvalidMarkerException.

import type { OperationContext } from '../context.js';
import { checkRotatableSpec } from '../key-material.js';
import { resolveKey } from '../key-resolution.js';
import { page } from '../pagination.js';
import type { KeyRecord } from '../store.js';
import { isPendingMaterial } from '../key-import.js';
import { validateInput } from '../validation.js';

export interface ListKeyRotationsInput {
  KeyId: string | undefined;
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';
  Limit?: number;
  Marker?: string;
}

export interface RotationsListEntry {
  KeyId?: string;
  KeyMaterialId?: string;
  KeyMaterialDescription?: string;
  ImportState?: 'IMPORTED' | 'PENDING_IMPORT';
  KeyMaterialState?: 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION' | 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';
  ExpirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  ValidTo?: Date;
  RotationDate?: Date;
  RotationType?: 'AUTOMATIC' | 'ON_DEMAND';
}

export interface ListKeyRotationsOutput {
  Rotations?: RotationsListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

/** One entry, with its position among all the key's materials (the marker's item) and whether a rotation made it. */
interface Listed {
  position: string;
  rotation: boolean;
  entry: RotationsListEntry;
}

const position = (i: number): string => String(i).padStart(8, '0');

/** Every material of the key, oldest first, as ALL_KEY_MATERIAL lists them. */
function materialsOf(key: KeyRecord): Listed[] {
  const records = new Map((key.rotations ?? []).map((r) => [r.keyMaterialId, r]));
  const rotated = (id: string, entry: RotationsListEntry): RotationsListEntry => {
    const r = records.get(id);
    if (r === undefined) return { ...entry, RotationType: 'ON_DEMAND' };
    return { ...entry, RotationDate: new Date(r.rotationDate.getTime()), RotationType: r.rotationType };
  };
  const imported = key.importedMaterials;
  if (key.origin === 'EXTERNAL' && imported !== undefined) {
    return imported.map((m, i) => {
      const entry: RotationsListEntry = { KeyId: key.keyId, KeyMaterialId: m.keyMaterialId };
      if (m.description !== undefined) entry.KeyMaterialDescription = m.description;
      entry.ImportState = m.importState;
      entry.KeyMaterialState = m.keyMaterialState;
      if (m.expirationModel !== undefined) entry.ExpirationModel = m.expirationModel;
      if (m.validTo !== undefined) entry.ValidTo = new Date(m.validTo.getTime());
      // Material waiting for RotateKeyOnDemand (in one Region or the whole family) is no rotation yet.
      const rotation = i > 0 && !isPendingMaterial(m);
      return { position: position(i), rotation, entry: rotation ? rotated(m.keyMaterialId, entry) : entry };
    });
  }
  return key.keyMaterials.map((m, i) => {
    const entry: RotationsListEntry = {
      KeyId: key.keyId,
      KeyMaterialId: m.id,
      KeyMaterialState: m.id === key.currentKeyMaterialId ? 'CURRENT' : 'NON_CURRENT',
    };
    return { position: position(i), rotation: i > 0, entry: i > 0 ? rotated(m.id, entry) : entry };
  });
}

export async function listKeyRotations(
  ctx: OperationContext,
  input: ListKeyRotationsInput,
): Promise<ListKeyRotationsOutput> {
  validateInput('ListKeyRotations', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    action: 'ListKeyRotations',
    allowAlias: false,
    arnCheck: true,
  });
  checkRotatableSpec(key);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  const listed = materialsOf(key).filter((l) => all || l.rotation);
  const { items, nextMarker } = page(listed, (l) => l.position, 'rotations', input.Limit ?? 100, input.Marker);
  const out: ListKeyRotationsOutput = { Rotations: items.map((l) => l.entry), Truncated: nextMarker !== undefined };
  if (nextMarker !== undefined) out.NextMarker = nextMarker;
  return out;
}
