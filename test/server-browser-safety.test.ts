// What the HTTP endpoint lets web browsers do. Without signatures (auth 'none') it answers only
// requests whose Host names it and whose Origin, if any, is its own or a `cors` origin: a page
// that reaches it by DNS rebinding (Host: evil.example:PORT) or from another origin gets a 403
// in the AWS JSON error shape and changes nothing. With `cors`, preflights are answered and
// every response to an allowed origin (errors too) carries the CORS headers; other origins get
// none. In strict mode the signature binds the Host, so only Origin is checked, and only with
// `cors`. Also: the structured log fields and /health's version.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { startServer, type RequestLogFields, type RunningServer, type ServerOptions } from '../src/node/http/server.js';
import { MemoryKeyStore } from '../src/kms/store.js';
import { CORS_REQUEST_HEADERS } from '../src/node/http/http-guard.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const APP = 'http://localhost:3000';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

/** One request to the server at 127.0.0.1:port with exactly these headers (Host included). */
function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          let json: unknown;
          try {
            json = body === '' ? undefined : JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A KMS call: POST / with the JSON 1.1 headers, plus `headers` (Host, Origin). */
function call(port: number, operation: string, input: object, headers: Record<string, string> = {}): Promise<Answer> {
  return send(port, {
    headers: {
      host: `127.0.0.1:${port}`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `TrentService.${operation}`,
      ...headers,
    },
    body: JSON.stringify(input),
  });
}

function expectRefused(a: Answer, what: RegExp): void {
  expect(a.status).toBe(403);
  expect(a.json.__type).toBe('AccessDeniedException');
  expect(a.json.message).toMatch(what);
  expect(Object.keys(a.json).sort()).toEqual(['__type', 'message']);
  expect(a.headers['x-amzn-requestid']).toMatch(UUID);
  expect(a.headers['x-amzn-errortype']).toBe('AccessDeniedException');
  expect(a.headers['access-control-allow-origin']).toBeUndefined();
}

async function withServer<T>(
  options: ServerOptions,
  fn: (s: RunningServer, store: MemoryKeyStore) => Promise<T>,
): Promise<T> {
  const store = new MemoryKeyStore();
  const server = await startServer({ port: 0, store, ...options });
  try {
    return await fn(server, store);
  } finally {
    await server.close();
  }
}

describe('auth none: Host must name the endpoint (DNS rebinding)', () => {
  let server: RunningServer;
  let store: MemoryKeyStore;
  beforeAll(async () => {
    store = new MemoryKeyStore();
    server = await startServer({ port: 0, store });
  });
  afterAll(() => server.close());

  it('loopback names with the listening port or none are answered', async () => {
    const p = server.port;
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `LocalHost:${p}`, `[::1]:${p}`, 'localhost', '127.0.0.1']) {
      const a = await call(p, 'ListKeys', {}, { host });
      expect(a.status, host).toBe(200);
      expect(a.json, host).toEqual({ Keys: [], Truncated: false });
    }
  });

  it('a rebinding Host gets a 403 AccessDeniedException and no key is made', async () => {
    const p = server.port;
    for (const host of [
      `evil.example:${p}`,
      'evil.example',
      `127.0.0.1.evil.example:${p}`,
      `localhost.evil.example:${p}`,
      `127.0.0.1:${p + 1 > 65535 ? p - 1 : p + 1}`,
      `127.0.0.1:${p}x`,
    ]) {
      const a = await call(p, 'CreateKey', { Description: 'by rebinding' }, { host });
      expectRefused(a, /^Host ".*" does not name this endpoint\. .*--allow-host.*DNS rebinding\.$/);
    }
    expect(await store.listKeys('111122223333', 'us-east-1')).toEqual([]);
  });

  it("an Origin other than the endpoint itself is refused, even with a good Host; the endpoint's own origin passes", async () => {
    const p = server.port;
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${p}`,
      `http://localhost:${p === 3000 ? 3001 : 3000}`,
      'null',
      `https://127.0.0.1:${p}`,
      APP,
    ]) {
      const a = await call(p, 'CreateKey', {}, { origin });
      expectRefused(a, /^Origin ".*" may not call this endpoint\. .*--cors\.$/);
    }
    expect(await store.listKeys('111122223333', 'us-east-1')).toEqual([]);
    for (const origin of [`http://127.0.0.1:${p}`, `http://localhost:${p}`]) {
      expect((await call(p, 'ListKeys', {}, { origin })).status, origin).toBe(200);
    }
  });

  it('the message quotes a hostile Host printably and briefly', async () => {
    const a = await call(server.port, 'ListKeys', {}, { host: `${'a'.repeat(300)}.example` });
    expect(a.status).toBe(403);
    expect(a.json.message).toContain(`"${'a'.repeat(100)}..."`);
    expect(a.json.message.length).toBeLessThan(400);
  });

  it('/health answers any Host (it holds nothing but the version)', async () => {
    const a = await send(server.port, { method: 'GET', path: '/health', headers: { host: 'kms.internal:1234' } });
    expect(a.status).toBe(200);
    expect(a.json.status).toBe('ok');
  });

  it('without CORS origins there are no CORS headers and OPTIONS stays 405', async () => {
    const p = server.port;
    const a = await call(p, 'ListKeys', {});
    expect(a.headers['access-control-allow-origin']).toBeUndefined();
    expect(a.headers.vary).toBeUndefined();
    const pre = await send(p, {
      method: 'OPTIONS',
      headers: { host: `127.0.0.1:${p}`, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(405);
  });
});

describe('auth none on other addresses', () => {
  it("listening on 0.0.0.0: the machine's interface addresses pass, other names need allowHosts", async () => {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && a.family === 'IPv4')
      .map((a) => a!.address);
    expect(addresses.length).toBeGreaterThan(0);
    await withServer({ host: '0.0.0.0' }, async (s) => {
      for (const address of [...addresses, '0.0.0.0'])
        expect((await call(s.port, 'ListKeys', {}, { host: `${address}:${s.port}` })).status, address).toBe(200);
      expectRefused(await call(s.port, 'ListKeys', {}, { host: `kms:${s.port}` }), /^Host "kms:\d+"/);
      expectRefused(await call(s.port, 'ListKeys', {}, { host: `192.0.2.254:${s.port}` }), /^Host /);
    });
    await withServer({ host: '0.0.0.0', allowHosts: ['kms', 'KMS.Internal'] }, async (s) => {
      expect((await call(s.port, 'ListKeys', {}, { host: `kms:${s.port}` })).status).toBe(200);
      expect((await call(s.port, 'ListKeys', {}, { host: `kms.internal:${s.port}` })).status).toBe(200);
      // The endpoint's own origin under an allowed name.
      expect(
        (await call(s.port, 'ListKeys', {}, { host: `kms:${s.port}`, origin: `http://kms:${s.port}` })).status,
      ).toBe(200);
      expectRefused(await call(s.port, 'ListKeys', {}, { host: `kms.evil:${s.port}` }), /^Host /);
    });
  });

  it('listening on a name: that name passes', async () => {
    await withServer({ host: 'localhost' }, async (s) => {
      expect(
        (await send(s.port, { method: 'GET', path: '/health', headers: { host: `localhost:${s.port}` } })).status,
      ).toBe(200);
    });
  });

  it('bad allowHosts and cors values are refused at start', async () => {
    for (const allowHosts of [['kms:80'], ['http://kms'], ['a/b'], ['']]) {
      await expect(startServer({ port: 0, allowHosts }), JSON.stringify(allowHosts)).rejects.toThrow(
        /allowHosts\[0\]: .* is not a host name or address/,
      );
    }
    for (const cors of [
      ['*'],
      ['http://localhost:3000/app'],
      ['localhost:3000'],
      ['ftp://x'],
      ['http://u:p@x'],
      ['http://x?y'],
    ]) {
      await expect(startServer({ port: 0, cors }), JSON.stringify(cors)).rejects.toThrow(
        /cors\[0\]: .* is not an origin/,
      );
    }
  });
});

