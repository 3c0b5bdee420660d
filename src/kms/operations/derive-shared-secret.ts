// DeriveSharedSecret (AWS KMS API Reference): ECDH between the private key of a KEY_AGREEMENT
// KMS key (ECC_NIST_P256/P384/P521, SM2) and a peer's public key, given as DER
// SubjectPublicKeyInfo. Order: validate input → resolve key → key state → key usage → Recipient
// → peer key check and derivation → DryRun → answer (with a Recipient: the secret only as
// CiphertextForRecipient).
//
// The secret is the shared point's x-coordinate, computed in the core. A peer key that is not a
// SubjectPublicKeyInfo, names another curve, is not on the curve or is the point at infinity is
// ValidationException with an empty message: [AWS-REC] for a PublicKey that is not DER at all,
// the same answer inferred for the rest. DryRun answers only once the peer key has been checked,
// by deriving the secret and wiping it, since a bad peer key would make the call fail.

import { ecdhDerive, EcPublicKeyError } from '../../core/ecdsa.js';
import { InvalidKeyUsageException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, checkUsableForCrypto, keyPairOf } from '../key-state.js';
import { checkRecipient, sealForRecipient, type RecipientInfo } from '../recipient.js';
import type { KeyAgreementAlgorithmSpec, OriginType } from '../schema.js';
import { validateInput } from '../validation.js';

export interface DeriveSharedSecretInput {
  KeyId: string | undefined;
  KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec | undefined;
  PublicKey: Uint8Array | undefined;
  GrantTokens?: string[];
  DryRun?: boolean;
  Recipient?: RecipientInfo;
}

export interface DeriveSharedSecretOutput {
  KeyId?: string;
  SharedSecret?: Uint8Array;
  CiphertextForRecipient?: Uint8Array;
  KeyAgreementAlgorithm?: KeyAgreementAlgorithmSpec;
  KeyOrigin?: OriginType;
}

export async function deriveSharedSecret(
  ctx: OperationContext,
  input: DeriveSharedSecretInput,
): Promise<DeriveSharedSecretOutput> {
  validateInput('DeriveSharedSecret', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'DeriveSharedSecret' });
  checkUsableForCrypto(key);
  if (key.keyUsage !== 'KEY_AGREEMENT') {
    // [AWS-REC] "<ARN> key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."
    throw new InvalidKeyUsageException(
      `${key.arn} key usage is ${key.keyUsage} which is not valid for DeriveSharedSecret.`,
    );
  }
  const recipient = checkRecipient(ctx, input.Recipient);
  const pkcs8 = keyPairOf(key).privateKey;
  let secret: Uint8Array;
  try {
    secret = ecdhDerive(ctx.core(), pkcs8, input.PublicKey as Uint8Array);
  } catch (err) {
    if (err instanceof EcPublicKeyError) throw new ValidationException('');
    throw err;
  } finally {
    pkcs8.fill(0);
  }
  if (input.DryRun === true) {
    secret.fill(0);
    checkDryRun(true);
  }
  if (recipient !== undefined) {
    return {
      KeyId: key.arn,
      CiphertextForRecipient: sealForRecipient(ctx, recipient, secret),
      KeyAgreementAlgorithm: 'ECDH',
      KeyOrigin: key.origin,
    };
  }
  return {
    KeyId: key.arn,
    SharedSecret: secret,
    KeyAgreementAlgorithm: 'ECDH',
    KeyOrigin: key.origin,
  };
}
