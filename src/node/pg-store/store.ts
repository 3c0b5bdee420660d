// The PostgreSQL key store: KMS keys, aliases and custom key stores as rows of one table, shared
// by every endpoint that opens the same database. Each row's body is exactly a record file of the
// file key store (sealed key material, a record MAC), so a database dump alone decrypts nothing.
// The record cache is eventually consistent by default: a cached read is answered at once, and a
// change made through another store object is seen once its NOTIFY has arrived (milliseconds);
// cacheGeneration()/catchUp() let the engine confirm a refusal against the database, and
// `cache: { strict: true }` makes every cached read wait for a round trip on the LISTEN
// connection instead. A heartbeat on that connection (and a timeout on every round trip made on
// it) finds it hung: the cache is then cleared and bypassed until it is back. Schema, sealing,
// transactions, the cache and the errors: docs/postgres-store.md.

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { randomBytes } from '../../core/module.js';
import {
  wipeRecord,
  type AliasRecord,
  type CustomKeyStoreRecord,
  type KeyRecord,
  type KeyStore,
} from '../../kms/store.js';
import { byName, toBase64, type Json } from '../file-store/common.js';
import {
  checkRecordMac,
  CorruptFileError,
  Decoder,
  decodeAlias,
  decodeCustomKeyStore,
  decodeKey,
  decodeMarker,
} from '../file-store/decode.js';
import { encodeAlias, encodeCustomKeyStore, encodeKey, encodeMarker } from '../file-store/encode.js';
import type { Kind } from '../file-store/names.js';
import { KEY_CHECK_AAD, MASTER_KEY_BYTES, Sealer } from '../file-store/sealing.js';
import { FileStoreError, MasterKeyError, StoreCorruptError } from '../file-store/errors.js';
import { DEFAULT_PG_CACHE_LIMITS, PgRecordCache, type PgCacheLimits } from './cache.js';
import { queueTimeout, storeFailure } from './errors.js';
import {
  CHANNEL,
  CREATE_MIGRATIONS,
  MARKER_KIND,
  MIGRATION_LIST,
  MIGRATION_LOCK,
  MIGRATIONS,
  RECORDS,
  TRANSACTION_LOCK,
} from './schema.js';

export interface PostgresKeyStoreOptions {
  /** 32-byte master key: key material is sealed under it in every row, as in a sealed file store. */
  masterKey?: Uint8Array;
  /** Connections of the pool (default 10). One more is kept for LISTEN when the cache is on. */
  poolSize?: number;
  /** How long to wait for a connection (ms, default 5000). */
  connectTimeoutMs?: number;
  /**
   * The server-side statement_timeout of every connection (ms, default 10000); also bounds the
   * wait for the transaction lock, and a transaction's wait in this store's in-process queue.
   */
  statementTimeoutMs?: number;
  /**
   * The server-side idle_in_transaction_session_timeout of the pool's connections (ms, default
   * 60000): PostgreSQL ends the session of a transaction that holds the store lock and sends
   * nothing for that long (a frozen endpoint), so that the other endpoints' writers go on.
   */
  idleInTransactionTimeoutMs?: number;
  /**
   * How often the LISTEN connection is checked with a `SELECT 1` when reads are not strict (ms,
   * default 1000). The check, like every round trip made on that connection, gives up after
   * connectTimeoutMs: the connection then counts as lost (the cache is cleared and bypassed, the
   * connection is destroyed and opened again).
   */
  heartbeatMs?: number;
  /**
   * The record cache (docs/postgres-store.md, "The cache"): false turns it off; an object bounds
   * it (default 4096 rows, 16 MiB) and may ask for `strict` reads.
   */
  cache?: boolean | PgCacheOptions;
  /**
   * Told of failures the store survives by itself (an idle pooled connection that broke, the
   * LISTEN connection lost or hung); the message names no connection string.
   */
  logger?: PgStoreLogger;
}

export interface PgStoreLogger {
  warn(message: string, err: unknown): void;
}

export interface PgCacheOptions extends Partial<PgCacheLimits> {
  /**
   * Default false: a cached read is answered at once, and a change made through another store
   * object is seen once its notification has arrived (eventual consistency, as AWS KMS; the
   * engine confirms a refusal with catchUp()). True: before answering from the cache, make sure
   * every change committed before the read began has been notified (one round trip on the
   * LISTEN connection, shared by the reads waiting at the same time), so that a change
   * acknowledged by any endpoint is seen by every other endpoint's next read.
   */
  strict?: boolean;
}

/** What the cache has done since the store was opened. */
export interface PgCacheStats {
  /** Point reads answered from the cache. */
  hits: number;
  /** Point reads that went to the database (cache on, listener up, nothing cached). */
  misses: number;
  /** Point reads that went to the database because the listener was down (or the cache is off). */
  bypassed: number;
  /** Change notifications received (each names a row this or another endpoint wrote). */
  notifications: number;
  entries: number;
  bytes: number;
  /** True while the LISTEN connection is up (the cache is used only then). */
  listening: boolean;
  /** Errors of idle pooled connections (each such connection is dropped and replaced by the pool). */
  poolErrors: number;
  /** Times the LISTEN connection was found hung (a round trip on it ran out of time). */
  listenerTimeouts: number;
}

const DEFAULTS = {
  poolSize: 10,
  connectTimeoutMs: 5000,
  statementTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 60_000,
  heartbeatMs: 1000,
};
/** The longest timer Node keeps (a longer one fires at once), so the longest timeout in ms. */
const MAX_MS = 2 ** 31 - 1;
/** The longest pause between attempts to bring the LISTEN connection back. */
const MAX_LISTEN_BACKOFF_MS = 5000;
/** A NOTIFY payload longer than this clears every cache (PostgreSQL refuses 8000 bytes and more). */
const MAX_PAYLOAD = 7000;
/** The payload that tells every endpoint to clear its whole cache. */
const CLEAR_ALL = '*';
/** How the payload of a listener's probe begins (a row's payload begins with '['); it names no row. */
const PROBE = 'probe:';

