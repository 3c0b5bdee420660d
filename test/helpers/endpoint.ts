// The two outside ways into the engine that operation tests drive: the HTTP endpoint with the real
// @aws-sdk/client-kms, and the CLI (dist/node/cli/main.js) on a file store of its own.
//
//   const ep = useEndpoint();               // in a describe: starts a server before, closes it after
//   await ep.sdk().send(new sdk.TagResourceCommand({ ... }));
//
//   const cli = useCli();                    // in a describe: a temporary store and HOME
//   const out = cli.ok(['tag-resource', '--key-id', id, ...]);   // parsed JSON stdout
//   const r = cli.run([...]);                // { status, stdout, stderr } for error paths
import { afterAll, beforeAll, expect } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sdk from '@aws-sdk/client-kms';
import { startServer, type RunningServer } from '../../src/node/http/server.js';
import { childEnv } from './env.js';

export interface Endpoint {
  /** The running server (its store, URL). */
  server: () => RunningServer;
  /** A real SDK client on the server: no retries, Region us-east-1 unless given. */
  sdk: (region?: string) => sdk.KMSClient;
}

/** Starts an endpoint (default options: memory store, no SigV4 checks) for the enclosing describe. */
export function useEndpoint(options: Parameters<typeof startServer>[0] = { port: 0 }): Endpoint {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    server = await startServer(options);
  });
  afterAll(async () => {
    await server?.close();
  });
  return {
    server: () => server!,
    sdk: (region = 'us-east-1') =>
      new sdk.KMSClient({
        endpoint: server!.url,
        region,
        credentials: { accessKeyId: 'AKIDENDPOINTTEST', secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
  };
}

export const CLI_BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/node/cli/main.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Cli {
  /** The store directory the CLI uses. */
  store: () => string;
  run: (args: string[], extraEnv?: Record<string, string>) => CliRun;
  /** Runs, expects exit 0 and no stderr, and parses stdout as JSON ({} when empty). */
  ok: (args: string[], extraEnv?: Record<string, string>) => Record<string, unknown>;
}

/** A temporary file store and HOME for the enclosing describe's CLI runs. */
export function useCli(): Cli {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wasm-kms-cli-'));
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });
  const run = (args: string[], extraEnv: Record<string, string> = {}): CliRun => {
    const r = spawnSync(process.execPath, [CLI_BIN, '--store', join(work, 'store'), ...args], {
      env: childEnv(join(work, 'home'), extraEnv),
      encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    store: () => join(work, 'store'),
    run,
    ok: (args, extraEnv) => {
      const r = run(args, extraEnv);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.status, args.join(' ')).toBe(0);
      return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
    },
  };
}

/** A `wasm-kms ... serve --port 0` child process, once it listens. */
export interface ServeProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT, from its listening line. */
  url: string;
  exited: Promise<number | null>;
  /** Its stderr so far. */
  err(): string;
}

/**
 * Spawns `node dist/node/cli/main.js ...args` (a serve command with `--port 0`) and resolves once it
 * prints its listening line; rejects with its stderr when it exits first. The child is added to
 * `track` so that the caller's afterAll can kill whatever a test left running.
 */
export async function spawnServe(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  track?: Set<ChildProcess>,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  track?.add(child);
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
  return { child, url, exited, err: () => err };
}
