// Growth across scales and the spec's large-tenant advice, judged from hand-built results documents: each scale's
// samples are spread evenly around a chosen median, so every interval and verdict below is known in advance.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile } from 'vega-lite';
import { renderGrowthFigures } from '../../src/bench/scale-growth.ts';
import { buildScaleGrowthChart, growthChartPoints } from '../../src/report/scale-growth-chart.ts';
import { formatGrowthStep, renderAdviceFindings, renderGrowthTable } from '../../src/report/scale-growth-markdown.ts';
import { RESULTS_SCHEMA_VERSION, type Clock, type HeadlineCheck, type LatencyVerdict, type RunResults, type ScenarioResult } from '../../src/results.ts';
import { comparePartitioned, fromScale, judgeLargeTenantAdvice, LARGE_TENANT_ADVICE, partitionedResultsNeeded } from '../../src/scale/advice.ts';
import { buildScaleGrowth, growthStep, scalePoint, type ScaleGrowth } from '../../src/scale/growth.ts';
import type { PlanFacts } from '../../src/plan/types.ts';
import type { VariantFormRow, VariantRun } from '../../src/whatif/types.ts';

const ROWS: Record<string, number> = { '100k': 100_000, '1m': 1_000_000, '5m': 5_000_000, '10m': 10_000_000 };

/** n samples spread evenly over median x (1 ± spread): the median is `median`, the interval narrow and known. */
function spread(median: number, n = 100, width = 0.1): number[] {
  return Array.from({ length: n }, (_, i) => median * (1 - width + (2 * width * i) / (n - 1)));
}

interface FormSpec {
  id: string;
  form?: 'documented' | 'corrected';
  gated?: boolean;
  kind?: ScenarioResult['kind'];
  /** Median of each clock's samples (ms). */
  serverMs?: number;
  clientMs?: number;
  /** A latency verdict on this clock, with this limit; its status follows from the p95 against it. */
  verdict?: { clock: Clock; limitMs: number; status?: LatencyVerdict['status'] };
  origin?: 'team';
  status?: ScenarioResult['outcome']['status'];
  /** The one EXPLAIN ANALYZE execution (ms) and the blocks it read. */
  explainMs?: number;
}

function result(scale: string, f: FormSpec): ScenarioResult {
  const server = f.serverMs !== undefined ? spread(f.serverMs) : [];
  const client = f.clientMs !== undefined ? spread(f.clientMs) : [];
  const stats = (s: number[]) => ({ samples: s.length, minMs: s[0] ?? 0, maxMs: s.at(-1) ?? 0, meanMs: 0, sdMs: 0, rmePct: 0, p50Ms: 0, p95Ms: s[94] ?? 0, p99Ms: 0 });
  const r: ScenarioResult = {
    scenarioId: f.id, title: f.id, spec: '§', kind: f.kind ?? 'read', scale, form: f.form ?? 'corrected', gated: f.gated ?? true,
    sql: 'SELECT 1', params: [], expectedIndexes: [],
    outcome: f.status === 'errored' ? { status: 'errored', error: 'boom' } : { status: f.status === 'failed' ? 'failed' : 'passed' } as ScenarioResult['outcome'],
    durationMs: 1, ...(f.origin ? { origin: f.origin } : {}),
  };
  if (f.explainMs !== undefined) {
    r.plan = { executionMs: f.explainMs, buffers: { sharedHit: 10, sharedRead: 146_051, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 } } as unknown as PlanFacts;
  }
  if (f.status === 'failed') r.outcome = { status: 'failed', violations: [{ kind: 'threshold', message: 'slow' }] };
  if (server.length > 0 || client.length > 0) {
    r.latency = {
      client: stats(client), clientSamplesMs: client, server: stats(server), serverSamplesMs: server, serverMethod: 'pg_stat_statements', protocol: 'unnamed',
      explainOverhead: { timingOnMs: 0, timingOffMs: 0 }, breakdown: { serverMs: 0, wireMs: 0, decodeMs: 0, rows: 1 },
    };
  }
  if (f.verdict) {
    const samples = f.verdict.clock === 'server' ? server : client;
    const p95 = samples[94]!;
    const status = f.verdict.status ?? (p95 * 1.05 < f.verdict.limitMs ? 'passed' : 'failed');
    r.threshold = { p95Ms: f.verdict.limitMs, clock: f.verdict.clock, derived: false, source: 'test' };
    r.latencyVerdict = {
      clock: f.verdict.clock, statistic: 'p95', limitMs: f.verdict.limitMs, estimateMs: p95, ciLowMs: p95 * 0.95, ciHighMs: p95 * 1.05,
      confidence: 0.9875, overallConfidence: 0.95, samples: samples.length, looks: 1, status, reason: 'test',
    };
    if (status === 'failed' && r.outcome.status === 'passed') r.outcome = { status: 'failed', violations: [{ kind: 'threshold', message: 'slow' }] };
  }
  return r;
}

