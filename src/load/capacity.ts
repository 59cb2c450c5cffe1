// Pure: the capacity search. For one promise (a class's p95 under a limit), find the highest offered rate at which it
// still holds: double from a starting rate until a step fails (or halve until one passes), then bisect the bracket to
// about 10%. Every step is judged as `run` judges a latency: the distribution-free interval of the p95 (on a series
// thinned to about-independent requests), passed when it lies wholly under the limit, failed when wholly over; an
// inconclusive step buys time (the same rate again with a window `growth` times longer, up to the rule's looks). An
// invalid step (the rate not achieved, the pool exhausted, execbench's own limit) counts as failed, with its reason.
//
// The answer is a lower confidence bound, never a point: the highest rate that passed, below every rate that did not.
// Why it is a bound, and at what confidence (the subtle part):
// - It assumes latency is monotone in the offered rate (the p95 never falls as the rate rises). Then the capacity C
//   (the supremum of rates whose true p95 is under the limit) is below a rate R only if R's true p95 is at or over the
//   limit, so "C >= highest passed rate" is wrong only if some step above C passed: its interval's upper bound fell
//   under a true p95 it should have covered.
// - Each step's upper bound is one-sided at level 1 - alpha/maxSteps; by Bonferroni (the union bound, which needs no
//   independence between steps and holds for steps chosen adaptively from earlier ones) the chance that any of at most
//   maxSteps steps passed falsely is at most alpha. Failures need no correction: a false failure only lowers the bound.
import { judgeLatency, VERDICT_RULE, type SequentialRule } from '../gate/latency-verdict.ts';
import type { LatencyVerdict } from '../results.ts';
import { minSamplesForUpperBound } from '../runner/statistics.ts';
import { independentSample } from './independence.ts';

/** Why a step was invalid; every cause but 'interrupted' counts as a failed step. */
export type InvalidCause = 'overload' | 'execbench' | 'measurement' | 'interrupted';

/** What one step (one fixed-rate run) says about the promise. */
export interface StepResult {
  /** The promise's verdict at this rate; absent when the run was invalid. */
  verdict?: LatencyVerdict;
  /**
   * Why the run was invalid: 'overload' (the server did not keep up, or the pool was exhausted), 'execbench' (the
   * generator's own schedule or CPU), 'measurement' (errors, bookkeeping): counted as failed, the words kept;
   * 'interrupted' (Ctrl-C): the search stops there and the step counts for nothing.
   */
  invalid?: { cause: InvalidCause; words: string };
  /**
   * The step was stopped early because it could no longer pass: more of its requests had already waited over the
   * limit than its p95 allows (step-plan.ts cannotPass). Counted as failed, without an interval: a failure can only
   * lower the bound, so cutting one short costs the bound nothing and saves the rest of the window.
   */
  cut?: { atMs: number; words: string };
}

/** A step as the search recorded it, with what the caller's runStep returned besides the verdict. */
export type SearchStep<D extends object = object> = StepResult & D & {
  rate: number;
  windowMs: number;
  /** 1-based: how many windows this rate has had (an inconclusive look buys another). */
  look: number;
  outcome: 'passed' | 'failed' | 'inconclusive' | 'stopped';
};

/** The knobs of the search. */
export interface CapacityRule {
  /** Requests per second of the first step. */
  startRate: number;
  /** Window of a step's first look, ms (the planner may lengthen it: see step-plan.ts). */
  windowMs: number;
  /** Stop bisecting when (failed - passed) / passed is at most this. */
  precision: number;
  /** An inconclusive look's next window is this many times longer. */
  growth: number;
  /** Looks per rate, at most. */
  maxLooks: number;
  /** Steps (fixed-rate runs, every look counted) in all, at most: the Bonferroni divisor. */
  maxSteps: number;
  /**
   * The server's throughput on this traffic, measured closed-loop before the search (run-search.ts probeCeiling); when
   * given, a passing rate under it steps up to just over it (ceilingStep x it) rather than doubling, since no rate
   * above the throughput can be served. Absent: plain doubling.
   */
  ceilingRate?: number;
  /** Never offer more than this, nor less than minRate. */
  maxRate: number;
  minRate: number;
  /** Confidence of the lower bound over the whole search (1 - alpha). */
  confidence: number;
}

