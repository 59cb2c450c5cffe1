// Bloat per index, judged against the spec's rule (Maintenance & Monitoring §2: "If index bloat exceeds 30%,
// rebuild"). Two methods, the better one when the server allows it:
// 1. pgstatindex() from the pgstattuple extension reads the index and reports avg_leaf_density. A freshly
//    built btree packs its leaves to the fillfactor (90 by default), so bloat = 1 - density / fillfactor.
// 2. Otherwise the well-known statistical estimate (ioguix/pgsql-bloat-estimation, btree_bloat.sql): the
//    page count a freshly built index would need, from reltuples and pg_stats' null_frac/avg_width, vs the
//    pages it has. It knows nothing of btree deduplication (PostgreSQL 13+), which makes real indexes with
//    repeated keys smaller than the estimate, so it can under-report bloat; it needs ANALYZE statistics.
import type { AuditClient, CatalogIndex } from './catalog.ts';
import { quoteIdentifier } from './catalog.ts';
import { describePgError } from '../errors.ts';
import type { BloatMethod, IndexBloat } from './types.ts';

/** The spec's limit: rebuild above 30% bloat. */
export const SPEC_BLOAT_LIMIT = 0.3;
/** Btree's default leaf fillfactor (BTREE_DEFAULT_FILLFACTOR). */
export const BTREE_DEFAULT_FILLFACTOR = 90;

/** Bloat fraction from pgstatindex's avg_leaf_density (percent): 1 - density / fillfactor, at least 0.
 * null for an index without leaf pages (pgstatindex reports NaN). An index with a single leaf page is
 * never bloated: a rebuild would write the same one page (the spec's rarely-matching partial index
 * idx_executions_null_started_at holds a handful of rows at 1% density). */
export function bloatFromLeafDensity(
  avgLeafDensityPct: number,
  fillfactor = BTREE_DEFAULT_FILLFACTOR,
  leafPages = Number.POSITIVE_INFINITY,
): number | null {
  if (!Number.isFinite(avgLeafDensityPct) || fillfactor <= 0 || leafPages < 1) return null;
  if (leafPages === 1) return 0;
  return Math.max(0, 1 - avgLeafDensityPct / fillfactor);
}

/** Per-column statistics the statistical estimate uses (pg_stats). */
export interface ColumnWidthStats {
  nullFrac: number;
  avgWidth: number;
}

export interface StatisticalBloatInput {
  blockSize: number;
  maxAlign: number;
  /** Index tuples (pg_class.reltuples of the index). */
  reltuples: number;
  /** Pages the index has now, metapage included. */
  actualPages: number;
  fillfactor: number;
  columns: ColumnWidthStats[];
}

/**
 * The btree estimate of ioguix/pgsql-bloat-estimation, transcribed from its SQL:
 * tuple = IndexTupleData (8 bytes, 12 with a null bitmap when any column has nulls) padded to MAXALIGN
 *         + the average non-null data width padded to MAXALIGN;
 * tuples per page = floor((block - page header 24 - btree opaque 16) * fillfactor / (100 * (4 + tuple)))
 *         where 4 is the line pointer;
 * expected pages = 1 (metapage) + ceil(reltuples / tuples per page);
 * bloat = (actual - expected) / actual, at least 0.
 */
export function estimateBtreeBloat(input: StatisticalBloatInput): { bloatRatio: number; expectedPages: number } {
  const { blockSize, maxAlign, reltuples, actualPages, fillfactor, columns } = input;
  const pageHeader = 24;
  const btreeOpaque = 16;
  const anyNulls = columns.some((c) => c.nullFrac > 0);
  const tupleHeader = anyNulls ? 8 + Math.floor((32 + 8 - 1) / 8) : 8;
  const dataWidth = columns.reduce((sum, c) => sum + (1 - c.nullFrac) * c.avgWidth, 0);
  const pad = (n: number): number => (n % maxAlign === 0 ? maxAlign : n % maxAlign);
  const roundedData = Math.round(dataWidth);
  const tupleWidth = tupleHeader + maxAlign - pad(tupleHeader) +
    dataWidth + (dataWidth === 0 ? 0 : maxAlign - pad(roundedData));
  const tuplesPerPage = Math.floor(((blockSize - btreeOpaque - pageHeader) * fillfactor) / (100 * (4 + tupleWidth)));
  const expectedPages = 1 + Math.ceil(Math.max(0, reltuples) / Math.max(1, tuplesPerPage));
  const bloatRatio = actualPages > 0 ? Math.max(0, (actualPages - expectedPages) / actualPages) : 0;
  return { bloatRatio, expectedPages };
}

/** Where pgstatindex can be called, or why not. */
export type PgstattupleAccess =
  | { available: true; schema: string; reason: string }
  | { available: false; reason: string };

/**
 * Finds pgstattuple. Installs it only when `mayCreateExtension` (execbench owns the database: embedded or
 * container); in a user's database it is used only if already installed, because CREATE EXTENSION changes
 * that database for good.
 */
export async function resolvePgstattuple(client: AuditClient, mayCreateExtension: boolean): Promise<PgstattupleAccess> {
  const installed = async (): Promise<string | undefined> => {
    const { rows } = await client.query<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pgstattuple'`,
    );
    return rows[0]?.schema;
  };
  const existing = await installed();
  if (existing) return { available: true, schema: existing, reason: `pgstattuple was already installed (schema ${existing})` };
  if (!mayCreateExtension) {
    return {
      available: false,
      reason: 'pgstattuple is not installed and execbench does not own this database, so it did not install it',
    };
  }
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pgstattuple');
  } catch (error) {
    return { available: false, reason: `CREATE EXTENSION pgstattuple failed: ${describePgError(error)}` };
  }
  const created = await installed();
  return created
    ? { available: true, schema: created, reason: `pgstattuple installed by execbench (schema ${created})` }
    : { available: false, reason: 'CREATE EXTENSION pgstattuple reported success but the extension is not listed' };
}

