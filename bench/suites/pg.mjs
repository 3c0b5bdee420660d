// `wasm-kms serve` on PostgreSQL against the file store, in the same run: GenerateDataKeyPair
// (ECC_NIST_P256) and Decrypt through one endpoint and through two endpoints sharing one store.
//
// Set-up. A throwaway PostgreSQL cluster (initdb in a temporary directory, fsync on, as the
// PostgreSQL defaults; under root it runs as `nobody`), or the server of WASM_KMS_BENCH_PG_URL when
// set; the database's tables are dropped first. Six `wasm-kms serve` processes (the built bin,
// default worker pool, --quiet, one master key): two on one file store directory, four on the
// database. Each configuration has a symmetric key of its own (made through its first endpoint)
// and a Decrypt blob of it.
//   file store         requests to the first file-store endpoint (the baseline of every ratio)
//   PostgreSQL         requests to the first PostgreSQL endpoint (the store's default cache,
//                      eventual: a cached read is answered at once; other endpoints' changes
//                      arrive by notification, and refusals are confirmed against the database)
//   file store ×2      requests alternating between the two file-store endpoints
//   PostgreSQL ×2      requests alternating between the two PostgreSQL endpoints
//   PostgreSQL, no cache        an endpoint with WASM_KMS_STORE_CACHE=off (every read a query)
//   PostgreSQL, strict cache    an endpoint with WASM_KMS_STORE_CACHE=strict (a cached read first
//                               waits for a round trip on the listening connection, so that
//                               every change acknowledged elsewhere is seen)
// Requests are plain HTTP (AWS JSON 1.1, no SigV4) on keep-alive connections, so that the client
// (this process) takes as little of the two cores as it can.
//
// Method. "1 in flight": a sample is one request's latency. "16 in flight": a sample is the time
// for BATCH requests with 16 kept in flight, so the median is BATCH ÷ the throughput, and a ratio
// of medians is the inverse ratio of throughputs. Targets: PostgreSQL (the default cache) ≤ 1.2 ×
// the file store, per request, in every group; no cache and strict cache are measured, without a
// target. Notes: ×2 against ×1 for each store, and the CPU time each request
// costs, split between the endpoints, PostgreSQL's processes and this client (from /proc, over
// a separate run of CPU_REQUESTS requests at 16 in flight per configuration), to project how far
// more cores would take each configuration.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const QUICK = process.argv.includes('--quick');
const BATCH = 64;
const IN_FLIGHT = 16;
const CPU_REQUESTS = QUICK ? 1_000 : 4_000;
const BIN = fileURLToPath(new URL('../../dist/node/cli/main.js', import.meta.url));

export const id = 'pg';
export const title = 'serve on PostgreSQL against the file store (GenerateDataKeyPair ECC_NIST_P256, Decrypt)';
export const baseline = 'file store';

const GROUPS = {
  pair1: 'GenerateDataKeyPair ECC_NIST_P256, 1 in flight',
  dec1: 'Decrypt, 1 in flight',
  pair16: `GenerateDataKeyPair ECC_NIST_P256, ${BATCH} requests, ${IN_FLIGHT} in flight`,
  dec16: `Decrypt, ${BATCH} requests, ${IN_FLIGHT} in flight`,
};
export const targets = Object.values(GROUPS).map((group) => ({ group, task: 'PostgreSQL', maxRatio: 1.2 }));

// ---------------------------------------------------------------------------------------------
// Processes: PostgreSQL and the endpoints, stopped when this process ends.

const children = new Set();
const dirs = [];
let stopPostgres = () => {};
const cleanUp = () => {
  for (const c of children) c.kill('SIGKILL');
  stopPostgres();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
};
process.on('exit', cleanUp);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

/** Where PostgreSQL's programs are: beside the initdb on PATH (a Debian link resolved), else /usr/lib/postgresql/N/bin. */
function postgresBin() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'initdb'))) {
      const real = dirname(realpathSync(join(dir, 'initdb')));
      if (existsSync(join(real, 'pg_ctl'))) return real;
    }
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  throw new Error('PostgreSQL is not installed (no initdb): install the Debian package `postgresql`');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** A new PostgreSQL cluster on 127.0.0.1; resolves to { url, postmasterPid() }. */
async function startPostgres() {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-bench-pg-'));
  dirs.push(dir);
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number((await run('id', ['-u', 'nobody'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'nobody'])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const asServer = (program, args) =>
    root ? run('runuser', ['-u', 'nobody', '--', join(bin, program), ...args]) : run(join(bin, program), args);
  const data = join(dir, 'data');
  await asServer('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  await asServer('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', 'start']);
  stopPostgres = () => {
    // Synchronous, as it may run in the 'exit' handler.
    const args = ['-D', data, '-m', 'immediate', '-w', 'stop'];
    if (root) spawnSync('runuser', ['-u', 'nobody', '--', join(bin, 'pg_ctl'), ...args], { stdio: 'ignore' });
    else spawnSync(join(bin, 'pg_ctl'), args, { stdio: 'ignore' });
    stopPostgres = () => {};
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    postmasterPid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
  };
}

/** `wasm-kms --store STORE serve --port 0 --quiet`; resolves to { url, pid }. */
async function startServe(store, env) {
  const child = spawn(process.execPath, [BIN, '--store', store, 'serve', '--port', '0', '--quiet'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /wasm-kms listening on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`wasm-kms serve on ${store.split('@').pop()} exited (${code})`)));
  });
  return { url, pid: /** @type {number} */ (child.pid) };
}

