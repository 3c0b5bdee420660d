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
 * another client's (or the host's) write, by statfs f_type. The values are those of the kernel's
 * <linux/magic.h> unless said otherwise; coreutils' `stat -f` names them all but one.
 *
 * Not listed: WSL1's lxfs and drvfs (coreutils' "wslfs", 0x53464846, which it counts as local):
 * WSL1 has no Linux kernel, its files are the Windows kernel's, one cache for Linux and Windows
 * processes. WSL2 reaches the Windows drives over 9P or virtiofs, both listed.
 */
export const SHARED_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'nfs'], // NFS_SUPER_MAGIC
  [0x517b, 'smbfs'], // SMB_SUPER_MAGIC (the old SMB1 client)
  [0xff534d42, 'cifs'], // CIFS_SUPER_MAGIC
  [0xfe534d42, 'smb2'], // SMB2_SUPER_MAGIC (cifs.ko speaking SMB2/3)
  // FUSE_SUPER_MAGIC: sshfs, rclone, vmhgfs-fuse, and virtiofs (FUSE over virtio: Docker Desktop, WSL2, lima).
  [0x65735546, 'fuse'],
  [0x01021997, 'v9fs'], // V9FS_MAGIC: 9P, as WSL2's Windows drives and QEMU shares
  // Not in <linux/magic.h>: Docker Desktop's "fakeowner", an out-of-tree file system of its VM
  // that presents host directories bind-mounted into containers (/proc/mounts says fakeowner,
  // `stat -f` says UNKNOWN (0x6a656a63)). Host-shared: kept.
  [0x6a656a63, 'fakeowner'],
  [0x00c36400, 'ceph'], // CEPH_SUPER_MAGIC
  [0x5346414f, 'afs'], // AFS_SUPER_MAGIC (OpenAFS)
  [0x6b414653, 'kafs'], // AFS_FS_MAGIC (the kernel's AFS client)
  [0x73757245, 'coda'], // CODA_SUPER_MAGIC
  [0x01161970, 'gfs2'], // GFS2_MAGIC (<linux/gfs2_ondisk.h>)
  [0x7461636f, 'ocfs2'], // OCFS2_SUPER_MAGIC
  [0x0bd00bd0, 'lustre'], // LL_SUPER_MAGIC (Lustre's client; coreutils' S_MAGIC_LUSTRE)
  [0x786f4256, 'vboxsf'], // VBOXSF_SUPER_MAGIC (fs/vboxsf/super.c): VirtualBox shared folders
  [0xbacbacbc, 'vmhgfs'], // VMware shared folders, open-vm-tools' kernel module (coreutils' S_MAGIC_VMHGFS)
  [0x7c7c6673, 'prl_fs'], // Parallels shared folders, Parallels Tools' module (coreutils' S_MAGIC_PRL_FS)
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
