// Cold start: a fresh process's (or a fresh workerd isolate's) first key pair, for every EC,
// Edwards and ML-KEM spec, against WebCrypto's and node:crypto's first key in the same run; and
// RSA_2048's first key against its warm median.
//
// Node. Each sample is one fresh `node` process running a small script that times itself from
// its first line: for wasm-kms `await import('wasm-kms/core')` (dist/core/index.js) plus the first
// generateKeyPair(spec); for WebCrypto crypto.subtle.generateKey plus exportKey('pkcs8') and
// exportKey('spki'); for node:crypto generateKeyPairSync with DER SPKI and PKCS#8 export. Node's
// own startup is outside the figure (the same for all three). Where WebCrypto lacks the spec
// (secp256k1, SM2, ML-KEM) its task holds WebCrypto's P-256 samples; node:crypto has no ML-KEM
// in Node 20, so those groups have no node:crypto task. The processes of every (spec, library)
// pair are interleaved round by round, so that drift spreads over all of them.
//
// workerd. Sampled with one workerd process per round, serving one worker service per (spec,
// library): every service is an isolate of its own, and each gets exactly one request, so every
// measured request is the first of a fresh isolate. The wasm-kms worker does, inside the request,
// `await import()` of the package's edge core (bundled as a module of its own), initCore(module)
// with the compiled `wasm-kms/core.wasm` workerd was given, and generateKeyPair(spec); the
// WebCrypto worker generateKey plus both exports. Timed from this process, from sending the
// request to the end of the answer: workerd's clocks inside a request do not advance while code
// runs (a Spectre mitigation), so the worker cannot time itself. Loopback HTTP is in both figures.
//
// RSA_2048: "first key" is import plus the first key in a fresh process, as above; "warm" the
// median of generateKeyPair('RSA_2048') in this process after warm-up calls.
//
// How this fits the runner (bench/run.mjs): the runner times calls made in its own process,
// which cannot show a cold start. So groups() takes all the samples first (above) and hands
// them over as recorded samples (a task's `recorded`): the runner's medians, ratios and targets
// are those of the fresh-process samples exactly. notes() gives the sample counts and the
// spread (quartiles).

import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { generateKeyPair } from '../../dist/core/index.js';

export const id = 'cold';
export const title = 'Cold start: import plus first key pair in a fresh process or workerd isolate';
export const baseline = 'WebCrypto';

const QUICK = process.argv.includes('--quick');
const NODE_SAMPLES = QUICK ? 5 : 21;
const WORKERD_ROUNDS = QUICK ? 3 : 12;
const RSA_WARM = QUICK ? 8 : 30;

const root = fileURLToPath(new URL('../../', import.meta.url));
const CORE = pathToFileURL(join(root, 'dist', 'core', 'index.js')).href;

/** The specs compared, with what WebCrypto and node:crypto call them (undefined: not there). */
const SPECS = [
  { spec: 'ECC_NIST_P256', webcrypto: { name: 'ECDSA', namedCurve: 'P-256' }, node: ['ec', 'prime256v1'] },
  { spec: 'ECC_NIST_P384', webcrypto: { name: 'ECDSA', namedCurve: 'P-384' }, node: ['ec', 'secp384r1'] },
  { spec: 'ECC_NIST_P521', webcrypto: { name: 'ECDSA', namedCurve: 'P-521' }, node: ['ec', 'secp521r1'] },
  { spec: 'ECC_SECG_P256K1', node: ['ec', 'secp256k1'] },
  { spec: 'SM2', node: ['ec', 'SM2'] },
  { spec: 'ECC_NIST_EDWARDS25519', webcrypto: { name: 'Ed25519' }, node: ['ed25519'] },
  { spec: 'ML_KEM_512' },
  { spec: 'ML_KEM_768' },
  { spec: 'ML_KEM_1024' },
];
const P256 = SPECS[0].webcrypto;

export const targets = [
  ...SPECS.map(({ spec }) => ({ group: spec, task: 'wasm-kms', maxRatio: 1 })),
  ...SPECS.map(({ spec }) => ({ group: spec, task: 'wasm-kms (workerd)', than: 'WebCrypto (workerd)', maxRatio: 1 })),
  { group: 'RSA_2048', task: 'wasm-kms first key', than: 'wasm-kms warm', maxRatio: 1.2 },
];

// ---------------------------------------------------------------------------------------------
// Node: one fresh process per sample. The script prints {ms, publicKey, privateKey} (base64 DER).

