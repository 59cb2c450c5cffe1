// The server clock: pg_stat_statements where the server has it loaded, EXPLAIN (ANALYZE, TIMING OFF) otherwise.
import type pg from 'pg';
import type { ServerClockMethod } from '../results.ts';
import { timeQuery, type RawResult, type Untimed } from './sampler.ts';

/** Where pg_stat_statements can be read on this connection, or why it cannot. */
export type StatementsProbe =
  | { available: true; schema: string }
  | { available: false; why: string };

/** The raw-text row mode every clock query uses: nothing is decoded that is not read. */
const RAW = { getTypeParser: () => (value: string) => value };

/**
 * In a server execbench started, the extension is created in its own database (the library is preloaded by
 * SERVER_SETTINGS); on a user's server it is only used where it already exists and is loaded.
 */
export async function ensureStatementsExtension(client: pg.ClientBase): Promise<void> {
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
}

/** Finds pg_stat_statements on this connection: installed in the database, loaded, and tracking top-level statements. */
export async function probeStatements(client: pg.ClientBase): Promise<StatementsProbe> {
  const ext = await client.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`);
  const schema = ext.rows[0]?.schema;
  if (schema === undefined) return { available: false, why: 'the pg_stat_statements extension is not installed in this database' };
  try {
    const track = await client.query<{ track: string }>(`SELECT current_setting('pg_stat_statements.track') AS track`);
    if (track.rows[0]?.track === 'none') return { available: false, why: 'pg_stat_statements.track is none' };
    await client.query(`SELECT 1 FROM ${quoteIdent(schema)}.pg_stat_statements(false) LIMIT 1`);
  } catch (error) {
    // 55000: "pg_stat_statements must be loaded via shared_preload_libraries"
    return { available: false, why: `pg_stat_statements is installed but cannot be read (${String((error as Error).message).split('\n')[0]})` };
  }
  return { available: true, schema };
}

/**
 * The query identifier pg_stat_statements files a statement under: EXPLAIN VERBOSE prints the same identifier
 * (compute_query_id is on wherever the extension is loaded). Text format, because the JSON number would lose
 * precision in JavaScript (it is a signed 64-bit integer). Plans only, executes nothing.
 */
export async function statementQueryId(client: pg.ClientBase, sql: string, values: readonly unknown[]): Promise<string | undefined> {
  const result = await client.query<unknown[]>({ text: `EXPLAIN (VERBOSE, FORMAT TEXT) ${sql}`, values: [...values], rowMode: 'array', types: RAW });
  for (const row of result.rows) {
    const match = /Query Identifier: (-?\d+)/.exec(String(row[0]));
    if (match) return match[1];
  }
  return undefined;
}

/** One statement's counters; the difference across one execution is that execution's server time. */
export interface StatementCounters { totalMs: number; calls: number }

/** Reads one statement's counters, on its own or (query, fromResult) as an untimed neighbour of a timed execution. */
export interface StatementsReader {
  read(): Promise<StatementCounters>;
  query: Untimed;
  fromResult(result: RawResult): StatementCounters;
}

export function statementsReader(client: pg.ClientBase, schema: string, queryId: string): StatementsReader {
  // pg_stat_statements(false): the counters without the query texts (no read of the texts file).
  const query: Untimed = {
    sql: `SELECT coalesce(sum(total_exec_time), 0), coalesce(sum(calls), 0) FROM ${quoteIdent(schema)}.pg_stat_statements(false)
    WHERE queryid = $1 AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND userid = current_user::regrole::oid`,
    values: [queryId],
  };
  const fromResult = (result: RawResult): StatementCounters => {
    const row = result.rows[0] ?? ['0', '0'];
    return { totalMs: Number(row[0]), calls: Number(row[1]) };
  };
  return {
    query, fromResult,
    async read() {
      return fromResult((await timeQuery(client, query.sql, query.values ?? [], 'unnamed')).result());
    },
  };
}

/** A one-line description of a server clock method, for reports. */
export function describeServerClock(method: ServerClockMethod): string {
  switch (method) {
    case 'pg_stat_statements':
      return 'pg_stat_statements: executor time of each timed execution, no per-node instrumentation';
    case 'explain-timing-off':
      return 'EXPLAIN (ANALYZE, TIMING OFF): execution time of a run beside each timed execution, with per-node row counting';
    case 'explain-analyze':
      return 'EXPLAIN ANALYZE runs with timing on and off (a results document of schema 1, before pg_stat_statements)';
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
