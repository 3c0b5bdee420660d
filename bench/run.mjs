// wasm-kms benchmark runner: `node --expose-gc bench/run.mjs [suite ...] [options]`.
//
// A suite is a module under bench/suites/ exporting:
//   id, title        its name on the command line and its heading
//   baseline         the task name that ratios are taken against, in every group
//   targets          [{ group, task, maxRatio }]: task's median ≤ maxRatio × baseline's median;
//                    with `adds: true` the task measures a cost added on top of the baseline's
//                    work, and the target is (baseline + task) / baseline ≤ maxRatio
//   groups()         async, → [{ name, timeMs, minSamples, tasks: [{ name, fn, check? }] }]
//                    fn may be sync or async; check(result of the first warm-up call) throws
//                    if the result is wrong. Any expensive setup belongs in groups().
//   notes(groups)    optional, async, called once the suite's groups have run (with their
//                    results) → Markdown lines printed under the suite's table: figures that
//                    are not per-call times (throughput, bursts)
// Register a new suite in SUITES below; running, statistics and reporting are generic.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeBudget, describeTarget, json, machineInfo, markdown, summaryLine } from './lib/report.mjs';
import { log, runGroup } from './lib/runner.mjs';
import { chart } from './lib/svg.mjs';

const SUITES = {
  rsa: () => import('./suites/rsa.mjs'),
  modexp: () => import('./suites/modexp.mjs'),
  ec: () => import('./suites/ec.mjs'),
  mlkem: () => import('./suites/mlkem.mjs'),
  aead: () => import('./suites/aead.mjs'),
  kms: () => import('./suites/kms.mjs'),
  server: () => import('./suites/server.mjs'),
};

const ROUNDS = 4;
const WARMUP = 2;
const QUICK = { timeMs: 300, minSamples: 2, rounds: 1, warmup: 1 };
const RESULTS = new URL('./results/', import.meta.url);

const USAGE = `usage: node --expose-gc bench/run.mjs [suite ...] [--quick] [--time <seconds per task>] [--check]
suites: ${Object.keys(SUITES).join(', ')} (default: all)
  --quick   smoke run: ${QUICK.timeMs / 1000} s per task, ≥ ${QUICK.minSamples} samples, one round, one warm-up call
  --time    time budget per task in seconds, for every group (minimum sample counts still apply)
  --check   exit with status 1 when a target fails`;

class UsageError extends Error {}

function parseCli() {
  const parse = (config) => {
    try {
      return parseArgs(config);
    } catch (err) {
      throw new UsageError(`${err.message}\n${USAGE}`);
    }
  };
  const { values, positionals } = parse({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      time: { type: 'string' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const time = values.time === undefined ? undefined : Number(values.time);
  if (time !== undefined && !(time > 0)) throw new UsageError(`--time wants a positive number of seconds, got ${values.time}`);
  const unknown = positionals.filter((s) => !(s in SUITES));
  if (unknown.length) throw new UsageError(`unknown suite ${unknown.join(', ')}\n${USAGE}`);
  const suites = positionals.length ? [...new Set(positionals)] : Object.keys(SUITES);
  return { suites, quick: values.quick, time, check: values.check };
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
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && /[\\/]dist[\\/]/.test(err.message)) {
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
      const ratio = task && base ? (t.adds ? (base.median + task.median) / base.median : task.median / base.median) : NaN;
      const status = Number.isFinite(ratio) ? (ratio <= t.maxRatio ? 'PASS' : 'FAIL') : 'n/a';
      return { suite: suite.id, ...t, baseline: against, ratio, status };
    }),
  );
}

function writeAtomically(name, content) {
  const file = new URL(name, RESULTS);
  const tmp = new URL(`${name}.tmp`, RESULTS);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
  return file.pathname;
}

async function main() {
  const opts = parseCli();
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
    suites.push({ id: suite.id, title: suite.title, baseline: suite.baseline, targets: suite.targets, groups: done, notes });
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
  const report = markdown(run);
  const files = [
    writeAtomically(`${stem}.md`, report),
    writeAtomically(`${stem}.json`, json(run)),
    writeAtomically(`${stem}.svg`, chart(run)),
  ];
  process.stdout.write(report);
  log(`wrote ${files.join(', ')}`);
  log(summaryLine(run.targets));
  if (opts.check && run.targets.some((t) => t.status === 'FAIL')) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof UsageError ? err.message : err);
  process.exitCode = 2;
});
