// GenerateDataKeyWithoutPlaintext (AWS KMS API Reference): GenerateDataKey's checks and work, with no
// Plaintext in the output and no Recipient member (the schema has none, so the extra-member
// check never sees one; it is also not part of the input type).

import type { OperationContext } from '../context.js';
import { dataKey, type DataKeySpec } from './generate-data-key.js';

export interface GenerateDataKeyWithoutPlaintextInput {
  KeyId: string | undefined;
  EncryptionContext?: Record<string, string>;
  NumberOfBytes?: number;
  KeySpec?: DataKeySpec;
  GrantTokens?: string[];
  DryRun?: boolean;
}

export interface GenerateDataKeyWithoutPlaintextOutput {
  CiphertextBlob?: Uint8Array;
  KeyId?: string;
  KeyMaterialId?: string;
}

export async function generateDataKeyWithoutPlaintext(
  ctx: OperationContext,
  input: GenerateDataKeyWithoutPlaintextInput,
): Promise<GenerateDataKeyWithoutPlaintextOutput> {
  // Only the members of this operation's schema are passed on, so a stray Recipient is ignored as the SDK would drop it.
  const { KeyId, EncryptionContext, NumberOfBytes, KeySpec, GrantTokens, DryRun } = input;
  const out = await dataKey(
    ctx,
    'GenerateDataKeyWithoutPlaintext',
    { KeyId, EncryptionContext, NumberOfBytes, KeySpec, GrantTokens, DryRun },
    false,
  );
  return { CiphertextBlob: out.CiphertextBlob, KeyId: out.KeyId, KeyMaterialId: out.KeyMaterialId };
}