function doc(runId: string, forms: Record<string, FormSpec[]>, headline: HeadlineCheck[] = []): RunResults {
  const scales = Object.keys(forms);
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION, runId, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:10:00Z',
    options: { scales, scenarios: [], timeBudgetMs: 750, strictSpec: false },
    environment: {
      provider: { kind: 'url', reason: 'test' }, postgres: { version: '17.10', versionNum: 170010, settings: {} },
      machine: { cpus: 2, cpuModel: 'test', memoryBytes: 1, platform: 'linux', node: 'v20' }, execbenchVersion: '0.1.0',
    },
    datasets: scales.map((scale) => ({
      scale, schema: `execbench_${scale}`, fingerprint: 'f', seed: 1, focusRows: ROWS[scale]!, totalRows: ROWS[scale]! * 1.4, tenants: 3,
      indexBuild: 'after', reused: true, phasesMs: {},
    })),
    scenarios: scales.flatMap((scale) => forms[scale]!.map((f) => result(scale, f))),
    findings: [], headline, timings: {},
  };
}

/** A suite at one scale: listing (server, limit 30), sparkline (server, limit 300), the view, the live aggregate, retention. */
function suite(o: { listingMs: number; sparklineMs: number; liveMs: number; viewMs?: number; retentionMs?: number }): FormSpec[] {
  return [
    { id: 'paginated-listing', form: 'documented', gated: false, serverMs: o.listingMs * 40, status: 'failed' },
    { id: 'paginated-listing', serverMs: o.listingMs, clientMs: o.listingMs + 0.2, verdict: { clock: 'server', limitMs: 30 } },
    { id: 'sparkline-7d', form: 'documented', serverMs: o.sparklineMs, clientMs: o.sparklineMs * 2, verdict: { clock: 'server', limitMs: 300 } },
    { id: 'daily-stats-view', form: 'documented', serverMs: o.viewMs ?? 0.1, clientMs: (o.viewMs ?? 0.1) + 0.2, verdict: { clock: 'server', limitMs: 15 } },
    { id: 'daily-stats-live-aggregate', form: 'documented', serverMs: o.liveMs * 0.9, clientMs: o.liveMs, verdict: { clock: 'client', limitMs: 2000 } },
    { id: 'retention-cleanup-batch', kind: 'write', serverMs: o.retentionMs ?? 5, verdict: { clock: 'server', limitMs: 40 } },
    { id: 'my-team-query', serverMs: 1, origin: 'team' },
  ];
}

const lockCheck = (scale: string, passed: boolean): HeadlineCheck => ({
  id: 'retention-cleanup-without-table-locks', scale, claim: 'no table locks', passed,
  measured: passed ? 'no table-blocking lock; the other session read and wrote' : 'AccessExclusiveLock held', detail: passed ? '' : 'Batch it by primary key.',
});

/** 1m, 5m and 10m in one document, 100k in another: the listing grows slowly, the sparkline and live aggregate linearly. */
function growingRuns(): RunResults[] {
  return [
    doc('run-large', {
      '1m': suite({ listingMs: 0.5, sparklineMs: 100, liveMs: 300 }),
      '5m': suite({ listingMs: 0.6, sparklineMs: 500, liveMs: 1500 }),
      '10m': suite({ listingMs: 0.6, sparklineMs: 1000, liveMs: 3000 }),
    }, [lockCheck('1m', true), lockCheck('5m', true), lockCheck('10m', true)]),
    doc('run-small', { '100k': suite({ listingMs: 0.4, sparklineMs: 10, liveMs: 30 }) }),
  ];
}

