// EnableKeyRotation: turns on automatic rotation of a symmetric encryption key's material,
// every RotationPeriodInDays (90..2560, default 365). Order: validate → resolve (key id or key
// ARN; an alias is accepted by the model, so resolveKey's usual rules apply) → key state
// (Disabled → DisabledException, PendingDeletion/PendingImport/... → KMSInvalidStateException,
// as the crypto row of §2.3) → key type (non-symmetric → UnsupportedOperationException with an
// empty message, as recorded for RotateKeyOnDemand) → work.
//
// The settings are kept on the key's record (rotationPeriodInDays, rotationSince), so a file
// store keeps them across processes. The rotation itself happens when the key is next used or
// listed after NextRotationDate (rotation.ts), dated when it was due.

import { UnsupportedOperationException } from '../exceptions.js';
import { nowOf, type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkUsableForCrypto } from '../key-state.js';
import { checkRotatableSpec, wipe } from '../key-material.js';
import { validateInput } from '../validation.js';
import { checkNotReplica, shareWithReplicas } from '../multi-region.js';

export interface EnableKeyRotationInput {
  KeyId: string | undefined;
  RotationPeriodInDays?: number;
}

export type EnableKeyRotationOutput = Record<string, never>;

export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

async function enableKeyRotationUnlocked(
  ctx: OperationContext,
  input: EnableKeyRotationInput,
): Promise<EnableKeyRotationOutput> {
  validateInput('EnableKeyRotation', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'EnableKeyRotation' });
  try {
    checkUsableForCrypto(key);
    checkRotatableSpec(key);
    // Rotation is a shared property of multi-Region keys, set on the primary (the model's doc comment).
    checkNotReplica(key);
    if (key.origin === 'EXTERNAL') {
      // Message ours: automatic rotation is not available for imported key material.
      throw new UnsupportedOperationException(`${key.arn} origin is EXTERNAL which is not valid for this operation.`);
    }
    key.rotationPeriodInDays = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
    key.rotationSince ??= nowOf(ctx);
    await ctx.store.putKey(key);
    await shareWithReplicas(ctx, key);
  } finally {
    wipe(key);
  }
  return {};
}

/** EnableKeyRotation, inside the store's transaction (context.ts transactional). */
export const enableKeyRotation = transactional(enableKeyRotationUnlocked);
