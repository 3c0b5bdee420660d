// What a change made through one `wasm-kms serve` endpoint on PostgreSQL means for the others,
// through the real @aws-sdk/client-kms (no SDK retries: every answer is seen as it was), three
// endpoints per mode on one database, with SigV4 callers: the account's root (admin) and an IAM
// user without identity policies (alice), whom only a key policy or a grant lets in.
//
// Default cache (eventual): a change that lets a request through (CreateKey, EnableKey,
// CreateAlias, a rotation's new key material, a key policy that now allows, CreateGrant) is
// honoured at once by every endpoint, as the engine confirms every refusal against the database
// before giving it; a change that refuses (DisableKey, DeleteAlias, a key policy that now denies,
// RevokeGrant) is seen by the writing endpoint at once and by the others once PostgreSQL's
// notification has arrived: polled for, within a generous bound (not a timing test). Each case
// runs many rounds, every endpoint having first cached the record as it was. On one machine a
// notification usually reaches the other endpoints before the client's next request does, so the
// endpoints reach PostgreSQL through a proxy that holds back a notification on their listening
// connections for up to HOLD_MS: until the endpoint sends something on that connection (the
// round trip of a catch-up, a strict read or the heartbeat, whose answer PostgreSQL sends after
// the notification), as a slow network path would deliver it late. The next request then meets a
// cache that has not heard of the change, and a refusal given from it without a catch-up (or a
// strict read that did not wait) fails the test. WASM_KMS_STORE_CACHE=strict: refusals at once
// everywhere.
// --pg-pool-size N: an endpoint never holds more than N pooled connections (+ its listener).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import postgresClient from 'pg';
import { startPostgres, type RunningPostgres } from './helpers/postgres.js';
import { childEnv } from './helpers/env.js';
import { spawnServe, type ServeProcess } from './helpers/endpoint.js';
import { storeCacheFromEnv } from '../src/node/cli/context.js';
import { UsageError } from '../src/node/cli/params.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ADMIN_CREDS = { accessKeyId: 'AKIDPGCONSISTADMIN00', secretAccessKey: 'admin-secret-for-tests' };
const ALICE_CREDS = { accessKeyId: 'AKIDPGCONSISTALICE00', secretAccessKey: 'alice-secret-for-tests' };
/** Rounds of each case: enough that a refusal answered from a stale cached record would show. */
const ROUNDS = 30;
/** How long a refusing change may take to reach another endpoint before the test fails. */
const BOUND_MS = 5_000;
/** The longest the proxy holds back a notification on a listening connection. */
const HOLD_MS = 100;

let work: string;
let pg: RunningPostgres;
const masterKey = randomBytes(32).toString('hex');

type Served = ServeProcess;

const spawned = new Set<ChildProcess>();

/** `wasm-kms --store STORE serve --auth sigv4 ...`; resolves once it prints its listening line. */
function startServe(store: string, vars: Record<string, string> = {}, ...extra: string[]): Promise<Served> {
  const args = ['--store', store, 'serve', '--port', '0', '--threads', '1', '--quiet'];
  args.push('--auth', 'sigv4', '--credentials', join(work, 'credentials.json'), ...extra);
  const env = childEnv(join(work, 'home'), { WASM_KMS_MASTER_KEY: masterKey, ...vars });
  return spawnServe(args, env, spawned);
}

async function stopServe(s: Served): Promise<void> {
  s.child.kill('SIGTERM');
  await s.exited;
}