/** A step up from under the measured ceiling goes to this many times it: over it, so the step is expected to fail. */
export const CEILING_STEP = 1.1;

/** Defaults: bisect to 10% (the issue's), an inconclusive step doubles its window, 4 looks, 16 steps, 95%. */
export const CAPACITY_RULE: Readonly<Omit<CapacityRule, 'startRate' | 'windowMs'>> = {
  precision: 0.1, growth: 2, maxLooks: VERDICT_RULE.maxLooks, maxSteps: 16, maxRate: 100_000, minRate: 0.01, confidence: 0.95,
};

/**
 * The sequential rule a step is judged with: judgeLatency's two-sided per-look interval at 1 - 2 alpha / maxSteps, so
 * its upper bound alone holds at 1 - alpha / maxSteps (quantileInterval splits the tails evenly).
 */
export function stepVerdictRule(rule: Pick<CapacityRule, 'confidence' | 'maxSteps' | 'maxLooks'>): SequentialRule {
  const perLookTwoSided = 1 - (2 * (1 - rule.confidence)) / rule.maxSteps;
  return { ...VERDICT_RULE, maxLooks: rule.maxLooks, confidence: 1 - rule.maxLooks * (1 - perLookTwoSided) };
}

/** Fewest about-independent samples a step needs before its p95 can pass (113 with the defaults). */
export function stepSamplesToPass(rule: Pick<CapacityRule, 'confidence' | 'maxSteps' | 'maxLooks'>): number {
  return minSamplesForUpperBound(0.95, 1 - (2 * (1 - rule.confidence)) / rule.maxSteps);
}

/** How sure the bound is, and why: stated with every capacity. */
export interface BoundConfidence {
  /** The search's confidence, as planned (Bonferroni over maxSteps). */
  nominal: number;
  /** With the steps actually taken (at least nominal): 1 - steps x perStepAlpha. */
  achieved: number;
  /** One-sided error of one step's upper bound. */
  perStepAlpha: number;
  steps: number;
  maxSteps: number;
  words: string;
}

/** The confidence statement of a search that took `steps` steps. */
export function boundConfidence(rule: Pick<CapacityRule, 'confidence' | 'maxSteps'>, steps: number): BoundConfidence {
  const perStepAlpha = (1 - rule.confidence) / rule.maxSteps;
  const achieved = 1 - steps * perStepAlpha;
  const pct = (x: number) => `${(x * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
  return {
    nominal: rule.confidence, achieved, perStepAlpha, steps, maxSteps: rule.maxSteps,
    words: `a ${pct(rule.confidence)} lower confidence bound, assuming latency is monotone in the offered rate: each step's p95 upper bound holds at ${pct(1 - perStepAlpha)} (one-sided), Bonferroni over at most ${rule.maxSteps} steps; this search took ${steps}, so at least ${pct(achieved)}`,
  };
}

/** The search's answer. */
export interface CapacityResult<D extends object = object> {
  /** The highest rate that passed, below every rate that did not: the capacity is at least this. Null: none passed. */
  lowerBound: number | null;
  /** The lowest rate that failed or stayed inconclusive; null when none did. */
  notBelow: number | null;
  status: 'bracketed' | 'bracket-wide' | 'no-pass' | 'no-fail' | 'limited' | 'undecided' | 'stopped';
  /** Why the search ended before its bracket was narrow: its steps, its time, Ctrl-C. */
  stoppedBy?: 'steps' | 'time' | 'interrupted';
  words: string;
  confidence: BoundConfidence;
  steps: SearchStep<D>[];
}

