// Pure Vega-Lite spec builders for the what-if section: variants side by side, what each index buys and costs,
// and where plans flip with tenant size. Data inline, rendered to SVG in Node like the other charts.
import type { TopLevelSpec } from 'vega-lite';
import type { WhatifReport } from '../whatif/types.ts';
import { worstSlowdown } from '../whatif/ablation.ts';
import { CHART_FONT } from './charts.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = {
  font: CHART_FONT,
  view: { stroke: null },
  axis: { labelLimit: 400, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#e6e8eb', domainColor: '#9aa3ad', tickColor: '#9aa3ad', labelColor: '#333' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top', labelLimit: 400 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 600 },
} as const;
const round = (n: number) => Math.round(n * 1000) / 1000;
const decadeBelow = (xs: number[]) => 10 ** Math.floor(Math.log10(Math.max(1e-3, Math.min(...xs))));
const decadeAbove = (xs: number[]) => 10 ** Math.ceil(Math.log10(Math.max(...xs)));

/** The documented SQL's judged latency per scenario on each variant, one panel per scale; a missing bar is SQL that does not run. */
export function buildVariantChart(report: WhatifReport): TopLevelSpec | null {
  const rows = report.runs.flatMap((run) => run.rows.filter((r) => r.form === 'documented' && r.judged).map((r) => ({
    scenario: r.scenarioId, variant: run.variant, scale: run.scale, p95Ms: round(r.judged!.estimateMs),
    plan: r.usesIndex ? 'uses its index' : 'plan contract broken',
  })));
  if (rows.length === 0) return null;
  const values = rows.map((r) => r.p95Ms).filter((v) => v > 0);
  const [low, high] = [decadeBelow(values), decadeAbove(values)];
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { column: { field: 'scale', type: 'nominal', title: null, sort: [...new Set(report.runs.map((r) => r.scale))] } },
    spec: {
      width: 300,
      height: { step: 9 },
      mark: { type: 'bar', height: { band: 1 } },
      encoding: {
        y: { field: 'scenario', type: 'nominal', title: null },
        yOffset: { field: 'variant', type: 'nominal', sort: report.variants.map((v) => v.name) },
        x: { field: 'p95Ms', type: 'quantitative', scale: { type: 'log', domain: [low, high] }, title: 'documented SQL, judged p95 (ms, log)' },
        x2: { datum: low },
        color: { field: 'variant', type: 'nominal', sort: report.variants.map((v) => v.name), scale: { range: ['#e45756', '#54a24b', '#4c78a8', '#b279a2'] }, title: 'Variant' },
        opacity: { field: 'plan', type: 'nominal', scale: { domain: ['uses its index', 'plan contract broken'], range: [1, 0.45] }, title: 'Plan' },
      },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Each index: its size (x) against the worst slowdown of a scenario without it (y, log), per variant and scale. */
export function buildAblationChart(report: WhatifReport): TopLevelSpec | null {
  const rows = report.runs.flatMap((run) => run.ablation.map((a) => ({
    index: a.index.replace('idx_executions_', ''), variant: run.variant, scale: run.scale,
    sizeMiB: round(a.sizeBytes / 2 ** 20), slowdown: round(worstSlowdown(a)),
    writeSharePct: a.writeShare === null ? null : round(a.writeShare * 100),
    needed: a.unneeded ? 'no scenario needs it' : 'needed',
  })));
  if (rows.length === 0) return null;
  const highest = decadeAbove(rows.map((r) => r.slowdown).concat([10]));
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { row: { field: 'variant', type: 'nominal', title: null, sort: report.variants.map((v) => v.name) }, column: { field: 'scale', type: 'nominal', title: null } },
    spec: {
      width: 240,
      height: 220,
      layer: [
        { mark: { type: 'point', filled: true, size: 70 }, encoding: {
          x: { field: 'sizeMiB', type: 'quantitative', title: 'index size (MiB): what it costs to keep' },
          y: { field: 'slowdown', type: 'quantitative', scale: { type: 'log', domain: [1, highest] }, title: 'worst slowdown without it (x, log): what it buys' },
          color: { field: 'needed', type: 'nominal', scale: { domain: ['needed', 'no scenario needs it'], range: ['#4c78a8', '#e45756'] }, title: null },
          size: { field: 'writeSharePct', type: 'quantitative', title: 'share of write cost (%)' },
        } },
        { mark: { type: 'text', align: 'left', dx: 6, fontSize: 9 }, encoding: {
          x: { field: 'sizeMiB', type: 'quantitative' }, y: { field: 'slowdown', type: 'quantitative', scale: { type: 'log', domain: [1, highest] } }, text: { field: 'index' },
        } },
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Estimated plan cost against tenant size for every read form, coloured by the plan chosen; a colour change is a flip. */
export function buildCrossoverChart(report: WhatifReport): TopLevelSpec | null {
  const reference = report.variants[0]?.name;
  const rows = report.runs.filter((run) => run.variant === reference).flatMap((run) => run.ladders.flatMap((l) => l.rungs.map((r) => ({
    query: `${l.scenarioId} (${l.form})`, scale: run.scale, tenantRows: r.tenantRows, cost: round(Math.max(0.01, r.estimatedCost)), plan: r.plan.replace(/idx_executions_/g, ''),
    flips: run.crossovers.some((c) => c.scenarioId === l.scenarioId && c.form === l.form),
  }))));
  if (rows.length === 0) return null;
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { column: { field: 'scale', type: 'nominal', title: `dataset (variant '${reference}')` } },
    spec: {
      width: 320,
      height: 260,
      layer: [
        { mark: { type: 'line', color: '#c9ced4', strokeWidth: 1 }, encoding: {
          x: { field: 'tenantRows', type: 'quantitative', scale: { type: 'log' }, title: 'tenant rows (log)' },
          y: { field: 'cost', type: 'quantitative', scale: { type: 'log' }, title: 'estimated total cost (log)' },
          detail: { field: 'query', type: 'nominal' },
        } },
        { mark: { type: 'point', filled: true, size: 40 }, encoding: {
          x: { field: 'tenantRows', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'cost', type: 'quantitative', scale: { type: 'log' } },
          // Plan labels are long: one per line below the chart, not a row across the top.
          color: { field: 'plan', type: 'nominal', title: 'plan chosen', legend: { orient: 'bottom', columns: 1 } },
          shape: { field: 'flips', type: 'nominal', title: 'plan flips along the ladder', legend: { orient: 'bottom' } },
        } },
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}
