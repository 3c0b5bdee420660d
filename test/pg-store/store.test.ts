// The PostgreSQL key store against a real server (test/helpers/postgres.ts): schema migrations
// with several endpoints opening at once, the master key check, every KeyStore method (every
// extension field of a key record kept), transactions (routing, exclusion, rollback), alias
// uniqueness across two store objects racing CreateAlias, no key material in a dump of the
// database, and a changed row refused by its record MAC.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresKeyStore } from '../../src/node/pg-store/index.js';
import { MasterKeyError, StoreCorruptError } from '../../src/node/file-store/index.js';
import { EXTENSION_FIELDS } from '../../src/kms/records.js';
import { wipeRecord, type CustomKeyStoreRecord, type KeyRecord } from '../../src/kms/store.js';
import {
  AlreadyExistsException,
  CreateAliasCommand,
  DependencyTimeoutException,
  CreateKeyCommand,
  KMSClient,
  KMSInternalException,
  ListAliasesCommand,
} from '../../src/kms/index.js';
import { sql, startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import {
  ACCOUNT,
  REGION,
  alias,
  fullKey,
  minimalKey,
  withExtensions as keyWithExtensions,
} from '../helpers/file-store.js';
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

async function open(url: string, options: Parameters<typeof PostgresKeyStore.open>[1] = {}) {
  const store = await PostgresKeyStore.open(url, options);
  opened.push(store);
  return store;
}

const SECRET = new Uint8Array(randomBytes(48));
const GRANT_SECRET = new Uint8Array(randomBytes(32));

const withExtensions = (keyId?: string) => keyWithExtensions(SECRET, GRANT_SECRET, keyId);

function cks(id: string, name: string): CustomKeyStoreRecord {
  return {
    customKeyStoreId: id,
    account: ACCOUNT,
    region: REGION,
    customKeyStoreName: name,
    customKeyStoreType: 'EXTERNAL_KEY_STORE',
    connectionState: 'DISCONNECTED',
    creationDate: new Date(1_700_000_000_000),
    xksProxyConfiguration: { Connectivity: 'PUBLIC_ENDPOINT', UriEndpoint: 'https://xks.example', UriPath: '/kms' },
  };
}

describe('PostgresKeyStore: opening', () => {
  it('five endpoints opening a new database at once all succeed; the migration is applied once, one marker', async () => {
    const url = await server.createDatabase();
    const masterKey = new Uint8Array(randomBytes(32));
    const stores = await Promise.all(Array.from({ length: 5 }, () => open(url, { masterKey })));
    expect(stores).toHaveLength(5);
    const migrations = await sql<{ version: number }>(url, 'SELECT version FROM wasm_kms_schema_migrations');
    expect(migrations.map((m) => m.version)).toEqual([1]);
    const markers = await sql(url, "SELECT id FROM wasm_kms_records WHERE kind = 'marker'");
    expect(markers).toHaveLength(1);
    // What one writes, another reads: they share the store id (the sealing keys derive from it).
    const key = fullKey();
    await stores[0].putKey(key);
    const got = await stores[4].getKey(ACCOUNT, REGION, key.keyId);
    expect(got!.keyMaterials).toEqual(key.keyMaterials);
    for (const s of stores) await s.close();
  });

  it('refuses a wrong master key, a missing one, and one given to an unsealed store', async () => {
    const sealedUrl = await server.createDatabase();
    const masterKey = new Uint8Array(randomBytes(32));
    await (await open(sealedUrl, { masterKey })).close();
    const wrong = await caught(PostgresKeyStore.open(sealedUrl, { masterKey: new Uint8Array(randomBytes(32)) }));
    expect(wrong).toBeInstanceOf(MasterKeyError);
    expect((wrong as MasterKeyError).code).toBe('MASTER_KEY_WRONG');
    const missing = await caught(PostgresKeyStore.open(sealedUrl));
    expect((missing as MasterKeyError).code).toBe('MASTER_KEY_MISSING');
    const plainUrl = await server.createDatabase();
    await (await open(plainUrl)).close();
    const unexpected = await caught(PostgresKeyStore.open(plainUrl, { masterKey }));
    expect((unexpected as MasterKeyError).code).toBe('MASTER_KEY_UNEXPECTED');
    // The right key still opens it.
    await (await open(sealedUrl, { masterKey })).close();
  });

  it('a user that may only read and write the tables opens a store made by another', async () => {
    const url = await server.createDatabase();
    await (await open(url)).close();
    const role = `kms_rw_${Date.now()}`;
    await sql(url, `CREATE ROLE ${role} LOGIN`);
    await sql(url, `GRANT SELECT, INSERT, UPDATE, DELETE ON wasm_kms_records, wasm_kms_schema_migrations TO ${role}`);
    const limited = await open(url.replace('postgres@', `${role}@`));
    await limited.putKey(minimalKey('by-limited-user'));
    expect(await limited.getKey(ACCOUNT, REGION, 'by-limited-user')).toBeDefined();
    // It could not have made the store: PostgreSQL 15 gives no one CREATE in public by default.
    const fresh = await server.createDatabase();
    await sql(fresh, `CREATE ROLE ${role}_b LOGIN`);
    const err = await caught(PostgresKeyStore.open(fresh.replace('postgres@', `${role}_b@`)));
    expect((err as Error).message).toMatch(/permission denied/);
  });

  it('refuses a database whose schema is newer than this wasm-kms', async () => {
    const url = await server.createDatabase();
    await (await open(url)).close();
    await sql(url, "INSERT INTO wasm_kms_schema_migrations (version, name) VALUES (999, 'future')");
    const err = await caught(PostgresKeyStore.open(url));
    expect((err as { code?: string }).code).toBe('STORE_VERSION');
  });

  it('a closed store refuses further use; close() lets the transaction under way finish', async () => {
    const url = await server.createDatabase();
    const store = await open(url, { cache: false });
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const running = store.transaction(async () => {
      entered();
      await new Promise((r) => setTimeout(r, 50));
      await store.putKey(minimalKey('written-while-closing'));
      return 'finished';
    });
    await inside;
    const closing = store.close();
    await expect(store.getKey(ACCOUNT, REGION, 'x')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(await running).toBe('finished');
    await closing;
    await expect(store.transaction(async () => undefined)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    const reopened = await open(url);
    expect(await reopened.getKey(ACCOUNT, REGION, 'written-while-closing')).toBeDefined();
  });
});

describe('PostgresKeyStore: records', () => {
  for (const sealed of [true, false]) {
    it(`keys keep every field and extension (${sealed ? 'sealed' : 'unsealed'}); list, replace`, async () => {
      const url = await server.createDatabase();
      const options = sealed ? { masterKey: new Uint8Array(randomBytes(32)) } : {};
      const store = await open(url, options);
      const full = withExtensions();
      const minimal = minimalKey('0000aaaa-12ab-34cd-56ef-1234567890ab');
      await store.putKey(full);
      await store.putKey(minimal);
      // Read back through a second store object without a cache: every read goes to the database
      // (the cache across endpoints is cache.test.ts's).
      const other = await open(url, { ...options, cache: false });
      const got = await other.getKey(ACCOUNT, REGION, full.keyId);
      expect(got).toEqual(full);
      for (const f of EXTENSION_FIELDS) expect(got![f], f).toEqual(full[f]);
      expect(got!.grants![0].creationDate).toBeInstanceOf(Date);
      expect(await other.getKey(ACCOUNT, REGION, minimal.keyId)).toEqual(minimal);
      expect(await other.getKey(ACCOUNT, REGION, 'no-such-key')).toBeUndefined();
      expect(await other.getKey(ACCOUNT, 'eu-west-1', full.keyId)).toBeUndefined();
      expect((await other.listKeys(ACCOUNT, REGION)).map((k) => k.keyId)).toEqual([minimal.keyId, full.keyId]);
      expect(await other.listKeys(ACCOUNT, 'eu-west-1')).toEqual([]);
      // A returned record is the caller's: wiping it changes nothing stored.
      wipeRecord(got!);
      expect((await other.getKey(ACCOUNT, REGION, full.keyId))!.keyMaterials).toEqual(full.keyMaterials);
      await store.putKey({ ...minimal, description: 'replaced' });
      expect((await other.getKey(ACCOUNT, REGION, minimal.keyId))!.description).toBe('replaced');
      const versions = await sql<{ version: string }>(url, 'SELECT version FROM wasm_kms_records WHERE id = $1', [
        minimal.keyId,
      ]);
      expect(versions).toEqual([{ version: '2' }]);
    });
  }

  it('refuses a record it cannot keep, as the file store does', async () => {
    const store = await open(await server.createDatabase());
    await expect(store.putKey({ ...minimalKey('k'), unknownField: 1 } as unknown as KeyRecord)).rejects.toThrow(
      /unknownField/,
    );
    expect(await store.getKey(ACCOUNT, REGION, 'k')).toBeUndefined();
  });

  it('aliases: put, get, replace, list, delete', async () => {
    const store = await open(await server.createDatabase());
    await store.putAlias(alias('alias/b', 'key-1'));
    await store.putAlias(alias('alias/a', 'key-1'));
    await store.putAlias(alias('alias/a', 'key-2', 'eu-west-1'));
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/a')).toEqual(alias('alias/a', 'key-1'));
    await store.putAlias({ ...alias('alias/a', 'key-3'), lastUpdatedDate: new Date(1_800_000_000_000) });
    expect((await store.getAlias(ACCOUNT, REGION, 'alias/a'))!.targetKeyId).toBe('key-3');
    expect((await store.listAliases(ACCOUNT, REGION)).map((a) => a.aliasName)).toEqual(['alias/a', 'alias/b']);
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/a')).toBe(true);
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/a')).toBe(false);
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/a')).toBeUndefined();
    expect((await store.listAliases(ACCOUNT, REGION)).map((a) => a.aliasName)).toEqual(['alias/b']);
    expect((await store.listAliases(ACCOUNT, 'eu-west-1')).map((a) => a.targetKeyId)).toEqual(['key-2']);
  });

  it('custom key stores: creation order survives replacement; delete', async () => {
    const store = await open(await server.createDatabase(), { masterKey: new Uint8Array(randomBytes(32)) });
    await store.putCustomKeyStore!(cks('cks-2222222222222222a', 'second-id-first'));
    await store.putCustomKeyStore!(cks('cks-1111111111111111a', 'first-id-second'));
    await store.putCustomKeyStore!({ ...cks('cks-2222222222222222a', 'renamed'), connectionState: 'CONNECTED' });
    const list = await store.listCustomKeyStores!(ACCOUNT, REGION);
    expect(list.map((c) => c.customKeyStoreName)).toEqual(['renamed', 'first-id-second']);
    expect(await store.getCustomKeyStore!(ACCOUNT, REGION, 'cks-1111111111111111a')).toEqual(
      cks('cks-1111111111111111a', 'first-id-second'),
    );
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, 'cks-2222222222222222a')).toBe(true);
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, 'cks-2222222222222222a')).toBe(false);
    expect(await store.getCustomKeyStore!(ACCOUNT, REGION, 'cks-2222222222222222a')).toBeUndefined();
    expect((await store.listCustomKeyStores!(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual([
      'cks-1111111111111111a',
    ]);
  });
});

describe('PostgresKeyStore: transactions', () => {
  it('store calls inside fn join the transaction; a throw rolls its writes back', async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    const err = await caught(
      store.transaction(async () => {
        await store.putKey(minimalKey('rolled-back'));
        // Seen inside, on the transaction's connection...
        expect(await store.getKey(ACCOUNT, REGION, 'rolled-back')).toBeDefined();
        // ...but not by a connection outside it.
        expect(await sql(url, "SELECT id FROM wasm_kms_records WHERE id = 'rolled-back'")).toEqual([]);
        throw new Error('changed my mind');
      }),
    );
    expect((err as Error).message).toBe('changed my mind');
    expect(await store.getKey(ACCOUNT, REGION, 'rolled-back')).toBeUndefined();
    const kept = await store.transaction(async () => {
      await store.transaction(async () => store.putKey(minimalKey('kept')));
      return 'done';
    });
    expect(kept).toBe('done');
    expect(await store.getKey(ACCOUNT, REGION, 'kept')).toBeDefined();
  });

  it('a statement that failed inside fn fails the transaction, even when fn caught it: nothing is acknowledged', async () => {
    const url = await server.createDatabase();
    const store = await open(url, { statementTimeoutMs: 1000 });
    await store.putKey(minimalKey('row-locked'));
    // Another session holds the row: writing it runs out of statement time, and the transaction is aborted.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    let err: unknown;
    try {
      await holder.query("BEGIN; SELECT 1 FROM wasm_kms_records WHERE id = 'row-locked' FOR UPDATE");
      err = await caught(
        store.transaction(async () => {
          await store.putKey(minimalKey('lost-unless-refused'));
          expect(await caught(store.putKey({ ...minimalKey('row-locked'), description: 'x' }))).toBeInstanceOf(
            DependencyTimeoutException,
          );
          return 'fn carried on';
        }),
      );
    } finally {
      await holder.end();
    }
    expect(err).toBeInstanceOf(KMSInternalException);
    expect(await store.getKey(ACCOUNT, REGION, 'lost-unless-refused')).toBeUndefined();
    // The store is usable afterwards.
    await store.transaction(async () => store.putKey(minimalKey('after')));
    expect(await store.getKey(ACCOUNT, REGION, 'after')).toBeDefined();
  });

  it('transactions of two store objects on one database do not interleave', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    const b = await open(url);
    await a.putKey({ ...minimalKey('counter'), description: '0' });
    const increment = (s: PostgresKeyStore) =>
      s.transaction(async () => {
        const k = (await s.getKey(ACCOUNT, REGION, 'counter'))!;
        await new Promise((r) => setTimeout(r, 2));
        await s.putKey({ ...k, description: String(Number(k.description) + 1) });
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 === 0 ? a : b)));
    expect((await a.getKey(ACCOUNT, REGION, 'counter'))!.description).toBe('20');
  });

  it("a store's transactions queue in the process: waiting ones hold no connection, reads are not starved", async () => {
    // A read that finds no free connection fails after 1 s instead of waiting for one.
    const store = await open(await server.createDatabase(), { poolSize: 2, cache: false, connectTimeoutMs: 1000 });
    await store.putKey(minimalKey('read-me'));
    // Both connections open already.
    await Promise.all([0, 1].map(() => store.getKey(ACCOUNT, REGION, 'read-me')));
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const first = new Promise<void>((r) => (entered = r));
    const transactions = Array.from({ length: 8 }, (_, i) =>
      store.transaction(async () => {
        await store.getKey(ACCOUNT, REGION, 'read-me');
        if (i === 0) entered();
        await gate;
        events.push(`tx${i}`);
      }),
    );
    // The first transaction holds a connection and the lock; seven wait behind it.
    await first;
    // With each transaction taking a pooled connection as it starts, the other connection would
    // be held by the second transaction waiting for the lock, and the reads would find none.
    for (let i = 0; i < 5; i++) {
      expect(await store.getKey(ACCOUNT, REGION, 'read-me')).toBeDefined();
      events.push(`read${i}`);
    }
    release();
    await Promise.all(transactions);
    expect(events).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `read${i}`),
      ...Array.from({ length: 8 }, (_, i) => `tx${i}`),
    ]);
  });

  it('two store objects racing CreateAlias for the same names through KMSClient: exactly one wins each', async () => {
    const url = await server.createDatabase();
    const a = new KMSClient({ store: await open(url) });
    const b = new KMSClient({ store: await open(url) });
    const key = (await a.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const names = Array.from({ length: 8 }, (_, i) => `alias/race-${i}`);
    const results = await Promise.allSettled(
      names.flatMap((name) => [a, b].map((c) => c.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key })))),
    );
    for (let i = 0; i < names.length; i++) {
      const pair = results.slice(2 * i, 2 * i + 2);
      expect(pair.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = pair.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(AlreadyExistsException);
    }
    const listed = (await b.send(new ListAliasesCommand({}))).Aliases!.map((x) => x.AliasName);
    for (const name of names) expect(listed).toContain(name);
  });
});