describe('CORS', () => {
  let server: RunningServer;
  const logged: RequestLogFields[] = [];
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      cors: [APP, 'https://app.example.com/'],
      log: (_line, fields) => logged.push(fields),
    });
  });
  afterAll(() => server.close());

  const preflight = (origin: string, extra: Record<string, string> = {}) =>
    send(server.port, {
      method: 'OPTIONS',
      headers: {
        host: `127.0.0.1:${server.port}`,
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-date,x-amz-target,x-amz-user-agent',
        ...extra,
      },
    });

  it("a preflight from an allowed origin: 204 with the methods, the SDK's headers, a max age and Vary: Origin", async () => {
    const a = await preflight(APP);
    expect(a.status).toBe(204);
    expect(a.body).toBe('');
    expect(a.headers['access-control-allow-origin']).toBe(APP);
    expect(a.headers['access-control-allow-methods']).toBe('POST');
    const allowed = String(a.headers['access-control-allow-headers']).split(/,\s*/);
    for (const h of [
      'content-type',
      'x-amz-target',
      'x-amz-user-agent',
      'amz-sdk-invocation-id',
      'amz-sdk-request',
      'authorization',
      'x-amz-date',
      'x-amz-security-token',
      'x-amz-content-sha256',
    ]) {
      expect(allowed).toContain(h);
    }
    expect(allowed).toEqual([...CORS_REQUEST_HEADERS]);
    expect(Number(a.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(a.headers.vary).toBe('Origin');
    expect(a.headers['access-control-allow-credentials']).toBeUndefined();
    expect(a.headers['access-control-allow-private-network']).toBeUndefined();
    // The origin given with a trailing slash is the same origin.
    expect((await preflight('https://app.example.com')).headers['access-control-allow-origin']).toBe(
      'https://app.example.com',
    );
  });

  it('Private Network Access: the preflight is granted when asked for', async () => {
    const a = await preflight('https://app.example.com', { 'access-control-request-private-network': 'true' });
    expect(a.status).toBe(204);
    expect(a.headers['access-control-allow-private-network']).toBe('true');
  });

  it('a preflight from another origin: 403 without CORS headers', async () => {
    const a = await preflight('http://evil.example');
    expectRefused(a, /^Origin "http:\/\/evil\.example" may not call/);
    expect(a.headers.vary).toBe('Origin');
    expect(a.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('answers to an allowed origin, successes and errors alike, carry Allow-Origin and expose x-amzn-RequestId', async () => {
    const ok = await call(server.port, 'CreateKey', {}, { origin: APP });
    expect(ok.status).toBe(200);
    const err = await call(
      server.port,
      'DescribeKey',
      { KeyId: '00000000-0000-0000-0000-000000000000' },
      { origin: APP },
    );
    expect(err.status).toBe(400);
    expect(err.json.__type).toBe('NotFoundException');
    const bad = await send(server.port, {
      headers: { host: `127.0.0.1:${server.port}`, origin: APP, 'x-amz-target': 'TrentService.Nope' },
      body: '{}',
    });
    expect(bad.status).toBe(400);
    for (const a of [ok, err, bad]) {
      expect(a.headers['access-control-allow-origin']).toBe(APP);
      expect(String(a.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/)).toContain(
        'x-amzn-requestid',
      );
      expect(a.headers.vary).toBe('Origin');
      expect(a.headers['x-amzn-requestid']).toMatch(UUID);
    }
  });

  it('the log gets the request fields as an object', async () => {
    const a = await call(server.port, 'ListKeys', {}, { origin: APP });
    const f = logged.find((l) => l.requestId === a.headers['x-amzn-requestid']);
    expect(f).toEqual({
      method: 'POST',
      target: 'TrentService.ListKeys',
      status: 200,
      ms: expect.any(Number),
      requestId: a.headers['x-amzn-requestid'],
    });
    const refused = await call(server.port, 'ListKeys', {}, { origin: 'http://evil.example' });
    expect(logged.find((l) => l.requestId === refused.headers['x-amzn-requestid'])).toMatchObject({
      status: 403,
      error: 'AccessDeniedException',
    });
  });

  it('/health reports the package version', async () => {
    const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
    const a = await send(server.port, {
      method: 'GET',
      path: '/health',
      headers: { host: `127.0.0.1:${server.port}`, origin: APP },
    });
    expect(a.json).toEqual({ status: 'ok', version });
    expect(a.headers['access-control-allow-origin']).toBe(APP);
  });
});

describe('strict mode (sigv4)', () => {
  const creds = { accessKeyId: 'AKIDBROWSER000000001', secretAccessKey: 'browser/secret/0000000000000000000000001' };

  /** A ListKeys signed for `host`, sent to the server with that Host (and `origin`, unsigned). */
  async function signedListKeys(port: number, host: string, origin?: string): Promise<Answer> {
    const signer = new SignatureV4({
      service: 'kms',
      region: 'eu-west-1',
      credentials: creds,
      sha256: Hash.bind(null, 'sha256'),
    });
    const body = '{}';
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      port,
      path: '/',
      query: {},
      headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body,
    });
    const headers = { ...(signed.headers as Record<string, string>) };
    if (origin !== undefined) headers.origin = origin;
    return send(port, { headers, body });
  }

  it('the signature binds the Host, so any signed Host is answered; Origin is not checked without cors', async () => {
    await withServer({ auth: 'sigv4', credentials: [creds] }, async (s) => {
      expect((await signedListKeys(s.port, `kms.example:${s.port}`)).status).toBe(200);
      const a = await signedListKeys(s.port, `127.0.0.1:${s.port}`, 'http://evil.example');
      expect(a.status).toBe(200);
      expect(a.headers['access-control-allow-origin']).toBeUndefined();
      // Unsigned, the rebinding page gets what every unsigned caller gets.
      const unsigned = await call(s.port, 'ListKeys', {}, { host: `evil.example:${s.port}` });
      expect(unsigned.status).toBe(400);
      expect(unsigned.json.__type).toBe('MissingAuthenticationTokenException');
    });
  });

  it('with cors, other origins are refused before the signature is looked at; allowed ones get CORS headers', async () => {
    await withServer({ auth: 'sigv4', credentials: [creds], cors: [APP] }, async (s) => {
      expectRefused(await signedListKeys(s.port, `127.0.0.1:${s.port}`, 'http://evil.example'), /^Origin /);
      const ok = await signedListKeys(s.port, `127.0.0.1:${s.port}`, APP);
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe(APP);
      // The preflight carries no signature and is answered.
      const pre = await send(s.port, {
        method: 'OPTIONS',
        headers: { host: `127.0.0.1:${s.port}`, origin: APP, 'access-control-request-method': 'POST' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-headers']).toContain('authorization');
    });
  });
});
