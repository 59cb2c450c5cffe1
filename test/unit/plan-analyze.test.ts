// analyzePlan and describePlanTree on real EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) outputs (test/fixtures/plans/README.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { analyzePlan, describePlanTree, PlanFormatError } from '../../src/plan/analyze.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/plans/${name}.json`, import.meta.url), 'utf8'));

describe('analyzePlan on real plans', () => {
  test('recent failures -> forward Index Scan on the failed partial index under a Limit', () => {
    const plan = analyzePlan(fixture('index-scan'));
    assert.equal(plan.rootNodeType, 'Limit');
    assert.deepEqual(plan.nodeTypes, ['Limit', 'Index Scan']);
    assert.equal(plan.indexes.length, 1);
    assert.deepEqual(
      { ...plan.indexes[0], indexCond: undefined },
      { index: 'idx_executions_tenant_env_failed_started', relation: 'executions', access: 'Index Scan', direction: 'Forward', path: ['Limit', 'Index Scan'], indexCond: undefined },
    );
    assert.match(plan.indexes[0]!.indexCond ?? '', /tenant_id = /);
    assert.deepEqual(plan.seqScans, []);
    assert.equal(plan.rowsReturned, 10);
    assert.equal(plan.buffers.sharedHit, 12);
    assert.equal(plan.buffers.sharedRead, 0);
    assert.equal(plan.rowsScanned, 10);
    assert.equal(plan.shape, 'Limit\n  Index Scan using idx_executions_tenant_env_failed_started on executions');
    assert.ok(plan.executionMs > 0 && plan.planningMs > 0);
    assert.equal(plan.jit, false);
    assert.equal(plan.triggerMs, undefined);
  });

  test('a covered column list -> Index Only Scan, no heap node', () => {
    const plan = analyzePlan(fixture('index-only-scan'));
    assert.deepEqual(plan.indexes.map((i) => [i.index, i.access, i.direction]), [['idx_executions_retention_cleanup', 'Index Only Scan', 'Forward']]);
    assert.equal(plan.rootNodeType, 'Index Only Scan');
    assert.equal(plan.rowsReturned, 437);
  });

  test('sparkline range -> Bitmap Index Scan attributed to the Bitmap Heap Scan relation, plus an in-memory Sort', () => {
    const plan = analyzePlan(fixture('bitmap-index-scan'));
    assert.deepEqual(plan.nodeTypes, ['Sort', 'Bitmap Heap Scan', 'Bitmap Index Scan']);
    const use = plan.indexes[0]!;
    assert.equal(use.access, 'Bitmap Index Scan');
    assert.equal(use.relation, 'executions');
    assert.equal(use.direction, undefined);
    assert.deepEqual(plan.sorts, [{ sortKey: ['started_at'], method: 'quicksort', spaceKb: 843, spaceType: 'Memory' }]);
    // The heap scan counts the rows once; the bitmap index scan's rows are not added again.
    assert.equal(plan.rowsScanned, 8390);
  });

  test('DESC order on an ASC index -> Index Scan with direction Backward, visible in the shape', () => {
    const plan = analyzePlan(fixture('backward-index-scan'));
    assert.equal(plan.indexes[0]!.direction, 'Backward');
    assert.match(plan.shape, /Index Scan Backward using idx_executions_retention_cleanup/);
  });

  test('pagination exactly as documented -> Seq Scan with rows removed and a top-N Sort: the partial index is not used', () => {
    const plan = analyzePlan(fixture('seq-scan-with-sort'));
    assert.deepEqual(plan.indexes, []);
    assert.equal(plan.seqScans.length, 1);
    const seq = plan.seqScans[0]!;
    assert.equal(seq.relation, 'executions');
    // EXPLAIN prints 62174 removed per loop over 3 loops (leader + 2 workers); the fact is the total.
    assert.equal(seq.rowsRemovedByFilter, 62174 * 3);
    assert.equal(plan.rowsRemovedByFilter, 62174 * 3);
    assert.deepEqual(seq.path, ['Limit', 'Gather Merge', 'Sort', 'Seq Scan']);
    assert.equal(plan.sorts[0]!.method, 'top-N heapsort');
    assert.deepEqual(plan.sorts[0]!.sortKey, ['started_at DESC']);
    assert.match(plan.shape, /Parallel Seq Scan on executions/);
    assert.equal(plan.buffers.sharedHit + plan.buffers.sharedRead, 9165);
  });

  test('pagination with started_at IS NOT NULL -> Index Scan on idx_executions_tenant_env_started, no sort', () => {
    const plan = analyzePlan(fixture('pagination-corrected'));
    assert.deepEqual(plan.indexes.map((i) => i.index), ['idx_executions_tenant_env_started']);
    assert.deepEqual(plan.sorts, []);
    assert.deepEqual(plan.seqScans, []);
  });

  test('ctid lookup -> a Tid Scan and no index', () => {
    const plan = analyzePlan(fixture('tid-scan'));
    assert.deepEqual(plan.tidScans, [{ relation: 'executions' }]);
    assert.deepEqual(plan.indexes, []);
  });

  test('upsert with the partial predicate -> ModifyTable Insert with the unique index as Conflict Arbiter', () => {
    const plan = analyzePlan(fixture('insert-on-conflict'));
    assert.equal(plan.rootNodeType, 'ModifyTable');
    assert.deepEqual(plan.indexes, [{
      index: 'idx_executions_unique_tenant_env_execution', relation: 'executions', access: 'Conflict Arbiter', path: ['ModifyTable'],
    }]);
    assert.match(plan.shape, /^ModifyTable Insert on executions arbiter idx_executions_unique_tenant_env_execution\n {2}Result$/);
    assert.equal(plan.buffers.sharedDirtied, 1);
  });

  test('retention batch by sub-select -> ModifyTable Delete using the retention index and the primary key', () => {
    const plan = analyzePlan(fixture('delete-subselect'));
    assert.match(plan.shape, /^ModifyTable Delete on executions/);
    assert.deepEqual(plan.indexes.map((i) => `${i.index}:${i.access}`), [
      'idx_executions_retention_cleanup:Index Scan',
      'executions_pkey:Index Scan',
    ]);
    assert.deepEqual(plan.indexes[1]!.path, ['ModifyTable', 'Nested Loop', 'Index Scan']);
    // 1000 rows from the retention index + 1000 loops x 1 row from the pkey.
    assert.equal(plan.rowsScanned, 2000);
    assert.equal(plan.rowsReturned, 0);
  });
});

