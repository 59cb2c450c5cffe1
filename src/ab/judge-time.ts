// Pure: the time half of an interleaved A/B comparison. Base and head are measured in rounds on one connection: each
// round is a block of executions of the base's statement under the base's indexes and a block of the head's under
// the head's, in an order drawn per round. The machine's drift (a neighbour's load, frequency, cache) moves both
// blocks of a round alike, so the round's ratio (head block median / base block median) is free of it, and rounds
// are about independent of one another. The median of those ratios has a distribution-free interval (the sign test's
// order statistics: under "no change" each ratio is above 1 with probability 1/2, whatever its distribution).
//
// The gate tests each form one-sided: flagged when the lower bound of the ratio is above 1 (clearly slower), the ratio
// itself beyond 1 + minEffect and the medians apart by more than the clock's absolute floor (material). False alarms are controlled per run, not per comparison: each of the
// run's m gated time comparisons is tested at (1 - familyConfidence) / m (Bonferroni), so the chance that any of them
// flags unchanged code is at most 1 - familyConfidence whatever the forms' distributions. A flagged form is measured
// again (fresh rounds) and fails only if that confirms it: a burst that hit one side's blocks of a few rounds does not
// fail a pull request.
import { formatConfidence } from '../report/format.ts';
import type { Clock } from '../results.ts';
import { median, quantile, quantileIntervalRanks } from '../runner/statistics.ts';

/** One round of one clock: the executions of each side's block, ms. */
export interface AbRound {
  /** Which block ran first (drawn per round). */
  first: 'base' | 'head';
  base: number[];
  head: number[];
}

/** The knobs of the time half; AB_TIME_RULE holds the defaults. */
export interface AbTimeRule {
  /** The chance that a run with no change fails on time is at most 1 - this (all its gated comparisons together). */
  familyConfidence: number;
  /** The smallest slowdown that can fail: the ratio (its estimate) must be above 1 + minEffect, its lower bound above 1. */
  minEffect: number;
  /** The smallest absolute slowdown of the median that can fail, per clock, ms. */
  minAbsoluteMs: Record<Clock, number>;
  /** Rounds per measurement (and per confirmation). */
  rounds: number;
}

/**
 * 95% per run; 20% minimum effect and the floors of the stored-baseline gate (0.5 ms client, 0.05 ms server: a
 * change under them matters against none of the document's limits); 20 rounds. With 20 rounds and a run of about 20
 * gated comparisons, each tested at 0.25% one-sided, the lower bound is the 4th smallest of the 20 round ratios:
 * P(Bin(20, 1/2) <= 3) = 0.13%.
 */
export const AB_TIME_RULE: Readonly<AbTimeRule> = {
  familyConfidence: 0.95,
  minEffect: 0.2,
  minAbsoluteMs: { client: 0.5, server: 0.05 },
  rounds: 20,
};

/** What one measurement of one form's time says. */
export interface AbTimeJudgement {
  clock: Clock;
  statistic: 'median';
  rounds: number;
  /** Executions per block (the smallest of any block). */
  perBlock: number;
  /** Medians over every execution of each side, ms. */
  baseMedianMs: number;
  headMedianMs: number;
  /** p95 over every execution of each side, ms: reported, not gated (a tail of a few hundred executions is noise). */
  baseP95Ms: number;
  headP95Ms: number;
  /** head / base: the median of the rounds' ratios, and its interval (each side at the per-comparison level). */
  ratio: number;
  ratioLow: number | null;
  ratioHigh: number | null;
  /** One-sided confidence of each bound: 1 - (1 - familyConfidence) / comparisons. */
  confidence: number;
  /** The gated time comparisons of the run the level is divided among. */
  comparisons: number;
  flagged: boolean;
  /** One line: the figures and why flagged or not. */
  words: string;
}

/** The one-sided level each of `comparisons` comparisons is tested at, so the whole run holds familyConfidence. */
export function perComparisonConfidence(comparisons: number, rule: AbTimeRule = AB_TIME_RULE): number {
  if (!(Number.isInteger(comparisons) && comparisons >= 1)) throw new RangeError(`perComparisonConfidence: comparisons must be a whole number >= 1, got ${comparisons}.`);
  return 1 - (1 - rule.familyConfidence) / comparisons;
}

/** Fewest rounds from which a lower bound exists at this one-sided confidence (0.5^n <= 1 - confidence). */
export function minRoundsForBound(confidence: number): number {
  return Math.ceil(Math.log(1 - confidence) / Math.log(0.5) - 1e-9);
}

