// What the request path costs and which clock it runs by: a replica due for rotation whose
// primary cannot rotate takes no store lock; multi-Region deletion settles by the operations'
// clock (KMSClient's `now`); the last uses of keys are kept per store, bounded in number, and a
// store that fails their write is not written on every request; GetKeyLastUsage locks only
// where it writes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CancelKeyDeletionCommand,
  CreateGrantCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyLastUsageCommand,
  KMSClient,
  ListGrantsCommand,
  ListKeyRotationsCommand,
  MemoryKeyStore,
  NotFoundException,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdatePrimaryRegionCommand,
  type KeyStore,
} from '../../src/kms/index.js';
import { LAST_USAGE_WRITE_INTERVAL_MS, MAX_KEYS_HELD, keysHeld, noteUse } from '../../src/kms/last-usage.js';
import { BLOCKED_RECHECK_MS } from '../../src/kms/rotation.js';
import { newKey, rejection } from '../helpers/kms.js';

const ACCOUNT = '111122223333';
const EAST = 'us-east-1';
const WEST = 'us-west-2';
const DAY = 24 * 60 * 60 * 1000;

/** A clock that runs with the system's (or stands still, `fixed`), `offset` ms ahead; move it with `advance`. */
function clock(fixed = false) {
  let offset = 0;
  const start = Date.now();
  return {
    now: () => new Date((fixed ? start : Date.now()) + offset),
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

interface Counts {
  transactions: number;
  getKey: number;
  /** getKey calls made while a transaction is held. */
  lockedGetKey: number;
  putKey: number;
}

/** A store that counts its transactions and reads; `failPuts` makes putKey throw. */
function instrumented(inner: MemoryKeyStore = new MemoryKeyStore()) {
  const counts: Counts = { transactions: 0, getKey: 0, lockedGetKey: 0, putKey: 0 };
  let depth = 0;
  const control = { failPuts: false };
  const store: KeyStore = {
    getKey: (a, r, k) => {
      counts.getKey++;
      if (depth > 0) counts.lockedGetKey++;
      return inner.getKey(a, r, k);
    },
    putKey: (record) => {
      counts.putKey++;
      return control.failPuts ? Promise.reject(new Error('read-only store')) : inner.putKey(record);
    },
    listKeys: (a, r) => inner.listKeys(a, r),
    getAlias: (a, r, n) => inner.getAlias(a, r, n),
    putAlias: (record) => inner.putAlias(record),
    deleteAlias: (a, r, n) => inner.deleteAlias(a, r, n),
    listAliases: (a, r) => inner.listAliases(a, r),
    transaction: (fn) => {
      counts.transactions++;
      return inner.transaction(async () => {
        depth++;
        try {
          return await fn();
        } finally {
          depth--;
        }
      });
    },
  };
  const reset = () => Object.assign(counts, { transactions: 0, getKey: 0, lockedGetKey: 0, putKey: 0 });
  return { store, inner, counts, control, reset };
}

const encrypt = (c: KMSClient, keyId: string) =>
  c.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));

async function currentMaterial(store: KeyStore, region: string, keyId: string) {
  return (await store.getKey(ACCOUNT, region, keyId))!.currentKeyMaterialId;
}

