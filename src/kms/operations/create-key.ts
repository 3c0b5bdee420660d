// CreateKey (AWS KMS API Reference). Order: validate input → KeySpec/KeyUsage compatibility → Region
// rule for the spec → Origin / custom key store rules → generate material → store.
//
// - Symmetric keys get 32 random bytes of key material with a 64-hex KeyMaterialId.
// - Asymmetric keys (RSA, ECC, SM2, Ed25519, ML-KEM) get a key pair from the WebAssembly core,
//   stored as DER SPKI + PKCS#8 on the record (`keyPair`); ML-DSA keys (ML_DSA_44/65/87) too,
//   from a 32-byte seed in the core (the PKCS#8 holds the seed).
// - HMAC keys get random MAC key material of the spec's size (`hmacKey`).
// - Origin EXTERNAL gives a PendingImport key with no material, for every spec: real KMS was
//   recorded (2025) creating EXTERNAL ECC_NIST_* / ECC_SECG_P256K1 SIGN_VERIFY keys in PendingImport.
// - CustomKeyStoreId names a store made by CreateCustomKeyStore; the key is symmetric, its Origin
//   AWS_CLOUDHSM or EXTERNAL_KEY_STORE after the store's type (inferred when Origin is omitted),
//   and its material is generated locally (nothing stands behind the store).

import { KEY_PAIR_SPECS, type KeyPairSpec } from '../../core/index.js';
import { generateMlDsa, type MlDsaLevel } from '../../core/mldsa.js';
import { validateInput } from '../validation.js';
import {
  CustomKeyStoreInvalidStateException,
  CustomKeyStoreNotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { callerArn, authorizeAccount } from '../authorize.js';
import { checkKeyPolicy } from '../key-policy.js';
import { checkTags } from '../tags.js';
import { keyMetadata, type KeyMetadata } from '../key-metadata.js';
import { keyArn, newKeyId, newKeyMaterial, newMultiRegionKeyId, newRandomBytes, type KeyRecord } from '../store.js';
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

/** The KeyUsage values each KeySpec accepts (KMS developer guide, key spec reference). */
export const KEY_USAGES_BY_SPEC: Readonly<Record<KeySpec, readonly KeyUsageType[]>> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
  RSA_2048: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_3072: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_4096: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P256: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P384: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P521: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG_P256K1: ['SIGN_VERIFY'],
  ECC_NIST_EDWARDS25519: ['SIGN_VERIFY'],
  HMAC_224: ['GENERATE_VERIFY_MAC'],
  HMAC_256: ['GENERATE_VERIFY_MAC'],
  HMAC_384: ['GENERATE_VERIFY_MAC'],
  HMAC_512: ['GENERATE_VERIFY_MAC'],
  SM2: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'],
  ML_DSA_44: ['SIGN_VERIFY'],
  ML_DSA_65: ['SIGN_VERIFY'],
  ML_DSA_87: ['SIGN_VERIFY'],
  ML_KEM_512: ['ENCAPSULATE_DECAPSULATE'],
  ML_KEM_768: ['ENCAPSULATE_DECAPSULATE'],
  ML_KEM_1024: ['ENCAPSULATE_DECAPSULATE'],
};

const HMAC_KEY_BYTES: Partial<Record<KeySpec, number>> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/** The ML-DSA parameter set of each ML-DSA key spec (FIPS 204). */
const ML_DSA_LEVEL_BY_SPEC: Partial<Record<KeySpec, MlDsaLevel>> = { ML_DSA_44: 44, ML_DSA_65: 65, ML_DSA_87: 87 };

/** The key specs whose key material is a key pair: those the core generates. */
const KEY_PAIR_KEY_SPECS: readonly string[] = KEY_PAIR_SPECS;

/**
 * SM2 exists only in the China Regions and ML-KEM / ML-DSA everywhere but there, as
 * GenerateDataKeyPair treats SM2 and ML-KEM (AWS KMS API Reference, GenerateDataKeyPair). The exception and message are ours.
 */
function checkKeySpecInRegion(spec: KeySpec, region: string): void {
  const china = region.startsWith('cn-');
  if (spec === 'SM2' && !china) {
    throw new UnsupportedOperationException(
      `KeySpec SM2 is supported only in the China Regions; CreateKey in ${region} cannot use it.`,
    );
  }
  if ((spec.startsWith('ML_KEM_') || spec.startsWith('ML_DSA_')) && china) {
    throw new UnsupportedOperationException(
      `KeySpec ${spec} is not supported in the China Regions; CreateKey in ${region} cannot use it.`,
    );
  }
}

