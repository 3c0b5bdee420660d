// The operation registry: one entry per KMS operation, from which everything that lists
// operations is made, as one service model makes every command of @aws-sdk/client-kms:
//
//   - input: the request's members (schema.ts shapes: names in the model's order, requiredness,
//     limits, sensitive flags); validation, the wire codec and the CLI's options read it;
//   - output: the response's members in the model's order (the AWS CLI prints them so), which
//     are sensitive (left out of logs, wiped by the endpoint once encoded), and the order of the
//     structures nested in them;
//   - paginate: the members that page a list operation (input token and page size, output token
//     and truncation flag, the list member);
//   - handler: the operation (operations/), wrapped once so that the key records it loads are
//     wiped when it ends (store.ts runWipingLoadedKeys);
//   - summary: the CLI's one-line description.
//
// From the entries come the command classes under the SDK's names (`GenerateDataKeyPairCommand`
// with `GenerateDataKeyPairCommandInput` / `...Output`), the methods of the aggregated KMS class
// (kms.ts), the paginators (paginateListKeys...), the endpoint's dispatch and the CLI's commands.
// A new operation is its file in operations/ and its entry (and export names) here.
//
// Output member orders are the KMS model's (botocore's kms/2014-11-01/service-2.json, which the
// AWS CLI walks); sensitive members are those the model types as sensitive (PlaintextType).

import { commandClass, type CommandClass, type Handler } from './command.js';
import type { ResponseMetadata } from './exceptions.js';
import {
  ALGORITHM_SPECS,
  AliasNameType,
  BOOL,
  CiphertextType,
  CUSTOM_KEY_STORE_TYPES,
  CUSTOMER_MASTER_KEY_SPECS,
  CustomKeyStoreIdType,
  CustomKeyStoreNameType,
  DATA_KEY_PAIR_SPECS,
  DATA_KEY_SPECS,
  DryRunModifierList,
  EncryptionAlgorithm,
  EncapsulationAlgorithm,
  EncryptionContextType,
  enumOf,
  GrantTokenList,
  int,
  KEY_SPEC_MESSAGE_ORDER_2023,
  KEY_SPECS,
  KEY_USAGE_MESSAGE_ORDER_2023,
  KEY_USAGE_TYPES,
  KEY_AGREEMENT_ALGORITHM_SPECS,
  KeyIdType,
  keyIdOnly,
  LimitType,
  MacAlgorithm,
  MarkerType,
  MESSAGE_TYPES,
  NumberOfBytesType,
  optional,
  ORIGIN_TYPES,
  PlaintextType,
  PublicKeyType,
  RecipientInfo,
  required,
  SIGNING_ALGORITHM_SPECS,
  str,
  Tag,
  XKS_PROXY_CONNECTIVITY_TYPES,
  XksProxyAuthenticationCredential,
  DescriptionType,
  EXPIRATION_MODEL_TYPES,
  GRANT_OPERATIONS,
  GrantConstraints,
  GrantIdType,
  GrantNameType,
  GrantTokenType,
  IMPORT_TYPES,
  INCLUDE_KEY_MATERIAL,
  KeyMaterialDescriptionType,
  KeyMaterialIdType,
  PolicyNameType,
  PolicyType,
  PrincipalIdType,
  RegionType,
  ServicePrincipalType,
  TagKeyList,
  TagList,
  TIMESTAMP,
  WRAPPING_KEY_SPECS,
  type Members,
} from './schema.js';
import { runWipingLoadedKeys } from './store.js';
import { cancelKeyDeletion } from './operations/cancel-key-deletion.js';
import { createAlias } from './operations/create-alias.js';
import { createCustomKeyStore } from './operations/create-custom-key-store.js';
import { createKey } from './operations/create-key.js';
import { decrypt } from './operations/decrypt.js';
import { deleteAlias } from './operations/delete-alias.js';
import { describeCustomKeyStores } from './operations/describe-custom-key-stores.js';
import { deriveSharedSecret } from './operations/derive-shared-secret.js';
import { describeKey } from './operations/describe-key.js';
import { disableKey } from './operations/disable-key.js';
import { disableKeyRotation } from './operations/disable-key-rotation.js';
import { enableKey } from './operations/enable-key.js';
import { enableKeyRotation } from './operations/enable-key-rotation.js';
import { decapsulate } from './operations/decapsulate.js';
import { encapsulate } from './operations/encapsulate.js';
import { encrypt } from './operations/encrypt.js';
import { generateDataKey } from './operations/generate-data-key.js';
import { generateDataKeyPair } from './operations/generate-data-key-pair.js';
import { generateDataKeyPairWithoutPlaintext } from './operations/generate-data-key-pair-without-plaintext.js';
import { generateDataKeyWithoutPlaintext } from './operations/generate-data-key-without-plaintext.js';
import { generateMac } from './operations/generate-mac.js';
import { generateRandom } from './operations/generate-random.js';
import { getKeyRotationStatus } from './operations/get-key-rotation-status.js';
import { getPublicKey } from './operations/get-public-key.js';
import { listAliases } from './operations/list-aliases.js';
import { listKeys } from './operations/list-keys.js';
import { reEncrypt } from './operations/re-encrypt.js';
import { rotateKeyOnDemand } from './operations/rotate-key-on-demand.js';
import { scheduleKeyDeletion } from './operations/schedule-key-deletion.js';
import { sign } from './operations/sign.js';
import { updateAlias } from './operations/update-alias.js';
import { verifyMac } from './operations/verify-mac.js';
import { verify } from './operations/verify.js';
import { updateKeyDescription } from './operations/update-key-description.js';
import { tagResource } from './operations/tag-resource.js';
import { untagResource } from './operations/untag-resource.js';
import { listResourceTags } from './operations/list-resource-tags.js';
import { getKeyPolicy } from './operations/get-key-policy.js';
import { putKeyPolicy } from './operations/put-key-policy.js';
import { listKeyPolicies } from './operations/list-key-policies.js';
import { createGrant } from './operations/create-grant.js';
import { listGrants } from './operations/list-grants.js';
import { listRetirableGrants } from './operations/list-retirable-grants.js';
import { retireGrant } from './operations/retire-grant.js';
import { revokeGrant } from './operations/revoke-grant.js';
import { getParametersForImport } from './operations/get-parameters-for-import.js';
import { importKeyMaterial } from './operations/import-key-material.js';
import { deleteImportedKeyMaterial } from './operations/delete-imported-key-material.js';
import { replicateKey } from './operations/replicate-key.js';
import { updatePrimaryRegion } from './operations/update-primary-region.js';
import { listKeyRotations } from './operations/list-key-rotations.js';
import { getKeyLastUsage } from './operations/get-key-last-usage.js';
import { updateCustomKeyStore } from './operations/update-custom-key-store.js';
import { deleteCustomKeyStore } from './operations/delete-custom-key-store.js';
import { connectCustomKeyStore } from './operations/connect-custom-key-store.js';
import { disconnectCustomKeyStore } from './operations/disconnect-custom-key-store.js';

