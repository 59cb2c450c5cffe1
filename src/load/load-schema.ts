// Where load traffic writes: a copy of the seeded dataset made for one load run, never the dataset itself. Retention
// really deletes and ingest really commits under load, so the cached dataset `run` and `whatif` measure
// (execbench_<scale>) is only read, to copy it; the copy (execbench_load_<scale>) is made fresh at the start of every
// load run and dropped at its end. It carries execbench's marker with status 'loading' the whole time, so one left
// behind by a killed run is listed by `execbench clean` (which drops it) and replaced by the next load.
//
// The copy is made inside the server (INSERT ... SELECT in the physical order of the source, indexes built after,
// then VACUUM ANALYZE), from the same schema files the seed applied: the same rows in the same order with the same
// indexes, without generating them again.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { withClient } from '../db/client.ts';
import type { Database, ProviderOptions } from '../db/provider.ts';
import { hostPort } from '../db/url.ts';
import { DatabaseError, OwnershipError, WriteRefusedError, describePgError } from '../errors.ts';
import { formatBytes } from '../report/format.ts';
import { datasetLockKey, inspectSchema, MARKER_TABLE, outsideDependents } from '../seed/dataset.ts';
import { applySchemaFile, readSchemaPlan, type SchemaFile } from '../seed/schema-files.ts';
import { estimateDatasetWrite } from '../seed/estimate.ts';
import { askAtTerminal, type AskUser } from '../seed/write-consent.ts';
import type { DatasetInfo } from '../seed/types.ts';

/** execbench_load_<label> for the dataset execbench_<label>. */
export function loadSchemaName(datasetSchema: string): string {
  const name = `execbench_load_${datasetSchema.replace(/^execbench_/, '')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new DatabaseError(`Cannot name a load copy of '${datasetSchema}': '${name}' is not a plain lowercase identifier of at most 63 characters.`);
  return name;
}

/** A load copy; drop() removes it (once) and says what it did. */
export interface LoadCopy {
  schema: string;
  /** The copy as a dataset: the source's facts, its own schema. */
  dataset: DatasetInfo;
  copyMs: number;
  drop(): Promise<string>;
}

const ident = (name: string) => pg.escapeIdentifier(name);

/**
 * In a server execbench did not start: the copy is a write of about the dataset's size, which needs the user's
 * consent (--yes, or y at a terminal), as seeding does. Nothing is written without it (WriteRefusedError, exit 3).
 */
export async function confirmLoadCopy(
  db: Pick<Database, 'kind' | 'connectionString'>, dataset: DatasetInfo,
  provider: Pick<ProviderOptions, 'yes' | 'databaseUrlFrom' | 'log'>, ask: AskUser = askAtTerminal,
): Promise<void> {
  if (db.kind !== 'url') return;
  const copy = loadSchemaName(dataset.schema);
  const { bytes } = estimateDatasetWrite(dataset.request);
  let where = 'your server';
  try {
    where = `database "${decodeURIComponent(new URL(db.connectionString).pathname.slice(1))}" at ${hostPort(new URL(db.connectionString))}`;
  } catch {
    // keep 'your server'
  }
  const rights = await withClient(db.connectionString, async (client) => (await client.query<{ role: string; role_ident: string; db_ident: string; ok: boolean }>(
    `SELECT current_user AS role, quote_ident(current_user) AS role_ident, quote_ident(current_database()) AS db_ident,
            has_database_privilege(current_database(), 'CREATE') AS ok`)).rows[0]!);
  if (!rights.ok) {
    throw new WriteRefusedError(
      `Role "${rights.role}" lacks the CREATE privilege on ${where}, which execbench load needs for its copy ${copy} (the load's writes never touch ${dataset.schema}); nothing was written. ` +
      `Have the database owner run: GRANT CREATE ON DATABASE ${rights.db_ident} TO ${rights.role_ident};`, [copy], where);
  }
  const what = `create schema ${copy} (a copy of ${dataset.schema}, ${dataset.counts.totalRows.toLocaleString('en-US')} rows, about ${formatBytes(bytes)}) in ${where}, run the load's writes there and drop it at the end`;
  if (provider.yes) {
    provider.log(`execbench: --yes: ${what}.`);
    return;
  }
  const answer = await ask(`execbench load will ${what}, a server execbench did not start. Write there? [y/N] `);
  if (answer === true) return;
  const other = provider.databaseUrlFrom === 'DATABASE_URL' ? 'unset DATABASE_URL (or add --provider embedded)' : 'omit --database-url';
  throw new WriteRefusedError(
    `Nothing written${answer === false ? ' (you answered no)' : ''}: execbench load would ${what}, a server it did not start, and does that only with your consent. Add --yes to allow it, or ${other} to use a server execbench starts.`,
    [copy], where);
}

/**
 * Makes the load copy of a ready dataset. Holds the copy's advisory lock (exclusive) until drop(), and the source's
 * (shared) while copying, so neither a seed nor `execbench clean` pulls either from under the load.
 */
