// Reads what the audit needs from the system catalog: the table, its indexes (as IndexCatalogRow) and sizes.
// Every name is qualified with the dataset schema; search_path is never relied on.
import type { ClientBase } from 'pg';
import { UsageError } from '../errors.ts';
import type { IndexCatalogRow, IndexColumnRow, TableSize } from './types.ts';

/** The part of a pg client the audit uses (pg.Client and pg.PoolClient both fit). */
export type AuditClient = Pick<ClientBase, 'query'>;

/** "name" quoted as an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** An index of the audited table: the pure catalog row plus the numbers the audit reports. */
export interface CatalogIndex {
  oid: number;
  row: IndexCatalogRow;
  sizeBytes: number;
  relpages: number;
  reltuples: number;
  /** fillfactor from the index's reloptions, or null when not set. */
  fillfactor: number | null;
  /** Cumulative pg_stat_user_indexes.idx_scan. */
  scansTotal: number;
}

export interface CatalogTable {
  oid: number;
  tableSize: TableSize;
  /** pg_class.reltuples (an estimate; -1 when never analyzed). */
  estimatedRows: number;
}

/** The table's oid and sizes; throws UsageError naming the schema when the table is not there. */
export async function readTable(client: AuditClient, schema: string, table: string): Promise<CatalogTable> {
  const { rows } = await client.query<{ oid: number; heap: string; toast: string; total: string; reltuples: number }>(
    `SELECT c.oid::int8::float8 AS oid,
            pg_relation_size(c.oid) AS heap,
            CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END AS toast,
            pg_total_relation_size(c.oid) AS total,
            c.reltuples::float8 AS reltuples
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  const row = rows[0];
  if (!row) {
    throw new UsageError(
      `No table ${table} in schema '${schema}'. Seed that dataset first, or pass the schema that holds it.`,
    );
  }
  return {
    oid: Number(row.oid),
    tableSize: { heapBytes: Number(row.heap), toastBytes: Number(row.toast), totalBytes: Number(row.total) },
    estimatedRows: Number(row.reltuples),
  };
}

interface RawIndexRow {
  oid: number;
  name: string;
  am: string;
  is_unique: boolean;
  is_primary: boolean;
  is_valid: boolean;
  enforces_constraint: boolean;
  predicate: string | null;
  definition: string;
  size_bytes: string;
  relpages: number;
  reltuples: number;
  reloptions: string[] | null;
  idx_scan: string | null;
  columns: {
    position: number;
    expression: string;
    key: boolean;
    option: number | null;
    opclass: string | null;
    collation: string | null;
  }[];
}

/**
 * Every index of schema.table from pg_index. Per column: pg_get_indexdef(index, n, true) gives the column
 * name or deparsed expression; indoption bit 0 is DESC and bit 1 NULLS FIRST; indclass and indcollation
 * give opclass and collation. indoption/indclass/indcollation hold key columns only (indnkeyatts), so
 * INCLUDE columns get nulls there. The int2vector/oidvector columns are unnested WITH ORDINALITY rather
 * than subscripted, because their subscripts start at 0.
 */
export async function readIndexes(client: AuditClient, schema: string, table: string): Promise<CatalogIndex[]> {
  const { rows } = await client.query<RawIndexRow>(
    `SELECT ic.oid::int8::float8 AS oid, ic.relname AS name, am.amname AS am,
            i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisvalid AS is_valid,
            EXISTS (SELECT 1 FROM pg_constraint k
                     WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
              AS enforces_constraint,
            pg_get_expr(i.indpred, i.indrelid) AS predicate,
            pg_get_indexdef(i.indexrelid) AS definition,
            CASE WHEN ic.relkind = 'I'  -- a partitioned index has no storage: its partitions' indexes do
                 THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(i.indexrelid) t)
                 ELSE pg_relation_size(i.indexrelid) END AS size_bytes,
            ic.relpages::int AS relpages, ic.reltuples::float8 AS reltuples, ic.reloptions,
            s.idx_scan,
            (SELECT json_agg(json_build_object(
                      'position', k.n,
                      'expression', pg_get_indexdef(i.indexrelid, k.n::int, true),
                      'key', k.n <= i.indnkeyatts,
                      'option', o.opt,
                      'opclass', opc.opcname,
                      'collation', CASE WHEN co.coll IS NULL OR co.coll = 0 THEN NULL
                                        ELSE (SELECT collname FROM pg_collation WHERE oid = co.coll) END
                    ) ORDER BY k.n)
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
               LEFT JOIN unnest(i.indoption::int2[]) WITH ORDINALITY AS o(opt, n) ON o.n = k.n
               LEFT JOIN unnest(i.indclass::oid[]) WITH ORDINALITY AS cl(opc, n) ON cl.n = k.n
               LEFT JOIN pg_opclass opc ON opc.oid = cl.opc
               LEFT JOIN unnest(i.indcollation::oid[]) WITH ORDINALITY AS co(coll, n) ON co.n = k.n
            ) AS columns
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
      WHERE n.nspname = $1 AND t.relname = $2
      ORDER BY ic.relname`,
    [schema, table],
  );
  return rows.map((r) => {
    const columns: IndexColumnRow[] = (r.columns ?? []).map((c) => ({
      expression: c.expression,
      key: c.key,
      descending: c.key ? ((c.option ?? 0) & 1) === 1 : false,
      nullsFirst: c.key ? ((c.option ?? 0) & 2) === 2 : false,
      opclass: c.key ? c.opclass : null,
      collation: c.key ? c.collation : null,
    }));
    const fillfactorOption = (r.reloptions ?? []).map((o) => /^fillfactor=(\d+)$/.exec(o)).find(Boolean);
    return {
      oid: Number(r.oid),
      row: {
        name: r.name,
        accessMethod: r.am,
        isUnique: r.is_unique,
        isPrimary: r.is_primary,
        enforcesConstraint: r.enforces_constraint,
        isValid: r.is_valid,
        columns,
        predicate: r.predicate,
        definition: r.definition,
      },
      sizeBytes: Number(r.size_bytes),
      relpages: Number(r.relpages),
      reltuples: Number(r.reltuples),
      fillfactor: fillfactorOption ? Number(fillfactorOption[1]) : null,
      scansTotal: Number(r.idx_scan ?? 0),
    };
  });
}

/**
 * Rows each predicate admits, counted in one pass over the table:
 * SELECT count(*), count(*) FILTER (WHERE p1), ... . The predicates are the catalog's own deparsed text
 * (pg_get_expr), so they are valid SQL against this table. Returns the total and one count per predicate.
 */
export async function countPredicateRows(
  client: AuditClient,
  schema: string,
  table: string,
  predicates: readonly string[],
): Promise<{ total: number; covered: number[] }> {
  const filters = predicates.map((p, i) => `, count(*) FILTER (WHERE ${p}) AS p${i}`).join('');
  const { rows } = await client.query<Record<string, string>>(
    `SELECT count(*) AS total${filters} FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)}`,
  );
  const row = rows[0] ?? {};
  return { total: Number(row.total ?? 0), covered: predicates.map((_, i) => Number(row[`p${i}`] ?? 0)) };
}

/** server_version_num of the connected server. */
export async function readServerVersionNum(client: AuditClient): Promise<number> {
  const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  return Number(rows[0]?.v ?? 0);
}
