// Ablation logic from fixtures: plan change, latency and buffer ratios with intervals, unneeded indexes, the
// covering-index >30% rule, and the judged-latency accessor before and after the lead's latencyVerdict lands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScenarioResult } from '../../src/results.ts';
import { ablationEffect, ablationRow, judgeCovering, worstSlowdown } from '../../src/whatif/ablation.ts';
import { judgedLatency } from '../../src/whatif/judged-latency.ts';

function samples(center: number, n: number, seed = 1): number[] {
  let x = seed;
  return Array.from({ length: n }, () => { x = (x * 16807) % 2147483647; return center * (0.9 + 0.2 * (x / 2147483647)); });
}

function result(id: string, access: 'index' | 'seq', centerMs: number, blocks: number, status: 'passed' | 'failed' = 'passed'): ScenarioResult {
  const clientSamplesMs = samples(centerMs, 120);
  const stats = { samples: 120, minMs: 0, maxMs: 0, meanMs: centerMs, sdMs: 0, rmePct: 0, p50Ms: centerMs, p95Ms: centerMs * 1.09, p99Ms: centerMs * 1.1 };
  return {
    scenarioId: id, title: id, spec: '§2', kind: 'read', scale: '100k', form: 'documented', gated: false, sql: 'SELECT 1', params: [],
    expectedIndexes: ['idx_a'],
    outcome: status === 'passed' ? { status } : { status, violations: [{ kind: 'seq-scan', message: 'Seq Scan on executions' }] },
    plan: {
      rootNodeType: 'Limit', nodeTypes: [], shape: access === 'index' ? 'Limit\n  Index Scan idx_a' : 'Limit\n  Sort\n    Seq Scan executions',
      indexes: access === 'index' ? [{ index: 'idx_a', access: 'Index Scan', path: [] }] : [],
      seqScans: access === 'seq' ? [{ relation: 'executions', rowsRemovedByFilter: 100, path: [] }] : [], tidScans: [], sorts: [],
      buffers: { sharedHit: blocks, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 },
      rowsReturned: 50, rowsRemovedByFilter: 0, planningMs: 0.1, executionMs: centerMs, jit: false,
    },
    latency: { client: stats, clientSamplesMs, server: stats, serverSamplesMs: clientSamplesMs.slice(0, 30), serverMethod: 'pg_stat_statements', protocol: 'unnamed', explainOverhead: { timingOnMs: 0, timingOffMs: 0 }, breakdown: { serverMs: centerMs, wireMs: 0, decodeMs: 0, rows: 50 } },
    durationMs: 1,
  };
}

describe('ablation', () => {
  it('dropping an index a scenario needs shows a changed plan, a slowdown ratio with its interval above 1, and more buffers', () => {
    const effect = ablationEffect(result('paginated-listing', 'index', 1, 10), result('paginated-listing', 'seq', 30, 4000, 'failed'));
    assert.equal(effect.planChanged, true);
    assert.equal(effect.accessBefore, 'Index Scan using idx_a');
    assert.equal(effect.accessAfter, 'Seq Scan on executions');
    assert.equal(effect.statusAfter, 'failed');
    assert.equal(effect.latencyRatio!.statistic, 'p95', '120 samples on both sides');
    assert.ok(effect.latencyRatio!.estimate > 25 && effect.latencyRatio!.estimate < 35, String(effect.latencyRatio!.estimate));
    assert.ok(effect.latencyRatio!.ciLow > 20 && effect.latencyRatio!.ciLow <= effect.latencyRatio!.estimate);
    assert.equal(effect.buffersRatio, 400);
  });

  it('an index no scenario re-ran without is unneeded; a row pairs each re-run with the same scenario and form', () => {
    const unneeded = ablationRow({ name: 'idx_twin', sizeBytes: 1000 }, [result('a', 'index', 1, 10)], [], null);
    assert.equal(unneeded.unneeded, true);
    assert.equal(worstSlowdown(unneeded), 1);
    const needed = ablationRow({ name: 'idx_a', sizeBytes: 1000 }, [result('a', 'index', 1, 10), result('b', 'index', 2, 10)], [result('b', 'seq', 8, 50)],
      { rows: 1, repetitions: 1, allIndexesMedianMs: 10, primaryKeyOnlyMedianMs: 2, ratio: 5, ratioInterval: { low: 4, high: 6, confidence: 0.95 }, perIndex: [{ index: 'idx_a', marginalMs: 2, share: 0.25 }], method: '' });
    assert.equal(needed.unneeded, false);
    assert.deepEqual(needed.affected.map((e) => e.scenarioId), ['b']);
    assert.equal(needed.writeShare, 0.25);
    assert.ok(worstSlowdown(needed) > 3.5 && worstSlowdown(needed) < 4.5);
  });

  it('judges the covering index rule against 30% from paired samples: holds, does not hold, inconclusive, not measured', () => {
    const paired = (withMs: number, withoutMs: number, spread: number) => ({ withMs: samples(withMs, 20, 3).map((x) => withMs + (x - withMs) * spread), withoutMs: samples(withoutMs, 20, 5).map((x) => withoutMs + (x - withoutMs) * spread) });
    // without / with = 2: the index halves the time, a 50% improvement.
    const holds = judgeCovering('spec', '1m', 'idx_cov', 'covering-percentiles', paired(10, 20, 1), 'IOS with it, IS without');
    assert.equal(holds.verdict, 'holds');
    assert.ok(Math.abs(holds.improvementPct! - 50) < 5, String(holds.improvementPct));
    assert.match(holds.detail, /20 alternating pairs: median \d+\.\d\d ms with idx_cov, \d+\.\d\d ms without/);
    assert.equal(judgeCovering('spec', '1m', 'idx_cov', 'covering-percentiles', paired(10, 11.5, 1), '').verdict, 'does not hold');
    assert.equal(judgeCovering('spec', '1m', 'idx_cov', 'covering-percentiles', paired(10, 14.3, 12), '').verdict, 'inconclusive');
    assert.equal(judgeCovering('spec', '1m', 'idx_cov', 'covering-percentiles', undefined, '').verdict, 'not measured');
  });
});

describe('judgedLatency', () => {
  it('falls back to the client p95 without an interval, and reads latencyVerdict when a result carries one', () => {
    const r = result('a', 'index', 2, 1);
    assert.deepEqual(judgedLatency(r), { clock: 'client', statistic: 'p95', estimateMs: r.latency!.client.p95Ms });
    const withVerdict = { ...r, latencyVerdict: { clock: 'server', statistic: 'p95', limitMs: 5, estimateMs: 1.5, ciLowMs: 1.2, ciHighMs: 1.9, confidence: 0.95, samples: 30, status: 'passed' } };
    assert.deepEqual(judgedLatency(withVerdict as ScenarioResult), { clock: 'server', statistic: 'p95', estimateMs: 1.5, ciLowMs: 1.2, ciHighMs: 1.9, status: 'passed' });
    assert.equal(judgedLatency({ ...r, latency: undefined }), null);
  });
});
