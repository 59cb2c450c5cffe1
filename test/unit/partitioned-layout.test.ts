// Pure parts of the partitioned layout: the table variant's file format, the partitions cut from a range, plans read in
// the table's terms, and the latency comparison's words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePartitions, SMALL_PARTITION_PAGES, type PartitionMap } from '../../src/plan/partitions.ts';
import type { PlanFacts } from '../../src/plan/types.ts';
import { checkPlanContract } from '../../src/runner/contract.ts';
import { compare } from '../../src/whatif/layout-findings.ts';
import { partitionBounds } from '../../src/whatif/table-variant.ts';
import { loadVariants, parseVariantFile } from '../../src/whatif/variants.ts';

const TABLE = `-- execbench-variant: table
-- execbench-partition: month
-- why: the layout
CREATE TABLE executions (id uuid NOT NULL, started_at timestamptz) PARTITION BY RANGE (started_at);
-- why: an index
CREATE INDEX i ON executions(started_at);
`;

describe('table variants', () => {
  it('parses a table variant: its CREATE TABLE first, the partition column and interval', () => {
    const parsed = parseVariantFile('x.sql', TABLE, true);
    assert.equal(parsed.mode, 'table');
    assert.deepEqual(parsed.partition, { column: 'started_at', every: 'month' });
    assert.deepEqual(parsed.statements.map((s) => s.kind), ['table', 'create']);
  });

  it('names the line and the fix for a malformed table variant', () => {
    assert.throws(() => parseVariantFile('x.sql', TABLE.replace(' PARTITION BY RANGE (started_at)', ''), true), /x\.sql line 4: .*must end with PARTITION BY RANGE/);
    assert.throws(() => parseVariantFile('x.sql', TABLE.replace('-- execbench-partition: month\n', ''), true), /needs "-- execbench-partition: month"/);
    assert.throws(() => parseVariantFile('x.sql', TABLE.replace('month', 'week'), true), /line 2: expected "-- execbench-partition: month" or "quarter", found 'week'/);
    assert.throws(() => parseVariantFile('x.sql', TABLE.replace('-- execbench-variant: table', '-- execbench-variant: extend'), true), /line 2: the "-- execbench-partition:" directive belongs to a table variant/);
    assert.throws(() => parseVariantFile('x.sql', `${TABLE}-- why: no\nDROP INDEX i;\n`, true), /DROP INDEX has nothing to drop/);
  });

  it('ships a partitioned variant whose indexes are the recommended set with the partition key where PostgreSQL forces it', () => {
    const [partitioned] = loadVariants(['partitioned']);
    assert.equal(partitioned!.mode, 'table');
    const uniques = partitioned!.statements.filter((s) => /UNIQUE/i.test(s.sql));
    assert.ok(uniques.every((s) => /started_at\)\s*;?$/m.test(s.sql.replace(/\n/g, ' '))), uniques.map((s) => s.sql).join('\n'));
  });

  it('cuts monthly and quarterly partitions covering the range and one period after it', () => {
    const months = partitionBounds(new Date('2026-08-03T00:00:04Z'), new Date('2026-10-31T23:59:58Z'), 'month');
    assert.deepEqual(months.map((m) => `${m.name} ${m.from}..${m.to}`), [
      'executions_p2026_08 2026-08-01..2026-09-01', 'executions_p2026_09 2026-09-01..2026-10-01',
      'executions_p2026_10 2026-10-01..2026-11-01', 'executions_p2026_11 2026-11-01..2026-12-01']);
    const quarters = partitionBounds(new Date('2026-11-15T00:00:00Z'), new Date('2027-01-02T00:00:00Z'), 'quarter');
    assert.deepEqual(quarters.map((q) => q.name), ['executions_p2026_q4', 'executions_p2027_q1', 'executions_p2027_q2']);
  });
});

