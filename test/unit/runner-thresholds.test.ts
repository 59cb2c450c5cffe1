import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { thresholdFor } from '../../src/runner/thresholds.ts';
import { loadScenarios } from '../../src/scenario/load.ts';
import { from100kTable, SPEC_PAGINATED_GROWTH } from '../../src/scenario/spec-thresholds.ts';

describe('thresholds', () => {
  it('every scenario with thresholds states a source for both scales, and derived ones say how', async () => {
    for (const { id, definition } of await loadScenarios()) {
      if (!definition.thresholds) continue;
      for (const scale of ['100k', '1m'] as const) {
        const t = definition.thresholds[scale];
        assert.ok(t.p95Ms > 0, `${id} ${scale}`);
        assert.ok(t.source.length > 10, `${id} ${scale} has a source`);
        if (t.derived) assert.match(t.source, /derived/, `${id} ${scale} says it is derived`);
      }
    }
  });

  it('the spec table rows are the upper ends of its ranges', async () => {
    const byId = new Map((await loadScenarios()).map((s) => [s.id, s.definition]));
    const p95 = (id: string, scale: '100k' | '1m') => byId.get(id)!.thresholds![scale].p95Ms;
    assert.equal(p95('paginated-listing', '100k'), 10);
    assert.equal(p95('paginated-listing', '1m'), 30);
    assert.equal(p95('workflow-filtered-popular', '100k'), 8);
    assert.equal(p95('status-filtered-success', '100k'), 12);
    assert.equal(p95('recent-failures', '100k'), 5);
    assert.equal(p95('sparkline-7d', '100k'), 80);
    assert.equal(p95('sparkline-7d', '1m'), 300);
    assert.equal(p95('retention-cleanup-batch', '100k'), 15);
    assert.equal(p95('retention-cleanup-batch', '1m'), 40);
    assert.equal(p95('single-execution-lookup', '100k'), 3);
  });

  it('a 1M figure missing from the spec is derived with the spec\'s own paginated growth and marked', () => {
    const t = from100kTable('Recent failures (10 records)', 5);
    assert.equal(t['1m'].p95Ms, 5 * SPEC_PAGINATED_GROWTH);
    assert.equal(t['1m'].derived, true);
    assert.notEqual(t['100k'].derived, true);
  });

  it('5m and 10m are judged by the spec\'s 1M+ table, as it states it, and say so', async () => {
    const listing = (await loadScenarios()).find((s) => s.id === 'paginated-listing')!.definition;
    for (const label of ['5m', '10m']) {
      const t = thresholdFor(listing, { label, focusRows: label === '5m' ? 5e6 : 1e7 })!;
      assert.equal(t.p95Ms, listing.thresholds!['1m'].p95Ms);
      assert.equal(t.derived ?? false, listing.thresholds!['1m'].derived ?? false);
      assert.match(t.source, new RegExp(`the spec's 1M\\+ table, applied at ${label}`));
    }
  });

  it('a custom scale borrows the nearest named scale and is marked derived', async () => {
    const s = (await loadScenarios()).find((x) => x.id === 'paginated-listing')!.definition;
    const small = thresholdFor(s, { label: '20000', focusRows: 20_000 })!;
    assert.equal(small.p95Ms, 10);
    assert.equal(small.derived, true);
    assert.match(small.source, /borrowed from the 100k scale/);
    assert.equal(thresholdFor(s, { label: '800000', focusRows: 800_000 })!.p95Ms, 30);
    assert.equal(thresholdFor(s, { label: '1m', focusRows: 1_000_000 })!.derived, undefined);
  });
});
