// DisableKey (AWS KMS API Reference): key id or key ARN only; idempotent. Refused while
// PendingDeletion [3] or PendingImport [5].

import { validateInput } from '../validation.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';

export interface DisableKeyInput {
  KeyId: string | undefined;
}

export type DisableKeyOutput = Record<string, never>;

async function disableKeyUnlocked(ctx: OperationContext, input: DisableKeyInput): Promise<DisableKeyOutput> {
  validateInput('DisableKey', input);
  const key = await resolveKey(ctx, input.KeyId as string, { allowAlias: false, arnCheck: true, action: 'DisableKey' });
  if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled' && key.keyState !== 'Unavailable')
    throw invalidState(key);
  key.keyState = 'Disabled';
  await ctx.store.putKey(key);
  return {};
}

/** DisableKey, inside the store's transaction (context.ts transactional). */
export const disableKey = transactional(disableKeyUnlocked);
