// One file: the baseline gate's one rule, compareRuns and the per-signal checks it makes (indexes, plan shape, buffers,
// rows, time), sharing CompareOptions and SignalCheck; split, the one rule would be read across several files.
// Pure: (baseline run, current run) -> one comparison per scenario x scale x form. Results are values, never exceptions,
// except the guardrails (BaselineError) and invalid options (UsageError), which refuse a comparison that would be meaningless (BaselineError).
import type { IndexUse, PlanFacts } from '../plan/types.ts';
import type { BaselineHalf, Clock, RunResults, ScenarioResult } from '../results.ts';
import { bootstrapShift, quantile } from '../runner/statistics.ts';
import { UsageError } from '../errors.ts';
import { checkComparable } from './guardrails.ts';

/** Knobs of the baseline gate; every field has a documented default. */
export interface CompareOptions {
  /** Allowed relative increase of shared buffers hit+read before it fails (default 0.10 = 10%). */
  bufferTolerance?: number;
  /** Allowed relative increase of rows touched before it fails (default: bufferTolerance). */
  rowsTolerance?: number;
  /**
   * Absolute slack on top of the relative tolerances (default 2): buffers and rows of tiny plans (8 blocks) move by
   * one or two between identical runs (visibility map, catalog cache), which is not a regression.
   */
  absoluteSlack?: number;
  /** Smallest slowdown of the median or p95 that can fail (default 0.20 = 20%). */
  minEffect?: number;
  /**
   * Smallest absolute slowdown that can fail, ms (default 0.5). Sub-millisecond queries drift by a few tenths
   * between identical runs on a busy machine (scheduler, GC), a drift the bootstrap sees as "clear"; it matters
   * against none of the spec's thresholds (the smallest is 2 ms), and a real regression of such a query (a
   * lost index) changes its plan and buffers, which the deterministic signals catch.
   */
  minAbsoluteMs?: number;
  /**
   * The same floor on the server clock (default 0.05 ms): pg_stat_statements times the executor alone, without
   * the client's scheduler and GC noise, so a far smaller absolute change is real there.
   */
  minAbsoluteServerMs?: number;
  /**
   * Two-sided confidence of the bootstrap interval (default 0.99). A run makes dozens of comparisons
   * (scenarios x scales x {median, p95}); 99% keeps the chance of a false alarm per statistic at 0.5%.
   */
  confidence?: number;
  /** Bootstrap resamples (default 2000). */
  iterations?: number;
  /** Bootstrap seed (default 1); each comparison derives its own from this and its key, so verdicts are reproducible. */
  seed?: number;
  /** Fewer retained samples than this on either side: the time check is skipped, with the reason (default 10). */
  minSamples?: number;
  /**
   * Gate the latency of write scenarios too (default false: their time is reported, not gated). A rolled-back
   * write is timed against tuple headers, hint bits and WAL state that earlier rolled-back writes left behind,
   * so two runs of unchanged code differ by up to 2x (measured by bench:gate); their plan, index, buffers and
   * rows are still gated strictly.
   */
  gateWriteTime?: boolean;
  /**
   * The same for the p95 (default 99): below ~100 samples a p95 rests on a handful of tail observations and
   * the bootstrap interval of such an extreme quantile is too narrow (it under-covers), so it would flag noise.
   * 99, not a round 100: it is the fewest samples from which the run's own verdict can pass a p95
   * (minSamplesToPass), which is exactly what a slow form buys; one more and its tail would never be compared.
   */
  minSamplesP95?: number;
  /**
   * Accept forms the comparison could not judge (default false): a form gated in the baseline and not measured in
   * this run, or skipped or without a plan on one side, and a comparison in which nothing was compared, are then
   * warnings instead of failures of the plan half (--allow-missing).
   */
  allowMissing?: boolean;
}

export const DEFAULT_COMPARE_OPTIONS: Required<CompareOptions> = {
  bufferTolerance: 0.1,
  rowsTolerance: 0.1,
  absoluteSlack: 2,
  minEffect: 0.2,
  minAbsoluteMs: 0.5,
  minAbsoluteServerMs: 0.05,
  confidence: 0.99,
  iterations: 2000,
  seed: 1,
  minSamples: 10,
  minSamplesP95: 99,
  gateWriteTime: false,
  allowMissing: false,
};

/** Identifies one scenario result across runs. */
export interface ComparisonKey {
  scenarioId: string;
  scale: string;
  form: 'documented' | 'corrected';
  /** From the current run (or the baseline when the current run lacks the form). */
  gated: boolean;
}