/** Runs one step: the promise's class offered `rate` per second for `windowMs`. */
export type RunStep<D extends object = object> = (rate: number, windowMs: number, look: number) => Promise<StepResult & D>;

/**
 * Plans one look's window: the rule's suggestion (windowMs, times growth per look) lengthened or refused by the caller
 * (time left, samples needed: step-plan.ts). A refusal ends the search with what it has.
 */
export type PlanWindow = (rate: number, look: number, suggestedMs: number) => { windowMs: number } | { stop: 'time' | 'interrupted'; words: string };

/** Turns one run's latencies (in schedule order) into a step result, as summary.ts judges a promise. */
export function judgeStep(latenciesInScheduleOrder: readonly number[], limitP95Ms: number, invalid?: StepResult['invalid'], options: { sequential?: SequentialRule; look?: number } = {}): StepResult & { thinnedEvery: number } {
  if (invalid) return { invalid, thinnedEvery: 1 };
  if (latenciesInScheduleOrder.length === 0) return { invalid: { cause: 'overload', words: 'no request was served' }, thinnedEvery: 1 };
  const { samples, lag } = independentSample(latenciesInScheduleOrder);
  const verdict = judgeLatency(samples, { limitMs: limitP95Ms, clock: 'client', statistic: 'p95' }, options.look ?? 1, options.sequential ?? stepVerdictRule({ ...CAPACITY_RULE }));
  return { verdict, thinnedEvery: lag };
}

const fmt = (rate: number) => (rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2));

/** The search (see the file's head). */
export async function searchCapacity<D extends object = object>(runStep: RunStep<D>, rule: CapacityRule, plan?: PlanWindow): Promise<CapacityResult<D>> {
  const steps: SearchStep<D>[] = [];
  let stop: { by: 'steps' | 'time' | 'interrupted'; words: string } | undefined;
  /** One rate, with as many looks as an inconclusive verdict may buy; undefined when the search must stop. */
  const judge = async (rate: number): Promise<'passed' | 'failed' | 'inconclusive' | undefined> => {
    let suggested = rule.windowMs;
    for (let look = 1; look <= rule.maxLooks; look++) {
      if (steps.length >= rule.maxSteps) {
        stop = { by: 'steps', words: `the search used its ${rule.maxSteps} steps` };
        return look > 1 ? 'inconclusive' : undefined;
      }
      const planned = plan ? plan(rate, look, suggested) : { windowMs: suggested };
      if ('stop' in planned) {
        stop = { by: planned.stop, words: planned.words };
        return look > 1 ? 'inconclusive' : undefined;
      }
      const result = await runStep(rate, planned.windowMs, look);
      const outcome: SearchStep['outcome'] = result.invalid
        ? result.invalid.cause === 'interrupted' ? 'stopped' : 'failed'
        : result.cut ? 'failed' : result.verdict!.status;
      steps.push({ ...result, rate, windowMs: planned.windowMs, look, outcome });
      if (outcome === 'stopped') {
        stop = { by: 'interrupted', words: 'stopped by Ctrl-C' };
        return undefined;
      }
      if (outcome !== 'inconclusive') return outcome;
      suggested = planned.windowMs * rule.growth;
    }
    return 'inconclusive';
  };

  let passed: number | null = null;
  let notPassed: number | null = null;
  // Bracket: double from the start while it passes (or step to just over the measured ceiling), halve while it does not.
  for (let rate = rule.startRate; ;) {
    const outcome = await judge(rate);
    if (outcome === undefined) break;
    if (outcome === 'passed') {
      passed = rate;
      const up = nextRateUp(rate, rule.ceilingRate);
      if (notPassed !== null || stop || up > rule.maxRate) break;
      rate = up;
    } else {
      notPassed = rate;
      if (passed !== null || stop || rate / 2 < rule.minRate) break;
      rate /= 2;
    }
  }
  // Bisect while the bracket is wider than the precision.
  while (!stop && passed !== null && notPassed !== null && (notPassed - passed) / passed > rule.precision) {
    const mid = (passed + notPassed) / 2;
    const outcome = await judge(mid);
    if (outcome === undefined) break;
    if (outcome === 'passed') passed = mid;
    else notPassed = mid;
  }
  return conclude(passed, notPassed, stop, steps, rule);
}

