// The endpoint under overload: stalled sockets (from one loopback address, and spread over
// several) do not lock other clients out, and a request already complete is never cut off to
// make room; unfinished headers are timed out; key pair work for clients that hung up is dropped
// from the worker pool's queue; a full queue answers ThrottlingException through the real
// @aws-sdk/client-kms. Loopback only (Linux routes all of 127.0.0.0/8 to lo); every socket and
// server is closed at the end of its test.

import { describe, it, expect, afterEach } from 'vitest';
import { connect, type Socket } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as sdk from '@aws-sdk/client-kms';
// The built server, like the pool: a ThrottlingException thrown in the pool must be the class
// the server encodes.
import { startServer, type RunningServer } from '../dist/node/http/server.js';
import { KeyPairWorkerPool } from '../dist/node/pool/pool.js';
import { generateKeyPair, type KeyPair, type KeyPairSpec } from '../src/core/index.js';
import { caught } from './helpers/caught.js';
import { childEnv } from './helpers/env.js';

const CREDENTIALS = { accessKeyId: 'AKIDOVERLOADTEST', secretAccessKey: 'not-checked-in-this-mode' };

function kmsClient(url: string): sdk.KMSClient {
  // One attempt: a retried request would hide a refusal of the first.
  return new sdk.KMSClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Polls `condition` every 20 ms; fails after `ms` (a robustness bound, not a timing claim). */
async function waitFor(condition: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Stalled {
  sockets: Socket[];
  /** Sockets the server has closed (or that failed) so far. */
  closed(): number;
}

/**
 * Opens `count` connections from the given local addresses (round robin) in batches, each
 * sending half a request and then nothing: every other one stops inside its headers, the rest
 * after complete headers, inside the body.
 */
async function stall(port: number, count: number, localAddresses: string[]): Promise<Stalled> {
  const sockets: Socket[] = [];
  let closed = 0;
  const BATCH = 100;
  for (let start = 0; start < count; start += BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const socket = connect({ port, host: '127.0.0.1', localAddress: localAddresses[i % localAddresses.length] });
      sockets.push(socket);
      // Flowing, so that a 408 from the server does not keep the socket from closing.
      socket.resume();
      socket.on('error', () => {});
      socket.on('close', () => closed++);
      batch.push(
        new Promise<void>((resolve) => {
          socket.once('connect', () => {
            socket.write(
              i % 2 === 0
                ? 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Tar'
                : 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 100\r\n\r\n{"Li',
            );
            resolve();
          });
          socket.once('close', () => resolve());
        }),
      );
    }
    await Promise.all(batch);
  }
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
  });
  return { sockets, closed: () => closed };
}

/** Starts a server that is closed after the test. */
async function serve(options: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, closeGraceMs: 200, ...options });
  cleanups.push(() => server.close());
  return server;
}