/** One signal compared between baseline and current. `passed: false` is a regression. */
export type SignalCheck =
  | { signal: 'plan-shape'; passed: boolean; baselineShape: string; currentShape: string; message: string }
  | { signal: 'index'; passed: boolean; baselineIndexes: string[]; currentIndexes: string[]; message: string }
  | {
      signal: 'buffers' | 'rows'; passed: boolean; baseline: number; current: number; changePct: number; tolerancePct: number; message: string;
      /** Why this amount is reported but not gated (a plan that reads only catalog relations); passed is then true. */
      notGated?: string;
    }
  | {
      signal: 'time';
      statistic: 'median' | 'p95';
      /** The clock compared: the threshold's, where both runs read it the same way. */
      clock: Clock;
      passed: boolean;
      baselineMs: number;
      currentMs: number;
      estimateRatio: number;
      ciLow: number;
      ciHigh: number;
      confidence: number;
      minEffect: number;
      message: string;
    }
  | { signal: 'time'; statistic: 'median' | 'p95'; passed: true; skipped: string; message: string };

/**
 * Why a form was not compared: missing from the current run, new in it (not in the baseline), skipped, errored, or
 * without a plan on one side.
 */
export type NotComparedCause = 'missing' | 'new' | 'skipped' | 'errored' | 'no-plan';

/**
 * What a form that was not compared means for the gate: 'plan' fails the plan half (a gated form the gate could not
 * judge), 'warning' is reported (a new gated form, or one accepted with allowMissing), 'none' is neither (a form the
 * gate does not count, or one that errored in this run: that fails the run as a harness error of its own).
 */
export type NotComparedGate = 'plan' | 'warning' | 'none';

/** The comparison of one scenario x scale x form: a tagged union on `status`. */
export type ScenarioComparison =
  | (ComparisonKey & { status: 'passed'; checks: SignalCheck[] })
  | (ComparisonKey & { status: 'regressed'; checks: SignalCheck[]; reasons: string[] })
  | (ComparisonKey & { status: 'not-compared'; reason: string; cause: NotComparedCause; gate: NotComparedGate });

/** Everything compareRuns found. */
export interface RunComparison {
  baselineRunId: string;
  currentRunId: string;
  /**
   * Differences that do not stop the comparison but may explain a result (settings, machine, Postgres minor, table
   * state), and what the gate accepted without judging (new gated forms, forms accepted with allowMissing).
   */
  warnings: string[];
  comparisons: ScenarioComparison[];
  /**
   * Set when no counted form was compared at all (no scenario in common, or none with a plan on both sides): the
   * sentence says so and names the fix. It fails the plan half unless options.allowMissing (then it is a warning too).
   */
  nothingCompared?: string;
  options: Required<CompareOptions>;
}

/** Which half of the gate a signal belongs to: the deterministic plan signals, or time. */
export function signalHalf(signal: SignalCheck['signal']): BaselineHalf {
  return signal === 'time' ? 'time' : 'plan';
}

/**
 * Compares two runs per scenario x scale x form on the deterministic signals (plan shape, indexes, buffers,
 * rows touched) and on time (bootstrap of the median and p95 of the retained client samples).
 * A time check fails only when the slowdown is statistically clear AND exceeds minEffect: the CI's lower bound of
 * current/baseline is above 1 + minEffect (and the absolute change above minAbsoluteMs). Throws BaselineError from the guardrails and UsageError on invalid options; everything else is a value.
 * No silent pass: a counted form the comparison could not judge (gated in the baseline and absent now, or skipped or
 * without a plan on one side) is 'not-compared' with gate 'plan', and nothingCompared is set when no counted form was
 * compared at all; options.allowMissing turns both into warnings. A counted form new in this run is a warning.
 */
