// The file key store: exact round trips of keys, aliases and custom key stores; refused records; file modes.
import { describe, it, expect, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import type { CustomKeyStoreRecord, KeyRecord } from '../../src/kms/store.js';
import {
  ACCOUNT,
  write,
  REGION,
  tempDir,
  removeTempDirs,
  walk,
  fullKey,
  minimalKey,
  alias,
  OPTIONAL_KEY_FIELDS,
} from '../helpers/file-store.js';
import { rejectionOf } from '../helpers/caught.js';

afterAll(removeTempDirs);

describe('FileKeyStore records', () => {
  for (const sealed of [false, true]) {
    it(`round-trips every field exactly (${sealed ? 'sealed' : 'unsealed'})`, async () => {
      const dir = await tempDir();
      const masterKey = sealed ? new Uint8Array(randomBytes(32)) : undefined;
      const store = await FileKeyStore.open(dir, { masterKey });
      const full = fullKey();
      const min = minimalKey('mrk-0123456789abcdef0123456789abcdef');
      await store.putKey(full);
      await store.putKey(min);

      const again = await FileKeyStore.open(dir, { masterKey });
      const gotFull = await again.getKey(ACCOUNT, REGION, full.keyId);
      expect(gotFull).toStrictEqual(full);
      expect(gotFull!.creationDate).toBeInstanceOf(Date);
      expect(gotFull!.keyMaterials[0].material).toBeInstanceOf(Uint8Array);
      const gotMin = await again.getKey(ACCOUNT, REGION, min.keyId);
      expect(gotMin).toStrictEqual(min);
      // Absent stays absent (not null, not undefined-valued).
      for (const f of OPTIONAL_KEY_FIELDS) expect(Object.keys(gotMin!)).not.toContain(f);
      expect(Object.keys(gotFull!).sort()).toEqual(Object.keys(full).sort());

      // A record with an optional field explicitly undefined reads back without it.
      await again.putKey({ ...min, keyId: 'mrk-ffffffffffffffffffffffffffffffff', deletionDate: undefined });
      expect(Object.keys((await again.getKey(ACCOUNT, REGION, 'mrk-ffffffffffffffffffffffffffffffff'))!)).not.toContain(
        'deletionDate',
      );

      // Replacement, copies the caller owns.
      const changed = { ...full, keyState: 'Enabled' as const, description: 'changed' };
      delete changed.deletionDate;
      delete changed.pendingWindowInDays;
      await again.putKey(changed);
      const gotChanged = await store.getKey(ACCOUNT, REGION, full.keyId);
      expect(gotChanged).toStrictEqual(changed);
      gotChanged!.keyMaterials[0].material.fill(0);
      gotChanged!.creationDate.setTime(0);
      expect(await store.getKey(ACCOUNT, REGION, full.keyId)).toStrictEqual(changed);

      expect((await store.listKeys(ACCOUNT, REGION)).map((k) => k.keyId).sort()).toEqual(
        [full.keyId, min.keyId, 'mrk-ffffffffffffffffffffffffffffffff'].sort(),
      );
      expect(await store.listKeys(ACCOUNT, 'eu-west-1')).toEqual([]);
      expect(await store.listKeys('444455556666', REGION)).toEqual([]);
      expect(await store.getKey(ACCOUNT, 'eu-west-1', full.keyId)).toBeUndefined();
      await store.close();
      await again.close();
    });
  }

  it('keeps aliases apart by exact name (case, slashes, dots, non-ASCII, very long) and deletes them', async () => {
    const store = await FileKeyStore.open(await tempDir());
    const names = [
      'alias/prod',
      'alias/Prod',
      'alias/PROD',
      'alias/a/b',
      'alias/a%2Fb',
      'alias/..',
      'alias/.',
      'alias/a.b',
      'alias/ключ',
      'alias/' + 'x'.repeat(250),
      'alias/' + 'x'.repeat(249) + 'X',
      '',
      'alias/%',
      'alias/%25',
    ];
    for (const [i, n] of names.entries()) await store.putAlias(alias(n, `key-${i}`));
    for (const [i, n] of names.entries())
      expect(await store.getAlias(ACCOUNT, REGION, n)).toStrictEqual(alias(n, `key-${i}`));
    expect((await store.listAliases(ACCOUNT, REGION)).map((a) => a.aliasName).sort()).toEqual([...names].sort());
    // Nothing escaped the store's directory tree.
    for (const f of await walk(store.dir)) expect(resolve(f.path).startsWith(store.dir)).toBe(true);

    await store.putAlias({ ...alias('alias/Prod', 'other'), lastUpdatedDate: new Date(1_800_000_000_000) });
    expect((await store.getAlias(ACCOUNT, REGION, 'alias/Prod'))!.targetKeyId).toBe('other');
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/Prod')).toBe(true);
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/Prod')).toBe(false);
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/Prod')).toBeUndefined();
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/prod')).toStrictEqual(alias('alias/prod', 'key-0'));
    expect(await store.listAliases(ACCOUNT, REGION)).toHaveLength(names.length - 1);
    await store.close();
  });

  it('round-trips custom key stores and lists them in creation order, replacement keeping the place', async () => {
    const store = await FileKeyStore.open(await tempDir());
    const made: CustomKeyStoreRecord[] = [];
    // Ids in descending order, same creation time: only the store's own sequence gives the order.
    for (let i = 0; i < 5; i++) {
      const w = write(REGION, 'cks', 10 * (5 - i) + 9);
      const r = { ...(w.record as CustomKeyStoreRecord), creationDate: new Date(1_700_000_000_000) };
      await store.putCustomKeyStore(r);
      made.push(r);
    }
    expect(made.some((c) => c.xksProxyConfiguration !== undefined)).toBe(true);
    expect(made.some((c) => c.trustAnchorCertificate !== undefined)).toBe(true);
    const again = await FileKeyStore.open(store.dir);
    expect(await again.listCustomKeyStores(ACCOUNT, REGION)).toStrictEqual(made);
    const replaced = { ...made[1], connectionState: 'DISCONNECTED' as const };
    await again.putCustomKeyStore(replaced);
    expect(await store.getCustomKeyStore(ACCOUNT, REGION, made[1].customKeyStoreId)).toStrictEqual(replaced);
    expect((await store.listCustomKeyStores(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual(
      made.map((c) => c.customKeyStoreId),
    );
    expect(await store.getCustomKeyStore(ACCOUNT, REGION, 'cks-00000000000000000')).toBeUndefined();
    await store.close();
    await again.close();
  });

  it('refuses records it could not store faithfully, writing nothing', async () => {
    const store = await FileKeyStore.open(await tempDir());
    const bad: [unknown, RegExp][] = [
      [{ ...fullKey(), creationDate: new Date(NaN) }, /creationDate must be a valid Date/],
      [{ ...fullKey(), keySpec: 'AES_999' }, /keySpec must be one of/],
      [{ ...fullKey(), hmacKey: [1, 2, 3] }, /hmacKey must be a Uint8Array/],
      [{ ...fullKey(), rotation: { days: 90 } }, /field rotation is not known/],
      [
        { ...fullKey(), keyMaterials: [{ id: 'x', material: 'secret' }] },
        /keyMaterials\[0\]\.material must be a Uint8Array/,
      ],
    ];
    for (const [record, message] of bad) {
      const err = await rejectionOf(store.putKey(record as KeyRecord));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(message);
    }
    expect(await store.listKeys(ACCOUNT, REGION)).toEqual([]);
    await store.close();
    await expect(store.getKey(ACCOUNT, REGION, 'x')).rejects.toThrow(/is closed/);
  });

  it('creates directories 0700 and files 0600 whatever the umask', async () => {
    const old = process.umask(0);
    try {
      const dir = join(await tempDir(), 'nested', 'store');
      const store = await FileKeyStore.open(dir, { masterKey: new Uint8Array(32).fill(7) });
      await store.putKey(fullKey());
      await store.putAlias(alias('alias/x', fullKey().keyId));
      await store.putCustomKeyStore(write(REGION, 'm', 9).record as CustomKeyStoreRecord);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dir, '..'))).mode & 0o777).toBe(0o700);
      const entries = await walk(dir);
      expect(entries.filter((e) => !e.dir).length).toBe(5); // marker, generation, three records, no lock left behind
      for (const e of entries) expect([e.path, e.mode.toString(8)]).toEqual([e.path, e.dir ? '700' : '600']);
      await store.close();
    } finally {
      process.umask(old);
    }
  });
});
