// The PostgreSQL key store (docs/postgres-store.md): what the rest of wasm-kms and `wasm-kms/node` use.
export {
  PostgresKeyStore,
  type PostgresKeyStoreOptions,
  type PgCacheOptions,
  type PgCacheStats,
  type PgStoreLogger,
} from './store.js';
export type { PgCacheLimits } from './cache.js';
