// The progress line of generate-data-key-pairs: its layout at every terminal width, the
// smoothed ETA, the cli-progress bar it is drawn with (escape codes written and taken back), and
// the real command under a pseudo-terminal (util-linux `script`) at several widths, interrupted
// by SIGINT and SIGTERM, with the final screen worked out from what the terminal received.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ETA_MIN_ITEMS,
  ETA_MIN_MS,
  formatBar,
  formatEta,
  formatProgressLine,
  RateEstimator,
  startProgressBar,
} from '../src/node/cli/bar.js';
import { childEnv } from './helpers/env.js';

// What cli-progress writes on a terminal.
const ESC = '\x1b';
const SAVE = `${ESC}7`;
const RESTORE = `${ESC}8`;
const HIDE = `${ESC}[?25l`;
const SHOW = `${ESC}[?25h`;
const WRAP_OFF = `${ESC}[?7l`;
const WRAP_ON = `${ESC}[?7h`;
/** Column 1, then erase to the end of the line: each redraw is LINE_START + line + ERASE. */
const LINE_START = `${ESC}[1G`;
const ERASE = `${ESC}[0K`;

describe('formatProgressLine', () => {
  const totals = [1, 20, 5000, 123_456, 100_000_000];
  const etas = [undefined, 0, 45, 445, 7265, 10_000_000];

  it('never takes more than width - 1 columns, and from 40 columns on keeps every number on one line', () => {
    for (let width = 10; width <= 200; width++) {
      for (const total of totals) {
        for (const done of [0, Math.floor(total / 3), total]) {
          for (const etaSeconds of etas) {
            const line = formatProgressLine({ width, done, total, etaSeconds });
            expect(line.length, `${width} columns, ${done}/${total}`).toBeLessThanOrEqual(width - 1);
            expect(line).not.toContain('\n');
            if (width >= 40) {
              expect(line).toContain(`${done}/${total}`);
              expect(line).toMatch(new RegExp(` ${Math.floor((done * 100) / total)}% `));
              expect(line).toContain(`ETA ${(etaSeconds === undefined ? '--' : formatEta(etaSeconds)).padStart(6)}`);
            } else {
              // Narrow: plain text, no bar.
              expect(line).not.toContain('|');
            }
          }
        }
      }
    }
  });

  it('the bar gives way to the numbers: at 80 and 50 columns the ETA is whole and the bar shorter', () => {
    const state = { done: 412, total: 100_000, etaSeconds: 445 };
    const at = (width: number) => formatProgressLine({ width, ...state });
    expect(at(120)).toBe(`key pairs |${'-'.repeat(50)}|    412/100000   0% ETA  7m25s`);
    const barOf = (line: string) => /\|([=-]*)\|/.exec(line)?.[1] ?? '';
    expect(at(80)).toMatch(/^key pairs \|-+\|    412\/100000   0% ETA  7m25s$/);
    expect(at(80)).toHaveLength(79);
    expect(at(60)).toMatch(/^key pairs \|-+\|    412\/100000   0% ETA  7m25s$/);
    expect(barOf(at(60)).length).toBeLessThan(barOf(at(80)).length);
    // Narrower: the label goes before the bar does, then the bar.
    expect(at(50)).toMatch(/^\|-{10,}\|    412\/100000   0% ETA  7m25s$/);
    expect(at(50)).toHaveLength(49);
    expect(formatProgressLine({ width: 50, done: 412, total: 5000, etaSeconds: 445 })).toMatch(
      /^key pairs \|-+\|  412\/5000   8% ETA  7m25s$/,
    );
    expect(at(40)).toBe('|-------|    412/100000   0% ETA  7m25s');
    // Under 40 columns: a plain line.
    expect(at(39)).toBe('412/100000 0% ETA 7m25s');
    expect(at(30)).toBe('412/100000 0% ETA 7m25s');
    // Counts so long that the bar has no room: the padded numbers alone.
    expect(formatProgressLine({ width: 40, done: 5, total: 100_000_000, etaSeconds: undefined })).toBe(
      '        5/100000000   0% ETA     --',
    );
    expect(at(20)).toBe('412/100000 0%');
    expect(at(8)).toBe('412/100');
  });

  it('the bar fills in proportion, and every field keeps its width as the numbers grow', () => {
    const lines = [0, 1, 50, 99, 100].map((done) =>
      formatProgressLine({ width: 60, done, total: 100, etaSeconds: done === 0 ? undefined : done === 100 ? 0 : 30 }),
    );
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[2]).toMatch(/\|(=+)(-+)\|/);
    const [, full, empty] = /\|(=*)(-*)\|/.exec(lines[2])!;
    expect(full.length).toBe(Math.floor((full.length + empty.length) / 2));
    expect(lines[4]).toMatch(/\|=+\| 100\/100 100% ETA     0s$/);
  });

  it('formatEta: seconds, minutes and seconds, hours and minutes, >99h', () => {
    expect(formatEta(0)).toBe('0s');
    expect(formatEta(44.6)).toBe('45s');
    expect(formatEta(60)).toBe('1m00s');
    expect(formatEta(445)).toBe('7m25s');
    expect(formatEta(3599)).toBe('59m59s');
    expect(formatEta(3600)).toBe('1h00m');
    expect(formatEta(7265)).toBe('2h01m');
    expect(formatEta(99 * 3600 + 59 * 60)).toBe('99h59m');
    expect(formatEta(100 * 3600)).toBe('>99h');
  });
});

