// A fixed-rate load run as one self-contained HTML page (the capacity search's style: inline CSS, the chart as inline
// SVG rendered by vega in Node, no script, no network): validity first, in words (an invalid run shows no latency as a
// verdict), the table per class, the run on a time axis (every class's latency, cleanup batches, lock waits), the
// gates, who waited on whom, and how execbench itself did.
import type { LoadReport } from '../load/summary.ts';
import type { RunTimeline } from '../load/timeline.ts';
import { formatRates } from '../load/traffic.ts';
import type { SplitSide } from '../load/waits.ts';
import { checksSentence, fixedRateCases, gateCase, notPassing, promiseSummary } from './fixed-rate-junit.ts';
import { buildTimelineChart } from './load-charts.ts';
import { chartFigure, LOAD_PAGE_CSS } from './load-html.ts';

const h = (value: unknown) => String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const num = (value: string | number) => `<td class="num">${h(value)}</td>`;
const cellOf = (value: unknown) => `<td>${h(value)}</td>`;

/** Lock waits listed one per row, at most: the wait kinds above count every one. */
export const LOCK_WAIT_ROWS = 100;

function table(head: string[], rows: string[]): string {
  return `<table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function verdictClass(status: string): string {
  return status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : 'errored';
}

function classTable(report: LoadReport): string {
  const rows = report.classes.map((c) => {
    const l = c.latencyMs;
    const s = c.serviceMs;
    const latency = l ? [ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs)].map(num).join('') : `<td colspan="4" class="muted">invalid run: no latency reported</td>`;
    const kinds = Object.entries(c.kinds).map(([k, n]) => `${k} ${n}`).join(', ');
    const promise = c.promise ? `<td class="${c.promise.verdict ? verdictClass(c.promise.status) : 'muted'}">${h(promiseSummary(c, report))}</td>` : '<td class="muted">no promise</td>';
    return `<tr><td><strong>${h(c.class)}</strong><br><span class="muted">${h(c.description)}${kinds ? `; ${h(kinds)}` : ''}</span></td>${num(rate(c.nominalPerSecond))}${num(rate(c.offeredPerSecond))}${num(rate(c.achievedPerSecond))}${num(`${c.served} / ${c.count}`)}${num(c.errors)}${num(c.unfinished)}${latency}${num(s ? `${ms(s.p50Ms)} / ${ms(s.p95Ms)} / ${ms(s.p99Ms)}` : '—')}${promise}</tr>`;
  });
  return table(['class', 'asked/s', 'offered/s', 'achieved/s', 'served / requests', 'errors', 'unfinished', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'service p50 / p95 / p99 ms', 'promise'], rows);
}

function gatesTable(report: LoadReport): string {
  const rows = report.gates.map((g) => {
    const c = gateCase(g, report);
    return `<tr><td>${h(c.name.replace(/^validity: /, ''))}</td><td class="${verdictClass(c.status)}">${h(g.ok ? 'held' : `failed (${g.cause})`)}</td><td>${h(g.words)}</td></tr>`;
  });
  return table(['gate', 'outcome', 'what was measured'], rows);
}

function side(s: SplitSide): string {
  return s.count === 0 ? 'no requests' : `p99 ${ms(s.p99Ms)} ms [${ms(s.p99LowMs)}, ${ms(s.p99HighMs)}] over ${s.count}`;
}

function waitsSection(report: LoadReport): string {
  const w = report.waits;
  const parts = [`<p>${h(w.cleanup.words)}.</p>`];
  if (w.cleanupSplit.length > 0) {
    parts.push(table(['class', 'while cleanup ran', 'otherwise'], w.cleanupSplit.map((s) => `<tr>${cellOf(s.name)}${cellOf(side(s.during))}${cellOf(side(s.outside))}</tr>`)));
    parts.push('<p class="muted">Latency from intended start; 95% distribution-free intervals of the p99 ("—": too few requests for that bound).</p>');
  }
  parts.push(`<h3>Who waited on whom</h3><p class="muted">The sampler looked every ${w.sampledEveryMs} ms (${w.samples} samples); a wait shorter than that may be missed, and a wait's length is known to within one interval.</p>`);
  parts.push(w.kinds.length === 0 ? '<p>No execbench backend was seen waiting.</p>' : table(
    ['waiting class', 'wait', 'behind', 'times', 'total ms', 'longest ms', 'while cleanup ran'],
    w.kinds.map((k) => `<tr>${cellOf(k.waitingClass)}${cellOf(k.wait)}${cellOf(k.blockerClasses.join(', ') || '—')}${num(k.episodes)}${num(ms(k.totalMs))}${num(ms(k.longestMs))}${num(k.duringCleanup)}</tr>`),
  ));
  const locks = w.episodes.filter((e) => e.wait.startsWith('Lock/'));
  parts.push(`<h3>Lock waits</h3>`);
  if (locks.length === 0) {
    parts.push('<p>No backend was seen waiting for a heavyweight lock.</p>');
  } else {
    parts.push(table(
      ['at s', 'ms', 'waiting class', 'lock', 'behind', 'its statement', 'blocker\'s statement', 'during cleanup'],
      locks.slice(0, LOCK_WAIT_ROWS).map((e) => `<tr>${num((e.startMs / 1000).toFixed(2))}${num(ms(e.durationMs))}${cellOf(e.waitingClass)}${cellOf(e.lock ? `${e.lock.mode} on ${e.lock.relation ?? e.lock.type}` : e.wait)}${cellOf(e.blockerClasses.join(', ') || '—')}<td><code>${h(e.statement.slice(0, 160))}</code></td><td><code>${h((e.blockerStatement ?? '').slice(0, 160))}</code></td><td class="${e.duringCleanup ? 'failed' : ''}">${e.duringCleanup ? 'yes' : 'no'}</td></tr>`),
    ));
    if (locks.length > LOCK_WAIT_ROWS) parts.push(`<p class="muted">The first ${LOCK_WAIT_ROWS} of ${locks.length} lock waits (load.json lists every one).</p>`);
  }
  return parts.join('\n');
}

