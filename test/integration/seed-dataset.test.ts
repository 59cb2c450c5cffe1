// The seeder against a real Postgres at a small scale: shapes, the spec's indexes as written, the
// functions, the dataset cache (reuse, rebuild, killed loads) and the ownership rules.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { OwnershipError, SchemaError } from '../../src/errors.ts';
import { DATASET_SHAPE } from '../../src/seed/config.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import type { SeedProgress } from '../../src/seed/progress.ts';
import { parseScale } from '../../src/seed/scale.ts';
import { SCHEMA_DIR } from '../../src/seed/schema-files.ts';
import type { DatasetRequest } from '../../src/seed/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const SCALE = parseScale('5000');
const SCHEMA = 'execbench_5000';
const request = (overrides: Partial<DatasetRequest> = {}): DatasetRequest => ({
  scale: SCALE,
  seed: 42,
  indexBuild: 'after',
  optional: { coveringIndex: false, dailyStats: false },
  fresh: false,
  ...overrides,
});

function recordingProgress(): SeedProgress & { notes: string[] } {
  const notes: string[] = [];
  return { notes, note: (line) => notes.push(line), rows() {}, done() {} };
}

let db: TestDatabase;
let client: pg.Client;

/** The spec's inventory (§1-§6) as pg_indexes deparses it: same names, columns, directions, predicates. */
const SPEC_INDEXES = (schema: string): Record<string, string> => ({
  executions_pkey: `CREATE UNIQUE INDEX executions_pkey ON ${schema}.executions USING btree (id)`,
  idx_executions_tenant_env_started:
    `CREATE INDEX idx_executions_tenant_env_started ON ${schema}.executions USING btree (tenant_id, environment_id, started_at DESC) WHERE (started_at IS NOT NULL)`,
  idx_executions_tenant_env_workflow_started:
    `CREATE INDEX idx_executions_tenant_env_workflow_started ON ${schema}.executions USING btree (tenant_id, environment_id, workflow_id, started_at DESC) WHERE (started_at IS NOT NULL)`,
  idx_executions_tenant_env_status_started:
    `CREATE INDEX idx_executions_tenant_env_status_started ON ${schema}.executions USING btree (tenant_id, environment_id, normalized_status, started_at DESC) WHERE ((normalized_status IS NOT NULL) AND (started_at IS NOT NULL))`,
  idx_executions_tenant_env_failed_started:
    `CREATE INDEX idx_executions_tenant_env_failed_started ON ${schema}.executions USING btree (tenant_id, environment_id, started_at DESC) WHERE (normalized_status = 'error'::text)`,
  // ASC is the default direction, so the catalog prints (tenant_id, started_at) for "started_at ASC".
  idx_executions_tenant_started_asc:
    `CREATE INDEX idx_executions_tenant_started_asc ON ${schema}.executions USING btree (tenant_id, started_at) WHERE (started_at IS NOT NULL)`,
  idx_executions_retention_cleanup:
    `CREATE INDEX idx_executions_retention_cleanup ON ${schema}.executions USING btree (tenant_id, started_at) WHERE (started_at IS NOT NULL)`,
  idx_executions_null_started_at:
    `CREATE INDEX idx_executions_null_started_at ON ${schema}.executions USING btree (tenant_id, created_at) WHERE (started_at IS NULL)`,
  idx_executions_unique_tenant_env_execution:
    `CREATE UNIQUE INDEX idx_executions_unique_tenant_env_execution ON ${schema}.executions USING btree (tenant_id, environment_id, execution_id) WHERE (execution_id IS NOT NULL)`,
});

async function indexDefs(schema: string, table = 'executions'): Promise<Record<string, string>> {
  const result = await client.query<{ indexname: string; indexdef: string }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname', [schema, table]);
  return Object.fromEntries(result.rows.map((r) => [r.indexname, r.indexdef]));
}

async function marker(schema: string): Promise<Record<string, unknown> | undefined> {
  const result = await client.query(`SELECT * FROM ${schema}.execbench_dataset`);
  return result.rows[0];
}

/** A fingerprint of the foreign public.executions: its rows, columns and indexes. */
async function publicExecutionsState(): Promise<string> {
  const rows = await client.query('SELECT id, tenant_id, note FROM public.executions ORDER BY id');
  const columns = await client.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'executions' ORDER BY ordinal_position`);
  const indexes = await client.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'executions' ORDER BY 1`);
  return JSON.stringify([rows.rows, columns.rows, indexes.rows]);
}

let publicBefore: string;

