// The PostgreSQL key store when the database fails: PostgreSQL stopped under a working store
// makes operations reject with retryable KMS exceptions (5xx server faults), with no crash and
// no unhandled rejection; started again, the same store object serves again. A transaction that
// waits too long for the store's lock ends in DependencyTimeoutException; a server that cannot be
// reached at open is a KMS exception too.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { PostgresKeyStore } from '../../src/node/pg-store/index.js';
import { TRANSACTION_LOCK } from '../../src/node/pg-store/schema.js';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DependencyTimeoutException,
  EncryptCommand,
  KMSClient,
  KMSInternalException,
  KMSServiceException,
} from '../../src/kms/index.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { caught } from '../helpers/caught.js';

let server: RunningPostgres;
const opened: PostgresKeyStore[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startPostgres();
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  for (const s of opened.splice(0)) await s.close();
  await server?.stop();
});

async function open(url: string, options: Parameters<typeof PostgresKeyStore.open>[1] = {}) {
  const store = await PostgresKeyStore.open(url, options);
  opened.push(store);
  return store;
}

/** A rejection checked to be a retryable server fault of the store. */
function expectStoreFault(err: unknown): void {
  expect(err).toBeInstanceOf(KMSServiceException);
  const e = err as KMSServiceException;
  expect(e.$fault).toBe('server');
  expect([KMSInternalException, DependencyTimeoutException].some((c) => e instanceof c)).toBe(true);
  expect(e.$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
}

describe('PostgresKeyStore when PostgreSQL fails', () => {
  it('PostgreSQL stopped: operations reject with KMS server faults; started again: the same store serves', async () => {
    const url = await server.createDatabase();
    const store = await open(url, { connectTimeoutMs: 1000, statementTimeoutMs: 2000 });
    const kms = new KMSClient({ store });
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const plaintext = new Uint8Array([1, 2, 3, 4]);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    // A transaction under way when the server goes: its connection breaks between statements.
    let release!: () => void;
    const holding = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let secondRead: unknown = 'not reached';
    const inFlight = store.transaction(async () => {
      await store.getKey('111122223333', 'us-east-1', keyId);
      entered();
      await holding;
      secondRead = await caught(store.getKey('111122223333', 'us-east-1', keyId));
    });
    // The transaction holds its connection (and the lock) when the server goes.
    await inside;
    await server.pgCtl('stop');
    release();
    expectStoreFault(await caught(inFlight));
    // The read after the stop failed too (fn caught it; the transaction failed anyway).
    expectStoreFault(secondRead);
    for (const op of [
      () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })),
      () => kms.send(new DecryptCommand({ CiphertextBlob })),
      () => kms.send(new CreateKeyCommand({})),
      () => kms.send(new CreateAliasCommand({ AliasName: 'alias/while-down', TargetKeyId: keyId })),
    ]) {
      expectStoreFault(await caught(op()));
    }
    // The LISTEN connection's end is seen too (its socket closed before pg_ctl returned).
    for (let i = 0; i < 200 && store.cacheStats().listening; i++) await new Promise((r) => setTimeout(r, 10));
    expect(store.cacheStats().listening).toBe(false);
    await server.pgCtl('start');
    // The pool reconnects by itself: the first operation after the restart succeeds.
    const out = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(out.Plaintext).toEqual(plaintext);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/after-restart', TargetKeyId: keyId }));
    // The listener comes back too (it retries with a backoff of at most 5 s), and the cache with it.
    for (let i = 0; i < 200 && !store.cacheStats().listening; i++) await new Promise((r) => setTimeout(r, 50));
    expect(store.cacheStats().listening).toBe(true);
    // A rejection nobody handled is reported after the microtasks of its turn: one more turn of the loop.
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  });

  it('a transaction that cannot get the store lock within the statement timeout: DependencyTimeoutException', async () => {
    const url = await server.createDatabase();
    const store = await open(url, { statementTimeoutMs: 300 });
    const kms = new KMSClient({ store });
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    // Another session holds the lock that transaction() takes.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(${TRANSACTION_LOCK})`);
      const err = await caught(kms.send(new CreateAliasCommand({ AliasName: 'alias/late', TargetKeyId: keyId })));
      expect(err).toBeInstanceOf(DependencyTimeoutException);
      expect((err as KMSServiceException).$metadata.httpStatusCode).toBe(503);
      await holder.query(`SELECT pg_advisory_unlock(${TRANSACTION_LOCK})`);
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/late', TargetKeyId: keyId }));
    } finally {
      await holder.end();
    }
  });

  it('open of a database that does not exist says so', async () => {
    const err = await caught(PostgresKeyStore.open(server.url.replace(/\/postgres$/, '/no_such_db')));
    expect(err).toBeInstanceOf(KMSInternalException);
    expect((err as Error).message).toMatch(/database "no_such_db" does not exist/);
  });

  it('open against a port where no server listens rejects with KMSInternalException, without the URL', async () => {
    await server.pgCtl('stop');
    try {
      const err = await caught(
        PostgresKeyStore.open(server.url.replace('postgres@', 'postgres:hunter2@'), { connectTimeoutMs: 1000 }),
      );
      expect(err).toBeInstanceOf(KMSInternalException);
      // The reason is given to the operator; the password is not.
      expect((err as Error).message).toMatch(/ECONNREFUSED/);
      expect((err as Error).message).not.toContain('hunter2');
    } finally {
      await server.pgCtl('start');
    }
  });
});
