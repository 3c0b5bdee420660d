// The source side shared by Decrypt and ReEncrypt: read a blob's header, find and check the
// key it names, and open it; or, in the IGNORE_CIPHERTEXT dry run, check the key the caller
// names instead. Every way a blob can be wrong — malformed, naming no key, naming key material
// the key does not have, or failing authentication — is InvalidCiphertextException with an
// empty message, as AWS answers.

import { CiphertextError, openBlob, parseBlobHeader, type BlobHeader } from './ciphertext.js';
import { IncorrectKeyException, InvalidCiphertextException, ValidationException } from './exceptions.js';
import type { OperationContext } from './context.js';
import { resolveBlobKey, resolveKey } from './key-resolution.js';
import { checkDryRun, checkSymmetricEncryptionKey, checkUsableForCrypto } from './key-state.js';
import type { KeyRecord } from './store.js';
import { formatValidationMessage } from './validation.js';

/** [AWS-REC] IncorrectKeyException when a given KeyId is not the key that made the blob. */
export const INCORRECT_KEY_MESSAGE =
  'The key ID in the request does not identify a CMK that can perform this operation.';

export function readBlobHeader(blob: Uint8Array): BlobHeader {
  try {
    return parseBlobHeader(blob);
  } catch (err) {
    if (err instanceof CiphertextError) throw new InvalidCiphertextException('');
    throw err;
  }
}

/**
 * The authorization-only dry run of Decrypt and ReEncrypt (DryRun with DryRunModifiers
 * IGNORE_CIPHERTEXT; AWS KMS API Reference, Decrypt and ReEncrypt). Without the modifier it does
 * nothing. With it, the source key comes from the caller's key id, `keyIdInput` (the `member`
 * of the request, then required: ValidationException, message ours, Coral format), not from a
 * blob; that key's state and usage are checked, then `moreChecks` (ReEncrypt's destination),
 * and the answer is DryRunOperationException.
 */
export async function ignoreCiphertextDryRun(
  ctx: OperationContext,
  input: { DryRun?: boolean; DryRunModifiers?: string[] },
  keyIdInput: string | undefined,
  member: 'keyId' | 'sourceKeyId',
  operation: 'Decrypt' | 'ReEncrypt',
  moreChecks?: () => Promise<unknown>,
): Promise<void> {
  if (input.DryRun !== true || !(input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT')) return;
  if (keyIdInput === undefined) {
    throw new ValidationException(
      formatValidationMessage([`Value null at '${member}' failed to satisfy constraint: Member must not be null`]),
    );
  }
  const key = await resolveKey(ctx, keyIdInput, { action: operation === 'Decrypt' ? 'Decrypt' : 'ReEncryptFrom' });
  checkUsableForCrypto(key);
  checkSymmetricEncryptionKey(key, operation);
  if (moreChecks !== undefined) await moreChecks();
  checkDryRun(true);
}

/**
 * The key a blob names, checked: a KeyId the caller gave must resolve to the same key
 * (IncorrectKeyException), and the key must be usable for `operation` (state, then usage).
 */
export async function blobKey(
  ctx: OperationContext,
  header: BlobHeader,
  keyIdInput: string | undefined,
  operation: 'Decrypt' | 'ReEncrypt',
): Promise<KeyRecord> {
  // ReEncrypt reads with the source key: AWS's action there is kms:ReEncryptFrom.
  const action = operation === 'Decrypt' ? 'Decrypt' : 'ReEncryptFrom';
  // A KeyId the caller gave is resolved and authorized first, so that a refusal names that key
  // (AWS names the resource associated with the ciphertext only when no KeyId was given).
  const named = keyIdInput === undefined ? undefined : await resolveKey(ctx, keyIdInput, { action });
  const key = await resolveBlobKey(ctx, header.keyArn, action, named?.arn);
  if (named !== undefined && named.arn !== key.arn) throw new IncorrectKeyException(INCORRECT_KEY_MESSAGE);
  checkUsableForCrypto(key);
  checkSymmetricEncryptionKey(key, operation);
  return key;
}

/** The blob's plaintext under `key` and `encryptionContext`. Wipes the key's materials. */
export function openWithKey(
  ctx: OperationContext,
  key: KeyRecord,
  header: BlobHeader,
  blob: Uint8Array,
  encryptionContext: Record<string, string> | undefined,
): Uint8Array {
  try {
    const material = key.keyMaterials.find((m) => m.id === header.keyMaterialId);
    if (material === undefined) throw new InvalidCiphertextException('');
    return openBlob(ctx.core(), blob, material.material, encryptionContext);
  } catch (err) {
    if (err instanceof CiphertextError) throw new InvalidCiphertextException('');
    throw err;
  } finally {
    for (const m of key.keyMaterials) m.material.fill(0);
  }
}
