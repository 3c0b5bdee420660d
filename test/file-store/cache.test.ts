// The file key store's record cache: point reads served from memory while the store's generation
// is unchanged, read from disk again once any writer (of any instance or process) has changed it,
// from disk while a write is in progress or a writer died in the middle of one, and bounded.
// Files are changed "behind the store's back" (by hand, without a generation change) to tell a
// read from the cache from a read from disk.
import { describe, it, expect, afterAll, afterEach, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { RecordCache } from '../../src/node/file-store/cache.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, minimalKey, fullKey, alias } from '../helpers/file-store.js';

afterAll(removeTempDirs);
afterEach(() => {
  vi.restoreAllMocks();
});

const DIST_STORE = fileURLToPath(new URL('../../dist/node/file-store/index.js', import.meta.url));

const keyFile = (dir: string, keyId: string): string => join(dir, ACCOUNT, REGION, 'keys', `${keyId}.json`);
const aliasFile = (dir: string, name: string): string =>
  join(dir, ACCOUNT, REGION, 'aliases', `${name.replace('/', '%2F')}.json`);

/** Writes a generation value into the store by hand, as a writer would (odd: a write in progress). */
async function setGeneration(dir: string, odd: boolean): Promise<void> {
  const v = Buffer.from('0123456789abcdef', 'hex');
  v[0] = odd ? 0x01 : 0x02;
  v[7] = Math.floor(Math.random() * 256);
  await writeFile(join(dir, '.generation'), v);
}

const isOdd = async (dir: string): Promise<boolean> => ((await readFile(join(dir, '.generation')))[0] & 1) === 1;

describe('FileKeyStore record cache', () => {
  it('serves repeated point reads from memory, and reads anew once another instance has written', async () => {
    const dir = await tempDir();
    const reader = await FileKeyStore.open(dir);
    const writer = await FileKeyStore.open(dir);
    await writer.putKey(minimalKey('k1'));
    await writer.putAlias(alias('alias/a', 'k1'));
    expect((await reader.getKey(ACCOUNT, REGION, 'k1'))?.keyId).toBe('k1');
    expect((await reader.getAlias(ACCOUNT, REGION, 'alias/a'))?.targetKeyId).toBe('k1');
    // Removed and edited behind the store's back: the cache still answers.
    await unlink(keyFile(dir, 'k1'));
    const a = JSON.parse(await readFile(aliasFile(dir, 'alias/a'), 'utf8'));
    a.record.targetKeyId = 'k-edited';
    await writeFile(aliasFile(dir, 'alias/a'), JSON.stringify(a));
    expect((await reader.getKey(ACCOUNT, REGION, 'k1'))?.keyId).toBe('k1');
    expect((await reader.getAlias(ACCOUNT, REGION, 'alias/a'))?.targetKeyId).toBe('k1');
    // Listings are not cached.
    expect(await reader.listKeys(ACCOUNT, REGION)).toEqual([]);
    // Any write to the store, of another record, by another instance: read from disk again.
    await writer.putKey(minimalKey('k2'));
    expect(await reader.getKey(ACCOUNT, REGION, 'k1')).toBeUndefined();
    expect((await reader.getAlias(ACCOUNT, REGION, 'alias/a'))?.targetKeyId).toBe('k-edited');
    await reader.close();
    await writer.close();
  });

  it('caches absent records too, until the generation changes', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    await store.putAlias(alias('alias/b', 'k1'));
    const text = await readFile(aliasFile(dir, 'alias/b'), 'utf8');
    await unlink(aliasFile(dir, 'alias/b'));
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/b')).toBeUndefined();
    await writeFile(aliasFile(dir, 'alias/b'), text);
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/b')).toBeUndefined();
    await setGeneration(dir, false);
    expect((await store.getAlias(ACCOUNT, REGION, 'alias/b'))?.targetKeyId).toBe('k1');
    await store.close();
  });

  it('reads from disk while the generation is odd (a writer died mid-write) until the next writer ends its write', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    await store.putKey(minimalKey('k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    const text = await readFile(keyFile(dir, 'k1'), 'utf8');
    await setGeneration(dir, true);
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeUndefined();
    await writeFile(keyFile(dir, 'k1'), text);
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeUndefined();
    // The next write leaves an even generation: caching resumes.
    await store.putKey(minimalKey('k1'));
    expect(await isOdd(dir)).toBe(false);
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await store.close();
  });

  it('a writer killed inside its write leaves readers on disk; the writer that recovers its lock restores caching', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 30_000 });
    await store.putKey(minimalKey('k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    const text = await readFile(keyFile(dir, 'k1'), 'utf8');
    // A child that takes the lock (a transaction) and is killed holding it.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { FileKeyStore } = await import(${JSON.stringify(DIST_STORE)});
         const s = await FileKeyStore.open(${JSON.stringify(dir)});
         await s.transaction(async () => { console.log('inside'); await new Promise(() => setInterval(() => {}, 1000)); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('inside')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before taking the lock`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(await isOdd(dir)).toBe(true);
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeUndefined();
    await writeFile(keyFile(dir, 'k1'), text);
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    // The next writer breaks the dead child's lock, and ends its write with an even generation.
    await store.putKey(minimalKey('k2'));
    expect(await isOdd(dir)).toBe(false);
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await store.close();
  });

  it('transactions read their own writes, and readers elsewhere see them once acknowledged', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const other = await FileKeyStore.open(dir);
    await store.putKey(minimalKey('k1'));
    expect((await store.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('');
    expect((await other.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('');
    await store.transaction(async () => {
      await store.putKey({ ...minimalKey('k1'), description: 'one' });
      expect((await store.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('one');
      // Another instance over the same directory, inside the transaction: the same.
      await other.putKey({ ...minimalKey('k1'), description: 'two' });
      expect((await other.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('two');
      expect((await store.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('two');
    });
    expect((await store.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('two');
    expect((await other.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('two');
    await store.close();
    await other.close();
  });

  it('deleting an alias counts as a write', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const other = await FileKeyStore.open(dir);
    await store.putAlias(alias('alias/d', 'k1'));
    expect(await other.getAlias(ACCOUNT, REGION, 'alias/d')).toBeDefined();
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/d')).toBe(true);
    expect(await other.getAlias(ACCOUNT, REGION, 'alias/d')).toBeUndefined();
    await store.close();
    await other.close();
  });

  it('cache: false reads every time from disk', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { cache: false });
    await store.putKey(minimalKey('k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeUndefined();
    await store.close();
    await expect(FileKeyStore.open(dir, { cache: { maxEntries: -1 } })).rejects.toThrow(TypeError);
  });

  it('evicts the least recently used record past maxEntries and past maxBytes', async () => {
    const dir = await tempDir();
    const byCount = await FileKeyStore.open(dir, { cache: { maxEntries: 2 } });
    for (const id of ['k1', 'k2', 'k3']) await byCount.putKey(minimalKey(id));
    const size = (await stat(keyFile(dir, 'k1'))).size;
    const byBytes = await FileKeyStore.open(dir, { cache: { maxBytes: 2 * size + 1 } });
    for (const s of [byCount, byBytes]) {
      for (const id of ['k1', 'k2', 'k1', 'k3']) expect(await s.getKey(ACCOUNT, REGION, id)).toBeDefined();
    }
    const texts = await Promise.all(['k1', 'k2', 'k3'].map((id) => readFile(keyFile(dir, id))));
    for (const id of ['k1', 'k2', 'k3']) await unlink(keyFile(dir, id));
    for (const s of [byCount, byBytes]) {
      // k2 was the least recently used when k3 came in (checked last: its absence is cached in turn).
      expect(await s.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
      expect(await s.getKey(ACCOUNT, REGION, 'k3')).toBeDefined();
      expect(await s.getKey(ACCOUNT, REGION, 'k2')).toBeUndefined();
    }
    for (const [i, id] of ['k1', 'k2', 'k3'].entries()) await writeFile(keyFile(dir, id), texts[i]);
    await byCount.close();
    await byBytes.close();
  });

  it('wipes the cached bytes on eviction, on a generation change and on close(); sealed material stays sealed', async () => {
    const kept: Buffer[] = [];
    const set = RecordCache.prototype.set;
    vi.spyOn(RecordCache.prototype, 'set').mockImplementation(function (this: RecordCache, path, value) {
      if (value !== null) kept.push(value);
      set.call(this, path, value);
    });
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { masterKey: new Uint8Array(32).fill(3), cache: { maxEntries: 1 } });
    const k = fullKey('k1');
    await store.putKey(k);
    await store.putKey(fullKey('k2'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toStrictEqual(k);
    const sealedText = kept[0].toString('utf8');
    expect(sealedText).toContain('"sealed"');
    expect(sealedText).not.toContain(Buffer.from(k.hmacKey!).toString('base64'));
    expect(await store.getKey(ACCOUNT, REGION, 'k2')).toBeDefined(); // evicts k1
    expect(kept[0].every((b) => b === 0)).toBe(true);
    expect(kept[1].some((b) => b !== 0)).toBe(true);
    await setGeneration(dir, false);
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined(); // drops k2, caches k1
    expect(kept[1].every((b) => b === 0)).toBe(true);
    expect(kept).toHaveLength(3);
    expect(kept[2].some((b) => b !== 0)).toBe(true);
    await store.close();
    expect(kept[2].every((b) => b === 0)).toBe(true);
  });

  it('an old store without a generation file gets one at open, 0600, not taken for a record', async () => {
    const dir = await tempDir();
    const first = await FileKeyStore.open(dir);
    await first.putKey(minimalKey('k1'));
    await first.close();
    await unlink(join(dir, '.generation'));
    const store = await FileKeyStore.open(dir);
    expect((await stat(join(dir, '.generation'))).mode & 0o777).toBe(0o600);
    expect(await isOdd(dir)).toBe(false);
    expect((await store.listKeys(ACCOUNT, REGION)).map((r) => r.keyId)).toEqual(['k1']);
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await store.close();
  });

  it('a generation file removed while the store is open is noticed: the cache is dropped', async () => {
    const dir = await tempDir();
    const reader = await FileKeyStore.open(dir);
    await reader.putKey(minimalKey('k1'));
    expect(await reader.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await unlink(join(dir, '.generation'));
    // A process started after the removal makes a new file and writes through it.
    const writer = await FileKeyStore.open(dir);
    await writer.putKey({ ...minimalKey('k1'), description: 'new' });
    expect((await reader.getKey(ACCOUNT, REGION, 'k1'))?.description).toBe('new');
    await reader.close();
    await writer.close();
  });
});

describe('RecordCache', () => {
  it('keeps at most maxEntries and maxBytes, least recently used out first, wiping what leaves', () => {
    const c = new RecordCache({ maxEntries: 3, maxBytes: 10 });
    const b = (n: number, v: number): Buffer => Buffer.alloc(n, v);
    const x = b(4, 1);
    const y = b(4, 2);
    c.set('x', x);
    c.set('y', y);
    c.set('none', null);
    expect(c.get('x')).toBe(x); // x is now the most recent
    const z = b(4, 3);
    c.set('z', z); // 12 bytes > 10: y goes
    expect(c.get('y')).toBeUndefined();
    expect(y.every((v) => v === 0)).toBe(true);
    expect(c.get('none')).toBeNull();
    expect([c.size, c.bytes]).toEqual([3, 8]);
    const big = b(11, 4);
    c.set('big', big); // larger than the whole cache: not kept
    expect(c.get('big')).toBeUndefined();
    expect(big.every((v) => v === 0)).toBe(true);
    const x2 = b(2, 5);
    c.set('x', x2); // replacing wipes the old bytes
    expect(x.every((v) => v === 0)).toBe(true);
    c.clear();
    expect([c.size, c.bytes]).toEqual([0, 0]);
    expect([x2, z].every((buf) => buf.every((v) => v === 0))).toBe(true);
  });
});
