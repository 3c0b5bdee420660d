// The record cache of the PostgreSQL key store: served from memory while nothing changes (a
// change made behind the store's back, without NOTIFY, is not seen: the cache is really used),
// invalidated across endpoints by LISTEN/NOTIFY (eventual reads, the default) or before every
// read (strict: true), cleared and bypassed while the LISTEN connection is down (its backend
// terminated), used again once it is back; and its hit rate on a read-mostly load. The cache with
// the LISTEN connection stalled: consistency.test.ts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PostgresKeyStore } from '../../src/node/pg-store/index.js';
import { sql, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { ACCOUNT, REGION, alias, minimalKey } from '../helpers/file-store.js';

let server: RunningPostgres;
const opened: PostgresKeyStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
  await server?.stop();
});

async function open(url: string, options: Parameters<typeof PostgresKeyStore.open>[1] = {}) {
  const store = await PostgresKeyStore.open(url, options);
  opened.push(store);
  return store;
}

/** Sets a key row's description behind the store's back: no NOTIFY, so no cache learns of it. */
async function rewriteDescription(url: string, keyId: string, from: string, to: string): Promise<void> {
  await sql(
    url,
    `UPDATE wasm_kms_records SET body = convert_to(replace(convert_from(body, 'UTF8'), $1, $2), 'UTF8') WHERE id = $3`,
    [`"description": "${from}"`, `"description": "${to}"`, keyId],
  );
}

/**
 * Reads through `read` until one read is answered from the cache (a read that a notification
 * overlapped does not fill it, so the first may not).
 */
async function warm(store: PostgresKeyStore, read: () => Promise<unknown>): Promise<void> {
  // Notifications of earlier writes handled first: none can drop the entry once it is warm.
  await store.catchUp();
  await until(async () => {
    const hits = store.cacheStats().hits;
    await read();
    return store.cacheStats().hits > hits;
  });
}

/** Polls `check` every 5 ms until it holds; throws after 5 s. */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not met within 5 s');
}

/** Runs `write` (through another store object), then waits until `reader` has handled its notification. */
async function notified(reader: PostgresKeyStore, write: () => Promise<unknown>): Promise<void> {
  // Earlier writes' notifications handled first: the one counted next is this write's.
  await reader.catchUp();
  const before = reader.cacheStats().notifications;
  await write();
  await until(() => reader.cacheStats().notifications > before);
}

