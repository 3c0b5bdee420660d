// Runs one group of tasks with tinybench: a warm-up (whose first result each task may
// check), then `rounds` interleaved rounds. In each round every task gets 1/rounds of its
// time budget and minimum sample count; the starting task rotates from round to round so
// that drift (thermal, a noisy neighbour) is spread over all tasks instead of hitting one.

import { Bench } from 'tinybench';
import { summarize } from './stats.mjs';

const started = performance.now();

function clock() {
  const s = Math.round((performance.now() - started) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function log(message) {
  process.stderr.write(`[${clock()}] ${message}\n`);
}

const isThenable = (x) => x !== null && typeof x === 'object' && typeof x.then === 'function';

/** Calls fn `count` times; returns whether it is asynchronous. The first result is checked. */
async function warmUp(task, count) {
  let async = false;
  for (let i = 0; i < count; i++) {
    let out = task.fn();
    if (isThenable(out)) {
      async = true;
      out = await out;
    }
    if (i === 0 && task.check) await task.check(out);
  }
  return async;
}

/**
 * Runs `group.tasks` under `budget` ({ timeMs, minSamples, rounds, warmup }) and returns,
 * per task, its name, summary statistics and raw samples (ms, ascending). A task's
 * `timeScale` (default 1) scales the time it gets; the minimum sample count still applies.
 */
export async function runGroup(label, group, budget) {
  // A task with `recorded` brings samples (ms) taken elsewhere, e.g. in fresh processes: they are
  // its samples as they are, and it is neither called nor timed here.
  const recorded = group.tasks.filter((t) => t.recorded);
  const tasks = group.tasks.filter((t) => !t.recorded).map((t) => ({ ...t, async: false, samples: [], ms: 0 }));
  if (tasks.length === 0) {
    return recorded.map((t) => {
      const stats = summarize([...t.recorded]);
      log(`${label} ${t.name}: ${stats.samples} recorded samples, median ${stats.median.toFixed(3)} ms`);
      return { name: t.name, ...stats, raw: [...t.recorded].sort((a, b) => a - b) };
    });
  }
  if (recorded.length) throw new Error(`${label}: a group mixes recorded and timed tasks`);
  for (const t of tasks) {
    const t0 = performance.now();
    t.async = await warmUp(t, Math.max(1, budget.warmup));
    const what = `warm-up ×${budget.warmup}${t.check ? ' and result check' : ''}`;
    log(`${label} ${t.name}: ${what} ok (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }

  const roundTime = budget.timeMs / budget.rounds;
  const roundSamples = Math.max(1, Math.ceil(budget.minSamples / budget.rounds));
  for (let round = 0; round < budget.rounds; round++) {
    for (let j = 0; j < tasks.length; j++) {
      const t = tasks[(round + j) % tasks.length];
      const where = `${label} ${t.name} round ${round + 1}/${budget.rounds}`;
      log(`${where}: start`);
      globalThis.gc?.();
      // A task may take a share of the group's time (timeScale): a cheap task beside a slow one.
      const bench = new Bench({
        time: roundTime * (t.timeScale ?? 1),
        iterations: roundSamples,
        warmup: false,
        retainSamples: true,
        throws: true,
      });
      bench.add(t.name, t.fn, { async: t.async });
      const t0 = performance.now();
      const [done] = await bench.run();
      const elapsed = performance.now() - t0;
      const samples = 'latency' in done.result ? done.result.latency.samples : undefined;
      if (!samples) throw new Error(`${where}: no samples (state ${done.result.state})`);
      for (const x of samples) t.samples.push(x);
      t.ms += elapsed;
      log(`${where}: ${samples.length} samples in ${(elapsed / 1000).toFixed(1)} s (total ${t.samples.length})`);
    }
  }

  return tasks.map((t) => {
    const stats = summarize(t.samples);
    log(
      `${label} ${t.name}: done, ${stats.samples} samples, median ${stats.median.toFixed(3)} ms, ${(t.ms / 1000).toFixed(1)} s`,
    );
    return { name: t.name, ...stats, raw: t.samples.sort((a, b) => a - b) };
  });
}
