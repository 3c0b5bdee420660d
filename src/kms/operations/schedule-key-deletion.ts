// ScheduleKeyDeletion (AWS KMS API Reference): 7..30 days (validation enforces the range), default 30.
// Refused when already PendingDeletion [3]. Keys are never actually deleted yet: nothing
// removes a key whose DeletionDate has passed.

import { validateInput } from '../validation.js';
import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';

export interface ScheduleKeyDeletionInput {
  KeyId: string | undefined;
  PendingWindowInDays?: number;
}

export interface ScheduleKeyDeletionOutput {
  KeyId?: string;
  DeletionDate?: Date;
  KeyState?: string;
  PendingWindowInDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

async function scheduleKeyDeletionUnlocked(
  ctx: OperationContext,
  input: ScheduleKeyDeletionInput,
): Promise<ScheduleKeyDeletionOutput> {
  validateInput('ScheduleKeyDeletion', input);
  const key = await resolveKey(ctx, input.KeyId as string, { arnCheck: true, action: 'ScheduleKeyDeletion' });
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion' || key.keyState === 'Updating') {
    throw invalidState(key);
  }
  const days = input.PendingWindowInDays ?? 30;
  const deletionDate = new Date(Date.now() + days * DAY_MS);
  key.keyState = 'PendingDeletion';
  key.deletionDate = deletionDate;
  key.pendingWindowInDays = days;
  await ctx.store.putKey(key);
  return {
    KeyId: key.arn,
    DeletionDate: new Date(deletionDate.getTime()),
    KeyState: 'PendingDeletion',
    PendingWindowInDays: days,
  };
}

/** ScheduleKeyDeletion, inside the store's transaction (context.ts transactional). */
export const scheduleKeyDeletion = transactional(scheduleKeyDeletionUnlocked);
