import type { DatasetShape } from './config.ts';

/** A scale: the number of focus-tenant executions, with its label ('100k', '1m' or the integer). */
export interface ScaleSpec {
  label: string;
  focusRows: number;
}

/** What a dataset must be; every field is part of its fingerprint. */
export interface DatasetRequest {
  scale: ScaleSpec;
  seed: number;
  indexBuild: 'after' | 'during';
  optional: { coveringIndex: boolean; dailyStats: boolean };
  /** The rows' shape (--data-shape merged over DATASET_SHAPE); absent: DATASET_SHAPE. Part of the fingerprint. */
  shape?: DatasetShape;
  /** Rebuild even if a matching dataset exists. */
  fresh: boolean;
}

/** What the seeder knows about a ready dataset; the runner derives query parameters from it. */
export interface DatasetInfo {
  /** The Postgres schema holding this dataset (execbench_<label>), marked as execbench's own. */
  schema: string;
  /** Hash of generator version, seed, scale, schema checksum, index-build mode and optional parts. */
  fingerprint: string;
  reused: boolean;
  request: DatasetRequest;
  counts: { focusRows: number; totalRows: number; tenants: number };
  phasesMs: Record<string, number>;
  /** The end of the time window started_at spans (ISO, the shape's time.anchor); queries anchor their windows here, not at now(). */
  anchor: string;
  focus: {
    tenantId: string;
    /** By traffic, busiest first. */
    environments: { id: string; name: string; rows: number }[];
    /** By popularity, most popular first. */
    workflows: { id: string; name: string; rows: number }[];
  };
}
