// A table variant's rows: a committed, partitioned copy of a dataset's executions in a schema of its own
// (<dataset schema>_<variant>, marked as execbench's like a dataset), built once and reused while the dataset and the
// variant's files are unchanged. Measured with search_path at that schema first and the dataset's second, so the
// dataset's functions and materialized view resolve as before and `executions` means the partitioned table.
//
// Why a committed copy rather than one built inside the rolled-back transaction other variants use: a copy made and read
// in one transaction has no visibility map (every index-only scan visits the heap) and no hint bits, so it would be
// measured slower than the vacuumed dataset for reasons that have nothing to do with partitioning. VACUUM cannot run in
// a transaction. The price is disk (about the dataset's size again) and one copy per dataset and variant.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { OwnershipError, describePgError } from '../errors.ts';
import { datasetLockKey, inspectSchema, MARKER_TABLE } from '../seed/dataset.ts';
import type { DatasetInfo } from '../seed/types.ts';
import type { PartitionEvery, PartitionInfo, SchemaVariant } from './types.ts';
import { VariantError } from './variants.ts';

/** Bump when the way the copy is built changes: every copy is rebuilt. */
const TABLE_VARIANT_VERSION = 'table-variant-1';

/** A table variant's copy, ready to be measured. */
export interface TableVariantCopy {
  /** The schema holding the partitioned executions. */
  schema: string;
  reused: boolean;
  partitionColumn: string;
  every: PartitionEvery;
  partitions: PartitionInfo[];
  /** Phases of the build (copy, indexes, vacuum), when it was built now. */
  phasesMs: Record<string, number>;
}

/** The schema a table variant of a dataset lives in. */
export function tableVariantSchema(datasetSchema: string, variant: string): string {
  const name = `${datasetSchema}_${variant.replace(/-/g, '_')}`;
  if (name.length > 63) throw new VariantError(`Variant name '${variant}' is too long for a schema name beside ${datasetSchema} (63 characters at most).`, variant, undefined);
  return name;
}

/**
 * The partitions covering [min, max] of the dataset's partition column, cut by month or quarter, and one interval more
 * after max (new rows of the current period must have somewhere to go: pg_partman's "premake"). Pure. Dates in UTC.
 */
