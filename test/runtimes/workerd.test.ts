// Cloudflare's workerd runs a worker bundled by esbuild (format esm) that imports the package's
// exported `wasm-kms/core.wasm` as a "wasm" module, hands the compiled WebAssembly.Module to
// initCore, and serves GenerateDataKeyPair → Decrypt over HTTP; Node fetches every spec from it
// on a free loopback port and checks the pairs with node:crypto and @noble/post-quantum.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { DATA_KEY_PAIR_SPECS } from '../../src/kms/schema.js';
import { devBinary, expectAllSpecs, expectResult, root, type PairResult } from './check.js';

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
function listeningPort(proc: ChildProcess, log: () => string = () => stderr): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`workerd did not start within 30 s:\n${log()}`)), 30_000);
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
      reject(new Error(`workerd exited with ${code} before listening:\n${log()}`));
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

// The edge entry as a Cloudflare Worker project gets it: a worker that imports `wasm-kms` and
// `wasm-kms/core` by name (node_modules/wasm-kms → this repository, so the "exports" map
// decides) and `wasm-kms/core.wasm`, bundled as `wrangler deploy --dry-run --outdir` bundles it.
// Wrangler itself needs Node 22.12 or later (every 4.x release of 2026 says so and refuses to
// start on Node 20), so esbuild stands in with Wrangler's settings: the export conditions
// "workerd", "worker", "browser" in that order, and each imported .wasm file kept out of the
// JavaScript as a module of its own named <sha1 of its bytes>-<file name>, beside worker.js.
const WRANGLER_CONDITIONS = ['workerd', 'worker', 'browser'];
/** The start of the base64 of every WebAssembly module ("\0asm"): an embedded core would show it. */
const WASM_BASE64_PREFIX = 'AGFzbQ';

const EDGE_WORKER = `// A worker that makes data key pairs with wasm-kms's edge entry.
import * as lib from 'wasm-kms';
import { initCore } from 'wasm-kms/core';
import coreModule from 'wasm-kms/core.wasm';
import { createRunner } from ${JSON.stringify(join(root, 'test', 'runtimes', 'scenario.mjs'))};

let ready;
let runner;
const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/without-init') {
      try {
        lib.generateKeyPair('ECC_NIST_P256');
        return json({ error: null });
      } catch (err) {
        return json({ error: err instanceof Error ? err.message : String(err) });
      }
    }
    // initCore from wasm-kms/core, KMSClient from wasm-kms: one core serves both entries.
    ready ??= initCore(coreModule);
    await ready;
    runner ??= createRunner(lib);
    return json(await runner.pair(url.searchParams.get('spec')));
  },
};
`;

const CORE_WORKER = `// A worker that makes bare key pairs with wasm-kms/core's edge entry.
import { initCore, generateKeyPair } from 'wasm-kms/core';
import coreModule from 'wasm-kms/core.wasm';

export default {
  async fetch() {
    await initCore(coreModule);
    const { publicKey } = generateKeyPair('ECC_NIST_P256');
    return new Response(publicKey);
  },
};
`;

/** `wrangler deploy --dry-run --outdir <outdir>` for `entry`, by esbuild (see above); the files written. */
async function bundleLikeWrangler(entry: string, outdir: string, conditions = WRANGLER_CONDITIONS): Promise<string[]> {
  mkdirSync(outdir, { recursive: true });
  const skip = 'wasm-module';
  await build({
    entryPoints: [entry],
    outfile: join(outdir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions,
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'wasm-module',
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, async (args) => {
            if (args.pluginData === skip) return undefined;
            const found = await b.resolve(args.path, {
              kind: args.kind,
              importer: args.importer,
              resolveDir: args.resolveDir,
              pluginData: skip,
            });
            if (found.errors.length > 0) return { errors: found.errors };
            const bytes = readFileSync(found.path);
            const name = `${createHash('sha1').update(bytes).digest('hex')}-${basename(found.path)}`;
            writeFileSync(join(outdir, name), bytes);
            return { path: `./${name}`, external: true };
          });
        },
      },
    ],
  });
  return readdirSync(outdir).sort();
}

