// Number and text formatting shared by the HTML, Markdown and JUnit writers, so they print the same figures.
import { formatInterval } from '../gate/latency-verdict.ts';
import type { EnvironmentInfo, LatencyVerdict, Outcome, RunResults, ScenarioResult, TableState, Violation } from '../results.ts';

/** Milliseconds with precision that fits the size: 0.412, 3.21, 41.7, 1234. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toString();
}

/** A wall-clock duration: 840 ms, 21.4 s, 23 min 26 s. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

/** Bytes in binary units: 8.0 kB, 13.4 MB, 1.2 GB. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Integers with thousands separators (stable across locales: always a thin comma). */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** One line saying why an outcome is what it is (empty for passed). */
export function outcomeReason(outcome: Outcome): string {
  switch (outcome.status) {
    case 'passed': return '';
    case 'failed': return outcome.violations.map((v) => `${violationLabel(v)}: ${v.message}`).join('; ');
    case 'errored': return outcome.error;
    case 'skipped': return outcome.reason;
  }
}

/** A violation's kind as reports print it: a baseline regression names its half ('baseline plan', 'baseline time'). */
export function violationLabel(violation: Pick<Violation, 'kind' | 'half'>): string {
  return violation.kind === 'baseline' && violation.half ? `baseline ${violation.half}` : violation.kind;
}

/** Index names the plan used, deduplicated, in plan order. */
export function usedIndexes(result: ScenarioResult): string[] {
  return [...new Set((result.plan?.indexes ?? []).map((use) => use.index))];
}

/** "≤ 10 ms server" or a dash; 'derived' marked, a team's own limit marked as theirs. */
export function formatThreshold(result: ScenarioResult): string {
  if (!result.threshold) return '–';
  return `≤ ${formatLimit(result.threshold.p95Ms)} ms ${result.threshold.clock}${isTeamResult(result) ? ' (your limit)' : result.threshold.derived ? ' (derived)' : ''}`;
}

/** Whether a result is a team's own query (--queries): judged on the team's limit, never a finding about the document. */
export function isTeamResult(result: Pick<ScenarioResult, 'origin'>): boolean {
  return result.origin === 'team';
}

/** The form as reports name it: a team's query has one form, its own ('your query'); the document's are documented/corrected. */
export function formLabel(result: Pick<ScenarioResult, 'origin' | 'form'>): string {
  return isTeamResult(result) ? 'your query' : result.form;
}

/** The file a team's query came from, as the loader named it (from its spec line "your query, <file>"). */
export function teamQueryFile(result: Pick<ScenarioResult, 'spec'>): string {
  return result.spec.replace(/^your query, /, '');
}

/** Every warning of a run, one line each: "<scenario> <scale> <form>: <warning>". */
export function warningLines(results: readonly ScenarioResult[]): string[] {
  return results.flatMap((r) => (r.warnings ?? []).map((w) => `${r.scenarioId} ${r.scale} ${formLabel(r)}: ${w}`));
}

/** The synthetic data's "now" of a run's datasets (one value; several where datasets differ), or undefined in older results. */
export function datasetNow(datasets: readonly { anchor?: string }[]): string | undefined {
  const anchors = [...new Set(datasets.map((d) => d.anchor).filter((a): a is string => a !== undefined))];
  return anchors.length > 0 ? anchors.join(', ') : undefined;
}

