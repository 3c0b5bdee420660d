// Web pages in headless Chromium (Debian's chromium, driven by playwright-core) against the
// endpoint without signatures, through the real @aws-sdk/client-kms bundled for the browser by
// esbuild. Pages get distinct origins from small node:http servers on different loopback ports:
//   - a page on the --cors origin: CreateKey, GenerateDataKeyPair and Decrypt succeed, the SDK
//     reads x-amzn-RequestId (exposed) on answers and errors, and every header it sends is one
//     the preflight allows;
//   - a page on another origin: the preflight is refused (403), the SDK call rejects, no key;
//   - DNS rebinding, played out: a page loaded from http://evil.example:P (Chromium resolves the
//     name to 127.0.0.1 by --host-resolver-rules), whose server then gives port P to the
//     endpoint: the page's same-origin SDK calls reach the endpoint with Host evil.example:P
//     and get 403 AccessDeniedException;
//   - node:http with a rebinding Host header gets the same 403.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RequestLogFields, type RunningServer } from '../../src/node/http/server.js';
import { MemoryKeyStore } from '../../src/kms/store.js';
import { CORS_REQUEST_HEADERS } from '../../src/node/http/http-guard.js';
import { root } from './check.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // evil.example is the attacker's name; here it resolves to loopback, as after a rebinding.
  '--host-resolver-rules=MAP evil.example 127.0.0.1',
];

// The page's script: the SDK as a web application would bundle it.
const ENTRY = `
import { KMSClient, CreateKeyCommand, GenerateDataKeyPairCommand, DecryptCommand, DescribeKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
const b64 = (u8) => btoa(String.fromCharCode(...u8));
const client = (endpoint) => new KMSClient({ endpoint, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const failure = (e) => ({ ok: false, name: e.name, message: String(e.message), status: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId });
globalThis.kmsPage = {
  async roundTrip(endpoint) {
    const kms = client(endpoint);
    const created = await kms.send(new CreateKeyCommand({ Description: 'made by a web page' }));
    const keyId = created.KeyMetadata.KeyId;
    const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { page: 'cors' } }));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { page: 'cors' } }));
    let missing;
    try {
      await kms.send(new DescribeKeyCommand({ KeyId: 'alias/not-there' }));
      missing = { ok: true };
    } catch (e) {
      missing = failure(e);
    }
    return {
      keyId,
      requestIds: [created.$metadata.requestId, pair.$metadata.requestId, dec.$metadata.requestId],
      publicKey: b64(pair.PublicKey),
      privateKey: b64(pair.PrivateKeyPlaintext),
      decrypted: b64(dec.Plaintext),
      decryptKeyId: dec.KeyId,
      missing,
    };
  },
  async attempt(endpoint) {
    try {
      await client(endpoint).send(new ListKeysCommand({}));
      return { ok: true };
    } catch (e) {
      return failure(e);
    }
  },
  async createKey(endpoint) {
    try {
      await client(endpoint).send(new CreateKeyCommand({ Description: 'by rebinding' }));
      return { ok: true };
    } catch (e) {
      return failure(e);
    }
  },
};
`;

