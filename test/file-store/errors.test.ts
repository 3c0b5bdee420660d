// The file key store's errors: each kind of failure is an instance of its exported class with
// its stable `code` (and the message it always had), as `wasm-kms/node` exports them.
import { describe, it, expect, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileKeyStore,
  FileStoreError,
  MasterKeyError,
  StoreCorruptError,
  StoreLockedError,
  StorePermissionsError,
  masterKeyFromEnv,
  type FileStoreErrorCode,
} from '../../src/node/index.js';
import { caught, rejectionOf } from '../helpers/caught.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const hasUids = typeof process.geteuid === 'function';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wasm-kms-file-store-errors-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function expectCode(
  err: unknown,
  cls: abstract new (...args: never[]) => FileStoreError,
  code: FileStoreErrorCode,
  message: RegExp,
): void {
  expect(err).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(FileStoreError);
  expect(err).toBeInstanceOf(Error);
  expect((err as FileStoreError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
}

const alias = (aliasName: string) => ({
  aliasName,
  account: ACCOUNT,
  region: REGION,
  aliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`,
  targetKeyId: 'k',
  creationDate: new Date(0),
  lastUpdatedDate: new Date(0),
});

describe('FileKeyStore errors: class and code', () => {
  it('STORE_LOCKED: the write lock held past lockTimeoutMs', async () => {
    const dir = await tempDir();
    const holder = await FileKeyStore.open(dir);
    const waiter = await FileKeyStore.open(dir, { lockTimeoutMs: 100 });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const txn = holder.transaction(() => released);
    // Wait until the transaction holds the lock file.
    for (let i = 0; i < 200; i++) {
      if (
        await readFile(join(holder.dir, '.write-lock')).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const err = await caught(waiter.putAlias(alias('alias/x')));
    release();
    await txn;
    expectCode(
      err,
      StoreLockedError,
      'STORE_LOCKED',
      /^wasm-kms file store: could not take the write lock .* within 100 ms: held by process \d+/,
    );
    await holder.close();
    await waiter.close();
  });

  it('STORE_CORRUPT: a record file that is not what the store writes (the file is named)', async () => {
    const store = await FileKeyStore.open(await tempDir());
    await store.putAlias(alias('alias/x'));
    const file = join(store.dir, ACCOUNT, REGION, 'aliases', 'alias%2Fx.json');
    await writeFile(file, '{ not json');
    const err = await caught(store.getAlias(ACCOUNT, REGION, 'alias/x'));
    expectCode(
      err,
      StoreCorruptError,
      'STORE_CORRUPT',
      /is not a valid store file \(not JSON\); it was left unchanged$/,
    );
    expect((err as StoreCorruptError).file).toBe(file);
    await store.close();
  });

  it('STORE_NOT_A_STORE: a directory with other content and no marker', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    expectCode(
      await caught(FileKeyStore.open(dir)),
      FileStoreError,
      'STORE_NOT_A_STORE',
      /is not empty and has no wasm-kms-store\.json/,
    );
  });

  it('STORE_VERSION: a marker of another format version', async () => {
    const store = await FileKeyStore.open(await tempDir());
    await store.close();
    const marker = join(store.dir, 'wasm-kms-store.json');
    const m = JSON.parse(await readFile(marker, 'utf8')) as Record<string, unknown>;
    await writeFile(marker, JSON.stringify({ ...m, version: 2 }));
    expectCode(
      await caught(FileKeyStore.open(store.dir)),
      FileStoreError,
      'STORE_VERSION',
      /is format version 2; this wasm-kms reads version 1 only$/,
    );
  });

  it.runIf(hasUids)(
    'STORE_PERMISSIONS: a store directory others may read, and a master key file others may read',
    async () => {
      const dir = await tempDir();
      await chmod(dir, 0o755);
      expectCode(
        await caught(FileKeyStore.open(dir)),
        StorePermissionsError,
        'STORE_PERMISSIONS',
        /it is readable by its group and by others \(mode 0755\).*run: chmod 700 /,
      );
      const keyFile = join(await tempDir(), 'master.key');
      await writeFile(keyFile, randomBytes(32).toString('hex'), { mode: 0o644 });
      await chmod(keyFile, 0o644);
      let err: unknown;
      try {
        masterKeyFromEnv({ WASM_KMS_MASTER_KEY_FILE: keyFile });
      } catch (e) {
        err = e;
      }
      expectCode(err, StorePermissionsError, 'STORE_PERMISSIONS', /^WASM_KMS_MASTER_KEY_FILE: .* run: chmod 600 /);
    },
  );

  it('STORE_IO: a store directory that cannot be created', async () => {
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, '');
    expectCode(
      await caught(FileKeyStore.open(join(file, 'store'))),
      FileStoreError,
      'STORE_IO',
      /^wasm-kms file store: cannot create the store directory .* \(ENOTDIR\)$/,
    );
  });

  it('STORE_CLOSED: a store used after close()', async () => {
    const store = await FileKeyStore.open(await tempDir());
    await store.close();
    expectCode(await rejectionOf(store.getKey(ACCOUNT, REGION, 'x')), FileStoreError, 'STORE_CLOSED', /is closed$/);
  });

  it('MASTER_KEY_INVALID: a malformed master key, or both variables set', () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [
        { WASM_KMS_MASTER_KEY: 'short' },
        /^WASM_KMS_MASTER_KEY must be 64 hex characters or the base64 of 32 bytes \(it has 5 characters\)\.$/,
      ],
      [
        { WASM_KMS_MASTER_KEY: 'a'.repeat(64), WASM_KMS_MASTER_KEY_FILE: '/nonexistent' },
        /^Both WASM_KMS_MASTER_KEY and WASM_KMS_MASTER_KEY_FILE are set/,
      ],
      [
        { WASM_KMS_MASTER_KEY_FILE: join(tmpdir(), 'wasm-kms-no-such-key-file') },
        /^WASM_KMS_MASTER_KEY_FILE: cannot read .* \(ENOENT\)\.$/,
      ],
    ];
    for (const [env, message] of cases) {
      let err: unknown;
      try {
        masterKeyFromEnv(env);
      } catch (e) {
        err = e;
      }
      expectCode(err, MasterKeyError, 'MASTER_KEY_INVALID', message);
    }
  });

  it('MASTER_KEY_MISSING, MASTER_KEY_WRONG and MASTER_KEY_UNEXPECTED: opening with the wrong key, or none', async () => {
    const sealed = await FileKeyStore.open(await tempDir(), { masterKey: new Uint8Array(randomBytes(32)) });
    await sealed.close();
    expectCode(
      await caught(FileKeyStore.open(sealed.dir)),
      MasterKeyError,
      'MASTER_KEY_MISSING',
      /is sealed; give its master key/,
    );
    expectCode(
      await caught(FileKeyStore.open(sealed.dir, { masterKey: new Uint8Array(randomBytes(32)) })),
      MasterKeyError,
      'MASTER_KEY_WRONG',
      /the master key given is not the one the store at .* is sealed with$/,
    );
    const plain = await FileKeyStore.open(await tempDir());
    await plain.close();
    expectCode(
      await caught(FileKeyStore.open(plain.dir, { masterKey: new Uint8Array(randomBytes(32)) })),
      MasterKeyError,
      'MASTER_KEY_UNEXPECTED',
      /is not sealed, but a master key was given/,
    );
  });

  it('misuse of the API stays a TypeError, not a FileStoreError', async () => {
    const err = await caught(FileKeyStore.open(''));
    expect(err).toBeInstanceOf(TypeError);
    expect(err).not.toBeInstanceOf(FileStoreError);
  });
});
