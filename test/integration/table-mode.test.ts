// `execbench run --table` as a user runs it, on a real server holding a user-made executions table that differs
// from the document (other index names, an extra index, a missing one, four missing columns) and roles with only
// the privileges a team would give: the table is judged, and nothing about it changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { RunResults } from '../../src/results.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROWS = 20_000;

function execbench(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let db: TestDatabase;
let tmp: string;
const suffix = `${process.pid}_${randomBytes(2).toString('hex')}`;
const roles = { reader: `eb_reader_${suffix}`, writer: `eb_writer_${suffix}`, nobody: `eb_nobody_${suffix}` };

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  try { return await fn(client); } finally { await client.end(); }
}

/** The database URL as one of the test roles. */
function urlAs(role: string): string {
  const url = new URL(db.connectionString);
  url.username = role;
  url.password = 'pw';
  return url.toString();
}

/** Everything a write, DDL or a created object would change, read as the owner. */
async function fingerprint() {
  return admin(async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const sum = await c.query<{ md5: string }>("SELECT md5(string_agg(t::text, '' ORDER BY id)) AS md5 FROM public.executions t");
    const writes = await c.query<{ ins: string; upd: string; del: string; scans: string }>(
      `SELECT n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del, seq_scan + coalesce(idx_scan, 0) AS scans
         FROM pg_stat_user_tables WHERE relid = 'public.executions'::regclass`);
    const indexes = await c.query<{ d: string }>("SELECT string_agg(indexdef, ';' ORDER BY indexname) AS d FROM pg_indexes WHERE tablename = 'executions'");
    const schemas = await c.query<{ n: string }>('SELECT string_agg(nspname, \',\' ORDER BY nspname) AS n FROM pg_namespace');
    const extensions = await c.query<{ e: string }>('SELECT string_agg(extname, \',\' ORDER BY extname) AS e FROM pg_extension');
    return { checksum: sum.rows[0]!.md5, writes: writes.rows[0]!, indexes: indexes.rows[0]!.d, schemas: schemas.rows[0]!.n, extensions: extensions.rows[0]!.e };
  });
}

/**
 * Sequential plus index scans of the table, once the counters have settled: a backend's counts reach the statistics
 * when it exits (the test's own checksum reads included), so this reads until two reads 300 ms apart agree.
 */
async function settledScans(): Promise<string> {
  const read = () => admin(async (c) => (await c.query<{ scans: string }>(
    `SELECT seq_scan + coalesce(idx_scan, 0) AS scans FROM pg_stat_user_tables WHERE relid = 'public.executions'::regclass`)).rows[0]!.scans);
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await sleep(300);
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  return last;
}

before(async () => {
  db = await createTestDatabase('table_mode');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'execbench-table-'));
  const fixture = readFileSync(path.join(ROOT, 'test/fixtures/user-table/schema.sql'), 'utf8').replaceAll(':rows', String(ROWS));
  await admin(async (c) => {
    await c.query(fixture);
    for (const role of Object.values(roles)) await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw'`);
    await c.query(`GRANT SELECT ON public.executions TO ${roles.reader}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON public.executions TO ${roles.writer}`);
  });
});
after(async () => {
  // Roles belong to the server, not the database: their grants go first (DROP OWNED), then the roles, then the database.
  await admin(async (c) => {
    for (const role of Object.values(roles)) {
      await c.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await c.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    }
  }).catch(() => undefined);
  await db?.drop();
});
stopTestServerAfterAll();

