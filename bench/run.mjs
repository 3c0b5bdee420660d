// wasm-kms benchmark runner: `node --expose-gc bench/run.mjs [suite ...] [options]`.
//
// A suite is a module under bench/suites/ exporting:
//   id, title        its name on the command line and its heading
//   baseline         the task name that ratios are taken against, in every group
//   targets          [{ group, task, maxRatio }]: task's median ≤ maxRatio × baseline's median;
//                    or [{ group, task, maxAddedUs }]: task's median − baseline's ≤ maxAddedUs µs
//                    (a fixed cost a task adds, e.g. authorization, whatever the baseline's size);
//                    with `adds: true` the task measures a cost added on top of the baseline's
//                    work, and the target is (baseline + task) / baseline ≤ maxRatio
//   groups()         async, → [{ name, timeMs, minSamples, tasks: [{ name, fn, check? }] }]
//                    fn may be sync or async; check(result of the first warm-up call) throws
//                    if the result is wrong. Any expensive setup belongs in groups(). A task
//                    may instead bring samples taken elsewhere, { name, recorded: [ms, ...] }
//                    (cold.mjs: fresh processes), used as they are; a group's tasks are all
//                    timed or all recorded.
//   notes(groups)    optional, async, called once the suite's groups have run (with their
//                    results) → Markdown lines printed under the suite's table: figures that
//                    are not per-call times (throughput, bursts)
// Throughput fits the same model: a call does a fixed amount of work (load.mjs: N answers from
// a server under autocannon), so a task's median is N ÷ its throughput and a ratio of medians is
// the inverse ratio of throughputs; latency percentiles and error counts go in notes.
// Register a new suite in SUITES below; running, statistics and reporting are generic.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeBudget, describeTarget, json, machineInfo, markdown, summaryLine } from './lib/report.mjs';
import { log, runGroup } from './lib/runner.mjs';
import { keyPairChart, operationsChart, throughputChart, timingsChart } from './lib/svg.mjs';

const SUITES = {
  rsa: () => import('./suites/rsa.mjs'),
  'rsa-sign': () => import('./suites/rsa-sign.mjs'),
  modexp: () => import('./suites/modexp.mjs'),
  ec: () => import('./suites/ec.mjs'),
  ecdsa: () => import('./suites/ecdsa.mjs'),
  sm2: () => import('./suites/sm2.mjs'),
  mlkem: () => import('./suites/mlkem.mjs'),
  mldsa: () => import('./suites/mldsa.mjs'),
  aead: () => import('./suites/aead.mjs'),
  kms: () => import('./suites/kms.mjs'),
  'kms-sign': () => import('./suites/kms-sign.mjs'),
  server: () => import('./suites/server.mjs'),
  cold: () => import('./suites/cold.mjs'),
  load: () => import('./suites/load.mjs'),
  'ed25519-sign': () => import('./suites/ed25519-sign.mjs'),
  'mac-kem': () => import('./suites/mac-kem.mjs'),
  kwp: () => import('./suites/kwp.mjs'),
  cms: () => import('./suites/cms.mjs'),
  grants: () => import('./suites/grants.mjs'),
  authz: () => import('./suites/authz.mjs'),
  pg: () => import('./suites/pg.mjs'),
};

const ROUNDS = 4;
const WARMUP = 2;
const QUICK = { timeMs: 300, minSamples: 2, rounds: 1, warmup: 1 };
const RESULTS = new URL('./results/', import.meta.url);

const USAGE = `usage: node --expose-gc bench/run.mjs [suite ...] [--quick] [--time <seconds per task>] [--check]
       node bench/run.mjs --report-from <results/NAME.json> [--check]
suites: ${Object.keys(SUITES).join(', ')} (default: all)
  --quick   smoke run: ${QUICK.timeMs / 1000} s per task, ≥ ${QUICK.minSamples} samples, one round, one warm-up call
  --time    time budget per task in seconds, for every group (minimum sample counts still apply)
  --check   exit with status 1 when a target fails
  --report-from  run nothing: rewrite NAME.md, NAME.svg and NAME-timings.svg beside a saved NAME.json`;

class UsageError extends Error {}

