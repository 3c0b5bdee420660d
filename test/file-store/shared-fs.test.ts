// The record cache is off by default on a network or host-shared file system, where a process may
// not see another machine's write to the generation file (statfs is mocked to report NFS, or the
// file system type a test sets).
import { describe, it, expect, afterAll, vi } from 'vitest';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { onSharedFileSystem, SHARED_FILE_SYSTEMS } from '../../src/node/file-store/generation.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, minimalKey } from '../helpers/file-store.js';

const NFS_SUPER_MAGIC = 0x6969;
const fsType = vi.hoisted(() => ({ value: 0x6969 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const statfsSync = ((path: string) => ({ ...fs.statfsSync(path), type: fsType.value })) as typeof fs.statfsSync;
  return { ...fs, statfsSync, default: { ...fs, statfsSync } };
});

afterAll(removeTempDirs);

const keyFile = (dir: string, keyId: string): string => join(dir, ACCOUNT, REGION, 'keys', `${keyId}.json`);

describe('FileKeyStore on a network file system', () => {
  it('reads from disk every time unless the cache is asked for', async () => {
    fsType.value = NFS_SUPER_MAGIC;
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

// statfs f_type values, from <linux/magic.h> and coreutils' stat.c unless said otherwise.
const SHARED: [string, number][] = [
  ['nfs', 0x6969],
  ['smbfs', 0x517b],
  ['cifs', 0xff534d42],
  ['smb2', 0xfe534d42],
  ['fuse', 0x65735546],
  ['v9fs', 0x01021997],
  ['fakeowner', 0x6a656a63], // Docker Desktop's host directories, as its VM reports them
  ['ceph', 0x00c36400],
  ['afs', 0x5346414f],
  ['kafs', 0x6b414653],
  ['coda', 0x73757245],
  ['gfs2', 0x01161970],
  ['ocfs2', 0x7461636f],
  ['lustre', 0x0bd00bd0],
  ['vboxsf', 0x786f4256],
  ['vmhgfs', 0xbacbacbc],
  ['prl_fs', 0x7c7c6673],
];
const LOCAL: [string, number][] = [
  ['ext4', 0xef53],
  ['xfs', 0x58465342],
  ['btrfs', 0x9123683e],
  ['tmpfs', 0x01021994],
  ['overlayfs', 0x794c7630],
  ['zfs', 0x2fc12fc1],
  ['f2fs', 0xf2f52010],
  ['wslfs', 0x53464846], // WSL1: the Windows kernel's files, one cache for both sides
];

describe('the list of shared file systems', () => {
  const dir = process.cwd();
  // Only Linux reports these types: elsewhere the cache stays on by default.
  const linux = process.platform === 'linux';
  it('names each one it turns the cache off for, and no local one', () => {
    expect([...SHARED_FILE_SYSTEMS.entries()].sort((a, b) => a[0] - b[0])).toEqual(
      SHARED.map(([name, magic]) => [magic, name]).sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    for (const [name, magic] of SHARED) {
      fsType.value = magic;
      expect(onSharedFileSystem(dir), name).toBe(linux);
      // statfs may report a type with the top bit set as a negative number.
      fsType.value = magic | 0;
      expect(onSharedFileSystem(dir), `${name} (signed)`).toBe(linux);
    }
    for (const [name, magic] of LOCAL) {
      fsType.value = magic;
      expect(onSharedFileSystem(dir), name).toBe(false);
    }
  });
});
