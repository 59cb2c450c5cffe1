import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FormLatency, ScenarioResult } from '../../src/results.ts';
import { deriveFindings, qualifyUnusedIndexFindings } from '../../src/runner/findings.ts';
import { judgeHeadlines } from '../../src/runner/headline.ts';
import { loadScenarios } from '../../src/scenario/load.ts';

function result(over: Partial<ScenarioResult>): ScenarioResult {
  return {
    scenarioId: 'retention-cleanup-batch', title: 'Retention', spec: '§5', kind: 'write', scale: '100k', form: 'documented',
    gated: false, sql: 'DELETE ...', params: [], expectedIndexes: ['idx_a', 'idx_twin'], outcome: { status: 'passed' }, durationMs: 1, ...over,
  };
}

const latency = (p50: number, p95: number): FormLatency => ({
  client: { samples: 10, minMs: p50, maxMs: p95, meanMs: p50, sdMs: 0, rmePct: 0, p50Ms: p50, p95Ms: p95, p99Ms: p95 },
  clientSamplesMs: [], server: { samples: 1, minMs: 1, maxMs: 1, meanMs: 1, sdMs: 0, rmePct: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1 },
  serverSamplesMs: [], serverMethod: 'pg_stat_statements', protocol: 'unnamed', explainOverhead: { timingOnMs: 1, timingOffMs: 1, statementsMs: 1 },
  breakdown: { serverMs: 1, wireMs: Math.max(0, p50 - 1), decodeMs: 0, rows: 1 },
});

describe('findings', () => {
  it('a documented form with a syntax error becomes an error finding with the correction as the fix', async () => {
    const scenarios = await loadScenarios();
    const findings = deriveFindings([
      result({ outcome: { status: 'failed', violations: [{ kind: 'sql-error', message: 'syntax error at or near "ORDER"' }] } }),
      result({ form: 'corrected', gated: true, sql: 'DELETE ... WHERE id IN (...)', why: 'DELETE has no LIMIT.' }),
    ], scenarios);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.severity, 'error');
    assert.match(findings[0]!.title, /does not run on PostgreSQL/);
    assert.match(findings[0]!.detail, /DELETE has no LIMIT\. Evidence at 100k: syntax error at or near "ORDER"\. The correction passes at 100k\./);
    assert.equal(findings[0]!.fix, 'DELETE ... WHERE id IN (...)');
  });

  it('a passing documented form produces no finding; an accepted twin index produces an info finding', async () => {
    const plan = {
      rootNodeType: 'Index Scan', nodeTypes: [], shape: '', seqScans: [], tidScans: [], sorts: [],
      indexes: [{ index: 'idx_twin', access: 'Index Scan' as const, path: [] }],
      buffers: { sharedHit: 1, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 },
      rowsReturned: 1, rowsRemovedByFilter: 0, planningMs: 0, executionMs: 0, jit: false,
    };
    const findings = deriveFindings([result({ plan })], await loadScenarios());
    assert.deepEqual(findings.map((f) => f.severity), ['info']);
    assert.match(findings[0]!.title, /chose idx_twin, not the documented idx_a/);
  });
});