/** A server of one page and its script; its origin is http://127.0.0.1:PORT (or any name for it). */
async function pageServer(app: string, port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/')
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>app</title><script src="/app.js"></script>');
    else if (path === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(app);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

let app: string;
let browser: Browser;
let allowed: { server: Server; port: number };
let other: { server: Server; port: number };
let kms: RunningServer;
let store: MemoryKeyStore;
const log: RequestLogFields[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  }
  const bundled = await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'kms-page.mjs', loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  app = bundled.outputFiles[0].text;
  allowed = await pageServer(app);
  other = await pageServer(app);
  store = new MemoryKeyStore();
  kms = await startServer({
    port: 0,
    store,
    cors: [`http://127.0.0.1:${allowed.port}`],
    log: (_line, fields) => log.push(fields),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await kms?.close();
  await closeServer(allowed?.server);
  await closeServer(other?.server);
});

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  await page.waitForFunction(() => 'kmsPage' in globalThis, undefined, { timeout: 15_000 });
  return { page, errors };
}

const keysInStore = async () => (await store.listKeys('111122223333', 'eu-west-1')).length;

describe('Chromium pages against the endpoint without signatures', () => {
  it('a page on the --cors origin: CreateKey, GenerateDataKeyPair and Decrypt through @aws-sdk/client-kms', async () => {
    const { page, errors } = await open(`http://127.0.0.1:${allowed.port}/`);
    const sent: Record<string, string>[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(kms.url) && r.method() === 'POST') sent.push(r.headers());
    });
    try {
      const before = await keysInStore();
      const out = await page.evaluate((endpoint) => (globalThis as any).kmsPage.roundTrip(endpoint), kms.url);
      expect(errors).toEqual([]);
      expect(await keysInStore()).toBe(before + 1);
      // The private key decrypts to itself, and is the private half of the public key (node:crypto).
      expect(out.decrypted).toBe(out.privateKey);
      expect(out.decryptKeyId).toMatch(new RegExp(`${out.keyId}$`));
      const priv = createPrivateKey({ key: Buffer.from(out.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
      expect(createPublicKey(priv).export({ type: 'spki', format: 'der' }).toString('base64')).toBe(out.publicKey);
      // x-amzn-RequestId is readable by the page (exposed), on answers and on errors.
      for (const id of out.requestIds) expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(out.missing).toMatchObject({
        ok: false,
        name: 'NotFoundException',
        status: 400,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      // Every header the SDK set is one the preflight allows (the rest are the browser's own).
      expect(sent.length).toBeGreaterThanOrEqual(4);
      const browserOwn =
        /^(accept|accept-language|accept-encoding|user-agent|referer|origin|content-length|connection|host|sec-.*)$/;
      const sdkHeaders = new Set(
        sent
          .flatMap((h) => Object.keys(h))
          .map((h) => h.toLowerCase())
          .filter((h) => !browserOwn.test(h)),
      );
      for (const h of sdkHeaders) expect(CORS_REQUEST_HEADERS as readonly string[], h).toContain(h);
      // The JSON protocol's and SigV4's headers are among them.
      for (const h of [
        'content-type',
        'x-amz-target',
        'authorization',
        'x-amz-date',
        'amz-sdk-invocation-id',
        'amz-sdk-request',
        'x-amz-user-agent',
      ]) {
        expect([...sdkHeaders], h).toContain(h);
      }
      // The server answered preflights for the page's origin.
      expect(log.some((l) => l.method === 'OPTIONS' && l.status === 204)).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('a page on another origin is refused: the preflight gets 403, the SDK call rejects, no key is made', async () => {
    const { page } = await open(`http://127.0.0.1:${other.port}/`);
    try {
      const before = await keysInStore();
      const seen = log.length;
      const out = await page.evaluate((endpoint) => (globalThis as any).kmsPage.createKey(endpoint), kms.url);
      expect(out.ok).toBe(false);
      // The browser withholds the answer from the page: the SDK sees a network failure.
      expect(out.message).toMatch(/fetch/i);
      expect(await keysInStore()).toBe(before);
      const refused = log.slice(seen);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((l) => l.status === 403 && l.error === 'AccessDeniedException')).toBe(true);
      expect(refused.some((l) => l.method === 'OPTIONS')).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('DNS rebinding: a page from http://evil.example:P, whose port P then serves the endpoint, gets 403 AccessDeniedException', async () => {
    const attacker = await pageServer(app);
    const port = attacker.port;
    const { page } = await open(`http://evil.example:${port}/`);
    let target: RunningServer | undefined;
    const targetStore = new MemoryKeyStore();
    const targetLog: RequestLogFields[] = [];
    try {
      // The name now leads to the endpoint: same origin for the page, so no CORS stands in the way.
      await closeServer(attacker.server);
      target = await startServer({ port, store: targetStore, log: (_line, fields) => targetLog.push(fields) });
      const out = await page.evaluate(() => (globalThis as any).kmsPage.createKey(location.origin));
      expect(out).toMatchObject({
        ok: false,
        name: 'AccessDeniedException',
        status: 403,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(out.message).toContain(`Host "evil.example:${port}" does not name this endpoint`);
      expect(await targetStore.listKeys('111122223333', 'eu-west-1')).toEqual([]);
      expect(targetLog.map((l) => [l.method, l.status])).toEqual([['POST', 403]]);
      // The same page through the endpoint's own name would be another origin: refused as well.
      const viaLoopback = await page.evaluate((endpoint) => (globalThis as any).kmsPage.attempt(endpoint), target.url);
      expect(viaLoopback.ok).toBe(false);
    } finally {
      await page.close();
      await target?.close();
    }
  });

  it('node:http with a rebinding Host header gets the 403', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: kms.port,
          method: 'POST',
          path: '/',
          headers: {
            host: `evil.example:${kms.port}`,
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'TrentService.CreateKey',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status.status).toBe(403);
    expect(JSON.parse(status.body).__type).toBe('AccessDeniedException');
  });
});