export function compareRuns(baseline: RunResults, current: RunResults, options: CompareOptions = {}): RunComparison {
  validateCompareOptions(options);
  const opts: Required<CompareOptions> = {
    ...DEFAULT_COMPARE_OPTIONS,
    rowsTolerance: options.rowsTolerance ?? options.bufferTolerance ?? DEFAULT_COMPARE_OPTIONS.rowsTolerance,
    ...withoutUndefined(options),
  };
  const { warnings } = checkComparable(baseline, current);
  // The forms the gate counts (decideExit's rule): gated ones, and with --strict-spec the documented ones too.
  const strict = current.options.strictSpec;
  const counted = (r: Pick<ScenarioResult, 'gated' | 'form'>): boolean => r.gated || (strict && r.form === 'documented');

  const baselineByKey = new Map(baseline.scenarios.map((r) => [keyOf(r), r]));
  const comparisons: ScenarioComparison[] = [];
  const seen = new Set<string>();
  for (const cur of current.scenarios) {
    const key = keyOf(cur);
    seen.add(key);
    const base = baselineByKey.get(key);
    const id: ComparisonKey = { scenarioId: cur.scenarioId, scale: cur.scale, form: cur.form, gated: cur.gated };
    if (!base) {
      comparisons.push(counted(cur)
        ? { ...id, status: 'not-compared', cause: 'new', gate: 'warning', reason: 'new in this run, not in the baseline: a new query cannot regress (a warning); it is compared once the baseline has it' }
        : { ...id, status: 'not-compared', cause: 'new', gate: 'none', reason: 'not in the baseline (a new scenario or form)' });
      continue;
    }
    comparisons.push(compareResult(id, base, cur, opts, counted(cur)));
  }
  for (const base of baseline.scenarios) {
    if (seen.has(keyOf(base))) continue;
    const id: ComparisonKey = { scenarioId: base.scenarioId, scale: base.scale, form: base.form, gated: base.gated };
    if (!counted(base)) {
      comparisons.push({ ...id, status: 'not-compared', cause: 'missing', gate: 'none', reason: 'in the baseline but not in the current run (filtered out or removed)' });
      continue;
    }
    const what = 'gated in the baseline, not measured in this run (removed, renamed or filtered out)';
    comparisons.push(opts.allowMissing
      ? { ...id, status: 'not-compared', cause: 'missing', gate: 'warning', reason: `${what}; accepted with --allow-missing` }
      : { ...id, status: 'not-compared', cause: 'missing', gate: 'plan', reason: `${what}: run the same scenarios as the baseline, or accept it with --allow-missing` });
  }

  const label = (c: ComparisonKey): string => `${c.scenarioId} ${c.scale} ${c.form}`;
  const gaps = comparisons.filter((c): c is Extract<ScenarioComparison, { status: 'not-compared' }> => c.status === 'not-compared');
  const added = gaps.filter((c) => c.cause === 'new' && c.gate === 'warning');
  if (added.length > 0) {
    warnings.push(`${added.length} gated form(s) new in this run, not in the baseline (a new query cannot regress; it is compared once the baseline has it): ${added.map(label).join(', ')}.`);
  }
  const accepted = gaps.filter((c) => c.cause !== 'new' && c.gate === 'warning');
  if (accepted.length > 0) {
    warnings.push(`${accepted.length} gated form(s) not compared, accepted with --allow-missing: ${accepted.map((c) => `${label(c)} (${c.cause})`).join(', ')}.`);
  }

  let nothingCompared: string | undefined;
  if (!comparisons.some((c) => c.status !== 'not-compared' && counted(c))) {
    const inBaseline = baseline.scenarios.filter(counted).length;
    const inCurrent = current.scenarios.filter(counted).length;
    nothingCompared = `nothing was compared: of the baseline's ${inBaseline} gated form(s) and this run's ${inCurrent}, none has a plan on both sides, ` +
      'so no plan, buffers, rows or time was judged: compare runs of the same scenarios and scales';
    if (opts.allowMissing) warnings.push(`${nothingCompared} (accepted with --allow-missing).`);
    else nothingCompared += ', or accept it with --allow-missing';
  }
  return {
    baselineRunId: baseline.runId, currentRunId: current.runId, warnings, comparisons,
    ...(nothingCompared !== undefined ? { nothingCompared } : {}),
    options: opts,
  };
}

/** Refuses option values that would make the gate meaningless (UsageError naming the flag and an example). */
export function validateCompareOptions(options: CompareOptions): void {
  // The first four are `compare` flags; the others are options of the API alone (no flag sets them), named as such.
  const nonNegative = (name: string, value: number | undefined, flag = true): void => {
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
      throw new UsageError(flag
        ? `--${name} must be a number >= 0, got ${value}. Example: --${name} 0.2`
        : `The compare option ${name} must be a number >= 0, got ${value}.`);
    }
  };
  nonNegative('min-effect', options.minEffect);
  nonNegative('min-absolute-ms', options.minAbsoluteMs);
  nonNegative('buffer-tolerance', options.bufferTolerance);
  nonNegative('minAbsoluteServerMs', options.minAbsoluteServerMs, false);
  nonNegative('rowsTolerance', options.rowsTolerance, false);
  nonNegative('absoluteSlack', options.absoluteSlack, false);
  nonNegative('minSamples', options.minSamples, false);
  if (options.confidence !== undefined && !(options.confidence > 0 && options.confidence < 1)) {
    throw new UsageError(`--confidence must be between 0 and 1 (exclusive), got ${options.confidence}. Example: --confidence 0.99`);
  }
  if (options.iterations !== undefined && !(Number.isInteger(options.iterations) && options.iterations >= 100)) {
    throw new UsageError(`The compare option iterations must be an integer >= 100, got ${options.iterations}.`);
  }
}

