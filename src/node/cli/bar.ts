// The progress line of generate-data-key-pairs on a terminal. cli-progress draws it (redraw
// timer, hidden cursor, line wrap off while drawn, TTY detection, the final newline); this file
// gives it the two things it does not have: a line that always fits the terminal's width, as its
// `format` function, and an ETA from a smoothed rate.
//
// Width: cli-progress passes the terminal's width (stream.columns, read at every redraw) to the
// format function. The numbers (done/total, percent, ETA) are never cut; the bar gives way first,
// then the label. At 40 columns or more everything stays on one line (the numbers alone need at
// most 35 columns, for counts up to 10^8); under 40 columns the line is plain text without the
// bar, cut to the width if it must be. Line wrap is off while the line is drawn (ESC[?7l), so a
// line that became too long after a resize is clipped, not wrapped onto a second row that the
// next redraw would not reach.
//
// ETA: the rate is the ratio of two exponentially weighted sums over time, items done and time
// spent (time constant RATE_TIME_CONSTANT_MS), so bursts of pairs finishing together (RSA pairs
// take seconds each, and several threads finish at once) do not swing it the way the rate of the
// last few items would (cli-progress's own ETA, over the last few updates, does). It starts from
// the first finished pair, leaving out the threads' start-up, and no ETA is shown before
// ETA_MIN_ITEMS pairs and ETA_MIN_MS of measurement. The estimator travels in the bar's payload
// and is sampled at every redraw, so a stall shows as a growing ETA between items.

import cliProgress from 'cli-progress';

/** Time constant of the rate's exponential weighting. */
export const RATE_TIME_CONSTANT_MS = 10_000;
/** How many items the rate's weights span at least, however long they took. */
export const RATE_WINDOW_ITEMS = 40;
/** Pairs finished (after the first) before an ETA is shown. */
export const ETA_MIN_ITEMS = 5;
/** Measured time (from the first finished pair) before an ETA is shown. */
export const ETA_MIN_MS = 1_000;
/** Narrower terminals get a plain line without the bar. */
export const MIN_BAR_COLUMNS = 40;

/**
 * Items per millisecond, exponentially weighted over time. Each sample adds the items and the
 * time since the previous sample to sums that decay by exp(-dt / tau); the rate is their ratio.
 * Until a few time constants have passed this is close to the plain average since the start.
 */
export class RateEstimator {
  /** The first sample with items done: the measurement starts there. */
  private start: { t: number; n: number } | undefined;
  /** The last sample at which the count went up. */
  private lastItem = { t: 0, n: 0 };
  /** The time of the latest sample. */
  private now = 0;
  /** Exponentially weighted sums of the items and of the time they took. */
  private items = 0;
  private time = 0;

  constructor(
    private readonly tauMs = RATE_TIME_CONSTANT_MS,
    private readonly windowItems = RATE_WINDOW_ITEMS,
  ) {}

  /** `done` items at time `now` (ms). */
  sample(now: number, done: number): void {
    if (this.start === undefined) {
      if (done > 0) {
        this.start = { t: now, n: done };
        this.lastItem = { t: now, n: done };
        this.now = now;
      }
      return;
    }
    this.now = Math.max(this.now, now);
    const dn = done - this.lastItem.n;
    if (dn <= 0) return;
    const dt = Math.max(0, now - this.lastItem.t);
    // Old intervals lose weight only as fast as both time and items allow: the weights span at
    // least about tau and at least about RATE_WINDOW_ITEMS items, so that a slow run (an RSA
    // pair every second or two) is not judged on its last few pairs.
    const decay = Math.max(Math.exp(-dt / this.tauMs), Math.exp(-dn / this.windowItems));
    this.items = this.items * decay + dn;
    this.time = this.time * decay + dt;
    this.lastItem = { t: now, n: done };
  }

  /** Items per ms, or undefined while too little has been measured to say. */
  rate(): number | undefined {
    if (this.start === undefined) return undefined;
    if (this.lastItem.n - this.start.n < ETA_MIN_ITEMS || this.now - this.start.t < ETA_MIN_MS) return undefined;
    // The wait for the next item counts once it is longer than the usual gap between items: a
    // stall lowers the rate as it goes on, an ordinary gap does not make the ETA saw up and down.
    const usualGap = this.time / this.items;
    const time = this.time + Math.max(0, this.now - this.lastItem.t - usualGap);
    return time > 0 ? this.items / time : undefined;
  }

  /** Seconds left for `remaining` items, or undefined when not yet known. */
  etaSeconds(remaining: number): number | undefined {
    const r = this.rate();
    if (remaining <= 0) return 0;
    return r === undefined ? undefined : remaining / r / 1000;
  }
}

