// Pure: (samples, threshold, clock) -> a latency verdict with the confidence interval of the statistic it judges,
// and the bounded sequential rule that decides how many more samples an undecided verdict may buy.
import type { Clock, LatencyVerdict } from '../results.ts';
import { minSamplesForUpperBound, quantileInterval } from '../runner/statistics.ts';

/** What a latency threshold asks: the p95 of one clock under a limit. */
export interface LatencyRule {
  limitMs: number;
  clock: Clock;
  statistic: 'p95';
}

/** The knobs of the sequential rule; VERDICT_RULE holds the defaults execbench uses. */
export interface SequentialRule {
  /** Overall two-sided confidence of a verdict, across all its looks. */
  confidence: number;
  /** At most this many looks (interval computations) per verdict; each look uses confidence 1 - (1 - c) / maxLooks. */
  maxLooks: number;
  /** The first look happens no earlier than this many samples (a slow form can fail here already). */
  firstLookSamples: number;
  /** An undecided look asks for this many times the samples it had (at least the minimum for an upper bound). */
  growth: number;
}

/**
 * 95% overall, 4 looks (Bonferroni: 98.75% per look, so the chance that any look of a verdict decides wrongly is
 * at most 5%), first look at 5 samples, doubling. With these numbers a p95 can be judged "passed" only from 99
 * samples up (the smallest n whose order-statistic interval has an upper bound at 98.75%: 0.95^99 <= 0.625%), and
 * "failed" from 5 samples up, where the interval's lower bound is the median of the five: a statement that holds
 * whatever the latency distribution, so a Seq Scan 10x over its limit need not cost 99 slow executions.
 */
export const VERDICT_RULE: Readonly<SequentialRule> = { confidence: 0.95, maxLooks: 4, firstLookSamples: 5, growth: 2 };

const QUANTILE = { p95: 0.95 } as const;

/** The per-look confidence of the sequential rule (Bonferroni over its looks). */
export function perLookConfidence(rule: SequentialRule = VERDICT_RULE): number {
  return 1 - (1 - rule.confidence) / rule.maxLooks;
}

/** Fewest samples from which a "passed" verdict is possible under the rule (99 for p95 with the defaults). */
export function minSamplesToPass(statistic: LatencyRule['statistic'] = 'p95', rule: SequentialRule = VERDICT_RULE): number {
  return minSamplesForUpperBound(QUANTILE[statistic], perLookConfidence(rule));
}

/**
 * Judges one look: passed when the whole interval is under the limit, failed when the whole interval is over it,
 * inconclusive otherwise (including a missing bound: too few samples to say). `look` is 1-based.
 */
export function judgeLatency(samples: readonly number[], rule: LatencyRule, look = 1, sequential: SequentialRule = VERDICT_RULE): LatencyVerdict {
  const confidence = perLookConfidence(sequential);
  const ci = quantileInterval(samples, QUANTILE[rule.statistic], confidence);
  const status: LatencyVerdict['status'] = ci.high !== null && ci.high < rule.limitMs
    ? 'passed'
    : ci.low !== null && ci.low > rule.limitMs ? 'failed' : 'inconclusive';
  const interval = formatInterval(ci.low, ci.high);
  const n = samples.length;
  const reason = status === 'passed'
    ? `${rule.clock} p95 ${interval} ms < ${fmt(rule.limitMs)} ms`
    : status === 'failed'
      ? `${rule.clock} p95 ${interval} ms > ${fmt(rule.limitMs)} ms`
      : ci.high === null && (ci.low === null || ci.low <= rule.limitMs)
        ? `${rule.clock} p95 ${interval} ms: ${n} samples give no upper bound at ${pct(confidence)} (needs ${minSamplesToPass(rule.statistic, sequential)}), and the lower bound is under ${fmt(rule.limitMs)} ms`
        : `${rule.clock} p95 ${interval} ms contains the limit ${fmt(rule.limitMs)} ms`;
  return {
    clock: rule.clock,
    statistic: rule.statistic,
    limitMs: rule.limitMs,
    estimateMs: ci.estimate,
    ciLowMs: ci.low,
    ciHighMs: ci.high,
    confidence,
    overallConfidence: sequential.confidence,
    samples: n,
    looks: look,
    status,
    reason: `${reason} (${pct(confidence)} distribution-free interval, ${n} samples, look ${look} of at most ${sequential.maxLooks})`,
  };
}