describe('the edge entry, bundled as Wrangler bundles a worker, in workerd', () => {
  const simdWasm = join(root, 'dist', 'wasm', 'wasm-kms.simd.wasm');
  const wasmName = `${createHash('sha1').update(readFileSync(simdWasm)).digest('hex')}-wasm-kms.simd.wasm`;
  let project: string;
  let edge: ChildProcess | undefined;
  let edgeOrigin: string;
  let edgeLog = '';

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'wasm-kms-edge-worker-'));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'wasm-kms'), 'dir');
    writeFileSync(join(project, 'package.json'), '{"name":"edge-worker","type":"module","private":true}\n');
    writeFileSync(join(project, 'kms-worker.mjs'), EDGE_WORKER);
    writeFileSync(join(project, 'core-worker.mjs'), CORE_WORKER);
    const files = await bundleLikeWrangler(join(project, 'kms-worker.mjs'), join(project, 'out-kms'));
    expect(files).toEqual([wasmName, 'worker.js'].sort());
    writeFileSync(join(project, 'out-kms', 'config.capnp'), CONFIG.replaceAll('core.wasm', wasmName));
    edge = spawn(devBinary('workerd'), ['serve', join(project, 'out-kms', 'config.capnp'), '--control-fd=3'], {
      cwd: join(project, 'out-kms'),
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    edge.stderr!.on('data', (chunk: Buffer) => (edgeLog += chunk.toString('utf8')));
    edgeOrigin = `http://127.0.0.1:${await listeningPort(edge, () => edgeLog)}`;
  });

  afterAll(async () => {
    const proc = edge;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('the upload is the .wasm module as it ships plus JavaScript with no WebAssembly inside', () => {
    const out = join(project, 'out-kms');
    expect(Buffer.compare(readFileSync(join(out, wasmName)), readFileSync(simdWasm))).toBe(0);
    const js = readFileSync(join(out, 'worker.js'), 'utf8');
    expect(js).not.toContain(WASM_BASE64_PREFIX);
    expect(js).toContain(`from "./${wasmName}"`);
    // The whole KMS engine and the test scenario, unminified as Wrangler leaves it by default:
    // 333,305 bytes measured with all 56 operations (206,953 with signing, key agreement and
    // asymmetric encryption; 140,496 before them). The bound leaves the engine room to grow and
    // still fails if even one build came embedded (some 256 KB of base64 each; both: some 720 KB).
    const bytes = Buffer.byteLength(js);
    console.log(
      `edge KMS worker: worker.js ${bytes} bytes, ${wasmName.slice(41)} ${statSync(join(out, wasmName)).size} bytes`,
    );
    expect(bytes).toBeLessThan(420_000);
  });

  it('a worker of wasm-kms/core alone is under 60 KB of JavaScript; without the edge conditions it would carry both builds', async () => {
    const edgeFiles = await bundleLikeWrangler(join(project, 'core-worker.mjs'), join(project, 'out-core'));
    expect(edgeFiles).toEqual([wasmName, 'worker.js'].sort());
    const js = readFileSync(join(project, 'out-core', 'worker.js'), 'utf8');
    console.log(`edge core worker: worker.js ${Buffer.byteLength(js)} bytes`);
    expect(js).not.toContain(WASM_BASE64_PREFIX);
    expect(Buffer.byteLength(js)).toBeLessThan(60_000);
    // The same worker bundled with no export condition of Wrangler's gets the embedding entry.
    await bundleLikeWrangler(join(project, 'core-worker.mjs'), join(project, 'out-plain'), []);
    const plain = readFileSync(join(project, 'out-plain', 'worker.js'), 'utf8');
    expect(plain.split(WASM_BASE64_PREFIX).length - 1).toBeGreaterThanOrEqual(2); // both builds
    expect(Buffer.byteLength(plain)).toBeGreaterThan(200_000);
  });

  it('used before initCore, the edge entry says to call initCore(module) (it never tries to compile bytes)', async () => {
    const res = await fetch(`${edgeOrigin}/without-init`);
    const body = (await res.json()) as { error: string | null };
    expect(body.error).toContain('embeds no WebAssembly');
    expect(body.error).toContain('initCore(module)');
    expect(body.error).toContain("'wasm-kms/core.wasm'");
    expect(body.error).not.toMatch(/disallowed/i);
  });

  it.each(['ECC_NIST_P256', 'ECC_NIST_EDWARDS25519', 'ML_KEM_768', 'RSA_2048'])(
    'after initCore(imported module): GenerateDataKeyPair → Decrypt for %s, checked in Node',
    async (spec) => {
      const res = await fetch(`${edgeOrigin}/pair?spec=${spec}`);
      const text = await res.text();
      expect(res.status, `${text.slice(0, 300)}\n${edgeLog}`).toBe(200);
      expectResult(JSON.parse(text) as PairResult, spec);
    },
  );
});
