// The HTTP endpoint under load from autocannon: 64 connections over loopback sending
// GenerateDataKeyPair (ECC_NIST_P256, no SigV4), against the real `wasm-kms serve` and two
// reference servers, all in the same run.
//
// Servers, each a process of its own (autocannon runs in this process):
//   bare node:http     a node:http server answering every request with one canned, valid
//                      GenerateDataKeyPair response of the real size: what this machine's HTTP
//                      stack can do, the baseline of every ratio
//   bare + core pair   node:http answering each request with a fresh P-256 pair from the core
//                      (dist/core generateKeyPair) in its request thread, with no KMS layer: the
//                      ceiling of one thread with this core, a second reference figure
//   serve              `wasm-kms serve` (the CLI, the file store, the default worker pool)
//   serve --processes 2  the same with two processes on one store
//
// Method. One sample is the time to get AMOUNT answers with 64 connections kept busy, so a
// task's median time is AMOUNT ÷ its throughput, and the ratio of medians is the inverse ratio
// of throughputs: the target "serve ≥ 0.4 × bare" is serve's median ≤ 2.5 × bare's. The runner
// interleaves the servers round by round. Every answer is checked by autocannon's verifyBody (the
// response's members are there); one answer in SAMPLE_EVERY is parsed and its private key
// checked against its public key with node:crypto. Non-2xx answers, errors, timeouts and
// mismatches are counted over every run and printed under the table (they must all be 0), with
// the worst p99 latency of a run (checked against P99_LIMIT_MS) and the requests/s.
// RSA_2048 pairs/s: a KeyPairWorkerPool with 1, 2 and 3 threads, one sample = RSA_PAIRS pairs
// asked for at once (in this process: the pool's threads do the work).

import { fork, spawn } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = 'WASM_KMS_BENCH_LOAD_SERVER';
const CONNECTIONS = 64;
const SPEC = 'ECC_NIST_P256';
const SAMPLE_EVERY = 64;
const P99_LIMIT_MS = 20;
const RSA_PAIRS = 12;
const QUICK = process.argv.includes('--quick');
/** The runner's warm-up calls per task (bench/run.mjs: WARMUP, QUICK.warmup): their p99 is not judged. */
const WARMUP_RUNS = QUICK ? 1 : 2;
/** Answers per sample. */
const AMOUNT = QUICK ? 5_000 : 20_000;

// ---------------------------------------------------------------------------------------------
// The reference servers, in a child process: { kind: 'bare' | 'core', canned } in the environment.

if (process.env[CHILD] !== undefined) {
  if (!process.send) throw new Error(`${CHILD} is set but there is no IPC channel to the parent`);
  const { kind, canned } = JSON.parse(process.env[CHILD]);
  let answer;
  if (kind === 'bare') {
    const body = Buffer.from(canned);
    answer = () => body;
  } else {
    const { generateKeyPair } = await import('../../dist/core/index.js');
    const { KeyId, PrivateKeyCiphertextBlob } = JSON.parse(canned);
    answer = () => {
      const pair = generateKeyPair(SPEC);
      const body = JSON.stringify({
        KeyId,
        KeyPairSpec: SPEC,
        PrivateKeyCiphertextBlob,
        PrivateKeyPlaintext: Buffer.from(
          pair.privateKey.buffer,
          pair.privateKey.byteOffset,
          pair.privateKey.byteLength,
        ).toString('base64'),
        PublicKey: Buffer.from(pair.publicKey.buffer, pair.publicKey.byteOffset, pair.publicKey.byteLength).toString(
          'base64',
        ),
      });
      pair.privateKey.fill(0);
      return body;
    };
  }
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = answer();
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
    process.send?.({ url: `http://127.0.0.1:${port}` });
  });
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// The parent.

export const id = 'load';
export const title = `HTTP endpoint under autocannon (${CONNECTIONS} connections, GenerateDataKeyPair ${SPEC}, loopback)`;
export const baseline = 'bare node:http';
const GROUP = `${AMOUNT} answers, ${CONNECTIONS} connections`;
export const targets = [{ group: GROUP, task: 'serve', maxRatio: 2.5 }];

