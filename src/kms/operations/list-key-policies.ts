// ListKeyPolicies (AWS KMS API Reference): the names of a key's key policies, which is always
// the one name `default`. Works in every key state. Limit 1..1000 (default 100) and Marker page
// that one-item list as ListKeys pages keys (pagination.ts): a marker this engine did not issue
// is InvalidMarkerException (message ours).

import type { OperationContext } from '../context.js';
import { NotFoundException } from '../exceptions.js';
import { DEFAULT_POLICY_NAME } from '../key-policy.js';
import { resolveKey } from '../key-resolution.js';
import { page } from '../pagination.js';
import { wipeRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface ListKeyPoliciesInput {
  KeyId: string | undefined;
  Limit?: number;
  Marker?: string;
}

export interface ListKeyPoliciesOutput {
  PolicyNames?: string[];
  NextMarker?: string;
  Truncated?: boolean;
}

export async function listKeyPolicies(
  ctx: OperationContext,
  input: ListKeyPoliciesInput,
): Promise<ListKeyPoliciesOutput> {
  validateInput('ListKeyPolicies', input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'ListKeyPolicies',
  });
  wipeRecord(key);
  // Cross-account use: no. (Unreachable while authorize refuses every other account.)
  if (key.account !== ctx.account) throw new NotFoundException(`Key '${key.arn}' does not exist`);
  const { items, nextMarker } = page([DEFAULT_POLICY_NAME], (n) => n, 'policies', input.Limit ?? 100, input.Marker);
  const out: ListKeyPoliciesOutput = { PolicyNames: items, Truncated: nextMarker !== undefined };
  if (nextMarker !== undefined) out.NextMarker = nextMarker;
  return out;
}