const find = (findings: ReturnType<typeof judgeLargeTenantAdvice>, id: string) => findings.find((f) => f.id === id)!;

describe('buildScaleGrowth', () => {
  const growth = buildScaleGrowth(growingRuns());

  it('orders scales by rows whatever the documents\' order, and leaves team queries out', () => {
    assert.deepEqual(growth.scales.map((s) => s.scale), ['100k', '1m', '5m', '10m']);
    assert.equal(growth.forms.some((f) => f.scenarioId === 'my-team-query'), false);
    assert.equal(growth.forms.length, 6);
  });

  it('compares a form on its verdict\'s clock at every scale, the client clock where it has no verdict', () => {
    const live = growth.forms.find((f) => f.scenarioId === 'daily-stats-live-aggregate')!;
    assert.equal(live.clock, 'client');
    assert.ok(Math.abs(live.points[1]!.medianMs! - 300) < 1e-9);
    const documented = growth.forms.find((f) => f.scenarioId === 'paginated-listing' && f.form === 'documented')!;
    assert.equal(documented.clock, 'client');
    assert.equal(documented.points[0]!.medianMs, null, 'no client samples: no median rather than the server one');
  });

  it('a sparkline that grows 10x for 10x the rows grew, with bounds around 10x', () => {
    const spark = growth.forms.find((f) => f.scenarioId === 'sparkline-7d')!;
    const overall = spark.overall!;
    assert.equal(overall.from, '100k');
    assert.equal(overall.status, 'grew');
    assert.ok(Math.abs(overall.factor! - 100) < 1e-9);
    assert.ok(overall.factorLow! < 100 && overall.factorHigh! > 100);
    assert.equal(spark.steps.map((s) => s.rowsFactor).join(','), '10,5,2');
  });

  it('a listing whose median moves 0.6 -> 0.6 ms is inconclusive, not flat or grown', () => {
    const listing = growth.forms.find((f) => f.scenarioId === 'paginated-listing' && f.gated)!;
    const step = listing.steps.find((s) => s.from === '5m')!;
    assert.equal(step.status, 'inconclusive');
    assert.match(formatGrowthStep(step), /inconclusive/);
  });

  it('a scale measured twice is taken from the later document, and said so', () => {
    const again = doc('run-again', { '1m': suite({ listingMs: 2, sparklineMs: 100, liveMs: 300 }) });
    const g = buildScaleGrowth([...growingRuns(), again]);
    assert.equal(g.scales.find((s) => s.scale === '1m')!.runId, 'run-again');
    assert.match(g.notes.join(' '), /1m was measured by runs run-large and run-again/);
    const listing = g.forms.find((f) => f.scenarioId === 'paginated-listing' && f.gated)!;
    assert.ok(Math.abs(listing.points.find((p) => p.scale === '1m')!.medianMs! - 2) < 1e-9);
  });
});

describe('growthStep and scalePoint', () => {
  it('shrinking by more than the intervals is "shrank"; a side without a median is "not measured"', () => {
    const d = doc('r', { '1m': [{ id: 'a', serverMs: 10 }], '5m': [{ id: 'a', serverMs: 2 }] });
    const [a, b] = d.scenarios.map((r) => scalePoint(r, 'server', ROWS[r.scale]!));
    assert.equal(growthStep(a!, b!).status, 'shrank');
    const none = scalePoint(result('5m', { id: 'a' }), 'server', ROWS['5m']!);
    assert.equal(growthStep(a!, none).status, 'not measured');
  });

  it('takes the p95 from the verdict on the same clock, from the samples on another', () => {
    const r = result('1m', { id: 'a', serverMs: 10, clientMs: 20, verdict: { clock: 'server', limitMs: 100 } });
    const onServer = scalePoint(r, 'server', 1);
    assert.equal(onServer.p95Ms, r.latencyVerdict!.estimateMs);
    assert.equal(onServer.limitMs, 100);
    const onClient = scalePoint(r, 'client', 1);
    assert.ok(onClient.p95Ms! > 20 && onClient.p95Ms! < 22);
    assert.equal(onClient.limitMs, null);
    assert.equal(onClient.verdict, null);
  });

  it('too few samples for the median\'s bounds: inconclusive even when the medians differ tenfold', () => {
    const few = (scale: string, ms: number): ScenarioResult => ({ ...result(scale, { id: 'a', serverMs: ms }), latency: { ...result(scale, { id: 'a', serverMs: ms }).latency!, serverSamplesMs: [ms, ms * 1.1, ms * 0.9] } });
    const step = growthStep(scalePoint(few('1m', 1), 'server', 1), scalePoint(few('5m', 10), 'server', 5));
    assert.equal(step.status, 'inconclusive');
    assert.equal(step.factorLow, null);
  });
});

