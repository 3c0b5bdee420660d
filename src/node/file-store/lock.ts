// The cross-process write lock (docs/file-store.md, "The lock"): `<dir>/.write-lock`, created
// whole or not at all, broken only when its holder is certainly gone, and the transactions an
// async call chain is inside.
import { AsyncLocalStorage } from 'node:async_hooks';
import { constants as fsConstants, readFileSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { link, open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '../../core/module.js';
import { errorCode, sleep, toHex, type Json } from './common.js';
import { tempName, writeNewFile } from './atomic.js';
import { BREAK_LOCK, LOCK } from './names.js';
import { StoreLockedError } from './errors.js';

interface LockInfo {
  pid: number;
  hostname: string;
  time: string;
  token: string;
  /** The kernel's boot id (Linux), when the holder could read it. */
  bootId?: string;
  /** The inode of the holder's pid namespace (Linux), when it could read it. */
  pidNamespace?: number;
}

/** What is at a lock's name: nothing, a lock, or a file that does not parse (power loss). */
export type LockState =
  { state: 'absent' } | { state: 'held'; info: LockInfo } | { state: 'unreadable'; ino: number; mtimeMs: number };

/** Clocks disagree a little (uptimes are rounded; NTP slews): times closer than this prove nothing. */
const CLOCK_SLACK_MS = 2_000;

/** This machine's boot and this process's pid namespace, read once (absent where there is no /proc). */
let systemIds: { bootId?: string; pidNamespace?: number } | undefined;

function ourSystemIds(): { bootId?: string; pidNamespace?: number } {
  if (systemIds === undefined) {
    systemIds = {};
    try {
      const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      if (/^[0-9a-f-]{36}$/.test(id)) systemIds.bootId = id;
    } catch {
      // not Linux, or /proc not mounted
    }
    try {
      systemIds.pidNamespace = statSync('/proc/self/ns/pid').ino;
    } catch {
      // idem
    }
  }
  return systemIds;
}

/** When this machine booted, by the wall clock. */
const bootTime = (): number => Date.now() - uptime() * 1000;

/** When this process started, by the wall clock (the same for all its threads). */
const processStart = (): number => Date.now() - process.uptime() * 1000;

/** A transaction in progress: FileKeyStore.transaction(). */
export interface Held {
  /** False once the transaction has ended (code it left running then takes the lock itself). */
  active: boolean;
  /** The writes made inside, one after another. */
  writes: Promise<unknown>;
}

/**
 * The transactions the current async call chain is inside, by store directory: what makes a
 * store's own calls from inside a transaction reentrant, and only those. Another request in this
 * process runs in another chain and waits for the lock as any writer does.
 */
export const chainLocks = new AsyncLocalStorage<ReadonlyMap<string, Held>>();

/** Tokens of the locks this thread holds now (any FileKeyStore instance of this module). */
const heldLocks = new Set<string>();

async function readLock(path: string): Promise<LockState> {
  let fh: FileHandle;
  try {
    fh = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { state: 'absent' };
    throw err;
  }
  let text: string;
  let st: Stats;
  try {
    // The identity and the content of one file, even if the name is replaced meanwhile.
    st = await fh.stat();
    text = await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
  try {
    const v = JSON.parse(text) as Json;
    if (
      typeof v.pid === 'number' &&
      typeof v.hostname === 'string' &&
      typeof v.time === 'string' &&
      typeof v.token === 'string'
    ) {
      const info: LockInfo = { pid: v.pid, hostname: v.hostname, time: v.time, token: v.token };
      if (typeof v.bootId === 'string') info.bootId = v.bootId;
      if (typeof v.pidNamespace === 'number') info.pidNamespace = v.pidNamespace;
      return { state: 'held', info };
    }
  } catch {
    // fall through
  }
  return { state: 'unreadable', ino: st.ino, mtimeMs: st.mtimeMs };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(err) !== 'ESRCH';
  }
}

/** The lock is from another pid namespace on this host (another container): its pid is not ours to look up. */
function otherPidNamespace(info: LockInfo): boolean {
  const ours = ourSystemIds().pidNamespace;
  return info.pidNamespace !== undefined && ours !== undefined && info.pidNamespace !== ours;
}

/**
 * True when the holder of the lock is certainly gone (docs/file-store.md, "The lock"). Unsure is
 * never stale: another host, another pid namespace, and a lock of this pid taken since this
 * process started (another thread's, or another instance's of this module) are waited for.
 */
function isStale(lock: LockState): boolean {
  if (lock.state === 'absent') return false;
  // A file that does not parse is never a live lock's (those are written whole, then linked),
  // but can be one cut short by a power loss: stale once it predates this boot.
  if (lock.state === 'unreadable') return lock.mtimeMs < bootTime() - CLOCK_SLACK_MS;
  const info = lock.info;
  if (info.hostname !== hostname()) return false;
  if (heldLocks.has(info.token)) return false;
  const time = Date.parse(info.time);
  const ours = ourSystemIds();
  if (info.bootId !== undefined && ours.bootId !== undefined) {
    if (info.bootId !== ours.bootId) return true;
  } else if (time < bootTime() - CLOCK_SLACK_MS) {
    return true;
  }
  if (otherPidNamespace(info)) return false;
  // Our own pid: a thread of this process (its own heldLocks) or this pid's earlier life, which
  // ended before this process began.
  if (info.pid === process.pid) return time < processStart() - CLOCK_SLACK_MS;
  return !processAlive(info.pid);
}

/** The same lock file as `seen`, still: so that breaking it never removes a newer one. */
function sameLock(cur: LockState, seen: LockState): boolean {
  if (cur.state === 'held' && seen.state === 'held') return cur.info.token === seen.info.token;
  if (cur.state === 'unreadable' && seen.state === 'unreadable')
    return cur.ino === seen.ino && cur.mtimeMs === seen.mtimeMs;
  return false;
}

/**
 * Creates the lock file `path` whole or not at all; EEXIST when it is held. Returns the token,
 * which is in heldLocks from before the lock exists until the caller removes it.
 */
async function createLock(path: string): Promise<string> {
  const token = toHex(randomBytes(16));
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    time: new Date().toISOString(),
    token,
    ...ourSystemIds(),
  };
  const tmp = tempName(path);
  // Fsynced before it is linked: after a power loss the lock is whole (and from another boot) or absent.
  await writeNewFile(tmp, JSON.stringify(info) + '\n', true);
  // Registered first: another instance in this thread must never see our lock as a dead one's.
  heldLocks.add(token);
  try {
    await link(tmp, path);
  } catch (err) {
    heldLocks.delete(token);
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return token;
}

/** Removes our lock; the token is forgotten only after, so no instance of ours sees it as stale meanwhile. */
async function removeLock(path: string, token: string): Promise<void> {
  try {
    const cur = await readLock(path);
    if (cur.state === 'held' && cur.info.token === token) await unlink(path).catch(() => undefined);
  } finally {
    heldLocks.delete(token);
  }
}

function describeHolder(lock: LockState, path: string): string {
  if (lock.state !== 'held')
    return 'an unreadable lock file (remove it if no wasm-kms process is writing to this store)';
  const { pid, hostname: host, time } = lock.info;
  const where = otherPidNamespace(lock.info) ? ' in another pid namespace (another container)' : '';
  const which = host !== hostname() || where !== '' ? `; if that process is no longer running, remove ${path}` : '';
  return `process ${pid}${where} on ${host} since ${time}${which}`;
}

/**
 * Runs `fn` holding the write lock of the store in `root` (docs/file-store.md, "The lock"),
 * waiting up to `lockTimeoutMs` for it. When a dead writer's lock had to be broken, `recover`
 * runs first, under the lock.
 */
export async function withLock<T>(
  root: string,
  lockTimeoutMs: number,
  fn: () => Promise<T>,
  recover: () => Promise<void>,
): Promise<T> {
  const lockPath = join(root, LOCK);
  const deadline = Date.now() + lockTimeoutMs;
  let recovered = false;
  let wait = 2;
  let token: string;
  for (;;) {
    try {
      token = await createLock(lockPath);
      break;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    const holder = await readLock(lockPath);
    if (holder.state === 'absent') continue;
    if (isStale(holder)) {
      if (await breakStaleLock(root, holder)) {
        recovered = true;
        continue;
      }
    }
    if (Date.now() >= deadline) {
      throw new StoreLockedError(
        `wasm-kms file store: could not take the write lock ${lockPath} within ${lockTimeoutMs} ms: ` +
          `held by ${describeHolder(holder, lockPath)}`,
      );
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 50);
  }
  try {
    // Holding the lock, every temporary file is a leftover: its writer died before its rename.
    if (recovered) await recover();
    return await fn();
  } finally {
    await removeLock(lockPath, token);
  }
}

/**
 * Removes the stale lock `holder`, serialised under the break lock so that two processes
 * recovering at once cannot remove a lock one of them has just taken. True when the lock is
 * gone (by us or another), false when someone else is breaking it now.
 */
async function breakStaleLock(root: string, holder: LockState): Promise<boolean> {
  const lockPath = join(root, LOCK);
  const breakPath = join(root, BREAK_LOCK);
  let breakToken: string;
  try {
    breakToken = await createLock(breakPath);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
    const breaker = await readLock(breakPath);
    // A breaker holds this lock for two file operations; one that died holding it is removed.
    if (isStale(breaker)) {
      const again = await readLock(breakPath);
      if (sameLock(again, breaker)) await unlink(breakPath).catch(() => undefined);
    }
    return false;
  }
  try {
    const cur = await readLock(lockPath);
    if (sameLock(cur, holder)) await unlink(lockPath).catch(() => undefined);
    return true;
  } finally {
    await removeLock(breakPath, breakToken);
  }
}
