// One self-contained HTML page: inline CSS, charts as inline SVG, no script, no network. Opens from disk.
// Sections of their own: html-audit.ts, html-environment.ts, html-plan-tree.ts, whatif-section.ts; the stylesheet is
// html-css.ts and the small pieces (escaping, badges) html-parts.ts.
import type { EnvironmentInfo, Finding, HeadlineCheck, RunResults, ScenarioResult } from '../results.ts';
import { buildCharts, scaleOrder, type ChartDefinition } from './charts.ts';
import {
  baselineView, type BaselineView, confidenceLevels, countBeyondCap, countInconclusive, countOutcomes, countsForGate, describeClocks, displayStatus, FINDING_TITLE, formatCount,
  formatLatencyVerdict, formatLimit, formatMs, formatThreshold, INCONCLUSIVE_NOTE, isTeamResult, MANY_ROWS, orderResults, outcomeReason,
  teamQueryFile, usedIndexes, verdictStatusLabel, breakdownParts,
} from './format.ts';
import { formatInterval } from '../gate/latency-verdict.ts';
import { renderChartSvg } from './render.ts';
import { renderWhatifSection } from './whatif-section.ts';
import { renderAudit } from './html-audit.ts';
import { REPORT_CSS } from './html-css.ts';
import { renderEnvironment } from './html-environment.ts';
import { anchor, badge, escapeHtml, ident, truncate } from './html-parts.ts';
import { renderPlanTree } from './html-plan-tree.ts';
import { isJudged } from '../runner/headline.ts';
import { correctedSentence, documentVerdict, formatRange, type DocumentVerdict } from './document-verdict.ts';

// Other pages (ab-html.ts, tests) import these from here.
export { escapeHtml } from './html-parts.ts';
export { renderPlanTree } from './html-plan-tree.ts';

const h = escapeHtml;

