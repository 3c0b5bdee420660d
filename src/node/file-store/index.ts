// The file key store (docs/file-store.md): what the rest of wasm-kms and `wasm-kms/node` use.
export { FileKeyStore, defaultStoreDir, masterKeyFromEnv, type FileKeyStoreOptions } from './store.js';