/** `45s`, `7m05s`, `2h05m`, `>99h`: at most 6 characters. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  if (m >= 100 * 60) return '>99h';
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface LineState {
  /** The terminal's columns. */
  width: number;
  done: number;
  total: number;
  /** Undefined: not known yet ("--"). */
  etaSeconds: number | undefined;
  label?: string;
}

/** The widest bar drawn, however wide the terminal. */
const MAX_BAR = 50;
/** Narrower than this, the bar is left out rather than drawn as a stub. */
const MIN_BAR = 5;

/**
 * The progress line for a terminal `width` columns wide: at most width - 1 characters (the last
 * column is left free: some terminals wrap when it is written). Every field has a fixed width
 * for a given total, so the bar does not change length as the numbers change.
 */
export function formatProgressLine(state: LineState): string {
  const { done, total } = state;
  const room = Math.max(1, state.width - 1);
  const label = state.label ?? 'key pairs';
  const percent = total > 0 ? Math.floor((Math.min(done, total) * 100) / total) : 100;
  const counts = `${String(done).padStart(String(total).length)}/${total}`;
  const eta = `ETA ${(state.etaSeconds === undefined ? '--' : formatEta(state.etaSeconds)).padStart(6)}`;
  const numbers = `${counts} ${String(percent).padStart(3)}% ${eta}`;
  if (state.width >= MIN_BAR_COLUMNS) {
    const bar = (columns: number) => {
      const filled = total > 0 ? Math.floor((Math.min(done, total) * columns) / total) : columns;
      return `|${'='.repeat(filled)}${'-'.repeat(columns - filled)}|`;
    };
    const withLabel = room - label.length - 1 - 2 - 1 - numbers.length;
    if (withLabel >= 2 * MIN_BAR) return `${label} ${bar(Math.min(MAX_BAR, withLabel))} ${numbers}`;
    const bare = room - 2 - 1 - numbers.length;
    if (bare >= MIN_BAR) return `${bar(Math.min(MAX_BAR, bare))} ${numbers}`;
    if (numbers.length <= room) return numbers;
  }
  // A plain line: the numbers without padding, the least useful part dropped first.
  const plain = [
    `${done}/${total} ${percent}% ${eta.replace(/ +/g, ' ')}`,
    `${done}/${total} ${percent}%`,
    `${done}/${total}`,
  ];
  return plain.find((p) => p.length <= room) ?? plain[plain.length - 1].slice(0, room);
}

/** What the bar carries for the format function: the ETA's estimator and its clock. */
export interface ProgressPayload {
  rate: RateEstimator;
  /** Milliseconds, monotonic. */
  clock: () => number;
  label?: string;
}

/**
 * cli-progress's `format` function: the line for the width the terminal has now. Each call
 * (one per redraw) also feeds the count to the ETA's estimator.
 */
export const formatBar: cliProgress.GenericFormatter = (_options, params, payload: ProgressPayload) => {
  payload.rate.sample(payload.clock(), params.value);
  return formatProgressLine({
    width: params.maxWidth,
    done: params.value,
    total: params.total,
    etaSeconds: payload.rate.etaSeconds(params.total - params.value),
    label: payload.label,
  });
};

export interface ProgressBarOptions {
  /** Where the line goes (process.stderr); nothing is drawn unless it is a terminal. */
  stream?: NodeJS.WritableStream;
  /** Milliseconds, monotonic (performance.now by default). */
  clock?: () => number;
  label?: string;
  /** Redraws per second (10). */
  fps?: number;
}

/**
 * A bar for `total` items, started at 0: update(done) as items finish; stop() draws the line a
 * last time, shows the cursor, turns wrap back on and ends the line, so that the next text
 * written starts a line of its own. Every redraw writes the line, changed or not: the last one,
 * in stop(), then writes over the "^C" a terminal echoes after it for Ctrl-C.
 */
export function startProgressBar(total: number, options: ProgressBarOptions = {}): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar({
    stream: options.stream ?? process.stderr,
    format: formatBar,
    hideCursor: true,
    linewrap: false,
    // SIGINT and SIGTERM are the command's to handle: it stops the bar before its notice.
    gracefulExit: false,
    forceRedraw: true,
    fps: options.fps ?? 10,
  });
  const payload: ProgressPayload = {
    rate: new RateEstimator(),
    clock: options.clock ?? (() => performance.now()),
    label: options.label,
  };
  bar.start(total, 0, payload);
  return bar;
}
