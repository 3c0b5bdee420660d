// The file key store: KMS keys, aliases and custom key stores as one JSON file per record in a
// directory that survives crashes and is shared safely by several processes. The default store
// of the CLI and the HTTP endpoint. The layout, the guarantees, the lock, sealing, permissions and
// the errors: docs/file-store.md.

import { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readdir, realpath, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from '../../core/module.js';
import {
  wipeRecord,
  type AliasRecord,
  type CustomKeyStoreRecord,
  type KeyRecord,
  type KeyStore,
} from '../../kms/store.js';
import { byName, errorCode, toBase64, type Json } from './common.js';
import { fsyncDir, readIfExists, readRecordFileSync, removeTempFiles, writeFileAtomic } from './atomic.js';
import {
  checkRecordMac,
  CorruptFileError,
  Decoder,
  decodeAlias,
  decodeCustomKeyStore,
  decodeKey,
  decodeMarker,
} from './decode.js';
import { encodeAlias, encodeCustomKeyStore, encodeKey, encodeMarker } from './encode.js';
import { chainLocks, withLock, type Held } from './lock.js';
import { DEFAULT_CACHE_LIMITS, RecordCache, type RecordCacheLimits } from './cache.js';
import { Generation, onSharedFileSystem } from './generation.js';
import {
  ALIASES_DIR,
  BREAK_LOCK,
  CKS_DIR,
  fileName,
  GENERATION,
  KEYS_DIR,
  LOCK,
  LOST_AND_FOUND,
  MARKER,
  RECORD_DIRS,
  TEMP_FILE,
  type Kind,
} from './names.js';
import { checkOwner, checkStoreDir } from './permissions.js';
import { KEY_CHECK_AAD, MASTER_KEY_BYTES, Sealer } from './sealing.js';
import { FileStoreError, MasterKeyError, StoreLockedError } from './errors.js';

export interface FileKeyStoreOptions {
  /** 32-byte master key: when given, key material (KeyRecord.keyMaterials[].material, keyPair.privateKey, hmacKey) is sealed with AES-256-GCM under it on disk. */
  masterKey?: Uint8Array;
  /** How long to wait for the write lock before failing (ms, default 10_000). */
  lockTimeoutMs?: number;
  /**
   * The cache of point reads (getKey, getAlias, getCustomKeyStore; docs/file-store.md, "The record
   * cache"): `false` turns it off; an object bounds it (default 4096 record files and 16 MiB).
   * Unset, it is on except on a network or host-shared file system (NFS, SMB, FUSE, 9P, ...).
   */
  cache?: boolean | Partial<RecordCacheLimits>;
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** How many record files a listing reads at once (well under any descriptor limit). */
const READ_CONCURRENCY = 32;

function cacheLimits(option: FileKeyStoreOptions['cache']): RecordCacheLimits | undefined {
  if (option === undefined || option === true) return DEFAULT_CACHE_LIMITS;
  if (option === false) return undefined;
  if (typeof option !== 'object' || option === null)
    throw new TypeError('FileKeyStore.open: cache must be a boolean or { maxEntries?, maxBytes? }');
  const limits = { ...DEFAULT_CACHE_LIMITS };
  for (const name of ['maxEntries', 'maxBytes'] as const) {
    const v = option[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new TypeError(`FileKeyStore.open: cache.${name} must be a non-negative integer`);
    limits[name] = v;
  }
  return limits.maxEntries === 0 || limits.maxBytes === 0 ? undefined : limits;
}

/**
 * What a read found: a record file's text (undefined: no such file), how to cache it once it
 * decoded, and how to wipe its bytes when it did not (a no-op once kept).
 */
interface Loaded {
  text: string | undefined;
  /** From the cache: its record MAC was checked when it was cached, and the bytes have not changed since. */
  fromCache: boolean;
  keep: () => void;
  drop: () => void;
}

const keepNothing = (): void => undefined;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A KeyStore in a directory (docs/file-store.md: the layout and the guarantees). */
export class FileKeyStore implements KeyStore {
  readonly dir: string;
  readonly #sealer: Sealer | undefined;
  readonly #lockTimeoutMs: number;
  /** Writes of this instance, one after another (the file lock then orders processes). */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Record directories this instance has found to be real directories all the way down (for reads). */
  readonly #checkedDirs = new Set<string>();
  /** The store's generation file (undefined: a read-only store without one, or the instance that creates the store). */
  readonly #generation: Generation | undefined;
  /** Record files read under the generation #cacheGen (undefined: no cache). */
  readonly #cache: RecordCache | undefined;
  #cacheGen: string | undefined;

  private constructor(
    dir: string,
    sealer: Sealer | undefined,
    lockTimeoutMs: number,
    generation?: Generation,
    cache?: RecordCacheLimits,
  ) {
    this.dir = dir;
    this.#sealer = sealer;
    this.#lockTimeoutMs = lockTimeoutMs;
    this.#generation = generation;
    this.#cache = generation !== undefined && cache !== undefined ? new RecordCache(cache) : undefined;
  }

  /**
   * Opens the store in `dir`, creating the directory (0700) and the marker if the directory is
   * missing or empty. Refuses a directory with other content and no marker, a marker of another
   * format or version, a sealed store without the right master key and an unsealed store with one.
   */
  static async open(dir: string, options: FileKeyStoreOptions = {}): Promise<FileKeyStore> {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('FileKeyStore.open: dir must be a non-empty string');
    const masterKey = options.masterKey;
    if (masterKey !== undefined && (!(masterKey instanceof Uint8Array) || masterKey.length !== MASTER_KEY_BYTES)) {
      throw new TypeError(`FileKeyStore.open: masterKey must be a Uint8Array of ${MASTER_KEY_BYTES} bytes`);
    }
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (typeof lockTimeoutMs !== 'number' || !(lockTimeoutMs >= 0) || !Number.isFinite(lockTimeoutMs)) {
      throw new TypeError('FileKeyStore.open: lockTimeoutMs must be a non-negative number');
    }
    let limits = cacheLimits(options.cache);
    const root = await FileKeyStore.#createRoot(resolve(dir));
    // Unless asked for, no cache where another machine may write unseen (docs/file-store.md, "The record cache").
    if (options.cache === undefined && onSharedFileSystem(root)) limits = undefined;
    const markerPath = join(root, MARKER);
    let markerText = await readIfExists(markerPath);
    if (markerText === undefined) {
      await FileKeyStore.#checkEmpty(root);
      // Initialise under the lock: another process may be doing the same right now.
      const init = new FileKeyStore(root, undefined, lockTimeoutMs);
      await init.#withLock(async () => {
        if ((await readIfExists(markerPath)) !== undefined) return;
        await FileKeyStore.#checkEmpty(root);
        const storeId = randomBytes(16);
        let keyCheck: Uint8Array | undefined;
        if (masterKey !== undefined) {
          const sealer = new Sealer(masterKey, storeId);
          keyCheck = sealer.seal(new Uint8Array(0), KEY_CHECK_AAD);
          sealer.wipe();
        }
        await writeFileAtomic(markerPath, encodeMarker(storeId, keyCheck));
      });
      markerText = await readIfExists(markerPath);
      if (markerText === undefined)
        throw new FileStoreError('STORE_IO', `wasm-kms file store: ${markerPath} vanished while opening the store`);
    }
    const marker = decodeMarker(markerPath, markerText);
    let sealer: Sealer | undefined;
    if (marker.keyCheck !== undefined) {
      if (masterKey === undefined) {
        throw new MasterKeyError(
          'MASTER_KEY_MISSING',
          `wasm-kms file store: the store at ${root} is sealed; give its master key (WASM_KMS_MASTER_KEY or WASM_KMS_MASTER_KEY_FILE)`,
        );
      }
      sealer = new Sealer(masterKey, marker.storeId);
      if (sealer.open(marker.keyCheck, KEY_CHECK_AAD) === null) {
        sealer.wipe();
        throw new MasterKeyError(
          'MASTER_KEY_WRONG',
          `wasm-kms file store: the master key given is not the one the store at ${root} is sealed with`,
        );
      }
    } else if (masterKey !== undefined) {
      throw new MasterKeyError(
        'MASTER_KEY_UNEXPECTED',
        `wasm-kms file store: the store at ${root} is not sealed, but a master key was given; ` +
          'open it without one (a store is sealed or not from its creation)',
      );
    }
    let generation: Generation | undefined;
    try {
      generation = Generation.open(join(root, GENERATION));
    } catch (err) {
      sealer?.wipe();
      throw err;
    }
    const store = new FileKeyStore(root, sealer, lockTimeoutMs, generation, limits);
    if (generation?.writable === true && !generation.hasValue()) {
      try {
        await store.#startGeneration();
      } catch (err) {
        // Not a busy lock (that is no failure) but I/O: the descriptor is closed, the key wiped.
        await store.close();
        throw err;
      }
    }
    return store;
  }

  /**
   * Gives a store without a generation yet (made by an older wasm-kms) its first value, if the
   * write lock is free right now; else the next writer does, and reads go to disk until then.
   */
  async #startGeneration(): Promise<void> {
    try {
      await withLock(
        this.dir,
        0,
        () => this.#bracket(async () => undefined),
        () => removeTempFiles(this.dir),
      );
    } catch (err) {
      if (!(err instanceof StoreLockedError)) throw err;
    }
  }

  /**
   * Creates the store directory if it is missing, and returns its real path once it is known to
   * be safe (docs/file-store.md, "Permissions").
   */
  static async #createRoot(root: string): Promise<string> {
    let created: string | undefined;
    try {
      created = await mkdir(root, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new FileStoreError(
        'STORE_IO',
        `wasm-kms file store: cannot create the store directory ${root} (${errorCode(err) ?? String(err)})`,
      );
    }
    if (created !== undefined) {
      await chmod(root, 0o700);
      // Each new level's entry in its parent, from the root up to the first one made.
      for (let d = root; ; d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === created || dirname(d) === d) break;
      }
    }
    // A symbolic link as the root is followed once, here: from now on the store uses the real
    // path, so retargeting the link later does not move the store.
    let real: string;
    try {
      real = await realpath(root);
    } catch (err) {
      throw new FileStoreError(
        'STORE_IO',
        `wasm-kms file store: cannot resolve the store directory ${root} (${errorCode(err) ?? String(err)})`,
      );
    }
    const s = await lstat(real);
    const named = real === root ? real : `${real} (the target of ${root})`;
    if (!s.isDirectory())
      throw new FileStoreError('STORE_NOT_A_STORE', `wasm-kms file store: ${named} is not a directory`);
    checkOwner(named, real, s);
    return real;
  }

  /**
   * Only our own lock and temporary files may be in a directory that has no marker yet, and
   * `lost+found`, which a fresh file system has at its root (a volume mounted as the store).
   */
  static async #checkEmpty(root: string): Promise<void> {
    const foreign = (await readdir(root)).filter(
      (n) => n !== LOCK && n !== BREAK_LOCK && n !== GENERATION && n !== LOST_AND_FOUND && !TEMP_FILE.test(n),
    );
    if (foreign.length > 0) {
      throw new FileStoreError(
        'STORE_NOT_A_STORE',
        `wasm-kms file store: ${root} is not empty and has no ${MARKER}, so it is not a wasm-kms store ` +
          `(found ${join(root, foreign.sort(byName)[0])}); refusing to use it`,
      );
    }
  }

  /** Waits for the writes of this instance, then refuses further use and forgets the key. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    this.#sealer?.wipe();
    this.#cache?.clear();
    this.#cacheGen = undefined;
    this.#generation?.close();
  }

  #open(): void {
    if (this.#closed)
      throw new FileStoreError('STORE_CLOSED', `wasm-kms file store: the store at ${this.dir} is closed`);
  }

  // -- paths

  #recordDir(account: string, region: string, sub: (typeof RECORD_DIRS)[number]): string {
    return join(this.dir, fileName(account), fileName(region), sub);
  }

  #keyPath(account: string, region: string, keyId: string): string {
    return join(this.#recordDir(account, region, KEYS_DIR), `${fileName(keyId)}.json`);
  }

  #aliasPath(account: string, region: string, aliasName: string): string {
    return join(this.#recordDir(account, region, ALIASES_DIR), `${fileName(aliasName)}.json`);
  }

  #cksPath(account: string, region: string, id: string): string {
    return join(this.#recordDir(account, region, CKS_DIR), `${fileName(id)}.json`);
  }

  // -- writing

  /** The transaction of this store's directory that the current async call chain is inside. */
  #held(): Held | undefined {
    const held = chainLocks.getStore()?.get(this.dir);
    return held?.active === true ? held : undefined;
  }

  /**
   * Runs `fn` holding the store's write lock, after this instance's earlier writes. Inside a
   * transaction on this directory the lock is held already: `fn` runs after the transaction's
   * earlier writes, without waiting for the lock again.
   */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#open();
    const held = this.#held();
    if (held !== undefined) {
      const run = held.writes.then(fn);
      held.writes = run.catch(() => undefined);
      return run;
    }
    const run = this.#queue.then(() => this.#withLock(fn));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `fn` holding the store's cross-process write lock from start to end, so that a record
   * read inside it is still what is on disk when `fn` writes it back: no other process, and no
   * other call in this process (on this instance or another over the same directory), writes in
   * between. Calls of the store's methods made from inside `fn` (on any instance over this
   * directory) run without taking the lock again, their writes one after another; a nested
   * transaction simply runs. Calls from anywhere else wait until `fn` has settled. The lock is
   * released however `fn` ends; what `fn` wrote before an error stays written (this is mutual
   * exclusion, not rollback).
   *
   * Do not await, inside `fn`, a write of this store that was started outside it: that write
   * waits for the transaction, which would wait for it in turn.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.#open();
    if (typeof fn !== 'function') throw new TypeError('FileKeyStore.transaction: fn must be a function');
    if (this.#held() !== undefined) return fn();
    return this.#exclusive(async () => {
      const held: Held = { active: true, writes: Promise.resolve() };
      const locks = new Map(chainLocks.getStore());
      locks.set(this.dir, held);
      try {
        return await chainLocks.run(locks, fn);
      } finally {
        // Writes that fn started and did not await still finish under the lock.
        for (let w = held.writes; ; w = held.writes) {
          await w;
          if (w === held.writes) break;
        }
        held.active = false;
      }
    });
  }

  #withLock<T>(fn: () => Promise<T>): Promise<T> {
    // Holding the lock after breaking a dead writer's, every temporary file is a leftover.
    return withLock(
      this.dir,
      this.#lockTimeoutMs,
      () => this.#bracket(fn),
      () => removeTempFiles(this.dir),
    );
  }

  /**
   * Runs `fn` (holding the write lock) between an odd generation and a new even one
   * (docs/file-store.md, "The record cache"): from before its first change until all its changes
   * are durable, no process serves a record from its cache. A writer that dies in between leaves
   * the odd value, and every reader reads from disk until the next writer ends its write.
   */
  async #bracket<T>(fn: () => Promise<T>): Promise<T> {
    this.#generation?.begin();
    try {
      return await fn();
    } finally {
      this.#generation?.end();
    }
  }

  /**
   * Checks the directories from the root down to `dir` (lstat: a symbolic link is refused, not
   * followed). True when they all exist; false at the first one missing. For reads, a directory
   * found sound is not checked again by this instance: only this user (or root) can change the
   * store's tree, and a read is on the hot path; every write checks anew (#ensureDir).
   */
  async #checkDirs(dir: string, reading = true): Promise<boolean> {
    if (reading && this.#checkedDirs.has(dir)) return true;
    const paths: string[] = [];
    let cur = this.dir;
    for (const part of dir.slice(this.dir.length + 1).split(/[\\/]/)) {
      cur = join(cur, part);
      paths.push(cur);
    }
    // All at once (a read is on the hot path), then judged from the root down.
    const found = await Promise.all(paths.map((p) => lstat(p).catch((err: unknown) => err)));
    for (const [i, s] of found.entries()) {
      if (!(s instanceof Stats)) {
        if (errorCode(s) === 'ENOENT') return false;
        throw s;
      }
      checkStoreDir(paths[i], s);
    }
    this.#checkedDirs.add(dir);
    return true;
  }

  /** Creates `dir` below the store root and any missing parents, 0700, each made durable. */
  async #ensureDir(dir: string): Promise<void> {
    if (await this.#checkDirs(dir, false)) return;
    let cur = this.dir;
    for (const part of dir.slice(this.dir.length + 1).split(/[\\/]/)) {
      const parent = cur;
      cur = join(cur, part);
      try {
        checkStoreDir(cur, await lstat(cur));
        continue;
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err;
      }
      try {
        await mkdir(cur, 0o700);
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
        // Made by another writer of this process an instant ago (or planted: checked like any).
        checkStoreDir(cur, await lstat(cur));
        continue;
      }
      await chmod(cur, 0o700);
      await fsyncDir(parent);
    }
  }

  async #write(path: string, kind: Kind, record: Json, extra: Json = {}): Promise<void> {
    const content: Json = { kind, ...extra, record };
    if (this.#sealer !== undefined) content.mac = toBase64(this.#sealer.mac(content));
    const text = JSON.stringify(content, null, 2) + '\n';
    // The record's directory is made on its first write only.
    await this.#ensureDir(dirname(path));
    await writeFileAtomic(path, text);
  }

  // -- reading

  /**
   * The generation under which this instance may use its cache now (the cache emptied first when
   * the store has changed since it was filled), or undefined when it must read from disk: no
   * cache, a write in progress (any process's, or this chain's transaction), or a closed store.
   */
  #cacheGeneration(): string | undefined {
    if (this.#cache === undefined || this.#closed || this.#held() !== undefined) return undefined;
    const gen = this.#generation?.read();
    if (gen !== this.#cacheGen) {
      this.#cache.clear();
      this.#cacheGen = gen;
    }
    return gen;
  }

  /**
   * A record file's text, from the cache when `cached` and nothing has changed since it was
   * read, else from disk. The generation is read before the file, so a file cached under it is
   * at least as new as the store was then; the caller keeps it once it has decoded.
   */
  async #load(path: string, cached: boolean): Promise<Loaded> {
    const gen = cached ? this.#cacheGeneration() : undefined;
    if (gen !== undefined) {
      const hit = this.#cache?.get(path);
      if (hit !== undefined)
        return { text: hit?.toString('utf8'), fromCache: true, keep: keepNothing, drop: keepNothing };
    }
    const bytes = (await this.#checkDirs(dirname(path))) ? readRecordFileSync(path) : undefined;
    const text = bytes?.toString('utf8');
    if (gen === undefined) {
      bytes?.fill(0);
      return { text, fromCache: false, keep: keepNothing, drop: keepNothing };
    }
    // Until kept, the bytes (plain key material in an unsealed store) belong to this read: a
    // file that fails to decode is wiped by drop(), not left to the garbage collector.
    let kept = false;
    const keep = (): void => {
      // Not when the store changed (or closed) meanwhile: another read has emptied the cache since.
      if (kept) return;
      kept = true;
      if (this.#closed || this.#cacheGen !== gen || this.#cache === undefined) bytes?.fill(0);
      else this.#cache.set(path, bytes ?? null);
    };
    const drop = (): void => {
      if (kept) return;
      kept = true;
      bytes?.fill(0);
    };
    return { text, fromCache: false, keep, drop };
  }

  /** The parsed envelope of a record file (undefined if there is no such file), and how to cache it. */
  async #readEnvelope(
    path: string,
    kind: Kind,
    cached: boolean,
  ): Promise<{ d: Decoder | undefined; keep: () => void; drop: () => void }> {
    const { text, fromCache, keep, drop } = await this.#load(path, cached);
    if (text === undefined) return { d: undefined, keep, drop };
    try {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        throw new CorruptFileError(path, 'not JSON');
      }
      const d = Decoder.of(path, v, '');
      // A file is cached only after its MAC matched (keep() runs once it has decoded): a cached
      // one's bytes are those checked, so its MAC is not computed again.
      if (fromCache) d.raw('mac');
      else checkRecordMac(d, this.#sealer, 'file');
      if (d.string('kind') !== kind) throw d.bad('kind', `is not "${kind}"`);
      return { d, keep, drop };
    } catch (err) {
      drop();
      throw err;
    }
  }

  #checkPlace(path: string, expected: string): void {
    if (path !== expected) throw new CorruptFileError(path, `its record belongs at ${expected}`);
  }

  // A file is cached only once it has decoded: a corrupt file is read (and refused) anew each
  // time, and its bytes are wiped (drop() in `finally`, a no-op once keep() has run).

  async #readKey(path: string, cached = false): Promise<KeyRecord | undefined> {
    const { d, keep, drop } = await this.#readEnvelope(path, 'key', cached);
    try {
      if (d === undefined) {
        keep();
        return undefined;
      }
      const r = decodeKey(path, d.raw('record'), this.#sealer);
      try {
        d.end();
        this.#checkPlace(path, this.#keyPath(r.account, r.region, r.keyId));
      } catch (err) {
        wipeRecord(r);
        throw err;
      }
      keep();
      return r;
    } finally {
      drop();
    }
  }

  async #readAlias(path: string, cached = false): Promise<AliasRecord | undefined> {
    const { d, keep, drop } = await this.#readEnvelope(path, 'alias', cached);
    try {
      if (d === undefined) {
        keep();
        return undefined;
      }
      const a = decodeAlias(path, d.raw('record'));
      d.end();
      this.#checkPlace(path, this.#aliasPath(a.account, a.region, a.aliasName));
      keep();
      return a;
    } finally {
      drop();
    }
  }

  async #readCustomKeyStore(
    path: string,
    cached = false,
  ): Promise<{ record: CustomKeyStoreRecord; sequence: number } | undefined> {
    const { d, keep, drop } = await this.#readEnvelope(path, 'custom-key-store', cached);
    try {
      if (d === undefined) {
        keep();
        return undefined;
      }
      const sequence = d.optInteger('sequence');
      if (sequence === undefined) throw d.bad('sequence', 'is missing');
      const c = decodeCustomKeyStore(path, d.raw('record'));
      d.end();
      this.#checkPlace(path, this.#cksPath(c.account, c.region, c.customKeyStoreId));
      keep();
      return { record: c, sequence };
    } finally {
      drop();
    }
  }

  /**
   * The record files of a record directory. Dotfiles are skipped: our temporary files, and what
   * other tools leave (.DS_Store, editor swap files, NFS .nfsXXXX silly renames); any other name
   * that is not `*.json` is refused.
   */
  async #recordFiles(dir: string): Promise<string[]> {
    let names: string[];
    try {
      if (!(await this.#checkDirs(dir))) return [];
      names = await readdir(dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw err;
    }
    const files: string[] = [];
    for (const n of names.sort(byName)) {
      if (n.startsWith('.')) continue;
      if (!n.endsWith('.json')) throw new CorruptFileError(join(dir, n), 'not a record file of this store');
      files.push(join(dir, n));
    }
    return files;
  }

  // -- KeyStore

  async getKey(account: string, region: string, keyId: string): Promise<KeyRecord | undefined> {
    this.#open();
    return this.#readKey(this.#keyPath(account, region, keyId), true);
  }

  async putKey(record: KeyRecord): Promise<void> {
    this.#open();
    const json = encodeKey(record, this.#sealer);
    const path = this.#keyPath(record.account, record.region, record.keyId);
    await this.#exclusive(() => this.#write(path, 'key', json));
  }

  async listKeys(account: string, region: string): Promise<KeyRecord[]> {
    this.#open();
    const files = await this.#recordFiles(this.#recordDir(account, region, KEYS_DIR));
    // When one file fails, the records read (and still being read) are wiped, not dropped.
    const read: KeyRecord[] = [];
    let failed = false;
    try {
      const records = await mapLimit(files, READ_CONCURRENCY, async (f) => {
        const r = await this.#readKey(f);
        if (r !== undefined) {
          if (failed) wipeRecord(r);
          else read.push(r);
        }
        return r;
      });
      return records.filter((r): r is KeyRecord => r !== undefined);
    } catch (err) {
      failed = true;
      for (const r of read) wipeRecord(r);
      throw err;
    }
  }

  async getAlias(account: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    this.#open();
    return this.#readAlias(this.#aliasPath(account, region, aliasName), true);
  }

  async putAlias(record: AliasRecord): Promise<void> {
    this.#open();
    const json = encodeAlias(record);
    const path = this.#aliasPath(record.account, record.region, record.aliasName);
    await this.#exclusive(() => this.#write(path, 'alias', json));
  }

  async deleteAlias(account: string, region: string, aliasName: string): Promise<boolean> {
    this.#open();
    const path = this.#aliasPath(account, region, aliasName);
    return this.#exclusive(async () => {
      // Only a valid alias file is removed: a corrupt one stays for someone to look at.
      if ((await this.#readAlias(path)) === undefined) return false;
      await unlink(path);
      await fsyncDir(dirname(path));
      return true;
    });
  }

  async listAliases(account: string, region: string): Promise<AliasRecord[]> {
    this.#open();
    const files = await this.#recordFiles(this.#recordDir(account, region, ALIASES_DIR));
    const records = await mapLimit(files, READ_CONCURRENCY, (f) => this.#readAlias(f));
    return records.filter((r): r is AliasRecord => r !== undefined);
  }

  async getCustomKeyStore(
    account: string,
    region: string,
    customKeyStoreId: string,
  ): Promise<CustomKeyStoreRecord | undefined> {
    this.#open();
    return (await this.#readCustomKeyStore(this.#cksPath(account, region, customKeyStoreId), true))?.record;
  }

  async putCustomKeyStore(record: CustomKeyStoreRecord): Promise<void> {
    this.#open();
    const json = encodeCustomKeyStore(record);
    const path = this.#cksPath(record.account, record.region, record.customKeyStoreId);
    await this.#exclusive(async () => {
      // The creation order survives replacement: a new record takes the next sequence number.
      const existing = await this.#readCustomKeyStore(path);
      let sequence = existing?.sequence;
      if (sequence === undefined) {
        const all = await this.#listCustomKeyStores(record.account, record.region);
        sequence = all.reduce((max, c) => Math.max(max, c.sequence), 0) + 1;
      }
      await this.#write(path, 'custom-key-store', json, { sequence });
    });
  }

  async deleteCustomKeyStore(account: string, region: string, customKeyStoreId: string): Promise<boolean> {
    this.#open();
    const path = this.#cksPath(account, region, customKeyStoreId);
    return this.#exclusive(async () => {
      // Only a valid record file is removed: a corrupt one stays for someone to look at.
      if ((await this.#readCustomKeyStore(path)) === undefined) return false;
      await unlink(path);
      await fsyncDir(dirname(path));
      return true;
    });
  }

  async #listCustomKeyStores(
    account: string,
    region: string,
  ): Promise<{ record: CustomKeyStoreRecord; sequence: number }[]> {
    const files = await this.#recordFiles(this.#recordDir(account, region, CKS_DIR));
    const found = await mapLimit(files, READ_CONCURRENCY, (f) => this.#readCustomKeyStore(f));
    return found.filter((c): c is { record: CustomKeyStoreRecord; sequence: number } => c !== undefined);
  }

  async listCustomKeyStores(account: string, region: string): Promise<CustomKeyStoreRecord[]> {
    this.#open();
    const all = await this.#listCustomKeyStores(account, region);
    all.sort((a, b) => a.sequence - b.sequence || byName(a.record.customKeyStoreId, b.record.customKeyStoreId));
    return all.map((c) => c.record);
  }
}
