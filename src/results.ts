// The results document: what a run produces, what reports render, and what the gate compares.
// Everything here is plain JSON-serialisable data.
import type { AuditReport } from './audit/types.ts';
import type { PlanFacts } from './plan/types.ts';
import type { WhatifReport } from './whatif/types.ts';

export const RESULTS_SCHEMA_VERSION = 1;

/** A single broken expectation of a scenario form. */
export interface Violation {
  kind: 'sql-error' | 'index-not-used' | 'seq-scan' | 'threshold' | 'buffers' | 'rows-removed' | 'lock' | 'baseline';
  message: string;
  /** The index a violation is about, when there is one (e.g. the documented index not used). */
  index?: string;
}

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

export interface FormLatency {
  /** Client round trip of the plain query (no EXPLAIN), from tinybench. */
  client: LatencyStats;
  /** Retained client samples (ms), in measurement order, capped for size. */
  clientSamplesMs: number[];
  /** Server execution time from EXPLAIN ANALYZE runs (ms). */
  server: LatencyStats;
  serverSamplesMs: number[];
  /** EXPLAIN ANALYZE with full timing vs TIMING OFF, median execution ms of each. */
  explainOverhead: { timingOnMs: number; timingOffMs: number };
}

/** One scenario x scale x form. */
export interface ScenarioResult {
  scenarioId: string;
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
  threshold?: { p95Ms: number; derived: boolean; source: string };
  outcome: Outcome;
  plan?: PlanFacts;
  /** The raw EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) output. */
  planJson?: unknown;
  latency?: FormLatency;
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
}

/** A headline promise of the spec turned into a check (e.g. ObservabilityPage < 2 s). */
export interface HeadlineCheck {
  id: string;
  scale: string;
  claim: string;
  measured: string;
  passed: boolean;
  detail: string;
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
}

export interface EnvironmentInfo {
  provider: { kind: 'url' | 'container' | 'embedded'; reason: string; detail?: string };
  postgres: { version: string; versionNum: number; settings: Record<string, string> };
  machine: { cpus: number; cpuModel: string; memoryBytes: number; platform: string; node: string };
  gitCommit?: string;
  execbenchVersion: string;
}

/** The whole results document written to reports/<run-id>/results.json. */
export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  runId: string;
  startedAt: string;
  finishedAt: string;
  options: { scales: string[]; scenarios: string[]; timeBudgetMs: number; strictSpec: boolean };
  environment: EnvironmentInfo;
  datasets: DatasetSummary[];
  scenarios: ScenarioResult[];
  findings: Finding[];
  headline: HeadlineCheck[];
  /** Index audit per scale (see src/audit). */
  audit?: AuditReport[];
  /** Present when the run was compared with a baseline (--baseline); regressions are also 'baseline' violations. */
  baseline?: { runId: string; warnings: string[]; regressions: number; compared: number };
  /** Wall-clock of the run's phases, ms. */
  timings: Record<string, number>;
  /** Present for `execbench whatif`: schema variants side by side, ablation, generic plans, crossovers (src/whatif). */
  whatif?: WhatifReport;
}
