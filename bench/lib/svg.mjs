// Hand-written SVG charts of a run.
//
// keyPairChart: the published chart. Per key pair spec, a horizontal bar per implementation
// for the ratio of its median to node:crypto's median in the same run, on a logarithmic axis
// centred near 1×: bars grow from the 1× line leftwards (faster) or rightwards (slower).
//
// timingsChart: every group of every suite, a bar per implementation for its median with a
// whisker out to its p99, each panel on its own linear scale from 0 (absolute numbers, and the
// suites the ratio chart leaves out).

import { formatRatio, keyPairRatios, operationRatios, REFERENCE } from './chart-data.mjs';
import { formatMs } from './report.mjs';

const WIDTH = 900;

const escape = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const px = (x) => Number(x.toFixed(1));

function text(x, y, content, attrs = '') {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${escape(content)}</text>`;
}

function svgDocument(height, style, body) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">`,
    `<style>${style}</style>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** "2026-11-28 23:50 UTC · Node v20.20.2 · CPU AMD EPYC, 2 cores · linux x64" from run.machine. */
export function environmentLine(machine = {}, mode) {
  const when = Number.isNaN(Date.parse(machine.date))
    ? String(machine.date ?? 'date unknown')
    : `${new Date(machine.date).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const cpu = `CPU ${machine.cpu ?? 'unknown'}${machine.cores ? `, ${machine.cores} core${machine.cores === 1 ? '' : 's'}` : ''}`;
  const parts = [when, `Node ${machine.node ?? 'unknown'}`, cpu, machine.platform];
  if (mode && mode !== 'default') parts.push(`${mode} run`);
  return parts.filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------------------------------------
// The ratio chart

// Axis ticks run 1, 3, 10, 30, ... and their inverses; "3e-2" parses to exactly 0.03.
const TICK_MANTISSAS = [1, 3];
const TICKS = [];
for (let e = -6; e <= 6; e++) for (const m of TICK_MANTISSAS) TICKS.push(Number(`${m}e${e}`));

/**
 * The axis domain [lo, hi] for `ratios`: ticks of the 1-3-10 sequence that enclose every ratio
 * and at least 0.3× to 3×, widened so that neither side of 1× spans less than half the
 * decades of the other (1× stays in the middle third of the axis).
 *
 * @param {number[]} ratios
 * @returns {[number, number]}
 */
export function ratioDomain(ratios) {
  const finite = ratios.filter((r) => Number.isFinite(r) && r > 0);
  const min = Math.min(0.3, ...finite);
  const max = Math.max(3, ...finite);
  let lo = TICKS.findLast((t) => t <= min * (1 + 1e-9)) ?? TICKS[0];
  let hi = TICKS.find((t) => t >= max * (1 - 1e-9)) ?? TICKS[TICKS.length - 1];
  const left = () => -Math.log10(lo);
  const right = () => Math.log10(hi);
  while (left() < right() / 2 && lo > TICKS[0]) lo = TICKS[TICKS.indexOf(lo) - 1];
  while (right() < left() / 2 && hi < TICKS[TICKS.length - 1]) hi = TICKS[TICKS.indexOf(hi) + 1];
  return [lo, hi];
}

/** The ticks of the axis: the 1-3-10 sequence within the domain. */
export const ratioTicks = ([lo, hi]) => TICKS.filter((t) => t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9));

/** Maps a ratio to x: log10 of the ratio, linearly from [lo, hi] onto [x0, x1]. */
export function logScale([lo, hi], [x0, x1]) {
  const a = Math.log10(lo);
  const span = Math.log10(hi) - a;
  return (r) => x0 + ((Math.log10(r) - a) / span) * (x1 - x0);
}

const tickLabel = (t) => `${t}×`;

// Colours follow the implementation, not its position, so that a partial run's chart matches
// the full one's.
const IMPLEMENTATION_COLORS = {
  'wasm-kms (simd)': '#2563eb',
  'wasm-kms (scalar)': '#93c5fd',
  'node:crypto': '#4b5563',
  WebCrypto: '#f59e0b',
  '@noble/curves': '#10b981',
  'tiny-secp256k1': '#8b5cf6',
  'sm-crypto-v2': '#ef4444',
  '@noble/post-quantum': '#db2777',
};
const SPARE_COLORS = ['#0891b2', '#a16207', '#65a30d', '#9333ea', '#be123c', '#0f766e'];

function colorMap(names) {
  const map = new Map();
  let spare = 0;
  for (const n of names) map.set(n, IMPLEMENTATION_COLORS[n] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length]);
  return map;
}