before(async () => {
  db = await createTestDatabase('seed');
  client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  await client.query("SET TimeZone = 'UTC'");
  // A user's own table of the same name: execbench must never touch it.
  await client.query(`CREATE TABLE IF NOT EXISTS public.executions (id int PRIMARY KEY, tenant_id text, note text)`);
  await client.query(`INSERT INTO public.executions VALUES (1, 'user-tenant', 'not execbench''s') ON CONFLICT DO NOTHING`);
  publicBefore = await publicExecutionsState();
});

after(async () => {
  await client?.end();
  await db?.drop();
});

test('seeds the focus tenant at the requested scale, with 9 more tenants and the documented shapes', async () => {
  const progress = recordingProgress();
  const info = await ensureDataset(db, request({ fresh: true }), progress);
  assert.equal(info.schema, SCHEMA);
  assert.equal(info.reused, false);
  assert.deepEqual(info.counts, { focusRows: 5000, totalRows: 7000, tenants: 10 });
  assert.equal(info.anchor, DATASET_SHAPE.time.anchor);
  for (const phase of ['copy', 'indexes', 'functions', 'vacuum']) assert.equal(typeof info.phasesMs[phase], 'number', phase);

  await client.query(`SET search_path TO ${SCHEMA}`);
  const counts = await client.query<{ total: string; focus: string; tenants: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE tenant_id = $1) AS focus, count(DISTINCT tenant_id) AS tenants FROM executions`,
    [info.focus.tenantId]);
  assert.deepEqual(counts.rows[0], { total: '7000', focus: '5000', tenants: '10' });

  const envs = await client.query<{ environment_id: string; n: string }>(
    `SELECT environment_id, count(*) AS n FROM executions WHERE tenant_id = $1 GROUP BY 1 ORDER BY 2 DESC`, [info.focus.tenantId]);
  assert.deepEqual(envs.rows.map((r) => [r.environment_id, Number(r.n)]), info.focus.environments.map((e) => [e.id, e.rows]));
  const workflows = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM executions WHERE tenant_id = $1 AND workflow_id = $2`, [info.focus.tenantId, info.focus.workflows[0]!.id]);
  assert.equal(Number(workflows.rows[0]!.n), info.focus.workflows[0]!.rows);

  const shape = await client.query<Record<string, string>>(
    `SELECT count(*) FILTER (WHERE normalized_status = 'error')::float / count(*) FILTER (WHERE normalized_status IS NOT NULL) AS error_share,
            count(*) FILTER (WHERE started_at IS NULL) AS never_started,
            count(*) FILTER (WHERE started_at IS NULL AND status = 'new' AND finished_at IS NULL) AS never_started_new,
            count(*) FILTER (WHERE normalized_status IS NULL) AS legacy,
            count(*) FILTER (WHERE normalized_status IS NULL AND started_at >= $2::timestamptz - interval '60 days') AS young_legacy,
            count(*) FILTER (WHERE started_at >= $2::timestamptz - interval '7 days')::float / count(*) AS last_week_share,
            count(*) FILTER (WHERE (duration_ms IS NULL) <> (finished_at IS NULL)) AS inconsistent_duration,
            count(*) FILTER (WHERE finished_at <> started_at + duration_ms * interval '1 millisecond') AS wrong_finish,
            max(started_at) < $2::timestamptz AS before_anchor,
            avg(pg_column_size(executions.*)) AS avg_row_bytes
     FROM executions WHERE tenant_id = $1`, [info.focus.tenantId, info.anchor]);
  const s = shape.rows[0]!;
  assert.ok(Math.abs(Number(s.error_share) - 0.07) < 0.02, `error share ${s.error_share}`);
  assert.equal(s.never_started, '1');
  assert.equal(s.never_started_new, '1');
  assert.ok(Number(s.legacy) > 0);
  assert.equal(s.young_legacy, '0');
  assert.ok(Math.abs(Number(s.last_week_share) - 0.1) < 0.02, `last-7-days share ${s.last_week_share}`);
  assert.equal(s.inconsistent_duration, '0');
  assert.equal(s.wrong_finish, '0');
  assert.equal(String(s.before_anchor), 'true');
  assert.ok(Number(s.avg_row_bytes) > 250 && Number(s.avg_row_bytes) < 400, `row width ${s.avg_row_bytes}`);

  const m = await marker(SCHEMA);
  assert.equal(m?.status, 'ready');
  assert.equal(m?.fingerprint, info.fingerprint);
  assert.ok(progress.notes.some((n) => n.includes('loading execbench_5000')));
});

test('every index of the spec inventory is present exactly as written, and no other', async () => {
  assert.deepEqual(await indexDefs(SCHEMA), SPEC_INDEXES(SCHEMA));
});

