// GetKeyRotationStatus: { KeyId (the key ARN, as AWS answered in 2025), KeyRotationEnabled } plus
// RotationPeriodInDays and NextRotationDate while automatic rotation is enabled (recorded shape).
// Allowed in every key state here (as LocalStack does; the real PendingDeletion behaviour is
// unverified); only symmetric encryption keys have a rotation status (UnsupportedOperationException
// otherwise).

import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { validateInput } from '../validation.js';
import { checkRotatableSpec, nextRotationDate, wipe } from '../key-material.js';

export interface GetKeyRotationStatusInput {
  KeyId: string | undefined;
}

export interface GetKeyRotationStatusOutput {
  KeyRotationEnabled?: boolean;
  KeyId?: string;
  RotationPeriodInDays?: number;
  NextRotationDate?: Date;
  OnDemandRotationStartDate?: Date;
}

export async function getKeyRotationStatus(
  ctx: OperationContext,
  input: GetKeyRotationStatusInput,
): Promise<GetKeyRotationStatusOutput> {
  validateInput('GetKeyRotationStatus', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'GetKeyRotationStatus' });
  wipe(key);
  checkRotatableSpec(key);
  const next = nextRotationDate(key);
  if (next === undefined) return { KeyId: key.arn, KeyRotationEnabled: false };
  return {
    KeyId: key.arn,
    KeyRotationEnabled: true,
    RotationPeriodInDays: key.rotationPeriodInDays,
    NextRotationDate: next,
  };
}
