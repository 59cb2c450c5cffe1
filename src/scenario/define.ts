import type { Clock } from '../results.ts';

/** The two scales the spec benchmarks; a custom integer scale borrows the nearest one's thresholds. */
export type NamedScale = '100k' | '1m';
export const NAMED_SCALES: readonly NamedScale[] = ['100k', '1m'] as const;

/**
 * A latency threshold for one scale: the p95 of one clock under p95Ms. 'server' is the server's execution time
 * (what the spec's benchmark tables call "Execution Time", as EXPLAIN ANALYZE prints it); 'client' is the round
 * trip an application waits for (the Overview's promises: dashboard < 2 s, paginated queries < 500 ms).
 */
export interface Threshold {
  p95Ms: number;
  clock: Clock;
  /** true when the spec gives no figure for this scale and execbench derived one. */
  derived?: boolean;
  /** Where the number comes from: the spec's table row, or how it was derived. */
  source: string;
}

/** What a scenario's plan must show. */
export interface PlanContract {
  /** Acceptable indexes: the plan must use at least one of them (first = the documented one). */
  indexes?: string[];
  /** The plan must not Seq Scan these relations. */
  noSeqScanOn?: string[];
  /** Upper bound on shared buffers hit+read for one execution. */
  maxSharedBlocks?: number;
  /** Upper bound on rows removed by filter, summed over the plan. */
  maxRowsRemovedByFilter?: number;
}

/** Parameter sources drawn deterministically from the seeded dataset; `i` rotates through a pool. */
export interface ParamPicker {
  tenant(): string;
  /** The focus tenant's busiest environment, or with a rank the rank-th busiest (0 = busiest). */
  environment(rank?: number): string;
  /** A workflow of the focus tenant by popularity: 'popular' (rank 1) or 'rare' (least used that still has rows). */
  workflow(kind: 'popular' | 'rare'): string;
  /** A primary-key id of an existing focus-tenant row, rotating with the iteration. */
  executionId(): string;
  /** An existing (environment, execution_id) pair of the focus tenant, for the upsert conflict path. */
  existingEngineExecution(): { environmentId: string; executionId: string };
  /** A fresh, never-seen engine execution id for the insert path. */
  newEngineExecutionId(): string;
  /** A fresh uuid for inserts. */
  newUuid(): string;
  /** The dataset's "now": the end of its time window (2026-11-01T00:00:00.000Z by default), ISO string. */
  anchor(): string;
  /** anchor minus `days` (ISO), shifted slightly by iteration so windows rotate. */
  daysBeforeAnchor(days: number): string;
  /** A retention cutoff that leaves more than one full batch (>= 1000 rows) of the focus tenant older than it. */
  retentionCutoff(): string;
  /** A cutoff on created_at for never-started rows: older than it there is at least one such row. */
  neverStartedCutoff(): string;
  /** 0-based iteration number (for rotating pages etc.). */
  iteration(): number;
}

/** One SQL form of a scenario. */
export interface SqlForm {
  sql: string;
  params: (pick: ParamPicker) => unknown[];
}

/**
 * A scenario module's default export: one documented query pattern, as typed data. A team's own query
 * (defineQuery, src/scenario/query.ts) becomes one too, with origin 'team'.
 */
export interface ScenarioDefinition {
  title: string;
  /** 'team': a query the team added (--queries), judged on its own limit; never a finding about the document. */
  origin?: 'team';
  /** Spec section this comes from, e.g. '§3 idx_executions_tenant_env_failed_started'. */
  spec: string;
  /** read: measured as is; write: every execution is rolled back; statement: DDL/maintenance, run once in a rolled-back transaction where possible. */
  kind: 'read' | 'write' | 'statement';
  /** The SQL exactly as the spec prints it, `?` replaced by `$n`. */
  documented: SqlForm & {
    /** Set when the spec prints no SQL for this pattern and execbench wrote the natural one. */
    writtenByExecbench?: string;
  };
  /** The smallest correction that makes the documented form right, and one sentence on why it is needed. */
  corrected?: SqlForm & { why: string };
  /** When the documented form fails and no single-statement correction exists: why, and the fix in words. */
  noCorrection?: { why: string; fix: string };
  expect: PlanContract;
  /** Why the contract accepts alternative indexes (expect.indexes after the first), in one clause. */
  alternativeReason?: string;
  /** Latency thresholds per scale; null for statements the spec gives no time for (judged on running and plan only). */
  thresholds: Record<NamedScale, Threshold> | null;
  /** Optional schema parts this scenario needs (skipped with a reason when absent). */
  requires?: ('covering-index' | 'daily-stats-view')[];
  /** Scenario ids this one is grouped with for headline checks, e.g. 'observability-page'. */
  groups?: ('observability-page' | 'paginated')[];
}

/** A scenario with its id (the file name without extension), as the loader returns it. */
export interface LoadedScenario {
  id: string;
  /** Absolute path of the module. */
  file: string;
  /** The file as messages and reports name it: scenarios/x.ts, or a --queries file relative to the working folder. */
  label: string;
  definition: ScenarioDefinition;
}

/** Identity helper: gives scenario files autocompletion and compile-time checking. */
export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  return definition;
}

/**
 * Whether the gate counts a form: what an application should run, the correction where there is one; a documented
 * statement with no single-statement correction (noCorrection) is a finding, gated only by --strict-spec.
 */
export function isGatedForm(definition: Pick<ScenarioDefinition, 'corrected' | 'noCorrection'>, form: 'documented' | 'corrected'): boolean {
  return form === 'corrected' || (definition.corrected === undefined && definition.noCorrection === undefined);
}

/** Reads first, writes last: a rolled-back write still leaves dead tuples behind for the reads after it. */
export const KIND_ORDER: Readonly<Record<ScenarioDefinition['kind'], number>> = { read: 0, statement: 1, write: 2 };
