// DescribeKey (AWS KMS API Reference): works in every key state.

import { validateInput } from '../validation.js';
import { nowOf, type OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { keyMetadata, type KeyMetadata } from '../key-metadata.js';

export interface DescribeKeyInput {
  KeyId: string | undefined;
  GrantTokens?: string[];
}

export interface DescribeKeyOutput {
  KeyMetadata?: KeyMetadata;
}

export async function describeKey(ctx: OperationContext, input: DescribeKeyInput): Promise<DescribeKeyOutput> {
  validateInput('DescribeKey', input);
  const key = await resolveKey(ctx, input.KeyId as string, { arnCheck: true, action: 'DescribeKey' });
  return { KeyMetadata: keyMetadata(key, nowOf(ctx)) };
}
