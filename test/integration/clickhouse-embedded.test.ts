// Option 3 on the embedded engine (chdb), on a real PostgreSQL at small scale: the copy, the answer checks, reuse,
// and a corrupted copy caught by the checks. Skipped, with the reason, where chdb is not installed (on demand).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chdbUnavailableReason, openEmbeddedEngine } from '../../src/clickhouse/embedded.ts';
import type { ClickHouseEngine } from '../../src/clickhouse/engine.ts';
import { runAnalyticsAtScale } from '../../src/clickhouse/run-analytics.ts';
import { CLICKHOUSE_SCENARIOS } from '../../src/clickhouse/scenarios.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import type { DatasetInfo } from '../../src/seed/types.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const skip = await chdbUnavailableReason();
const quiet = () => {};
let db: TestDatabase;
let dataset: DatasetInfo;
let engine: ClickHouseEngine;
let dir: string;

before(async () => {
  if (skip) return;
  db = await createTestDatabase('clickhouse');
  dataset = await ensureDataset(db, { scale: { label: '20000', focusRows: 20_000 }, seed: 7, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'execbench-chdb-'));
  engine = await openEmbeddedEngine(dir);
});

after(async () => {
  await engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  await db?.drop();
});
stopTestServerAfterAll();

describe('Option 3 on embedded ClickHouse, 20k focus rows', { skip }, () => {
  it('copies every started row and answers every analytics scenario as PostgreSQL does', async () => {
    const scale = await runAnalyticsAtScale({ connectionString: db.connectionString, dataset, targets: [{ engine }], budgetMs: 100, fresh: false, log: quiet });
    const copy = scale.copies[0]!;
    assert.equal(copy.reused, false);
    assert.equal(copy.rows + copy.rowsNotCopied, dataset.counts.totalRows);
    assert.ok(copy.storageBytes > 0 && copy.storageBytes < scale.postgresStorage.tableBytes, `ClickHouse ${copy.storageBytes} B vs PostgreSQL ${scale.postgresStorage.tableBytes} B`);
    assert.equal(scale.scenarios.length, CLICKHOUSE_SCENARIOS.length);
    for (const s of scale.scenarios) {
      const e = s.engines[0]!;
      assert.equal(e.check?.status, 'passed', `${s.id}: ${e.reason ?? JSON.stringify(e.check)}`);
      assert.ok((e.serverSamplesMs ?? []).length > 0, `${s.id}: ClickHouse's own elapsed was read`);
      assert.ok(e.vsPostgres && Number.isFinite(e.vsPostgres.ratio), `${s.id}: a ratio to PostgreSQL`);
    }
    assert.ok(scale.scenarios.find((s) => s.id === 'daily-stats-live-aggregate')?.view, 'the view was timed beside');
  });

  it('reuses a copy that matches its dataset, and a row added behind its back is caught by the answer checks', async () => {
    const daily = CLICKHOUSE_SCENARIOS.filter((s) => s.id === 'daily-stats-live-aggregate');
    const again = await runAnalyticsAtScale({ connectionString: db.connectionString, dataset, targets: [{ engine }], budgetMs: 50, fresh: false, scenarios: daily, log: quiet });
    assert.equal(again.copies[0]!.reused, true);
    // One extra focus-tenant row inside the window, in ClickHouse only: the copy no longer matches PostgreSQL.
    const day = new Date(Date.parse(dataset.anchor) - 2 * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    await engine.command(`INSERT INTO ${dataset.schema}.executions (id, tenant_id, environment_id, workflow_id, workflow_name, status, normalized_status, mode, started_at, duration_ms, created_at, updated_at, data)
      VALUES (generateUUIDv4(), toUUID('${dataset.focus.tenantId}'), toUUID('${dataset.focus.environments[0]!.id}'), generateUUIDv4(), 'w', 'success', 'success', 'manual', '${day}', 5, '${day}', '${day}', '{}')`);
    const forced = await runAnalyticsAtScale({ connectionString: db.connectionString, dataset, targets: [{ engine }], budgetMs: 50, fresh: false, scenarios: daily, log: quiet });
    // The row count no longer matches: the copy is rebuilt rather than reused, and then it answers right again.
    assert.equal(forced.copies[0]!.reused, false);
    assert.equal(forced.scenarios[0]!.engines[0]!.check?.status, 'passed');
    // Behind the marker's back after the check of the count: now the answer check itself must catch it.
    await engine.command(`ALTER TABLE ${dataset.schema}.executions UPDATE duration_ms = duration_ms + 1, normalized_status = 'error' WHERE tenant_id = toUUID('${dataset.focus.tenantId}') AND normalized_status = 'success' AND started_at >= toDateTime('${day}', 'UTC') SETTINGS mutations_sync = 1`);
    const wrong = await runAnalyticsAtScale({ connectionString: db.connectionString, dataset, targets: [{ engine }], budgetMs: 50, fresh: false, scenarios: daily, log: quiet });
    const outcome = wrong.scenarios[0]!.engines[0]!;
    assert.equal(outcome.check?.status, 'failed');
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.reason ?? '', /answer differs from PostgreSQL's: group .*(success_count|error_count)/);
  });
});
