// `whatif` on a real (embedded) Postgres at a small scale: the recommended set makes the spec's pagination,
// workflow- and status-filtered queries use their indexes as written; dropping an index a scenario needs shows in
// the ablation; a bound status loses the partial failed-only index in a generic plan; `whatif --json` parses; and
// the committed dataset is the same after a variant was measured.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { RunResults } from '../../src/results.ts';
import { loadScenarios, selectScenarios, type LoadedScenario } from '../../src/scenario/load.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import type { DatasetInfo } from '../../src/seed/types.ts';
import { runVariant } from '../../src/whatif/run-variant.ts';
import { genericFindings } from '../../src/whatif/summarize.ts';
import type { VariantRun } from '../../src/whatif/types.ts';
import { loadVariants } from '../../src/whatif/variants.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCALE = { label: '10000', focusRows: 10_000 };
const SCENARIOS = 'paginated-listing,workflow-filtered-popular,status-filtered-success,recent-failures';

let db: TestDatabase;
let dataset: DatasetInfo;
let scenarios: LoadedScenario[];
const runs: Record<string, VariantRun> = {};

async function indexDefinitions(): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ d: string }>(
      `SELECT indexdef AS d FROM pg_indexes WHERE schemaname = $1 AND tablename = 'executions' ORDER BY indexname`, [dataset.schema]);
    return rows.map((r) => r.d);
  } finally {
    await client.end();
  }
}

before(async () => {
  db = await createTestDatabase('whatif');
  dataset = await ensureDataset(db, { scale: SCALE, seed: 11, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true } });
  scenarios = selectScenarios(await loadScenarios(), [SCENARIOS]);
  const before = await indexDefinitions();
  for (const variant of loadVariants(['spec', 'recommended'])) {
    const { run } = await runVariant({
      connectionString: db.connectionString, dataset, scenarios, variant, budgetMs: 100, sideBudgetMs: 60,
      parts: { ablation: true, generic: true, crossover: true, writeCost: false }, log: () => {},
    });
    runs[variant.name] = run;
  }
  assert.deepEqual(await indexDefinitions(), before, 'measuring a variant leaves the committed dataset as seeded');
});
after(async () => { await db?.drop(); });
stopTestServerAfterAll();

const documented = (run: VariantRun, id: string) => run.rows.find((r) => r.scenarioId === id && r.form === 'documented')!;

describe('whatif at 10k', () => {
  it('recommended makes the documented pagination, workflow- and status-filtered queries use their indexes as written; spec does not', () => {
    for (const id of ['paginated-listing', 'workflow-filtered-popular', 'status-filtered-success']) {
      assert.equal(documented(runs.spec!, id).usesIndex, false, `spec ${id}: ${documented(runs.spec!, id).access}`);
      assert.match(documented(runs.spec!, id).access, /Seq Scan on executions/);
      const row = documented(runs.recommended!, id);
      assert.equal(row.usesIndex, true, `recommended ${id}: ${row.access} ${row.reason}`);
      assert.match(row.access, /Index Scan using idx_executions_tenant_env_/);
    }
    assert.ok(runs.recommended!.totalIndexBytes < runs.spec!.totalIndexBytes,
      `recommended ${runs.recommended!.totalIndexBytes} B of indexes vs spec ${runs.spec!.totalIndexBytes} B`);
  });

  it('dropping an index a scenario needs shows in the ablation: the plan changes and the contract fails', () => {
    const row = runs.recommended!.ablation.find((a) => a.index === 'idx_executions_tenant_env_started')!;
    const effect = row.affected.find((e) => e.scenarioId === 'paginated-listing' && e.form === 'documented')!;
    assert.equal(effect.planChanged, true);
    assert.equal(effect.statusBefore, 'passed');
    assert.equal(effect.statusAfter, 'failed');
    assert.ok(effect.latencyRatio && effect.buffersRatio! > 1, JSON.stringify(effect));
    const twin = runs.spec!.ablation.find((a) => a.index === 'idx_executions_null_started_at')!;
    assert.equal(twin.unneeded, true, 'no selected scenario uses or expects the never-started index');
  });

  it('a bound status loses the partial failed-only index in a generic plan, and it becomes an error finding saying why', () => {
    const g = runs.spec!.generic.find((x) => x.scenarioId === 'recent-failures' && x.form === 'documented')!;
    assert.deepEqual(g.boundLiterals, ["normalized_status = 'error'"]);
    assert.match(g.customAccess, /idx_executions_tenant_env_failed_started/);
    assert.doesNotMatch(g.genericAccess, /idx_executions_tenant_env_failed_started/);
    assert.equal(g.genericContractHolds, false);
    assert.match(g.why!, /partial .*normalized_status = 'error'.*generic plan must be valid for any value/);
    const finding = genericFindings([runs.spec!]).find((f) => f.scenarioId === 'recent-failures')!;
    assert.equal(finding.severity, 'error');
    assert.match(finding.title, /cannot use a partial index whose predicate names a literal/);
    // With the recommended status index (no started_at predicate) the bound form still reads an index.
    const rec = runs.recommended!.generic.find((x) => x.scenarioId === 'recent-failures' && x.form === 'documented')!;
    assert.match(rec.genericAccess, /Index Scan using idx_executions_tenant_env_status_started/);
  });

  it('every tenant of the dataset is a rung of the crossover ladder', () => {
    const ladder = runs.spec!.ladders.find((l) => l.scenarioId === 'paginated-listing' && l.form === 'corrected')!;
    assert.equal(ladder.rungs.length, 10);
    assert.ok(ladder.rungs.every((r) => r.estimatedCost > 0 && r.plan.length > 0));
  });
});

describe('execbench whatif', () => {
  it('--json prints a results document with the whatif section that parses; a bad variant name is exit 3', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'execbench-whatif-'));
    const args = ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'whatif', '--database-url', db.connectionString, '--yes', '--scale', '10000', '--seed', '11',
      '--scenario', 'paginated-listing', '--time-budget', '100ms', '--side-budget', '60ms', '--no-write-cost', '--no-crossover', '--fail-on', 'contracts', '--json', '--out', out];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const results = JSON.parse(r.stdout) as RunResults;
    assert.deepEqual(results.whatif!.variants.map((v) => v.name), ['spec', 'recommended']);
    assert.equal(results.whatif!.runs.length, 2);
    assert.deepEqual(results.whatif!.fixes[0]!.fixed, ['paginated-listing']);
    assert.match(r.stderr, /What-if at 10000/);
    const bad = spawnSync(process.execPath, [...args.slice(0, 4), '--variant', 'spec,nope'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 60_000 });
    assert.equal(bad.status, 3, bad.stderr);
    assert.match(bad.stderr.trim(), /^execbench: Unknown variant 'nope'/);
  });
});
