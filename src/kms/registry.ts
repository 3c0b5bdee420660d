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
