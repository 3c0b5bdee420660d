// The file key store: corrupt and foreign content is refused, naming the file and leaving it unchanged.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import type { KeyRecord } from '../../src/kms/store.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, fullKey, minimalKey, alias } from '../helpers/file-store.js';
import { rejectionOf } from '../helpers/caught.js';

afterAll(removeTempDirs);

describe('FileKeyStore refuses corrupt and foreign content', () => {
  async function storeWithKeys(): Promise<{
    store: FileKeyStore;
    dir: string;
    keys: string;
    a: KeyRecord;
    b: KeyRecord;
  }> {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const a = fullKey('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
    const b = fullKey('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb');
    await store.putKey(a);
    await store.putKey(b);
    return { store, dir, keys: join(dir, ACCOUNT, REGION, 'keys'), a, b };
  }

  const cases: [string, (text: string, a: KeyRecord) => string, RegExp][] = [
    ['not JSON', (t) => t.slice(0, t.length / 2), /not JSON/],
    ['a JSON array', () => '[]', /is not a JSON object/],
    [
      'an unknown field',
      (t) => t.replace('"keySpec"', '"colour": "red", "keySpec"'),
      /record\.colour is not a known field/,
    ],
    [
      'a wrong type',
      (t) => t.replace('"multiRegion": true', '"multiRegion": "yes"'),
      /record\.multiRegion is not a boolean/,
    ],
    [
      'an unknown enum value',
      (t) => t.replace('"SYMMETRIC_DEFAULT"', '"SYMMETRIC_FANCY"'),
      /record\.keySpec has an unknown value/,
    ],
    [
      'a loose date',
      (t) => t.replace('2024-02-29T12:34:56.789Z', '2024-02-29'),
      /record\.creationDate is not an ISO-8601 date/,
    ],
    [
      'bad base64',
      (t, a) => t.replace(Buffer.from(a.hmacKey!).toString('base64'), '!!!!'),
      /record\.hmacKey is not base64/,
    ],
    ['the wrong kind', (t) => t.replace('"kind": "key"', '"kind": "alias"'), /kind is not "key"/],
    [
      'another record',
      (t, a) => t.split(a.keyId).join('cccccccc-cccc-4ccc-8ccc-cccccccccccc'),
      /its record belongs at .*cccccccc/,
    ],
  ];

  it.each(cases)(
    'a key file with %s: the error names the file, which is left untouched',
    async (_, corrupt, message) => {
      const { store, keys, a, b } = await storeWithKeys();
      const path = join(keys, `${a.keyId}.json`);
      const bad = corrupt(await readFile(path, 'utf8'), a);
      await writeFile(path, bad);
      // One call at a time: a second promise made up front could reject before it is awaited.
      for (const call of [() => store.getKey(ACCOUNT, REGION, a.keyId), () => store.listKeys(ACCOUNT, REGION)]) {
        const err = await rejectionOf(call());
        expect(err.message).toContain(path);
        expect(err.message).toMatch(message);
        expect(err.message).toMatch(/left unchanged/);
      }
      // Other records still read and write; the bad file is not rewritten or removed.
      expect(await store.getKey(ACCOUNT, REGION, b.keyId)).toStrictEqual(b);
      await store.putKey({ ...b, description: 'after' });
      await store.putAlias(alias('alias/after', b.keyId));
      expect(await readFile(path, 'utf8')).toBe(bad);
      await store.close();
    },
  );

  it('refuses a foreign file in a record directory, and a corrupt alias on delete', async () => {
    const { store, keys, dir } = await storeWithKeys();
    await writeFile(join(keys, 'README.txt'), 'hello');
    const err = await rejectionOf(store.listKeys(ACCOUNT, REGION));
    expect(err.message).toContain(join(keys, 'README.txt'));
    await store.putAlias(alias('alias/z', 'k'));
    const aliasPath = join(dir, ACCOUNT, REGION, 'aliases', 'alias%2Fz.json');
    await writeFile(aliasPath, '{"kind":"alias","record":{}}');
    expect((await rejectionOf(store.deleteAlias(ACCOUNT, REGION, 'alias/z'))).message).toContain(aliasPath);
    expect(await readFile(aliasPath, 'utf8')).toBe('{"kind":"alias","record":{}}');
    await store.close();
  });

  it('lists past dotfiles other tools leave in record directories (.DS_Store, swap files, .nfs silly renames)', async () => {
    const { store, keys, dir, a, b } = await storeWithKeys();
    await store.putAlias(alias('alias/x', a.keyId));
    const aliases = join(dir, ACCOUNT, REGION, 'aliases');
    for (const [d, n] of [
      [keys, '.DS_Store'],
      [keys, `.${a.keyId}.json.swp`],
      [aliases, '.nfs000000000123abcd00000001'],
    ] as const) {
      await writeFile(join(d, n), 'not a record');
    }
    expect((await store.listKeys(ACCOUNT, REGION)).map((k) => k.keyId).sort()).toEqual([a.keyId, b.keyId]);
    expect(await store.listAliases(ACCOUNT, REGION)).toStrictEqual([alias('alias/x', a.keyId)]);
    // A record's own file name never starts with a dot, so none is skipped: `.x` is `%2Ex`.
    await store.putAlias(alias('.x', a.keyId));
    expect((await store.listAliases(ACCOUNT, REGION)).map((x) => x.aliasName).sort()).toEqual(['.x', 'alias/x']);
    await store.close();
  });

  it('creates a store in a directory that holds only lost+found (a fresh volume mounted as the store)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'lost+found'), { mode: 0o700 });
    const store = await FileKeyStore.open(dir);
    await store.putKey(minimalKey('mrk-0000000000000000000000000000000f'));
    expect((await store.listKeys(ACCOUNT, REGION)).length).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.generation', ACCOUNT, 'lost+found', 'wasm-kms-store.json']);
    await store.close();
    // It is not a licence for anything else beside it.
    const other = await tempDir();
    await mkdir(join(other, 'lost+found'));
    await writeFile(join(other, 'notes.txt'), 'mine');
    expect((await rejectionOf(FileKeyStore.open(other))).message).toContain(join(other, 'notes.txt'));
  });

  it('refuses a directory that is not a store, and a marker it does not know, changing nothing', async () => {
    const foreign = await tempDir();
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    const err = await rejectionOf(FileKeyStore.open(foreign));
    expect(err.message).toMatch(/is not empty and has no wasm-kms-store\.json/);
    expect(err.message).toContain(join(foreign, 'notes.txt'));
    expect(await readdir(foreign)).toEqual(['notes.txt']);

    const dir = await tempDir();
    await (await FileKeyStore.open(dir)).close();
    const markerPath = join(dir, 'wasm-kms-store.json');
    const marker = JSON.parse(await readFile(markerPath, 'utf8'));
    const variants: [string, RegExp][] = [
      ['{"format": "wasm-kms file key store", "version"', /not JSON/],
      [JSON.stringify({ ...marker, format: 'something else' }), /is not a wasm-kms store marker/],
      [JSON.stringify({ ...marker, version: 2 }), /format version 2; this wasm-kms reads version 1 only/],
      [JSON.stringify({ ...marker, storeId: 'xyz' }), /storeId is not 32 lowercase hex/],
      [JSON.stringify({ ...marker, extra: 1 }), /extra is not a known field/],
    ];
    for (const [text, message] of variants) {
      await writeFile(markerPath, text);
      const e = await rejectionOf(FileKeyStore.open(dir));
      expect(e.message).toContain(markerPath);
      expect(e.message).toMatch(message);
      expect(await readFile(markerPath, 'utf8')).toBe(text);
    }

    const file = join(await tempDir(), 'a-file');
    await writeFile(file, 'x');
    await expect(FileKeyStore.open(file)).rejects.toThrow(/cannot create the store directory|is not a directory/);
  });
});