function client(url: string, credentials: { accessKeyId: string; secretAccessKey: string }): sdk.KMSClient {
  return new sdk.KMSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** Three endpoints of one mode, with an admin and an alice client on each. */
interface Trio {
  servers: Served[];
  admin: sdk.KMSClient[];
  alice: sdk.KMSClient[];
}

async function startTrio(vars: Record<string, string>): Promise<Trio> {
  const url = pg.url.replace(`:${pg.port}/`, `:${proxy.port}/`);
  const servers = await Promise.all([0, 1, 2].map(() => startServe(url, vars)));
  return {
    servers,
    admin: servers.map((s) => client(s.url, ADMIN_CREDS)),
    alice: servers.map((s) => client(s.url, ALICE_CREDS)),
  };
}

/** The name of the KMS exception a call threw (fails the test when it succeeded). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(sdk.KMSServiceException);
    return (e as Error).name;
  }
  throw new Error('expected the call to be refused');
}

/**
 * Calls `call` until it is refused with `name`; each attempt before that must succeed (a stale
 * record still lets it through). Fails past BOUND_MS. Resolves to the ms from the first attempt
 * to the refusal (0 when the first attempt was refused).
 */
async function refusedWithin(call: () => Promise<unknown>, name: string): Promise<number> {
  const start = performance.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await call();
    } catch (e) {
      expect(e).toBeInstanceOf(sdk.KMSServiceException);
      expect((e as Error).name).toBe(name);
      return attempts === 1 ? 0 : performance.now() - start;
    }
    const waited = performance.now() - start;
    expect(waited, `still not refused (${name}) after ${attempts} attempts`).toBeLessThan(BOUND_MS);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Delays observed by refusedWithin, per case, summarised once the case is done. */
function summary(label: string, delays: number[]): string {
  const late = delays.filter((d) => d > 0).sort((a, b) => a - b);
  const max = late.length === 0 ? 0 : late[late.length - 1];
  return `${label}: ${delays.length} checks on other endpoints, ${late.length} answered from the old record first (longest until refused: ${max.toFixed(1)} ms)`;
}

/**
 * Makes every endpoint of `trio` take in the notifications of the writes made so far (one still
 * on its way would drop a record cached after this, and hide a stale cache from the next check):
 * a refused request makes the engine catch up, a round trip on the listening connection.
 */
async function settle(trio: Trio): Promise<void> {
  for (const c of trio.admin)
    expect(await refusal(c.send(new sdk.DescribeKeyCommand({ KeyId: 'alias/none-such' })))).toBe('NotFoundException');
}

/**
 * The first use of a key in an endpoint's process writes it to the key's record (GetKeyLastUsage;
 * later uses, at most once a minute) before the request is answered: a write whose notification,
 * still on its way, would drop what the endpoints cache next. The key is used once through each
 * endpoint of `trio` (by `clients`, its admin or alice clients), then every endpoint takes in
 * the notifications of those writes (settle).
 */
async function firstUses(trio: Trio, clients: sdk.KMSClient[], keyId: string): Promise<void> {
  for (const c of clients) await encrypt(c, keyId);
  await settle(trio);
}

const plaintext = () => randomBytes(16);
const encrypt = (c: sdk.KMSClient, keyId: string) =>
  c.send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: plaintext() }));

/** A key policy: the account's root may do everything, and alice may Encrypt when `aliceMay`. */
const keyPolicy = (aliceMay: boolean): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
      ...(aliceMay
        ? [{ Sid: 'alice', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' }]
        : []),
    ],
  });

/**
 * A TCP proxy to PostgreSQL at 127.0.0.1:`port`. On a listening connection (application_name
 * 'wasm-kms listener' in the client's startup message), what the server sends while no statement
 * of the client is under way (notifications) is held back until the client sends its next
 * message or `holdMs` have passed, then passed on in order; the answers to the client's
 * statements, and everything on the other connections, at once.
 */
