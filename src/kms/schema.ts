// One table of KMS operation input schemas. Validation (validation.ts), the command classes and the
// wire codec read it instead of repeating checks per operation.
//
// Sources: member names, types, requiredness, lengths, ranges and enum values follow the KMS model
// as @aws-sdk/client-kms 3.1164.0 bundles it (the AWS KMS API Reference; enums in the SDK's order). Where the
// model is looser than the service the service limit is used and a comment says so. Patterns and
// the custom key store constraints come from the KMS model (botocore service-2.json); the
// reference does not restate them, so treat those as the weakest facts in this file.

// ---------------------------------------------------------------------------------------------
// Enumerations (SDK order)

export const DATA_KEY_PAIR_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096',
  'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SM2',
  'ECC_NIST_EDWARDS25519',
  'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024',
] as const;

export const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048', 'RSA_3072', 'RSA_4096',
  'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512',
  'SM2',
  'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87',
  'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024',
] as const;

/** Deprecated twin of KeySpec: the old set, without EDWARDS25519, ML-DSA or ML-KEM. */
export const CUSTOMER_MASTER_KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096',
  'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512',
  'SM2',
] as const;

export const DATA_KEY_SPECS = ['AES_128', 'AES_256'] as const;

export const KEY_USAGE_TYPES = [
  'ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE',
] as const;

export const KEY_STATES = [
  'Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion',
  'Unavailable', 'Updating',
] as const;

export const ORIGIN_TYPES = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

export const ENCRYPTION_ALGORITHM_SPECS = [
  'SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE',
] as const;

export const KEY_ENCRYPTION_MECHANISMS = ['RSAES_OAEP_SHA_256'] as const;

export const DRY_RUN_MODIFIER_TYPES = ['IGNORE_CIPHERTEXT'] as const;

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

// The order in which real KMS listed an enum's values in a recorded "Member must satisfy enum
// value set" message (a hash order, not the model's). Values added to the enum since the
// recording are not in these lists; the message appends them in SDK order (an inference).
const KEY_SPEC_MESSAGE_ORDER_2023 = [
  'RSA_2048', 'ECC_NIST_P384', 'ECC_NIST_P256', 'ECC_NIST_P521', 'HMAC_384', 'RSA_3072',
  'ECC_SECG_P256K1', 'RSA_4096', 'SYMMETRIC_DEFAULT', 'HMAC_256', 'HMAC_224', 'HMAC_512',
] as const;
const KEY_USAGE_MESSAGE_ORDER_2023 = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'] as const;

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
export interface BlobShape { type: 'blob'; min?: number; max?: number; sensitive?: boolean }
export interface IntegerShape { type: 'integer'; min?: number; max?: number }
export interface BooleanShape { type: 'boolean' }
export interface TimestampShape { type: 'timestamp' }
export interface EnumShape {
  type: 'enum';
  values: readonly string[];
  /** The order AWS was recorded listing the values in its message, where known. */
  messageOrder?: readonly string[];
}
export interface ListShape { type: 'list'; member: Shape; min?: number; max?: number }
export interface MapShape {
  type: 'map';
  key: StringShape;
  value: StringShape;
  min?: number;
  max?: number;
  /** The most UTF-8 bytes all keys and values may add up to. */
  maxBytes?: number;
}
export interface StructureShape { type: 'structure'; members: Members }

export type Shape =
  | StringShape | BlobShape | IntegerShape | BooleanShape | TimestampShape
  | EnumShape | ListShape | MapShape | StructureShape;

export interface Member {
  shape: Shape;
  required?: boolean;
}

/** Members in the order the reference lists them; validation reports violations in this order. */
export type Members = Readonly<Record<string, Member>>;

// Shared shapes, named after the model's.
const str = (min?: number, max?: number, pattern?: string): StringShape => ({ type: 'string', min, max, pattern });
const int = (min?: number, max?: number): IntegerShape => ({ type: 'integer', min, max });
const enumOf = (values: readonly string[], messageOrder?: readonly string[]): EnumShape =>
  ({ type: 'enum', values, messageOrder });
const BOOL: BooleanShape = { type: 'boolean' };

