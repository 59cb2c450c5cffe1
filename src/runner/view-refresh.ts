// The spec's Option 2 (the daily-stats materialized view) is only as good as its refresh: how long it takes, the lock it
// holds, and what a dashboard read waits meanwhile. Measured on the dataset in transactions that are rolled back
// (REFRESH, CONCURRENTLY included, is transactional; so is the unique index CONCURRENTLY needs), so the view is left
// as it was. Samples and facts only; the words are describeViewRefresh's.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { describePgError } from '../errors.ts';
import { connectToDataset } from './session.ts';
import { median } from './statistics.ts';

const VIEW = 'execution_stats_daily';
/** The smallest index that lets REFRESH ... CONCURRENTLY run: unique, no WHERE, on the view's GROUP BY keys. */
export const CONCURRENT_REFRESH_FIX = `CREATE UNIQUE INDEX execution_stats_daily_key ON ${VIEW} (tenant_id, environment_id, date)`;

/** One refresh, with a dashboard read sent while it ran. */
export interface RefreshRun {
  refreshMs: number;
  /** The lock the refreshing session held on the view while it ran (pg_locks mode), as seen from another session. */
  lockMode: string | null;
  /** The read's time while the refresh ran, and alone (median of 5), ms: the difference is what it waited. */
  readDuringMs: number;
  readAloneMs: number;
}

export interface ViewRefreshFacts {
  rows: number;
  plain: RefreshRun;
  /** With the document's index only: the error PostgreSQL gives, or a run where it succeeded. */
  concurrentWithSpecIndex: { error: string } | { run: RefreshRun };
  /** With CONCURRENT_REFRESH_FIX added (in the same rolled-back transaction). */
  concurrentWithFix: { error: string } | { run: RefreshRun };
}

/** The median time of `times` sequential calls, ms. */
async function medianTime(times: number, fn: () => Promise<void>): Promise<number> {
  const all: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    all.push(performance.now() - t0);
  }
  return median(all);
}

/**
 * Runs one refresh on `writer` (inside its open transaction) while `read` (on another session) is sent and `watcher`
 * reads pg_locks; the writer's transaction ends (rolled back) as soon as the refresh does.
 */
async function refreshWithRead(writer: pg.Client, watcher: pg.Client, refreshSql: string, read: () => Promise<unknown>, readAloneMs: number): Promise<RefreshRun> {
  const pid = (await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const t0 = performance.now();
  const refreshing = writer.query(refreshSql).then(() => performance.now() - t0).finally(() => writer.query('ROLLBACK').catch(() => undefined));
  // Awaited below, after the read: marked handled now, so a refresh that fails at once (CONCURRENTLY without a unique
  // index) is not an unhandled rejection meanwhile.
  refreshing.catch(() => undefined);
  // Watch for the refresh's lock on the view, then send the read while it is held.
  let lockMode: string | null = null;
  for (let i = 0; i < 200 && lockMode === null; i++) {
    const { rows } = await watcher.query<{ mode: string }>(
      `SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = $1 AND c.relname = $2 AND l.granted
        ORDER BY CASE l.mode WHEN 'AccessExclusiveLock' THEN 0 WHEN 'ExclusiveLock' THEN 1 ELSE 2 END LIMIT 1`, [pid, VIEW]);
    lockMode = rows[0]?.mode ?? null;
    if (lockMode === null) await new Promise((r) => setTimeout(r, 2));
  }
  const r0 = performance.now();
  await read();
  const readDuringMs = performance.now() - r0;
  const refreshMs = await refreshing;
  return { refreshMs, lockMode, readDuringMs, readAloneMs };
}

/** Measures a plain refresh, CONCURRENTLY with the document's index, and CONCURRENTLY with the smallest fix. */
export async function measureViewRefresh(connectionString: string, schema: string, readSql: string, readParams: unknown[]): Promise<ViewRefreshFacts> {
  const writer = await connectToDataset(connectionString, schema);
  const reader = await connectToDataset(connectionString, schema);
  const watcher = await connectToDataset(connectionString, schema);
  try {
    const rows = Number((await reader.query<{ n: string }>(`SELECT count(*) AS n FROM ${VIEW}`)).rows[0]!.n);
    const read = () => reader.query({ text: readSql, values: readParams });
    const readAloneMs = await medianTime(5, async () => { await read(); });
    // One untimed refresh first (rolled back): the measured ones all find the table's pages where the first left them,
    // so the first of them is not the only one reading from disk.
    await writer.query('BEGIN');
    await writer.query(`REFRESH MATERIALIZED VIEW ${VIEW}`);
    await writer.query('ROLLBACK');
    await writer.query('BEGIN');
    const plain = await refreshWithRead(writer, watcher, `REFRESH MATERIALIZED VIEW ${VIEW}`, read, readAloneMs);
    const attempt = async (withFix: boolean): Promise<{ error: string } | { run: RefreshRun }> => {
      await writer.query('BEGIN');
      if (withFix) await writer.query(CONCURRENT_REFRESH_FIX);
      try {
        // Fails at once without a unique index (checked before any work since PostgreSQL 9.6): nothing waits.
        return { run: await refreshWithRead(writer, watcher, `REFRESH MATERIALIZED VIEW CONCURRENTLY ${VIEW}`, read, readAloneMs) };
      } catch (error) {
        await writer.query('ROLLBACK').catch(() => undefined);
        return { error: describePgError(error).split('\n')[0]! };
      }
    };
    const concurrentWithSpecIndex = await attempt(false);
    const concurrentWithFix = await attempt(true);
    return { rows, plain, concurrentWithSpecIndex, concurrentWithFix };
  } finally {
    await writer.query('ROLLBACK').catch(() => undefined);
    await Promise.all([writer, reader, watcher].map((c) => c.end().catch(() => undefined)));
  }
}

/** Pure: the facts as the sentences a report prints. */
export function describeViewRefresh(f: ViewRefreshFacts): string[] {
  const ms = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));
  const run = (r: RefreshRun) => `took ${ms(r.refreshMs)} ms holding ${r.lockMode ?? 'no lock seen'} on the view; a dashboard read sent meanwhile took ${ms(r.readDuringMs)} ms (${ms(r.readAloneMs)} ms alone)`;
  const lines = [`REFRESH MATERIALIZED VIEW ${VIEW} (${f.rows.toLocaleString('en-US')} rows) ${run(f.plain)}: reads wait for the whole refresh.`];
  lines.push('error' in f.concurrentWithSpecIndex
    ? `REFRESH ... CONCURRENTLY fails with the document's index (idx_execution_stats_daily_tenant_date is not unique): ${f.concurrentWithSpecIndex.error}.`
    : `REFRESH ... CONCURRENTLY with the document's index ${run(f.concurrentWithSpecIndex.run)}.`);
  lines.push('error' in f.concurrentWithFix
    ? `REFRESH ... CONCURRENTLY still fails with ${CONCURRENT_REFRESH_FIX}: ${f.concurrentWithFix.error}.`
    : `With the smallest fix, ${CONCURRENT_REFRESH_FIX}, REFRESH ... CONCURRENTLY ${run(f.concurrentWithFix.run)}: reads do not wait.`);
  return lines;
}
