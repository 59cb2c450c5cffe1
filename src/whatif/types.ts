// The what-if document: schema variants side by side, what each index is worth, generic plans and plan
// crossovers. Plain JSON data, carried in RunResults.whatif and rendered by src/report/whatif-section.ts.
import type { PlanFacts } from '../plan/types.ts';
import type { LayoutProbe } from './layout-probe.ts';
import type { Finding, ScenarioResult } from '../results.ts';

/** One statement of a variant file: a CREATE INDEX or DROP INDEX, with the sentence that justifies it. */
export interface VariantStatement {
  /** table: a table variant's CREATE TABLE executions (its `index` is 'executions'). */
  kind: 'create' | 'drop' | 'table';
  /** The index the statement creates or drops. */
  index: string;
  sql: string;
  /** The `-- why:` sentence in force for this statement. */
  why: string;
  /** schema/variants/<name>/<file> and the line the statement's code starts on. */
  file: string;
  line: number;
}

/** extend/replace: indexes on top of or instead of schema/'s, on the dataset's rows; table: a partitioned copy of them. */
export type VariantMode = 'extend' | 'replace' | 'table';
/** How a table variant cuts the dataset's range of its partition column. */
export type PartitionEvery = 'month' | 'quarter';

/** A schema variant: SQL files under schema/variants/<name>/, applied on top of (extend) or instead of (replace) schema/'s indexes, or (table) a table of its own. */
export interface SchemaVariant {
  name: string;
  mode: VariantMode;
  /** A table variant's partition key and interval. */
  partition?: { column: string; every: PartitionEvery };
  /** The files, relative to the project root, in apply order. */
  files: string[];
  statements: VariantStatement[];
}

/** The judged latency of one form: the lead's latencyVerdict when present, else the client p95 with no interval. */
export interface JudgedLatency {
  clock: 'server' | 'client';
  statistic: 'p95';
  estimateMs: number;
  ciLowMs?: number;
  ciHighMs?: number;
  status?: 'passed' | 'failed' | 'inconclusive';
}

/** One index of a variant, as built. */
export interface VariantIndex {
  name: string;
  definition: string;
  sizeBytes: number;
  isPrimary: boolean;
}

/** Ingest cost of one batch: all indexes vs the primary key alone, and each index's own share. */
export interface VariantWriteCost {
  rows: number;
  repetitions: number;
  allIndexesMedianMs: number;
  primaryKeyOnlyMedianMs: number;
  /** allIndexesMedianMs / primaryKeyOnlyMedianMs */
  ratio: number;
  /** Bootstrap interval of that ratio (iid resampling of the repetitions: they alternate, so no drift runs). */
  ratioInterval: { low: number; high: number; confidence: number };
  /** Per non-primary index: median(pk + this index) - median(pk only), ms, and that as a share of (all - pk only). */
  perIndex: { index: string; marginalMs: number; share: number }[];
  method: string;
}

/** One scenario form on one variant, as the side-by-side table shows it. */
export interface VariantFormRow {
  scenarioId: string;
  form: 'documented' | 'corrected';
  status: ScenarioResult['outcome']['status'];
  reason: string;
  judged: JudgedLatency | null;
  /** describeAccess() of the plan: what it read. */
  access: string;
  indexes: string[];
  sharedBlocks: number | null;
  /** true when an expected index was used (or none is expected) and no Seq Scan on executions was needed. */
  usesIndex: boolean;
  /** On a partitioned table: the partitions the plan touched (see PlanFacts.partitions). */
  partitions?: NonNullable<PlanFacts['partitions']>;
}

/** What dropping one index (in a rolled-back savepoint) did to the scenarios that used or expect it. */
export interface AblationRow {
  index: string;
  sizeBytes: number;
  /** This index's share of the variant's write cost (marginal insert time / (all - pk only)); null when not measured. */
  writeShare: number | null;
  writeMarginalMs: number | null;
  /** Scenario forms re-run without the index. */
  affected: AblationEffect[];
  /** No scenario used or expects it: the spec's "0 scans ... consider dropping it" applies. */
  unneeded: boolean;
}

export interface AblationEffect {
  scenarioId: string;
  form: 'documented' | 'corrected';
  planChanged: boolean;
  accessBefore: string;
  accessAfter: string;
  statusBefore: string;
  statusAfter: string;
  /** without / with, on the judged statistic's samples (client clock), with a bootstrap interval. */
  latencyRatio: { statistic: 'median' | 'p95'; estimate: number; ciLow: number; ciHigh: number; confidence: number } | null;
  /** Shared buffers hit+read of one execution, without / with. */
  buffersRatio: number | null;
  buffersBefore: number | null;
  buffersAfter: number | null;
}

