// The file key store: transactions: read-change-write across processes and threads loses nothing (the other
// processes run test/helpers/file-store-txn.mjs on the built dist/).
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import type { CustomKeyStoreRecord, KeyRecord } from '../../src/kms/store.js';
import { ACCOUNT, write, TXN, REGION, tempDir, removeTempDirs, minimalKey, alias } from '../helpers/file-store.js';
import { rejectionOf } from '../helpers/caught.js';

afterAll(removeTempDirs);

interface Child {
  lines: string[];
  /** Resolves once the child has printed a line starting with `prefix`. */
  line(prefix: string): Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function child(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [TXN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  let buffered = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.filter((x) => l.startsWith(x.prefix))) w.resolve(l);
    }
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stderr: string }>((r) =>
    proc.on('close', (code) => r({ code, stderr })),
  );
  return {
    lines,
    exited,
    line: (prefix) => {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((r) => waiters.push({ prefix, resolve: r })),
        exited.then(({ code, stderr: err }) => {
          throw new Error(`the child exited (${code}) before printing ${prefix}: ${err}`);
        }),
      ]);
    },
  };
}

/** A key to append key materials to. */
function emptyKey(keyId: string): KeyRecord {
  return { ...minimalKey(keyId), origin: 'AWS_KMS', keyState: 'Enabled' };
}

/** Adds one fresh key material to the key, reading and writing it through `store`. */
async function appendMaterial(store: FileKeyStore, keyId: string): Promise<void> {
  const key = (await store.getKey(ACCOUNT, REGION, keyId))!;
  await new Promise((r) => setImmediate(r)); // let any other writer in, if it can get in
  const m = { id: randomBytes(32).toString('hex'), material: new Uint8Array(randomBytes(32)) };
  key.keyMaterials.push(m);
  key.currentKeyMaterialId = m.id;
  await store.putKey(key);
}

