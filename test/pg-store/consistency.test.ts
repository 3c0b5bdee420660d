// How fresh the PostgreSQL key store's cached reads are, with the LISTEN connection stalled
// through a TCP proxy (test/helpers/postgres.ts startPgProxy: the store under test connects
// through it, pool and listener alike, and only the connections named 'wasm-kms listener' are
// stalled; the writing store connects directly). Eventual (the default): a cached read is
// answered at once, stale while the change's notification is held back; catchUp() brings it in
// and cacheGeneration() moves. Strict: a read waits for the round trip, at most the timeout, and
// then the listener counts as down. The heartbeat finds a stalled listener without any read.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { PostgresKeyStore, type PostgresKeyStoreOptions } from '../../src/node/pg-store/index.js';
import { startPgProxy, startPostgres, type PgProxy, type RunningPostgres } from '../helpers/postgres.js';
import { ACCOUNT, REGION, minimalKey } from '../helpers/file-store.js';
import { caught } from '../helpers/caught.js';
import {
  AlreadyExistsException,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  TagResourceCommand,
} from '../../src/kms/index.js';

const LISTENER = 'wasm-kms listener';

let server: RunningPostgres;
let proxy: PgProxy;
const opened: PostgresKeyStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
  proxy = await startPgProxy(server.port);
});

