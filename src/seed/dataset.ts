// One file: the dataset cache's one rule (reuse, rebuild or refuse, under one advisory lock) and its steps (decide,
// build, clean up an interrupted load, make room) share the connection and naming helpers at its foot.
// The dataset cache: one Postgres schema per scale (execbench_<label>), marked as execbench's own
// by a metadata table. Reuse a ready dataset whose fingerprint matches; drop and rebuild a marked one
// that does not match or never finished loading; refuse to touch an unmarked schema of the same name.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../db/provider.ts';
import { DatabaseError, OwnershipError, UsageError, describePgError } from '../errors.ts';
import { formatBytes } from '../report/format.ts';
import { checkDiskSpace, freeBytesAt, localDataDirectory } from './disk-space.ts';
import { estimateDatasetWrite } from './estimate.ts';
import { DATASET_SHAPE, GENERATOR_VERSION } from './config.ts';
import { copyChunks } from './copy.ts';
import { focusFacts, generateCopyChunks } from './generate.ts';
import { silentProgress, type SeedProgress } from './progress.ts';
import { applySchemaFile, readSchemaPlan, SCHEMA_DIR, type SchemaFile, type SchemaPlan } from './schema-files.ts';
import type { DatasetInfo, DatasetRequest } from './types.ts';

/** The ownership marker: a table only execbench creates. Its presence proves the schema is ours. */
export const MARKER_TABLE = 'execbench_dataset';

/** Options for tests and the bench script. */
export interface EnsureDatasetOptions {
  /** Where schema files are read from (default: the project's schema/). */
  schemaDir?: string;
  /** Overrides the schema name (default execbench_<label>); must match /^[a-z_][a-z0-9_]*$/. */
  schemaName?: string;
}

/**
 * The advisory lock of a dataset schema: held exclusively while seeding (ensureDataset), and shared by a run
 * while it measures (run-scenarios), so another process cannot drop or rebuild a dataset that is in use.
 */
export function datasetLockKey(schema: string): string {
  return `execbench:${schema}`;
}

