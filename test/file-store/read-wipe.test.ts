// The bytes of a record file read for a cached point read are wiped when the file fails to decode
// (in an unsealed store they hold plain key material): the read buffers are observed by wrapping
// readRecordFileSync, which every read of a record file goes through.
import { describe, it, expect, afterAll, beforeEach, vi } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, fullKey, alias } from '../helpers/file-store.js';

const reads = vi.hoisted(() => [] as Buffer[]);

vi.mock('../../src/node/file-store/atomic.js', async (importOriginal) => {
  const atomic = await importOriginal<typeof import('../../src/node/file-store/atomic.js')>();
  return {
    ...atomic,
    readRecordFileSync: (path: string): Buffer | undefined => {
      const b = atomic.readRecordFileSync(path);
      if (b !== undefined) reads.push(b);
      return b;
    },
  };
});

afterAll(removeTempDirs);
beforeEach(() => {
  reads.length = 0;
});

const keyFile = (dir: string, keyId: string): string => join(dir, ACCOUNT, REGION, 'keys', `${keyId}.json`);
const aliasFile = (dir: string, name: string): string =>
  join(dir, ACCOUNT, REGION, 'aliases', `${name.replace('/', '%2F')}.json`);
const zeroed = (b: Buffer): boolean => b.every((v) => v === 0);

/** Reads `keyId` through the cache, expecting a refusal, and returns the one buffer that read used. */
async function refusedRead(store: FileKeyStore, keyId: string, message: RegExp): Promise<Buffer> {
  reads.length = 0;
  await expect(store.getKey(ACCOUNT, REGION, keyId)).rejects.toThrow(message);
  expect(reads).toHaveLength(1);
  return reads[0];
}

describe('FileKeyStore cached reads of a file that does not decode', () => {
  it('wipe the file bytes in an unsealed store: not JSON, wrong kind, a bad record, a record in the wrong place', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const k = fullKey('k1');
    await store.putKey(k);
    const good = await readFile(keyFile(dir, 'k1'), 'utf8');
    // The file holds the key material in plain text: what must not be left behind.
    expect(good).toContain(Buffer.from(k.hmacKey!).toString('base64'));
    const json = JSON.parse(good) as { kind: string; record: Record<string, unknown> };

    // Each corruption written behind the store's back, with a generation change (a write of
    // another record) so that the read goes to disk and the cache is on for it.
    const cases: [string, string, RegExp][] = [
      ['k1', good.slice(0, -3), /not JSON/],
      ['k1', JSON.stringify({ ...json, kind: 'alias' }), /kind/],
      ['k1', JSON.stringify({ ...json, record: { ...json.record, keySpec: 7 } }), /keySpec/],
      ['k2', good, /belongs at/],
    ];
    for (const [i, [id, text, message]] of cases.entries()) {
      await store.putAlias(alias(`alias/bump${i}`, 'k1'));
      await writeFile(keyFile(dir, id), text);
      const buf = await refusedRead(store, id, message);
      expect(buf.length).toBeGreaterThan(0);
      expect(zeroed(buf)).toBe(true);
    }
    // A file that decodes is kept by the cache, unwiped, until it leaves it.
    await writeFile(keyFile(dir, 'k1'), good);
    await store.putAlias(alias('alias/last', 'k1'));
    reads.length = 0;
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toStrictEqual(k);
    expect(reads).toHaveLength(1);
    expect(zeroed(reads[0])).toBe(false);
    await store.close();
    expect(zeroed(reads[0])).toBe(true);
  });

  it('wipe the file bytes on a record MAC mismatch in a sealed store, and for aliases too', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { masterKey: new Uint8Array(32).fill(9) });
    await store.putKey(fullKey('k1'));
    const json = JSON.parse(await readFile(keyFile(dir, 'k1'), 'utf8')) as { record: Record<string, unknown> };
    await store.putAlias(alias('alias/a', 'k1'));
    await writeFile(keyFile(dir, 'k1'), JSON.stringify({ ...json, record: { ...json.record, description: 'x' } }));
    expect(zeroed(await refusedRead(store, 'k1', /record MAC does not match/))).toBe(true);

    const a = JSON.parse(await readFile(aliasFile(dir, 'alias/a'), 'utf8')) as { record: Record<string, unknown> };
    await writeFile(aliasFile(dir, 'alias/a'), JSON.stringify({ ...a, record: { ...a.record, targetKeyId: 'k2' } }));
    await store.putKey(fullKey('k3'));
    reads.length = 0;
    await expect(store.getAlias(ACCOUNT, REGION, 'alias/a')).rejects.toThrow(/record MAC does not match/);
    expect(reads).toHaveLength(1);
    expect(zeroed(reads[0])).toBe(true);
    await store.close();
  });
});
