// The tables of a PostgresKeyStore and their migrations (docs/postgres-store.md, "Schema"). The
// migrations run at open, inside one transaction holding an advisory lock, so that endpoints
// starting at once apply each one exactly once; each is recorded in wasm_kms_schema_migrations.

/** The table of records: keys, aliases, custom key stores and the store marker. */
export const RECORDS = 'wasm_kms_records';
export const MIGRATIONS = 'wasm_kms_schema_migrations';
/** The LISTEN/NOTIFY channel of record changes. */
export const CHANNEL = 'wasm_kms_changes';

/** pg_advisory_xact_lock key of schema migrations: "wasmkms1" as a 64-bit integer. */
export const MIGRATION_LOCK = '8602283677045322545';
/** pg_advisory_xact_lock key of transaction(): "wasmkms2" as a 64-bit integer. */
export const TRANSACTION_LOCK = '8602283677045322546';

/** The row kind of the store marker (its account, region and id are empty). */
export const MARKER_KIND = 'marker';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const MIGRATION_LIST: readonly Migration[] = [
  {
    version: 1,
    name: 'records table',
    statements: [
      `CREATE TABLE ${RECORDS} (
        kind text NOT NULL,
        account text NOT NULL,
        region text NOT NULL,
        id text NOT NULL,
        body bytea NOT NULL,
        version bigint NOT NULL,
        PRIMARY KEY (kind, account, region, id)
      )`,
    ],
  },
];

export const CREATE_MIGRATIONS = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS} (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