const KeyIdType = str(1, 2048);
const GrantTokenList: ListShape = { type: 'list', member: str(1, 8192), max: 10 };
// AWS documents no size limit for an encryption context in a request (the only figures it
// gives are for grant constraints: 8 pairs, 384 characters a value). This engine caps the
// UTF-8 bytes of all keys and values together at 8,192, twice the largest Plaintext, so that a
// request cannot make the engine sort and encode a context of a megabyte.
export const ENCRYPTION_CONTEXT_MAX_BYTES = 8192;
const EncryptionContextType: MapShape = { type: 'map', key: str(), value: str(), maxBytes: ENCRYPTION_CONTEXT_MAX_BYTES };
const CiphertextType: BlobShape = { type: 'blob', min: 1, max: 6144 };
const PlaintextType: BlobShape = { type: 'blob', min: 1, max: 4096, sensitive: true };
const NumberOfBytesType = int(1, 1024);
const LimitType = int(1, 1000);
const MarkerType = str(1, 1024, '[\\u0020-\\u00FF]*');
const AliasNameType = str(1, 256, '^[a-zA-Z0-9:/_-]+$');
const CustomKeyStoreIdType = str(1, 64);
const CustomKeyStoreNameType = str(1, 256);
const EncryptionAlgorithm = enumOf(ENCRYPTION_ALGORITHM_SPECS);
const DryRunModifierList: ListShape = { type: 'list', member: enumOf(DRY_RUN_MODIFIER_TYPES) };
const RecipientInfo: StructureShape = {
  type: 'structure',
  members: {
    KeyEncryptionAlgorithm: { shape: enumOf(KEY_ENCRYPTION_MECHANISMS) },
    AttestationDocument: { shape: { type: 'blob', min: 1, max: 262144 } },
  },
};
const Tag: StructureShape = {
  type: 'structure',
  members: {
    TagKey: { shape: str(1, 128), required: true },
    TagValue: { shape: str(0, 256), required: true },
  },
};
const XksProxyAuthenticationCredential: StructureShape = {
  type: 'structure',
  members: {
    AccessKeyId: { shape: { ...str(20, 30, '^[A-Z2-7]+$'), sensitive: true }, required: true },
    RawSecretAccessKey: { shape: { ...str(43, 64, '^[a-zA-Z0-9\\/+=]+$'), sensitive: true }, required: true },
  },
};

const required = (shape: Shape): Member => ({ shape, required: true });
const optional = (shape: Shape): Member => ({ shape });
const keyIdOnly: Members = { KeyId: required(KeyIdType) };

// ---------------------------------------------------------------------------------------------
// Operations

