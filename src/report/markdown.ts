// The Markdown summary: verdicts, spec findings and the key numbers, fit for a GitHub Actions job summary.
import type { RunResults, ScenarioResult } from '../results.ts';
import { isJudged } from '../runner/headline.ts';
import { scaleOrder } from './charts.ts';
import { correctedSentence, documentVerdict, formatRange } from './document-verdict.ts';
import {
  baselineView, countBeyondCap, countInconclusive, countOutcomes, countsForGate, datasetNow, describeClocks, displayStatus, type DisplayStatus, FINDING_TITLE, confidenceLevels, formatLimit, formatMs,
  formatVerdictP95, formLabel, INCONCLUSIVE_NOTE, isTeamResult, orderResults, outcomeReason, teamQueryFile, usedIndexes, verdictStatusLabel, warningLines,
} from './format.ts';

const ICON: Record<DisplayStatus, string> = {
  passed: '✅ pass', failed: '❌ fail', errored: '💥 error', skipped: '⏭️ skip', finding: '🔎 finding', inconclusive: '⚠️ inconclusive',
};

const VERDICT_HEADER = '| Scenario | Scale | Form | Verdict | Clock | p95 [interval] (ms) | n | Limit (ms) | Client p50 (ms) | Server p50 (ms) | Index used | Reason |';
const VERDICT_ALIGN = '|---|---|---|---|---|--:|--:|--:|--:|--:|---|---|';

/** Escapes a value for a Markdown table cell: pipes and newlines would break the row. */
export function markdownCell(value: unknown): string {
  return String(value ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(value: string): string {
  return value ? `\`${value.replace(/`/g, "'")}\`` : '';
}

