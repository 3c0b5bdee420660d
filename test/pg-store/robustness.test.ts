// The PostgreSQL key store when something misbehaves around it: an endpoint frozen inside a
// transaction (PostgreSQL ends its session after idleInTransactionTimeoutMs, and the other
// endpoints' writers go on), a transaction kept waiting in the store's own queue (it gives up
// after the statement timeout), ids PostgreSQL cannot take as text (not found, as with the file
// store, and no statement sent), options out of range, errors named after this store, and the
// failures it survives told to a logger without the connection string's password.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PostgresKeyStore, type PostgresKeyStoreOptions } from '../../src/node/pg-store/index.js';
import type { AliasRecord, CustomKeyStoreRecord } from '../../src/kms/store.js';
import { DependencyTimeoutException, KMSServiceException } from '../../src/kms/index.js';
import { sql, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { ACCOUNT, REGION, alias, minimalKey } from '../helpers/file-store.js';
import { caught } from '../helpers/caught.js';

let server: RunningPostgres;
const opened: PostgresKeyStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
  await server?.stop();
});

async function open(url: string, options: PostgresKeyStoreOptions = {}): Promise<PostgresKeyStore> {
  const store = await PostgresKeyStore.open(url, options);
  opened.push(store);
  return store;
}

/** Polls `check` every 5 ms until it holds; throws after 5 s. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not met within 5 s');
}

/** A promise to wait on, and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((r) => (fire = r));
  return { promise, fire };
}

function cks(id: string): CustomKeyStoreRecord {
  return {
    customKeyStoreId: id,
    account: ACCOUNT,
    region: REGION,
    customKeyStoreName: id,
    customKeyStoreType: 'AWS_CLOUDHSM',
    connectionState: 'DISCONNECTED',
    creationDate: new Date(1_700_000_000_000),
  };
}

describe('PostgresKeyStore: stuck transactions', () => {
  it('an endpoint frozen inside a transaction: PostgreSQL ends its session, the other endpoint writes, nothing of it is kept', async () => {
    const url = await server.createDatabase();
    const frozen = await open(url, { idleInTransactionTimeoutMs: 500 });
    const other = await open(url, { idleInTransactionTimeoutMs: 500 });
    const entered = signal();
    const thaw = signal();
    let afterThaw: unknown;
    const stuck = frozen.transaction(async () => {
      await frozen.putKey(minimalKey('from-frozen'));
      entered.fire();
      // Holds the store lock and sends nothing until the end of the test.
      await thaw.promise;
      // Woken up: the next statement finds the session ended, and sends nothing.
      afterThaw = await caught(frozen.putKey(minimalKey('after-thaw-inside')));
      return 'committed';
    });
    await entered.promise;
    try {
      // Waits for the lock until PostgreSQL ends the frozen session (500 ms), well before its
      // statement timeout (10 s), which would fail it.
      await other.transaction(async () => other.putKey(minimalKey('from-other')));
      expect(await other.getKey(ACCOUNT, REGION, 'from-other')).toBeDefined();
    } finally {
      thaw.fire();
    }
    const err = await caught(stuck);
    expect(err).toBeInstanceOf(DependencyTimeoutException);
    expect((err as KMSServiceException).$metadata.httpStatusCode).toBe(503);
    expect(afterThaw).toBeInstanceOf(DependencyTimeoutException);
    expect(await sql(url, "SELECT id FROM wasm_kms_records WHERE id IN ('from-frozen', 'after-thaw-inside')")).toEqual(
      [],
    );
    // The frozen endpoint works again (the pool replaced the ended connection).
    await frozen.putKey(minimalKey('after-thaw'));
    expect(await other.getKey(ACCOUNT, REGION, 'after-thaw')).toBeDefined();
  });

  it('a transaction waiting in the store queue longer than the statement timeout: DependencyTimeoutException, and it leaves the queue', async () => {
    const store = await open(await server.createDatabase(), { statementTimeoutMs: 1000, cache: false });
    const entered = signal();
    const release = signal();
    const ran: string[] = [];
    const first = store.transaction(async () => {
      entered.fire();
      await release.promise;
      ran.push('first');
    });
    await entered.promise;
    const late = store.transaction(async () => {
      ran.push('late');
    });
    try {
      // Rejected while the first still runs: 1 s in the queue.
      const err = await caught(late);
      expect(err).toBeInstanceOf(DependencyTimeoutException);
      expect((err as KMSServiceException).$metadata.httpStatusCode).toBe(503);
      expect(ran).toEqual([]);
    } finally {
      release.fire();
    }
    // The one that gave up takes no turn: the next runs right after the first.
    const next = store.transaction(async () => {
      ran.push('next');
      return store.putKey(minimalKey('next'));
    });
    await first;
    await next;
    expect(ran).toEqual(['first', 'next']);
    expect(await store.getKey(ACCOUNT, REGION, 'next')).toBeDefined();
  }, 30_000);
});

describe('PostgresKeyStore: ids PostgreSQL cannot store', () => {
  const BAD = ['nul\u0000inside', '\ud800', 'x\udc00y', 'alias/\u0000'];

  it('are not found (get: undefined, delete: false, list: empty) without a statement, even inside a transaction', async () => {
    const url = await server.createDatabase();
    for (const cache of [true, false]) {
      const store = await open(url, { cache });
      // A lone surrogate would reach PostgreSQL as U+FFFD: a row with that id must not answer for it.
      await store.putKey(minimalKey('\ufffd'));
      await store.putAlias(alias('alias/\ufffd', '\ufffd'));
      const stats = store.cacheStats();
      const reads = async (): Promise<void> => {
        for (const bad of BAD) {
          expect(await store.getKey(ACCOUNT, REGION, bad)).toBeUndefined();
          expect(await store.getKey(bad, REGION, '\ufffd')).toBeUndefined();
          expect(await store.getKey(ACCOUNT, bad, '\ufffd')).toBeUndefined();
          expect(await store.getAlias(ACCOUNT, REGION, bad)).toBeUndefined();
          expect(await store.getAlias(ACCOUNT, REGION, bad.replace(/^/, 'alias/'))).toBeUndefined();
          expect(await store.getCustomKeyStore!(ACCOUNT, REGION, bad)).toBeUndefined();
          expect(await store.deleteAlias(ACCOUNT, REGION, bad)).toBe(false);
          expect(await store.deleteAlias(bad, REGION, 'alias/\ufffd')).toBe(false);
          expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, bad)).toBe(false);
          expect(await store.listKeys(bad, REGION)).toEqual([]);
          expect(await store.listAliases(ACCOUNT, bad)).toEqual([]);
          expect(await store.listCustomKeyStores!(bad, REGION)).toEqual([]);
        }
      };
      await reads();
      // No statement was sent: neither a cache miss nor a database read was counted.
      expect(store.cacheStats()).toMatchObject({ hits: stats.hits, misses: stats.misses, bypassed: stats.bypassed });
      // Inside a transaction a refused statement would abort it, and its COMMIT would fail.
      await store.transaction(async () => {
        await store.putKey(minimalKey(`written-around-bad-reads-${cache}`));
        await reads();
      });
      expect(await store.getKey(ACCOUNT, REGION, `written-around-bad-reads-${cache}`)).toBeDefined();
      expect(await store.getAlias(ACCOUNT, REGION, 'alias/\ufffd')).toBeDefined();
    }
  });

  it('are refused by the writes with a TypeError naming the store, before any statement', async () => {
    const store = await open(await server.createDatabase());
    for (const bad of BAD) {
      const key = await caught(store.putKey(minimalKey(bad)));
      expect(key).toBeInstanceOf(TypeError);
      expect((key as Error).message).toMatch(/^PostgresKeyStore\.putKey: .*keyId/);
      const a = await caught(store.putAlias(alias(`alias/${bad}`, 'k')));
      expect((a as Error).message).toMatch(/^PostgresKeyStore\.putAlias: .*aliasName/);
      const c = await caught(store.putCustomKeyStore!(cks(bad)));
      expect((c as Error).message).toMatch(/^PostgresKeyStore\.putCustomKeyStore: .*customKeyStoreId/);
    }
    expect(await store.listKeys(ACCOUNT, REGION)).toEqual([]);
    // Surrogate pairs (and any other Unicode) are ids like any other.
    await store.putKey(minimalKey('pair-\ud83d\ude00-\u00e9'));
    await store.putAlias(alias('alias/\ud83d\ude00', 'k'));
    expect((await store.getKey(ACCOUNT, REGION, 'pair-\ud83d\ude00-\u00e9'))?.keyId).toBe('pair-\ud83d\ude00-\u00e9');
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/\ud83d\ude00')).toBe(true);
  });
});

describe('PostgresKeyStore: options and messages', () => {
  const url = 'postgres://postgres@127.0.0.1:1/none';

  it('refuses a millisecond option a timer cannot take (above 2^31-1), as it refuses 0, negatives and fractions', async () => {
    for (const name of ['connectTimeoutMs', 'statementTimeoutMs', 'idleInTransactionTimeoutMs', 'heartbeatMs']) {
      for (const v of [2 ** 31, Number.MAX_SAFE_INTEGER, 0, -1, 1.5, '100']) {
        const err = await caught(PostgresKeyStore.open(url, { [name]: v } as PostgresKeyStoreOptions));
        expect(err, `${name}: ${v}`).toBeInstanceOf(TypeError);
        expect((err as Error).message).toContain(name);
      }
    }
    // The read timeout is their sum: refused too when it would not fit.
    const sum = await caught(PostgresKeyStore.open(url, { statementTimeoutMs: 2 ** 31 - 1 }));
    expect(sum).toBeInstanceOf(TypeError);
    // The largest values are taken.
    const store = await open(await server.createDatabase(), {
      idleInTransactionTimeoutMs: 2 ** 31 - 1,
      heartbeatMs: 2 ** 31 - 1,
      statementTimeoutMs: 2 ** 31 - 1 - 5000,
    });
    await store.putKey(minimalKey('k'));
    expect(await store.getKey(ACCOUNT, REGION, 'k')).toBeDefined();
  });

  it('a record it cannot keep is refused in messages naming PostgresKeyStore, not FileKeyStore', async () => {
    const store = await open(await server.createDatabase());
    const checks: [string, Promise<unknown>][] = [
      ['putAlias', store.putAlias({ ...alias('alias/x', 'k'), extra: 1 } as unknown as AliasRecord)],
      ['putAlias', store.putAlias({ ...alias('alias/x', 'k'), creationDate: 'yesterday' } as unknown as AliasRecord)],
      ['putKey', store.putKey({ ...minimalKey('k'), keyPair: { publicKey: 1 } } as never)],
      ['putCustomKeyStore', store.putCustomKeyStore!({ ...cks('cks-1'), connectionState: 'UP' } as never)],
    ];
    for (const [method, call] of checks) {
      const err = await caught(call);
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(new RegExp(`^PostgresKeyStore\\.${method}: `));
      expect((err as Error).message).not.toMatch(/FileKeyStore|file key store/);
    }
  });

  it('failures it survives are counted and told to the logger, without the password', async () => {
    const dbUrl = await server.createDatabase();
    const warnings: { message: string; err: unknown }[] = [];
    const logger = { warn: (message: string, err: unknown) => void warnings.push({ message, err }) };
    const store = await open(dbUrl.replace('postgres@', 'postgres:hunter2@'), { logger, poolSize: 2 });
    // Two pooled connections, idle once the reads are done.
    await Promise.all([store.getKey(ACCOUNT, REGION, 'a'), store.getKey(ACCOUNT, REGION, 'b')]);
    expect(store.cacheStats().poolErrors).toBe(0);
    const dbName = new URL(dbUrl).pathname.slice(1);
    await sql(
      dbUrl,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'wasm-kms%'`,
      [dbName],
    );
    await until(() => store.cacheStats().poolErrors >= 1);
    await until(() => warnings.some((w) => /LISTEN connection/.test(w.message)));
    expect(warnings.some((w) => /idle pooled connection/.test(w.message))).toBe(true);
    for (const w of warnings) {
      const err = w.err as Error;
      const text = `${w.message} ${String(err)} ${err?.stack ?? ''} ${JSON.stringify(err)}`;
      expect(text).not.toContain('hunter2');
    }
    // A logger that throws changes nothing.
    const throwing = await open(dbUrl, {
      logger: {
        warn() {
          throw new Error('logger failed');
        },
      },
    });
    await throwing.getKey(ACCOUNT, REGION, 'a');
    await sql(
      dbUrl,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'wasm-kms%'`,
      [dbName],
    );
    await until(() => throwing.cacheStats().poolErrors >= 1);
    await until(() => throwing.cacheStats().listening);
    await throwing.putKey(minimalKey('still-works'));
    expect(await store.getKey(ACCOUNT, REGION, 'still-works')).toBeDefined();
    const bad = await caught(PostgresKeyStore.open(dbUrl, { logger: {} as never }));
    expect(bad).toBeInstanceOf(TypeError);
  });
});
