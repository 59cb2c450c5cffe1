// The what-if section of the HTML report: variants side by side, index sizes and write cost, what each index is
// worth, generic plans, crossovers, and the findings grouped by cause. Hooked into html.ts when results.whatif is set.
import type { WhatifReport } from '../whatif/types.ts';
import { escapeHtml as h } from './html-parts.ts';
import { formatBytes, formatMs } from './format.ts';
import { renderChartSvg } from './render.ts';
import { buildAblationChart, buildCrossoverChart, buildVariantChart } from './whatif-charts.ts';
import { formatJudged, genericVerdict } from './whatif-text.ts';

const pct = (n: number | null | undefined) => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(0)}%`);
const code = (s: string) => `<code>${h(s)}</code>`;

async function figure(id: string, title: string, description: string, spec: ReturnType<typeof buildVariantChart>): Promise<string> {
  if (!spec) return '';
  let body: string;
  try {
    body = `<div class="svg">${await renderChartSvg(spec)}</div>`;
  } catch (error) {
    body = `<p class="chart-error">This chart could not be rendered: ${h(error instanceof Error ? error.message : String(error))}</p>`;
  }
  return `<figure class="chart" id="chart-${id}" data-chart="${id}"><figcaption><h3>${h(title)}</h3><p>${h(description)}</p></figcaption>${body}</figure>`;
}

export async function renderWhatifSection(report: WhatifReport): Promise<string> {
  const variants = report.variants.map((v) => v.name);
  const scales = [...new Set(report.runs.map((r) => r.scale))];
  const changes = report.variants.filter((v) => v.statements.length > 0).map((v) => `<h4>${h(v.name)} <span class="muted">(${h(v.mode)}; ${v.files.map(code).join(', ')})</span></h4><ul>${
    v.statements.map((s) => `<li>${code(s.sql.split('\n')[0]!)}${s.sql.includes('\n') ? ' …' : ''} <span class="muted">— ${h(s.why)}</span></li>`).join('')}</ul>`).join('');
  const fixes = report.fixes.map((f) => `<li data-scale="${h(f.scale)}"><strong>${h(f.scale)}</strong>: '${h(f.variant)}' makes <strong>${f.fixed.length}</strong> documented queries pass their plan contract that fail on '${h(f.reference)}' (${f.fixed.map(code).join(', ') || 'none'}); breaks ${f.broken.map(code).join(', ') || 'none'}; index storage ${f.indexBytesDelta <= 0 ? '−' : '+'}${h(formatBytes(Math.abs(f.indexBytesDelta)))}; write-cost ratio ${f.writeRatioDelta === null ? '–' : `${f.writeRatioDelta >= 0 ? '+' : ''}${f.writeRatioDelta.toFixed(2)}`}.</li>`).join('');

  const sideBySide = scales.map((scale) => {
    const runs = variants.map((v) => report.runs.find((r) => r.variant === v && r.scale === scale));
    const keys = [...new Set(runs.flatMap((r) => r?.rows.map((x) => `${x.scenarioId}|${x.form}`) ?? []))];
    const body = keys.map((key) => {
      const [id, form] = key.split('|') as [string, 'documented' | 'corrected'];
      return `<tr data-scenario="${h(id)}" data-form="${h(form)}"><td>${code(id)} <span class="muted">${h(form)}</span></td>${runs.map((run) => {
        const row = run?.rows.find((x) => x.scenarioId === id && x.form === form);
        if (!row) return '<td>–</td><td>–</td><td>–</td>';
        return `<td data-variant="${h(run!.variant)}" data-status="${h(row.status)}" data-uses-index="${row.usesIndex}"><span class="badge ${h(row.status)}">${h(row.status)}</span>${row.reason ? `<div class="reason small">${h(row.reason.slice(0, 140))}</div>` : ''}</td><td class="num">${h(formatJudged(row.judged))}</td><td class="small">${h(row.access)}${row.sharedBlocks !== null ? `<div class="muted">${row.sharedBlocks.toLocaleString('en-US')} buffers</div>` : ''}${row.partitions ? `<div class="muted" data-partitions="${row.partitions.executed}/${row.partitions.total}">${row.partitions.executed} of ${row.partitions.total} partitions read${row.partitions.removedAtStart ? `, ${row.partitions.removedAtStart} pruned at executor start` : ''}</div>` : ''}</td>`;
      }).join('')}</tr>`;
    }).join('');
    const sizes = runs.filter((r) => r).map((r) => `<tr><td>${h(r!.variant)}</td><td class="num">${r!.indexes.length}</td><td class="num">${h(formatBytes(r!.totalIndexBytes))}</td><td class="num">${r!.writeCost ? `${h(formatMs(r!.writeCost.allIndexesMedianMs))} / ${h(formatMs(r!.writeCost.primaryKeyOnlyMedianMs))} ms` : h(r!.writeCostError ?? '–')}</td><td class="num">${r!.writeCost ? `${r!.writeCost.ratio.toFixed(2)}x [${r!.writeCost.ratioInterval.low.toFixed(2)}–${r!.writeCost.ratioInterval.high.toFixed(2)}]` : '–'}</td><td class="small">${r!.indexes.map((i) => `${h(i.name)} ${h(formatBytes(i.sizeBytes))}`).join(' · ')}</td></tr>`).join('');
    return `<h3>At ${h(scale)}</h3>
