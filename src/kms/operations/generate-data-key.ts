// GenerateDataKey (AWS KMS API Reference) and the work it shares with GenerateDataKeyWithoutPlaintext:
// validate input (schema, then exactly one of KeySpec / NumberOfBytes) → resolve key → key state
// → key usage → Recipient → DryRun → random bytes sealed under the key's
// current material. No data key is generated before every check has passed. With a Recipient
// (GenerateDataKey only), the data key leaves only as CiphertextForRecipient.

import { ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkSymmetricEncryptionKey, checkUsableForCrypto } from '../key-state.js';
import { sealUnderCurrentMaterial } from '../key-material.js';
import { validateInput } from '../validation.js';
import { checkRecipient, sealForRecipient, type RecipientInfo } from '../recipient.js';
import { randomBytes } from '../../core/module.js';

export type DataKeySpec = 'AES_128' | 'AES_256';

export interface GenerateDataKeyInput {
  KeyId: string | undefined;
  EncryptionContext?: Record<string, string>;
  NumberOfBytes?: number;
  KeySpec?: DataKeySpec;
  GrantTokens?: string[];
  Recipient?: RecipientInfo;
  DryRun?: boolean;
}

export interface GenerateDataKeyOutput {
  CiphertextBlob?: Uint8Array;
  Plaintext?: Uint8Array;
  KeyId?: string;
  CiphertextForRecipient?: Uint8Array;
  KeyMaterialId?: string;
}

// Inferred, not in aws-recorded-responses.json: the text KMS is known to give when neither or
// both of KeySpec and NumberOfBytes are given.
export const KEY_SPEC_OR_NUMBER_OF_BYTES_MESSAGE = 'Please specify either number of bytes or key spec.';

const KEY_SPEC_BYTES: Record<DataKeySpec, number> = { AES_128: 16, AES_256: 32 };

/** The checks and the work of both operations; `withPlaintext` decides whether Plaintext is returned. */
export async function dataKey(
  ctx: OperationContext,
  operation: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext',
  input: GenerateDataKeyInput,
  withPlaintext: boolean,
): Promise<GenerateDataKeyOutput> {
  validateInput(operation, input);
  const hasSpec = input.KeySpec !== undefined && input.KeySpec !== null;
  const hasBytes = input.NumberOfBytes !== undefined && input.NumberOfBytes !== null;
  if (hasSpec === hasBytes) throw new ValidationException(KEY_SPEC_OR_NUMBER_OF_BYTES_MESSAGE);
  const length = hasSpec ? KEY_SPEC_BYTES[input.KeySpec as DataKeySpec] : (input.NumberOfBytes as number);

  const key = await resolveKey(ctx, input.KeyId as string, { action: operation });
  checkUsableForCrypto(key);
  checkSymmetricEncryptionKey(key, operation);
  // Unlike GenerateDataKeyPair, GenerateDataKey(WithoutPlaintext) accepts keys in custom key stores.
  const recipient = operation === 'GenerateDataKey' ? checkRecipient(ctx, input.Recipient) : undefined;
  checkDryRun(input.DryRun);

  const plaintext = randomBytes(length);
  let returned = false;
  try {
    const { blob, keyMaterialId } = sealUnderCurrentMaterial(ctx, key, plaintext, input.EncryptionContext);
    const out: GenerateDataKeyOutput = { CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: keyMaterialId };
    if (recipient !== undefined) {
      // Only the attested enclave can open it; sealForRecipient wipes the data key.
      out.CiphertextForRecipient = sealForRecipient(ctx, recipient, plaintext);
    } else if (withPlaintext) {
      out.Plaintext = plaintext;
      returned = true;
    }
    return out;
  } finally {
    // The data key made here goes unless the output carries it.
    if (!returned) plaintext.fill(0);
  }
}

export function generateDataKey(ctx: OperationContext, input: GenerateDataKeyInput): Promise<GenerateDataKeyOutput> {
  return dataKey(ctx, 'GenerateDataKey', input, true);
}
