// A key's material: the current version, which operations seal under, and the rotation rules
// the rotation operations share.

import { KMSInvalidStateException, UnsupportedOperationException } from './exceptions.js';
import type { KeyRecord } from './store.js';

/** The current key material, or undefined when the key has none (PendingImport). */
export function currentMaterial(key: KeyRecord): { id: string; material: Uint8Array } | undefined {
  if (key.currentKeyMaterialId === undefined) return undefined;
  return key.keyMaterials.find((m) => m.id === key.currentKeyMaterialId);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When the key's material next rotates automatically; undefined while rotation is off. */
export function nextRotationDate(key: KeyRecord): Date | undefined {
  if (key.rotationPeriodInDays === undefined || key.rotationSince === undefined) return undefined;
  return new Date(key.rotationSince.getTime() + key.rotationPeriodInDays * DAY_MS);
}

/** Only symmetric encryption keys rotate. The empty message is the one recorded for RotateKeyOnDemand. */
export function checkRotatableSpec(key: KeyRecord): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') throw new UnsupportedOperationException('');
  if (key.customKeyStoreId !== undefined) {
    // Message ours.
    throw new UnsupportedOperationException(`${key.arn} is in a custom key store; its key material cannot be rotated.`);
  }
}

/** Imported key material: this engine has no ImportKeyMaterial, so nothing is ever pending rotation [AWS-REC wording]. */
export function noPendingMaterial(key: KeyRecord): KMSInvalidStateException {
  return new KMSInvalidStateException(`No available key material pending rotation for the key: ${key.arn}.`);
}

export function wipe(key: KeyRecord): void {
  for (const m of key.keyMaterials) m.material.fill(0);
}
