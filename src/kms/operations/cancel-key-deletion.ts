// CancelKeyDeletion (AWS KMS API Reference): only from PendingDeletion or PendingReplicaDeletion ([4]
// otherwise); the key comes back Disabled whatever its state was before. A multi-Region replica
// leaves its family's list of replicas scheduled for deletion (multi-region.ts); one whose
// waiting period has ended is deleted and no longer exists for its family (NotFoundException).

import { validateInput } from '../validation.js';
import { KMSInvalidStateException, NotFoundException } from '../exceptions.js';
import { nowOf, type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { isPrimary, otherMembers, settle, writeFamily } from '../multi-region.js';

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
  const now = nowOf(ctx).getTime();
  settle(key, now);
  if (key.keyState !== 'PendingDeletion' && key.keyState !== 'PendingReplicaDeletion')
    throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`);
  const links = key.multiRegionConfiguration;
  const replica = links !== undefined && !isPrimary(key);
  // [AWS-REC wording] of a key that does not exist.
  if (replica && !links.replicaRegions.includes(key.region))
    throw new NotFoundException(`Key '${key.arn}' does not exist`);
  key.keyState = 'Disabled';
  key.deletionDate = undefined;
  key.pendingWindowInDays = undefined;
  if (replica) {
    const replicaDeletions = (links.replicaDeletions ?? []).filter((d) => d.region !== key.region);
    await writeFamily(ctx, [key, ...(await otherMembers(ctx, key, now))], { ...links, replicaDeletions });
  } else {
    await ctx.store.putKey(key);
  }
  return { KeyId: key.arn };
}

/** CancelKeyDeletion, inside the store's transaction (context.ts transactional). */
export const cancelKeyDeletion = transactional(cancelKeyDeletionUnlocked);