const CHILD = `const t0 = performance.now();
const [impl, arg] = process.argv.slice(2);
let pair;
let imported;
if (impl === 'wasm-kms') {
  const core = await import(${JSON.stringify(CORE)});
  imported = performance.now() - t0;
  pair = core.generateKeyPair(arg);
} else if (impl === 'WebCrypto') {
  const algorithm = JSON.parse(arg);
  const keys = await crypto.subtle.generateKey(algorithm, true, algorithm.name === 'RSA-PSS' || algorithm.name === 'ECDSA' || algorithm.name === 'Ed25519' ? ['sign', 'verify'] : []);
  const [privateKey, publicKey] = await Promise.all([crypto.subtle.exportKey('pkcs8', keys.privateKey), crypto.subtle.exportKey('spki', keys.publicKey)]);
  pair = { privateKey: new Uint8Array(privateKey), publicKey: new Uint8Array(publicKey) };
} else {
  const { generateKeyPairSync } = await import('node:crypto');
  const [type, namedCurve] = JSON.parse(arg);
  pair = generateKeyPairSync(type, { namedCurve, modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
}
const ms = performance.now() - t0;
const b64 = (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
process.stdout.write(JSON.stringify({ ms, imported, publicKey: b64(pair.publicKey), privateKey: b64(pair.privateKey) }));
`;