/** A read scenario's form run as an application runs it: prepared, parameters bound, plan_cache_mode = force_generic_plan. */
export interface GenericPlanRow {
  scenarioId: string;
  form: 'documented' | 'corrected';
  /** The prepared statement's text (literals an application binds turned into parameters). */
  sql: string;
  /** Literals that became parameters, e.g. normalized_status = 'error'. */
  boundLiterals: string[];
  customAccess: string;
  genericAccess: string;
  customContractHolds: boolean;
  genericContractHolds: boolean;
  /** generic / custom client time of EXECUTE, alternating samples, bootstrap interval of the median. */
  latencyRatio: { estimate: number; ciLow: number; ciHigh: number; confidence: number } | null;
  customMedianMs: number | null;
  genericMedianMs: number | null;
  /** Samples per plan mode behind the ratio. */
  samples: number;
  /** Why the generic plan differs, when it does (e.g. a partial index whose predicate names a literal). */
  why?: string;
  /** On a partitioned table: the partitions each plan touched (a generic plan prunes at executor start, if at all). */
  partitions?: { custom: NonNullable<PlanFacts['partitions']>; generic: NonNullable<PlanFacts['partitions']> };
  error?: string;
}

/** One rung of a crossover ladder: a tenant of a given size and the plan the planner picks for it. */
export interface CrossoverRung {
  tenantRows: number;
  tenantId: string;
  plan: string;
  estimatedCost: number;
  estimatedRows: number;
  /** EXPLAIN ANALYZE execution time, measured only next to a flip. */
  measuredMs?: number;
}

/** A size between two rungs where the planner's choice changes. */
export interface Crossover {
  scenarioId: string;
  form: 'documented' | 'corrected';
  fromRows: number;
  toRows: number;
  fromPlan: string;
  toPlan: string;
  fromCost: number;
  toCost: number;
  fromMeasuredMs?: number;
  toMeasuredMs?: number;
}

export interface CrossoverLadder {
  scenarioId: string;
  form: 'documented' | 'corrected';
  rungs: CrossoverRung[];
}

/** Findings that share one cause. */
export interface FindingGroup {
  cause: string;
  severity: Finding['severity'];
  scenarios: string[];
  scales: string[];
  /** How many individual findings this group replaces. */
  findings: number;
  /** The change in the query that removes it. */
  queryFix?: string;
  /** The change in the recommended index set that removes it, when that variant fixes it (measured). */
  indexFix?: string;
  /** true when the cause remains on every variant (e.g. SQL that is not PostgreSQL): the corrected SQL is needed. */
  needsCorrectedSql: boolean;
}

/** One variant at one scale. */
export interface VariantRun {
  variant: string;
  scale: string;
  indexes: VariantIndex[];
  totalIndexBytes: number;
  writeCost: VariantWriteCost | null;
  writeCostError?: string;
  rows: VariantFormRow[];
  ablation: AblationRow[];
  generic: GenericPlanRow[];
  ladders: CrossoverLadder[];
  crossovers: Crossover[];
  durationMs: number;
  /** Paired samples of the covering-index scenario with and without the covering index (see pairedDropSamples). */
  coveringPaired?: { withMs: number[]; withoutMs: number[]; plans: string };
  /** Wall-clock of each phase (apply + REINDEX, scenarios, generic, crossover, ablation, writeCost), ms. */
  phasesMs: Record<string, number>;
  /** A table variant's layout: the partitioned copy it was measured on. */
  layout?: VariantLayout;
}

/** One partition of a table variant, as built. */
export interface PartitionInfo {
  name: string;
  /** Inclusive lower and exclusive upper bound (ISO dates); null for the DEFAULT partition. */
  from: string | null;
  to: string | null;
  /** From the partition's statistics (reltuples) after ANALYZE. */
  rows: number;
  bytes: number;
}

/** The partitioned copy a table variant was measured on. */
export interface VariantLayout {
  schema: string;
  partitionColumn: string;
  every: PartitionEvery;
  partitions: PartitionInfo[];
  /** true when an earlier run's copy was reused; buildMs is then empty. */
  reused: boolean;
  buildMs: Record<string, number>;
  /** What no plan shows: keys, never-started rows, idempotency (absent when the probe failed: probeError). */
  probe?: LayoutProbe;
  probeError?: string;
}

/** The covering index rule of the spec ("Benchmark shows significant improvement (>30%)"), judged by ablation. */
export interface CoveringVerdict {
  variant: string;
  scale: string;
  index: string;
  /** latency with the index / without it; improvement = 1 - ratio. */
  improvementPct: number | null;
  ciLowPct: number | null;
  ciHighPct: number | null;
  verdict: 'holds' | 'does not hold' | 'inconclusive' | 'not measured';
  detail: string;
}

export interface WhatifReport {
  variants: SchemaVariant[];
  runs: VariantRun[];
  /** What a table variant's layout changes (layout-findings.ts); absent in older documents. */
  layoutFindings?: Finding[];
  groups: FindingGroup[];
  /** Number of ungrouped findings of the reference variant (the run's list). */
  ungroupedFindings: number;
  covering: CoveringVerdict[];
  /** What the comparison variant fixes relative to the reference, per scale, measured. */
  fixes: { scale: string; reference: string; variant: string; fixed: string[]; broken: string[]; indexBytesDelta: number; writeRatioDelta: number | null }[];
  method: string[];
}
