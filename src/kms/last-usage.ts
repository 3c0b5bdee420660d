// The last cryptographic use of each key, for GetKeyLastUsage, recorded without a store write on
// every request.
//
// What is recorded: the operations of the model's KeyLastUsageTrackingOperation enum, only when
// they succeed, for the key their output names (KeyId; ReEncrypt's SourceKeyId and KeyId both,
// as AWS records both keys). The pipeline (pipeline.ts) calls `withLastUsage` around every
// operation it runs, so the library, the HTTP endpoint and the CLI all record alike.
//
// How: the process keeps the newest use of each key in memory, per store (the store a KMSClient
// or the endpoint was configured with: clients on one store share it, another store with the
// same key ARN has its own), and writes it to the key's record (the `lastUsage` extension field)
// at most once per key per LAST_USAGE_WRITE_INTERVAL_MS: the first use of a key in a process is
// written at once, later ones only when the last write is that old. A write that fails counts
// as one for that pacing: the next attempt comes no sooner than the interval after it (a broken
// or read-only store is tried, and the failure reported, once a minute per key, not on every
// request). Memory holds at most MAX_KEYS_HELD keys per store, the least recently used going
// first, in O(1): a Map in the order keys were last moved to its end, where a key is moved when
// it is used while in the older half (a key of the newer half stays: moving on every use cost
// 8x the bookkeeping for one hot key). So a key used since the last MAX_KEYS_HELD / 2 new
// entries is never the one forgotten. A key forgotten with a use not yet written has it written
// then, and its next use is written at once.
// The model gives no figure for how current AWS's data is; one minute keeps a key used thousands
// of times a second at one store write a minute. GetKeyLastUsage answers the newer of the record
// and this process's memory; other processes on the same file store see a use once written. A
// use that comes within the interval is written when the interval is over (a timer that does
// not keep the process alive), unless a later use is written first. What a process crash or an
// exit may lose: the uses of a key since its last write, at most the last minute of them;
// GetKeyLastUsage then shows the last use written before. `flushLastUsage` writes everything
// pending, for a clean shutdown.
//
// TrackingStartDate: keys made by CreateKey from this version on start with
// { trackingStartDate: creationDate }. A key made before (no lastUsage in its record) starts
// being tracked the first time its use is recorded or GetKeyLastUsage is asked about it; that
// date is written to its record then and stays.

import { nowMsOf, nowOf, storeOf, type OperationContext } from './context.js';
import type { LastUsageRecord } from './records.js';
import { wipeRecord, type KeyRecord, type KeyStore } from './store.js';

/** The operations whose use of a key is recorded (the model's KeyLastUsageTrackingOperation). */
export const KEY_LAST_USAGE_TRACKING_OPERATIONS: ReadonlySet<string> = new Set([
  'Decapsulate',
  'Decrypt',
  'DeriveSharedSecret',
  'Encapsulate',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'ReEncrypt',
  'Sign',
  'Verify',
  'VerifyMac',
]);

/** A key's use is written to its record at most once per this many milliseconds. */
export const LAST_USAGE_WRITE_INTERVAL_MS = 60_000;

/** One recorded use. */
export interface KeyUse {
  operation: string;
  /** Milliseconds since the epoch (a Date is made only when written or answered). */
  timestamp: number;
  kmsRequestId: string;
}

interface Tracked {
  /** The newest use seen by this process. */
  last: KeyUse;
  /** The store it was recorded through, which it is written to. */
  readonly store: KeyStore;
  /** Its place in its store's order: the value of `Held.seq` when it was last moved to the end. */
  seq: number;
  /** The key, from its ARN. */
  account: string;
  region: string;
  keyId: string;
  /** When the last write of this key's use was started (ms; failed or not), undefined before the first. */
  writtenAt?: number;
  /** The use last written (`last` itself once its write is done). */
  written?: KeyUse;
  /** The write scheduled for a use that came within the interval. */
  timer?: ReturnType<typeof setTimeout>;
}