/** Renders the run as Markdown. Pure. */
export function renderMarkdownSummary(results: RunResults): string {
  const scales = scaleOrder(results);
  const ordered = orderResults(results.scenarios, scales);
  const strict = results.options.strictSpec;
  const counts = countOutcomes(ordered.filter((r) => countsForGate(r, strict)));
  const gated = ordered.filter((r) => r.gated);
  const baseline = baselineView(results);
  const failing = counts.failed + counts.errored > 0 || (baseline?.failing.length ?? 0) > 0;
  const lines: string[] = [];
  lines.push(`## execbench: ${failing ? '❌ the gate fails' : '✅ all gated scenarios passed'}`);
  lines.push('');
  const now = datasetNow(results.datasets);
  if (results.target) {
    lines.push(`**${markdownCell(results.target.statement)}**`);
    lines.push('');
  }
  lines.push(`Run \`${markdownCell(results.runId)}\` · scales ${scales.join(', ')} · Postgres ${markdownCell(results.environment.postgres.version)} (${results.environment.provider.kind}) · ${results.environment.machine.cpus} CPU${results.environment.gitCommit ? ` · commit \`${results.environment.gitCommit.slice(0, 12)}\`` : ''}${now ? ` · synthetic data's now ${markdownCell(now)} (\`pick.anchor()\`)${results.options.dataShape ? `, shape ${code(markdownCell(results.options.dataShape))}` : ''}` : ''}`);
  lines.push('');
  const inconclusive = countInconclusive(ordered.filter((r) => countsForGate(r, strict)));
  const beyondCap = countBeyondCap(ordered.filter((r) => countsForGate(r, strict)));
  const passedInconclusive = countInconclusive(ordered.filter((r) => countsForGate(r, strict) && r.outcome.status === 'passed'));
  lines.push(`**Gated forms${strict ? ' (with --strict-spec: and every documented form)' : ''}:** ${counts.passed} passed${passedInconclusive > 0 ? ` (${passedInconclusive} of them with an inconclusive latency verdict)` : ''}, ${counts.failed} failed, ${counts.errored} errored, ${counts.skipped} skipped. **Spec findings:** ${results.findings.filter((f) => f.about !== 'table').length}.${results.target ? ` **Your table:** ${results.findings.filter((f) => f.about === 'table').length}.` : ''}`
    + (inconclusive > 0 ? ` **Inconclusive latency verdicts:** ${inconclusive} (${INCONCLUSIVE_NOTE}${beyondCap > 0 ? `; ${beyondCap} of them left undecided on purpose: a pass would cost more than the cap per form and no sample came near the limit, a note` : ''}).` : ''));
  lines.push('');

  // What the document gets wrong comes first, as in the console and the HTML report (the gate judges the corrected forms).
  const verdict = results.target ? '' : renderDocumentVerdictMarkdown(results);
  if (verdict) lines.push("### The document's verdict", '', verdict, '');

  lines.push('### Verdicts');
  lines.push('');
  lines.push(clockNote(results));
  lines.push('');
  lines.push(VERDICT_HEADER);
  lines.push(VERDICT_ALIGN);
  for (const r of gated) lines.push(verdictRow(r, strict));
  lines.push('');

  // A team's own queries: their limits are the team's, their failures their own (never spec findings).
  const team = ordered.filter(isTeamResult);
  if (team.length > 0) {
    lines.push('### Your queries');
    lines.push('');
    lines.push('Queries your team added (`--queries`), judged on your own limits; a failure here is the query\'s, not a finding about the document.');
    lines.push('');
    lines.push('| Query | Scale | Verdict | Your limit (ms) | p95 [interval] (ms) | File | Reason |');
    lines.push('|---|---|---|--:|--:|---|---|');
    for (const r of team) {
      const v = r.latencyVerdict;
      const reason = outcomeReason(r.outcome) || (v && v.status !== 'passed' ? v.reason : '');
      lines.push(`| ${markdownCell(r.title)} (${code(markdownCell(r.scenarioId))}) | ${markdownCell(r.scale)} | ${ICON[displayStatus(r, strict)]} | ${r.threshold ? `${formatLimit(r.threshold.p95Ms)} ${markdownCell(r.threshold.clock)}` : 'none (plan only)'} | ${v ? markdownCell(formatVerdictP95(v)) : '–'} | ${code(markdownCell(teamQueryFile(r)))} | ${markdownCell(truncate(reason, 200))} |`);
    }
    lines.push('');
  }

  if (baseline) {
    lines.push('### Baseline comparison');
    lines.push('');
    lines.push(markdownCell(baseline.summary));
    lines.push('');
    for (const f of baseline.failing) lines.push(`- ❌ **plan half:** ${oneLine(f)}`);
    for (const w of baseline.notComparedWarnings) lines.push(`- ⚠️ not compared: ${oneLine(w)}`);
    for (const w of baseline.warnings) lines.push(`- ⚠️ ${oneLine(w)}`);
    if (baseline.failing.length + baseline.notComparedWarnings.length + baseline.warnings.length > 0) lines.push('');
  }

  const warnings = warningLines(ordered);
  if (warnings.length > 0) {
    lines.push('### Warnings');
    lines.push('');
    for (const w of warnings) lines.push(`- ⚠️ ${oneLine(w)}`);
    lines.push('');
  }

  // Every form the Verdicts table does not hold: the documented SQL, exactly as the spec prints it, beside a
  // correction (or with no single-statement correction). Passing ones too, so every scenario x scale x form is listed.
  const documented = ordered.filter((r) => !r.gated);
  if (documented.length > 0) {
    const tally = new Map<DisplayStatus, number>();
    for (const r of documented) tally.set(displayStatus(r, strict), (tally.get(displayStatus(r, strict)) ?? 0) + 1);
    const label = (status: DisplayStatus, n: number) =>
      status === 'passed' ? `${n} hold` : status === 'finding' ? `${n} spec finding${n === 1 ? '' : 's'}` : `${n} ${status}`;
    const parts = (['passed', 'inconclusive', 'finding', 'failed', 'errored', 'skipped'] as const).filter((s) => tally.has(s)).map((s) => label(s, tally.get(s)!));
    lines.push('### Documented forms, not gated');
    lines.push('');
    lines.push(strict
      ? 'The SQL exactly as the spec prints it. With --strict-spec the gate judges these too: a failure here fails the run.'
      : `The SQL exactly as the spec prints it, beside its correction (or where it has no single-statement one). 🔎 finding: ${FINDING_TITLE}.`);
    lines.push('');
    lines.push(`<details><summary>${documented.length} documented form${documented.length === 1 ? '' : 's'}: ${parts.join(', ')}</summary>`);
    lines.push('');
    lines.push(VERDICT_HEADER);
    lines.push(VERDICT_ALIGN);
    for (const r of documented) lines.push(verdictRow(r, strict));
    lines.push('');
    lines.push('</details>');
    lines.push('');
  }

  // run --calibrate: pgbench's p50 beside execbench's, as in every other output.
  const calibrated = ordered.filter((r) => r.latency?.calibration);
  if (calibrated.length > 0) {
    lines.push('### pgbench beside execbench (--calibrate)');
    lines.push('');
    lines.push(`pgbench -M ${calibrated[0]!.latency!.calibration!.mode}, one client, in blocks alternating with execbench's on the form's first parameters (reads only); the ratio is the median over rounds of execbench's block p50 over pgbench's.`);
    lines.push('');
    lines.push('| Scenario | Scale | Form | execbench p50 (ms) | pgbench p50 (ms) | Ratio | pgbench transactions |');
    lines.push('|---|---|---|--:|--:|--:|--:|');
    for (const r of calibrated) {
      const c = r.latency!.calibration!;
      lines.push(`| ${markdownCell(r.scenarioId)} | ${markdownCell(r.scale)} | ${markdownCell(r.form)} | ${formatMs(c.execbenchP50Ms)} | ${formatMs(c.pgbenchP50Ms)} | x${c.ratio.toFixed(2)} | ${c.transactions} |`);
    }
    lines.push('');
  }

  for (const [heading, findings] of [
    ['Spec findings', results.findings.filter((f) => f.about !== 'table')],
    [`Your table ${results.target?.table ?? ''}`, results.findings.filter((f) => f.about === 'table')],
  ] as const) {
    if (findings.length === 0) continue;
    lines.push(`### ${heading}`);
    lines.push('');
    const order = { error: 0, warning: 1, info: 2 } as const;
    for (const f of [...findings].sort((a, b) => order[a.severity] - order[b.severity])) {
      const icon = f.severity === 'error' ? '🔴' : f.severity === 'warning' ? '🟡' : 'ℹ️';
      lines.push(`- ${icon} **${oneLine(f.title)}** (${oneLine(f.spec)}${f.scale ? `, ${f.scale}` : ''})  `);
      lines.push(`  ${oneLine(f.detail)}${f.fix ? `  \n  **Fix:** ${oneLine(f.fix)}` : ''}`);
    }
    lines.push('');
  }

  if (results.headline.length > 0) {
    lines.push('### Headline checks');
    lines.push('');
    lines.push('| Claim | Scale | Measured | Verdict |');
    lines.push('|---|---|--:|---|');
    for (const c of results.headline) lines.push(`| ${markdownCell(c.claim)} | ${markdownCell(c.scale)} | ${markdownCell(c.measured)} | ${c.passed ? '✅ pass' : isJudged(c) ? '❌ fail' : '⚪ not judged'} |`);
    lines.push('');
  }
  lines.push('_The HTML report (charts, plans, raw EXPLAIN) is index.html next to this summary._');
  lines.push('');
  return lines.join('\n');
}

