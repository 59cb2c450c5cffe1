// Markdown summary of a fixed-rate load run (a CI job summary or a PR comment): validity first (an invalid run says
// why and shows no latency), the table per class with its promise's verdict, the gates, cleanup and who waited.
import type { LoadReport } from '../load/summary.ts';
import { formatRates } from '../load/traffic.ts';
import type { SplitSide } from '../load/waits.ts';
import { checksSentence, fixedRateCases, notPassing, promiseSummary } from './fixed-rate-junit.ts';
import { markdownCell as cell } from './markdown.ts';

const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function side(s: SplitSide): string {
  return s.count === 0 ? 'no requests' : `p99 ${ms(s.p99Ms)} ms [${ms(s.p99LowMs)}, ${ms(s.p99HighMs)}] over ${s.count}`;
}

/** The summary. Pure. */
export function renderFixedRateMarkdown(report: LoadReport): string {
  const cases = fixedRateCases(report);
  const failing = notPassing(cases);
  const seconds = ((report.interruptedAtMs ?? report.options.durationMs) / 1000).toFixed(1);
  const lines = [
    `## execbench load: fixed rate (${cell(report.options.scale)})`,
    '',
    `${cell(formatRates(report.options.rates))} for ${seconds} s on a pool of ${report.options.pool}, seed ${report.options.seed}.`,
    '',
  ];
  if (report.interruptedAtMs !== undefined) lines.push(`> Interrupted: Ctrl-C after ${(report.interruptedAtMs / 1000).toFixed(1)} s; what was measured so far.`, '');
  if (report.valid) {
    lines.push('**Valid run**: every validity gate held.');
  } else {
    lines.push('**INVALID RUN**: these figures are not the server\'s latency at the offered rates, and none is reported as one:');
    for (const problem of report.problems) lines.push(`- ${cell(problem)}`);
  }
  lines.push('', cell(checksSentence(cases)));
  for (const c of failing) lines.push(`- ${c.status === 'failed' ? 'failed' : 'error'}: ${cell(`${c.name}: ${c.message}`)}`);
  lines.push(
    '',
    '| class | offered/s | achieved/s | requests | errors | p50 ms | p95 ms | p99 ms | max ms | service p50 / p95 / p99 ms | promise |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  );
  for (const c of report.classes) {
    const l = c.latencyMs;
    const s = c.serviceMs;
    const latency = l ? [ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs)] : ['invalid', '—', '—', '—'];
    const service = s ? `${ms(s.p50Ms)} / ${ms(s.p95Ms)} / ${ms(s.p99Ms)}` : '—';
    lines.push(`| ${c.class} | ${rate(c.offeredPerSecond)} | ${rate(c.achievedPerSecond)} | ${c.count} | ${c.errors} | ${latency.join(' | ')} | ${service} | ${cell(promiseSummary(c, report))} |`);
  }
  lines.push('', 'Latency is from each request\'s intended start (the schedule), so a stall counts for every request scheduled during it; service time is from the actual send.');
  for (const c of report.classes) {
    if (c.promise?.verdict) lines.push(`- ${c.class}: ${cell(c.promise.words)} (${cell(c.promise.source)})`);
    if (c.firstError) lines.push(`- ${c.class}: ${c.errors} failed, first: ${cell(c.firstError)}`);
    if (c.rowsDeleted !== undefined) lines.push(`- ${c.class}: ${c.rowsDeleted.toLocaleString('en-US')} rows deleted in ${c.served} batch(es)`);
  }
  lines.push('', '### Validity', '');
  for (const g of report.gates) lines.push(`- ${g.ok ? 'held' : `**failed** (${g.cause})`}: ${cell(g.words)}`);
  lines.push('', cell(report.cpuStatement));
  const w = report.waits;
  lines.push('', '### Cleanup and waits', '', `${cell(w.cleanup.words)}.`);
  for (const split of w.cleanupSplit) lines.push(`- ${split.name}: while cleanup ran ${side(split.during)}; otherwise ${side(split.outside)} (95% intervals; "—": too few requests for that bound)`);
  if (w.kinds.length === 0) {
    lines.push('', `No execbench backend was seen waiting (sampled every ${w.sampledEveryMs} ms, ${w.samples} samples).`);
  } else {
    lines.push('', `<details><summary>Who waited on whom: ${w.kinds.length} kind(s) of wait (sampled every ${w.sampledEveryMs} ms, ${w.samples} samples)</summary>`, '');
    lines.push('| waiting class | wait | behind | times | total ms | longest ms | while cleanup ran |', '|---|---|---|--:|--:|--:|--:|');
    for (const k of w.kinds) lines.push(`| ${cell(k.waitingClass)} | ${cell(k.wait)} | ${cell(k.blockerClasses.join(', ') || '—')} | ${k.episodes} | ${ms(k.totalMs)} | ${ms(k.longestMs)} | ${k.duringCleanup} |`);
    lines.push('', '</details>');
  }
  lines.push('', `Dataset: ${cell(report.dataset.restored)}.`);
  return `${lines.join('\n')}\n`;
}