function parseCli() {
  /**
   * @template {import('node:util').ParseArgsConfig} T
   * @param {T} config
   */
  const parse = (config) => {
    try {
      return parseArgs(config);
    } catch (err) {
      throw new UsageError(`${err instanceof Error ? err.message : err}\n${USAGE}`);
    }
  };
  const { values, positionals } = parse({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      time: { type: 'string' },
      check: { type: 'boolean', default: false },
      'report-from': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const time = values.time === undefined ? undefined : Number(values.time);
  if (time !== undefined && !(time > 0))
    throw new UsageError(`--time wants a positive number of seconds, got ${values.time}`);
  const unknown = positionals.filter((s) => !(s in SUITES));
  if (unknown.length) throw new UsageError(`unknown suite ${unknown.join(', ')}\n${USAGE}`);
  const suites = positionals.length ? [...new Set(positionals)] : Object.keys(SUITES);
  const reportFrom = values['report-from'];
  if (reportFrom !== undefined && (positionals.length || values.quick || time !== undefined)) {
    throw new UsageError(`--report-from runs nothing: it takes no suites, --quick or --time\n${USAGE}`);
  }
  if (reportFrom !== undefined && !reportFrom.endsWith('.json'))
    throw new UsageError(`--report-from wants a .json file, got ${reportFrom}`);
  return { suites, quick: values.quick, time, check: values.check, reportFrom };
}

function budgetFor(group, opts) {
  const base = opts.quick
    ? { ...QUICK, minSamples: Math.min(QUICK.minSamples, group.minSamples) }
    : { timeMs: group.timeMs, minSamples: group.minSamples, rounds: ROUNDS, warmup: WARMUP };
  return opts.time === undefined ? base : { ...base, timeMs: opts.time * 1000 };
}

async function loadSuite(name) {
  try {
    return await SUITES[name]();
  } catch (err) {
    if (
      err instanceof Error &&
      'code' in err &&
      err.code === 'ERR_MODULE_NOT_FOUND' &&
      /[\\/]dist[\\/]/.test(err.message)
    ) {
      throw new Error(`the compiled library is missing (${err.message}); run \`npm run build\` first`);
    }
    throw err;
  }
}

function evaluateTargets(suites) {
  return suites.flatMap((suite) =>
    suite.targets.map((t) => {
      const group = suite.groups.find((g) => g.name === t.group);
      const task = group?.tasks.find((x) => x.name === t.task);
      // A target compares with the suite's baseline, or with the task named by `than`.
      const against = t.than ?? suite.baseline;
      const base = group?.tasks.find((x) => x.name === against);
      const ratio =
        task && base ? (t.adds ? (base.median + task.median) / base.median : task.median / base.median) : NaN;
      if (t.maxAddedUs !== undefined) {
        const addedUs = task && base ? (task.median - base.median) * 1000 : NaN;
        const status = Number.isFinite(addedUs) ? (addedUs <= t.maxAddedUs ? 'PASS' : 'FAIL') : 'n/a';
        return { suite: suite.id, ...t, baseline: against, ratio, addedUs, status };
      }
      const status = Number.isFinite(ratio) ? (ratio <= t.maxRatio ? 'PASS' : 'FAIL') : 'n/a';
      return { suite: suite.id, ...t, baseline: against, ratio, status };
    }),
  );
}

function writeAtomically(dir, name, content) {
  const file = new URL(name, dir);
  const tmp = new URL(`${name}.tmp`, dir);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
  return file.pathname;
}

/**
 * Writes STEM.md, STEM.svg (key pairs vs node:crypto), STEM-timings.svg, when the run has the
 * load suite STEM-load.svg (endpoint throughput vs the bare server), and when it has operation
 * suites STEM-operations.svg (sign, verify, MAC, OAEP, KEM vs node:crypto) of `run` into `dir`.
 */
function writeReports(run, dir, stem) {
  const throughput = throughputChart(run);
  const operations = operationsChart(run);
  const files = {
    chart: `${stem}.svg`,
    timings: `${stem}-timings.svg`,
    ...(throughput ? { throughput: `${stem}-load.svg` } : {}),
    ...(operations ? { operations: `${stem}-operations.svg` } : {}),
  };
  const report = markdown(run, files);
  const written = [
    writeAtomically(dir, `${stem}.md`, report),
    writeAtomically(dir, files.chart, keyPairChart(run)),
    writeAtomically(dir, files.timings, timingsChart(run)),
    ...(throughput ? [writeAtomically(dir, files.throughput, throughput)] : []),
    ...(operations ? [writeAtomically(dir, files.operations, operations)] : []),
  ];
  return { report, written };
}

function finish(run, written, opts) {
  log(`wrote ${written.join(', ')}`);
  log(summaryLine(run.targets));
  if (opts.check && run.targets.some((t) => t.status === 'FAIL')) process.exitCode = 1;
}

/** --report-from: the reports of a saved run, without measuring anything. */
function reportFrom(path, opts) {
  let run;
  try {
    run = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--report-from: cannot read ${path}: ${err instanceof Error ? err.message : err}`);
  }
  if (!run || typeof run.machine !== 'object' || !Array.isArray(run.suites) || !Array.isArray(run.targets)) {
    throw new UsageError(`--report-from: ${path} is not a saved benchmark run (no machine, suites and targets)`);
  }
  const dir = pathToFileURL(`${dirname(resolve(path))}/`);
  const { written } = writeReports(run, dir, basename(path, '.json'));
  finish(run, written, opts);
}

async function main() {
  const opts = parseCli();
  if (opts.reportFrom !== undefined) return reportFrom(opts.reportFrom, opts);
  if (!globalThis.gc) log('note: run with node --expose-gc to collect garbage between tasks');

  const plan = [];
  for (const name of opts.suites) {
    const suite = await loadSuite(name);
    log(`${suite.id}: preparing`);
    const groups = (await suite.groups()).map((g) => ({ ...g, budget: budgetFor(g, opts) }));
    plan.push({ suite, groups });
  }
  const plannedMs = plan.flatMap((p) => p.groups).reduce((acc, g) => acc + g.tasks.length * g.budget.timeMs, 0);
  log(`timed budget ≈ ${(plannedMs / 60_000).toFixed(1)} min (plus warm-ups and minimum sample counts)`);
  for (const { suite, groups } of plan) {
    for (const g of groups) log(`${suite.id} ${g.name}: ${g.tasks.length} tasks, ${describeBudget(g.budget)}`);
    for (const t of suite.targets) log(`target: ${describeTarget({ ...t, baseline: t.than ?? suite.baseline })}`);
  }

  const suites = [];
  for (const { suite, groups } of plan) {
    const done = [];
    for (const g of groups) {
      const tasks = await runGroup(`${suite.id} ${g.name}`, g, g.budget);
      const base = tasks.find((t) => t.name === suite.baseline);
      for (const t of tasks) t.ratio = base ? t.median / base.median : NaN;
      done.push({ name: g.name, budget: g.budget, tasks });
    }
    const notes = suite.notes ? await suite.notes(done) : undefined;
    suites.push({
      id: suite.id,
      title: suite.title,
      baseline: suite.baseline,
      targets: suite.targets,
      groups: done,
      notes,
    });
  }

  const run = {
    machine: machineInfo(),
    mode: [opts.quick ? 'quick' : 'default', opts.time && `--time ${opts.time} s/task`].filter(Boolean).join(', '),
    suites,
    targets: evaluateTargets(suites),
  };

  // Only a full default run replaces the published results (latest.*); quick, partial or
  // re-timed runs go to files of their own.
  const complete = !opts.quick && opts.time === undefined && opts.suites.length === Object.keys(SUITES).length;
  const stem = complete ? 'latest' : ['partial', opts.quick && 'quick', ...opts.suites].filter(Boolean).join('-');
  mkdirSync(RESULTS, { recursive: true });
  const saved = writeAtomically(RESULTS, `${stem}.json`, json(run));
  const { report, written } = writeReports(run, RESULTS, stem);
  process.stdout.write(report);
  finish(run, [saved, ...written], opts);
}

main().catch((err) => {
  console.error(err instanceof UsageError ? err.message : err);
  process.exitCode = 2;
});