const children = new Set();
const dirs = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function post(url, target, body) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `TrentService.${target}` },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`${target}: HTTP ${res.statusCode} ${text}`));
          else resolve(text);
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** `wasm-kms serve` on a fresh file store; resolves to its URL, a key in its store, and stop(). */
async function startServe(extra) {
  const home = mkdtempSync(join(tmpdir(), 'wasm-kms-load-'));
  dirs.push(home);
  const bin = fileURLToPath(new URL('../../dist/node/cli/main.js', import.meta.url));
  const child = track(
    spawn(process.execPath, [bin, '--store', join(home, 'store'), 'serve', '--port', '0', '--quiet', ...extra], {
      env: { ...process.env, HOME: home, WASM_KMS_HOME: '', WASM_KMS_STORE: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /wasm-kms listening on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`wasm-kms serve ${extra.join(' ')} exited (${code}): ${out}`)));
  });
  const created = JSON.parse(await post(url, 'CreateKey', {}));
  return { url, keyId: created.KeyMetadata.KeyId };
}

function startReference(kind, canned) {
  const child = track(
    fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [CHILD]: JSON.stringify({ kind, canned }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ url: m.url }));
    child.once('exit', (code) => reject(new Error(`reference server ${kind} exited (${code})`)));
  });
}

/** Throws unless `text` is a GenerateDataKeyPair answer whose private key belongs to its public key. */
function checkAnswer(text) {
  const out = JSON.parse(text);
  for (const m of ['KeyId', 'PrivateKeyCiphertextBlob', 'PrivateKeyPlaintext', 'PublicKey'])
    if (typeof out[m] !== 'string' || out[m] === '') throw new Error(`answer without ${m}`);
  if (out.KeyPairSpec !== SPEC) throw new Error(`answer for ${out.KeyPairSpec}, asked for ${SPEC}`);
  const derived = createPublicKey(
    createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext, 'base64'), format: 'der', type: 'pkcs8' }),
  ).export({ type: 'spki', format: 'der' });
  if (!derived.equals(Buffer.from(out.PublicKey, 'base64')))
    throw new Error('the private key does not match the public key');
}

/** Per task: every run's counts and p99. */
const runs = new Map();

async function cannon(name, server) {
  const { default: autocannon } = await import('autocannon');
  let seen = 0;
  let badSamples = 0;
  /** The first failed check's message. */
  let firstBad = '';
  const result = await autocannon({
    url: `${server.url}/`,
    connections: CONNECTIONS,
    amount: AMOUNT,
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.GenerateDataKeyPair' },
    body: JSON.stringify({ KeyId: server.keyId, KeyPairSpec: SPEC }),
    timeout: 10,
    // autocannon notices the last answer at its next sampling tick (default 1 s): 5 ms instead.
    sampleInt: 5,
    verifyBody: (body) => {
      if (!body.startsWith('{') || !body.includes('"PrivateKeyPlaintext":"') || !body.includes('"PublicKey":"'))
        return false;
      if (++seen % SAMPLE_EVERY === 1) {
        try {
          checkAnswer(body);
        } catch (err) {
          badSamples++;
          firstBad ||= err instanceof Error ? err.message : String(err);
          return false;
        }
      }
      return true;
    },
  });
  const r = {
    requests: result.requests.total,
    perSecond: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    checked: Math.ceil(seen / SAMPLE_EVERY),
    badSamples,
    firstBad,
  };
  const list = runs.get(name) ?? [];
  list.push(r);
  runs.set(name, list);
  return r;
}

function checkRun(r) {
  if (r.firstBad) throw new Error(`an answer failed its check: ${r.firstBad}`);
  const bad = r.non2xx + r.errors + r.timeouts + r.mismatches;
  if (bad > 0) throw new Error(`${bad} bad answers (non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts})`);
}

let pools = [];