/** Judges one measurement of one form's time: the paired ratio, its interval, and whether it is a slowdown to fail. */
export function judgeAbTime(rounds: readonly AbRound[], clock: Clock, comparisons: number, rule: AbTimeRule = AB_TIME_RULE): AbTimeJudgement {
  const usable = rounds.filter((r) => r.base.length > 0 && r.head.length > 0);
  if (usable.length === 0) throw new RangeError('judgeAbTime: no round has executions on both sides; measure at least one round first.');
  const confidence = perComparisonConfidence(comparisons, rule);
  const logRatios = usable.map((r) => Math.log(median(r.head) / median(r.base))).sort((a, b) => a - b);
  // A two-sided interval at 1 - 2 alpha puts alpha in each tail: its lower bound is the one-sided bound at 1 - alpha.
  const { lowRank, highRank } = quantileIntervalRanks(logRatios.length, 0.5, 1 - 2 * (1 - confidence));
  const ratioLow = lowRank > 0 ? Math.exp(logRatios[lowRank - 1]!) : null;
  const ratioHigh = highRank > 0 ? Math.exp(logRatios[highRank - 1]!) : null;
  const ratio = Math.exp(median(logRatios));
  const baseMedianMs = median(usable.flatMap((r) => r.base));
  const headMedianMs = median(usable.flatMap((r) => r.head));
  const floor = rule.minAbsoluteMs[clock];
  // Clear: the ratio's lower bound is above 1 (what controls false alarms: under no change each round's ratio is
  // above 1 with probability 1/2). Large: the estimate is beyond the minimum effect and the medians differ by more
  // than the floor (what keeps a real but immaterial change from failing). Interleaving removes the drift between
  // runs, so the stored-baseline gate's stricter rule (the whole interval beyond the minimum effect) is not needed
  // here, and would cost power: a x1.5 slowdown's lower bound sits near +20% with 20 rounds of noisy blocks.
  const clear = ratioLow !== null && ratioLow > 1;
  const large = ratio > 1 + rule.minEffect && headMedianMs - baseMedianMs > floor;
  const flagged = clear && large;
  const pct = (r: number) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`;
  const interval = `[${ratioLow === null ? '—' : pct(ratioLow)}, ${ratioHigh === null ? '—' : pct(ratioHigh)}]`;
  const why = ratioLow === null
    ? `${usable.length} rounds give no bound at ${formatConfidence(confidence)} (needs ${minRoundsForBound(confidence)})`
    : flagged ? `clearly slower, beyond the ${(rule.minEffect * 100).toFixed(0)}% and ${floor} ms minimum effect`
      : !clear ? 'no clear slowdown'
        : ratio <= 1 + rule.minEffect ? `slower, but by less than the ${(rule.minEffect * 100).toFixed(0)}% minimum effect`
          : `slower, but by less than ${floor} ms`;
  return {
    clock, statistic: 'median', rounds: usable.length, perBlock: Math.min(...usable.map((r) => Math.min(r.base.length, r.head.length))),
    baseMedianMs, headMedianMs, baseP95Ms: quantile(usable.flatMap((r) => r.base), 0.95), headP95Ms: quantile(usable.flatMap((r) => r.head), 0.95),
    ratio, ratioLow, ratioHigh, confidence, comparisons, flagged,
    words: `${clock} median ${fmtMs(baseMedianMs)} -> ${fmtMs(headMedianMs)} ms, paired ratio ${pct(ratio)} ${interval} (${formatConfidence(confidence)} each side, ${usable.length} rounds): ${why}`,
  };
}

/** The time half's decision for a form: a slowdown fails only when a fresh measurement confirms it. */
export interface AbTimeDecision {
  status: 'passed' | 'regressed' | 'unconfirmed';
  first: AbTimeJudgement;
  confirmation?: AbTimeJudgement;
  words: string;
}

/** Combines a measurement and, when it flagged, its confirmation. */
export function decideAbTime(first: AbTimeJudgement, confirmation?: AbTimeJudgement): AbTimeDecision {
  if (!first.flagged) return { status: 'passed', first, words: first.words };
  if (!confirmation) throw new RangeError('decideAbTime: a flagged measurement needs its confirmation (measure the form again).');
  return confirmation.flagged
    ? { status: 'regressed', first, confirmation, words: `${first.words}; confirmed by a fresh measurement: ${confirmation.words}` }
    : { status: 'unconfirmed', first, confirmation, words: `${first.words}; not confirmed by a fresh measurement (${confirmation.words}): passed` };
}

/**
 * Which side's block runs first in each round: half the rounds each way (one more base-first for an odd count), in an
 * order shuffled by a seeded generator. Balanced, so an effect of going second (a cache the first block warmed) falls
 * on both sides equally; shuffled, so it cannot line up with a periodic disturbance; seeded, so a run repeats exactly.
 */
export function roundOrders(rounds: number, random: () => number): ('base' | 'head')[] {
  const orders: ('base' | 'head')[] = Array.from({ length: rounds }, (_, i) => (i < Math.ceil(rounds / 2) ? 'base' : 'head'));
  for (let i = orders.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [orders[i], orders[j]] = [orders[j]!, orders[i]!];
  }
  return orders;
}

function fmtMs(n: number): string {
  return n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1);
}

