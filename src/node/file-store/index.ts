// The file key store (docs/file-store.md): what the rest of wasm-kms and `wasm-kms/node` use.
export { FileKeyStore, type FileKeyStoreOptions } from './store.js';
export { defaultStoreDir } from './names.js';
export { masterKeyFromEnv } from './sealing.js';
export {
  FileStoreError,
  MasterKeyError,
  StoreCorruptError,
  StoreLockedError,
  StorePermissionsError,
  type FileStoreErrorCode,
} from './errors.js';
