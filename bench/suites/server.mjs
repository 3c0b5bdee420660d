// The HTTP endpoint through the real @aws-sdk/client-kms over loopback: GenerateDataKeyPair
// latency and throughput with several requests in flight, for the server generating key pairs
// in its request thread and on the worker pool (KeyPairWorkerPool, as `wasm-kms serve` runs it).
//
// Set-up. Each server configuration runs in a child process of its own (this file, forked with
// WASM_KMS_BENCH_SERVER set), so that the SDK's work (this process) and the server's do not
// share an event loop; on a 2-core machine they share the cores, as they would on any
// single host. Configurations:
//   request thread     startServer() alone: key pairs made on the server's event loop
//   worker pool        KeyPairWorkerPool() with its default threads (os.availableParallelism())
//   pool + 32 ready    the same with prefill { RSA_2048: 32 }
//
// Method. Every sample is one request (its latency), sent while a fixed number of other
// requests are in flight: "16 in flight" = the timed request plus 15 kept going by background
// senders, each sending its next request as soon as the last one is answered. The background
// senders start with a group's first (warm-up) call, wait for the previous group's senders to
// finish, and stop after the group, so that one group's load never overlaps another's timed
// samples. Each group has one task, so switching load never falls inside the timed rounds.
// Throughput (requests/s) is every answer (timed and background) over the time the group's load
// was running; it is printed under the table with the latencies. "Bursts" below the table: 32
// RSA_2048 requests sent at once, the pool full before each burst, timed from first request to
// last answer. No targets: the figures are reported, not judged (a shared 2-core machine).

import { fork } from 'node:child_process';
import { Agent } from 'node:http';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const CHILD = 'WASM_KMS_BENCH_SERVER';

// ---------------------------------------------------------------------------------------------
// The child: one server, told its configuration in the environment; it answers 'ready' messages
// once its pool is full, and ends when the parent goes away.

if (process.env[CHILD] !== undefined) {
  if (!process.send) throw new Error(`${CHILD} is set but there is no IPC channel to the parent`);
  const send = process.send.bind(process);
  const config = JSON.parse(process.env[CHILD]);
  const { startServer } = await import('../../dist/node/http/server.js');
  let pool;
  if (config.pool !== undefined) {
    const { KeyPairWorkerPool } = await import('../../dist/node/pool/pool.js');
    pool = new KeyPairWorkerPool(config.pool);
    await pool.ready();
  }
  const server = await startServer({ port: 0, generateKeyPair: pool && ((spec) => pool.generate(spec)) });
  const stop = async () => {
    await server.close();
    await pool?.close();
    process.exit(0);
  };
  process.on('disconnect', stop);
  process.on('message', async (received) => {
    // The parent's messages (ask() below): { type: 'ready', id }.
    const m = /** @type {{ type?: string, id?: number } | null} */ (received);
    if (m?.type === 'ready') {
      await pool?.ready();
      send({ type: 'ready', id: m.id });
    }
  });
  send({ type: 'listening', url: server.url });
}

// ---------------------------------------------------------------------------------------------
// The parent.

export const id = 'server';
export const title = 'HTTP endpoint through @aws-sdk/client-kms (GenerateDataKeyPair over loopback)';
export const baseline = 'request thread';
export const targets = [];

const SERVERS = {
  'request thread': {},
  'worker pool': { pool: {} },
  'pool + 32 ready': { pool: { prefill: { RSA_2048: 32 } } },
};

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill();
});

