// GetKeyLastUsage (AWS KMS API Reference): the last successful cryptographic operation that used
// a key, as last-usage.ts records it (what is recorded, how current it is, what a crash may
// lose): KeyId (the key id, the "globally unique identifier" of the model's example),
// KeyLastUsage { Operation, Timestamp, KmsRequestId } or {} when the key has not been used since
// tracking began (no CloudTrailEventId: this engine has no CloudTrail), TrackingStartDate and
// KeyCreationDate.
//
// Order: validate → resolve (key id or key ARN only: "Alias names are not supported"; a malformed
// ARN is InvalidArnException, which the model lists; another account's key refused by authorize,
// "Cross-account use: No"). Every key state is allowed (the model lists no
// KMSInvalidStateException). A key made before tracking existed starts being tracked here if it
// has not been used since: its TrackingStartDate is written once, inside the store's transaction.
// Only then is the store's lock taken: a key whose tracking has started (every key made by
// CreateKey or ReplicateKey) is answered from its record and memory, with no lock.

import { storeOf, type OperationContext } from '../context.js';
import { resolveKey, type ResolveOptions } from '../key-resolution.js';
import { lastUseOf, trackingStart } from '../last-usage.js';
import type { KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface GetKeyLastUsageInput {
  KeyId: string | undefined;
}

export interface KeyLastUsageData {
  Operation?: string;
  Timestamp?: Date;
  CloudTrailEventId?: string;
  KmsRequestId?: string;
}

export interface GetKeyLastUsageOutput {
  KeyId?: string;
  KeyLastUsage?: KeyLastUsageData;
  TrackingStartDate?: Date;
  KeyCreationDate?: Date;
}

const RESOLVE: ResolveOptions = { action: 'GetKeyLastUsage', allowAlias: false, arnCheck: true };

/** GetKeyLastUsage: the store's transaction only where a tracking start must be written. */
export async function getKeyLastUsage(
  ctx: OperationContext,
  input: GetKeyLastUsageInput,
): Promise<GetKeyLastUsageOutput> {
  validateInput('GetKeyLastUsage', input);
  const key = await resolveKey(ctx, input.KeyId as string, RESOLVE);
  const store = ctx.store;
  if (key.lastUsage?.trackingStartDate !== undefined || ctx.inTransaction === true || store.transaction === undefined)
    return answer(ctx, key);
  // A key from before tracking: read again under the lock, where its start is written once.
  return store.transaction(async () => {
    const locked = { ...ctx, inTransaction: true };
    return answer(locked, await resolveKey(locked, input.KeyId as string, RESOLVE));
  });
}

async function answer(ctx: OperationContext, key: KeyRecord): Promise<GetKeyLastUsageOutput> {
  // The record may be written back (trackingStart): its key material must stay whole here. The
  // operation's run wipes every record it loaded when it ends (store.ts runWipingLoadedKeys).
  const start = await trackingStart(ctx, key);
  const use = lastUseOf(storeOf(ctx), key);
  const usage: KeyLastUsageData = {};
  if (use !== undefined) {
    usage.Operation = use.operation;
    usage.Timestamp = new Date(use.timestamp);
    if (use.kmsRequestId !== '') usage.KmsRequestId = use.kmsRequestId;
  }
  return {
    KeyId: key.keyId,
    KeyLastUsage: usage,
    TrackingStartDate: new Date(start.getTime()),
    KeyCreationDate: new Date(key.creationDate.getTime()),
  };
}
