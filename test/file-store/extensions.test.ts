// The extension fields of a key record (src/kms/records.ts: tags, policy, grants, rotations,
// imported material, import parameters, multi-Region links, last use) through the file store's
// generic codec and the memory store's copies: every value comes back equal, Dates as Dates, the
// secrets (the wrapping private key of a pending import, the key's grant token secret) sealed on
// disk and wiped with the record.
import { describe, it, expect, afterAll } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { MemoryKeyStore, wipeRecord } from '../../src/kms/store.js';
import { EXTENSION_FIELDS } from '../../src/kms/records.js';
import {
  ACCOUNT,
  REGION,
  tempDir,
  removeTempDirs,
  fullKey,
  withExtensions as keyWithExtensions,
} from '../helpers/file-store.js';

afterAll(removeTempDirs);

const SECRET = new Uint8Array(randomBytes(48));
const GRANT_SECRET = new Uint8Array(randomBytes(32));

const withExtensions = () => keyWithExtensions(SECRET, GRANT_SECRET);

describe('key record extensions', () => {
  for (const sealed of [false, true]) {
    it(`round-trip through the ${sealed ? 'sealed' : 'unsealed'} file store, the secret sealed on disk when the store is`, async () => {
      const dir = await tempDir();
      const store = await FileKeyStore.open(dir, sealed ? { masterKey: new Uint8Array(randomBytes(32)) } : {});
      const record = withExtensions();
      await store.putKey(record);
      const got = await store.getKey(ACCOUNT, REGION, record.keyId);
      for (const f of EXTENSION_FIELDS) expect(got![f], f).toEqual(record[f]);
      expect(got!.grants![0].creationDate).toBeInstanceOf(Date);
      const text = await readFile(join(dir, ACCOUNT, REGION, 'keys', `${record.keyId}.json`), 'utf8');
      // The secrets are on disk in base64 only in an unsealed store.
      for (const secret of [SECRET, GRANT_SECRET]) {
        expect(text.includes(Buffer.from(secret).toString('base64'))).toBe(!sealed);
      }
      wipeRecord(got!);
      expect(got!.importParameters!.privateKey.every((b) => b === 0)).toBe(true);
      expect(got!.grantTokenKey!.every((b) => b === 0)).toBe(true);
      await store.close();
    });
  }

  it('a sealed secret moved to another field does not open', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const store = await FileKeyStore.open(dir, { masterKey });
    const record = withExtensions();
    await store.putKey(record);
    await store.close();
    const file = join(dir, ACCOUNT, REGION, 'keys', `${record.keyId}.json`);
    const json = JSON.parse(await readFile(file, 'utf8'));
    // The sealed wrapping key put where the public key was.
    json.record.importParameters.publicKey = json.record.importParameters.privateKey;
    await writeFile(file, JSON.stringify(json));
    const reopened = await FileKeyStore.open(dir, { masterKey });
    await expect(reopened.getKey(ACCOUNT, REGION, record.keyId)).rejects.toThrow(/is not a valid store file/);
    await reopened.close();
  });

  it('refuses values it cannot keep', async () => {
    const store = await FileKeyStore.open(await tempDir());
    await expect(
      store.putKey({ ...fullKey(), tags: [{ key: 'k', value: Symbol('x') as unknown as string }] }),
    ).rejects.toThrow(/tags\/0\/value holds a value/);
    await expect(
      store.putKey({ ...fullKey(), lastUsage: { operation: 'x', timestamp: new Date(NaN) } }),
    ).rejects.toThrow(/lastUsage\/timestamp must be a valid Date/);
    await store.close();
  });

  it('the memory store hands out deep copies', async () => {
    const store = new MemoryKeyStore();
    const record = withExtensions();
    await store.putKey(record);
    record.tags![0].value = 'changed';
    record.importParameters!.privateKey.fill(0);
    const got = await store.getKey(ACCOUNT, REGION, record.keyId);
    expect(got!.tags![0].value).toBe('payments');
    expect(got!.importParameters!.privateKey).toEqual(SECRET);
    got!.grants![0].operations.push('Encrypt');
    expect((await store.getKey(ACCOUNT, REGION, record.keyId))!.grants![0].operations).toEqual([
      'Decrypt',
      'GenerateDataKeyPair',
    ]);
  });
});
