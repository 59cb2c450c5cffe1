// The results document: what a run produces, what reports render, and what the gate compares.
// Everything here is plain JSON-serialisable data.
import type { AuditReport } from './audit/types.ts';
import type { PlanFacts } from './plan/types.ts';
import type { IndexMap } from './target/index-map.ts';

/** 2: two clocks per threshold, latency verdicts with intervals (schema 1 documents are upgraded on read). */
export const RESULTS_SCHEMA_VERSION = 2;

/** A single broken expectation of a scenario form. */
export interface Violation {
  /** index-missing: a user's table (run --table) has no index standing for the documented one: about their table, not the document. */
  kind: 'sql-error' | 'index-not-used' | 'index-missing' | 'seq-scan' | 'threshold' | 'buffers' | 'rows-removed' | 'lock' | 'baseline';
  message: string;
  /** The index a violation is about, when there is one (e.g. the documented index not used). */
  index?: string;
  /**
   * A 'baseline' violation's half of the gate: plan (index, plan shape, buffers, rows; deterministic) or time
   * (bootstrap of the median and p95), chosen apart with --fail-on plan / time. Absent in older results.
   */
  half?: BaselineHalf;
}

/** The two halves of the baseline gate: the deterministic plan signals, and time. */
export type BaselineHalf = 'plan' | 'time';

/** How one scenario form ended. Failures of a query are results, not exceptions. */
export type Outcome =
  | { status: 'passed' }
  | { status: 'failed'; violations: Violation[] }
  | { status: 'errored'; error: string }
  | { status: 'skipped'; reason: string };