/** A store's keys: key ARN → its newest use in this process, least recently moved first. */
interface Held {
  keys: Map<string, Tracked>;
  /** Counts the moves to the end (new keys included). */
  seq: number;
}

/** Per store (the configured one, storeOf). */
const engine = new WeakMap<KeyStore, Held>();

/** The most keys held in memory per store. */
export const MAX_KEYS_HELD = 4096;

/** How many keys' uses are held in memory for `store`. */
export function keysHeld(store: KeyStore): number {
  return engine.get(store)?.keys.size ?? 0;
}

/** Forgets the least recently used key of `held`; a use of it not yet written is written now. */
function evictOldest(held: Held, onError: (err: unknown) => void): void {
  const oldest = held.keys.entries().next();
  if (oldest.done === true) return;
  const [arn, t] = oldest.value;
  held.keys.delete(arn);
  if (t.timer !== undefined) {
    clearTimeout(t.timer);
    t.timer = undefined;
  }
  if (t.written !== t.last) void writeUse(t, onError);
}

const KEY_ARN = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

/**
 * `handler` so that, when it succeeds for one of the tracked operations, the use of the key(s)
 * its output names is recorded (after the operation, before its output is returned). A failure
 * to write the record does not fail the operation: it goes to `onError`, and a use once the
 * interval is over tries again. Other operations' handlers are returned as they are.
 */
export function withLastUsage<C extends Pick<OperationContext, 'store' | 'baseStore' | 'now'>, I, O>(
  operation: string,
  requestId: string,
  handler: ((ctx: C, input: I) => Promise<O>) | undefined,
  onError: (err: unknown) => void,
): ((ctx: C, input: I) => Promise<O>) | undefined {
  if (handler === undefined || !KEY_LAST_USAGE_TRACKING_OPERATIONS.has(operation)) return handler;
  return async (ctx, input) => {
    const output = await handler(ctx, input);
    const o = output as { KeyId?: unknown; SourceKeyId?: unknown } | undefined;
    const use: KeyUse = { operation, timestamp: nowMsOf(ctx), kmsRequestId: requestId };
    const store = storeOf(ctx);
    // A write (at most once a minute per key) is awaited; the common case costs no promise.
    const written = typeof o?.KeyId === 'string' ? noteUse(store, o.KeyId, use, onError) : undefined;
    if (written !== undefined) await written;
    if (operation === 'ReEncrypt' && typeof o?.SourceKeyId === 'string' && o.SourceKeyId !== o.KeyId) {
      const source = noteUse(store, o.SourceKeyId, use, onError);
      if (source !== undefined) await source;
    }
    return output;
  };
}

/**
 * Records `use` of the key `arn` in this process's memory for `store`, and writes it when the
 * key's last write (or failed write) is old enough: then the write's promise, else undefined
 * (the common case costs no promise and no store access).
 */
export function noteUse(
  store: KeyStore,
  arn: string,
  use: KeyUse,
  onError: (err: unknown) => void = () => {},
): Promise<void> | undefined {
  const now = use.timestamp;
  let held = engine.get(store);
  if (held === undefined) engine.set(store, (held = { keys: new Map(), seq: 0 }));
  let t = held.keys.get(arn);
  if (t === undefined) {
    const m = KEY_ARN.exec(arn);
    if (m === null) return undefined;
    if (held.keys.size >= MAX_KEYS_HELD) evictOldest(held, onError);
    t = { last: use, store, seq: held.seq++, account: m[2]!, region: m[1]!, keyId: m[3]! };
    held.keys.set(arn, t);
  } else {
    if (held.seq - t.seq > MAX_KEYS_HELD / 2) {
      // In the older half: moved to the newest end (the Map's order).
      held.keys.delete(arn);
      held.keys.set(arn, t);
      t.seq = held.seq++;
    }
    if (now >= t.last.timestamp) t.last = use;
  }
  if (t.writtenAt !== undefined && now - t.writtenAt < LAST_USAGE_WRITE_INTERVAL_MS) {
    // Written lately: this use is written when the interval is over, unless a later use is first.
    if (t.timer === undefined) {
      const tracked = t;
      const wait = Math.min(
        LAST_USAGE_WRITE_INTERVAL_MS,
        Math.max(0, LAST_USAGE_WRITE_INTERVAL_MS - (now - t.writtenAt)),
      );
      t.timer = setTimeout(() => {
        tracked.timer = undefined;
        if (tracked.written === tracked.last) return;
        // The write starts when the interval is over, on the uses' clock as far as it is known.
        tracked.writtenAt = Math.max(tracked.last.timestamp, (tracked.writtenAt ?? 0) + LAST_USAGE_WRITE_INTERVAL_MS);
        void writeUse(tracked, onError);
      }, wait);
      // A pending write does not keep a process alive (flushLastUsage is for a clean exit).
      (t.timer as { unref?: () => void }).unref?.();
    }
    return undefined;
  }
  t.writtenAt = now;
  return writeUse(t, onError);
}