/** The schema a scale's dataset lives in. */
export function datasetSchemaName(label: string): string {
  const name = `execbench_${label.toLowerCase()}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new UsageError(`Invalid scale label '${label}': a dataset schema name must be lowercase letters, digits and underscores.`);
  }
  return name;
}

/** The fingerprint of a request: every input that changes the bytes or the schema. */
export function datasetFingerprint(request: DatasetRequest, schemaChecksum: string): string {
  const inputs = {
    generator: GENERATOR_VERSION,
    shape: request.shape ?? DATASET_SHAPE,
    seed: request.seed,
    focusRows: request.scale.focusRows,
    schemaChecksum,
    indexBuild: request.indexBuild,
    optional: { coveringIndex: request.optional.coveringIndex, dailyStats: request.optional.dailyStats },
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** Where ensureDataset writes: a connection string, and (inside withDatabase) the server's kind and interrupt hook. */
export type DatasetTarget = { connectionString: string } & Partial<Pick<Database, 'kind' | 'onInterrupt' | 'dataDir'>>;

/** Seeds the dataset a request describes, or reuses a matching ready one. */
export async function ensureDataset(
  db: DatasetTarget,
  request: DatasetRequest,
  progress: SeedProgress = silentProgress,
  options: EnsureDatasetOptions = {},
): Promise<DatasetInfo> {
  const schema = options.schemaName ?? datasetSchemaName(request.scale.label);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new UsageError(`Invalid dataset schema name '${schema}': use lowercase letters, digits and underscores.`);
  const plan = readSchemaPlan(request, options.schemaDir ?? SCHEMA_DIR);
  const fingerprint = datasetFingerprint(request, plan.checksum);
  const client = await connect(db.connectionString, schema);
  try {
    // Serialises two execbench processes seeding the same schema; released when the session ends,
    // so a killed process never leaves it held.
    const lockKey = datasetLockKey(schema);
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockKey]);
    if (!locked.rows[0]?.ok) {
      progress.note(`seed: waiting for another execbench process that is seeding or measuring ${schema}`);
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    }
    const decision = await decideDataset(client, schema, request, plan, fingerprint);
    if (decision.action === 'reuse') {
      const info = decision.info;
      progress.note(`seed: reusing ${schema} (${info.counts.focusRows.toLocaleString('en-US')} focus rows, seed ${request.seed}, fingerprint ${fingerprint.slice(0, 12)}); --fresh rebuilds it`);
      return info;
    }
    await ensureRoom(client, db, schema, request, decision.action === 'rebuild', progress);
    if (decision.action === 'rebuild') {
      progress.note(`seed: rebuilding ${schema}: ${decision.reason}`);
      await client.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
    }
    return await build(client, db, schema, request, plan, fingerprint, progress);
  } finally {
    await client.end().catch(() => {});
  }
}

/** What ensureDataset would do with a request, found without writing anything. */
export interface DatasetWritePlan {
  request: DatasetRequest;
  schema: string;
  /** reuse: a ready dataset matches; create: the schema is absent; rebuild: execbench's own schema is dropped and built again. */
  action: 'reuse' | 'create' | 'rebuild';
  /** Why a rebuild is needed. */
  reason?: string;
}

/**
 * Reads, for each request, whether its dataset would be reused, created or rebuilt; writes nothing and takes no lock.
 * Raises what ensureDataset would raise before writing (an unmarked schema of that name, outside dependents).
 */
export async function planDatasetWrites(
  db: { connectionString: string },
  requests: DatasetRequest[],
  options: EnsureDatasetOptions = {},
): Promise<DatasetWritePlan[]> {
  const plans: DatasetWritePlan[] = [];
  for (const request of requests) {
    const schema = options.schemaName ?? datasetSchemaName(request.scale.label);
    const plan = readSchemaPlan(request, options.schemaDir ?? SCHEMA_DIR);
    const client = await connect(db.connectionString, schema);
    try {
      const decision = await decideDataset(client, schema, request, plan, datasetFingerprint(request, plan.checksum));
      plans.push({ request, schema, action: decision.action, ...(decision.action === 'rebuild' ? { reason: decision.reason } : {}) });
    } finally {
      await client.end().catch(() => {});
    }
  }
  return plans;
}

type Decision =
  | { action: 'reuse'; info: DatasetInfo }
  | { action: 'create' }
  | { action: 'rebuild'; reason: string };

/** Reuse, create or rebuild; refuses (throws) where execbench would have to touch what is not its own. */
async function decideDataset(client: pg.Client, schema: string, request: DatasetRequest, plan: SchemaPlan, fingerprint: string): Promise<Decision> {
  const state = await inspectSchema(client, schema);
  if (state.kind === 'absent') return { action: 'create' };
  if (state.kind === 'foreign') {
    const database = await currentDatabase(client);
    throw new OwnershipError(
      `Schema "${schema}" in database "${database}" exists but has no execbench marker table (${schema}.${MARKER_TABLE}); ` +
      `execbench never drops, truncates or alters what it did not create. Drop or rename that schema yourself, or point --database-url at another database.`);
  }
  const reason = staleReason(state.marker, fingerprint, request, state.hasExecutions)
    ?? (await missingObjects(client, schema, plan));
  if (!reason) return { action: 'reuse', info: infoFromMarker(schema, state.marker!, request, true) };
  // Ours, proven by the marker; but CASCADE would also drop a user's objects elsewhere that
  // depend on it (a view in public over our executions): refuse instead.
  const dependents = await outsideDependents(client, schema);
  if (dependents.length > 0) {
    throw new OwnershipError(
      `Cannot rebuild schema "${schema}": objects outside it depend on it (${dependents.join(', ')}) and DROP SCHEMA ... CASCADE would drop them. ` +
      'Drop those objects yourself, or keep the dataset by repeating its original --seed/--scale/--index-build.');
  }
  return { action: 'rebuild', reason };
}

/** The marker table's one row, as read. */
export type MarkerRow = Record<string, unknown>;
/** What a schema of a dataset's name is: absent, someone else's (no marker), or execbench's own. */
export type SchemaState =
  | { kind: 'absent' }
  | { kind: 'foreign' }
  | { kind: 'ours'; marker: MarkerRow | undefined; hasExecutions: boolean };

/** Whether `schema` exists and carries execbench's marker table (with its generator_version column). */
export async function inspectSchema(client: pg.ClientBase, schema: string): Promise<SchemaState> {
  const found = await client.query<{ schema_exists: boolean; marker: string | null; executions: string | null }>(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema_exists,
            to_regclass(format('%I.%I', $1::text, $2::text))::text AS marker,
            to_regclass(format('%I.%I', $1::text, 'executions'))::text AS executions`,
    [schema, MARKER_TABLE]);
  const row = found.rows[0]!;
  if (!row.schema_exists) return { kind: 'absent' };
  if (!row.marker) return { kind: 'foreign' };
  const marker = await client.query(`SELECT * FROM ${ident(schema)}.${ident(MARKER_TABLE)} LIMIT 1`);
  // A table of that name without our columns is not our marker.
  if (!marker.fields.some((f) => f.name === 'generator_version')) return { kind: 'foreign' };
  return { kind: 'ours', marker: marker.rows[0], hasExecutions: row.executions !== null };
}

