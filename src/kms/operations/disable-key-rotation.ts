// DisableKeyRotation: turns off automatic rotation (settings kept beside the store, see
// enable-key-rotation.ts). Same checks as EnableKeyRotation; idempotent.

import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkUsableForCrypto } from '../key-state.js';
import { validateInput } from '../validation.js';
import { checkRotatableSpec, wipe } from '../key-material.js';
import { checkNotReplica, shareWithReplicas } from '../multi-region.js';

export interface DisableKeyRotationInput {
  KeyId: string | undefined;
}

export type DisableKeyRotationOutput = Record<string, never>;

async function disableKeyRotationUnlocked(
  ctx: OperationContext,
  input: DisableKeyRotationInput,
): Promise<DisableKeyRotationOutput> {
  validateInput('DisableKeyRotation', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'DisableKeyRotation' });
  try {
    checkUsableForCrypto(key);
    checkRotatableSpec(key);
    // Rotation is a shared property of multi-Region keys, set on the primary (the model's doc comment).
    checkNotReplica(key);
    if (key.rotationPeriodInDays !== undefined || key.rotationSince !== undefined) {
      key.rotationPeriodInDays = undefined;
      key.rotationSince = undefined;
      await ctx.store.putKey(key);
      await shareWithReplicas(ctx, key);
    }
  } finally {
    wipe(key);
  }
  return {};
}

/** DisableKeyRotation, inside the store's transaction (context.ts transactional). */
export const disableKeyRotation = transactional(disableKeyRotationUnlocked);