test('upsert_execution inserts once, then updates the same row for the same engine execution', async () => {
  const info = await ensureDataset(db, request());
  const env = info.focus.environments[0]!.id;
  await client.query(`SET search_path TO ${SCHEMA}`);
  await client.query('BEGIN');
  try {
    const before = await client.query<{ n: string }>('SELECT count(*) AS n FROM executions');
    const call = (id: string, status: string) => client.query<{ upsert_execution: string }>(
      `SELECT upsert_execution($1, $2, $3, $4, 'wf', 'execbench-test-1', $5, $5, 'manual', $6, NULL, NULL)`,
      [id, info.focus.tenantId, env, info.focus.workflows[0]!.id, status, info.anchor]);
    const first = await call('00000000-0000-4000-8000-000000000001', 'running');
    const second = await call('00000000-0000-4000-8000-000000000002', 'success');
    assert.equal(first.rows[0]!.upsert_execution, '00000000-0000-4000-8000-000000000001');
    assert.equal(second.rows[0]!.upsert_execution, '00000000-0000-4000-8000-000000000001');
    const after = await client.query<{ n: string }>('SELECT count(*) AS n FROM executions');
    assert.equal(Number(after.rows[0]!.n), Number(before.rows[0]!.n) + 1);
    const row = await client.query(`SELECT status FROM executions WHERE execution_id = 'execbench-test-1'`);
    assert.deepEqual(row.rows, [{ status: 'success' }]);
  } finally {
    await client.query('ROLLBACK');
  }
});

test('cleanup_old_executions deletes exactly the tenant rows older than the cutoff, in batches', async () => {
  const info = await ensureDataset(db, request());
  await client.query(`SET search_path TO ${SCHEMA}`);
  await client.query('BEGIN');
  try {
    const cutoff = new Date(Date.parse(info.anchor) - 70 * 86_400_000).toISOString();
    const count = async (where: string) =>
      Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM executions WHERE ${where}`, [info.focus.tenantId, cutoff])).rows[0]!.n);
    const old = await count('tenant_id = $1 AND started_at < $2');
    const othersBefore = await count('tenant_id <> $1 AND $2::text IS NOT NULL');
    assert.ok(old > 100, `only ${old} old rows`);
    const deleted = await client.query<{ n: string }>('SELECT cleanup_old_executions($1, $2, 100) AS n', [info.focus.tenantId, cutoff]);
    assert.equal(Number(deleted.rows[0]!.n), old);
    assert.equal(await count('tenant_id = $1 AND started_at < $2'), 0);
    assert.equal(await count('tenant_id <> $1 AND $2::text IS NOT NULL'), othersBefore);
    const oneBatch = await client.query<{ n: string }>('SELECT cleanup_old_executions($1, $2::timestamptz + interval \'10 days\', 50, 1) AS n', [info.focus.tenantId, cutoff]);
    assert.equal(Number(oneBatch.rows[0]!.n), 50);
  } finally {
    await client.query('ROLLBACK');
  }
});

test('the same request reuses the ready dataset and says so', async () => {
  const first = await marker(SCHEMA);
  const progress = recordingProgress();
  const info = await ensureDataset(db, request(), progress);
  assert.equal(info.reused, true);
  assert.equal(info.fingerprint, first?.fingerprint);
  assert.deepEqual((await marker(SCHEMA))?.load_started_at, first?.load_started_at);
  assert.ok(progress.notes.some((n) => n.startsWith('seed: reusing execbench_5000')), progress.notes.join('\n'));
});

test('a changed seed rebuilds the dataset with other rows', async () => {
  const before = await ensureDataset(db, request());
  const progress = recordingProgress();
  const info = await ensureDataset(db, request({ seed: 7 }), progress);
  assert.equal(info.reused, false);
  assert.notEqual(info.fingerprint, before.fingerprint);
  assert.notEqual(info.focus.tenantId, before.focus.tenantId);
  assert.ok(progress.notes.some((n) => n.includes('different inputs')), progress.notes.join('\n'));
  const m = await marker(SCHEMA);
  assert.equal(String(m?.seed), '7');
});

test('--fresh rebuilds even a matching dataset', async () => {
  await ensureDataset(db, request());
  const info = await ensureDataset(db, request({ fresh: true }));
  assert.equal(info.reused, false);
});

test('a dataset left in the loading state is never reused: it is rebuilt', async () => {
  await ensureDataset(db, request());
  await client.query(`UPDATE ${SCHEMA}.execbench_dataset SET status = 'loading'`);
  const progress = recordingProgress();
  const info = await ensureDataset(db, request(), progress);
  assert.equal(info.reused, false);
  assert.ok(progress.notes.some((n) => n.includes('never finished')), progress.notes.join('\n'));
  assert.equal((await marker(SCHEMA))?.status, 'ready');
});

test('a ready dataset with a spec index dropped since is rebuilt, not reused', async () => {
  await ensureDataset(db, request());
  await client.query(`DROP INDEX ${SCHEMA}.idx_executions_tenant_env_failed_started`);
  const progress = recordingProgress();
  const info = await ensureDataset(db, request(), progress);
  assert.equal(info.reused, false);
  assert.ok(progress.notes.some((n) => n.includes('idx_executions_tenant_env_failed_started is missing')), progress.notes.join('\n'));
  assert.deepEqual(await indexDefs(SCHEMA), SPEC_INDEXES(SCHEMA));
});

test('a seed killed mid-COPY leaves a loading marker and no table; the next run rebuilds it', async () => {
  const schema = 'execbench_killed';
  const dir = mkdtempSync(join(tmpdir(), 'execbench-kill-'));
  const script = join(dir, 'seed-child.mts');
  const datasetModule = fileURLToPath(new URL('../../src/seed/dataset.ts', import.meta.url));
  writeFileSync(script, `
    import { ensureDataset } from ${JSON.stringify(datasetModule)};
    let signalled = false;
    await ensureDataset({ connectionString: process.env.SEED_URL }, JSON.parse(process.env.SEED_REQUEST), {
      note: () => {},
      rows: (done) => { if (!signalled && done > 20000) { signalled = true; process.stderr.write('COPYING\\n'); } },
      done: () => {},
    }, { schemaName: ${JSON.stringify(schema)} });
    process.stderr.write('FINISHED\\n');
  `);
  const killRequest = request({ scale: parseScale('300000') });
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, SEED_URL: db.connectionString, SEED_REQUEST: JSON.stringify(killRequest) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const killed = await new Promise<boolean>((resolve) => {
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
      if (stderr.includes('COPYING')) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL'));
  });
  assert.ok(killed, `child was not killed mid-COPY: ${stderr}`);
  // The server notices the dropped connection and aborts the COPY transaction.
  for (let i = 0; i < 50; i++) {
    const active = await client.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'execbench-seed' AND datname = current_database()`);
    if (active.rows[0].n === '0') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await marker(schema))?.status, 'loading');
  const table = await client.query(`SELECT to_regclass('${schema}.executions') AS t`);
  assert.equal(table.rows[0].t, null);

  const progress = recordingProgress();
  const small = request({ scale: parseScale('300000') });
  const info = await ensureDataset(db, small, progress, { schemaName: schema });
  assert.equal(info.reused, false);
  assert.ok(progress.notes.some((n) => n.includes('never finished')), progress.notes.join('\n'));
  assert.equal((await marker(schema))?.status, 'ready');
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
});

