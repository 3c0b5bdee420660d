// VerifyMac (AWS KMS API Reference). Order: validate input → resolve key → key state → key usage
// (GENERATE_VERIFY_MAC) → MAC algorithm of the key spec → DryRun → HMAC computed and compared in
// the core, in constant time (the MAC never reaches JavaScript).
//
// A MAC that does not verify (another message, another key, a changed or truncated MAC) is
// KMSInvalidMacException with an empty message [AWS-REC]; VerifyMac never answers MacValid: false.

import { hmacVerify } from '../../core/symmetric.js';
import { KMSInvalidMacException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { checkDryRun } from '../key-state.js';
import type { MacAlgorithmSpec } from '../schema.js';
import { validateInput } from '../validation.js';
import { checkMacRequest, macKeyOf } from './generate-mac.js';

export interface VerifyMacInput {
  Message: Uint8Array | undefined;
  KeyId: string | undefined;
  MacAlgorithm: MacAlgorithmSpec | undefined;
  Mac: Uint8Array | undefined;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface VerifyMacOutput {
  KeyId?: string;
  MacValid?: boolean;
  MacAlgorithm?: MacAlgorithmSpec;
}

export async function verifyMac(ctx: OperationContext, input: VerifyMacInput): Promise<VerifyMacOutput> {
  validateInput('VerifyMac', input);
  const { key, algorithm, hash } = await checkMacRequest(ctx, 'VerifyMac', input);
  try {
    checkDryRun(input.DryRun);
    const valid = hmacVerify(ctx.core(), hash, macKeyOf(key), input.Message as Uint8Array, input.Mac as Uint8Array);
    if (!valid) throw new KMSInvalidMacException('');
    return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
  } finally {
    key.hmacKey?.fill(0);
  }
}