const LEFT = 16;
const NAME_RIGHT = 172; // implementation names end here (right-aligned)
const PLOT_LEFT = 184;
const PLOT_RIGHT = WIDTH - 16;
const LABEL_ROOM = 58; // beyond the axis ends, room for a ratio printed at a bar's end
/** @type {[number, number]} */
const AXIS = [PLOT_LEFT + LABEL_ROOM, PLOT_RIGHT - LABEL_ROOM];
const GROUP_HEAD = 24;
const ROW = 18;
const BAR = 12;
const GROUP_GAP = 8;
const CHAR = 7.2; // a 12 px character at its widest among common fonts (DejaVu Sans), for layout

const RATIO_STYLE = [
  '.title{font-size:16px;font-weight:600;fill:#111827}',
  '.meta{fill:#374151}',
  '.note{fill:#6b7280}',
  '.legend{fill:#374151}',
  '.spec{font-weight:600;font-size:13px;fill:#111827}',
  '.ref{fill:#6b7280}',
  '.alt{fill:#b45309;font-weight:600}',
  '.impl{fill:#374151}',
  '.value{fill:#111827;font-size:11px}',
  '.tick{fill:#6b7280;font-size:11px}',
  '.dir{fill:#6b7280;font-size:11px;font-style:italic}',
  '.grid{stroke:#e5e7eb;stroke-width:1}',
  '.one{stroke:#111827;stroke-width:1.5}',
  '.band{fill:#f8fafc}',
  // A halo, so that a long spec line stays legible where the 1× line crosses it.
  '.head{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}',
].join('');

function legend(names, colors, refs, top) {
  const items = names.map((name) => ({
    width: 18 + name.length * CHAR + 18,
    svg: (x, y) => [
      `<rect x="${px(x)}" y="${px(y - 10)}" width="12" height="12" rx="2" fill="${colors.get(name)}"/>`,
      text(x + 18, y, name, 'class="legend"'),
    ],
  }));
  const refText =
    refs.length === 1 ? `1× = ${refs[0]}` : `1× = ${REFERENCE}, or the reference named on the spec's line`;
  items.push({
    width: 18 + refText.length * CHAR,
    svg: (x, y) => [
      `<line x1="${px(x + 6)}" y1="${px(y - 12)}" x2="${px(x + 6)}" y2="${px(y + 3)}" class="one"/>`,
      text(x + 18, y, refText, 'class="legend"'),
    ],
  });
  const out = [];
  let x = LEFT;
  let y = top;
  for (const item of items) {
    if (x > LEFT && x + item.width > WIDTH - LEFT) {
      x = LEFT;
      y += 20;
    }
    out.push(...item.svg(x, y));
    x += item.width;
  }
  return { svg: out, bottom: y };
}

function axisLabels(ticks, x, y) {
  return ticks.map((t) => text(x(t), y, tickLabel(t), 'class="tick" text-anchor="middle"'));
}

/** The ratio chart of `run` (as written to results/*.json): see the top of this file. */
export function keyPairChart(run) {
  return ratioChart(run, keyPairRatios(run), 'Key pair generation', 'key pair generation', 'spec');
}

/**
 * The ratio chart of the operations on KMS keys (sign, verify, MAC, OAEP, SM2PKE, ML-KEM
 * encapsulation, Sign through KMSClient): one group per measured operation, or undefined when
 * the run has none of their suites.
 */
export function operationsChart(run) {
  const data = operationRatios(run);
  if (data.specs.length === 0) return undefined;
  return ratioChart(run, data, 'Operations with KMS keys', 'operation', 'operation');
}

