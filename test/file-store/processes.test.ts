// The file key store: several processes and threads: locking, crash recovery, and no acknowledged write lost when
// the writer is killed (the writer processes run test/helpers/file-store-writer.mjs on the built dist/).
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import type { CustomKeyStoreRecord } from '../../src/kms/store.js';
import {
  ACCOUNT,
  write,
  WRITER,
  THREADS,
  BOOT_ID,
  PID_NS,
  REGION,
  tempDir,
  removeTempDirs,
  walk,
  put,
  get,
  minimalKey,
  alias,
} from '../helpers/file-store.js';
import { rejectionOf } from '../helpers/caught.js';

afterAll(removeTempDirs);

interface WriterRun {
  acked: number[];
  done: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the writer; with `killAfterFirstAckMs`, SIGKILLs it that long after its first
 * acknowledgement. Resolves once the process has exited (and been reaped, so its pid is dead).
 */
function runWriter(
  dir: string,
  region: string,
  tag: string,
  count: number,
  env: NodeJS.ProcessEnv,
  killAfterFirstAckMs?: number,
): Promise<WriterRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, region, tag, String(count)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: WriterRun = { acked: [], done: false, code: null, signal: null, stderr: '' };
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'done') run.done = true;
        else run.acked.push(Number(/^ack (\d+)$/.exec(line)![1]));
        if (killAfterFirstAckMs !== undefined && timer === undefined) {
          timer = setTimeout(() => child.kill('SIGKILL'), killAfterFirstAckMs);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (run.stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      run.code = code;
      run.signal = signal;
      resolvePromise(run);
    });
  });
}

/** Every record of a region, as written by `tag`: each must be exactly one of the writes 0..count-1. */
async function writtenIndexes(store: FileKeyStore, region: string, tag: string, count: number): Promise<number[]> {
  const byId = new Map<string, number>();
  for (let i = 0; i < count; i++) byId.set(`${write(region, tag, i).kind}:${write(region, tag, i).id}`, i);
  const found: number[] = [];
  const check = (kind: string, id: string, record: unknown): void => {
    const i = byId.get(`${kind}:${id}`);
    expect(i, `${kind} ${id} was never written`).toBeDefined();
    expect(record).toStrictEqual(write(region, tag, i!).record);
    found.push(i!);
  };
  for (const k of await store.listKeys(ACCOUNT, region)) check('key', k.keyId, k);
  for (const a of await store.listAliases(ACCOUNT, region)) check('alias', a.aliasName, a);
  for (const c of await store.listCustomKeyStores(ACCOUNT, region)) check('custom-key-store', c.customKeyStoreId, c);
  return found.sort((x, y) => x - y);
}

async function tempFiles(dir: string): Promise<string[]> {
  return (await walk(dir)).filter((e) => !e.dir && /\.tmp$/.test(e.path)).map((e) => e.path);
}