describe('FileKeyStore transactions', () => {
  it('two processes doing read-change-write on one key in transactions lose nothing', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const env = { WASM_KMS_MASTER_KEY: Buffer.from(masterKey).toString('hex') };
    const store = await FileKeyStore.open(dir, { masterKey });
    const keyId = 'mrk-000000000000000000000000000000a1';
    await store.putKey(emptyKey(keyId));
    const runs = [child(['append', dir, REGION, keyId, '50'], env), child(['append', dir, REGION, keyId, '50'], env)];
    // This process takes part too, through its own transactions.
    for (let i = 0; i < 20; i++) await store.transaction(() => appendMaterial(store, keyId));
    for (const r of runs) {
      const { code, stderr } = await r.exited;
      expect([code, stderr, r.lines]).toEqual([0, '', ['done']]);
    }
    const key = (await store.getKey(ACCOUNT, REGION, keyId))!;
    expect(key.keyMaterials).toHaveLength(120);
    expect(new Set(key.keyMaterials.map((m) => m.id)).size).toBe(120);
    await store.close();
  });

  it("holds the lock for the whole transaction: another process's putKey waits until it ends", async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir);
    const keyId = 'mrk-000000000000000000000000000000a2';
    await store.putKey(emptyKey(keyId));
    let other: Child | undefined;
    await store.transaction(async () => {
      // A writer that gives up quickly is refused, naming this process as the holder.
      const quick = child(['put', dir, REGION, keyId, 'quick', '300']);
      expect((await quick.exited).code).toBe(0);
      expect(quick.lines[1]).toMatch(
        new RegExp(`^error .*could not take the write lock .* held by process ${process.pid} on `),
      );
      // A patient one is still waiting a while after it started trying.
      other = child(['put', dir, REGION, keyId, 'other', '60000']);
      await other.line('trying');
      await new Promise((r) => setTimeout(r, 300));
      expect(other.lines).toEqual(['trying']);
      const key = (await store.getKey(ACCOUNT, REGION, keyId))!;
      expect(key.description).toBe('');
      await store.putKey({ ...key, description: 'transaction' });
    });
    // Released: the waiting write goes in after the transaction's.
    expect(await other!.line('ok')).toBe('ok');
    expect((await other!.exited).code).toBe(0);
    expect((await store.getKey(ACCOUNT, REGION, keyId))!.description).toBe('other');
    await expect(stat(join(dir, '.write-lock'))).rejects.toThrow();
    await store.close();
  });

  it('runs the store’s own calls inside a transaction without waiting for the lock again; other calls wait', async () => {
    const dir = await tempDir();
    // A short lock timeout: a call that waited for the lock its own transaction holds would fail.
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const twin = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const keyId = 'mrk-000000000000000000000000000000a3';
    const key = emptyKey(keyId);
    const cks = write(REGION, 'txn', 9).record as CustomKeyStoreRecord;
    const result = await store.transaction(async () => {
      await store.putKey(key);
      await store.putAlias(alias('alias/one', keyId));
      await twin.putAlias(alias('alias/two', keyId)); // another instance over the same directory
      expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/one')).toBe(true);
      await store.putCustomKeyStore(cks);
      // Writes started together inside run one after another (custom key store sequences stay distinct).
      await Promise.all([
        store.putCustomKeyStore(write(REGION, 'txn', 19).record as CustomKeyStoreRecord),
        twin.putCustomKeyStore(write(REGION, 'txn', 29).record as CustomKeyStoreRecord),
      ]);
      const nested = await store.transaction(async () => {
        await twin.transaction(() => store.putKey({ ...key, description: 'nested' }));
        return 'inner';
      });
      expect(await store.listAliases(ACCOUNT, REGION)).toStrictEqual([alias('alias/two', keyId)]);
      return `${nested} ${(await twin.getKey(ACCOUNT, REGION, keyId))!.description}`;
    });
    expect(result).toBe('inner nested');
    expect((await store.listCustomKeyStores(ACCOUNT, REGION)).map((c) => c.customKeyStoreId)).toEqual(
      [9, 19, 29].map((i) => (write(REGION, 'txn', i).record as CustomKeyStoreRecord).customKeyStoreId),
    );

    // A call from outside the transaction (another request in this process, on this instance or
    // another over the same directory) waits for its end.
    const slow = await FileKeyStore.open(dir, { lockTimeoutMs: 60_000 });
    const slowTwin = await FileKeyStore.open(dir, { lockTimeoutMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const txn = slow.transaction(async () => {
      entered();
      await gate;
      const k = (await slow.getKey(ACCOUNT, REGION, keyId))!;
      await slow.putKey({ ...k, description: `${k.description} + transaction` });
    });
    await inside;
    const outside = Promise.all([
      slow.putKey({ ...key, description: 'outside' }),
      slowTwin.putAlias(alias('alias/outside', keyId)),
    ]);
    let outsideDone = false;
    void outside.then(() => (outsideDone = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(outsideDone).toBe(false);
    expect(await slow.getAlias(ACCOUNT, REGION, 'alias/outside')).toBeUndefined();
    release();
    await txn;
    await outside;
    // The transaction read the record before either outside write and its write came first.
    expect((await slow.getKey(ACCOUNT, REGION, keyId))!.description).toBe('outside');
    expect(await slow.getAlias(ACCOUNT, REGION, 'alias/outside')).toStrictEqual(alias('alias/outside', keyId));
    await Promise.all([store.close(), twin.close(), slow.close(), slowTwin.close()]);
  });

  it('serialises transactions of one instance and of two instances over the same directory', async () => {
    const dir = await tempDir();
    const a = await FileKeyStore.open(dir);
    const b = await FileKeyStore.open(dir);
    const keyId = 'mrk-000000000000000000000000000000a4';
    await a.putKey(emptyKey(keyId));
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 3 === 0 ? b : a).transaction(() => appendMaterial(i % 3 === 0 ? b : a, keyId)),
      ),
    );
    const got = (await b.getKey(ACCOUNT, REGION, keyId))!;
    expect(got.keyMaterials).toHaveLength(60);
    await a.close();
    await b.close();
  });

  it('releases the lock when the transaction throws, keeping what it wrote before', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const keyId = 'mrk-000000000000000000000000000000a5';
    const err = await rejectionOf(
      store.transaction(async () => {
        await store.putKey(emptyKey(keyId));
        throw new Error('boom');
      }),
    );
    expect(err.message).toBe('boom');
    await expect(stat(join(dir, '.write-lock'))).rejects.toThrow();
    // The next writers, in this process and in another, get the lock.
    await store.putAlias(alias('alias/after', keyId));
    const other = child(['put', dir, REGION, keyId, 'other', '200']);
    expect((await other.exited).code).toBe(0);
    expect(other.lines).toEqual(['trying', 'ok']);
    expect(await store.transaction(async () => (await store.getKey(ACCOUNT, REGION, keyId))!.description)).toBe(
      'other',
    );
    // A transaction that throws before any await, or is given no function, releases too.
    await expect(
      store.transaction(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(store.transaction(undefined as unknown as () => Promise<void>)).rejects.toThrow(TypeError);
    await store.putKey(emptyKey(keyId));
    await store.close();
  });
});