function ratioChart(run, data, subject, what, unit) {
  const anyNode = data.specs.some((s) => s.reference === REFERENCE);
  const title = `${subject}: median time relative to ${anyNode ? REFERENCE : 'the reference'} (log scale)`;
  const head = [
    text(LEFT, 26, title, 'class="title"'),
    text(LEFT, 46, environmentLine(data.machine, data.mode), 'class="meta"'),
  ];
  if (data.specs.length === 0) {
    const suites = (run?.suites ?? []).map((s) => s.id).join(', ') || 'none';
    head.push(text(LEFT, 72, `No ${what} in this run (suites: ${suites}).`, 'class="note"'));
    return svgDocument(90, RATIO_STYLE, head);
  }

  head.push(
    text(
      LEFT,
      64,
      "Each bar starts at 1×, the same run's reference median: leftwards = faster, rightwards = slower; the number is the ratio.",
      'class="note"',
    ),
  );
  const bars = data.specs.flatMap((s) => s.bars.filter((b) => !b.reference));
  const names = data.implementations.filter((n) => bars.some((b) => b.name === n));
  const colors = colorMap(names);
  const refs = [...new Set(data.specs.map((s) => s.reference))];
  const leg = legend(names, colors, refs, 90);

  const domain = ratioDomain(bars.map((b) => b.ratio));
  const ticks = ratioTicks(domain);
  const x = logScale(domain, AXIS);
  const one = x(1);

  const dirY = leg.bottom + 26;
  const topTicksY = dirY + 16;
  const plotTop = topTicksY + 8;
  const axisHead = [
    text(one - 8, dirY, '← faster', 'class="dir" text-anchor="end"'),
    text(one + 8, dirY, 'slower →', 'class="dir"'),
    ...axisLabels(ticks, x, topTicksY),
  ];

  const bands = [];
  const groups = [];
  let y = plotTop;
  data.specs.forEach((s, i) => {
    const rows = s.bars.filter((b) => !b.reference);
    const height = GROUP_HEAD + rows.length * ROW + GROUP_GAP;
    if (i % 2 === 1) bands.push(`<rect x="0" y="${px(y - 2)}" width="${WIDTH}" height="${px(height)}" class="band"/>`);
    const refNote = s.label
      ? `<tspan dx="10" class="alt">${escape(s.label)}</tspan><tspan class="ref">${escape(`, ${formatMs(s.referenceMedian)} ms · no ${REFERENCE} for this ${unit}`)}</tspan>`
      : `<tspan dx="10" class="ref">${escape(`1× = ${s.reference}, ${formatMs(s.referenceMedian)} ms`)}</tspan>`;
    groups.push(
      `<text x="${LEFT}" y="${px(y + 15)}" class="head" data-spec="${escape(s.spec)}" data-reference="${escape(s.reference)}"><tspan class="spec">${escape(s.spec)}</tspan>${refNote}</text>`,
    );
    rows.forEach((b, j) => {
      const top = y + GROUP_HEAD + j * ROW;
      const mid = top + BAR / 2;
      const end = x(b.ratio);
      const width = Math.max(1, Math.abs(end - one));
      const faster = b.ratio < 1;
      const tooltip = `${s.spec} ${b.name}: median ${formatMs(b.median)} ms, ${formatRatio(b.ratio)} ${s.reference}`;
      groups.push(
        text(NAME_RIGHT, mid + 4, b.name, 'class="impl" text-anchor="end"'),
        `<rect x="${px(faster ? one - width : one)}" y="${px(top)}" width="${px(width)}" height="${BAR}" rx="1.5" fill="${colors.get(b.name)}" data-spec="${escape(s.spec)}" data-implementation="${escape(b.name)}" data-ratio="${b.ratio}"><title>${escape(tooltip)}</title></rect>`,
        text(
          faster ? end - 5 : end + 5,
          mid + 4,
          formatRatio(b.ratio),
          `class="value"${faster ? ' text-anchor="end"' : ''}`,
        ),
      );
    });
    y += height;
  });
  const plotBottom = y - GROUP_GAP + 4;

  // Gridlines go under the bars; the 1× line over them, so that it stays unbroken.
  const gridLine = (t, cls) =>
    `<line x1="${px(x(t))}" y1="${px(plotTop - 2)}" x2="${px(x(t))}" y2="${px(plotBottom)}" class="${cls}" data-tick="${t}"/>`;
  const body = [
    ...axisHead,
    ...bands,
    ...ticks.filter((t) => t !== 1).map((t) => gridLine(t, 'grid')),
    ...groups,
    gridLine(1, 'one'),
    ...axisLabels(ticks, x, plotBottom + 16),
  ];
  const height = Math.ceil(plotBottom + 30);
  return svgDocument(height, RATIO_STYLE, [...head, ...leg.svg, ...body]);
}