describe('plans on a partitioned table', () => {
  const map: PartitionMap = {
    table: 'executions',
    partitions: ['executions_p2026_09', 'executions_p2026_10', 'executions_default'],
    indexParents: { executions_p2026_10_id_started_at_idx: 'executions_id_started_at_key', executions_p2026_09_id_started_at_idx: 'executions_id_started_at_key' },
    pages: { executions_p2026_09: 4000, executions_p2026_10: 5000, executions_default: 1 },
  };
  const facts = (over: Partial<PlanFacts>): PlanFacts => ({
    rootNodeType: 'Append', nodeTypes: [], shape: '', indexes: [], seqScans: [], tidScans: [], sorts: [],
    buffers: { sharedHit: 0, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 },
    rowsReturned: 1, rowsRemovedByFilter: 0, planningMs: 0, executionMs: 0, jit: false, ...over,
  });

  it('names partition indexes by their partitioned index and counts the partitions read', () => {
    const resolved = resolvePartitions(facts({
      indexes: [
        { index: 'executions_p2026_09_id_started_at_idx', relation: 'executions_p2026_09', access: 'Index Scan', path: ['Append', 'Index Scan'] },
        { index: 'executions_p2026_10_id_started_at_idx', relation: 'executions_p2026_10', access: 'Index Scan', path: ['Append', 'Index Scan'] },
      ],
      seqScans: [{ relation: 'executions_default', rowsRemovedByFilter: 19, path: ['Append', 'Seq Scan'] }],
      scanLoops: { executions_p2026_09: 1, executions_p2026_10: 0, executions_default: 1 },
      relations: ['executions_p2026_09', 'executions_p2026_10', 'executions_default'],
    }), map);
    assert.deepEqual([...new Set(resolved.indexes.map((u) => u.index))], ['executions_id_started_at_key']);
    assert.equal(resolved.indexes[0]!.partitionIndex, 'executions_p2026_09_id_started_at_idx');
    assert.deepEqual(resolved.relations, ['executions']);
    assert.deepEqual(resolved.partitions, { total: 3, inPlan: 3, removedAtStart: 0, executed: 2, scanned: ['executions_default', 'executions_p2026_09'] });
    // A Seq Scan on a partition of at most SMALL_PARTITION_PAGES pages is no Seq Scan on executions.
    assert.ok(map.pages.executions_default! <= SMALL_PARTITION_PAGES);
    assert.deepEqual(checkPlanContract(resolved, { indexes: ['executions_id_started_at_key'], noSeqScanOn: ['executions'] }), []);
  });

  it('counts a Seq Scan on a large partition against executions, naming the partition', () => {
    const resolved = resolvePartitions(facts({
      seqScans: [{ relation: 'executions_p2026_10', rowsRemovedByFilter: 500, path: ['Append', 'Seq Scan'] }],
      scanLoops: { executions_p2026_10: 1 }, subplansRemoved: 2,
    }), map);
    const violations = checkPlanContract(resolved, { noSeqScanOn: ['executions'] });
    assert.equal(violations.length, 1);
    assert.match(violations[0]!.message, /Seq Scan on executions \(partition executions_p2026_10\) \(500 rows removed by filter\)/);
    assert.equal(resolved.partitions!.removedAtStart, 2);
  });

  it('leaves a plan on an unpartitioned table as it was', () => {
    const plain = facts({ seqScans: [{ relation: 'executions', rowsRemovedByFilter: 1, path: ['Seq Scan'] }] });
    assert.equal(resolvePartitions(plain, null), plain);
  });
});

describe('latency comparison', () => {
  const row = (estimateMs: number, ciLowMs: number, ciHighMs: number) => ({
    scenarioId: 's', form: 'documented' as const, status: 'passed' as const, reason: '', access: '', indexes: [], sharedBlocks: null, usesIndex: true,
    judged: { clock: 'server' as const, statistic: 'p95' as const, estimateMs, ciLowMs, ciHighMs },
  });
  it('calls a form faster or slower only when the intervals do not overlap', () => {
    assert.deepEqual(compare(row(1, 0.9, 1.1), row(3, 2.5, 3.5)), { word: 'faster', ratio: '0.33x' });
    assert.deepEqual(compare(row(3, 2.5, 3.5), row(1, 0.9, 1.1)), { word: 'slower', ratio: '3.00x' });
    assert.equal(compare(row(1, 0.9, 2.6), row(3, 2.5, 3.5))!.word, 'same');
    assert.equal(compare(row(1, 0.9, 1.1), undefined), undefined);
  });
});
