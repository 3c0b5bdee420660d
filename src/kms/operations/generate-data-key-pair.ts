// GenerateDataKeyPair (AWS KMS API Reference) and the work it shares with
// GenerateDataKeyPairWithoutPlaintext: validate input → resolve key → key state → key usage →
// custom key store → Region rule for the spec → Recipient → DryRun → generate and wrap. No key
// pair is generated before every check has passed. With a Recipient (GenerateDataKeyPair only),
// the private key leaves only as CiphertextForRecipient, for the attested enclave's key.

import type { KeyPairSpec } from '../../core/index.js';
import { UnsupportedOperationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { resolveKey } from '../key-resolution.js';
import {
  checkDryRun,
  checkNotInCustomKeyStore,
  checkSymmetricEncryptionKey,
  checkUsableForCrypto,
} from '../key-state.js';
import { sealUnderCurrentMaterial } from '../key-material.js';
import { checkRecipient, sealForRecipient, type RecipientInfo } from '../recipient.js';
import type { DataKeyPairSpec } from '../schema.js';
import { validateInput } from '../validation.js';

export interface GenerateDataKeyPairInput {
  KeyId: string | undefined;
  KeyPairSpec: DataKeyPairSpec | undefined;
  EncryptionContext?: Record<string, string>;
  GrantTokens?: string[];
  Recipient?: RecipientInfo;
  DryRun?: boolean;
}

export interface GenerateDataKeyPairOutput {
  PrivateKeyCiphertextBlob?: Uint8Array;
  PrivateKeyPlaintext?: Uint8Array;
  PublicKey?: Uint8Array;
  KeyId?: string;
  KeyPairSpec?: DataKeyPairSpec;
  CiphertextForRecipient?: Uint8Array;
  KeyMaterialId?: string;
}

/**
 * SM2 exists only in the China Regions, ML-KEM everywhere but there (AWS KMS API Reference, GenerateDataKeyPair). Which
 * exception real KMS gives is unrecorded; this engine uses UnsupportedOperationException, the
 * one the reference leans to (the spec is valid, the Region does not offer it).
 */
export function checkSpecInRegion(spec: DataKeyPairSpec, region: string, operation: string): void {
  const china = region.startsWith('cn-');
  if (spec === 'SM2' && !china) {
    throw new UnsupportedOperationException(
      `KeyPairSpec SM2 is supported only in the China Regions; ${operation} in ${region} cannot use it.`,
    );
  }
  if (spec.startsWith('ML_KEM_') && china) {
    throw new UnsupportedOperationException(
      `KeyPairSpec ${spec} is not supported in the China Regions; ${operation} in ${region} cannot use it.`,
    );
  }
}

/** The checks and the work of both operations; `withPlaintext` decides whether PrivateKeyPlaintext is returned. */
export async function dataKeyPair(
  ctx: OperationContext,
  operation: 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext',
  input: GenerateDataKeyPairInput,
  withPlaintext: boolean,
): Promise<GenerateDataKeyPairOutput> {
  validateInput(operation, input);
  const key = await resolveKey(ctx, input.KeyId as string, { action: operation });
  checkUsableForCrypto(key);
  checkSymmetricEncryptionKey(key, operation);
  checkNotInCustomKeyStore(key, operation);
  const spec = input.KeyPairSpec as DataKeyPairSpec;
  checkSpecInRegion(spec, ctx.region, operation);
  // GenerateDataKeyPairWithoutPlaintext has no Recipient member: one given there is ignored.
  const recipient = operation === 'GenerateDataKeyPair' ? checkRecipient(ctx, input.Recipient) : undefined;
  checkDryRun(input.DryRun);

  const pair = await ctx.generateKeyPair(spec as KeyPairSpec);
  let returned = false;
  try {
    const { blob, keyMaterialId } = sealUnderCurrentMaterial(ctx, key, pair.privateKey, input.EncryptionContext);
    const out: GenerateDataKeyPairOutput = {
      PrivateKeyCiphertextBlob: blob,
      PublicKey: pair.publicKey,
      KeyId: key.arn,
      KeyPairSpec: spec,
      KeyMaterialId: keyMaterialId,
    };
    if (recipient !== undefined) {
      // Only the attested enclave can open it; sealForRecipient wipes the private key.
      out.CiphertextForRecipient = sealForRecipient(ctx, recipient, pair.privateKey);
    } else if (withPlaintext) {
      out.PrivateKeyPlaintext = pair.privateKey;
      returned = true;
    }
    return out;
  } finally {
    // The private key made here goes unless the output carries it.
    if (!returned) pair.privateKey.fill(0);
  }
}

export function generateDataKeyPair(
  ctx: OperationContext,
  input: GenerateDataKeyPairInput,
): Promise<GenerateDataKeyPairOutput> {
  return dataKeyPair(ctx, 'GenerateDataKeyPair', input, true);
}