async function rotationTypes(c: KMSClient, keyId: string) {
  return ((await c.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations ?? []).map((r) => r.RotationType);
}

describe('a replica due for rotation whose primary cannot rotate', () => {
  /** A multi-Region key rotating every 90 days with a replica in WEST, 91 days on, its primary disabled. */
  async function setup() {
    const t = clock();
    const s = instrumented();
    const east = new KMSClient({ store: s.store, region: EAST, now: t.now });
    const west = new KMSClient({ store: s.store, region: WEST, now: t.now });
    const p = await newKey(east, { MultiRegion: true });
    await east.send(new EnableKeyRotationCommand({ KeyId: p.KeyId, RotationPeriodInDays: 90 }));
    await east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: WEST }));
    await east.send(new DisableKeyCommand({ KeyId: p.KeyId }));
    // A key of the replica's Region whose rotation is not due: what a normal key costs.
    const normal = await newKey(west);
    await west.send(new EnableKeyRotationCommand({ KeyId: normal.KeyId, RotationPeriodInDays: 365 }));
    t.advance(91 * DAY);
    return { t, s, east, west, keyId: p.KeyId!, first: p.CurrentKeyMaterialId!, normal: normal.KeyId! };
  }

  it('costs no more store transactions or locked reads than a key that is not due', async () => {
    const { s, west, keyId, first, normal } = await setup();
    s.reset();
    for (let i = 0; i < 10; i++) await encrypt(west, normal);
    const normalCost = { ...s.counts };
    s.reset();
    for (let i = 0; i < 10; i++) await encrypt(west, keyId);
    const replicaCost = { ...s.counts };
    // Both: one transaction for the first use's last-use write, nothing else locked.
    expect(replicaCost.transactions).toBeLessThanOrEqual(normalCost.transactions);
    expect(replicaCost.lockedGetKey).toBeLessThanOrEqual(normalCost.lockedGetKey);
    // One read of the primary (without the lock) decides for the next uses.
    expect(replicaCost.getKey).toBeLessThanOrEqual(normalCost.getKey + 1);
    expect(replicaCost.putKey).toBe(normalCost.putKey);
    // Nothing rotated.
    expect(await currentMaterial(s.inner, WEST, keyId)).toBe(first);
    expect(await rotationTypes(west, keyId)).toEqual([]);
  });

  it('rotates at its next use once the primary is enabled in this process', async () => {
    const { s, east, west, keyId, first } = await setup();
    for (let i = 0; i < 3; i++) await encrypt(west, keyId);
    expect(await currentMaterial(s.inner, WEST, keyId)).toBe(first);
    await east.send(new EnableKeyCommand({ KeyId: keyId }));
    await encrypt(west, keyId);
    expect(await currentMaterial(s.inner, WEST, keyId)).not.toBe(first);
    expect(await rotationTypes(west, keyId)).toEqual(['AUTOMATIC']);
    expect(await rotationTypes(east, keyId)).toEqual(['AUTOMATIC']);
  });

  it('sees a primary enabled elsewhere at the next check, BLOCKED_RECHECK_MS later', async () => {
    const { t, s, west, keyId, first } = await setup();
    await encrypt(west, keyId);
    // Enabled behind this process's back (as another process on a shared store would).
    const primary = (await s.inner.getKey(ACCOUNT, EAST, keyId))!;
    primary.keyState = 'Enabled';
    await s.inner.putKey(primary);
    s.reset();
    await encrypt(west, keyId);
    expect(await currentMaterial(s.inner, WEST, keyId)).toBe(first);
    expect(s.counts.transactions).toBe(0);
    t.advance(BLOCKED_RECHECK_MS);
    await encrypt(west, keyId);
    expect(await currentMaterial(s.inner, WEST, keyId)).not.toBe(first);
    expect(await rotationTypes(west, keyId)).toEqual(['AUTOMATIC']);
  });
});

