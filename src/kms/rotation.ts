// A key's rotation history (the `rotations` extension field, ListKeyRotations) and automatic
// rotation that really happens.
//
// Automatic rotation is lazy: nothing runs in the background. Whenever a key is loaded for use
// (resolveKey, key-resolution.ts: every operation that names a key, cryptographic or not), the
// key is checked against its schedule; a key whose NextRotationDate (rotationSince + period, as
// GetKeyRotationStatus shows it) has passed gets one new key material for every period that has
// passed, each an AUTOMATIC record dated when it was due, and rotationSince moves to the last of
// those dates, so that the next rotation is due one period later. Older materials stay: what was
// sealed before still decrypts, and new ciphertexts use the newest material.
//
// The check of a key that is not due is one date comparison: no store access at all. A key that
// is due is rotated inside the store's transaction, on the record read again there, so that two
// callers (two requests, two processes on one file store) that both find it due rotate it once.
//
// Only keys that can be rotated automatically are: symmetric encryption keys of AWS_KMS origin
// outside custom key stores (EnableKeyRotation refuses the others), in the Enabled state. AWS
// does not rotate a disabled key or one pending deletion; this engine keeps no history of when a
// key was disabled, so a key that is not Enabled when checked is left as it is, and once it is
// checked while Enabled again every rotation due by then is made, dated when it was due.
//
// A multi-Region key rotates through its primary, which shares every new material and record
// with its replicas (multi-region.ts shareWithReplicas, as RotateKeyOnDemand does): a replica
// found due has its primary rotated (when the primary is Enabled) and is read again. A replica
// whose primary cannot rotate (not Enabled, or gone) stays due until it can; what it costs is
// decided before any lock: the primary is read once without the lock, and while it cannot
// rotate the replica is used as it is, with no transaction and no further read, for
// BLOCKED_RECHECK_MS of the operation's clock (in this process, for this store); then the
// primary is read again. Resolving the primary in this process (EnableKey of it is one) ends
// that wait at once; another process's change is seen at the next check.

import { DAY_MS, nowOf, storeOf, type OperationContext } from './context.js';
import { isPrimary, shareWithReplicas } from './multi-region.js';
import type { RotationRecord } from './records.js';
import { newKeyMaterial, wipeRecord, type KeyRecord, type KeyStore } from './store.js';

/** How long (ms of the operation's clock) a replica whose primary could not rotate is used without checking again. */
export const BLOCKED_RECHECK_MS = 60_000;

/** A replica found due whose primary could not rotate: its rotationSince then (ms), and when it was checked (ms). */
interface Blocked {
  since: number;
  at: number;
}

/** Per store (storeOf): account + key id of a multi-Region key → its replica last found unable to rotate. */
const blockedByStore = new WeakMap<KeyStore, Map<string, Blocked>>();

const familyOf = (key: KeyRecord): string => `${key.account}\u0000${key.keyId}`;

/** Whether `replica` was found unable to rotate lately, at the rotationSince it still has. */
function stillBlocked(ctx: OperationContext, replica: KeyRecord, now: Date): boolean {
  const b = blockedByStore.get(storeOf(ctx))?.get(familyOf(replica));
  if (b === undefined || b.since !== replica.rotationSince?.getTime()) return false;
  const t = now.getTime();
  return t >= b.at && t - b.at < BLOCKED_RECHECK_MS;
}

function markBlocked(ctx: OperationContext, replica: KeyRecord, now: Date): void {
  const since = replica.rotationSince?.getTime();
  if (since === undefined) return;
  const store = storeOf(ctx);
  let map = blockedByStore.get(store);
  if (map === undefined) blockedByStore.set(store, (map = new Map()));
  map.set(familyOf(replica), { since, at: now.getTime() });
}

/** Whether the primary of the due `replica` can rotate now, read without the lock (the lock's read decides). */
async function primaryCanRotate(ctx: OperationContext, replica: KeyRecord, now: Date): Promise<boolean> {
  const region = replica.multiRegionConfiguration?.primaryRegion;
  const primary = region === undefined ? undefined : await ctx.store.getKey(replica.account, region, replica.keyId);
  const can = primary !== undefined && rotationDue(primary, now);
  if (primary !== undefined) wipeRecord(primary);
  if (!can) markBlocked(ctx, replica, now);
  return can;
}

