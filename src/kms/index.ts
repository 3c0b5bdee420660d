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
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  DecryptCommand,
  EncryptCommand,
} from './client.js';
export * from './commands-keys.js';
export * from './commands-crypto.js';
export * from './commands-admin.js';
export { MiddlewareStack, type Middleware, type AddOptions, type HandlerContext, type Step } from './middleware.js';
export type { Logger } from './client.js';
export {
  MemoryKeyStore,
  type KeyStore,
  type KeyRecord,
  type KeyMaterial,
  type AliasRecord,
  type CustomKeyStoreRecord,
} from './store.js';
export type { KeyMetadata } from './key-metadata.js';
export type { CreateKeyInput, CreateKeyOutput } from './operations/create-key.js';
export type { DescribeKeyInput, DescribeKeyOutput } from './operations/describe-key.js';
export type { GenerateDataKeyPairInput, GenerateDataKeyPairOutput } from './operations/generate-data-key-pair.js';
export type {
  GenerateDataKeyPairWithoutPlaintextInput,
  GenerateDataKeyPairWithoutPlaintextOutput,
} from './operations/generate-data-key-pair-without-plaintext.js';
export type { DecryptInput, DecryptOutput } from './operations/decrypt.js';
export type { EncryptInput, EncryptOutput } from './operations/encrypt.js';
