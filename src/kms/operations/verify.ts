// Verify (AWS KMS API Reference): Sign's checks (sign.ts) in Sign's order, then DryRun, then the
// signature checked in the core with the key's public key. A signature that does not verify,
// malformed ones included, is KMSInvalidSignatureException with an empty message [AWS-REC]; the
// answer is never SignatureValid: false.

import { KMSInvalidSignatureException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { checkDryRun } from '../key-state.js';
import type { MessageType, SigningAlgorithmSpec } from '../schema.js';
import { validateInput } from '../validation.js';
import { checkSigningRequest, verifyMessage } from './sign.js';

export interface VerifyInput {
  KeyId: string | undefined;
  Message: Uint8Array | undefined;
  MessageType?: MessageType;
  Signature: Uint8Array | undefined;
  SigningAlgorithm: SigningAlgorithmSpec | undefined;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface VerifyOutput {
  KeyId?: string;
  SignatureValid?: boolean;
  SigningAlgorithm?: SigningAlgorithmSpec;
}

export async function verify(ctx: OperationContext, input: VerifyInput): Promise<VerifyOutput> {
  validateInput('Verify', input);
  const req = await checkSigningRequest(ctx, 'Verify', input);
  checkDryRun(input.DryRun);
  if (!verifyMessage(ctx.core(), req, input.Message as Uint8Array, input.Signature as Uint8Array)) {
    throw new KMSInvalidSignatureException('');
  }
  return { KeyId: req.key.arn, SignatureValid: true, SigningAlgorithm: req.algorithm };
}
