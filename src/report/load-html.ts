// The capacity search as one self-contained HTML page: inline CSS, charts as inline SVG (vega, in Node), no script,
// no network. Its own small page builder: it imports only leaf helpers, never html.ts (no import cycle).
import type { CapacityReport, PromiseSearch } from '../load/search-report.ts';
import { ceilingWords } from '../load/render-search.ts';
import { buildLoadCharts, type LoadChart } from './load-charts.ts';
import { capacityCases } from './load-junit.ts';
import { renderChartSvg } from './render.ts';

const h = (value: unknown) => String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const rate = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

/** The load pages' style (this page and the fixed-rate run's, fixed-rate-html.ts). */
export const LOAD_PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;margin:0;background:#fff}
.wrap{max-width:1100px;margin:0 auto;padding:0 20px 40px}
header{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:14px 0;margin-bottom:18px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:#1a7f37}.failed{color:#cf222e;font-weight:600}.errored{color:#9a6700;font-weight:600}.muted{color:#57606a}
figure{margin:10px 0 18px}figcaption{color:#57606a;font-size:12.5px;max-width:760px}
.note{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;border-radius:4px}
`;

/** A chart as a figure: heading, inline SVG (or why it could not be drawn), how to read it. */
export async function chartFigure(chart: LoadChart): Promise<string> {
  let svg: string;
  try {
    svg = await renderChartSvg(chart.spec);
  } catch (error) {
    svg = `<p class="note">This chart could not be drawn: ${h((error as Error).message)}</p>`;
  }
  return `<figure id="${h(chart.id)}"><h3>${h(chart.title)}</h3>${svg}<figcaption>${h(chart.description)}</figcaption></figure>`;
}

function stepsTable(s: PromiseSearch): string {
  const head = ['step', 'rate/s', 'window s', 'offered/s', 'achieved/s', 'p50 ms', 'p95 ms [interval]', 'p99 ms', 'samples', 'verdict', ...(s.maintenance ? ['cleanup', 'lock waits'] : [])];
  const rows = s.steps.map((st, i) => {
    const l = st.latency;
    const verdict = st.invalid ? `failed (invalid: ${st.invalid.cause}): ${st.invalid.words}` : st.cut ? `failed (cut short): ${st.cut.words}` : st.outcome;
    const cls = st.invalid || st.outcome === 'failed' ? 'failed' : st.outcome === 'passed' ? 'passed' : 'errored';
    return `<tr><td>${i + 1}${st.look > 1 ? ` (look ${st.look})` : ''}</td><td class="num">${rate(st.rate)}</td><td class="num">${(st.windowMs / 1000).toFixed(1)}</td><td class="num">${rate(st.offeredPerSecond)}</td><td class="num">${rate(st.achievedPerSecond)}</td><td class="num">${ms(l?.p50.estimateMs)}</td><td class="num">${l ? `${ms(l.p95.estimateMs)} [${ms(l.p95.lowMs)}, ${ms(l.p95.highMs)}]` : '—'}</td><td class="num">${ms(l?.p99.estimateMs)}</td><td class="num">${l ? `${st.samples}${st.thinnedEvery > 1 ? ` (1 in ${st.thinnedEvery})` : ''}` : '—'}</td><td class="${cls}">${h(verdict)}</td>${s.maintenance ? `<td>${st.maintenance ? `${st.maintenance.cleanupBatches} batches, ${st.maintenance.rowsDeleted.toLocaleString('en-US')} rows` : '—'}</td><td class="num">${st.maintenance ? st.maintenance.lockWaits : '—'}</td>` : ''}</tr>`;
  });
  return `<table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The page. Async only because vega renders the charts. */
export async function renderCapacityHtml(report: CapacityReport): Promise<string> {
  const cases = capacityCases(report);
  const charts = buildLoadCharts(report.searches, report.timeline);
  const figures = new Map<string, string>();
  for (const chart of charts) figures.set(chart.id, await chartFigure(chart));
  const searchSections = report.searches.map((s) => {
    const id = `saturation-${s.promise}-${s.variant}-${s.maintenance ? 'with' : 'without'}`.replace(/[^a-z0-9-]+/gi, '-').toLowerCase();
    return `<section><h2>${h(`${s.promise}, ${s.variant}, ${s.maintenance ? 'with' : 'without'} maintenance`)}</h2>
<p><strong>${h(s.lowerBoundPerSecond === null ? 'No capacity bound' : `Capacity at least ${rate(s.lowerBoundPerSecond)}/s (${s.lowerBoundPeople} people)`)}</strong>: ${h(s.words)}.</p>
<p class="muted">${h(s.confidence.words)}. ${h(ceilingWords(s))} ${s.steps.length} step(s) in ${(s.durationMs / 1000).toFixed(0)} s of a ${(s.shareMs / 1000).toFixed(0)} s share.</p>
${figures.get(id) ?? ''}
${stepsTable(s)}</section>`;
  });
  const caseRows = cases.map((c) => {
    const without = c.searches.find((s) => !s.maintenance);
    const withIt = c.searches.find((s) => s.maintenance);
    const cell = (s: PromiseSearch | undefined) => (s ? (s.lowerBoundPerSecond === null ? `none (${s.status})` : `≥ ${rate(s.lowerBoundPerSecond)}/s (${s.lowerBoundPeople} people)`) : 'not searched');
    const cost = report.maintenanceCost.find((m) => m.promise === c.gated.promise && m.variant === c.gated.variant);
    return `<tr><td>${h(`${c.gated.promise}: p95 < ${c.gated.limitP95Ms} ms`)}</td><td>${h(c.gated.variant)}</td><td>${h(cell(without))}</td><td>${h(cell(withIt))}</td><td>${h(cost?.costPerSecond === null || cost === undefined ? '—' : `${rate(cost.costPerSecond)}/s (${cost.costPeople} people)`)}</td><td class="${c.status}">${h(c.status)}: ${h(c.message)}</td></tr>`;
  });
  const timeline = charts.find((c) => c.id === 'timeline');
  const env = report.environment;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${h(`execbench load capacity ${report.runId}`)}</title><style>${LOAD_PAGE_CSS}</style></head>
<body><header><div class="wrap"><h1>execbench load: capacity per promise</h1>
<p class="muted">Run <code>${h(report.runId)}</code> · ${h(report.startedAt)} → ${h(report.finishedAt)} · scale ${h(report.options.scale)} · variants ${h(report.options.variants.join(', '))} · ${(report.durationMs / 1000).toFixed(0)} s of a --max-time of ${(report.options.maxTimeMs / 1000).toFixed(0)} s${env ? ` · Postgres ${h(env.postgres.version)} (${h(env.provider.kind)}) · ${env.machine.cpus} CPUs` : ''}</p></div></header>
<div class="wrap">
${report.interrupted ? '<p class="note">Interrupted (Ctrl-C): what was measured so far.</p>' : ''}
${report.notes.map((n) => `<p class="note">${h(n)}</p>`).join('\n')}
<h2>Capacity per promise</h2>
<table><thead><tr><th>promise</th><th>variant</th><th>without maintenance</th><th>with maintenance</th><th>maintenance costs</th><th>check (--min-capacity)</th></tr></thead><tbody>${caseRows.join('')}</tbody></table>
<p class="muted">Lower confidence bounds on the offered rate. People: 60 per 2 dashboard loads/s or 40 page views/s (the default rates' busy hour).</p>
${report.maintenanceCost.length ? `<ul>${report.maintenanceCost.map((c) => `<li>${h(`${c.promise}, ${c.variant}: ${c.words}.`)}</li>`).join('')}</ul>` : ''}
${searchSections.join('\n')}
${timeline ? `<h2>One fixed-rate run on a time axis</h2>${figures.get('timeline')}` : ''}
<h2>Method</h2><ul>${report.method.map((m) => `<li>${h(m)}</li>`).join('')}</ul>
<p class="muted">Dataset ${h(report.dataset.source)} (${report.dataset.rows.toLocaleString('en-US')} rows), searched in its load copy ${h(report.dataset.loadSchema)}; pool ${report.options.pool}, seed ${report.options.seed}.</p>
</div></body></html>
`;
}
