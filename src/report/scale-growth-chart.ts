// Pure Vega-Lite spec: every scenario's growth across scales, latency against rows on log-log axes, so a line's
// slope reads as its growth order (flat: an index descent; slope 1: a scan of the tenant's rows).
import type { TopLevelSpec } from 'vega-lite';
import type { ScaleGrowth } from '../scale/growth.ts';
import { CHART_SCHEMA, CHART_WIDTH, chartConfig } from './charts.ts';

const SCHEMA = CHART_SCHEMA;
const WIDTH = CHART_WIDTH;
const CONFIG = chartConfig('right');

/** One point of the chart: a scenario's gated form at one scale. */
export interface GrowthChartPoint {
  scenario: string;
  scale: string;
  rows: number;
  clock: string;
  /** The median; null for a form that took no timed sample at this scale (explainMs stands in, drawn hollow). */
  medianMs: number | null;
  /** Its one EXPLAIN ANALYZE execution, only where it was not timed. */
  explainMs: number | null;
  lowMs: number | null;
  highMs: number | null;
  p95Ms: number | null;
}

/** The chart's data: gated forms with a positive median (a log axis has no zero), smallest scale first. */
export function growthChartPoints(growth: ScaleGrowth): GrowthChartPoint[] {
  return growth.forms.filter((f) => f.gated).flatMap((f) => f.points.flatMap((p): GrowthChartPoint[] => {
    const timed = p.medianMs !== null && p.medianMs > 0;
    const untimed = p.medianMs === null && p.explainMs !== null && p.explainMs > 0;
    if (!timed && !untimed) return [];
    return [{
      scenario: `${f.scenarioId} (${f.clock})`, scale: p.scale, rows: p.focusRows, clock: f.clock,
      medianMs: timed ? round(p.medianMs!) : null, explainMs: untimed ? round(p.explainMs!) : null,
      lowMs: timed && p.medianLowMs !== null && p.medianLowMs > 0 ? round(p.medianLowMs) : null, highMs: timed && p.medianHighMs !== null ? round(p.medianHighMs) : null,
      p95Ms: p.p95Ms !== null ? round(p.p95Ms) : null,
    }];
  }));
}

/**
 * Median of the judged clock per scenario (gated form) against the focus tenant's rows, both axes log: one line per
 * scenario, a point per scale, the median's interval as a whisker; a hollow triangle where the form took no timed sample
 * (its one EXPLAIN ANALYZE execution, timing on). Null with fewer than two scales or nothing to draw.
 */
export function buildScaleGrowthChart(growth: ScaleGrowth): TopLevelSpec | null {
  if (growth.scales.length < 2) return null;
  const points = growthChartPoints(growth);
  if (points.length === 0) return null;
  const rows = growth.scales.map((s) => s.focusRows);
  const values = points.flatMap((p) => [p.medianMs, p.explainMs, p.lowMs, p.highMs]).filter((v): v is number => v !== null && v > 0);
  const y = {
    type: 'quantitative',
    scale: { type: 'log', domain: [10 ** Math.floor(Math.log10(Math.min(...values))), 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.0001))] as number[] },
    title: 'median ms, judged clock (log)',
  } as const;
  const x = {
    field: 'rows', type: 'quantitative',
    scale: { type: 'log', domain: [Math.min(...rows) / 1.3, Math.max(...rows) * 1.3] as number[] },
    axis: { values: rows, format: '~s' },
    title: 'focus-tenant executions (log scale)',
  } as const;
  const color = { field: 'scenario', type: 'nominal', title: 'Scenario (clock)', scale: { scheme: 'tableau20' }, sort: [...new Set(points.map((p) => p.scenario))], legend: { labelLimit: 360 } } as const;
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: 380,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: 'datum.medianMs != null' }],
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 }, encoding: { x, y: { ...y, field: 'medianMs' }, color, detail: { field: 'scenario' } },
      },
      { transform: [{ filter: 'datum.medianMs != null' }], mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y: { ...y, field: 'medianMs' }, color } },
      {
        // Not timed: its one EXPLAIN ANALYZE execution, hollow, unjoined (another clock, and inflated by timing).
        transform: [{ filter: 'datum.explainMs != null' }],
        mark: { type: 'point', shape: 'triangle-up', filled: false, size: 60, strokeWidth: 1.5 }, encoding: { x, y: { ...y, field: 'explainMs' }, color },
      },
      {
        transform: [{ filter: 'datum.lowMs != null && datum.highMs != null' }],
        mark: { type: 'rule', strokeWidth: 1.2 },
        encoding: { x, y: { ...y, field: 'lowMs' }, y2: { field: 'highMs' }, color },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

function round(n: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