async function startNotificationHold(port: number, holdMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('error', () => (downstream.destroy(), upstream.destroy()));
      s.on('close', () => (sockets.delete(s), downstream.destroy(), upstream.destroy()));
    }
    // The startup message (Int32 length, then the parameters) comes before any answer.
    let head = Buffer.alloc(0);
    let listener: boolean | undefined;
    /** A message of the client's is being answered (until ReadyForQuery ends a chunk). */
    let busy = false;
    let held: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      clearTimeout(timer);
      timer = undefined;
      for (const d of held) if (downstream.writable) downstream.write(d);
      held = [];
    };
    downstream.on('data', (d: Buffer) => {
      if (listener === undefined) {
        head = Buffer.concat([head, d]);
        if (head.length >= 4 && head.length >= head.readInt32BE(0))
          listener = head.subarray(0, head.readInt32BE(0)).includes('wasm-kms listener');
      }
      release();
      busy = true;
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (listener !== true || busy) {
        downstream.write(d);
        // ReadyForQuery: 'Z', Int32 5, the transaction status.
        if (d.length >= 6 && d[d.length - 6] === 0x5a && d.readInt32BE(d.length - 5) === 5) busy = false;
        return;
      }
      held.push(d);
      timer ??= setTimeout(release, holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let proxy: Awaited<ReturnType<typeof startNotificationHold>>;
let eventual: Trio;
let strict: Trio;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-pg-consistency-'));
  mkdirSync(join(work, 'home'));
  writeFileSync(
    join(work, 'credentials.json'),
    JSON.stringify([
      { ...ADMIN_CREDS, accountId: ACCOUNT },
      { ...ALICE_CREDS, principal: ALICE },
    ]),
    { mode: 0o600 },
  );
  pg = await startPostgres();
  // The first endpoint applies the migrations; the others start together.
  const first = await startServe(pg.url);
  await stopServe(first);
  proxy = await startNotificationHold(pg.port, HOLD_MS);
  [eventual, strict] = await Promise.all([startTrio({}), startTrio({ WASM_KMS_STORE_CACHE: 'strict' })]);
}, 60_000);

afterAll(async () => {
  for (const t of [eventual, strict]) {
    if (t === undefined) continue;
    for (const c of [...t.admin, ...t.alice]) c.destroy();
    await Promise.all(t.servers.map(stopServe));
  }
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await proxy?.close();
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('WASM_KMS_STORE_CACHE', () => {
  it('PostgreSQL: unset, empty or on is the store default (eventual), eventual and strict explicit, off no cache; a file store only on/off', () => {
    const of = (v: string | undefined, postgres: boolean) =>
      storeCacheFromEnv(v === undefined ? {} : { WASM_KMS_STORE_CACHE: v }, postgres);
    expect(of(undefined, true)).toBeUndefined();
    expect(of('', true)).toBeUndefined();
    expect(of('on', true)).toBe(true);
    expect(of('off', true)).toBe(false);
    expect(of('eventual', true)).toBe('eventual');
    expect(of('strict', true)).toBe('strict');
    expect(() => of('Strict', true)).toThrow(
      new UsageError(
        "environment variable WASM_KMS_STORE_CACHE: expected 'on', 'off', 'eventual' or 'strict', got 'Strict'",
      ),
    );
    expect(of('on', false)).toBe(true);
    expect(of('off', false)).toBe(false);
    expect(() => of('strict', false)).toThrow("WASM_KMS_STORE_CACHE: expected 'on' or 'off', got 'strict'");
    expect(() => of('eventual', false)).toThrow("WASM_KMS_STORE_CACHE: 'eventual' is for a PostgreSQL store");
  });
});

describe('three endpoints with the default (eventual) cache', () => {
  it('CreateKey and EnableKey are honoured at once by every endpoint; DisableKey at once by the writer, by the others within the notification delay', async () => {
    const { admin } = eventual;
    const keyId = (await admin[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await firstUses(eventual, admin, keyId);
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      // A new key is used at once through every endpoint.
      const created = (await admin[a].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      for (const c of admin) await encrypt(c, created);
      // Each endpoint holds the enabled record.
      await settle(eventual);
      for (const c of admin) await encrypt(c, keyId);
      await admin[a].send(new sdk.DisableKeyCommand({ KeyId: keyId }));
      expect(await refusal(encrypt(admin[a], keyId))).toBe('DisabledException');
      for (const [n, c] of admin.entries())
        if (n !== a) delays.push(await refusedWithin(() => encrypt(c, keyId), 'DisabledException'));
      // Each endpoint holds the disabled record; EnableKey through another.
      await settle(eventual);
      for (const c of admin) expect(await refusal(encrypt(c, keyId))).toBe('DisabledException');
      await admin[b].send(new sdk.EnableKeyCommand({ KeyId: keyId }));
      for (const c of admin) await encrypt(c, keyId);
    }
    console.log(summary('DisableKey', delays));
  }, 120_000);

  it('CreateAlias is honoured at once by every endpoint that had found no such alias; DeleteAlias within the notification delay', async () => {
    const { admin } = eventual;
    const keyId = (await admin[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await firstUses(eventual, admin, keyId);
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      const name = `alias/consistency-${round}`;
      // Every endpoint has looked for the alias and found none.
      await settle(eventual);
      for (const c of admin) expect(await refusal(encrypt(c, name))).toBe('NotFoundException');
      await admin[a].send(new sdk.CreateAliasCommand({ AliasName: name, TargetKeyId: keyId }));
      for (const c of admin) expect((await encrypt(c, name)).KeyId).toMatch(new RegExp(`${keyId}$`));
      await settle(eventual);
      for (const c of admin) await encrypt(c, name);
      await admin[b].send(new sdk.DeleteAliasCommand({ AliasName: name }));
      expect(await refusal(encrypt(admin[b], name))).toBe('NotFoundException');
      for (const [n, c] of admin.entries())
        if (n !== b) delays.push(await refusedWithin(() => encrypt(c, name), 'NotFoundException'));
    }
    console.log(summary('DeleteAlias', delays));
  }, 120_000);

  it("RotateKeyOnDemand: what the writer encrypts under the new key material decrypts at once through every endpoint that held the key's record from before", async () => {
    const { admin } = eventual;
    // Three keys, ten rotations each (a key takes at most 25 on demand).
    const keys: string[] = [];
    for (const c of admin) keys.push((await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    for (const keyId of keys) await firstUses(eventual, admin, keyId);
    for (let round = 0; round < ROUNDS; round++) {
      const [a, keyId] = [Math.floor(round / 3) % 3, keys[round % 3]];
      await settle(eventual);
      for (const c of admin) await encrypt(c, keyId);
      await admin[a].send(new sdk.RotateKeyOnDemandCommand({ KeyId: keyId }));
      const data = plaintext();
      // The writer sees its own rotation at once: this blob is under the new material.
      const blob = (await admin[a].send(new sdk.EncryptCommand({ KeyId: keyId, Plaintext: data }))).CiphertextBlob;
      for (const c of admin) {
        const dec = await c.send(new sdk.DecryptCommand({ CiphertextBlob: blob }));
        expect(Buffer.from(dec.Plaintext!).equals(data)).toBe(true);
      }
    }
    // Every rotation is there, listed through every endpoint once it has caught up.
    await settle(eventual);
    for (const c of admin)
      for (const keyId of keys)
        expect((await c.send(new sdk.ListKeyRotationsCommand({ KeyId: keyId }))).Rotations).toHaveLength(ROUNDS / 3);
  }, 120_000);

  it('a key policy that now allows alice is honoured at once by every endpoint; one that no longer does, within the notification delay', async () => {
    const { admin, alice } = eventual;
    const keyId = (await admin[0].send(new sdk.CreateKeyCommand({ Policy: keyPolicy(false) }))).KeyMetadata!.KeyId!;
    for (const c of alice) expect(await refusal(encrypt(c, keyId))).toBe('AccessDeniedException');
    await admin[0].send(new sdk.PutKeyPolicyCommand({ KeyId: keyId, Policy: keyPolicy(true) }));
    await firstUses(eventual, alice, keyId);
    await admin[0].send(new sdk.PutKeyPolicyCommand({ KeyId: keyId, Policy: keyPolicy(false) }));
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      await settle(eventual);
      for (const c of alice) expect(await refusal(encrypt(c, keyId))).toBe('AccessDeniedException');
      await admin[a].send(new sdk.PutKeyPolicyCommand({ KeyId: keyId, Policy: keyPolicy(true) }));
      for (const c of alice) await encrypt(c, keyId);
      await settle(eventual);
      for (const c of alice) await encrypt(c, keyId);
      await admin[b].send(new sdk.PutKeyPolicyCommand({ KeyId: keyId, Policy: keyPolicy(false) }));
      expect(await refusal(encrypt(alice[b], keyId))).toBe('AccessDeniedException');
      for (const [n, c] of alice.entries())
        if (n !== b) delays.push(await refusedWithin(() => encrypt(c, keyId), 'AccessDeniedException'));
    }
    console.log(summary('PutKeyPolicy (now denies)', delays));
  }, 120_000);

  it('CreateGrant is honoured at once by every endpoint (no grant token); RevokeGrant within the notification delay', async () => {
    const { admin, alice } = eventual;
    const keyId = (await admin[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await firstUses(eventual, admin, keyId);
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      await settle(eventual);
      for (const c of alice) expect(await refusal(encrypt(c, keyId))).toBe('AccessDeniedException');
      const { GrantId } = await admin[a].send(
        new sdk.CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] }),
      );
      for (const c of alice) await encrypt(c, keyId);
      await settle(eventual);
      for (const c of alice) await encrypt(c, keyId);
      await admin[b].send(new sdk.RevokeGrantCommand({ KeyId: keyId, GrantId }));
      expect(await refusal(encrypt(alice[b], keyId))).toBe('AccessDeniedException');
      for (const [n, c] of alice.entries())
        if (n !== b) delays.push(await refusedWithin(() => encrypt(c, keyId), 'AccessDeniedException'));
    }
    console.log(summary('RevokeGrant', delays));
  }, 120_000);
});

describe('three endpoints with WASM_KMS_STORE_CACHE=strict', () => {
  it('DisableKey, DeleteAlias, a key policy that now denies and RevokeGrant are refused at once by every endpoint', async () => {
    const { admin, alice } = strict;
    const granted = (await admin[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const byPolicy = (await admin[0].send(new sdk.CreateKeyCommand({ Policy: keyPolicy(true) }))).KeyMetadata!.KeyId!;
    await firstUses(strict, admin, granted);
    await firstUses(strict, alice, byPolicy);
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      const name = `alias/strict-${round}`;
      if (round > 0) {
        await admin[a].send(new sdk.EnableKeyCommand({ KeyId: granted }));
        await admin[a].send(new sdk.PutKeyPolicyCommand({ KeyId: byPolicy, Policy: keyPolicy(true) }));
      }
      await admin[a].send(new sdk.CreateAliasCommand({ AliasName: name, TargetKeyId: granted }));
      const { GrantId } = await admin[a].send(
        new sdk.CreateGrantCommand({ KeyId: granted, GranteePrincipal: ALICE, Operations: ['Encrypt'] }),
      );
      // Every endpoint holds each record as it is before the changes.
      await settle(strict);
      for (const n of [0, 1, 2]) {
        await encrypt(admin[n], name);
        await encrypt(alice[n], granted);
        await encrypt(alice[n], byPolicy);
      }
      await admin[b].send(new sdk.RevokeGrantCommand({ KeyId: granted, GrantId }));
      for (const c of alice) expect(await refusal(encrypt(c, granted))).toBe('AccessDeniedException');
      await admin[b].send(new sdk.PutKeyPolicyCommand({ KeyId: byPolicy, Policy: keyPolicy(false) }));
      for (const c of alice) expect(await refusal(encrypt(c, byPolicy))).toBe('AccessDeniedException');
      await admin[b].send(new sdk.DeleteAliasCommand({ AliasName: name }));
      for (const c of admin) expect(await refusal(encrypt(c, name))).toBe('NotFoundException');
      await admin[b].send(new sdk.DisableKeyCommand({ KeyId: granted }));
      for (const c of admin) expect(await refusal(encrypt(c, granted))).toBe('DisabledException');
    }
  }, 120_000);
});

describe('--pg-pool-size', () => {
  /**
   * Runs `load` against an endpoint with `--pg-pool-size size` on a database of its own while
   * sampling pg_stat_activity; the most pooled and listening connections seen at once.
   */
  async function connectionsUnder(
    size: number,
    load: (c: sdk.KMSClient) => Promise<void>,
  ): Promise<{ pooled: number; listening: number }> {
    const url = await pg.createDatabase();
    const database = new URL(url).pathname.slice(1);
    const served = await startServe(url, {}, '--pg-pool-size', String(size));
    const observer = new postgresClient.Client({ connectionString: pg.url });
    const clients = Array.from({ length: 24 }, () => client(served.url, ADMIN_CREDS));
    let most = { pooled: 0, listening: 0 };
    let done = false;
    try {
      await observer.connect();
      const sampling = (async () => {
        while (!done) {
          const { rows } = await observer.query<{ pooled: number; listening: number }>(
            `SELECT count(*) FILTER (WHERE application_name = 'wasm-kms')::int AS pooled,
                    count(*) FILTER (WHERE application_name = 'wasm-kms listener')::int AS listening
               FROM pg_stat_activity WHERE datname = $1`,
            [database],
          );
          most = {
            pooled: Math.max(most.pooled, rows[0].pooled),
            listening: Math.max(most.listening, rows[0].listening),
          };
        }
      })();
      await Promise.all(clients.map(load));
      done = true;
      await sampling;
    } finally {
      done = true;
      for (const c of clients) c.destroy();
      await observer.end().catch(() => undefined);
      await stopServe(served);
    }
    return most;
  }

  /** Writes (a transaction each), listings and point reads of keys not cached yet. */
  const mixed = async (c: sdk.KMSClient): Promise<void> => {
    for (let i = 0; i < 6; i++) {
      const keyId = (await c.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await Promise.all([
        c.send(new sdk.ListKeysCommand({ Limit: 5 })),
        c.send(new sdk.ListAliasesCommand({ Limit: 5 })),
        encrypt(c, keyId),
        c.send(new sdk.TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'n', TagValue: `${i}` }] })),
      ]);
    }
  };

  it('24 clients at once: the endpoint holds at most N pooled connections (reaching N) and one listener', async () => {
    const most = await connectionsUnder(3, mixed);
    expect(most.pooled).toBe(3);
    expect(most.listening).toBeLessThanOrEqual(1);
  }, 60_000);

  it('with N = 1, every request of 24 clients at once still succeeds, on one pooled connection', async () => {
    const most = await connectionsUnder(1, mixed);
    expect(most.pooled).toBe(1);
    expect(most.listening).toBeLessThanOrEqual(1);
  }, 60_000);
});