<div class="table-wrap"><table class="whatif-side-by-side" data-scale="${h(scale)}"><thead><tr><th>Scenario</th>${variants.map((v) => `<th>${h(v)}</th><th class="num">judged p95 ms</th><th>plan</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div>
<table class="whatif-sizes"><thead><tr><th>Variant</th><th class="num">Indexes</th><th class="num">Index size</th><th class="num">Write: all / pk only</th><th class="num">Ratio</th><th>Each index</th></tr></thead><tbody>${sizes}</tbody></table>`;
  }).join('');

  const layout = report.runs.filter((r) => r.layout).map((run) => {
    const l = run.layout!;
    const findings = (report.layoutFindings ?? []).filter((f) => f.scale === run.scale && f.id.includes(`:${run.variant}:`));
    return `<h2 id="whatif-layout-${h(run.variant)}-${h(run.scale)}">Partitioned layout '${h(run.variant)}' at ${h(run.scale)}</h2>
<p>${l.partitions.length} partitions of <code>executions</code> by ${h(l.every)} of <code>${h(l.partitionColumn)}</code>, in schema <code>${h(l.schema)}</code> (${l.reused ? 'reused' : `built in ${h(formatMs(Object.values(l.buildMs).reduce((a, b) => a + b, 0)))} ms`}).</p>
<table class="whatif-partitions"><thead><tr><th>Partition</th><th>From</th><th>To</th><th class="num">Rows</th><th class="num">Size</th></tr></thead><tbody>${
  l.partitions.map((p) => `<tr><td>${code(p.name)}</td><td>${h(p.from ?? 'DEFAULT')}</td><td>${h(p.to ?? '')}</td><td class="num">${p.rows.toLocaleString('en-US')}</td><td class="num">${h(formatBytes(p.bytes))}</td></tr>`).join('')}</tbody></table>
${findings.map((f) => `<article class="finding ${h(f.severity)}" data-finding="${h(f.id)}"><header><span class="badge ${h(f.severity)}">${h(f.severity)}</span> <h3>${h(f.title)}</h3></header><p>${h(f.detail)}</p>${f.fix ? `<p class="fix"><strong>Fix:</strong> ${h(f.fix)}</p>` : ''}</article>`).join('')}`;
  }).join('');

  const ablation = report.runs.map((run) => `<h3>'${h(run.variant)}' at ${h(run.scale)}</h3><div class="table-wrap"><table class="whatif-ablation" data-variant="${h(run.variant)}" data-scale="${h(run.scale)}"><thead><tr><th>Index</th><th class="num">Size</th><th class="num">Write share</th><th>Without it</th></tr></thead><tbody>${
    run.ablation.map((a) => `<tr data-index="${h(a.index)}"><td>${code(a.index)}</td><td class="num">${h(formatBytes(a.sizeBytes))}</td><td class="num">${pct(a.writeShare)}</td><td class="small">${a.unneeded ? '<strong>no scenario uses or expects it</strong> (the spec: "0 scans ... consider dropping it")' : a.affected.map((e) =>
      `${code(e.scenarioId)} ${h(e.form)}: ${e.planChanged ? `plan ${h(e.accessBefore)} → ${h(e.accessAfter)}` : 'same plan'}${e.statusBefore !== e.statusAfter ? `, ${h(e.statusBefore)} → ${h(e.statusAfter)}` : ''}${e.latencyRatio ? `, ${h(e.latencyRatio.statistic)} ×${e.latencyRatio.estimate.toFixed(2)} [${e.latencyRatio.ciLow.toFixed(2)}–${e.latencyRatio.ciHigh.toFixed(2)}]` : ''}${e.buffersRatio !== null ? `, buffers ×${e.buffersRatio.toFixed(1)}` : ''}`).join('<br>')}</td></tr>`).join('')}</tbody></table></div>`).join('');

  const covering = report.covering.map((c) => `<li data-verdict="${h(c.verdict)}"><strong>${h(c.scale)} '${h(c.variant)}'</strong>: ${h(c.verdict)}. ${h(c.detail)}</li>`).join('');

  const generic = report.runs.filter((r) => r.generic.length).map((run) => `<h3>'${h(run.variant)}' at ${h(run.scale)}</h3><div class="table-wrap"><table class="whatif-generic"><thead><tr><th>Scenario</th><th>Custom plan</th><th>Generic plan</th><th>Contract</th><th class="num">generic / custom (median)</th></tr></thead><tbody>${
    run.generic.map((g) => `<tr data-scenario="${h(g.scenarioId)}" data-form="${h(g.form)}" data-breaks="${g.customContractHolds && !g.genericContractHolds}"><td>${code(g.scenarioId)} <span class="muted">${h(g.form)}</span>${g.boundLiterals.length ? `<div class="small muted">bound: ${h(g.boundLiterals.join(', '))}</div>` : ''}</td><td class="small">${h(g.customAccess)}</td><td class="small">${h(g.genericAccess)}${g.why ? `<div class="muted">${h(g.why)}</div>` : ''}</td><td>${g.error ? h(g.error) : genericVerdict(g).startsWith('BREAKS') ? `<span class="badge failed">${h(genericVerdict(g))}</span>` : h(genericVerdict(g))}</td><td class="num">${g.latencyRatio ? `×${g.latencyRatio.estimate.toFixed(2)} [${g.latencyRatio.ciLow.toFixed(2)}–${g.latencyRatio.ciHigh.toFixed(2)}]` : '–'}</td></tr>`).join('')}</tbody></table></div>`).join('');

  const crossovers = report.runs.map((run) => `<li><strong>'${h(run.variant)}' at ${h(run.scale)}</strong> (tenants of ${[...new Set(run.ladders.flatMap((l) => l.rungs.map((r) => r.tenantRows)))].sort((a, b) => a - b).map((n) => n.toLocaleString('en-US')).join(', ')} rows): ${
    run.crossovers.length === 0 ? 'no read form changes plan across the tenant sizes.' : `<ul>${run.crossovers.map((c) => `<li class="crossover">${code(c.scenarioId)} ${h(c.form)}: ${h(c.fromPlan)} at ${c.fromRows.toLocaleString('en-US')} rows (est. cost ${c.fromCost.toFixed(0)}, measured ${h(formatMs(c.fromMeasuredMs))} ms) → ${h(c.toPlan)} at ${c.toRows.toLocaleString('en-US')} rows (est. cost ${c.toCost.toFixed(0)}, measured ${h(formatMs(c.toMeasuredMs))} ms)</li>`).join('')}</ul>`}</li>`).join('');

  const groups = report.groups.map((g) => `<article class="finding ${h(g.severity)}"><header><span class="badge ${h(g.severity)}">${h(g.severity)}</span> <h3>${h(g.cause)}</h3></header>
<p class="where">${g.scenarios.map(code).join(' ')} · ${h(g.scales.join(', '))} · ${g.findings} finding(s)</p>
${g.queryFix ? `<div class="fix"><span class="label">Change in the query</span><p>${h(g.queryFix)}</p></div>` : ''}
${g.indexFix ? `<div class="fix"><span class="label">Or change in the index set (measured)</span><p>${h(g.indexFix)}</p></div>` : ''}
${g.needsCorrectedSql ? '<p class="small"><strong>No index set fixes this</strong>: the statement is not valid PostgreSQL; use the corrected SQL.</p>' : ''}</article>`).join('');

  return `<section id="whatif">
<h2>What-if: index variants</h2>
<p class="lead">The same seeded rows with each variant's indexes (applied in a transaction, measured, rolled back). Reference: '${h(variants[0] ?? '')}'. The variants are measured one after the other: where two variants run the same plan, a latency difference is the machine's load drifting between their windows; plans and buffers are the deterministic evidence.</p>
${changes}
<ul class="whatif-fixes">${fixes}</ul>
${await figure('whatif-variants', 'Documented SQL on each variant', 'Judged p95 of each documented query per variant; faded bars broke their plan contract (Seq Scan or wrong index); a missing bar is SQL that does not run.', buildVariantChart(report))}
${sideBySide}
${layout}
<h2 id="whatif-ablation">What each index buys, what it costs</h2>
<p class="lead">Each index dropped in turn in a rolled-back savepoint; the scenarios that used or expect it re-run. Ratios are without / with (95% bootstrap interval).</p>
${await figure('whatif-ablation', 'What each index buys, what it costs', 'x: the index size; y: the worst slowdown of a scenario without it; point size: its share of the write cost; red: no scenario needs it.', buildAblationChart(report))}
${ablation}
<h3>The covering index rule ("Benchmark shows significant improvement (>30%)")</h3><ul class="whatif-covering">${covering}</ul>
<h2 id="whatif-generic">Generic plans</h2>
<p class="lead">Read forms as an application runs them: prepared, status literals bound, plan_cache_mode = force_generic_plan vs force_custom_plan.</p>
${generic}
<h2 id="whatif-crossovers">Where plans flip with size</h2>
${await figure('whatif-crossovers', 'Plan choice across tenant sizes', 'EXPLAIN (no execution) of every read form for each tenant of the dataset; a colour change along a line is a change of plan.', buildCrossoverChart(report))}
<ul class="whatif-crossovers">${crossovers}</ul>
<h2 id="whatif-groups">Findings grouped by cause <span class="count">${report.ungroupedFindings} → ${report.groups.length}</span></h2>
<div class="findings">${groups}</div>
<h3>Method</h3><ul class="small">${report.method.map((m) => `<li>${h(m)}</li>`).join('')}</ul>
</section>`;
}
