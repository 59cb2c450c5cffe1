// Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) and returns its raw JSON; analyze.ts turns that into facts.
import type pg from 'pg';

/** Options of one EXPLAIN run. */
export interface ExplainOptions {
  /**
   * true: per-node timing (TIMING ON), what reports show. false: TIMING OFF, which skips the two clock reads per
   * row and node, so 'Execution Time' is closer to the query's real cost; execbench runs both to report the overhead.
   */
  timing: boolean;
  /** false: plain EXPLAIN (FORMAT JSON), the plan without running the statement (--plans-only). Default true. */
  analyze?: boolean;
}

/**
 * Runs `sql` under EXPLAIN (ANALYZE, BUFFERS, TIMING on|off, FORMAT JSON) and returns the raw JSON
 * (an array with one object having Plan, Planning Time, Execution Time, Triggers and, when JIT ran, JIT).
 *
 * ANALYZE executes the statement. For statements that modify data (INSERT, UPDATE, DELETE, a function that writes)
 * the caller must wrap the call in BEGIN ... ROLLBACK on the same client, so the dataset stays as seeded:
 *
 *     await client.query('BEGIN');
 *     try { plan = await explain(client, sql, params, { timing: true }); } finally { await client.query('ROLLBACK'); }
 *
 * Errors of the statement propagate as node-postgres errors (with their SQLSTATE `code`); translate them with
 * describePgError() from src/errors.ts.
 */
export async function explain(
  client: pg.ClientBase,
  sql: string,
  params: readonly unknown[],
  options: ExplainOptions,
): Promise<unknown> {
  const statement = options.analyze === false
    ? `EXPLAIN (FORMAT JSON) ${sql}`
    : `EXPLAIN (ANALYZE, BUFFERS, TIMING ${options.timing ? 'ON' : 'OFF'}, FORMAT JSON) ${sql}`;
  const result = await client.query({ text: statement, values: [...params] });
  const cell = result.rows[0]?.['QUERY PLAN'];
  // node-postgres parses the json column; a client with custom type parsers may hand back the text instead.
  return typeof cell === 'string' ? (JSON.parse(cell) as unknown) : cell;
}
