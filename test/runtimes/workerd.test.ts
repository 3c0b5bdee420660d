// Cloudflare's workerd runs a worker bundled by esbuild (format esm) that imports the package's
// exported `wasm-kms/core.wasm` as a "wasm" module, hands the compiled WebAssembly.Module to
// initCore, and serves GenerateDataKeyPair → Decrypt over HTTP; Node fetches every spec from it
// on a free loopback port and checks the pairs with node:crypto and @noble/post-quantum.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { DATA_KEY_PAIR_SPECS } from '../../src/kms/schema.js';
import { devBinary, expectAllSpecs, root, type PairResult } from './check.js';

// Listening on port 0: workerd reports the port it bound on the control descriptor (fd 3).
const CONFIG = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "core.wasm", wasm = embed "core.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
`;

let dir: string;
let workerd: ChildProcess | undefined;
let origin: string;
let stderr = '';

async function bundleWorker(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'test', 'runtimes', 'workerd-worker.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile,
    logLevel: 'silent',
    plugins: [
      {
        // The .wasm import becomes the config's "wasm" module, as wrangler does it.
        name: 'wasm-module',
        setup(b) {
          b.onResolve({ filter: /^wasm-kms\/core\.wasm$/ }, () => ({ path: './core.wasm', external: true }));
        },
      },
    ],
  });
}

/** The port workerd reports on its control descriptor, or a failure with its stderr. */
function listeningPort(proc: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`workerd did not start within 30 s:\n${stderr}`)), 30_000);
    (proc.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n').slice(0, -1)) {
        const msg = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (msg.event === 'listen' && msg.socket === 'http' && msg.port) {
          clearTimeout(timer);
          resolve(msg.port);
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`workerd exited with ${code} before listening:\n${stderr}`));
    });
  });
}

beforeAll(async () => {
  const bin = devBinary('workerd');
  dir = mkdtempSync(join(tmpdir(), 'wasm-kms-workerd-'));
  await bundleWorker(join(dir, 'worker.js'));
  // The module file a consumer's `import ... from 'wasm-kms/core.wasm'` gets (package self-reference).
  copyFileSync(createRequire(import.meta.url).resolve('wasm-kms/core.wasm'), join(dir, 'core.wasm'));
  writeFileSync(join(dir, 'config.capnp'), CONFIG);
  workerd = spawn(bin, ['serve', join(dir, 'config.capnp'), '--control-fd=3'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  workerd.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  origin = `http://127.0.0.1:${await listeningPort(workerd)}`;
});

afterAll(async () => {
  const proc = workerd;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${origin}${path}`);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new Error(`workerd answered ${res.status} with no JSON: ${text.slice(0, 200)}\n${stderr}`);
  }
}

describe('workerd', () => {
  // First, before any /pair: the library has no core yet.
  it('refuses to compile WebAssembly from bytes, and the library says to call initCore', async () => {
    const { status, body } = await get('/without-init');
    expect(status).toBe(200);
    expect(body.error).toContain('initCore');
    expect(body.error).toMatch(/disallowed/i);
  });

  it('after initCore(imported module): GET /pair for every spec, checked in Node', async () => {
    const results: PairResult[] = [];
    for (const spec of DATA_KEY_PAIR_SPECS) {
      const { status, body } = await get(`/pair?spec=${spec}`);
      expect(status, JSON.stringify(body)).toBe(200);
      results.push(body as PairResult);
    }
    expectAllSpecs(results);
  });

  it('an unknown spec is a 400 that lists the valid ones', async () => {
    const { status, body } = await get('/pair?spec=RSA_1024');
    expect(status).toBe(400);
    expect(body.error).toContain('ML_KEM_1024');
  });
});