describe('judgeLargeTenantAdvice', () => {
  const documents = growingRuns();
  const growth = buildScaleGrowth(documents);
  const findings = judgeLargeTenantAdvice({ growth, documents });

  it('gives one finding per piece of the advice, in the document\'s order', () => {
    assert.deepEqual(findings.map((f) => f.id), LARGE_TENANT_ADVICE.map((p) => p.id));
  });

  it('the listing holds 30 ms at 1m, 5m and 10m; 100k is not judged by the 1M+ table', () => {
    const f = find(findings, 'large-tenant/paginated-time');
    assert.equal(f.severity, 'info');
    assert.equal(f.title, 'Paginated listing: the 1M+ table\'s 15-30ms holds at 1m, 5m and 10m');
    assert.doesNotMatch(f.detail, /100k/);
    assert.match(f.detail, /from 1m to 10m for 10x the rows/);
  });

  it('the sparkline breaks 300 ms from 5m: a warning naming those scales, with the measured figures as the fix', () => {
    const f = find(findings, 'large-tenant/sparkline-time');
    assert.equal(f.severity, 'warning');
    assert.equal(f.title, 'Sparkline data: the 1M+ table\'s 150-300ms does not hold at 5m and 10m (it holds at 1m)');
    assert.equal(f.scale, '5m, 10m');
    assert.match(f.fix!, /at 10m/);
  });

  it('without the partitioned layout\'s results, partitioning is "not judged" with the command that makes them', () => {
    const f = find(findings, 'large-tenant/partitioning');
    assert.equal(f.title, `Partitioning at 5M+: ${partitionedResultsNeeded(['1m', '5m', '10m'])}`);
    assert.match(f.title, /not judged: needs the partitioned layout's results \(`execbench whatif --variant recommended,partitioned --scale 1m,5m,10m`\)/);
    assert.equal(f.severity, 'info');
  });

  it('the view pays from 5m for the sparkline (it breaks its limit there and the view is faster): as the spec advises', () => {
    const f = find(findings, 'large-tenant/materialized-view');
    assert.equal(f.title, 'Materialized views at 5M+: the view pays from 5m for sparkline-7d, as the spec advises; for daily-stats-live-aggregate from 10m');
    assert.equal(f.severity, 'info');
    assert.equal(f.scale, '5m');
    assert.match(f.detail, /daily-stats-live-aggregate \(client clock\)/);
  });

  it('the view pays from 1m when the sparkline already breaks its limit there: earlier than advised, a warning', () => {
    const docs = [doc('r', {
      '1m': suite({ listingMs: 0.5, sparklineMs: 400, liveMs: 300 }),
      '5m': suite({ listingMs: 0.5, sparklineMs: 2000, liveMs: 1500 }),
    })];
    const f = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(docs), documents: docs }), 'large-tenant/materialized-view');
    assert.equal(f.title, 'Materialized views at 5M+: the view pays from 1m for sparkline-7d, earlier than the spec\'s 5M+ (already at 1m, the smallest scale measured)');
    assert.equal(f.severity, 'warning');
  });

  it('nothing breaks its limit: the view is not needed, even though it is faster', () => {
    const docs = [doc('r', { '1m': suite({ listingMs: 0.5, sparklineMs: 10, liveMs: 30 }), '10m': suite({ listingMs: 0.5, sparklineMs: 100, liveMs: 300 }) })];
    const f = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(docs), documents: docs }), 'large-tenant/materialized-view');
    assert.equal(f.title, 'Materialized views at 5M+: not needed up to 10m: sparkline-7d and daily-stats-live-aggregate hold their limits without the view (the view is faster, but nothing here needs it yet)');
    assert.equal(f.severity, 'warning');
  });

  it('a slow view read does not pay even where the sparkline breaks its limit', () => {
    const docs = [doc('r', { '1m': suite({ listingMs: 0.5, sparklineMs: 400, liveMs: 300, viewMs: 20 }), '5m': suite({ listingMs: 0.5, sparklineMs: 2000, liveMs: 1500, viewMs: 20 }) })];
    const f = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(docs), documents: docs }), 'large-tenant/materialized-view');
    assert.match(f.title, /not needed up to 5m/);
    assert.match(f.detail, /the view's read failed/);
  });

  it('an untimed live aggregate (its EXPLAIN outlasted the cap) is judged on that one execution, deflated by the overhead one scale below', () => {
    const at = (scale: string, live: FormSpec) => [
      { id: 'sparkline-7d', form: 'documented' as const, serverMs: 10, clientMs: 20, verdict: { clock: 'server' as const, limitMs: 300 } },
      { id: 'daily-stats-view', form: 'documented' as const, serverMs: 0.1, clientMs: 0.3, verdict: { clock: 'server' as const, limitMs: 15 } },
      live,
    ];
    const docs = [doc('r', {
      // 1m: timed, server median 270 ms, EXPLAIN 600 ms: an overhead of 2.22x.
      '1m': at('1m', { id: 'daily-stats-live-aggregate', form: 'documented', serverMs: 270, clientMs: 300, explainMs: 600, verdict: { clock: 'client', limitMs: 2000 } }),
      // 5m: no sample; its EXPLAIN took 30 s, about 13.5 s deflated: over 2 s.
      '5m': at('5m', { id: 'daily-stats-live-aggregate', form: 'documented', explainMs: 30_000, status: 'failed' }),
    })];
    docs[0]!.scenarios.filter((r) => r.scenarioId === 'daily-stats-live-aggregate').forEach((r) => { r.threshold = { p95Ms: 2000, clock: 'client', derived: true, source: 'test' }; });
    const f = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(docs), documents: docs }), 'large-tenant/materialized-view');
    assert.equal(f.title, 'Materialized views at 5M+: the view pays from 5m for daily-stats-live-aggregate, as the spec advises; sparkline-7d itself holds its limit at 1m and 5m');
    assert.match(f.detail, /5m not timed within the form's cap: one EXPLAIN ANALYZE execution \(the form's first, so colder than timed ones would be\) took 30000 ms, 146,051 blocks read into shared buffers; deflated by the EXPLAIN overhead it showed one scale below \(2.22x\), about 13500 ms, over its limit 2000 ms/);
    // Without a timed smaller scale there is nothing to deflate by: undecided, not "needed".
    const alone = [doc('r', { '5m': at('5m', { id: 'daily-stats-live-aggregate', form: 'documented', explainMs: 30_000, status: 'failed' }) })];
    const g = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(alone), documents: alone }), 'large-tenant/materialized-view');
    assert.match(g.title, /^Materialized views at 5M\+: undecided/);
  });

  it('100x: the live aggregate over the view on the client clock, judged by the ratio\'s bounds', () => {
    const f = find(findings, 'large-tenant/view-100x');
    // client medians: live 300 / view 0.3 = 1000x at 1m, 5000x at 5m, 10000x at 10m.
    assert.equal(f.title, 'Materialized views, "100x faster": at least 100x from 1m (1000x at 1m, 5000x at 5m, 10000x at 10m)');
    const slow = [doc('r', { '1m': suite({ listingMs: 0.5, sparklineMs: 10, liveMs: 6, viewMs: 0.1 }) })];
    const under = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(slow), documents: slow }), 'large-tenant/view-100x');
    assert.equal(under.severity, 'warning');
    assert.match(under.title, /20.0x at 1m: under 100x at every scale measured/);
  });

  it('retention: "batching prevents long locks" holds where the held batch blocked nothing, fails where it did', () => {
    assert.match(find(findings, 'large-tenant/retention-locks').title, /holds at 1m, 5m and 10m/);
    const d = doc('r', { '1m': suite({ listingMs: 0.5, sparklineMs: 10, liveMs: 30 }), '5m': suite({ listingMs: 0.5, sparklineMs: 10, liveMs: 30 }) }, [lockCheck('1m', true), lockCheck('5m', false)]);
    const f = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth([d]), documents: [d] }), 'large-tenant/retention-locks');
    assert.equal(f.title, 'Retention cleanup: a held batch blocks other sessions at 5m');
    assert.equal(f.severity, 'warning');
    assert.equal(f.fix, 'Batch it by primary key.');
  });

  it('time-series DB for 10M+: names the analytics reads that break their limits on PostgreSQL at 10m', () => {
    const f = find(findings, 'large-tenant/time-series');
    assert.equal(f.title, 'Time-series database for 10M+: at 10m on PostgreSQL, sparkline-7d and daily-stats-live-aggregate break their limits (ClickHouse itself is measured by `npm run bench:analytics`: docs/clickhouse-measured.md)');
    // An untimed analytics read (its EXPLAIN outlasted the cap) is named as such, never counted as holding.
    const untimed = [doc('r', { '10m': [{ id: 'daily-stats-live-aggregate', form: 'documented', explainMs: 70_000, status: 'failed' }] })];
    const u = find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(untimed), documents: untimed }), 'large-tenant/time-series');
    assert.match(u.title, /daily-stats-live-aggregate took no timed sample within the form's cap/);
    assert.match(u.detail, /one EXPLAIN ANALYZE execution: 70000 ms/);
    const small = [doc('r', { '5m': suite({ listingMs: 0.5, sparklineMs: 10, liveMs: 30 }) })];
    assert.match(find(judgeLargeTenantAdvice({ growth: buildScaleGrowth(small), documents: small }), 'large-tenant/time-series').title, /not judged: no run at 10M/);
  });
});

