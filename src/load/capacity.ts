// Pure: the capacity search. For one promise (a class's p95 under a limit), find the highest offered rate at which it
// still holds: double from a starting rate until a step fails (or halve until one passes), then bisect the bracket to
// about 10%. Every step is judged as `run` judges a latency: the distribution-free interval of the p95 (on a series
// thinned to about-independent requests), passed when it lies wholly under the limit, failed when wholly over; an
// inconclusive step buys time (the same rate again with a window `growth` times longer, up to the rule's looks).
// The answer is a lower bound: the highest rate that passed, below the lowest that did not, never a point estimate.
import { judgeLatency, VERDICT_RULE } from '../gate/latency-verdict.ts';
import type { LatencyVerdict } from '../results.ts';
import { independentSample } from './independence.ts';

/** What one step (one fixed-rate run) says about the promise. */
export interface StepResult {
  /** The promise's verdict at this rate; absent when the run was invalid. */
  verdict?: LatencyVerdict;
  /**
   * Why the run was invalid: 'overload' (the server did not keep up with the rate: the promise does not hold there,
   * so the step counts as failed) or 'execbench' (the generator's own limit: nothing can be said at this rate or above).
   */
  invalid?: { cause: 'overload' | 'execbench'; words: string };
}

/** A step as the search recorded it. */
export interface SearchStep extends StepResult {
  rate: number;
  windowMs: number;
  /** 1-based: how many windows this rate has had (an inconclusive look buys another). */
  look: number;
  outcome: 'passed' | 'failed' | 'inconclusive' | 'limited';
}

/** The knobs of the search. */
export interface CapacityRule {
  /** Requests per second of the first step. */
  startRate: number;
  /** Window of a step's first look, ms (long enough that queueing's memory is a small part of it). */
  windowMs: number;
  /** Stop bisecting when (failed - passed) / passed is at most this. */
  precision: number;
  /** An inconclusive look's next window is this many times longer. */
  growth: number;
  /** Looks per rate, at most (the verdict rule's). */
  maxLooks: number;
  /** Steps (fixed-rate runs) in all, at most. */
  maxSteps: number;
  /** Never offer more than this, nor less than minRate. */
  maxRate: number;
  minRate: number;
}

/** Defaults: bisect to 10% (the issue's), an inconclusive step doubles its window, the verdict rule's four looks. */
export const CAPACITY_RULE: Readonly<Omit<CapacityRule, 'startRate' | 'windowMs'>> = {
  precision: 0.1, growth: 2, maxLooks: VERDICT_RULE.maxLooks, maxSteps: 24, maxRate: 100_000, minRate: 0.01,
};

/** The search's answer. */
export interface CapacityResult {
  /** The highest rate that passed, below every rate that did not: the capacity is at least this. Null: none passed. */
  lowerBound: number | null;
  /** The lowest rate that failed or stayed inconclusive; null when none did. */
  notBelow: number | null;
  status: 'bracketed' | 'bracket-wide' | 'no-pass' | 'no-fail' | 'limited';
  words: string;
  steps: SearchStep[];
}

/** Runs one step: the promise's class offered `rate` per second for `windowMs`. */
export type RunStep = (rate: number, windowMs: number, look: number) => Promise<StepResult>;

/** Turns one run's latencies (in schedule order) into a step result, as summary.ts judges a promise. */
export function judgeStep(latenciesInScheduleOrder: readonly number[], limitP95Ms: number, invalid?: StepResult['invalid']): StepResult {
  if (invalid) return { invalid };
  if (latenciesInScheduleOrder.length === 0) return { invalid: { cause: 'overload', words: 'no request was served' } };
  const { samples } = independentSample(latenciesInScheduleOrder);
  return { verdict: judgeLatency(samples, { limitMs: limitP95Ms, clock: 'client', statistic: 'p95' }) };
}

const fmt = (rate: number) => (rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2));

