import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RunResults } from '../../src/results.ts';
import {
  auditIndexSizes, buildBreakdownChart, buildBuffersChart, buildCharts, buildDistributionChart, buildGrowthChart, buildIndexSizeChart, buildLatencyChart,
} from '../../src/report/charts.ts';
import { renderChartSvg } from '../../src/report/render.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));

type Json = Record<string, any>;

/** Compiles with vega-lite and returns the spec as plain JSON; a spec vega-lite rejects throws here. */
function compiles(spec: TopLevelSpec | null): Json {
  assert.ok(spec, 'expected a chart spec, got null');
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; }, info: () => logger, debug: () => logger, error: (...m: unknown[]) => { throw new Error(m.join(' ')); } };
  const { spec: vega } = compile(spec, { logger: logger as never });
  assert.ok(Array.isArray(vega.marks) && vega.marks.length > 0, 'compiled Vega spec has no marks');
  assert.deepEqual(warnings, [], `vega-lite warned: ${warnings.join('; ')}`);
  return spec as Json;
}

function values(spec: Json): Json[] {
  return spec.data?.values ?? spec.layer?.[0]?.data?.values;
}

const gatedWithLatency = (r: RunResults) => r.scenarios.filter((s) => s.gated && s.latency);

describe('report chart builders', () => {
  it('latency chart: the judged clock\'s p95 per gated form as a bar, its interval as a whisker, the limit as a tick, log x', () => {
    const results = fixture();
    const spec = compiles(buildLatencyChart(results));
    const rows = values(spec);
    assert.equal(rows.filter((r) => r.shown === 'judged by the gate').length, gatedWithLatency(results).length);
    assert.deepEqual(new Set(rows.map((r) => r.scale)), new Set(['100k', '1m']));
    const sparkline1m = rows.find((r) => r.scenario === 'sparkline-7d' && r.scale === '1m')!;
    const source = results.scenarios.find((s) => s.scenarioId === 'sparkline-7d' && s.scale === '1m')!.latencyVerdict!;
    assert.equal(sparkline1m.thresholdMs, 300);
    // The bar is the judged (server) clock's estimate, not the client p95 (which is far larger for 78k rows).
    assert.equal(sparkline1m.p95Ms, Math.round(source.estimateMs * 1000) / 1000);
    assert.equal(sparkline1m.clock, 'server');
    assert.equal(sparkline1m.label, 'sparkline-7d (server)');
    assert.equal(sparkline1m.ciLowMs, source.ciLowMs);
    assert.equal(sparkline1m.ciHighMs, null, 'the fixture\'s sparkline at 1m has no upper bound');
    assert.equal(rows.find((r) => r.scenario === 'paginated-deep-page' && r.scale === '100k')!.label, 'paginated-deep-page (client)', 'no documented form measured: no form word');
    assert.deepEqual(spec.layer.map((l: Json) => l.mark.type), ['bar', 'rule', 'rule', 'tick']);
    assert.equal(spec.layer[0].encoding.x.field, 'p95Ms');
    assert.deepEqual([spec.layer[1].encoding.x.field, spec.layer[1].encoding.x2.field], ['ciLowMs', 'ciHighMs']);
    assert.deepEqual(spec.layer[2].mark.strokeDash, [3, 2], 'an open-ended interval is dashed');
    assert.equal(spec.layer[3].encoding.x.field, 'thresholdMs');
    assert.equal(spec.layer[0].encoding.x.scale.type, 'log');
    assert.equal(spec.layer[0].encoding.yOffset.field, 'scale');
    // The log domain holds every interval bound, so no whisker is clipped.
    const [low, high] = spec.layer[0].encoding.x.scale.domain;
    for (const r of rows) for (const v of [r.ciLowMs, r.ciHighMs, r.p95Ms, r.thresholdMs]) if (v !== null) assert.ok(v >= low && v <= high, `${r.scenario} ${r.scale}: ${v} outside [${low}, ${high}]`);
  });

  it('breakdown chart: server, send, wire and decode stacked for every form returning 1000 rows or more, and none without such forms', () => {
    const results = fixture();
    const spec = compiles(buildBreakdownChart(results));
    const rows = values(spec);
    const many = results.scenarios.filter((s) => s.latency && s.latency.breakdown.rows >= 1000);
    assert.deepEqual([...new Set(many.map((s) => `${s.scenarioId} ${s.scale}`))], ['sparkline-7d 100k', 'sparkline-7d 1m']);
    // Bulk results carry the server's side of sending (sendMs): four parts each.
    assert.ok(many.every((s) => s.latency!.breakdown.sendMs !== undefined));
    assert.equal(rows.length, many.length * 4);
    const at1m = many.find((s) => s.scale === '1m')!.latency!.breakdown;
    const parts = rows.filter((r) => r.scale === '1m');
    assert.deepEqual(parts.map((r) => r.part), ['server', 'send', 'wire', 'decode']);
    assert.deepEqual(parts.map((r) => r.ms), [at1m.serverMs, at1m.sendMs, at1m.wireMs, at1m.decodeMs]);
    assert.equal(parts[0]!.form, `sparkline-7d 1m (${at1m.rows.toLocaleString('en-US')} rows)`);
    assert.equal(spec.encoding.x.stack, 'zero');
    assert.equal(spec.encoding.color.field, 'part');
    // Without sendMs (no pg_stat_statements): three parts.
    delete many[0]!.latency!.breakdown.sendMs;
    assert.deepEqual(values(compiles(buildBreakdownChart(results))).filter((r) => r.scale === many[0]!.scale).map((r) => r.part), ['server', 'wire', 'decode']);
    for (const s of results.scenarios) if (s.latency) s.latency.breakdown.rows = 999;
    assert.equal(buildBreakdownChart(results), null);
  });

  it('latency chart: the documented form a correction replaces is drawn just above it, lighter, with its Seq Scan time', () => {
    const results = fixture();
    const spec = compiles(buildLatencyChart(results));
    const rows = values(spec);
    const documented = results.scenarios.find((s) => s.scenarioId === 'paginated-listing' && s.scale === '1m' && s.form === 'documented')!;
    assert.ok(documented.outcome.status === 'failed' && documented.outcome.violations.some((v) => v.kind === 'seq-scan'), 'the fixture\'s documented listing is a Seq Scan');
    const bar = rows.find((r) => r.scenario === 'paginated-listing' && r.scale === '1m' && r.form === 'documented')!;
    assert.equal(bar.label, 'paginated-listing as documented (server)');
    assert.equal(bar.shown, 'as documented, not gated');
    assert.equal(bar.p95Ms, Math.round(documented.latencyVerdict!.estimateMs * 1000) / 1000);
    const sort: string[] = spec.layer[0].encoding.y.sort;
    assert.equal(sort.indexOf('paginated-listing as documented (server)') + 1, sort.indexOf('paginated-listing corrected (server)'));
    assert.deepEqual(spec.layer[0].encoding.opacity.scale.range, [0.9, 0.4]);
    // A documented form that is itself the gated one (no correction) is not drawn twice.
    assert.equal(rows.filter((r) => r.scenario === 'recent-failures' && r.scale === '1m').length, 1);
  });

  it('latency chart: skipped and errored forms have no bar (they measured nothing)', () => {
    const rows = values(compiles(buildLatencyChart(fixture())));
    assert.equal(rows.some((r) => r.scenario === 'sparkline-7d-covering'), false);
    assert.equal(rows.some((r) => r.scenario === 'paginated-deep-page' && r.scale === '1m'), false);
  });

  it('growth chart: 1m p95 over 100k p95 per scenario present at both scales, with the spec 3x rule and the rows 10x rule', () => {
    const results = fixture();
    const spec = compiles(buildGrowthChart(results));
    const rows = values(spec);
    const p95 = (id: string, scale: string) => results.scenarios.find((s) => s.scenarioId === id && s.scale === scale && s.gated)!.latency!.client.p95Ms;
    const sparkline = rows.find((r) => r.scenario === 'sparkline-7d');
    assert.ok(sparkline);
    assert.ok(Math.abs(sparkline.growth - p95('sparkline-7d', '1m') / p95('sparkline-7d', '100k')) < 0.01);
    assert.equal(rows.some((r) => r.scenario === 'paginated-deep-page'), false, 'errored at 1m -> no growth');
    const rules = spec.layer.find((l: Json) => l.mark.type === 'rule');
    assert.deepEqual(rules.data.values.map((v: Json) => v.growth), [3, 10]);
    assert.equal(spec.layer[0].mark.type, 'bar');
  });

  it('growth chart: null with a single scale', () => {
    const results = fixture();
    results.options.scales = ['100k'];
    results.scenarios = results.scenarios.filter((s) => s.scale === '100k');
    assert.equal(buildGrowthChart(results), null);
  });

  it('distribution chart: a box plot over every retained client sample, by scenario and scale', () => {
    const results = fixture();
    const spec = compiles(buildDistributionChart(results));
    const expected = gatedWithLatency(results).reduce((n, s) => n + s.latency!.clientSamplesMs.length, 0);
    assert.equal(values(spec).length, expected);
    assert.equal(spec.mark.type, 'boxplot');
    assert.equal(spec.encoding.x.field, 'ms');
    assert.equal(spec.encoding.y.field, 'scenario');
    assert.equal(spec.encoding.color.field, 'scale');
  });

  it('buffers chart: shared hit and read stacked per gated form with a plan, one panel per scale', () => {
    const results = fixture();
    const spec = compiles(buildBuffersChart(results));
    const rows = values(spec);
    const withPlan = results.scenarios.filter((s) => s.gated && s.plan);
    assert.equal(rows.length, withPlan.length * 2);
    const hit = rows.find((r) => r.scenario === 'recent-failures' && r.scale === '100k' && r.kind === 'shared hit');
    assert.equal(hit?.blocks, withPlan.find((s) => s.scenarioId === 'recent-failures' && s.scale === '100k')!.plan!.buffers.sharedHit);
    assert.equal(spec.facet.column.field, 'scale');
    assert.equal(spec.spec.mark.type, 'bar');
    assert.equal(spec.spec.encoding.color.field, 'kind');
  });

  it('index size chart: one bar per index and scale from the audit, in MB', () => {
    const results = fixture();
    const spec = compiles(buildIndexSizeChart(results));
    const rows = values(spec);
    const audit = results.audit as { scale: string; indexes: { name: string; sizeBytes: number }[] }[];
    assert.equal(rows.length, audit.reduce((n, a) => n + a.indexes.length, 0));
    const pkey = rows.find((r) => r.index === 'executions_pkey' && r.scale === '1m');
    const pkeyBytes = audit.find((a) => a.scale === '1m')!.indexes.find((i) => i.name === 'executions_pkey')!.sizeBytes;
    assert.ok(Math.abs(pkey!.sizeMb - pkeyBytes / 1024 / 1024) < 0.01);
    assert.equal(spec.spec.mark.type, 'bar');
    assert.equal(spec.spec.encoding.x.field, 'sizeMb');
  });

  it('index size chart: skipped without an audit or with an audit of an unknown shape', () => {
    const results = fixture();
    delete results.audit;
    assert.equal(buildIndexSizeChart(results), null);
    assert.equal(auditIndexSizes([{ scale: '100k', indexes: [{ name: 'x', sizeBytes: 'big' }] }, 'junk', null]), null);
    assert.deepEqual(auditIndexSizes([{ scale: '1m', indexes: [{ name: 'i', sizeBytes: 8192, extra: true }] }]), [{ scale: '1m', indexes: [{ name: 'i', sizeBytes: 8192 }] }]);
  });

  it('buildCharts lists the six charts for the fixture and five without an audit', () => {
    const results = fixture();
    assert.deepEqual(buildCharts(results).map((c) => c.id), ['latency', 'breakdown', 'growth', 'distribution', 'buffers', 'index-sizes']);
    delete results.audit;
    assert.deepEqual(buildCharts(results).map((c) => c.id), ['latency', 'breakdown', 'growth', 'distribution', 'buffers']);
  });

  it('every chart renders to an SVG with drawn marks in Node', async () => {
    for (const chart of buildCharts(fixture())) {
      const svg = await renderChartSvg(chart.spec);
      assert.match(svg, /^<svg[^>]*width="\d+"/, `${chart.id}: not an SVG`);
      assert.ok((svg.match(/<path|<rect|<line/g) ?? []).length > 10, `${chart.id}: too few drawn elements`);
      assert.ok(!svg.includes('NaN'), `${chart.id}: NaN in the SVG`);
    }
  });
});