/** The transaction of one store that the current async call chain is inside. */
interface Tx {
  store: PostgresKeyStore;
  client: pg.PoolClient;
  active: boolean;
  /** Store calls started inside fn, awaited before COMMIT. */
  pending: Set<Promise<unknown>>;
  /** Cache keys of the rows written, forgotten locally once the transaction ends. */
  changed: Set<string>;
  /**
   * Why the connection broke while the transaction held it (an 'error' event between statements,
   * e.g. the session ended by idle_in_transaction_session_timeout): no statement is sent on it again.
   */
  broken: Error | undefined;
}

const transactions = new AsyncLocalStorage<Tx>();

/** The options open() checked, as the store uses them. */
interface Settings {
  cache: PgCacheLimits | undefined;
  strict: boolean;
  statementTimeoutMs: number;
  /** How long a round trip on the LISTEN connection may take before it counts as hung. */
  listenerTimeoutMs: number;
  heartbeatMs: number;
  logger: PgStoreLogger | undefined;
}

/** Counts kept from before the store object exists (the pool's error handler). */
interface Health {
  poolErrors: number;
}

/** Tells the logger, if any; a logger that throws changes nothing for the store. */
function warn(logger: PgStoreLogger | undefined, message: string, err: unknown): void {
  try {
    logger?.warn(message, err);
  } catch {
    // The store goes on either way.
  }
}

type PgModule = typeof pg;
let loading: Promise<PgModule> | undefined;
/** node-postgres, loaded at the first open(): importing wasm-kms/node does not load it. */
const loadPg = (): Promise<PgModule> => (loading ??= import('pg').then((m) => m.default));

type Queryable = Pick<pg.PoolClient, 'query'>;

interface Row {
  id: string;
  body: Buffer;
  version: string;
}

/** The cache key of a row, also the NOTIFY payload that names it. */
const rowKey = (kind: string, account: string, region: string, id: string): string =>
  JSON.stringify([kind, account, region, id]);

/** How errors name a row. */
const rowLabel = (kind: string, account: string, region: string, id: string): string =>
  `row (${kind}, ${JSON.stringify(account)}, ${JSON.stringify(region)}, ${JSON.stringify(id)}) of ${RECORDS}`;

function positiveInteger(name: string, v: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max)
    throw new TypeError(
      `PostgresKeyStore.open: ${name} must be a positive integer${max < 2 ** 53 ? ` of at most ${max}` : ''}`,
    );
  return v;
}

/** A timeout option in ms: a positive integer that a Node timer (and PostgreSQL) can take. */
const milliseconds = (name: string, v: unknown, fallback: number): number => positiveInteger(name, v, fallback, MAX_MS);

/**
 * True when PostgreSQL can take every string as a `text` value: no NUL character, no lone
 * surrogate (which would reach the server as U+FFFD, another id). A record with another id cannot
 * be in the database: a read answers "not found" without a query, as the file store does.
 */
const UNSTORABLE = /[\0\p{Cs}]/u;
const storable = (...names: string[]): boolean => names.every((n) => typeof n !== 'string' || !UNSTORABLE.test(n));

/** An encoding error of the file store's codec, named after this store. */
function renamed(err: unknown): unknown {
  if (err instanceof TypeError && err.message.startsWith('FileKeyStore.')) {
    err.message = err.message
      .replace(/^FileKeyStore\./, 'PostgresKeyStore.')
      .replace(/the file key store/g, 'the PostgreSQL key store');
  }
  return err;
}

