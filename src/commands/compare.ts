// `execbench compare <baseline.json> <current.json>`: the regression gate between two saved runs.
import { compareRuns, signalHalf, validateCompareOptions, type CompareOptions, type RunComparison, type ScenarioComparison, type SignalCheck } from '../gate/compare.ts';
import { readResultsFile } from '../gate/results-file.ts';
import { ALL_FAIL_ON, decideExit, type FailOn } from '../gate/verdict.ts';
import { EXIT, UsageError } from '../errors.ts';
import { checkReadableFile } from '../paths.ts';
import { textTable } from '../report/console.ts';
import { formatTableState } from '../report/format.ts';
import type { RunResults } from '../results.ts';

export interface CompareCommandOptions extends CompareOptions {
  baselinePath: string;
  currentPath: string;
  /**
   * What fails the comparison (default: every category; the current run's own contracts and thresholds still apply).
   * baseline = plan + time; plan alone keeps the deterministic half (index, plan shape, buffers, rows, forms not compared).
   */
  failOn?: FailOn[];
  /** Where lines go (default: stdout). */
  print?: (text: string) => void;
}

/**
 * Reads both files, compares them, prints the table, warnings and the gate's reasons, and returns the exit code:
 * 0 no regression, 1 a regression (or a contract/threshold failure of the current run, per failOn),
 * 2 a scenario errored in the current run. An unreadable file or a refused comparison throws BaselineError
 * (exit 4); invalid options throw UsageError (exit 3); the CLI prints their one-line message.
 */
export async function runCompareCommand(options: CompareCommandOptions): Promise<number> {
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  validateCompareOptions(options);
  for (const f of options.failOn ?? []) {
    if (!ALL_FAIL_ON.includes(f)) throw new UsageError(`--fail-on: unknown '${f}'. Use a comma list of ${ALL_FAIL_ON.join(', ')}.`);
  }
  for (const [label, file] of [['baseline file', options.baselinePath], ['current file', options.currentPath]] as const) {
    await checkReadableFile(file, { label, exitCode: EXIT.baseline, fix: 'Point to a results.json written by `execbench run` (reports/<run-id>/results.json).' });
  }
  const baseline = await readResultsFile(options.baselinePath, 'baseline');
  const current = await readResultsFile(options.currentPath, 'current');
  const comparison = compareRuns(baseline, current, options);
  const decision = decideExit(current, comparison, options.failOn ?? [...ALL_FAIL_ON]);

  print(`Baseline ${baseline.runId} (${options.baselinePath}) -> current ${current.runId} (${options.currentPath})`);
  print('');
  print(renderComparisonTable(comparison));
  print('');
  for (const line of renderTableStates(baseline, current)) print(line);
  for (const warning of comparison.warnings) print(`warning: ${warning}`);
  print(`${comparisonCounts(comparison)} ` +
    `Time: bootstrap ${(comparison.options.confidence * 100).toFixed(0)}% CI of current/baseline; fails when clearly slower by more than ${(comparison.options.minEffect * 100).toFixed(0)}%.`);
  for (const reason of decision.reasons) print(`FAIL ${reason}`);
  for (const reason of decision.ignored) print(`note (not gated) ${reason}`);
  for (const note of decision.notes ?? []) print(`note (left undecided on purpose) ${note}`);
  print(decision.exitCode === EXIT.ok ? 'Gate: passed (exit 0).' : `Gate: failed (exit ${decision.exitCode}).`);
  return decision.exitCode;
}

/** One sentence: how many forms passed, regressed, were not compared (and how many of those fail the plan half). */
export function comparisonCounts(comparison: RunComparison): string {
  const count = (status: ScenarioComparison['status']): number => comparison.comparisons.filter((c) => c.status === status).length;
  const gaps = comparison.comparisons.filter((c) => c.status === 'not-compared');
  const failing = gaps.filter((c) => c.gate === 'plan').length;
  const warned = gaps.filter((c) => c.gate === 'warning').length;
  const detail = [failing ? `${failing} failing the plan half` : '', warned ? `${warned} warning(s)` : ''].filter(Boolean).join(', ');
  return `${comparison.comparisons.length} comparisons: ${count('passed')} passed, ${count('regressed')} regressed, ${count('not-compared')} not compared${detail ? ` (${detail})` : ''}.`;
}

/** The executions table each side measured, per scale (where the results record it): what buffers and rows depend on. */
export function renderTableStates(baseline: RunResults, current: RunResults): string[] {
  return current.datasets.flatMap((d) => {
    const before = baseline.datasets.find((b) => b.scale === d.scale)?.tableState;
    if (!before && !d.tableState) return [];
    const side = (state: typeof before): string => (state ? formatTableState(state) : 'not recorded (older results)');
    return [`table state at ${d.scale}: baseline ${side(before)}; now ${side(d.tableState)}`];
  });
}

/** One row per scenario x scale x form: each signal's verdict, time as the ratio with its CI. */
export function renderComparisonTable(comparison: RunComparison): string {
  const header = ['scenario', 'scale', 'form', 'gated', 'index/plan', 'buffers', 'rows', 'median', 'p95', 'verdict'];
  const rows = comparison.comparisons.map((c) => {
    const key = [c.scenarioId, c.scale, c.form, c.gated ? 'yes' : 'no'];
    if (c.status === 'not-compared') {
      const label = c.gate === 'plan' ? 'NOT COMPARED (fails plan)' : c.gate === 'warning' ? 'not compared (warning)' : 'not compared';
      return [...key, '-', '-', '-', '-', '-', `${label}: ${c.reason}`];
    }
    const find = (signal: SignalCheck['signal'], statistic?: string): SignalCheck | undefined =>
      c.checks.find((k) => k.signal === signal && (statistic === undefined || ('statistic' in k && k.statistic === statistic)));
    const planCell = [find('index'), find('plan-shape')].every((k) => k?.passed) ? 'same' : 'CHANGED';
    return [...key, planCell, amountCell(find('buffers')), amountCell(find('rows')), timeCell(find('time', 'median')), timeCell(find('time', 'p95')), verdictCell(c)];
  });
  return textTable(header, rows);
}

function amountCell(check: SignalCheck | undefined): string {
  if (!check || (check.signal !== 'buffers' && check.signal !== 'rows')) return '-';
  const change = Number.isFinite(check.changePct) ? `${check.changePct >= 0 ? '+' : ''}${check.changePct.toFixed(0)}%` : 'new';
  // (catalog): reported, not gated (a plan reading only catalog relations).
  return `${check.baseline}->${check.current} ${change}${check.notGated ? ' (catalog)' : check.passed ? '' : ' !'}`;
}

function timeCell(check: SignalCheck | undefined): string {
  if (!check || check.signal !== 'time') return '-';
  if ('skipped' in check) return 'n/a';
  const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(0)}%`;
  return `${pct(check.estimateRatio)} [${pct(check.ciLow)},${pct(check.ciHigh)}]${check.passed ? '' : ' !'}`;
}

/** 'REGRESSED plan: index, buffers; time: median': the failed signals, by the half of the gate they belong to. */
function verdictCell(c: Exclude<ScenarioComparison, { status: 'not-compared' }>): string {
  if (c.status === 'passed') return 'pass';
  const failed = c.checks.filter((k) => !k.passed);
  const halves = (['plan', 'time'] as const).flatMap((half) => {
    const signals = failed.filter((k) => signalHalf(k.signal) === half).map((k) => ('statistic' in k ? k.statistic : k.signal));
    return signals.length > 0 ? [`${half}: ${signals.join(', ')}`] : [];
  });
  return `REGRESSED ${halves.join('; ')}`;
}
