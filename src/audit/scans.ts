// Scans per index during a run: the difference of two pg_stat_user_indexes snapshots.
//
// Why the flushing: since PostgreSQL 15 every backend keeps its statistics counters locally and flushes
// them to shared memory when it goes idle, at most once a second (and, when it flushed recently, only
// after an idle timeout of up to 10 s). A snapshot read right after the scenarios can therefore miss
// their last scans. pg_stat_force_next_flush() makes the *calling* backend flush at the end of its next
// transaction, so:
// - snapshotIndexScans() runs it as its own statement on its own connection before reading, which covers
//   scans made on that same connection;
// - scenarios that ran on other connections must call flushIndexStats(client) on each of them before the
//   "after" snapshot is taken.
// pg_stat_clear_snapshot() drops a cached statistics snapshot (stats_fetch_consistency) so the read is fresh.
// Before PostgreSQL 15 the statistics collector receives counters asynchronously (every 500 ms); there is
// no way to force it, so the snapshot waits PRE_15_STATS_DELAY_MS and says forcedFlush: false.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditClient } from './catalog.ts';
import { readServerVersionNum } from './catalog.ts';
import type { IndexScanDelta, IndexScanSnapshot } from './types.ts';

const PRE_15_STATS_DELAY_MS = 700;

/** Make this connection's pending statistics visible to others (PG15+; a no-op returning false before). */
export async function flushIndexStats(client: AuditClient): Promise<boolean> {
  const version = await readServerVersionNum(client);
  if (version < 150000) return false;
  // The flush happens when this statement's transaction ends and the backend goes idle.
  await client.query('SELECT pg_stat_force_next_flush()');
  return true;
}

/** Cumulative idx_scan of every index in `schema`, read after forcing this connection's stats out. */
export async function snapshotIndexScans(client: AuditClient, schema: string): Promise<IndexScanSnapshot> {
  const forcedFlush = await flushIndexStats(client);
  if (!forcedFlush) await sleep(PRE_15_STATS_DELAY_MS);
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ name: string; idx_scan: string }>(
    `SELECT indexrelname AS name, idx_scan FROM pg_stat_user_indexes WHERE schemaname = $1`,
    [schema],
  );
  const scans: Record<string, number> = {};
  for (const row of rows) scans[row.name] = Number(row.idx_scan);
  return { schema, takenAt: new Date().toISOString(), forcedFlush, scans };
}

/** Scans between two snapshots of the same schema. An index missing from `before` counts from 0
 * (it was created in between); a counter that went down (stats reset) counts from 0 as well. */
export function diffIndexScans(before: IndexScanSnapshot, after: IndexScanSnapshot): IndexScanDelta {
  if (before.schema !== after.schema) {
    throw new Error(`Cannot diff index scan snapshots of schemas '${before.schema}' and '${after.schema}'; take both on the same schema.`);
  }
  const scans: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.scans)) {
    const earlier = before.scans[name] ?? 0;
    scans[name] = count >= earlier ? count - earlier : count;
  }
  return {
    schema: after.schema,
    from: before.takenAt,
    to: after.takenAt,
    forcedFlush: before.forcedFlush && after.forcedFlush,
    scans,
  };
}
