// The index audit on a real Postgres: the spec's schema (schema/001 + 002) in a test schema with 20 000
// deterministic rows (test/fixtures/audit/rows.sql: 8% errors, 0.01% never started), plus one extra index
// no query uses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { diffIndexScans, flushIndexStats, runAudit, snapshotIndexScans } from '../../src/audit/run-audit.ts';
import type { AuditReport, IndexScanDelta } from '../../src/audit/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const ROWS = 20_000;
const EXTRA_INDEX = 'idx_audit_extra_unused';
const TENANT = '00000000-0000-4000-8000-000000000001';
const ENVIRONMENT = '00000000-0000-4000-9000-000000000001';
const SCHEMA = `audit_it_${process.pid}`;

/** Queries the scenarios would run; none of them can use EXTRA_INDEX (workflow_name, mode). */
const QUERIES: { sql: string; params: unknown[] }[] = [
  {
    sql: `SELECT * FROM executions WHERE tenant_id = $1 AND environment_id = $2 AND normalized_status = 'error'
          ORDER BY started_at DESC LIMIT 10`,
    params: [TENANT, ENVIRONMENT],
  },
  {
    sql: `SELECT * FROM executions WHERE tenant_id = $1 AND environment_id = $2 ORDER BY started_at DESC LIMIT 50`,
    params: [TENANT, ENVIRONMENT],
  },
  { sql: `SELECT * FROM executions WHERE id = (SELECT id FROM executions LIMIT 1)`, params: [] },
];

let db: TestDatabase;
let client: pg.Client;
let delta: IndexScanDelta;
/** Per query: the index its plan uses, and how often the query ran between the snapshots. */
const planIndexes: { index: string; runs: number }[] = [];
let report: AuditReport;
let pgstattupleBefore: boolean;

async function extensionInstalled(): Promise<boolean> {
  const { rows } = await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple'`);
  return rows.length > 0;
}

function indexNamesInPlan(plan: unknown): string[] {
  const node = plan as { 'Index Name'?: string; Plans?: unknown[] };
  return [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexNamesInPlan)];
}

before(async () => {
  db = await createTestDatabase('audit');
  client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  await client.query(`SET search_path = ${SCHEMA}`);
  for (const file of ['001-executions-table.sql', '002-spec-indexes.sql']) {
    await client.query(readFileSync(new URL(`../../schema/${file}`, import.meta.url), 'utf8'));
  }
  await client.query(readFileSync(new URL('../fixtures/audit/rows.sql', import.meta.url), 'utf8'), [ROWS]);
  await client.query(`CREATE INDEX ${EXTRA_INDEX} ON executions (workflow_name, mode)`);
  await client.query('ANALYZE executions');

  const first = await snapshotIndexScans(client, SCHEMA);
  for (const query of QUERIES) {
    const explained = await client.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, query.params);
    const plan = (explained.rows[0] as { 'QUERY PLAN': { Plan: unknown }[] })['QUERY PLAN'][0]!.Plan;
    const runs = 3;
    for (let i = 0; i < runs; i++) await client.query(query.sql, query.params);
    for (const index of indexNamesInPlan(plan)) planIndexes.push({ index, runs });
  }
  // Scans from another connection reach the snapshot once that connection flushes its statistics. The
  // connection stays open past the snapshot (a closing backend flushes on exit anyway), and its earlier
  // statements flushed less than a second ago, so without flushIndexStats its scan would still be pending.
  const other = new pg.Client({ connectionString: db.connectionString });
  await other.connect();
  let second;
  try {
    await other.query(`SET search_path = ${SCHEMA}`);
    await other.query('SET enable_seqscan = off');
    await other.query(`SELECT count(*) FROM executions WHERE tenant_id = $1 AND started_at IS NULL AND created_at < now()`, [TENANT]);
    await flushIndexStats(other);
    second = await snapshotIndexScans(client, SCHEMA);
  } finally {
    await other.end();
  }
  delta = diffIndexScans(first, second);
  await client.query('RESET search_path');

  pgstattupleBefore = await extensionInstalled();
  report = await runAudit(client, {
    schema: SCHEMA, scale: 'test', scanDelta: delta, mayCreateExtension: false, writeCost: { rows: 2000, repetitions: 3 },
  });
});

after(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client?.end();
  await db?.drop();
});

test('the spec duplicate pair tenant_started_asc / retention_cleanup is found from the catalog', () => {
  assert.deepEqual(report.duplicates.map((g) => g.indexes), [
    ['idx_executions_retention_cleanup', 'idx_executions_tenant_started_asc'],
  ]);
  const finding = report.findings.find((f) => f.id.startsWith('audit-duplicate-'));
  assert.ok(finding, 'a duplicate finding');
  assert.deepEqual([...finding.indexes].sort(), ['idx_executions_retention_cleanup', 'idx_executions_tenant_started_asc']);
  assert.deepEqual(report.redundant, []);
});

test('an extra index no query used is flagged unused, and the indexes the plans used are not', () => {
  const extra = report.indexes.find((i) => i.name === EXTRA_INDEX);
  assert.ok(extra, 'the extra index is audited');
  assert.equal(extra.scansDuringRun, 0);
  assert.equal(extra.unusedDuringRun, true);
  const finding = report.findings.find((f) => f.id === `audit-unused-${EXTRA_INDEX}`);
  assert.equal(finding?.severity, 'warning');

  assert.ok(planIndexes.length > 0, 'the queries used at least one index');
  for (const { index, runs } of planIndexes) {
    const audited = report.indexes.find((i) => i.name === index)!;
    assert.ok((audited.scansDuringRun ?? 0) >= runs, `${index}: ${audited.scansDuringRun} scans, ran ${runs} times`);
    assert.equal(audited.unusedDuringRun, false);
  }
});

