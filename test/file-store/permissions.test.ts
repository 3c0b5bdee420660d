// The file key store: a store directory others could read or write, symbolic links as the store and inside it.
import { describe, it, expect, afterAll } from 'vitest';
import { chmod, chown, readdir, realpath, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { ACCOUNT, REGION, tempDir, removeTempDirs, minimalKey, alias } from '../helpers/file-store.js';
import { rejectionOf } from '../helpers/caught.js';

afterAll(removeTempDirs);

describe('FileKeyStore refuses a directory others could read or write', () => {
  it('refuses a store directory its group or others can read, write or enter, or owned by another user, saying how to fix it', async () => {
    // A private directory of ours (mkdtemp makes it 0700) is accepted.
    const ok = await tempDir();
    await (await FileKeyStore.open(ok)).close();

    const cases = [
      [0o777, 'writable by its group and by others'],
      [0o770, 'writable by its group'],
      [0o702, 'writable by others'],
      [0o755, 'readable by its group and by others'],
      [0o750, 'readable by its group'],
      [0o704, 'readable by others'],
      [0o711, 'open to its group and others'],
      [0o701, 'open to others'],
    ] as const;
    for (const [mode, what] of cases) {
      const dir = await tempDir();
      await chmod(dir, mode);
      const err = await rejectionOf(FileKeyStore.open(dir));
      expect(err.message).toContain(`refusing the store directory ${dir}: it is ${what} (mode 0${mode.toString(8)})`);
      expect(err.message).toContain(`; run: chmod 700 ${dir}`);
      expect(await readdir(dir)).toEqual([]); // nothing created in it
      await chmod(dir, 0o700);
      await (await FileKeyStore.open(dir)).close();
    }
    // An existing store whose directory was opened up later is refused too, for reading as well.
    await chmod(ok, 0o777);
    expect((await rejectionOf(FileKeyStore.open(ok))).message).toMatch(/writable by its group and by others/);
    await chmod(ok, 0o755);
    expect((await rejectionOf(FileKeyStore.open(ok))).message).toMatch(
      /readable by its group and by others \(mode 0755\).*; run: chmod 700 /,
    );
    await chmod(ok, 0o700);
    await (await FileKeyStore.open(ok)).close();

    // Owned by someone else: as root, a directory given to nobody; otherwise /, owned by root.
    const euid = process.geteuid!();
    let foreign = '/';
    if (euid === 0) {
      foreign = await tempDir();
      await chown(foreign, 65534, 65534);
    }
    const err = await rejectionOf(FileKeyStore.open(foreign));
    expect(err.message).toContain(
      `refusing the store directory ${foreign}: it is owned by uid ${euid === 0 ? 65534 : 0}, not by this user (uid ${euid})`,
    );
  });

  it('resolves a symbolic link as the store directory once, checking its target', async () => {
    const target = await tempDir();
    const link = join(await tempDir(), 'store-link');
    await symlink(target, link);
    const store = await FileKeyStore.open(link);
    expect(store.dir).toBe(await realpath(target));
    await store.putKey(minimalKey('mrk-00000000000000000000000000000aaa'));
    expect(await readdir(target)).toContain(ACCOUNT);
    await store.close();
    // A link to a directory others can write to is refused, naming both.
    await chmod(target, 0o777);
    const err = await rejectionOf(FileKeyStore.open(link));
    expect(err.message).toContain(`${await realpath(target)} (the target of ${link})`);
    expect(err.message).toMatch(/writable by its group and by others/);
  });

  it('refuses symbolic links inside the store, for reads and writes, writing nothing through them', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const key = minimalKey('mrk-00000000000000000000000000000bbb');
    await store.putKey(key);
    // The region directory moved elsewhere and linked back in its place.
    const elsewhere = join(await tempDir(), 'region');
    const regionDir = join(dir, ACCOUNT, REGION);
    await rename(regionDir, elsewhere);
    await symlink(elsewhere, regionDir);
    const before = await readdir(join(elsewhere, 'keys'));
    for (const call of [
      () => store.getKey(ACCOUNT, REGION, key.keyId),
      () => store.listKeys(ACCOUNT, REGION),
      () => store.listAliases(ACCOUNT, REGION),
      () => store.putKey(minimalKey('mrk-00000000000000000000000000000ccc')),
      () => store.putAlias(alias('alias/planted', key.keyId)),
    ]) {
      const err = await rejectionOf(call());
      expect(err.message).toContain(
        `${regionDir} is a symbolic link; the store refuses symbolic links inside its directory`,
      );
    }
    expect(await readdir(join(elsewhere, 'keys'))).toEqual(before);
    expect(await readdir(elsewhere)).toEqual(['keys']);

    // A missing directory that turns out to be a link when the store would create it.
    const planted = await tempDir();
    await symlink(planted, join(dir, ACCOUNT, 'eu-west-1'));
    expect((await rejectionOf(store.putKey({ ...key, region: 'eu-west-1' }))).message).toMatch(
      /eu-west-1 is a symbolic link/,
    );
    expect(await readdir(planted)).toEqual([]);

    // A record file that is a link (to a valid record of this very store) is not read through.
    await rm(regionDir);
    await rename(elsewhere, regionDir);
    const keys = join(dir, ACCOUNT, REGION, 'keys');
    const copy = join(await tempDir(), 'copy.json');
    await rename(join(keys, `${key.keyId}.json`), copy);
    await symlink(copy, join(keys, `${key.keyId}.json`));
    expect((await rejectionOf(store.getKey(ACCOUNT, REGION, key.keyId))).message).toMatch(/it is a symbolic link/);
    await store.close();
  });
});
