// The custom key store lifecycle: ConnectCustomKeyStore, DisconnectCustomKeyStore,
// UpdateCustomKeyStore and DeleteCustomKeyStore through KMSClient, the HTTP endpoint with the real
// SDK and the CLI; the keys of a disconnected store (Unavailable); the stores' deleteCustomKeyStore.

import { afterAll, describe, it, expect } from 'vitest';
import { MemoryKeyStore, type CustomKeyStoreRecord, type KeyStore } from '../../src/kms/index.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { removeTempDirs, tempDir } from '../helpers/file-store.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

afterAll(removeTempDirs);

function cksRecord(id: string, name: string): CustomKeyStoreRecord {
  return {
    customKeyStoreId: id,
    account: ACCOUNT,
    region: REGION,
    customKeyStoreName: name,
    customKeyStoreType: 'AWS_CLOUDHSM',
    connectionState: 'DISCONNECTED',
    creationDate: new Date(1_700_000_000_000),
    cloudHsmClusterId: `cluster-${name}`,
  };
}

describe('KeyStore.deleteCustomKeyStore', () => {
  const check = async (store: KeyStore) => {
    const ids = ['cks-00000000000000001', 'cks-00000000000000002', 'cks-00000000000000003'];
    for (const [i, id] of ids.entries()) await store.putCustomKeyStore!(cksRecord(id, `s${i}`));
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, ids[1]!)).toBe(true);
    expect(await store.deleteCustomKeyStore!(ACCOUNT, REGION, ids[1]!)).toBe(false);
    // Another account or Region holds no such record.
    expect(await store.deleteCustomKeyStore!('444455556666', REGION, ids[0]!)).toBe(false);
    expect(await store.deleteCustomKeyStore!(ACCOUNT, 'us-west-2', ids[0]!)).toBe(false);
    expect(await store.getCustomKeyStore!(ACCOUNT, REGION, ids[1]!)).toBeUndefined();
    expect((await store.listCustomKeyStores!(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual([
      ids[0],
      ids[2],
    ]);
    // A store made afterwards comes last in creation order.
    await store.putCustomKeyStore!(cksRecord('cks-00000000000000000', 's9'));
    expect((await store.listCustomKeyStores!(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual([
      ids[0],
      ids[2],
      'cks-00000000000000000',
    ]);
  };

  it('MemoryKeyStore: removes the record of its account and Region only', async () => {
    await check(new MemoryKeyStore());
  });

  it('FileKeyStore: removes the record file, and the deletion survives reopening', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    await check(store);
    await store.close();
    const again = await FileKeyStore.open(dir);
    expect((await again.listCustomKeyStores(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual([
      'cks-00000000000000001',
      'cks-00000000000000003',
      'cks-00000000000000000',
    ]);
    expect(await again.deleteCustomKeyStore(ACCOUNT, REGION, 'cks-00000000000000002')).toBe(false);
    await again.close();
  });
});