/** Views, materialized views and foreign keys outside `schema` that reference its relations. */
export async function outsideDependents(client: pg.ClientBase, schema: string): Promise<string[]> {
  // Everything outside the schema that depends on a table, function or type inside it (views, foreign keys,
  // column defaults and column types, SQL-standard function bodies): DROP SCHEMA ... CASCADE would take it too.
  // Rules and defaults carry no schema of their own: theirs is their table's.
  const result = await client.query<{ what: string }>(
    `SELECT DISTINCT CASE
              WHEN rw.oid IS NOT NULL THEN format('%s %I.%I', CASE owner.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, owner_ns.nspname, owner.relname)
              WHEN ad.oid IS NOT NULL THEN format('a column default of table %I.%I', owner_ns.nspname, owner.relname)
              ELSE pg_describe_object(d.classid, d.objid, d.objsubid)
            END AS what
     FROM pg_depend d
     LEFT JOIN pg_class c ON d.refclassid = 'pg_class'::regclass AND c.oid = d.refobjid
     LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
     LEFT JOIN pg_type ty ON d.refclassid = 'pg_type'::regclass AND ty.oid = d.refobjid
     LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
     LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
     LEFT JOIN pg_class owner ON owner.oid = coalesce(ad.adrelid, rw.ev_class)
     LEFT JOIN pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
     CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) o
     WHERE coalesce(c.relnamespace, p.pronamespace, ty.typnamespace) = (SELECT oid FROM pg_namespace WHERE nspname = $1)
       AND d.deptype IN ('n', 'a')
       AND coalesce(owner_ns.nspname::text, o.schema) IS NOT NULL
       AND coalesce(owner_ns.nspname::text, o.schema) <> $1::text
     ORDER BY 1`,
    [schema]);
  return result.rows.map((r) => r.what);
}

/** A ready dataset someone altered since (e.g. dropped an index to test a gate) is not reused as is. */
async function missingObjects(client: pg.Client, schema: string, plan: SchemaPlan): Promise<string | undefined> {
  const files = [plan.table, plan.indexes, plan.coveringIndex, plan.dailyStats].filter((f): f is SchemaFile => f !== undefined);
  const expected = files.flatMap((f) => [...f.sql.matchAll(/CREATE\s+(?:UNIQUE\s+)?INDEX\s+([A-Za-z_][A-Za-z0-9_]*)/gi)].map((m) => m[1]!.toLowerCase()));
  const present = await client.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [schema]);
  const names = new Set(present.rows.map((r) => r.indexname));
  const missing = expected.filter((name) => !names.has(name));
  if (missing.length > 0) return `index ${missing.join(', ')} is missing (dropped since it was built)`;
  const functions = await client.query<{ n: string }>(
    `SELECT count(DISTINCT proname) AS n FROM pg_proc WHERE pronamespace = $1::regnamespace AND proname IN ('upsert_execution', 'cleanup_old_executions')`, [schema]);
  if (Number(functions.rows[0]?.n) < 2) return 'a schema function is missing (dropped since it was built)';
  return undefined;
}

/** Why a marked dataset cannot be reused, or undefined when it can. */
function staleReason(marker: MarkerRow | undefined, fingerprint: string, request: DatasetRequest, hasExecutions: boolean): string | undefined {
  if (!marker) return 'its marker has no row (a load was interrupted)';
  if (marker.status !== 'ready') return `its last load never finished (status '${String(marker.status)}': killed or failed mid-load)`;
  if (!hasExecutions) return 'its executions table is missing';
  if (marker.fingerprint !== fingerprint) {
    const was = `seed ${String(marker.seed)}, ${String(marker.focus_rows)} rows, index-build ${String(marker.index_build)}, generator ${String(marker.generator_version)}`;
    return `it was built for different inputs (${was}; schema or generator may have changed)`;
  }
  if (request.fresh) return '--fresh was given';
  return undefined;
}

