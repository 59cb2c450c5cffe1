import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createParamPicker, type ParamPools } from '../../src/runner/params.ts';

const pools: ParamPools = {
  tenantId: 't', environments: ['e1', 'e2', 'e3'], popularWorkflow: 'wp', rareWorkflow: 'wr',
  executionIds: ['a', 'b'], engineExecutions: [{ environmentId: 'e1', executionId: '1' }],
  oldestStartedAt: Array.from({ length: 5500 }, (_, i) => new Date(Date.UTC(2026, 7, 1) + i * 60_000).toISOString()),
  neverStartedCutoff: '2026-10-01T00:00:00.000Z', anchorMs: Date.UTC(2026, 10, 1),
};

describe('parameter picker', () => {
  it('is deterministic per iteration and rotates across iterations', () => {
    const a = createParamPicker(pools, 3);
    const b = createParamPicker(pools, 3);
    assert.equal(a.executionId(), b.executionId());
    assert.equal(a.retentionCutoff(), b.retentionCutoff());
    assert.notEqual(createParamPicker(pools, 0).executionId(), createParamPicker(pools, 1).executionId());
    assert.notEqual(createParamPicker(pools, 0).anchor(), createParamPicker(pools, 1).anchor());
    assert.notEqual(createParamPicker(pools, 0).retentionCutoff(), createParamPicker(pools, 1).retentionCutoff());
  });

  it('listings always use the busiest environment (sizes differ: rotating them would measure a mix)', () => {
    for (let i = 0; i < 5; i++) assert.equal(createParamPicker(pools, i).environment(), 'e1');
    assert.equal(createParamPicker(pools, 3).environment(2), 'e3');
  });

  it('iteration 0 uses the busiest environment and windows ending at the anchor', () => {
    const p = createParamPicker(pools, 0);
    assert.equal(p.environment(), 'e1');
    assert.equal(p.anchor(), '2026-11-01T00:00:00.000Z');
    assert.equal(p.daysBeforeAnchor(7), '2026-10-25T00:00:00.000Z');
  });

  it('retention cutoffs always leave at least 1500 older rows, so a batch deletes a full 1000', () => {
    for (let i = 0; i < 200; i++) {
      const cutoff = createParamPicker(pools, i).retentionCutoff();
      assert.ok(pools.oldestStartedAt.indexOf(cutoff) >= 1500, cutoff);
    }
  });

  it('fresh uuids are valid and distinct within and across iterations', () => {
    const p = createParamPicker(pools, 7);
    const ids = [p.newUuid(), p.newUuid(), createParamPicker(pools, 8).newUuid()];
    assert.equal(new Set(ids).size, 3);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
