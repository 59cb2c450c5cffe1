// Pure statistics over latency samples (milliseconds): summaries for reports, a seeded bootstrap for the gate.
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { LatencyStats } from '../results.ts';

/**
 * The p-quantile (0 <= p <= 1) of an ascending-sorted sample by linear interpolation between closest ranks:
 * h = (n - 1) * p, result = x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h]).
 * This is Hyndman & Fan's definition 7, the default of numpy, R (type 7) and Excel's PERCENTILE.INC:
 * p = 0 gives the minimum, p = 1 the maximum, and p50 of an even-sized sample is the mean of the middle two.
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted: the sample is empty; measure at least one iteration before summarising.');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantileSorted: p must be within [0, 1], got ${p}.`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (h - lo) * (b - a);
}

/** The p-quantile of an unsorted sample (see quantileSorted for the definition). */
export function quantile(samples: readonly number[], p: number): number {
  return quantileSorted([...samples].sort((a, b) => a - b), p);
}

/**
 * Summary statistics of a latency sample. sd is the sample standard deviation (n - 1 denominator);
 * rmePct is the half-width of the 95% confidence interval of the mean, Student's t with n - 1 degrees of
 * freedom, as a percentage of the mean (tinybench's `rme`). With one sample sd and rme are 0 (undefined, not NaN,
 * so results stay JSON). Throws on an empty sample or a non-finite value.
 */
export function summarize(samplesMs: readonly number[]): LatencyStats {
  const n = samplesMs.length;
  if (n === 0) throw new RangeError('summarize: the sample is empty; measure at least one iteration before summarising.');
  const bad = samplesMs.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new RangeError(`summarize: sample ${bad} is ${samplesMs[bad]}; latencies must be finite numbers of milliseconds.`);
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = samplesMs.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(samplesMs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const sem = n > 1 ? sd / Math.sqrt(n) : 0;
  const rmePct = mean > 0 && n > 1 ? (studentT975(n - 1) * sem * 100) / mean : 0;
  return {
    samples: n,
    minMs: sorted[0] as number,
    maxMs: sorted[n - 1] as number,
    meanMs: mean,
    sdMs: sd,
    rmePct,
    p50Ms: quantileSorted(sorted, 0.5),
    p95Ms: quantileSorted(sorted, 0.95),
    p99Ms: quantileSorted(sorted, 0.99),
  };
}

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom, from stdlib's t quantile function (a maintained,
 * tested implementation through the inverse regularized incomplete beta function) instead of a hand-written table.
 */
export function studentT975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`studentT975: degrees of freedom must be >= 1, got ${df}.`);
  return tQuantile(0.975, Math.floor(df));
}

/** A distribution-free confidence interval of a quantile: ranks and values of the order statistics that bound it. */
export interface QuantileInterval {
  /** The quantile level, e.g. 0.95. */
  p: number;
  /** Two-sided confidence of [low, high], e.g. 0.95. */
  confidence: number;
  /** The point estimate (Hyndman & Fan type 7, as everywhere in execbench). */
  estimate: number;
  /** 1-based rank of the lower bound in the sorted sample; 0 = no lower bound from this few samples. */
  lowRank: number;
  /** 1-based rank of the upper bound; 0 = no upper bound from this few samples. */
  highRank: number;
  /** The lower bound, or null when the sample is too small to give one at this confidence. */
  low: number | null;
  /** The upper bound, or null when the sample is too small to give one at this confidence. */
  high: number | null;
}

/**
 * The exact distribution-free (order-statistic) confidence interval of the p-quantile of an i.i.d. sample.
 *
 * The number of samples below the true quantile q is Binomial(n, p), whatever the latency distribution, so
 * P(X(r) <= q) = P(Bin(n, p) >= r) and P(X(s) >= q) = P(Bin(n, p) <= s - 1). Each side gets (1 - confidence) / 2:
 * the lower bound is the largest r with P(Bin <= r - 1) <= alpha/2, the upper bound the smallest s with
 * P(Bin <= s - 1) >= 1 - alpha/2. When no rank qualifies, that side has no bound (null): for the p95 at 95%
 * an upper bound needs at least 72 samples (0.95^n <= 0.025), a lower bound only 2. No normal approximation, no
 * resampling: exact for any continuous distribution, conservative (coverage >= confidence) for discrete ones.
 */
export function quantileInterval(samples: readonly number[], p: number, confidence: number): QuantileInterval {
  const n = samples.length;
  if (n === 0) throw new RangeError('quantileInterval: the sample is empty; measure at least one iteration first.');
  if (!(p > 0 && p < 1)) throw new RangeError(`quantileInterval: p must be within (0, 1), got ${p}.`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`quantileInterval: confidence must be within (0, 1), got ${confidence}.`);
  const sorted = [...samples].sort((a, b) => a - b);
  const { lowRank, highRank } = quantileIntervalRanks(n, p, confidence);
  return {
    p,
    confidence,
    estimate: quantileSorted(sorted, p),
    lowRank,
    highRank,
    low: lowRank > 0 ? (sorted[lowRank - 1] as number) : null,
    high: highRank > 0 ? (sorted[highRank - 1] as number) : null,
  };
}

/** The ranks of quantileInterval for a sample of n (pure arithmetic on the binomial; see there). */
export function quantileIntervalRanks(n: number, p: number, confidence: number): { lowRank: number; highRank: number } {
  const tail = (1 - confidence) / 2;
  const cdf = binomialCdf.factory(n, p);
  // Tiny tolerances keep exact boundary cases (cdf == tail) on the conservative side of floating point.
  let lowRank = 0;
  for (let r = 1; r <= n && cdf(r - 1) <= tail + 1e-12; r++) lowRank = r;
  let highRank = 0;
  for (let s = Math.max(1, lowRank); s <= n; s++) {
    if (cdf(s - 1) >= 1 - tail - 1e-12) { highRank = s; break; }
  }
  return { lowRank, highRank };
}

