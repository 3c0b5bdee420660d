// Store records the KMS tests put straight into a key store, for the states the operations
// under test cannot reach by themselves.
import type { KeyStore } from '../../src/kms/store.js';

/** A custom key store record put into `store` (its name is its id unless given). */
export async function putCustomKeyStoreRecord(
  store: KeyStore,
  r: { account: string; region: string; id: string; type: string; connectionState: string; name?: string },
): Promise<void> {
  const put = (
    store as unknown as { putCustomKeyStore: (r: Record<string, unknown>) => Promise<void> }
  ).putCustomKeyStore.bind(store);
  await put({
    account: r.account,
    region: r.region,
    creationDate: new Date(),
    customKeyStoreId: r.id,
    customKeyStoreName: r.name ?? r.id,
    customKeyStoreType: r.type,
    connectionState: r.connectionState,
  });
}
