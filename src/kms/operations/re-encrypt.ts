// ReEncrypt (AWS KMS API Reference): Decrypt's checks on the source and Encrypt's on the destination,
// then open and re-seal inside one call. Order: validate input → (IGNORE_CIPHERTEXT dry run:
// SourceKeyId and destination checks only) → read the blob's header (malformed:
// InvalidCiphertextException, empty message) → resolve the source key the blob names, and
// SourceKeyId if given (a different key is IncorrectKeyException) → source state → source usage
// → resolve destination → destination state → destination usage → DryRun → open under the source
// with SourceEncryptionContext → seal under the destination with DestinationEncryptionContext.
// The intermediate plaintext is wiped before returning, whatever happens.

import { blobKey, ignoreCiphertextDryRun, openWithKey, readBlobHeader } from '../blob-source.js';
import { InvalidCiphertextException, InvalidKeyUsageException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkSymmetricEncryptionKey, checkUsableForCrypto } from '../key-state.js';
import { sealUnderCurrentMaterial, wipe } from '../key-material.js';
import type { KeyRecord } from '../store.js';
import { formatValidationMessage, validateInput } from '../validation.js';

export interface ReEncryptInput {
  CiphertextBlob?: Uint8Array;
  SourceEncryptionContext?: Record<string, string>;
  SourceKeyId?: string;
  DestinationKeyId: string | undefined;
  DestinationEncryptionContext?: Record<string, string>;
  SourceEncryptionAlgorithm?: string;
  DestinationEncryptionAlgorithm?: string;
  GrantTokens?: string[];
  DryRun?: boolean;
  DryRunModifiers?: string[];
}

export interface ReEncryptOutput {
  CiphertextBlob?: Uint8Array;
  SourceKeyId?: string;
  KeyId?: string;
  SourceEncryptionAlgorithm?: 'SYMMETRIC_DEFAULT';
  DestinationEncryptionAlgorithm?: 'SYMMETRIC_DEFAULT';
  SourceKeyMaterialId?: string;
  DestinationKeyMaterialId?: string;
}

async function destinationKey(ctx: OperationContext, input: ReEncryptInput): Promise<KeyRecord> {
  const dest = await resolveKey(ctx, input.DestinationKeyId as string, { action: 'ReEncryptTo' });
  checkUsableForCrypto(dest);
  checkSymmetricEncryptionKey(dest, 'ReEncrypt');
  // Message ours, as Encrypt's: a symmetric key supports only SYMMETRIC_DEFAULT.
  if (
    input.DestinationEncryptionAlgorithm !== undefined &&
    input.DestinationEncryptionAlgorithm !== 'SYMMETRIC_DEFAULT'
  ) {
    throw new InvalidKeyUsageException(
      `${dest.arn} does not support encryption algorithm ${input.DestinationEncryptionAlgorithm}.`,
    );
  }
  return dest;
}

export async function reEncrypt(ctx: OperationContext, input: ReEncryptInput): Promise<ReEncryptOutput> {
  validateInput('ReEncrypt', input);
  // Authorization-only dry run: the source key comes from SourceKeyId, then required; the
  // destination is checked too.
  await ignoreCiphertextDryRun(ctx, input, input.SourceKeyId, 'sourceKeyId', 'ReEncrypt', () =>
    destinationKey(ctx, input),
  );
  if (input.CiphertextBlob === undefined) {
    // Required unless IGNORE_CIPHERTEXT (Coral format, inferred), as in Decrypt.
    throw new ValidationException(
      formatValidationMessage(["Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"]),
    );
  }
  const blob = input.CiphertextBlob;
  // As in Decrypt: no other algorithm can have produced a symmetric blob (inferred response).
  if (input.SourceEncryptionAlgorithm !== undefined && input.SourceEncryptionAlgorithm !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidCiphertextException('');
  }
  const header = readBlobHeader(blob);
  const source = await blobKey(ctx, header, input.SourceKeyId, 'ReEncrypt');
  const dest = await destinationKey(ctx, input);
  checkDryRun(input.DryRun);

  // openWithKey wipes the source's materials and sealUnderCurrentMaterial the destination's; the
  // plaintext opened here is wiped here, whatever happens, and so is the destination's material
  // when the source did not open.
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = openWithKey(ctx, source, header, blob, input.SourceEncryptionContext);
    const sealed = sealUnderCurrentMaterial(ctx, dest, plaintext, input.DestinationEncryptionContext);
    return {
      CiphertextBlob: sealed.blob,
      SourceKeyId: source.arn,
      KeyId: dest.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: header.keyMaterialId,
      DestinationKeyMaterialId: sealed.keyMaterialId,
    };
  } finally {
    plaintext?.fill(0);
    wipe(dest);
  }
}
