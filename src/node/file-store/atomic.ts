// Atomic files (docs/file-store.md, "Durability"): a write goes to a temporary file, fsynced,
// renamed over its target, and the directory fsynced; reads of record files that refuse symbolic
// links; and the removal of the temporary files a killed writer left behind.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { lstat, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from '../../core/module.js';
import { errorCode, toHex } from './common.js';
import { CorruptFileError } from './decode.js';
import { TEMP_FILE } from './names.js';
import { FileStoreError } from './errors.js';

/** A lock's temporary file older than this in the store root is a dead writer's leftover. */
const LOCK_TEMP_MAX_AGE_MS = 60_000;

export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; its rename is durable by other means (NTFS journal).
  if (process.platform === 'win32') return;
  const fh = await open(dir, fsConstants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${toHex(randomBytes(8))}.tmp`);
}

/** A new file with `data`, created 0600 (whatever the umask), fsynced when `durable`. */
export async function writeNewFile(path: string, data: string, durable: boolean): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await fh.close();
}

/** Replaces `path` with `data` so that a crash leaves either the old file or the new, whole. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = tempName(path);
  await writeNewFile(tmp, data, true);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(path));
}

/**
 * A record file's bytes, or undefined if there is none. A symbolic link is refused (O_NOFOLLOW
 * where the platform has it): a record is a regular file in its own directory. Synchronous: a
 * record file is a few kilobytes, and open, fstat, read and close in one go cost less than four
 * trips through the libuv thread pool (under 64 concurrent requests, a server reading uncached
 * answered about 1.5 times as many requests with this than with fs/promises).
 */
export function readRecordFileSync(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw new CorruptFileError(path, 'it is a symbolic link; the store refuses symbolic links inside its directory');
    throw new FileStoreError('STORE_IO', `wasm-kms file store: cannot read ${path} (${code ?? String(err)})`);
  }
  try {
    // Sized by fstat, read to the end (the file is replaced by rename, never written in place).
    let buf = Buffer.alloc(fstatSync(fd).size + 1);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger);
        buf.fill(0);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, len);
      if (n === 0) break;
      len += n;
    }
    return len === buf.length ? buf : buf.subarray(0, len);
  } catch (err) {
    throw new FileStoreError('STORE_IO', `wasm-kms file store: cannot read ${path} (${errorCode(err) ?? String(err)})`);
  } finally {
    closeSync(fd);
  }
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new FileStoreError('STORE_IO', `wasm-kms file store: cannot read ${path} (${errorCode(err) ?? String(err)})`);
  }
}

/**
 * Removes the temporary files of writers that died (called holding the lock). Below the root
 * every temporary file is a leftover, since records are written only under the lock; in the
 * root, lock files are made without it, so only old ones go: a lock's temporary file lives for
 * milliseconds, and its pid may be in another pid namespace, where it cannot be looked up.
 */
export async function removeTempFiles(root: string): Promise<void> {
  const sweep = async (dir: string, leftover: (path: string) => Promise<boolean>): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isFile() && TEMP_FILE.test(e.name) && (await leftover(path))) await unlink(path).catch(() => undefined);
    }
    return entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  };
  const all = async (): Promise<boolean> => true;
  const old = async (path: string): Promise<boolean> => {
    const s = await lstat(path).catch(() => undefined);
    return s !== undefined && s.mtimeMs < Date.now() - LOCK_TEMP_MAX_AGE_MS;
  };
  for (const account of await sweep(root, old)) {
    for (const region of await sweep(account, all)) {
      for (const sub of await sweep(region, all)) await sweep(sub, all);
    }
  }
}
