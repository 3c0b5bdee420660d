// How fresh the PostgreSQL key store's cached reads are, with the LISTEN connection stalled
// through a TCP proxy (test/helpers/postgres.ts startPgProxy: the store under test connects
// through it, pool and listener alike, and only the connections named 'wasm-kms listener' are
// stalled; the writing store connects directly). Eventual (the default): a cached read is
// answered at once, stale while the change's notification is held back; catchUp() brings it in
// and cacheGeneration() moves. Strict: a read waits for the round trip, at most the timeout, and
// then the listener counts as down. The heartbeat finds a stalled listener without any read.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PostgresKeyStore, type PostgresKeyStoreOptions } from '../../src/node/pg-store/index.js';
import { startPgProxy, startPostgres, type PgProxy, type RunningPostgres } from '../helpers/postgres.js';
import { ACCOUNT, REGION, minimalKey } from '../helpers/file-store.js';

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

  it('cacheGeneration() stays the same while nothing is dropped, and moves on a notification', async () => {
    const url = await server.createDatabase();
    const reader = await open(url);
    const writer = await open(url, { cache: false });
    await writer.putKey(minimalKey('k'));
    await reader.catchUp();
    await warm(reader, 'k');
    const generation = reader.cacheGeneration();
    for (let i = 0; i < 5; i++) await reader.getKey(ACCOUNT, REGION, 'k');
    await reader.getKey(ACCOUNT, REGION, 'absent');
    await reader.catchUp();
    expect(reader.cacheGeneration()).toBe(generation);
    await writer.putKey({ ...minimalKey('other'), description: 'x' });
    await reader.catchUp();
    expect(reader.cacheGeneration()).toBeGreaterThan(generation);
    // With the cache off there is nothing to catch up with.
    const off = await open(url, { cache: false });
    await off.catchUp();
    await off.putKey(minimalKey('through-off'));
    await writer.putKey(minimalKey('through-writer'));
    expect(off.cacheGeneration()).toBe(0);
  });

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
      expect(reader.cacheGeneration()).toBeGreaterThan(generation);
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
