// Markdown and JSON reports of a run.

import os from 'node:os';
import { formatRatio as formatRatioShort, keyPairRatios, operationRatios, REFERENCE } from './chart-data.mjs';

export function machineInfo() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    platform: `${os.platform()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  const digits = ms >= 100 ? 0 : ms >= 10 ? 1 : ms >= 1 ? 2 : 3;
  return ms.toFixed(digits);
}

const formatRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(3)}×` : '–');

const formatAdded = (us) => (Number.isFinite(us) ? `+${us.toFixed(2)} µs` : '–');

export const describeTarget = (t) =>
  t.maxAddedUs !== undefined
    ? `${t.group} ${t.task} median − ${t.baseline} median ≤ ${t.maxAddedUs} µs`
    : t.adds
      ? `${t.group} (${t.baseline} + ${t.task}) medians ≤ ${t.maxRatio.toFixed(2)} × ${t.baseline}`
      : `${t.group} ${t.task} median ≤ ${t.maxRatio.toFixed(2)} × ${t.baseline}`;

export function describeBudget(b) {
  return `${b.timeMs / 1000} s/task, ≥ ${b.minSamples} samples, ${b.rounds} round${b.rounds === 1 ? '' : 's'}, ${b.warmup} warm-up call${b.warmup === 1 ? '' : 's'}`;
}

function row(cells) {
  return `| ${cells.join(' | ')} |`;
}

function suiteTable(suite, targets) {
  const lines = [
    `## ${suite.title}`,
    '',
    ...suite.groups.map((g) => `- Budget ${g.name}: ${describeBudget(g.budget)}`),
    '',
    row([
      'Group',
      'Implementation',
      'Median (ms)',
      'Mean (ms)',
      'p99 (ms)',
      'Samples',
      `Median vs ${suite.baseline}`,
      'Target',
    ]),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const g of suite.groups) {
    for (const t of g.tasks) {
      const own = targets.filter((x) => x.suite === suite.id && x.group === g.name && x.task === t.name);
      const ratio = t.name === suite.baseline ? 'baseline' : formatRatio(t.ratio);
      const mark = own
        .map((x) =>
          x.maxAddedUs !== undefined
            ? `${formatAdded(x.addedUs)} ≤ +${x.maxAddedUs} µs **${x.status}**`
            : `${x.adds ? `total ${formatRatio(x.ratio)}, ` : ''}≤ ${x.maxRatio.toFixed(2)}×${x.baseline === suite.baseline ? '' : ` ${x.baseline}`} **${x.status}**`,
        )
        .join('; ');
      lines.push(row([g.name, t.name, formatMs(t.median), formatMs(t.mean), formatMs(t.p99), t.samples, ratio, mark]));
    }
  }
  return lines.join('\n');
}

export function summaryLine(targets) {
  if (targets.length === 0) return 'Targets: none in the selected suites.';
  const failed = targets.filter((t) => t.status === 'FAIL');
  const passed = targets.filter((t) => t.status === 'PASS');
  const skipped = targets.length - failed.length - passed.length;
  const verdict = failed.length === 0 ? 'PASS' : 'FAIL';
  const parts = [`${passed.length}/${targets.length} passed`];
  if (failed.length)
    parts.push(
      `failed: ${failed.map((t) => `${t.group} ${t.task} ${t.maxAddedUs !== undefined ? formatAdded(t.addedUs) : formatRatio(t.ratio)}`).join(', ')}`,
    );
  if (skipped) parts.push(`${skipped} not measured`);
  return `Targets ${verdict}: ${parts.join('; ')}`;
}

/**
 * The "Key pair generation vs node:crypto" table: a row per spec, a column per implementation
 * other than the references, each cell the ratio of medians; the reference and its median in
 * the second column. Self-contained Markdown, so that the README can carry a copy.
 */
export function keyPairTable(data, first = 'Key spec') {
  const columns = data.implementations.filter((n) =>
    data.specs.some((s) => s.bars.some((b) => b.name === n && !b.reference)),
  );
  const lines = [
    row([first, 'Reference = 1× (its median)', ...columns]),
    row(['---', '---', ...columns.map(() => '---:')]),
  ];
  for (const s of data.specs) {
    const cells = columns.map((n) => {
      const b = s.bars.find((x) => x.name === n && !x.reference);
      return b ? formatRatioShort(b.ratio) : '';
    });
    const median = `(${formatMs(s.referenceMedian)} ms)`;
    lines.push(row([s.spec, s.label ? `**${s.label}** ${median}` : `${s.reference} ${median}`, ...cells]));
  }
  return lines.join('\n');
}

