// Pure Vega-Lite spec builders for a capacity search: the saturation curve of one search (offered against achieved
// rate; p50/p95/p99 with their intervals against the offered rate, the promise's limit drawn) and the timeline of one
// fixed-rate run (latency per class, cleanup batches and lock waits on one time axis). render.ts draws them as SVG.
import type { TopLevelSpec } from 'vega-lite';
import type { PromiseSearch, TimelineData } from '../load/search-report.ts';
import type { RunTimeline } from '../load/timeline.ts';
import { CHART_SCHEMA, CHART_WIDTH, chartConfig } from './charts.ts';

const SCHEMA = CHART_SCHEMA;
const WIDTH = CHART_WIDTH;
const CONFIG = chartConfig('top', 13);
const OUTCOME_COLORS = { domain: ['passed', 'inconclusive', 'failed', 'invalid'], range: ['#54a24b', '#e0a800', '#e45756', '#7f7f7f'] };
const PERCENTILE_COLORS = { domain: ['p50', 'p95', 'p99'], range: ['#4c78a8', '#e45756', '#b279a2'] };
const CLASS_COLORS = { domain: ['dashboard', 'pages', 'ingest', 'retention'], range: ['#4c78a8', '#f58518', '#54a24b', '#b279a2'] };

const round = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);

/** A chart of the capacity report: an id for the page's anchor, a heading, how to read it, the spec. */
export interface LoadChart {
  id: string;
  title: string;
  description: string;
  spec: TopLevelSpec;
}

/**
 * The saturation curve of one search: above, achieved against offered rate (the diagonal is "served everything"),
 * each step coloured by its verdict; below, p50/p95/p99 from intended start with their intervals (dashed where a
 * bound is open: too few samples) and the promise's limit as a red line. Log scales: the search doubles its rate.
 */