/** A deterministic stream of numbers in [0, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('RateEstimator', () => {
  it('no ETA before a few items and a second of measurement; then the remaining items over the rate', () => {
    const r = new RateEstimator();
    r.sample(0, 0);
    r.sample(5_000, 0); // thread start-up: not measured
    expect(r.etaSeconds(100)).toBeUndefined();
    r.sample(5_100, 1); // the first item starts the measurement
    r.sample(5_200, 1 + ETA_MIN_ITEMS); // items enough, time not
    expect(r.etaSeconds(100)).toBeUndefined();
    r.sample(5_100 + ETA_MIN_MS, 1 + ETA_MIN_ITEMS);
    expect(r.etaSeconds(100)).toBeDefined();
    expect(r.etaSeconds(0)).toBe(0);
  });

  it('a steady rate gives the right ETA, whatever the start-up took', () => {
    const r = new RateEstimator();
    r.sample(0, 0);
    // 20 items a second after 3 s of start-up.
    for (let t = 3_000; t <= 33_000; t += 50) r.sample(t, Math.floor((t - 3_000) / 50) + 1);
    expect(r.etaSeconds(1_000)).toBeCloseTo(50, 0);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9])(
    'items finishing in bursts (RSA pairs, several threads at once) do not swing the ETA (run %i)',
    (seed) => {
      // Two threads, each pair taking 0.5 to 4.5 s at random; redrawn every 250 ms.
      const rand = prng(seed);
      const finishes: number[] = [];
      for (const thread of [0, 1]) {
        let t = 300 + thread * 10;
        while (t < 200_000) {
          t += 500 + rand() * 4_000;
          finishes.push(t);
        }
      }
      finishes.sort((a, b) => a - b);
      const total = 1_000;
      const r = new RateEstimator();
      const shown: number[] = [];
      let done = 0;
      for (let t = 0; t <= 120_000; t += 250) {
        while (done < finishes.length && finishes[done] <= t) done++;
        r.sample(t, done);
        if (t % 1_000 === 0 && r.etaSeconds(total - done) !== undefined) shown.push(r.etaSeconds(total - done)!);
      }
      expect(shown.length).toBeGreaterThan(100);
      // The true rate is 2 pairs per 2.5 s: about 1250 s for 1000 pairs at the start.
      // Once 20 s have been measured, from one second to the next the ETA moves by less than 8%
      // (a rate over the last ten seconds alone moves it by up to 20% here, one from the last few
      // pairs by a factor of several), and stays within a third of the truth.
      const settled = shown.slice(20);
      for (let i = 1; i < settled.length; i++) {
        expect(Math.abs(settled[i] / settled[i - 1] - 1), `second ${i + 20}`).toBeLessThan(0.08);
      }
      for (const eta of settled) {
        expect(eta).toBeGreaterThan(850);
        expect(eta).toBeLessThan(1_500);
      }
    },
  );

  it('follows a lasting change of rate within a few time constants', () => {
    const r = new RateEstimator();
    let done = 0;
    for (let t = 0; t <= 60_000; t += 100) r.sample(t, (done += 10)); // 100 items/s
    for (let t = 60_100; t <= 120_000; t += 100) r.sample(t, (done += 1)); // then 10 items/s
    expect(r.etaSeconds(1_000)).toBeGreaterThan(90);
    expect(r.etaSeconds(1_000)).toBeLessThan(110);
  });
});

/** A terminal stream that records what is written, with a settable width. */
function fakeStream(columns: number, isTTY = true) {
  const chunks: string[] = [];
  const stream = {
    chunks,
    columns,
    isTTY,
    write: (s: string) => (chunks.push(s), true),
    text: () => chunks.join(''),
  };
  return stream;
}
type FakeStream = ReturnType<typeof fakeStream>;
const asStream = (s: FakeStream) => s as unknown as NodeJS.WritableStream;