function infoFromMarker(schema: string, marker: MarkerRow, request: DatasetRequest, reused: boolean): DatasetInfo {
  return {
    schema,
    fingerprint: String(marker.fingerprint),
    reused,
    request,
    counts: { focusRows: Number(marker.focus_rows), totalRows: Number(marker.total_rows), tenants: Number(marker.tenants) },
    phasesMs: (marker.phases_ms ?? {}) as Record<string, number>,
    anchor: new Date(marker.anchor as Date).toISOString(),
    focus: marker.focus as DatasetInfo['focus'],
  };
}

async function build(
  client: pg.Client, db: DatasetTarget, schema: string, request: DatasetRequest, plan: SchemaPlan, fingerprint: string, progress: SeedProgress,
): Promise<DatasetInfo> {
  const generated = generateCopyChunks({ scale: request.scale, seed: request.seed, ...(request.shape ? { shape: request.shape } : {}) });
  const { tally } = generated;
  const phasesMs: Record<string, number> = {};
  const timed = async (phase: string, fn: () => Promise<void>) => {
    const started = performance.now();
    await fn();
    phasesMs[phase] = Math.round((phasesMs[phase] ?? 0) + performance.now() - started);
  };

  // A signal from here until the dataset is marked ready removes the half-loaded schema (or says why it could not).
  // Registered before the marker is committed: if that never happens, the cleanup finds nothing and says so. Left
  // registered when the build fails: a Ctrl-C that also stopped the server fails the load first, then arrives.
  const seedPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const unregister = db.onInterrupt?.(({ serverStopping }) => removeInterruptedLoad(db, schema, fingerprint, seedPid, serverStopping));

  // The 'loading' marker is committed before the long load, so a killed load is visible next time.
  await client.query('BEGIN');
  await client.query(`CREATE SCHEMA ${ident(schema)}`);
  await client.query(`CREATE TABLE ${ident(schema)}.${MARKER_TABLE} (
      singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      generator_version text NOT NULL,
      fingerprint       text NOT NULL,
      seed              bigint NOT NULL,
      scale_label       text NOT NULL,
      focus_rows        bigint NOT NULL,
      schema_checksum   text NOT NULL,
      index_build       text NOT NULL,
      optional          jsonb NOT NULL,
      status            text NOT NULL CHECK (status IN ('loading', 'ready')),
      anchor            timestamptz NOT NULL,
      total_rows        bigint,
      tenants           integer,
      phases_ms         json,             -- json, not jsonb: keeps the phases in the order they ran
      focus             jsonb,
      load_started_at   timestamptz NOT NULL DEFAULT now(),
      load_finished_at  timestamptz)`);
  await client.query(`COMMENT ON TABLE ${ident(schema)}.${MARKER_TABLE} IS 'execbench ownership marker: execbench created this schema and may drop and rebuild it'`);
  await client.query(
    `INSERT INTO ${MARKER_TABLE} (generator_version, fingerprint, seed, scale_label, focus_rows, schema_checksum, index_build, optional, status, anchor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'loading', $9)`,
    [GENERATOR_VERSION, fingerprint, request.seed, request.scale.label, request.scale.focusRows, plan.checksum,
      request.indexBuild, JSON.stringify(request.optional), (request.shape ?? DATASET_SHAPE).time.anchor]);
  await client.query('COMMIT');

  progress.note(`seed: loading ${schema}: ${generated.plan.totalRows.toLocaleString('en-US')} rows (${request.scale.focusRows.toLocaleString('en-US')} focus-tenant), index-build ${request.indexBuild}, seed ${request.seed}`);
  // The table is created in the COPY's own transaction: with wal_level=minimal Postgres then skips
  // WAL for the load; and a killed load leaves no half-filled table behind.
  let copied = 0;
  await client.query('BEGIN');
  await timed('table', () => applySchemaFile(client, plan.table));
  if (request.indexBuild === 'during') await timed('indexes', () => applySchemaFile(client, plan.indexes));
  await timed('copy', async () => {
    const result = await copyChunks(client, generated.chunks, { onChunk: () => progress.rows(tally.rows, generated.plan.totalRows) });
    copied = result.rows;
  });
  await client.query('COMMIT');
  progress.done();
  if (!tally.complete || copied !== tally.rows || copied !== generated.plan.totalRows) {
    throw new DatabaseError(`COPY into ${schema}.executions stored ${copied} rows, the generator produced ${tally.rows} of ${generated.plan.totalRows}; the dataset stays marked 'loading' and is rebuilt next time.`);
  }

  if (request.indexBuild === 'after') {
    await timed('indexes', () => applySchemaFile(client, plan.indexes, (s) => progress.note(`seed: ${firstLine(s.sql)}`)));
  }
  await timed('functions', async () => {
    for (const file of plan.functions) await applySchemaFile(client, file);
  });
  const optionalFiles: SchemaFile[] = [plan.coveringIndex, plan.dailyStats].filter((f): f is SchemaFile => f !== undefined);
  if (optionalFiles.length > 0) {
    await timed('optional', async () => {
      for (const file of optionalFiles) {
        progress.note(`seed: applying ${file.name}`);
        await applySchemaFile(client, file);
      }
    });
  }
  progress.note('seed: VACUUM (ANALYZE)');
  await timed('vacuum', async () => {
    await client.query('VACUUM (ANALYZE) executions');
    if (plan.dailyStats) await client.query('VACUUM (ANALYZE) execution_stats_daily');
  });

  const focus = focusFacts(generated.plan, tally);
  const counts = { focusRows: tally.tenantRows[0] ?? 0, totalRows: tally.rows, tenants: generated.plan.tenants.length };
  const marked = await client.query(
    `UPDATE ${MARKER_TABLE} SET status = 'ready', total_rows = $1, tenants = $2, phases_ms = $3, focus = $4, load_finished_at = now()
     WHERE fingerprint = $5 RETURNING *`,
    [counts.totalRows, counts.tenants, JSON.stringify(phasesMs), JSON.stringify(focus), fingerprint]);
  if (marked.rowCount !== 1) throw new DatabaseError(`The marker row of ${schema} vanished during the load; run the seed again.`);
  unregister?.();
  return infoFromMarker(schema, marked.rows[0] as MarkerRow, request, false);
}

