// The shapes of the KMS model that operation inputs are made of: enumerations, strings, blobs,
// lists, maps and structures with their limits. Each operation's input members are in its
// registry entry (registry.ts), built from these; validation (validation.ts), the wire codec
// and the CLI read them from there instead of repeating checks per operation.
//
// Sources: member names, types, requiredness, lengths, ranges and enum values follow the KMS model
// as @aws-sdk/client-kms 3.1164.0 bundles it (the AWS KMS API Reference; enums in the SDK's order). Where the
// model is looser than the service the service limit is used and a comment says so (here and in
// the registry's entries). Patterns and the custom key store constraints come from the KMS model
// (botocore service-2.json); the reference does not restate them, so treat those as the weakest
// facts in this file.

// ---------------------------------------------------------------------------------------------
// Enumerations (SDK order)

export const DATA_KEY_PAIR_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SM2',
  'ECC_NIST_EDWARDS25519',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;

export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;

/** Deprecated twin of KeySpec: the old set, without EDWARDS25519, ML-DSA or ML-KEM. */
export const CUSTOMER_MASTER_KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
] as const;

export const DATA_KEY_SPECS = ['AES_128', 'AES_256'] as const;

export const KEY_USAGE_TYPES = [
  'ENCRYPT_DECRYPT',
  'SIGN_VERIFY',
  'GENERATE_VERIFY_MAC',
  'KEY_AGREEMENT',
  'ENCAPSULATE_DECAPSULATE',
] as const;

export const KEY_STATES = [
  'Creating',
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingImport',
  'PendingReplicaDeletion',
  'Unavailable',
  'Updating',
] as const;

export const ORIGIN_TYPES = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

export const ENCRYPTION_ALGORITHM_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'SM2PKE',
] as const;

export const KEY_ENCRYPTION_MECHANISMS = ['RSAES_OAEP_SHA_256'] as const;

export const DRY_RUN_MODIFIER_TYPES = ['IGNORE_CIPHERTEXT'] as const;

export const SIGNING_ALGORITHM_SPECS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA',
  'ML_DSA_SHAKE_256',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const;

export const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;

export const KEY_AGREEMENT_ALGORITHM_SPECS = ['ECDH'] as const;

export const MAC_ALGORITHM_SPECS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;

export const ENCAPSULATION_ALGORITHM_SPECS = ['ML_KEM'] as const;

