// CreateKey (kms-api.md §1.5). Symmetric keys get 32 random bytes of key material with a 64-hex
// KeyMaterialId; Origin EXTERNAL gives a PendingImport key with no material. Asymmetric, HMAC,
// ML-DSA and ML-KEM keys are recorded with the KeyUsage given, but their key material (a key
// pair or an HMAC key) is not generated yet. Custom key stores do not exist in this engine.

import { validateInput } from '../validation.js';
import { CustomKeyStoreNotFoundException, UnsupportedOperationException } from '../exceptions.js';
import { keyMetadata, type KeyMetadata, type OperationContext } from '../keys.js';
import { keyArn, newKeyId, newKeyMaterial, newMultiRegionKeyId, type KeyRecord } from '../store.js';
import type { KeySpec, KeyUsageType, OriginType } from '../schema.js';

export interface CreateKeyInput {
  Policy?: string;
  Description?: string;
  KeyUsage?: KeyUsageType;
  CustomerMasterKeySpec?: string;
  KeySpec?: KeySpec;
  Origin?: OriginType;
  CustomKeyStoreId?: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
  Tags?: { TagKey: string; TagValue: string }[];
  MultiRegion?: boolean;
  XksKeyId?: string;
}

export interface CreateKeyOutput {
  KeyMetadata?: KeyMetadata;
}

export async function createKey(ctx: OperationContext, input: CreateKeyInput = {}): Promise<CreateKeyOutput> {
  validateInput('CreateKey', input);
  // No custom key stores exist yet, so any id names a missing one (message ours).
  if (input.CustomKeyStoreId !== undefined) {
    throw new CustomKeyStoreNotFoundException(`Custom key store ${input.CustomKeyStoreId} does not exist.`);
  }
  const origin: OriginType = input.Origin ?? 'AWS_KMS';
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE') {
    throw new UnsupportedOperationException(`Origin ${origin} needs a custom key store, which this engine does not support yet.`);
  }
  const keySpec = (input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
  const keyUsage: KeyUsageType = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  const multiRegion = input.MultiRegion === true;
  const keyId = multiRegion ? newMultiRegionKeyId() : newKeyId();

  const record: KeyRecord = {
    keyId,
    account: ctx.account,
    region: ctx.region,
    arn: keyArn(ctx.region, ctx.account, keyId),
    creationDate: new Date(),
    description: input.Description ?? '',
    keySpec,
    keyUsage,
    origin,
    keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    multiRegion,
    keyMaterials: [],
  };
  if (keySpec === 'SYMMETRIC_DEFAULT' && origin === 'AWS_KMS') {
    const material = newKeyMaterial();
    record.keyMaterials.push(material);
    record.currentKeyMaterialId = material.id;
  }
  await ctx.store.putKey(record);
  return { KeyMetadata: keyMetadata(record) };
}