describe('formatBar (cli-progress format function)', () => {
  it("lays the line out for the width cli-progress passes, with the ETA from the payload's estimator", () => {
    let now = 0;
    const payload = { rate: new RateEstimator(), clock: () => now };
    const params = (value: number, maxWidth: number) => ({
      value,
      total: 1000,
      maxWidth,
      progress: value / 1000,
      eta: 0,
      startTime: 0,
      stopTime: null,
    });
    expect(formatBar({}, params(0, 80), payload)).toBe(
      formatProgressLine({ width: 80, done: 0, total: 1000, etaSeconds: undefined }),
    );
    // 10 items a second, sampled at each redraw.
    for (now = 100; now <= 5_000; now += 100) formatBar({}, params(now / 100, 80), payload);
    expect(formatBar({}, params(50, 50), payload)).toBe(
      formatProgressLine({ width: 50, done: 50, total: 1000, etaSeconds: 95 }),
    );
  });
});

describe('startProgressBar (cli-progress SingleBar)', () => {
  it('hides the cursor and turns wrap off while drawing; stop() draws the last line, gives both back and ends the line', () => {
    let now = 0;
    const out = fakeStream(50);
    const bar = startProgressBar(10, { stream: asStream(out), clock: () => now });
    expect(out.text()).toBe(
      `${SAVE}${HIDE}${WRAP_OFF}${LINE_START}${formatProgressLine({ width: 50, done: 0, total: 10, etaSeconds: undefined })}${ERASE}`,
    );
    now = 50;
    bar.update(3);
    const before = out.text().length;
    bar.stop();
    expect(out.text().slice(before)).toMatch(
      /^\x1b\[1Gkey pairs \|=+-+\|  3\/10  30% ETA     --\x1b\[0K\x1b\[\?25h\x1b\[\?7h\x1b8\n$/,
    );
    // Stopped for good: nothing more is drawn, a second stop writes nothing.
    const length = out.text().length;
    bar.update(9);
    bar.stop();
    expect(out.text()).toHaveLength(length);
  });

  it('the width is read at every redraw, and the last line is written again even when unchanged (over a "^C" echoed after it)', () => {
    const out = fakeStream(120);
    const bar = startProgressBar(1000, { stream: asStream(out) });
    expect(out.chunks.join('').length).toBeGreaterThan(80);
    out.columns = 45;
    bar.stop();
    const lines = [...out.text().matchAll(/\x1b\[1G([^\x1b]*)\x1b\[0K/g)].map((m) => m[1]);
    expect(lines).toHaveLength(2);
    expect(lines[0].length).toBeGreaterThan(80);
    expect(lines[1]).toBe(formatProgressLine({ width: 45, done: 0, total: 1000, etaSeconds: undefined }));
  });

  it('draws nothing when the stream is not a terminal', () => {
    const out = fakeStream(80, false);
    const bar = startProgressBar(10, { stream: asStream(out) });
    bar.update(5);
    bar.stop();
    expect(out.chunks).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The command under a pseudo-terminal

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'dist/node/cli/main.js');
let work: string;
let store: string;
let keyId: string;

const env = (): NodeJS.ProcessEnv => childEnv(join(work, 'home'));

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface PtyRun {
  output: () => string;
  done: Promise<number | null>;
  dir: string;
}

/** Runs still going when the tests end (a failed test): stopped in afterAll. */
const running = new Set<ChildProcess>();

/**
 * generate-data-key-pairs on a pseudo-terminal `columns` wide (stderr is the terminal), through
 * util-linux `script`; the output is what the terminal received (newlines as \r\n).
 */
function ptyBulk(name: string, columns: number, spec: string, count: number): PtyRun {
  const dir = join(work, name);
  mkdirSync(dir);
  const args = [
    BIN,
    '--store',
    store,
    'generate-data-key-pairs',
    '--key-id',
    keyId,
    '--key-pair-spec',
    spec,
    '--count',
    String(count),
    '--out',
    join(dir, 'x.ndjson'),
    '--threads',
    '2',
  ];
  const command = `stty cols ${columns} rows 20 && exec ${[process.execPath, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  running.add(child);
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => (running.delete(child), resolve(code))),
  );
  return { output: () => out, done, dir };
}

/** The lines drawn in place: what follows each move to column 1 up to the erase-to-end code. */
function drawnLines(output: string): string[] {
  return [...output.matchAll(/\x1b\[1G([^\r\n\x1b]*)\x1b\[0K/g)].map((m) => m[1]);
}

/**
 * The screen a terminal `columns` x `rows` shows after `output`: just the codes the command
 * writes (CR, LF, ESC 7 / ESC 8, ESC[<n>G, ESC[0K, ESC[?25h/l, ESC[?7h/l), with line wrap
 * honoured and scrolling at the bottom. Trailing blank rows are left out.
 */
function screen(output: string, columns: number, rows = 20): string[] {
  const grid: string[][] = Array.from({ length: rows }, () => []);
  let x = 0;
  let y = 0;
  let saved = { x: 0, y: 0 };
  let wrap = true;
  const lineFeed = () => {
    if (y === rows - 1) {
      grid.shift();
      grid.push([]);
    } else y++;
  };
  for (let i = 0; i < output.length; i++) {
    const c = output[i];
    if (c === '\r') x = 0;
    else if (c === '\n') lineFeed();
    else if (c === ESC) {
      const m = /^\x1b(?:([78])|\[(\?)?(\d*)([A-Za-z]))/.exec(output.slice(i));
      if (!m) throw new Error(`unexpected escape code at ${i}: ${JSON.stringify(output.slice(i, i + 8))}`);
      i += m[0].length - 1;
      if (m[1] === '7') saved = { x, y };
      else if (m[1] === '8') ({ x, y } = saved);
      else if (m[2] === '?' && m[3] === '7') wrap = m[4] === 'h';
      else if (m[2] === '?' && m[3] === '25') continue;
      else if (m[4] === 'G') x = Math.min(columns - 1, Math.max(1, Number(m[3] || '1')) - 1);
      else if (m[4] === 'K' && (m[3] === '' || m[3] === '0')) grid[y].length = Math.min(grid[y].length, x);
      else throw new Error(`unexpected escape code ${JSON.stringify(m[0])}`);
    } else {
      if (x >= columns) {
        if (wrap) {
          x = 0;
          lineFeed();
        } else x = columns - 1;
      }
      while (grid[y].length < x) grid[y].push(' ');
      grid[y][x] = c;
      x++;
    }
  }
  const text = grid.map((r) => r.join('').trimEnd());
  while (text.length > 0 && text[text.length - 1] === '') text.pop();
  return text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-kms-progress-'));
  mkdirSync(join(work, 'home'));
  store = join(work, 'store');
  const r = spawnSync(
    process.execPath,
    [BIN, '--store', store, 'create-key', '--query', 'KeyMetadata.KeyId', '--output', 'text'],
    { env: env(), encoding: 'utf8' },
  );
  expect(r.status).toBe(0);
  keyId = r.stdout.trim();
});

afterAll(() => {
  // The CLI under `script` is in a session of its own: end it through the pid in its file name.
  for (const child of running) {
    for (const f of readdirSync(join(work), { recursive: true }) as string[]) {
      const m = /\.x\.ndjson\.(\d+)\.[0-9a-f]+\.tmp$/.exec(f);
      if (m) {
        try {
          process.kill(Number(m[1]), 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    child.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
});

/** A line of text as a terminal `columns` wide shows it, wrapped. */
function rows(text: string, columns: number): string[] {
  return Array.from({ length: Math.ceil(text.length / columns) }, (_, i) =>
    text.slice(i * columns, (i + 1) * columns).trimEnd(),
  );
}

/** The regular expression of a drawn line at `columns`, for a run of `total` pairs. */
function linePattern(columns: number, total: number): RegExp {
  if (columns >= 50) return new RegExp(`^key pairs \\|[=-]+\\| +\\d+/${total} +\\d+% ETA +(--|\\d\\S*)$`);
  if (columns >= 40) return new RegExp(`^(key pairs )?\\|[=-]+\\| +\\d+/${total} +\\d+% ETA +(--|\\d\\S*)$`);
  return new RegExp(`^\\d+/${total} \\d+%( ETA (--|\\d\\S*))?$`);
}

describe('generate-data-key-pairs on a terminal', () => {
  it('at 30, 40, 50, 80 and 120 columns every drawn line fits; the last one stays, then the summary', async () => {
    for (const columns of [30, 40, 50, 80, 120]) {
      const run = ptyBulk(`widths-${columns}`, columns, 'ECC_NIST_P256', 1500);
      expect(await run.done).toBe(0);
      const output = run.output();
      expect(output.startsWith(`${SAVE}${HIDE}${WRAP_OFF}${LINE_START}`)).toBe(true);
      const lines = drawnLines(output);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        expect(line.length, `${columns} columns: ${line}`).toBeLessThanOrEqual(columns - 1);
        expect(line, `${columns} columns`).toMatch(linePattern(columns, 1500));
        if (columns < 40) expect(line).not.toContain('|');
      }
      const last = lines[lines.length - 1];
      expect(last).toMatch(/1500\/1500 100%/);
      // The bar's last line, the cursor shown, wrap on, a newline, then the summary.
      const summary = /1500 pairs in \d+\.\d\d s \(\d+\.\d pairs\/s\)\r\n$/.exec(output);
      expect(summary).not.toBeNull();
      expect(
        output.slice(0, summary!.index).endsWith(`${LINE_START}${last}${ERASE}${SHOW}${WRAP_ON}${RESTORE}\r\n`),
      ).toBe(true);
      expect(screen(output, columns)).toEqual([last, ...rows(summary![0].trimEnd(), columns)]);
    }
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    for (const columns of [50, 80]) {
      it(`${signal} at ${columns} columns: the bar stops first, cursor and wrap come back, the notice is whole on its own line, exit ${code}`, async () => {
        const run = ptyBulk(`interrupted-${signal}-${columns}`, columns, 'RSA_4096', 1000);
        // The temporary file's name carries the CLI's process id.
        let pid: number | undefined;
        const deadline = Date.now() + 60_000;
        while (pid === undefined && Date.now() < deadline) {
          const tmp = readdirSync(run.dir).find((f) => f.endsWith('.tmp'));
          if (tmp) pid = Number(tmp.split('.')[3]);
          else await sleep(20);
        }
        expect(pid).toBeDefined();
        // The line is drawn.
        while (!run.output().includes('/1000') && Date.now() < deadline) await sleep(20);
        expect(run.output()).toContain('/1000');
        await sleep(300);
        process.kill(pid!, signal);
        expect(await run.done).toBe(code);
        const output = run.output();
        const out = join(run.dir, 'x.ndjson');
        const notice = `wasm-kms: ${signal}: stopping once the pairs under way are done (send it again to stop at once)`;
        const at = output.indexOf(notice);
        expect(at).toBeGreaterThan(0);
        const lines = drawnLines(output);
        const last = lines[lines.length - 1];
        for (const line of lines) {
          expect(line.length).toBeLessThanOrEqual(columns - 1);
          expect(line).toMatch(linePattern(columns, 1000));
        }
        // Before the notice: the bar's last line, then the cursor shown, wrap on, the cursor back
        // at the line's start and a newline; the notice starts with a carriage return (over the
        // "^C" a terminal echoes for Ctrl-C).
        expect(output.slice(0, at).endsWith(`${LINE_START}${last}${ERASE}${SHOW}${WRAP_ON}${RESTORE}\r\n\r`)).toBe(
          true,
        );
        // After it: plain lines only; nothing drawn again, no cursor moves (no ESC 8), no escape codes.
        expect(output.slice(at)).toBe(`${notice}\r\nwasm-kms: interrupted (${signal}); ${out} not written\r\n`);
        expect(output.split(RESTORE)).toHaveLength(2);
        // What the terminal shows: the bar's last line, the notice whole on the next, then the end.
        expect(screen(output, columns)).toEqual([
          last,
          ...rows(notice, columns),
          ...rows(`wasm-kms: interrupted (${signal}); ${out} not written`, columns),
        ]);
        expect(readdirSync(run.dir)).toEqual([]);
      });
    }
  }
});