// ---------------------------------------------------------------------------------------------
// The entry

/** An output member: whether it is sensitive, and the members of the structure it holds (or of its list's elements). */
export interface OutputMember {
  sensitive?: boolean;
  members?: OutputMembers;
}
/** Output members in the model's order. */
export type OutputMembers = Readonly<Record<string, OutputMember>>;

/** How a list operation pages, by member name (the SDK's paginator settings). */
export interface Pagination {
  /** The input member that takes the previous page's token. */
  inputToken: string;
  /** The input member that bounds a page. */
  pageSize: string;
  /** The output member with the next page's token. */
  outputToken: string;
  /** The output member that says more pages follow. */
  truncated: string;
  /** The output member with the page's items. */
  items: string;
}

export interface OperationEntry<I = object, O extends object = object> {
  readonly input: Members;
  readonly output: OutputMembers;
  readonly paginate?: Pagination;
  /** The operation, wiping the key records it loads when it ends. */
  readonly handler: Handler<I, O>;
  readonly summary: string;
}

const wiped = new WeakSet<Handler<never, object>>();

/** `op` so that every key record it loads is wiped when it ends; a handler wrapped already is returned as it is. */
export function wiping<I, O extends object>(op: Handler<I, O>): Handler<I, O> {
  if (wiped.has(op as Handler<never, object>)) return op;
  const run: Handler<I, O> = (ctx, input) => runWipingLoadedKeys(op, ctx, input);
  wiped.add(run as Handler<never, object>);
  return run;
}

/**
 * An entry. Its handler is given as `() => handler` and looked up when called: validation reads
 * the input members from here, so the operations' modules and this one import each other, and
 * whichever of them loads first, no entry reads a handler that is not defined yet.
 */
function entry<I, O extends object, P extends Pagination | undefined = undefined>(e: {
  summary: string;
  input: Members;
  output: OutputMembers;
  paginate?: P;
  handler: () => Handler<I, O>;
}): OperationEntry<I, O> & (P extends Pagination ? { readonly paginate: Pagination } : unknown) {
  const handler = e.handler;
  return Object.freeze({ ...e, handler: wiping<I, O>((ctx, input) => handler()(ctx, input)) }) as OperationEntry<I, O> &
    (P extends Pagination ? { readonly paginate: Pagination } : unknown);
}

/** Output members from names in order; `[name, member]` for a sensitive or structured one. */
function out(...members: Array<string | readonly [string, OutputMember]>): OutputMembers {
  return Object.freeze(Object.fromEntries(members.map((m) => (typeof m === 'string' ? [m, {}] : m))));
}
const SENSITIVE: OutputMember = { sensitive: true };
const structure = (...members: Array<string | readonly [string, OutputMember]>): OutputMember => ({
  members: out(...members),
});

/** ListKeys, ListAliases and DescribeCustomKeyStores page alike. */
const byMarker = (items: string): Pagination => ({
  inputToken: 'Marker',
  pageSize: 'Limit',
  outputToken: 'NextMarker',
  truncated: 'Truncated',
  items,
});

// Nested output structures.
const MultiRegionKey = structure('Arn', 'Region');
const KeyMetadata = structure(
  'AWSAccountId',
  'KeyId',
  'Arn',
  'CreationDate',
  'Enabled',
  'Description',
  'KeyUsage',
  'KeyState',
  'DeletionDate',
  'ValidTo',
  'Origin',
  'CustomKeyStoreId',
  'CloudHsmClusterId',
  'ExpirationModel',
  'KeyManager',
  'CustomerMasterKeySpec',
  'KeySpec',
  'EncryptionAlgorithms',
  'SigningAlgorithms',
  'KeyAgreementAlgorithms',
  'EncapsulationAlgorithms',
  'MultiRegion',
  [
    'MultiRegionConfiguration',
    structure('MultiRegionKeyType', ['PrimaryKey', MultiRegionKey], ['ReplicaKeys', MultiRegionKey]),
  ],
  'PendingDeletionWindowInDays',
  'MacAlgorithms',
  'XksKeyConfiguration',
  'CurrentKeyMaterialId',
);
const GrantListEntry = structure(
  'KeyId',
  'GrantId',
  'Name',
  'CreationDate',
  'GranteePrincipal',
  'RetiringPrincipal',
  'IssuingAccount',
  'Operations',
  ['Constraints', structure('EncryptionContextSubset', 'EncryptionContextEquals', 'SourceArn')],
  'GranteeServicePrincipal',
  'RetiringServicePrincipal',
);

// ---------------------------------------------------------------------------------------------
// The operations, in the order the CLI's help lists them