/** One paragraph: which clock is which on this run, and how to read an interval. */
function clockNote(results: RunResults): string {
  const clocks = describeClocks(results.environment);
  const level = confidenceLevels(results.scenarios);
  return `Each limit judges the p95 of one clock. **server**: ${markdownCell(clocks.server)}. **client**: ${markdownCell(clocks.client)}. `
    + `Intervals are distribution-free order-statistic intervals at ${level}; — means too few samples for that bound; n is the judged clock's samples. `
    + `⚠️ ${INCONCLUSIVE_NOTE}.`;
}

function verdictRow(r: ScenarioResult, strict: boolean): string {
  const used = usedIndexes(r);
  const v = r.latencyVerdict;
  const status = v ? ` ${verdictStatusLabel(v.status)}` : '';
  // The latency verdict's own sentence where the outcome has no reason to give (passed, inconclusive).
  const reason = outcomeReason(r.outcome) || (v && v.status !== 'passed' ? v.reason : '');
  const cells = [
    markdownCell(r.scenarioId),
    markdownCell(r.scale),
    markdownCell(formLabel(r)),
    ICON[displayStatus(r, strict)],
    markdownCell(`${v?.clock ?? r.threshold?.clock ?? '–'}${(v?.clock ?? r.threshold?.clock) === 'server' && r.latency?.serverMethod === 'explain-timing-off' ? ' (EXPLAIN TIMING OFF)' : ''}`),
    v ? `${markdownCell(formatVerdictP95(v))}${status}` : '–',
    v ? String(v.samples) : '–',
    r.threshold ? `${formatLimit(r.threshold.p95Ms)}${isTeamResult(r) ? ' (your limit)' : r.threshold.derived ? ' (derived)' : ''}` : '–',
    r.latency ? formatMs(r.latency.client.p50Ms) : '–',
    r.latency ? formatMs(r.latency.server.p50Ms) : r.plan ? formatMs(r.plan.executionMs) : '–',
    r.plan ? (used.length ? used.map((name) => code(markdownCell(name))).join(' ') : 'no index') : '–',
    markdownCell(truncate(reason, 200)),
  ];
  return `| ${cells.join(' | ')} |`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The document's verdict as Markdown: how many statements fail as written and why, then the corrected forms and promises. Pure. */
export function renderDocumentVerdictMarkdown(results: RunResults): string {
  const v = documentVerdict(results);
  if (v.statements === 0) return '';
  const lead = v.failingCount === 0
    ? `**${v.statements === 1 ? 'The 1 statement of the document judged here holds' : `All ${v.statements} of the document's statements judged here hold`} as written.**`
    : `**${v.failingCount} of the document's ${v.statements} statements fail as written** (measured at ${v.scales.join(' and ')}):`;
  const groups = v.groups.map((g) => `- ${g.scenarioIds.length} ${g.summary}${g.latencyRangeMs ? `, ${formatRange(g.latencyRangeMs)} at p95` : ''}: ${g.scenarioIds.map((id) => `\`${id}\``).join(', ')}`);
  return [lead, ...(groups.length ? ['', ...groups] : []), '', correctedSentence(v)].join('\n');
}
