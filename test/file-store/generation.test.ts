// The generation file (src/node/file-store/generation.ts) where it goes wrong: a failure while
// giving an old store its first generation at open, and a generation file this process may only read.
import { describe, it, expect, afterAll, afterEach, vi } from 'vitest';
import { chmod, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore, FileStoreError } from '../../src/node/file-store/index.js';
import { Generation } from '../../src/node/file-store/generation.js';
import { Sealer } from '../../src/node/file-store/sealing.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, minimalKey } from '../helpers/file-store.js';

// Opening a `.generation` without the owner's write bit for writing fails with EACCES, as the
// kernel does for its (non-root) owner; root, which these tests may run as, would be let through.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: string, flags: number, mode?: number) => {
    if (
      String(path).endsWith('/.generation') &&
      (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0 &&
      fs.existsSync(path) &&
      (fs.statSync(path).mode & 0o200) === 0
    ) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
    }
    return fs.openSync(path, flags, mode);
  }) as typeof fs.openSync;
  return { ...fs, openSync, default: { ...fs, openSync } };
});

afterAll(removeTempDirs);
afterEach(() => {
  vi.restoreAllMocks();
});

const MASTER_KEY = new Uint8Array(32).fill(7);

describe('FileKeyStore.open giving a store its first generation', () => {
  it('closes the generation file and wipes the master key when that write fails', async () => {
    const dir = await tempDir();
    const first = await FileKeyStore.open(dir, { masterKey: MASTER_KEY });
    await first.putKey(minimalKey('k1'));
    await first.close();
    // A store made by an older wasm-kms: no generation file; open() writes the first value.
    await unlink(join(dir, '.generation'));
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    vi.spyOn(Generation.prototype, 'begin').mockImplementation(() => {
      throw full;
    });
    const closed = vi.spyOn(Generation.prototype, 'close');
    const wiped = vi.spyOn(Sealer.prototype, 'wipe');
    await expect(FileKeyStore.open(dir, { masterKey: MASTER_KEY })).rejects.toBe(full);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(wiped).toHaveBeenCalledTimes(1);

    vi.restoreAllMocks();
    const store = await FileKeyStore.open(dir, { masterKey: MASTER_KEY });
    expect((await store.getKey(ACCOUNT, REGION, 'k1'))?.keyId).toBe('k1');
    await store.close();
  });
});

describe('A writer that may only read the generation file', () => {
  it('is refused with STORE_PERMISSIONS naming the file and its mode, before it changes anything', async () => {
    const dir = await tempDir();
    const first = await FileKeyStore.open(dir);
    await first.putKey(minimalKey('k1'));
    await first.close();
    const gen = join(dir, '.generation');
    await chmod(gen, 0o400);
    const store = await FileKeyStore.open(dir);
    // Reads work: the generation is read through a read-only descriptor.
    expect((await store.getKey(ACCOUNT, REGION, 'k1'))?.keyId).toBe('k1');
    const err: unknown = await store.putKey(minimalKey('k2')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileStoreError);
    expect((err as FileStoreError).code).toBe('STORE_PERMISSIONS');
    expect((err as Error).message).toContain(gen);
    expect((err as Error).message).toMatch(/0600/);
    expect((err as Error).message).not.toMatch(/EBADF/);
    expect(await readdir(join(dir, ACCOUNT, REGION, 'keys'))).toEqual(['k1.json']);
    await store.close();
    // Made 0600 again, the same store takes writes.
    await chmod(gen, 0o600);
    const fixed = await FileKeyStore.open(dir);
    await fixed.putKey(minimalKey('k2'));
    expect((await fixed.getKey(ACCOUNT, REGION, 'k2'))?.keyId).toBe('k2');
    await fixed.close();
  });
});
