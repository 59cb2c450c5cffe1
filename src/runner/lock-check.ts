// "Efficient retention cleanup without table locks" (spec Overview), verified rather than assumed:
// while one connection holds an uncommitted cleanup batch, a second connection reads and writes the
// same table under a lock timeout.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { describePgError } from '../errors.ts';
import type { HeadlineCheck } from '../results.ts';
import type { ParamPicker } from '../scenario/define.ts';

const LOCK_TIMEOUT_MS = 1000;

/** Locks stronger than RowExclusiveLock would block other writers or readers of the whole table. */
const TABLE_BLOCKING_MODES = ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];

export async function checkCleanupWithoutTableLocks(options: {
  connectionString: string;
  schema: string;
  scale: string;
  /** The batch DELETE to hold open (the corrected retention cleanup form). */
  cleanupSql: string;
  pick: ParamPicker;
}): Promise<HeadlineCheck> {
  const connect = async () => {
    const c = new pg.Client({ connectionString: options.connectionString });
    await c.connect();
    try {
      await c.query(`SET search_path TO ${pg.escapeIdentifier(options.schema)}; SET TimeZone TO 'UTC'; SET statement_timeout = 60000`);
    } catch (error) {
      await c.end();
      throw error;
    }
    return c;
  };
  const cleaner = await connect();
  const other = await connect().catch(async (error: unknown) => { await cleaner.end(); throw error; });
  const steps: string[] = [];
  let passed = true;
  try {
    await cleaner.query('BEGIN');
    let deleted: pg.QueryResult;
    try {
      deleted = await cleaner.query(options.cleanupSql, [options.pick.tenant(), options.pick.retentionCutoff()]);
    } catch (error) {
      // The cleanup itself failed (its SQL error is a finding of its own scenario): nothing to hold open.
      return {
        id: 'retention-cleanup-without-table-locks', scale: options.scale,
        claim: 'Overview: "Efficient retention cleanup without table locks"',
        measured: 'not measured: the cleanup batch failed', passed: false, detail: describePgError(error),
      };
    }
    steps.push(`batch deleted ${deleted.rowCount} rows, uncommitted`);
    const locks = await cleaner.query<{ mode: string }>(
      `SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
       AND relation = $1::regclass`, [`${options.schema}.executions`]);
    const modes = [...new Set(locks.rows.map((r) => r.mode))];
    const blocking = modes.filter((m) => TABLE_BLOCKING_MODES.includes(m));
    steps.push(`table locks held: ${modes.join(', ') || 'none'}`);
    if (blocking.length > 0) passed = false;

    await other.query(`SET lock_timeout = '${LOCK_TIMEOUT_MS}ms'`);
    // Each attempt in its own savepoint, so a failed insert does not abort the update after it.
    const attempt = async (label: string, fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      const inTransaction = label !== 'concurrent read of the newest 50 rows';
      if (inTransaction) await other.query('SAVEPOINT lock_check');
      try {
        await fn();
        steps.push(`${label} ok in ${(performance.now() - t0).toFixed(1)} ms`);
      } catch (error) {
        passed = false;
        steps.push(`${label} FAILED: ${describePgError(error)}`);
      } finally {
        if (inTransaction) await other.query('ROLLBACK TO SAVEPOINT lock_check; RELEASE SAVEPOINT lock_check');
      }
    };
    await attempt('concurrent read of the newest 50 rows', () => other.query(
      `SELECT id FROM executions WHERE tenant_id = $1 AND started_at IS NOT NULL ORDER BY started_at DESC LIMIT 50`,
      [options.pick.tenant()]));
    await other.query('BEGIN');
    try {
      await attempt('concurrent insert', () => other.query(
        `INSERT INTO executions (id, tenant_id, environment_id, workflow_id, workflow_name, status, mode, started_at)
         VALUES ($1, $2, $3, $4, 'lock check', 'running', 'manual', $5)`,
        [options.pick.newUuid(), options.pick.tenant(), options.pick.environment(0), options.pick.workflow('popular'), options.pick.anchor()]));
      await attempt('concurrent update of a recent row', () => other.query(
        `UPDATE executions SET updated_at = now() WHERE id = (
           SELECT id FROM executions WHERE tenant_id = $1 AND started_at IS NOT NULL ORDER BY started_at DESC LIMIT 1)`,
        [options.pick.tenant()]));
    } finally {
      await other.query('ROLLBACK');
    }
  } finally {
    await cleaner.query('ROLLBACK').catch(() => undefined);
    await Promise.all([cleaner.end(), other.end()]);
  }
  return {
    id: 'retention-cleanup-without-table-locks',
    scale: options.scale,
    claim: 'Overview: "Efficient retention cleanup without table locks"',
    measured: passed ? 'a second connection read, inserted and updated while a batch was open' : 'the second connection was blocked or a table lock was taken',
    passed,
    detail: `${steps.join('; ')} (lock_timeout ${LOCK_TIMEOUT_MS} ms; both transactions rolled back).`,
  };
}