describe('partitioning from whatif variant runs', () => {
  const row = (id: string, p95: number, over: Partial<VariantFormRow> = {}): VariantFormRow => ({
    scenarioId: id, form: 'corrected', status: 'passed', reason: '', access: 'Index Scan using idx', indexes: ['idx'], sharedBlocks: 4, usesIndex: true,
    judged: { clock: 'server', statistic: 'p95', estimateMs: p95, ciLowMs: p95 * 0.9, ciHighMs: p95 * 1.1, status: 'passed' }, ...over,
  });
  const run = (variant: string, scale: string, rows: VariantFormRow[]): VariantRun => ({
    variant, scale, indexes: [], totalIndexBytes: 0, writeCost: null, rows, ablation: [], generic: [], ladders: [], crossovers: [], durationMs: 1, phasesMs: {},
  });
  const documents = growingRuns();
  const growth: ScaleGrowth = buildScaleGrowth(documents);
  const judge = (variants: VariantRun[]) => find(judgeLargeTenantAdvice({ growth, documents, variants }), 'large-tenant/partitioning');

  it('the listing faster partitioned at 5m and 10m but not at 1m: pays from 5m, as the spec advises', () => {
    const variants = [
      run('recommended', '1m', [row('paginated-listing', 1), row('single-execution-lookup', 0.05)]),
      run('partitioned', '1m', [row('paginated-listing', 1.02), row('single-execution-lookup', 0.2)]),
      run('recommended', '5m', [row('paginated-listing', 3), row('single-execution-lookup', 0.05)]),
      run('partitioned', '5m', [row('paginated-listing', 1), row('single-execution-lookup', 0.2)]),
      run('recommended', '10m', [row('paginated-listing', 6), row('single-execution-lookup', 0.05)]),
      run('partitioned', '10m', [row('paginated-listing', 1), row('single-execution-lookup', 0.2)]),
    ];
    const f = judge(variants);
    assert.equal(f.title, 'Partitioning at 5M+: the paginated listing is faster partitioned from 5m, as the spec advises');
    assert.equal(f.severity, 'info');
    assert.match(f.detail, /Costs or breaks: single-execution-lookup/);
    assert.equal(comparePartitioned(variants).filter((c) => c.effect === 'costs').length, 3);
  });

  it('faster nowhere: a warning whose fix drops the query-speed advice', () => {
    const variants = ['1m', '10m'].flatMap((s) => [run('recommended', s, [row('paginated-listing', 1)]), run('partitioned', s, [row('paginated-listing', 1.05)])]);
    const f = judge(variants);
    assert.equal(f.title, 'Partitioning at 5M+: the paginated listing is not faster partitioned at any scale measured (1m and 10m)');
    assert.equal(f.severity, 'warning');
    assert.match(f.fix!, /^Drop "consider partitioning at 5M\+"/);
  });

  it('a query that errors or loses its index on the partitioned layout breaks, whatever its time', () => {
    const variants = [
      run('recommended', '5m', [row('upsert-conflict', 1), row('single-execution-lookup', 1)]),
      run('partitioned', '5m', [row('upsert-conflict', 0.5, { status: 'errored', reason: 'no unique constraint matching' }), row('single-execution-lookup', 0.5, { usesIndex: false, access: 'Seq Scan on executions_2026_10' })]),
    ];
    const effects = comparePartitioned(variants);
    assert.deepEqual(effects.map((e) => e.effect), ['breaks', 'breaks']);
    assert.match(effects[0]!.evidence, /no unique constraint/);
  });
});