describe('FileKeyStore across processes', () => {
  it('keeps every acknowledged write when the writer is SIGKILLed at random moments', async () => {
    const dir = await tempDir();
    const masterKey = new Uint8Array(randomBytes(32));
    const env = { WASM_KMS_MASTER_KEY: Buffer.from(masterKey).toString('hex') };
    const rounds: { delay: number; acked: number; visible: number; lockLeft: boolean }[] = [];
    for (let round = 0; round < 6; round++) {
      const region = `crash-${round}`;
      const tag = `r${round}`;
      const delay = Math.floor(Math.random() * 700);
      const run = await runWriter(dir, region, tag, 1000, env, delay);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      expect(run.acked).toEqual(Array.from({ length: run.acked.length }, (_, i) => i));

      const store = await FileKeyStore.open(dir, { masterKey });
      for (const i of run.acked) {
        const w = write(region, tag, i);
        expect(await get(store, region, w), `${region} write ${i}`).toStrictEqual(w.record);
      }
      // What is there is whole, and at most the one write in flight at the kill is extra.
      const visible = await writtenIndexes(store, region, tag, 1000);
      expect(visible.slice(0, run.acked.length)).toEqual(run.acked);
      expect(visible.length - run.acked.length).toBeLessThanOrEqual(1);
      await store.close();
      let lockLeft = true;
      await stat(join(dir, '.write-lock')).catch(() => (lockLeft = false));
      rounds.push({ delay, acked: run.acked.length, visible: visible.length, lockLeft });
    }
    expect(rounds.filter((r) => r.acked > 0).length).toBeGreaterThan(0);

    // A full run of 1,000 writes on the same store, after those kills (recovering any lock left).
    const run = await runWriter(dir, REGION, 'full', 1000, env);
    expect(run.stderr).toBe('');
    expect([run.code, run.done, run.acked.length]).toEqual([0, true, 1000]);
    const store = await FileKeyStore.open(dir, { masterKey });
    expect(await writtenIndexes(store, REGION, 'full', 1000)).toEqual(run.acked);
    // The earlier rounds are all still there too.
    for (let round = 0; round < rounds.length; round++) {
      expect((await writtenIndexes(store, `crash-${round}`, `r${round}`, 1000)).length).toBe(rounds[round].visible);
    }
    await store.close();
    // Temporary record files of killed writers were removed by the writer that recovered their lock.
    expect((await tempFiles(dir)).filter((f) => f.startsWith(join(dir, ACCOUNT)))).toEqual([]);
    await expect(stat(join(dir, '.write-lock'))).rejects.toThrow();
    console.log(`crash rounds: ${JSON.stringify(rounds)}`);
  });

  it('loses nothing with two processes writing at once', async () => {
    const dir = await tempDir();
    await (await FileKeyStore.open(dir)).close();
    const [one, two] = await Promise.all([
      runWriter(dir, REGION, 'one', 300, {}),
      runWriter(dir, REGION, 'two', 300, {}),
    ]);
    for (const run of [one, two])
      expect([run.code, run.done, run.acked.length, run.stderr]).toEqual([0, true, 300, '']);
    const store = await FileKeyStore.open(dir);
    // Both writers' records in one region: split them by tag through the id maps.
    const all = await store.listKeys(ACCOUNT, REGION);
    const aliases = await store.listAliases(ACCOUNT, REGION);
    const cks = await store.listCustomKeyStores(ACCOUNT, REGION);
    const expected = { key: 0, alias: 0, 'custom-key-store': 0 };
    for (const tag of ['one', 'two']) {
      const mine: string[] = [];
      for (let i = 0; i < 300; i++) {
        const w = write(REGION, tag, i);
        expect(await get(store, REGION, w)).toStrictEqual(w.record);
        expected[w.kind]++;
        if (w.kind === 'custom-key-store') mine.push(w.id);
      }
      // Custom key stores list in each writer's own order.
      expect(cks.map((c) => c.customKeyStoreId).filter((id) => mine.includes(id))).toEqual(mine);
    }
    expect([all.length, aliases.length, cks.length]).toEqual([
      expected.key,
      expected.alias,
      expected['custom-key-store'],
    ]);
    expect(cks.length).toBe(60);
    // The creation sequence, assigned under the lock, is never given twice.
    const cksDir = join(dir, ACCOUNT, REGION, 'custom-key-stores');
    const sequences = await Promise.all(
      (await readdir(cksDir)).map(async (n) => JSON.parse(await readFile(join(cksDir, n), 'utf8')).sequence),
    );
    expect(new Set(sequences).size).toBe(60);
    await store.close();
  });

  /** A process that sleeps: its pid is alive until we kill it. */
  function sleeper(): { pid: number; kill: () => Promise<void> } {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('close', () => r()));
    return {
      pid: child.pid!,
      kill: async () => {
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  const lockInfo = (pid: number, host = hostname(), more: Record<string, unknown> = {}) =>
    JSON.stringify({ pid, hostname: host, time: new Date().toISOString(), token: 'f'.repeat(32), ...more });
  /** Before this process started (with room for the store's clock slack). */
  const beforeWeStarted = () => new Date(Date.now() - process.uptime() * 1000 - 60_000).toISOString();

  it('waits for a live lock holder, names it on timeout, and recovers the lock once the holder is killed', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 300 });
    await store.putKey(minimalKey('mrk-00000000000000000000000000000001'));
    const holder = sleeper();
    const lockPath = join(dir, '.write-lock');
    const held = lockInfo(holder.pid);
    await writeFile(lockPath, held);
    // A killed writer's leftover temporary file: never read as a record.
    const keys = join(dir, ACCOUNT, REGION, 'keys');
    const stray = join(keys, `.mrk-00000000000000000000000000000002.json.${holder.pid}.0123456789abcdef.tmp`);
    await writeFile(stray, '{"half": ');
    expect(await store.listKeys(ACCOUNT, REGION)).toHaveLength(1);

    const err = await rejectionOf(store.putKey(minimalKey('mrk-00000000000000000000000000000002')));
    expect(err.message).toMatch(
      new RegExp(`could not take the write lock .* within 300 ms: held by process ${holder.pid} on `),
    );
    expect(await readFile(lockPath, 'utf8')).toBe(held); // still theirs
    expect(await store.getKey(ACCOUNT, REGION, 'mrk-00000000000000000000000000000002')).toBeUndefined();

    await holder.kill();
    await store.putKey(minimalKey('mrk-00000000000000000000000000000002'));
    expect(await store.getKey(ACCOUNT, REGION, 'mrk-00000000000000000000000000000002')).toStrictEqual(
      minimalKey('mrk-00000000000000000000000000000002'),
    );
    await expect(stat(lockPath)).rejects.toThrow(); // released
    await expect(stat(stray)).rejects.toThrow(); // swept by the recovering writer
    await store.close();
  });

  it("recovers a lock left by this pid's earlier life, never breaks another host's lock", async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    // Same pid, a token this process does not hold, taken before this process started: a previous
    // process that had our pid (a pid reused after a crash).
    await writeFile(lockPath, lockInfo(process.pid, hostname(), { time: beforeWeStarted() }));
    await store.putAlias(alias('alias/a', 'k'));
    await expect(stat(lockPath)).rejects.toThrow();

    const foreign = lockInfo(process.pid, `not-${hostname()}`, { time: beforeWeStarted() });
    await writeFile(lockPath, foreign);
    const err = await rejectionOf(store.putAlias(alias('alias/b', 'k')));
    expect(err.message).toMatch(
      /held by process \d+ on not-.*; if that process is no longer running, remove .*\.write-lock/,
    );
    expect(await readFile(lockPath, 'utf8')).toBe(foreign);
    await writeFile(lockPath, 'garbage');
    expect((await rejectionOf(store.deleteAlias(ACCOUNT, REGION, 'alias/a'))).message).toMatch(/unreadable lock file/);
    await rm(lockPath);
    expect(await store.deleteAlias(ACCOUNT, REGION, 'alias/a')).toBe(true);
    await store.close();
  });

  it('never breaks a lock of this pid taken since this process started (another thread of it holds it)', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    // What a sibling worker thread's lock looks like from here: our pid, a token we do not hold, a time after our start.
    const sibling = lockInfo(process.pid);
    await writeFile(lockPath, sibling);
    const err = await rejectionOf(store.putAlias(alias('alias/a', 'k')));
    expect(err.message).toMatch(new RegExp(`could not take the write lock .* held by process ${process.pid} on `));
    expect(await readFile(lockPath, 'utf8')).toBe(sibling);
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/a')).toBeUndefined();
    await store.close();
  });

  it('judges a lock by boot and pid namespace: another boot is stale, another namespace is waited for', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    const ourBoot = existsSync(BOOT_ID) ? (await readFile(BOOT_ID, 'utf8')).trim() : undefined;
    const ourNamespace = existsSync(PID_NS) ? (await stat(PID_NS)).ino : undefined;

    // The lock records both (where /proc has them), read while a transaction holds it.
    const recorded = await store.transaction(async () => JSON.parse(await readFile(lockPath, 'utf8')));
    expect([recorded.pid, recorded.bootId, recorded.pidNamespace]).toEqual([process.pid, ourBoot, ourNamespace]);

    // From another boot: stale even though its pid (a live sleeper's) runs now.
    const holder = sleeper();
    try {
      await writeFile(lockPath, lockInfo(holder.pid, hostname(), { bootId: '00000000-0000-4000-8000-000000000000' }));
      await store.putAlias(alias('alias/after-reboot', 'k'));
      await expect(stat(lockPath)).rejects.toThrow();
      // Same boot and namespace, live pid: waited for.
      const live = lockInfo(holder.pid, hostname(), { bootId: ourBoot, pidNamespace: ourNamespace });
      await writeFile(lockPath, live);
      expect((await rejectionOf(store.putAlias(alias('alias/x', 'k')))).message).toMatch(
        new RegExp(`held by process ${holder.pid} on `),
      );
      expect(await readFile(lockPath, 'utf8')).toBe(live);
    } finally {
      await holder.kill();
    }
    // Another pid namespace (another container on this host): its pid means nothing here, dead or
    // not, so it is waited for and the error says what to remove.
    const dead = holder.pid;
    const container = lockInfo(dead, hostname(), { bootId: ourBoot, pidNamespace: (ourNamespace ?? 1) + 1 });
    await writeFile(lockPath, container);
    const err = await rejectionOf(store.putAlias(alias('alias/x', 'k')));
    expect(err.message).toContain(
      `held by process ${dead} in another pid namespace (another container) on ${hostname()}`,
    );
    expect(err.message).toContain(`remove ${lockPath}`);
    expect(await readFile(lockPath, 'utf8')).toBe(container);
    // The same dead pid in our namespace: stale.
    await writeFile(lockPath, lockInfo(dead, hostname(), { bootId: ourBoot, pidNamespace: ourNamespace }));
    await store.putAlias(alias('alias/x', 'k'));
    expect(await store.getAlias(ACCOUNT, REGION, 'alias/x')).toStrictEqual(alias('alias/x', 'k'));
    await store.close();
  });

  it('breaks an empty or unparseable lock file from before the boot (a power loss), not a recent one', async () => {
    const dir = await tempDir();
    const store = await FileKeyStore.open(dir, { lockTimeoutMs: 200 });
    const lockPath = join(dir, '.write-lock');
    const bootTime = Date.now() - uptime() * 1000;
    for (const content of ['', '{"pid": 12']) {
      await writeFile(lockPath, content);
      expect((await rejectionOf(store.putAlias(alias('alias/p', 'k')))).message).toMatch(
        /held by an unreadable lock file/,
      );
      expect(await readFile(lockPath, 'utf8')).toBe(content);
      const before = new Date(bootTime - 3_600_000);
      await utimes(lockPath, before, before);
      await store.putAlias(alias('alias/p', 'k'));
      await expect(stat(lockPath)).rejects.toThrow();
    }
    await store.close();
  });

  it('worker threads of one process writing to one store lose nothing and never break each other’s lock', async () => {
    const dir = await tempDir();
    await (await FileKeyStore.open(dir)).close();
    const run = (args: string[]) =>
      new Promise<{ out: string; stderr: string; code: number | null; pid: number }>((done, reject) => {
        const proc = spawn(process.execPath, [THREADS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let stderr = '';
        proc.stdout.on('data', (c) => (out += c));
        proc.stderr.on('data', (c) => (stderr += c));
        proc.on('error', reject);
        proc.on('close', (code) => done({ out, stderr, code, pid: proc.pid! }));
      });
    // A thread trying to write while the main thread holds a transaction waits (and here gives up).
    const blocked = await run(['blocked', dir]);
    expect([blocked.code, blocked.stderr]).toEqual([0, '']);
    const outcome = JSON.parse(blocked.out);
    expect(outcome.result).toMatch(
      new RegExp(`^error .*could not take the write lock .* held by process ${blocked.pid} on `),
    );
    expect(outcome.description).toBe('');
    // Three threads, each 40 read-change-write transactions on one key and 40 keys of its own.
    const stress = await run(['stress', dir, '3', '40']);
    expect([stress.code, stress.stderr]).toEqual([0, '']);
    expect(JSON.parse(stress.out)).toEqual({ failures: [], materials: 120, keys: 121 });
    expect(await tempFiles(dir)).toEqual([]);
  });

  it('serialises writes of two instances in one process, and sees each other’s writes at once', async () => {
    const dir = await tempDir();
    const a = await FileKeyStore.open(dir);
    const b = await FileKeyStore.open(dir);
    const writes = Array.from({ length: 200 }, (_, i) => write(REGION, 'same', i));
    await Promise.all(writes.map((w, i) => put(i % 2 === 0 ? a : b, w)));
    for (const w of writes) {
      expect(await get(a, REGION, w)).toStrictEqual(w.record);
      expect(await get(b, REGION, w)).toStrictEqual(w.record);
    }
    // Custom key store sequences are read-modify-write: distinct only if the instances never overlapped.
    const stores = Array.from(
      { length: 60 },
      (_, i) => write('eu-west-1', 'same', 10 * i + 9).record as CustomKeyStoreRecord,
    );
    await Promise.all(stores.map((c, i) => (i % 2 === 0 ? a : b).putCustomKeyStore(c)));
    const cksDir = join(dir, ACCOUNT, 'eu-west-1', 'custom-key-stores');
    const sequences = await Promise.all(
      (await readdir(cksDir)).map(async (n) => JSON.parse(await readFile(join(cksDir, n), 'utf8')).sequence),
    );
    expect(sequences).toHaveLength(60);
    expect(new Set(sequences).size).toBe(60);
    await a.putAlias(alias('alias/fresh', 'k1'));
    expect((await b.getAlias(ACCOUNT, REGION, 'alias/fresh'))!.targetKeyId).toBe('k1');
    await b.putAlias(alias('alias/fresh', 'k2'));
    expect((await a.getAlias(ACCOUNT, REGION, 'alias/fresh'))!.targetKeyId).toBe('k2');
    await a.close();
    await b.close();
  });
});