/** Whether the key's automatic rotation is due at `now` (cheap: no store access). */
export function rotationDue(key: KeyRecord, now: Date): boolean {
  const period = key.rotationPeriodInDays;
  const since = key.rotationSince;
  if (period === undefined || since === undefined || !(period > 0)) return false;
  if (key.keyState !== 'Enabled' || key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT')
    return false;
  if (key.origin !== 'AWS_KMS' || key.customKeyStoreId !== undefined) return false;
  return since.getTime() + period * DAY_MS <= now.getTime();
}

/**
 * Makes on `key` every automatic rotation due at `now`: a new material made current and an
 * AUTOMATIC record dated when it was due, per period passed; rotationSince becomes the last of
 * those dates. The number of rotations made (0 when none was due).
 */
export function applyDueRotations(key: KeyRecord, now: Date): number {
  if (!rotationDue(key, now)) return 0;
  const period = key.rotationPeriodInDays! * DAY_MS;
  let since = key.rotationSince!.getTime();
  let made = 0;
  while (since + period <= now.getTime()) {
    since += period;
    const material = newKeyMaterial();
    key.keyMaterials.push(material);
    key.currentKeyMaterialId = material.id;
    appendRotation(key, { keyMaterialId: material.id, rotationDate: new Date(since), rotationType: 'AUTOMATIC' });
    made++;
  }
  key.rotationSince = new Date(since);
  return made;
}

/**
 * `key` with the automatic rotations due now made and written, or `key` itself when none is due
 * (the common case: one date comparison). Outside a transaction, the key is read again inside
 * one and rotated there, and that record is returned; inside one (ctx.inTransaction), `key` was
 * read under the lock already and is rotated and written as it is.
 */
export async function rotateIfDue(ctx: OperationContext, key: KeyRecord): Promise<KeyRecord> {
  const now = nowOf(ctx);
  // A primary seen here may have changed (enabled, say): its replicas are checked again.
  const replica = key.multiRegion && !isPrimary(key);
  if (key.multiRegion && !replica) blockedByStore.get(storeOf(ctx))?.delete(familyOf(key));
  if (!rotationDue(key, now)) return key;
  // A replica whose primary cannot rotate: no lock, no read (see the top of this file).
  if (replica && stillBlocked(ctx, key, now)) return key;
  const store = ctx.store;
  if (ctx.inTransaction === true || store.transaction === undefined) return rotateLocked(ctx, key, now);
  if (replica && !(await primaryCanRotate(ctx, key, now))) return key;
  return store.transaction(async () => {
    const fresh = await store.getKey(key.account, key.region, key.keyId);
    return fresh === undefined ? key : rotateLocked(ctx, fresh, now);
  });
}

/** Rotates `fresh` (read under the lock) or, for a replica, its primary; the record to use afterwards. */
async function rotateLocked(ctx: OperationContext, fresh: KeyRecord, now: Date): Promise<KeyRecord> {
  const store = ctx.store;
  if (!fresh.multiRegion || isPrimary(fresh)) {
    if (applyDueRotations(fresh, now) === 0) return fresh;
    await store.putKey(fresh);
    await shareWithReplicas(ctx, fresh);
    return fresh;
  }
  const primaryRegion = fresh.multiRegionConfiguration?.primaryRegion;
  const primary =
    primaryRegion === undefined ? undefined : await store.getKey(fresh.account, primaryRegion, fresh.keyId);
  if (primary === undefined || applyDueRotations(primary, now) === 0) {
    markBlocked(ctx, fresh, now);
    return fresh;
  }
  await store.putKey(primary);
  await shareWithReplicas(ctx, primary);
  // The replica as the primary's share wrote it.
  return (await store.getKey(fresh.account, fresh.region, fresh.keyId)) ?? fresh;
}

/** Appends a rotation record to the key's history. */
export function appendRotation(key: KeyRecord, record: RotationRecord): void {
  (key.rotations ??= []).push(record);
}

/**
 * How many of the key's materials came from RotateKeyOnDemand: every material after the first
 * that no AUTOMATIC record accounts for (a key rotated on demand before rotations were recorded
 * has materials without a record, all of them on demand).
 */
export function onDemandRotationCount(key: KeyRecord): number {
  const automatic = key.rotations?.filter((r) => r.rotationType === 'AUTOMATIC').length ?? 0;
  return Math.max(0, key.keyMaterials.length - 1 - automatic);
}
