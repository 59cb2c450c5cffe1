// JUnit XML of a fixed-rate load run (`execbench load --rate ... --duration ...`): one test case per validity gate
// and one per class with a promise, so a CI test tab shows why a run is invalid as readily as a promise that failed.
// The cases agree with loadExitCode: a gate the server failed (overload) or a failed promise is a failure; a gate
// execbench failed (its schedule, its CPU, its bookkeeping, Ctrl-C) is an error; an inconclusive promise passes with
// a line saying so, as `run` reports one; a promise of an invalid run is skipped, never judged.
import type { ClassReport, LoadReport } from '../load/summary.ts';
import { VALIDITY_RULE, type Gate } from '../load/validity.ts';
import { escapeXml as x } from './junit.ts';

const ms = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** One test case of a fixed-rate run: a validity gate or a class's promise. */
export interface FixedRateCase {
  name: string;
  classname: string;
  status: 'passed' | 'failed' | 'errored' | 'skipped';
  /** Why, in words: the failure's message, or what passed. */
  message: string;
  /** Lines for <system-out> (and a failure's or error's body): what was measured, in words. */
  detail: string[];
  /** A promise passed as a test case but inconclusive: a warning, said in every view. */
  inconclusive?: true;
}

const pct = (share: number) => `${+(share * 100).toFixed(1)}%`;

/** A gate's test name: what it checks, the same in every run (CI keeps a case's history by its name). */
const GATE_NAMES: Record<Gate['gate'], string> = {
  'complete': 'the run ran to its end',
  'achieved-rate': `at least ${pct(VALIDITY_RULE.minAchievedShare)} of offered requests served`,
  'errors': `at most ${pct(VALIDITY_RULE.maxErrorShare)} of requests failed`,
  'pool': `at most ${pct(VALIDITY_RULE.maxPoolWaitShare)} of requests waited for a connection`,
  'schedule-lag': `execbench sent 99% of requests on schedule (within ${pct(VALIDITY_RULE.maxLagShareOfPromise)} of the tightest promise)`,
  'littles-law': `Little's law holds to ${pct(VALIDITY_RULE.littleTolerance)}`,
};

/** A gate's case: failed when the server fell behind, errored when execbench could not measure or the run was stopped. */
export function gateCase(g: Gate, report: Pick<LoadReport, 'cpuStatement'>): FixedRateCase {
  const status = g.ok ? 'passed' : g.cause === 'overload' ? 'failed' : 'errored';
  const detail = [g.words, ...(g.cause === 'execbench' && !g.ok ? [report.cpuStatement] : [])];
  return {
    name: `validity: ${g.class ? `${g.class}: ` : ''}${GATE_NAMES[g.gate]}`,
    classname: 'execbench.load.validity',
    status,
    message: g.ok ? g.words : `${g.cause === 'overload' ? 'the server did not keep up' : g.cause === 'interrupted' ? 'not a finished run' : 'execbench could not measure'}: ${detail.join('. ')}`,
    detail,
  };
}

/** Per class, the figures a reader checks a verdict against (none for an invalid run: it reports no latency). */
function classFigures(c: ClassReport): string {
  const counts = `offered ${rate(c.offeredPerSecond)}/s (asked ${rate(c.nominalPerSecond)}/s), achieved ${rate(c.achievedPerSecond)}/s: ${c.served} of ${c.count} served, ${c.errors} failed, ${c.unfinished} unfinished`;
  if (!c.latencyMs) return `${counts}; no latency (invalid run)`;
  const l = c.latencyMs;
  const s = c.serviceMs;
  return `${counts}; from intended start p50 ${ms(l.p50Ms)} ms, p95 ${ms(l.p95Ms)} ms, p99 ${ms(l.p99Ms)} ms, max ${ms(l.maxMs)} ms${s ? `; service p50 ${ms(s.p50Ms)} ms, p95 ${ms(s.p95Ms)} ms, p99 ${ms(s.p99Ms)} ms` : ''}`;
}