describe('execbench run --table', () => {
  let results: RunResults;

  it('judges a SELECT-only role\'s table read-only: checksum, write counters, indexes, schemas and extensions unchanged', async () => {
    const before = await fingerprint();
    const scansBefore = await settledScans();
    const r = execbench(['run', '--database-url', urlAs(roles.reader), '--table', 'public.executions', '--time-budget', '100ms', '--json', '--out', path.join(tmp, 'read')]);
    // The table lacks the document's failed-executions index: the recent-failures contract fails (exit 1), about their table.
    assert.equal(r.code, 1, r.stderr);
    results = JSON.parse(r.stdout) as RunResults;
    // The run read the table, and the counters show it: so unchanged write counters below mean something.
    assert.ok(Number(await settledScans()) > Number(scansBefore) + 10, 'the run\'s reads are visible in pg_stat_user_tables');
    const after = await fingerprint();
    assert.equal(after.checksum, before.checksum, 'rows unchanged');
    assert.deepEqual([after.writes.ins, after.writes.upd, after.writes.del], [before.writes.ins, before.writes.upd, before.writes.del], 'no tuple inserted, updated or deleted');
    assert.equal(after.indexes, before.indexes);
    assert.equal(after.schemas, before.schemas, 'no schema created');
    assert.equal(after.extensions, before.extensions, 'no extension created');
    assert.match(r.stdout + r.stderr, /Judged your table public\.executions on .* nothing was written/);
    assert.equal(results.target?.writes, 'none');
  });

  it('maps the document\'s indexes to theirs by definition: same under another name, differs in predicate, missing, extra', () => {
    const map = results.target!.indexMap;
    const entry = (name: string) => map.entries.find((e) => e.documented === name)!;
    assert.deepEqual([entry('idx_executions_tenant_env_started').match, entry('idx_executions_tenant_env_started').theirs], ['same', 'exec_list_idx']);
    assert.deepEqual([entry('idx_executions_tenant_env_workflow_started').match, entry('idx_executions_tenant_env_workflow_started').theirs], ['differs-predicate', 'exec_workflow_idx']);
    assert.equal(entry('idx_executions_tenant_env_failed_started').match, 'missing');
    assert.ok(map.extra.some((x) => x.name === 'idx_executions_running'), JSON.stringify(map.extra));
    const failures = results.scenarios.find((s) => s.scenarioId === 'recent-failures')!;
    assert.equal(failures.outcome.status, 'failed');
    assert.ok(failures.outcome.status === 'failed' && failures.outcome.violations.some((v) => v.kind === 'index-missing'));
    // Their index's name is what the contract accepts.
    const listing = results.scenarios.find((s) => s.scenarioId === 'paginated-listing' && s.form === 'corrected')!;
    assert.equal(listing.outcome.status, 'passed', JSON.stringify(listing.outcome));
    assert.ok(listing.plan!.indexes.some((u) => u.index === 'exec_list_idx'));
  });

  it('skips what their table cannot run with the reason, and keeps their table\'s problems out of the document\'s findings', () => {
    const sparkline = results.scenarios.find((s) => s.scenarioId === 'sparkline-7d')!;
    assert.equal(sparkline.outcome.status, 'skipped');
    assert.match(sparkline.outcome.status === 'skipped' ? sparkline.outcome.reason : '', /has no column duration_ms/);
    const upsert = results.scenarios.find((s) => s.scenarioId === 'upsert-insert' && s.form === 'corrected')!;
    assert.match(upsert.outcome.status === 'skipped' ? upsert.outcome.reason : '', /without --allow-writes/);
    const ddl = results.scenarios.find((s) => s.scenarioId === 'partition-ddl')!;
    assert.match(ddl.outcome.status === 'skipped' ? ddl.outcome.reason : '', /DDL/);
    const documentFindings = results.findings.filter((f) => f.about !== 'table');
    assert.ok(!documentFindings.some((f) => f.scenarioId === 'sparkline-7d' || /duration_ms/.test(f.detail)), 'a missing column is not the document\'s fault');
    assert.ok(!documentFindings.some((f) => /has no index standing for/.test(f.detail)));
    const theirs = results.findings.filter((f) => f.about === 'table').map((f) => f.title);
    assert.ok(theirs.some((t) => /has no index standing for the document's idx_executions_tenant_env_failed_started/.test(t)), theirs.join('\n'));
    assert.ok(theirs.some((t) => /idx_executions_running is not in the document/.test(t)));
    assert.ok(results.audit?.[0]?.table === 'executions' && results.audit[0].writeCost === null, 'the audit ran on their table, without the write-cost measurement');
    // The document's own mistakes still show on their table: the documented listing misses the partial index.
    assert.ok(documentFindings.some((f) => f.scenarioId === 'paginated-listing' && f.severity === 'error'));
  });

  it('--plans-only executes no scenario statement and reads no row: the table\'s scan counters do not move', async () => {
    const before = await fingerprint();
    const scansBefore = await settledScans();
    // The team's own copy of the document, with one figure edited: --spec names what drifted.
    const doc = path.join(tmp, 'our-indexes.md');
    writeFileSync(doc, readFileSync(path.join(ROOT, 'docs/execution-indexes.md'), 'utf8').replace('| 5-10ms | Most common query', '| 5-8ms | Most common query'));
    const r = execbench(['run', '--database-url', urlAs(roles.reader), '--table', 'public.executions', '--plans-only', '--spec', doc, '--json', '--out', path.join(tmp, 'plans')]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const plans = JSON.parse(r.stdout) as RunResults;
    assert.equal(await settledScans(), scansBefore, 'no sequential or index scan of the table');
    assert.equal((await fingerprint()).checksum, before.checksum);
    const judged = plans.scenarios.filter((s) => s.plan);
    assert.ok(judged.length >= 10 && judged.every((s) => s.plan!.estimated === true && s.latency === undefined));
    assert.equal(plans.target?.plansOnly, true);
    assert.match(r.stderr, /plans only \(EXPLAIN without ANALYZE\): no scenario statement was executed/);
    assert.match(r.stderr, /line 244: Row 'Paginated listing \(50 records\)' reads 5-8ms \(upper end 8 ms\) but scenario paginated-listing holds its 100k p95 to 10 ms/);
    assert.ok(plans.findings.some((f) => f.id.startsWith('document-drift-threshold-differs')), 'drift items are findings with --spec');
  });

  it('--allow-writes runs the writes rolled back: rows unchanged, a column their table lacks skips the upsert', async () => {
    const before = await fingerprint();
    const r = execbench(['run', '--database-url', urlAs(roles.writer), '--table', 'public.executions', '--allow-writes', '--time-budget', '100ms', '--no-audit', '--json', '--scenario', 'retention-cleanup-batch,upsert-insert', '--out', path.join(tmp, 'writes')]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const writes = JSON.parse(r.stdout) as RunResults;
    assert.equal((await fingerprint()).checksum, before.checksum, 'every write was rolled back');
    const cleanup = writes.scenarios.find((s) => s.scenarioId === 'retention-cleanup-batch' && s.form === 'corrected')!;
    assert.equal(cleanup.outcome.status, 'passed', JSON.stringify(cleanup.outcome));
    const upsert = writes.scenarios.find((s) => s.scenarioId === 'upsert-insert' && s.form === 'corrected')!;
    assert.match(upsert.outcome.status === 'skipped' ? upsert.outcome.reason : JSON.stringify(upsert.outcome), /has no column workflow_name/);
    assert.equal(writes.target?.writes, 'rolled-back');
  });

  it('a role without SELECT gets one line naming the privilege and the GRANT, exit 3, before anything runs', () => {
    const r = execbench(['run', '--database-url', urlAs(roles.nobody), '--table', 'public.executions']);
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`Role ${roles.nobody} lacks SELECT on public\\.executions.*GRANT SELECT ON public\\.executions TO "?${roles.nobody}"?;`));
    const writes = execbench(['run', '--database-url', urlAs(roles.reader), '--table', 'public.executions', '--allow-writes']);
    assert.equal(writes.code, 3);
    assert.match(writes.stderr, /lacks INSERT, UPDATE, DELETE .* GRANT INSERT, UPDATE, DELETE ON public\.executions/);
  });

  it('bad --table input is one line, exit 3: a missing table names look-alikes; no URL; plans-only without a table', () => {
    const missing = execbench(['run', '--database-url', urlAs(roles.reader), '--table', 'public.execution']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /No table public\.execution in database .*look like it: public\.executions/);
    const noUrl = execbench(['run', '--table', 'public.executions']);
    assert.equal(noUrl.code, 3);
    assert.match(noUrl.stderr, /--table judges a table on your server: give --database-url/);
    const alone = execbench(['run', '--plans-only', '--database-url', urlAs(roles.reader)]);
    assert.equal(alone.code, 3);
    assert.match(alone.stderr, /--plans-only applies to your own table: add --table/);
    const scale = execbench(['run', '--database-url', urlAs(roles.reader), '--table', 'executions', '--scale', '100k']);
    assert.equal(scale.code, 3);
    assert.match(scale.stderr, /--scale does not apply with --table/);
  });
});