describe("multi-Region deletion runs by the operations' clock", () => {
  it("an injected clock moves a replica's deletion past its window", async () => {
    const t = clock();
    const store = new MemoryKeyStore();
    const east = new KMSClient({ store, region: EAST, now: t.now });
    const west = new KMSClient({ store, region: WEST, now: t.now });
    t.advance(-3 * DAY);
    const p = await newKey(east, { MultiRegion: true });
    const made = await east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: WEST }));
    // The replica's creation date is the clock's.
    expect(Math.abs(made.ReplicaKeyMetadata!.CreationDate!.getTime() - t.now().getTime())).toBeLessThan(5_000);
    expect(Date.now() - made.ReplicaKeyMetadata!.CreationDate!.getTime()).toBeGreaterThan(2 * DAY);

    t.advance(3 * DAY + 100 * DAY);
    const scheduled = await west.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId, PendingWindowInDays: 7 }));
    const expected = t.now().getTime() + 7 * DAY;
    expect(Math.abs(scheduled.DeletionDate!.getTime() - expected)).toBeLessThan(5_000);
    await east.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId, PendingWindowInDays: 10 }));
    const waiting = (await east.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!;
    expect(waiting.KeyState).toBe('PendingReplicaDeletion');
    expect(waiting.MultiRegionConfiguration!.ReplicaKeys!.map((r) => r.Region)).toEqual([WEST]);

    // Past the replica's window on the clock (not on the system's): the replica is deleted, and
    // the primary's own window runs from that deletion.
    t.advance(8 * DAY);
    const after = (await east.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!;
    expect(after.MultiRegionConfiguration!.ReplicaKeys).toEqual([]);
    expect(after.KeyState).toBe('PendingDeletion');
    expect(after.DeletionDate!.getTime()).toBe(scheduled.DeletionDate!.getTime() + 10 * DAY);
    const e = await rejection(west.send(new CancelKeyDeletionCommand({ KeyId: p.KeyId })), NotFoundException);
    expect(e.message).toBe(`Key 'arn:aws:kms:${WEST}:${ACCOUNT}:key/${p.KeyId}' does not exist`);
  });

  it('a replica deleted on the clock is no primary candidate', async () => {
    const t = clock();
    const store = new MemoryKeyStore();
    const east = new KMSClient({ store, region: EAST, now: t.now });
    const west = new KMSClient({ store, region: WEST, now: t.now });
    const p = await newKey(east, { MultiRegion: true });
    await east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: WEST }));
    await west.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId, PendingWindowInDays: 7 }));
    t.advance(8 * DAY);
    const e = await rejection(
      east.send(new UpdatePrimaryRegionCommand({ KeyId: p.KeyId, PrimaryRegion: WEST })),
      NotFoundException,
    );
    expect(e.message).toBe(`Key 'arn:aws:kms:${WEST}:${ACCOUNT}:key/${p.KeyId}' does not exist`);
    // Its Region is free again: a new replica may be made there.
    await east.send(new ReplicateKeyCommand({ KeyId: p.KeyId, ReplicaRegion: WEST }));
    const md = (await east.send(new DescribeKeyCommand({ KeyId: p.KeyId }))).KeyMetadata!;
    expect(md.MultiRegionConfiguration!.ReplicaKeys!.map((r) => r.Region)).toEqual([WEST]);
  });
});

