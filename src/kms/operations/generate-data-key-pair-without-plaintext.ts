// GenerateDataKeyPairWithoutPlaintext (AWS KMS API Reference): GenerateDataKeyPair without Recipient
// and without PrivateKeyPlaintext in the output.

import type { OperationContext } from '../context.js';
import type { DataKeyPairSpec } from '../schema.js';
import { dataKeyPair } from './generate-data-key-pair.js';

export interface GenerateDataKeyPairWithoutPlaintextInput {
  KeyId: string | undefined;
  KeyPairSpec: DataKeyPairSpec | undefined;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface GenerateDataKeyPairWithoutPlaintextOutput {
  PrivateKeyCiphertextBlob?: Uint8Array;
  PublicKey?: Uint8Array;
  KeyId?: string;
  KeyPairSpec?: DataKeyPairSpec;
  KeyMaterialId?: string;
}

export function generateDataKeyPairWithoutPlaintext(
  ctx: OperationContext,
  input: GenerateDataKeyPairWithoutPlaintextInput,
): Promise<GenerateDataKeyPairWithoutPlaintextOutput> {
  return dataKeyPair(ctx, 'GenerateDataKeyPairWithoutPlaintext', input, false);
}
