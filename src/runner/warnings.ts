// Pure: what a run notices about a form without failing it. A read that returns no rows measured nothing useful:
// its parameters matched nothing in the synthetic data (a window relative to the real today, say, while the data's
// "now" is fixed), so its latency and plan are those of an empty result.

/**
 * The warning for a read form with parameters whose executions returned no rows (the EXPLAIN run's and the last
 * timed sample's), or undefined. Writes and statements are not warned about (a DELETE may rightly find nothing), nor
 * reads without parameters: the monitoring queries read the catalog, where "no unused index" is an answer.
 */
export function noRowsWarning(
  form: { kind: 'read' | 'write' | 'statement'; parameters: number; rowsSeen: readonly number[] }, scale: string, anchor: string,
  /** The user's own table (run --table): its "now" is its newest started_at, not the synthetic data's. */
  table?: string,
): string | undefined {
  if (form.kind !== 'read' || form.parameters === 0 || form.rowsSeen.length === 0 || form.rowsSeen.some((rows) => rows > 0)) return undefined;
  return table
    ? `returned no rows on ${table}: its parameters matched nothing there (no such rows for the busiest tenant, a window with no rows, or a page past its rows; pick.anchor() is just after its newest started_at, ${anchor}), so its plan and time are those of an empty result`
    : `returned no rows at ${scale}: its parameters matched nothing in the data; the synthetic data's now is ${anchor} (pick.anchor())`;
}
