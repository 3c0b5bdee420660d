// GetPublicKey: the public key of an asymmetric KMS key, as DER SubjectPublicKeyInfo.
// Order: validate input → resolve key → key state (the row of Sign/Verify/GetPublicKey: only
// Enabled and Updating pass) → key spec. Symmetric and HMAC keys have no public key:
// UnsupportedOperationException (message ours; not recorded).

import { validateInput } from '../validation.js';
import { KMSInternalException, UnsupportedOperationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import { checkUsableForCrypto } from '../key-state.js';
import { keyAlgorithms } from '../key-metadata.js';
import { CUSTOMER_MASTER_KEY_SPECS, type KeySpec, type KeyUsageType } from '../schema.js';

export interface GetPublicKeyInput {
  KeyId: string | undefined;
  GrantTokens?: string[];
}

export interface GetPublicKeyOutput {
  /** The key ARN. */
  KeyId?: string;
  /** DER SubjectPublicKeyInfo. */
  PublicKey?: Uint8Array;
  /** Deprecated twin of KeySpec; only for the specs it can name. */
  CustomerMasterKeySpec?: string;
  KeySpec?: KeySpec;
  KeyUsage?: KeyUsageType;
  EncryptionAlgorithms?: string[];
  SigningAlgorithms?: string[];
  KeyAgreementAlgorithms?: string[];
}

export async function getPublicKey(ctx: OperationContext, input: GetPublicKeyInput): Promise<GetPublicKeyOutput> {
  validateInput('GetPublicKey', input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: 'GetPublicKey' });
  checkUsableForCrypto(key);
  if (key.keySpec === 'SYMMETRIC_DEFAULT' || key.keySpec.startsWith('HMAC_')) {
    throw new UnsupportedOperationException(
      `${key.arn} key spec is ${key.keySpec} which is not valid for GetPublicKey.`,
    );
  }
  if (key.keyPair === undefined) throw new KMSInternalException(`${key.arn} has no key pair.`);
  const out: GetPublicKeyOutput = {
    KeyId: key.arn,
    PublicKey: key.keyPair.publicKey.slice(),
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
  };
  if ((CUSTOMER_MASTER_KEY_SPECS as readonly string[]).includes(key.keySpec)) out.CustomerMasterKeySpec = key.keySpec;
  // EncapsulationAlgorithms is not an output member of GetPublicKey in the SDK model; ML-KEM keys list none.
  const algs = keyAlgorithms(key.keySpec, key.keyUsage);
  if (algs.EncryptionAlgorithms) out.EncryptionAlgorithms = algs.EncryptionAlgorithms;
  if (algs.SigningAlgorithms) out.SigningAlgorithms = algs.SigningAlgorithms;
  if (algs.KeyAgreementAlgorithms) out.KeyAgreementAlgorithms = algs.KeyAgreementAlgorithms;
  key.keyPair.privateKey.fill(0);
  return out;
}
