// The ClickHouse analytics scenarios as typed data (scenarios/clickhouse/*.ts), each tied to the PostgreSQL
// scenario whose answer it must reproduce and whose thresholds judge it.
import type { ClickHouseFeature } from './features.ts';

/** The placeholders a ClickHouse scenario's SQL may use; each is also a PostgreSQL parameter by the same name. */
export type AnalyticsParam = 'tenant' | 'environment' | 'from' | 'to';

/** A quantile the answer holds: a column (or one element of an array column) at a level, over `of` in PostgreSQL. */
export interface QuantileColumn {
  column: string;
  level: number;
  /** The element of an array column (quantiles(0.5, 0.95, 0.99) returns one array), 0-based. */
  index?: number;
}

/** How an answer is checked against PostgreSQL's. A mismatch fails the scenario. */
export type AnswerCheck =
  | {
    /** Row-returning queries: same number of rows, same sums, same rows (by key) or, where started_at holds whole
     * seconds only (ClickHouse before 20.1), the same started_at seconds, since ties may then break differently. */
    kind: 'rows';
    key: string;
    sums: string[];
    time: string;
  }
  | {
    /** Aggregates: the same groups (by key), exact columns equal, quantiles within the function's error. */
    kind: 'groups';
    key: string[];
    exact: string[];
    quantiles: QuantileColumn[];
    /**
     * PostgreSQL: per group (the key columns first), `n` (values the quantile is over) and `at`, percentile_cont at
     * the levels array passed as the last parameter ($k::float8[]), in the order the checker asks for.
     */
    distribution: { sql: string; params: AnalyticsParam[] };
  };

/** One analytics query in ClickHouse SQL. */
export interface ClickHouseScenarioDefinition {
  title: string;
  /** The PostgreSQL scenario (scenarios/<id>.ts): its SQL gives the reference answer, its thresholds judge latency. */
  postgres: string;
  /** The materialized-view scenario this query's answer also stands against (the daily stats), when there is one. */
  view?: string;
  /** Whether the spec's "100x faster aggregations" is judged on it (aggregates, not row lists). */
  aggregation: boolean;
  /** ClickHouse SQL with {tenant}, {environment}, {from}, {to}; no FORMAT clause. Table: executions. */
  sql: string;
  /** The PostgreSQL scenario's parameters, by name, in its $1, $2, ... order. */
  postgresParams: AnalyticsParam[];
  /** The window: {from} is the dataset's anchor minus this many days, {to} the anchor. */
  windowDays: number;
  answer: AnswerCheck;
  /** Features beyond what every reachable version has; on a server without one the scenario is skipped naming it. */
  needs?: ClickHouseFeature[];
  /** Why this SQL reads as it does, where it differs from a word-for-word translation. */
  note?: string;
}

/** Identity helper: autocompletion and compile-time checking for scenarios/clickhouse/*.ts. */
export function defineClickHouseScenario(definition: ClickHouseScenarioDefinition): ClickHouseScenarioDefinition {
  return definition;
}
