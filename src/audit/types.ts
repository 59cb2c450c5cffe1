// The index audit: the spec's "Maintenance & Monitoring" section, executed against one dataset schema.
// Everything here is plain JSON data, so it can sit in results.json (RunResults.audit) and be rendered later.

/** One key or INCLUDE column of an index, as the catalog (pg_index) describes it. */
export interface IndexColumnRow {
  /** Column name, or the deparsed expression for an expression column (pg_get_indexdef(index, n, true)). */
  expression: string;
  /** true for key columns, false for INCLUDE columns. */
  key: boolean;
  /** pg_index.indoption bit 0; false for INCLUDE columns. */
  descending: boolean;
  /** pg_index.indoption bit 1; false for INCLUDE columns. */
  nullsFirst: boolean;
  /** Operator class name (pg_opclass.opcname); null for INCLUDE columns. */
  opclass: string | null;
  /** Collation name, or null when the column has none (or for INCLUDE columns). */
  collation: string | null;
}

/** One index as read from the catalog: the input of the pure duplicate/redundant comparison. */
export interface IndexCatalogRow {
  name: string;
  /** Access method (pg_am.amname): 'btree', 'gin', ... */
  accessMethod: string;
  isUnique: boolean;
  isPrimary: boolean;
  /** A pg_constraint row (PRIMARY KEY, UNIQUE or EXCLUDE constraint) is backed by this index. */
  enforcesConstraint: boolean;
  isValid: boolean;
  /** Key columns first, then INCLUDE columns, in index order. */
  columns: IndexColumnRow[];
  /** pg_get_expr(indpred, indrelid): the deparsed predicate of a partial index, or null. */
  predicate: string | null;
  /** pg_get_indexdef(indexrelid): the full CREATE INDEX statement. */
  definition: string;
}

/** Two (or more) indexes with the same definition: same access method, columns, directions, opclasses,
 * collations, INCLUDE columns and predicate text. Uniqueness may differ (it is reported, not compared). */
export interface DuplicateIndexGroup {
  indexes: string[];
  /** The member to keep: a unique or constraint-backed one when there is one, else the first by name. */
  keep: string;
  /** The members that could go. */
  drop: string[];
  /** What they share, in words: "(tenant_id, started_at) WHERE (started_at IS NOT NULL)". */
  sharedDefinition: string;
  uniquenessDiffers: boolean;
}

/** An index whose key columns are a strict leading prefix of another's (same directions, opclasses,
 * collations), whose predicate text is identical, and which is not unique. */
export interface RedundantIndex {
  index: string;
  /** The longer index that serves every query the redundant one serves. */
  coveredBy: string;
  /** How many leading key columns they share (= the redundant index's key column count). */
  prefixColumns: number;
}

/** How a bloat figure was obtained. */
export type BloatMethod = 'pgstatindex' | 'statistical-estimate' | 'not-applicable';

/** Bloat estimate of one index, judged against the spec's 30% rule. */
export interface IndexBloat {
  method: BloatMethod;
  /** Fraction 0..1 of the index that is bloat; null when it could not be estimated. */
  bloatRatio: number | null;
  /** The fillfactor the estimate assumed (reloptions, else 90 for btree). */
  fillfactor: number;
  /** pgstatindex: avg_leaf_density (percent). */
  avgLeafDensityPct?: number;
  /** statistical-estimate: the page count a freshly built index at this fillfactor would have. */
  expectedPages?: number;
  actualPages?: number;
  /** true when bloatRatio > 0.30 (spec, Maintenance & Monitoring §2). */
  exceedsSpecLimit: boolean;
  /** Why there is no figure, or a caveat of the estimate. */
  note?: string;
}