export function buildSaturationChart(search: PromiseSearch): TopLevelSpec | null {
  if (search.steps.length === 0) return null;
  const steps = search.steps.map((s, i) => ({
    step: i + 1, look: s.look, rate: s.rate, offered: round(s.offeredPerSecond), achieved: round(s.achievedPerSecond),
    verdict: s.invalid ? 'invalid' : s.outcome, reason: s.invalid?.words ?? s.cut?.words ?? s.verdict?.reason ?? '',
  }));
  const latency = search.steps.flatMap((s, i) => (s.latency
    // Side by side around the step's rate (3% apart on the log axis), so three intervals at one rate stay apart.
    ? (['p50', 'p95', 'p99'] as const).map((p, k) => ({ step: i + 1, rate: s.rate * 1.03 ** (k - 1), offered: s.rate, percentile: p, ms: round(s.latency![p].estimateMs), low: round(s.latency![p].lowMs), high: round(s.latency![p].highMs) }))
    : []));
  const rates = steps.flatMap((s) => [s.rate, s.offered ?? s.rate, Math.max(s.achieved ?? 0, 1e-3)]).filter((r) => r > 0);
  const lowRate = Math.min(...rates) / 1.2;
  const highRate = Math.max(...rates) * 1.2;
  const x = { field: 'rate', type: 'quantitative', title: 'offered rate (per second, log scale)', scale: { type: 'log', domain: [lowRate, highRate] } } as const;
  const values = latency.flatMap((l) => [l.ms, l.low, l.high]).filter((v): v is number => v !== null && v > 0);
  const yLow = Math.min(search.limitP95Ms, ...values) / 2;
  const yHigh = Math.max(search.limitP95Ms, ...values) * 2;
  const y = { type: 'quantitative', title: 'latency from intended start (ms, log)', scale: { type: 'log', domain: [yLow, yHigh] } } as const;
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: `${search.promise}, ${search.variant}, ${search.maintenance ? 'with' : 'without'} maintenance`,
    vconcat: [
      {
        width: WIDTH, height: 160,
        layer: [
          {
            data: { values: [{ rate: lowRate, achieved: lowRate }, { rate: highRate, achieved: highRate }] },
            mark: { type: 'line', color: '#9aa3ad', strokeDash: [4, 3] },
            encoding: { x, y: { field: 'achieved', type: 'quantitative' } },
          },
          {
            data: { values: steps },
            mark: { type: 'point', filled: true, size: 70 },
            encoding: {
              x,
              y: { field: 'achieved', type: 'quantitative', title: 'achieved (per second, log)', scale: { type: 'log', domain: [lowRate, highRate] } },
              color: { field: 'verdict', type: 'nominal', title: 'step', scale: OUTCOME_COLORS },
              tooltip: [{ field: 'step' }, { field: 'rate' }, { field: 'offered' }, { field: 'achieved' }, { field: 'verdict' }, { field: 'reason' }],
            },
          },
        ],
      },
      {
        width: WIDTH, height: 220,
        layer: [
          {
            data: { values: latency },
            transform: [{ filter: 'datum.low != null && datum.high != null' }],
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: { field: 'percentile', type: 'nominal', title: 'percentile', scale: PERCENTILE_COLORS } },
          },
          {
            // No upper bound from this few samples: the interval runs off the chart, dashed.
            data: { values: latency },
            transform: [{ filter: 'datum.low != null && datum.high == null' }, { calculate: `${yHigh}`, as: 'open' }],
            mark: { type: 'rule', strokeWidth: 1.5, strokeDash: [3, 2] },
            encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'open' }, color: { field: 'percentile', type: 'nominal', scale: PERCENTILE_COLORS } },
          },
          {
            data: { values: latency },
            mark: { type: 'point', filled: true, size: 45 },
            encoding: {
              x, y: { ...y, field: 'ms' }, color: { field: 'percentile', type: 'nominal', scale: PERCENTILE_COLORS },
              tooltip: [{ field: 'step' }, { field: 'offered' }, { field: 'percentile' }, { field: 'ms' }, { field: 'low' }, { field: 'high' }],
            },
          },
          {
            data: { values: [{ limit: search.limitP95Ms, label: `promise: p95 < ${search.limitP95Ms} ms` }] },
            layer: [
              { mark: { type: 'rule', color: '#c0392b', strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: { y: { ...y, field: 'limit' } } },
              { mark: { type: 'text', align: 'left', dx: 4, dy: -7, color: '#c0392b', fontSize: 11 }, encoding: { y: { ...y, field: 'limit' }, x: { datum: lowRate, type: 'quantitative', scale: x.scale }, text: { field: 'label' } } },
            ],
          },
        ],
      },
    ],
    resolve: { scale: { x: 'shared', color: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** A timeline's title: a search step names its promise, variant and rate; a fixed-rate run its window. */
function timelineTitle(t: RunTimeline | TimelineData): string {
  const window = `${(t.windowMs / 1000).toFixed(1)} s`;
  if (!('promise' in t)) return `every class at its fixed rate: ${window}`;
  return `${t.promise} at ${t.ratePerSecond}/s, ${t.variant}, ${t.maintenance ? 'with' : 'without'} maintenance: ${window}`;
}

/**
 * One fixed-rate run on one time axis: every served request of every class at its intended start and its latency
 * (thinned to at most TIMELINE_POINTS, every class kept), the cleanup batches as bars from send to reply, and each
 * lock or other wait the sampler saw as a bar per waiting class (red when it overlapped a cleanup batch).
 */
export function buildTimelineChart(t: RunTimeline | TimelineData, title = timelineTitle(t)): TopLevelSpec | null {
  if (t.points.length === 0) return null;
  const points = t.points.map((p) => ({ class: p.class, s: p.atMs / 1000, ms: Math.max(p.latencyMs, 0.01) }));
  // The legend names the classes that ran, each in its colour on every chart.
  const present = CLASS_COLORS.domain.map((c, i) => [c, CLASS_COLORS.range[i]!] as const).filter(([c]) => points.some((p) => p.class === c));
  const classColors = { domain: present.map(([c]) => c), range: present.map(([, color]) => color) };
  const end = t.windowMs / 1000;
  const x = { type: 'quantitative', title: 'seconds since the run started', scale: { domain: [0, end * 1.05] } } as const;
  const panels: Record<string, unknown>[] = [{
    width: WIDTH, height: 200,
    data: { values: points },
    mark: { type: 'point', filled: true, size: 12, opacity: 0.6 },
    encoding: {
      x: { ...x, field: 's' },
      y: { field: 'ms', type: 'quantitative', title: 'latency from intended start (ms, log)', scale: { type: 'log' } },
      color: { field: 'class', type: 'nominal', title: 'class', scale: classColors },
    },
  }];
  if (t.cleanup.length > 0) {
    panels.push({
      width: WIDTH, height: 24,
      data: { values: t.cleanup.map((c) => ({ start: c.startMs / 1000, end: c.endMs / 1000, rows: c.rows, lane: 'cleanup batches' })) },
      mark: { type: 'bar', color: '#b279a2', height: 14 },
      encoding: { x: { ...x, field: 'start' }, x2: { field: 'end' }, y: { field: 'lane', type: 'nominal', title: null }, tooltip: [{ field: 'start' }, { field: 'end' }, { field: 'rows' }] },
    });
  }
  if (t.waits.length > 0) {
    panels.push({
      width: WIDTH, height: { step: 18 },
      data: { values: t.waits.map((w) => ({ start: w.startMs / 1000, end: Math.max(w.endMs, w.startMs + 5) / 1000, who: `${w.waitingClass} waits`, wait: w.wait, blockers: w.blockers || '—', duringCleanup: w.duringCleanup ? 'during cleanup' : 'outside cleanup' })) },
      mark: { type: 'bar', height: 12 },
      encoding: {
        x: { ...x, field: 'start' }, x2: { field: 'end' }, y: { field: 'who', type: 'nominal', title: null },
        color: { field: 'duringCleanup', type: 'nominal', title: 'wait', scale: { domain: ['during cleanup', 'outside cleanup'], range: ['#c0392b', '#9aa3ad'] } },
        tooltip: [{ field: 'who' }, { field: 'wait' }, { field: 'blockers' }, { field: 'start' }, { field: 'end' }],
      },
    });
  }
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title,
    vconcat: panels,
    resolve: { scale: { x: 'shared', color: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** Every chart of the report, in the page's order. */
export function buildLoadCharts(searches: readonly PromiseSearch[], timeline: TimelineData | undefined): LoadChart[] {
  const charts: LoadChart[] = [];
  for (const s of searches) {
    const spec = buildSaturationChart(s);
    if (!spec) continue;
    charts.push({
      id: `saturation-${s.promise}-${s.variant}-${s.maintenance ? 'with' : 'without'}`.replace(/[^a-z0-9-]+/gi, '-').toLowerCase(),
      title: `Saturation: ${s.promise}, ${s.variant}, ${s.maintenance ? 'with' : 'without'} maintenance`,
      description: 'Above: achieved against offered rate per step (on the dashed diagonal every request was served). Below: p50, p95 and p99 from intended start per step with their distribution-free intervals (dashed: no upper bound from that many samples); the red line is the promise.',
      spec,
    });
  }
  const spec = timeline ? buildTimelineChart(timeline) : null;
  if (timeline && spec) {
    charts.push({
      id: 'timeline',
      title: `Timeline of one step: ${timeline.promise} at ${timeline.ratePerSecond}/s (${timeline.variant}, ${timeline.maintenance ? 'with' : 'without'} maintenance)`,
      description: 'Each served request at its intended start with its latency; below, the cleanup batches (send to reply) and the waits the sampler saw, per waiting class (red: overlapping a cleanup batch).',
      spec,
    });
  }
  return charts;
}
