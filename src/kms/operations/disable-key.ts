// DisableKey (AWS KMS API Reference): key id or key ARN only; idempotent. Refused while
// PendingDeletion [3] or PendingImport [5].

import { validateInput } from '../validation.js';
import { invalidState, resolveKey, type OperationContext, transactional } from '../keys.js';

export interface DisableKeyInput {
  KeyId: string | undefined;
}

export type DisableKeyOutput = Record<string, never>;

async function disableKeyUnlocked(ctx: OperationContext, input: DisableKeyInput): Promise<DisableKeyOutput> {
  validateInput('DisableKey', input);
  const key = await resolveKey(ctx, input.KeyId as string, { allowAlias: false, arnCheck: true, action: 'DisableKey' });
  if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled' && key.keyState !== 'Unavailable') throw invalidState(key);
  key.keyState = 'Disabled';
  await ctx.store.putKey(key);
  return {};
}

/** DisableKey, inside the store's transaction (keys.ts transactional). */
export const disableKey = transactional(disableKeyUnlocked);
