// The Option 3 results document (results.json of `execbench run --engine clickhouse` and bench:analytics).
import type { LatencyStats, LatencyVerdict } from '../results.ts';
import type { AnswerCheckResult } from './check-answer.ts';
import type { CopyInfo } from './load.ts';

export const OPTION3_SCHEMA_VERSION = 1;

/** A ratio of medians, slower side over faster, with its bootstrap interval. */
export interface MedianRatio {
  /** e.g. PostgreSQL live / ClickHouse: 120 means ClickHouse answered 120x faster. */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  confidence: number;
  clock: 'client';
  /** The two medians the ratio is of (interleaved rounds only), ms. */
  slowerMedianMs: number;
  fasterMedianMs: number;
}

/** One engine's answer to one scenario at one scale. */
export interface EngineOutcome {
  engine: string;
  kind: 'embedded' | 'server' | 'cluster';
  /** passed: right answer, latency not failed; failed: wrong answer or latency over the limit; inconclusive: right answer, latency undecided. */
  status: 'passed' | 'failed' | 'inconclusive' | 'errored' | 'skipped';
  reason?: string;
  sql?: string;
  check?: AnswerCheckResult;
  client?: LatencyStats;
  /** ClickHouse's own elapsed time (FORMAT JSON statistics / chdb's result). */
  server?: LatencyStats;
  clientSamplesMs?: number[];
  serverSamplesMs?: number[];
  verdict?: LatencyVerdict;
  /** PostgreSQL's median over this engine's (client clocks). */
  vsPostgres?: MedianRatio;
  /** The materialized view's median over this engine's: below 1, the view answers faster. */
  vsView?: MedianRatio;
}

export interface ScenarioOutcome {
  id: string;
  title: string;
  postgresScenario: string;
  aggregation: boolean;
  /** The PostgreSQL form measured beside (client clock), and the view's where the scenario has one. */
  postgres?: { client: LatencyStats; clientSamplesMs: number[] };
  view?: { scenario: string; client: LatencyStats; clientSamplesMs: number[] };
  engines: EngineOutcome[];
}

export interface ScaleOutcome {
  scale: string;
  focusRows: number;
  totalRows: number;
  pgSchema: string;
  postgresStorage: { tableBytes: number; indexBytes: number; viewBytes: number | null };
  copies: CopyInfo[];
  /** Small incremental batches (PostgreSQL -> ClickHouse) per engine: the fixed cost behind the copy's lag. */
  batches: { engine: string; rows: number; medianMs: number; samples: number }[];
  scenarios: ScenarioOutcome[];
}

/** A claim of the spec judged with its evidence. */
export interface Option3Finding {
  id: string;
  scale: string;
  engine: string;
  claim: string;
  status: 'passed' | 'failed' | 'inconclusive';
  measured: string;
  detail: string;
}

export interface Option3Results {
  schemaVersion: typeof OPTION3_SCHEMA_VERSION;
  kind: 'execbench-option3';
  runId: string;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; loadAverage: number[]; node: string; note: string };
  postgres: { version: string; where: string };
  engines: { label: string; kind: string; version: string; clientClock: string }[];
  /** Engines that could not be used, each with its one-line reason (e.g. the cluster script failed). */
  skippedEngines: { engine: string; reason: string }[];
  options: { scales: string[]; budgetMs: number };
  scales: ScaleOutcome[];
  findings: Option3Finding[];
}