export const CUSTOM_KEY_STORE_TYPES = ['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

export const XKS_PROXY_CONNECTIVITY_TYPES = ['PUBLIC_ENDPOINT', 'VPC_ENDPOINT_SERVICE'] as const;

export type DataKeyPairSpec = (typeof DATA_KEY_PAIR_SPECS)[number];
export type KeySpec = (typeof KEY_SPECS)[number];
export type CustomerMasterKeySpec = (typeof CUSTOMER_MASTER_KEY_SPECS)[number];
export type DataKeySpec = (typeof DATA_KEY_SPECS)[number];
export type KeyUsageType = (typeof KEY_USAGE_TYPES)[number];
export type KeyState = (typeof KEY_STATES)[number];
export type OriginType = (typeof ORIGIN_TYPES)[number];
export type EncryptionAlgorithmSpec = (typeof ENCRYPTION_ALGORITHM_SPECS)[number];
export type MacAlgorithmSpec = (typeof MAC_ALGORITHM_SPECS)[number];
export type EncapsulationAlgorithmSpec = (typeof ENCAPSULATION_ALGORITHM_SPECS)[number];
export type SigningAlgorithmSpec = (typeof SIGNING_ALGORITHM_SPECS)[number];
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type KeyAgreementAlgorithmSpec = (typeof KEY_AGREEMENT_ALGORITHM_SPECS)[number];

// The order in which real KMS listed an enum's values in a recorded "Member must satisfy enum
// value set" message (a hash order, not the model's). Values added to the enum since the
// recording are not in these lists; the message appends them in SDK order (an inference).
export const KEY_SPEC_MESSAGE_ORDER_2023 = [
  'RSA_2048',
  'ECC_NIST_P384',
  'ECC_NIST_P256',
  'ECC_NIST_P521',
  'HMAC_384',
  'RSA_3072',
  'ECC_SECG_P256K1',
  'RSA_4096',
  'SYMMETRIC_DEFAULT',
  'HMAC_256',
  'HMAC_224',
  'HMAC_512',
] as const;
export const KEY_USAGE_MESSAGE_ORDER_2023 = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'] as const;
export const MAC_ALGORITHM_MESSAGE_ORDER_2023 = [
  'HMAC_SHA_384',
  'HMAC_SHA_256',
  'HMAC_SHA_224',
  'HMAC_SHA_512',
] as const;

// ---------------------------------------------------------------------------------------------
// Shapes

export interface StringShape {
  type: 'string';
  min?: number;
  max?: number;
  /** A Java-style pattern that must match the whole value. */
  pattern?: string;
  /** Sensitive values are left out of validation messages. */
  sensitive?: boolean;
}
export interface BlobShape {
  type: 'blob';
  min?: number;
  max?: number;
  sensitive?: boolean;
}
export interface IntegerShape {
  type: 'integer';
  min?: number;
  max?: number;
}
export interface BooleanShape {
  type: 'boolean';
}
export interface TimestampShape {
  type: 'timestamp';
}
export interface EnumShape {
  type: 'enum';
  values: readonly string[];
  /** The order AWS was recorded listing the values in its message, where known. */
  messageOrder?: readonly string[];
}
export interface ListShape {
  type: 'list';
  member: Shape;
  min?: number;
  max?: number;
}
export interface MapShape {
  type: 'map';
  key: StringShape;
  value: StringShape;
  min?: number;
  max?: number;
  /** The most UTF-8 bytes all keys and values may add up to. */
  maxBytes?: number;
}
export interface StructureShape {
  type: 'structure';
  members: Members;
}

export type Shape =
  | StringShape
  | BlobShape
  | IntegerShape
  | BooleanShape
  | TimestampShape
  | EnumShape
  | ListShape
  | MapShape
  | StructureShape;

export interface Member {
  shape: Shape;
  required?: boolean;
}

/** Members in the order the reference lists them; validation reports violations in this order. */
export type Members = Readonly<Record<string, Member>>;

// Shared shapes, named after the model's.
export const str = (min?: number, max?: number, pattern?: string): StringShape => ({
  type: 'string',
  min,
  max,
  pattern,
});
export const int = (min?: number, max?: number): IntegerShape => ({ type: 'integer', min, max });
export const enumOf = (values: readonly string[], messageOrder?: readonly string[]): EnumShape => ({
  type: 'enum',
  values,
  messageOrder,
});
export const BOOL: BooleanShape = { type: 'boolean' };

export const KeyIdType = str(1, 2048);
// Grant tokens are credentials (a token is proof enough to use and to retire its grant), though
// the model does not mark them sensitive: validation messages do not show them.
export const GrantTokenList: ListShape = { type: 'list', member: { ...str(1, 8192), sensitive: true }, max: 10 };
// AWS documents no size limit for an encryption context in a request (the only figures it
// gives are for grant constraints: 8 pairs, 384 characters a value). This engine caps the
// UTF-8 bytes of all keys and values together at 8,192, twice the largest Plaintext, so that a
// request cannot make the engine sort and encode a context of a megabyte.
export const ENCRYPTION_CONTEXT_MAX_BYTES = 8192;
export const EncryptionContextType: MapShape = {
  type: 'map',
  key: str(),
  value: str(),
  maxBytes: ENCRYPTION_CONTEXT_MAX_BYTES,
};
export const CiphertextType: BlobShape = { type: 'blob', min: 1, max: 6144 };
export const PlaintextType: BlobShape = { type: 'blob', min: 1, max: 4096, sensitive: true };
export const NumberOfBytesType = int(1, 1024);
/** A DER SubjectPublicKeyInfo (DeriveSharedSecret's PublicKey). */
export const PublicKeyType: BlobShape = { type: 'blob', min: 1, max: 8192 };
export const LimitType = int(1, 1000);
export const MarkerType = str(1, 1024, '[\\u0020-\\u00FF]*');
export const AliasNameType = str(1, 256, '^[a-zA-Z0-9:/_-]+$');
export const CustomKeyStoreIdType = str(1, 64);
export const CustomKeyStoreNameType = str(1, 256);
export const EncryptionAlgorithm = enumOf(ENCRYPTION_ALGORITHM_SPECS);
export const MacAlgorithm = enumOf(MAC_ALGORITHM_SPECS, MAC_ALGORITHM_MESSAGE_ORDER_2023);
export const EncapsulationAlgorithm = enumOf(ENCAPSULATION_ALGORITHM_SPECS);
export const DryRunModifierList: ListShape = { type: 'list', member: enumOf(DRY_RUN_MODIFIER_TYPES) };
export const RecipientInfo: StructureShape = {
  type: 'structure',
  members: {
    KeyEncryptionAlgorithm: { shape: enumOf(KEY_ENCRYPTION_MECHANISMS) },
    AttestationDocument: { shape: { type: 'blob', min: 1, max: 262144 } },
  },
};
export const Tag: StructureShape = {
  type: 'structure',
  members: {
    TagKey: { shape: str(1, 128), required: true },
    TagValue: { shape: str(0, 256), required: true },
  },
};
export const XksProxyAuthenticationCredential: StructureShape = {
  type: 'structure',
  members: {
    AccessKeyId: { shape: { ...str(20, 30, '^[A-Z2-7]+$'), sensitive: true }, required: true },
    RawSecretAccessKey: { shape: { ...str(43, 64, '^[a-zA-Z0-9\\/+=]+$'), sensitive: true }, required: true },
  },
};

export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
  'Encapsulate',
  'Decapsulate',
] as const;
export const ALGORITHM_SPECS = [
  'RSAES_PKCS1_V1_5',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
  'SM2PKE',
] as const;
export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const;
export const EXPIRATION_MODEL_TYPES = ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const;
export const IMPORT_TYPES = ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const;
export const INCLUDE_KEY_MATERIAL = ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const;

