// `wasm-kms serve` as a deployment runs it: settings from environment variables (a flag wins),
// --memory for a throwaway store, timestamped or JSON log lines, --cors and --allow-host, and
// /health with the version. Each test spawns the built bin (dist/node/cli/main.js) on a free port.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv } from './helpers/env.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');
const VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let work: string;

/** No inherited setting that changes where keys live, which Region or how serve listens. */
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => childEnv(join(work, 'home'), extra);

interface Serving {
  url: string;
  port: number;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code once it has exited. */
  stop(): Promise<number | null>;
}

/** Starts serve with `args` (after `serve`, or before it when `global` is given) and resolves once it prints its URL. */
function serve(args: string[], extraEnv: Record<string, string> = {}, global: string[] = []): Promise<Serving> {
  const child = spawn(process.execPath, [BIN, ...global, 'serve', '--threads', '1', ...args], {
    env: env(extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^wasm-kms listening on (http:\/\/[0-9.]+:(\d+))\n/.exec(out);
      if (m)
        resolve({
          url: m[1],
          port: Number(m[2]),
          child,
          stderr: () => err,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
}

/** The CLI run to its end (a serve that wrongly starts listening is killed after a minute). */
function run(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: env(extraEnv), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An unsigned KMS call (no credential scope, so the server's default Region applies). */
async function kms(
  url: string,
  operation: string,
  input: object = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}`, ...headers },
    body: JSON.stringify(input),
  });
  return { status: r.status, json: await r.json(), headers: r.headers };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-serve-'));
  mkdirSync(join(work, 'home'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('environment variables', () => {
  it('WASM_KMS_HOST, _PORT, _AUTH, _REGION and _STORE configure serve; the store is the one the CLI then reads', async () => {
    const store = join(work, 'env-store');
    const s = await serve([], {
      WASM_KMS_HOST: '127.0.0.2',
      WASM_KMS_PORT: '0',
      WASM_KMS_AUTH: 'none',
      WASM_KMS_REGION: 'eu-west-2',
      WASM_KMS_STORE: store,
    });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      expect(s.port).toBeGreaterThan(0);
      const created = await kms(s.url, 'CreateKey', { Description: 'from env' });
      expect(created.status).toBe(200);
      expect(created.json.KeyMetadata.Arn).toMatch(/^arn:aws:kms:eu-west-2:111122223333:key\//);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(existsSync(store)).toBe(true);
    // WASM_KMS_STORE is --store for every command.
    const listed = run(['list-keys', '--region', 'eu-west-2'], { WASM_KMS_STORE: store });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).Keys).toHaveLength(1);
  });

  it('a flag wins over its variable', async () => {
    const store = join(work, 'flag-store');
    const s = await serve(
      ['--host', '127.0.0.1', '--port', '0', '--auth', 'none', '--region', 'ap-south-1'],
      // Each of these would fail or differ if it were used.
      {
        WASM_KMS_HOST: '203.0.113.1',
        WASM_KMS_PORT: 'not-a-port',
        WASM_KMS_AUTH: 'sigv4',
        WASM_KMS_REGION: 'eu-west-2',
        WASM_KMS_STORE: join(work, 'unused-store'),
      },
      ['--store', store],
    );
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await kms(s.url, 'CreateKey')).json.KeyMetadata.Arn).toMatch(/^arn:aws:kms:ap-south-1:/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(existsSync(join(work, 'unused-store'))).toBe(false);
    expect(existsSync(store)).toBe(true);
  });

  it('an empty variable counts as unset; bad values exit 252 naming the variable', () => {
    const badPort = run(['serve'], { WASM_KMS_PORT: '70000' });
    expect(badPort.code).toBe(252);
    expect(badPort.stderr).toContain(
      "environment variable WASM_KMS_PORT: expected a whole number from 0 to 65535, got '70000'",
    );
    const badAuth = run(['serve'], { WASM_KMS_AUTH: 'open' });
    expect(badAuth.code).toBe(252);
    expect(badAuth.stderr).toContain(
      "environment variable WASM_KMS_AUTH: Invalid choice: 'open', valid choices are: none, sigv4",
    );
    const badRegion = run(['serve'], { WASM_KMS_REGION: 'not a region' });
    expect(badRegion.code).toBe(252);
    expect(badRegion.stderr).toContain('environment variable WASM_KMS_REGION');
    // WASM_KMS_AUTH=sigv4 needs credentials, as --auth sigv4 does.
    const sigv4 = run(['serve'], { WASM_KMS_AUTH: 'sigv4' });
    expect(sigv4.code).toBe(252);
    expect(sigv4.stderr).toContain('--auth sigv4 needs --credentials FILE');
  });

  it('empty variables fall back to the defaults', async () => {
    const s = await serve(['--port', '0', '--memory', '--quiet'], {
      WASM_KMS_HOST: '',
      WASM_KMS_AUTH: '',
      WASM_KMS_REGION: '',
    });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect((await kms(s.url, 'CreateKey')).json.KeyMetadata.Arn).toMatch(/^arn:aws:kms:us-east-1:/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});

describe('--memory', () => {
  it('keys live in memory only: nothing is written to the store directory, and the next run starts empty', async () => {
    const store = join(work, 'memory-store');
    const first = await serve(['--port', '0', '--memory', '--quiet'], { WASM_KMS_STORE: store });
    try {
      expect((await kms(first.url, 'CreateKey')).status).toBe(200);
      expect((await kms(first.url, 'ListKeys')).json.Keys).toHaveLength(1);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(store)).toBe(false);
    expect(existsSync(join(work, 'home', '.wasm-kms')) ? readdirSync(join(work, 'home', '.wasm-kms')) : []).toEqual([]);
    const second = await serve(['--port', '0', '--memory', '--quiet']);
    try {
      expect((await kms(second.url, 'ListKeys')).json.Keys).toEqual([]);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('--memory with --store is a usage error', () => {
    for (const args of [
      ['--store', join(work, 's'), 'serve', '--memory'],
      ['serve', '--memory', '--store', join(work, 's')],
    ]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(252);
      expect(r.stderr).toContain('--memory and --store exclude each other');
    }
    expect(existsSync(join(work, 's'))).toBe(false);
  });
});

describe('log lines', () => {
  it('text: each request line starts with an ISO 8601 UTC timestamp; so does the closing line', async () => {
    const s = await serve(['--port', '0', '--memory']);
    await kms(s.url, 'ListKeys');
    await kms(s.url, 'DescribeKey', { KeyId: 'alias/none' });
    expect(await s.stop()).toBe(0);
    const lines = s.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.split(' ')[0]).toMatch(ISO_UTC);
    expect(lines[0]).toMatch(/^\S+ POST TrentService\.ListKeys 200 \d+\.\dms [0-9a-f-]{36}$/);
    expect(lines[1]).toMatch(/^\S+ POST TrentService\.DescribeKey 400 \d+\.\dms [0-9a-f-]{36} NotFoundException$/);
    expect(lines[2]).toMatch(/^\S+ wasm-kms: SIGTERM: closing \(in-flight requests finish\)$/);
  });

  it('--log-format json: one JSON object per line with time, level, msg and the request fields', async () => {
    const s = await serve(['--port', '0', '--memory', '--log-format', 'json', '--host', '0.0.0.0']);
    const ok = await kms(s.url.replace('0.0.0.0', '127.0.0.1'), 'ListKeys');
    const missing = await kms(s.url.replace('0.0.0.0', '127.0.0.1'), 'DescribeKey', { KeyId: 'alias/none' });
    expect(await s.stop()).toBe(0);
    const records = s
      .stderr()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(4);
    for (const r of records) {
      expect(r.time).toMatch(ISO_UTC);
      expect(typeof r.msg).toBe('string');
    }
    // The warning about --auth none beyond loopback.
    expect(records[0]).toMatchObject({
      level: 'warn',
      msg: expect.stringContaining('with --auth none: anyone who can reach this address'),
    });
    expect(records[1]).toEqual({
      time: records[1].time,
      level: 'info',
      msg: expect.stringMatching(/^POST TrentService\.ListKeys 200 /),
      method: 'POST',
      target: 'TrentService.ListKeys',
      status: 200,
      ms: expect.any(Number),
      requestId: ok.headers.get('x-amzn-requestid'),
    });
    expect(records[2]).toMatchObject({
      level: 'warn',
      status: 400,
      error: 'NotFoundException',
      requestId: missing.headers.get('x-amzn-requestid'),
    });
    expect(records[2].requestId).toMatch(UUID);
    expect(records[3]).toMatchObject({ level: 'info', msg: 'SIGTERM: closing (in-flight requests finish)' });
  });

  it('--log-format other than text or json is a usage error', () => {
    const r = run(['serve', '--memory', '--log-format', 'xml']);
    expect(r.code).toBe(252);
    expect(r.stderr).toContain("argument --log-format: Invalid choice: 'xml', valid choices are: text, json");
  });
});

describe('/health, --cors and --allow-host', () => {
  it('GET /health reports the version from package.json', async () => {
    const s = await serve(['--port', '0', '--memory', '--quiet']);
    try {
      const r = await fetch(`${s.url}/health`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: 'ok', version: VERSION });
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('--cors (repeatable) lets those origins in; others and rebinding Hosts get 403', async () => {
    const s = await serve([
      '--port',
      '0',
      '--memory',
      '--quiet',
      '--cors',
      'http://localhost:3000',
      '--cors',
      'https://app.example.com',
      '--allow-host',
      'kms.local',
    ]);
    try {
      for (const origin of ['http://localhost:3000', 'https://app.example.com']) {
        const pre = await fetch(s.url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
        expect(pre.status).toBe(204);
        expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
        const r = await kms(s.url, 'ListKeys', {}, { origin });
        expect(r.status).toBe(200);
        expect(r.headers.get('access-control-allow-origin')).toBe(origin);
      }
      const other = await kms(s.url, 'ListKeys', {}, { origin: 'http://localhost:4000' });
      expect(other.status).toBe(403);
      expect(other.json.__type).toBe('AccessDeniedException');
      // fetch will not set Host; node:http will.
      const { request } = await import('node:http');
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: s.port,
              method: 'POST',
              path: '/',
              headers: { host, 'x-amz-target': 'TrentService.ListKeys' },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode!);
            },
          );
          req.on('error', reject);
          req.end('{}');
        });
      expect(await status(`evil.example:${s.port}`)).toBe(403);
      expect(await status(`kms.local:${s.port}`)).toBe(200);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('a --cors value that is not an origin, or an --allow-host that is not a name, is a usage error', () => {
    const cors = run(['serve', '--memory', '--cors', 'localhost:3000/app']);
    expect(cors.code).toBe(252);
    expect(cors.stderr).toContain('argument --cors: "localhost:3000/app" is not an origin');
    const star = run(['serve', '--memory', '--cors', '*']);
    expect(star.code).toBe(252);
    const host = run(['serve', '--memory', '--allow-host', 'http://kms']);
    expect(host.code).toBe(252);
    expect(host.stderr).toContain('argument --allow-host: "http://kms" is not a host name or address');
  });
});
