// The file key store's record cache across processes: two `wasm-kms serve` processes (the built
// dist/node/cli/main.js) on one store, and the CLI writing while a server runs. A change
// acknowledged by one process is seen by the other at its very next request, though each server
// has the records it used cached.
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, removeTempDirs } from '../helpers/file-store.js';
import { childEnv } from '../helpers/env.js';

const BIN = fileURLToPath(new URL('../../dist/node/cli/main.js', import.meta.url));

interface Server {
  url: string;
  child: ChildProcess;
}

const servers: Server[] = [];

const env = (): NodeJS.ProcessEnv => childEnv();

function serve(store: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(process.execPath, [BIN, '--store', store, 'serve', '--port', '0', '--quiet', '--threads', '1'], {
    env: { ...env(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^wasm-kms listening on (http:\/\/[0-9.]+:\d+)\n/.exec(out);
      if (m) {
        const s = { url: m[1], child };
        servers.push(s);
        resolve(s);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(s: Server, target: string, input: Record<string, unknown>): Promise<Answer> {
  const r = await fetch(s.url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}` },
    body: JSON.stringify(input),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The error type of a failed call ('' when it succeeded). */
const failure = (a: Answer): string => (a.status === 200 ? '' : String(a.body.__type).replace(/^.*#/, ''));

const pair = (s: Server, keyId: string): Promise<Answer> =>
  call(s, 'GenerateDataKeyPair', { KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' });

function cli(store: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, '--store', store, ...args], {
    env: env(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`wasm-kms ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

afterAll(async () => {
  for (const s of servers.splice(0)) {
    const exited = new Promise((r) => s.child.on('exit', r));
    s.child.kill('SIGTERM');
    await exited;
  }
  await removeTempDirs();
});

describe('record cache across serve processes', () => {
  let store: string;
  let one: Server;
  let two: Server;

  beforeAll(async () => {
    store = await tempDir();
    one = await serve(store);
    two = await serve(store);
  });

  it('a key state change through one server is seen by the other at its next request', async () => {
    const created = await call(one, 'CreateKey', {});
    const keyId = String((created.body.KeyMetadata as Record<string, unknown>).KeyId);
    // Used (and so cached) by both.
    for (let i = 0; i < 3; i++) {
      expect(failure(await pair(two, keyId))).toBe('');
      expect(failure(await pair(one, keyId))).toBe('');
    }
    expect(failure(await call(one, 'DisableKey', { KeyId: keyId }))).toBe('');
    expect(failure(await pair(two, keyId))).toBe('DisabledException');
    expect(failure(await call(two, 'EnableKey', { KeyId: keyId }))).toBe('');
    expect(failure(await pair(one, keyId))).toBe('');
    expect(failure(await call(one, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }))).toBe('');
    expect(failure(await pair(two, keyId))).toBe('KMSInvalidStateException');
  });

  it('aliases created, updated and deleted through one server are seen by the other at once', async () => {
    const k1 = String(((await call(one, 'CreateKey', {})).body.KeyMetadata as Record<string, unknown>).KeyId);
    const k2 = String(((await call(one, 'CreateKey', {})).body.KeyMetadata as Record<string, unknown>).KeyId);
    const describe = async (s: Server): Promise<string> => {
      const a = await call(s, 'DescribeKey', { KeyId: 'alias/cached' });
      return a.status === 200 ? String((a.body.KeyMetadata as Record<string, unknown>).KeyId) : failure(a);
    };
    // The alias's absence is cached by the second server too.
    expect(await describe(two)).toBe('NotFoundException');
    expect(failure(await call(one, 'CreateAlias', { AliasName: 'alias/cached', TargetKeyId: k1 }))).toBe('');
    expect(await describe(two)).toBe(k1);
    expect(await describe(two)).toBe(k1);
    expect(failure(await call(one, 'UpdateAlias', { AliasName: 'alias/cached', TargetKeyId: k2 }))).toBe('');
    expect(await describe(two)).toBe(k2);
    expect(failure(await call(one, 'DeleteAlias', { AliasName: 'alias/cached' }))).toBe('');
    expect(await describe(two)).toBe('NotFoundException');
  });

  it('a rotation through one server is seen by the other at its next request', async () => {
    const keyId = String(((await call(one, 'CreateKey', {})).body.KeyMetadata as Record<string, unknown>).KeyId);
    const encrypt = async (s: Server): Promise<string> =>
      String((await call(s, 'Encrypt', { KeyId: keyId, Plaintext: 'aGVsbG8=' })).body.CiphertextBlob);
    // Both have the key cached.
    expect(failure(await call(two, 'Decrypt', { CiphertextBlob: await encrypt(one) }))).toBe('');
    expect(failure(await call(one, 'Decrypt', { CiphertextBlob: await encrypt(two) }))).toBe('');
    expect(failure(await call(one, 'RotateKeyOnDemand', { KeyId: keyId }))).toBe('');
    // Under the new key material, which only the rotated record has.
    const blob = await encrypt(one);
    const plain = await call(two, 'Decrypt', { CiphertextBlob: blob });
    expect([failure(plain), plain.body.Plaintext]).toEqual(['', 'aGVsbG8=']);
  });

  it('the CLI writing while the servers run: their next requests see it', async () => {
    const keyId = String(((await call(two, 'CreateKey', {})).body.KeyMetadata as Record<string, unknown>).KeyId);
    expect(failure(await pair(one, keyId))).toBe('');
    expect(failure(await pair(two, keyId))).toBe('');
    cli(store, 'disable-key', '--key-id', keyId);
    expect(failure(await pair(one, keyId))).toBe('DisabledException');
    expect(failure(await pair(two, keyId))).toBe('DisabledException');
    cli(store, 'enable-key', '--key-id', keyId);
    expect(failure(await pair(one, keyId))).toBe('');
    cli(store, 'create-alias', '--alias-name', 'alias/from-cli', '--target-key-id', keyId);
    expect(failure(await pair(two, 'alias/from-cli'))).toBe('');
    // And a server's change is seen by the next CLI command (a new process, as before).
    expect(failure(await call(two, 'DisableKey', { KeyId: keyId }))).toBe('');
    expect(JSON.parse(cli(store, 'describe-key', '--key-id', keyId)).KeyMetadata.KeyState).toBe('Disabled');
  });
});

describe('WASM_KMS_STORE_CACHE', () => {
  /** Removes a key's record file behind the store's back (not a write: the generation stays). */
  function removeKeyFile(store: string, keyId: string): void {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : e.name.includes(keyId) ? [join(dir, e.name)] : [],
      );
    const files = walk(store);
    expect(files).toHaveLength(1);
    rmSync(files[0]);
  }

  const describeKey = async (s: Server, keyId: string): Promise<string> =>
    failure(await call(s, 'DescribeKey', { KeyId: keyId }));

  it('by default a server answers from its cache; with off it reads the file at every request', async () => {
    for (const [setting, afterRemoval] of [
      [undefined, ''],
      ['off', 'NotFoundException'],
    ] as const) {
      const store = await tempDir();
      const s = await serve(store, setting === undefined ? {} : { WASM_KMS_STORE_CACHE: setting });
      const keyId = String(((await call(s, 'CreateKey', {})).body.KeyMetadata as Record<string, unknown>).KeyId);
      expect(await describeKey(s, keyId)).toBe('');
      removeKeyFile(store, keyId);
      expect(await describeKey(s, keyId)).toBe(afterRemoval);
    }
  });

  it('a value other than on or off is a usage error (exit 252)', async () => {
    const store = await tempDir();
    const r = spawnSync(process.execPath, [BIN, '--store', store, 'list-keys'], {
      env: { ...env(), WASM_KMS_STORE_CACHE: 'maybe' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(252);
    expect(r.stderr).toMatch(/WASM_KMS_STORE_CACHE: expected 'on' or 'off', got 'maybe'/);
  });
});
