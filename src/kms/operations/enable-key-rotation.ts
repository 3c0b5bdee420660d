// EnableKeyRotation: turns on automatic rotation of a symmetric encryption key's material,
// every RotationPeriodInDays (90..2560, default 365). Order: validate → resolve (key id or key
// ARN; an alias is accepted by the model, so resolveKey's usual rules apply) → key state
// (Disabled → DisabledException, PendingDeletion/PendingImport/... → KMSInvalidStateException,
// as the crypto row of §2.3) → key type (non-symmetric → UnsupportedOperationException with an
// empty message, as recorded for RotateKeyOnDemand) → work.
//
// The settings are kept on the key's record (rotationPeriodInDays, rotationSince), so a file
// store keeps them across processes. Automatic rotation itself is not performed; only the
// settings and NextRotationDate are kept and reported.

import { KMSInvalidStateException, UnsupportedOperationException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkUsableForCrypto } from '../key-state.js';
import type { KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface EnableKeyRotationInput {
  KeyId: string | undefined;
  RotationPeriodInDays?: number;
}

export type EnableKeyRotationOutput = Record<string, never>;

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

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

async function enableKeyRotationUnlocked(ctx: OperationContext, input: EnableKeyRotationInput): Promise<EnableKeyRotationOutput> {
  validateInput('EnableKeyRotation', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'EnableKeyRotation' });
  try {
    checkUsableForCrypto(key);
    checkRotatableSpec(key);
    if (key.origin === 'EXTERNAL') {
      // Message ours: automatic rotation is not available for imported key material.
      throw new UnsupportedOperationException(`${key.arn} origin is EXTERNAL which is not valid for this operation.`);
    }
    key.rotationPeriodInDays = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
    key.rotationSince ??= new Date();
    await ctx.store.putKey(key);
  } finally {
    wipe(key);
  }
  return {};
}

/** EnableKeyRotation, inside the store's transaction (context.ts transactional). */
export const enableKeyRotation = transactional(enableKeyRotationUnlocked);
