// wasm-kms/node: what needs Node.js: the command line (cli/, the package's bin), the file key
// store (file-store/), the PostgreSQL key store (pg-store/), the HTTP endpoint (http/) and the
// key pair worker pool (pool/).

export { main as runCli } from './cli/main.js';
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
export {
  PostgresKeyStore,
  type PostgresKeyStoreOptions,
  type PgCacheStats,
  type PgStoreLogger,
} from './pg-store/index.js';
export { startServer, type ServerOptions, type RunningServer } from './http/server.js';
export { loadCredentialsFile, type ServerCredentials } from './http/credentials.js';
export { KeyPairWorkerPool, parsePoolSpec, type KeyPairWorkerPoolOptions } from './pool/pool.js';