/**
 * How many samples the next look needs, or undefined to stop: a decided verdict stops, and so does the last look.
 * An undecided one asks for `growth` times its samples, and at least enough for an upper bound to exist.
 */
export function nextLookSamples(verdict: LatencyVerdict, sequential: SequentialRule = VERDICT_RULE): number | undefined {
  if (verdict.status !== 'inconclusive' || verdict.looks >= sequential.maxLooks) return undefined;
  return Math.max(Math.ceil(verdict.samples * sequential.growth), minSamplesToPass(verdict.statistic, sequential));
}

/**
 * Samples per window over which measure.ts times a slow form's sampling before asking passOutOfReach: the rate of the
 * latest window, never the first samples' (a cold first execution would make a pass look dearer than it is).
 */
export const OUT_OF_REACH_WINDOW = 10;

/**
 * Margin before a pass counts as out of reach: the samples still needed must cost this many times the time left under
 * the cap, so a form near the edge (the 1M sparkline: 99 samples of ~0.18 s in a 20 s cap) still buys its samples.
 */
export const OUT_OF_REACH_MARGIN = 1.5;

/**
 * Whether an undecided verdict's "passed" is out of reach under the per-form cap: no upper bound yet, the samples a
 * pass needs would cost more than OUT_OF_REACH_MARGIN times the time left, and every sample so far is under the limit
 * (so buying more could not decide "failed" either, short of the query changing mid-run). Returns what a pass would
 * cost, or undefined when sampling should go on. Pure: measure.ts stops there and says so.
 */
export function passOutOfReach(
  verdict: LatencyVerdict, largestSampleMs: number, sampleMs: number, remainingMs: number, capMs: number,
  samplesSoFar: number = verdict.samples, sequential: SequentialRule = VERDICT_RULE,
): LatencyVerdict['beyondCap'] {
  if (verdict.status !== 'inconclusive' || verdict.ciHighMs !== null || largestSampleMs >= verdict.limitMs) return undefined;
  const neededSamples = minSamplesToPass(verdict.statistic, sequential);
  const estimatedMs = Math.max(0, neededSamples - samplesSoFar) * sampleMs;
  if (estimatedMs <= remainingMs * OUT_OF_REACH_MARGIN) return undefined;
  return { neededSamples, sampleMs, estimatedMs, capMs };
}

/** The sentence added to a verdict stopped by passOutOfReach: what a pass costs and the flag that buys it. */
export function beyondCapReason(beyond: NonNullable<LatencyVerdict['beyondCap']>): string {
  const suggest = Math.ceil((beyond.estimatedMs * 1.2) / 10_000) * 10;
  return `a pass needs ${beyond.neededSamples} samples, about ${Math.round(beyond.estimatedMs / 1000)} s more at ${beyond.sampleMs >= 10 ? Math.round(beyond.sampleMs) : fmt(beyond.sampleMs)} ms each, ` +
    `beyond the ${Math.round(beyond.capMs / 1000)} s cap per form, and no sample came near the limit: sampling stopped here ` +
    `(run again with --max-form-time ${Math.max(suggest, Math.round(beyond.capMs / 1000) + 10)}s to decide it)`;
}

/**
 * The whole sequential rule on a synchronous sample source (tests and simulations; measure.ts runs the same two
 * functions against a live server): draw `firstLook` samples, judge, buy more while undecided and looks remain.
 */
export function sequentialVerdict(
  draw: (count: number) => number[], rule: LatencyRule, firstLook: number, sequential: SequentialRule = VERDICT_RULE,
): LatencyVerdict {
  const samples = draw(Math.max(firstLook, sequential.firstLookSamples));
  let verdict = judgeLatency(samples, rule, 1, sequential);
  for (let target = nextLookSamples(verdict, sequential); target !== undefined; target = nextLookSamples(verdict, sequential)) {
    samples.push(...draw(target - samples.length));
    verdict = judgeLatency(samples, rule, verdict.looks + 1, sequential);
  }
  return verdict;
}

/** '[0.31, 0.42]', '[0.31, —]' (no upper bound yet), '[—, 0.42]'. */
export function formatInterval(low: number | null, high: number | null): string {
  return `[${low === null ? '—' : fmt(low)}, ${high === null ? '—' : fmt(high)}]`;
}

function fmt(n: number): string {
  return n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1);
}

function pct(c: number): string {
  return `${(c * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
}