describe('PostgresKeyStore: what the database holds', () => {
  it('a dump of a sealed store holds no key material; of an unsealed one it does (the search works)', async () => {
    for (const sealed of [true, false]) {
      const url = await server.createDatabase();
      const store = await open(url, sealed ? { masterKey: new Uint8Array(randomBytes(32)) } : {});
      const symmetric = fullKey('dump-symmetric');
      await store.putKey(symmetric);
      const asymmetric = {
        ...fullKey('dump-asymmetric'),
        keySpec: 'ECC_NIST_P256' as const,
        keyUsage: 'SIGN_VERIFY' as const,
      };
      await store.putKey(asymmetric);
      const dbName = new URL(url).pathname.slice(1);
      const dump = await server.runTool('pg_dump', ['--data-only', dbName]);
      expect(dump).toContain('wasm_kms_records');
      const secrets = [symmetric.keyMaterials[0].material, asymmetric.keyPair!.privateKey, symmetric.hmacKey!];
      for (const secret of secrets) {
        const b = Buffer.from(secret);
        const forms = [b.toString('hex'), b.toString('base64'), Buffer.from(b.toString('base64')).toString('hex')];
        // bytea is dumped as hex of the body's bytes, so base64 of the key appears as hex of that text.
        expect(forms.some((f) => dump.includes(f))).toBe(!sealed);
      }
    }
  });

  it('a row changed outside wasm-kms is refused by its record MAC; so is a row moved to another id', async () => {
    const url = await server.createDatabase();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await open(url, { masterKey, cache: false });
    const key = fullKey('tampered');
    await store.putKey({ ...key, description: 'original text' });
    await store.putKey(fullKey('other'));
    expect((await store.getKey(ACCOUNT, REGION, 'tampered'))!.description).toBe('original text');
    // One byte changed: 'o' -> 'O' in the description.
    await sql(
      url,
      `UPDATE wasm_kms_records SET body = set_byte(body, position('original text'::bytea in body) - 1, 79) WHERE id = 'tampered'`,
    );
    const err = await caught(store.getKey(ACCOUNT, REGION, 'tampered'));
    expect(err).toBeInstanceOf(StoreCorruptError);
    expect((err as Error).message).toMatch(/record MAC does not match/);
    await expect(store.listKeys(ACCOUNT, REGION)).rejects.toBeInstanceOf(StoreCorruptError);
    // A valid row copied over another record's id: its MAC holds, but it names another key.
    await sql(
      url,
      `UPDATE wasm_kms_records SET body = (SELECT body FROM wasm_kms_records WHERE id = 'other') WHERE id = 'tampered'`,
    );
    const moved = await caught(store.getKey(ACCOUNT, REGION, 'tampered'));
    expect(moved).toBeInstanceOf(StoreCorruptError);
    expect((moved as Error).message).toMatch(/belongs to another row/);
  });
});