// ---------------------------------------------------------------------------------------------
// The timings chart

const T_LABEL_MIN = 190; // left column: implementation names, widened for long ones
const T_VALUE = 170; // right margin: numbers
const T_ROW = 24;
const T_BAR = 14;
const PANEL_TITLE = 28;
const PANEL_GAP = 18;
const BASELINE_COLOR = '#6b7280';

function panel(suite, group, top, labelX) {
  const plot = WIDTH - labelX - T_VALUE;
  const max = Math.max(...group.tasks.map((t) => t.p99));
  const scale = max > 0 ? plot / max : 0;
  const out = [text(10, top + 18, `${suite.title} · ${group.name}`, 'class="title"')];
  group.tasks.forEach((t, i) => {
    const y = top + PANEL_TITLE + i * T_ROW;
    const mid = y + T_BAR / 2;
    // The ratio chart's colour where the implementation has one; otherwise grey for the
    // suite's baseline (OpenSSL, generateKeyPair) and a spare colour for the rest.
    const color =
      IMPLEMENTATION_COLORS[t.name] ??
      (t.name === suite.baseline ? BASELINE_COLOR : SPARE_COLORS[i % SPARE_COLORS.length]);
    const median = labelX + t.median * scale;
    const p99 = labelX + t.p99 * scale;
    out.push(
      text(labelX - 8, mid + 4, t.name, 'text-anchor="end"'),
      `<rect x="${labelX}" y="${y}" width="${(median - labelX).toFixed(1)}" height="${T_BAR}" fill="${color}"/>`,
      `<line x1="${median.toFixed(1)}" y1="${mid}" x2="${p99.toFixed(1)}" y2="${mid}" class="whisker"/>`,
      `<line x1="${p99.toFixed(1)}" y1="${y + 2}" x2="${p99.toFixed(1)}" y2="${y + T_BAR - 2}" class="whisker"/>`,
      text(p99 + 6, mid + 4, `${formatMs(t.median)} ms (p99 ${formatMs(t.p99)})`, 'class="value"'),
    );
  });
  return { svg: out.join('\n'), height: PANEL_TITLE + group.tasks.length * T_ROW + PANEL_GAP };
}

/** Median and p99 of every task of every group, one linear panel per group. */
export function timingsChart(run) {
  const parts = [];
  const longest = Math.max(0, ...run.suites.flatMap((s) => s.groups.flatMap((g) => g.tasks.map((t) => t.name.length))));
  const labelWidth = Math.max(T_LABEL_MIN, Math.ceil(18 + longest * CHAR));
  let y = 34;
  for (const suite of run.suites) {
    for (const group of suite.groups) {
      const p = panel(suite, group, y, labelWidth);
      parts.push(p.svg);
      y += p.height;
    }
  }
  const caption = `Bar: median latency · whisker: p99 · ${environmentLine(run.machine, run.mode)}`;
  return svgDocument(
    y,
    '.title{font-weight:600;font-size:13px}.value{fill:#374151}.whisker{stroke:#111827;stroke-width:1.5}.caption{fill:#6b7280}',
    [text(10, 20, caption, 'class="caption"'), ...parts],
  );
}

// ---------------------------------------------------------------------------------------------
// Endpoint throughput (the load suite): each server's requests/s as a fraction of the bare
// node:http server's in the same run, on a linear axis from 0 to 1×.

