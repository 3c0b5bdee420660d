// Several `wasm-kms serve` processes on one PostgreSQL database (--store postgres://...), driven by
// the real @aws-sdk/client-kms: what one endpoint writes, the endpoint without a cache reads at
// once and the others, with their record cache in its default (eventual) mode, within the
// notification delay (polled for; what each change means for the others, round by round and with
// WASM_KMS_STORE_CACHE=strict: pg-consistency.test.ts); read-modify-write operations sent to all
// of them at the same moment all land; a name is taken once; an endpoint killed mid-write loses
// nothing it acknowledged; a PostgreSQL restart gives retryable 5xx answers, then every endpoint
// serves again by itself and its cache follows changes again. The server is a throwaway cluster
// (helpers/postgres.ts); the endpoints are the built bin (dist/node/cli/main.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
import { startPostgres, type RunningPostgres } from './helpers/postgres.js';
import { childEnv } from './helpers/env.js';
import { spawnServe, type ServeProcess } from './helpers/endpoint.js';
import { redactStore } from '../src/node/cli/context.js';
import { TRANSACTION_LOCK } from '../src/node/pg-store/schema.js';
import postgresClient from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');

let work: string;
let pg: RunningPostgres;
const masterKey = randomBytes(32).toString('hex');

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
  childEnv(join(work, 'home'), { WASM_KMS_MASTER_KEY: masterKey, ...extra });

type Served = ServeProcess;

/** Every serve process started here: afterAll kills any still running, whatever a test left. */
const spawned = new Set<ChildProcess>();

/** `wasm-kms --store URL serve --port 0 --quiet ...extra`; resolves once it prints its listening line. */
function startServe(store: string, vars: Record<string, string> = {}, ...extra: string[]): Promise<Served> {
  const args = ['--store', store, 'serve', '--port', '0', '--threads', '1', '--quiet', ...extra];
  return spawnServe(args, env(vars), spawned);
}

/** Fails, with the end of its stderr, when an endpoint has exited. */
function expectAllRunning(): void {
  for (const [n, e] of endpoints.entries())
    expect(e.child.exitCode, `endpoint ${n} exited; its stderr ends: ${e.err().slice(-1500)}`).toBeNull();
}

/** An SDK client on one endpoint: no retries, so that every answer is seen as it was. */
function client(url: string): sdk.KMSClient {
  return new sdk.KMSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDPGENDPOINTS', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

/** The exception a call threw (fails the test when it succeeded). */
async function failure(p: Promise<unknown>): Promise<sdk.KMSServiceException> {
  try {
    await p;
  } catch (e) {
    return e as sdk.KMSServiceException;
  }
  throw new Error('expected the call to fail');
}

const bytes = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex');

/** How long a change may take to reach another endpoint's cache before a test fails (not a timing test). */
const NOTIFICATION_BOUND = { timeout: 5_000, interval: 2 };

let endpoints: Served[] = [];
/** One client per endpoint, for the checks made through each. */
let kms: sdk.KMSClient[] = [];
/** An endpoint started with WASM_KMS_STORE_CACHE=off: every read goes to the database. */
let uncached: Served;
let direct: sdk.KMSClient;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-pg-endpoints-'));
  mkdirSync(join(work, 'home'));
  pg = await startPostgres();
  // The first opens the database and applies the migrations; the other two start together.
  endpoints = [await startServe(pg.url)];
  const [b, c, d] = await Promise.all([
    startServe(pg.url),
    startServe(pg.url),
    startServe(pg.url, { WASM_KMS_STORE_CACHE: 'off' }),
  ]);
  endpoints.push(b, c);
  uncached = d;
  kms = endpoints.map((e) => client(e.url));
  direct = client(uncached.url);
}, 60_000);