export function partitionBounds(min: Date, max: Date, every: PartitionEvery): { name: string; from: string; to: string }[] {
  const step = every === 'month' ? 1 : 3;
  const startMonth = every === 'month' ? min.getUTCMonth() : Math.floor(min.getUTCMonth() / 3) * 3;
  let cursor = Date.UTC(min.getUTCFullYear(), startMonth, 1);
  const out: { name: string; from: string; to: string }[] = [];
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  let afterMax = 0;
  while (afterMax < 1) {
    const d = new Date(cursor);
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + step, 1);
    const label = every === 'month'
      ? `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`
      : `${d.getUTCFullYear()}_q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    out.push({ name: `executions_p${label}`, from: iso(cursor), to: iso(next) });
    if (cursor > max.getTime()) afterMax += 1;
    cursor = next;
    if (out.length > 240) throw new Error(`partitionBounds: more than 240 partitions between ${min.toISOString()} and ${max.toISOString()}`);
  }
  return out;
}

/** The fingerprint of a copy: the dataset it copies, the variant's statements and interval, and how copies are built. */
export function tableVariantFingerprint(dataset: Pick<DatasetInfo, 'fingerprint'>, variant: SchemaVariant): string {
  return createHash('sha256').update(JSON.stringify({
    version: TABLE_VARIANT_VERSION, dataset: dataset.fingerprint, partition: variant.partition, statements: variant.statements.map((s) => s.sql),
  })).digest('hex');
}

/** Builds (or reuses) the partitioned copy of `dataset` that table variant `variant` defines. */
export async function ensureTableVariant(
  connectionString: string, dataset: DatasetInfo, variant: SchemaVariant, log: (line: string) => void, options: { schemaName?: string } = {},
): Promise<TableVariantCopy> {
  if (variant.mode !== 'table' || !variant.partition) throw new Error(`ensureTableVariant: '${variant.name}' is not a table variant`);
  const schema = options.schemaName ?? tableVariantSchema(dataset.schema, variant.name);
  const fingerprint = tableVariantFingerprint(dataset, variant);
  const { column, every } = variant.partition;
  const client = new pg.Client({ connectionString, application_name: 'execbench-table-variant' });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query("SET TimeZone = 'UTC'");
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [datasetLockKey(schema)]);
    const state = await inspectSchema(client, schema);
    if (state.kind === 'foreign') {
      throw new OwnershipError(`Schema "${schema}" exists but has no execbench marker table (${schema}.${MARKER_TABLE}); execbench never drops what it did not create. Drop or rename it yourself, or run this variant against another database.`);
    }
    if (state.kind === 'ours') {
      if (state.marker?.fingerprint === fingerprint && state.marker?.status === 'ready' && state.hasExecutions) {
        log(`[${dataset.request.scale.label}/${variant.name}] reusing the partitioned copy in ${schema}`);
        return { schema, reused: true, partitionColumn: column, every, partitions: await readPartitions(client, schema), phasesMs: {} };
      }
      log(`[${dataset.request.scale.label}/${variant.name}] rebuilding ${schema}: ${state.marker?.status === 'ready' ? 'the dataset or the variant changed' : 'an earlier build did not finish'}`);
      await client.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`);
    }
    return await build(client, dataset, variant, schema, fingerprint, log);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function build(
  client: pg.Client, dataset: DatasetInfo, variant: SchemaVariant, schema: string, fingerprint: string, log: (line: string) => void,
): Promise<TableVariantCopy> {
  const { column, every } = variant.partition!;
  const label = `[${dataset.request.scale.label}/${variant.name}]`;
  const q = pg.escapeIdentifier;
  const phasesMs: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => { const now = performance.now(); phasesMs[name] = Math.round(now - mark); mark = now; };
  // The marker is committed first, as a dataset's is: a build that never finishes is visible (status loading) and rebuilt.
  await client.query('BEGIN');
  await client.query(`CREATE SCHEMA ${q(schema)}`);
  await client.query(`CREATE TABLE ${q(schema)}.${MARKER_TABLE} (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      generator_version text NOT NULL, fingerprint text NOT NULL, derived_from text NOT NULL, variant text NOT NULL,
      status text NOT NULL CHECK (status IN ('loading', 'ready')), phases_ms json, created_at timestamptz NOT NULL DEFAULT now())`);
  await client.query(`COMMENT ON TABLE ${q(schema)}.${MARKER_TABLE} IS 'execbench ownership marker: execbench created this schema (a partitioned copy of a dataset) and may drop and rebuild it'`);
  await client.query(`INSERT INTO ${q(schema)}.${MARKER_TABLE} (generator_version, fingerprint, derived_from, variant, status) VALUES ($1, $2, $3, $4, 'loading')`,
    [TABLE_VARIANT_VERSION, fingerprint, dataset.schema, variant.name]);
  await client.query('COMMIT');

  await client.query(`SET search_path TO ${q(schema)}`);
  const [table, ...indexes] = variant.statements;
  const run = async (sql: string, statement: typeof table) => {
    try {
      await client.query(sql);
    } catch (error) {
      throw new VariantError(`Variant '${variant.name}' failed at ${statement!.file} line ${statement!.line}: ${describePgError(error)}. Fix that statement.`, statement!.file, statement!.line);
    }
  };
  await run(table!.sql, table);
  const source = `${q(dataset.schema)}.executions`;
  const range = (await client.query<{ min: Date | null; max: Date | null }>(`SELECT min(${q(column)}) AS min, max(${q(column)}) AS max FROM ${source}`)).rows[0]!;
  if (!range.min || !range.max) throw new VariantError(`Variant '${variant.name}': the dataset has no ${column} to partition by.`, table!.file, table!.line);
  const bounds = partitionBounds(range.min, range.max, every);
  for (const b of bounds) await client.query(`CREATE TABLE ${q(b.name)} PARTITION OF executions FOR VALUES FROM ('${b.from}') TO ('${b.to}')`);
  await client.query('CREATE TABLE executions_default PARTITION OF executions DEFAULT');
  log(`${label} ${bounds.length} ${every}ly partitions and a DEFAULT one in ${schema}; copying ${dataset.counts.totalRows.toLocaleString('en-US')} rows`);
  const columns = (await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [`${dataset.schema}.executions`])).rows.map((r) => q(r.name)).join(', ');
  await client.query(`INSERT INTO executions (${columns}) SELECT ${columns} FROM ${source}`);
  phase('copy');
  log(`${label} ${indexes.length} indexes`);
  for (const statement of indexes) await run(statement.sql, statement);
  phase('indexes');
  // VACUUM sets the visibility map (index-only scans) and ANALYZE gathers both the partitions' and the parent's statistics.
  await client.query('VACUUM (ANALYZE) executions');
  phase('vacuum');
  await client.query(`UPDATE ${MARKER_TABLE} SET status = 'ready', phases_ms = $1`, [JSON.stringify(phasesMs)]);
  log(`${label} copy ${(phasesMs.copy! / 1000).toFixed(1)} s, indexes ${(phasesMs.indexes! / 1000).toFixed(1)} s, vacuum ${(phasesMs.vacuum! / 1000).toFixed(1)} s`);
  return { schema, reused: false, partitionColumn: column, every, partitions: await readPartitions(client, schema), phasesMs };
}

/** The partitions of `schema`.executions with their bounds, rows (from statistics) and size. */
export async function readPartitions(client: pg.ClientBase, schema: string): Promise<PartitionInfo[]> {
  const { rows } = await client.query<{ name: string; bound: string; rows: string; bytes: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
            greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = format('%I.executions', $1::text)::regclass
      ORDER BY pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', c.relname`, [schema]);
  return rows.map((r) => {
    const m = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(r.bound);
    return { name: r.name, from: m ? m[1]!.slice(0, 10) : null, to: m ? m[2]!.slice(0, 10) : null, rows: Number(r.rows), bytes: Number(r.bytes) };
  });
}
