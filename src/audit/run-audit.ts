// The index audit of one dataset schema: reads the catalog and statistics, measures coverage, bloat and
// write cost, and turns them into findings. Order matters: the write-cost measurement inserts and rolls
// back rows (dead tuples until VACUUM), so sizes, coverage and bloat are read before it.
import type { AuditClient } from './catalog.ts';
import { countPredicateRows, readIndexes, readServerVersionNum, readTable } from './catalog.ts';
import { measureIndexBloat, resolvePgstattuple, SPEC_BLOAT_LIMIT } from './bloat.ts';
import { describeKeyColumn, findDuplicateIndexes, findRedundantIndexes, includeColumnsOf, keyColumnsOf } from './compare-indexes.ts';
import { buildAuditFindings } from './findings.ts';
import type { AuditReport, AuditedIndex, IndexScanDelta, WriteCost } from './types.ts';
import { measureWriteCost, type WriteCostOptions } from './write-cost.ts';
import { describePgError } from '../errors.ts';

export { summarizeAuditFindings } from './findings.ts';
export { snapshotIndexScans, diffIndexScans, flushIndexStats } from './scans.ts';

export interface AuditOptions {
  /** The dataset schema holding the executions table (e.g. execbench_100k). */
  schema: string;
  /** Scale label, carried into the report. */
  scale: string;
  /** Scans during the run: diffIndexScans(before, after) around the scenarios. Without it no index is
   * flagged unused (cumulative counters since a stats reset say nothing about this run). */
  scanDelta?: IndexScanDelta;
  /** true only where execbench owns the database (embedded, container): allows CREATE EXTENSION pgstattuple. */
  mayCreateExtension: boolean;
  /** Table name (default 'executions'). */
  table?: string;
  /** Write-cost batch options, or false to skip the measurement. */
  writeCost?: WriteCostOptions | false;
}

/** Audits the indexes of `schema.executions`. Requires a client outside any transaction (it runs
 * BEGIN/ROLLBACK and VACUUM for the write-cost measurement). */
export async function runAudit(client: AuditClient, options: AuditOptions): Promise<AuditReport> {
  const table = options.table ?? 'executions';
  const { schema, scanDelta } = options;
  if (scanDelta && scanDelta.schema !== schema) {
    throw new Error(`The scan delta was taken on schema '${scanDelta.schema}' but the audit is of '${schema}'; snapshot the audited schema.`);
  }
  const serverVersionNum = await readServerVersionNum(client);
  const tableInfo = await readTable(client, schema, table);
  const catalog = await readIndexes(client, schema, table);
  const rowsOfCatalog = catalog.map((c) => c.row);

  const partial = catalog.filter((c) => c.row.predicate !== null);
  const counts = await countPredicateRows(client, schema, table, partial.map((c) => c.row.predicate!));
  const coveredByName = new Map(partial.map((c, i) => [c.row.name, counts.covered[i] ?? 0]));

  const access = await resolvePgstattuple(client, options.mayCreateExtension);
  const bloat = await measureIndexBloat(client, schema, table, catalog, access);

  const duplicates = findDuplicateIndexes(rowsOfCatalog, scanDelta?.scans);
  const redundant = findRedundantIndexes(rowsOfCatalog);

  const indexes: AuditedIndex[] = catalog.map((c) => {
    const covered = coveredByName.get(c.row.name) ?? counts.total;
    const scansDuringRun = scanDelta ? scanDelta.scans[c.row.name] ?? 0 : null;
    const group = duplicates.find((g) => g.indexes.includes(c.row.name));
    return {
      name: c.row.name,
      definition: c.row.definition,
      accessMethod: c.row.accessMethod,
      isUnique: c.row.isUnique,
      isPrimary: c.row.isPrimary,
      enforcesConstraint: c.row.enforcesConstraint,
      isPartial: c.row.predicate !== null,
      predicate: c.row.predicate,
      keyColumns: keyColumnsOf(c.row).map(describeKeyColumn),
      includeColumns: includeColumnsOf(c.row),
      sizeBytes: c.sizeBytes,
      coveredRowShare: counts.total > 0 ? covered / counts.total : null,
      coveredRows: covered,
      scansDuringRun,
      scansTotal: c.scansTotal,
      unusedDuringRun: scansDuringRun === 0,
      bloat: bloat.byIndex.get(c.row.name) ?? {
        method: 'not-applicable', bloatRatio: null, fillfactor: 0, exceedsSpecLimit: false, note: 'not measured',
      },
      duplicateOf: group ? group.indexes.filter((n) => n !== c.row.name) : [],
      redundantTo: redundant.find((r) => r.index === c.row.name)?.coveredBy ?? null,
    };
  });

  const totalIndexBytes = indexes.reduce((sum, i) => sum + i.sizeBytes, 0);
  const indexToHeapRatio = tableInfo.tableSize.heapBytes > 0 ? totalIndexBytes / tableInfo.tableSize.heapBytes : 0;

  let writeCost: WriteCost | null = null;
  let writeCostError: string | undefined;
  if (options.writeCost !== false) {
    const droppable = catalog.filter((c) => !c.row.enforcesConstraint).map((c) => c.row.name);
    try {
      writeCost = await measureWriteCost(client, schema, table, droppable, options.writeCost ?? {});
    } catch (error) {
      writeCostError = `Write cost not measured: ${describePgError(error)}`;
    }
  }

  const report: AuditReport = {
    scale: options.scale,
    schema,
    table,
    takenAt: new Date().toISOString(),
    serverVersionNum,
    rows: counts.total,
    tableSize: tableInfo.tableSize,
    indexes,
    indexToHeapRatio,
    totalIndexBytes,
    duplicates,
    redundant,
    scans: scanDelta
      ? {
          measured: true,
          forcedFlush: scanDelta.forcedFlush,
          from: scanDelta.from,
          to: scanDelta.to,
          note: scanDelta.forcedFlush
            ? 'idx_scan delta between two pg_stat_user_indexes snapshots, each after pg_stat_force_next_flush() (PostgreSQL 15+).'
            : 'idx_scan delta between two pg_stat_user_indexes snapshots; this server cannot force a stats flush (before PostgreSQL 15), so the last scans may be missing.',
        }
      : {
          measured: false,
          forcedFlush: false,
          note: 'No scan snapshots were taken around the scenarios; scansTotal is cumulative since the last stats reset and no index is flagged unused.',
        },
    bloat: { method: bloat.method, reason: bloat.reason, limitRatio: SPEC_BLOAT_LIMIT },
    writeCost,
    ...(writeCostError ? { writeCostError } : {}),
    findings: [],
  };
  report.findings = buildAuditFindings({
    indexes,
    duplicates,
    redundant,
    scansMeasured: scanDelta !== undefined,
    bloatMethod: bloat.method,
    writeCost,
    indexToHeapRatio,
    totalIndexBytes,
    tableSize: tableInfo.tableSize,
  });
  return report;
}
