import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanFacts } from '../../src/plan/types.ts';
import { checkPlanContract, describeAccess } from '../../src/runner/contract.ts';

function facts(overrides: Partial<PlanFacts> = {}): PlanFacts {
  return {
    rootNodeType: 'Limit', nodeTypes: ['Limit', 'Index Scan'], shape: 'Limit\n  Index Scan', indexes: [], seqScans: [], tidScans: [], sorts: [],
    buffers: { sharedHit: 10, sharedRead: 2, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 },
    rowsReturned: 50, rowsRemovedByFilter: 0, planningMs: 0.1, executionMs: 0.5, jit: false, ...overrides,
  };
}

describe('checkPlanContract', () => {
  it('passes when the plan uses the documented index', () => {
    const f = facts({ indexes: [{ index: 'idx_a', access: 'Index Scan', direction: 'Forward', path: ['Limit', 'Index Scan'] }] });
    assert.deepEqual(checkPlanContract(f, { indexes: ['idx_a'], noSeqScanOn: ['executions'] }), []);
  });

  it('accepts an alternative index listed in the contract', () => {
    const f = facts({ indexes: [{ index: 'idx_twin', access: 'Index Scan', path: [] }] });
    assert.deepEqual(checkPlanContract(f, { indexes: ['idx_a', 'idx_twin'] }), []);
  });

  it('a seq scan instead of the documented index -> two violations naming the index and the relation', () => {
    const f = facts({ seqScans: [{ relation: 'executions', rowsRemovedByFilter: 1234, path: [] }] });
    const v = checkPlanContract(f, { indexes: ['idx_executions_tenant_env_started'], noSeqScanOn: ['executions'] });
    assert.equal(v.length, 2);
    assert.equal(v[0]!.kind, 'index-not-used');
    assert.equal(v[0]!.index, 'idx_executions_tenant_env_started');
    assert.match(v[0]!.message, /Seq Scan on executions/);
    assert.equal(v[1]!.kind, 'seq-scan');
    assert.match(v[1]!.message, /1,234 rows removed/);
  });

  it('buffer and rows-removed bounds are enforced only when declared', () => {
    const f = facts({ rowsRemovedByFilter: 500 });
    assert.deepEqual(checkPlanContract(f, {}), []);
    const v = checkPlanContract(f, { maxSharedBlocks: 5, maxRowsRemovedByFilter: 100 });
    assert.deepEqual(v.map((x) => x.kind), ['buffers', 'rows-removed']);
  });

  it('describeAccess names backward scans and bitmap scans', () => {
    const f = facts({ indexes: [
      { index: 'idx_a', access: 'Index Scan', direction: 'Backward', path: [] },
      { index: 'idx_b', access: 'Bitmap Index Scan', path: [] },
    ] });
    assert.equal(describeAccess(f), 'Index Scan Backward using idx_a; Bitmap Index Scan using idx_b');
  });
});