/** A promise's case: its verdict at the offered rate; skipped (with the run's problems) when the run is invalid. */
function promiseCase(c: ClassReport & { promise: NonNullable<ClassReport['promise']> }, report: LoadReport): FixedRateCase {
  const p = c.promise;
  const name = `${c.class}: p95 < ${p.limitP95Ms} ms at ${rate(c.nominalPerSecond)}/s`;
  const figures = [p.source, classFigures(c), report.cpuStatement];
  if (p.status === 'not judged') {
    const why = report.valid ? p.words : `not judged: the run is invalid: ${report.problems.join('; ')}`;
    return { name, classname: `execbench.load.${c.class}`, status: 'skipped', message: why, detail: [why, ...figures] };
  }
  const status = p.status === 'failed' ? 'failed' : 'passed';
  const message = p.status === 'inconclusive' ? `${p.words} (a warning, not a failure)` : p.words;
  return { name, classname: `execbench.load.${c.class}`, status, message, detail: [message, ...figures], ...(p.status === 'inconclusive' ? { inconclusive: true as const } : {}) };
}

/** A class's promise in a table cell: 'passed: p95 2.10 ms [1.90, 2.40] vs < 500 ms'; never a latency when not judged. */
export function promiseSummary(c: ClassReport, report: Pick<LoadReport, 'valid'>): string {
  const p = c.promise;
  if (!p) return '—';
  if (!p.verdict) return report.valid ? p.words : 'not judged (invalid run)';
  const v = p.verdict;
  return `${p.status}: p95 ${ms(v.estimateMs)} ms [${ms(v.ciLowMs)}, ${ms(v.ciHighMs)}] vs < ${p.limitP95Ms} ms`;
}

/** Every case of the run: the gates first (an invalid run is explained before anything else), then the promises. */
export function fixedRateCases(report: LoadReport): FixedRateCase[] {
  const promised = report.classes.filter((c): c is ClassReport & { promise: NonNullable<ClassReport['promise']> } => c.promise !== undefined);
  return [...report.gates.map((g) => gateCase(g, report)), ...promised.map((c) => promiseCase(c, report))];
}

/** Cases that did not pass: failed (the server, a promise) or errored (execbench could not measure, Ctrl-C). */
export const notPassing = (cases: readonly FixedRateCase[]) => cases.filter((c) => c.status === 'failed' || c.status === 'errored');

/** The checks in one sentence, as every view heads them: 'All 9 checks passed (dashboard inconclusive: ...).' */
export function checksSentence(cases: readonly FixedRateCase[]): string {
  const failing = notPassing(cases);
  const skipped = cases.filter((c) => c.status === 'skipped').length;
  const inconclusive = cases.filter((c) => c.inconclusive).map((c) => c.name);
  const notes = [
    ...(skipped ? [`${skipped} promise(s) not judged`] : []),
    ...(inconclusive.length ? [`${inconclusive.join(', ')}: inconclusive, a warning, not a failure`] : []),
  ];
  const tail = notes.length ? ` (${notes.join('; ')})` : '';
  return failing.length === 0 ? `All ${cases.length - skipped} checks passed${tail}.` : `${failing.length} of ${cases.length} checks did not pass${tail}:`;
}

/** The JUnit document. Pure. */
export function renderFixedRateJunit(report: LoadReport): string {
  const cases = fixedRateCases(report);
  const count = (status: FixedRateCase['status']) => cases.filter((c) => c.status === status).length;
  const seconds = (((report.interruptedAtMs ?? report.options.durationMs) / 1000)).toFixed(3);
  const body = cases.map((c) => {
    const inner = c.status === 'failed' ? `\n      <failure message="${x(c.message)}" type="load">${x(c.detail.join('\n'))}</failure>`
      : c.status === 'errored' ? `\n      <error message="${x(c.message)}" type="load">${x(c.detail.join('\n'))}</error>`
        : c.status === 'skipped' ? `\n      <skipped message="${x(c.message)}"/>` : '';
    return `    <testcase name="${x(c.name)}" classname="${x(c.classname)}" time="0.000">${inner}
      <system-out>${x(c.detail.join('\n'))}</system-out>
    </testcase>`;
  });
  const totals = `tests="${cases.length}" failures="${count('failed')}" errors="${count('errored')}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="execbench load" ${totals} time="${seconds}">
  <testsuite name="execbench load ${x(report.options.scale)} (${x(report.runId)})" ${totals} skipped="${count('skipped')}" time="${seconds}" timestamp="${x(report.startedAt)}">
${body.join('\n')}
  </testsuite>
</testsuites>
`;
}
