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
// runs many rounds, every endpoint having first cached the record as it was, so that a refusal
// given from a stale record would show. WASM_KMS_STORE_CACHE=strict: refusals at once everywhere.
// --pg-pool-size N: an endpoint never holds more than N pooled connections (+ its listener).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
import postgresClient from 'pg';
import { startPostgres, type RunningPostgres } from './helpers/postgres.js';
import { childEnv } from './helpers/env.js';
import { storeCacheFromEnv } from '../src/node/cli/context.js';
import { UsageError } from '../src/node/cli/params.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ADMIN_CREDS = { accessKeyId: 'AKIDPGCONSISTADMIN00', secretAccessKey: 'admin-secret-for-tests' };
const ALICE_CREDS = { accessKeyId: 'AKIDPGCONSISTALICE00', secretAccessKey: 'alice-secret-for-tests' };
/** Rounds of each case: enough that a refusal answered from a stale cached record would show. */
const ROUNDS = 30;
/** How long a refusing change may take to reach another endpoint before the test fails. */
const BOUND_MS = 5_000;

let work: string;
let pg: RunningPostgres;
const masterKey = randomBytes(32).toString('hex');

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

const spawned = new Set<ChildProcess>();

/** `wasm-kms --store STORE serve --auth sigv4 ...`; resolves once it prints its listening line. */
async function startServe(store: string, vars: Record<string, string> = {}, ...extra: string[]): Promise<Served> {
  const args = [BIN, '--store', store, 'serve', '--port', '0', '--threads', '1', '--quiet'];
  args.push('--auth', 'sigv4', '--credentials', join(work, 'credentials.json'), ...extra);
  const env = childEnv(join(work, 'home'), { WASM_KMS_MASTER_KEY: masterKey, ...vars });
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^wasm-kms listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
  return { child, url, exited };
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
  const servers = await Promise.all([0, 1, 2].map(() => startServe(pg.url, vars)));
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
  [eventual, strict] = await Promise.all([startTrio({}), startTrio({ WASM_KMS_STORE_CACHE: 'strict' })]);
}, 60_000);

afterAll(async () => {
  for (const t of [eventual, strict]) {
    if (t === undefined) continue;
    for (const c of [...t.admin, ...t.alice]) c.destroy();
    await Promise.all(t.servers.map(stopServe));
  }
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      const keyId = (await admin[a].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      // Used at once through every endpoint (each now holds the enabled record).
      for (const c of admin) await encrypt(c, keyId);
      await admin[a].send(new sdk.DisableKeyCommand({ KeyId: keyId }));
      expect(await refusal(encrypt(admin[a], keyId))).toBe('DisabledException');
      for (const [n, c] of admin.entries())
        if (n !== a) delays.push(await refusedWithin(() => encrypt(c, keyId), 'DisabledException'));
      // Every endpoint has now read the disabled record; EnableKey through another.
      await admin[b].send(new sdk.EnableKeyCommand({ KeyId: keyId }));
      for (const c of admin) await encrypt(c, keyId);
    }
    console.log(summary('DisableKey', delays));
  }, 120_000);

  it('CreateAlias is honoured at once by every endpoint that had found no such alias; DeleteAlias within the notification delay', async () => {
    const { admin } = eventual;
    const keyId = (await admin[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      const name = `alias/consistency-${round}`;
      // Every endpoint has looked for the alias and found none.
      for (const c of admin) expect(await refusal(encrypt(c, name))).toBe('NotFoundException');
      await admin[a].send(new sdk.CreateAliasCommand({ AliasName: name, TargetKeyId: keyId }));
      for (const c of admin) expect((await encrypt(c, name)).KeyId).toMatch(new RegExp(`${keyId}$`));
      await admin[b].send(new sdk.DeleteAliasCommand({ AliasName: name }));
      expect(await refusal(encrypt(admin[b], name))).toBe('NotFoundException');
      for (const [n, c] of admin.entries())
        if (n !== b) delays.push(await refusedWithin(() => encrypt(c, name), 'NotFoundException'));
    }
    console.log(summary('DeleteAlias', delays));
  }, 120_000);

  it("RotateKeyOnDemand: what the writer encrypts under the new key material decrypts at once through every endpoint that held the key's record from before", async () => {
    const { admin } = eventual;
    for (let round = 0; round < ROUNDS; round++) {
      const a = round % 3;
      const keyId = (await admin[(round + 1) % 3].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
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
    // Each rotation is there: listed through the endpoint that made it.
    const keyId = (await admin[0].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await admin[0].send(new sdk.RotateKeyOnDemandCommand({ KeyId: keyId }));
    const listed = await admin[0].send(new sdk.ListKeyRotationsCommand({ KeyId: keyId }));
    expect(listed.Rotations).toHaveLength(1);
  }, 120_000);

  it('a key policy that now allows alice is honoured at once by every endpoint; one that no longer does, within the notification delay', async () => {
    const { admin, alice } = eventual;
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      const keyId = (await admin[a].send(new sdk.CreateKeyCommand({ Policy: keyPolicy(false) }))).KeyMetadata!.KeyId!;
      for (const c of alice) expect(await refusal(encrypt(c, keyId))).toBe('AccessDeniedException');
      await admin[a].send(new sdk.PutKeyPolicyCommand({ KeyId: keyId, Policy: keyPolicy(true) }));
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
    const delays: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      const keyId = (await admin[b].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      for (const c of alice) expect(await refusal(encrypt(c, keyId))).toBe('AccessDeniedException');
      const { GrantId } = await admin[a].send(
        new sdk.CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'] }),
      );
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
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = [round % 3, (round + 1) % 3];
      const name = `alias/strict-${round}`;
      const granted = (await admin[a].send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const byPolicy = (await admin[a].send(new sdk.CreateKeyCommand({ Policy: keyPolicy(true) }))).KeyMetadata!.KeyId!;
      await admin[a].send(new sdk.CreateAliasCommand({ AliasName: name, TargetKeyId: granted }));
      const { GrantId } = await admin[a].send(
        new sdk.CreateGrantCommand({ KeyId: granted, GranteePrincipal: ALICE, Operations: ['Encrypt'] }),
      );
      // Every endpoint holds each record as it is before the changes.
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