describe('analyzePlan details', () => {
  test('the shape has no numbers, so the same plan with other timings, rows and buffers keeps its shape', () => {
    const original = fixture('seq-scan-with-sort');
    const altered = JSON.parse(JSON.stringify(original), (key, value) => (typeof value === 'number' && key !== 'Sort Space Used' ? value * 3 + 1 : value));
    assert.equal(analyzePlan(altered).shape, analyzePlan(original).shape);
    assert.doesNotMatch(analyzePlan(original).shape, /\d{2,}/);
  });

  test('a different index in the same position changes the shape', () => {
    const altered = fixture('index-scan') as [{ Plan: { Plans: [{ 'Index Name': string }] } }];
    altered[0].Plan.Plans[0]['Index Name'] = 'idx_executions_tenant_env_status_started';
    assert.notEqual(analyzePlan(altered).shape, analyzePlan(fixture('index-scan')).shape);
  });

  test('trigger time is summed and a JIT section is detected (added to a copy: the capture server has no JIT)', () => {
    const doc = fixture('insert-on-conflict') as Record<string, unknown>[];
    doc[0]!.Triggers = [{ 'Trigger Name': 'RI_ConstraintTrigger_c_1', Relation: 'executions', Time: 0.25, Calls: 1 }, { 'Trigger Name': 't2', Time: 0.5, Calls: 1 }];
    doc[0]!.JIT = { Functions: 3, Options: { Inlining: false }, Timing: { Total: 1.2 } };
    const plan = analyzePlan(doc);
    assert.equal(plan.triggerMs, 0.75);
    assert.equal(plan.jit, true);
  });

  test('accepts the single object and the JSON text as well as the array', () => {
    const doc = fixture('index-scan') as unknown[];
    const expected = analyzePlan(doc);
    assert.deepEqual(analyzePlan(doc[0]), expected);
    assert.deepEqual(analyzePlan(JSON.stringify(doc)), expected);
  });

  for (const [label, input, pattern] of [
    ['undefined', undefined, /expected an object having Plan, received undefined/],
    ['an empty array', [], /expected an array with one object, received an array of 0/],
    ['text that is not JSON', 'Seq Scan on executions', /does not parse as JSON/],
    ['a plan node without Node Type', [{ Plan: { Plans: [] }, 'Execution Time': 1 }], /Plan has no 'Node Type'/],
    ['EXPLAIN without ANALYZE', [{ Plan: { 'Node Type': 'Seq Scan', 'Shared Hit Blocks': 0 } }], /Run EXPLAIN with ANALYZE/],
    ['EXPLAIN ANALYZE without BUFFERS', [{ Plan: { 'Node Type': 'Seq Scan' }, 'Execution Time': 1 }], /Run EXPLAIN with BUFFERS/],
  ] as const) {
    test(`${label} -> PlanFormatError with one line naming what was found and the fix`, () => {
      assert.throws(() => analyzePlan(input), (error: unknown) => {
        assert.ok(error instanceof PlanFormatError);
        assert.match(error.message, pattern);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });
  }
});

describe('describePlanTree', () => {
  test('renders one line per node with its key numbers, then the totals', () => {
    const text = describePlanTree(fixture('seq-scan-with-sort'));
    const lines = text.split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^Limit {2}\(rows=50 loops=1 time=[\d.]+ms shared hit=9165 read=0\)$/);
    assert.match(lines[2]!, /^ {2}-> Sort .*sort=top-N heapsort 76kB Memory/);
    assert.match(lines[3]!, /^ {4}-> Parallel Seq Scan on executions .*loops=3.*removed=186522/);
    assert.match(lines[4]!, /^Planning [\d.]+ ms, Execution [\d.]+ ms$/);
  });

  test('throws the same PlanFormatError as analyzePlan on bad input', () => {
    assert.throws(() => describePlanTree({ rows: [] }), PlanFormatError);
  });
});
