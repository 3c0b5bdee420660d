// ReplicateKey (AWS KMS API Reference): a replica of a multi-Region primary key in another Region
// of the same account and partition: a key record of its own there with the SAME key id, the
// same key material (every version, with its ids; or the same key pair / MAC key), key spec,
// key usage, origin and rotation settings, and its own description, key policy and tags. The
// primary's and every replica's links (multi-region.ts) are written in the same transaction.
//
// Order: validate → resolve (kms:ReplicateKey; a key of another account is refused: the
// operation is not cross-account) → primary check ([AWS-REC] UnsupportedOperationException "<ARN>
// is not a multi-region primary key." for a replica; the same for a single-Region key) → key
// state (PendingDeletion / PendingReplicaDeletion [3], Updating [15]; a Disabled or PendingImport
// primary can be replicated) → ReplicaRegion (same partition; the primary's own Region or a
// Region holding a replica: AlreadyExistsException) → tags → policy → work.
//
// The answer is AWS's [AWS-REC 2025-11]: ReplicaKeyMetadata in the transient state Creating
// (Enabled false, no CurrentKeyMaterialId), ReplicaPolicy, and ReplicaTags only when Tags were
// given. Nothing here is asynchronous, so the stored replica is at once in its final state,
// Enabled (PendingImport for imported material, which AWS does not copy: the same material must
// be imported into the replica), as a DescribeKey a few seconds later answers in AWS.

import { AlreadyExistsException, NotFoundException, UnsupportedOperationException } from '../exceptions.js';
import { nowOf, type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { invalidState } from '../key-state.js';
import { keyMetadata, type KeyMetadata } from '../key-metadata.js';
import { checkKeyPolicy, defaultKeyPolicy } from '../key-policy.js';
import { checkTags, wireTags } from '../tags.js';
import { authorizeAccount, callerArn } from '../authorize.js';
import { notPrimary, otherMembers, settle, settledLinks, shareKeyMaterial, writeFamily } from '../multi-region.js';
import { keyArn, partitionOf, wipeRecord, type KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface ReplicateKeyInput {
  KeyId: string | undefined;
  ReplicaRegion: string | undefined;
  Policy?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Description?: string;
  Tags?: { TagKey: string; TagValue: string }[];
}

export interface ReplicateKeyOutput {
  ReplicaKeyMetadata?: KeyMetadata;
  ReplicaPolicy?: string;
  ReplicaTags?: { TagKey: string; TagValue: string }[];
}

async function replicateKeyUnlocked(ctx: OperationContext, input: ReplicateKeyInput): Promise<ReplicateKeyOutput> {
  validateInput('ReplicateKey', input);
  const region = input.ReplicaRegion as string;
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'ReplicateKey',
  });
  // Not cross-account (the model's doc comment); as UpdateAlias answers for another account's key.
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  // The replica is a new key: kms:CreateKey, and kms:TagResource for Tags, from identity policies
  // (AWS KMS API Reference, ReplicateKey).
  authorizeAccount(ctx, 'CreateKey');
  if ((input.Tags?.length ?? 0) > 0) authorizeAccount(ctx, 'TagResource');
  const now = nowOf(ctx).getTime();
  settle(key, now);
  const links = settledLinks(key, now)?.links;
  if (links === undefined || links.primaryRegion !== key.region) throw notPrimary(key);
  if (
    key.keyState === 'PendingDeletion' ||
    key.keyState === 'PendingReplicaDeletion' ||
    key.keyState === 'Updating' ||
    key.keyState === 'Creating'
  )
    throw invalidState(key);
  // The messages of the Region checks are ours (AWS's are unrecorded).
  if (partitionOf(region) !== partitionOf(key.region)) {
    throw new UnsupportedOperationException(
      `${region} is not in the partition of ${key.arn}; a replica must be in the same AWS partition as its primary key.`,
    );
  }
  const replicaArn = keyArn(region, key.account, key.keyId);
  if (region === key.region || links.replicaRegions.includes(region)) {
    throw new AlreadyExistsException(`Key '${replicaArn}' already exists`);
  }
  // A record left in that Region by a deleted replica (past its waiting period) is replaced;
  // any other record with this key id there is a key that exists.
  const left = await ctx.store.getKey(key.account, region, key.keyId);
  if (left !== undefined && !(left.keyState === 'PendingDeletion' && (left.deletionDate?.getTime() ?? now) <= now)) {
    throw new AlreadyExistsException(`Key '${replicaArn}' already exists`);
  }
  const tags = checkTags(input.Tags);
  if (input.Policy !== undefined) {
    checkKeyPolicy(input.Policy, {
      bypassLockoutCheck: input.BypassPolicyLockoutSafetyCheck === true,
      callerArn: callerArn(ctx),
      account: ctx.account,
    });
  }

  const replica: KeyRecord = {
    keyId: key.keyId,
    account: key.account,
    region,
    arn: replicaArn,
    creationDate: new Date(now),
    description: input.Description ?? '',
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
    origin: key.origin,
    keyState: key.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    multiRegion: true,
    keyMaterials: [],
    // GetKeyLastUsage tracks a replica's use from its creation, as CreateKey does for a key.
    lastUsage: { trackingStartDate: new Date(now) },
  };
  try {
    if (key.origin === 'EXTERNAL') {
      replica.rotationPeriodInDays = key.rotationPeriodInDays;
      replica.rotationSince = key.rotationSince === undefined ? undefined : new Date(key.rotationSince);
    } else {
      shareKeyMaterial(key, replica);
    }
    if (tags.length > 0) replica.tags = tags;
    if (input.Policy !== undefined) replica.policy = input.Policy;
    const members = [key, ...(await otherMembers(ctx, key, now)), replica];
    await writeFamily(ctx, members, { ...links, replicaRegions: [...links.replicaRegions, region] });

    const md = keyMetadata(replica, new Date(now));
    md.KeyState = 'Creating';
    md.Enabled = false;
    delete md.CurrentKeyMaterialId;
    const out: ReplicateKeyOutput = {
      ReplicaKeyMetadata: md,
      ReplicaPolicy: input.Policy ?? defaultKeyPolicy(partitionOf(region), key.account),
    };
    if (input.Tags !== undefined) out.ReplicaTags = wireTags(tags);
    return out;
  } finally {
    wipeRecord(replica);
  }
}

/** ReplicateKey, inside the store's transaction (context.ts transactional). */
export const replicateKey = transactional(replicateKeyUnlocked);
