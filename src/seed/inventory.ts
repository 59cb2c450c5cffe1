// What execbench has left in a database: every schema its marker proves is its own (with size and status), and
// every execbench_* schema without the marker (someone else's, never touched). Read-only; clean and the closing
// lines of run/seed/whatif both read it.
import type pg from 'pg';
import { inspectSchema, MARKER_TABLE, outsideDependents } from './dataset.ts';

/** One schema found by readDatasetInventory. */
export type InventoryEntry =
  | {
    kind: 'ours';
    schema: string;
    /** 'loading': a load that never finished (killed or failed); 'ready': a dataset a run can reuse. */
    status: 'ready' | 'loading';
    /** pg_total_relation_size over its tables and materialized views (heap, TOAST, indexes). */
    bytes: number;
    /** Its owning role, and whether the current role may drop it (is that role or a member of it). */
    owner: string;
    ownedByCurrentUser: boolean;
    /** Objects outside the schema that depend on it: DROP ... CASCADE would take them too. */
    dependents: string[];
  }
  | { kind: 'foreign'; schema: string; bytes: number }
  /** A schema this role cannot read (no USAGE on it): whose it is cannot be told, so it is never dropped. */
  | { kind: 'unreadable'; schema: string; bytes: number; why: string };

/** The database's execbench schemas (marked ones of any name, and unmarked execbench_* ones), by name. */
export async function readDatasetInventory(client: pg.ClientBase): Promise<InventoryEntry[]> {
  const { rows } = await client.query<{ schema: string; owner: string; mine: boolean; bytes: string }>(
    `SELECT n.nspname AS schema, pg_get_userbyid(n.nspowner) AS owner, pg_has_role(n.nspowner, 'MEMBER') AS mine,
            coalesce((SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
                      WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'm')), 0)::bigint AS bytes
     FROM pg_namespace n
     WHERE n.nspname LIKE 'execbench\\_%'
        OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = $1 AND c.relkind = 'r')
     ORDER BY n.nspname`,
    [MARKER_TABLE]);
  const entries: InventoryEntry[] = [];
  for (const row of rows) {
    const bytes = Number(row.bytes);
    let state: Awaited<ReturnType<typeof inspectSchema>>;
    try {
      state = await inspectSchema(client, row.schema);
    } catch (error) {
      entries.push({ kind: 'unreadable', schema: row.schema, bytes, why: String((error as Error)?.message ?? error) });
      continue;
    }
    if (state.kind !== 'ours') {
      // A schema dropped between the two reads is simply gone.
      if (state.kind === 'foreign') entries.push({ kind: 'foreign', schema: row.schema, bytes });
      continue;
    }
    entries.push({
      kind: 'ours',
      schema: row.schema,
      status: state.marker?.status === 'ready' && state.hasExecutions ? 'ready' : 'loading',
      bytes,
      owner: row.owner,
      ownedByCurrentUser: row.mine,
      dependents: await outsideDependents(client, row.schema),
    });
  }
  return entries;
}
