// Decrypt (AWS KMS API Reference) of this engine's symmetric blobs: validate input → read the blob's
// header (a malformed blob is InvalidCiphertextException with an empty message) → resolve the
// key the blob names, and KeyId if given (a different key is IncorrectKeyException) → key state
// → key usage → DryRun → open the blob with the EncryptionContext (a failure is
// InvalidCiphertextException with an empty message).

import { blobKey, ignoreCiphertextDryRun, openWithKey, readBlobHeader } from '../blob-source.js';
import { InvalidCiphertextException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { checkDryRun } from '../key-state.js';
import { formatValidationMessage, validateInput } from '../validation.js';
import { checkNoRecipient, type RecipientInfo } from '../recipient.js';

export interface DecryptInput {
  CiphertextBlob?: Uint8Array;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
  KeyId?: string;
  EncryptionAlgorithm?: string;
  Recipient?: RecipientInfo;
  DryRun?: boolean;
  DryRunModifiers?: string[];
}

export interface DecryptOutput {
  KeyId?: string;
  Plaintext?: Uint8Array;
  EncryptionAlgorithm?: 'SYMMETRIC_DEFAULT';
  KeyMaterialId?: string;
}

export async function decrypt(ctx: OperationContext, input: DecryptInput): Promise<DecryptOutput> {
  validateInput('Decrypt', input);
  checkNoRecipient(input.Recipient, 'Decrypt');
  // Authorization-only dry run: the key comes from KeyId, which is then required.
  await ignoreCiphertextDryRun(ctx, input, input.KeyId, 'keyId', 'Decrypt');
  if (input.CiphertextBlob === undefined) {
    // Required unless IGNORE_CIPHERTEXT (Coral format, inferred).
    throw new ValidationException(
      formatValidationMessage(["Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"]),
    );
  }
  const blob = input.CiphertextBlob;
  // A symmetric key decrypts only SYMMETRIC_DEFAULT ciphertexts; any other algorithm cannot
  // have produced this blob (response inferred: InvalidCiphertextException, empty message).
  if (input.EncryptionAlgorithm !== undefined && input.EncryptionAlgorithm !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidCiphertextException('');
  }
  const header = readBlobHeader(blob);
  const key = await blobKey(ctx, header, input.KeyId, 'Decrypt');
  checkDryRun(input.DryRun);
  const plaintext = openWithKey(ctx, key, header, blob, input.EncryptionContext);
  return {
    KeyId: key.arn,
    Plaintext: plaintext,
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    KeyMaterialId: header.keyMaterialId,
  };
}
