// The record cache is off by default on a network or host-shared file system, where a process may
// not see another machine's write to the generation file (statfs is mocked to report NFS).
import { describe, it, expect, afterAll, vi } from 'vitest';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, minimalKey } from '../helpers/file-store.js';

const NFS_SUPER_MAGIC = 0x6969;

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const statfsSync = ((path: string) => ({ ...fs.statfsSync(path), type: NFS_SUPER_MAGIC })) as typeof fs.statfsSync;
  return { ...fs, statfsSync, default: { ...fs, statfsSync } };
});

afterAll(removeTempDirs);

const keyFile = (dir: string, keyId: string): string => join(dir, ACCOUNT, REGION, 'keys', `${keyId}.json`);

describe('FileKeyStore on a network file system', () => {
  it('reads from disk every time unless the cache is asked for', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    await store.putKey(minimalKey('k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeDefined();
    await unlink(keyFile(dir, 'k1'));
    expect(await store.getKey(ACCOUNT, REGION, 'k1')).toBeUndefined();
    await store.close();

    const cached = await FileKeyStore.open(dir, { cache: true });
    await cached.putKey(minimalKey('k2'));
    expect(await cached.getKey(ACCOUNT, REGION, 'k2')).toBeDefined();
    await unlink(keyFile(dir, 'k2'));
    expect(await cached.getKey(ACCOUNT, REGION, 'k2')).toBeDefined();
    await cached.close();
  });
});
