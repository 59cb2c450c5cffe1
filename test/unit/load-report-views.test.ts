// The views of a capacity search from a fixture document (pure): JUnit (one case per promise, failed under
// --min-capacity), Markdown, the console table, the Vega-Lite specs (saturation curve, one run's timeline) and the
// HTML page that carries them as SVG.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, type TopLevelSpec } from 'vega-lite';
import { capacityExitCode } from '../../src/commands/load.ts';
import { boundConfidence } from '../../src/load/capacity.ts';
import { renderCapacityReport } from '../../src/load/render-search.ts';
import { describeMethod, maintenanceCosts, ratePeople, type CapacityReport, type CapacityStep, type PromiseClass, type PromiseSearch } from '../../src/load/search-report.ts';
import { buildLoadCharts, buildSaturationChart, buildTimelineChart } from '../../src/report/load-charts.ts';
import { renderCapacityHtml } from '../../src/report/load-html.ts';
import { capacityCases, renderCapacityJunit } from '../../src/report/load-junit.ts';
import { renderCapacityMarkdown } from '../../src/report/load-markdown.ts';
import { renderChartSvg } from '../../src/report/render.ts';

type Json = Record<string, any>;

function stepAt(rate: number, p95: number | null, outcome: CapacityStep['outcome'], invalid?: string): CapacityStep {
  const latency = p95 === null ? null : {
    p50: { estimateMs: p95 / 3, lowMs: p95 / 3.3, highMs: p95 / 2.7 },
    p95: { estimateMs: p95, lowMs: p95 * 0.8, highMs: outcome === 'inconclusive' ? null : p95 * 1.3 },
    p99: { estimateMs: p95 * 2, lowMs: p95 * 1.5, highMs: null },
    confidence: 0.99375,
  };
  return {
    rate, windowMs: 10_000, look: 1, outcome,
    ...(invalid ? { invalid: { cause: 'overload' as const, words: invalid } } : {}),
    ...(p95 !== null && !invalid ? { verdict: { clock: 'client' as const, statistic: 'p95' as const, limitMs: 500, estimateMs: p95, ciLowMs: p95 * 0.8, ciHighMs: p95 * 1.3, confidence: 0.99375, overallConfidence: 0.975, samples: 300, looks: 1, status: outcome === 'failed' ? 'failed' as const : outcome === 'inconclusive' ? 'inconclusive' as const : 'passed' as const, reason: `client p95 ${p95} ms` } } : {}),
    offeredPerSecond: rate * 0.99, achievedPerSecond: invalid ? rate * 0.7 : rate * 0.99, requests: rate * 10, served: rate * 10,
    valid: !invalid, problems: invalid ? [invalid] : [], cpuStatement: 'cpu', latency: invalid ? null : latency, thinnedEvery: 2, samples: 300, warmupMs: 1000,
    elapsedMs: 11_500,
  };
}

function search(promise: PromiseClass, maintenance: boolean, bound: number, min?: number): PromiseSearch {
  const limit = promise === 'dashboard' ? 2000 : 500;
  const steps = [stepAt(bound / 2, limit / 50, 'passed'), stepAt(bound, limit / 10, 'passed'), stepAt(bound * 2, null, 'failed', 'pages: 700 of 1,000 requests served: the server did not keep up'), stepAt(bound * 1.5, limit * 1.5, 'failed'), stepAt(bound * 1.08, limit * 0.9, 'inconclusive')];
  return {
    promise, limitP95Ms: limit, source: `spec Overview ${promise}`, variant: 'spec', maintenance, lowerBoundPerSecond: bound, notBelowPerSecond: bound * 1.08,
    lowerBoundPeople: ratePeople(promise, bound), status: 'bracketed', words: `capacity at least ${bound}/s <&>`, confidence: boundConfidence({ confidence: 0.95, maxSteps: 16 }, steps.length),
    startRate: bound / 2, ...(min !== undefined ? { minCapacityPerSecond: min, meetsMinimum: bound >= min } : {}), shareMs: 150_000, durationMs: 90_000, steps,
  };
}