describe("grants run by the operations' clock", () => {
  it("a grant's CreationDate is the injected clock's", async () => {
    const t = clock(true);
    t.advance(-40 * DAY);
    const c = new KMSClient({ store: new MemoryKeyStore(), now: t.now });
    const k = await newKey(c);
    await c.send(
      new CreateGrantCommand({
        KeyId: k.KeyId,
        GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/app`,
        Operations: ['Encrypt'],
      }),
    );
    const grants = (await c.send(new ListGrantsCommand({ KeyId: k.KeyId }))).Grants!;
    expect(grants.map((g) => g.CreationDate!.getTime())).toEqual([t.now().getTime()]);
  });
});

describe('last uses of keys', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are kept per store: another store with the same key ARN does not see them', async () => {
    const a = new MemoryKeyStore();
    const b = new MemoryKeyStore();
    const ca = new KMSClient({ store: a });
    const cb = new KMSClient({ store: b });
    const k = await newKey(ca);
    await b.putKey((await a.getKey(ACCOUNT, EAST, k.KeyId!))!);
    await encrypt(ca, k.KeyId!);
    const second = await encrypt(ca, k.KeyId!);
    expect((await ca.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyLastUsage!.KmsRequestId).toBe(
      second.$metadata.requestId,
    );
    expect((await cb.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).KeyLastUsage).toEqual({});
  });

  it('a store that fails the write is tried once per interval, not on every request', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = clock(true);
    const s = instrumented();
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, warn: (...args: unknown[]) => warnings.push(args), error() {} };
    const c = new KMSClient({ store: s.store, now: t.now, logger });
    const k = await newKey(c);
    s.control.failPuts = true;
    s.reset();
    for (let i = 0; i < 20; i++) await encrypt(c, k.KeyId!);
    expect(s.counts.putKey).toBe(1);
    expect(warnings).toHaveLength(1);
    // The interval over: the pending use is tried again (once), and fails again.
    t.advance(LAST_USAGE_WRITE_INTERVAL_MS);
    await vi.advanceTimersByTimeAsync(LAST_USAGE_WRITE_INTERVAL_MS);
    expect(s.counts.putKey).toBe(2);
    for (let i = 0; i < 20; i++) await encrypt(c, k.KeyId!);
    expect(s.counts.putKey).toBe(2);
    expect(warnings).toHaveLength(2);
    // The store works again: the next write lands.
    s.control.failPuts = false;
    t.advance(LAST_USAGE_WRITE_INTERVAL_MS);
    const last = await encrypt(c, k.KeyId!);
    expect((await s.inner.getKey(ACCOUNT, EAST, k.KeyId!))!.lastUsage!.kmsRequestId).toBe(last.$metadata.requestId);
  });

  it('stay bounded in number; a key forgotten with a use not yet written has it written', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = new MemoryKeyStore();
    const c = new KMSClient({ store });
    const k = await newKey(c);
    const arn = `arn:aws:kms:${EAST}:${ACCOUNT}:key/${k.KeyId!}`;
    const at = Date.now();
    await noteUse(store, arn, { operation: 'Encrypt', timestamp: at, kmsRequestId: 'first' });
    // Within the interval: held in memory only.
    expect(noteUse(store, arn, { operation: 'Decrypt', timestamp: at + 1, kmsRequestId: 'second' })).toBeUndefined();
    expect((await store.getKey(ACCOUNT, EAST, k.KeyId!))!.lastUsage!.kmsRequestId).toBe('first');
    // Every one of these is used within the same millisecond: none could be forgotten by age.
    for (let i = 0; i < MAX_KEYS_HELD + 100; i++) {
      const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
      await noteUse(store, `arn:aws:kms:${EAST}:${ACCOUNT}:key/${id}`, {
        operation: 'Encrypt',
        timestamp: at + 2,
        kmsRequestId: `r${i}`,
      });
      expect(keysHeld(store)).toBeLessThanOrEqual(MAX_KEYS_HELD);
    }
    expect(keysHeld(store)).toBe(MAX_KEYS_HELD);
    await vi.waitFor(async () =>
      expect((await store.getKey(ACCOUNT, EAST, k.KeyId!))!.lastUsage!.kmsRequestId).toBe('second'),
    );
  });

  it('the least recently used key is the one forgotten', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const store = new MemoryKeyStore();
    const at = Date.now();
    const arnOf = (i: number) =>
      `arn:aws:kms:${EAST}:${ACCOUNT}:key/00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const use = (i: number, n: number) =>
      noteUse(store, arnOf(i), { operation: 'Sign', timestamp: at + n, kmsRequestId: `${i}` });
    for (let i = 0; i < MAX_KEYS_HELD; i++) await use(i, 0);
    // Key 0 used again: key 1 is now the least recently used.
    expect(use(0, 1)).toBeUndefined();
    await use(MAX_KEYS_HELD, 2);
    // Key 0 is still held (a use within the interval is not written), key 1 is not (its next use writes at once).
    expect(use(0, 3)).toBeUndefined();
    expect(use(1, 4)).toBeInstanceOf(Promise);
  });
});

describe('GetKeyLastUsage', () => {
  it('takes the store lock only when a tracking start must be written', async () => {
    const s = instrumented();
    const c = new KMSClient({ store: s.store });
    const k = await newKey(c);
    s.reset();
    const out = await c.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }));
    expect(out.TrackingStartDate).toEqual(k.CreationDate);
    expect(s.counts.transactions).toBe(0);
    expect(s.counts.putKey).toBe(0);

    // A key from before tracking: its start is written once, under the lock.
    const record = (await s.inner.getKey(ACCOUNT, EAST, k.KeyId!))!;
    delete record.lastUsage;
    await s.inner.putKey(record);
    s.reset();
    const started = await c.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }));
    expect(s.counts.transactions).toBe(1);
    expect(s.counts.putKey).toBe(1);
    expect((await s.inner.getKey(ACCOUNT, EAST, k.KeyId!))!.lastUsage!.trackingStartDate).toEqual(
      started.TrackingStartDate,
    );
    s.reset();
    expect((await c.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }))).TrackingStartDate).toEqual(
      started.TrackingStartDate,
    );
    expect(s.counts.transactions).toBe(0);
  });
});
