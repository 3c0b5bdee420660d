// GenerateRandom through KMSClient: lengths, custom key stores, Recipient.

import { describe, it, expect } from 'vitest';
import {
  KMSClient,
  MemoryKeyStore,
  ValidationException,
  UnsupportedOperationException,
  CustomKeyStoreNotFoundException,
  CustomKeyStoreInvalidStateException,
} from '../../src/kms/index.js';
import { GenerateRandomCommand } from '../../src/kms/registry.js';
import { rejection } from '../helpers/kms.js';
import { putCustomKeyStoreRecord } from '../helpers/records.js';

function client() {
  return new KMSClient({ store: new MemoryKeyStore() });
}

describe('GenerateRandom', () => {
  it('returns NumberOfBytes random bytes', async () => {
    const c = client();
    for (const n of [1, 16, 1024]) {
      const out = await c.send(new GenerateRandomCommand({ NumberOfBytes: n }));
      expect(out.Plaintext).toBeInstanceOf(Uint8Array);
      expect(out.Plaintext!.length).toBe(n);
    }
    const a = await c.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    const b = await c.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    expect(a.Plaintext).not.toEqual(b.Plaintext);
  });

  it('gives the recorded validation messages', async () => {
    const c = client();
    const missing = await rejection(c.send(new GenerateRandomCommand({})), ValidationException);
    expect(missing.message).toBe('NumberOfBytes is required.');
    const zero = await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), ValidationException);
    expect(zero.message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const big = await rejection(c.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), ValidationException);
    expect(big.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
  });

  it('CustomKeyStoreId: missing, external, disconnected, connected; a Recipient with a bad document', async () => {
    const store = new MemoryKeyStore();
    const c = new KMSClient({ store });
    const e = await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: 'cks-1234567890abcdef0' })),
      CustomKeyStoreNotFoundException,
    );
    expect(e.message).toContain('cks-1234567890abcdef0');
    // Custom key store records put straight into the store (the operations that create them are elsewhere).
    const base = { account: '111122223333', region: 'us-east-1' };
    await putCustomKeyStoreRecord(store, {
      ...base,
      id: 'cks-00000000000000001',
      name: 'hsm',
      type: 'AWS_CLOUDHSM',
      connectionState: 'CONNECTED',
    });
    await putCustomKeyStoreRecord(store, {
      ...base,
      id: 'cks-00000000000000002',
      name: 'xks',
      type: 'EXTERNAL_KEY_STORE',
      connectionState: 'CONNECTED',
    });
    await putCustomKeyStoreRecord(store, {
      ...base,
      id: 'cks-00000000000000003',
      name: 'off',
      type: 'AWS_CLOUDHSM',
      connectionState: 'DISCONNECTED',
    });
    const ok = await c.send(
      new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000001' }),
    );
    expect(ok.Plaintext!.length).toBe(24);
    await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000002' })),
      UnsupportedOperationException,
    );
    await rejection(
      c.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000003' })),
      CustomKeyStoreInvalidStateException,
    );
    // Another account's store is not found.
    const other = new KMSClient({ store, accountId: '444455556666' });
    await rejection(
      other.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: 'cks-00000000000000001' })),
      CustomKeyStoreNotFoundException,
    );
    // A KeyStore without custom key store methods.
    const plain = new KMSClient({
      store: {
        getKey: () => Promise.resolve(undefined),
        putKey: async () => {},
        listKeys: async () => [],
        getAlias: async () => undefined,
        putAlias: async () => {},
        deleteAlias: async () => false,
        listAliases: async () => [],
      },
    });
    await rejection(
      plain.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-00000000000000001' })),
      UnsupportedOperationException,
    );
    await rejection(
      c.send(
        new GenerateRandomCommand({
          NumberOfBytes: 16,
          Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(4) },
        }),
      ),
      ValidationException,
    );
  });
});
