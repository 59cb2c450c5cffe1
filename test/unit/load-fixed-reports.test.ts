// The reports of a fixed-rate load run from fixture runs (pure): the timeline of every class, JUnit (a case per
// validity gate and per promise), Markdown, and the HTML page with the timeline chart as SVG. The fixtures go through
// summarizeLoad, so they are the documents a real run produces: valid, a promise failed, the server fell behind (pool
// exhausted), execbench fell behind its schedule, Ctrl-C.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LoadRun, RequestRecord } from '../../src/load/run-load.ts';
import { summarizeLoad, type LoadReport, type SummaryContext } from '../../src/load/summary.ts';
import { buildTimeline, TIMELINE_POINTS } from '../../src/load/timeline.ts';
import type { LoadClass, TrafficClass } from '../../src/load/traffic.ts';
import { renderFixedRateHtml } from '../../src/report/fixed-rate-html.ts';
import { fixedRateCases, renderFixedRateJunit } from '../../src/report/fixed-rate-junit.ts';
import { renderFixedRateMarkdown } from '../../src/report/fixed-rate-markdown.ts';
import { buildTimelineChart } from '../../src/report/load-charts.ts';
import { allElements, parseXml } from '../support/xml.ts';

type Json = Record<string, any>;

const traffic = (name: LoadClass, promise?: number): TrafficClass => ({
  name, description: `${name} <&> traffic`, writes: false, arrivals: 'poisson', kinds: [{ name: 'only', share: 1, statements: [] }],
  ...(promise ? { promise: { p95Ms: promise, source: `spec Overview ${name}` } } : {}),
});

/** Each class for 10 s at its rate, every request `latencyMs[class]` from its intended start, sent `lagMs` late. */
function records(o: { pagesMs?: number; lagMs?: number; pages?: number } = {}): RequestRecord[] {
  const out: RequestRecord[] = [];
  const add = (name: LoadClass, count: number, latency: number, extra: Partial<RequestRecord> = {}) => {
    for (let i = 0; i < count; i++) {
      const at = (i * 10_000) / count + (name === 'retention' ? 500 : 3);
      const dispatch = at + (o.lagMs ?? 0);
      out.push({ name, kind: 'only', seq: i, intendedMs: at, dispatchMs: dispatch, sendMs: dispatch, endMs: at + latency + (o.lagMs ?? 0), outcome: 'ok', queued: false, ...extra });
    }
  };
  add('dashboard', 20, 40);
  add('pages', o.pages ?? 500, o.pagesMs ?? 2);
  add('ingest', 100, 4);
  add('retention', 10, 20, { rows: 1000 });
  return out.sort((a, b) => a.intendedMs - b.intendedMs);
}

function run(recs: RequestRecord[], overrides: Partial<LoadRun> = {}): LoadRun {
  // Little's law exact for the records: in flight from dispatch to reply, over the 10 s window.
  const inFlightMs = recs.reduce((s, r) => s + r.endMs - r.dispatchMs, 0);
  return {
    startedAt: '2026-12-01T00:00:00.000Z', durationMs: 10_000, endedAtMs: 10_050, records: recs,
    meanInFlight: { all: inFlightMs / 10_000, byClass: {} },
    pool: { size: 10, waited: 0, longestWaitMs: 0, maxQueue: 0, renames: 0 },
    cpu: { execbenchCores: 0.1, machineCores: 2 },
    waits: {
      // pages waits behind a cleanup batch (3500-3520 ms) for a row lock.
      observations: [{ atMs: 3505, pid: 7, waitingClass: 'pages', waitEventType: 'Lock', waitEvent: 'transactionid', statement: 'SELECT <&> 1', lock: { type: 'transactionid', mode: 'ShareLock', relation: null }, blockers: [{ pid: 8, class: 'retention', state: 'active', statement: 'DELETE FROM executions' }] }],
      samples: 400, sampleMs: { mean: 1, max: 2 }, failures: { count: 0 },
    },
    ...overrides,
  };
}

const context: SummaryContext = {
  runId: 'load-test', traffic: [traffic('dashboard', 2000), traffic('pages', 500), traffic('ingest'), traffic('retention')],
  rates: { dashboard: 2, pages: 50, ingest: 10, retention: 1 }, pool: 10, seed: 1, scale: '20000', sampledEveryMs: 25, finishedAt: '2026-12-01T00:00:11.000Z',
  dataset: { source: 'execbench_20000', loadSchema: 'execbench_load_20000', rows: 28_000, copyMs: 2000, restored: 'the load wrote only into a copy' },
};

