// The store's generation (docs/file-store.md, "The record cache"): `<dir>/.generation`, eight
// bytes that every writer rewrites in place while it holds the write lock, as a seqlock: an odd
// value before it changes any record, a new even value once its changes are durable. A process
// may serve a record from its cache only while the generation is the even value it read before
// reading that record from disk.
import {
  closeSync,
  constants as fsConstants,
  fchmodSync,
  fstatSync,
  openSync,
  readSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from '../../core/module.js';
import { errorCode } from './common.js';
import { FileStoreError, StorePermissionsError } from './errors.js';

export const GENERATION_BYTES = 8;

const READ_WRITE = fsConstants.O_RDWR | fsConstants.O_CREAT | (fsConstants.O_NOFOLLOW ?? 0);
const READ_ONLY = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);

/**
 * Linux file systems whose clients may answer a read from their own cache without seeing
 * another client's (or the host's) write: statfs f_type of NFS, SMB/CIFS, FUSE (sshfs, Docker
 * Desktop's mounts), 9P, virtiofs, Ceph, AFS, Coda, GFS2, OCFS2 and Lustre.
 */
const SHARED_FILE_SYSTEMS = new Set([
  0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x65735546, 0x01021997, 0x6a656a63, 0x00c36400, 0x5346414f, 0x73757245,
  0x01161970, 0x7461636f, 0x0bd00bd0,
]);

/**
 * True when `dir` is on a network or host-shared file system (Linux only; elsewhere false): there,
 * a generation read through a kept-open descriptor may be stale, so the cache is off by default.
 */
export function onSharedFileSystem(dir: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return SHARED_FILE_SYSTEMS.has(statfsSync(dir).type >>> 0);
  } catch {
    return false;
  }
}

/** An open generation file, and why it is open only for reading when it is. */
interface Opened {
  fd: number;
  writable: boolean;
  readOnlyCode?: string;
}

/** The generation file of one store instance, kept open. */
export class Generation {
  readonly path: string;
  #fd: number;
  /** False when the store could only be opened for reading (a read-only mount or directory). */
  writable: boolean;
  /** Why the file is open only for reading: the error code of opening it for writing. */
  #readOnlyCode: string | undefined;
  readonly #buf = Buffer.alloc(GENERATION_BYTES);

  private constructor(path: string, opened: Opened) {
    this.path = path;
    this.#fd = opened.fd;
    this.writable = opened.writable;
    this.#readOnlyCode = opened.readOnlyCode;
  }

  /**
   * Opens (creating it 0600 if it is missing) the generation file at `path`; undefined when the
   * store is read-only to this process and has none, in which case nothing is cached.
   */
  static open(path: string): Generation | undefined {
    const opened = Generation.#openFd(path);
    return opened === undefined ? undefined : new Generation(path, opened);
  }

  static #openFd(path: string): Opened | undefined {
    let fd: number;
    let writable = true;
    let readOnlyCode: string | undefined;
    try {
      fd = openSync(path, READ_WRITE, 0o600);
    } catch (err) {
      const code = errorCode(err);
      if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw Generation.#ioError(path, err);
      try {
        fd = openSync(path, READ_ONLY);
        writable = false;
        readOnlyCode = code;
      } catch (err2) {
        if (errorCode(err2) === 'ENOENT' || errorCode(err2) === 'EACCES') return undefined;
        throw Generation.#ioError(path, err2);
      }
    }
    try {
      if (!fstatSync(fd).isFile())
        throw new FileStoreError('STORE_IO', `wasm-kms file store: ${path} is not a regular file`);
      // Created under the umask: made 0600 like every file of the store.
      if (writable && process.platform !== 'win32') fchmodSync(fd, 0o600);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return { fd, writable, readOnlyCode };
  }

  static #ioError(path: string, err: unknown): Error {
    if (errorCode(err) === 'ELOOP')
      return new FileStoreError('STORE_PERMISSIONS', `wasm-kms file store: ${path} is a symbolic link; refusing it`);
    return new FileStoreError(
      'STORE_IO',
      `wasm-kms file store: cannot open ${path} (${errorCode(err) ?? String(err)})`,
    );
  }

  /**
   * The current generation: a string of 16 hex digits, or undefined while a write is in progress
   * (odd), when the file holds no value yet, or when it was removed or replaced (then it is
   * reopened, for the next read). One pread and one fstat, both synchronous (about a microsecond).
   */
  read(): string | undefined {
    let n: number;
    try {
      n = readSync(this.#fd, this.#buf, 0, GENERATION_BYTES, 0);
      // Read first, then checked still linked: a value read from a file that is still the store's.
      if (fstatSync(this.#fd).nlink === 0) {
        this.#reopen();
        return undefined;
      }
    } catch {
      return undefined;
    }
    if (n !== GENERATION_BYTES || (this.#buf[0] & 1) === 1) return undefined;
    return this.#buf.toString('hex');
  }

  /** True once some writer has stored a value (a store created, or first written, by this version). */
  hasValue(): boolean {
    try {
      return fstatSync(this.#fd).size >= GENERATION_BYTES;
    } catch {
      return false;
    }
  }

  /**
   * Marks a write in progress (called holding the write lock, before any record changes). Refused
   * when this process could open the file only for reading: a write that other processes could not
   * see in the generation would leave their caches serving the old records.
   */
  begin(): void {
    if (fstatSync(this.#fd).nlink === 0) this.#reopen();
    if (!this.writable) throw this.#readOnlyError();
    this.#store(1);
  }

  #readOnlyError(): FileStoreError {
    if (this.#readOnlyCode === 'EROFS')
      return new FileStoreError(
        'STORE_IO',
        `wasm-kms file store: cannot write to the store: ${this.path} is on a read-only file system`,
      );
    return new StorePermissionsError(
      `wasm-kms file store: cannot write to the store: this process may only read ${this.path} ` +
        `(${this.#readOnlyCode ?? 'read-only'}); like every file of the store it must be mode 0600 and owned by ` +
        `the store's owner (chmod 600 ${this.path})`,
    );
  }

  /**
   * Marks the end of a write (called holding the write lock, once its changes are durable). A
   * failure is not thrown: the odd value stays, and readers keep reading from disk until the
   * next writer.
   */
  end(): void {
    try {
      this.#store(0);
    } catch {
      // readers bypass their caches until the next write
    }
  }

  /** A fresh random value with the parity bit `odd`: a torn or reused value cannot look unchanged. */
  #store(odd: 0 | 1): void {
    const value = Buffer.from(randomBytes(GENERATION_BYTES));
    value[0] = (value[0] & 0xfe) | odd;
    const n = writeSync(this.#fd, value, 0, GENERATION_BYTES, 0);
    if (n !== GENERATION_BYTES)
      throw new FileStoreError('STORE_IO', `wasm-kms file store: short write to ${this.path}`);
  }

  #reopen(): void {
    const opened = Generation.#openFd(this.path);
    if (opened === undefined) throw new FileStoreError('STORE_IO', `wasm-kms file store: ${this.path} is gone`);
    closeSync(this.#fd);
    this.#fd = opened.fd;
    this.writable = opened.writable;
    this.#readOnlyCode = opened.readOnlyCode;
  }

  close(): void {
    closeSync(this.#fd);
    this.#fd = -1;
  }
}
