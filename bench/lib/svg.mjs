// A hand-written SVG chart: one panel per group, a horizontal bar per implementation for
// its median, with a whisker out to its p99. Each panel has its own linear scale from 0.

import { formatMs } from './report.mjs';

const WIDTH = 900;
const LABEL = 190; // left column: implementation names
const VALUE = 170; // right margin: numbers
const ROW = 24;
const BAR = 14;
const PANEL_TITLE = 28;
const PANEL_GAP = 18;
const COLORS = ['#2563eb', '#60a5fa', '#f59e0b', '#10b981', '#8b5cf6', '#ef4444'];
const BASELINE_COLOR = '#6b7280';

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function text(x, y, content, attrs = '') {
  return `<text x="${x}" y="${y}" ${attrs}>${escape(content)}</text>`;
}

function panel(suite, group, top) {
  const plot = WIDTH - LABEL - VALUE;
  const max = Math.max(...group.tasks.map((t) => t.p99));
  const scale = max > 0 ? plot / max : 0;
  const out = [text(10, top + 18, `${suite.title} · ${group.name}`, 'class="title"')];
  group.tasks.forEach((t, i) => {
    const y = top + PANEL_TITLE + i * ROW;
    const mid = y + BAR / 2;
    const color = t.name === suite.baseline ? BASELINE_COLOR : COLORS[i % COLORS.length];
    const median = LABEL + t.median * scale;
    const p99 = LABEL + t.p99 * scale;
    out.push(
      text(LABEL - 8, mid + 4, t.name, 'text-anchor="end"'),
      `<rect x="${LABEL}" y="${y}" width="${(median - LABEL).toFixed(1)}" height="${BAR}" fill="${color}"/>`,
      `<line x1="${median.toFixed(1)}" y1="${mid}" x2="${p99.toFixed(1)}" y2="${mid}" class="whisker"/>`,
      `<line x1="${p99.toFixed(1)}" y1="${y + 2}" x2="${p99.toFixed(1)}" y2="${y + BAR - 2}" class="whisker"/>`,
      text(p99 + 6, mid + 4, `${formatMs(t.median)} ms (p99 ${formatMs(t.p99)})`, 'class="value"'),
    );
  });
  return { svg: out.join('\n'), height: PANEL_TITLE + group.tasks.length * ROW + PANEL_GAP };
}

export function chart(run) {
  const parts = [];
  let y = 34;
  for (const suite of run.suites) {
    for (const group of suite.groups) {
      const p = panel(suite, group, y);
      parts.push(p.svg);
      y += p.height;
    }
  }
  const caption = `Bar: median latency · whisker: p99 · ${run.machine.cpu}, Node ${run.machine.node}, ${run.machine.date.slice(0, 10)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.title{font-weight:600;font-size:13px}.value{fill:#374151}.whisker{stroke:#111827;stroke-width:1.5}.caption{fill:#6b7280}</style>',
    `<rect width="${WIDTH}" height="${y}" fill="#fff"/>`,
    text(10, 20, caption, 'class="caption"'),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
