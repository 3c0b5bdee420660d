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
// found due has its primary rotated (when the primary is Enabled) and is read again.

import type { OperationContext } from './context.js';
import { isPrimary, shareWithReplicas } from './multi-region.js';
import type { RotationRecord } from './records.js';
import { newKeyMaterial, type KeyRecord } from './store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The time the operation runs at: the context's clock, else the system's. */
export function nowOf(ctx: Pick<OperationContext, 'now'>): Date {
  return ctx.now?.() ?? new Date();
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
  if (!rotationDue(key, now)) return key;
  const store = ctx.store;
  if (ctx.inTransaction === true || store.transaction === undefined) return rotateLocked(ctx, key, now);
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
  if (primaryRegion === undefined) return fresh;
  const primary = await store.getKey(fresh.account, primaryRegion, fresh.keyId);
  if (primary === undefined || applyDueRotations(primary, now) === 0) return fresh;
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
