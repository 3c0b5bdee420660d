// EnableKey (AWS KMS API Reference): key id or key ARN only. Refused while PendingDeletion [3] or
// PendingImport [5] (and Creating/Updating, which this engine's keys never are).

import { validateInput } from '../validation.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';

export interface EnableKeyInput {
  KeyId: string | undefined;
}

export type EnableKeyOutput = Record<string, never>;

async function enableKeyUnlocked(ctx: OperationContext, input: EnableKeyInput): Promise<EnableKeyOutput> {
  validateInput('EnableKey', input);
  const key = await resolveKey(ctx, input.KeyId as string, { allowAlias: false, arnCheck: true, action: 'EnableKey' });
  if (key.keyState !== 'Enabled' && key.keyState !== 'Disabled' && key.keyState !== 'Unavailable')
    throw invalidState(key);
  key.keyState = 'Enabled';
  await ctx.store.putKey(key);
  return {};
}

/** EnableKey, inside the store's transaction (context.ts transactional). */
export const enableKey = transactional(enableKeyUnlocked);