/** A complete raw HTTP request for `operation`; the socket stays open until the caller ends it. */
function rawRequest(port: number, operation: string, input: object): Socket {
  const body = JSON.stringify(input);
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  socket.write(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.${operation}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

describe('stalled connections do not lock other clients out', () => {
  it('1,030 stalled sockets from 127.0.0.1: a signed SDK request from the same address is answered in under 2 s', async () => {
    const server = await serve();
    const stalled = await stall(server.port, 1030, ['127.0.0.1']);
    // The cap of 256 per address made room by closing that address's longest-stalled sockets.
    await waitFor(() => stalled.closed() >= 1030 - 256, 10_000, 'the per-address cap to close the surplus');
    const kms = kmsClient(server.url);
    cleanups.push(() => kms.destroy());
    const started = performance.now();
    const out = await kms.send(new sdk.ListKeysCommand({}));
    const ms = performance.now() - started;
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(ms).toBeLessThan(2000);
    console.log(
      `ListKeys behind 1,030 stalled sockets from one address: ${ms.toFixed(1)} ms; ${stalled.closed()} stalled sockets closed`,
    );
  });

  it('1,030 stalled sockets over 127.0.0.2–127.0.0.6 (each under its cap, all over the total): a request is answered in under 2 s, and one already complete is not cut off', async () => {
    // A request whose body has arrived, held in the engine until the flood is over.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inEngine!: () => void;
    const arrived = new Promise<void>((r) => (inEngine = r));
    const server = await serve({
      generateKeyPair: async (spec: KeyPairSpec): Promise<KeyPair> => {
        inEngine();
        await gate;
        return generateKeyPair(spec);
      },
    });
    const kms = kmsClient(server.url);
    cleanups.push(() => kms.destroy());
    const key = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const held = kms.send(
      new sdk.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key, KeyPairSpec: 'ECC_NIST_P256' }),
    );
    await arrived;

    const stalled = await stall(server.port, 1030, ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6']);
    // The SDK client's own idle connection may be among those closed; the held one is busy.
    await waitFor(() => stalled.closed() >= 1030 - 1024, 10_000, 'the total cap to close the surplus');
    const fresh = kmsClient(server.url);
    cleanups.push(() => fresh.destroy());
    const started = performance.now();
    const out = await fresh.send(new sdk.DescribeKeyCommand({ KeyId: key }));
    const ms = performance.now() - started;
    expect(out.KeyMetadata?.KeyId).toBe(key);
    expect(ms).toBeLessThan(2000);

    release();
    const pair = await held;
    expect(pair.$metadata.httpStatusCode).toBe(200);
    expect(pair.PublicKey?.length).toBeGreaterThan(0);
    console.log(
      `DescribeKey behind 1,030 stalled sockets over 5 addresses: ${ms.toFixed(1)} ms; ${stalled.closed()} stalled sockets closed`,
    );
  });

  it('with every connection of an address busy, a new one from it is refused and the busy ones all finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered = 0;
    const server = await serve({
      maxConnectionsPerAddress: 2,
      generateKeyPair: async (spec: KeyPairSpec): Promise<KeyPair> => {
        entered++;
        await gate;
        return generateKeyPair(spec);
      },
    });
    const kms = kmsClient(server.url);
    cleanups.push(() => kms.destroy());
    const key = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    kms.destroy();
    const busy = [0, 1].map(() =>
      rawRequest(server.port, 'GenerateDataKeyPair', { KeyId: key, KeyPairSpec: 'ECC_NIST_P256' }),
    );
    const answers = busy.map(
      (s) =>
        new Promise<string>((resolve) => {
          let text = '';
          s.on('data', (d: Buffer) => (text += d.toString('latin1')));
          s.on('close', () => resolve(text));
          s.on('data', () => {
            if (/\r\n\r\n[\s\S]*\}$/.test(text)) s.end();
          });
        }),
    );
    await waitFor(() => entered === 2, 10_000, 'both requests to reach the engine');
    const third = connect({ port: server.port, host: '127.0.0.1' });
    third.on('error', () => {});
    await new Promise<void>((r) => third.once('close', () => r()));
    release();
    for (const text of await Promise.all(answers)) expect(text.startsWith('HTTP/1.1 200 OK')).toBe(true);
  });

  it('unfinished headers are cut off within seconds, not half a minute', async () => {
    const server = await serve();
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Ta');
    const started = performance.now();
    await new Promise<void>((r) => socket.once('close', () => r()));
    const ms = performance.now() - started;
    // headersTimeout is 5 s, checked every second; generous bound for a loaded machine.
    expect(ms).toBeLessThan(9000);
    expect(ms).toBeGreaterThan(3000);
    expect(answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('a connection that sends nothing is closed within seconds too', async () => {
    const server = await serve();
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.resume();
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const started = performance.now();
    await new Promise<void>((r) => socket.once('close', () => r()));
    const ms = performance.now() - started;
    // node:http's headersTimeout counts from the connection when nothing has come.
    expect(ms).toBeLessThan(9000);
    expect(ms).toBeGreaterThan(3000);
  });

  it('limits are checked before anything listens', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(await caught(startServer({ port: 0, maxConnectionsPerAddress: bad }))).toBeInstanceOf(RangeError);
      expect(await caught(startServer({ port: 0, maxConnections: bad }))).toBeInstanceOf(RangeError);
    }
  });
});

describe('key pair work for clients that hung up', () => {
  it('12 abandoned RSA_4096 requests are dropped from the queue: the next RSA_2048 waits for at most the one already running', async () => {
    // Two threads: one for the fast lane, one for RSA, so the RSA queue is plain to see.
    const pool = new KeyPairWorkerPool({ threads: 2 });
    cleanups.push(() => pool.close());
    const server = await serve({ generateKeyPair: (spec, options) => pool.generate(spec, options) });
    const kms = kmsClient(server.url);
    cleanups.push(() => kms.destroy());
    const key = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;

    const sockets = Array.from({ length: 12 }, () =>
      rawRequest(server.port, 'GenerateDataKeyPair', { KeyId: key, KeyPairSpec: 'RSA_4096' }),
    );
    await waitFor(
      () => pool.stats().queued.slow === 11,
      10_000,
      'eleven RSA_4096 requests queued behind the one running',
    );
    for (const s of sockets) s.destroy();
    await waitFor(() => pool.stats().queued.slow === 0, 5_000, 'the abandoned requests to leave the queue');
    expect(pool.stats().abandoned).toBe(11);

    const started = performance.now();
    const out = await kms.send(new sdk.GenerateDataKeyPairCommand({ KeyId: key, KeyPairSpec: 'RSA_2048' }));
    const ms = performance.now() - started;
    expect(out.KeyPairSpec).toBe('RSA_2048');
    // The RSA_4096 already running when its client left, then this one: nothing else was made.
    expect(pool.stats().generated).toBe(2);
    console.log(
      `RSA_2048 after 12 abandoned RSA_4096 requests: ${ms.toFixed(0)} ms; pairs generated: ${pool.stats().generated}`,
    );
  });

  it('an aborted request leaves the pool queue; one aborted before the call never enters it', async () => {
    const pool = new KeyPairWorkerPool({ threads: 1 });
    cleanups.push(() => pool.close());
    const running = pool.generate('RSA_3072');
    const controller = new AbortController();
    const queued = pool.generate('RSA_3072', { signal: controller.signal });
    expect(pool.stats().queued.slow).toBe(1);
    controller.abort();
    const err = (await caught(queued)) as Error;
    expect(err.name).toBe('AbortError');
    expect(pool.stats().queued.slow).toBe(0);
    expect(pool.stats().abandoned).toBe(1);
    const early = (await caught(pool.generate('RSA_2048', { signal: AbortSignal.abort() }))) as Error;
    expect(early.name).toBe('AbortError');
    (await running).privateKey.fill(0);
    expect(pool.stats().generated).toBe(1);
  });
});

