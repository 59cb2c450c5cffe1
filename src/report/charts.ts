// Pure Vega-Lite spec builders: results in, one chart spec out (or null when there is nothing to draw).
// They only shape data; render.ts turns the specs into SVG in Node so the report needs no script.
import type { TopLevelSpec } from 'vega-lite';
import type { RunResults, ScenarioResult } from '../results.ts';
import { SPEC_PAGINATED_GROWTH } from '../scenario/spec-thresholds.ts';
import { breakdownParts, MANY_ROWS } from './format.ts';

/** A chart of the report: a stable id (used as the HTML anchor), a heading, one sentence on how to read it, the spec. */
export interface ChartDefinition {
  id: string;
  title: string;
  description: string;
  spec: TopLevelSpec;
}

/** The part of an index audit the size chart needs (src/audit owns the full type). */
export interface AuditIndexSizes {
  scale: string;
  indexes: { name: string; sizeBytes: number }[];
}

/** The Vega-Lite schema and the width every execbench chart shares. */
export const CHART_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SCHEMA = CHART_SCHEMA;
/** Local font stacks only: the report must render offline, so no web fonts. */
export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const CHART_WIDTH = 560;
const WIDTH = CHART_WIDTH;
const SCALE_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#9d755d'];

/** The house style of a chart's config: fonts, axes, legend and title; each chart family sets where its legend goes. */
export function chartConfig(legendOrient: 'top' | 'right', titleFontSize = 14) {
  return {
    font: CHART_FONT,
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#e6e8eb', domainColor: '#9aa3ad', tickColor: '#9aa3ad', labelColor: '#333' },
    legend: { labelFontSize: 11, titleFontSize: 12, orient: legendOrient },
    title: { fontSize: titleFontSize, anchor: 'start' },
  } as const;
}