/** The search (see the file's head). */
export async function searchCapacity(runStep: RunStep, rule: CapacityRule): Promise<CapacityResult> {
  const steps: SearchStep[] = [];
  /** One rate, with as many looks as an inconclusive verdict may buy. */
  const judge = async (rate: number): Promise<SearchStep['outcome'] | 'out-of-steps'> => {
    let windowMs = rule.windowMs;
    for (let look = 1; look <= rule.maxLooks; look++) {
      if (steps.length >= rule.maxSteps) return 'out-of-steps';
      const result = await runStep(rate, windowMs, look);
      const outcome: SearchStep['outcome'] = result.invalid
        ? result.invalid.cause === 'overload' ? 'failed' : 'limited'
        : result.verdict!.status;
      steps.push({ ...result, rate, windowMs, look, outcome });
      if (outcome !== 'inconclusive') return outcome;
      windowMs *= rule.growth;
    }
    return 'inconclusive';
  };

  let passed: number | null = null;
  let notPassed: number | null = null;
  let limitedAt: number | null = null;
  let outOfSteps = false;
  // Bracket: double from the start while it passes, halve while it does not.
  for (let rate = rule.startRate; ;) {
    const outcome = await judge(rate);
    if (outcome === 'out-of-steps') { outOfSteps = true; break; }
    if (outcome === 'limited') { limitedAt = rate; break; }
    if (outcome === 'passed') {
      passed = rate;
      if (notPassed !== null) break;
      if (rate * 2 > rule.maxRate) break;
      rate *= 2;
    } else {
      notPassed = rate;
      if (passed !== null) break;
      if (rate / 2 < rule.minRate) break;
      rate /= 2;
    }
  }
  // Bisect while the bracket is wider than the precision.
  while (!outOfSteps && limitedAt === null && passed !== null && notPassed !== null && (notPassed - passed) / passed > rule.precision) {
    const mid = (passed + notPassed) / 2;
    const outcome = await judge(mid);
    if (outcome === 'out-of-steps') { outOfSteps = true; break; }
    if (outcome === 'limited') { limitedAt = mid; break; }
    if (outcome === 'passed') passed = mid;
    else notPassed = mid;
  }
  return conclude(passed, notPassed, limitedAt, outOfSteps, steps, rule);
}

function conclude(passed: number | null, notPassed: number | null, limitedAt: number | null, outOfSteps: boolean, steps: SearchStep[], rule: CapacityRule): CapacityResult {
  const base = { lowerBound: passed, notBelow: notPassed, steps };
  const at = passed !== null ? `at least ${fmt(passed)}/s (the highest offered rate whose p95 interval lay wholly under the limit)` : '';
  if (limitedAt !== null) {
    return { ...base, status: 'limited', words: `execbench could not offer ${fmt(limitedAt)}/s (its own schedule or CPU): ${passed !== null ? `capacity ${at}; above that execbench, not the server, is the limit` : 'no rate was judged below it'}` };
  }
  if (passed === null) {
    return { ...base, status: 'no-pass', words: `no rate passed, down to ${fmt(notPassed ?? rule.startRate)}/s: the promise does not hold at any rate tried` };
  }
  if (notPassed === null) {
    return { ...base, status: 'no-fail', words: `capacity ${at}; every rate up to ${fmt(passed)}/s passed (the search stops at ${fmt(rule.maxRate)}/s or its steps)` };
  }
  const width = (notPassed - passed) / passed;
  if (width > rule.precision) {
    return { ...base, status: 'bracket-wide', words: `capacity ${at}; ${fmt(notPassed)}/s did not pass; the bracket is ${(width * 100).toFixed(0)}% wide${outOfSteps ? ` (the search ran out of its ${rule.maxSteps} steps)` : ''}` };
  }
  return { ...base, status: 'bracketed', words: `capacity ${at}; ${fmt(notPassed)}/s did not pass (${(width * 100).toFixed(0)}% above)` };
}