test('a rebuild is refused while a user view elsewhere depends on the dataset, and the view survives', async () => {
  await ensureDataset(db, request());
  await client.query(`CREATE VIEW public.my_error_view AS SELECT id FROM ${SCHEMA}.executions WHERE normalized_status = 'error'`);
  try {
    await assert.rejects(ensureDataset(db, request({ seed: 99 })), (error: unknown) =>
      error instanceof OwnershipError && error.message.includes('view public.my_error_view'));
    const view = await client.query(`SELECT to_regclass('public.my_error_view')::text AS v`);
    assert.match(String(view.rows[0].v), /my_error_view$/);
    assert.equal((await marker(SCHEMA))?.status, 'ready');
  } finally {
    await client.query('DROP VIEW IF EXISTS public.my_error_view');
  }
});

test('a rebuild is refused while a table elsewhere uses the dataset\'s row type, and that table survives', async () => {
  await ensureDataset(db, request());
  await client.query(`CREATE TABLE public.my_snapshots (taken_at timestamptz, row_data ${SCHEMA}.executions)`);
  try {
    await assert.rejects(ensureDataset(db, request({ seed: 99 })), (error: unknown) =>
      error instanceof OwnershipError && /my_snapshots/.test(error.message));
    const table = await client.query(`SELECT to_regclass('public.my_snapshots')::text AS t`);
    assert.match(String(table.rows[0].t), /my_snapshots$/);
  } finally {
    await client.query('DROP TABLE IF EXISTS public.my_snapshots');
  }
});

