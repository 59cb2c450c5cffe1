// Pure: latencies under load are not independent. A request that queued behind a slow one is slow too, so a burst
// of queueing puts a run of large values side by side; the order-statistic interval of the p95 assumes independent
// samples, and fed a correlated series it claims more precision than the run has. Before a verdict, the series (in
// order of intended start) is thinned to every m-th request, m the first lag at which its autocorrelation has fallen
// under 0.1: the verdict then rests on samples about as far apart as the queueing's memory.

/** The autocorrelation below which requests m apart are treated as independent. */
export const INDEPENDENCE_THRESHOLD = 0.1;

/**
 * The first lag k >= 1 at which the sample autocorrelation of `series` falls under `threshold`, searched up to a
 * quarter of the series (beyond that the estimate means little); that cap when it never does. 1 for a constant
 * series or one too short to say (under 8 values).
 */
export function decorrelationLag(series: readonly number[], threshold = INDEPENDENCE_THRESHOLD): number {
  const n = series.length;
  if (n < 8) return 1;
  const mean = series.reduce((s, x) => s + x, 0) / n;
  let variance = 0;
  for (const x of series) variance += (x - mean) ** 2;
  if (variance === 0) return 1;
  const maxLag = Math.max(1, Math.floor(n / 4));
  for (let k = 1; k <= maxLag; k++) {
    let c = 0;
    for (let i = 0; i + k < n; i++) c += (series[i]! - mean) * (series[i + k]! - mean);
    if (c / variance < threshold) return k;
  }
  return maxLag;
}

/** Every `step`-th value, from the first. */
export function thin(series: readonly number[], step: number): number[] {
  if (!(Number.isInteger(step) && step >= 1)) throw new RangeError(`thin: step must be a whole number >= 1, got ${step}.`);
  return step === 1 ? [...series] : series.filter((_, i) => i % step === 0);
}

/** The series thinned to about-independent samples, with the lag used. */
export function independentSample(series: readonly number[]): { samples: number[]; lag: number } {
  const lag = decorrelationLag(series);
  return { samples: thin(series, lag), lag };
}