export async function createLoadCopy(connectionString: string, dataset: DatasetInfo, log: (line: string) => void): Promise<LoadCopy> {
  const schema = loadSchemaName(dataset.schema);
  const client = new pg.Client({ connectionString, application_name: 'execbench-load-copy' });
  client.on('error', () => {});
  await client.connect();
  try {
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [datasetLockKey(schema)]);
    if (!locked.rows[0]?.ok) throw new DatabaseError(`Another execbench load is running on ${schema} (it holds the copy's lock): wait for it to end, or load another --scale.`);
    await client.query('SELECT pg_advisory_lock_shared(hashtext($1))', [datasetLockKey(dataset.schema)]);
    await client.query("SET TimeZone = 'UTC'");
    // Index builds sort in memory, as the seed's do.
    const memory = await client.query<{ kb: string }>("SELECT setting AS kb FROM pg_settings WHERE name = 'maintenance_work_mem'");
    if (Number(memory.rows[0]?.kb) < 256 * 1024) await client.query("SET maintenance_work_mem = '256MB'");
    // A plain sequential scan that starts at block 0, so the copy keeps the source's physical row order (and with it
    // the correlations the planner reads).
    await client.query('SET synchronize_seqscans = off');
    await dropLeftover(client, schema);
    const t0 = performance.now();
    const plan = readSchemaPlan(dataset.request);
    log(`load: copying ${dataset.schema} into ${schema} (${dataset.counts.totalRows.toLocaleString('en-US')} rows; dropped when the load ends)`);
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA ${ident(schema)}`);
    await client.query(`SET LOCAL search_path TO ${ident(schema)}`);
    await client.query(`CREATE TABLE ${MARKER_TABLE} (LIKE ${ident(dataset.schema)}.${MARKER_TABLE} INCLUDING ALL)`);
    await client.query(`INSERT INTO ${MARKER_TABLE} SELECT * FROM ${ident(dataset.schema)}.${MARKER_TABLE}`);
    // 'loading' throughout: a copy is never a dataset a run reuses; one left behind is listed for `execbench clean`.
    await client.query(`UPDATE ${MARKER_TABLE} SET status = 'loading'`);
    await client.query(`COMMENT ON TABLE ${MARKER_TABLE} IS ${pg.escapeLiteral(`execbench ownership marker: a load run's copy of ${dataset.schema}, dropped when the load ends; execbench clean removes one left behind`)}`);
    await applySchemaFile(client, plan.table);
    const copied = await client.query(`INSERT INTO executions SELECT * FROM ${ident(dataset.schema)}.executions`);
    await client.query('COMMIT');
    await client.query(`SET search_path TO ${ident(schema)}`);
    const files: SchemaFile[] = [plan.indexes, ...plan.functions, ...[plan.coveringIndex, plan.dailyStats].filter((f): f is SchemaFile => f !== undefined)];
    for (const file of files) await applySchemaFile(client, file);
    await client.query('VACUUM (ANALYZE) executions');
    if (plan.dailyStats) await client.query('VACUUM (ANALYZE) execution_stats_daily');
    await client.query('SELECT pg_advisory_unlock_shared(hashtext($1))', [datasetLockKey(dataset.schema)]);
    const copyMs = Math.round(performance.now() - t0);
    log(`load: ${schema} ready in ${(copyMs / 1000).toFixed(1)} s (${(copied.rowCount ?? 0).toLocaleString('en-US')} rows, indexes, functions, VACUUM ANALYZE)`);
    let dropping: Promise<string> | undefined;
    return {
      schema,
      dataset: { ...dataset, schema, reused: false },
      copyMs,
      drop: () => {
        dropping ??= (async () => {
          try {
            await client.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
            return `dropped the load copy ${schema}: the dataset ${dataset.schema} was only read`;
          } catch (error) {
            return `left the load copy ${schema} (marked 'loading': ${describePgError(error).split('\n')[0]}); the next load replaces it, or \`execbench clean\` removes it; the dataset ${dataset.schema} was only read`;
          } finally {
            await client.end().catch(() => {});
          }
        })();
        return dropping;
      },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
    throw error;
  }
}

/** A copy left by a killed load run is execbench's (its marker says so): dropped; anything else of that name is refused. */
async function dropLeftover(client: pg.Client, schema: string): Promise<void> {
  const state = await inspectSchema(client, schema);
  if (state.kind === 'absent') return;
  if (state.kind === 'foreign') {
    throw new OwnershipError(`Schema "${schema}" exists but has no execbench marker table: execbench load would replace it and never drops what it did not create. Drop or rename it yourself.`);
  }
  const dependents = await outsideDependents(client, schema);
  if (dependents.length > 0) throw new OwnershipError(`Cannot replace the load copy ${schema}: objects outside it depend on it (${dependents.join(', ')}). Drop those first.`);
  await client.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
}