function judge(bloat: Omit<IndexBloat, 'exceedsSpecLimit'>): IndexBloat {
  return { ...bloat, exceedsSpecLimit: bloat.bloatRatio !== null && bloat.bloatRatio > SPEC_BLOAT_LIMIT };
}

async function bloatByPgstatindex(client: AuditClient, extensionSchema: string, index: CatalogIndex): Promise<IndexBloat> {
  const fillfactor = index.fillfactor ?? BTREE_DEFAULT_FILLFACTOR;
  const { rows } = await client.query<{ density: number; leaf_pages: string }>(
    `SELECT avg_leaf_density::float8 AS density, leaf_pages FROM ${quoteIdentifier(extensionSchema)}.pgstatindex($1::oid::regclass)`,
    [index.oid],
  );
  const density = Number(rows[0]?.density);
  const leafPages = Number(rows[0]?.leaf_pages ?? 0);
  const ratio = bloatFromLeafDensity(density, fillfactor, leafPages);
  return judge({
    method: 'pgstatindex',
    bloatRatio: ratio,
    fillfactor,
    ...(Number.isFinite(density) ? { avgLeafDensityPct: density } : {}),
    ...(ratio === null ? { note: 'the index has no leaf pages yet (no rows), so there is nothing to measure' } : {}),
    ...(leafPages === 1 ? { note: 'a single leaf page: a rebuild would write the same page, so there is no bloat to reclaim' } : {}),
  });
}

interface ServerLayout {
  blockSize: number;
  maxAlign: number;
}

async function readServerLayout(client: AuditClient): Promise<ServerLayout> {
  const { rows } = await client.query<{ bs: string; wide: boolean }>(
    `SELECT current_setting('block_size') AS bs, version() ~ 'mingw32|64-bit|x86_64|ppc64|ia64|amd64|aarch64|arm64' AS wide`,
  );
  return { blockSize: Number(rows[0]?.bs ?? 8192), maxAlign: rows[0]?.wide === false ? 4 : 8 };
}

async function readColumnStats(client: AuditClient, schema: string, table: string): Promise<Map<string, ColumnWidthStats>> {
  const { rows } = await client.query<{ attname: string; null_frac: number; avg_width: number }>(
    `SELECT attname, null_frac::float8 AS null_frac, avg_width FROM pg_stats WHERE schemaname = $1 AND tablename = $2`,
    [schema, table],
  );
  return new Map(rows.map((r) => [r.attname, { nullFrac: Number(r.null_frac), avgWidth: Number(r.avg_width) }]));
}

function bloatByStatistics(index: CatalogIndex, layout: ServerLayout, stats: Map<string, ColumnWidthStats>): IndexBloat {
  const fillfactor = index.fillfactor ?? BTREE_DEFAULT_FILLFACTOR;
  const actualPages = Math.round(index.sizeBytes / layout.blockSize);
  const columns = index.row.columns.map((c) => stats.get(c.expression));
  if (columns.some((c) => c === undefined) || index.reltuples < 0) {
    return judge({
      method: 'statistical-estimate',
      bloatRatio: null,
      fillfactor,
      actualPages,
      note: 'no planner statistics for every column (expression column, or the table was never analyzed): run ANALYZE',
    });
  }
  const { bloatRatio, expectedPages } = estimateBtreeBloat({
    blockSize: layout.blockSize,
    maxAlign: layout.maxAlign,
    reltuples: index.reltuples,
    actualPages,
    fillfactor,
    columns: columns as ColumnWidthStats[],
  });
  return judge({
    method: 'statistical-estimate',
    bloatRatio,
    fillfactor,
    expectedPages,
    actualPages,
    note: 'estimate from reltuples and pg_stats; it ignores btree deduplication, so it can under-report bloat',
  });
}

/** Bloat of every index, by pgstatindex when `access` allows it, else by the statistical estimate.
 * Non-btree indexes get method 'not-applicable'. Returns the method actually used for the btree indexes. */
export async function measureIndexBloat(
  client: AuditClient,
  schema: string,
  table: string,
  indexes: readonly CatalogIndex[],
  access: PgstattupleAccess,
): Promise<{ method: BloatMethod; reason: string; byIndex: Map<string, IndexBloat> }> {
  const byIndex = new Map<string, IndexBloat>();
  const btrees = indexes.filter((i) => i.row.accessMethod === 'btree');
  for (const index of indexes) {
    if (index.row.accessMethod !== 'btree') {
      byIndex.set(index.row.name, judge({
        method: 'not-applicable', bloatRatio: null, fillfactor: index.fillfactor ?? 0,
        note: `bloat is estimated for btree indexes only; this one is ${index.row.accessMethod}`,
      }));
    }
  }
  let reason = access.reason;
  if (access.available) {
    try {
      for (const index of btrees) byIndex.set(index.row.name, await bloatByPgstatindex(client, access.schema, index));
      return { method: 'pgstatindex', reason, byIndex };
    } catch (error) {
      // E.g. a role without pg_stat_scan_tables: fall back for all, so the report uses one method.
      reason = `${access.reason}, but pgstatindex failed: ${describePgError(error)}`;
    }
  }
  const layout = await readServerLayout(client);
  const stats = await readColumnStats(client, schema, table);
  for (const index of btrees) byIndex.set(index.row.name, bloatByStatistics(index, layout, stats));
  return { method: btrees.length > 0 ? 'statistical-estimate' : 'not-applicable', reason, byIndex };
}