afterAll(async () => {
  proxy?.resume();
  for (const s of opened.splice(0)) await s.close();
  await proxy?.close();
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

/** Reads key `id` through `store` until a read is answered from its cache. */
async function warm(store: PostgresKeyStore, id: string): Promise<void> {
  // Notifications of earlier writes handled first: none can drop the entry once it is warm.
  await store.catchUp();
  await until(async () => {
    const hits = store.cacheStats().hits;
    await store.getKey(ACCOUNT, REGION, id);
    return store.cacheStats().hits > hits;
  });
}

const description = async (store: PostgresKeyStore, id: string): Promise<string | undefined> =>
  (await store.getKey(ACCOUNT, REGION, id))?.description;

/**
 * A key written as v1 by `writer`, cached by `reader` with every earlier notification handled;
 * then the listener stalled and the key rewritten as v2: its notification cannot reach `reader`.
 */
async function staleBehindStalledListener(reader: PostgresKeyStore, writer: PostgresKeyStore, id: string) {
  await writer.putKey({ ...minimalKey(id), description: 'v1' });
  await reader.catchUp();
  await warm(reader, id);
  proxy.pause(LISTENER);
  await writer.putKey({ ...minimalKey(id), description: 'v2' });
}

describe('PostgresKeyStore cache consistency', () => {
  for (const cache of [undefined, true, {}] as const) {
    it(`cache ${JSON.stringify(cache) ?? 'not given'} is eventual: a cached read is answered at once; catchUp() brings the change in`, async () => {
      const url = await server.createDatabase();
      const reader = await open(proxy.via(url), cache === undefined ? {} : { cache });
      const writer = await open(url, { cache: false });
      try {
        await staleBehindStalledListener(reader, writer, 'k');
        const generation = reader.cacheGeneration();
        const hits = reader.cacheStats().hits;
        // No round trip first (it could not come back): the cached record, stale.
        expect(await description(reader, 'k')).toBe('v1');
        expect(reader.cacheStats().hits).toBe(hits + 1);
        expect(reader.cacheGeneration()).toBe(generation);
      } finally {
        proxy.resume();
      }
      const generation = reader.cacheGeneration();
      await reader.catchUp();
      expect(reader.cacheGeneration()).not.toBe(generation);
      expect(await description(reader, 'k')).toBe('v2');
      expect(reader.cacheStats().listening).toBe(true);
    });
  }

  it('cacheGeneration() moves only when a notification drops what this store cached: writes of other rows elsewhere, or its own, leave it', async () => {
    const url = await server.createDatabase();
    const reader = await open(url);
    const writer = await open(url, { cache: false });
    await writer.putKey(minimalKey('k'));
    await warm(reader, 'k');
    // An absence is cached too.
    expect(await reader.getKey(ACCOUNT, REGION, 'absent')).toBeUndefined();
    const generation = reader.cacheGeneration();
    for (let i = 0; i < 5; i++) await reader.getKey(ACCOUNT, REGION, 'k');
    // 20 writes elsewhere of rows the reader has not cached: notified, nothing dropped.
    const notified = reader.cacheStats().notifications;
    for (let i = 0; i < 20; i++) await writer.putKey({ ...minimalKey(`other-${i % 3}`), description: `${i}` });
    await reader.catchUp();
    expect(reader.cacheStats().notifications).toBe(notified + 20);
    expect(reader.cacheGeneration()).toBe(generation);
    // The reader's own write (of a row it has not cached): it reads it at once, nothing is behind.
    await reader.putKey({ ...minimalKey('mine'), description: 'x' });
    await reader.catchUp();
    expect(reader.cacheGeneration()).toBe(generation);
    expect(await description(reader, 'mine')).toBe('x');
    // A write elsewhere of a row the reader has cached: dropped, the generation moves.
    await writer.putKey({ ...minimalKey('k'), description: 'changed' });
    await reader.catchUp();
    const moved = reader.cacheGeneration();
    expect(moved).toBeGreaterThan(generation);
    expect(await description(reader, 'k')).toBe('changed');
    // So does one that creates a row whose absence it has cached.
    await writer.putKey(minimalKey('absent'));
    await reader.catchUp();
    expect(reader.cacheGeneration()).toBeGreaterThan(moved);
    // With the cache off there is nothing to catch up with.
    const off = await open(url, { cache: false });
    await off.catchUp();
    await off.putKey(minimalKey('through-off'));
    await writer.putKey(minimalKey('through-writer'));
    expect(off.cacheGeneration()).toBe(0);
  });

  for (const strict of [false, true]) {
    it(`${strict ? 'strict' : 'eventual'}: 50 CreateAlias refused for a taken name while another endpoint keeps tagging its own key run 50 transactions, not one more`, async () => {
      const url = await server.createDatabase();
      const sa = await open(url, { cache: { strict } });
      const sb = await open(url, { cache: { strict } });
      const a = new KMSClient({ store: sa });
      const b = new KMSClient({ store: sb });
      const keyA = (await a.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const keyB = (await b.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await b.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: keyB }));
      // B caches its key (and the alias) as a request would.
      await b.send(new DescribeKeyCommand({ KeyId: 'alias/taken' }));
      await sb.catchUp();
      let stop = false;
      let tagged = 0;
      const load = (async () => {
        while (!stop) {
          await a.send(new TagResourceCommand({ KeyId: keyA, Tags: [{ TagKey: 't', TagValue: String(tagged) }] }));
          tagged++;
        }
      })();
      let transactions = 0;
      const transaction = sb.transaction.bind(sb);
      sb.transaction = <T>(fn: () => Promise<T>): Promise<T> => {
        transactions++;
        return transaction(fn);
      };
      const notified = sb.cacheStats().notifications;
      try {
        for (let i = 0; i < 50; i++) {
          const err = await caught(b.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: keyB })));
          expect(err).toBeInstanceOf(AlreadyExistsException);
        }
      } finally {
        stop = true;
        await load;
      }
      // The writes elsewhere did reach B meanwhile.
      expect(tagged).toBeGreaterThan(0);
      expect(sb.cacheStats().notifications).toBeGreaterThan(notified);
      expect(transactions).toBe(50);
      // A write of what B has cached still counts.
      const generation = sb.cacheGeneration();
      await a.send(new TagResourceCommand({ KeyId: keyB, Tags: [{ TagKey: 't', TagValue: 'b' }] }));
      await sb.catchUp();
      if (strict) expect(sb.cacheGeneration()).toBe(generation);
      else expect(sb.cacheGeneration()).toBeGreaterThan(generation);
    });
  }

  it('strict: a read with the listener stalled waits at most the timeout, then goes to the database; the listener is replaced', async () => {
    const url = await server.createDatabase();
    const reader = await open(proxy.via(url), { cache: { strict: true }, connectTimeoutMs: 1000 });
    const writer = await open(url, { cache: false });
    const closedBefore = proxy.closed(LISTENER);
    try {
      await staleBehindStalledListener(reader, writer, 'k');
      const generation = reader.cacheGeneration();
      // The round trip does not come back: after 1 s the listener counts as down.
      expect(await description(reader, 'k')).toBe('v2');
      const stats = reader.cacheStats();
      expect(stats.listening).toBe(false);
      expect(stats.listenerTimeouts).toBe(1);
      expect(stats.entries).toBe(0);
      // Strict reads are never behind: the generation does not move, even when the cache is cleared.
      expect(reader.cacheGeneration()).toBe(generation);
      // The hung connection was destroyed, not left open.
      await until(() => proxy.closed(LISTENER) > closedBefore);
      // While down, catchUp() resolves at once and reads go to the database.
      await reader.catchUp();
      await writer.putKey({ ...minimalKey('k'), description: 'v3' });
      expect(await description(reader, 'k')).toBe('v3');
    } finally {
      proxy.resume();
    }
    await until(() => reader.cacheStats().listening);
    await warm(reader, 'k');
    expect(await description(reader, 'k')).toBe('v3');
  });

  it('eventual: the heartbeat finds a stalled listener; reads then go to the database until it is back', async () => {
    const url = await server.createDatabase();
    const reader = await open(proxy.via(url), { heartbeatMs: 50, connectTimeoutMs: 1000 });
    const writer = await open(url, { cache: false });
    try {
      await staleBehindStalledListener(reader, writer, 'k');
      const generation = reader.cacheGeneration();
      expect(await description(reader, 'k')).toBe('v1');
      // No read needed: the heartbeat's SELECT 1 does not come back in time.
      await until(() => !reader.cacheStats().listening);
      expect(reader.cacheStats().listenerTimeouts).toBeGreaterThanOrEqual(1);
      expect(reader.cacheGeneration()).toBeGreaterThan(generation);
      const bypassed = reader.cacheStats().bypassed;
      expect(await description(reader, 'k')).toBe('v2');
      expect(reader.cacheStats().bypassed).toBe(bypassed + 1);
    } finally {
      proxy.resume();
    }
    await until(() => reader.cacheStats().listening);
    // Back: notifications arrive again.
    await warm(reader, 'k');
    await writer.putKey({ ...minimalKey('k'), description: 'v4' });
    await reader.catchUp();
    expect(await description(reader, 'k')).toBe('v4');
  });
});

