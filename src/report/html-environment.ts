// The report's environment section: the server, machine, clocks and options a run was measured with, the
// plan-shaping settings, and the datasets with their phases and table state.
import type { DatasetSummary, EnvironmentInfo, RunResults } from '../results.ts';
import { formatBytes, formatCount, formatDuration, formatTableState, formatTimings, shortFingerprint } from './format.ts';
import { escapeHtml as h } from './html-parts.ts';

const PLAN_SETTINGS = ['shared_buffers', 'work_mem', 'random_page_cost', 'effective_cache_size', 'jit', 'max_parallel_workers_per_gather', 'max_parallel_workers', 'effective_io_concurrency', 'seq_page_cost'];

export function renderEnvironment(env: EnvironmentInfo, datasets: DatasetSummary[], results: RunResults): string {
  const settings = Object.entries(env.postgres.settings).sort(([a], [b]) => {
    const ia = PLAN_SETTINGS.indexOf(a);
    const ib = PLAN_SETTINGS.indexOf(b);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || a.localeCompare(b);
  });
  const datasetRows = datasets.map((d) => `<tr><td>${h(d.scale)}</td><td class="nowrap"><code>${h(d.schema)}</code></td><td class="num">${h(d.seed)}</td><td class="nowrap"><code class="fingerprint" title="${h(d.fingerprint)}">${h(shortFingerprint(d.fingerprint))}</code></td><td class="num">${h(formatCount(d.focusRows))}</td><td class="num">${h(formatCount(d.totalRows))}</td><td class="num">${h(d.tenants)}</td><td class="nowrap">${d.anchor ? `<code>${h(d.anchor)}</code>` : '<span class="muted">not recorded</span>'}</td><td>${h(d.indexBuild)}</td><td>${d.reused ? 'reused' : 'built'}</td><td class="muted phases">${Object.entries(d.phasesMs).map(([k, v]) => `<span class="nowrap">${h(k)} ${h(formatDuration(v))}</span>`).join(', ')}</td></tr>`);
  const states = datasets.flatMap((d) => (d.tableState ? [`${h(d.scale)}: ${h(formatTableState(d.tableState))}`] : []));
  return `<section id="environment">
<h2>Environment</h2>
<div class="env-grid">
<dl class="kv">
<dt>Postgres</dt><dd>${h(env.postgres.version)} <span class="muted">(${h(env.postgres.versionNum)})</span></dd>
<dt>Provider</dt><dd>${h(env.provider.kind)}: ${h(env.provider.reason)}${env.provider.detail ? `<br><span class="muted">${h(env.provider.detail)}</span>` : ''}</dd>
<dt>CPU</dt><dd>${h(env.machine.cpus)} × ${h(env.machine.cpuModel)}</dd>
<dt>Memory</dt><dd>${h(formatBytes(env.machine.memoryBytes))}</dd>
<dt>Platform</dt><dd>${h(env.machine.platform)} · Node ${h(env.machine.node)}</dd>
<dt>Git commit</dt><dd>${env.gitCommit ? `<code>${h(env.gitCommit)}</code>` : '<span class="muted">unknown</span>'}</dd>
<dt>execbench</dt><dd>${h(env.execbenchVersion)}</dd>
<dt>Server clock</dt><dd id="server-clock">${env.serverClock ? `<strong>${h(env.serverClock.method)}</strong><br><span class="muted">${h(env.serverClock.detail)}</span>` : '<span class="muted">not recorded</span>'}</dd>
<dt>Client clock</dt><dd id="client-clock">${env.clientClock ? `<strong>${h(env.clientClock.protocol)} statement</strong><br><span class="muted">${h(env.clientClock.detail)}</span>` : '<span class="muted">not recorded</span>'}</dd>
<dt>Options</dt><dd>scales ${h(results.options.scales.join(', '))} · time budget ${h(formatDuration(results.options.timeBudgetMs))} · strict spec ${results.options.strictSpec ? 'on' : 'off'} · clock ${h(results.options.clock ?? 'auto')}${results.options.clock === undefined || results.options.clock === 'auto' ? ' (each threshold its own)' : ' (every threshold)'} · protocol ${h(results.options.protocol ?? env.clientClock?.protocol ?? 'unnamed')}</dd>
</dl>
<div>
<h3>Plan-shaping settings</h3>
<table class="settings"><tbody>${settings.map(([k, v]) => `<tr><th><code>${h(k)}</code></th><td><code>${h(v)}</code></td></tr>`).join('')}</tbody></table>
</div>
</div>
<h3>Datasets</h3>
<p class="muted" id="data-now">Synthetic data (docs/data-shape.md)${results.options.dataShape ? `, shape merged from <code>${h(results.options.dataShape)}</code>` : ''}: a query's time windows must be relative to its now (<code>pick.anchor()</code>), not to the real today.</p>
<div class="table-scroll"><table><thead><tr><th>Scale</th><th>Schema</th><th class="num">Seed</th><th>Fingerprint</th><th class="num">Focus rows</th><th class="num">Total rows</th><th class="num">Tenants</th><th title="the synthetic data's now: the end of its time window, what pick.anchor() returns">Now (<code>pick.anchor()</code>)</th><th>Indexes built</th><th>Dataset</th><th>Phases</th></tr></thead><tbody>${datasetRows.join('')}</tbody></table></div>
${states.length ? `<p class="muted" id="table-state">Table state of executions, read right before the scenarios (what buffers and rows depend on besides the query): ${states.join('; ')}.</p>` : ''}
${Object.keys(results.timings).length ? `<p class="muted" id="run-phases">Run phases: ${h(formatTimings(results.timings))}</p>` : ''}
</section>`;
}