export const TIMESTAMP: TimestampShape = { type: 'timestamp' };
export const TagList: ListShape = { type: 'list', member: Tag };
export const TagKeyList: ListShape = { type: 'list', member: str(1, 128) };
export const PolicyType = str(1, 131072);
export const PolicyNameType = str(1, 128, '^[\\w]+$');
export const DescriptionType = str(0, 8192);
export const PrincipalIdType = str(1, 256, '^[\\w+=,.@:/-]+$');
export const GrantIdType = str(1, 128);
export const GrantNameType = str(1, 256, '^[a-zA-Z0-9:/_-]+$');
export const GrantTokenType: StringShape = { ...str(1, 8192), sensitive: true };
export const ServicePrincipalType = str(1, 256);
export const GrantConstraints: StructureShape = {
  type: 'structure',
  members: {
    EncryptionContextSubset: { shape: EncryptionContextType },
    EncryptionContextEquals: { shape: EncryptionContextType },
    SourceArn: { shape: str(1, 2048) },
  },
};
export const RegionType = str(1, 32, '^([a-z]+-){2,3}\\d+$');
export const KeyMaterialIdType = str(64, 64, '^[a-f0-9]+$');
export const KeyMaterialDescriptionType = str(0, 256);

export const required = (shape: Shape): Member => ({ shape, required: true });
export const optional = (shape: Shape): Member => ({ shape });
export const keyIdOnly: Members = { KeyId: required(KeyIdType) };

// The operations' input members are in their registry entries (registry.ts), made of these shapes.
export type { OperationName } from './registry.js';
