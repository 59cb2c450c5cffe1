// Pure: how much a dataset writes, estimated before it is written (the consent question, the disk-space check).
import { planDataset } from './generate.ts';
import type { DatasetRequest } from './types.ts';

// Bytes a dataset occupies per row, all relations of its schema together (heap, TOAST, every index, the daily-stats
// view). Measured here on embedded PostgreSQL 17.10, generator execbench-seed-1, seed 20261124: the sum of
// pg_total_relation_size over the schema's tables and materialized views, divided by its rows, was 751.6 bytes/row
// at 100k (140,000 rows, 105,226,240 bytes) and 751.0 at 1m (1,400,000 rows, 1,051,418,624 bytes) with the optional
// covering index and view; 699.6 without them (100k); 1005.6 with --index-build during (100k, optional parts on:
// B-trees grown by inserts are less dense than ones built from a sort).
const BYTES_PER_ROW = { after: 752, during: 1006 } as const;
const OPTIONAL_BYTES_PER_ROW = 52;

/** Rows and bytes (estimated) a request's dataset writes. */
export function estimateDatasetWrite(request: DatasetRequest): { rows: number; bytes: number } {
  const rows = planDataset({ scale: request.scale, seed: request.seed }).totalRows;
  const optional = request.optional.coveringIndex || request.optional.dailyStats;
  const perRow = BYTES_PER_ROW[request.indexBuild] - (optional ? 0 : OPTIONAL_BYTES_PER_ROW);
  return { rows, bytes: Math.round(rows * perRow) };
}
