// The key-state rules of the key-state table (AWS KMS Developer Guide, "Key states of AWS KMS
// keys"), the key-usage rule of the encryption operations, and the DryRun check that follows
// them all.

import {
  DisabledException,
  DryRunOperationException,
  InvalidKeyUsageException,
  KMSInternalException,
  KMSInvalidStateException,
  UnsupportedOperationException,
} from './exceptions.js';
import type { KeyState } from './schema.js';
import type { KeyRecord } from './store.js';

// Key states (AWS KMS Developer Guide, "Key states of AWS KMS keys")

/** Keys loaded by this operation whose custom key store is not connected (custom-key-stores.ts). */
const UNAVAILABLE = new WeakSet<KeyRecord>();

/** Marks a loaded key as in a custom key store that is not connected; its stored state is untouched. */
export function markUnavailable(key: KeyRecord): void {
  UNAVAILABLE.add(key);
}

/** The key's state as KMS shows it: Unavailable for an Enabled or Disabled key of a disconnected custom key store. */
export function keyStateOf(key: KeyRecord): KeyState {
  const s = key.keyState;
  return UNAVAILABLE.has(key) && (s === 'Enabled' || s === 'Disabled') ? 'Unavailable' : s;
}

/**
 * The row of GenerateDataKeyPair(WithoutPlaintext), GenerateDataKey*, Encrypt, Decrypt and
 * ReEncrypt: only Enabled and Updating pass. PendingDeletion uses footnote [3]
 * (KMSInvalidStateException), as LocalStack and local-kms do; the docs allow [2] as well.
 */
export function checkUsableForCrypto(key: KeyRecord): void {
  switch (keyStateOf(key)) {
    case 'Enabled':
    case 'Updating':
      return;
    case 'Disabled':
      throw new DisabledException(`${key.arn} is disabled.`);
    default:
      throw invalidState(key);
  }
}

/** The KMSInvalidStateException a key's current state gives (footnotes [3], [5], [11], [14], [15]). */
export function invalidState(key: KeyRecord): KMSInvalidStateException {
  switch (keyStateOf(key)) {
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
      return new KMSInvalidStateException(`${key.arn} is pending deletion.`);
    case 'PendingImport':
      return new KMSInvalidStateException(`${key.arn} is pending import.`);
    case 'Unavailable':
      return new KMSInvalidStateException(`${key.arn} is unavailable.`);
    case 'Creating':
      return new KMSInvalidStateException(`${key.arn} is creating.`);
    case 'Updating':
      return new KMSInvalidStateException(`${key.arn} is updating.`);
    default:
      return new KMSInvalidStateException(`${key.arn} is ${key.keyState.toLowerCase()}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Key usage

/**
 * The encryption operations need a symmetric encryption key. The usage message follows the
 * pattern recorded for other operations: "<ARN> key usage is SIGN_VERIFY which is not valid for
 * GenerateDataKeyPair." A non-symmetric spec with ENCRYPT_DECRYPT usage (an RSA encryption key)
 * has no recorded message; the spec-based wording below is ours.
 */
export function checkSymmetricEncryptionKey(key: KeyRecord, operation: string): void {
  if (key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`${key.arn} key spec is ${key.keySpec} which is not valid for ${operation}.`);
  }
}

/** The key pair of an asymmetric key; every key that passed the state checks has one. */
export function keyPairOf(key: KeyRecord): { publicKey: Uint8Array; privateKey: Uint8Array } {
  if (key.keyPair === undefined) throw new KMSInternalException(`${key.arn} has no key pair.`);
  return key.keyPair;
}

/** GenerateDataKeyPair refuses keys in custom key stores (AWS KMS API Reference, GenerateDataKeyPair). The message is ours. */
export function checkNotInCustomKeyStore(key: KeyRecord, operation: string): void {
  if (key.customKeyStoreId !== undefined) {
    throw new UnsupportedOperationException(
      `${key.arn} is in custom key store ${key.customKeyStoreId}; ${operation} does not support keys in custom key stores.`,
    );
  }
}

export const DRY_RUN_MESSAGE = 'The request would have succeeded, but the DryRun option is set.';

/** Call after every check has passed. */
export function checkDryRun(dryRun: boolean | undefined): void {
  if (dryRun === true) throw new DryRunOperationException(DRY_RUN_MESSAGE);
}
