// Pure: the console view of a run (a table, the findings, the headline checks, the budget line).
import { formatInterval, minSamplesToPass } from '../gate/latency-verdict.ts';
import type { RunResults, ScenarioResult, Violation } from '../results.ts';
import { describeAccess } from '../runner/contract.ts';
import { isJudged } from '../runner/headline.ts';
import { correctedSentence, documentVerdict, formatRange } from './document-verdict.ts';
import { beyondCapAside, countsForGate, formLabel, isTeamResult, teamQueryFile, warningLines } from './format.ts';

/** A violation's short name; a baseline regression names its half (baseline-plan, baseline-time). */
function kindOf(v: Pick<Violation, 'kind' | 'half'>): string {
  return v.kind === 'baseline' && v.half ? `baseline-${v.half}` : KIND[v.kind];
}

/**
 * Renders rows as an aligned text table; a cell wider than maxWidth is cut with '…'. With lastRunsOn, the last column
 * is never cut (it has nothing to its right to push) and its rule under the header stops at RULE_MAX.
 */
export function textTable(header: string[], rows: string[][], options: { maxWidth?: number; lastRunsOn?: boolean } = {}): string {
  const max = options.maxWidth ?? Infinity;
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.min(options.lastRunsOn && i === last ? Infinity : max, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) => cells.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w, i) => '-'.repeat(options.lastRunsOn && i === last ? Math.max(header[i]!.length, Math.min(w, RULE_MAX)) : w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
const RULE_MAX = 50;

/** Short names for violation kinds, so a failing row fits the table (the legend spells them out). */
const KIND: Record<Violation['kind'], string> = {
  'sql-error': 'sql-error', 'index-not-used': 'index', 'index-missing': 'no-index', 'seq-scan': 'seqscan', threshold: 'p95', buffers: 'buffers',
  'rows-removed': 'rows-removed', lock: 'lock', baseline: 'baseline',
};

function verdict(r: ScenarioResult): string {
  const inconclusive = r.latencyVerdict?.status === 'inconclusive';
  switch (r.outcome.status) {
    // An inconclusive latency verdict is a warning: the outcome stays passed, the table must not say pass.
    case 'passed': return inconclusive ? 'inconclusive' : 'pass';
    case 'failed': return `FAIL: ${[...new Set(r.outcome.violations.map(kindOf))].join(',')}${inconclusive ? ',p95?' : ''}`;
    case 'errored': return 'ERROR';
    case 'skipped': return 'skip';
  }
}

const ms = (n: number | undefined) => (n === undefined ? '-' : n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

/** The judged clock; ° where that form's server clock is EXPLAIN TIMING OFF while the run read pg_stat_statements. */
function clockCell(r: ScenarioResult): string {
  const clock = r.latencyVerdict?.clock ?? r.threshold?.clock;
  if (!clock) return '-';
  return clock === 'server' && r.latency?.serverMethod === 'explain-timing-off' ? 'server°' : clock;
}

/** A limit as the spec writes it: 10, 2.5, 0.5. */
const limit = (n: number) => String(Math.round(n * 1000) / 1000);

/** The scenario x scale x form table, and a legend saying what the clocks, intervals and marks mean. */
export function renderResultsTable(results: RunResults): string {
  const strict = results.options.strictSpec;
  const cells = results.scenarios.map((r) => {
    const v = r.latencyVerdict;
    return [
      r.scenarioId,
      r.scale,
      formLabel(r) + (r.gated || (strict && r.form === 'documented') ? '' : '†'),
      verdict(r),
      clockCell(r),
      v ? `${ms(v.estimateMs)} ${formatInterval(v.ciLowMs, v.ciHighMs)}` : '-',
      v ? String(v.samples) : '-',
      // A team's own limit is marked as theirs, never starred as derived.
      r.threshold ? `${limit(r.threshold.p95Ms)}${isTeamResult(r) ? ' yours' : r.threshold.derived ? '*' : ''}` : '-',
      ms(r.latency?.client.p50Ms),
      ms(r.latency?.server.p50Ms),
      r.plan ? String(r.plan.buffers.sharedHit + r.plan.buffers.sharedRead) : '-',
      // Last and never cut: the index a query used is what the column is for, and a long name only runs on.
      r.plan ? describeAccess(r.plan).replace(/ using /g, ' ') : '-',
    ];
  });
  const header = ['scenario', 'scale', 'form', 'verdict', 'clock', 'p95 [interval] ms', 'n', 'limit ms', 'client p50', 'server p50', 'buffers', 'access'];
  const server = results.environment.serverClock;
  const client = results.environment.clientClock;
  const serverHow = server
    ? server.method === 'pg_stat_statements' ? 'executor time from pg_stat_statements, per timed execution (this run)' : 'EXPLAIN (ANALYZE, TIMING OFF) runs, pg_stat_statements was not available (this run)'
    : 'pg_stat_statements executor time, or EXPLAIN (ANALYZE, TIMING OFF) where it is missing';
  const bulk = results.scenarios.some((r) => r.latency?.serverMethod === 'explain-timing-off') && server?.method === 'pg_stat_statements';
  const protocol = client?.protocol ?? results.options.protocol;
  // Counted as the gate line counts them (the forms the gate judges), the others said apart.
  const inconclusiveForms = results.scenarios.filter((r) => r.latencyVerdict?.status === 'inconclusive');
  const inconclusive = inconclusiveForms.filter((r) => countsForGate(r, strict)).length;
  const inconclusiveElsewhere = inconclusiveForms.length - inconclusive;
  const calibration = renderCalibrationTable(results);
  return `${textTable(header, cells, { lastRunsOn: true })}\n\n${[
    '  verdict: pass | FAIL: what broke (index = expected index not used, seqscan, p95 = latency verdict FAILED) | ERROR | skip |',
    '  inconclusive: the p95 interval contains the limit, or lacks the bound that would decide; a warning, not a failure',
    `  ${wrap(`(--fail-on inconclusive makes it fatal)${inconclusive ? `: ${inconclusive} on forms the gate judges${beyondCapAside(inconclusiveForms.filter((r) => countsForGate(r, strict)))}` : ''}` +
      `${inconclusiveElsewhere ? `${inconclusive ? ';' : ':'} ${inconclusiveElsewhere} on forms marked †, not gated (shown as p95? where their contract failed)` : ''}.`, 126, '  ')}`,
    '  p95? after FAIL: the contract failed, the latency is inconclusive.',
    ...(results.scenarios.some((r) => r.outcome.status === 'passed' && !r.threshold && !isTeamResult(r))
      ? ['  pass with no limit (-): the statement ran and its plan contract held; the document gives it no latency figure.'] : []),
    `  clock: what the limit judges. server = ${serverHow};`,
    ...(bulk ? [`  server° = EXPLAIN (ANALYZE, TIMING OFF) beside each execution: results over 1,000 rows (executor time would count sending);`] : []),
    `  client = wire round trip of the plain query${protocol ? ` (${protocol} statement)` : ''}, socket write to last byte, row decoding excluded.`,
    '  p95 [interval]: the judged clock\'s p95 and its distribution-free order-statistic interval, 98.75% per look (95% overall);',
    `  — = too few samples for that bound (an upper bound needs ${minSamplesToPass()}). n: samples of the judged clock. limit: the spec's p95 (ms);`,
    '  * = derived by execbench where the spec gives none for this scale (the HTML report and junit.xml say how). client/server p50:',
    '  medians of both clocks (ms). buffers: shared blocks hit+read of one EXPLAIN ANALYZE execution; access: the plan\'s scans.',
    ...(results.baseline ? ['  baseline-plan / baseline-time: regressed against --baseline in that half of its gate (plan: index, plan shape, buffers,',
      '  rows; time: median, p95); --fail-on plan or time gates one half, baseline both.'] : []),
    '  †: not gated, the SQL exactly as the spec prints it; where it needed a correction, the corrected form is what the gate judges',
    '  and the documented form\'s failures are spec findings.',
    ...(results.scenarios.some(isTeamResult)
      ? ['  your query / yours: a query your team added (--queries), judged on your own limit from its file; its failures are',
        '  its own (see "Your queries"), never spec findings.']
      : []),
    ...(results.target
      ? [`  no-index: ${results.target.table} has no index standing for the documented one (see "Your table").` +
        (results.target.plansOnly ? ' --plans-only: plans are the planner\'s estimates, nothing was executed: no clock, no buffers.' : '')]
      : []),
  ].join('\n')}${skippedReasons(results)}${calibration ? `\n\n${calibration}` : ''}`;
}

/** Why each skipped form was skipped, once per reason (the table's "skip" cells say only that it was). */
function skippedReasons(results: RunResults): string {
  const byReason = new Map<string, string[]>();
  for (const r of results.scenarios) {
    if (r.outcome.status !== 'skipped') continue;
    const ids = byReason.get(r.outcome.reason) ?? [];
    if (!ids.includes(r.scenarioId)) ids.push(r.scenarioId);
    byReason.set(r.outcome.reason, ids);
  }
  if (byReason.size === 0) return '';
  return `\n\nSkipped:\n${[...byReason].map(([reason, ids]) => wrap(`- ${ids.join(', ')}: ${reason}`, 128, '    ')).join('\n')}`;
}

/** Breaks text at spaces into lines of at most `width` columns, continuation lines indented. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

/**
 * run --calibrate: pgbench's p50 beside execbench's for each calibrated form, and their paired ratio (a table of its
 * own: as a column of the results table it would push that table past its width). Empty without calibration.
 */
export function renderCalibrationTable(results: RunResults): string {
  const calibrated = results.scenarios.filter((r) => r.latency?.calibration);
  if (calibrated.length === 0) return '';
  const mode = calibrated[0]!.latency!.calibration!.mode;
  const rows = calibrated.map((r) => {
    const c = r.latency!.calibration!;
    return [r.scenarioId, r.scale, r.form, ms(c.execbenchP50Ms), ms(c.pgbenchP50Ms), `x${c.ratio.toFixed(2)}`, String(c.transactions)];
  });
  return [
    `pgbench beside execbench (--calibrate: pgbench -M ${mode}, one client, in blocks alternating with execbench's on the form's first`,
    'parameters; ratio = the median over rounds of execbench\'s block p50 over pgbench\'s; reads only):',
    textTable(['scenario', 'scale', 'form', 'execbench p50', 'pgbench p50', 'ratio', 'pgbench transactions'], rows),
  ].join('\n');
}

export function renderFindings(results: RunResults): string {
  const ours = results.findings.filter((f) => f.about === 'table');
  const documentFindings = results.findings.filter((f) => f.about !== 'table');
  const theirs = ours.length > 0 ? `\n\nYour table ${results.target?.table ?? ''} (${ours.length}):\n${findingLines(ours).join('\n')}` : '';
  if (documentFindings.length === 0) return `Spec findings: none.${theirs}`;
  return `Spec findings (${documentFindings.length}):\n${findingLines(documentFindings).join('\n')}${theirs}`;
}

function findingLines(findings: RunResults['findings']): string[] {
  const order = { error: 0, warning: 1, info: 2 } as const;
  return [...findings]
    .sort((a, b) => order[a.severity] - order[b.severity])
    // Errors and warnings in full; info findings (things the spec gets right, planner choices) as one line each.
    .map((f) => f.severity === 'info'
      ? `- [info] ${f.title}${f.scale ? ` (${f.scale})` : ''}`
      : `- [${f.severity}] ${f.title} (${f.spec}${f.scale ? `; ${f.scale}` : ''})\n    ${f.detail}${f.fix ? `\n    fix: ${f.fix.replace(/\s*\n\s*/g, ' ')}` : ''}`);
}

/**
 * The document's verdict, then its headline promises: how many of its statements fail as written and why, whether
 * its intent holds once corrected, and each promise checked. (A run on a user's table has no document verdict.)
 */
export function renderHeadline(results: RunResults): string {
  const verdict = results.target ? '' : renderDocumentVerdict(results);
  if (results.headline.length === 0) return verdict;
  const promises = 'Headline promises of the spec (a failure is listed as a spec finding too; the gate judges scenarios):\n' + results.headline
    .map((h) => `- [${h.passed ? 'pass' : isJudged(h) ? 'FAIL' : 'not judged'}] ${h.scale} ${h.claim}: ${h.measured}\n    ${h.detail}`)
    .join('\n');
  return verdict ? `${verdict}\n\n${promises}` : promises;
}

/** The document's verdict in a few lines: each cause with the statements it names, then the corrected forms' word. */
export function renderDocumentVerdict(results: RunResults): string {
  const v = documentVerdict(results);
  if (v.statements === 0) return '';
  const lead = v.failingCount === 0
    ? `The document's verdict: ${v.statements === 1 ? 'the 1 statement judged here holds' : `all ${v.statements} of its statements judged here hold`} as written.`
    : `The document's verdict: ${v.failingCount} of its ${v.statements} statements fail as written (measured at ${v.scales.join(' and ')}):`;
  const groups = v.groups.map((g) => wrap(`- ${g.scenarioIds.length} ${g.summary}${g.latencyRangeMs ? `, ${formatRange(g.latencyRangeMs)} at p95` : ''}: ${g.scenarioIds.join(', ')}`, 128, '    '));
  return [lead, ...groups, wrap(correctedSentence(v), 128, '  ')].join('\n');
}

/**
 * A team's own queries (--queries), apart from the spec findings: each with its verdict, its limit as the team's
 * (and the file it is written in), and why it failed. Empty when the run had none.
 */
export function renderTeamQueries(results: RunResults): string {
  const team = results.scenarios.filter(isTeamResult);
  if (team.length === 0) return '';
  const lines = team.map((r) => {
    const why = r.outcome.status === 'failed'
      ? r.outcome.violations.map((v) => `${kindOf(v)}: ${v.message}`).join('; ')
      : r.outcome.status === 'errored' ? r.outcome.error : r.outcome.status === 'skipped' ? r.outcome.reason : r.latencyVerdict?.reason ?? '';
    const limitText = r.threshold ? `your limit p95 ${limit(r.threshold.p95Ms)} ms ${r.threshold.clock}` : 'no limit (plan only)';
    return `- [${verdict(r)}] ${r.scenarioId} ${r.scale}: ${limitText} (${teamQueryFile(r)})${why ? `\n    ${why}` : ''}`
      + (r.warnings ?? []).map((w) => `\n    warning: ${w}`).join('');
  });
  const failed = team.filter((r) => r.outcome.status === 'failed' || r.outcome.status === 'errored').length;
  return `Your queries (${team.length}${failed ? `, ${failed} failing` : ''}; --queries, judged on your own limits, never spec findings):\n${lines.join('\n')}`;
}

/**
 * The warnings of the document's scenarios (a read that returned no rows, ...), one line each; a team query's are
 * under it in renderTeamQueries. Empty when there is none.
 */
export function renderWarnings(results: RunResults): string {
  const lines = warningLines(results.scenarios.filter((r) => !isTeamResult(r)));
  return lines.length === 0 ? '' : `Warnings (${lines.length}):\n${lines.map((l) => `- ${l}`).join('\n')}`;
}

/**
 * Run time against execbench's own budget for a default run on a 2-core machine (120 s warm, 240 s cold). Over it is
 * a fact about execbench's speed, said as one: nothing about the document or the gate, which the gate line decides.
 */
export function renderBudgetLine(results: RunResults, scenarioCount: number): string {
  const seconds = (results.timings.totalMs ?? 0) / 1000;
  const warm = results.datasets.every((d) => d.reused);
  const limit = warm ? 120 : 240;
  const what = `Run time ${seconds.toFixed(1)} s for ${scenarioCount} scenarios x ${results.datasets.length} scale(s) (${warm ? 'warm: datasets reused' : 'cold: datasets seeded'})`;
  return seconds <= limit
    ? `${what}, within execbench's own ${limit} s target for a default ${warm ? 'warm' : 'cold'} run on 2 cores.`
    : `${what}, ${(seconds - limit).toFixed(1)} s past execbench's own ${limit} s target for a default ${warm ? 'warm' : 'cold'} run on 2 cores (a note on execbench's speed, not a verdict: the gate line decides).`;
}
