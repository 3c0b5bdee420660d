// The KeyStore contract (src/kms/store.ts), one suite run against every store the engine ships:
// MemoryKeyStore, FileKeyStore (sealed) and PostgresKeyStore (sealed, on a PostgreSQL started for
// the test). What the engine relies on from any store:
//   - a record read back equals the one written, every field (extension fields, Dates, bytes);
//   - reads hand out copies: changing or wiping one changes nothing stored, nor a later read;
//   - listings are per account and Region; a missing record is undefined, a missing deletion false;
//   - transaction(fn) runs read-modify-write steps with no other writer in between, also across
//     two store objects on the same storage (two endpoints), and store calls inside fn are served;
//   - the whole engine on top: KMSClient operations through two store objects on the same storage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  KMSClient,
  MemoryKeyStore,
  RotateKeyOnDemandCommand,
  type KeyStore,
} from '../src/kms/index.js';
import { wipeRecord, type AliasRecord, type CustomKeyStoreRecord, type KeyRecord } from '../src/kms/store.js';
import { FileKeyStore } from '../src/node/file-store/index.js';
import { PostgresKeyStore } from '../src/node/index.js';
import { ACCOUNT, REGION, fullKey, removeTempDirs, tempDir } from './helpers/file-store.js';
import { startPostgres, type RunningPostgres } from './helpers/postgres.js';

interface Storage {
  /** A store object on the storage; a second call gives a second object on the same storage (another endpoint). */
  open(): Promise<KeyStore>;
  close(): Promise<void>;
}

const MASTER = new Uint8Array(randomBytes(32));
let postgres: RunningPostgres | undefined;

async function memory(): Promise<Storage> {
  // One object is the storage: a second endpoint on it is the same object.
  const store = new MemoryKeyStore();
  return { open: async () => store, close: async () => {} };
}

async function file(): Promise<Storage> {
  const dir = await tempDir();
  return { open: () => FileKeyStore.open(dir, { masterKey: MASTER }), close: async () => {} };
}

async function pgStorage(): Promise<Storage> {
  postgres ??= await startPostgres();
  const url = await postgres.createDatabase();
  const opened: PostgresKeyStore[] = [];
  return {
    open: async () => {
      const s = await PostgresKeyStore.open(url, { masterKey: MASTER, poolSize: 4 });
      opened.push(s);
      return s;
    },
    close: async () => {
      for (const s of opened) await s.close();
    },
  };
}

afterAll(async () => {
  await removeTempDirs();
  await postgres?.stop();
});

