// UpdateKeyDescription (AWS KMS API Reference): replaces the description of a KMS key of the
// caller's account (0..8192 characters, the schema's DescriptionType; validated first). The key
// is named by key id or key ARN (no alias, as the model's KeyId says; an alias gets
// NotFoundException "Invalid keyId", a malformed ARN InvalidArnException, which the model lists).
// Another account's key is refused like every management operation's: AccessDeniedException from
// authorize (the default key policy), or NotFoundException when that account has no such key.
// Key states (key-state table): every state but PendingDeletion / PendingReplicaDeletion, which
// are KMSInvalidStateException "<ARN> is pending deletion." [3]. Read-change-write inside the
// store's transaction. DescribeKey shows the new description.

import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';
import { validateInput } from '../validation.js';

export interface UpdateKeyDescriptionInput {
  KeyId: string | undefined;
  Description: string | undefined;
}

export type UpdateKeyDescriptionOutput = Record<string, never>;

async function updateKeyDescriptionUnlocked(
  ctx: OperationContext,
  input: UpdateKeyDescriptionInput,
): Promise<UpdateKeyDescriptionOutput> {
  validateInput('UpdateKeyDescription', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    action: 'UpdateKeyDescription',
    allowAlias: false,
    arnCheck: true,
  });
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') throw invalidState(key);
  key.description = input.Description as string;
  await ctx.store.putKey(key);
  return {};
}

/** UpdateKeyDescription, inside the store's transaction (context.ts transactional). */
export const updateKeyDescription = transactional(updateKeyDescriptionUnlocked);
