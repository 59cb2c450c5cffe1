// The baseline gate on a real Postgres, at a small scale: a baseline from one run, a dropped index (rolled back)
// in the next, and the comparison fails naming the scenario and the index. Also exercises explain() itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { compareRuns } from '../../src/gate/compare.ts';
import { decideExit } from '../../src/gate/verdict.ts';
import { analyzePlan } from '../../src/plan/analyze.ts';
import { explain } from '../../src/plan/explain.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults, type ScenarioResult } from '../../src/results.ts';
import { summarize } from '../../src/runner/statistics.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const SCHEMA = `gate_it_${process.pid}`;
const TENANT = '00000000-0000-0000-0000-000000000001';
const ENVIRONMENT = '00000000-0000-0000-0001-000000000001';
const DROPPED = 'idx_executions_tenant_env_failed_started';

/** Three read scenarios; only the first can use DROPPED. */
const SCENARIOS = [
  {
    id: 'recent-failures',
    sql: `SELECT * FROM executions WHERE tenant_id = $1 AND environment_id = $2 AND normalized_status = 'error'
          ORDER BY started_at DESC LIMIT 10`,
    params: [TENANT, ENVIRONMENT],
  },
  {
    id: 'paginated-listing',
    sql: `SELECT * FROM executions WHERE tenant_id = $1 AND environment_id = $2 AND started_at IS NOT NULL
          ORDER BY started_at DESC LIMIT 50`,
    params: [TENANT, ENVIRONMENT],
  },
  {
    id: 'single-lookup',
    sql: `SELECT * FROM executions WHERE id = md5('id42')::uuid`,
    params: [],
  },
];

let db: TestDatabase;
let client: pg.Client;

/** Runs every scenario once under EXPLAIN and 20 times plain, and returns the run as results.json would hold it. */
async function measureRun(runId: string): Promise<RunResults> {
  const scenarios: ScenarioResult[] = [];
  for (const s of SCENARIOS) {
    const planJson = await explain(client, s.sql, s.params, { timing: true });
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await client.query(s.sql, s.params);
      samples.push(performance.now() - t0);
    }
    scenarios.push({
      scenarioId: s.id, title: s.id, spec: '-', kind: 'read', scale: 'tiny', form: 'corrected', gated: true,
      sql: s.sql, params: s.params.map(String), expectedIndexes: [], outcome: { status: 'passed' },
      plan: analyzePlan(planJson), planJson,
      latency: {
        client: summarize(samples), clientSamplesMs: samples, server: summarize(samples), serverSamplesMs: samples,
        serverMethod: 'explain-timing-off', protocol: 'unnamed',
        explainOverhead: { timingOnMs: 0, timingOffMs: 0 },
        breakdown: { serverMs: 0, wireMs: 0, decodeMs: 0, rows: 0 },
      },
      durationMs: 0,
    });
  }
  const version = await client.query<{ v: string; n: string }>(`SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`);
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION, runId, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(),
    options: { scales: ['tiny'], scenarios: SCENARIOS.map((s) => s.id), timeBudgetMs: 0, strictSpec: false },
    environment: {
      provider: { kind: 'url', reason: 'integration test' },
      postgres: { version: version.rows[0]!.v, versionNum: Number(version.rows[0]!.n), settings: {} },
      machine: { cpus: 1, cpuModel: 'test', memoryBytes: 1, platform: process.platform, node: process.version },
      execbenchVersion: 'test',
    },
    datasets: [{ scale: 'tiny', schema: SCHEMA, fingerprint: 'gate-it-20k', seed: 1, focusRows: 20_000, totalRows: 20_000, tenants: 5, indexBuild: 'after', reused: false, phasesMs: {} }],
    scenarios, findings: [], headline: [], timings: {},
  };
}