test('scans made on another connection are counted after that connection flushes its statistics', () => {
  assert.ok((delta.scans.idx_executions_null_started_at ?? 0) >= 1, JSON.stringify(delta.scans));
});

test('partial-index coverage matches the rows inserted: 8% errors, 2 never-started rows', () => {
  const share = (name: string) => report.indexes.find((i) => i.name === name)!;
  assert.equal(report.rows, ROWS);
  assert.equal(share('idx_executions_tenant_env_failed_started').coveredRows, 1600);
  assert.equal(share('idx_executions_tenant_env_failed_started').coveredRowShare, 0.08);
  assert.equal(share('idx_executions_null_started_at').coveredRows, 2);
  assert.equal(share('idx_executions_tenant_env_started').coveredRows, ROWS - 2);
  // minus 1% legacy rows (NULL normalized_status) and the 2 never-started rows (error rows, status not NULL).
  assert.equal(share('idx_executions_tenant_env_status_started').coveredRows, ROWS - ROWS / 100 - 2);
  assert.equal(share('idx_executions_unique_tenant_env_execution').coveredRows, ROWS - ROWS / 50);
  assert.equal(share('executions_pkey').coveredRowShare, 1);
  assert.equal(share('executions_pkey').isPartial, false);
});

test('sizes are the server\'s: pages of 8 kB, their sum is pg_indexes_size, and the ratio is indexes over heap', async () => {
  const { rows } = await client.query<{ total: string }>(`SELECT pg_indexes_size($1::regclass) AS total`, [`${SCHEMA}.executions`]);
  // pg_indexes_size was read after the write-cost runs, which can grow indexes; the audit read sizes before.
  assert.ok(report.totalIndexBytes <= Number(rows[0]!.total));
  assert.equal(report.totalIndexBytes, report.indexes.reduce((s, i) => s + i.sizeBytes, 0));
  for (const index of report.indexes) assert.equal(index.sizeBytes % 8192, 0, index.name);
  assert.ok(report.tableSize.heapBytes > ROWS * 100, `heap ${report.tableSize.heapBytes} bytes for ${ROWS} rows`);
  assert.ok(Math.abs(report.indexToHeapRatio - report.totalIndexBytes / report.tableSize.heapBytes) < 1e-12);
  const failed = report.indexes.find((i) => i.name === 'idx_executions_tenant_env_failed_started')!;
  const full = report.indexes.find((i) => i.name === 'idx_executions_tenant_env_started')!;
  assert.ok(failed.sizeBytes * 5 < full.sizeBytes, 'the 8% partial index is far smaller than its full twin');
});

test('without permission to create it, pgstattuple is not installed and bloat uses the method that is available', async () => {
  assert.equal(await extensionInstalled(), pgstattupleBefore);
  assert.equal(report.bloat.method, pgstattupleBefore ? 'pgstatindex' : 'statistical-estimate');
  for (const index of report.indexes) {
    const ratio = index.bloat.bloatRatio;
    assert.ok(ratio === null || (ratio >= 0 && ratio <= 1), `${index.name}: ${ratio}`);
    assert.equal(index.bloat.exceedsSpecLimit, ratio !== null && ratio > 0.3);
  }
});

test('the write-cost runs were rolled back: same rows, same indexes, and a ratio over medians', async () => {
  const cost = report.writeCost;
  assert.ok(cost, report.writeCostError);
  assert.equal(cost.rows, 2000);
  assert.equal(cost.allIndexesSamplesMs.length, 3);
  assert.equal(cost.primaryKeyOnlySamplesMs.length, 3);
  assert.ok(cost.ratio > 0);
  assert.deepEqual(cost.indexesDropped.includes('executions_pkey'), false);
  assert.equal(cost.indexesDropped.length, report.indexes.length - 1);
  const count = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${SCHEMA}.executions`);
  assert.equal(Number(count.rows[0]!.n), ROWS);
  const indexes = await client.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND tablename = 'executions'`, [SCHEMA]);
  assert.equal(indexes.rows.length, report.indexes.length);
});

test('where execbench owns the database, pgstattuple is installed and bloat is measured by pgstatindex', async (t) => {
  const available = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pgstattuple'`);
  if (available.rows.length === 0) {
    t.skip('this server does not ship pgstattuple');
    return;
  }
  await client.query(`REINDEX TABLE ${SCHEMA}.executions`);
  const owned = await runAudit(client, { schema: SCHEMA, scale: 'test', mayCreateExtension: true, writeCost: false });
  assert.equal(owned.bloat.method, 'pgstatindex');
  assert.equal(await extensionInstalled(), true);
  assert.equal(owned.scans.measured, false);
  assert.equal(owned.indexes.some((i) => i.unusedDuringRun), false, 'no delta, no unused flags');
  // Freshly rebuilt btrees are packed to fillfactor 90: far below the 30% rule.
  for (const index of owned.indexes) {
    assert.equal(index.bloat.method, 'pgstatindex');
    assert.ok((index.bloat.bloatRatio ?? 0) < 0.1, `${index.name}: ${index.bloat.bloatRatio} after REINDEX`);
  }
});
