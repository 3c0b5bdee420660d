// ScheduleKeyDeletion (AWS KMS API Reference): 7..30 days (validation enforces the range), default 30.
// Refused when already PendingDeletion [3]. Keys are never actually deleted yet: nothing
// removes a key whose DeletionDate has passed.
//
// Multi-Region keys (multi-region.ts): a primary that still has replicas goes to
// PendingReplicaDeletion with its window and no DeletionDate; its waiting period starts when its
// last replica is deleted. A replica's deletion date is written into every member's links, so
// that the family drops it once its waiting period has ended.

import { validateInput } from '../validation.js';
import { DAY_MS, nowOf, type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';
import { isPrimary, otherMembers, settle, writeFamily } from '../multi-region.js';

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

async function scheduleKeyDeletionUnlocked(
  ctx: OperationContext,
  input: ScheduleKeyDeletionInput,
): Promise<ScheduleKeyDeletionOutput> {
  validateInput('ScheduleKeyDeletion', input);
  const key = await resolveKey(ctx, input.KeyId as string, { arnCheck: true, action: 'ScheduleKeyDeletion' });
  const now = nowOf(ctx).getTime();
  settle(key, now);
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion' || key.keyState === 'Updating') {
    throw invalidState(key);
  }
  const days = input.PendingWindowInDays ?? 30;
  const links = key.multiRegionConfiguration;
  if (links !== undefined && isPrimary(key) && links.replicaRegions.length > 0) {
    key.keyState = 'PendingReplicaDeletion';
    key.deletionDate = undefined;
    key.pendingWindowInDays = days;
    await ctx.store.putKey(key);
    return { KeyId: key.arn, KeyState: 'PendingReplicaDeletion', PendingWindowInDays: days };
  }
  const deletionDate = new Date(now + days * DAY_MS);
  key.keyState = 'PendingDeletion';
  key.deletionDate = deletionDate;
  key.pendingWindowInDays = days;
  if (links !== undefined && !isPrimary(key)) {
    const replicaDeletions = [...(links.replicaDeletions ?? []), { region: key.region, deletionDate }];
    await writeFamily(ctx, [key, ...(await otherMembers(ctx, key, now))], { ...links, replicaDeletions });
  } else {
    await ctx.store.putKey(key);
  }
  return {
    KeyId: key.arn,
    DeletionDate: new Date(deletionDate.getTime()),
    KeyState: 'PendingDeletion',
    PendingWindowInDays: days,
  };
}

/** ScheduleKeyDeletion, inside the store's transaction (context.ts transactional). */
export const scheduleKeyDeletion = transactional(scheduleKeyDeletionUnlocked);
