// EnableKeyRotation: turns on automatic rotation of a symmetric encryption key's material,
// every RotationPeriodInDays (90..2560, default 365). Order: validate → resolve (key id or key
// ARN; an alias is accepted by the model, so resolveKey's usual rules apply) → key state
// (Disabled → DisabledException, PendingDeletion/PendingImport/... → KMSInvalidStateException,
// as the crypto row of §2.3) → key type (non-symmetric → UnsupportedOperationException with an
// empty message, as recorded for RotateKeyOnDemand) → work.
//
// The store has no field for rotation settings, so they live here, in a WeakMap keyed by the
// KeyStore instance (per account/Region/key id). They are therefore process-local: a file store
// reopened in another process forgets them. Automatic rotation itself is not performed; only
// the settings and NextRotationDate are kept and reported.

import { KMSInvalidStateException, UnsupportedOperationException } from '../exceptions.js';
import { checkUsableForCrypto, resolveKey, type OperationContext } from '../keys.js';
import type { KeyRecord, KeyStore } from '../store.js';
import { validateInput } from '../validation.js';

export interface EnableKeyRotationInput {
  KeyId: string | undefined;
  RotationPeriodInDays?: number;
}

export type EnableKeyRotationOutput = Record<string, never>;

export interface RotationSettings {
  rotationPeriodInDays: number;
  /** When automatic rotation was (last) enabled; NextRotationDate = this + period. */
  since: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

const settingsByStore = new WeakMap<KeyStore, Map<string, RotationSettings>>();

function slotOf(key: KeyRecord): string {
  return `${key.account}\u0000${key.region}\u0000${key.keyId}`;
}

function tableFor(store: KeyStore): Map<string, RotationSettings> {
  let t = settingsByStore.get(store);
  if (t === undefined) {
    t = new Map();
    settingsByStore.set(store, t);
  }
  return t;
}

export function getRotationSettings(store: KeyStore, key: KeyRecord): RotationSettings | undefined {
  return settingsByStore.get(store)?.get(slotOf(key));
}

export function setRotationSettings(store: KeyStore, key: KeyRecord, settings: RotationSettings | undefined): void {
  if (settings === undefined) settingsByStore.get(store)?.delete(slotOf(key));
  else tableFor(store).set(slotOf(key), settings);
}

export function nextRotationDate(settings: RotationSettings): Date {
  return new Date(settings.since.getTime() + settings.rotationPeriodInDays * DAY_MS);
}

/** Only symmetric encryption keys rotate. The empty message is the one recorded for RotateKeyOnDemand. */
export function checkRotatableSpec(key: KeyRecord): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT') throw new UnsupportedOperationException('');
  if (key.customKeyStoreId !== undefined) {
    // Message ours.
    throw new UnsupportedOperationException(`${key.arn} is in a custom key store; its key material cannot be rotated.`);
  }
}

/** Imported key material: this engine has no ImportKeyMaterial, so nothing is ever pending rotation [AWS-REC wording]. */
export function noPendingMaterial(key: KeyRecord): KMSInvalidStateException {
  return new KMSInvalidStateException(`No available key material pending rotation for the key: ${key.arn}.`);
}

export function wipe(key: KeyRecord): void {
  for (const m of key.keyMaterials) m.material.fill(0);
}

export async function enableKeyRotation(ctx: OperationContext, input: EnableKeyRotationInput): Promise<EnableKeyRotationOutput> {
  validateInput('EnableKeyRotation', input);
  const key = await resolveKey(ctx, input.KeyId as string);
  wipe(key);
  checkUsableForCrypto(key);
  checkRotatableSpec(key);
  if (key.origin === 'EXTERNAL') {
    // Message ours: automatic rotation is not available for imported key material.
    throw new UnsupportedOperationException(`${key.arn} origin is EXTERNAL which is not valid for this operation.`);
  }
  const period = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  const previous = getRotationSettings(ctx.store, key);
  setRotationSettings(ctx.store, key, { rotationPeriodInDays: period, since: previous?.since ?? new Date() });
  return {};
}
