// Multi-Region keys (AWS KMS Developer Guide, "Multi-Region keys in AWS KMS"): a primary key and
// its replicas, one per Region of the same account and partition, all with the same key id and
// the same key material. Each is a key record of its own in the store (account, Region, key id);
// `multiRegionConfiguration` (records.ts MultiRegionRecord) on every one of them holds the
// family's links: the primary's Region, the replicas' Regions, and the replicas scheduled for
// deletion with the end of their waiting period. Every operation that changes the links reads
// the whole family and writes every member back inside one store transaction.
//
// Deletion: this engine never removes a key record. A replica counts as deleted once its waiting
// period has ended: from then on it is left out of the family's ReplicaKeys, and a primary in
// PendingReplicaDeletion whose last replica is deleted moves to PendingDeletion, its own waiting
// period (PendingWindowInDays) counted from that replica's deletion (AWS KMS API Reference,
// ScheduleKeyDeletion). `settledLinks` computes that view from one record at a given time,
// so DescribeKey and the operations see the same family whichever record they read.
//
// Shared properties (key material and its ids, rotation settings and history) follow the
// primary: `shareKeyMaterial` copies them, and `shareWithReplicas` writes them to every replica
// after the primary changed them (RotateKeyOnDemand, EnableKeyRotation, DisableKeyRotation).

import { UnsupportedOperationException } from './exceptions.js';
import { DAY_MS, nowOf, type OperationContext } from './context.js';
import type { MultiRegionRecord } from './records.js';
import type { KeyState } from './schema.js';
import { keyArn, type KeyRecord } from './store.js';

/**
 * [AWS-REC] ReplicateKey of a replica: UnsupportedOperationException "<ARN> is not a
 * multi-region primary key." Used as well (unrecorded) for a single-Region key there, and for
 * the operations that only a primary takes (rotation settings, on-demand rotation,
 * UpdatePrimaryRegion's KeyId).
 */
export function notPrimary(key: KeyRecord): UnsupportedOperationException {
  return new UnsupportedOperationException(`${key.arn} is not a multi-region primary key.`);
}

/** The links of a multi-Region key as stored (a key made before links were kept: a primary alone); undefined for a single-Region key. */
export function storedLinks(key: KeyRecord): MultiRegionRecord | undefined {
  if (!key.multiRegion) return undefined;
  return key.multiRegionConfiguration ?? { type: 'PRIMARY', primaryRegion: key.region, replicaRegions: [] };
}

/** What a multi-Region record looks like at `now`: its links without deleted replicas, its state and deletion date. */
export interface SettledView {
  links: MultiRegionRecord;
  keyState: KeyState;
  deletionDate?: Date;
}

/**
 * The view of a multi-Region key at `now` (ms): replicas whose waiting period has ended are
 * deleted, so they leave the links; a primary in PendingReplicaDeletion left without replicas is
 * PendingDeletion, its deletion date `pendingWindowInDays` after the last replica's deletion.
 * Undefined for a single-Region key.
 */
export function settledLinks(key: KeyRecord, now: number): SettledView | undefined {
  const stored = storedLinks(key);
  if (stored === undefined) return undefined;
  const deletions = stored.replicaDeletions ?? [];
  const gone = deletions.filter((d) => d.deletionDate.getTime() <= now);
  const goneRegions = new Set(gone.map((d) => d.region));
  const links: MultiRegionRecord = {
    type: stored.type,
    primaryRegion: stored.primaryRegion,
    replicaRegions: stored.replicaRegions.filter((r) => !goneRegions.has(r)),
  };
  const pending = deletions.filter((d) => !goneRegions.has(d.region));
  if (pending.length > 0)
    links.replicaDeletions = pending.map((d) => ({ region: d.region, deletionDate: new Date(d.deletionDate) }));
  if (key.keyState === 'PendingReplicaDeletion' && links.replicaRegions.length === 0) {
    const last = gone.reduce((t, d) => Math.max(t, d.deletionDate.getTime()), 0);
    const start = last > 0 ? last : now;
    const days = key.pendingWindowInDays ?? 30;
    return { links, keyState: 'PendingDeletion', deletionDate: new Date(start + days * DAY_MS) };
  }
  return {
    links,
    keyState: key.keyState,
    deletionDate: key.deletionDate === undefined ? undefined : new Date(key.deletionDate),
  };
}

/** Applies `settledLinks` at `now` (ms, the operation's clock) to the record (in memory; the caller writes it back if it keeps it). */
export function settle(key: KeyRecord, now: number): void {
  const view = settledLinks(key, now);
  if (view === undefined) return;
  key.multiRegionConfiguration = view.links;
  key.keyState = view.keyState;
  key.deletionDate = view.deletionDate;
}