/**
 * While `deaf` holds, the LISTEN connection of a store listens on another channel: LISTEN succeeds
 * and no change notification ever arrives, as behind a proxy that pools by transaction.
 */
function deafListeners(): { restore: () => void; deaf: boolean } {
  const state = { deaf: true, restore: () => undefined as void };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const name = (this as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters
      ?.application_name;
    if (state.deaf && name === LISTENER && args[0] === 'LISTEN wasm_kms_changes') args[0] = 'LISTEN wasm_kms_elsewhere';
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  state.restore = () => void (pg.Client.prototype.query = query);
  return state;
}

async function sqlAt<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The LISTEN connections (open, or being opened) in the database of `url`. */
async function listenerBackends(url: string): Promise<number> {
  const found = await sqlAt<{ n: string }>(
    url,
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
    [new URL(url).pathname.slice(1), LISTENER],
  );
  return Number(found[0].n);
}

describe('PostgresKeyStore LISTEN connection: notifications that never arrive, close() while it connects', () => {
  it('a LISTEN connection that receives no notification is not used: the cache is bypassed, the logger told, and it is retried', async () => {
    const url = await server.createDatabase();
    const writer = await open(url, { cache: false });
    await writer.putKey({ ...minimalKey('k'), description: 'v1' });
    const warnings: string[] = [];
    const patch = deafListeners();
    try {
      const reader = await open(url, {
        connectTimeoutMs: 300,
        logger: { warn: (message) => void warnings.push(message) },
      });
      // The probe sent through the pool did not come back on the LISTEN connection.
      expect(reader.cacheStats().listening).toBe(false);
      expect(warnings.some((m) => /notifications do not arrive/.test(m))).toBe(true);
      // So every read goes to the database, and sees each change at once.
      const bypassed = reader.cacheStats().bypassed;
      expect(await description(reader, 'k')).toBe('v1');
      await writer.putKey({ ...minimalKey('k'), description: 'v2' });
      expect(await description(reader, 'k')).toBe('v2');
      expect(reader.cacheStats().bypassed).toBe(bypassed + 2);
      expect(reader.cacheStats().hits).toBe(0);
      // Retried: once notifications arrive, the cache is used.
      patch.deaf = false;
      await until(() => reader.cacheStats().listening);
      await warm(reader, 'k');
      await writer.putKey({ ...minimalKey('k'), description: 'v3' });
      await reader.catchUp();
      expect(await description(reader, 'k')).toBe('v3');
    } finally {
      patch.restore();
    }
  });

  it('close() ends a LISTEN connection being opened', async () => {
    const url = await server.createDatabase();
    const patch = deafListeners();
    patch.deaf = false;
    try {
      const store = await PostgresKeyStore.open(url, { connectTimeoutMs: 60_000 });
      try {
        expect(store.cacheStats().listening).toBe(true);
        // The LISTEN connection ended by the server: the next one's probe waits up to 60 s for a
        // notification that does not come.
        patch.deaf = true;
        await sqlAt(
          url,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
          [new URL(url).pathname.slice(1), LISTENER],
        );
        await until(async () => !store.cacheStats().listening && (await listenerBackends(url)) === 1);
      } finally {
        await store.close();
      }
      // Ended at once, not when its probe gives up.
      await until(async () => (await listenerBackends(url)) === 0);
    } finally {
      patch.restore();
    }
  });
});
