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

import { type OperationContext, transactional } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { lastUseOf, trackingStart } from '../last-usage.js';
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

async function getKeyLastUsageUnlocked(
  ctx: OperationContext,
  input: GetKeyLastUsageInput,
): Promise<GetKeyLastUsageOutput> {
  validateInput('GetKeyLastUsage', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    action: 'GetKeyLastUsage',
    allowAlias: false,
    arnCheck: true,
  });
  // The record may be written back (trackingStart): its key material must stay whole here. The
  // operation's run wipes every record it loaded when it ends (store.ts runWipingLoadedKeys).
  const start = await trackingStart(ctx, key);
  const use = lastUseOf(key);
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

/** GetKeyLastUsage, inside the store's transaction (a key made before tracking gets its start written). */
export const getKeyLastUsage = transactional(getKeyLastUsageUnlocked);