/** The next rate up from a passing one: just over the ceiling when it is above, else double. */
export function nextRateUp(rate: number, ceilingRate: number | undefined): number {
  if (ceilingRate !== undefined && rate < ceilingRate * CEILING_STEP) return Math.min(rate * 2, ceilingRate * CEILING_STEP);
  return rate * 2;
}

function conclude<D extends object>(passed: number | null, notPassed: number | null, stop: { by: 'steps' | 'time' | 'interrupted'; words: string } | undefined, steps: SearchStep<D>[], rule: CapacityRule): CapacityResult<D> {
  const judged = steps.filter((s) => s.outcome !== 'stopped').length;
  const base = { lowerBound: passed, notBelow: notPassed, steps, confidence: boundConfidence(rule, judged), ...(stop ? { stoppedBy: stop.by } : {}) };
  const at = passed !== null ? `at least ${fmt(passed)}/s (the highest offered rate whose p95 interval lay wholly under the limit)` : '';
  const ended = stop ? ` (${stop.words})` : '';
  // The lowest rate that did not pass, if execbench (not the server) was what failed there: above it nothing is known.
  const limitedAt = notPassed === null ? undefined : steps.filter((s) => s.rate === notPassed).at(-1);
  if (limitedAt?.invalid?.cause === 'execbench') {
    return { ...base, status: 'limited', words: `${passed !== null ? `capacity ${at}` : 'no rate passed'}; at ${fmt(notPassed!)}/s execbench, not the server, was the limit (${limitedAt.invalid.words})${ended}` };
  }
  if (passed === null) {
    if (notPassed === null) return { ...base, status: 'stopped', words: `no step was judged${ended}` };
    // "Does not hold" needs a step that showed it: a p95 interval over the limit, or a server that fell behind.
    const shown = steps.filter((s) => s.verdict?.status === 'failed' || s.invalid?.cause === 'overload' || s.cut);
    if (shown.length === 0) {
      return { ...base, status: 'undecided', words: `no rate was shown to pass or to fail, down to ${fmt(notPassed)}/s (its steps were inconclusive or invalid for execbench's own reasons)${ended}` };
    }
    const lowest = shown.reduce((a, b) => (b.rate < a.rate ? b : a));
    const why = `at ${fmt(lowest.rate)}/s: ${lowest.verdict?.status === 'failed' ? lowest.verdict.reason : lowest.cut?.words ?? lowest.invalid!.words}`;
    // "Held at no rate tried" only when the lowest rate tried is one that failed; a lower rate left inconclusive (or
    // unjudged: out of time) may still hold, and the search says it could not decide there.
    if (lowest.rate > notPassed) {
      return { ...base, status: 'undecided', words: `no rate passed: down to ${fmt(notPassed)}/s the steps were inconclusive (too few about-independent samples in the time given), and it did not hold ${why}${ended}` };
    }
    return { ...base, status: 'no-pass', words: `no rate passed, down to ${fmt(notPassed)}/s: the promise did not hold at any rate tried (${why})${ended}` };
  }
  if (notPassed === null) {
    return { ...base, status: 'no-fail', words: `capacity ${at}; every rate up to ${fmt(passed)}/s passed${ended || ` (the search stops at ${fmt(rule.maxRate)}/s)`}` };
  }
  const width = (notPassed - passed) / passed;
  if (width > rule.precision) {
    return { ...base, status: 'bracket-wide', words: `capacity ${at}; ${fmt(notPassed)}/s did not pass; the bracket is ${(width * 100).toFixed(0)}% wide${ended}` };
  }
  return { ...base, status: 'bracketed', words: `capacity ${at}; ${fmt(notPassed)}/s did not pass (${(width * 100).toFixed(0)}% above)` };
}
