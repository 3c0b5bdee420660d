// The generation file (src/node/file-store/generation.ts) where it goes wrong: a failure while
// giving an old store its first generation at open, and a generation file this process may only read.
import { describe, it, expect, afterAll, afterEach, vi } from 'vitest';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { Generation } from '../../src/node/file-store/generation.js';
import { Sealer } from '../../src/node/file-store/sealing.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, minimalKey } from '../helpers/file-store.js';

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