function everyField(keyId = '1234abcd-12ab-34cd-56ef-1234567890ab'): KeyRecord {
  return {
    ...fullKey(keyId),
    tags: [{ key: 'Team', value: 'payments' }],
    policy: '{"Version":"2012-10-17","Statement":[]}',
    grants: [
      {
        grantId: 'ab'.repeat(32),
        granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/reader`,
        issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
        operations: ['Decrypt'],
        constraints: { encryptionContextEquals: { app: 'x' } },
        creationDate: new Date(1_700_000_123_456),
      },
    ],
    grantTokenKey: new Uint8Array(randomBytes(32)),
    rotations: [
      { keyMaterialId: 'cd'.repeat(32), rotationDate: new Date(1_700_100_000_000), rotationType: 'ON_DEMAND' },
    ],
    multiRegionConfiguration: { type: 'PRIMARY', primaryRegion: REGION, replicaRegions: ['eu-west-1'] },
    lastUsage: { operation: 'Decrypt', timestamp: new Date(1_700_000_500_000), kmsRequestId: 'r-1' },
  };
}

function alias(name: string, target: string, account = ACCOUNT, region = REGION): AliasRecord {
  return {
    aliasName: name,
    account,
    region,
    aliasArn: `arn:aws:kms:${region}:${account}:${name}`,
    targetKeyId: target,
    creationDate: new Date(1_700_000_000_000),
    lastUpdatedDate: new Date(1_700_000_001_000),
  };
}

function customKeyStore(id: string): CustomKeyStoreRecord {
  return {
    customKeyStoreId: id,
    account: ACCOUNT,
    region: REGION,
    customKeyStoreName: `name-${id}`,
    customKeyStoreType: 'AWS_CLOUDHSM',
    connectionState: 'DISCONNECTED',
    creationDate: new Date(1_700_000_000_000),
    cloudHsmClusterId: 'cluster-1234567890a',
    trustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  } as CustomKeyStoreRecord;
}

const STORES: [string, () => Promise<Storage>][] = [
  ['MemoryKeyStore', memory],
  ['FileKeyStore (sealed)', file],
  ['PostgresKeyStore (sealed)', pgStorage],
];

describe.each(STORES)('the KeyStore contract: %s', (_name, make) => {
  let storage: Storage;
  let store: KeyStore;
  beforeAll(async () => {
    storage = await make();
    store = await storage.open();
  }, 120_000);
  afterAll(async () => storage?.close());

  it('a key record comes back equal, every field; a missing one is undefined', async () => {
    const record = everyField('10000000-0000-4000-8000-000000000001');
    const expected = structuredClone(record);
    await store.putKey(record);
    expect(await store.getKey(ACCOUNT, REGION, record.keyId)).toEqual(expected);
    expect(await store.getKey(ACCOUNT, REGION, '10000000-0000-4000-8000-00000000ffff')).toBeUndefined();
    expect(await store.getKey(ACCOUNT, 'eu-west-1', record.keyId)).toBeUndefined();
    // Overwritten in place.
    await store.putKey({ ...structuredClone(expected), description: 'second' });
    expect((await store.getKey(ACCOUNT, REGION, record.keyId))?.description).toBe('second');
  });

  it('reads are copies: changing or wiping one changes nothing stored', async () => {
    const record = everyField('10000000-0000-4000-8000-000000000002');
    const expected = structuredClone(record);
    await store.putKey(record);
    // The record written is the caller's: wiping it after the write changes nothing stored.
    wipeRecord(record);
    const first = (await store.getKey(ACCOUNT, REGION, expected.keyId))!;
    expect(first).toEqual(expected);
    wipeRecord(first);
    first.description = 'changed';
    first.tags!.push({ key: 'x', value: 'y' });
    expect(await store.getKey(ACCOUNT, REGION, expected.keyId)).toEqual(expected);
    const listed = await store.listKeys(ACCOUNT, REGION);
    for (const k of listed) wipeRecord(k);
    expect(await store.getKey(ACCOUNT, REGION, expected.keyId)).toEqual(expected);
  });

  it('listKeys and listAliases are per account and Region', async () => {
    const other = { ...everyField('10000000-0000-4000-8000-000000000003'), account: '444455556666' };
    other.arn = `arn:aws:kms:${REGION}:444455556666:key/${other.keyId}`;
    const west = { ...everyField('10000000-0000-4000-8000-000000000004'), region: 'us-west-2' };
    west.arn = `arn:aws:kms:us-west-2:${ACCOUNT}:key/${west.keyId}`;
    await store.putKey(other);
    await store.putKey(west);
    const ids = (await store.listKeys(ACCOUNT, REGION)).map((k) => k.keyId);
    expect(ids).not.toContain(other.keyId);
    expect(ids).not.toContain(west.keyId);
    expect((await store.listKeys('444455556666', REGION)).map((k) => k.keyId)).toEqual([other.keyId]);
    expect((await store.listKeys(ACCOUNT, 'us-west-2')).map((k) => k.keyId)).toEqual([west.keyId]);

    await store.putAlias(alias('alias/contract-a', other.keyId, '444455556666'));
    await store.putAlias(alias('alias/contract-b', west.keyId, ACCOUNT, 'us-west-2'));
    expect((await store.listAliases('444455556666', REGION)).map((a) => a.aliasName)).toEqual(['alias/contract-a']);
    expect((await store.listAliases(ACCOUNT, 'us-west-2')).map((a) => a.aliasName)).toEqual(['alias/contract-b']);
  });

  it('aliases: put, get (a copy), overwrite, list, delete; deleting a missing alias is false', async () => {
    const a = alias('alias/contract-1', '10000000-0000-4000-8000-000000000001');
    await store.putAlias(structuredClone(a));
    const got = (await store.getAlias(ACCOUNT, REGION, a.aliasName))!;
    expect(got).toEqual(a);
    got.targetKeyId = 'changed';
    expect(await store.getAlias(ACCOUNT, REGION, a.aliasName)).toEqual(a);
    await store.putAlias({ ...a, targetKeyId: '10000000-0000-4000-8000-000000000002' });
    expect((await store.getAlias(ACCOUNT, REGION, a.aliasName))?.targetKeyId).toBe(
      '10000000-0000-4000-8000-000000000002',
    );
    expect((await store.listAliases(ACCOUNT, REGION)).map((x) => x.aliasName)).toContain(a.aliasName);
    expect(await store.deleteAlias(ACCOUNT, REGION, a.aliasName)).toBe(true);
    expect(await store.deleteAlias(ACCOUNT, REGION, a.aliasName)).toBe(false);
    expect(await store.getAlias(ACCOUNT, REGION, a.aliasName)).toBeUndefined();
  });

  it('custom key stores: put, get, list, delete', async () => {
    expect(store.putCustomKeyStore).toBeTypeOf('function');
    const c = customKeyStore('cks-0123456789abcdef0');
    await store.putCustomKeyStore!(structuredClone(c));
    expect(await store.getCustomKeyStore!(ACCOUNT, REGION, c.customKeyStoreId)).toEqual(c);
    expect((await store.listCustomKeyStores!(ACCOUNT, REGION)).map((x) => x.customKeyStoreId)).toContain(
      c.customKeyStoreId,
    );
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, c.customKeyStoreId)).toBe(true);
    expect(await store.getCustomKeyStore!(ACCOUNT, REGION, c.customKeyStoreId)).toBeUndefined();
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, c.customKeyStoreId)).toBe(false);
  });

  it('transaction: read-modify-write steps from two store objects on one storage lose nothing', async () => {
    const second = await storage.open();
    const id = '10000000-0000-4000-8000-000000000010';
    const base = everyField(id);
    base.description = '0';
    await store.putKey(base);
    const bump = (s: KeyStore) => async () => {
      const run = async () => {
        const k = (await s.getKey(ACCOUNT, REGION, id))!;
        // Let the other writer run in between if nothing stops it.
        await new Promise((r) => setTimeout(r, 1));
        k.description = String(Number(k.description) + 1);
        await s.putKey(k);
      };
      return s.transaction ? s.transaction(run) : run();
    };
    expect(store.transaction).toBeTypeOf('function');
    await Promise.all(Array.from({ length: 24 }, (_, i) => bump(i % 2 === 0 ? store : second)()));
    expect((await store.getKey(ACCOUNT, REGION, id))?.description).toBe('24');
    expect((await second.getKey(ACCOUNT, REGION, id))?.description).toBe('24');
  });

  it('the engine on top: keys, aliases and rotations made through one store object serve through another', async () => {
    const second = await storage.open();
    const one = new KMSClient({ store, accountId: '999988887777' });
    const two = new KMSClient({ store: second, accountId: '999988887777' });
    const key = (await one.send(new CreateKeyCommand({}))).KeyMetadata!;
    await one.send(new CreateAliasCommand({ AliasName: 'alias/contract-engine', TargetKeyId: key.KeyId }));
    const before = (
      await two.send(new EncryptCommand({ KeyId: 'alias/contract-engine', Plaintext: new Uint8Array([7]) }))
    ).CiphertextBlob!;
    await two.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const after = (await one.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array([8]) })))
      .CiphertextBlob!;
    expect([...(await one.send(new DecryptCommand({ CiphertextBlob: before }))).Plaintext!]).toEqual([7]);
    expect([...(await two.send(new DecryptCommand({ CiphertextBlob: after }))).Plaintext!]).toEqual([8]);
  });
});
