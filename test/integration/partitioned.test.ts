// The spec's Option 1 on a real server (20k rows over three months): the partitioned variant's copy, what its plans
// touch, the keys it loses, and retention by partition against the batched DELETE. Every structural finding of the
// layout shows at this size; nothing of the dataset is changed, and the retention's scratch copies are dropped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { describeRetention, measureRetention } from '../../src/runner/retention-compare.ts';
import { loadScenarios } from '../../src/scenario/load.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import { parseScale } from '../../src/seed/scale.ts';
import type { DatasetInfo } from '../../src/seed/types.ts';
import { layoutFindings } from '../../src/whatif/layout-findings.ts';
import { runVariant } from '../../src/whatif/run-variant.ts';
import { ensureTableVariant, tableVariantSchema } from '../../src/whatif/table-variant.ts';
import { loadVariants } from '../../src/whatif/variants.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let dataset: DatasetInfo;
before(async () => {
  db = await createTestDatabase('partitioned');
  dataset = await ensureDataset({ connectionString: db.connectionString, kind: 'url' }, { scale: parseScale('20000'), seed: 1, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true } });
});
after(async () => { await db?.drop(); });
stopTestServerAfterAll();

const count = async (sql: string): Promise<number> => {
  const client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await client.end();
  }
};

describe('partitioned variant', { timeout: 600_000 }, () => {
  it('copies the rows into monthly partitions, reads plans in the table\'s terms, and finds the lost keys', async () => {
    const [variant] = loadVariants(['partitioned']);
    const wanted = ['single-execution-lookup', 'sparkline-7d', 'paginated-listing', 'upsert-insert'];
    const scenarios = (await loadScenarios()).filter((s) => wanted.includes(s.id));
    const { run } = await runVariant({
      connectionString: db.connectionString, dataset, scenarios, variant: variant!, budgetMs: 100, sideBudgetMs: 50,
      parts: { ablation: false, generic: true, crossover: false, writeCost: false }, log: () => {},
    });
    const layout = run.layout!;
    assert.equal(layout.schema, tableVariantSchema(dataset.schema, 'partitioned'));
    const months = layout.partitions.filter((p) => p.from !== null);
    assert.ok(months.length >= 4, `monthly partitions: ${months.map((p) => p.name).join(', ')}`);
    assert.equal(await count(`SELECT count(*) AS n FROM ${layout.schema}.executions`), await count(`SELECT count(*) AS n FROM ${dataset.schema}.executions`), 'every row copied');

    const probe = layout.probe!;
    assert.ok(probe, layout.probeError);
    assert.equal(probe.primaryKey, null);
    assert.ok(probe.nullKeyRows > 0, 'the dataset has never-started rows');
    assert.equal(probe.defaultPartition?.rows, probe.nullKeyRows, 'every NULL started_at row is in the DEFAULT partition');
    assert.deepEqual(probe.duplicateId, { accepted: true, rowsWithId: 2 });
    assert.ok('rowsAfter' in probe.redelivery && probe.redelivery.rowsAfter === 2, JSON.stringify(probe.redelivery));

    const row = (id: string, form = 'documented') => run.rows.find((r) => r.scenarioId === id && r.form === form)!;
    const lookup = row('single-execution-lookup');
    assert.equal(lookup.partitions!.executed, lookup.partitions!.total, 'a lookup by id reads every partition');
    assert.deepEqual(lookup.indexes, ['executions_id_started_at_key'], 'partition indexes are named by their partitioned index');
    assert.match(lookup.reason, /expected executions_pkey/);
    assert.ok(row('sparkline-7d').partitions!.executed < row('sparkline-7d').partitions!.total, 'the 7-day sparkline is pruned');
    assert.equal(row('paginated-listing').partitions!.executed, row('paginated-listing').partitions!.total, 'the listing has no started_at bound');
    assert.match(row('upsert-insert', 'corrected').reason, /ON CONFLICT/);
    const generic = run.generic.find((g) => g.scenarioId === 'sparkline-7d')!;
    assert.ok(generic.partitions && generic.partitions.generic.removedAtStart > 0, `a generic plan prunes at executor start: ${JSON.stringify(generic.partitions)}`);

    const ids = layoutFindings([run], 'recommended').map((f) => f.id.split(':').slice(0, 2).join(':'));
    assert.deepEqual(ids, ['partition:null-key', 'partition:no-primary-key', 'partition:upsert', 'partition:pruning']);

    const again = await ensureTableVariant(db.connectionString, dataset, variant!, () => {});
    assert.equal(again.reused, true, 'the copy is reused while the dataset and the variant are unchanged');
  });

  it('removes a month by batched DELETE and by DETACH + DROP on scratch copies, and drops them after', async () => {
    const [variant] = loadVariants(['partitioned']);
    const rowsBefore = await count(`SELECT count(*) AS n FROM ${dataset.schema}.executions`);
    const facts = await measureRetention(db.connectionString, dataset, variant!, () => {});
    const del = facts.runs.find((r) => r.method === 'batched-delete' && !r.ingest)!;
    const drop = facts.runs.find((r) => r.method === 'detach-drop' && !r.ingest)!;
    assert.equal(del.rowsRemoved, drop.rowsRemoved, 'the same month, the same rows');
    assert.ok(del.rowsRemoved > 0);
    assert.equal(del.deadTuplesAfter, del.rowsRemoved, 'a DELETE leaves its rows as dead tuples');
    assert.equal(del.heapBytesAfter, del.heapBytesBefore, 'and the heap as large as before');
    assert.equal(drop.deadTuplesAfter, 0);
    assert.ok(drop.heapBytesAfter < drop.heapBytesBefore);
    assert.ok(del.walBytes > drop.walBytes, `WAL: DELETE ${del.walBytes} vs DROP ${drop.walBytes}`);
    assert.equal(del.strongestLock, 'RowExclusiveLock');
    assert.equal(drop.strongestLock, 'AccessExclusiveLock');
    assert.ok('error' in facts.concurrentWithDefault && /default partition/i.test(facts.concurrentWithDefault.error), JSON.stringify(facts.concurrentWithDefault));
    const concurrently = facts.runs.find((r) => r.method === 'detach-concurrently-drop');
    assert.equal(concurrently?.strongestLock, 'ShareUpdateExclusiveLock');
    assert.ok(facts.runs.filter((r) => r.ingest).every((r) => r.ingest!.samples > 0), 'the writer inserted while each removal ran');
    assert.match(describeRetention(facts)[0]!, /One month removed at 20000: batched DELETE/);
    assert.equal(await count(`SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE '${dataset.schema}_retention%'`), 0, 'scratch copies dropped');
    assert.equal(await count(`SELECT count(*) AS n FROM ${dataset.schema}.executions`), rowsBefore, 'the dataset is unchanged');
  });
});