function cacheLimits(option: PostgresKeyStoreOptions['cache']): PgCacheLimits | undefined {
  if (option === undefined || option === true) return DEFAULT_PG_CACHE_LIMITS;
  if (option === false) return undefined;
  if (typeof option !== 'object' || option === null)
    throw new TypeError('PostgresKeyStore.open: cache must be a boolean or { maxEntries?, maxBytes?, strict? }');
  if (option.strict !== undefined && typeof option.strict !== 'boolean')
    throw new TypeError('PostgresKeyStore.open: cache.strict must be a boolean');
  const limits = { ...DEFAULT_PG_CACHE_LIMITS };
  for (const name of ['maxEntries', 'maxBytes'] as const) {
    const v = option[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new TypeError(`PostgresKeyStore.open: cache.${name} must be a non-negative integer`);
    limits[name] = v;
  }
  return limits.maxEntries === 0 || limits.maxBytes === 0 ? undefined : limits;
}

/** A file store decoding error, reworded for a row. */
function corruptRow(label: string, err: unknown): unknown {
  if (!(err instanceof CorruptFileError)) return err;
  return new StoreCorruptError(label, err.message.replace(/^wasm-kms file store: /, 'wasm-kms postgres store: '));
}

/** A KeyStore in a PostgreSQL database (docs/postgres-store.md). */
export class PostgresKeyStore implements KeyStore {
  readonly #pg: PgModule;
  readonly #pool: pg.Pool;
  readonly #clientConfig: pg.ClientConfig;
  readonly #sealer: Sealer | undefined;
  readonly #cache: PgRecordCache | undefined;
  readonly #settings: Settings;
  /** Counted by the pool's error handler, set up before the store exists. */
  readonly #health: Health;
  /** cache.strict: a cached read first waits for a round trip on the LISTEN connection. */
  readonly #strict: boolean;
  /**
   * The next round trip on the LISTEN connection (of a strict read, catchUp() or the heartbeat),
   * not sent yet: every caller that arrives until it is sent waits for it.
   */
  #syncNext: { promise: Promise<boolean>; resolve: (ok: boolean) => void } | undefined;
  #syncInFlight = false;
  /**
   * cacheGeneration(): bumped (not in strict mode) when a change notification or a clearing of
   * the cache drops an entry, or marks stale a read under way, or follows #untracked.
   */
  #generation = 0;
  /**
   * Entries left the cache since the generation last moved without moving it (evicted, or dropped
   * by this store's own commit): a read answered from one of them may have been behind a change
   * whose notification has not arrived yet, so the next notification moves the generation whatever
   * row it names.
   */
  #untracked = false;
  #heartbeat: NodeJS.Timeout | undefined;
  /**
   * The point reads under way that may fill the cache, by cache key: an invalidation of their row
   * (or of everything) while they wait for the database marks them stale, and they do not fill it.
   */
  readonly #reading = new Map<string, Set<{ stale: boolean }>>();
  /** The LISTEN connection while it is up, and what takes it down (once). */
  #listener: { client: pg.Client; down: (err?: unknown) => void } | undefined;
  /** A LISTEN connection being opened (connect, LISTEN, the probe): close() ends it. */
  #connecting: pg.Client | undefined;
  /** The payload of the probe notification the LISTEN connection being opened waits for. */
  #probe: { payload: string; arrived: () => void } | undefined;
  #listening = false;
  #listenBackoffMs = 100;
  #listenTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #hits = 0;
  #misses = 0;
  #bypassed = 0;
  #notifications = 0;
  #listenerTimeouts = 0;
  /**
   * The end of this store's last transaction queued: its transactions run one after another, so
   * that at most one pooled connection waits for (or holds) the store lock and the others stay
   * free for reads. The lock serializes them across endpoints anyway.
   */
  #txTail: Promise<unknown> = Promise.resolve();

  private constructor(
    pgModule: PgModule,
    pool: pg.Pool,
    clientConfig: pg.ClientConfig,
    sealer: Sealer | undefined,
    settings: Settings,
    health: Health,
  ) {
    this.#pg = pgModule;
    this.#pool = pool;
    this.#clientConfig = clientConfig;
    this.#sealer = sealer;
    this.#settings = settings;
    this.#health = health;
    this.#strict = settings.strict;
    this.#cache = settings.cache === undefined ? undefined : new PgRecordCache(settings.cache);
  }

  /**
   * Connects to the database at `connectionString`, applies the schema migrations it lacks and
   * creates the store marker if there is none (both under an advisory lock, so endpoints starting
   * at once agree), then checks the master key against the marker as the file store does: a
   * sealed store needs its master key, an unsealed one refuses one.
   */
  static async open(connectionString: string, options: PostgresKeyStoreOptions = {}): Promise<PostgresKeyStore> {
    if (typeof connectionString !== 'string' || connectionString === '')
      throw new TypeError('PostgresKeyStore.open: connectionString must be a non-empty string');
    const masterKey = options.masterKey;
    if (masterKey !== undefined && (!(masterKey instanceof Uint8Array) || masterKey.length !== MASTER_KEY_BYTES))
      throw new TypeError(`PostgresKeyStore.open: masterKey must be a Uint8Array of ${MASTER_KEY_BYTES} bytes`);
    const poolSize = positiveInteger('poolSize', options.poolSize, DEFAULTS.poolSize);
    const connectTimeoutMs = milliseconds('connectTimeoutMs', options.connectTimeoutMs, DEFAULTS.connectTimeoutMs);
    const statementTimeoutMs = milliseconds(
      'statementTimeoutMs',
      options.statementTimeoutMs,
      DEFAULTS.statementTimeoutMs,
    );
    const idleInTransactionTimeoutMs = milliseconds(
      'idleInTransactionTimeoutMs',
      options.idleInTransactionTimeoutMs,
      DEFAULTS.idleInTransactionTimeoutMs,
    );
    const heartbeatMs = milliseconds('heartbeatMs', options.heartbeatMs, DEFAULTS.heartbeatMs);
    // query_timeout below is the sum of two: it must stay a timer Node keeps too.
    if (statementTimeoutMs + connectTimeoutMs > MAX_MS)
      throw new TypeError(`PostgresKeyStore.open: statementTimeoutMs + connectTimeoutMs must be at most ${MAX_MS}`);
    const logger = options.logger;
    if (logger !== undefined && (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function'))
      throw new TypeError('PostgresKeyStore.open: logger must be an object with a warn(message, err) method');
    const settings: Settings = {
      cache: cacheLimits(options.cache),
      strict: typeof options.cache === 'object' && options.cache !== null && options.cache.strict === true,
      statementTimeoutMs,
      listenerTimeoutMs: connectTimeoutMs,
      heartbeatMs,
      logger,
    };
    const clientConfig: pg.ClientConfig = {
      connectionString,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      // A server that stops answering without closing the connection: the read gives up a little
      // after the server's own timeout would have.
      query_timeout: statementTimeoutMs + connectTimeoutMs,
      keepAlive: true,
      application_name: 'wasm-kms',
    };
    const Pg = await loadPg();
    const pool = new Pg.Pool({
      ...clientConfig,
      // Only the pool's connections run transactions (the LISTEN connection never does).
      idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
      max: poolSize,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection that breaks (a server restart) is dropped by the pool; the error is not
    // ours to throw, but it is counted and told to the logger.
    const health: Health = { poolErrors: 0 };
    pool.on('error', (err) => {
      health.poolErrors++;
      warn(logger, 'wasm-kms postgres store: an idle pooled connection failed; the pool drops it', err);
    });
    let sealer: Sealer | undefined;
    try {
      const markerBody = await PostgresKeyStore.#migrate(pool, masterKey);
      const label = rowLabel(MARKER_KIND, '', '', '');
      const marker = decodeMarker(label, markerBody);
      if (marker.keyCheck !== undefined) {
        if (masterKey === undefined) {
          throw new MasterKeyError(
            'MASTER_KEY_MISSING',
            'wasm-kms postgres store: the store in this database is sealed; give its master key (WASM_KMS_MASTER_KEY or WASM_KMS_MASTER_KEY_FILE)',
          );
        }
        sealer = new Sealer(masterKey, marker.storeId);
        if (sealer.open(marker.keyCheck, KEY_CHECK_AAD) === null) {
          throw new MasterKeyError(
            'MASTER_KEY_WRONG',
            'wasm-kms postgres store: the master key given is not the one the store in this database is sealed with',
          );
        }
      } else if (masterKey !== undefined) {
        throw new MasterKeyError(
          'MASTER_KEY_UNEXPECTED',
          'wasm-kms postgres store: the store in this database is not sealed, but a master key was given; ' +
            'open it without one (a store is sealed or not from its creation)',
        );
      }
      const store = new PostgresKeyStore(Pg, pool, clientConfig, sealer, settings, health);
      if (store.#cache !== undefined) {
        await store.#listen();
        store.#startHeartbeat();
      }
      return store;
    } catch (err) {
      sealer?.wipe();
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** Applies the migrations this database lacks and makes sure the marker exists; the marker's text. */
  static async #migrate(pool: pg.Pool, masterKey: Uint8Array | undefined): Promise<string> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw storeFailure(err, true);
    }
    let broken: Error | undefined;
    // A checked-out connection that breaks between statements reports it as an 'error' event.
    const onError = (e: Error): void => void (broken ??= e);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      // Created only when missing: CREATE ... IF NOT EXISTS would ask for the CREATE privilege
      // at every open, which a user that only reads and writes the tables does not have.
      const exists = await client.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [MIGRATIONS]);
      if (exists.rows[0].t === null) await client.query(CREATE_MIGRATIONS);
      const applied = new Set(
        (await client.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS}`)).rows.map((r) => r.version),
      );
      const newest = Math.max(...MIGRATION_LIST.map((m) => m.version));
      const unknown = [...applied].filter((v) => v > newest);
      if (unknown.length > 0) {
        throw new FileStoreError(
          'STORE_VERSION',
          `wasm-kms postgres store: the database has schema version ${Math.max(...unknown)}; this wasm-kms knows up to ${newest}`,
        );
      }
      for (const m of MIGRATION_LIST) {
        if (applied.has(m.version)) continue;
        for (const sql of m.statements) await client.query(sql);
        await client.query(`INSERT INTO ${MIGRATIONS} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
      const found = await client.query<{ body: Buffer }>(
        `SELECT body FROM ${RECORDS} WHERE kind = $1 AND account = '' AND region = '' AND id = ''`,
        [MARKER_KIND],
      );
      let body: string;
      if (found.rows.length > 0) body = found.rows[0].body.toString('utf8');
      else {
        const storeId = randomBytes(16);
        let keyCheck: Uint8Array | undefined;
        if (masterKey !== undefined) {
          const sealer = new Sealer(masterKey, storeId);
          keyCheck = sealer.seal(new Uint8Array(0), KEY_CHECK_AAD);
          sealer.wipe();
        }
        body = encodeMarker(storeId, keyCheck);
        await client.query(
          `INSERT INTO ${RECORDS} (kind, account, region, id, body, version) VALUES ($1, '', '', '', $2, 1)`,
          [MARKER_KIND, Buffer.from(body, 'utf8')],
        );
      }
      await client.query('COMMIT');
      return body;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      if (err instanceof FileStoreError) throw err;
      broken ??= err as Error;
      throw storeFailure(err, true);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /**
   * Refuses further use, lets the transaction under way finish (those queued behind it are
   * refused), stops listening, closes every connection and forgets the key.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#txTail.catch(() => undefined);
    clearTimeout(this.#listenTimer);
    clearInterval(this.#heartbeat);
    this.#listening = false;
    const connecting = this.#connecting;
    this.#connecting = undefined;
    if (connecting !== undefined) {
      // A reconnection under way (perhaps waiting on a server that does not answer): not waited for.
      connecting.end().catch(() => undefined);
      connecting.connection.stream.destroy();
    }
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.client.end().catch(() => undefined);
    await this.#pool.end().catch(() => undefined);
    this.#cache?.clear();
    this.#sealer?.wipe();
  }

  /** What the record cache has done so far (docs/postgres-store.md, "The cache"). */
  cacheStats(): PgCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      bypassed: this.#bypassed,
      notifications: this.#notifications,
      entries: this.#cache?.size ?? 0,
      bytes: this.#cache?.bytes ?? 0,
      listening: this.#listening,
      poolErrors: this.#health.poolErrors,
      listenerTimeouts: this.#listenerTimeouts,
    };
  }

  /**
   * Changes when a change notification (from any store object) or a clearing of the cache (the
   * LISTEN connection lost) dropped a cached entry or marked stale a read under way, and on the
   * first notification after entries left the cache without it (evicted, or dropped by this
   * store's own commit, which its next reads see at once). A notification of a row this store
   * has not cached changes nothing. The same number means that nothing this store read from its
   * cache since has been found out of date. Constant with the cache off and with strict reads
   * (they are never behind).
   */
  cacheGeneration(): number {
    return this.#generation;
  }

  /**
   * Resolves once every write committed (through any store object) before the call is reflected
   * in what this store reads: one round trip on the LISTEN connection, shared with the other
   * callers waiting at the same time, after which every notification of such a write has been
   * handled. At once with the cache off, inside a transaction or while the LISTEN connection is
   * down (reads go to the database then). Never rejects: a round trip that fails or runs out of
   * time takes the LISTEN connection down, and reads go to the database.
   */
  async catchUp(): Promise<void> {
    // Strict reads wait for the round trip themselves: nothing is behind.
    if (this.#closed || this.#cache === undefined || this.#strict || !this.#listening || this.#tx() !== undefined)
      return;
    await this.#sync();
  }

  #open(): void {
    // Inside a transaction that was under way when close() was called, its calls still run.
    if (this.#closed && this.#tx() === undefined)
      throw new FileStoreError('STORE_CLOSED', 'wasm-kms postgres store: the store is closed');
  }

  // -- LISTEN/NOTIFY

  /** Opens the LISTEN connection; while it is down the cache is empty and unused, and it is retried. */
  async #listen(): Promise<void> {
    if (this.#closed) return;
    // Named apart in pg_stat_activity: the one connection of each store that holds LISTEN.
    const client = new this.#pg.Client({ ...this.#clientConfig, application_name: 'wasm-kms listener' });
    this.#connecting = client;
    let down = false;
    /** Ends the wait for the probe when the connection goes down meanwhile. */
    let wake = (): void => undefined;
    const onDown = (err?: unknown): void => {
      if (down) return;
      down = true;
      if (this.#connecting === client) this.#connecting = undefined;
      wake();
      this.#listenerDown(client, err);
    };
    client.on('error', onDown);
    client.on('end', () => onDown());
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL) return;
      const payload = n.payload ?? CLEAR_ALL;
      if (payload.startsWith(PROBE)) {
        // This store's probe, or another store's (which names no row).
        if (this.#probe?.payload === payload) this.#probe.arrived();
        return;
      }
      this.#notifications++;
      this.#invalidate(payload, true);
    });
    try {
      await client.connect();
      // close() may have come while connecting.
      if (this.#closed || down) throw new Error('the store was closed');
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      onDown(err);
      return;
    }
    // LISTEN can succeed on a connection that never receives a notification (a proxy that pools
    // by transaction): the connection counts as up only once a NOTIFY sent through the pool has
    // come back on it.
    const payload = PROBE + randomUUID();
    let timer: NodeJS.Timeout | undefined;
    let failure: unknown;
    const arrived = await new Promise<boolean>((resolve) => {
      this.#probe = { payload, arrived: () => resolve(true) };
      wake = () => resolve(false);
      timer = setTimeout(() => resolve(false), this.#settings.listenerTimeoutMs);
      timer.unref();
      this.#pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]).catch((err: unknown) => {
        failure = err;
        resolve(false);
      });
    });
    clearTimeout(timer);
    this.#probe = undefined;
    wake = () => undefined;
    if (this.#closed || down) {
      onDown();
      return;
    }
    if (!arrived) {
      const err =
        failure ??
        new Error(
          `a notification sent through the pool did not arrive on the LISTEN connection within ${this.#settings.listenerTimeoutMs} ms`,
        );
      if (failure === undefined) {
        warn(
          this.#settings.logger,
          'wasm-kms postgres store: LISTEN succeeded but notifications do not arrive (a transaction-pooling proxy between the store and PostgreSQL?); the cache is bypassed, the LISTEN connection is retried',
          err,
        );
      }
      onDown(err);
      return;
    }
    this.#connecting = undefined;
    this.#listener = { client, down: onDown };
    // What changed while nobody listened is unknown: start empty.
    this.#invalidate(CLEAR_ALL, true);
    this.#listening = true;
    this.#listenBackoffMs = 100;
  }

  /**
   * The LISTEN connection is lost, or hung: the cache is cleared and bypassed, the connection
   * destroyed (a hung one would not answer a polite end), and a new one opened after a backoff.
   */
  #listenerDown(client: pg.Client, err: unknown): void {
    const wasUp = this.#listener?.client === client;
    if (wasUp) this.#listener = undefined;
    this.#listening = false;
    this.#invalidate(CLEAR_ALL, true);
    client.end().catch(() => undefined);
    client.connection.stream.destroy();
    if (this.#closed) return;
    if (wasUp) {
      warn(
        this.#settings.logger,
        'wasm-kms postgres store: the LISTEN connection is lost; the cache is bypassed until it is back',
        err,
      );
    }
    clearTimeout(this.#listenTimer);
    this.#listenTimer = setTimeout(() => void this.#listen(), this.#listenBackoffMs);
    this.#listenTimer.unref();
    this.#listenBackoffMs = Math.min(this.#listenBackoffMs * 2, MAX_LISTEN_BACKOFF_MS);
  }

  /**
   * Resolves once every notification of a change committed before the call has been handled:
   * PostgreSQL delivers a listening session's pending notifications before it reports a statement
   * done, and the committing session has signalled them before its COMMIT returned. One
   * `SELECT 1` at a time on the LISTEN connection; the reads that arrive meanwhile share the next.
   * False when the connection is down (the read then goes to the database).
   */
  #sync(): Promise<boolean> {
    if (this.#syncNext !== undefined) return this.#syncNext.promise;
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    this.#syncNext = { promise, resolve };
    if (!this.#syncInFlight) this.#sendSync();
    return promise;
  }

  #sendSync(): void {
    const next = this.#syncNext;
    if (next === undefined) return;
    this.#syncNext = undefined;
    const listener = this.#listener;
    if (listener === undefined || !this.#listening) {
      next.resolve(false);
      return;
    }
    this.#syncInFlight = true;
    let settled = false;
    const finish = (ok: boolean, err?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A round trip that failed or did not come back: the connection is broken or hung.
      if (!ok) listener.down(err);
      this.#syncDone(next, ok);
    };
    const timer = setTimeout(() => {
      this.#listenerTimeouts++;
      finish(false, new Error(`no answer on the LISTEN connection within ${this.#settings.listenerTimeoutMs} ms`));
    }, this.#settings.listenerTimeoutMs);
    timer.unref();
    listener.client.query('SELECT 1').then(
      () => finish(true),
      (err: unknown) => finish(false, err),
    );
  }

  /**
   * Without strict reads nothing else goes over the LISTEN connection: a `SELECT 1` every
   * heartbeatMs (unless a round trip is under way) finds it hung within the round trip's timeout.
   */
  #startHeartbeat(): void {
    if (this.#strict || this.#cache === undefined || this.#closed) return;
    this.#heartbeat = setInterval(() => {
      if (this.#listening && !this.#syncInFlight && this.#syncNext === undefined) void this.#sync();
    }, this.#settings.heartbeatMs);
    this.#heartbeat.unref();
  }

  #syncDone(sync: { resolve: (ok: boolean) => void }, ok: boolean): void {
    this.#syncInFlight = false;
    sync.resolve(ok);
    this.#sendSync();
  }

  /**
   * Drops the row `key` (or every row) from the cache and marks stale the reads of it under way.
   * `notified`: because of a notification, or of the listener going down or coming back; else
   * because this store wrote the row (it sees its own write at once, so the generation stays).
   */
  #invalidate(key: string, notified: boolean): void {
    // Without a cache nothing is dropped, and reads are never behind: the generation stays.
    const cache = this.#cache;
    if (cache === undefined) return;
    let dropped: boolean;
    if (key === CLEAR_ALL) {
      dropped = cache.size > 0;
      cache.clear();
      for (const reads of this.#reading.values()) {
        for (const r of reads) {
          r.stale = true;
          dropped = true;
        }
      }
    } else {
      dropped = cache.get(key) !== undefined;
      cache.delete(key);
      for (const r of this.#reading.get(key) ?? []) {
        r.stale = true;
        dropped = true;
      }
    }
    if (!notified) {
      if (dropped) this.#untracked = true;
      return;
    }
    // A notification of a row nobody read from the cache changes nothing this store answered.
    if (!dropped && !this.#untracked) return;
    this.#untracked = false;
    // Strict reads are never behind: a refusal is never worth a rerun.
    if (!this.#strict) this.#generation++;
  }

  // -- connections and transactions

  /** The transaction of this store that the current call chain is inside, if any. */
  #tx(): Tx | undefined {
    const tx = transactions.getStore();
    return tx !== undefined && tx.store === this && tx.active ? tx : undefined;
  }

  /**
   * Runs a statement on `db`, a failure of the database becoming a KMS exception. On the
   * connection of a transaction that broke (its session ended), nothing is sent: the failure is
   * why it broke (an idle-in-transaction timeout is DependencyTimeoutException).
   */
  async #query<R extends pg.QueryResultRow>(
    db: Queryable,
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const tx = transactions.getStore();
    if (tx !== undefined && tx.client === db && tx.broken !== undefined) throw storeFailure(tx.broken);
    try {
      return await db.query<R>(sql, params);
    } catch (err) {
      throw storeFailure(err);
    }
  }

  /**
   * Runs `fn` inside a database transaction that holds the store's advisory lock from BEGIN to
   * COMMIT, so that no other endpoint's transaction (nor a write of this store outside one) runs
   * in between: what `fn` reads is still in the database when it writes it back. Calls of this
   * store's methods made from inside `fn` run on the transaction's connection; a nested
   * transaction simply runs. COMMIT when `fn` returns, ROLLBACK when it throws. The store's
   * transactions queue in the process; one that waits there longer than statementTimeoutMs
   * leaves the queue and rejects with DependencyTimeoutException, as a wait for the lock would.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.#open();
    if (typeof fn !== 'function') throw new TypeError('PostgresKeyStore.transaction: fn must be a function');
    if (this.#tx() !== undefined) return fn();
    const before = this.#txTail;
    let late = false;
    const turn = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        late = true;
        reject(queueTimeout());
      }, this.#settings.statementTimeoutMs);
      void before.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    const run = turn.then(() => this.#runTransaction(fn));
    // The next one's turn comes when this one has ended, or at once when this one gave up waiting.
    this.#txTail = before.then(() => (late ? undefined : run)).catch(() => undefined);
    return run;
  }

  async #runTransaction<T>(fn: () => Promise<T>): Promise<T> {
    this.#open();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw storeFailure(err);
    }
    const tx: Tx = {
      store: this,
      client,
      active: true,
      pending: new Set(),
      changed: new Set(),
      broken: undefined,
    };
    let committed = false;
    // A checked-out connection that breaks while fn works between statements (a server restart,
    // the session ended for idling in the transaction) reports it as an 'error' event, not to a
    // query: caught here; no further statement is sent on it (#query), and it is dropped.
    const onError = (e: Error): void => void (tx.broken ??= e);
    client.on('error', onError);
    try {
      // One round trip (a simple query of two statements, no parameters).
      await this.#query(client, `BEGIN; SELECT pg_advisory_xact_lock(${TRANSACTION_LOCK})`);
      const result = await transactions.run(tx, fn);
      // Store calls fn started and did not await still run inside the transaction.
      while (tx.pending.size > 0) await Promise.allSettled([...tx.pending]);
      tx.active = false;
      // The session ended while fn worked (idle_in_transaction_session_timeout, a restart): say why.
      if (tx.broken !== undefined) throw storeFailure(tx.broken);
      const done = await this.#query(client, 'COMMIT');
      // A transaction in which a statement failed is aborted: PostgreSQL answers its COMMIT with
      // ROLLBACK, and nothing fn wrote is kept. That is a failure, even when fn caught the error.
      if (done.command === 'ROLLBACK') {
        throw storeFailure(new Error('the transaction was rolled back: a statement in it had failed'));
      }
      committed = true;
      return result;
    } catch (err) {
      tx.active = false;
      if (!committed) {
        if (tx.broken === undefined) {
          try {
            await client.query('ROLLBACK');
          } catch (e) {
            tx.broken = e as Error;
          }
        }
      }
      throw err;
    } finally {
      tx.active = false;
      client.removeListener('error', onError);
      client.release(tx.broken);
      for (const key of tx.changed) this.#invalidate(key, false);
    }
  }

  /** Runs a write inside the current transaction, or inside one of its own. */
  #write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    this.#open();
    const tx = this.#tx();
    if (tx === undefined) return this.transaction(() => fn(this.#tx()!));
    const run = fn(tx);
    tx.pending.add(run);
    const done = (): void => void tx.pending.delete(run);
    run.then(done, done);
    return run;
  }

  /** Writes (or, with body null, deletes) a row inside `tx`, and tells every endpoint; true when a row was there. */
  async #put(tx: Tx, kind: string, account: string, region: string, id: string, body: Buffer | null): Promise<boolean> {
    const key = rowKey(kind, account, region, id);
    tx.changed.add(key);
    const payload = Buffer.byteLength(key) > MAX_PAYLOAD ? CLEAR_ALL : key;
    // The change and its notification in one statement (one round trip); the notification is
    // delivered when the transaction commits, and not at all if it rolls back. One row comes
    // back per row written or deleted.
    const result =
      body === null
        ? await this.#query(
            tx.client,
            `WITH d AS (DELETE FROM ${RECORDS} WHERE kind = $1 AND account = $2 AND region = $3 AND id = $4 RETURNING 1)
             SELECT pg_notify($5, $6) FROM d`,
            [kind, account, region, id, CHANNEL, payload],
          )
        : await this.#query(
            tx.client,
            `WITH w AS (INSERT INTO ${RECORDS} AS r (kind, account, region, id, body, version) VALUES ($1, $2, $3, $4, $5, 1)
               ON CONFLICT (kind, account, region, id) DO UPDATE SET body = excluded.body, version = r.version + 1
               RETURNING 1)
             SELECT pg_notify($6, $7) FROM w`,
            [kind, account, region, id, body, CHANNEL, payload],
          );
    return (result.rowCount ?? 0) > 0;
  }

  // -- reading

  /**
   * A row's body (null: no such row), from the cache when it is on and the listener is up, else
   * from the transaction's connection or the pool. `keep` caches a body read from the database
   * once the caller has found it valid.
   */
  async #readRow(
    kind: string,
    account: string,
    region: string,
    id: string,
  ): Promise<{ body: Buffer | null; fromCache: boolean; keep: () => void }> {
    const tx = this.#tx();
    let useCache = tx === undefined && this.#cache !== undefined && this.#listening;
    if (useCache && this.#strict) useCache = (await this.#sync()) && this.#listening;
    const key = rowKey(kind, account, region, id);
    if (useCache) {
      const hit = this.#cache!.get(key);
      if (hit !== undefined) {
        this.#hits++;
        return { body: hit.body, fromCache: true, keep: () => undefined };
      }
      this.#misses++;
    } else if (tx === undefined) this.#bypassed++;
    const read = { stale: false };
    let reads: Set<{ stale: boolean }> | undefined;
    if (useCache) {
      reads = this.#reading.get(key) ?? new Set();
      this.#reading.set(key, reads);
      reads.add(read);
    }
    let found: pg.QueryResult<{ body: Buffer; version: string }>;
    try {
      found = await this.#query<{ body: Buffer; version: string }>(
        tx?.client ?? this.#pool,
        `SELECT body, version FROM ${RECORDS} WHERE kind = $1 AND account = $2 AND region = $3 AND id = $4`,
        [kind, account, region, id],
      );
    } finally {
      reads?.delete(read);
      if (reads?.size === 0) this.#reading.delete(key);
    }
    const row = found.rows[0];
    const body = row === undefined ? null : row.body;
    // Called synchronously after the caller decoded the body: nothing was invalidated in between.
    const keep = (): void => {
      // Not when the row was invalidated while the read waited: what it read may be older.
      if (!useCache || read.stale || this.#closed || !this.#listening) return;
      const cache = this.#cache!;
      const expected = cache.size + (cache.get(key) === undefined ? 1 : 0);
      cache.set(key, { body: body === null ? null : Buffer.from(body), version: row?.version ?? '0' });
      // Others evicted to make room: a later notification of theirs would find nothing to drop.
      if (cache.size < expected) this.#untracked = true;
    };
    return { body, fromCache: false, keep };
  }

  /** The rows of one kind in an account and Region, by id (bytewise), from the database. */
  async #readRows(kind: string, account: string, region: string): Promise<Row[]> {
    if (!storable(account, region)) return [];
    const tx = this.#tx();
    const found = await this.#query<Row>(
      tx?.client ?? this.#pool,
      `SELECT id, body, version FROM ${RECORDS} WHERE kind = $1 AND account = $2 AND region = $3 ORDER BY id COLLATE "C"`,
      [kind, account, region],
    );
    return found.rows;
  }

  /** The checked envelope of a row's body: JSON, its record MAC (unless from the cache, checked then), its kind. */
  #envelope(label: string, body: Buffer, kind: Kind, fromCache: boolean): Decoder {
    let v: unknown;
    try {
      v = JSON.parse(body.toString('utf8'));
    } catch {
      throw new CorruptFileError(label, 'not JSON');
    }
    const d = Decoder.of(label, v, '');
    if (fromCache) d.raw('mac');
    else checkRecordMac(d, this.#sealer, 'row');
    if (d.string('kind') !== kind) throw d.bad('kind', `is not "${kind}"`);
    return d;
  }

  /**
   * A record checked and encoded by the file store's codec, its errors naming this store; a
   * record whose names PostgreSQL cannot take as text is refused here, before any statement.
   */
  #encode<R extends AliasRecord | KeyRecord | CustomKeyStoreRecord>(
    method: string,
    encode: () => Json,
    record: R,
    idField: keyof R & string,
  ): Json {
    const r = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
    if (!storable(r.account as string, r.region as string, r[idField] as string)) {
      throw new TypeError(
        `PostgresKeyStore.${method}: account, region and ${idField} must not hold a NUL character or a lone surrogate (PostgreSQL text cannot)`,
      );
    }
    try {
      return encode();
    } catch (err) {
      throw renamed(err);
    }
  }

  /** A record's body as the file store writes its file: kind, extra members, the record, the MAC. */
  #body(kind: Kind, record: Json, extra: Json = {}): Buffer {
    const content: Json = { kind, ...extra, record };
    if (this.#sealer !== undefined) content.mac = toBase64(this.#sealer.mac(content));
    return Buffer.from(JSON.stringify(content, null, 2) + '\n', 'utf8');
  }

  #decodeKey(account: string, region: string, id: string, body: Buffer, fromCache: boolean): KeyRecord {
    const label = rowLabel('key', account, region, id);
    try {
      const d = this.#envelope(label, body, 'key', fromCache);
      const r = decodeKey(label, d.raw('record'), this.#sealer);
      try {
        d.end();
        if (r.account !== account || r.region !== region || r.keyId !== id)
          throw new CorruptFileError(label, 'its record belongs to another row');
      } catch (err) {
        wipeRecord(r);
        throw err;
      }
      return r;
    } catch (err) {
      throw corruptRow(label, err);
    }
  }

  #decodeAlias(account: string, region: string, id: string, body: Buffer, fromCache: boolean): AliasRecord {
    const label = rowLabel('alias', account, region, id);
    try {
      const d = this.#envelope(label, body, 'alias', fromCache);
      const a = decodeAlias(label, d.raw('record'));
      d.end();
      if (a.account !== account || a.region !== region || a.aliasName !== id)
        throw new CorruptFileError(label, 'its record belongs to another row');
      return a;
    } catch (err) {
      throw corruptRow(label, err);
    }
  }

  #decodeCustomKeyStore(
    account: string,
    region: string,
    id: string,
    body: Buffer,
    fromCache: boolean,
  ): { record: CustomKeyStoreRecord; sequence: number } {
    const label = rowLabel('custom-key-store', account, region, id);
    try {
      const d = this.#envelope(label, body, 'custom-key-store', fromCache);
      const sequence = d.optInteger('sequence');
      if (sequence === undefined) throw d.bad('sequence', 'is missing');
      const c = decodeCustomKeyStore(label, d.raw('record'));
      d.end();
      if (c.account !== account || c.region !== region || c.customKeyStoreId !== id)
        throw new CorruptFileError(label, 'its record belongs to another row');
      return { record: c, sequence };
    } catch (err) {
      throw corruptRow(label, err);
    }
  }

  /**
   * A point read: the row decoded (undefined when there is none), cached once it decoded; the
   * bytes read from the database are wiped afterwards (the cache keeps its own copy).
   */
  async #point<T>(
    kind: Kind,
    account: string,
    region: string,
    id: string,
    decode: (body: Buffer, fromCache: boolean) => T,
  ): Promise<T | undefined> {
    if (!storable(account, region, id)) return undefined;
    const { body, fromCache, keep } = await this.#readRow(kind, account, region, id);
    try {
      if (body === null) {
        keep();
        return undefined;
      }
      const out = decode(body, fromCache);
      keep();
      return out;
    } finally {
      if (!fromCache) body?.fill(0);
    }
  }

  // -- KeyStore

  async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
    this.#open();
    return this.#point('key', account, region, keyId, (body, fromCache) =>
      this.#decodeKey(account, region, keyId, body, fromCache),
    );
  }

  async putKey(record: KeyRecord): Promise<void> {
    this.#open();
    const body = this.#body(
      'key',
      this.#encode('putKey', () => encodeKey(record, this.#sealer), record, 'keyId'),
    );
    await this.#write((tx) => this.#put(tx, 'key', record.account, record.region, record.keyId, body));
  }

  async listKeys(account: string, region: string): Promise<KeyRecord[]> {
    this.#open();
    const rows = await this.#readRows('key', account, region);
    const out: KeyRecord[] = [];
    try {
      for (const row of rows) out.push(this.#decodeKey(account, region, row.id, row.body, false));
    } catch (err) {
      for (const r of out) wipeRecord(r);
      throw err;
    } finally {
      for (const row of rows) row.body.fill(0);
    }
    return out;
  }

  async getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    this.#open();
    return this.#point('alias', account, region, aliasName, (body, fromCache) =>
      this.#decodeAlias(account, region, aliasName, body, fromCache),
    );
  }

  async putAlias(record: AliasRecord): Promise<void> {
    this.#open();
    const body = this.#body(
      'alias',
      this.#encode('putAlias', () => encodeAlias(record), record, 'aliasName'),
    );
    await this.#write((tx) => this.#put(tx, 'alias', record.account, record.region, record.aliasName, body));
  }

  async deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    this.#open();
    if (!storable(account, region, aliasName)) return false;
    return this.#write(async (tx) => {
      // Only a valid alias is removed: a corrupt row stays for someone to look at.
      if ((await this.getAlias(account, region, aliasName)) === undefined) return false;
      return this.#put(tx, 'alias', account, region, aliasName, null);
    });
  }

  async listAliases(account: string, region: string): Promise<AliasRecord[]> {
    this.#open();
    const rows = await this.#readRows('alias', account, region);
    return rows.map((row) => this.#decodeAlias(account, region, row.id, row.body, false));
  }

  async getCustomKeyStore(
    account: string,
    region: string,
    customKeyStoreId: string,
  ): Promise<CustomKeyStoreRecord | undefined> {
    this.#open();
    return this.#point(
      'custom-key-store',
      account,
      region,
      customKeyStoreId,
      (body, fromCache) => this.#decodeCustomKeyStore(account, region, customKeyStoreId, body, fromCache).record,
    );
  }

  async putCustomKeyStore(record: CustomKeyStoreRecord): Promise<void> {
    this.#open();
    const json = this.#encode('putCustomKeyStore', () => encodeCustomKeyStore(record), record, 'customKeyStoreId');
    await this.#write(async (tx) => {
      // The creation order survives replacement: a new record takes the next sequence number.
      const all = await this.#listCustomKeyStores(record.account, record.region);
      let sequence = all.find((c) => c.record.customKeyStoreId === record.customKeyStoreId)?.sequence;
      sequence ??= all.reduce((max, c) => Math.max(max, c.sequence), 0) + 1;
      const body = this.#body('custom-key-store', json, { sequence });
      await this.#put(tx, 'custom-key-store', record.account, record.region, record.customKeyStoreId, body);
    });
  }

  async deleteCustomKeyStore(account: string, region: string, customKeyStoreId: string): Promise<boolean> {
    this.#open();
    if (!storable(account, region, customKeyStoreId)) return false;
    return this.#write(async (tx) => {
      // Only a valid record is removed: a corrupt row stays for someone to look at.
      if ((await this.getCustomKeyStore(account, region, customKeyStoreId)) === undefined) return false;
      return this.#put(tx, 'custom-key-store', account, region, customKeyStoreId, null);
    });
  }

  async #listCustomKeyStores(
    account: string,
    region: string,
  ): Promise<{ record: CustomKeyStoreRecord; sequence: number }[]> {
    const rows = await this.#readRows('custom-key-store', account, region);
    return rows.map((row) => this.#decodeCustomKeyStore(account, region, row.id, row.body, false));
  }

  async listCustomKeyStores(account: string, region: string): Promise<CustomKeyStoreRecord[]> {
    this.#open();
    const all = await this.#listCustomKeyStores(account, region);
    all.sort((a, b) => a.sequence - b.sequence || byName(a.record.customKeyStoreId, b.record.customKeyStoreId));
    return all.map((c) => c.record);
  }
}
