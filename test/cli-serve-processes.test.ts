// `wasm-kms serve --processes N`: N processes (node:cluster) on one port and one file store, the
// listening line printed once, SIGTERM to the primary stopping them all. Each test spawns the
// built bin (dist/node/cli/main.js) on a free port.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { threadsPerProcess } from '../src/node/cli/serve.js';
import { childEnv } from './helpers/env.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');

let work: string;

const env = (): NodeJS.ProcessEnv => childEnv(join(work, 'home'));

/** A KMS call on a connection of its own (no keep-alive), so that calls spread over the processes. */
function kms(url: string, operation: string, input: object): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(input));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of the processes whose parent is `pid` (Linux /proc via ps). */
function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

/** `wasm-kms --store STORE serve --port 0 --processes 2 ...extra`; resolves once it prints its listening line. */
async function startServe(
  store: string,
  ...extra: string[]
): Promise<{
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  out(): string;
  err(): string;
}> {
  const args = [BIN, '--store', store, 'serve', '--port', '0', '--processes', '2', ...extra];
  const child = spawn(process.execPath, args, { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
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
  return { child, url, exited, out: () => out, err: () => err };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-serve-processes-'));
  mkdirSync(join(work, 'home'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('serve --processes: threads per process', () => {
  it("one process keeps the pool's default; N share the cores for RSA, each with one thread for the rest", () => {
    expect(threadsPerProcess(1, 8)).toBeUndefined();
    expect(threadsPerProcess(2, 2)).toBe(2);
    expect(threadsPerProcess(2, 8)).toBe(5);
    expect(threadsPerProcess(3, 8)).toBe(3);
    expect(threadsPerProcess(4, 2)).toBe(2);
    expect(threadsPerProcess(2, 1)).toBe(2);
  });
});

describe('serve --processes', () => {
  it('two processes answer on one port from one store, the listening line comes once, and SIGTERM stops all', async () => {
    const store = join(work, 'store');
    const served = await startServe(store, '--threads', '2');
    const { child, url, exited } = served;
    const workers = childrenOf(child.pid!);
    try {
      expect(workers).toHaveLength(2);

      // A key made through one process is used through both.
      const created = await kms(url, 'CreateKey', {});
      expect(created.status).toBe(200);
      const keyId = created.json.KeyMetadata.KeyId as string;
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          kms(url, 'GenerateDataKeyPair', { KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }),
        ),
      );
      for (const a of answers) {
        expect(a.status).toBe(200);
        const derived = createPublicKey(
          createPrivateKey({ key: Buffer.from(a.json.PrivateKeyPlaintext, 'base64'), format: 'der', type: 'pkcs8' }),
        ).export({ type: 'spki', format: 'der' });
        expect(derived.equals(Buffer.from(a.json.PublicKey, 'base64'))).toBe(true);
      }
      // Every request line names the process that served it: both did.
      const servedBy = new Set(
        [...served.err().matchAll(/^\S+ \[(\d+)\] POST TrentService\.GenerateDataKeyPair 200 /gm)].map((m) =>
          Number(m[1]),
        ),
      );
      expect([...servedBy].sort()).toEqual([...workers].sort());
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(served.out().match(/listening/g)).toHaveLength(1);
    for (const pid of workers) expect(alive(pid)).toBe(false);
    expect(served.err()).toMatch(/SIGTERM: closing 2 processes/);
  }, 60_000);

  it('a serving process that dies is replaced; after 5 replacements within a minute, all stop with exit 1', async () => {
    const served = await startServe(join(work, 'store-crash'), '--threads', '1');
    const { child, url, exited } = served;
    let done = false;
    void exited.then(() => (done = true));
    const killed = new Set<number>();
    const [first, survivor] = childrenOf(child.pid!);
    expect(first).toBeDefined();
    expect(survivor).toBeDefined();
    try {
      // Kill one serving process at a time: first an original one, then each time the replacement
      // that has just been seen serving (so that one process is listening whenever one is killed).
      let victim = first;
      for (let round = 1; round <= 6 && !done; round++) {
        expect(victim).toBeDefined();
        killed.add(victim);
        process.kill(victim, 'SIGKILL');
        if (round > 5) break;
        // Replaced: a new serving process appears and answers requests.
        let fresh: number | undefined;
        await expect
          .poll(() => (fresh = childrenOf(child.pid!).find((p) => !killed.has(p) && p !== survivor)), {
            timeout: 20_000,
          })
          .toBeDefined();
        await expect
          .poll(
            async () => {
              await kms(url, 'ListKeys', {}).catch(() => undefined);
              return served.err().includes(`[${fresh}] POST TrentService.ListKeys 200`);
            },
            { timeout: 20_000, interval: 50 },
          )
          .toBe(true);
        victim = fresh!;
      }
      expect(await exited).toBe(1);
    } finally {
      if (!done) child.kill('SIGKILL');
    }
    expect(served.err().match(/a serving process stopped \(signal SIGKILL\); starting another/g)).toHaveLength(5);
    expect(served.err()).toMatch(
      /serving processes keep stopping \(5 replaced within 60 s; the last: signal SIGKILL\)/,
    );
    for (const pid of childrenOf(child.pid!)) expect(alive(pid)).toBe(false);
  }, 120_000);

  it('a store that cannot be opened fails once, before any process starts (exit 255)', () => {
    const store = join(work, 'store-open');
    mkdirSync(store, { mode: 0o755 });
    chmodSync(store, 0o755);
    const r = spawnSync(process.execPath, [BIN, '--store', store, 'serve', '--port', '0', '--processes', '2'], {
      env: env(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(255);
    expect(r.stdout).not.toMatch(/listening/);
    expect(r.stderr.match(/cannot open the key store/g)).toHaveLength(1);
  });

  it('a serving process stopped by a SIGTERM of its own is not replaced, and a SIGTERM to all right after is clean', async () => {
    const served = await startServe(join(work, 'store-group'), '--threads', '1');
    const { child, url, exited } = served;
    const [a, b] = childrenOf(child.pid!);
    try {
      // One stops on its own SIGTERM: the other keeps serving, and no replacement starts.
      process.kill(a, 'SIGTERM');
      await expect.poll(() => alive(a), { timeout: 20_000 }).toBe(false);
      await expect
        .poll(() => served.err(), { timeout: 20_000 })
        .toMatch(/a serving process stopped \(exit code 0\); not replacing it/);
      expect(childrenOf(child.pid!)).toEqual([b]);
      expect((await kms(url, 'CreateKey', {})).status).toBe(200);
      // Then the whole group, the serving process a moment before its primary (a supervisor's kill).
      process.kill(b, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(served.err()).not.toMatch(/ERR_IPC|Error:/);
    expect(alive(b)).toBe(false);
  }, 60_000);

  it('--memory and --processes exclude each other', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--memory', '--processes', '2', '--port', '0'], {
      env: env(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(252);
    expect(r.stderr).toMatch(/--memory and --processes exclude each other/);
  });

  it('a port in use stops every process with a non-zero exit', async () => {
    const blocker = await new Promise<import('node:net').Server>((resolve) => {
      void import('node:net').then(({ createServer }) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => resolve(s));
      });
    });
    const port = (blocker.address() as import('node:net').AddressInfo).port;
    try {
      const r = spawnSync(
        process.execPath,
        [BIN, '--store', join(work, 'store-busy'), 'serve', '--port', String(port), '--processes', '2'],
        { env: env(), encoding: 'utf8', timeout: 30_000 },
      );
      expect(r.status).not.toBe(0);
      expect(r.status).not.toBe(null);
      expect(r.stdout).not.toMatch(/listening/);
      expect(r.stderr).toMatch(/address in use/);
      // The serving processes' own exit code reaches the primary (a CliFailure's 255, not 0).
      expect(r.stderr).toMatch(/a serving process stopped before all were listening \(exit code 255\)/);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
