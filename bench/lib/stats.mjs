// Summary statistics over raw latency samples (milliseconds).

/** The q-quantile of ascending `sorted`, interpolating linearly between order statistics. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median, mean, p99, min and max of `samples` (any order). */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const sum = sorted.reduce((acc, x) => acc + x, 0);
  return {
    samples: sorted.length,
    median: quantile(sorted, 0.5),
    mean: sum / sorted.length,
    p99: quantile(sorted, 0.99),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}
