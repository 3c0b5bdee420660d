// Encrypt (AWS KMS API Reference) under a symmetric key: Plaintext 1..4096 bytes (validation) into
// this engine's blob. As in KMS, the output has no KeyMaterialId.

import { InvalidKeyUsageException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkSymmetricEncryptionKey, checkUsableForCrypto } from '../key-state.js';
import { sealUnderCurrentMaterial } from '../key-material.js';
import { validateInput } from '../validation.js';

export interface EncryptInput {
  KeyId: string | undefined;
  Plaintext: Uint8Array | undefined;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
  EncryptionAlgorithm?: string;
  DryRun?: boolean;
}

export interface EncryptOutput {
  CiphertextBlob?: Uint8Array;
  KeyId?: string;
  EncryptionAlgorithm?: 'SYMMETRIC_DEFAULT';
}

export async function encrypt(ctx: OperationContext, input: EncryptInput): Promise<EncryptOutput> {
  validateInput('Encrypt', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'Encrypt' });
  checkUsableForCrypto(key);
  checkSymmetricEncryptionKey(key, 'Encrypt');
  // Message ours: a symmetric key supports only SYMMETRIC_DEFAULT.
  if (input.EncryptionAlgorithm !== undefined && input.EncryptionAlgorithm !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(
      `${key.arn} does not support encryption algorithm ${input.EncryptionAlgorithm}.`,
    );
  }
  checkDryRun(input.DryRun);
  // The Plaintext is the caller's: it is not wiped here.
  const { blob } = sealUnderCurrentMaterial(ctx, key, input.Plaintext as Uint8Array, input.EncryptionContext);
  return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}