/** One index of the executions table with everything the audit found out about it. */
export interface AuditedIndex {
  name: string;
  definition: string;
  accessMethod: string;
  isUnique: boolean;
  isPrimary: boolean;
  enforcesConstraint: boolean;
  isPartial: boolean;
  predicate: string | null;
  /** Key columns as written in an index definition, e.g. ['tenant_id', 'started_at DESC']. */
  keyColumns: string[];
  includeColumns: string[];
  sizeBytes: number;
  /** Rows the predicate admits / all rows (1 for a non-partial index; null for an empty table). */
  coveredRowShare: number | null;
  coveredRows: number;
  /** idx_scan delta between the snapshots around the scenarios; null when no delta was given. */
  scansDuringRun: number | null;
  /** Cumulative pg_stat_user_indexes.idx_scan when the audit ran (since the last stats reset). */
  scansTotal: number;
  /** true when a delta was given and it is 0. */
  unusedDuringRun: boolean;
  bloat: IndexBloat;
  /** Names of indexes this one duplicates (same definition). */
  duplicateOf: string[];
  /** The longer index that makes this one redundant, if any. */
  redundantTo: string | null;
}

/** pg_stat_user_indexes.idx_scan of every index in a schema at one moment. */
export interface IndexScanSnapshot {
  schema: string;
  takenAt: string;
  /** pg_stat_force_next_flush() was called before reading (PostgreSQL 15+). */
  forcedFlush: boolean;
  /** index name -> cumulative idx_scan. */
  scans: Record<string, number>;
}

/** The difference of two snapshots: scans per index between them. */
export interface IndexScanDelta {
  schema: string;
  from: string;
  to: string;
  /** Both snapshots were taken after a forced flush. */
  forcedFlush: boolean;
  /** index name -> scans between the snapshots (indexes present in the later snapshot). */
  scans: Record<string, number>;
}

/** Ingest cost of one batch with all indexes vs the primary key only. */
export interface WriteCost {
  rows: number;
  repetitions: number;
  /** Median ms to insert the batch into executions with every index. */
  allIndexesMedianMs: number;
  /** Median ms to insert the same batch with only constraint-backed indexes (the primary key). */
  primaryKeyOnlyMedianMs: number;
  allIndexesSamplesMs: number[];
  primaryKeyOnlySamplesMs: number[];
  /** allIndexesMedianMs / primaryKeyOnlyMedianMs. */
  ratio: number;
  /** Indexes present in the all-indexes runs and dropped (inside the transaction) for the other runs. */
  indexesDropped: string[];
  /** One paragraph: how the numbers were taken. */
  method: string;
}

/** A statement the audit proves about the spec's index strategy. */
export interface AuditFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  /** The indexes it is about. */
  indexes: string[];
  title: string;
  /** The numbers and catalog facts behind it. */
  evidence: string;
  /** The spec section and what it says. */
  specSection: string;
  specSays: string;
  fix?: string;
}

/** The whole audit of one dataset schema. */
export interface AuditReport {
  scale: string;
  schema: string;
  table: string;
  takenAt: string;
  serverVersionNum: number;
  rows: number;
  tableSize: TableSize;
  indexes: AuditedIndex[];
  /** Sum of index sizes / heap size (heap only: toast and free-space/visibility maps excluded). */
  indexToHeapRatio: number;
  totalIndexBytes: number;
  duplicates: DuplicateIndexGroup[];
  redundant: RedundantIndex[];
  scans: {
    /** true when scanDelta was given: scansDuringRun and unusedDuringRun are meaningful. */
    measured: boolean;
    forcedFlush: boolean;
    from?: string;
    to?: string;
    note: string;
  };
  bloat: {
    method: BloatMethod;
    /** Why this method: e.g. "pgstattuple installed by execbench", "pgstattuple not available: ...". */
    reason: string;
    limitRatio: number;
  };
  /** null when the write-cost measurement was disabled or failed (see writeCostError). */
  writeCost: WriteCost | null;
  writeCostError?: string;
  findings: AuditFinding[];
}

/** Heap and TOAST size of the table. */
export interface TableSize {
  /** pg_relation_size(table): the main fork. */
  heapBytes: number;
  /** pg_total_relation_size of the TOAST table (with its index); 0 when there is none. */
  toastBytes: number;
  /** pg_total_relation_size(table): heap + toast + all indexes + maps. */
  totalBytes: number;
}