function fixture(r: LoadRun = run(records())): { report: LoadReport; timeline: ReturnType<typeof buildTimeline<{ windowMs: number }>> } {
  const report = summarizeLoad(r, context);
  return { report, timeline: buildTimeline(r, report, { windowMs: r.stoppedAtMs ?? r.durationMs }) };
}

const valid = () => fixture();
const promiseFailed = () => fixture(run(records({ pagesMs: 700 })));
const poolExhausted = () => fixture(run(records(), { pool: { size: 10, waited: 40, longestWaitMs: 120, maxQueue: 5, renames: 0 } }));
const lateSchedule = () => fixture(run(records({ lagMs: 40 })));
function interrupted() {
  const recs = records().filter((r) => r.intendedMs < 4000);
  return fixture(run(recs, { stoppedAtMs: 4000, meanInFlight: { all: recs.reduce((s, r) => s + r.endMs - r.dispatchMs, 0) / 4000, byClass: {} } }));
}

function compiles(spec: TopLevelSpec | null): Json {
  assert.ok(spec, 'expected a chart spec, got null');
  const warnings: string[] = [];
  const logger = { level: () => logger, warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; }, info: () => logger, debug: () => logger, error: (...m: unknown[]) => { throw new Error(m.join(' ')); } };
  compile(spec, { logger: logger as never });
  assert.deepEqual(warnings, [], `vega-lite warned: ${warnings.join('; ')}`);
  return spec as Json;
}

describe('the fixtures', () => {
  it('are the runs they are named after', () => {
    assert.equal(valid().report.valid, true, valid().report.problems.join('; '));
    assert.equal(promiseFailed().report.valid, true, promiseFailed().report.problems.join('; '));
    assert.equal(promiseFailed().report.classes.find((c) => c.class === 'pages')!.promise!.status, 'failed');
    assert.deepEqual(poolExhausted().report.gates.filter((g) => !g.ok).map((g) => [g.gate, g.cause]), [['pool', 'overload']]);
    assert.deepEqual(lateSchedule().report.gates.filter((g) => !g.ok).map((g) => [g.gate, g.cause]), [['schedule-lag', 'execbench']]);
    assert.ok(interrupted().report.gates.some((g) => g.gate === 'complete' && g.cause === 'interrupted'));
  });
});

describe('the timeline of a fixed-rate run', () => {
  it('every class that was served is drawn, however few its requests beside a busy one, within TIMELINE_POINTS', () => {
    const r = run(records({ pages: 20_000 }));
    const t = buildTimeline(r, summarizeLoad(r, context), { windowMs: 10_000 });
    assert.ok(t.points.length <= TIMELINE_POINTS, `${t.points.length} points`);
    const count = (c: LoadClass) => t.points.filter((p) => p.class === c).length;
    assert.deepEqual((['dashboard', 'pages', 'ingest', 'retention'] as const).map((c) => count(c) > 0), [true, true, true, true]);
    assert.ok(count('retention') >= 1 && count('pages') > 1000, `retention ${count('retention')}, pages ${count('pages')}`);
    assert.equal(t.cleanup.length, 10, 'every cleanup batch, unthinned');
    assert.deepEqual(t.waits.map((w) => [w.waitingClass, w.blockers, w.duringCleanup]), [['pages', 'retention', true]]);
  });

  it('the chart: latency per class (the legend names only the classes that ran), cleanup batches and lock waits on one axis', () => {
    const { timeline } = valid();
    const spec = compiles(buildTimelineChart(timeline, 'pages=50/s: 10.0 s'));
    assert.equal(spec.title, 'pages=50/s: 10.0 s');
    assert.equal(spec.vconcat.length, 3);
    assert.equal(spec.resolve.scale.x, 'shared');
    assert.deepEqual(spec.vconcat[0].encoding.color.scale.domain, ['dashboard', 'pages', 'ingest', 'retention']);
    const noDashboard = { ...timeline, points: timeline.points.filter((p) => p.class !== 'dashboard') };
    assert.deepEqual(compiles(buildTimelineChart(noDashboard)).vconcat[0].encoding.color.scale, { domain: ['pages', 'ingest', 'retention'], range: ['#f58518', '#54a24b', '#b279a2'] });
    assert.match(compiles(buildTimelineChart(noDashboard)).title, /^every class at its fixed rate: 10\.0 s$/);
  });
});