/** The load suite's throughput group of `run`, or undefined: { answers, bars: [{ name, share, rps }] }. */
export function throughputData(run) {
  const suite = run?.suites?.find((s) => s.id === 'load');
  /** @type {{ group: any, answers: number } | undefined} */
  let found;
  for (const g of suite?.groups ?? []) {
    const m = /^(\d+) answers/.exec(g.name);
    if (m) {
      found = { group: g, answers: Number(m[1]) };
      break;
    }
  }
  const group = found?.group;
  const base = group?.tasks?.find((t) => t.name === suite.baseline);
  if (!found || !base || !(base.median > 0)) return undefined;
  const answers = found.answers;
  const bars = group.tasks.map((t) => ({
    name: t.name,
    share: base.median / t.median,
    rps: (answers * 1000) / t.median,
    baseline: t === base,
  }));
  // A target "task median ≤ r × baseline median" is a throughput of at least 1/r of the baseline's.
  const targets = (suite.targets ?? [])
    .filter((t) => t.group === group.name && !t.adds && t.maxRatio > 0)
    .map((t) => ({ task: t.task, share: 1 / t.maxRatio }));
  return { answers, group: group.name, baseline: base.name, bars, targets };
}

const TH_ROW = 26;
const TH_BAR = 16;

/** The throughput chart of `run`'s load suite, or undefined when the run has none. */
export function throughputChart(run) {
  const data = throughputData(run);
  if (!data) return undefined;
  const longest = Math.max(...data.bars.map((b) => b.name.length));
  const labelRight = Math.max(NAME_RIGHT, Math.ceil(24 + longest * CHAR));
  const x0 = labelRight + 12;
  const x1 = PLOT_RIGHT - 170;
  const x = (share) => x0 + (x1 - x0) * Math.min(1, Math.max(0, share));
  const parts = [
    text(LEFT, 26, `Endpoint throughput relative to ${data.baseline} (same run, ${data.group})`, 'class="title"'),
    text(LEFT, 46, environmentLine(run.machine, run.mode), 'class="meta"'),
  ];
  const colors = colorMap(data.bars.filter((b) => !b.baseline).map((b) => b.name));
  let y = 70;
  for (const b of data.bars) {
    const w = Math.max(1, x(b.share) - x0);
    const fill = b.baseline ? BASELINE_COLOR : colors.get(b.name);
    parts.push(
      text(labelRight, y + TH_BAR - 3, b.name, 'text-anchor="end"'),
      `<rect x="${px(x0)}" y="${px(y)}" width="${px(w)}" height="${TH_BAR}" fill="${fill}"/>`,
      text(
        x0 + w + 6,
        y + TH_BAR - 3,
        `${b.share.toFixed(3)}× · ${Math.round(b.rps).toLocaleString('en-US')} requests/s`,
        'class="value"',
      ),
    );
    y += TH_ROW;
  }
  for (const t of data.targets) {
    parts.push(
      `<line x1="${px(x(t.share))}" y1="60" x2="${px(x(t.share))}" y2="${px(y)}" stroke="#dc2626" stroke-dasharray="4 3"/>`,
      text(x(t.share), y + 32, `target: ${t.task} ≥ ${t.share.toFixed(2)}×`, 'text-anchor="middle" class="target"'),
    );
  }
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${px(x(t))}" y1="60" x2="${px(x(t))}" y2="${px(y)}" stroke="#e5e7eb"/>`,
      text(x(t), y + 14, `${t}×`, 'text-anchor="middle" class="meta"'),
    );
  }
  return svgDocument(
    y + (data.targets.length ? 44 : 28),
    '.title{font-weight:600;font-size:14px}.meta{fill:#6b7280}.value{fill:#374151}.target{fill:#dc2626}',
    // Grid lines first, so that the bars are drawn over them.
    [...parts.slice(0, 2), ...parts.slice(2 + data.bars.length * 3), ...parts.slice(2, 2 + data.bars.length * 3)],
  );
}