function runChild(script, impl, arg) {
  const r = spawnSync(process.execPath, [script, impl, arg], { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(`cold ${impl} ${arg}: exit ${r.status}\n${r.stderr}`);
  const out = JSON.parse(r.stdout);
  return {
    ms: out.ms,
    /** wasm-kms: the time to the end of the import, of ms. */
    imported: out.imported,
    publicKey: Buffer.from(out.publicKey, 'base64'),
    privateKey: Buffer.from(out.privateKey, 'base64'),
  };
}

/** Throws unless the pair is a matching DER pair (ML-KEM: the lengths of FIPS 203's keys). */
function checkPair(spec, pair) {
  const ml = /^ML_KEM_(\d+)$/.exec(spec);
  if (ml) {
    const k = Number(ml[1]) / 256;
    // SPKI: 22 bytes of header and the 384k + 32-byte ek; PKCS#8 seed form: 86 bytes.
    if (pair.publicKey.length !== 384 * k + 32 + 22 || pair.privateKey.length !== 86)
      throw new Error(`${spec}: unexpected key lengths ${pair.publicKey.length}, ${pair.privateKey.length}`);
    return;
  }
  const derived = createPublicKey(createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' })).export({
    type: 'spki',
    format: 'der',
  });
  if (!derived.equals(pair.publicKey)) throw new Error(`${spec}: the private key does not match the public key`);
}

// ---------------------------------------------------------------------------------------------
// workerd: one process per round, one service (isolate) per (spec, library), one request each.

const WORKER_WASM_KMS = `import coreModule from './core.wasm';
export default {
  async fetch(request, env) {
    const lib = await import('./lib.js');
    await lib.initCore(coreModule);
    const pair = lib.generateKeyPair(env.SPEC);
    return new Response(JSON.stringify([pair.publicKey.length, pair.privateKey.length]));
  },
};
`;
const WORKER_WEBCRYPTO = `export default {
  async fetch(request, env) {
    const algorithm = JSON.parse(env.ALGORITHM);
    const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    const [privateKey, publicKey] = await Promise.all([crypto.subtle.exportKey('pkcs8', keys.privateKey), crypto.subtle.exportKey('spki', keys.publicKey)]);
    return new Response(JSON.stringify([publicKey.byteLength, privateKey.byteLength]));
  },
};
`;

function workerdServices() {
  const list = [];
  for (const s of SPECS) {
    list.push({ spec: s.spec, task: 'wasm-kms (workerd)', worker: 'wasm', text: ['SPEC', s.spec] });
    list.push({
      spec: s.spec,
      task: 'WebCrypto (workerd)',
      worker: 'webcrypto',
      text: ['ALGORITHM', JSON.stringify(s.webcrypto ?? P256)],
    });
  }
  return list;
}

function workerdConfig(services) {
  const svc = services
    .map(
      (s, i) => `(name = "s${i}", worker = (
      modules = ${
        s.worker === 'wasm'
          ? `[ (name = "worker.js", esModule = embed "wasm-worker.js"), (name = "lib.js", esModule = embed "lib.js"), (name = "core.wasm", wasm = embed "core.wasm") ]`
          : `[ (name = "worker.js", esModule = embed "webcrypto-worker.js") ]`
      },
      bindings = [ (name = "${s.text[0]}", text = ${JSON.stringify(s.text[1])}) ],
      compatibilityDate = "2025-01-01"))`,
    )
    .join(',\n    ');
  const sockets = services
    .map((_, i) => `(name = "s${i}", address = "127.0.0.1:0", http = (), service = "s${i}")`)
    .join(',\n    ');
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${svc}
  ],
  sockets = [
    ${sockets}
  ],
);
`;
}

async function prepareWorkerd(dir) {
  const bin = join(root, 'node_modules', '.bin', 'workerd');
  await build({
    entryPoints: [join(root, 'dist', 'edge', 'core.js')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile: join(dir, 'lib.js'),
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'dist', 'wasm', 'wasm-kms.simd.wasm'), join(dir, 'core.wasm'));
  writeFileSync(join(dir, 'wasm-worker.js'), WORKER_WASM_KMS);
  writeFileSync(join(dir, 'webcrypto-worker.js'), WORKER_WEBCRYPTO);
  writeFileSync(join(dir, 'config.capnp'), workerdConfig(workerdServices()));
  return bin;
}

/** Starts workerd on the config; resolves to the port of each socket (by index) once all listen. */
function startWorkerd(bin, dir, count) {
  const proc = spawn(bin, ['serve', join(dir, 'config.capnp'), '--control-fd=3'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (c) => (stderr += c));
  const control = /** @type {import('node:stream').Readable} */ (proc.stdio[3]);
  const ports = new Map();
  const listening = new Promise((resolve, reject) => {
    let buffered = '';
    control.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const msg = JSON.parse(line);
        if (msg.event === 'listen') ports.set(Number(msg.socket.slice(1)), msg.port);
      }
      if (ports.size === count) resolve(ports);
    });
    proc.once('exit', (code) => reject(new Error(`workerd exited (${code}) before listening:\n${stderr}`)));
  });
  return { proc, listening };
}

async function stopWorkerd(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
}

/** One request to a fresh isolate, timed from here: ms, and the key lengths it reports. */
async function firstRequest(port) {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`workerd answered ${res.status}: ${body.slice(0, 300)}`);
  return { ms, lengths: JSON.parse(body) };
}

// ---------------------------------------------------------------------------------------------
// Sampling, then the samples handed to the runner.

/** A task whose samples were taken in fresh processes (the runner takes them as they are). */
const recordedTask = (name, samples) => ({ name, recorded: samples, samples });

const collected = [];
/** wasm-kms in Node, per spec: each sample split into the import and the first key. */
const splits = new Map();

export async function groups() {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-kms-cold-'));
  try {
    const script = join(dir, 'child.mjs');
    writeFileSync(script, CHILD);
    /** @type {Map<string, { spec: string, task: string, samples: number[] }>} */
    const series = new Map();
    /** @param {string} spec @param {string} task @param {number} ms */
    const add = (spec, task, ms) => {
      const key = `${spec}\u0000${task}`;
      let s = series.get(key);
      if (!s) series.set(key, (s = { spec, task, samples: [] }));
      s.samples.push(ms);
    };
    /** @param {string} spec @param {string} task */
    const get = (spec, task) => {
      const s = series.get(`${spec}\u0000${task}`);
      if (!s) throw new Error(`cold: no samples for ${spec} ${task}`);
      return s;
    };

    // Node: the runs of every (spec, library), interleaved round by round.
    const runs = [];
    for (const s of SPECS) {
      runs.push({ spec: s.spec, task: 'wasm-kms', impl: 'wasm-kms', arg: s.spec });
      if (s.node) runs.push({ spec: s.spec, task: 'node:crypto', impl: 'node:crypto', arg: JSON.stringify(s.node) });
      if (s.webcrypto)
        runs.push({ spec: s.spec, task: 'WebCrypto', impl: 'WebCrypto', arg: JSON.stringify(s.webcrypto) });
    }
    runs.push({ spec: 'RSA_2048', task: 'wasm-kms first key', impl: 'wasm-kms', arg: 'RSA_2048' });
    const rsaSamples = QUICK ? 5 : 20;
    for (let round = 0; round < NODE_SAMPLES; round++) {
      for (const r of runs) {
        if (r.spec === 'RSA_2048' && round >= rsaSamples) continue;
        const out = runChild(script, r.impl, r.arg);
        if (round === 0) checkPair(r.spec, out);
        add(r.spec, r.task, out.ms);
        if (typeof out.imported === 'number') {
          let split = splits.get(r.spec);
          if (!split) splits.set(r.spec, (split = { imported: [], key: [] }));
          split.imported.push(out.imported);
          split.key.push(out.ms - out.imported);
        }
      }
    }
    // WebCrypto's P-256 stands in where WebCrypto lacks the spec.
    const p256 = get('ECC_NIST_P256', 'WebCrypto');
    for (const s of SPECS) if (!s.webcrypto) series.set(`${s.spec}\u0000WebCrypto`, { ...p256, spec: s.spec });

    // RSA_2048 warm, in this process.
    for (let i = 0; i < 3; i++) generateKeyPair('RSA_2048');
    for (let i = 0; i < RSA_WARM; i++) {
      const t0 = performance.now();
      generateKeyPair('RSA_2048');
      add('RSA_2048', 'wasm-kms warm', performance.now() - t0);
    }

    // workerd: one process per round, each service asked once.
    const bin = await prepareWorkerd(dir);
    const services = workerdServices();
    for (let round = 0; round < WORKERD_ROUNDS; round++) {
      const { proc, listening } = startWorkerd(bin, dir, services.length);
      try {
        const ports = await listening;
        // A different order each round: no service is always asked first or last.
        const order = services.map((_, i) => (i + round * 7) % services.length);
        for (const i of order) {
          const { ms, lengths } = await firstRequest(ports.get(i));
          if (!(lengths[0] > 0 && lengths[1] > 0)) throw new Error(`workerd ${services[i].spec}: no key`);
          add(services[i].spec, services[i].task, ms);
        }
      } finally {
        await stopWorkerd(proc);
      }
    }

    const order = ['wasm-kms', 'node:crypto', 'WebCrypto', 'wasm-kms (workerd)', 'WebCrypto (workerd)'];
    const out = [];
    for (const spec of [...SPECS.map((s) => s.spec)]) {
      const tasks = order
        .filter((task) => series.has(`${spec}\u0000${task}`))
        .map((task) => recordedTask(task, get(spec, task).samples));
      collected.push({ spec, tasks });
      out.push({ name: spec, timeMs: 1, minSamples: NODE_SAMPLES, tasks });
    }
    const rsa = ['wasm-kms first key', 'wasm-kms warm'].map((task) =>
      recordedTask(task, get('RSA_2048', task).samples),
    );
    collected.push({ spec: 'RSA_2048', tasks: rsa });
    out.push({ name: 'RSA_2048', timeMs: 1, minSamples: RSA_WARM, tasks: rsa });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const quantile = (sorted, q) => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
};

export async function notes() {
  const lines = [
    'Fresh-process samples (ms): median [first quartile – third quartile], n. Node: import plus first key, timed by the',
    "process from its script's first line; workerd: the first request of a fresh isolate, timed from the client.",
    '',
    '| spec | task | median | quartiles | n |',
    '| --- | --- | ---: | --- | ---: |',
  ];
  for (const { spec, tasks } of collected) {
    for (const t of tasks) {
      const s = [...t.samples].sort((a, b) => a - b);
      const q = (x) => quantile(s, x).toFixed(2);
      lines.push(`| ${spec} | ${t.name} | ${q(0.5)} | ${q(0.25)} – ${q(0.75)} | ${s.length} |`);
    }
  }
  lines.push(
    '',
    "wasm-kms in Node, each sample split at the end of `await import('wasm-kms/core')` (ms, median [quartiles]): the",
    "import, and the first generateKeyPair, which also decodes, compiles and instantiates the module and pays Node's",
    'first crypto.getRandomValues.',
    '',
    '| spec | import | first key | n |',
    '| --- | ---: | ---: | ---: |',
  );
  for (const [spec, { imported, key }] of splits) {
    const fmt = (v) => {
      const s = [...v].sort((a, b) => a - b);
      return `${quantile(s, 0.5).toFixed(2)} [${quantile(s, 0.25).toFixed(2)} – ${quantile(s, 0.75).toFixed(2)}]`;
    };
    lines.push(`| ${spec} | ${fmt(imported)} | ${fmt(key)} | ${imported.length} |`);
  }
  return lines;
}
