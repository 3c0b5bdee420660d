// GetKeyPolicy (AWS KMS API Reference): the key policy of a key, exactly as it was given to
// CreateKey or PutKeyPolicy, or the default key policy (key-policy.ts) for a key created without
// one. Works in every key state. PolicyName is optional and `default` is the only name; another
// name is NotFoundException (the model lists it; AWS's message is not recorded, this one is ours).

import type { OperationContext } from '../context.js';
import { NotFoundException } from '../exceptions.js';
import { DEFAULT_POLICY_NAME, defaultKeyPolicy } from '../key-policy.js';
import { resolveKey } from '../key-resolution.js';
import { partitionOf, wipeRecord, type KeyRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface GetKeyPolicyInput {
  KeyId: string | undefined;
  PolicyName?: string;
}

export interface GetKeyPolicyOutput {
  Policy?: string;
  PolicyName?: string;
}

/** NotFoundException unless `name` is the one key policy name, `default`. */
export function checkPolicyName(name: string | undefined, key: KeyRecord): void {
  if (name !== undefined && name !== DEFAULT_POLICY_NAME) {
    throw new NotFoundException(
      `No key policy named ${name} exists for ${key.arn}; the only key policy name is default.`,
    );
  }
}

/** The key policy of a key: as stored, or the default key policy. */
export function keyPolicyOf(key: KeyRecord): string {
  return key.policy ?? defaultKeyPolicy(partitionOf(key.region), key.account);
}

export async function getKeyPolicy(ctx: OperationContext, input: GetKeyPolicyInput): Promise<GetKeyPolicyOutput> {
  validateInput('GetKeyPolicy', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'GetKeyPolicy',
  });
  wipeRecord(key);
  // Cross-account use: no. (Unreachable while authorize refuses every other account.)
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  checkPolicyName(input.PolicyName, key);
  return { Policy: keyPolicyOf(key), PolicyName: DEFAULT_POLICY_NAME };
}