describe('fixed-rate JUnit', () => {
  it('a valid run: one passed case per validity gate and one per class with a promise, with stable names', () => {
    const root = parseXml(renderFixedRateJunit(valid().report));
    const cases = allElements(root, 'testcase');
    const report = valid().report;
    assert.equal(cases.length, report.gates.length + 2);
    assert.deepEqual(cases.slice(-2).map((c) => [c.attrs.name, c.attrs.classname]), [
      ['dashboard: p95 < 2000 ms at 2.00/s', 'execbench.load.dashboard'], ['pages: p95 < 500 ms at 50.0/s', 'execbench.load.pages'],
    ]);
    assert.ok(cases.some((c) => c.attrs.name === 'validity: pages: at least 95% of offered requests served'));
    assert.ok(cases.some((c) => c.attrs.name === 'validity: at most 5% of requests waited for a connection'));
    assert.equal(allElements(root, 'failure').length + allElements(root, 'error').length + allElements(root, 'skipped').length, 0);
    assert.equal(allElements(root, 'testsuite')[0]!.attrs.failures, '0');
  });

  it('a promise that failed is a failure naming its p95 interval against the limit', () => {
    const cases = allElements(parseXml(renderFixedRateJunit(promiseFailed().report)), 'testcase');
    const failures = cases.filter((c) => c.children.some((k) => k.name === 'failure'));
    assert.deepEqual(failures.map((c) => c.attrs.name), ['pages: p95 < 500 ms at 50.0/s']);
    assert.match(failures[0]!.children.find((k) => k.name === 'failure')!.attrs.message!, /^failed: .*500/);
  });

  it('the server fell behind: the gate fails naming why; the promises are skipped as not judged, with no latency', () => {
    const xml = renderFixedRateJunit(poolExhausted().report);
    const root = parseXml(xml);
    const suite = allElements(root, 'testsuite')[0]!;
    assert.deepEqual([suite.attrs.failures, suite.attrs.errors, suite.attrs.skipped], ['1', '0', '2']);
    const pool = allElements(root, 'testcase').find((c) => c.attrs.name === 'validity: at most 5% of requests waited for a connection')!;
    assert.match(pool.children.find((k) => k.name === 'failure')!.attrs.message!, /^the server did not keep up: the pool of 10 was exhausted: 40 .*waited for a free connection/);
    const pages = allElements(root, 'testcase').find((c) => c.attrs.classname === 'execbench.load.pages')!;
    assert.match(pages.children.find((k) => k.name === 'skipped')!.attrs.message!, /^not judged: the run is invalid: the pool of 10 was exhausted/);
    assert.match(pages.children.find((k) => k.name === 'system-out')!.text, /no latency \(invalid run\)/);
    assert.doesNotMatch(pages.children.find((k) => k.name === 'system-out')!.text, /p95 \d/);
  });

  it('execbench fell behind its own schedule, or Ctrl-C stopped the run: an error, not a failure of the server', () => {
    const late = fixedRateCases(lateSchedule().report).find((c) => c.status !== 'passed' && c.status !== 'skipped')!;
    assert.deepEqual([late.name, late.status], ['validity: execbench sent 99% of requests on schedule (within 5% of the tightest promise)', 'errored']);
    assert.match(late.message, /^execbench could not measure: execbench sent 99% of requests within 40\.00 ms .*execbench used 0\.10 of one core/);
    const stopped = fixedRateCases(interrupted().report).find((c) => c.name === 'validity: the run ran to its end')!;
    assert.equal(stopped.status, 'errored');
    assert.match(stopped.message, /^not a finished run: stopped by Ctrl-C after 4\.0 of 10 s/);
  });
});