/** Renders the whole report. Async only because chart SVGs are rendered by vega. */
export async function renderHtmlReport(results: RunResults): Promise<string> {
  const charts = await renderCharts(buildCharts(results));
  const scales = scaleOrder(results);
  const ordered = orderResults(results.scenarios, scales);
  const strict = results.options.strictSpec;
  const gated = ordered.filter((r) => countsForGate(r, strict));
  const counts = countOutcomes(gated);
  const inconclusive = countInconclusive(gated);
  const beyondCap = countBeyondCap(gated);
  const baseline = baselineView(results);
  const verdict = counts.failed + counts.errored > 0 || (baseline?.failing.length ?? 0) > 0 ? 'fail' : 'pass';
  const title = `execbench report ${results.runId}`;
  const whatif = results.whatif ? await renderWhatifSection(results.whatif) : '';
  const documentFindingCount = results.findings.filter((f) => f.about !== 'table').length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${h(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top">
  <div class="wrap">
    <h1>execbench <span class="muted">report</span></h1>
    <p class="run-line">Run <code>${h(results.runId)}</code> · ${h(results.startedAt)} → ${h(results.finishedAt)} · scales ${h(scales.join(', '))}${results.environment.gitCommit ? ` · commit <code>${h(results.environment.gitCommit.slice(0, 12))}</code>` : ''}</p>
    ${results.target ? `<p class="target" id="target">${h(results.target.statement)}</p>` : ''}
    ${results.target ? '' : renderDocumentVerdict(documentVerdict(results))}
    <p class="gate-label">The gate${results.target ? '' : ' (the corrected forms; its exit code is what CI sees)'}:</p>
    <p class="overall ${verdict}" id="overall-verdict">${verdict === 'pass' ? 'All gated scenarios passed' : 'The gate fails'}:
      ${counts.passed} passed, ${counts.failed} failed, ${counts.errored} errored, ${counts.skipped} skipped (gated forms${strict ? ' and, with --strict-spec, every documented form' : ''}) · ${documentFindingCount} spec finding${documentFindingCount === 1 ? '' : 's'}${results.target ? ` · ${results.findings.length - documentFindingCount} about your table` : ''}${inconclusive ? ` · <span title="${h(INCONCLUSIVE_NOTE)}">${inconclusive} inconclusive latency verdict${inconclusive === 1 ? '' : 's'} (${inconclusive === beyondCap ? `left undecided on purpose: a pass was beyond the cap per form, a note` : `warning${inconclusive - beyondCap === 1 ? '' : 's'}${beyondCap ? `; ${beyondCap} left undecided on purpose, a note` : ''}`})</span>` : ''}</p>
    <nav><a href="#document-verdict">The document's verdict</a><a href="#verdicts">Verdicts</a>${results.scenarios.some(isTeamResult) ? '<a href="#your-queries">Your queries</a>' : ''}${baseline ? '<a href="#baseline">Baseline</a>' : ''}<a href="#findings">Spec findings</a><a href="#headline">Headline checks</a><a href="#charts">Charts</a><a href="#scenarios">Scenarios</a>${results.audit?.length ? '<a href="#audit">Index audit</a>' : ''}${whatif ? '<a href="#whatif">What-if</a>' : ''}<a href="#environment">Environment</a></nav>
  </div>
</header>
<main class="wrap">
${renderVerdicts(ordered, scales, strict, results.environment)}
${renderTeamQueries(ordered, strict)}
${baseline ? renderBaseline(baseline) : ''}
${renderFindings(results.findings.filter((f) => f.about !== 'table'))}
${results.target ? renderTableSection(results.target, results.findings.filter((f) => f.about === 'table')) : ''}
${renderHeadline(results.headline)}
${renderChartSection(charts)}
${renderScenarios(ordered, scales, strict)}
${results.audit?.length ? renderAudit(results.audit) : ''}
${whatif}
${renderEnvironment(results.environment, results.datasets, results)}
</main>
<footer class="wrap muted">Generated by execbench ${h(results.environment.execbenchVersion)} from results schema v${h(results.schemaVersion)}. Self-contained: no scripts, no network.</footer>
</body>
</html>
`;
}

/**
 * The first thing the page says: how many of the document's statements fail as written and why (a line per cause,
 * each naming its statements), then whether its intent holds once corrected. The gate's banner follows it.
 */
function renderDocumentVerdict(v: DocumentVerdict): string {
  const link = (id: string) => `<a href="#${anchor('scenario', id)}"><code>${h(id)}</code></a>`;
  const lead = v.failingCount === 0
    ? `<strong>${v.statements === 1 ? 'The 1 statement of the document judged here holds' : `All ${v.statements} of the document's statements judged here hold`} as written</strong>${v.scales.length ? ` at ${h(v.scales.join(' and '))}` : ''}.`
    : `<strong>${v.failingCount} of the document's ${v.statements} statements fail as written</strong>${v.scales.length ? ` (measured at ${h(v.scales.join(' and '))})` : ''}:`;
  const groups = v.groups.map((g) => `<li data-cause="${h(g.cause)}"><strong>${g.scenarioIds.length} ${h(g.summary)}</strong>${g.latencyRangeMs ? `, ${h(formatRange(g.latencyRangeMs))} at p95` : ''}: ${g.scenarioIds.map(link).join(' ')}</li>`);
  return `<section id="document-verdict" class="answer">
<h2>The document's verdict</h2>
<p class="answer-lead">${lead}</p>
${groups.length ? `<ul class="answer-causes">${groups.join('')}</ul>` : ''}
<p class="answer-corrected">${h(correctedSentence(v))} <a href="#findings">Each finding, with its fix</a>.</p>
</section>`;
}

interface RenderedChart extends ChartDefinition {
  svg?: string;
  error?: string;
}

async function renderCharts(charts: ChartDefinition[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const chart of charts) {
    try {
      out.push({ ...chart, svg: await renderChartSvg(chart.spec) });
    } catch (error) {
      out.push({ ...chart, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}

/** The badge of a scenario result: FINDING (with its tooltip) for a failed form the gate does not judge. */
function resultBadge(r: ScenarioResult, strict: boolean): string {
  const status = displayStatus(r, strict);
  if (status === 'finding') return badge('spec-finding', 'finding', FINDING_TITLE);
  if (status === 'inconclusive') return badge('inconclusive', 'inconclusive', `latency verdict ${INCONCLUSIVE_NOTE}`);
  return badge(status, status, countsForGate(r, strict) ? '' : 'documented form, not gated');
}

/** The index the plan used, checked against the expected ones; the expectation is spelled out when it was missed. */
function indexCell(r: ScenarioResult, used: string[], expectedHit: boolean): string {
  if (r.expectedIndexes.length === 0) {
    // No documented index (catalog queries, the live aggregate): show what was used, judge nothing.
    return r.plan ? `${used.map((name) => ident(name, 'idx-other')).join(' ') || '<span class="muted">no index</span>'} <span class="muted">(no index expected)</span>` : '<span class="muted">no plan</span>';
  }
  const expected = `<div class="expected muted">expected ${r.expectedIndexes.map((name) => ident(name)).join(' or ')}</div>`;
  if (!r.plan) return `<span class="muted">no plan</span>${expected}`;
  if (expectedHit) return `${used.map((name) => ident(name, r.expectedIndexes.includes(name) ? 'idx-ok' : 'idx-other')).join(' ')} <span class="ok-mark" title="an expected index was used">✓</span>`;
  const shown = used.length ? used.map((name) => ident(name, 'idx-other')).join(' ') : '<span class="idx-none">no index</span>';
  return `${shown} <span class="warn-mark" title="none of the expected indexes was used">✗</span>${expected}`;
}

/** One row per scenario and scale: the gated form's verdict and numbers, and how the documented form fared beside it. */
/** Whether this form's judged server clock is EXPLAIN TIMING OFF. */
function explainServer(r: ScenarioResult): boolean {
  return (r.latencyVerdict?.clock ?? r.threshold?.clock) === 'server' && r.latency?.serverMethod === 'explain-timing-off';
}

/** The judged p95 with its interval, n and the verdict's status; the reason in the tooltip. */
function verdictCell(r: ScenarioResult): string {
  const v = r.latencyVerdict;
  if (!v) return `<td class="num p95">${r.latency ? `<span class="muted" title="no threshold: not judged">client ${h(formatMs(r.latency.client.p95Ms))}</span>` : '–'}</td>`;
  return `<td class="num p95 lv-${h(v.status)}" title="${h(v.reason)}"><strong>${h(formatMs(v.estimateMs))}</strong> <span class="ci">${h(formatInterval(v.ciLowMs, v.ciHighMs))}</span><div class="small"><span class="lv ${h(v.status)}">${h(verdictStatusLabel(v.status))}</span></div></td>`;
}

function renderVerdicts(ordered: ScenarioResult[], scales: string[], strict: boolean, env: EnvironmentInfo): string {
  const scenarioIds = [...new Set(ordered.map((r) => r.scenarioId))];
  const body = scenarioIds.map((id) => {
    const rows = ordered.filter((r) => r.scenarioId === id);
    const first = rows[0]!;
    const header = `<tr class="group" data-scenario="${h(id)}"><th colspan="10" scope="rowgroup"><a href="#${anchor('scenario', id)}">${h(first.title)}</a> <code>${h(id)}</code>${isTeamResult(first) ? ` ${badge('team', 'your query')}` : ''} <span class="muted">${h(first.spec)}</span></th></tr>`;
    const scalesHere = scales.filter((scale) => rows.some((r) => r.scale === scale));
    const lines = scalesHere.map((scale) => {
      const atScale = rows.filter((r) => r.scale === scale);
      const r = atScale.find((row) => row.gated) ?? atScale[0]!;
      const documented = r.form === 'corrected' ? atScale.find((row) => row.form === 'documented') : undefined;
      const reason = outcomeReason(r.outcome);
      const used = usedIndexes(r);
      const expectedHit = used.some((name) => r.expectedIndexes.includes(name));
      const lat = r.latency;
      const documentedCell = documented
        ? `${resultBadge(documented, strict)}${documented.outcome.status !== 'passed' ? `<div class="reason">${h(truncate(outcomeReason(documented.outcome), 160))}</div>` : ''}`
        : `<span class="muted">${isTeamResult(r) ? 'your query, as written' : r.form === 'documented' ? 'judged as written' : 'no result'}</span>`;
      return `<tr data-scenario="${h(id)}" data-scale="${h(r.scale)}" data-form="${h(r.form)}" data-status="${h(r.outcome.status)}" data-display="${h(displayStatus(r, strict))}">
<td>${h(r.scale)}</td>
<td class="verdict">${resultBadge(r, strict)} <span class="muted form-name">${h(r.form)}</span>${reason ? `<div class="reason">${h(reason)}</div>` : ''}</td>
<td class="documented">${documentedCell}</td>
<td class="num limit"${r.threshold ? ` title="${h(r.threshold.source)}"` : ''}>${r.threshold ? `≤ ${h(formatLimit(r.threshold.p95Ms))} ms<div class="small clock">${h(r.latencyVerdict?.clock ?? r.threshold.clock)}${explainServer(r) ? ' <span title="server clock of this form: EXPLAIN (ANALYZE, TIMING OFF) beside each execution (bulk result, or pg_stat_statements not available)">(EXPLAIN)</span>' : ''}${isTeamResult(r) ? ' · your limit' : r.threshold.derived ? ' · derived' : ''}</div>` : '–'}</td>
${verdictCell(r)}
<td class="num">${r.latencyVerdict ? h(r.latencyVerdict.samples) : '–'}</td>
<td class="num">${h(formatMs(lat?.client.p50Ms))}</td>
<td class="num">${h(formatMs(lat?.server.p50Ms ?? r.plan?.executionMs))}</td>
<td class="num">${r.plan ? `${h(formatCount(r.plan.buffers.sharedHit))} / ${h(formatCount(r.plan.buffers.sharedRead))}` : '–'}</td>
<td>${indexCell(r, used, expectedHit)}</td>
</tr>`;
    });
    return header + lines.join('\n');
  });
  return `<section id="verdicts">
<h2>Verdicts</h2>
<p class="lead">Every scenario at every scale (${h(scales.join(', '))}). The verdict and numbers are those of the form the gate judges (the corrected SQL where the spec's needed a correction); the documented column says how the SQL exactly as the spec prints it fared. <span class="badge spec-finding">finding</span> marks a documented form that does not hold but is not gated (a spec finding; <code>--strict-spec</code> gates it). </p>
<p class="lead" id="clocks-legend">Each limit judges the p95 of one <strong>clock</strong>, named under it. <strong>server</strong>: ${h(describeClocks(env).server)}. <strong>client</strong>: ${h(describeClocks(env).client)}. The p95 column is that clock's estimate with its distribution-free order-statistic interval at ${h(confidenceLevels(ordered))}; — means too few samples for that bound; n counts the judged clock's samples. <span class="badge inconclusive">inconclusive</span>: the interval contains the limit or lacks the bound that would decide, a warning (<code>--fail-on inconclusive</code> makes it fatal). Client and server p50: medians of both clocks (ms); buffers: shared hit / read of one EXPLAIN ANALYZE execution.</p>
<div class="table-scroll">
<table class="verdicts" id="verdict-table">
<thead><tr><th>Scale</th><th>Verdict</th><th>Documented form</th><th class="num">Limit p95 (clock)</th><th class="num">p95 [interval] ms</th><th class="num">n</th><th class="num">Client p50</th><th class="num">Server p50</th><th class="num">Buffers hit / read</th><th title="✓: an expected index was used; ✗: none was">Index used</th></tr></thead>
<tbody>
${body.join('\n')}
</tbody>
</table>
</div>
</section>`;
}

/** A team's own queries (--queries): their limits are theirs, their failures their own, never spec findings. */
function renderTeamQueries(ordered: ScenarioResult[], strict: boolean): string {
  const team = ordered.filter(isTeamResult);
  if (team.length === 0) return '';
  const rows = team.map((r) => {
    const v = r.latencyVerdict;
    const reason = outcomeReason(r.outcome) || (v && v.status !== 'passed' ? v.reason : '');
    return `<tr data-scenario="${h(r.scenarioId)}" data-scale="${h(r.scale)}"><td><a href="#${anchor('scenario', r.scenarioId)}">${h(r.title)}</a> <code>${h(r.scenarioId)}</code></td><td>${h(r.scale)}</td><td>${resultBadge(r, strict)}${reason ? `<div class="reason">${h(reason)}</div>` : ''}${(r.warnings ?? []).map((w) => `<div class="reason">⚠ ${h(w)}</div>`).join('')}</td><td class="num">${r.threshold ? `≤ ${h(formatLimit(r.threshold.p95Ms))} ms ${h(r.threshold.clock)}` : 'none (plan only)'}</td><td class="num">${v ? `${h(formatMs(v.estimateMs))} <span class="ci">${h(formatInterval(v.ciLowMs, v.ciHighMs))}</span>` : '–'}</td><td><code>${h(teamQueryFile(r))}</code></td></tr>`;
  });
  return `<section id="your-queries">
<h2>Your queries</h2>
<p class="lead">Queries your team added (<code>--queries</code>), judged on your own limits. A failure here is the query's, not a finding about the document.</p>
<div class="table-scroll"><table class="team-queries"><thead><tr><th>Query</th><th>Scale</th><th>Verdict</th><th class="num">Your limit (p95)</th><th class="num">p95 [interval] ms</th><th>File</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>
</section>`;
}

/** run --baseline: the comparison's summary, the failures no verdict row carries (forms not compared), and its warnings. */
function renderBaseline(view: BaselineView): string {
  const items = [
    ...view.failing.map((f) => `<li>${badge('failed', 'plan half')} ${h(f)}</li>`),
    ...view.notComparedWarnings.map((w) => `<li>${badge('warning', 'not compared')} ${h(w)}</li>`),
    ...view.warnings.map((w) => `<li>${badge('warning')} ${h(w)}</li>`),
  ];
  return `<section id="baseline">
<h2>Baseline comparison</h2>
<p class="lead">${h(view.summary)} A regression's half is in its verdict's reason: <code>baseline plan</code> (index, plan shape, buffers, rows) or <code>baseline time</code> (median, p95); <code>--fail-on plan</code> or <code>time</code> gates one half, <code>baseline</code> both.</p>
${items.length > 0 ? `<ul class="baseline-items">${items.join('')}</ul>` : ''}
</section>`;
}

function renderFindings(findings: Finding[]): string {
  if (findings.length === 0) {
    return `<section id="findings"><h2>Spec findings</h2><p class="lead">The run found nothing in the spec to correct.</p></section>`;
  }
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const cards = sorted.map((f) => `<article class="finding ${h(f.severity)}" id="${anchor('finding', f.id)}">
<header>${badge(f.severity)} <h3>${h(f.title)}</h3></header>
<p class="where">${h(f.spec)}${f.scenarioId ? ` · scenario <a href="#${anchor('scenario', f.scenarioId)}"><code>${h(f.scenarioId)}</code></a>` : ''}${f.scale ? ` · ${h(f.scale)}` : ''}</p>
<div class="evidence"><span class="label">What the spec says, and the evidence</span><p>${h(f.detail)}</p></div>
${f.fix ? `<div class="fix"><span class="label">Fix</span><p>${h(f.fix)}</p></div>` : ''}
</article>`);
  return `<section id="findings">
<h2>Spec findings <span class="count">${findings.length}</span></h2>
<div class="findings">${cards.join('\n')}</div>
</section>`;
}

/** A run on a user's table (run --table): what was judged, how its indexes map to the document's, what it found. */
function renderTableSection(target: NonNullable<RunResults['target']>, findings: Finding[]): string {
  const rows = target.indexMap.entries.map((e) => `<tr><td><code>${h(e.documented)}</code></td><td>${e.theirs ? `<code>${h(e.theirs)}</code>` : '—'}</td><td>${h(e.match)}</td><td class="muted">${h(e.note)}</td></tr>`);
  const extra = target.indexMap.extra.map((x) => `<tr><td>—</td><td><code>${h(x.name)}</code></td><td>not in the document</td><td class="muted">${h(x.definition)}</td></tr>`);
  const items = findings.map((f) => `<li>${badge(f.severity)} <strong>${h(f.title)}</strong><br><span class="muted">${h(f.detail)}</span>${f.fix ? `<br><code>${h(f.fix)}</code>` : ''}</li>`);
  return `<section id="your-table">
<h2>Your table <code>${h(target.table)}</code></h2>
<p class="lead">${h(target.statement)} Parameters: ${h(target.parameters)}.</p>
<div class="table-scroll"><table><thead><tr><th>Document's index</th><th>Yours</th><th>Match</th><th>How</th></tr></thead><tbody>${[...rows, ...extra].join('')}</tbody></table></div>
${target.missingColumns.length ? `<p>Columns of the document's table yours lacks: ${target.missingColumns.map((c) => `<code>${h(c)}</code>`).join(', ')}.</p>` : ''}
${items.length ? `<ul class="audit-findings">${items.join('')}</ul>` : ''}
</section>`;
}

function renderHeadline(checks: HeadlineCheck[]): string {
  if (checks.length === 0) return `<section id="headline"><h2>Headline checks</h2><p class="lead">No headline checks in this run.</p></section>`;
  const rows = checks.map((c) => `<tr data-headline="${h(c.id)}"><td>${h(c.claim)}</td><td>${h(c.scale)}</td><td class="num">${h(c.measured)}</td><td>${c.passed ? badge('passed') : isJudged(c) ? badge('failed') : badge('skipped', 'not judged', 'a query this promise needs did not run')}</td><td class="muted">${h(c.detail)}</td></tr>`);
  return `<section id="headline">
<h2>Headline checks</h2>
<p class="lead">The spec's overview promises, measured.</p>
<div class="table-scroll"><table class="headline"><thead><tr><th>Claim</th><th>Scale</th><th class="num">Measured</th><th>Verdict</th><th>How</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>
</section>`;
}

function renderChartSection(charts: RenderedChart[]): string {
  const figures = charts.map((c) => `<figure class="chart" id="${anchor('chart', c.id)}" data-chart="${h(c.id)}">
<figcaption><h3>${h(c.title)}</h3><p>${h(c.description)}</p></figcaption>
${c.svg ? `<div class="svg">${c.svg}</div>` : `<p class="chart-error">This chart could not be rendered: ${h(c.error)}</p>`}
</figure>`);
  return `<section id="charts">
<h2>Charts</h2>
${figures.length ? figures.join('\n') : '<p class="lead">No measurements to chart.</p>'}
</section>`;
}

function renderScenarios(ordered: ScenarioResult[], scales: string[], strict: boolean): string {
  const ids = [...new Set(ordered.map((r) => r.scenarioId))];
  const sections = ids.map((id) => {
    const rows = ordered.filter((r) => r.scenarioId === id);
    const first = rows[0]!;
    const forms = (['documented', 'corrected'] as const).filter((form) => rows.some((r) => r.form === form));
    const thresholds = scales
      .map((scale) => rows.find((r) => r.scale === scale && r.threshold))
      .filter((r): r is ScenarioResult => r !== undefined)
      .map((r) => `<li><strong>${h(r.scale)}</strong>: p95 ${h(formatThreshold(r))} <span class="muted">(${h(r.threshold!.source)})</span></li>`);
    const formBlocks = forms.map((form) => {
      const formRows = rows.filter((r) => r.form === form);
      const sample = formRows[0]!;
      const runs = formRows.map((r) => renderRun(r, strict));
      return `<div class="form ${form}">
<h4>${isTeamResult(sample) ? 'Your query' : form === 'documented' ? 'Documented form' : 'Corrected form'}${sample.gated ? ' <span class="tag">gated</span>' : ''}</h4>
${sample.writtenByExecbench ? `<p class="note">Written by execbench: ${h(sample.writtenByExecbench)}</p>` : ''}
${sample.why ? `<p class="note why"><strong>Why the correction:</strong> ${h(sample.why)}</p>` : ''}
<pre class="sql"><code>${h(sample.sql)}</code></pre>
${sample.params.length ? `<p class="params">Parameters: ${sample.params.map((p, i) => `<code>$${i + 1} = ${h(p)}</code>`).join(' ')}</p>` : ''}
<div class="runs">${runs.join('\n')}</div>
</div>`;
    });
    return `<section class="scenario" id="${anchor('scenario', id)}" data-scenario="${h(id)}">
<h3>${h(first.title)} <code>${h(id)}</code></h3>
<p class="where">${h(first.spec)} · ${h(first.kind)} · ${first.expectedIndexes.length ? `expects ${first.expectedIndexes.map((name) => `<code>${h(name)}</code>`).join(' or ')}` : 'no index expected'}</p>
${thresholds.length ? `<ul class="thresholds">${thresholds.join('')}</ul>` : ''}
${formBlocks.join('\n')}
</section>`;
  });
  return `<section id="scenarios"><h2>Scenarios</h2>${sections.join('\n')}</section>`;
}

function renderRun(r: ScenarioResult, strict: boolean): string {
  const reason = outcomeReason(r.outcome);
  const used = usedIndexes(r);
  const facts = r.plan
    ? `<p class="facts">Execution ${h(formatMs(r.plan.executionMs))} ms · planning ${h(formatMs(r.plan.planningMs))} ms · rows ${h(formatCount(r.plan.rowsReturned))} · removed by filter ${h(formatCount(r.plan.rowsRemovedByFilter))} · buffers ${h(formatCount(r.plan.buffers.sharedHit))} hit / ${h(formatCount(r.plan.buffers.sharedRead))} read${r.plan.triggerMs !== undefined ? ` · triggers ${h(formatMs(r.plan.triggerMs))} ms` : ''}${used.length ? ` · index ${used.map((n) => `<code>${h(n)}</code>`).join(', ')}` : ''}</p>`
    : '';
  const tree = r.planJson !== undefined ? renderPlanTree(r.planJson, r.expectedIndexes) : '';
  const raw = r.planJson !== undefined
    ? `<details class="raw"><summary>Raw EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)</summary><pre><code>${h(JSON.stringify(r.planJson, null, 2))}</code></pre></details>`
    : '';
  const v = r.latencyVerdict;
  // A passed or inconclusive outcome has no reason of its own: an undecided latency verdict gives its sentence.
  const verdictReason = v && v.status === 'inconclusive' && !reason ? `<p class="reason lv-reason">${h(INCONCLUSIVE_NOTE)}: ${h(v.reason)}</p>` : '';
  return `<div class="run ${h(runClass(r, strict))}" data-scale="${h(r.scale)}">
<h5>${h(r.scale)} ${resultBadge(r, strict)}</h5>
${v ? `<p class="latency-verdict lv-${h(v.status)}" data-clock="${h(v.clock)}"><span class="label">Latency verdict</span> ${h(formatLatencyVerdict(v))} <span class="muted">· ${h(v.looks)} look${v.looks === 1 ? '' : 's'}</span></p>` : ''}
${reason ? `<p class="reason">${h(reason)}</p>` : ''}
${verdictReason}
${(r.warnings ?? []).map((w) => `<p class="run-warning">${badge('warning')} ${h(w)}</p>`).join('\n')}
${r.latency ? renderLatencyFacts(r.latency) : ''}
${facts}
${tree}
${raw}
</div>`;
}

function runClass(r: ScenarioResult, strict: boolean): string {
  const status = displayStatus(r, strict);
  return status === 'finding' ? 'spec-finding' : status === 'inconclusive' ? 'passed inconclusive' : r.outcome.status;
}

/** Both clocks' figures, what the instrumentation costs, where the time goes (many rows) and pgbench's figure (--calibrate). */
function renderLatencyFacts(l: NonNullable<ScenarioResult['latency']>): string {
  const o = l.explainOverhead;
  const lines = [
    `<p class="facts clocks">Client p50 ${h(formatMs(l.client.p50Ms))} · p95 ${h(formatMs(l.client.p95Ms))} · p99 ${h(formatMs(l.client.p99Ms))} ms <span class="muted">(${h(l.client.samples)} samples, ${h(l.protocol)} statement)</span> · server p50 ${h(formatMs(l.server.p50Ms))} · p95 ${h(formatMs(l.server.p95Ms))} ms <span class="muted">(${h(l.server.samples)} samples, ${h(l.serverMethod === 'pg_stat_statements' ? 'pg_stat_statements' : 'EXPLAIN TIMING OFF')})</span></p>`,
    `<p class="facts overhead"><span class="label">Instrumentation</span> median execution: EXPLAIN ANALYZE TIMING ON ${h(formatMs(o.timingOnMs))} ms · TIMING OFF ${h(formatMs(o.timingOffMs))} ms${o.statementsMs !== undefined ? ` · pg_stat_statements ${h(formatMs(o.statementsMs))} ms` : ''}${o.timingOffMs > 0 ? ` <span class="muted">(TIMING ON costs ${h((o.timingOnMs / o.timingOffMs).toFixed(2))}× TIMING OFF)</span>` : ''}</p>`,
  ];
  if (l.breakdown.rows >= MANY_ROWS) lines.push(renderBreakdown(l.breakdown));
  // Only said where it changes how to read the client figure: a fast form sampled without spacers.
  if (l.spacers && !l.spacers.used) {
    lines.push(`<p class="facts spacers"><span class="label">No spacers</span> <span class="muted">${h(l.spacers.why)}</span></p>`);
  }
  if (l.calibration) {
    const c = l.calibration;
    lines.push(`<p class="facts calibration"><span class="label">Calibration</span> pgbench p50 ${h(formatMs(c.pgbenchP50Ms))} ms <span class="muted">(-M ${h(c.mode)}, ${h(formatCount(c.transactions))} transactions${c.rounds ? `, ${h(c.rounds)} rounds alternating with execbench` : ''})</span> · execbench client p50 ${h(formatMs(c.execbenchP50Ms))} ms · ratio <strong>${h(c.ratio.toFixed(2))}×</strong></p>`);
  }
  return lines.join('\n');
}

/**
 * A small stacked bar (plain HTML, no chart needed) of where a form returning many rows spends its time (medians):
 * server execution, the server's side of sending the rows (bulk results, where pg_stat_statements was read), the
 * wire and protocol, and decoding the rows into JavaScript values.
 */
function renderBreakdown(b: NonNullable<ScenarioResult['latency']>['breakdown']): string {
  const parts = breakdownParts(b);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
  const bar = total > 0
    ? parts.map(([name, ms]) => `<span class="seg ${name}" style="width:${((ms / total) * 100).toFixed(1)}%" title="${name} ${h(formatMs(ms))} ms"></span>`).join('')
    : '';
  const label = parts.map(([name, ms]) => `${name} ${formatMs(ms)} ms`).join(', ');
  return `<div class="breakdown"><span class="label">Where the time goes</span> (${h(formatCount(b.rows))} rows, medians): ${parts.map(([name, ms]) => `<span class="key ${name}"></span>${name} ${h(formatMs(ms))} ms`).join(' · ')}
<div class="bar" role="img" aria-label="${h(label)}">${bar}</div></div>`;
}

