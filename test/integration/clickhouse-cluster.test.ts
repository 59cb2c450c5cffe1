// Option 3 on the two-shard cluster (two ClickHouse 18.16 servers, a Distributed table sharded by tenant) and on
// one of them as a plain server by URL. Runs where .ci/clickhouse-cluster started the pair (.ci/run does, and
// exports EXECBENCH_TEST_CLICKHOUSE_URLS); elsewhere it reports itself skipped with the reason.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openCluster } from '../../src/clickhouse/cluster.ts';
import type { ClusterHandle } from '../../src/clickhouse/load.ts';
import { runAnalyticsAtScale } from '../../src/clickhouse/run-analytics.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import type { DatasetInfo } from '../../src/seed/types.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function clusterUrls(): { urls: string[] } | { skip: string } {
  const fromEnv = process.env.EXECBENCH_TEST_CLICKHOUSE_URLS?.trim();
  if (fromEnv) return { urls: fromEnv.split(',') };
  if (process.env.EXECBENCH_TEST_CLICKHOUSE_SKIP_REASON) return { skip: process.env.EXECBENCH_TEST_CLICKHOUSE_SKIP_REASON };
  try {
    return { urls: execFileSync(path.join(ROOT, '.ci', 'clickhouse-cluster'), ['urls'], { encoding: 'utf8', timeout: 10_000 }).trim().split(',') };
  } catch {
    return { skip: 'no two-shard ClickHouse cluster: start it with .ci/clickhouse-cluster start (or set EXECBENCH_TEST_CLICKHOUSE_URLS)' };
  }
}

const found = clusterUrls();
const skip = 'skip' in found ? found.skip : undefined;
let db: TestDatabase;
let dataset: DatasetInfo;
let cluster: ClusterHandle;

before(async () => {
  if (skip || !('urls' in found)) return;
  db = await createTestDatabase('clickhouse_cluster');
  dataset = await ensureDataset(db, { scale: { label: '20000', focusRows: 20_000 }, seed: 7, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true } });
  cluster = await openCluster(found.urls);
});

after(async () => {
  for (const e of cluster ? [cluster.engine, ...cluster.shards] : []) await e.close();
  await db?.drop();
});
stopTestServerAfterAll();

describe('Option 3 on the two-shard ClickHouse 18.16 cluster, 20k focus rows', { skip }, () => {
  it('shards by tenant (the focus tenant on one shard), and answers every scenario as PostgreSQL does at whole-second precision', async () => {
    const scale = await runAnalyticsAtScale({ connectionString: db.connectionString, dataset, targets: [{ engine: cluster.engine, shards: cluster.shards }], budgetMs: 100, fresh: true, log: () => {} });
    const copy = scale.copies[0]!;
    assert.equal(copy.shardRows?.length, 2);
    assert.equal(copy.shardRows!.reduce((a, b) => a + b, 0), copy.rows);
    // One tenant's rows live on one shard: the shard holding the focus tenant holds at least its rows.
    const focusOnShard = [];
    for (const shard of cluster.shards) {
      const n = Number((await shard.select<{ n: string }>(`SELECT count() AS n FROM ${dataset.schema}.executions_local WHERE tenant_id = toUUID('${dataset.focus.tenantId}')`)).rows[0]!.n);
      focusOnShard.push(n);
    }
    assert.equal(focusOnShard.filter((n) => n > 0).length, 1, `focus tenant rows per shard: ${focusOnShard.join(', ')}`);
    for (const s of scale.scenarios) {
      const e = s.engines[0]!;
      assert.equal(e.check?.status, 'passed', `${s.id}: ${e.reason ?? JSON.stringify(e.check)}`);
      if (s.id === 'sparkline-7d') assert.match(e.check!.compared, /to the second/);
    }
  });

  it('a plain server by URL (one shard on its own) is reached through the official client and reports its version', async () => {
    const { openServerEngine } = await import('../../src/clickhouse/server.ts');
    const engine = await openServerEngine(('urls' in found ? found.urls : [])[1]!);
    try {
      assert.equal(engine.kind, 'server');
      assert.match(engine.version.text, /^\d+\.\d+/);
      const reply = await engine.select<{ x: number }>('SELECT 1 + 1 AS x');
      assert.equal(Number(reply.rows[0]!.x), 2);
      assert.ok(reply.serverMs !== undefined, 'FORMAT JSON statistics.elapsed is read on this version');
    } finally {
      await engine.close();
    }
  });
});
