// Pure: the document's verdict in a few lines, what a report and the console lead with. How many of the document's
// statements fail exactly as it prints them, grouped by why; whether the corrected forms pass; whether its headline
// promises hold. The gate's verdict comes after it: the gate judges the corrected forms, the document is judged here.
import type { HeadlineCheck, RunResults, ScenarioResult } from '../results.ts';
import { isJudged } from '../runner/headline.ts';
import { countsForGate, isTeamResult } from './format.ts';

/** Why a documented statement fails as written, most basic first (a statement is counted under its first cause). */
export type FailureCause = 'does-not-run' | 'no-index' | 'too-slow' | 'other';

/** The statements failing for one cause. */
export interface FailureGroup {
  cause: FailureCause;
  /** One short sentence: what is wrong with these statements. */
  summary: string;
  scenarioIds: string[];
  /** The documented forms' judged p95 range in ms (the no-index group: what reading the whole table costs). */
  latencyRangeMs?: { low: number; high: number };
}

/** The document's verdict, for reports to phrase. */
export interface DocumentVerdict {
  /** The document's statements this run judged as written (distinct scenarios with a documented form). */
  statements: number;
  failingCount: number;
  groups: FailureGroup[];
  scales: string[];
  /** The forms the gate judges (the corrected SQL where the document's needed a correction). */
  corrected: { judged: number; passed: number; failed: number; errored: number; skipped: number; inconclusive: number };
  promises: { held: HeadlineCheck[]; broken: HeadlineCheck[]; notJudged: HeadlineCheck[] };
}

const SUMMARY: Record<FailureCause, string> = {
  'does-not-run': 'do not run on PostgreSQL as written',
  'no-index': 'do not use the index the document names: the planner reads the whole table (Seq Scan) or another index',
  'too-slow': 'use their index but miss their latency limit',
  other: 'break another part of their contract (buffers, rows removed, locks)',
};

function causeOf(r: ScenarioResult): FailureCause | undefined {
  if (r.outcome.status === 'errored') return 'does-not-run';
  if (r.outcome.status !== 'failed') return undefined;
  const kinds = new Set(r.outcome.violations.map((v) => v.kind));
  if (kinds.has('sql-error')) return 'does-not-run';
  if (kinds.has('seq-scan') || kinds.has('index-not-used') || kinds.has('index-missing')) return 'no-index';
  if (kinds.has('threshold')) return 'too-slow';
  return 'other';
}

const ORDER: FailureCause[] = ['does-not-run', 'no-index', 'too-slow', 'other'];

/** The document's verdict from a run's results. Team queries (--queries) are not the document's and are left out. */
export function documentVerdict(results: RunResults): DocumentVerdict {
  const documented = results.scenarios.filter((r) => r.form === 'documented' && !isTeamResult(r));
  const ids = [...new Set(documented.map((r) => r.scenarioId))];
  const causes = new Map<string, FailureCause>();
  for (const id of ids) {
    const found = documented.filter((r) => r.scenarioId === id).map(causeOf).filter((c): c is FailureCause => c !== undefined);
    if (found.length > 0) causes.set(id, ORDER.find((c) => found.includes(c))!);
  }
  const groups = ORDER.flatMap((cause): FailureGroup[] => {
    const scenarioIds = ids.filter((id) => causes.get(id) === cause);
    if (scenarioIds.length === 0) return [];
    const times = documented
      .filter((r) => scenarioIds.includes(r.scenarioId))
      .map((r) => r.latencyVerdict?.estimateMs ?? r.latency?.client.p95Ms)
      .filter((ms): ms is number => ms !== undefined && ms > 0);
    return [{
      cause, summary: SUMMARY[cause], scenarioIds,
      ...(cause === 'no-index' && times.length > 0 ? { latencyRangeMs: { low: Math.min(...times), high: Math.max(...times) } } : {}),
    }];
  });
  const gated = results.scenarios.filter((r) => countsForGate(r, results.options.strictSpec) && !isTeamResult(r));
  const count = (status: ScenarioResult['outcome']['status']) => gated.filter((r) => r.outcome.status === status).length;
  return {
    statements: ids.length,
    failingCount: causes.size,
    groups,
    scales: [...new Set(documented.map((r) => r.scale))],
    corrected: {
      judged: gated.length, passed: count('passed'), failed: count('failed'), errored: count('errored'), skipped: count('skipped'),
      inconclusive: gated.filter((r) => r.latencyVerdict?.status === 'inconclusive').length,
    },
    promises: {
      held: results.headline.filter((c) => c.passed),
      broken: results.headline.filter((c) => !c.passed && isJudged(c)),
      notJudged: results.headline.filter((c) => !isJudged(c)),
    },
  };
}

/** A p95 range as words: '45-628 ms'. */
export function formatRange(range: { low: number; high: number }): string {
  const r = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(0) : ms.toFixed(1));
  return `${r(range.low)}-${r(range.high)} ms`;
}

/** The quoted words of a promise: 'Overview: "<2s Observability dashboard load time"' -> '"<2s Observability dashboard load time"'. */
export function promiseWords(check: HeadlineCheck): string {
  return /"[^"]+"/.exec(check.claim)?.[0] ?? check.claim;
}

/** One sentence on the corrected forms and the promises: whether the document's intent holds once its SQL is fixed. */
export function correctedSentence(v: DocumentVerdict): string {
  const c = v.corrected;
  const forms = c.failed + c.errored === 0
    ? `${c.passed === 1 ? 'the 1 form the gate judges passes' : `all ${c.passed} forms the gate judges pass`}${c.skipped ? ` (${c.skipped} skipped)` : ''}${c.inconclusive ? `, ${c.inconclusive} of them with an inconclusive latency verdict` : ''}`
    : `${c.failed + c.errored} of the ${c.judged} forms the gate judges still fail`;
  const promiseIds = (checks: HeadlineCheck[]) => [...new Set(checks.map(promiseWords))];
  const held = promiseIds(v.promises.held).filter((p) => !promiseIds(v.promises.broken).includes(p));
  const parts = [
    ...(held.length ? [`${held.join(', ')} ${held.length === 1 ? 'holds' : 'hold'}`] : []),
    ...(v.promises.broken.length ? [`${promiseIds(v.promises.broken).join(', ')} ${v.promises.broken.length === 1 ? 'does' : 'do'} not hold (at ${[...new Set(v.promises.broken.map((c) => c.scale))].join(', ')})`] : []),
    ...(v.promises.notJudged.length ? [`${promiseIds(v.promises.notJudged).join(', ')} not judged (a query it needs did not run)`] : []),
  ];
  return `Once corrected, ${forms}${parts.length ? `; of its promises, ${parts.join('; ')}` : ''}.`;
}