export const REGISTRY = {
  CreateKey: entry({
    summary: 'Create a KMS key (symmetric encryption by default).',
    input: {
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
    output: out(['KeyMetadata', KeyMetadata]),
    handler: () => createKey,
  }),
  DescribeKey: entry({
    summary: 'Show the metadata of a KMS key.',
    input: { KeyId: required(KeyIdType), GrantTokens: optional(GrantTokenList) },
    output: out(['KeyMetadata', KeyMetadata]),
    handler: () => describeKey,
  }),
  ListKeys: entry({
    summary: 'List the KMS keys of the account and Region.',
    input: { Limit: optional(LimitType), Marker: optional(MarkerType) },
    output: out(['Keys', structure('KeyId', 'KeyArn')], 'NextMarker', 'Truncated'),
    paginate: byMarker('Keys'),
    handler: () => listKeys,
  }),
  CreateAlias: entry({
    summary: 'Create an alias (alias/...) for a KMS key.',
    input: { AliasName: required(AliasNameType), TargetKeyId: required(KeyIdType) },
    output: out(),
    handler: () => createAlias,
  }),
  UpdateAlias: entry({
    summary: 'Point an alias at another KMS key.',
    input: { AliasName: required(AliasNameType), TargetKeyId: required(KeyIdType) },
    output: out(),
    handler: () => updateAlias,
  }),
  DeleteAlias: entry({
    summary: 'Delete an alias.',
    input: { AliasName: required(AliasNameType) },
    output: out(),
    handler: () => deleteAlias,
  }),
  ListAliases: entry({
    summary: 'List aliases, optionally those of one key.',
    input: {
      KeyId: optional(KeyIdType),
      // The model allows 1..1000; the service caps ListAliases at 100.
      Limit: optional(int(1, 100)),
      Marker: optional(MarkerType),
    },
    output: out(
      ['Aliases', structure('AliasName', 'AliasArn', 'TargetKeyId', 'CreationDate', 'LastUpdatedDate')],
      'NextMarker',
      'Truncated',
    ),
    paginate: byMarker('Aliases'),
    handler: () => listAliases,
  }),
  EnableKey: entry({
    summary: 'Enable a KMS key.',
    input: keyIdOnly,
    output: out(),
    handler: () => enableKey,
  }),
  DisableKey: entry({
    summary: 'Disable a KMS key.',
    input: keyIdOnly,
    output: out(),
    handler: () => disableKey,
  }),
  ScheduleKeyDeletion: entry({
    summary: 'Schedule the deletion of a KMS key (7 to 30 days).',
    input: {
      KeyId: required(KeyIdType),
      // The model allows 1..365; the service requires 7..30.
      PendingWindowInDays: optional(int(7, 30)),
    },
    output: out('KeyId', 'DeletionDate', 'KeyState', 'PendingWindowInDays'),
    handler: () => scheduleKeyDeletion,
  }),
  CancelKeyDeletion: entry({
    summary: 'Cancel a scheduled deletion (the key is left Disabled).',
    input: keyIdOnly,
    output: out('KeyId'),
    handler: () => cancelKeyDeletion,
  }),
  EnableKeyRotation: entry({
    summary: 'Turn on automatic rotation of a symmetric key.',
    input: { KeyId: required(KeyIdType), RotationPeriodInDays: optional(int(90, 2560)) },
    output: out(),
    handler: () => enableKeyRotation,
  }),
  DisableKeyRotation: entry({
    summary: 'Turn off automatic rotation.',
    input: keyIdOnly,
    output: out(),
    handler: () => disableKeyRotation,
  }),
  GetKeyRotationStatus: entry({
    summary: 'Show whether automatic rotation is on.',
    input: keyIdOnly,
    output: out('KeyRotationEnabled', 'KeyId', 'RotationPeriodInDays', 'NextRotationDate', 'OnDemandRotationStartDate'),
    handler: () => getKeyRotationStatus,
  }),
  RotateKeyOnDemand: entry({
    summary: 'Rotate the key material now (old ciphertexts still decrypt).',
    input: keyIdOnly,
    output: out('KeyId'),
    handler: () => rotateKeyOnDemand,
  }),
  GetPublicKey: entry({
    summary: 'Show the public key of an asymmetric KMS key.',
    input: { KeyId: required(KeyIdType), GrantTokens: optional(GrantTokenList) },
    output: out(
      'KeyId',
      'PublicKey',
      'CustomerMasterKeySpec',
      'KeySpec',
      'KeyUsage',
      'EncryptionAlgorithms',
      'SigningAlgorithms',
      'KeyAgreementAlgorithms',
    ),
    handler: () => getPublicKey,
  }),
  GenerateDataKeyPair: entry({
    summary: 'A data key pair: public key, private key, and the private key encrypted under a KMS key.',
    input: {
      KeyId: required(KeyIdType),
      KeyPairSpec: required(enumOf(DATA_KEY_PAIR_SPECS)),
      EncryptionContext: optional(EncryptionContextType),
      GrantTokens: optional(GrantTokenList),
      Recipient: optional(RecipientInfo),
      DryRun: optional(BOOL),
    },
    output: out(
      'PrivateKeyCiphertextBlob',
      ['PrivateKeyPlaintext', SENSITIVE],
      'PublicKey',
      'KeyId',
      'KeyPairSpec',
      'CiphertextForRecipient',
      'KeyMaterialId',
    ),
    handler: () => generateDataKeyPair,
  }),
  GenerateDataKeyPairWithoutPlaintext: entry({
    summary: 'A data key pair without the plaintext private key.',
    input: {
      KeyId: required(KeyIdType),
      KeyPairSpec: required(enumOf(DATA_KEY_PAIR_SPECS)),
      EncryptionContext: optional(EncryptionContextType),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
    },
    output: out('PrivateKeyCiphertextBlob', 'PublicKey', 'KeyId', 'KeyPairSpec', 'KeyMaterialId'),
    handler: () => generateDataKeyPairWithoutPlaintext,
  }),
  Decrypt: entry({
    summary: 'Decrypt a ciphertext (from encrypt, generate-data-key or generate-data-key-pair).',
    input: {
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
    output: out('KeyId', ['Plaintext', SENSITIVE], 'EncryptionAlgorithm', 'CiphertextForRecipient', 'KeyMaterialId'),
    handler: () => decrypt,
  }),
  Encrypt: entry({
    summary: 'Encrypt up to 4096 bytes under a symmetric KMS key.',
    input: {
      KeyId: required(KeyIdType),
      Plaintext: required(PlaintextType),
      EncryptionContext: optional(EncryptionContextType),
      GrantTokens: optional(GrantTokenList),
      EncryptionAlgorithm: optional(EncryptionAlgorithm),
      DryRun: optional(BOOL),
    },
    output: out('CiphertextBlob', 'KeyId', 'EncryptionAlgorithm'),
    handler: () => encrypt,
  }),
  ReEncrypt: entry({
    summary: 'Decrypt a ciphertext and encrypt it again under another key or context.',
    input: {
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
    output: out(
      'CiphertextBlob',
      'SourceKeyId',
      'KeyId',
      'SourceEncryptionAlgorithm',
      'DestinationEncryptionAlgorithm',
      'SourceKeyMaterialId',
      'DestinationKeyMaterialId',
    ),
    handler: () => reEncrypt,
  }),
  GenerateDataKey: entry({
    summary: 'A symmetric data key and its encrypted copy.',
    input: {
      KeyId: required(KeyIdType),
      EncryptionContext: optional(EncryptionContextType),
      NumberOfBytes: optional(NumberOfBytesType),
      KeySpec: optional(enumOf(DATA_KEY_SPECS)),
      GrantTokens: optional(GrantTokenList),
      Recipient: optional(RecipientInfo),
      DryRun: optional(BOOL),
    },
    output: out('CiphertextBlob', ['Plaintext', SENSITIVE], 'KeyId', 'CiphertextForRecipient', 'KeyMaterialId'),
    handler: () => generateDataKey,
  }),
  GenerateDataKeyWithoutPlaintext: entry({
    summary: 'An encrypted symmetric data key only.',
    input: {
      KeyId: required(KeyIdType),
      EncryptionContext: optional(EncryptionContextType),
      NumberOfBytes: optional(NumberOfBytesType),
      KeySpec: optional(enumOf(DATA_KEY_SPECS)),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
    },
    output: out('CiphertextBlob', 'KeyId', 'KeyMaterialId'),
    handler: () => generateDataKeyWithoutPlaintext,
  }),
  GenerateRandom: entry({
    summary: 'Random bytes (1 to 1024).',
    input: {
      // Optional in the model; the service answers its absence with "NumberOfBytes is required."
      // (validation.ts applies that after the schema checks).
      NumberOfBytes: optional(NumberOfBytesType),
      CustomKeyStoreId: optional(CustomKeyStoreIdType),
      Recipient: optional(RecipientInfo),
    },
    output: out(['Plaintext', SENSITIVE], 'CiphertextForRecipient'),
    handler: () => generateRandom,
  }),
  Sign: entry({
    summary: 'Sign a message or digest with an asymmetric SIGN_VERIFY key.',
    input: {
      KeyId: required(KeyIdType),
      Message: required(PlaintextType),
      MessageType: optional(enumOf(MESSAGE_TYPES)),
      GrantTokens: optional(GrantTokenList),
      SigningAlgorithm: required(enumOf(SIGNING_ALGORITHM_SPECS)),
      DryRun: optional(BOOL),
    },
    output: out('KeyId', 'Signature', 'SigningAlgorithm'),
    handler: () => sign,
  }),
  Verify: entry({
    summary: 'Verify a signature with an asymmetric SIGN_VERIFY key (KMSInvalidSignatureException if it is not valid).',
    input: {
      KeyId: required(KeyIdType),
      Message: required(PlaintextType),
      MessageType: optional(enumOf(MESSAGE_TYPES)),
      Signature: required(CiphertextType),
      SigningAlgorithm: required(enumOf(SIGNING_ALGORITHM_SPECS)),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
    },
    output: out('KeyId', 'SignatureValid', 'SigningAlgorithm'),
    handler: () => verify,
  }),
  DeriveSharedSecret: entry({
    summary: "ECDH shared secret of a KEY_AGREEMENT key and a peer's public key.",
    input: {
      KeyId: required(KeyIdType),
      KeyAgreementAlgorithm: required(enumOf(KEY_AGREEMENT_ALGORITHM_SPECS)),
      PublicKey: required(PublicKeyType),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
      Recipient: optional(RecipientInfo),
    },
    output: out('KeyId', ['SharedSecret', SENSITIVE], 'CiphertextForRecipient', 'KeyAgreementAlgorithm', 'KeyOrigin'),
    handler: () => deriveSharedSecret,
  }),
  GenerateMac: entry({
    summary: 'HMAC of a message (1..4096 bytes) with an HMAC KMS key.',
    input: {
      Message: required(PlaintextType),
      KeyId: required(KeyIdType),
      MacAlgorithm: required(MacAlgorithm),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
    },
    output: out('Mac', 'MacAlgorithm', 'KeyId'),
    handler: () => generateMac,
  }),
  VerifyMac: entry({
    summary: 'Verify an HMAC with an HMAC KMS key (KMSInvalidMacException if it does not verify).',
    input: {
      Message: required(PlaintextType),
      KeyId: required(KeyIdType),
      MacAlgorithm: required(MacAlgorithm),
      Mac: required(CiphertextType),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
    },
    output: out('KeyId', 'MacValid', 'MacAlgorithm'),
    handler: () => verifyMac,
  }),
  Encapsulate: entry({
    summary: 'A fresh 32-byte shared secret and its ML-KEM encapsulation under an ML-KEM KMS key.',
    input: {
      KeyId: required(KeyIdType),
      EncapsulationAlgorithm: required(EncapsulationAlgorithm),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
    },
    output: out('KeyId', ['SharedSecret', SENSITIVE], 'SharedSecretCiphertextBlob', 'EncapsulationAlgorithm'),
    handler: () => encapsulate,
  }),
  Decapsulate: entry({
    summary: 'The shared secret of an ML-KEM encapsulation, with the ML-KEM KMS key.',
    input: {
      KeyId: required(KeyIdType),
      SharedSecretCiphertextBlob: required(CiphertextType),
      EncapsulationAlgorithm: required(EncapsulationAlgorithm),
      GrantTokens: optional(GrantTokenList),
      DryRun: optional(BOOL),
    },
    output: out('KeyId', ['SharedSecret', SENSITIVE], 'EncapsulationAlgorithm'),
    handler: () => decapsulate,
  }),
  CreateCustomKeyStore: entry({
    summary: 'Record a custom key store (nothing stands behind it).',
    input: {
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
    output: out('CustomKeyStoreId'),
    handler: () => createCustomKeyStore,
  }),
  DescribeCustomKeyStores: entry({
    summary: 'List custom key store records.',
    input: {
      CustomKeyStoreId: optional(CustomKeyStoreIdType),
      CustomKeyStoreName: optional(CustomKeyStoreNameType),
      Limit: optional(LimitType),
      Marker: optional(MarkerType),
    },
    output: out('CustomKeyStores', 'NextMarker', 'Truncated'),
    paginate: byMarker('CustomKeyStores'),
    handler: () => describeCustomKeyStores,
  }),
  UpdateKeyDescription: entry({
    summary: 'Change the description of a KMS key.',
    input: { KeyId: required(KeyIdType), Description: required(DescriptionType) },
    output: out(),
    handler: () => updateKeyDescription,
  }),
  TagResource: entry({
    summary: 'Add or overwrite tags of a KMS key.',
    input: { KeyId: required(KeyIdType), Tags: required(TagList) },
    output: out(),
    handler: () => tagResource,
  }),
  UntagResource: entry({
    summary: 'Remove tags from a KMS key.',
    input: { KeyId: required(KeyIdType), TagKeys: required(TagKeyList) },
    output: out(),
    handler: () => untagResource,
  }),
  ListResourceTags: entry({
    summary: 'List the tags of a KMS key.',
    input: { KeyId: required(KeyIdType), Limit: optional(int(1, 50)), Marker: optional(MarkerType) },
    output: out(['Tags', structure('TagKey', 'TagValue')], 'NextMarker', 'Truncated'),
    paginate: byMarker('Tags'),
    handler: () => listResourceTags,
  }),
  GetKeyPolicy: entry({
    summary: 'Show the key policy of a KMS key.',
    input: { KeyId: required(KeyIdType), PolicyName: optional(PolicyNameType) },
    output: out('Policy', 'PolicyName'),
    handler: () => getKeyPolicy,
  }),
  PutKeyPolicy: entry({
    summary: 'Replace the key policy of a KMS key.',
    input: {
      KeyId: required(KeyIdType),
      PolicyName: optional(PolicyNameType),
      Policy: required(PolicyType),
      BypassPolicyLockoutSafetyCheck: optional(BOOL),
    },
    output: out(),
    handler: () => putKeyPolicy,
  }),
  ListKeyPolicies: entry({
    summary: 'List the key policy names of a KMS key (always "default").',
    input: { KeyId: required(KeyIdType), Limit: optional(LimitType), Marker: optional(MarkerType) },
    output: out('PolicyNames', 'NextMarker', 'Truncated'),
    paginate: byMarker('PolicyNames'),
    handler: () => listKeyPolicies,
  }),
  CreateGrant: entry({
    summary: 'Give a principal permission to use a KMS key.',
    input: {
      KeyId: required(KeyIdType),
      GranteePrincipal: optional(PrincipalIdType),
      RetiringPrincipal: optional(PrincipalIdType),
      Operations: required({ type: 'list', member: enumOf(GRANT_OPERATIONS) }),
      Constraints: optional(GrantConstraints),
      GrantTokens: optional(GrantTokenList),
      Name: optional(GrantNameType),
      DryRun: optional(BOOL),
      GranteeServicePrincipal: optional(ServicePrincipalType),
      RetiringServicePrincipal: optional(ServicePrincipalType),
    },
    output: out('GrantToken', 'GrantId'),
    handler: () => createGrant,
  }),
  ListGrants: entry({
    summary: 'List the grants of a KMS key.',
    input: {
      // The model allows 1..1000; the service caps the grant lists at 100.
      Limit: optional(int(1, 100)),
      Marker: optional(MarkerType),
      KeyId: required(KeyIdType),
      GrantId: optional(GrantIdType),
      GranteePrincipal: optional(PrincipalIdType),
      GranteeServicePrincipal: optional(ServicePrincipalType),
    },
    output: out(['Grants', GrantListEntry], 'NextMarker', 'Truncated'),
    paginate: byMarker('Grants'),
    handler: () => listGrants,
  }),
  ListRetirableGrants: entry({
    summary: 'List the grants a principal may retire.',
    input: {
      // The model allows 1..1000; the service caps the grant lists at 100.
      Limit: optional(int(1, 100)),
      Marker: optional(MarkerType),
      RetiringPrincipal: optional(PrincipalIdType),
      RetiringServicePrincipal: optional(ServicePrincipalType),
    },
    output: out(['Grants', GrantListEntry], 'NextMarker', 'Truncated'),
    paginate: byMarker('Grants'),
    handler: () => listRetirableGrants,
  }),
  RetireGrant: entry({
    summary: 'Retire a grant (by grant token, or key and grant id).',
    input: {
      GrantToken: optional(GrantTokenType),
      KeyId: optional(KeyIdType),
      GrantId: optional(GrantIdType),
      DryRun: optional(BOOL),
    },
    output: out(),
    handler: () => retireGrant,
  }),
  RevokeGrant: entry({
    summary: 'Revoke a grant of a KMS key.',
    input: { KeyId: required(KeyIdType), GrantId: required(GrantIdType), DryRun: optional(BOOL) },
    output: out(),
    handler: () => revokeGrant,
  }),
  GetParametersForImport: entry({
    summary: 'Get a wrapping public key and an import token for key material.',
    input: {
      KeyId: required(KeyIdType),
      WrappingAlgorithm: required(enumOf(ALGORITHM_SPECS)),
      WrappingKeySpec: required(enumOf(WRAPPING_KEY_SPECS)),
    },
    // The model types this PublicKey as PlaintextType (sensitive).
    output: out('KeyId', 'ImportToken', ['PublicKey', SENSITIVE], 'ParametersValidTo'),
    handler: () => getParametersForImport,
  }),
  ImportKeyMaterial: entry({
    summary: 'Import wrapped key material into an EXTERNAL key.',
    input: {
      KeyId: required(KeyIdType),
      ImportToken: required({ type: 'blob', min: 1, max: 6144 }),
      EncryptedKeyMaterial: required({ type: 'blob', min: 1, max: 6144 }),
      ValidTo: optional(TIMESTAMP),
      ExpirationModel: optional(enumOf(EXPIRATION_MODEL_TYPES)),
      ImportType: optional(enumOf(IMPORT_TYPES)),
      KeyMaterialDescription: optional(KeyMaterialDescriptionType),
      KeyMaterialId: optional(KeyMaterialIdType),
    },
    output: out('KeyId', 'KeyMaterialId'),
    handler: () => importKeyMaterial,
  }),
  DeleteImportedKeyMaterial: entry({
    summary: 'Delete imported key material (the key goes to PendingImport).',
    input: { KeyId: required(KeyIdType), KeyMaterialId: optional(KeyMaterialIdType) },
    output: out('KeyId', 'KeyMaterialId'),
    handler: () => deleteImportedKeyMaterial,
  }),
  ReplicateKey: entry({
    summary: 'Make a replica of a multi-Region primary key in another Region.',
    input: {
      KeyId: required(KeyIdType),
      ReplicaRegion: required(RegionType),
      Policy: optional(PolicyType),
      BypassPolicyLockoutSafetyCheck: optional(BOOL),
      Description: optional(DescriptionType),
      Tags: optional(TagList),
    },
    output: out(['ReplicaKeyMetadata', KeyMetadata], 'ReplicaPolicy', ['ReplicaTags', structure('TagKey', 'TagValue')]),
    handler: () => replicateKey,
  }),
  UpdatePrimaryRegion: entry({
    summary: 'Make a replica the primary key of its multi-Region keys.',
    input: { KeyId: required(KeyIdType), PrimaryRegion: required(RegionType) },
    output: out(),
    handler: () => updatePrimaryRegion,
  }),
  ListKeyRotations: entry({
    summary: 'List the rotations (key materials) of a KMS key.',
    input: {
      KeyId: required(KeyIdType),
      IncludeKeyMaterial: optional(enumOf(INCLUDE_KEY_MATERIAL)),
      Limit: optional(LimitType),
      Marker: optional(MarkerType),
    },
    output: out(
      [
        'Rotations',
        structure(
          'KeyId',
          'KeyMaterialId',
          'KeyMaterialDescription',
          'ImportState',
          'KeyMaterialState',
          'ExpirationModel',
          'ValidTo',
          'RotationDate',
          'RotationType',
        ),
      ],
      'NextMarker',
      'Truncated',
    ),
    paginate: byMarker('Rotations'),
    handler: () => listKeyRotations,
  }),
  GetKeyLastUsage: entry({
    summary: 'Show the last cryptographic operation that used a KMS key.',
    input: keyIdOnly,
    output: out(
      'KeyId',
      ['KeyLastUsage', structure('Operation', 'Timestamp', 'CloudTrailEventId', 'KmsRequestId')],
      'TrackingStartDate',
      'KeyCreationDate',
    ),
    handler: () => getKeyLastUsage,
  }),
  UpdateCustomKeyStore: entry({
    summary: 'Change the settings of a custom key store record.',
    input: {
      CustomKeyStoreId: required(CustomKeyStoreIdType),
      NewCustomKeyStoreName: optional(CustomKeyStoreNameType),
      KeyStorePassword: optional({ ...str(7, 32), sensitive: true }),
      CloudHsmClusterId: optional(str(19, 24)),
      XksProxyUriEndpoint: optional(str(10, 128, '^https://[a-zA-Z0-9.-]+$')),
      XksProxyUriPath: optional(str(10, 128, '^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$')),
      XksProxyVpcEndpointServiceName: optional(
        str(20, 64, '^com\\.amazonaws\\.vpce\\.([a-z]+-){2,3}\\d+\\.vpce-svc-[0-9a-z]+$'),
      ),
      XksProxyVpcEndpointServiceOwner: optional(str(12, 12, '^[0-9]{12}$')),
      XksProxyAuthenticationCredential: optional(XksProxyAuthenticationCredential),
      XksProxyConnectivity: optional(enumOf(XKS_PROXY_CONNECTIVITY_TYPES)),
    },
    output: out(),
    handler: () => updateCustomKeyStore,
  }),
  DeleteCustomKeyStore: entry({
    summary: 'Delete a custom key store record that has no keys.',
    input: { CustomKeyStoreId: required(CustomKeyStoreIdType) },
    output: out(),
    handler: () => deleteCustomKeyStore,
  }),
  ConnectCustomKeyStore: entry({
    summary: 'Connect a custom key store (its state only: nothing stands behind it).',
    input: { CustomKeyStoreId: required(CustomKeyStoreIdType) },
    output: out(),
    handler: () => connectCustomKeyStore,
  }),
  DisconnectCustomKeyStore: entry({
    summary: 'Disconnect a custom key store (its state only).',
    input: { CustomKeyStoreId: required(CustomKeyStoreIdType) },
    output: out(),
    handler: () => disconnectCustomKeyStore,
  }),
} as const satisfies Record<string, OperationEntry<never, object>>;

// ---------------------------------------------------------------------------------------------
// Views

export type Registry = typeof REGISTRY;
export type OperationName = keyof Registry;
export type OperationInput<N extends OperationName> =
  Registry[N] extends OperationEntry<infer I, object> ? NonNullable<I> : never;
export type OperationOutput<N extends OperationName> =
  Registry[N] extends OperationEntry<infer _I, infer O> ? O : never;

export interface MetadataBearer {
  $metadata: ResponseMetadata;
}
/** What `send` resolves to: the output and `$metadata` (an empty output is just `$metadata`, as in the SDK). */
export type WithMetadata<O> = (string extends keyof O ? unknown : O) & MetadataBearer;

/** The operations, in registry order. */
export const OPERATION_NAMES = Object.keys(REGISTRY) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(REGISTRY, name);
}

/** Every operation's input members (validation, the wire codec and the CLI's options read them). */
export const OPERATIONS: Readonly<Record<OperationName, Members>> = Object.fromEntries(
  OPERATION_NAMES.map((n) => [n, REGISTRY[n].input]),
) as Record<OperationName, Members>;

/** The names of the operations that page. */
export type PaginatedOperation = {
  [N in OperationName]: Registry[N] extends { paginate: Pagination } ? N : never;
}[OperationName];

/** The top-level output members of `operation` that are sensitive (plaintext keys and bytes). */
export function sensitiveOutputs(operation: OperationName): readonly string[] {
  return SENSITIVE_OUTPUTS[operation];
}
const SENSITIVE_OUTPUTS = Object.fromEntries(
  OPERATION_NAMES.map((n) => [
    n,
    Object.freeze(
      Object.entries(REGISTRY[n].output)
        .filter(([, m]) => m.sensitive)
        .map(([name]) => name),
    ),
  ]),
) as Record<OperationName, readonly string[]>;

// ---------------------------------------------------------------------------------------------
// Command classes under the SDK's names

type Commands = { [N in OperationName as `${N}Command`]: CommandClass<OperationInput<N>, OperationOutput<N>> };

/** Every command class by operation name. */
export const COMMANDS = Object.fromEntries(
  OPERATION_NAMES.map((n) => [n, commandClass(n, REGISTRY[n].handler as Handler<object, object>)]),
) as { [N in OperationName]: CommandClass<OperationInput<N>, OperationOutput<N>> };

export const {
  CreateKeyCommand,
  DescribeKeyCommand,
  ListKeysCommand,
  CreateAliasCommand,
  UpdateAliasCommand,
  DeleteAliasCommand,
  ListAliasesCommand,
  EnableKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  EnableKeyRotationCommand,
  DisableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  RotateKeyOnDemandCommand,
  GetPublicKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  DecryptCommand,
  EncryptCommand,
  ReEncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  SignCommand,
  VerifyCommand,
  DeriveSharedSecretCommand,
  GenerateMacCommand,
  VerifyMacCommand,
  EncapsulateCommand,
  DecapsulateCommand,
  CreateCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  UpdateKeyDescriptionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListResourceTagsCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  ListKeyPoliciesCommand,
  CreateGrantCommand,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  DeleteImportedKeyMaterialCommand,
  ReplicateKeyCommand,
  UpdatePrimaryRegionCommand,
  ListKeyRotationsCommand,
  GetKeyLastUsageCommand,
  UpdateCustomKeyStoreCommand,
  DeleteCustomKeyStoreCommand,
  ConnectCustomKeyStoreCommand,
  DisconnectCustomKeyStoreCommand,
}: Commands = Object.fromEntries(OPERATION_NAMES.map((n) => [`${n}Command`, COMMANDS[n]])) as Commands;

type Cmd<N extends OperationName> = InstanceType<Commands[`${N}Command`]>;
type In<N extends OperationName> = OperationInput<N>;
type Out<N extends OperationName> = WithMetadata<OperationOutput<N>>;

export type CreateKeyCommand = Cmd<'CreateKey'>;
export type CreateKeyCommandInput = In<'CreateKey'>;
export type CreateKeyCommandOutput = Out<'CreateKey'>;
export type DescribeKeyCommand = Cmd<'DescribeKey'>;
export type DescribeKeyCommandInput = In<'DescribeKey'>;
export type DescribeKeyCommandOutput = Out<'DescribeKey'>;
export type ListKeysCommand = Cmd<'ListKeys'>;
export type ListKeysCommandInput = In<'ListKeys'>;
export type ListKeysCommandOutput = Out<'ListKeys'>;
export type CreateAliasCommand = Cmd<'CreateAlias'>;
export type CreateAliasCommandInput = In<'CreateAlias'>;
export type CreateAliasCommandOutput = Out<'CreateAlias'>;
export type UpdateAliasCommand = Cmd<'UpdateAlias'>;
export type UpdateAliasCommandInput = In<'UpdateAlias'>;
export type UpdateAliasCommandOutput = Out<'UpdateAlias'>;
export type DeleteAliasCommand = Cmd<'DeleteAlias'>;
export type DeleteAliasCommandInput = In<'DeleteAlias'>;
export type DeleteAliasCommandOutput = Out<'DeleteAlias'>;
export type ListAliasesCommand = Cmd<'ListAliases'>;
export type ListAliasesCommandInput = In<'ListAliases'>;
export type ListAliasesCommandOutput = Out<'ListAliases'>;
export type EnableKeyCommand = Cmd<'EnableKey'>;
export type EnableKeyCommandInput = In<'EnableKey'>;
export type EnableKeyCommandOutput = Out<'EnableKey'>;
export type DisableKeyCommand = Cmd<'DisableKey'>;
export type DisableKeyCommandInput = In<'DisableKey'>;
export type DisableKeyCommandOutput = Out<'DisableKey'>;
export type ScheduleKeyDeletionCommand = Cmd<'ScheduleKeyDeletion'>;
export type ScheduleKeyDeletionCommandInput = In<'ScheduleKeyDeletion'>;
export type ScheduleKeyDeletionCommandOutput = Out<'ScheduleKeyDeletion'>;
export type CancelKeyDeletionCommand = Cmd<'CancelKeyDeletion'>;
export type CancelKeyDeletionCommandInput = In<'CancelKeyDeletion'>;
export type CancelKeyDeletionCommandOutput = Out<'CancelKeyDeletion'>;
export type EnableKeyRotationCommand = Cmd<'EnableKeyRotation'>;
export type EnableKeyRotationCommandInput = In<'EnableKeyRotation'>;
export type EnableKeyRotationCommandOutput = Out<'EnableKeyRotation'>;
export type DisableKeyRotationCommand = Cmd<'DisableKeyRotation'>;
export type DisableKeyRotationCommandInput = In<'DisableKeyRotation'>;
export type DisableKeyRotationCommandOutput = Out<'DisableKeyRotation'>;
export type GetKeyRotationStatusCommand = Cmd<'GetKeyRotationStatus'>;
export type GetKeyRotationStatusCommandInput = In<'GetKeyRotationStatus'>;
export type GetKeyRotationStatusCommandOutput = Out<'GetKeyRotationStatus'>;
export type RotateKeyOnDemandCommand = Cmd<'RotateKeyOnDemand'>;
export type RotateKeyOnDemandCommandInput = In<'RotateKeyOnDemand'>;
export type RotateKeyOnDemandCommandOutput = Out<'RotateKeyOnDemand'>;
export type GetPublicKeyCommand = Cmd<'GetPublicKey'>;
export type GetPublicKeyCommandInput = In<'GetPublicKey'>;
export type GetPublicKeyCommandOutput = Out<'GetPublicKey'>;
export type GenerateDataKeyPairCommand = Cmd<'GenerateDataKeyPair'>;
export type GenerateDataKeyPairCommandInput = In<'GenerateDataKeyPair'>;
export type GenerateDataKeyPairCommandOutput = Out<'GenerateDataKeyPair'>;
export type GenerateDataKeyPairWithoutPlaintextCommand = Cmd<'GenerateDataKeyPairWithoutPlaintext'>;
export type GenerateDataKeyPairWithoutPlaintextCommandInput = In<'GenerateDataKeyPairWithoutPlaintext'>;
export type GenerateDataKeyPairWithoutPlaintextCommandOutput = Out<'GenerateDataKeyPairWithoutPlaintext'>;
export type DecryptCommand = Cmd<'Decrypt'>;
export type DecryptCommandInput = In<'Decrypt'>;
export type DecryptCommandOutput = Out<'Decrypt'>;
export type EncryptCommand = Cmd<'Encrypt'>;
export type EncryptCommandInput = In<'Encrypt'>;
export type EncryptCommandOutput = Out<'Encrypt'>;
export type ReEncryptCommand = Cmd<'ReEncrypt'>;
export type ReEncryptCommandInput = In<'ReEncrypt'>;
export type ReEncryptCommandOutput = Out<'ReEncrypt'>;
export type GenerateDataKeyCommand = Cmd<'GenerateDataKey'>;
export type GenerateDataKeyCommandInput = In<'GenerateDataKey'>;
export type GenerateDataKeyCommandOutput = Out<'GenerateDataKey'>;
export type GenerateDataKeyWithoutPlaintextCommand = Cmd<'GenerateDataKeyWithoutPlaintext'>;
export type GenerateDataKeyWithoutPlaintextCommandInput = In<'GenerateDataKeyWithoutPlaintext'>;
export type GenerateDataKeyWithoutPlaintextCommandOutput = Out<'GenerateDataKeyWithoutPlaintext'>;
export type GenerateRandomCommand = Cmd<'GenerateRandom'>;
export type GenerateRandomCommandInput = In<'GenerateRandom'>;
export type GenerateRandomCommandOutput = Out<'GenerateRandom'>;
export type SignCommand = Cmd<'Sign'>;
export type SignCommandInput = In<'Sign'>;
export type SignCommandOutput = Out<'Sign'>;
export type VerifyCommand = Cmd<'Verify'>;
export type VerifyCommandInput = In<'Verify'>;
export type VerifyCommandOutput = Out<'Verify'>;
export type DeriveSharedSecretCommand = Cmd<'DeriveSharedSecret'>;
export type DeriveSharedSecretCommandInput = In<'DeriveSharedSecret'>;
export type DeriveSharedSecretCommandOutput = Out<'DeriveSharedSecret'>;
export type GenerateMacCommand = Cmd<'GenerateMac'>;
export type GenerateMacCommandInput = In<'GenerateMac'>;
export type GenerateMacCommandOutput = Out<'GenerateMac'>;
export type VerifyMacCommand = Cmd<'VerifyMac'>;
export type VerifyMacCommandInput = In<'VerifyMac'>;
export type VerifyMacCommandOutput = Out<'VerifyMac'>;
export type EncapsulateCommand = Cmd<'Encapsulate'>;
export type EncapsulateCommandInput = In<'Encapsulate'>;
export type EncapsulateCommandOutput = Out<'Encapsulate'>;
export type DecapsulateCommand = Cmd<'Decapsulate'>;
export type DecapsulateCommandInput = In<'Decapsulate'>;
export type DecapsulateCommandOutput = Out<'Decapsulate'>;
export type CreateCustomKeyStoreCommand = Cmd<'CreateCustomKeyStore'>;
export type CreateCustomKeyStoreCommandInput = In<'CreateCustomKeyStore'>;
export type CreateCustomKeyStoreCommandOutput = Out<'CreateCustomKeyStore'>;
export type DescribeCustomKeyStoresCommand = Cmd<'DescribeCustomKeyStores'>;
export type DescribeCustomKeyStoresCommandInput = In<'DescribeCustomKeyStores'>;
export type DescribeCustomKeyStoresCommandOutput = Out<'DescribeCustomKeyStores'>;
export type UpdateKeyDescriptionCommand = Cmd<'UpdateKeyDescription'>;
export type UpdateKeyDescriptionCommandInput = In<'UpdateKeyDescription'>;
export type UpdateKeyDescriptionCommandOutput = Out<'UpdateKeyDescription'>;
export type TagResourceCommand = Cmd<'TagResource'>;
export type TagResourceCommandInput = In<'TagResource'>;
export type TagResourceCommandOutput = Out<'TagResource'>;
export type UntagResourceCommand = Cmd<'UntagResource'>;
export type UntagResourceCommandInput = In<'UntagResource'>;
export type UntagResourceCommandOutput = Out<'UntagResource'>;
export type ListResourceTagsCommand = Cmd<'ListResourceTags'>;
export type ListResourceTagsCommandInput = In<'ListResourceTags'>;
export type ListResourceTagsCommandOutput = Out<'ListResourceTags'>;
export type GetKeyPolicyCommand = Cmd<'GetKeyPolicy'>;
export type GetKeyPolicyCommandInput = In<'GetKeyPolicy'>;
export type GetKeyPolicyCommandOutput = Out<'GetKeyPolicy'>;
export type PutKeyPolicyCommand = Cmd<'PutKeyPolicy'>;
export type PutKeyPolicyCommandInput = In<'PutKeyPolicy'>;
export type PutKeyPolicyCommandOutput = Out<'PutKeyPolicy'>;
export type ListKeyPoliciesCommand = Cmd<'ListKeyPolicies'>;
export type ListKeyPoliciesCommandInput = In<'ListKeyPolicies'>;
export type ListKeyPoliciesCommandOutput = Out<'ListKeyPolicies'>;
export type CreateGrantCommand = Cmd<'CreateGrant'>;
export type CreateGrantCommandInput = In<'CreateGrant'>;
export type CreateGrantCommandOutput = Out<'CreateGrant'>;
export type ListGrantsCommand = Cmd<'ListGrants'>;
export type ListGrantsCommandInput = In<'ListGrants'>;
export type ListGrantsCommandOutput = Out<'ListGrants'>;
export type ListRetirableGrantsCommand = Cmd<'ListRetirableGrants'>;
export type ListRetirableGrantsCommandInput = In<'ListRetirableGrants'>;
export type ListRetirableGrantsCommandOutput = Out<'ListRetirableGrants'>;
export type RetireGrantCommand = Cmd<'RetireGrant'>;
export type RetireGrantCommandInput = In<'RetireGrant'>;
export type RetireGrantCommandOutput = Out<'RetireGrant'>;
export type RevokeGrantCommand = Cmd<'RevokeGrant'>;
export type RevokeGrantCommandInput = In<'RevokeGrant'>;
export type RevokeGrantCommandOutput = Out<'RevokeGrant'>;
export type GetParametersForImportCommand = Cmd<'GetParametersForImport'>;
export type GetParametersForImportCommandInput = In<'GetParametersForImport'>;
export type GetParametersForImportCommandOutput = Out<'GetParametersForImport'>;
export type ImportKeyMaterialCommand = Cmd<'ImportKeyMaterial'>;
export type ImportKeyMaterialCommandInput = In<'ImportKeyMaterial'>;
export type ImportKeyMaterialCommandOutput = Out<'ImportKeyMaterial'>;
export type DeleteImportedKeyMaterialCommand = Cmd<'DeleteImportedKeyMaterial'>;
export type DeleteImportedKeyMaterialCommandInput = In<'DeleteImportedKeyMaterial'>;
export type DeleteImportedKeyMaterialCommandOutput = Out<'DeleteImportedKeyMaterial'>;
export type ReplicateKeyCommand = Cmd<'ReplicateKey'>;
export type ReplicateKeyCommandInput = In<'ReplicateKey'>;
export type ReplicateKeyCommandOutput = Out<'ReplicateKey'>;
export type UpdatePrimaryRegionCommand = Cmd<'UpdatePrimaryRegion'>;
export type UpdatePrimaryRegionCommandInput = In<'UpdatePrimaryRegion'>;
export type UpdatePrimaryRegionCommandOutput = Out<'UpdatePrimaryRegion'>;
export type ListKeyRotationsCommand = Cmd<'ListKeyRotations'>;
export type ListKeyRotationsCommandInput = In<'ListKeyRotations'>;
export type ListKeyRotationsCommandOutput = Out<'ListKeyRotations'>;
export type GetKeyLastUsageCommand = Cmd<'GetKeyLastUsage'>;
export type GetKeyLastUsageCommandInput = In<'GetKeyLastUsage'>;
export type GetKeyLastUsageCommandOutput = Out<'GetKeyLastUsage'>;
export type UpdateCustomKeyStoreCommand = Cmd<'UpdateCustomKeyStore'>;
export type UpdateCustomKeyStoreCommandInput = In<'UpdateCustomKeyStore'>;
export type UpdateCustomKeyStoreCommandOutput = Out<'UpdateCustomKeyStore'>;
export type DeleteCustomKeyStoreCommand = Cmd<'DeleteCustomKeyStore'>;
export type DeleteCustomKeyStoreCommandInput = In<'DeleteCustomKeyStore'>;
export type DeleteCustomKeyStoreCommandOutput = Out<'DeleteCustomKeyStore'>;
export type ConnectCustomKeyStoreCommand = Cmd<'ConnectCustomKeyStore'>;
export type ConnectCustomKeyStoreCommandInput = In<'ConnectCustomKeyStore'>;
export type ConnectCustomKeyStoreCommandOutput = Out<'ConnectCustomKeyStore'>;
export type DisconnectCustomKeyStoreCommand = Cmd<'DisconnectCustomKeyStore'>;
export type DisconnectCustomKeyStoreCommandInput = In<'DisconnectCustomKeyStore'>;
export type DisconnectCustomKeyStoreCommandOutput = Out<'DisconnectCustomKeyStore'>;