function keyPairSection(run, files) {
  const data = keyPairRatios(run);
  if (data.specs.length === 0) return [];
  const others = [...new Set(data.specs.filter((s) => s.label).map((s) => s.reference))];
  const fallback = others.length
    ? ` Where the run has no ${REFERENCE} for a spec (Node 20's node:crypto has no ML-KEM), the reference is the suite's own, marked **vs ${others.join(', ')}**.`
    : '';
  return [
    `## Key pair generation vs ${REFERENCE}`,
    '',
    ...(files.chart
      ? [`![Key pair generation: median time relative to ${REFERENCE}, log scale](${files.chart})`, '']
      : []),
    `Median key pair generation time of each implementation ÷ the reference's median in the same run (below 1× is faster); the second column names the reference and its median.${fallback} A blank cell: not measured for that spec.`,
    '',
    keyPairTable(data),
    '',
    ...(files.timings
      ? [`Medians and p99 of every task, in milliseconds: [${files.timings}](${files.timings}).`, '']
      : []),
  ];
}

/** The operations of KMS keys (sign, verify, MAC, OAEP, SM2PKE, KEM) against node:crypto, when measured. */
function operationsSection(run, files) {
  const data = operationRatios(run);
  if (data.specs.length === 0) return [];
  return [
    `## Operations with KMS keys vs ${REFERENCE}`,
    '',
    ...(files.operations
      ? [`![Operations with KMS keys: median time relative to ${REFERENCE}, log scale](${files.operations})`, '']
      : []),
    `Median time of each implementation ÷ the reference's median in the same run (below 1× is faster), one row per operation; where the run has no ${REFERENCE} for it, the reference is the suite's own (marked **vs** it). A blank cell: not measured for that operation.`,
    '',
    keyPairTable(data, 'Operation'),
    '',
  ];
}

/**
 * The Markdown report of `run`. `files` names the charts written beside it (relative paths),
 * which the report links: { chart: 'latest.svg', timings: 'latest-timings.svg', throughput:
 * 'latest-load.svg' (only when the run has the load suite), operations: 'latest-operations.svg'
 * (only when it has an operation suite) }.
 */
export function markdown(run, files = {}) {
  const m = run.machine;
  const header = [
    '# wasm-kms benchmarks',
    '',
    row(['', '']),
    row(['---', '---']),
    row(['Date', m.date]),
    row(['Node', `${m.node} (V8 ${m.v8})`]),
    row(['OpenSSL', m.openssl]),
    row(['CPU', `${m.cpu} × ${m.cores} (${m.platform}, ${m.memoryGiB} GiB)`]),
    row(['Load average', `${m.loadAverage.join(' / ')} (1 / 5 / 15 min, at the end of the run)`]),
    row(['Mode', run.mode]),
    row([
      'Method',
      'tinybench, one process; per group, a warm-up and result check of every task, then interleaved rounds with a rotating start; median / mean / p99 from the raw samples',
    ]),
    '',
  ];
  const targets = [
    '## Targets',
    '',
    ...run.targets.map(
      (t) =>
        `- ${describeTarget(t)}: ${t.maxAddedUs !== undefined ? formatAdded(t.addedUs) : formatRatio(t.ratio)} **${t.status}**`,
    ),
    ...(run.targets.length ? [''] : []),
    `**${summaryLine(run.targets)}**`,
  ];
  return [
    ...header,
    ...keyPairSection(run, files),
    ...operationsSection(run, files),
    ...run.suites.map(
      (s) =>
        `${suiteTable(s, run.targets)}\n${
          s.id === 'load' && files.throughput
            ? `\n![Endpoint throughput relative to the bare node:http server](${files.throughput})\n`
            : ''
        }${s.notes?.length ? `\n${s.notes.join('\n')}\n` : ''}`,
    ),
    ...targets,
    '',
  ].join('\n');
}

/** The run with every number, raw samples included (ms, ascending; arrays kept on one line). */
export function json(run) {
  const text = JSON.stringify(run, (key, v) => (key === 'raw' ? v.map((x) => Number(x.toFixed(6))) : v), 2);
  return `${text.replace(/\[\s+([-\d.e,\s]+?)\s+\]/g, (_, items) => `[${items.split(/,\s+/).join(', ')}]`)}\n`;
}