function generatorSection(report: LoadReport): string {
  const g = report.generator;
  const items = [
    `Schedule lag (dispatch − intended start): p50 ${ms(g.scheduleLagMs.p50)} ms, p99 ${ms(g.scheduleLagMs.p99)} ms, max ${ms(g.scheduleLagMs.max)} ms.`,
    `Pool of ${g.pool.size}: ${g.pool.waited} request(s) waited for a connection (longest ${ms(g.pool.longestWaitMs)} ms, up to ${g.pool.maxQueue} queued); ${g.pool.renames} connection(s) renamed for another class.`,
    `Little's law: ${g.littlesLaw.meanInFlight.toFixed(3)} requests in flight on average, rate × mean latency ${g.littlesLaw.rateTimesLatency.toFixed(3)}.`,
    `Wait sampler: ${g.sampler.samples} samples every ${g.sampler.everyMs} ms, each ${ms(g.sampler.meanMs)} ms on average (longest ${ms(g.sampler.maxMs)} ms)${g.sampler.failures ? `, ${g.sampler.failures} failed` : ''}.`,
    report.cpuStatement,
  ];
  return `<ul>${items.map((i) => `<li>${h(i)}</li>`).join('')}</ul>`;
}

/** The page: the run's document and its timeline (RunTimeline, from the same run). Async only because vega renders the chart. */
export async function renderFixedRateHtml(report: LoadReport, timeline: RunTimeline): Promise<string> {
  const cases = fixedRateCases(report);
  const failing = notPassing(cases);
  const seconds = ((report.interruptedAtMs ?? report.options.durationMs) / 1000).toFixed(1);
  const spec = buildTimelineChart(timeline, `${formatRates(report.options.rates)}: ${seconds} s`);
  const figure = spec ? await chartFigure({
    id: 'timeline',
    title: 'The run on a time axis',
    description: `Each served request of every class at its intended start with its latency from that start (log scale; at most 1500 requests drawn, every class kept); below, the cleanup batches (send to reply) and the waits the sampler saw, per waiting class (red: overlapping a cleanup batch).${report.valid ? '' : ' The run is invalid (above): these latencies show what happened, not the server\'s latency at the offered rates.'}`,
    spec,
  }) : '<p class="muted">No request was served: nothing to draw.</p>';
  const env = report.environment;
  const verdict = report.valid
    ? `<p><strong class="passed">Valid run</strong>: every validity gate held.</p>`
    : `<div class="note"><p><strong class="failed">INVALID RUN</strong>: these figures are not the server's latency at the offered rates, and none is reported as one. Why:</p><ul>${report.problems.map((p) => `<li>${h(p)}</li>`).join('')}</ul></div>`;
  const checks = `<p>${h(checksSentence(cases))}</p>${failing.length ? `<ul>${failing.map((c) => `<li class="${verdictClass(c.status)}">${h(`${c.name}: ${c.message}`)}</li>`).join('')}</ul>` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${h(`execbench load ${report.runId}`)}</title><style>${LOAD_PAGE_CSS}</style></head>
<body><header><div class="wrap"><h1>execbench load: a fixed-rate run</h1>
<p class="muted">Run <code>${h(report.runId)}</code> · ${h(report.startedAt)} → ${h(report.finishedAt)} · ${h(formatRates(report.options.rates))} for ${seconds} s · pool ${report.options.pool} · seed ${report.options.seed} · scale ${h(report.options.scale)}${env ? ` · Postgres ${h(env.postgres.version)} (${h(env.provider.kind)}) · ${env.machine.cpus} CPUs` : ''}</p></div></header>
<div class="wrap">
${report.interruptedAtMs !== undefined ? `<p class="note">Interrupted: Ctrl-C after ${(report.interruptedAtMs / 1000).toFixed(1)} s; what was measured so far.</p>` : ''}
${verdict}
${checks}
<h2>Per class</h2>
${classTable(report)}
<p class="muted">Latency is from each request's intended start (the schedule), so a stall counts for every request scheduled during it; service time is from the actual send. Promises are judged on the p95's distribution-free interval, as run judges a latency.</p>
<ul>${report.classes.flatMap((c) => [
    ...(c.promise?.verdict ? [`${c.class}: ${c.promise.words} (${c.promise.source})`] : []),
    ...(c.firstError ? [`${c.class}: ${c.errors} failed, first: ${c.firstError}`] : []),
    ...(c.rowsDeleted !== undefined ? [`${c.class}: ${c.rowsDeleted.toLocaleString('en-US')} rows deleted in ${c.served} batch(es)`] : []),
  ]).map((line) => `<li>${h(line)}</li>`).join('')}</ul>
${figure}
<h2>Validity gates</h2>
${gatesTable(report)}
<p>${h(report.cpuStatement)}</p>
<h2>Cleanup and lock waits</h2>
${waitsSection(report)}
<h2>execbench itself</h2>
${generatorSection(report)}
<h2>Dataset and rates</h2>
<p>Dataset ${h(report.dataset.source)} (${report.dataset.rows.toLocaleString('en-US')} rows): ${h(report.dataset.restored)}.</p>
<details><summary>How the default rates were derived</summary><ul>${report.defaults.map((d) => `<li>${h(d)}</li>`).join('')}</ul></details>
</div></body></html>
`;
}