afterAll(async () => {
  for (const c of kms) c.destroy();
  direct?.destroy();
  await Promise.all(
    [...endpoints, uncached].map(async (e) => {
      if (e === undefined) return;
      e.child.kill('SIGTERM');
      await e.exited;
    }),
  );
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('serve on PostgreSQL: usage and secrets', () => {
  it('a URL with a password is shown with *** in place of it, wherever the password is', () => {
    expect(redactStore('postgres://app:s3cret@db.example:5432/kms')).toBe('postgres://app:***@db.example:5432/kms');
    expect(redactStore('postgresql://app:p%40ss%2Fw@db/kms?sslmode=require')).toBe(
      'postgresql://app:***@db/kms?sslmode=require',
    );
    // An '@' the writer did not encode: the user information ends at the last one.
    expect(redactStore('postgres://app:p@ss@db/kms')).toBe('postgres://app:***@db/kms');
    expect(redactStore('postgres://db/kms?user=app&password=hunter2&sslmode=disable')).toBe(
      'postgres://db/kms?user=app&password=***&sslmode=disable',
    );
    // A '?' or '#' in the password, not encoded: still hidden, whole.
    expect(redactStore('postgres://u:pa?ss@host/db')).toBe('postgres://u:***@host/db');
    expect(redactStore('postgres://u:se#cret@host/db')).toBe('postgres://u:***@host/db');
    expect(redactStore('postgres://u:a?b@c@host/db?sslmode=require')).not.toContain('a?b@c');
    expect(redactStore('postgres://app@db:5432/kms')).toBe('postgres://app@db:5432/kms');
    expect(redactStore('/var/lib/wasm-kms')).toBe('/var/lib/wasm-kms');
  });

  it('a database that cannot be reached exits 255, naming the URL without its password', () => {
    const secret = 'Pw-never-printed-7f3a';
    for (const store of [
      `postgres://app:${secret}@127.0.0.1:1/kms`,
      `postgresql://app@127.0.0.1:1/kms?password=${secret}`,
    ]) {
      const r = spawnSync(process.execPath, [BIN, '--store', store, 'serve', '--port', '0'], {
        env: env(),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(255);
      expect(r.stderr).toMatch(/cannot open the key store at postgres(ql)?:\/\/app(:\*\*\*)?@127\.0\.0\.1:1\/kms/);
      expect(r.stderr + r.stdout).not.toContain(secret);
    }
  });

  it('serve --processes 2 on the database, with a password in the URL: it serves, logs every request, and never prints the password', async () => {
    const secret = 'Pw-in-the-url-91c2';
    // Trust authentication: the server accepts the password without needing it.
    const url = pg.url.replace('postgres@', `postgres:${secret}@`);
    const args = [BIN, '--store', url, 'serve', '--port', '0', '--processes', '2', '--threads', '1'];
    const child = spawn(process.execPath, [...args, '--pg-pool-size', '2', '--log-format', 'json'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.add(child);
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const served = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /^wasm-kms listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m) resolve(m[1]);
        });
        void exited.then((code) => reject(new Error(`serve exited early (${code}): ${err}`)));
      });
      const c = client(served);
      try {
        const keyId = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
        for (let i = 0; i < 8; i++) await c.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(8) }));
        expect((await direct.send(new sdk.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyId).toBe(keyId);
      } finally {
        c.destroy();
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(err.match(/TrentService\.Encrypt 200/g)).toHaveLength(8);
    expect(out + err).not.toContain(secret);
  }, 60_000);

  it('--pg-statement-timeout: a write kept waiting past it is answered DependencyTimeoutException (503), then writes go on', async () => {
    const served = await startServe(pg.url, {}, '--pg-statement-timeout', '300');
    const c = client(served.url);
    // Another session holds the lock every endpoint's read-modify-write transaction takes.
    const holder = new postgresClient.Client({ connectionString: pg.url });
    try {
      await holder.connect();
      await holder.query(`SELECT pg_advisory_lock(${TRANSACTION_LOCK})`);
      // Without the option the wait would be the default 10 s, past this request's 5 s.
      const e = await failure(
        c.send(new sdk.CreateAliasCommand({ AliasName: 'alias/timeout', TargetKeyId: 'x' }), {
          abortSignal: AbortSignal.timeout(5_000),
        }),
      );
      expect(e.name).toBe('DependencyTimeoutException');
      expect(e.$metadata.httpStatusCode).toBe(503);
      await holder.query(`SELECT pg_advisory_unlock(${TRANSACTION_LOCK})`);
      const keyId = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await c.send(new sdk.CreateAliasCommand({ AliasName: 'alias/timeout', TargetKeyId: keyId }));
    } finally {
      c.destroy();
      await holder.end().catch(() => undefined);
      served.child.kill('SIGTERM');
      await served.exited;
    }
  }, 60_000);

  it('--pg-pool-size and --pg-statement-timeout: whole numbers in range, and only with a PostgreSQL store', () => {
    const run = (store: string, extra: string[], vars: Record<string, string> = {}) =>
      spawnSync(process.execPath, [BIN, '--store', store, 'serve', '--port', '0', ...extra], {
        env: env(vars),
        encoding: 'utf8',
        timeout: 30_000,
      });
    const url = 'postgres://app:pw@127.0.0.1:1/kms';
    for (const [flag, value, range] of [
      ['--pg-pool-size', '0', '1 to 1000'],
      ['--pg-pool-size', '1001', '1 to 1000'],
      ['--pg-pool-size', 'ten', '1 to 1000'],
      ['--pg-statement-timeout', '0', '1 to 2147483647'],
      ['--pg-statement-timeout', '2147483648', '1 to 2147483647'],
      ['--pg-statement-timeout', '1.5', '1 to 2147483647'],
    ]) {
      const r = run(url, [flag, value]);
      expect(r.status, `${flag} ${value}: ${r.stderr}`).toBe(252);
      expect(r.stderr).toContain(`argument ${flag}: expected a whole number from ${range}, got '${value}'`);
    }
    const fromVar = run(url, [], { WASM_KMS_PG_POOL_SIZE: '-3' });
    expect(fromVar.status, fromVar.stderr).toBe(252);
    expect(fromVar.stderr).toContain(
      "environment variable WASM_KMS_PG_POOL_SIZE: expected a whole number from 1 to 1000, got '-3'",
    );
    // WASM_KMS_STORE_CACHE=eventual and strict are for PostgreSQL only; a file store keeps on/off.
    const eventualOnFiles = run(join(work, 'file-store'), [], { WASM_KMS_STORE_CACHE: 'eventual' });
    expect(eventualOnFiles.status, eventualOnFiles.stderr).toBe(252);
    expect(eventualOnFiles.stderr).toContain("WASM_KMS_STORE_CACHE: 'eventual' is for a PostgreSQL store");
    const strictOnFiles = run(join(work, 'file-store'), [], { WASM_KMS_STORE_CACHE: 'strict' });
    expect(strictOnFiles.status, strictOnFiles.stderr).toBe(252);
    expect(strictOnFiles.stderr).toContain("WASM_KMS_STORE_CACHE: expected 'on' or 'off', got 'strict'");
    const badCache = run(url, [], { WASM_KMS_STORE_CACHE: 'maybe' });
    expect(badCache.status, badCache.stderr).toBe(252);
    expect(badCache.stderr).toContain(
      "WASM_KMS_STORE_CACHE: expected 'on', 'off', 'eventual' or 'strict', got 'maybe'",
    );
    const onFiles = run(join(work, 'file-store'), ['--pg-pool-size', '4']);
    expect(onFiles.status, onFiles.stderr).toBe(252);
    expect(onFiles.stderr).toContain('argument --pg-pool-size: only used with a PostgreSQL store');
    const onMemory = spawnSync(process.execPath, [BIN, 'serve', '--memory', '--pg-statement-timeout', '100'], {
      env: env(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(onMemory.status, onMemory.stderr).toBe(252);
    expect(onMemory.stderr).toContain('argument --pg-statement-timeout: only used with a PostgreSQL store');
  });
});

describe('three endpoints on one PostgreSQL database', () => {
  it('64 clients spread over the endpoints: what one endpoint writes, the others use at once and list within the notification delay', async () => {
    const workers = Array.from({ length: 64 }, (_, i) => i);
    const keyOf = new Map<number, string>();
    await Promise.all(
      workers.map(async (i) => {
        // Each worker has a client of its own on each endpoint, starting on endpoint i % 3.
        const own = endpoints.map((e) => client(e.url));
        const at = (k: number) => own[(i + k) % 3];
        try {
          const created = await at(0).send(new sdk.CreateKeyCommand({ Description: `worker ${i}` }));
          const keyId = created.KeyMetadata!.KeyId!;
          keyOf.set(i, keyId);
          const plaintext = randomBytes(32);
          const enc = await at(1).send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
          const dec = await at(2).send(new sdk.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
          expect(bytes(dec.Plaintext)).toBe(plaintext.toString('hex'));
          expect(dec.KeyId).toBe(created.KeyMetadata!.Arn);

          const pair = await at(0).send(
            new sdk.GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }),
          );
          const priv = await at(1).send(new sdk.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
          expect(bytes(priv.Plaintext)).toBe(bytes(pair.PrivateKeyPlaintext));

          // The alias is made on the endpoint that has just read the key; used through another.
          await at(2).send(new sdk.CreateAliasCommand({ AliasName: `alias/worker-${i}`, TargetKeyId: keyId }));
          const byAlias = await at(0).send(new sdk.DescribeKeyCommand({ KeyId: `alias/worker-${i}` }));
          expect(byAlias.KeyMetadata!.KeyId).toBe(keyId);

          // Tags written through one endpoint are listed at once by that endpoint and by the one
          // without a cache; the two others, which have read the key before, untagged, list them
          // once the change's notification has dropped their cached record.
          const tagged = [{ TagKey: 'worker', TagValue: `${i}` }];
          await at(1).send(new sdk.TagResourceCommand({ KeyId: keyId, Tags: tagged }));
          for (const c of [at(1), direct])
            expect((await c.send(new sdk.ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual(tagged);
          for (const k of [2, 0])
            await expect
              .poll(async () => (await at(k).send(new sdk.ListResourceTagsCommand({ KeyId: keyId }))).Tags, {
                ...NOTIFICATION_BOUND,
              })
              .toEqual(tagged);
          const enc2 = await at(2).send(new sdk.EncryptCommand({ KeyId: `alias/worker-${i}`, Plaintext: plaintext }));
          const dec2 = await at(0).send(new sdk.DecryptCommand({ CiphertextBlob: enc2.CiphertextBlob }));
          expect(bytes(dec2.Plaintext)).toBe(plaintext.toString('hex'));
        } finally {
          for (const c of own) c.destroy();
        }
      }),
    );
    // Every endpoint lists all 64 keys and aliases.
    for (const c of kms) {
      const keys = new Set<string>();
      for await (const page of sdk.paginateListKeys({ client: c }, {}))
        for (const k of page.Keys ?? []) keys.add(k.KeyId!);
      for (const id of keyOf.values()) expect(keys.has(id)).toBe(true);
      const aliases = new Map<string, string>();
      for await (const page of sdk.paginateListAliases({ client: c }, {}))
        for (const a of page.Aliases ?? []) aliases.set(a.AliasName!, a.TargetKeyId!);
      for (const [i, id] of keyOf) expect(aliases.get(`alias/worker-${i}`)).toBe(id);
    }
  }, 60_000);

  it('rotations of one key sent to all three endpoints at once all land; every blob decrypts everywhere', async () => {
    const keyId = (await kms[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const plaintext = randomBytes(24);
    const blobs: Uint8Array[] = [];
    const encryptAt = async (c: sdk.KMSClient) =>
      blobs.push((await c.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext }))).CiphertextBlob!);
    // Every endpoint has the key in hand before the rotations start.
    for (const c of kms) await encryptAt(c);
    const perEndpoint = 6;
    await Promise.all(
      kms.flatMap((c) =>
        Array.from({ length: perEndpoint }, async () => {
          await c.send(new sdk.RotateKeyOnDemandCommand({ KeyId: keyId }));
          await encryptAt(c);
        }),
      ),
    );
    for (const c of kms) await encryptAt(c);
    // The endpoint without a cache lists every rotation at once; the others, each with the key in
    // its cache from before, once the notifications have arrived.
    const rotationsAt = async (c: sdk.KMSClient) =>
      (await c.send(new sdk.ListKeyRotationsCommand({ KeyId: keyId, Limit: 1000 }))).Rotations ?? [];
    expect(await rotationsAt(direct)).toHaveLength(3 * perEndpoint);
    for (const c of kms)
      await expect.poll(async () => (await rotationsAt(c)).length, { ...NOTIFICATION_BOUND }).toBe(3 * perEndpoint);
    for (const c of [direct, ...kms]) {
      const rotations = await rotationsAt(c);
      expect(new Set(rotations.map((r) => r.KeyMaterialId)).size).toBe(3 * perEndpoint);
      expect(rotations.every((r) => r.RotationType === 'ON_DEMAND')).toBe(true);
    }
    // Every blob, some under key material an endpoint's cached record may not have had yet,
    // decrypts through every endpoint (a refusal is confirmed against the database first).
    expect(blobs).toHaveLength(6 + 3 * perEndpoint);
    for (const c of [direct, ...kms]) {
      for (const blob of blobs) {
        const dec = await c.send(new sdk.DecryptCommand({ CiphertextBlob: blob }));
        expect(bytes(dec.Plaintext)).toBe(plaintext.toString('hex'));
      }
    }
  }, 60_000);

  it('an alias name raced for through every endpoint is taken once; the others get AlreadyExistsException', async () => {
    const keys = await Promise.all(
      Array.from(
        { length: 6 },
        async (_, j) => (await kms[j % 3].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!,
      ),
    );
    for (let round = 0; round < 8; round++) {
      const name = `alias/race-${round}`;
      const results = await Promise.allSettled(
        keys.map((k, j) => kms[(j + round) % 3].send(new sdk.CreateAliasCommand({ AliasName: name, TargetKeyId: k }))),
      );
      const won = results.flatMap((r, j) => (r.status === 'fulfilled' ? [keys[j]] : []));
      expect(won, name).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect((r.reason as Error).name).toBe('AlreadyExistsException');
      }
      for (const c of kms) {
        const d = await c.send(new sdk.DescribeKeyCommand({ KeyId: name }));
        expect(d.KeyMetadata!.KeyId).toBe(won[0]);
      }
    }
  }, 60_000);

  it('backup: pg_dump of the tables, restored into another database, serves every key with the master key, and nothing without it', async () => {
    const keyId = (await kms[0].send(new sdk.CreateKeyCommand({ Description: 'backed up' }))).KeyMetadata!.KeyId!;
    const plaintext = randomBytes(32);
    const before = await kms[1].send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    await kms[2].send(new sdk.RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = await direct.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    const dump = join(work, 'kms.dump');
    await pg.runTool('pg_dump', ['-d', 'postgres', '--format', 'custom', '--table', 'wasm_kms_*', '--file', dump]);
    await pg.runTool('createdb', ['restored']);
    await pg.runTool('pg_restore', ['-d', 'restored', dump]);
    const restoredUrl = pg.url.replace(/\/postgres$/, '/restored');
    const restored = await startServe(restoredUrl);
    const c = client(restored.url);
    try {
      for (const blob of [before.CiphertextBlob, after.CiphertextBlob]) {
        const dec = await c.send(new sdk.DecryptCommand({ CiphertextBlob: blob }));
        expect(bytes(dec.Plaintext)).toBe(plaintext.toString('hex'));
      }
      expect((await c.send(new sdk.DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.Description).toBe('backed up');
    } finally {
      c.destroy();
      restored.child.kill('SIGTERM');
      await restored.exited;
    }
    // Another master key (or none) opens nothing: the dump alone is of no use.
    for (const vars of [{ WASM_KMS_MASTER_KEY: randomBytes(32).toString('hex') }, { WASM_KMS_MASTER_KEY: '' }]) {
      const r = spawnSync(process.execPath, [BIN, '--store', restoredUrl, 'list-keys'], {
        env: env(vars),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(255);
      expect(r.stderr).toContain(`cannot open the key store at ${restoredUrl}`);
      expect(r.stdout).toBe('');
    }
  }, 60_000);

  it('an endpoint killed (SIGKILL) mid-writes: every write it acknowledged is in the database', async () => {
    const victim = endpoints[2];
    const acked: { keyId: string; tagged: boolean }[] = [];
    let stop = false;
    const writers = Array.from({ length: 16 }, async () => {
      const c = client(victim.url);
      try {
        while (!stop) {
          const keyId = (await c.send(new sdk.CreateKeyCommand({ Description: 'before the kill' }))).KeyMetadata!
            .KeyId!;
          const entry = { keyId, tagged: false };
          acked.push(entry);
          await c.send(new sdk.TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'acked', TagValue: 'yes' }] }));
          entry.tagged = true;
        }
      } catch {
        // The connection cut by the kill: what was in flight was not acknowledged.
      } finally {
        c.destroy();
      }
    });
    await expect.poll(() => acked.length, { timeout: 20_000, interval: 5 }).toBeGreaterThanOrEqual(40);
    victim.child.kill('SIGKILL');
    await victim.exited;
    stop = true;
    await Promise.all(writers);
    // The other endpoints keep writing (no lock left held by the dead one) and see every acknowledged write.
    await kms[0].send(new sdk.CreateKeyCommand({}));
    for (const [n, { keyId, tagged }] of acked.entries()) {
      const c = kms[n % 2];
      const d = await c.send(new sdk.DescribeKeyCommand({ KeyId: keyId }));
      expect(d.KeyMetadata!.Description).toBe('before the kill');
      if (tagged) {
        const tags = await c.send(new sdk.ListResourceTagsCommand({ KeyId: keyId }));
        expect(tags.Tags).toEqual([{ TagKey: 'acked', TagValue: 'yes' }]);
      }
    }
    // A new endpoint takes its place.
    endpoints[2] = await startServe(pg.url);
    kms[2].destroy();
    kms[2] = client(endpoints[2].url);
    await kms[2].send(new sdk.DescribeKeyCommand({ KeyId: acked[0].keyId }));
  }, 60_000);

  it('a PostgreSQL restart under load: only retryable 5xx KMS exceptions, then every endpoint recovers by itself, nothing acknowledged lost', async () => {
    const shared = (await kms[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const acked: string[] = [];
    const failures: sdk.KMSServiceException[] = [];
    const other: unknown[] = [];
    let stop = false;
    const load = Array.from({ length: 12 }, async (_, i) => {
      const c = client(endpoints[i % 3].url);
      try {
        while (!stop) {
          try {
            if (i % 2 === 0) {
              acked.push((await c.send(new sdk.CreateKeyCommand({ Description: 'restart' }))).KeyMetadata!.KeyId!);
            } else {
              const enc = await c.send(new sdk.EncryptCommand({ KeyId: shared, Plaintext: randomBytes(16) }));
              await c.send(new sdk.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
            }
          } catch (e) {
            if (e instanceof sdk.KMSServiceException) failures.push(e);
            else other.push(e);
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      } finally {
        c.destroy();
      }
    });
    await expect.poll(() => acked.length, { timeout: 20_000, interval: 5 }).toBeGreaterThanOrEqual(10);
    const before = acked.length;
    await pg.restart();
    // Every endpoint answers again without being restarted, and the connections the restart cut
    // (idle, in a query, in a transaction) crashed none of them: an endpoint that exits ends the wait.
    const exited = (): boolean => endpoints.some((e) => e.child.exitCode !== null);
    await expect
      .poll(
        async () =>
          exited() ||
          (
            await Promise.allSettled(
              kms.map((c) => c.send(new sdk.EncryptCommand({ KeyId: shared, Plaintext: randomBytes(8) }))),
            )
          ).every((r) => r.status === 'fulfilled'),
        { timeout: 20_000, interval: 100 },
      )
      .toBe(true);
    expectAllRunning();
    // And the load goes on succeeding.
    const afterRecovery = acked.length;
    await expect.poll(() => acked.length, { timeout: 10_000, interval: 5 }).toBeGreaterThan(afterRecovery + 10);
    stop = true;
    await Promise.all(load);
    expect(before).toBeGreaterThan(0);
    expect(other).toEqual([]);
    // The restart was seen: some requests failed, each as a server fault the SDKs retry.
    expect(failures.length).toBeGreaterThan(0);
    for (const e of failures) {
      expect(['KMSInternalException', 'DependencyTimeoutException']).toContain(e.name);
      expect(e.$fault).toBe('server');
      expect(e.$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
    }
    expectAllRunning();
    for (const [n, keyId] of acked.entries()) {
      const d = await kms[n % 3].send(new sdk.DescribeKeyCommand({ KeyId: keyId }));
      expect(d.KeyMetadata!.Description).toBe('restart');
    }
    // Every cache follows changes again: DisableKey is refused at once by the writer and the
    // endpoint without a cache, and within the notification delay by the others (a cache left
    // without its notifications would keep the enabled record for good); EnableKey is honoured at
    // once everywhere (each endpoint's refusal is confirmed by a catch-up on its listening
    // connection, which must be back).
    const encryptShared = (c: sdk.KMSClient) =>
      c.send(new sdk.EncryptCommand({ KeyId: shared, Plaintext: randomBytes(8) }));
    await kms[1].send(new sdk.DisableKeyCommand({ KeyId: shared }));
    for (const c of [kms[1], direct]) expect((await failure(encryptShared(c))).name).toBe('DisabledException');
    for (const c of [kms[0], kms[2]])
      await expect
        .poll(async () => (await failure(encryptShared(c)).catch((e: Error) => e)).name, { ...NOTIFICATION_BOUND })
        .toBe('DisabledException');
    await kms[2].send(new sdk.EnableKeyCommand({ KeyId: shared }));
    for (const c of [...kms, direct]) await encryptShared(c);
  }, 60_000);

  it('while PostgreSQL is down, a client with SDK retries gets its answer once it is back', async () => {
    const keyId = (await kms[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const retrying = endpoints.map(
      (e) =>
        new sdk.KMSClient({
          endpoint: e.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDPGENDPOINTS', secretAccessKey: 'x' },
          maxAttempts: 12,
        }),
    );
    try {
      expectAllRunning();
      await pg.pgCtl('stop');
      const answers = retrying.map((c) => c.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(8) })));
      await new Promise((r) => setTimeout(r, 500));
      await pg.pgCtl('start');
      for (const a of await Promise.all(answers)) {
        expect(a.KeyId).toMatch(new RegExp(`${keyId}$`));
        // Refused while the database was down, answered after: the 5xx were retried.
        expect(a.$metadata.attempts).toBeGreaterThan(1);
      }
      expectAllRunning();
    } finally {
      for (const c of retrying) c.destroy();
    }
  }, 60_000);
});