function fixture(): CapacityReport {
  const searches = [search('dashboard', false, 12, 5), search('dashboard', true, 10, 5), search('pages', false, 400, 350), search('pages', true, 300, 350)];
  const rates = { ingest: 10, retention: 1 };
  return {
    kind: 'execbench-load-capacity', schemaVersion: 1, runId: 'capacity-test', startedAt: '2026-12-01T00:00:00.000Z', finishedAt: '2026-12-01T00:10:00.000Z',
    options: { scale: '100k', promises: ['dashboard', 'pages'], maintenance: ['without', 'with'], variants: ['spec'], maxTimeMs: 600_000, stepMs: 10_000, maxWindowMs: 60_000, maxSteps: 16, precision: 0.1, confidence: 0.95, pool: 10, seed: 1, maintenanceRates: rates, minCapacity: { dashboard: 5, pages: 350 } },
    dataset: { source: 'execbench_100k', loadSchema: 'execbench_load_100k', rows: 140_000 },
    method: describeMethod({ confidence: 0.95, maxSteps: 16, precision: 0.1, samplesToPass: 113, maintenanceRates: rates }),
    searches, maintenanceCost: maintenanceCosts(searches, rates),
    timeline: {
      promise: 'pages', variant: 'spec', maintenance: true, ratePerSecond: 300, windowMs: 10_000,
      points: Array.from({ length: 300 }, (_, i) => ({ class: i % 10 === 0 ? 'ingest' as const : 'pages' as const, atMs: i * 33, latencyMs: 2 + (i % 7) })),
      cleanup: Array.from({ length: 10 }, (_, i) => ({ startMs: i * 1000 + 500, endMs: i * 1000 + 530, rows: 1000 })),
      waits: [{ waitingClass: 'ingest', wait: 'Lock/transactionid (ShareLock)', blockers: 'retention', startMs: 1510, endMs: 1535, duringCleanup: true }],
    },
    interrupted: false, notes: [], durationMs: 400_000,
  };
}

function compiles(spec: TopLevelSpec | null): Json {
  assert.ok(spec, 'expected a chart spec, got null');
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; }, info: () => logger, debug: () => logger, error: (...m: unknown[]) => { throw new Error(m.join(' ')); } };
  compile(spec, { logger: logger as never });
  assert.deepEqual(warnings, [], `vega-lite warned: ${warnings.join('; ')}`);
  return spec as Json;
}

describe('capacity JUnit', () => {
  it('one case per promise (and variant), gated on the bound with maintenance: failed under --min-capacity, else passed', () => {
    const cases = capacityCases(fixture());
    assert.deepEqual(cases.map((c) => [c.gated.promise, c.gated.maintenance, c.status]), [['dashboard', true, 'passed'], ['pages', true, 'failed']]);
    assert.match(cases[1]!.message, /capacity at least 300\/s, below --min-capacity pages=350\/s/);
    const xml = renderCapacityJunit(fixture());
    assert.match(xml, /<testsuite name="execbench load capacity 100k" tests="2" failures="1" errors="0"/);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 2);
    assert.match(xml, /<failure message="capacity at least 300\/s, below --min-capacity pages=350\/s" type="capacity">/);
    assert.match(xml, /<property name="withoutMaintenancePerSecond" value="400"\/>/);
    assert.match(xml, /capacity at least 400\/s &lt;&amp;&gt;/, 'escaped');
  });

  it('no bound: failed when the promise held at no rate, an error when nothing could be measured', () => {
    const report = fixture();
    report.searches[1] = { ...report.searches[1]!, lowerBoundPerSecond: null, lowerBoundPeople: null, status: 'no-pass' };
    report.searches[3] = { ...report.searches[3]!, lowerBoundPerSecond: null, lowerBoundPeople: null, status: 'limited' };
    assert.deepEqual(capacityCases(report).map((c) => c.status), ['failed', 'errored']);
    assert.match(renderCapacityJunit(report), /failures="1" errors="1"/);
  });
});

describe('capacity exit code', () => {
  it('1 for a bound under --min-capacity or a promise that held at no rate; 2 for no bound at all or Ctrl-C; else 0', () => {
    assert.equal(capacityExitCode(fixture()), 1);
    const met = fixture();
    met.searches = met.searches.map((s) => ({ ...s, meetsMinimum: true }));
    assert.equal(capacityExitCode(met), 0);
    const none = structuredClone(met);
    none.searches[0] = { ...none.searches[0]!, lowerBoundPerSecond: null, status: 'limited', meetsMinimum: false };
    assert.equal(capacityExitCode(none), 2);
    none.searches[1] = { ...none.searches[1]!, lowerBoundPerSecond: null, status: 'no-pass', meetsMinimum: false };
    assert.equal(capacityExitCode(none), 1);
    assert.equal(capacityExitCode({ ...met, interrupted: true }), 2);
  });
});