function compareResult(id: ComparisonKey, base: ScenarioResult, cur: ScenarioResult, opts: Required<CompareOptions>, counted: boolean): ScenarioComparison {
  const baseWhy = whyNotComparable(base, 'baseline');
  const curWhy = whyNotComparable(cur, 'current');
  const unusable = curWhy?.cause === 'errored' ? curWhy : baseWhy ?? curWhy;
  if (unusable) {
    const { cause, side, reason } = unusable;
    // A form that errored in this run already fails it as a harness error (decideExit): counting it here too would say it twice.
    if (!counted || (cause === 'errored' && side === 'current')) return { ...id, status: 'not-compared', cause, gate: 'none', reason };
    // Skipped (or planless) on both sides alike, e.g. both runs without the optional schema: nothing differs, so
    // nothing fails here; the current run's own result says why (and nothing compared at all still fails).
    if (baseWhy && curWhy && baseWhy.cause === curWhy.cause) {
      return { ...id, status: 'not-compared', cause, gate: 'none', reason: `${cause === 'skipped' ? 'skipped' : 'no plan'} in both runs (${curWhy.reason})` };
    }
    if (opts.allowMissing) return { ...id, status: 'not-compared', cause, gate: 'warning', reason: `${reason}; gated, accepted with --allow-missing` };
    const fix = side === 'current' ? 'measure it in this run as the baseline did' : 'compare with a baseline in which it was measured';
    return { ...id, status: 'not-compared', cause, gate: 'plan', reason: `${reason}; gated, so the gate cannot judge it: ${fix}, or accept it with --allow-missing` };
  }
  // whyNotComparable guarantees plans on both sides.
  const checks: SignalCheck[] = [
    ...comparePlanFacts(base.plan as PlanFacts, cur.plan as PlanFacts, opts),
    ...(['median', 'p95'] as const).map((statistic) => {
      const check = compareTime(statistic, base, cur, opts, `${keyOf(cur)}|${statistic}`);
      return cur.kind === 'write' && !opts.gateWriteTime && !check.passed
        ? { ...check, passed: true, message: `${check.message} (reported, not gated: write scenario timings are not gated unless gateWriteTime)` }
        : check;
    }),
  ];
  const failed = checks.filter((c) => !c.passed);
  return failed.length === 0
    ? { ...id, status: 'passed', checks }
    : { ...id, status: 'regressed', checks, reasons: failed.map((c) => c.message) };
}

/**
 * The plan half of a comparison, for one pair of plans: index, plan-shape, buffers and rows checks, in that order.
 * Where both plans read only catalog relations (readsOnlyCatalog), buffers and rows are reported, not gated: they
 * grow with the database's catalog (every schema and dataset in it), not with the executions table. Index and
 * plan shape are gated all the same.
 */
export function comparePlanFacts(base: PlanFacts, cur: PlanFacts, opts: Required<CompareOptions>): SignalCheck[] {
  const amounts = [
    compareAmount('buffers', sharedBlocks(base), sharedBlocks(cur), opts.bufferTolerance, opts.absoluteSlack),
    compareAmount('rows', rowsTouched(base), rowsTouched(cur), opts.rowsTolerance, opts.absoluteSlack),
  ];
  if (!(readsOnlyCatalog(base) && readsOnlyCatalog(cur))) return [compareIndexes(base, cur), compareShape(base, cur), ...amounts];
  const why = `reported, not gated: the plan reads only catalog relations (${planRelations(cur).join(', ')}), ` +
    'whose size follows every schema and dataset in the database, not the executions table';
  return [
    compareIndexes(base, cur),
    compareShape(base, cur),
    ...amounts.map((a): AmountCheck => ({ ...a, passed: true, notGated: why, message: `${a.message} (${why})` })),
  ];
}