export async function createKey(ctx: OperationContext, input: CreateKeyInput = {}): Promise<CreateKeyOutput> {
  validateInput('CreateKey', input);
  authorizeAccount(ctx, 'CreateKey');
  // Tags need kms:TagResource from identity policies too (AWS KMS API Reference, CreateKey).
  if ((input.Tags?.length ?? 0) > 0) authorizeAccount(ctx, 'TagResource');
  // Tags and Policy are checked before anything is made: a bad one creates no key (tags.ts,
  // key-policy.ts; a key without a Policy gets the default key policy).
  const tags = checkTags(input.Tags);
  if (input.Policy !== undefined) {
    checkKeyPolicy(input.Policy, {
      bypassLockoutCheck: input.BypassPolicyLockoutSafetyCheck === true,
      callerArn: callerArn(ctx),
      account: ctx.account,
    });
  }
  // KeySpec wins when both are given (the service rejects giving both; unrecorded, so not enforced).
  const keySpec = (input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
  const keyUsage: KeyUsageType = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  if (!KEY_USAGES_BY_SPEC[keySpec].includes(keyUsage)) {
    // [AWS-REC] "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"
    throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  }
  checkKeySpecInRegion(keySpec, ctx.region);

  let origin: OriginType = input.Origin ?? 'AWS_KMS';
  let customKeyStoreId: string | undefined;
  if (input.CustomKeyStoreId !== undefined) {
    const getStore = ctx.store.getCustomKeyStore?.bind(ctx.store);
    const cks = getStore === undefined ? undefined : await getStore(ctx.account, ctx.region, input.CustomKeyStoreId);
    // Message ours.
    if (cks === undefined)
      throw new CustomKeyStoreNotFoundException(`Custom key store ${input.CustomKeyStoreId} does not exist.`);
    const storeOrigin: OriginType =
      cks.customKeyStoreType === 'EXTERNAL_KEY_STORE' ? 'EXTERNAL_KEY_STORE' : 'AWS_CLOUDHSM';
    if (input.Origin === undefined) origin = storeOrigin;
    if (origin !== storeOrigin) {
      throw new UnsupportedOperationException(
        `Origin ${origin} is not valid for custom key store ${cks.customKeyStoreId} of type ${cks.customKeyStoreType}; use Origin ${storeOrigin}.`,
      );
    }
    if (keySpec !== 'SYMMETRIC_DEFAULT') {
      throw new UnsupportedOperationException(
        `KeySpec ${keySpec} is not supported in a custom key store; only SYMMETRIC_DEFAULT keys are.`,
      );
    }
    if (input.MultiRegion === true) {
      throw new UnsupportedOperationException('Multi-Region keys cannot be created in a custom key store.');
    }
    if (origin === 'EXTERNAL_KEY_STORE' && input.XksKeyId === undefined) {
      throw new ValidationException('XksKeyId is required when Origin is EXTERNAL_KEY_STORE.');
    }
    if (cks.connectionState !== 'CONNECTED') {
      throw new CustomKeyStoreInvalidStateException(`Custom key store ${cks.customKeyStoreId} is not connected.`);
    }
    customKeyStoreId = cks.customKeyStoreId;
  } else if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE') {
    throw new ValidationException(`A CustomKeyStoreId is required when Origin is ${origin}.`);
  }
  if (input.XksKeyId !== undefined && origin !== 'EXTERNAL_KEY_STORE') {
    throw new ValidationException('XksKeyId is valid only when Origin is EXTERNAL_KEY_STORE.');
  }
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
  if (customKeyStoreId !== undefined) record.customKeyStoreId = customKeyStoreId;
  if (tags.length > 0) record.tags = tags;
  if (input.Policy !== undefined) record.policy = input.Policy;
  // GetKeyLastUsage tracks the key from its creation (last-usage.ts).
  record.lastUsage = { trackingStartDate: new Date(record.creationDate.getTime()) };
  if (origin !== 'EXTERNAL') {
    if (keySpec === 'SYMMETRIC_DEFAULT') {
      const material = newKeyMaterial();
      record.keyMaterials.push(material);
      record.currentKeyMaterialId = material.id;
    } else if (KEY_PAIR_KEY_SPECS.includes(keySpec)) {
      record.keyPair = await ctx.generateKeyPair(keySpec as KeyPairSpec);
    } else if (ML_DSA_LEVEL_BY_SPEC[keySpec] !== undefined) {
      record.keyPair = generateMlDsa(ctx.core(), ML_DSA_LEVEL_BY_SPEC[keySpec]);
    } else {
      const n = HMAC_KEY_BYTES[keySpec];
      if (n !== undefined) record.hmacKey = newRandomBytes(n);
    }
  }
  try {
    await ctx.store.putKey(record);
  } finally {
    record.keyPair?.privateKey.fill(0);
    record.hmacKey?.fill(0);
    for (const m of record.keyMaterials) m.material.fill(0);
  }
  return { KeyMetadata: keyMetadata(record) };
}