describe('PostgresKeyStore cache', () => {
  it('eventual (the default): serves repeated reads from memory; a write through another store object invalidates it by NOTIFY', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    // Eventual: B answers from its cache at once, and learns of A's change when NOTIFY arrives.
    const b = await open(url);
    expect(b.cacheStats().listening).toBe(true);
    await a.putKey({ ...minimalKey('k1'), description: 'v1' });
    expect((await b.getKey(ACCOUNT, REGION, 'k1'))!.description).toBe('v1');
    await warm(b, () => b.getKey(ACCOUNT, REGION, 'k1'));
    // Changed without NOTIFY: the cache does not know, and answers the old record.
    await rewriteDescription(url, 'k1', 'v1', 'v1-behind');
    expect((await b.getKey(ACCOUNT, REGION, 'k1'))!.description).toBe('v1');
    // Changed through store A: B's cache drops the row when the notification arrives (waited
    // for without reading, so that only the notification can have dropped it).
    await notified(b, () => a.putKey({ ...minimalKey('k1'), description: 'v2' }));
    expect((await b.getKey(ACCOUNT, REGION, 'k1'))!.description).toBe('v2');
    // A's own cache is dropped at its commit, before putKey returns.
    expect((await a.getKey(ACCOUNT, REGION, 'k1'))!.description).toBe('v2');
    // Absences are cached too, and an insert invalidates them.
    await warm(b, () => b.getAlias(ACCOUNT, REGION, 'alias/new'));
    expect(await b.getAlias(ACCOUNT, REGION, 'alias/new')).toBeUndefined();
    await notified(b, () => a.putAlias(alias('alias/new', 'k1')));
    expect(await b.getAlias(ACCOUNT, REGION, 'alias/new')).toBeDefined();
    await warm(b, () => b.getAlias(ACCOUNT, REGION, 'alias/new'));
    await notified(b, async () => expect(await a.deleteAlias(ACCOUNT, REGION, 'alias/new')).toBe(true));
    expect(await b.getAlias(ACCOUNT, REGION, 'alias/new')).toBeUndefined();
  });

  it('strict: true: every read through B sees the write A acknowledged just before, at once', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    const b = await open(url, { cache: { strict: true } });
    await a.putKey({ ...minimalKey('k'), description: 'v0' });
    await warm(b, () => b.getKey(ACCOUNT, REGION, 'k'));
    for (let i = 1; i <= 100; i++) {
      await a.putKey({ ...minimalKey('k'), description: `v${i}` });
      // Twice: the first read may fill the cache, the second is answered from it.
      expect((await b.getKey(ACCOUNT, REGION, 'k'))!.description).toBe(`v${i}`);
      expect((await b.getKey(ACCOUNT, REGION, 'k'))!.description).toBe(`v${i}`);
    }
    // The cache was used all along (at least the second read of each round).
    expect(b.cacheStats().hits).toBeGreaterThanOrEqual(100);
    // Concurrent reads share the round trips on the LISTEN connection, and all see the record.
    const all = await Promise.all(Array.from({ length: 50 }, () => b.getKey(ACCOUNT, REGION, 'k')));
    expect(all.every((r) => r!.description === 'v100')).toBe(true);
  });

  it('a rolled-back transaction notifies no one: the cached record stays valid', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    const b = await open(url);
    await a.putKey({ ...minimalKey('k'), description: 'kept' });
    await warm(b, () => b.getKey(ACCOUNT, REGION, 'k'));
    await a
      .transaction(async () => {
        await a.putKey({ ...minimalKey('k'), description: 'rolled back' });
        throw new Error('abort');
      })
      .catch(() => undefined);
    // A marker write that does notify, after the rollback: once B has seen it, B would have seen the first.
    await notified(b, () => a.putKey(minimalKey('flush')));
    const hits = b.cacheStats().hits;
    expect((await b.getKey(ACCOUNT, REGION, 'k'))!.description).toBe('kept');
    expect(b.cacheStats().hits).toBe(hits + 1);
  });

  it('is cleared and bypassed while the LISTEN connection is down, and used again once it is back', async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    await store.putKey({ ...minimalKey('k'), description: 'one' });
    await warm(store, () => store.getKey(ACCOUNT, REGION, 'k'));
    expect(store.cacheStats().entries).toBeGreaterThan(0);
    const dbName = new URL(url).pathname.slice(1);
    const killed = await sql<{ ok: boolean }>(
      url,
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND application_name = 'wasm-kms listener'`,
      [dbName],
    );
    expect(killed).toEqual([{ ok: true }]);
    await until(() => !store.cacheStats().listening);
    // Cleared, and while down every read goes to the database: a change without NOTIFY is seen.
    await rewriteDescription(url, 'k', 'one', 'two');
    const down = store.cacheStats();
    expect((await store.getKey(ACCOUNT, REGION, 'k'))!.description).toBe('two');
    // (The listener may be back already; either way the read was not served from the old cache.)
    expect(store.cacheStats().hits).toBe(down.hits);
    await until(() => store.cacheStats().listening);
    await warm(store, () => store.getKey(ACCOUNT, REGION, 'k'));
    expect((await store.getKey(ACCOUNT, REGION, 'k'))!.description).toBe('two');
  });

  it('hit rate on a read-mostly load: 2000 reads of 50 keys with a write every 100 reads from another endpoint', async () => {
    const url = await server.createDatabase();
    const writer = await open(url);
    const reader = await open(url);
    const ids = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    for (const id of ids) await writer.putKey(minimalKey(id));
    const start = reader.cacheStats();
    for (let i = 0; i < 2000; i++) {
      if (i % 100 === 99) await writer.putKey({ ...minimalKey(ids[i % 50]), description: `w${i}` });
      expect(await reader.getKey(ACCOUNT, REGION, ids[(i * 7) % 50])).toBeDefined();
    }
    const end = reader.cacheStats();
    const hits = end.hits - start.hits;
    const misses = end.misses - start.misses;
    expect(hits + misses).toBe(2000);
    const rate = hits / 2000;
    console.log(
      `PostgresKeyStore cache: ${hits} hits, ${misses} misses of 2000 reads (hit rate ${(rate * 100).toFixed(1)}%)`,
    );
    // 50 first reads miss, and at most one more per write (20 writes): 70 misses at the least likely worst.
    expect(rate).toBeGreaterThan(0.9);
    // With the cache off, every read goes to the database.
    const off = await open(url, { cache: false });
    await off.getKey(ACCOUNT, REGION, ids[0]);
    expect(off.cacheStats()).toMatchObject({ hits: 0, misses: 0, bypassed: 1, listening: false });
  });
});