// ---------------------------------------------------------------------------------------------
// Requests.

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One KMS call over a keep-alive connection; its parsed answer (any status but 200 throws). A
 * request on a reused connection that the server closed as idle meanwhile (after a pause between
 * groups) is sent once more on a new one.
 */
function post(url, target, body, retried = false) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/`,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `TrentService.${target}` },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`${target}: HTTP ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on('error', (err) => {
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      if (req.reusedSocket && !retried && code === 'ECONNRESET') resolve(post(url, target, body, true));
      else reject(err);
    });
    req.end(JSON.stringify(body));
  });
}

/** `count` calls of `send(i)` with `inFlight` kept going. */
async function spread(count, inFlight, send) {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await send(next++);
    }),
  );
}

/** CPU seconds of a process from /proc (user + system; with `children`, of its waited-for children too). */
function cpuOf(pid, children = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 (utime, stime, cutime, cstime) are 11-14 after the state field.
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of the postmaster, its live children, and its exited children (waited for). */
function postgresCpu(postmaster) {
  let total = cpuOf(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) total += cpuOf(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// The suite.

/** name → { urls, pids, keyId, blob, send(operation, i) } */
const configs = new Map();
let postmaster = 0;

export async function groups() {
  const pg = process.env.WASM_KMS_BENCH_PG_URL
    ? { url: process.env.WASM_KMS_BENCH_PG_URL, postmasterPid: () => 0 }
    : await startPostgres();
  postmaster = pg.postmasterPid();
  const home = mkdtempSync(join(tmpdir(), 'wasm-kms-bench-pg-files-'));
  dirs.push(home);
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WASM_KMS_'))),
    HOME: home,
    WASM_KMS_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  if (process.env.WASM_KMS_BENCH_PG_URL) {
    // A server of the caller's: start from an empty store.
    const { default: pgModule } = await import('pg');
    const c = new pgModule.Client({ connectionString: pg.url });
    await c.connect();
    await c.query('DROP TABLE IF EXISTS wasm_kms_records, wasm_kms_schema_migrations');
    await c.end();
  }
  const fileStore = join(home, 'store');
  const files = [await startServe(fileStore, env)];
  files.push(await startServe(fileStore, env));
  const pgs = [await startServe(pg.url, env)];
  pgs.push(await startServe(pg.url, env));
  const uncached = await startServe(pg.url, { ...env, WASM_KMS_STORE_CACHE: 'off' });
  const strict = await startServe(pg.url, { ...env, WASM_KMS_STORE_CACHE: 'strict' });

  const plaintext = randomBytes(32).toString('base64');
  const setup = async (name, endpoints) => {
    const keyId = (await post(endpoints[0].url, 'CreateKey', {})).KeyMetadata.KeyId;
    const blob = (await post(endpoints[0].url, 'Encrypt', { KeyId: keyId, Plaintext: plaintext })).CiphertextBlob;
    const urls = endpoints.map((e) => e.url);
    const bodies = {
      GenerateDataKeyPair: { KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' },
      Decrypt: { CiphertextBlob: blob },
      CreateKey: {},
    };
    configs.set(name, {
      urls,
      pids: endpoints.map((e) => e.pid),
      send: (operation, i) => post(urls[i % urls.length], operation, bodies[operation]),
    });
  };
  await setup('file store', files.slice(0, 1));
  await setup('PostgreSQL', pgs.slice(0, 1));
  await setup('file store ×2', files);
  await setup('PostgreSQL ×2', pgs);
  await setup('PostgreSQL, no cache', [uncached]);
  await setup('PostgreSQL, strict cache', [strict]);

  const checkPair = (out) => {
    if (out.KeyPairSpec !== 'ECC_NIST_P256' || typeof out.PrivateKeyCiphertextBlob !== 'string')
      throw new Error(`not a GenerateDataKeyPair answer: ${JSON.stringify(out).slice(0, 200)}`);
  };
  const checkDecrypt = (out) => {
    if (out.Plaintext !== plaintext) throw new Error('Decrypt gave other bytes');
  };
  const checkBatch = (check) => (outs) => check(outs[outs.length - 1]);

  const single = (operation, check) => {
    const counters = new Map();
    return [...configs].map(([name, c]) => ({
      name,
      fn: () => {
        const i = (counters.get(name) ?? 0) + 1;
        counters.set(name, i);
        return c.send(operation, i);
      },
      check,
    }));
  };
  const batch = (operation, check) =>
    [...configs].map(([name, c]) => ({
      name,
      fn: async () => {
        const outs = [];
        await spread(BATCH, IN_FLIGHT, async (i) => outs.push(await c.send(operation, i)));
        return outs;
      },
      check: checkBatch(check),
    }));
  return [
    { name: GROUPS.pair1, timeMs: 3_000, minSamples: 200, tasks: single('GenerateDataKeyPair', checkPair) },
    { name: GROUPS.dec1, timeMs: 3_000, minSamples: 200, tasks: single('Decrypt', checkDecrypt) },
    { name: GROUPS.pair16, timeMs: 4_000, minSamples: 20, tasks: batch('GenerateDataKeyPair', checkPair) },
    { name: GROUPS.dec16, timeMs: 4_000, minSamples: 20, tasks: batch('Decrypt', checkDecrypt) },
  ];
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

export async function notes(done) {
  const lines = [];
  const median = (group, task) => done.find((g) => g.name === group)?.tasks.find((t) => t.name === task)?.median;
  lines.push(
    `Two endpoints against one (${availableParallelism()} cores shared by the endpoints, their worker pools, PostgreSQL and this client): throughput ratio ×2 / ×1, from the medians at ${IN_FLIGHT} in flight.`,
    '',
    '| Operation | file store ×2 / ×1 | PostgreSQL ×2 / ×1 |',
    '| --- | ---: | ---: |',
  );
  for (const [label, group] of [
    ['GenerateDataKeyPair', GROUPS.pair16],
    ['Decrypt', GROUPS.dec16],
  ]) {
    const gain = (store) => median(group, store) / median(group, `${store} ×2`);
    lines.push(`| ${label} | ${fmt(gain('file store'))} | ${fmt(gain('PostgreSQL'))} |`);
  }

  lines.push(
    '',
    `CPU per request: ${CPU_REQUESTS} requests per configuration at ${IN_FLIGHT} in flight (CreateKey: ${CPU_REQUESTS / 4}), CPU time from /proc (endpoints: the serve processes with their worker threads; PostgreSQL: the postmaster and its processes; client: this process). GenerateDataKeyPair and Decrypt read one key, which each endpoint's record cache answers after the first time, so PostgreSQL does next to nothing for them. Server-side ceiling: cores ÷ (endpoints' + PostgreSQL's CPU per request), the requests/s if they had this machine's cores to themselves; a projection for more cores holds while the CPU per request stays what it is here (here, two endpoints on two cores cost more per request than one: their processes and pools contend).`,
    '',
    '| Configuration | Operation | Requests/s | Endpoints (ms CPU/req) | PostgreSQL (ms CPU/req) | Client (ms CPU/req) | Server-side ceiling on this machine (req/s) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  const cores = availableParallelism();
  for (const operation of ['GenerateDataKeyPair', 'Decrypt', 'CreateKey']) {
    // CreateKey, a write (a transaction on PostgreSQL, fsynced files on the file store), for the
    // share of the database; fewer, as each leaves a key behind.
    const count = operation === 'CreateKey' ? CPU_REQUESTS / 4 : CPU_REQUESTS;
    for (const [name, c] of configs) {
      const endpointsBefore = c.pids.reduce((s, pid) => s + cpuOf(pid), 0);
      const pgBefore = postmaster ? postgresCpu(postmaster) : 0;
      const clientBefore = process.cpuUsage();
      const t0 = performance.now();
      await spread(count, IN_FLIGHT, (i) => c.send(operation, i));
      const seconds = (performance.now() - t0) / 1000;
      const client = process.cpuUsage(clientBefore);
      const perReq = (s) => (s * 1000) / count;
      const endpoints = perReq(c.pids.reduce((s, pid) => s + cpuOf(pid), 0) - endpointsBefore);
      const postgres = postmaster ? perReq(postgresCpu(postmaster) - pgBefore) : NaN;
      const clientMs = perReq((client.user + client.system) / 1e6);
      const server = endpoints + (Number.isFinite(postgres) ? postgres : 0);
      lines.push(
        `| ${name} | ${operation} | ${fmt(count / seconds, 0)} | ${fmt(endpoints, 3)} | ${fmt(postgres, 3)} | ${fmt(clientMs, 3)} | ${fmt((cores * 1000) / server, 0)} |`,
      );
    }
  }
  lines.push(
    '',
    `Resolution of the CPU figures: one 10 ms clock tick over a configuration's run, ${fmt(10 / CPU_REQUESTS, 3)} ms per request (CreateKey: ${fmt(40 / CPU_REQUESTS, 3)}).`,
  );
  // Done with the servers: stop them and PostgreSQL now rather than at exit.
  await Promise.all([...children].map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGTERM')))));
  agent.destroy();
  cleanUp();
  return lines;
}
