// An A/B document as one self-contained HTML page (inline CSS, the chart as inline SVG rendered by vega in Node): the
// gate's decision first, then every gated form's paired ratio with its interval against the minimum effect, then the
// table of both sides' figures, the forms that are not gated, and the method.
import type { TopLevelSpec } from 'vega-lite';
import { describeAbMethod, type AbDocument } from '../ab/document.ts';
import { formCells, gateLines, sideLabel } from './ab-text.ts';
import { escapeHtml as h } from './html.ts';
import { chartFigure, LOAD_PAGE_CSS } from './load-html.ts';


/** The paired ratio (head/base median) of each timed gated form, its interval, and the line the gate fails beyond. */
export function buildRatioChart(doc: AbDocument): TopLevelSpec | null {
  const values = doc.forms.filter((v) => v.gated && v.time.decision).map((v) => {
    const j = v.time.decision!.confirmation ?? v.time.decision!.first;
    return { form: `${v.scenarioId} (${v.form})`, ratio: j.ratio, low: j.ratioLow ?? j.ratio, high: j.ratioHigh ?? j.ratio, status: v.status };
  });
  if (values.length === 0) return null;
  const limit = 1 + doc.method.rule.minEffect;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 560,
    data: { values },
    layer: [
      { mark: { type: 'rule' }, encoding: { y: { field: 'form', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } }, x: { field: 'low', type: 'quantitative', scale: { type: 'log' }, title: 'head / base (median of paired rounds; log scale)' }, x2: { field: 'high' } } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { y: { field: 'form', type: 'nominal', sort: null }, x: { field: 'ratio', type: 'quantitative' }, color: { field: 'status', type: 'nominal', scale: { domain: ['passed', 'regressed'], range: ['#2b7a3d', '#b3261e'] }, title: 'verdict' } } },
      { data: { values: [{ x: 1 }] }, mark: { type: 'rule', strokeDash: [2, 2], color: '#666' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      { data: { values: [{ x: limit }] }, mark: { type: 'rule', color: '#b3261e' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

export async function renderAbHtml(doc: AbDocument): Promise<string> {
  const chart = buildRatioChart(doc);
  const figure = chart ? await chartFigure({
    id: 'ratios', title: 'Head against base, per gated form', spec: chart,
    description: `Dots: the median of the rounds' head/base ratios; bars: its interval at ${(doc.method.perComparisonConfidence * 100).toFixed(2)}% each side. The dashed line is no change, the red one the minimum effect (+${(doc.method.rule.minEffect * 100).toFixed(0)}%): a form fails on time only when its whole bar is right of the dashed line, its dot right of the red one, and a fresh measurement agrees.`,
  }) : '<p class="muted">No form was timed.</p>';
  const row = (v: AbDocument['forms'][number]) => {
    const c = formCells(v);
    const cls = v.status === 'regressed' || v.status === 'missing' ? 'failed' : 'passed';
    return `<tr><td>${h(v.scenarioId)} (${h(v.form)})${v.sqlChanged ? ' <span class="muted">SQL differs</span>' : ''}</td><td>${h(c.plan)}</td><td class="num">${h(c.baseMs)}</td><td class="num">${h(c.headMs)}</td><td class="num">${h(c.ratio)}</td><td class="${cls}">${h(c.verdict)}</td><td>${h([v.plan.words, v.time.words].filter(Boolean).join(' | '))}</td></tr>`;
  };
  const table = (rows: string) => `<table><thead><tr><th>form</th><th>plan (indexes)</th><th>base median ms</th><th>head median ms</th><th>head/base [interval]</th><th>verdict</th><th>details</th></tr></thead><tbody>${rows}</tbody></table>`;
  const gated = doc.forms.filter((v) => v.gated);
  const other = doc.forms.filter((v) => !v.gated);
  const passed = doc.gate.exitCode === 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>execbench ab: ${h(sideLabel(doc.base))} against ${h(sideLabel(doc.head))}</title>
<style>${LOAD_PAGE_CSS}</style></head><body>
<h1>execbench ab: ${passed ? 'passed' : 'FAILED'}</h1>
<p class="lead">Base ${h(sideLabel(doc.base))} against head ${h(sideLabel(doc.head))}, scale ${h(doc.scale)}, interleaved on one server (PostgreSQL ${h(doc.environment.postgres.version)}, ${h(doc.environment.provider.kind)}), ${(doc.durationMs / 1000).toFixed(0)} s.</p>
<pre style="white-space: pre-wrap" class="${passed ? 'passed' : 'failed'}">${h(gateLines(doc).join('\n'))}</pre>
${figure}
<h2>Gated forms</h2>
${table(gated.map(row).join(''))}
${other.length > 0 ? `<h2>Not gated</h2><p class="muted">Documented forms that have a correction: planned on both sides and reported, never failing the gate.</p>${table(other.map(row).join(''))}` : ''}
<h2>How it decides</h2>
<p>${h(describeAbMethod(doc))}</p>
</body></html>
`;
}