/** Summary statistics of a latency sample, in milliseconds. */
export interface LatencyStats {
  samples: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  sdMs: number;
  /** Relative margin of error of the mean, percent (95%). */
  rmePct: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Which clock a latency threshold judges: the server's execution time, or the client's round trip. */
export type Clock = 'server' | 'client';

/** How the server clock was read. */
/** How the server clock was read ('explain-analyze': a schema-1 document, EXPLAIN ANALYZE runs with timing on and off). */
export type ServerClockMethod = 'pg_stat_statements' | 'explain-timing-off' | 'explain-analyze';

/** How the client sends the timed query: the extended protocol with an unnamed statement, or a named prepared one. */
export type ClientProtocol = 'unnamed' | 'prepared';

/** A latency threshold's verdict, with the confidence interval of the statistic it judges. */
export interface LatencyVerdict {
  clock: Clock;
  statistic: 'p95';
  limitMs: number;
  /** The point estimate of the statistic (type-7 quantile). */
  estimateMs: number;
  /** Distribution-free (order-statistic) interval; null where the sample is too small to give that bound. */
  ciLowMs: number | null;
  ciHighMs: number | null;
  /** Two-sided confidence of this interval (the per-look level of the sequential rule). */
  confidence: number;
  /** Overall confidence of the verdict across its looks. */
  overallConfidence: number;
  samples: number;
  /** How many looks the sequential rule took (1 = decided at the first). */
  looks: number;
  status: 'passed' | 'failed' | 'inconclusive';
  /** One sentence: the interval against the limit. */
  reason: string;
  /**
   * Set on an inconclusive verdict whose "passed" was out of reach from its first look: the samples a pass needs
   * would cost far more than the per-form cap (--max-form-time), and no sample came near the limit, so sampling
   * stopped there instead of spending the cap on a verdict it could not decide. A note, not a warning; still fatal
   * with --fail-on inconclusive.
   */
  beyondCap?: { neededSamples: number; sampleMs: number; estimatedMs: number; capMs: number };
}

export interface FormLatency {
  /**
   * Client round trip of the plain query (no EXPLAIN): from handing the request to the socket, written in one
   * piece as libpq does, to the arrival of the response's last byte. Decoding the rows into JavaScript values is
   * not in it (see breakdown.decodeMs).
   */
  client: LatencyStats;
  /** Retained client samples (ms), in measurement order, capped for size. */
  clientSamplesMs: number[];
  /** Server execution time (ms), by serverMethod. */
  server: LatencyStats;
  serverSamplesMs: number[];
  /**
   * pg_stat_statements: the executor time of each timed execution (no per-node instrumentation). explain-timing-off:
   * an EXPLAIN (ANALYZE, TIMING OFF) run beside each timed execution, which still counts rows per plan node: used
   * where the extension is not available, and for bulk results (more than 1,000 rows), whose executor time under
   * pg_stat_statements would include sending every row to the client.
   */
  serverMethod: ServerClockMethod;
  protocol: ClientProtocol;
  /** Medians (ms) of EXPLAIN ANALYZE with TIMING ON and OFF, and of pg_stat_statements where available. */
  explainOverhead: { timingOnMs: number; timingOffMs: number; statementsMs?: number };
  /**
   * Where the client's time goes (medians, ms): server execution; for bulk results (more than 1,000 rows) the
   * server's side of sending them (pg_stat_statements minus EXPLAIN: converting rows to text, writing the socket);
   * the wire and protocol (the client round trip minus the server's part); decoding into JS values (timed apart).
   */
  breakdown: { serverMs: number; sendMs?: number; wireMs: number; decodeMs: number; rows: number };
  /**
   * A fast form (under 5 ms): whether each timed execution followed an untimed one of the same statement (a
   * spacer), so that the server clock's read between samples did not disturb it (runner/form-sampler.ts), and why
   * (not). Absent for slower forms, where the disturbance is under 1%, and in older results.
   */
  spacers?: { used: boolean; why: string };
  /**
   * run --calibrate: pgbench's p50 and execbench's for the same query on the same server, in alternating blocks on
   * the form's first parameters (ms); ratio: the median over rounds of execbench's block p50 over pgbench's. rounds is
   * absent in results from before the blocks alternated (one pgbench block beside the run's own p50).
   */
  calibration?: { pgbenchP50Ms: number; execbenchP50Ms: number; ratio: number; mode: 'extended' | 'prepared'; transactions: number; rounds?: number };
}

/** One scenario x scale x form. */
export interface ScenarioResult {
  scenarioId: string;
  /** 'team': a team's own query (--queries), judged on its own limit; its failures are never findings about the document. */
  origin?: 'team';
  title: string;
  spec: string;
  kind: 'read' | 'write' | 'statement';
  scale: string;
  form: 'documented' | 'corrected';
  /** true when this form is the one the gate judges by default (corrected where there is one). */
  gated: boolean;
  sql: string;
  /** Parameters of the EXPLAIN run, as strings. */
  params: string[];
  /** Why the documented form needed a correction (corrected form only). */
  why?: string;
  writtenByExecbench?: string;
  expectedIndexes: string[];
  threshold?: { p95Ms: number; clock: Clock; derived: boolean; source: string };
  outcome: Outcome;
  /** The threshold's verdict (present when the form has a threshold and was measured). */
  latencyVerdict?: LatencyVerdict;
  plan?: PlanFacts;
  /** The raw EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) output. */
  planJson?: unknown;
  latency?: FormLatency;
  /** What the run noticed without failing the form, e.g. a read that returned no rows on the synthetic data. */
  warnings?: string[];
  durationMs: number;
}

/** A statement about the spec that the run proved. */
export interface Finding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  /** Spec section, e.g. '§5 Retention Cleanup Indexes'. */
  spec: string;
  title: string;
  /** What the spec says, what happened, with the evidence (plan line, error text, numbers). */
  detail: string;
  /** The fix, when there is one. */
  fix?: string;
  scenarioId?: string;
  scale?: string;
  /** What the finding is about: the document (default), or the user's own table judged with run --table. */
  about?: 'document' | 'table';
}

/** A headline promise of the spec turned into a check (e.g. ObservabilityPage < 2 s). */
export interface HeadlineCheck {
  id: string;
  scale: string;
  claim: string;
  measured: string;
  passed: boolean;
  detail: string;
  /**
   * The queries the promise needs that were not timed here (not selected, skipped, errored): present, the check is
   * not judged ("not judged: needs ..."), neither held nor failed, and `passed` is false only for older readers.
   */
  unmeasured?: string[];
}

export interface DatasetSummary {
  scale: string;
  schema: string;
  fingerprint: string;
  seed: number;
  focusRows: number;
  totalRows: number;
  tenants: number;
  indexBuild: 'after' | 'during';
  reused: boolean;
  phasesMs: Record<string, number>;
  /** The synthetic data's "now" (ISO): the end of its time window, what pick.anchor() returns. Absent in older results. */
  anchor?: string;
  /** The executions table as the run measured it, read once right before the scenarios of this scale. Absent in older results. */
  tableState?: TableState;
}