describe('fromScale', () => {
  it('is the first scale from which the effect holds at every larger one', () => {
    assert.equal(fromScale([{ scale: '1m', holds: true }, { scale: '5m', holds: false }, { scale: '10m', holds: true }]), '10m');
    assert.equal(fromScale([{ scale: '1m', holds: true }, { scale: '5m', holds: true }]), '1m');
    assert.equal(fromScale([{ scale: '1m', holds: true }, { scale: '5m', holds: false }]), undefined);
  });
});

describe('the growth chart and the Markdown', () => {
  const growth = buildScaleGrowth(growingRuns());

  it('draws the gated forms only, one point per scale, on log-log axes, and compiles', () => {
    const points = growthChartPoints(growth);
    assert.equal(points.length, 5 * 4);
    assert.equal(points.some((p) => p.scenario.startsWith('paginated-listing') && (p.medianMs ?? 0) > 10), false, 'the documented listing is not drawn');
    const spec = buildScaleGrowthChart(growth)!;
    const layer = (spec as { layer: { encoding: { x: { scale: { type: string } }; y: { scale: { type: string } } } }[] }).layer[0]!;
    assert.equal(layer.encoding.x.scale.type, 'log');
    assert.equal(layer.encoding.y.scale.type, 'log');
    assert.doesNotThrow(() => compile(spec));
  });

  it('needs two scales to draw growth', () => {
    assert.equal(buildScaleGrowthChart(buildScaleGrowth([growingRuns()[1]!])), null);
  });

  it('the table has a row per form, a column per scale and per step with the rows\' growth, and marks a failed p95', () => {
    const table = renderGrowthTable(growth);
    const lines = table.trim().split('\n');
    assert.equal(lines.length, 2 + growth.forms.length);
    assert.match(lines[0]!, /\| 1m→5m \(rows 5x\) \| 5m→10m \(rows 2x\) \| 100k→10m \(rows 100x\) \|$/);
    const spark = lines.find((l) => l.startsWith('| sparkline-7d'))!;
    assert.match(spark, /1000 \[\d+, \d+\] · p95 \d+ ❌/);
    assert.match(lines.find((l) => l.startsWith('| paginated-listing (documented, not gated)'))!, /\| client \|/);
  });

  it('the findings list and the figures section carry the stamp, the table and every finding', () => {
    const documents = growingRuns();
    const findings = judgeLargeTenantAdvice({ growth, documents });
    assert.equal(renderAdviceFindings(findings).split('\n').filter((l) => l.startsWith('- ')).length, LARGE_TENANT_ADVICE.length);
    const stamp = { measuredAt: '2026-01-01T00:00:00Z', commit: 'abcdef1234', uncommitted: false, machine: { cpus: 2, model: 'cpu', memoryGiB: 8, platform: 'linux' }, node: 'v20' };
    const page = renderGrowthFigures({ mode: 'growth', stamp, result: { resultsFiles: ['a.json'], runIds: ['r'], growth, findings } }, 'scale-growth.svg');
    assert.match(page, /_Measured 2026-01-01 00:00 UTC on 2 × cpu/);
    assert.match(page, /!\[[^\]]+\]\(scale-growth.svg\)/);
    assert.match(page, /noisy/);
    assert.ok(page.includes(findings[3]!.title));
    assert.match(renderGrowthFigures(undefined), /Not measured yet/);
  });
});