describe('capacity Markdown and console', () => {
  it('Markdown: a row per promise with both bounds, the cost of maintenance, the check; each search\'s steps; the method', () => {
    const md = renderCapacityMarkdown(fixture());
    assert.match(md, /1 of 2 promise checks did not pass: pages: .*below --min-capacity pages=350\/s/);
    assert.match(md, /\| pages p95 &lt; 500 ms \| spec \| \*\*≥ 400\/s\*\* \(600 people\) \| \*\*≥ 300\/s\*\* \(450 people\) \| 100\/s \(150 people\) \| 350\/s \| \*\*failed\*\* \|/);
    assert.equal((md.match(/<details><summary>/g) ?? []).length, 5, 'four searches and the method');
    assert.match(md, /\| 3 \| 800 \| 10\.0 \| 792 \| 560 \| — \| — \| — \| failed \(invalid: pages: 700 of 1,000 requests served/);
    assert.match(md, /Bonferroni over at most 16 steps/);
  });

  it('console: a table per promise, each search\'s steps with p95 intervals and verdicts, the invalid reasons', () => {
    const text = renderCapacityReport(fixture());
    assert.match(text, /Capacity: dashboard p95 < 2000 ms/);
    assert.match(text, /spec\s+with\s+>= 300\/s \(450 people\)\s+324\/s\s+5\s+350\/s NOT MET/);
    assert.match(text, /50\.0 \[40\.0, 65\.0\]\s+100\s+300 \(1 in 2\)\s+passed/);
    assert.match(text, /failed \(invalid: overload\)/);
    assert.match(text, /What maintenance costs:\n  dashboard, spec: .*about 2\.00\/s \(60 people\) fewer/);
  });
});

describe('capacity charts', () => {
  it('saturation: achieved against offered per step coloured by verdict; p50/p95/p99 with intervals side by side; the limit drawn', () => {
    const s = fixture().searches[2]!;
    const spec = compiles(buildSaturationChart(s));
    const rates = spec.vconcat[0].layer[1].data.values;
    assert.deepEqual(rates.map((r: Json) => r.verdict), ['passed', 'passed', 'invalid', 'failed', 'inconclusive']);
    const latency = spec.vconcat[1].layer[2].data.values;
    assert.equal(latency.length, 4 * 3, 'three percentiles for each step with a latency (not the invalid one)');
    const atBound = latency.filter((l: Json) => l.step === 2);
    assert.deepEqual(atBound.map((l: Json) => l.percentile), ['p50', 'p95', 'p99']);
    assert.ok(atBound[0].rate < 400 && atBound[1].rate === 400 && atBound[2].rate > 400, 'offset around the rate');
    assert.equal(atBound[1].high, 65);
    assert.equal(spec.vconcat[1].layer[3].data.values[0].limit, 500);
    assert.equal(buildSaturationChart({ ...s, steps: [] }), null);
  });

  it('timeline: latency per class, cleanup batches and waits on one shared time axis; no empty panels', () => {
    const t = fixture().timeline!;
    const spec = compiles(buildTimelineChart(t));
    assert.equal(spec.vconcat.length, 3);
    assert.deepEqual(spec.resolve.scale.x, 'shared');
    assert.equal(spec.vconcat[1].data.values.length, 10);
    assert.equal(spec.vconcat[2].data.values[0].duringCleanup, 'during cleanup');
    assert.equal(compiles(buildTimelineChart({ ...t, cleanup: [], waits: [] })).vconcat.length, 1);
    assert.equal(buildTimelineChart({ ...t, points: [] }), null);
  });

  it('every chart renders to SVG, and the HTML page carries them with no script', async () => {
    const report = fixture();
    const charts = buildLoadCharts(report.searches, report.timeline);
    assert.equal(charts.length, 5);
    assert.match(await renderChartSvg(charts[0]!.spec), /^<svg/);
    const html = await renderCapacityHtml(report);
    assert.equal((html.match(/<svg/g) ?? []).length, 5);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /Capacity at least 400\/s \(600 people\)/);
    assert.match(html, /capacity at least 400\/s &lt;&amp;&gt;/);
  });
});