export const OPERATIONS = {
  CreateKey: {
    // The model allows any policy character; its pattern is left out so as not to reject
    // policies the service takes.
    Policy: optional(str(1, 131072)),
    Description: optional(str(0, 8192)),
    KeyUsage: optional(enumOf(KEY_USAGE_TYPES, KEY_USAGE_MESSAGE_ORDER_2023)),
    CustomerMasterKeySpec: optional(enumOf(CUSTOMER_MASTER_KEY_SPECS)),
    KeySpec: optional(enumOf(KEY_SPECS, KEY_SPEC_MESSAGE_ORDER_2023)),
    Origin: optional(enumOf(ORIGIN_TYPES)),
    CustomKeyStoreId: optional(CustomKeyStoreIdType),
    BypassPolicyLockoutSafetyCheck: optional(BOOL),
    Tags: optional({ type: 'list', member: Tag }),
    MultiRegion: optional(BOOL),
    XksKeyId: optional(str(1, 128, '^[a-zA-Z0-9-_.]+$')),
  },
  DescribeKey: { KeyId: required(KeyIdType), GrantTokens: optional(GrantTokenList) },
  ListKeys: { Limit: optional(LimitType), Marker: optional(MarkerType) },
  CreateAlias: { AliasName: required(AliasNameType), TargetKeyId: required(KeyIdType) },
  UpdateAlias: { AliasName: required(AliasNameType), TargetKeyId: required(KeyIdType) },
  DeleteAlias: { AliasName: required(AliasNameType) },
  ListAliases: {
    KeyId: optional(KeyIdType),
    // The model allows 1..1000; the service caps ListAliases at 100.
    Limit: optional(int(1, 100)),
    Marker: optional(MarkerType),
  },
  EnableKey: keyIdOnly,
  DisableKey: keyIdOnly,
  ScheduleKeyDeletion: {
    KeyId: required(KeyIdType),
    // The model allows 1..365; the service requires 7..30.
    PendingWindowInDays: optional(int(7, 30)),
  },
  CancelKeyDeletion: keyIdOnly,
  EnableKeyRotation: { KeyId: required(KeyIdType), RotationPeriodInDays: optional(int(90, 2560)) },
  DisableKeyRotation: keyIdOnly,
  GetKeyRotationStatus: keyIdOnly,
  RotateKeyOnDemand: keyIdOnly,
  GetPublicKey: { KeyId: required(KeyIdType), GrantTokens: optional(GrantTokenList) },
  GenerateDataKeyPair: {
    KeyId: required(KeyIdType),
    KeyPairSpec: required(enumOf(DATA_KEY_PAIR_SPECS)),
    EncryptionContext: optional(EncryptionContextType),
    GrantTokens: optional(GrantTokenList),
    Recipient: optional(RecipientInfo),
    DryRun: optional(BOOL),
  },
  GenerateDataKeyPairWithoutPlaintext: {
    KeyId: required(KeyIdType),
    KeyPairSpec: required(enumOf(DATA_KEY_PAIR_SPECS)),
    EncryptionContext: optional(EncryptionContextType),
    GrantTokens: optional(GrantTokenList),
    DryRun: optional(BOOL),
  },
  Decrypt: {
    // Optional in the model since DryRunModifiers arrived; the engine requires it unless the
    // call is an IGNORE_CIPHERTEXT dry run.
    CiphertextBlob: optional(CiphertextType),
    EncryptionContext: optional(EncryptionContextType),
    GrantTokens: optional(GrantTokenList),
    KeyId: optional(KeyIdType),
    EncryptionAlgorithm: optional(EncryptionAlgorithm),
    Recipient: optional(RecipientInfo),
    DryRun: optional(BOOL),
    DryRunModifiers: optional(DryRunModifierList),
  },
  Encrypt: {
    KeyId: required(KeyIdType),
    Plaintext: required(PlaintextType),
    EncryptionContext: optional(EncryptionContextType),
    GrantTokens: optional(GrantTokenList),
    EncryptionAlgorithm: optional(EncryptionAlgorithm),
    DryRun: optional(BOOL),
  },
  ReEncrypt: {
    CiphertextBlob: optional(CiphertextType),
    SourceEncryptionContext: optional(EncryptionContextType),
    SourceKeyId: optional(KeyIdType),
    DestinationKeyId: required(KeyIdType),
    DestinationEncryptionContext: optional(EncryptionContextType),
    SourceEncryptionAlgorithm: optional(EncryptionAlgorithm),
    DestinationEncryptionAlgorithm: optional(EncryptionAlgorithm),
    GrantTokens: optional(GrantTokenList),
    DryRun: optional(BOOL),
    DryRunModifiers: optional(DryRunModifierList),
  },
  GenerateDataKey: {
    KeyId: required(KeyIdType),
    EncryptionContext: optional(EncryptionContextType),
    NumberOfBytes: optional(NumberOfBytesType),
    KeySpec: optional(enumOf(DATA_KEY_SPECS)),
    GrantTokens: optional(GrantTokenList),
    Recipient: optional(RecipientInfo),
    DryRun: optional(BOOL),
  },
  GenerateDataKeyWithoutPlaintext: {
    KeyId: required(KeyIdType),
    EncryptionContext: optional(EncryptionContextType),
    NumberOfBytes: optional(NumberOfBytesType),
    KeySpec: optional(enumOf(DATA_KEY_SPECS)),
    GrantTokens: optional(GrantTokenList),
    DryRun: optional(BOOL),
  },
  GenerateRandom: {
    // Optional in the model; the service answers its absence with "NumberOfBytes is required."
    // (validation.ts applies that after the schema checks).
    NumberOfBytes: optional(NumberOfBytesType),
    CustomKeyStoreId: optional(CustomKeyStoreIdType),
    Recipient: optional(RecipientInfo),
  },
  CreateCustomKeyStore: {
    CustomKeyStoreName: required(CustomKeyStoreNameType),
    CloudHsmClusterId: optional(str(19, 24)),
    TrustAnchorCertificate: optional(str(1, 5000)),
    KeyStorePassword: optional({ ...str(7, 32), sensitive: true }),
    CustomKeyStoreType: optional(enumOf(CUSTOM_KEY_STORE_TYPES)),
    XksProxyUriEndpoint: optional(str(10, 128, '^https://[a-zA-Z0-9.-]+$')),
    XksProxyUriPath: optional(str(10, 128, '^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$')),
    XksProxyVpcEndpointServiceName: optional(
      str(20, 64, '^com\\.amazonaws\\.vpce\\.([a-z]+-){2,3}\\d+\\.vpce-svc-[0-9a-z]+$'),
    ),
    XksProxyVpcEndpointServiceOwner: optional(str(12, 12, '^[0-9]{12}$')),
    XksProxyAuthenticationCredential: optional(XksProxyAuthenticationCredential),
    XksProxyConnectivity: optional(enumOf(XKS_PROXY_CONNECTIVITY_TYPES)),
  },
  DescribeCustomKeyStores: {
    CustomKeyStoreId: optional(CustomKeyStoreIdType),
    CustomKeyStoreName: optional(CustomKeyStoreNameType),
    Limit: optional(LimitType),
    Marker: optional(MarkerType),
  },
} as const satisfies Record<string, Members>;

export type OperationName = keyof typeof OPERATIONS;

export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, name);
}
