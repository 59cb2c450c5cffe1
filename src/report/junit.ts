// JUnit XML: one test case per scenario x scale x form, so CI test tabs list every query with its verdict.
import type { EnvironmentInfo, RunResults, ScenarioResult } from '../results.ts';
import { scaleOrder } from './charts.ts';
import { baselineView, breakdownParts, countOutcomes, formClockDetail, formLabel, isTeamResult, MANY_ROWS, formatLatencyVerdict, formatMs, INCONCLUSIVE_NOTE, orderResults, outcomeReason, violationLabel } from './format.ts';

/** Escapes text for XML content and attributes, dropping characters XML 1.0 cannot carry at all. */
export function escapeXml(value: unknown): string {
  return String(value ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const x = escapeXml;

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** Renders the run as JUnit XML: one <testsuite> per scale. Pure. */
export function renderJunitXml(results: RunResults): string {
  const scales = scaleOrder(results);
  const ordered = orderResults(results.scenarios, scales).map((r) => asJunitCase(r, results.options.strictSpec));
  const all = countOutcomes(ordered);
  const totalMs = ordered.reduce((sum, r) => sum + r.durationMs, 0);
  const suites = scales
    .map((scale) => ordered.filter((r) => r.scale === scale))
    .filter((rows) => rows.length > 0)
    .map((rows) => {
      const counts = countOutcomes(rows);
      const ms = rows.reduce((sum, r) => sum + r.durationMs, 0);
      return `  <testsuite name="execbench ${x(rows[0]!.scale)}" tests="${rows.length}" failures="${counts.failed}" errors="${counts.errored}" skipped="${counts.skipped}" time="${seconds(ms)}" timestamp="${x(results.startedAt)}">
${rows.map((r) => renderTestcase(r, results.environment)).join('\n')}
  </testsuite>`;
    });
  const baseline = renderBaselineSuite(results);
  if (baseline) suites.push(baseline.xml);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="execbench ${x(results.runId)}" tests="${ordered.length + (baseline?.tests ?? 0)}" failures="${all.failed + (baseline?.failures ?? 0)}" errors="${all.errored}" skipped="${all.skipped + (baseline?.skipped ?? 0)}" time="${seconds(totalMs)}">
${suites.join('\n')}
</testsuites>
`;
}

/**
 * run --baseline: what the comparison found that no scenario test case carries, as a suite of its own. A gated form
 * of the baseline not compared (or nothing compared) is a failed case of the plan half; a new gated form or one
 * accepted with --allow-missing is a skipped case; the comparison's warnings are the suite's system-out.
 */
function renderBaselineSuite(results: RunResults): { xml: string; tests: number; failures: number; skipped: number } | undefined {
  const view = baselineView(results);
  if (!view) return undefined;
  const cases = [
    ...view.failing.map((text) => `    <testcase classname="baseline" name="${x(caseName(text))}" time="0">
      <failure message="${x(`baseline plan: ${text}`)}" type="baseline-plan">${x(text)}</failure>
    </testcase>`),
    ...view.notComparedWarnings.map((text) => `    <testcase classname="baseline" name="${x(caseName(text))}" time="0">
      <skipped message="${x(`not compared (a warning): ${text}`)}"/>
    </testcase>`),
  ];
  const tests = cases.length;
  const failures = view.failing.length;
  const skipped = view.notComparedWarnings.length;
  const out = [view.summary, ...view.warnings.map((w) => `warning: ${w}`)].join('\n');
  return {
    xml: `  <testsuite name="execbench baseline" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="0" timestamp="${x(results.startedAt)}">
${cases.length > 0 ? `${cases.join('\n')}\n` : ''}    <system-out>${x(out)}</system-out>
  </testsuite>`,
    tests, failures, skipped,
  };
}

/** A case's name: the form the line is about ('recent-failures 100k corrected'), or the line's first words. */
function caseName(text: string): string {
  const colon = text.indexOf(': ');
  return colon > 0 ? text.slice(0, colon) : text;
}

/**
 * A documented form that fails but is not gated (no --strict-spec) is a spec finding, not a CI
 * failure: it is listed as skipped with the finding as the message, so the test tab matches the gate.
 */
function asJunitCase(r: ScenarioResult, strictSpec: boolean): ScenarioResult {
  if (r.outcome.status !== 'failed' || r.gated || (strictSpec && r.form === 'documented')) return r;
  return { ...r, outcome: { status: 'skipped', reason: `spec finding, not gated (--strict-spec gates it): ${outcomeReason(r.outcome)}` } };
}

/**
 * One test case. The latency verdict (clock, p95 with its interval and confidence, n, limit, status) is in
 * <system-out> and, when it failed, in the failure message. An inconclusive verdict leaves a passing test case
 * passing, with a line saying so: the exit code (--fail-on inconclusive) decides whether it fails the run.
 */
function renderTestcase(r: ScenarioResult, env: EnvironmentInfo): string {
  const open = `    <testcase classname="${x(r.scenarioId)}" name="${x(`${r.scale} ${formLabel(r)}`)}" time="${seconds(r.durationMs)}">`;
  const body: string[] = [];
  const outcome = r.outcome;
  const v = r.latencyVerdict;
  const latencyLine = v ? `latency: ${formatLatencyVerdict(v)}` : undefined;
  if (outcome.status === 'failed') {
    const first = outcome.violations[0];
    // The first violation names the failure; a threshold violation is told as its whole verdict (clock, p95, interval,
    // confidence, n, limit, status), and a latency verdict that is not passed rides along behind another violation.
    const message = first?.kind === 'threshold' && v
      ? `threshold: ${formatLatencyVerdict(v)}`
      : `${first ? `${violationLabel(first)}: ${first.message}` : 'failed'}${v && v.status !== 'passed' ? `; ${latencyLine}` : ''}`;
    const text = [...outcome.violations.map((violation) => `${violationLabel(violation)}: ${violation.message}`), ...(latencyLine ? [latencyLine] : [])].join('\n');
    body.push(`      <failure message="${x(message)}" type="${x(first?.kind ?? 'failed')}">${x(text)}</failure>`);
  } else if (outcome.status === 'errored') {
    body.push(`      <error message="${x(outcome.error)}" type="errored">${x(outcome.error)}</error>`);
  } else if (outcome.status === 'skipped') {
    body.push(`      <skipped message="${x(outcome.reason)}"/>`);
  }
  const facts: string[] = [`${r.title} (${r.spec})`, `gated: ${r.gated}`];
  if (r.threshold) {
    facts.push(isTeamResult(r)
      ? `your limit: p95 ${r.threshold.p95Ms} ms on the ${r.threshold.clock} clock (${r.threshold.source})`
      : `threshold p95 ${r.threshold.p95Ms} ms on the ${r.threshold.clock} clock${r.threshold.derived ? ' (derived)' : ''}: ${r.threshold.source}`);
  }
  for (const warning of r.warnings ?? []) facts.push(`warning: ${warning}`);
  if (v && latencyLine) {
    facts.push(latencyLine);
    if (v.status === 'inconclusive') facts.push(`INCONCLUSIVE (${INCONCLUSIVE_NOTE}): ${v.reason}`);
    else facts.push(`verdict: ${v.reason}`);
    facts.push(`${v.clock} clock: ${formClockDetail(r, env)}`);
  }
  if (r.latency) {
    const l = r.latency;
    facts.push(`client p50 ${formatMs(l.client.p50Ms)} ms, p95 ${formatMs(l.client.p95Ms)} ms, p99 ${formatMs(l.client.p99Ms)} ms (${l.client.samples} samples, ${l.protocol} statement); server p50 ${formatMs(l.server.p50Ms)} ms, p95 ${formatMs(l.server.p95Ms)} ms (${l.server.samples} samples, ${l.serverMethod})`);
    if (l.breakdown.rows >= MANY_ROWS) facts.push(`where the time goes (${l.breakdown.rows} rows, medians): ${breakdownParts(l.breakdown).map(([part, ms]) => `${part} ${formatMs(ms)} ms`).join(', ')}`);
    if (l.calibration) facts.push(`pgbench p50 ${formatMs(l.calibration.pgbenchP50Ms)} ms (${l.calibration.mode}, ${l.calibration.transactions} transactions${l.calibration.rounds ? `, ${l.calibration.rounds} alternating rounds` : ''}) vs execbench client p50 ${formatMs(l.calibration.execbenchP50Ms)} ms: ratio ${l.calibration.ratio.toFixed(2)}`);
  }
  if (r.plan) facts.push(`indexes used: ${[...new Set(r.plan.indexes.map((u) => u.index))].join(', ') || 'none'}; buffers ${r.plan.buffers.sharedHit} hit / ${r.plan.buffers.sharedRead} read`);
  body.push(`      <system-out>${x(facts.join('\n'))}</system-out>`);
  return `${open}\n${body.join('\n')}\n    </testcase>`;
}