before(async () => {
  db = await createTestDatabase('gate');
  client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}; SET search_path TO ${SCHEMA}`);
  for (const file of ['001-executions-table.sql', '002-spec-indexes.sql']) {
    await client.query(readFileSync(new URL(`../../schema/${file}`, import.meta.url), 'utf8'));
  }
  // 20k deterministic rows: 5 tenants x 3 environments, ~7% error, a few never started.
  await client.query(`
    INSERT INTO executions (id, tenant_id, environment_id, workflow_id, workflow_name, execution_id, status,
                            normalized_status, mode, started_at, created_at)
    SELECT md5('id' || g)::uuid,
           ('00000000-0000-0000-0000-00000000000' || t)::uuid,
           ('00000000-0000-0000-000' || t || '-00000000000' || e)::uuid,
           md5('wf' || (g % 20))::uuid, 'workflow ' || (g % 20), 'exec-' || g,
           CASE WHEN s < 7 THEN 'error' ELSE 'success' END, CASE WHEN s < 7 THEN 'error' ELSE 'success' END,
           'trigger',
           CASE WHEN g % 2000 = 1 THEN NULL ELSE timestamptz '2026-01-01' + g * interval '7 minutes' END,
           timestamptz '2026-01-01' + g * interval '7 minutes'
    FROM generate_series(1, 20000) g,
         LATERAL (SELECT abs(hashint4(g)) % 5 + 1 AS t, abs(hashint4(g + 1000003)) % 3 + 1 AS e,
                         abs(hashint4(g + 3000017)) % 100 AS s) a`);
  await client.query('VACUUM ANALYZE executions');
});

after(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => {});
  await client?.end();
  await db?.drop();
});

describe('baseline gate on a real database', () => {
  test(`dropping ${DROPPED} -> the comparison fails naming recent-failures and the index; the other scenarios keep their plans`, async () => {
    const baseline = await measureRun('baseline');
    const baselineFailures = baseline.scenarios.find((s) => s.scenarioId === 'recent-failures')!;
    assert.deepEqual(baselineFailures.plan!.indexes.map((i) => i.index), [DROPPED], 'precondition: the baseline uses the index');

    await client.query('BEGIN');
    let current: RunResults;
    try {
      await client.query(`DROP INDEX ${DROPPED}`);
      current = await measureRun('current');
    } finally {
      await client.query('ROLLBACK');
    }

    const comparison = compareRuns(baseline, current);
    const byId = new Map(comparison.comparisons.map((c) => [c.scenarioId, c]));
    const failures = byId.get('recent-failures')!;
    assert.equal(failures.status, 'regressed');
    const indexCheck = failures.status === 'regressed' ? failures.checks.find((c) => c.signal === 'index') : undefined;
    assert.equal(indexCheck?.passed, false);
    assert.match(indexCheck!.message, new RegExp(`^index changed: was ${DROPPED} \\(Index Scan\\), now `));
    for (const id of ['paginated-listing', 'single-lookup']) {
      const c = byId.get(id)!;
      assert.notEqual(c.status, 'not-compared');
      const deterministic = c.status === 'not-compared' ? [] : c.checks.filter((k) => k.signal === 'index' || k.signal === 'plan-shape' || k.signal === 'buffers');
      assert.deepEqual(deterministic.filter((k) => !k.passed).map((k) => k.message), [], `${id} should keep its plan and buffers`);
    }
    const decision = decideExit(current, comparison, ['baseline']);
    assert.equal(decision.exitCode, 1);
    assert.ok(decision.reasons.some((r) => r.startsWith('recent-failures tiny corrected: baseline plan: index changed') && r.includes(DROPPED)));

    // Rolled back: the index is there again.
    const present = await client.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [SCHEMA, DROPPED]);
    assert.equal(present.rowCount, 1);
  });

  test('explain() of an upsert inside BEGIN/ROLLBACK returns the arbiter index and leaves the table unchanged', async () => {
    const countBefore = (await client.query('SELECT count(*)::int AS n FROM executions')).rows[0].n as number;
    await client.query('BEGIN');
    let json: unknown;
    try {
      json = await explain(client, `
        INSERT INTO executions (id, tenant_id, environment_id, workflow_id, workflow_name, execution_id, status, mode)
        VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), 'w', 'brand-new-execution', 'running', 'manual')
        ON CONFLICT (tenant_id, environment_id, execution_id) WHERE execution_id IS NOT NULL
        DO UPDATE SET status = EXCLUDED.status`, [TENANT, ENVIRONMENT], { timing: true });
    } finally {
      await client.query('ROLLBACK');
    }
    const plan = analyzePlan(json);
    assert.deepEqual(plan.indexes.map((i) => `${i.index}:${i.access}`), ['idx_executions_unique_tenant_env_execution:Conflict Arbiter']);
    assert.equal((await client.query('SELECT count(*)::int AS n FROM executions')).rows[0].n, countBefore);
  });

  test('explain() with timing off omits per-node times but keeps rows and buffers', async () => {
    const s = SCENARIOS[0]!;
    const off = (await explain(client, s.sql, s.params, { timing: false })) as [{ Plan: Record<string, unknown> }];
    assert.equal(off[0].Plan['Actual Total Time'], undefined);
    const on = (await explain(client, s.sql, s.params, { timing: true })) as [{ Plan: Record<string, unknown> }];
    assert.equal(typeof on[0].Plan['Actual Total Time'], 'number');
    assert.equal(analyzePlan(off).rowsReturned, analyzePlan(on).rowsReturned);
  });

  test('the spec upsert without the partial predicate fails with 42P10 through explain()', async () => {
    await client.query('BEGIN');
    try {
      await assert.rejects(
        explain(client, `INSERT INTO executions (id, tenant_id, environment_id, workflow_id, workflow_name, execution_id, status, mode)
          VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), 'w', 'x', 'running', 'manual')
          ON CONFLICT (tenant_id, environment_id, execution_id) DO UPDATE SET status = EXCLUDED.status`, [TENANT, ENVIRONMENT], { timing: true }),
        (error: unknown) => (error as { code?: string }).code === '42P10',
      );
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
