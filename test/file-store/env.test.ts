// The file key store: masterKeyFromEnv and defaultStoreDir.
import { describe, it, expect, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { chmod, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileKeyStore, defaultStoreDir, masterKeyFromEnv } from '../../src/node/file-store/index.js';
import { tempDir, removeTempDirs } from '../helpers/file-store.js';

afterAll(removeTempDirs);

describe('masterKeyFromEnv and defaultStoreDir', () => {
  const key = new Uint8Array(randomBytes(32));
  const hex = Buffer.from(key).toString('hex');
  const b64 = Buffer.from(key).toString('base64');

  it('reads the key as hex, base64 or base64url, or from a file in any of those forms or raw', async () => {
    expect(masterKeyFromEnv({})).toBeUndefined();
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: '', WASM_KMS_MASTER_KEY_FILE: '' })).toBeUndefined();
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: hex })).toEqual(key);
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: hex.toUpperCase() })).toEqual(key);
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: ` ${b64}\n` })).toEqual(key);
    expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY: Buffer.from(key).toString('base64url') })).toEqual(key);
    const dir = await tempDir();
    for (const [name, content] of [
      ['raw', Buffer.from(key)],
      ['hex', `${hex}\n`],
      ['b64', `${b64}\n`],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, content, { mode: 0o600 });
      expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: file })).toEqual(key);
    }
  });

  it('gives clear errors that do not quote the key', async () => {
    const bad = ['abc', hex.slice(2), Buffer.from(key.subarray(0, 31)).toString('base64'), `${hex}00`, 'z'.repeat(64)];
    for (const v of bad) {
      const thrower = () => masterKeyFromEnv({ WASM_KMS_MASTER_KEY: v });
      expect(thrower).toThrow(/WASM_KMS_MASTER_KEY must be 64 hex characters or the base64 of 32 bytes/);
      try {
        thrower();
      } catch (err) {
        expect((err as Error).message).not.toContain(v);
      }
    }
    expect(() => masterKeyFromEnv({ WASM_KMS_MASTER_KEY: hex, WASM_KMS_MASTER_KEY_FILE: '/x' })).toThrow(
      /set only one/,
    );
    const missing = join(await tempDir(), 'missing-key');
    expect(() => masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: missing })).toThrow(new RegExp(`cannot read ${missing}`));
    const short = join(await tempDir(), 'short-key');
    await writeFile(short, 'secret-ish');
    await chmod(short, 0o600);
    const err = (() => {
      try {
        masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: short });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain(short);
    expect(err?.message).not.toContain('secret-ish');
  });

  it('refuses a key file its group or others can read or write, before reading it, saying how to fix it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'master.key');
    await writeFile(file, `${hex}\n`, { mode: 0o600 });
    const cases = [
      [0o644, 'readable by its group and by others'],
      [0o640, 'readable by its group'],
      [0o604, 'readable by others'],
      [0o620, 'writable by its group'],
      [0o666, 'writable by its group and by others'],
      [0o610, 'open to its group'],
    ] as const;
    for (const [mode, what] of cases) {
      await chmod(file, mode);
      const err = (() => {
        try {
          masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: file });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message).toBe(
        `WASM_KMS_MASTER_KEY_FILE: ${file} is ${what} (mode 0${mode.toString(8)}); the master key must be readable by its owner only; run: chmod 600 ${file}`,
      );
      expect(err?.message).not.toContain(hex);
    }
    // Through a symbolic link, the file it leads to is checked.
    const link = join(dir, 'key-link');
    await symlink(file, link);
    await chmod(file, 0o644);
    expect(() => masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: link })).toThrow(
      /is readable by its group and by others \(mode 0644\).*run: chmod 600 /,
    );
    // Private to its owner, read-only or not, it is read.
    for (const mode of [0o600, 0o400]) {
      await chmod(file, mode);
      expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: file })).toEqual(key);
      expect(masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: link })).toEqual(key);
    }
  });

  it('puts the store in $WASM_KMS_HOME, else ~/.wasm-kms', async () => {
    expect(defaultStoreDir({ WASM_KMS_HOME: '/srv/kms' })).toBe('/srv/kms');
    expect(defaultStoreDir({ WASM_KMS_HOME: 'rel/kms' })).toBe(resolve('rel/kms'));
    expect(defaultStoreDir({ HOME: '/home/someone' })).toBe(join('/home/someone', '.wasm-kms'));
    expect(defaultStoreDir({ WASM_KMS_HOME: '', HOME: '/home/x' })).toBe(join('/home/x', '.wasm-kms'));
    // Opening the default place creates it (under a temporary HOME here).
    const home = await tempDir();
    const store = await FileKeyStore.open(defaultStoreDir({ HOME: home }));
    expect(store.dir).toBe(join(home, '.wasm-kms'));
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700);
    await store.close();
  });
});