/**
 * What a plan's buffers and rows depend on besides the query: the table's live and dead tuples and pages (after the
 * run's VACUUM ANALYZE), and the size of the database's catalog, which catalog queries (pg_stat_user_indexes) read.
 */
export interface TableState {
  /** pg_class.reltuples of executions (exact enough right after VACUUM ANALYZE). */
  rows: number;
  /** pg_stat_user_tables.n_dead_tup of executions: dead tuples a scan still reads past. */
  deadTuples: number;
  /** pg_class.relpages of executions. */
  relpages: number;
  /** Relations in the database's pg_class (every schema, other datasets included). */
  catalogRelations: number;
}

export interface EnvironmentInfo {
  provider: { kind: 'url' | 'container' | 'embedded'; reason: string; detail?: string };
  postgres: { version: string; versionNum: number; settings: Record<string, string> };
  machine: { cpus: number; cpuModel: string; memoryBytes: number; platform: string; node: string };
  gitCommit?: string;
  execbenchVersion: string;
  /** How the server clock was read on this run, and why (pg_stat_statements, or why not). */
  serverClock?: { method: ServerClockMethod; detail: string };
  /** How the client clock sends the timed query. */
  clientClock?: { protocol: ClientProtocol; detail: string };
}

/** The user's table a run --table judged, where, and what execbench did there. */
export interface TableTarget {
  kind: 'table';
  /** schema.table as judged. */
  table: string;
  /** host:port/database, no credentials. */
  server: string;
  role: string;
  /** none: read-only transactions only; rolled-back: --allow-writes ran write scenarios in transactions rolled back. */
  writes: 'none' | 'rolled-back';
  /** EXPLAIN without ANALYZE only: no scenario statement was executed. */
  plansOnly: boolean;
  /** How the parameters were drawn from the table (or its statistics). */
  parameters: string;
  /** The document's indexes mapped to the table's by definition, and the table's indexes the document lacks. */
  indexMap: IndexMap;
  /** Columns of the document's table that this table lacks (scenarios reading them are skipped). */
  missingColumns: string[];
  /** One sentence for every report: what was judged and that nothing was written. */
  statement: string;
}

/** A form the baseline comparison could not compare, and what that means for the gate. */
export interface BaselineGap {
  scenarioId: string;
  scale: string;
  form: 'documented' | 'corrected';
  /** One sentence: why, and (where it fails) the fix. */
  reason: string;
  /** 'plan': fails the plan half of the gate; 'warning': reported, not fatal. */
  gate: 'plan' | 'warning';
}

/** The whole results document written to reports/<run-id>/results.json. */
export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  runId: string;
  startedAt: string;
  finishedAt: string;
  options: {
    scales: string[]; scenarios: string[]; timeBudgetMs: number; strictSpec: boolean;
    /** 'auto': each threshold's own clock; otherwise every threshold judged on this one. */
    clock?: 'auto' | Clock;
    protocol?: ClientProtocol;
    /** The team's query folders (--queries), as given. */
    queries?: string[];
    /** The data shape file (--data-shape) merged over the default shape, as given. */
    dataShape?: string;
  };
  environment: EnvironmentInfo;
  datasets: DatasetSummary[];
  scenarios: ScenarioResult[];
  findings: Finding[];
  headline: HeadlineCheck[];
  /** Index audit per scale (see src/audit). */
  audit?: AuditReport[];
  /** Present when the run was compared with a baseline (--baseline); regressions are also 'baseline' violations (with their half). */
  baseline?: {
    runId: string; warnings: string[]; regressions: number; compared: number;
    /** Counted forms not compared (missing, new, skipped, without a plan): gate 'plan' fails the plan half, 'warning' is reported. Absent in older results. */
    notCompared?: BaselineGap[];
    /** Why no counted form was compared at all, when none was; fails the plan half unless allowMissing. */
    nothingCompared?: string;
    /** --allow-missing: forms the baseline gated and this run did not compare are warnings. */
    allowMissing?: boolean;
  };
  /** Wall-clock of the run's phases, ms. */
  timings: Record<string, number>;
  /** Present when the run judged a user's own table (run --table) instead of execbench's seeded datasets. */
  target?: TableTarget;
  // whatif?: WhatifReport, present for `execbench whatif`, is declared in results-whatif.ts: the what-if types build
  // on this file's (Finding, ScenarioResult), so naming them here would make the two files a circle.
}