describe('a full key pair queue', () => {
  it('answers ThrottlingException ("Rate exceeded", 400) through @aws-sdk/client-kms', async () => {
    const pool = new KeyPairWorkerPool({ threads: 2, maxQueued: 2 });
    cleanups.push(() => pool.close());
    const server = await serve({ generateKeyPair: (spec, options) => pool.generate(spec, options) });
    const kms = kmsClient(server.url);
    cleanups.push(() => kms.destroy());
    const key = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;

    const send = () =>
      kms.send(new sdk.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key, KeyPairSpec: 'RSA_4096' })).then(
        (out) => ({ ok: out }),
        (err: unknown) => ({ err }),
      );
    // One runs, two wait, the fourth finds the queue full.
    const results = await Promise.all([send(), send(), send(), send()]);
    const refused = results.filter((r) => 'err' in r);
    expect(results.filter((r) => 'ok' in r)).toHaveLength(3);
    expect(refused).toHaveLength(1);
    const e = (refused[0] as { err: sdk.KMSServiceException }).err;
    expect(e).toBeInstanceOf(sdk.KMSServiceException);
    expect(e.name).toBe('ThrottlingException');
    expect(e.message).toBe('Rate exceeded');
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(pool.stats().throttled).toBe(1);
  });

  it('the pool option is checked', () => {
    for (const bad of [0, -1, 2.5])
      expect(() => new KeyPairWorkerPool({ threads: 1, maxQueued: bad })).toThrow(RangeError);
  });
});

describe('serve options', () => {
  const BIN = fileURLToPath(new URL('../dist/node/cli/main.js', import.meta.url));
  const env = () => childEnv();

  it('--max-connections-per-client and --max-queue reach the server and the pool; bad values exit 252', async () => {
    for (const bad of [
      ['--max-queue', '0'],
      ['--max-connections-per-client', 'many'],
    ]) {
      const r = spawnSync(process.execPath, [BIN, 'serve', '--memory', '--port', '0', ...bad], {
        env: env(),
        encoding: 'utf8',
      });
      expect(r.status, bad.join(' ')).toBe(252);
      expect(r.stderr).toContain(`argument ${bad[0]}: expected a whole number`);
    }
    const child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--memory',
        '--port',
        '0',
        '--threads',
        '2',
        '--quiet',
        '--max-connections-per-client',
        '3',
        '--max-queue',
        '1',
      ],
      {
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    cleanups.push(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /wasm-kms listening on (http:\/\/\S+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited early (${code})`)));
    });
    const port = Number(new URL(url).port);

    // Four idle connections from one address: the first is closed to make room for the fourth.
    const closed: boolean[] = [];
    const idle: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const s = connect({ port, host: '127.0.0.1' });
      s.on('error', () => {});
      s.resume();
      closed.push(false);
      s.on('close', () => (closed[i] = true));
      await new Promise<void>((r) => s.once('connect', () => r()));
      idle.push(s);
      // Let the server see each connection before the next.
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => closed[0], 5000, 'the oldest idle connection to be closed');
    expect(closed.slice(1)).toEqual([false, false, false]);
    for (const s of idle) s.destroy();

    // One RSA_4096 runs, one waits, the third finds the queue of 1 full.
    const kms = kmsClient(url);
    cleanups.push(() => kms.destroy());
    const key = (await kms.send(new sdk.CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const results = await Promise.allSettled(
      [0, 1, 2].map(() =>
        kms.send(new sdk.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key, KeyPairSpec: 'RSA_4096' })),
      ),
    );
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as Error).name)).toEqual(['ThrottlingException']);
  });
});