/** Forks a server child; resolves to { url, ready() } once it listens (and its pool is full). */
function spawnServer(config) {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [CHILD]: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  // Neither the child nor its channel keeps this process alive; the channel is held only while
  // a reply is awaited.
  child.unref();
  let nextId = 0;
  const ask = (message, type) =>
    new Promise((resolve, reject) => {
      child.channel?.ref();
      const onMessage = (m) => {
        if (m?.type !== type || (message.id !== undefined && m.id !== message.id)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.channel?.unref();
        resolve(m);
      };
      const onExit = (code) => reject(new Error(`benchmark server exited (${code}) before answering ${type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (message.type !== undefined) child.send(message);
    });
  return ask({}, 'listening').then(({ url }) => ({
    url,
    /** Resolves when the child's pool (if any) holds every pre-generated pair it should. */
    ready: () => ask({ type: 'ready', id: ++nextId }, 'ready'),
  }));
}

async function sdkClient(url) {
  const { KMSClient, CreateKeyCommand } = await import('@aws-sdk/client-kms');
  const kms = new KMSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    // One attempt: a retried request would be timed as one slow request.
    maxAttempts: 1,
    // The SDK's default agent allows 50 sockets; 64 in flight need more.
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) },
  });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  if (!KeyMetadata?.KeyId) throw new Error('CreateKey returned no key');
  return { kms, keyId: KeyMetadata.KeyId };
}

function checkPair(out) {
  const derived = createPublicKey(
    createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext), format: 'der', type: 'pkcs8' }),
  ).export({ type: 'spki', format: 'der' });
  if (!derived.equals(Buffer.from(out.PublicKey)))
    throw new Error(`${out.KeyPairSpec}: the private key does not match the public key`);
}

/**
 * Background load for one group: `senders` kinds, each { count, send }, each sender sending its
 * next request as soon as its last one is answered. Only one Load runs at a time.
 */
class Load {
  static active;

  constructor(senders) {
    this.senders = senders;
    this.running = false;
    this.workers = [];
    this.answered = new Map(senders.map((s) => [s.label, 0]));
    this.foreground = 0;
    this.ms = 0;
    /** When the running load started (performance.now()). */
    this.started = 0;
  }

  /** Called by every timed call: makes this the running load (waiting for the previous one to stop). */
  async enter() {
    if (Load.active !== this) {
      const previous = Load.active;
      Load.active = this;
      await previous?.stop();
    }
    if (!this.running) this.#start();
  }

  #start() {
    this.running = true;
    this.started = performance.now();
    for (const s of this.senders) {
      for (let i = 0; i < s.count; i++) {
        this.workers.push(
          (async () => {
            while (this.running) {
              await s.send();
              if (this.running) this.answered.set(s.label, (this.answered.get(s.label) ?? 0) + 1);
            }
          })(),
        );
      }
    }
  }

  async stop() {
    if (!this.running) return;
    this.running = false;
    this.ms += performance.now() - this.started;
    await Promise.all(this.workers);
    this.workers = [];
  }

  /** Answers per second while this load ran: the timed requests, and each background kind. */
  rates() {
    const s = this.ms / 1000;
    return { foreground: this.foreground / s, ...Object.fromEntries([...this.answered].map(([k, n]) => [k, n / s])) };
  }
}

const loads = new Map(); // group name → { load, server, inFlight, spec }
let bursts = [];

export async function groups() {
  const servers = {};
  for (const [name, config] of Object.entries(SERVERS)) {
    const server = await spawnServer(config);
    servers[name] = { ...server, ...(await sdkClient(server.url)) };
  }
  const { GenerateDataKeyPairCommand } = await import('@aws-sdk/client-kms');
  const request = (s, spec) => () =>
    s.kms.send(
      new GenerateDataKeyPairCommand({ KeyId: s.keyId, KeyPairSpec: spec, EncryptionContext: { bench: 'server' } }),
    );

  const out = [];
  /** A group of one timed task: `spec` requests, with `background` senders besides. */
  const group = (name, serverName, spec, background, budget) => {
    const s = servers[serverName];
    const load = new Load(background.map((b) => ({ ...b, send: request(s, b.spec) })));
    loads.set(name, { load, server: serverName });
    const send = request(s, spec);
    out.push({
      name,
      ...budget,
      tasks: [
        {
          name: serverName,
          fn: async () => {
            await load.enter();
            const r = await send();
            if (load.running) load.foreground++;
            return r;
          },
          check: checkPair,
        },
      ],
    });
  };

  const ECC = { timeMs: 4_000, minSamples: 200 };
  for (const serverName of ['request thread', 'worker pool']) {
    for (const inFlight of [1, 16, 64]) {
      group(
        `ECC_NIST_P256, ${inFlight} in flight, ${serverName}`,
        serverName,
        'ECC_NIST_P256',
        inFlight > 1 ? [{ label: 'ECC_NIST_P256', spec: 'ECC_NIST_P256', count: inFlight - 1 }] : [],
        ECC,
      );
    }
  }
  // RSA_2048 sustained: 4 in flight. A pre-generated pool is not measured here: its 32 pairs are
  // gone within the first second, after which it is the worker pool (the bursts below show it).
  for (const serverName of ['request thread', 'worker pool']) {
    group(
      `RSA_2048, 4 in flight, ${serverName}`,
      serverName,
      'RSA_2048',
      [{ label: 'RSA_2048', spec: 'RSA_2048', count: 3 }],
      { timeMs: 10_000, minSamples: 40 },
    );
  }
  // Last, as its background requests take longest to finish: ECC requests one at a time while
  // two RSA_4096 requests are always in flight on the same server.
  group(
    'ECC_NIST_P256 while 2 RSA_4096 in flight, request thread',
    'request thread',
    'ECC_NIST_P256',
    [{ label: 'RSA_4096', spec: 'RSA_4096', count: 2 }],
    { timeMs: 12_000, minSamples: 10 },
  );
  group(
    'ECC_NIST_P256 while 2 RSA_4096 in flight, worker pool',
    'worker pool',
    'ECC_NIST_P256',
    [{ label: 'RSA_4096', spec: 'RSA_4096', count: 2 }],
    { timeMs: 12_000, minSamples: 100 },
  );

  bursts = Object.entries(servers).map(([name, s]) => ({ name, s, send: request(s, 'RSA_2048') }));
  return out;
}

const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Throughput of every group, and RSA_2048 bursts of 32 against each configuration. */
export async function notes(done) {
  await Load.active?.stop();
  Load.active = undefined;

  const lines = [
    '| Group | Requests/s (all answers) | Timed requests/s | Background answers/s | Median (ms) | p99 (ms) |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const g of done) {
    const { load } = loads.get(g.name);
    const r = load.rates();
    const background = Object.entries(r).filter(([k]) => k !== 'foreground');
    const total = r.foreground + background.reduce((acc, [, v]) => acc + v, 0);
    const sameKind = background.every(([k]) => g.name.startsWith(k));
    const t = g.tasks[0];
    lines.push(
      `| ${g.name} | ${sameKind ? fmt(total) : '–'} | ${fmt(r.foreground)} | ${background.map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ') || '–'} | ${fmt(t.median, 2)} | ${fmt(t.p99, 2)} |`,
    );
  }

  // Bursts: 32 RSA_2048 requests at once; before each, the server's pool (if any) is full again.
  const rounds = Math.max(1, done[0]?.budget.rounds ?? 1);
  lines.push(
    '',
    `RSA_2048 bursts: 32 requests sent at once, ${rounds} burst${rounds === 1 ? '' : 's'} per configuration (pool refilled before each).`,
    '',
  );
  lines.push('| Configuration | Burst time, median (ms) | RSA_2048 pairs/s in the burst |', '| --- | ---: | ---: |');
  for (const b of bursts) {
    const times = [];
    for (let i = 0; i < rounds; i++) {
      await b.s.ready();
      const t0 = performance.now();
      const answers = await Promise.all(Array.from({ length: 32 }, () => b.send()));
      times.push(performance.now() - t0);
      checkPair(answers[answers.length - 1]);
    }
    times.sort((x, y) => x - y);
    const mid = (times.length - 1) / 2;
    const median = (times[Math.floor(mid)] + times[Math.ceil(mid)]) / 2;
    lines.push(`| ${b.name} | ${fmt(median)} | ${fmt(32_000 / median)} |`);
  }
  for (const b of bursts) b.s.kms.destroy();
  return lines;
}
