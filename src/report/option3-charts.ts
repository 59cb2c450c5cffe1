// Pure: the Option 3 chart, engines side by side per scenario and scale (median client clock, log scale, with the
// interquartile-free min-p95 whisker), as a Vega-Lite spec.
import type { TopLevelSpec } from 'vega-lite';
import type { Option3Results } from '../clickhouse/results.ts';

/** One bar per (scale, scenario, engine): PostgreSQL live, the view, and every ClickHouse engine. */
export function option3ChartRows(results: Option3Results): { scale: string; scenario: string; engine: string; medianMs: number; p95Ms: number }[] {
  const rows = [];
  for (const scale of results.scales) {
    for (const s of scale.scenarios) {
      if (s.postgres) rows.push({ scale: scale.scale, scenario: s.id, engine: 'PostgreSQL live', medianMs: s.postgres.client.p50Ms, p95Ms: s.postgres.client.p95Ms });
      if (s.view) rows.push({ scale: scale.scale, scenario: s.id, engine: 'PostgreSQL view', medianMs: s.view.client.p50Ms, p95Ms: s.view.client.p95Ms });
      for (const e of s.engines) {
        if (e.client) rows.push({ scale: scale.scale, scenario: s.id, engine: `ClickHouse ${e.kind}`, medianMs: e.client.p50Ms, p95Ms: e.client.p95Ms });
      }
    }
  }
  return rows;
}

export function buildOption3Chart(results: Option3Results): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Option 3: the same analytics on PostgreSQL and ClickHouse (client clock, median point, p95 tick; log scale)',
    data: { values: option3ChartRows(results) },
    facet: { row: { field: 'scale', type: 'nominal', title: 'scale' }, column: { field: 'scenario', type: 'nominal', title: null } },
    spec: {
      width: 150,
      height: 120,
      // Points, not bars: a bar on a log scale starts at zero, which has no place on it, and Vega draws none.
      layer: [
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'engine', type: 'nominal', title: null, axis: { labelAngle: -40 } }, y: { field: 'medianMs', type: 'quantitative', scale: { type: 'log' }, title: 'ms (log)' }, color: { field: 'engine', type: 'nominal', legend: null } } },
        { mark: { type: 'tick', color: 'black', thickness: 2 }, encoding: { x: { field: 'engine', type: 'nominal' }, y: { field: 'p95Ms', type: 'quantitative', scale: { type: 'log' } } } },
      ],
    },
  } as TopLevelSpec;
}