/**
 * Whether a plan reads no user relation: it names at least one relation and every one is a catalog relation
 * (pg_class, pg_index, pg_namespace behind pg_stat_user_indexes and the like). Postgres names its catalog tables
 * pg_*; EXPLAIN without VERBOSE prints no schema, so a user table named pg_* would be taken for one.
 */
export function readsOnlyCatalog(plan: PlanFacts): boolean {
  const relations = planRelations(plan);
  return relations.length > 0 && relations.every((name) => name.startsWith('pg_'));
}

/** The relations a plan names: as analyzePlan records them, or (plans analysed before it did) from its scans and ModifyTable. */
function planRelations(plan: PlanFacts): string[] {
  if (plan.relations) return plan.relations;
  const modified = plan.shape.split('\n').flatMap((line) => /^\s*ModifyTable \w+ on (\S+)/.exec(line)?.[1] ?? []);
  return [...new Set([
    ...modified,
    ...plan.seqScans.map((s) => s.relation),
    ...plan.tidScans.map((t) => t.relation),
    ...plan.indexes.flatMap((i) => (i.relation ? [i.relation] : [])),
  ])];
}

function whyNotComparable(
  result: ScenarioResult,
  side: 'baseline' | 'current',
): { cause: Exclude<NotComparedCause, 'missing' | 'new'>; side: 'baseline' | 'current'; reason: string } | undefined {
  const outcome = result.outcome;
  if (outcome.status === 'skipped') return { cause: 'skipped', side, reason: `skipped in the ${side} run: ${outcome.reason}` };
  if (outcome.status === 'errored') return { cause: 'errored', side, reason: `errored in the ${side} run: ${outcome.error}` };
  if (!result.plan) {
    const sqlError = outcome.status === 'failed' ? outcome.violations.find((v) => v.kind === 'sql-error') : undefined;
    return { cause: 'no-plan', side, reason: sqlError ? `no plan in the ${side} run (${sqlError.message})` : `no plan in the ${side} run` };
  }
  return undefined;
}

/** How a plan uses its indexes, as comparable labels: 'idx_a (Index Scan Backward)'. */
function indexLabels(plan: PlanFacts): string[] {
  const label = (use: IndexUse): string =>
    `${use.index} (${use.access}${use.direction && use.direction !== 'Forward' ? ` ${use.direction}` : ''})`;
  return [...new Set(plan.indexes.map(label))].sort();
}

function compareIndexes(base: PlanFacts, cur: PlanFacts): SignalCheck {
  const baselineIndexes = indexLabels(base);
  const currentIndexes = indexLabels(cur);
  const same = baselineIndexes.join('\n') === currentIndexes.join('\n');
  const describe = (labels: string[], plan: PlanFacts): string =>
    labels.length > 0 ? labels.join(', ') : `no index${plan.seqScans.length ? ` (Seq Scan on ${plan.seqScans.map((s) => s.relation).join(', ')})` : ''}`;
  return {
    signal: 'index',
    passed: same,
    baselineIndexes,
    currentIndexes,
    message: same
      ? `same indexes: ${describe(currentIndexes, cur)}`
      : `index changed: was ${describe(baselineIndexes, base)}, now ${describe(currentIndexes, cur)}`,
  };
}

function compareShape(base: PlanFacts, cur: PlanFacts): SignalCheck {
  const same = base.shape === cur.shape;
  let message = 'same plan shape';
  if (!same) {
    const a = base.shape.split('\n');
    const b = cur.shape.split('\n');
    const i = a.findIndex((line, k) => line !== b[k]);
    const at = i === -1 ? a.length : i;
    message = `plan shape changed at node ${at + 1}: was '${(a[at] ?? '(none)').trim()}', now '${(b[at] ?? '(none)').trim()}'`;
  }
  return { signal: 'plan-shape', passed: same, baselineShape: base.shape, currentShape: cur.shape, message };
}

function sharedBlocks(plan: PlanFacts): number {
  return plan.buffers.sharedHit + plan.buffers.sharedRead;
}

/** Rows touched: scan rows when the plan analysis recorded them, else rows returned plus rows filtered away. */
function rowsTouched(plan: PlanFacts): number {
  return plan.rowsScanned ?? plan.rowsReturned + plan.rowsRemovedByFilter;
}

/** A buffers or rows check. */
type AmountCheck = Extract<SignalCheck, { signal: 'buffers' | 'rows' }>;