test('a schema of the same name without the marker is refused and left untouched', async () => {
  await client.query('CREATE SCHEMA execbench_777');
  await client.query('CREATE TABLE execbench_777.executions (id int, payload text)');
  await client.query(`INSERT INTO execbench_777.executions VALUES (1, 'user data')`);
  await assert.rejects(ensureDataset(db, request({ scale: parseScale('777') })), (error: unknown) =>
    error instanceof OwnershipError && error.message.includes('"execbench_777"') && /never drops/.test(error.message));
  const rows = await client.query('SELECT * FROM execbench_777.executions');
  assert.deepEqual(rows.rows, [{ id: 1, payload: 'user data' }]);
  const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'execbench_777'`);
  assert.deepEqual(tables.rows, [{ tablename: 'executions' }]);
  assert.deepEqual(await indexDefs('execbench_777'), {});
});

test('a schema file with an error fails naming the file and line, and the half-built dataset is rebuilt next time', async () => {
  const schema = 'execbench_broken';
  const dir = join(mkdtempSync(join(tmpdir(), 'execbench-schema-')), 'schema');
  cpSync(SCHEMA_DIR, dir, { recursive: true });
  const file = join(dir, '002-spec-indexes.sql');
  const lines = readFileSync(file, 'utf8').split('\n');
  const broken = lines.findIndex((l) => l.startsWith('ON executions(tenant_id, environment_id, workflow_id'));
  lines[broken] = 'ON executions(tenant_id, environment_id, workflow_idd, started_at DESC)';
  writeFileSync(file, lines.join('\n'));
  await assert.rejects(ensureDataset(db, request(), undefined, { schemaDir: dir, schemaName: schema }), (error: unknown) =>
    error instanceof SchemaError && error.file === 'schema/002-spec-indexes.sql' && error.line === broken + 1 &&
    error.message.includes(`line ${broken + 1}`) && error.message.includes('workflow_idd'));
  assert.equal((await marker(schema))?.status, 'loading');
  const progress = recordingProgress();
  const info = await ensureDataset(db, request(), progress, { schemaName: schema });
  assert.equal(info.reused, false);
  assert.ok(progress.notes.some((n) => n.includes('never finished')));
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
});

test('a syntax error in a function body is reported at its line in the file', async () => {
  const schema = 'execbench_broken_fn';
  const dir = join(mkdtempSync(join(tmpdir(), 'execbench-schema-')), 'schema');
  cpSync(SCHEMA_DIR, dir, { recursive: true });
  const file = join(dir, '003-functions.sql');
  const lines = readFileSync(file, 'utf8').split('\n');
  const broken = lines.findIndex((l) => l.includes('v_total := v_total + v_batch;'));
  lines[broken] = '        v_total := v_total + v_batch';
  writeFileSync(file, lines.join('\n'));
  await assert.rejects(ensureDataset(db, request(), undefined, { schemaDir: dir, schemaName: schema }), (error: unknown) =>
    error instanceof SchemaError && error.file === 'schema/003-functions.sql' && error.line === broken + 2);
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
});

test('index-build during with both optional parts builds the covering index and the daily-stats view', async () => {
  const schema = 'execbench_optional';
  const info = await ensureDataset(db, request({ indexBuild: 'during', optional: { coveringIndex: true, dailyStats: true } }), undefined, { schemaName: schema });
  const defs = await indexDefs(schema);
  assert.deepEqual(Object.keys(defs).sort(), [...Object.keys(SPEC_INDEXES(schema)), 'idx_executions_tenant_started_duration'].sort());
  assert.equal(defs.idx_executions_tenant_started_duration,
    `CREATE INDEX idx_executions_tenant_started_duration ON ${schema}.executions USING btree (tenant_id, started_at, duration_ms) WHERE (duration_ms IS NOT NULL)`);
  assert.deepEqual(await indexDefs(schema, 'execution_stats_daily'), {
    idx_execution_stats_daily_tenant_date: `CREATE INDEX idx_execution_stats_daily_tenant_date ON ${schema}.execution_stats_daily USING btree (tenant_id, date DESC)`,
  });
  const days = await client.query<{ n: string }>(`SELECT sum(total_executions) AS n FROM ${schema}.execution_stats_daily WHERE tenant_id = $1`, [info.focus.tenantId]);
  assert.equal(Number(days.rows[0]!.n), 4999); // every focus row but the one that never started
  assert.equal(typeof info.phasesMs.optional, 'number');
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
});

test('the foreign public.executions is untouched by all of the above', async () => {
  assert.equal(await publicExecutionsState(), publicBefore);
  const rows = await client.query('SELECT * FROM public.executions');
  assert.deepEqual(rows.rows, [{ id: 1, tenant_id: 'user-tenant', note: "not execbench's" }]);
});
