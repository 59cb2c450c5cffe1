// Reads the state of the executions table a run is about to measure: what a plan's buffers and rows depend on
// besides the query and its indexes (dead tuples, pages, and the catalog that pg_stat_* queries read).
import type pg from 'pg';
import type { TableState } from '../results.ts';

/**
 * One catalog query on the dataset's session (its search_path names the dataset's schema), made right before the
 * scenarios, after the run's VACUUM ANALYZE: reltuples and relpages are fresh then, and n_dead_tup counts what
 * VACUUM could not remove.
 */
export async function readTableState(client: pg.Client): Promise<TableState> {
  const { rows } = await client.query<{ rows: string; dead_tuples: string; relpages: number; catalog_relations: string }>(`
    SELECT c.reltuples::bigint AS rows, coalesce(s.n_dead_tup, 0) AS dead_tuples, c.relpages,
           (SELECT count(*) FROM pg_catalog.pg_class) AS catalog_relations
    FROM pg_catalog.pg_class c
    LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = c.oid
    WHERE c.oid = 'executions'::regclass`);
  const row = rows[0];
  if (!row) throw new Error('executions has no pg_class row');
  return {
    rows: Number(row.rows),
    deadTuples: Number(row.dead_tuples),
    relpages: row.relpages,
    catalogRelations: Number(row.catalog_relations),
  };
}
