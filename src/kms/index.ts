// wasm-kms: the package's main entry: the KMS engine (KMSClient, the command classes, the
// exceptions and key stores) and the key pair generator of the WebAssembly core.

export {
  generateKeyPair,
  initCore,
  simdSupported,
  KEY_PAIR_SPECS,
  CoreError,
  type CoreErrorCode,
  type KeyPair,
  type KeyPairSpec,
  type CoreSource,
  type CoreVariant,
} from '../core/index.js';

// The KMS engine: client, commands, exceptions and key stores.
export * from './exceptions.js';
export {
  KMSClient,
  KMSCommand,
  type KMSClientConfig,
  type MetadataBearer,
  type CommandOutput,
  type ForeignCommand,
  type ForeignCommandOutput,
} from './client.js';
// The operation registry and what it generates: every XxxCommand class with its
// XxxCommandInput / XxxCommandOutput types, the aggregated KMS class and the paginators.
export * from './registry.js';
export * from './kms.js';
export { runOperation, INTERNAL_ERROR_MESSAGE, type PipelineConfig, type RunOptions } from './pipeline.js';
export { MiddlewareStack, type Middleware, type AddOptions, type HandlerContext, type Step } from './middleware.js';
export type { Logger } from './pipeline.js';
export {
  MemoryKeyStore,
  type KeyStore,
  type KeyRecord,
  type KeyMaterial,
  type AliasRecord,
  type CustomKeyStoreRecord,
} from './store.js';
export type { KeyMetadata } from './key-metadata.js';
// The input and output types of the operations by their own names (the SDK's are XxxCommandInput / XxxCommandOutput).
export type { CreateKeyInput, CreateKeyOutput } from './operations/create-key.js';
export type { DescribeKeyInput, DescribeKeyOutput } from './operations/describe-key.js';
export type { ListKeysInput, ListKeysOutput, KeyListEntry } from './operations/list-keys.js';
export type { UpdateAliasInput, UpdateAliasOutput } from './operations/update-alias.js';
export type { DeleteAliasInput, DeleteAliasOutput } from './operations/delete-alias.js';
export type { ListAliasesInput, ListAliasesOutput, AliasListEntry } from './operations/list-aliases.js';
export type { EnableKeyRotationInput, EnableKeyRotationOutput } from './operations/enable-key-rotation.js';
export type { DisableKeyRotationInput, DisableKeyRotationOutput } from './operations/disable-key-rotation.js';
export type { GetKeyRotationStatusInput, GetKeyRotationStatusOutput } from './operations/get-key-rotation-status.js';
export type { RotateKeyOnDemandInput, RotateKeyOnDemandOutput } from './operations/rotate-key-on-demand.js';
export type { GenerateDataKeyPairInput, GenerateDataKeyPairOutput } from './operations/generate-data-key-pair.js';
export type {
  GenerateDataKeyPairWithoutPlaintextInput,
  GenerateDataKeyPairWithoutPlaintextOutput,
} from './operations/generate-data-key-pair-without-plaintext.js';
export type { DecryptInput, DecryptOutput } from './operations/decrypt.js';
export type { EncryptInput, EncryptOutput } from './operations/encrypt.js';
export type { DataKeySpec, GenerateDataKeyInput, GenerateDataKeyOutput } from './operations/generate-data-key.js';
export type {
  GenerateDataKeyWithoutPlaintextInput,
  GenerateDataKeyWithoutPlaintextOutput,
} from './operations/generate-data-key-without-plaintext.js';
export type { ReEncryptInput, ReEncryptOutput } from './operations/re-encrypt.js';
export type { GenerateRandomInput, GenerateRandomOutput } from './operations/generate-random.js';
export type { GetPublicKeyInput, GetPublicKeyOutput } from './operations/get-public-key.js';
export type { SignInput, SignOutput } from './operations/sign.js';
export type { VerifyInput, VerifyOutput } from './operations/verify.js';
export type { DeriveSharedSecretInput, DeriveSharedSecretOutput } from './operations/derive-shared-secret.js';
export type { GenerateMacInput, GenerateMacOutput } from './operations/generate-mac.js';
export type { VerifyMacInput, VerifyMacOutput } from './operations/verify-mac.js';
export type { EncapsulateInput, EncapsulateOutput } from './operations/encapsulate.js';
export type { DecapsulateInput, DecapsulateOutput } from './operations/decapsulate.js';
export type {
  CreateCustomKeyStoreInput,
  CreateCustomKeyStoreOutput,
  XksProxyAuthenticationCredentialType,
} from './operations/create-custom-key-store.js';
export type {
  DescribeCustomKeyStoresInput,
  DescribeCustomKeyStoresOutput,
  CustomKeyStoresListEntry,
} from './operations/describe-custom-key-stores.js';
