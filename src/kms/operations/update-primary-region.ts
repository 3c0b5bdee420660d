// UpdatePrimaryRegion (AWS KMS API Reference): the replica in PrimaryRegion becomes the primary
// of its multi-Region key and the current primary a replica; every member's links
// (multi-region.ts) are rewritten in one transaction. In AWS both keys pass through the
// transient state Updating for a few seconds; nothing here is asynchronous, so the change is
// complete when the call returns and the keys keep their states. Output: empty.
//
// Order: validate → resolve the current primary (key id or key ARN; kms:UpdatePrimaryRegion; a
// key of another account is refused: the operation is not cross-account) → primary check
// (UnsupportedOperationException "<ARN> is not a multi-region primary key.", the wording
// recorded for ReplicateKey) → key state (PendingDeletion / PendingReplicaDeletion [3], Creating
// [14], Updating [15]; Disabled and PendingImport keys may change roles) → PrimaryRegion: the
// primary's own Region (UnsupportedOperationException) or a Region with no replica
// (NotFoundException, the recorded wording of a key that does not exist) → the replica's state →
// work. The messages of the Region checks are ours (AWS's are unrecorded).

import { NotFoundException, UnsupportedOperationException } from '../exceptions.js';
import { nowOf, type OperationContext, transactional } from '../context.js';
import { authorize } from '../authorize.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';
import { notPrimary, otherMembers, settle, settledLinks, writeFamily } from '../multi-region.js';
import { keyArn, type KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface UpdatePrimaryRegionInput {
  KeyId: string | undefined;
  PrimaryRegion: string | undefined;
}

export type UpdatePrimaryRegionOutput = Record<string, never>;

/** The states in which a member cannot change roles. */
function checkCanChangeRole(key: KeyRecord): void {
  switch (key.keyState) {
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
    case 'Creating':
    case 'Updating':
      throw invalidState(key);
    default:
  }
}

async function updatePrimaryRegionUnlocked(
  ctx: OperationContext,
  input: UpdatePrimaryRegionInput,
): Promise<UpdatePrimaryRegionOutput> {
  validateInput('UpdatePrimaryRegion', input);
  const region = input.PrimaryRegion as string;
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'UpdatePrimaryRegion',
  });
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  const now = nowOf(ctx).getTime();
  settle(key, now);
  const links = settledLinks(key, now)?.links;
  if (links === undefined || links.primaryRegion !== key.region) throw notPrimary(key);
  checkCanChangeRole(key);
  if (region === key.region) {
    throw new UnsupportedOperationException(`${key.arn} is already the primary key in ${region}.`);
  }
  const members = [key, ...(await otherMembers(ctx, key, now))];
  const next = members.find((m) => m.region === region);
  if (!links.replicaRegions.includes(region) || next === undefined) {
    throw new NotFoundException(`Key '${keyArn(region, key.account, key.keyId)}' does not exist`);
  }
  // kms:UpdatePrimaryRegion on the replica too, from its own key policy (AWS KMS API Reference).
  const pending = authorize(ctx, next, 'UpdatePrimaryRegion');
  if (pending !== undefined) await pending;
  checkCanChangeRole(next);
  // The old primary takes the new primary's place in the list of replicas.
  const replicaRegions = links.replicaRegions.map((r) => (r === region ? key.region : r));
  await writeFamily(ctx, members, { ...links, primaryRegion: region, replicaRegions });
  return {};
}

/** UpdatePrimaryRegion, inside the store's transaction (context.ts transactional). */
export const updatePrimaryRegion = transactional(updatePrimaryRegionUnlocked);
