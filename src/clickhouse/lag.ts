// Pure: how far behind PostgreSQL the analytics copy is, for an ingestion rate, when new rows are copied in
// batches every `intervalS` seconds. A model with measured inputs (not a measurement of a live pipeline, which
// would mean writing into PostgreSQL): a batch of n rows costs fixedMs + n / bulkRowsPerSecond, where fixedMs is
// what a measured 1000-row batch took beyond its rows' share of the bulk rate.

export interface LagInputs {
  /** Median ms of a measured batch of batchRows rows (PostgreSQL COPY -> ClickHouse INSERT). */
  batchMs: number;
  batchRows: number;
  /** The bulk load's rows per second. */
  bulkRowsPerSecond: number;
}

/** The per-batch cost that does not grow with the batch, ms (never negative). */
export function fixedBatchMs(inputs: LagInputs): number {
  return Math.max(0, inputs.batchMs - (inputs.batchRows / inputs.bulkRowsPerSecond) * 1000);
}

/**
 * The worst lag of a row, ms: it arrives just after a batch was cut, waits the interval, then its batch is copied.
 * Infinity when the copy cannot keep up (a batch takes longer than the interval it covers).
 */
export function worstLagMs(ratePerSecond: number, intervalS: number, inputs: LagInputs): number {
  if (!(ratePerSecond >= 0) || !(intervalS > 0)) throw new RangeError(`worstLagMs: rate must be >= 0 and interval > 0, got ${ratePerSecond}/s every ${intervalS} s`);
  const copyMs = fixedBatchMs(inputs) + ((ratePerSecond * intervalS) / inputs.bulkRowsPerSecond) * 1000;
  return copyMs > intervalS * 1000 ? Number.POSITIVE_INFINITY : intervalS * 1000 + copyMs;
}

/** The ingestion rates the report shows: a quiet tenant, a busy one, the spec's "millions of executions per month" and beyond. */
export const LAG_RATES_PER_SECOND = [1, 10, 100, 1000] as const;
export const LAG_INTERVAL_S = 1;
