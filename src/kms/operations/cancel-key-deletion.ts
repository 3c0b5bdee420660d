// CancelKeyDeletion (AWS KMS API Reference): only from PendingDeletion ([4] otherwise); the key comes
// back Disabled whatever its state was before.

import { validateInput } from '../validation.js';
import { KMSInvalidStateException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';

export interface CancelKeyDeletionInput {
  KeyId: string | undefined;
}

export interface CancelKeyDeletionOutput {
  KeyId?: string;
}

async function cancelKeyDeletionUnlocked(
  ctx: OperationContext,
  input: CancelKeyDeletionInput,
): Promise<CancelKeyDeletionOutput> {
  validateInput('CancelKeyDeletion', input);
  const key = await resolveKey(ctx, input.KeyId as string, { arnCheck: true, action: 'CancelKeyDeletion' });
  if (key.keyState !== 'PendingDeletion') throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`);
  key.keyState = 'Disabled';
  key.deletionDate = undefined;
  key.pendingWindowInDays = undefined;
  await ctx.store.putKey(key);
  return { KeyId: key.arn };
}

/** CancelKeyDeletion, inside the store's transaction (context.ts transactional). */
export const cancelKeyDeletion = transactional(cancelKeyDeletionUnlocked);
