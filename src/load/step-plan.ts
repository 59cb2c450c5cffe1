// Pure: how long each step of a capacity search runs, within a time budget. A step's window must hold enough
// about-independent requests for its p95 to be able to pass (a pass needs an upper bound: 113 samples with the
// search's defaults); at a low rate that is a long window, at a high one the --step floor decides. Before a step
// starts, the time it would take (window, connecting, draining, putting the table back) must fit in what is left of
// the search's share of --max-time: a step that does not fit is not started, and the search reports what it has.
// The first part of every window is left out of the verdict: the queue starts empty and the connections cold, so
// the first requests see a server that is not yet in the steady state of that rate.
import { VALIDITY_RULE } from './validity.ts';

/** The knobs of step planning, each with why it is what it is. */
export const STEP_PLAN = {
  /** Plan for this many times the samples a pass needs: a step's thinning lag is not known before it runs. */
  sampleMargin: 1.25,
  /** Leave out of the verdict the requests scheduled in the first 10% of the window (at least 250 ms). */
  warmupShare: 0.1,
  warmupMinMs: 250,
  /** A step shorter than 1 s says too little: the pool's connect and the drain would weigh as much as the traffic. */
  minWindowMs: 1000,
  /** Connecting the pool, the drain and the table's restore, when no step has been timed yet. */
  defaultOverheadMs: 1500,
} as const;

/** The part of a window left out of the verdict, ms. */
export function warmupMs(windowMs: number): number {
  return Math.min(windowMs / 2, Math.max(STEP_PLAN.warmupMinMs, windowMs * STEP_PLAN.warmupShare));
}

/** Shortest window (ms) in which a rate can gather `samples` about-independent requests after the warm-up. */
export function windowForSamples(rate: number, samples: number, lag: number): number {
  const requests = samples * Math.max(1, lag) * STEP_PLAN.sampleMargin;
  return Math.ceil((requests / rate) * 1000 / (1 - STEP_PLAN.warmupShare));
}

/** What planStep needs to know. */
export interface StepPlanInput {
  rate: number;
  look: number;
  /** The search's suggestion: --step for a first look, the last window times growth for a later one. */
  suggestedMs: number;
  /** About-independent samples a pass needs (stepSamplesToPass). */
  samplesToPass: number;
  /** The thinning lag the last step of this promise measured (FIRST_LAG_HINT before any). */
  lagHint: number;
  /** A step is never longer than this (a later look may ask for more: it gets this). */
  maxWindowMs: number;
  /** Time left in this search's share, ms. */
  remainingMs: number;
  /** Time a step costs besides its window (measured on earlier steps), ms. */
  overheadMs: number;
}

/** A planned window, or why no step can start. */
export type StepPlan = { windowMs: number; shortened?: string } | { stop: 'time'; words: string };

/**
 * The window of one look: long enough that a pass is possible at the thinning lag seen so far, and at least what the
 * search suggests (--step for a first look, twice the last window for a later one); never over maxWindowMs; shortened to what is left when that still gives minWindowMs, else refused.
 */
export function planStep(input: StepPlanInput): StepPlan {
  // Every look is planned so that a pass is possible with the lag seen so far (a later look also at least doubles).
  const wanted = Math.max(input.suggestedMs, windowForSamples(input.rate, input.samplesToPass, input.lagHint));
  const windowMs = Math.max(STEP_PLAN.minWindowMs, Math.min(wanted, input.maxWindowMs));
  const available = input.remainingMs - input.overheadMs;
  if (windowMs <= available) return { windowMs };
  if (available >= STEP_PLAN.minWindowMs) {
    return { windowMs: Math.floor(available), shortened: `shortened from ${(windowMs / 1000).toFixed(1)} s to the ${(available / 1000).toFixed(1)} s left: it can fail but may be too short to pass` };
  }
  return { stop: 'time', words: `out of time: a ${(windowMs / 1000).toFixed(1)} s step at ${formatRate(input.rate)}/s does not fit in the ${(Math.max(0, input.remainingMs) / 1000).toFixed(1)} s left of this search's share of --max-time` };
}

/**
 * The thinning lag a search plans its first step with, before any step of that promise has measured one. A
 * dashboard load is four statements and overlaps the next (and the cleanup batch beside it): its neighbours are
 * alike, 1 in 5 to 1 in 15 were independent in every search measured here (100k and 1M). Planned with 1, the first
 * step at 1M (5 loads/s) ran 29 s and gathered 27 of the 113 samples a pass needs: a look wasted before the window
 * that could pass. The pages' lag is larger still (1 in 50 to 1 in 190), but at hundreds of views a second the
 * --step floor already holds the samples.
 */