async function writeUse(t: Tracked, onError: (err: unknown) => void): Promise<void> {
  const { account, region, keyId } = t;
  const use = t.last;
  const store = t.store;
  try {
    await inTransaction(store, async () => {
      const record = await store.getKey(account, region, keyId);
      if (record === undefined) return;
      try {
        const prev = record.lastUsage;
        // A newer use is written already (another process's); one of the same millisecond is replaced.
        if (prev?.timestamp !== undefined && prev.timestamp.getTime() > use.timestamp) return;
        if (prev?.kmsRequestId === use.kmsRequestId) return;
        record.lastUsage = {
          trackingStartDate: prev?.trackingStartDate ?? new Date(use.timestamp),
          operation: use.operation,
          timestamp: new Date(use.timestamp),
          kmsRequestId: use.kmsRequestId,
        };
        await store.putKey(record);
      } finally {
        wipeRecord(record);
      }
    });
    t.written = use;
  } catch (err) {
    // writtenAt stays: the next attempt waits the interval, as after a write that succeeded.
    onError(err);
  }
}

function inTransaction<T>(store: KeyStore, fn: () => Promise<T>): Promise<T> {
  return store.transaction === undefined ? fn() : store.transaction(fn);
}

/**
 * Writes every use held in memory for `store` that is newer than the one last written for its
 * key (for a clean shutdown).
 */
export async function flushLastUsage(store: KeyStore, onError: (err: unknown) => void = () => {}): Promise<void> {
  for (const t of [...(engine.get(store)?.keys.values() ?? [])]) {
    if (t.written === t.last) continue;
    t.writtenAt = t.last.timestamp;
    await writeUse(t, onError);
  }
}

/**
 * The key's last use: the newer of its record and this engine's memory for `store` (the store
 * the uses were recorded through, storeOf(ctx)); undefined: none since tracking began.
 */
export function lastUseOf(store: KeyStore, key: KeyRecord): KeyUse | undefined {
  const persisted = key.lastUsage;
  const fromRecord: KeyUse | undefined =
    persisted?.operation !== undefined && persisted.timestamp !== undefined
      ? {
          operation: persisted.operation,
          timestamp: persisted.timestamp.getTime(),
          kmsRequestId: persisted.kmsRequestId ?? '',
        }
      : undefined;
  const inMemory = engine.get(store)?.keys.get(key.arn)?.last;
  if (inMemory === undefined) return fromRecord;
  if (fromRecord === undefined) return inMemory;
  // At the same millisecond, memory is the later of the two (what this process wrote came from it).
  return inMemory.timestamp >= fromRecord.timestamp ? inMemory : fromRecord;
}

/**
 * When tracking began for the key: its record's trackingStartDate; for a key made before this
 * version, `now` is written as its start (the caller holds the store's transaction, or the store
 * has none) and returned.
 */
export async function trackingStart(ctx: OperationContext, key: KeyRecord): Promise<Date> {
  if (key.lastUsage?.trackingStartDate !== undefined) return key.lastUsage.trackingStartDate;
  const start = nowOf(ctx);
  const started: LastUsageRecord = { ...key.lastUsage, trackingStartDate: start };
  key.lastUsage = started;
  await ctx.store.putKey(key);
  return start;
}
