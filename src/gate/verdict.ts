// Pure: (results, optional baseline comparison, --fail-on) -> the exit code and the reasons for it.
import { EXIT } from '../errors.ts';
import type { RunResults, ScenarioResult, Violation } from '../results.ts';
import type { RunComparison } from './compare.ts';

/** What can fail a run; chosen with --fail-on. */
/** drift: with --spec, the team's document and the scenarios disagree (SQL, figures, DDL; not statements no scenario runs). */
export type FailOn = 'contracts' | 'thresholds' | 'baseline' | 'inconclusive' | 'drift';

/** Every category --fail-on accepts. */
export const ALL_FAIL_ON: readonly FailOn[] = ['contracts', 'thresholds', 'baseline', 'inconclusive', 'drift'];
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

/**
 * Maps a run (and its baseline comparison, when there is one) to an exit code (src/errors.ts EXIT):
 * - EXIT.harness when a counted scenario errored (the harness could not judge it: that outranks a gate failure);
 * - EXIT.gate when a counted scenario broke a contract or threshold, or regressed against the baseline,
 *   and that category is in failOn;
 * - EXIT.ok otherwise.
 * Counted: results with gated=true; with options.strictSpec also the documented forms (the spec as written).
 * Refused baselines never get here: compareRuns throws BaselineError (EXIT.baseline) before.
 */
export function decideExit(results: RunResults, comparison: RunComparison | undefined, failOn: readonly FailOn[]): ExitDecision {
  const strict = results.options.strictSpec;
  const counts = (r: { gated: boolean; form: ScenarioResult['form'] }): boolean => r.gated || (strict && r.form === 'documented');
  const fatal = new Set(failOn);
  const reasons: string[] = [];
  const ignored: string[] = [];
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
        const category = violationCategory(violation.kind);
        const line = `${where}: ${category}: ${violation.kind}: ${violation.message}`;
        (fatal.has(category) ? reasons : ignored).push(line);
      }
    }
    if (result.latencyVerdict?.status === 'inconclusive') {
      const line = `${where}: inconclusive: ${result.latencyVerdict.reason}`;
      (fatal.has('inconclusive') ? reasons : ignored).push(line);
    }
  }
  for (const c of comparison?.comparisons ?? []) {
    if (c.status !== 'regressed' || !counts(c)) continue;
    const line = `${c.scenarioId} ${c.scale} ${c.form}: baseline: ${c.reasons.join('; ')}`;
    (fatal.has('baseline') ? reasons : ignored).push(line);
  }

  for (const finding of results.findings) {
    if (!isDrift(finding.id)) continue;
    const line = `document: drift: ${finding.title}`;
    (fatal.has('drift') ? reasons : ignored).push(line);
  }

  if (errored.length > 0) return { exitCode: EXIT.harness, reasons: [...errored, ...reasons], ignored };
  return { exitCode: reasons.length > 0 ? EXIT.gate : EXIT.ok, reasons, ignored };
}

/** A --spec drift finding that says the document and the scenarios disagree; a statement no scenario runs is not one. */
export function isDrift(findingId: string): boolean {
  return findingId.startsWith('document-drift-') && !findingId.startsWith('document-drift-statement-uncovered');
}
