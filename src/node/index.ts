// wasm-kms/node: what needs Node.js. Today the command-line entry point (see cli.ts); the
// file key store, the HTTP endpoint and the worker pool will be added here.

export { main as runCli } from './cli.js';
export {
  FileKeyStore,
  defaultStoreDir,
  masterKeyFromEnv,
  type FileKeyStoreOptions,
  FileStoreError,
  MasterKeyError,
  StoreCorruptError,
  StoreLockedError,
  StorePermissionsError,
  type FileStoreErrorCode,
} from './file-store/index.js';
export { startServer, type ServerOptions, type RunningServer } from './http/server.js';
export { loadCredentialsFile, type ServerCredentials } from './http/credentials.js';
export { KeyPairWorkerPool, parsePoolSpec, type KeyPairWorkerPoolOptions } from './pool/pool.js';
