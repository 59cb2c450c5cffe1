// Latency distributions of a load run, kept in HdrHistogram (hdr-histogram-js, the JavaScript port of Gil Tene's
// HdrHistogram): values in microseconds at 3 significant digits, from 1 us up to an hour, constant memory however
// many requests a run sends. The pure-JS build: no WebAssembly to initialise or free, and recording a few thousand
// values a second is far from what makes it slow.
import { build, type Histogram } from 'hdr-histogram-js';

/** 1 us to 1 hour: a request slower than an hour is clamped to it (and would fail the run long before). */
const HIGHEST_US = 3_600_000_000;

/** Percentiles of a distribution, in ms. */
export interface Percentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  count: number;
}

/** A histogram of milliseconds. */
export class LatencyHistogram {
  readonly #h: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: false });

  /** Records one value in ms (negative values, from a clock read out of order, count as 0). */
  record(ms: number): void {
    this.#h.recordValue(Math.min(HIGHEST_US, Math.max(0, Math.round(ms * 1000))));
  }

  get count(): number {
    return this.#h.totalCount;
  }

  /** The value at a percentile (0-100), in ms; NaN when empty. */
  percentileMs(percentile: number): number {
    // HdrHistogram answers a percentile with the highest value of its bucket, which can lie above the largest value
    // recorded: no percentile exceeds the maximum.
    return this.#h.totalCount === 0 ? Number.NaN : Math.min(this.#h.getValueAtPercentile(percentile), this.#h.maxValue) / 1000;
  }

  /** p50/p95/p99/max in ms, or undefined when nothing was recorded. */
  summary(): Percentiles | undefined {
    if (this.#h.totalCount === 0) return undefined;
    return {
      p50Ms: this.percentileMs(50), p95Ms: this.percentileMs(95), p99Ms: this.percentileMs(99),
      maxMs: this.#h.maxValue / 1000, count: this.#h.totalCount,
    };
  }
}
