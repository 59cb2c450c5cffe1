// Pure: the analytics copy's table design, per ClickHouse version, and the PostgreSQL COPY that feeds it.
//
// The design a ClickHouse engineer would choose for these queries: MergeTree ORDER BY (tenant_id, started_at), so
// every dashboard query (one tenant, a time range) reads one contiguous range of the primary index, and a newest-
// first LIMIT reads the end of that range; PARTITION BY toYYYYMM(started_at), so retention drops whole months
// (ALTER TABLE ... DROP PARTITION, no DELETE) and a 7- or 30-day query touches one or two partitions. Repetitive
// strings (status, mode, workflow name) are LowCardinality where the version makes it an ordinary type.
// started_at is the sort key, so it cannot be NULL: the never-started rows (about 0.01%) are not copied. No
// analytics query reads them: each one filters on a started_at range, and the view's query on started_at IS NOT NULL.
import { hasFeature, type ClickHouseVersion } from './features.ts';

/** The cluster's name in the servers' config (.ci/clickhouse-cluster). */
export const CLUSTER_NAME = 'execbench_two_shards';

/** The ClickHouse database holding one dataset's copy: execbench_100k, execbench_1m, ... (as the PG schemas). */
export function copyDatabaseName(pgSchema: string): string {
  if (!/^execbench_[a-z0-9_]+$/.test(pgSchema)) throw new RangeError(`Not an execbench dataset schema: '${pgSchema}'`);
  return pgSchema;
}

/** One column of the copy: its ClickHouse type and the PostgreSQL expression COPY sends for it. */
interface CopyColumn {
  name: string;
  type: (v: ClickHouseVersion) => string;
  /** PostgreSQL expression; its text form must parse as `type` in ClickHouse's TabSeparated. */
  pg: (v: ClickHouseVersion) => string;
}

const lowCardinality = (inner: string) => (v: ClickHouseVersion) => (hasFeature(v, 'LowCardinality') ? `LowCardinality(${inner})` : inner);
const time = (nullable: boolean) => (v: ClickHouseVersion) => {
  const t = hasFeature(v, 'DateTime64') ? "DateTime64(3, 'UTC')" : "DateTime('UTC')";
  return nullable ? `Nullable(${t})` : t;
};
/** UTC text ClickHouse reads: milliseconds where DateTime64 holds them, else whole seconds (to_char truncates). */
const timeText = (column: string) => (v: ClickHouseVersion) =>
  `to_char(${column} AT TIME ZONE 'UTC', '${hasFeature(v, 'DateTime64') ? 'YYYY-MM-DD HH24:MI:SS.MS' : 'YYYY-MM-DD HH24:MI:SS'}')`;
const same = (column: string) => () => column;

export const COPY_COLUMNS: readonly CopyColumn[] = [
  { name: 'id', type: () => 'UUID', pg: same('id') },
  { name: 'tenant_id', type: () => 'UUID', pg: same('tenant_id') },
  { name: 'environment_id', type: () => 'UUID', pg: same('environment_id') },
  { name: 'workflow_id', type: () => 'UUID', pg: same('workflow_id') },
  { name: 'workflow_name', type: lowCardinality('String'), pg: same('workflow_name') },
  { name: 'execution_id', type: () => 'Nullable(String)', pg: same('execution_id') },
  { name: 'status', type: lowCardinality('String'), pg: same('status') },
  { name: 'normalized_status', type: lowCardinality('Nullable(String)'), pg: same('normalized_status') },
  { name: 'mode', type: lowCardinality('String'), pg: same('mode') },
  { name: 'started_at', type: time(false), pg: timeText('started_at') },
  { name: 'finished_at', type: time(true), pg: timeText('finished_at') },
  { name: 'duration_ms', type: () => 'Nullable(Int32)', pg: same('duration_ms') },
  { name: 'created_at', type: time(false), pg: timeText('created_at') },
  { name: 'updated_at', type: time(false), pg: timeText('updated_at') },
  { name: 'error_message', type: () => 'Nullable(String)', pg: same('error_message') },
  { name: 'data', type: () => 'String', pg: same('data::text') },
];

/** CREATE TABLE for the copy (or one shard's local table), on this version. */
export function createCopyTableSql(database: string, table: string, version: ClickHouseVersion): string {
  const columns = COPY_COLUMNS.map((c) => `  ${c.name} ${c.type(version)}`).join(',\n');
  return `CREATE TABLE ${database}.${table} (\n${columns}\n) ENGINE = MergeTree\nPARTITION BY toYYYYMM(started_at)\nORDER BY (tenant_id, started_at)`;
}

/**
 * The Distributed table over the two shards' local tables, sharded by tenant: one tenant's rows live on one shard,
 * so a tenant's query is answered by one server's data (and, from 19.x with optimize_skip_unused_shards, sent only
 * there; 18.16 still asks both, and the shard without the tenant answers from its primary index at once).
 */
export function createDistributedTableSql(database: string, version: ClickHouseVersion): string {
  void version; // the same on every version reachable here
  // cityHash64 of the UUID's text: 18.16's cityHash64 does not take a UUID (Code 43).
  return `CREATE TABLE ${database}.executions AS ${database}.executions_local\nENGINE = Distributed(${CLUSTER_NAME}, ${database}, executions_local, cityHash64(toString(tenant_id)))`;
}

/** The COPY that streams the dataset's started rows out of PostgreSQL, in the column order of the copy. */
export function copyOutSql(pgSchema: string, version: ClickHouseVersion, where = 'started_at IS NOT NULL'): string {
  return `COPY (SELECT ${COPY_COLUMNS.map((c) => c.pg(version)).join(', ')} FROM ${pgSchema}.executions WHERE ${where}) TO STDOUT`;
}

/** The marker table: which PostgreSQL dataset a copy holds, so a matching copy is reused and says so. */
export function createMarkerSql(database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${database}.execbench_copy (fingerprint String, design String, copied_rows UInt64, load_ms Float64, copied_at DateTime) ENGINE = MergeTree ORDER BY copied_at`; // not TinyLog: 18.16 cannot read an empty one (File not found)
}

/** Changes whenever the table design above changes, so an old copy is rebuilt. */
export const TABLE_DESIGN = 'mergetree-tenant-started-month-v1';
