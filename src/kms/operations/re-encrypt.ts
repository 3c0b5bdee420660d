// ReEncrypt (AWS KMS API Reference): Decrypt's checks on the source and Encrypt's on the destination,
// then open and re-seal inside one call. Order: validate input → (IGNORE_CIPHERTEXT dry run:
// SourceKeyId and destination checks only) → read the blob's header (malformed:
// InvalidCiphertextException, empty message) → resolve the source key the blob names, and
// SourceKeyId if given (a different key is IncorrectKeyException) → source state → source usage
// → resolve destination → destination state → destination usage → DryRun → open under the source
// with SourceEncryptionContext → seal under the destination with DestinationEncryptionContext.
// The intermediate plaintext is wiped before returning, whatever happens.

import { sealBlob } from '../ciphertext.js';
import { blobKey, openWithKey, readBlobHeader } from '../blob-source.js';
import {
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSInternalException,
  ValidationException,
} from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkSymmetricEncryptionKey, checkUsableForCrypto } from '../key-state.js';
import { currentMaterial } from '../key-material.js';
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
  if (input.DestinationEncryptionAlgorithm !== undefined && input.DestinationEncryptionAlgorithm !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`${dest.arn} does not support encryption algorithm ${input.DestinationEncryptionAlgorithm}.`);
  }
  return dest;
}

function wipe(key: KeyRecord): void {
  for (const m of key.keyMaterials) m.material.fill(0);
}

export async function reEncrypt(ctx: OperationContext, input: ReEncryptInput): Promise<ReEncryptOutput> {
  validateInput('ReEncrypt', input);
  const ignoreCiphertext = input.DryRun === true && (input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
  if (ignoreCiphertext) {
    // Authorization-only dry run: the source key comes from SourceKeyId, then required (message ours, Coral format).
    if (input.SourceKeyId === undefined) {
      throw new ValidationException(formatValidationMessage(["Value null at 'sourceKeyId' failed to satisfy constraint: Member must not be null"]));
    }
    const source = await resolveKey(ctx, input.SourceKeyId, { action: 'ReEncryptFrom' });
    checkUsableForCrypto(source);
    checkSymmetricEncryptionKey(source, 'ReEncrypt');
    await destinationKey(ctx, input);
    checkDryRun(true);
  }
  if (input.CiphertextBlob === undefined) {
    // Required unless IGNORE_CIPHERTEXT (Coral format, inferred), as in Decrypt.
    throw new ValidationException(formatValidationMessage(["Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"]));
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

  let plaintext: Uint8Array | undefined;
  try {
    const opened = openWithKey(ctx, source, header, blob, input.SourceEncryptionContext);
    plaintext = opened;
    const destMaterial = currentMaterial(dest);
    if (destMaterial === undefined) throw new KMSInternalException(`${dest.arn} has no current key material.`);
    const out = sealBlob(ctx.core(), {
      keyArn: dest.arn,
      keyMaterialId: destMaterial.id,
      keyMaterial: destMaterial.material,
      plaintext: opened,
      encryptionContext: input.DestinationEncryptionContext,
    });
    return {
      CiphertextBlob: out,
      SourceKeyId: source.arn,
      KeyId: dest.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: header.keyMaterialId,
      DestinationKeyMaterialId: destMaterial.id,
    };
  } finally {
    plaintext?.fill(0);
    wipe(source);
    wipe(dest);
  }
}