// The interrupt cleanup's own bound: well inside withDatabase's 5 s, leaving time to stop a server execbench started.
const INTERRUPT_LOCK_TIMEOUT_MS = 2000;

/**
 * After SIGINT/SIGTERM mid-load: on a fresh connection, ends the seeding session (its open COPY transaction holds
 * the schema), then drops the schema if the marker proves it is this load's (execbench's marker, this fingerprint,
 * status 'loading'). Returns one sentence either way.
 */
async function removeInterruptedLoad(db: DatasetTarget, schema: string, fingerprint: string, seedPid: number, serverStopping: boolean): Promise<string> {
  const where = db.kind === 'url' ? ` in database "${databaseName(db.connectionString)}"` : '';
  const left = (why: string) =>
    `left the half-loaded schema ${schema}${where} marked 'loading' (${why}): the next run rebuilds it, or \`${cleanCommand(db)}\` removes it`;
  // The load failed first (the server dropped its connection) and the server execbench started is being stopped.
  if (serverStopping) return left('the server had dropped the load\'s connection and was already stopping');
  const client = new pg.Client({ connectionString: db.connectionString, application_name: 'execbench-clean', connectionTimeoutMillis: INTERRUPT_LOCK_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    // 57P03: a terminal's Ctrl-C reaches the embedded server too (same process group): it is already shutting down.
    const code = (error as { code?: string }).code;
    return left(code === '57P03' ? `the server was not accepting connections: ${(error as Error).message}` : `execbench could not connect to remove it: ${describePgError(error).split('\n')[0]}`);
  }
  try {
    await client.query(`SET lock_timeout = ${INTERRUPT_LOCK_TIMEOUT_MS}`);
    // Only our own seeding session, by pid and name; pg_terminate_backend needs no privilege for one's own role.
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND application_name = 'execbench-seed'`, [seedPid]);
    for (const until = Date.now() + INTERRUPT_LOCK_TIMEOUT_MS; Date.now() < until;) {
      const alive = await client.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [seedPid]);
      if (alive.rowCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Another execbench that took the dataset over in the meantime keeps it.
    const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [datasetLockKey(schema)]);
    if (!locked.rows[0]?.ok) return left('another execbench process holds it now');
    const state = await inspectSchema(client, schema);
    if (state.kind === 'absent') return `nothing of ${schema} was left (its load had not been committed)`;
    if (state.kind !== 'ours' || state.marker?.status !== 'loading' || state.marker.fingerprint !== fingerprint) {
      return `${schema} is no longer this load's (its marker changed), so it was left as it is`;
    }
    const dependents = await outsideDependents(client, schema);
    if (dependents.length > 0) return left(`objects outside it depend on it: ${dependents.join(', ')}`);
    await client.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
    return `removed the half-loaded schema ${schema}${where.replace(' in ', ' from ')}`;
  } catch (error) {
    return left(describePgError(error).split('\n')[0]!);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The command that removes execbench's schemas from this server (password redacted). */
function cleanCommand(db: { connectionString: string; kind?: Database['kind'] }): string {
  return db.kind === 'url' ? `execbench clean --database-url ${redact(db.connectionString)}` : 'execbench clean';
}

function databaseName(connectionString: string): string {
  try {
    return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, '')) || '?';
  } catch {
    return '?';
  }
}

