// PutKeyPolicy (AWS KMS API Reference): replaces the key policy of a key. Works in every key
// state (key-state table). Order: validate input → resolve (key id or key ARN) → PolicyName
// (`default` only: NotFoundException otherwise, as GetKeyPolicy) → the policy checks of
// key-policy.ts (32 KB quota: LimitExceededException; not a key policy, or one that would lock
// the caller out of PutKeyPolicy unless BypassPolicyLockoutSafetyCheck: MalformedPolicyDocument-
// Exception) → write. The document is kept exactly as given. Cross-account use: no (authorize
// refuses another account's key).

import { callerArn } from '../authorize.js';
import { NotFoundException } from '../exceptions.js';
import { type OperationContext, transactional } from '../context.js';
import { checkKeyPolicy } from '../key-policy.js';
import { resolveKey } from '../key-resolution.js';
import { wipeRecord } from '../store.js';
import { validateInput } from '../validation.js';
import { checkPolicyName } from './get-key-policy.js';

export interface PutKeyPolicyInput {
  KeyId: string | undefined;
  PolicyName?: string;
  Policy: string | undefined;
  BypassPolicyLockoutSafetyCheck?: boolean;
}

export type PutKeyPolicyOutput = Record<string, never>;

async function putKeyPolicyUnlocked(ctx: OperationContext, input: PutKeyPolicyInput): Promise<PutKeyPolicyOutput> {
  validateInput('PutKeyPolicy', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'PutKeyPolicy',
  });
  try {
    // Cross-account use: no. (Unreachable while authorize refuses every other account.)
    if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
    checkPolicyName(input.PolicyName, key);
    const policy = input.Policy as string;
    checkKeyPolicy(policy, {
      bypassLockoutCheck: input.BypassPolicyLockoutSafetyCheck === true,
      callerArn: callerArn(ctx),
      account: ctx.account,
    });
    key.policy = policy;
    await ctx.store.putKey(key);
  } finally {
    wipeRecord(key);
  }
  return {};
}

/** PutKeyPolicy, inside the store's transaction (context.ts transactional). */
export const putKeyPolicy = transactional(putKeyPolicyUnlocked);