function compareAmount(signal: 'buffers' | 'rows', baseline: number, current: number, tolerance: number, slack: number): AmountCheck {
  const changePct = baseline > 0 ? ((current - baseline) / baseline) * 100 : current > 0 ? Infinity : 0;
  const limit = baseline * (1 + tolerance) + slack;
  const passed = current <= limit;
  const what = signal === 'buffers' ? 'shared buffers hit+read' : 'rows touched';
  const change = Number.isFinite(changePct) ? `${changePct >= 0 ? '+' : ''}${changePct.toFixed(1)}%` : 'from 0';
  return {
    signal,
    passed,
    baseline,
    current,
    changePct,
    tolerancePct: tolerance * 100,
    message: `${what} ${baseline} -> ${current} (${change}; ${passed ? 'within' : 'beyond'} ${(tolerance * 100).toFixed(0)}% + ${slack})`,
  };
}

function compareTime(
  statistic: 'median' | 'p95',
  base: ScenarioResult,
  cur: ScenarioResult,
  opts: Required<CompareOptions>,
  seedKey: string,
): SignalCheck {
  // The clock the form's threshold judges: server execution time where both runs read it the same way (the same
  // method), else the client round trip. Comparing one clock across runs keeps a harness change on one side (a
  // different server-clock method) from reading as a regression.
  const clock: Clock = (cur.threshold?.clock ?? base.threshold?.clock) === 'server'
    && base.latency?.serverMethod !== undefined && base.latency.serverMethod === cur.latency?.serverMethod
    ? 'server' : 'client';
  const samplesOf = (r: ScenarioResult): number[] => (clock === 'server' ? r.latency?.serverSamplesMs : r.latency?.clientSamplesMs) ?? [];
  const a = samplesOf(base);
  const b = samplesOf(cur);
  const floorMs = clock === 'server' ? opts.minAbsoluteServerMs : opts.minAbsoluteMs;
  const need = statistic === 'p95' ? Math.max(opts.minSamples, opts.minSamplesP95) : opts.minSamples;
  if (a.length < need || b.length < need) {
    const skipped = `${clock} time ${statistic} not compared: ${a.length} baseline and ${b.length} current samples (need ${need} each)`;
    return { signal: 'time', statistic, passed: true, skipped, message: skipped };
  }
  const shift = bootstrapShift(a, b, {
    statistic,
    iterations: opts.iterations,
    confidence: opts.confidence,
    seed: (opts.seed ^ hash32(seedKey)) >>> 0,
  });
  const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`;
  const statsOf = (r: ScenarioResult): number => {
    const samples = samplesOf(r);
    return samples.length > 0 ? quantile(samples, statistic === 'median' ? 0.5 : 0.95) : Number.NaN;
  };
  // "Statistically clear AND larger than the minimum effect" is read strictly: the whole interval must lie
  // beyond the minimum effect, not just the point estimate. Between two runs a busy machine drifts by 10-25%
  // as a whole, which no within-run bootstrap can see; an estimate of +23% with an interval from +11% is that.
  const clear = shift.ciLow > 1;
  const large = shift.ciLow > 1 + opts.minEffect;
  const absolute = statsOf(cur) - statsOf(base) > floorMs;
  const passed = !(clear && large && absolute);
  const ci = `${(opts.confidence * 100).toFixed(0)}% CI ${pct(shift.ciLow)} .. ${pct(shift.ciHigh)}`;
  const verdict = passed
    ? !clear ? 'no clear slowdown'
      : !large ? `slower, but below the ${(opts.minEffect * 100).toFixed(0)}% minimum effect`
        : `slower, but by less than ${floorMs} ms`
    : `slower beyond the ${(opts.minEffect * 100).toFixed(0)}% and ${floorMs} ms minimum effect`;
  return {
    signal: 'time',
    statistic,
    clock,
    passed,
    baselineMs: statsOf(base),
    currentMs: statsOf(cur),
    estimateRatio: shift.estimateRatio,
    ciLow: shift.ciLow,
    ciHigh: shift.ciHigh,
    confidence: opts.confidence,
    minEffect: opts.minEffect,
    message: `${clock} time ${statistic} ${pct(shift.estimateRatio)} (${ci}): ${verdict}`,
  };
}

function keyOf(result: Pick<ScenarioResult, 'scenarioId' | 'scale' | 'form'>): string {
  return `${result.scenarioId}|${result.scale}|${result.form}`;
}

/** FNV-1a, 32 bit: a stable per-comparison seed offset (also each A/B form's round order). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
