// Facts about a partitioned layout that no scenario's plan shows: where the never-started rows went, whether id is
// still unique, and whether an idempotent ingest stays idempotent. Each write runs in a savepoint that is rolled back,
// inside the variant's own rolled-back transaction. Facts only: layout-findings.ts turns them into findings.
import type pg from 'pg';
import { describePgError } from '../errors.ts';

/** What probeLayout found on the `executions` in search_path (a partitioned table). */
export interface LayoutProbe {
  /** The table's primary key constraint, or null: a partitioned table's would have to include the nullable partition key. */
  primaryKey: string | null;
  /** Rows whose partition key is NULL, and the DEFAULT partition (name and rows) where PostgreSQL routes them. */
  nullKeyRows: number;
  defaultPartition: { name: string; rows: number } | null;
  /** A copy of an existing row with the same id and another started_at: accepted (rows with that id after) or refused (error). */
  duplicateId: { accepted: true; rowsWithId: number } | { accepted: false; error: string };
  /**
   * An execution ingested before it started (started_at NULL), then delivered again once started, upserted on the
   * widest key the layout allows (tenant, environment, execution_id, started_at): rows with that execution_id after.
   */
  redelivery: { rowsAfter: number; conflictTarget: string } | { error: string; conflictTarget: string };
}

/** The conflict target a partitioned table allows for the idempotency key: it must include the partition key. */
export const PARTITIONED_CONFLICT_TARGET = '(tenant_id, environment_id, execution_id, started_at)';

export async function probeLayout(client: pg.ClientBase, partitionColumn: string): Promise<LayoutProbe> {
  const primaryKey = (await client.query<{ name: string }>(
    `SELECT conname AS name FROM pg_constraint WHERE conrelid = 'executions'::regclass AND contype = 'p'`)).rows[0]?.name ?? null;
  const nullKeyRows = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE ${partitionColumn} IS NULL`)).rows[0]!.n);
  const def = (await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'executions'::regclass AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'`)).rows[0]?.name;
  const defaultPartition = def
    ? { name: def, rows: Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${def}`)).rows[0]!.n) }
    : null;

  const duplicateId = await inSavepoint<LayoutProbe['duplicateId']>(client, async () => {
    await client.query(`CREATE TEMP TABLE execbench_probe_row ON COMMIT DROP AS
      SELECT * FROM executions WHERE started_at IS NOT NULL ORDER BY started_at LIMIT 1`);
    await client.query(`UPDATE execbench_probe_row SET started_at = started_at + interval '31 days'`);
    await client.query('INSERT INTO executions SELECT * FROM execbench_probe_row');
    const n = await client.query<{ n: string }>('SELECT count(*) AS n FROM executions WHERE id = (SELECT id FROM execbench_probe_row)');
    return { accepted: true as const, rowsWithId: Number(n.rows[0]!.n) };
  }, (error) => ({ accepted: false as const, error }));

  const redelivery = await inSavepoint<LayoutProbe['redelivery']>(client, async () => {
    await client.query(`CREATE TEMP TABLE execbench_probe_event ON COMMIT DROP AS
      SELECT * FROM executions WHERE started_at IS NOT NULL AND execution_id IS NOT NULL ORDER BY started_at DESC LIMIT 1`);
    // First delivery: queued, not started. Second: the same execution, started (the key's started_at changed).
    await client.query(`UPDATE execbench_probe_event SET id = gen_random_uuid(), execution_id = 'execbench-probe-redelivery', started_at = NULL, finished_at = NULL, duration_ms = NULL, status = 'new', normalized_status = NULL`);
    const upsert = `INSERT INTO executions SELECT * FROM execbench_probe_event
      ON CONFLICT ${PARTITIONED_CONFLICT_TARGET} DO UPDATE SET status = EXCLUDED.status, normalized_status = EXCLUDED.normalized_status, updated_at = now()`;
    await client.query(upsert);
    await client.query(`UPDATE execbench_probe_event SET id = gen_random_uuid(), started_at = (SELECT max(started_at) FROM executions), status = 'running', normalized_status = 'running'`);
    await client.query(upsert);
    const n = await client.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE execution_id = 'execbench-probe-redelivery'`);
    return { rowsAfter: Number(n.rows[0]!.n), conflictTarget: PARTITIONED_CONFLICT_TARGET };
  }, (error) => ({ error, conflictTarget: PARTITIONED_CONFLICT_TARGET }));

  return { primaryKey, nullKeyRows, defaultPartition, duplicateId, redelivery };
}

async function inSavepoint<T>(client: pg.ClientBase, body: () => Promise<T>, onError: (message: string) => T): Promise<T> {
  await client.query('SAVEPOINT execbench_layout_probe');
  try {
    return await body();
  } catch (error) {
    return onError(describePgError(error));
  } finally {
    await client.query('ROLLBACK TO SAVEPOINT execbench_layout_probe; RELEASE SAVEPOINT execbench_layout_probe');
  }
}