export async function groups() {
  const serve = await startServe([]);
  const canned = await post(serve.url, 'GenerateDataKeyPair', { KeyId: serve.keyId, KeyPairSpec: SPEC });
  checkAnswer(canned);
  const servers = {
    'bare node:http': { ...(await startReference('bare', canned)), keyId: serve.keyId },
    'bare + core pair': { ...(await startReference('core', canned)), keyId: serve.keyId },
    serve,
    'serve --processes 2': await startServe(['--processes', '2']),
  };
  const tasks = Object.entries(servers).map(([name, server]) => ({
    name,
    fn: () => cannon(name, server),
    check: checkRun,
  }));

  const { KeyPairWorkerPool } = await import('../../dist/node/pool/pool.js');
  pools = [1, 2, 3].map((threads) => ({ threads, pool: new KeyPairWorkerPool({ threads }) }));
  const rsa = pools.map(({ threads, pool }) => ({
    name: `pool, ${threads} thread${threads === 1 ? '' : 's'}`,
    fn: () => Promise.all(Array.from({ length: RSA_PAIRS }, () => pool.generate('RSA_2048'))),
    check: (pairs) => {
      for (const p of pairs) {
        createPrivateKey({ key: Buffer.from(p.privateKey), format: 'der', type: 'pkcs8' });
        p.privateKey.fill(0);
      }
    },
  }));
  // Only the minimum sample count runs (a tiny time budget): each sample is seconds long.
  return [
    { name: GROUP, timeMs: 1, minSamples: 4, tasks },
    { name: `RSA_2048, ${RSA_PAIRS} pairs at once`, timeMs: 1, minSamples: 4, tasks: rsa },
  ];
}

const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

export async function notes(done) {
  for (const { pool } of pools) await pool.close();
  for (const c of children) c.kill('SIGTERM');
  const [http, rsa] = done;
  const bare = http.tasks.find((t) => t.name === baseline);
  const lines = [
    `Requests/s = ${AMOUNT} ÷ the median time of a sample; vs bare = that ÷ the bare node:http server's requests/s in this run.`,
    `Checks: p99 ≤ ${P99_LIMIT_MS} ms in every timed run (the median and the worst of the runs' p99 are shown); 0 non-2xx answers, errors, timeouts and failed answer checks over every run, warm-ups included (one answer in ${SAMPLE_EVERY} parsed and its key pair checked with node:crypto).`,
    '',
    '| Server | Requests/s | vs bare | p99 (ms), median run | p99 (ms), worst run | p99 check | Bad answers | Answers checked with node:crypto | Check |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |',
  ];
  for (const t of http.tasks) {
    const list = runs.get(t.name) ?? [];
    const p99s = list
      .slice(WARMUP_RUNS)
      .map((r) => r.p99)
      .sort((a, b) => a - b);
    const worst = p99s.at(-1) ?? NaN;
    const median = p99s.length
      ? (p99s[Math.floor((p99s.length - 1) / 2)] + p99s[Math.ceil((p99s.length - 1) / 2)]) / 2
      : NaN;
    const bad = list.reduce((a, r) => a + r.non2xx + r.errors + r.timeouts + r.mismatches, 0);
    const checked = list.reduce((a, r) => a + r.checked, 0);
    const perSecond = (AMOUNT * 1000) / t.median;
    lines.push(
      `| ${t.name} | ${fmt(perSecond)} | ${fmt(bare.median / t.median, 3)}× | ${fmt(median)} | ${fmt(worst)} | ${worst <= P99_LIMIT_MS ? 'PASS' : 'FAIL'} | ${bad} | ${checked} | ${bad === 0 ? 'PASS' : 'FAIL'} |`,
    );
  }
  lines.push(
    '',
    `RSA_2048: ${RSA_PAIRS} pairs asked for at once, pairs/s = ${RSA_PAIRS} ÷ the median time. With 2 or more threads one is kept for the other specs, so RSA runs on threads − 1.`,
    '',
    '| RSA_2048 on KeyPairWorkerPool | Pairs/s |',
    '| --- | ---: |',
  );
  for (const t of rsa.tasks) lines.push(`| ${t.name} | ${fmt((RSA_PAIRS * 1000) / t.median, 1)} |`);
  return lines;
}