const CONFIG = {
  font: CHART_FONT,
  view: { stroke: null },
  axis: { labelLimit: 400, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#e6e8eb', domainColor: '#9aa3ad', tickColor: '#9aa3ad', labelColor: '#333' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top' },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 600 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

/** Scales in the order the run lists them (so colours and offsets are stable across charts). */
export function scaleOrder(results: RunResults): string[] {
  const seen = [...results.options.scales];
  for (const r of results.scenarios) if (!seen.includes(r.scale)) seen.push(r.scale);
  return seen;
}

/** Scenario ids in first-seen order (the run's order). */
export function scenarioOrder(results: RunResults): string[] {
  return [...new Set(results.scenarios.map((r) => r.scenarioId))];
}

function scaleColor(results: RunResults) {
  const domain = scaleOrder(results);
  return { field: 'scale', type: 'nominal', title: 'Scale', scale: { domain, range: SCALE_COLORS.slice(0, domain.length) } } as const;
}

/** The forms the gate judges that produced latency: one per scenario and scale. */
function gatedWithLatency(results: RunResults): (ScenarioResult & { latency: NonNullable<ScenarioResult['latency']> })[] {
  return results.scenarios.filter((r): r is ScenarioResult & { latency: NonNullable<ScenarioResult['latency']> } => r.gated && r.latency !== undefined);
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The judged p95 per scenario at every scale as bars (the clock each threshold judges, named in the label), its
 * order-statistic interval as an error bar (dashed to the right edge where the sample gives no upper bound), and the
 * limit at that scale as a black tick. Log x: times span 0.01 ms to seconds.
 */
export function buildLatencyChart(results: RunResults): TopLevelSpec | null {
  const gated = gatedWithLatency(results);
  // Beside each corrected form, the documented one it corrects (what the document's SQL costs as printed: the Seq
  // Scans), so the chart shows what the correction buys, not only what passes.
  const corrected = new Set(gated.filter((r) => r.form === 'corrected').map((r) => r.scenarioId));
  const documented = results.scenarios.filter((r): r is ScenarioResult & { latency: NonNullable<ScenarioResult['latency']> } =>
    !r.gated && r.form === 'documented' && r.latency !== undefined && corrected.has(r.scenarioId));
  const judged = [...documented, ...gated];
  const clockOf = new Map<string, string>();
  for (const r of judged) if (r.latencyVerdict && !clockOf.has(r.scenarioId)) clockOf.set(r.scenarioId, r.latencyVerdict.clock);
  const beside = new Set(documented.map((r) => r.scenarioId));
  const formWord = (r: ScenarioResult) => (!beside.has(r.scenarioId) ? '' : r.form === 'documented' ? ' as documented' : ' corrected');
  const rows = judged.map((r) => {
    const v = r.latencyVerdict;
    return {
      scenario: r.scenarioId,
      form: r.form,
      shown: r.gated ? 'judged by the gate' : 'as documented, not gated',
      // One clock per scenario in practice (its thresholds share it); a form judged on no clock is shown on the client's p95.
      label: `${r.scenarioId}${formWord(r)} (${clockOf.get(r.scenarioId) ?? 'client, not judged'})`,
      scale: r.scale,
      clock: v?.clock ?? null,
      p95Ms: round(v ? v.estimateMs : r.latency.client.p95Ms),
      ciLowMs: v?.ciLowMs ?? null,
      ciHighMs: v?.ciHighMs ?? null,
      thresholdMs: r.threshold?.p95Ms ?? null,
      status: v?.status ?? null,
      verdict: r.outcome.status,
    };
  });
  if (rows.length === 0) return null;
  // Each scenario's documented form right above its correction.
  const labels = scenarioOrder(results).flatMap((id) => [...new Set(rows.filter((row) => row.scenario === id)
    .sort((a, b) => (a.form === b.form ? 0 : a.form === 'documented' ? -1 : 1)).map((row) => row.label))]);
  const y = { field: 'label', type: 'nominal', title: null, sort: labels } as const;
  const yOffset = { field: 'scale', type: 'nominal', sort: scaleOrder(results) } as const;
  // A log scale has no zero, so bars need an explicit baseline: the decade below the smallest value.
  const values = rows.flatMap((row) => [row.p95Ms, row.thresholdMs, row.ciLowMs, row.ciHighMs]).filter((v): v is number => v !== null && v > 0);
  const baseline = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const top = 10 ** Math.ceil(Math.log10(Math.max(...values) * 1.0001));
  const x = { type: 'quantitative', scale: { type: 'log', domain: [baseline, top] as number[] }, title: 'judged p95 (ms, log scale): bar = estimate, whisker = interval, black tick = limit' } as const;
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 12 },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', height: { band: 1 } },
        encoding: {
          y, yOffset, x: { ...x, field: 'p95Ms' }, x2: { datum: baseline }, color: scaleColor(results),
          // The document's own SQL, where it was corrected, is drawn lighter: shown, not gated.
          opacity: { field: 'shown', type: 'ordinal', title: 'Form', sort: ['judged by the gate', 'as documented, not gated'], scale: { domain: ['judged by the gate', 'as documented, not gated'], range: [0.9, 0.4] } },
        },
      },
      {
        transform: [{ filter: 'datum.ciLowMs != null && datum.ciHighMs != null' }],
        mark: { type: 'rule', color: '#1f2328', strokeWidth: 1.5 },
        encoding: { y, yOffset, x: { ...x, field: 'ciLowMs' }, x2: { field: 'ciHighMs' } },
      },
      {
        // No upper bound (too few samples): the interval runs off the chart, dashed.
        transform: [{ filter: 'datum.ciLowMs != null && datum.ciHighMs == null' }, { calculate: `${top}`, as: 'openEndMs' }],
        mark: { type: 'rule', color: '#1f2328', strokeWidth: 1.5, strokeDash: [3, 2] },
        encoding: { y, yOffset, x: { ...x, field: 'ciLowMs' }, x2: { field: 'openEndMs' } },
      },
      {
        transform: [{ filter: 'datum.thresholdMs != null' }],
        mark: { type: 'tick', color: '#1f2328', thickness: 3, size: 12 },
        encoding: { y, yOffset, x: { ...x, field: 'thresholdMs' } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** The forms (gated or not) that return many rows: where the wire and decoding, not the server, take the time. */
export function manyRowForms(results: RunResults, minRows = MANY_ROWS): (ScenarioResult & { latency: NonNullable<ScenarioResult['latency']> })[] {
  return results.scenarios.filter((r): r is ScenarioResult & { latency: NonNullable<ScenarioResult['latency']> } =>
    r.latency !== undefined && r.latency.breakdown !== undefined && r.latency.breakdown.rows >= minRows);
}

/** Server, wire and decode medians stacked per form that returns many rows ("where the time goes"); null when none does. */
export function buildBreakdownChart(results: RunResults): TopLevelSpec | null {
  const forms = manyRowForms(results);
  if (forms.length === 0) return null;
  const PARTS = ['server', 'send', 'wire', 'decode'] as const;
  const rows = forms.flatMap((r) => {
    const b = r.latency.breakdown;
    const form = `${r.scenarioId} ${r.scale}${r.gated ? '' : ` ${r.form}`} (${b.rows.toLocaleString('en-US')} rows)`;
    return breakdownParts(b).map(([part, ms]) => ({ form, scenario: r.scenarioId, scale: r.scale, part, order: PARTS.indexOf(part), ms: round(ms) }));
  });
  const sort = [...new Set(rows.map((row) => row.form))];
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 22 },
    data: { values: rows },
    mark: { type: 'bar', height: { band: 0.7 } },
    encoding: {
      y: { field: 'form', type: 'nominal', title: null, sort },
      x: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'median ms per execution: server execution + sending (server side) + wire and protocol + decoding into JS values' },
      color: { field: 'part', type: 'nominal', title: 'Time', sort: [...PARTS], scale: { domain: [...PARTS], range: ['#4c78a8', '#72b7b2', '#f58518', '#54a24b'] } },
      order: { field: 'order', type: 'quantitative' },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Growth of client p95 from the smallest to the largest scale, per scenario, against the spec's own 3x and the rows' growth. */
export function buildGrowthChart(results: RunResults): TopLevelSpec | null {
  const scales = scaleOrder(results);
  if (scales.length < 2) return null;
  const from = scales[0]!;
  const to = scales[scales.length - 1]!;
  const gated = gatedWithLatency(results);
  const rows = scenarioOrder(results).flatMap((scenario) => {
    const a = gated.find((r) => r.scenarioId === scenario && r.scale === from);
    const b = gated.find((r) => r.scenarioId === scenario && r.scale === to);
    if (!a || !b || a.latency.client.p95Ms <= 0) return [];
    return [{ scenario, fromMs: round(a.latency.client.p95Ms), toMs: round(b.latency.client.p95Ms), growth: round(b.latency.client.p95Ms / a.latency.client.p95Ms, 2) }];
  });
  if (rows.length === 0) return null;
  const rowsOf = (scale: string) => results.datasets.find((d) => d.scale === scale)?.focusRows;
  const rowsGrowth = rowsOf(from) && rowsOf(to) ? round(rowsOf(to)! / rowsOf(from)!, 2) : undefined;
  const rules = [{ growth: SPEC_PAGINATED_GROWTH, label: `spec's own growth ${SPEC_PAGINATED_GROWTH}x` }];
  if (rowsGrowth !== undefined) rules.push({ growth: rowsGrowth, label: `rows grew ${rowsGrowth}x (linear)` });
  const x = { field: 'growth', type: 'quantitative', title: `client p95 at ${to} / at ${from} (x)` } as const;
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 22 },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar', color: '#4c78a8', height: { band: 0.7 } },
        encoding: { y: { field: 'scenario', type: 'nominal', title: null, sort: rows.map((r) => r.scenario) }, x },
      },
      {
        data: { values: rows },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#333' },
        encoding: { y: { field: 'scenario', type: 'nominal', sort: rows.map((r) => r.scenario) }, x, text: { field: 'growth', type: 'quantitative', format: '.2f' } },
      },
      {
        data: { values: rules },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#c0392b' },
        encoding: { x },
      },
      {
        data: { values: rules },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: -14, fontSize: 10, color: '#c0392b' },
        encoding: { x, text: { field: 'label', type: 'nominal' } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Box plot of the retained client samples per scenario and scale (log x: the tails matter). */
export function buildDistributionChart(results: RunResults): TopLevelSpec | null {
  const rows = gatedWithLatency(results).flatMap((r) =>
    r.latency.clientSamplesMs.filter((ms) => ms > 0).map((ms) => ({ scenario: r.scenarioId, scale: r.scale, ms: round(ms) })),
  );
  if (rows.length === 0) return null;
  const scenarios = scenarioOrder(results).filter((id) => rows.some((row) => row.scenario === id));
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 12 },
    data: { values: rows },
    mark: { type: 'boxplot', extent: 1.5, size: 9, median: { color: '#1f2328' }, outliers: { size: 8, opacity: 0.5 } },
    encoding: {
      y: { field: 'scenario', type: 'nominal', title: null, sort: scenarios },
      yOffset: { field: 'scale', type: 'nominal', sort: scaleOrder(results) },
      x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'client round trip per execution (ms, log scale)' },
      color: scaleColor(results),
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Shared buffers hit and read for one execution of each gated form, one panel per scale. */
export function buildBuffersChart(results: RunResults): TopLevelSpec | null {
  const rows = results.scenarios
    .filter((r) => r.gated && r.plan !== undefined)
    .flatMap((r) => [
      { scenario: r.scenarioId, scale: r.scale, kind: 'shared hit', blocks: r.plan!.buffers.sharedHit },
      { scenario: r.scenarioId, scale: r.scale, kind: 'shared read', blocks: r.plan!.buffers.sharedRead },
    ]);
  if (rows.length === 0) return null;
  const scenarios = scenarioOrder(results).filter((id) => rows.some((row) => row.scenario === id));
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { column: { field: 'scale', type: 'nominal', title: null, sort: scaleOrder(results), header: { labelOrient: 'top' } } },
    spec: {
      width: Math.floor(WIDTH / 2) - 10,
      height: { step: 18 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'scenario', type: 'nominal', title: null, sort: scenarios },
        x: { field: 'blocks', type: 'quantitative', stack: 'zero', title: 'shared blocks (8 kB) per execution' },
        color: { field: 'kind', type: 'nominal', title: 'Buffers', scale: { domain: ['shared hit', 'shared read'], range: ['#72b7b2', '#e45756'] } },
        order: { field: 'kind', sort: 'ascending' },
      },
    },
    resolve: { scale: { x: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Narrows results.audit (typed unknown[] in the contract) to what the size chart needs; null when absent or unrecognised. */
export function auditIndexSizes(audit: unknown[] | undefined): AuditIndexSizes[] | null {
  if (!Array.isArray(audit) || audit.length === 0) return null;
  const out: AuditIndexSizes[] = [];
  for (const entry of audit) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { scale, indexes } = entry as { scale?: unknown; indexes?: unknown };
    if (typeof scale !== 'string' || !Array.isArray(indexes)) continue;
    const sized = indexes.flatMap((index) => {
      const { name, sizeBytes } = (index ?? {}) as { name?: unknown; sizeBytes?: unknown };
      return typeof name === 'string' && typeof sizeBytes === 'number' && Number.isFinite(sizeBytes) ? [{ name, sizeBytes }] : [];
    });
    if (sized.length > 0) out.push({ scale, indexes: sized });
  }
  return out.length > 0 ? out : null;
}

/** Size of every index per scale, from the audit; null when the run has no audit. */
export function buildIndexSizeChart(results: RunResults): TopLevelSpec | null {
  const audit = auditIndexSizes(results.audit);
  if (!audit) return null;
  const rows = audit.flatMap((a) => a.indexes.map((i) => ({ index: i.name, scale: a.scale, sizeMb: round(i.sizeBytes / 1024 / 1024, 2) })));
  const largest = audit.at(-1)!;
  const order = [...largest.indexes].sort((a, b) => b.sizeBytes - a.sizeBytes).map((i) => i.name);
  for (const row of rows) if (!order.includes(row.index)) order.push(row.index);
  const scales = [...scaleOrder(results), ...audit.map((a) => a.scale)].filter((s, i, all) => all.indexOf(s) === i);
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { column: { field: 'scale', type: 'nominal', title: null, sort: scales, header: { labelOrient: 'top' } } },
    spec: {
      width: Math.floor(WIDTH / 2) - 10,
      height: { step: 18 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'index', type: 'nominal', title: null, sort: order, axis: { labelLimit: 520 } },
        x: { field: 'sizeMb', type: 'quantitative', title: 'size (MB)' },
        color: { field: 'scale', type: 'nominal', legend: null, scale: { domain: scales, range: SCALE_COLORS.slice(0, scales.length) } },
      },
    },
    resolve: { scale: { x: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Every chart the results support, in report order; charts without data are left out. */
export function buildCharts(results: RunResults): ChartDefinition[] {
  const scales = scaleOrder(results);
  const candidates: [string, string, string, TopLevelSpec | null][] = [
    ['latency', 'Latency against the threshold, as documented and corrected', 'The p95 of the clock each threshold judges (server or client, in the label) per scale, for the form the gate judges and, where the document\'s SQL needed a correction, for the SQL as documented just above it (lighter; its Seq Scans are what the correction removes): bar = estimate, whisker = its distribution-free interval (dashed: no upper bound yet, too few samples), black tick = the limit at that scale.', buildLatencyChart(results)],
    ['breakdown', 'Where the time goes', `Forms returning ${MANY_ROWS.toLocaleString('en-US')} rows or more: median server execution (EXPLAIN TIMING OFF for these bulk results), the server's side of sending the rows (pg_stat_statements minus EXPLAIN, where read), wire and protocol (the rest of the client round trip), and decoding the rows into JavaScript values (timed apart, not in the client clock).`, buildBreakdownChart(results)],
    ['growth', `Growth from ${scales[0]} to ${scales.at(-1)}`, 'How many times slower each scenario got at the larger scale; dashed lines: the spec\'s own growth figure and the growth in rows.', buildGrowthChart(results)],
    ['distribution', 'Latency distribution', 'Box plot of the retained client samples (box: p25-p75, line: median, whiskers: 1.5 IQR, dots: outliers).', buildDistributionChart(results)],
    ['buffers', 'Buffers per execution', 'Shared buffers hit and read by one EXPLAIN ANALYZE execution of each gated form.', buildBuffersChart(results)],
    ['index-sizes', 'Index sizes', 'On-disk size of every index of executions, from the index audit.', buildIndexSizeChart(results)],
  ];
  return candidates.flatMap(([id, title, description, spec]) => (spec ? [{ id, title, description, spec }] : []));
}
