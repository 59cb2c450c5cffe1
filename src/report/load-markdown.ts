// Markdown summary of a capacity search (a CI job summary or a PR comment): the capacity per promise and variant,
// with and without maintenance, what maintenance costs, each search's steps, and how the bound was obtained.
import type { CapacityReport, PromiseSearch } from '../load/search-report.ts';
import { ceilingWords } from '../load/render-search.ts';
import { capacityCases } from './load-junit.ts';
import { markdownCell as cell } from './markdown.ts';

const rate = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

function bound(s: PromiseSearch | undefined): string {
  if (!s) return 'not searched';
  return s.lowerBoundPerSecond === null ? `none (${s.status})` : `**≥ ${rate(s.lowerBoundPerSecond)}/s** (${s.lowerBoundPeople!.toLocaleString('en-US')} people)`;
}

/** The summary. Pure. */
export function renderCapacityMarkdown(report: CapacityReport): string {
  const cases = capacityCases(report);
  const failing = cases.filter((c) => c.status !== 'passed');
  const lines = [
    `## execbench load: capacity per promise (${report.options.scale})`,
    '',
    ...(report.interrupted ? ['**Interrupted (Ctrl-C)**: what follows is what was measured before it; a search it stopped has the bound of the steps it finished, and nothing here says the run as asked passed.', ''] : []),
    failing.length === 0
      ? `All ${cases.length} promise checks ${report.interrupted ? 'measured before the interruption ' : ''}passed.`
      : `${failing.length} of ${cases.length} promise checks did not pass: ${failing.map((c) => `${c.name}: ${c.message}`).join('; ')}.`,
    '',
    '| promise | variant | without maintenance | with maintenance | maintenance costs | --min-capacity | check |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of cases) {
    const without = c.searches.find((s) => !s.maintenance);
    const withIt = c.searches.find((s) => s.maintenance);
    const cost = report.maintenanceCost.find((m) => m.promise === c.gated.promise && m.variant === c.gated.variant);
    lines.push(`| ${cell(`${c.gated.promise} p95 < ${c.gated.limitP95Ms} ms`)} | ${cell(c.gated.variant)} | ${cell(bound(without))} | ${cell(bound(withIt))} | ${cell(cost?.costPerSecond === null || cost === undefined ? '—' : `${rate(cost.costPerSecond)}/s (${cost.costPeople} people)`)} | ${cell(c.gated.minCapacityPerSecond === undefined ? '—' : `${rate(c.gated.minCapacityPerSecond)}/s`)} | ${c.status === 'passed' ? 'passed' : `**${c.status}**`} |`);
  }
  lines.push('', `Capacities are lower confidence bounds on the offered rate (${report.searches[0]?.confidence.words ?? 'no search ran'}). People: 60 per 2 dashboard loads/s or 40 page views/s (the default rates' busy hour).`);
  for (const c of report.maintenanceCost) lines.push(`- ${cell(c.promise)}, ${cell(c.variant)}: ${cell(c.words)}.`);
  for (const s of report.searches) {
    lines.push('', `<details><summary>${cell(`${s.promise}, ${s.variant}, ${s.maintenance ? 'with' : 'without'} maintenance: ${s.words}`)}</summary>`, '');
    lines.push(cell(ceilingWords(s)), '');
    lines.push('| step | rate/s | window s | offered/s | achieved/s | p50 ms | p95 ms [interval] | p99 ms | verdict |', '|---|---|---|---|---|---|---|---|---|');
    for (const [i, st] of s.steps.entries()) {
      const l = st.latency;
      lines.push(`| ${i + 1}${st.look > 1 ? ` (look ${st.look})` : ''} | ${rate(st.rate)} | ${(st.windowMs / 1000).toFixed(1)} | ${rate(st.offeredPerSecond)} | ${rate(st.achievedPerSecond)} | ${ms(l?.p50.estimateMs)} | ${l ? `${ms(l.p95.estimateMs)} [${ms(l.p95.lowMs)}, ${ms(l.p95.highMs)}]` : '—'} | ${ms(l?.p99.estimateMs)} | ${cell(st.invalid ? `failed (invalid: ${st.invalid.words})` : st.cut ? `failed (cut short: ${st.cut.words})` : st.outcome)} |`);
    }
    lines.push('', '</details>');
  }
  lines.push('', '<details><summary>Method</summary>', '', ...report.method.map((m) => `- ${cell(m)}`), '', '</details>');
  for (const note of report.notes) lines.push('', `> ${cell(note)}`);
  if (report.interrupted) lines.push('', '> Interrupted (Ctrl-C): what was measured so far.');
  return `${lines.join('\n')}\n`;
}