/** Connects with the session settings every dataset connection uses. */
async function connect(connectionString: string, schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: 'execbench-seed' });
  // A server that goes away mid-COPY (an embedded server that got the terminal's Ctrl-C before execbench did)
  // fails the running query; without a listener pg also emits 'error' on the client, and that killed the process
  // with a stack trace (write ECONNRESET from pg-copy-streams), exit 1.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query("SET TimeZone = 'UTC'");
    // Only the dataset schema: a table called executions anywhere else (public) is never reached.
    await client.query(`SET search_path TO ${ident(schema)}`);
    // Index builds sort in memory instead of spilling: raise (never lower) this session's setting.
    const memory = await client.query<{ kb: string }>("SELECT setting AS kb FROM pg_settings WHERE name = 'maintenance_work_mem'");
    if (Number(memory.rows[0]?.kb) < 256 * 1024) await client.query("SET maintenance_work_mem = '256MB'");
  } catch (error) {
    await client.end().catch(() => {});
    throw new DatabaseError(`Cannot prepare a seeding connection to ${redact(connectionString)}: ${describePgError(error)}.`, { cause: error });
  }
  return client;
}

async function currentDatabase(client: pg.Client): Promise<string> {
  const result = await client.query<{ db: string }>('SELECT current_database() AS db');
  return result.rows[0]?.db ?? '?';
}

/** Quotes an identifier (names here are validated, quoting is belt and braces). */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function firstLine(sql: string): string {
  return sql.split('\n').map((l) => l.trim()).find((l) => l.length > 0 && !l.startsWith('--')) ?? sql.trim();
}

function redact(connectionString: string): string {
  return connectionString.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Refuses, before anything is written, a dataset the disk cannot hold (UsageError, exit 3, both figures named): where
 * the data directory is on this machine (embedded, or a local server whose data_directory the role may read).
 */
async function ensureRoom(client: pg.Client, db: DatasetTarget, schema: string, request: DatasetRequest, rebuild: boolean, progress: SeedProgress): Promise<void> {
  const neededBytes = estimateDatasetWrite(request).bytes;
  const dir = db.dataDir ?? (db.kind === 'url' ? await localDataDirectory(client, db.connectionString) : undefined);
  const freeBytes = dir ? await freeBytesAt(dir) : undefined;
  if (freeBytes === undefined) {
    if (neededBytes > 1e9) progress.note(`seed: ${schema} needs about ${formatBytes(neededBytes)}; the server's free disk space is not visible from here (not checked)`);
    return;
  }
  const reclaimedBytes = rebuild
    ? Number((await client.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`, [schema])).rows[0]?.bytes ?? 0)
    : 0;
  checkDiskSpace({
    schema, neededBytes, freeBytes, reclaimedBytes, where: db.dataDir ? `the embedded server's data directory ${dir}` : `the server's data directory ${dir}`,
    fix: db.dataDir
      ? 'Free space there, put the cache on a larger disk (--cache-dir or EXECBENCH_CACHE_DIR), or seed a smaller --scale.'
      : 'Free space on that disk, or seed a smaller --scale.',
  });
}
