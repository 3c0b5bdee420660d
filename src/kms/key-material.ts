// A key's material: the current version, which operations seal under, and the rotation rules
// the rotation operations share.

import { sealBlob } from './ciphertext.js';
import { DAY_MS, type OperationContext } from './context.js';
import { KMSInternalException, KMSInvalidStateException, UnsupportedOperationException } from './exceptions.js';
import type { KeyRecord } from './store.js';

/** The current key material, or undefined when the key has none (PendingImport). */
export function currentMaterial(key: KeyRecord): { id: string; material: Uint8Array } | undefined {
  if (key.currentKeyMaterialId === undefined) return undefined;
  return key.keyMaterials.find((m) => m.id === key.currentKeyMaterialId);
}

/**
 * `plaintext` sealed under the key's current material with `encryptionContext` (ciphertext.ts),
 * and the id of that material. What Encrypt, GenerateDataKey(WithoutPlaintext),
 * GenerateDataKeyPair(WithoutPlaintext) and ReEncrypt share, with one wiping rule:
 *
 * - the key's materials are wiped here, in a finally, sealed or not (the per-blob key derived
 *   from the material is derived and used inside the core in one call and never reaches
 *   JavaScript);
 * - the plaintext is not touched here: it stays with whoever made it. An operation that made a
 *   secret (a data key, a private key, ReEncrypt's opened plaintext) wipes it in its own finally
 *   unless its output carries it; a caller's Plaintext input is the caller's.
 *
 * A key without current material (which the key-state checks keep from getting here) is
 * KMSInternalException.
 */
export function sealUnderCurrentMaterial(
  ctx: OperationContext,
  key: KeyRecord,
  plaintext: Uint8Array,
  encryptionContext: Record<string, string> | undefined,
): { blob: Uint8Array; keyMaterialId: string } {
  try {
    const material = currentMaterial(key);
    if (material === undefined) throw new KMSInternalException(`${key.arn} has no current key material.`);
    const blob = sealBlob(ctx.core(), {
      keyArn: key.arn,
      keyMaterialId: material.id,
      keyMaterial: material.material,
      plaintext,
      encryptionContext,
    });
    return { blob, keyMaterialId: material.id };
  } finally {
    wipe(key);
  }
}

/** When the key's material next rotates automatically; undefined while rotation is off. */
export function nextRotationDate(key: KeyRecord): Date | undefined {
  if (key.rotationPeriodInDays === undefined || key.rotationSince === undefined) return undefined;
  return new Date(key.rotationSince.getTime() + key.rotationPeriodInDays * DAY_MS);
}

/** Only symmetric encryption keys rotate. The empty message is the one recorded for RotateKeyOnDemand. */
export function checkRotatableSpec(key: KeyRecord): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT')
    throw new UnsupportedOperationException('');
  if (key.customKeyStoreId !== undefined) {
    // Message ours.
    throw new UnsupportedOperationException(`${key.arn} is in a custom key store; its key material cannot be rotated.`);
  }
}

/** An EXTERNAL key with no material imported as NEW_KEY_MATERIAL waiting for RotateKeyOnDemand [AWS-REC wording]. */
export function noPendingMaterial(key: KeyRecord): KMSInvalidStateException {
  return new KMSInvalidStateException(`No available key material pending rotation for the key: ${key.arn}.`);
}

/** Zeroes every material version of the key record. */
export function wipe(key: KeyRecord): void {
  for (const m of key.keyMaterials) m.material.fill(0);
}