describe('fixed-rate Markdown', () => {
  it('a valid run: the checks, a row per class with latency and the promise\'s verdict, the gates, cleanup and waits', () => {
    const md = renderFixedRateMarkdown(valid().report);
    assert.match(md, /^## execbench load: fixed rate \(20000\)\n\ndashboard=2\/s,pages=50\/s,ingest=10\/s,retention=1\/s for 10\.0 s on a pool of 10, seed 1\./);
    assert.match(md, /\*\*Valid run\*\*: every validity gate held\./);
    assert.match(md, /All 9 checks passed \(dashboard: p95 &lt; 2000 ms at 2\.00\/s: inconclusive, a warning, not a failure\)\./);
    assert.match(md, /\| pages \| 50\.0 \| 50\.0 \| 500 \| 0 \| 2\.00 \| 2\.00 \| 2\.00 \| 2\.00 \| 2\.00 \/ 2\.00 \/ 2\.00 \| passed: p95 2\.00 ms \[2\.00, 2\.00\] vs &lt; 500 ms \|/);
    assert.match(md, /\| ingest \| 10\.0 \| 10\.0 \| 100 \| 0 \| 4\.00 .* \| — \|/);
    assert.match(md, /- held: the pool of 10 was never exhausted/);
    assert.match(md, /10 cleanup batch\(es\) ran .*1 lock wait\(s\) overlapped them, 1 behind the cleanup itself/);
    assert.match(md, /\| pages \| Lock\/transactionid \| retention \| 1 \|/);
  });

  it('an invalid run says why and shows no latency, and no promise as judged', () => {
    const md = renderFixedRateMarkdown(poolExhausted().report);
    assert.match(md, /\*\*INVALID RUN\*\*: these figures are not the server's latency at the offered rates, and none is reported as one:\n- the pool of 10 was exhausted/);
    assert.match(md, /\| pages \| 50\.0 \| 50\.0 \| 500 \| 0 \| invalid \| — \| — \| — \| — \| not judged \(invalid run\) \|/);
    assert.doesNotMatch(md, /passed: p95/);
    assert.match(md, /- \*\*failed\*\* \(overload\): the pool of 10 was exhausted/);
    assert.match(renderFixedRateMarkdown(interrupted().report), /> Interrupted: Ctrl-C after 4\.0 s; what was measured so far\./);
  });
});

describe('fixed-rate HTML', () => {
  it('one page with no script and nothing fetched: the class table, the timeline as SVG, the gates, the lock waits', async () => {
    const { report, timeline } = valid();
    const html = await renderFixedRateHtml(report, timeline);
    assert.doesNotMatch(html, /<script|<link|src="http/);
    assert.equal((html.match(/<svg/g) ?? []).length, 1);
    assert.match(html, /<figure id="timeline"><h3>The run on a time axis<\/h3><svg/);
    assert.match(html, /<strong class="passed">Valid run<\/strong>/);
    assert.match(html, /<td class="passed">passed: p95 2\.00 ms \[2\.00, 2\.00\] vs &lt; 500 ms<\/td>/);
    assert.match(html, /pages &lt;&amp;&gt; traffic/, 'escaped');
    assert.match(html, /<td>at most 5% of requests waited for a connection<\/td><td class="passed">held<\/td>/);
    assert.match(html, /<h3>Lock waits<\/h3>\n<table>.*<td>ShareLock on transactionid<\/td><td>retention<\/td><td><code>SELECT &lt;&amp;&gt; 1<\/code><\/td>/s);
  });

  it('an invalid run says why first, shows no latency and no verdict; its timeline is drawn, said to be no verdict', async () => {
    const { report, timeline } = poolExhausted();
    const html = await renderFixedRateHtml(report, timeline);
    assert.match(html, /<strong class="failed">INVALID RUN<\/strong>: .*Why:<\/p><ul><li>the pool of 10 was exhausted/);
    assert.equal((html.match(/invalid run: no latency reported/g) ?? []).length, 4);
    assert.doesNotMatch(html, /p95 \d/);
    assert.match(html, /The run is invalid \(above\): these latencies show what happened, not the server&#39;s latency/);
    assert.match(html, /<td>at most 5% of requests waited for a connection<\/td><td class="failed">failed \(overload\)<\/td><td>the pool of 10 was exhausted/);
  });

  it('a run where nothing was served has no chart, and says so', async () => {
    const { report, timeline } = valid();
    const html = await renderFixedRateHtml(report, { ...timeline, points: [] });
    assert.doesNotMatch(html, /<svg/);
    assert.match(html, /No request was served: nothing to draw/);
  });
});
