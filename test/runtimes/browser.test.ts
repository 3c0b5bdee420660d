// Headless Chromium (Debian's chromium package, driven by playwright-core) loads an esbuild
// browser bundle of the built main entry from a loopback HTTP server and runs every data key
// pair spec through KMSClient GenerateDataKeyPair → Decrypt; Node checks the pairs with
// node:crypto and @noble/post-quantum. Three ways of loading the core: none (the embedded
// module, compiled on first use), `await initCore()`, and `initCore(fetch(url))` of the
// package's exported `wasm-kms/core.wasm`.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { bundleForBrowser } from '../../scripts/bundle.mjs';
import { expectAllSpecs, root, type PairResult } from './check.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

let server: Server;
let origin: string;
let browser: Browser;
const requested: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  }
  const app = await bundleForBrowser(join(root, 'test', 'runtimes', 'browser-entry.mjs'), { minify: false });
  // The .wasm file as a consumer's import of `wasm-kms/core.wasm` finds it (package self-reference).
  const wasm = readFileSync(createRequire(import.meta.url).resolve('wasm-kms/core.wasm'));
  const routes: Record<string, [string, string | Buffer]> = {
    '/': [
      'text/html; charset=utf-8',
      '<!doctype html><title>wasm-kms</title><script type="module" src="/app.js"></script>',
    ],
    '/app.js': ['text/javascript; charset=utf-8', app],
    '/core.wasm': ['application/wasm', wasm],
  };
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requested.push(path);
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': route[0], 'cache-control': 'no-store' }).end(route[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A fresh page (a fresh copy of the library) that runs the scenario with `init`. */
async function runInPage(init: string): Promise<{ simd: boolean; results: PairResult[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'wasmKms' in globalThis, undefined, { timeout: 15_000 });
    return await page.evaluate((how) => (globalThis as any).wasmKms.run(how), init);
  } catch (err) {
    throw new Error(`the page failed: ${(err as Error).message}\npage errors: ${errors.join('\n') || 'none'}`);
  } finally {
    await page.close();
  }
}

describe('headless Chromium', () => {
  it('with no init call: the embedded module loads on first use; every spec, checked in Node', async () => {
    const out = await runInPage('none');
    expect(out.simd).toBe(true);
    expectAllSpecs(out.results);
  });

  it('after await initCore(): every spec, checked in Node', async () => {
    const out = await runInPage('embedded');
    expectAllSpecs(out.results);
  });

  it('after initCore(fetch(...)) of the exported wasm-kms/core.wasm: every spec, checked in Node', async () => {
    const before = requested.filter((p) => p === '/core.wasm').length;
    const out = await runInPage('/core.wasm');
    expect(requested.filter((p) => p === '/core.wasm').length).toBe(before + 1);
    expectAllSpecs(out.results);
  });
});