describe('headline checks', () => {
  it('sums the ObservabilityPage queries against 2 s and flags the paginated group above 500 ms', () => {
    const results = [
      result({ scenarioId: 'recent-failures', gated: true, latency: latency(1, 2) }),
      result({ scenarioId: 'sparkline-7d', gated: true, latency: latency(50, 1999) }),
      result({ scenarioId: 'paginated-deep-page', gated: true, latency: latency(100, 600) }),
    ];
    const checks = judgeHeadlines(results, '100k', { 'observability-page': ['recent-failures', 'sparkline-7d'], paginated: ['paginated-deep-page'] });
    const page = checks.find((c) => c.id === 'observability-page-under-2s')!;
    assert.equal(page.passed, false, '2 + 1999 ms is over 2 s');
    assert.match(page.measured, /2001\.0 ms/);
    const paginated = checks.find((c) => c.id === 'paginated-under-500ms')!;
    assert.equal(paginated.passed, false);
    assert.match(paginated.measured, /600\.0 ms \(paginated-deep-page\)/);
  });

  it('with too few samples for the p95\'s upper bound, the largest sample stands in and the detail names the form', () => {
    const withSamples = (p50: number, samples: number[]): FormLatency => ({ ...latency(p50, Math.max(...samples)), clientSamplesMs: samples });
    const few = Array.from({ length: 50 }, (_, i) => 100 + i); // 50 samples: no upper bound at 98.75% (needs 99)
    const many = [...Array.from({ length: 199 }, (_, i) => 1 + i / 200), 50]; // one outlier: the bound is not the max
    const results = [
      result({ scenarioId: 'recent-failures', gated: true, latency: withSamples(2, many) }),
      result({ scenarioId: 'sparkline-7d', gated: true, latency: withSamples(120, few) }),
    ];
    const page = judgeHeadlines(results, '100k', { 'observability-page': ['recent-failures', 'sparkline-7d'] })[0]!;
    assert.match(page.detail, /the largest sample stands in for sparkline-7d \(50 samples; the interval's bound needs 99\)\.$/);
    assert.doesNotMatch(page.detail, /stands in for recent-failures/);
    // 149 ms is the largest of the 50; the 200 samples' bound is an order statistic under 2 ms, not their 50 ms outlier.
    const upper = Number(/upper bound ([\d.]+) ms/.exec(page.measured)![1]);
    assert.ok(upper > 149 && upper <= 151, `upper bound ${upper}`);
    const alone = judgeHeadlines([results[0]!], '100k', { 'observability-page': ['recent-failures'] })[0]!;
    assert.doesNotMatch(alone.detail, /stands in/);
  });

  it('the materialized view claim compares medians and needs 100x', () => {
    const checks = judgeHeadlines([
      result({ scenarioId: 'daily-stats-view', gated: true, latency: latency(0.5, 1) }),
      result({ scenarioId: 'daily-stats-live-aggregate', gated: true, latency: latency(20, 30) }),
    ], '100k', {});
    const mv = checks.find((c) => c.id === 'materialized-view-100x')!;
    assert.equal(mv.passed, false);
    assert.match(mv.measured, /^40\.0x/);
  });
});

describe('headline promises judged only on every query they need', () => {
  const page = { 'observability-page': ['recent-failures', 'sparkline-7d', 'covering-percentiles', 'daily-stats-view'] };

  it('--scenario with one of the dashboard\'s queries -> "not judged: needs" the others, not a sum over one query', () => {
    const alone = [result({ scenarioId: 'recent-failures', gated: true, latency: latency(1, 2) })];
    const check = judgeHeadlines(alone, '100k', page).find((c) => c.id === 'observability-page-under-2s')!;
    assert.equal(check.measured, 'not judged: needs sparkline-7d, covering-percentiles, daily-stats-view');
    assert.deepEqual(check.unmeasured, ['sparkline-7d', 'covering-percentiles', 'daily-stats-view']);
    assert.match(check.detail, /sparkline-7d did not run \(not selected\)/);
    assert.doesNotMatch(check.measured, /sum of client p95 of 1 queries/);
  });

  it('a query of the promise that errored -> not judged, naming it and its error, never counted at 0.0 ms', () => {
    const results = [
      ...['recent-failures', 'sparkline-7d', 'covering-percentiles'].map((scenarioId) => result({ scenarioId, gated: true, latency: latency(1, 2) })),
      result({ scenarioId: 'daily-stats-view', gated: true, outcome: { status: 'errored', error: 'relation "daily_stats" does not exist' } }),
    ];
    const check = judgeHeadlines(results, '100k', page).find((c) => c.id === 'observability-page-under-2s')!;
    assert.equal(check.measured, 'not judged: needs daily-stats-view');
    assert.match(check.detail, /daily-stats-view errored \(relation "daily_stats" does not exist\)/);
    assert.doesNotMatch(check.measured, /0\.0 ms/);
  });

  it('a promise not judged becomes no finding; every query timed -> judged as before', async () => {
    const { headlineFindings } = await import('../../src/runner/findings.ts');
    const notJudged = judgeHeadlines([result({ scenarioId: 'paginated-listing', gated: true, latency: latency(1, 900) })], '100k', { paginated: ['paginated-listing', 'paginated-deep-page'] });
    assert.equal(notJudged[0]!.measured, 'not judged: needs paginated-deep-page');
    assert.deepEqual(headlineFindings(notJudged), []);
    const both = judgeHeadlines(['paginated-listing', 'paginated-deep-page'].map((scenarioId) => result({ scenarioId, gated: true, latency: latency(1, 900) })), '100k', { paginated: ['paginated-listing', 'paginated-deep-page'] });
    assert.equal(both[0]!.passed, false);
    assert.equal(both[0]!.unmeasured, undefined);
    assert.equal(headlineFindings(both).length, 1);
  });

  it('no query of a promise selected -> no check at all (a run of the write scenarios says nothing about the dashboard)', () => {
    assert.deepEqual(judgeHeadlines([result({ gated: true, latency: latency(1, 2) })], '100k', page), []);
  });
});

describe('headline findings', () => {
  it('a broken headline promise becomes one warning naming every scale where it failed', async () => {
    const { headlineFindings } = await import('../../src/runner/findings.ts');
    const check = (scale: string, passed: boolean) => ({
      id: 'materialized-view-100x', scale, claim: 'Option 2: materialized views give "100x faster analytics queries"',
      measured: '76.3x', passed, detail: 'Same 30 days.',
    });
    const findings = headlineFindings([check('100k', false), check('1m', true), check('20000', false)]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.severity, 'warning');
    assert.equal(findings[0]!.scale, '100k, 20000');
    assert.match(findings[0]!.title, /100x faster analytics queries" does not hold/);
  });
});

describe('headline scope', () => {
  it('the materialized view claim is judged only from 1M focus-tenant executions up (the spec ties it to scaling past 1M)', () => {
    const view = result({ scenarioId: 'daily-stats-view', gated: true, latency: latency(0.5, 1) });
    const live = result({ scenarioId: 'daily-stats-live-aggregate', gated: true, latency: latency(20, 30) });
    assert.equal(judgeHeadlines([view, live], '100k', {}, 100_000).some((c) => c.id === 'materialized-view-100x'), false);
    const at1m = [view, live].map((r) => ({ ...r, scale: '1m' }));
    assert.equal(judgeHeadlines(at1m, '1m', {}, 1_000_000).some((c) => c.id === 'materialized-view-100x'), true);
  });
});

describe('unused-index findings when not every scenario ran', () => {
  const unused = { id: 'audit-unused-idx_a@100k', severity: 'warning' as const, spec: '§3', title: 'No scenario used idx_a', detail: 'idx_scan did not change.' };
  const other = { id: 'audit-bloat@100k', severity: 'warning' as const, spec: '§2', title: 'Bloat', detail: 'x' };

  it('every scenario ran, none skipped -> the warning stands', () => {
    assert.deepEqual(qualifyUnusedIndexFindings([unused, other], [result({})], 18, 18), [unused, other]);
  });

  it('a subset (--scenario) or a skipped scenario -> info, saying which and why; other findings unchanged', () => {
    const subset = qualifyUnusedIndexFindings([unused, other], [result({})], 1, 18);
    assert.equal(subset[0]!.severity, 'info');
    assert.match(subset[0]!.detail, /^Not every scenario ran: 1 of 18 scenarios were selected/);
    assert.deepEqual(subset[1], other);
    const skipped = qualifyUnusedIndexFindings([unused], [result({ scenarioId: 'sparkline-7d', outcome: { status: 'skipped', reason: 'no column' } })], 18, 18);
    assert.match(skipped[0]!.detail, /1 were skipped \(sparkline-7d\)/);
  });
});