export const FIRST_LAG_HINT: Readonly<Record<'dashboard' | 'pages', number>> = { dashboard: 5, pages: 1 };

/**
 * How much of the time a promise's search needs, relative to the others: the dashboard's class runs at a few to a
 * hundred loads a second, with neighbours alike (each load four statements, overlapping the next), so a window that
 * can pass is several times longer than the pages' (hundreds of views a second): at 1M, about 150 s against 10 s.
 */
export const SEARCH_WEIGHT: Readonly<Record<'dashboard' | 'pages', number>> = { dashboard: 2, pages: 1 };

/**
 * This search's share of what is left of --max-time: the rest divided among the searches not yet run in proportion to
 * their weights (this one's first; a search that ends early leaves its time to the ones after it), less what is
 * reserved for making copies of the dataset.
 */
export function searchShareMs(remainingMs: number, weightsLeft: readonly number[], reservedMs = 0): number {
  if (weightsLeft.length < 1 || !weightsLeft.every((w) => w > 0)) throw new RangeError(`searchShareMs: give the positive weights of the searches left, this one's first; got [${weightsLeft.join(', ')}].`);
  const total = weightsLeft.reduce((a, b) => a + b, 0);
  return Math.max(0, ((remainingMs - reservedMs) * weightsLeft[0]!) / total);
}

/**
 * The first rate a search offers: the class's default rate (a busy hour), raised so that a first window of --step can
 * hold the samples a pass needs (a search that starts where nothing can pass spends its time doubling windows).
 */
export function startRate(defaultPerSecond: number, stepMs: number, samplesToPass: number): number {
  const atStep = (samplesToPass * STEP_PLAN.sampleMargin) / ((stepMs / 1000) * (1 - STEP_PLAN.warmupShare));
  return roundRate(Math.max(defaultPerSecond, atStep));
}

/** Two significant digits: 63.4 -> 63, 0.1234 -> 0.12 (a rate a person can type to reproduce a step). */
export function roundRate(perSecond: number): number {
  const digits = Math.max(0, 1 - Math.floor(Math.log10(perSecond)));
  const f = 10 ** digits;
  return Math.round(perSecond * f) / f;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

/** A p95 allows this share of requests over the limit; more than that and it is over the limit. */
const P95_TAIL = 0.05;

/**
 * Whether a running step can no longer pass: more of the requests its judged part schedules (after the warm-up) have
 * already waited over the limit, served late or still waiting, than the 5% a p95 under the limit allows. Then the
 * p95 of that part is over the limit whatever the rest of the window does, and the step is stopped as failed (a
 * failure can only lower the search's bound). `expected` is rate x the judged part of the window; `overLimit` counts
 * requests scheduled after the warm-up whose latency from intended start, finished or not, is already over the limit.
 */
export function cannotPass(overLimit: number, expected: number): boolean {
  return overLimit > P95_TAIL * expected;
}

/**
 * Whether a running step's pool waits already exceed what the validity gate allows of the whole window (5% of the
 * requests it schedules, every class): then the run will be invalid (the pool paced it) whatever the rest does.
 */
export function poolPaced(waited: number, expectedAll: number): boolean {
  return waited > VALIDITY_RULE.maxPoolWaitShare * expectedAll;
}

/** What the ceiling probe measured, and where the search starts from it. */
export interface CeilingProbe {
  /** Requests of the promise's class completed per second with every connection of the pool busy (closed loop). */
  perSecond: number;
  /** Completions it is based on. */
  completions: number;
  windowMs: number;
  /** What the probe offered: a probe that served nearly all of it (90%) did not saturate the pool, and is no ceiling. */
  offeredPerSecond?: number;
}

/** Share of the probed throughput the search starts at: under it, where the queue is short enough to pass. */
export const START_SHARE_OF_CEILING = 0.8;

/**
 * The first rate of a search that probed the server's throughput first: 80% of it (the search then steps to just
 * over it, and bisects between); without a probe (or one that saw too little), startRate's rule.
 */
export function startRateFromCeiling(probe: CeilingProbe | undefined, fallback: number): number {
  if (probe && probe.completions >= 10 && probe.perSecond > 0) return roundRate(probe.perSecond * START_SHARE_OF_CEILING);
  return fallback;
}

/** A probe that saw at least 10 completions says where the ceiling is; fewer say too little to steer by. */
export function usableCeiling(probe: CeilingProbe | undefined): boolean {
  return probe !== undefined && probe.completions >= 10 && probe.perSecond > 0 && saturated(probe);
}

/** The probe kept every connection busy: it served under 90% of what it offered (else the ceiling is above it). */
export function saturated(probe: CeilingProbe): boolean {
  return probe.offeredPerSecond === undefined || probe.perSecond < 0.9 * probe.offeredPerSecond;
}
