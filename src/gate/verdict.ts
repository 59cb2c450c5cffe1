// Pure: (results, optional baseline comparison, --fail-on) -> the exit code and the reasons for it.
import { EXIT } from '../errors.ts';
import type { RunResults, ScenarioResult, Violation } from '../results.ts';
import { signalHalf, type RunComparison } from './compare.ts';

/**
 * What can fail a run; chosen with --fail-on. baseline: both halves of the baseline comparison; plan: its index,
 * plan-shape, buffers and rows checks, and gated forms it could not compare; time: its time checks (the half a noisy
 * runner can drop). drift: with --spec, the team's document and the scenarios disagree (SQL, figures, DDL; not
 * statements no scenario runs).
 */
export type FailOn = 'contracts' | 'thresholds' | 'baseline' | 'plan' | 'time' | 'inconclusive' | 'drift';

/** Every category --fail-on accepts. */
export const ALL_FAIL_ON: readonly FailOn[] = ['contracts', 'thresholds', 'baseline', 'plan', 'time', 'inconclusive', 'drift'];

/** What --fail-on accepts where there is a baseline comparison but no latency verdicts or document (compare). */
export const COMPARE_FAIL_ON: readonly FailOn[] = ['contracts', 'thresholds', 'baseline', 'plan', 'time'];
/**
 * What fails a run by default: an inconclusive latency verdict (its interval contains the limit even after the
 * sequential rule bought more samples) is a warning, fatal only with --fail-on inconclusive.
 */
export const DEFAULT_FAIL_ON: readonly FailOn[] = ['contracts', 'thresholds', 'baseline'];

/** The gate's decision. `ignored` lists failures that were found but are not in failOn (reported, not fatal). */
export interface ExitDecision {
  exitCode: number;
  reasons: string[];
  ignored: string[];
  /**
   * Verdicts left undecided on purpose (a pass beyond the cap per form, no sample near the limit), when
   * inconclusive is not fatal: neither a failure nor a warning, said as a note. Absent when there is none.
   */
  notes?: string[];
}

/** Which --fail-on category a violation kind belongs to. */
export function violationCategory(kind: Violation['kind']): FailOn {
  switch (kind) {
    case 'threshold':
      return 'thresholds';
    case 'baseline':
      return 'baseline';
    case 'index-not-used':
    case 'index-missing':
    case 'seq-scan':
    case 'buffers':
    case 'rows-removed':
    case 'sql-error':
    case 'lock':
      return 'contracts';
  }
}

/** Whether a category's failures are fatal under failOn: baseline stands for both of its halves, plan and time. */
export function isFatal(category: FailOn, failOn: readonly FailOn[]): boolean {
  return failOn.includes(category) || ((category === 'plan' || category === 'time') && failOn.includes('baseline'));
}

/**
 * Maps a run (and its baseline comparison, when there is one) to an exit code (src/errors.ts EXIT):
 * - EXIT.harness when a counted scenario errored (the harness could not judge it: that outranks a gate failure);
 * - EXIT.gate when a counted scenario broke a contract or threshold, or failed a half of the baseline comparison
 *   (plan: index, plan shape, buffers, rows, or a gated form it could not compare; time), and that category
 *   (or baseline, for either half) is in failOn;
 * - EXIT.ok otherwise.
 * Each failed half of a regressed form is a reason line of its own ('<form>: baseline plan: ...', '... baseline
 * time: ...'); one outside failOn goes to `ignored`, naming its half.
 * With a comparison, it is the baseline's whole word: 'baseline' violations stored in results (run --baseline
 * records them there) are not counted again. Without one, those violations count by their half.
 * Counted: results with gated=true; with options.strictSpec also the documented forms (the spec as written).
 * Refused baselines never get here: compareRuns throws BaselineError (EXIT.baseline) before.
 */
export function decideExit(results: RunResults, comparison: RunComparison | undefined, failOn: readonly FailOn[]): ExitDecision {
  const strict = results.options.strictSpec;
  const counts = (r: { gated: boolean; form: ScenarioResult['form'] }): boolean => r.gated || (strict && r.form === 'documented');
  const fatal = { has: (category: FailOn): boolean => isFatal(category, failOn) };
  const reasons: string[] = [];
  const ignored: string[] = [];
  const notes: string[] = [];
  const errored: string[] = [];

  for (const result of results.scenarios) {
    if (!counts(result)) continue;
    // A team's own query has one form, its own: named as such, not as the document's.
    const where = `${result.scenarioId} ${result.scale} ${result.origin === 'team' ? 'your query' : result.form}`;
    const outcome = result.outcome;
    if (outcome.status === 'errored') {
      errored.push(`${where}: errored: ${outcome.error}`);
    } else if (outcome.status === 'failed') {
      for (const violation of outcome.violations) {
        if (violation.kind === 'baseline') {
          if (comparison) continue;
          const half = violation.half;
          // Older results carry no half: such a violation is fatal with baseline (both halves) only.
          (fatal.has(half ?? 'baseline') ? reasons : ignored).push(`${where}: baseline${half ? ` ${half}` : ''}: ${violation.message}`);
          continue;
        }
        const category = violationCategory(violation.kind);
        const line = `${where}: ${category}: ${violation.kind}: ${violation.message}`;
        (fatal.has(category) ? reasons : ignored).push(line);
      }
    }
    if (result.latencyVerdict?.status === 'inconclusive') {
      // Beyond the cap (a pass it could not afford, no sample near the limit): a note unless inconclusive is fatal.
      const { beyondCap, reason } = result.latencyVerdict;
      if (fatal.has('inconclusive')) reasons.push(`${where}: inconclusive${beyondCap ? ' beyond the cap' : ''}: ${reason}`);
      else if (beyondCap) notes.push(`${where}: ${reason}`);
      else ignored.push(`${where}: inconclusive: ${reason}`);
    }
  }
  for (const c of comparison?.comparisons ?? []) {
    const where = `${c.scenarioId} ${c.scale} ${c.form}`;
    if (c.status === 'not-compared') {
      // compareRuns decided which gaps fail the plan half (counted forms it could not judge, unless --allow-missing).
      if (c.gate === 'plan') (fatal.has('plan') ? reasons : ignored).push(`${where}: baseline plan: ${c.reason}`);
      continue;
    }
    if (c.status !== 'regressed' || !counts(c)) continue;
    for (const half of ['plan', 'time'] as const) {
      const failed = c.checks.filter((k) => !k.passed && signalHalf(k.signal) === half);
      if (failed.length === 0) continue;
      (fatal.has(half) ? reasons : ignored).push(`${where}: baseline ${half}: ${failed.map((k) => k.message).join('; ')}`);
    }
  }
  if (comparison?.nothingCompared && !comparison.options.allowMissing) {
    (fatal.has('plan') ? reasons : ignored).push(`baseline plan: ${comparison.nothingCompared}`);
  }

  for (const finding of results.findings) {
    if (!isDrift(finding.id)) continue;
    const line = `document: drift: ${finding.title}`;
    (fatal.has('drift') ? reasons : ignored).push(line);
  }

  const withNotes = notes.length > 0 ? { notes } : {};
  if (errored.length > 0) return { exitCode: EXIT.harness, reasons: [...errored, ...reasons], ignored, ...withNotes };
  return { exitCode: reasons.length > 0 ? EXIT.gate : EXIT.ok, reasons, ignored, ...withNotes };
}

/** A --spec drift finding that says the document and the scenarios disagree; a statement no scenario runs is not one. */
export function isDrift(findingId: string): boolean {
  return findingId.startsWith('document-drift-') && !findingId.startsWith('document-drift-statement-uncovered');
}
