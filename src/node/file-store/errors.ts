// The errors of the file key store: each one an instance of FileStoreError with a stable `code`,
// for callers that act on the kind of failure rather than on its message (docs/file-store.md,
// "Errors"). Misuse of the API (a bad argument, a record the store cannot hold) stays a TypeError.

export type FileStoreErrorCode =
  /** The write lock stayed held by another writer for lockTimeoutMs. */
  | 'STORE_LOCKED'
  /** A file in the store is not what the store writes (the file is left unchanged). */
  | 'STORE_CORRUPT'
  /** The directory is not a wasm-kms store (other content and no marker, or a foreign marker). */
  | 'STORE_NOT_A_STORE'
  /** The store's marker is of a format version this wasm-kms does not read. */
  | 'STORE_VERSION'
  /** Refused for who may write or read: the store directory, a symbolic link in it, the master key file. */
  | 'STORE_PERMISSIONS'
  /** A file or directory of the store could not be created or read. */
  | 'STORE_IO'
  /** The store instance was closed. */
  | 'STORE_CLOSED'
  /** WASM_KMS_MASTER_KEY or WASM_KMS_MASTER_KEY_FILE is malformed, unreadable, or both are set. */
  | 'MASTER_KEY_INVALID'
  /** The store is sealed and no master key was given. */
  | 'MASTER_KEY_MISSING'
  /** The master key given is not the one the store is sealed with. */
  | 'MASTER_KEY_WRONG'
  /** The store is not sealed, but a master key was given. */
  | 'MASTER_KEY_UNEXPECTED';

/** An error of the file key store; `code` says which kind. */
export class FileStoreError extends Error {
  readonly code: FileStoreErrorCode;

  constructor(code: FileStoreErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The write lock could not be taken in time (code STORE_LOCKED); the message names the holder. */
export class StoreLockedError extends FileStoreError {
  constructor(message: string) {
    super('STORE_LOCKED', message);
  }
}

/** A store file that is not valid (code STORE_CORRUPT); `file` is its path. */
export class StoreCorruptError extends FileStoreError {
  readonly file: string;

  constructor(file: string, message: string) {
    super('STORE_CORRUPT', message);
    this.file = file;
  }
}

/** Refused for permissions (code STORE_PERMISSIONS); the message says what to change. */
export class StorePermissionsError extends FileStoreError {
  constructor(message: string) {
    super('STORE_PERMISSIONS', message);
  }
}

/** A master key problem (codes MASTER_KEY_*); the message never quotes the key. */
export class MasterKeyError extends FileStoreError {
  constructor(
    code: 'MASTER_KEY_INVALID' | 'MASTER_KEY_MISSING' | 'MASTER_KEY_WRONG' | 'MASTER_KEY_UNEXPECTED',
    message: string,
  ) {
    super(code, message);
  }
}