/** The smallest sample size whose order-statistic interval of the p-quantile has an upper bound at this confidence. */
export function minSamplesForUpperBound(p: number, confidence: number): number {
  // P(Bin(n, p) <= n - 1) = 1 - p^n >= 1 - tail  <=>  n >= ln(tail) / ln(p).
  return Math.ceil(Math.log((1 - confidence) / 2) / Math.log(p) - 1e-9);
}

/** Options of bootstrapShift. */
export interface BootstrapOptions {
  statistic: 'median' | 'p95';
  /** Resamples; 2000 is plenty for a 95-99% percentile interval. */
  iterations: number;
  /** Two-sided confidence of the interval, e.g. 0.95. */
  confidence: number;
  /** PRNG seed: the same inputs and seed give the same interval, so a CI verdict is reproducible. */
  seed: number;
  /**
   * Moving-block length in samples (default: round(n^(1/3)), at least 1; 1 = the classic iid bootstrap).
   * Samples are in measurement order, and slow periods (a checkpoint, a WAL flush, another process on the
   * core) come in runs of consecutive samples; resampling blocks keeps those runs together, so the interval
   * is as wide as the noise really is instead of pretending every sample is independent.
   */
  blockLength?: number;
}

/** The change of a statistic from baseline to current, as a ratio current / baseline (1.25 = 25% slower). */
export interface ShiftEstimate {
  estimateRatio: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * Percentile bootstrap of the ratio statistic(current) / statistic(baseline).
 *
 * Each iteration resamples both samples independently with replacement (they are independent runs) and records
 * the ratio of their statistics; the interval is the (1 - confidence)/2 and (1 + confidence)/2 quantiles of those
 * ratios. The estimate is the ratio on the original samples. A ratio is used rather than a difference because
 * latency noise scales with latency, and a "20% slower" rule reads directly off it. Resampling is by moving
 * blocks of consecutive samples (see blockLength), because latency noise on a shared machine is autocorrelated;
 * warm-up iterations should be dropped before samples get here.
 */
export function bootstrapShift(baseline: readonly number[], current: readonly number[], options: BootstrapOptions): ShiftEstimate {
  const { statistic, iterations, confidence, seed } = options;
  if (baseline.length === 0 || current.length === 0) {
    throw new RangeError(`bootstrapShift: both samples need values (baseline ${baseline.length}, current ${current.length}).`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrapShift: confidence must be within (0, 1), got ${confidence}.`);
  if (!(Number.isInteger(iterations) && iterations >= 100)) throw new RangeError(`bootstrapShift: iterations must be an integer >= 100, got ${iterations}.`);
  const p = statistic === 'median' ? 0.5 : 0.95;
  const base = orderedSample(baseline, options.blockLength);
  const cur = orderedSample(current, options.blockLength);
  const random = mulberry32(seed);
  const ratios = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const b = resampledQuantile(base, p, random);
    const c = resampledQuantile(cur, p, random);
    ratios[i] = safeRatio(c, b);
  }
  const sortedBase = base.sorted;
  const sortedCur = cur.sorted;
  ratios.sort((a, b) => a - b);
  const alpha = (1 - confidence) / 2;
  return {
    estimateRatio: safeRatio(quantileSorted(sortedCur, p), quantileSorted(sortedBase, p)),
    ciLow: quantileSorted(ratios, alpha),
    ciHigh: quantileSorted(ratios, 1 - alpha),
  };
}

/** A sample in measurement order, with its sorted copy and each sample's rank, ready for block resampling. */
interface OrderedSample {
  sorted: number[];
  /** rank[i]: the position of the i-th measured sample in `sorted`. */
  rank: Uint32Array;
  blockLength: number;
  counts: Uint32Array;
}

function orderedSample(samples: readonly number[], blockLength?: number): OrderedSample {
  const n = samples.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (samples[a] as number) - (samples[b] as number));
  const rank = new Uint32Array(n);
  order.forEach((original, position) => { rank[original] = position; });
  const length = Math.min(n, Math.max(1, Math.round(blockLength ?? Math.cbrt(n))));
  return { sorted: order.map((i) => samples[i] as number), rank, blockLength: length, counts: new Uint32Array(n) };
}

/**
 * The p-quantile of one moving-block resample of the sample, without sorting the resample: blocks of
 * consecutive measured samples are drawn until n samples are taken, each drawn sample is counted at its rank in
 * the sorted sample, so the resample's two neighbouring ranks are found in one O(n) walk.
 */
function resampledQuantile(sample: OrderedSample, p: number, random: () => number): number {
  const { sorted, rank, blockLength, counts } = sample;
  const n = sorted.length;
  counts.fill(0);
  const starts = n - blockLength + 1;
  for (let taken = 0; taken < n;) {
    const start = Math.floor(random() * starts);
    for (let j = start; j < start + blockLength && taken < n; j++, taken++) counts[rank[j] as number]! += 1;
  }
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  let seen = 0;
  let loValue = Number.NaN;
  for (let k = 0; k < n; k++) {
    seen += counts[k] as number;
    if (Number.isNaN(loValue) && seen > lo) loValue = sorted[k] as number;
    if (seen > hi) return loValue + (h - lo) * ((sorted[k] as number) - loValue);
  }
  return loValue;
}

/** A ratio that stays finite when the baseline statistic is 0 (sub-resolution timings). */
function safeRatio(numerator: number, denominator: number): number {
  if (denominator > 0) return numerator / denominator;
  return numerator > 0 ? Number.MAX_VALUE : 1;
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The median (type-7 p50) of an unsorted sample. */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}