/** DescribeKey's MultiRegionConfiguration for a record's links: the primary, then the replicas in the order they were made. */
export function multiRegionConfiguration(
  key: KeyRecord,
  links: MultiRegionRecord,
): {
  MultiRegionKeyType: 'PRIMARY' | 'REPLICA';
  PrimaryKey: { Arn: string; Region: string };
  ReplicaKeys: { Arn: string; Region: string }[];
} {
  return {
    MultiRegionKeyType: key.region === links.primaryRegion ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: { Arn: keyArn(links.primaryRegion, key.account, key.keyId), Region: links.primaryRegion },
    ReplicaKeys: links.replicaRegions.map((r) => ({ Arn: keyArn(r, key.account, key.keyId), Region: r })),
  };
}

/** True when `key` is the primary of its multi-Region key (settled first). */
export function isPrimary(key: KeyRecord): boolean {
  const links = storedLinks(key);
  return links !== undefined && links.primaryRegion === key.region;
}

/**
 * The other live members of `key`'s family (settled at `now`), loaded from the store: the
 * primary and every replica but `key` itself. A member whose record is missing is skipped.
 */
export async function otherMembers(ctx: OperationContext, key: KeyRecord, now: number): Promise<KeyRecord[]> {
  const view = settledLinks(key, now);
  if (view === undefined) return [];
  const regions = [view.links.primaryRegion, ...view.links.replicaRegions].filter((r) => r !== key.region);
  const out: KeyRecord[] = [];
  for (const region of regions) {
    const member = await ctx.store.getKey(key.account, region, key.keyId);
    if (member === undefined || !member.multiRegion) continue;
    settle(member, now);
    out.push(member);
  }
  return out;
}

/** Gives every member the same links (each its own type) and writes it to the store. */
export async function writeFamily(
  ctx: OperationContext,
  members: KeyRecord[],
  links: MultiRegionRecord,
): Promise<void> {
  for (const m of members) {
    const own: MultiRegionRecord = {
      type: m.region === links.primaryRegion ? 'PRIMARY' : 'REPLICA',
      primaryRegion: links.primaryRegion,
      replicaRegions: [...links.replicaRegions],
    };
    if (links.replicaDeletions !== undefined && links.replicaDeletions.length > 0)
      own.replicaDeletions = links.replicaDeletions.map((d) => ({
        region: d.region,
        deletionDate: new Date(d.deletionDate),
      }));
    m.multiRegionConfiguration = own;
    await ctx.store.putKey(m);
  }
}

/**
 * Copies the properties a replica shares with its primary: every version of the key material
 * with its id and the current one (symmetric keys), the key pair (asymmetric) or the MAC key
 * (HMAC), the automatic rotation settings and the rotation history. The target's previous
 * secret bytes are wiped first; the copies belong to `to` (wipe them with it).
 */
export function shareKeyMaterial(from: KeyRecord, to: KeyRecord): void {
  for (const m of to.keyMaterials) m.material.fill(0);
  to.keyPair?.privateKey.fill(0);
  to.hmacKey?.fill(0);
  to.keyMaterials = from.keyMaterials.map((m) => ({ id: m.id, material: m.material.slice() }));
  to.currentKeyMaterialId = from.currentKeyMaterialId;
  to.keyPair =
    from.keyPair === undefined
      ? undefined
      : { publicKey: from.keyPair.publicKey.slice(), privateKey: from.keyPair.privateKey.slice() };
  to.hmacKey = from.hmacKey?.slice();
  to.rotationPeriodInDays = from.rotationPeriodInDays;
  to.rotationSince = from.rotationSince === undefined ? undefined : new Date(from.rotationSince);
  to.rotations = from.rotations === undefined ? undefined : structuredClone(from.rotations);
}

/**
 * After a change of a primary's shared properties (new key material, rotation settings):
 * writes them to every live replica. Call inside the transaction that writes the primary. A
 * replica with imported material (origin EXTERNAL) gets the rotation settings only: its
 * material is imported into it separately, as in AWS.
 */
export async function shareWithReplicas(ctx: OperationContext, primary: KeyRecord): Promise<void> {
  if (!isPrimary(primary)) return;
  for (const replica of await otherMembers(ctx, primary, nowOf(ctx).getTime())) {
    if (primary.origin === 'EXTERNAL') {
      replica.rotationPeriodInDays = primary.rotationPeriodInDays;
      replica.rotationSince = primary.rotationSince === undefined ? undefined : new Date(primary.rotationSince);
    } else {
      shareKeyMaterial(primary, replica);
    }
    await ctx.store.putKey(replica);
  }
}

/** Rotation operations take a multi-Region key's primary only; a replica follows it. */
export function checkNotReplica(key: KeyRecord): void {
  if (key.multiRegion && !isPrimary(key)) throw notPrimary(key);
}
