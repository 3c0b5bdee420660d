// Decrypt (AWS KMS API Reference) of this engine's symmetric blobs: validate input → read the blob's
// header (a malformed blob is InvalidCiphertextException with an empty message) → resolve the
// key the blob names, and KeyId if given (a different key is IncorrectKeyException) → key state
// → key usage → Recipient (its attestation document verified; recipient.ts) → DryRun → open the
// blob with the EncryptionContext (a failure is InvalidCiphertextException with an empty message).
//
// With an asymmetric EncryptionAlgorithm (RSAES_OAEP_SHA_1/256, SM2PKE) the ciphertext is the
// bare RSA-OAEP or SM2 ciphertext Encrypt returned or anyone made with the public key: it names
// no key, so KeyId is required (ValidationException in the Coral format when missing, inferred).
// Order there: resolve KeyId → key state → key usage → algorithm of the key → no encryption
// context → Recipient → DryRun (IGNORE_CIPHERTEXT included) → decrypt in the core. Every failure to decrypt
// is the same InvalidCiphertextException with an empty message, after the same work (the OAEP
// decoding in the core is constant time).
//
// With a Recipient, the plaintext leaves only as CiphertextForRecipient, for the attested key. The
// Recipient is checked where the other four operations check it: after the key, its authorization
// and state, before DryRun and before anything is decrypted.

import { rsaOaepDecrypt, RsaDecryptionError } from '../../core/rsa.js';
import { sm2Decrypt, Sm2DecryptionError } from '../../core/sm2.js';
import { blobKey, ignoreCiphertextDryRun, openWithKey, readBlobHeader } from '../blob-source.js';
import { InvalidCiphertextException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkUsableForCrypto, keyPairOf } from '../key-state.js';
import type { EncryptionAlgorithmSpec } from '../schema.js';
import type { KeyRecord } from '../store.js';
import { formatValidationMessage, validateInput } from '../validation.js';
import { checkRecipient, sealForRecipient, type AttestedRecipient, type RecipientInfo } from '../recipient.js';
import {
  checkAsymmetricAlgorithm,
  checkEncryptDecryptUsage,
  isAsymmetricEncryption,
  type AsymmetricEncryptionAlgorithm,
} from './encrypt.js';

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
  EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  CiphertextForRecipient?: Uint8Array;
  KeyMaterialId?: string;
}

const NULL_KEY_ID = (member: 'keyId' | 'sourceKeyId') =>
  new ValidationException(
    formatValidationMessage([`Value null at '${member}' failed to satisfy constraint: Member must not be null`]),
  );

/**
 * The key that decrypts an asymmetric ciphertext, checked: the caller's key id (`member` names it
 * in the message when missing) → state → usage → algorithm → no encryption context.
 */
export async function asymmetricSourceKey(
  ctx: OperationContext,
  keyId: string | undefined,
  member: 'keyId' | 'sourceKeyId',
  operation: 'Decrypt' | 'ReEncrypt',
  algorithm: AsymmetricEncryptionAlgorithm,
  encryptionContext: Record<string, string> | undefined,
): Promise<KeyRecord> {
  if (keyId === undefined) throw NULL_KEY_ID(member);
  const key = await resolveKey(ctx, keyId, { action: operation === 'Decrypt' ? 'Decrypt' : 'ReEncryptFrom' });
  checkUsableForCrypto(key);
  checkEncryptDecryptUsage(key, operation);
  checkAsymmetricAlgorithm(key, algorithm, encryptionContext);
  return key;
}

/** The plaintext of a bare RSA-OAEP or SM2 ciphertext under the key's private key (wiped here). */
export function asymmetricDecrypt(
  ctx: OperationContext,
  key: KeyRecord,
  algorithm: AsymmetricEncryptionAlgorithm,
  ciphertext: Uint8Array,
): Uint8Array {
  const pkcs8 = keyPairOf(key).privateKey;
  try {
    if (algorithm === 'SM2PKE') return sm2Decrypt(ctx.core(), pkcs8, ciphertext);
    return rsaOaepDecrypt(ctx.core(), pkcs8, algorithm === 'RSAES_OAEP_SHA_1' ? 'SHA-1' : 'SHA-256', ciphertext);
  } catch (err) {
    if (err instanceof RsaDecryptionError || err instanceof Sm2DecryptionError || err instanceof RangeError) {
      throw new InvalidCiphertextException('');
    }
    throw err;
  } finally {
    pkcs8.fill(0);
  }
}

/** The plaintext as the output carries it: Plaintext, or with a Recipient CiphertextForRecipient (the plaintext wiped). */
function delivered(
  ctx: OperationContext,
  recipient: AttestedRecipient | undefined,
  plaintext: Uint8Array,
): Pick<DecryptOutput, 'Plaintext' | 'CiphertextForRecipient'> {
  return recipient === undefined
    ? { Plaintext: plaintext }
    : { CiphertextForRecipient: sealForRecipient(ctx, recipient, plaintext) };
}

async function decryptAsymmetric(
  ctx: OperationContext,
  input: DecryptInput,
  algorithm: AsymmetricEncryptionAlgorithm,
): Promise<DecryptOutput> {
  const key = await asymmetricSourceKey(ctx, input.KeyId, 'keyId', 'Decrypt', algorithm, input.EncryptionContext);
  const ignoreCiphertext = (input.DryRunModifiers ?? []).includes('IGNORE_CIPHERTEXT');
  if (input.CiphertextBlob === undefined && !(input.DryRun === true && ignoreCiphertext)) {
    throw new ValidationException(
      formatValidationMessage(["Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"]),
    );
  }
  const recipient = checkRecipient(ctx, input.Recipient);
  checkDryRun(input.DryRun);
  const plaintext = asymmetricDecrypt(ctx, key, algorithm, input.CiphertextBlob as Uint8Array);
  return { KeyId: key.arn, ...delivered(ctx, recipient, plaintext), EncryptionAlgorithm: algorithm };
}

export async function decrypt(ctx: OperationContext, input: DecryptInput): Promise<DecryptOutput> {
  validateInput('Decrypt', input);
  if (isAsymmetricEncryption(input.EncryptionAlgorithm))
    return decryptAsymmetric(ctx, input, input.EncryptionAlgorithm);
  // Authorization-only dry run: the key comes from KeyId, which is then required; the Recipient
  // is checked after it, as in a call with the ciphertext.
  await ignoreCiphertextDryRun(ctx, input, input.KeyId, 'keyId', 'Decrypt', async () =>
    checkRecipient(ctx, input.Recipient),
  );
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
  const recipient = checkRecipient(ctx, input.Recipient);
  checkDryRun(input.DryRun);
  const plaintext = openWithKey(ctx, key, header, blob, input.EncryptionContext);
  return {
    KeyId: key.arn,
    ...delivered(ctx, recipient, plaintext),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    KeyMaterialId: header.keyMaterialId,
  };
}