/** A confidence as people write it: 0.9875 -> '98.75%', 0.95 -> '95%'. */
export function formatConfidence(confidence: number): string {
  return `${(confidence * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
}

/** How a latency verdict's status is printed: FAILED in capitals, as a failure should stand out. */
export function verdictStatusLabel(status: LatencyVerdict['status']): string {
  return status === 'failed' ? 'FAILED' : status;
}

/** The p95 estimate and its interval: '0.054 [0.050, 0.060]', '49.1 [45.5, —]' (— = too few samples for that bound). */
export function formatVerdictP95(verdict: LatencyVerdict): string {
  return `${formatMs(verdict.estimateMs)} ${formatInterval(verdict.ciLowMs, verdict.ciHighMs)}`;
}

/**
 * One line with every fact of a latency verdict, for JUnit, Markdown and the HTML scenario section:
 * 'server p95 0.054 [0.050, 0.060] ms (98.75% per look, 95% overall), n=400, limit 10 ms: passed'.
 */
export function formatLatencyVerdict(verdict: LatencyVerdict): string {
  return `${verdict.clock} p95 ${formatVerdictP95(verdict)} ms (${formatConfidence(verdict.confidence)} per look, ${formatConfidence(verdict.overallConfidence)} overall), `
    + `n=${verdict.samples}, limit ${formatLimit(verdict.limitMs)} ms: ${verdictStatusLabel(verdict.status)}`;
}

/** The confidence of the run's intervals: '98.75% per look (95% overall)' (the defaults where nothing was judged). */
export function confidenceLevels(results: ScenarioResult[]): string {
  const v = results.find((r) => r.latencyVerdict)?.latencyVerdict;
  return `${formatConfidence(v?.confidence ?? 0.9875)} per look (${formatConfidence(v?.overallConfidence ?? 0.95)} overall)`;
}

/** What an inconclusive verdict means for the run, said once for every report. */
export const INCONCLUSIVE_NOTE = 'inconclusive: a warning, not a failure; --fail-on inconclusive makes it fatal';

/** The two clocks as this run read them (the run's own one-line descriptions, which name the method and protocol). */
export function describeClocks(env: EnvironmentInfo): { server: string; client: string } {
  const server = env.serverClock;
  const client = env.clientClock;
  return {
    server: server ? (server.detail.includes(server.method === 'pg_stat_statements' ? 'pg_stat_statements' : 'TIMING OFF') ? server.detail : `${server.method}: ${server.detail}`)
      : 'not recorded (results from before the server clock was named)',
    client: client ? (client.detail.includes(client.protocol) ? client.detail : `${client.protocol} statement: ${client.detail}`)
      : 'not recorded (results from before the client clock was named)',
  };
}

/**
 * The clock a verdict judged, for this form: the run's description, except where this form's server clock is
 * EXPLAIN TIMING OFF while the run read pg_stat_statements (bulk results, over 1,000 rows).
 */
export function formClockDetail(result: ScenarioResult, env: EnvironmentInfo): string {
  const clock = result.latencyVerdict?.clock ?? result.threshold?.clock ?? 'client';
  const clocks = describeClocks(env);
  if (clock === 'client') return clocks.client;
  if (result.latency?.serverMethod === 'explain-timing-off' && env.serverClock?.method !== 'explain-timing-off') {
    return `EXPLAIN (ANALYZE, TIMING OFF) beside each execution for this form (${formatCount(result.latency.breakdown.rows)} rows: `
      + 'pg_stat_statements\' executor time would include sending them; it is recorded as the send part of the breakdown)';
  }
  return clocks.server;
}

/** A limit as the spec writes it: 10, 2.5, 300 (no padding zeros: it is a given number, not a measurement). */
export function formatLimit(ms: number): string {
  return String(Math.round(ms * 1000) / 1000);
}

/** The parts of a breakdown in the order the time is spent; 'send' only where the run recorded it (bulk results). */
export function breakdownParts(b: { serverMs: number; sendMs?: number; wireMs: number; decodeMs: number }): ['server' | 'send' | 'wire' | 'decode', number][] {
  return [['server', b.serverMs], ...(b.sendMs !== undefined ? [['send', b.sendMs] as ['send', number]] : []), ['wire', b.wireMs], ['decode', b.decodeMs]];
}

/** Forms returning at least this many rows get a "where the time goes" breakdown: the wire and decoding start to matter. */
export const MANY_ROWS = 1000;

/** Sorts results by scenario (run order), then scale (run order), then documented before corrected. */
export function orderResults(results: ScenarioResult[], scales: string[]): ScenarioResult[] {
  const scenarioIndex = new Map<string, number>();
  for (const r of results) if (!scenarioIndex.has(r.scenarioId)) scenarioIndex.set(r.scenarioId, scenarioIndex.size);
  const scaleIndex = (s: string) => (scales.indexOf(s) === -1 ? scales.length : scales.indexOf(s));
  const formIndex = (f: string) => (f === 'documented' ? 0 : 1);
  return [...results].sort((a, b) =>
    scenarioIndex.get(a.scenarioId)! - scenarioIndex.get(b.scenarioId)! || scaleIndex(a.scale) - scaleIndex(b.scale) || formIndex(a.form) - formIndex(b.form),
  );
}

/** Counts of outcomes, for headers and summaries. */
export function countOutcomes(results: ScenarioResult[]): Record<Outcome['status'], number> {
  const counts = { passed: 0, failed: 0, errored: 0, skipped: 0 };
  for (const r of results) counts[r.outcome.status] += 1;
  return counts;
}

/**
 * What a report shows for a result: its outcome, 'finding' for a failed form the gate does not judge, or
 * 'inconclusive' for a passed form whose latency verdict could not decide (a warning).
 */
export type DisplayStatus = Outcome['status'] | 'finding' | 'inconclusive';

/** The tooltip on a FINDING badge. */
export const FINDING_TITLE = 'documented form, not gated; --strict-spec gates it';

/** Whether the gate judges this result (mirrors src/gate/verdict.ts: gated, or any documented form under --strict-spec). */
export function countsForGate(result: Pick<ScenarioResult, 'gated' | 'form'>, strictSpec: boolean): boolean {
  return result.gated || (strictSpec && result.form === 'documented');
}

/**
 * The status to print: a failed form the gate does not judge (a documented statement the spec gets wrong, reported
 * as a spec finding) is a 'finding', not a failure, so the table agrees with the gate banner. Under --strict-spec it
 * is judged, and 'failed' is right. A passed form whose latency verdict is inconclusive is 'inconclusive': the
 * outcome stays passed (only --fail-on inconclusive fails the run), but the report must not call it a pass.
 */
export function displayStatus(
  result: Pick<ScenarioResult, 'gated' | 'form' | 'outcome'> & { latencyVerdict?: Pick<LatencyVerdict, 'status'> | undefined },
  strictSpec: boolean,
): DisplayStatus {
  if (result.outcome.status === 'passed' && result.latencyVerdict?.status === 'inconclusive') return 'inconclusive';
  return result.outcome.status === 'failed' && !countsForGate(result, strictSpec) ? 'finding' : result.outcome.status;
}

/** How many of these results have an inconclusive latency verdict. */
export function countInconclusive(results: ScenarioResult[]): number {
  return results.filter((r) => r.latencyVerdict?.status === 'inconclusive').length;
}

/** How many of them were left undecided on purpose: a pass beyond the cap per form, no sample near the limit (a note). */
export function countBeyondCap(results: ScenarioResult[]): number {
  return results.filter((r) => r.latencyVerdict?.status === 'inconclusive' && r.latencyVerdict.beyondCap).length;
}

/** ' (1 of them undecided on purpose: a pass was beyond the cap per form)', or ''. */
export function beyondCapAside(results: ScenarioResult[]): string {
  const n = countBeyondCap(results);
  return n === 0 ? '' : ` (${n} of them undecided on purpose: a pass would cost more than the cap per form, --max-form-time, and no sample came near the limit: a note, not a warning)`;
}

/**
 * A human label for a run-phase timing key: provisionMs → provision, totalMs → total, seed_100k_ms → seed 100k,
 * scenarios_1m_ms → scenarios 1m. Unknown keys lose a trailing Ms/_ms and have camelCase and underscores spaced.
 */
export function timingLabel(key: string): string {
  const scaled = /^([a-z]+)_(.+)_ms$/i.exec(key);
  if (scaled) return `${scaled[1]} ${scaled[2]}`;
  return key
    .replace(/(?:_ms|Ms)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase() || key;
}

/** The run-phase timings as "provision 517 ms · seed 100k 28 ms · … · total 55.7 s", in the order recorded. */
export function formatTimings(timings: Record<string, number>): string {
  return Object.entries(timings).map(([key, ms]) => `${timingLabel(key)} ${formatDuration(ms)}`).join(' · ');
}

/** The first 12 characters of a dataset fingerprint (the full value goes in a tooltip). */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 12 ? `${fingerprint.slice(0, 12)}…` : fingerprint;
}

/** The executions table as a run measured it: 'rows 250,000, dead tuples 0, relpages 4,210, 439 relations in pg_class'. */
export function formatTableState(state: TableState): string {
  return `rows ${formatCount(state.rows)}, dead tuples ${formatCount(state.deadTuples)}, relpages ${formatCount(state.relpages)}, ${formatCount(state.catalogRelations)} relations in pg_class`;
}

/** What a run's baseline comparison (run --baseline) found, as every report shows it. */
export interface BaselineView {
  /** One sentence: the baseline, how many forms were compared and regressed, by half. */
  summary: string;
  /** Failures of the plan half that no result row carries: gated forms not compared, nothing compared. */
  failing: string[];
  /** Forms not compared that are reported, not fatal: new gated forms, gaps accepted with --allow-missing. */
  notComparedWarnings: string[];
  /** The comparison's warnings: setup and table-state differences, what was accepted. */
  warnings: string[];
}

/** The baseline comparison of a run for the reports; undefined when the run had no --baseline. */
export function baselineView(results: RunResults): BaselineView | undefined {
  const b = results.baseline;
  if (!b) return undefined;
  const regressedIn = (half: 'plan' | 'time'): number => results.scenarios.filter((r) =>
    r.outcome.status === 'failed' && r.outcome.violations.some((v) => v.kind === 'baseline' && v.half === half)).length;
  const gaps = b.notCompared ?? [];
  const label = (g: (typeof gaps)[number]): string => `${g.scenarioId} ${g.scale} ${g.form}: ${g.reason}`;
  const failing = [
    ...gaps.filter((g) => g.gate === 'plan').map(label),
    ...(b.nothingCompared && !b.allowMissing ? [b.nothingCompared] : []),
  ];
  const halves = b.regressions > 0 ? ` (plan half: ${regressedIn('plan')}, time half: ${regressedIn('time')})` : '';
  return {
    summary: `Compared with baseline ${b.runId}: ${b.compared} form(s) compared, ${b.regressions} regressed${halves}` +
      `${failing.length > 0 ? `; ${failing.length} failure(s) of the plan half without a result row (below)` : ''}` +
      `${b.allowMissing ? '; --allow-missing: forms not compared are warnings' : ''}.`,
    failing,
    notComparedWarnings: gaps.filter((g) => g.gate === 'warning').map(label),
    warnings: b.warnings,
  };
}
