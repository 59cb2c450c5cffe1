// Pure: a capacity search's steps and answers as the document a user reads (--json, capacity.json, and what the
// console, Markdown, JUnit and HTML views are built from). A step's figures come from the same summary as a
// fixed-rate run (validity first: an invalid step carries no latency), its verdict from the search's own rule.
import type { SequentialRule } from '../gate/latency-verdict.ts';
import type { EnvironmentInfo, LatencyVerdict } from '../results.ts';
import { quantileInterval } from '../runner/statistics.ts';
import { CEILING_STEP, judgeStep, type BoundConfidence, type CapacityResult, type InvalidCause, type SearchStep, type StepResult } from './capacity.ts';
import type { LoadRun } from './run-load.ts';
import { START_SHARE_OF_CEILING, type CeilingProbe } from './step-plan.ts';
import type { LoadReport } from './summary.ts';
import type { RunTimeline } from './timeline.ts';
import { DEFAULT_RATES } from './traffic.ts';

// The timeline moved to timeline.ts (the fixed-rate report draws one too); re-exported for the search's callers.
export { buildTimeline, TIMELINE_POINTS } from './timeline.ts';

export const CAPACITY_REPORT_VERSION = 1;

/** The classes a promise is made for. */
export const PROMISE_CLASSES = ['dashboard', 'pages'] as const;
export type PromiseClass = (typeof PROMISE_CLASSES)[number];

/** A percentile with its distribution-free interval (null: too few samples for that bound). */
export interface QuantileFigure {
  estimateMs: number;
  lowMs: number | null;
  highMs: number | null;
}

/** What one step measured besides its verdict. */
export interface StepFigures {
  offeredPerSecond: number;
  achievedPerSecond: number;
  requests: number;
  served: number;
  valid: boolean;
  /** The failed validity gates, in words (empty when valid). */
  problems: string[];
  cpuStatement: string;
  /** The promise class's latency from intended start after the warm-up, on the thinned series; null when invalid. */
  latency: { p50: QuantileFigure; p95: QuantileFigure; p99: QuantileFigure; confidence: number } | null;
  /** Requests apart the judged samples are (independence.ts), and how many were judged. */
  thinnedEvery: number;
  samples: number;
  warmupMs: number;
  /** With maintenance: what ingest and retention did beside the promise's class. */
  maintenance?: { ingestAchievedPerSecond: number; ingestP99Ms: number | null; cleanupBatches: number; rowsDeleted: number; lockWaits: number; words: string };
  /** Wall time of the step: window, connect, drain, restore of the table. */
  elapsedMs: number;
  shortened?: string;
}

/** A step of the search as reported. */
export type CapacityStep = SearchStep<StepFigures>;

/** One promise's search on one variant, with or without maintenance. */
export interface PromiseSearch {
  promise: PromiseClass;
  limitP95Ms: number;
  source: string;
  variant: string;
  maintenance: boolean;
  /** The capacity is at least this (per second, offered); null: no bound, see words. */
  lowerBoundPerSecond: number | null;
  notBelowPerSecond: number | null;
  /** The bound in people, at the default rates' busy hour (PEOPLE_BASIS). */
  lowerBoundPeople: number | null;
  status: CapacityResult['status'];
  stoppedBy?: CapacityResult['stoppedBy'];
  words: string;
  confidence: BoundConfidence;
  startRate: number;
  /** The server's throughput on this traffic with every connection of the pool busy, measured before the search (its start and its step over). */
  ceiling?: CeilingProbe;
  /** --min-capacity for this promise, and whether the bound reaches it. */
  minCapacityPerSecond?: number;
  meetsMinimum?: boolean;
  shareMs: number;
  durationMs: number;
  steps: CapacityStep[];
}

/** What maintenance costs a promise on one variant: both searches' bounds and their difference. */
export interface MaintenanceCost {
  promise: PromiseClass;
  variant: string;
  withoutPerSecond: number | null;
  withPerSecond: number | null;
  costPerSecond: number | null;
  costPeople: number | null;
  words: string;
}

/** One step of a search on a time axis (RunTimeline), with the promise, variant and rate it ran at. */
export interface TimelineData extends RunTimeline {
  promise: PromiseClass;
  variant: string;
  maintenance: boolean;
  ratePerSecond: number;
}

/** The document `execbench load --search --json` prints and capacity.json holds. */
export interface CapacityReport {
  kind: 'execbench-load-capacity';
  schemaVersion: number;
  runId: string;
  startedAt: string;
  finishedAt: string;
  options: {
    scale: string; promises: PromiseClass[]; maintenance: ('without' | 'with')[]; variants: string[];
    maxTimeMs: number; stepMs: number; maxWindowMs: number; maxSteps: number; precision: number; confidence: number;
    pool: number; seed: number; maintenanceRates: { ingest: number; retention: number };
    minCapacity: Partial<Record<PromiseClass, number>>;
  };
  environment?: EnvironmentInfo;
  dataset: { source: string; loadSchema: string; rows: number };
  /** How the bound is obtained and what it assumes, in sentences. */
  method: string[];
  searches: PromiseSearch[];
  maintenanceCost: MaintenanceCost[];
  timeline?: TimelineData;
  interrupted: boolean;
  /** What was not done, in words (a search with no time left, a variant that could not be applied). */
  notes: string[];
  durationMs: number;
}

/** People per unit of rate: the defaults' busy hour is 60 people sending dashboard=2/s and pages=40/s. */
export const PEOPLE_BASIS = {
  people: 60,
  words: 'the default rates\' busy hour: 60 people send 2 dashboard loads/s (a refresh every 30 s each) and 40 page views/s',
} as const;

/** A rate as people: 60 x rate / the class's default rate. */
export function ratePeople(promise: PromiseClass, perSecond: number): number {
  return Math.floor((PEOPLE_BASIS.people * perSecond) / DEFAULT_RATES[promise]);
}

/** Percentile with its interval, on about-independent samples. */
function quantileFigure(samples: readonly number[], p: number, confidence: number): QuantileFigure {
  const ci = quantileInterval(samples, p, confidence);
  return { estimateMs: ci.estimate, lowMs: ci.low, highMs: ci.high };
}

/** Why a step was invalid, by the failed gates: Ctrl-C, then execbench's own limit, then overload, else measurement. */
function invalidCause(report: LoadReport): InvalidCause {
  const failed = report.gates.filter((g) => !g.ok);
  if (failed.some((g) => g.cause === 'interrupted')) return 'interrupted';
  if (report.limitedBy === 'execbench') return 'execbench';
  if (failed.some((g) => g.cause === 'overload')) return 'overload';
  return 'measurement';
}

/** What judgeStepRun needs besides the run and its summary. */
export interface StepContext {
  promise: PromiseClass;
  limitP95Ms: number;
  windowMs: number;
  warmupMs: number;
  look: number;
  sequential: SequentialRule;
  elapsedMs: number;
  shortened?: string;
}

/**
 * A step's result: validity from the run's summary (an invalid step, or one execbench's own CPU paced, is failed with
 * its reason; Ctrl-C stops the search), the verdict on the promise class's served requests scheduled after the warm-up, in schedule order,
 * thinned; p50/p95/p99 with intervals at the verdict's per-look confidence.
 */
export function judgeStepRun(run: Pick<LoadRun, 'records' | 'cut'>, report: LoadReport, context: StepContext): StepResult & StepFigures {
  const cls = report.classes.find((c) => c.class === context.promise);
  if (run.cut) {
    // Stopped because it could no longer pass: failed, with no interval (what ran is not a whole window).
    return { ...stepFigures(report, context, { latency: null, thinnedEvery: 1, samples: 0 }), cut: { atMs: run.cut.atMs, words: run.cut.words } };
  }
  const served = run.records
    .filter((r) => r.name === context.promise && r.outcome === 'ok' && r.intendedMs >= context.warmupMs)
    .sort((a, b) => a.intendedMs - b.intendedMs)
    .map((r) => r.endMs - r.intendedMs);
  // A run execbench's own CPU paced is valid as a fixed-rate run (it says so), but no step of a search: above that
  // rate the generator, not the server, is measured.
  const cause = report.valid ? undefined : invalidCause(report);
  // execbench's cause carries the CPU sentence: whether its own work or a machine saturated by the server delayed it.
  const invalid = cause !== undefined
    ? { cause, words: `${report.problems.join('; ')}${cause === 'execbench' ? `. ${report.cpuStatement}` : ''}` }
    : report.limitedBy === 'execbench' ? { cause: 'execbench' as const, words: report.cpuStatement } : undefined;
  const judged = judgeStep(served, context.limitP95Ms, invalid, { sequential: context.sequential, look: context.look });
  const verdict: LatencyVerdict | undefined = judged.verdict;
  const samples = verdict?.samples ?? 0;
  let latency: StepFigures['latency'] = null;
  if (verdict && !invalid) {
    const thinned = served.filter((_, i) => i % judged.thinnedEvery === 0);
    latency = {
      p50: quantileFigure(thinned, 0.5, verdict.confidence),
      p95: { estimateMs: verdict.estimateMs, lowMs: verdict.ciLowMs, highMs: verdict.ciHighMs },
      p99: quantileFigure(thinned, 0.99, verdict.confidence),
      confidence: verdict.confidence,
    };
  }
  return {
    ...(judged.verdict ? { verdict: judged.verdict } : {}),
    ...(judged.invalid ? { invalid: judged.invalid } : {}),
    ...stepFigures(report, context, { latency, thinnedEvery: judged.thinnedEvery, samples }),
  };
}

/** The figures every step reports, judged or not. */
function stepFigures(report: LoadReport, context: StepContext, judged: Pick<StepFigures, 'latency' | 'thinnedEvery' | 'samples'>): StepFigures {
  const cls = report.classes.find((c) => c.class === context.promise);
  const ingest = report.classes.find((c) => c.class === 'ingest');
  const retention = report.classes.find((c) => c.class === 'retention');
  return {
    offeredPerSecond: cls?.offeredPerSecond ?? 0,
    achievedPerSecond: cls?.achievedPerSecond ?? 0,
    requests: cls?.count ?? 0,
    served: cls?.served ?? 0,
    valid: report.valid,
    problems: report.problems,
    cpuStatement: report.cpuStatement,
    ...judged,
    warmupMs: context.warmupMs,
    ...(ingest || retention ? {
      maintenance: {
        ingestAchievedPerSecond: ingest?.achievedPerSecond ?? 0,
        ingestP99Ms: ingest?.latencyMs?.p99Ms ?? null,
        cleanupBatches: report.waits.cleanup.batches,
        rowsDeleted: report.waits.cleanup.rowsDeleted,
        lockWaits: report.waits.cleanup.lockWaits,
        words: report.waits.cleanup.words,
      },
    } : {}),
    elapsedMs: context.elapsedMs,
    ...(context.shortened ? { shortened: context.shortened } : {}),
  };
}

/** The search's answer as reported. */
export function promiseSearch(
  result: CapacityResult<StepFigures>,
  context: { promise: PromiseClass; limitP95Ms: number; source: string; variant: string; maintenance: boolean; startRate: number; ceiling?: CeilingProbe; minCapacityPerSecond?: number; shareMs: number; durationMs: number },
): PromiseSearch {
  const { minCapacityPerSecond, ...rest } = context;
  return {
    ...rest,
    lowerBoundPerSecond: result.lowerBound,
    notBelowPerSecond: result.notBelow,
    lowerBoundPeople: result.lowerBound === null ? null : ratePeople(context.promise, result.lowerBound),
    status: result.status,
    ...(result.stoppedBy ? { stoppedBy: result.stoppedBy } : {}),
    words: result.words,
    confidence: result.confidence,
    ...(minCapacityPerSecond !== undefined ? { minCapacityPerSecond, meetsMinimum: result.lowerBound !== null && result.lowerBound >= minCapacityPerSecond } : {}),
    steps: result.steps,
  };
}

const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Per promise and variant searched both ways: what running ingest and retention beside it costs. */
export function maintenanceCosts(searches: readonly PromiseSearch[], rates: { ingest: number; retention: number }): MaintenanceCost[] {
  const costs: MaintenanceCost[] = [];
  for (const without of searches.filter((s) => !s.maintenance)) {
    const withIt = searches.find((s) => s.maintenance && s.promise === without.promise && s.variant === without.variant);
    if (!withIt) continue;
    const a = without.lowerBoundPerSecond;
    const b = withIt.lowerBoundPerSecond;
    const cost = a !== null && b !== null ? a - b : null;
    const beside = `ingest ${rates.ingest}/s and retention ${rates.retention}/s`;
    const words = cost === null
      ? `no difference can be given: ${a === null ? 'without maintenance' : 'with maintenance'} the search found no bound`
      : `${beside} beside ${without.promise}: at least ${rate(a!)}/s without, at least ${rate(b!)}/s with: ${cost > 0 ? `about ${rate(cost)}/s (${ratePeople(without.promise, cost)} people) fewer` : cost < 0 ? `no cost seen (the bound with maintenance is ${rate(-cost)}/s higher: within the searches' 10% precision and noise)` : 'no difference'}. Both are lower bounds, so the difference is indicative, not itself a bound`;
    costs.push({ promise: without.promise, variant: without.variant, withoutPerSecond: a, withPerSecond: b, costPerSecond: cost, costPeople: cost === null ? null : ratePeople(without.promise, Math.abs(cost)) * Math.sign(cost), words });
  }
  return costs;
}

/** The method, in sentences: carried in every capacity document and shown by every view. */
export function describeMethod(o: { confidence: number; maxSteps: number; precision: number; samplesToPass: number; maintenanceRates: { ingest: number; retention: number } }): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
  return [
    `Each step is one fixed-rate, open-model run of the promise's class alone, or with ingest ${o.maintenanceRates.ingest}/s and retention ${o.maintenanceRates.retention}/s beside it (the default rates); latency is from each request's intended start.`,
    `Before its first step, each search measures the server's throughput on the same traffic with every connection of the pool busy (a closed-loop probe: no rate above it can be served); it starts at ${pct(START_SHARE_OF_CEILING)} of it, steps up to ${pct(CEILING_STEP)} of it while it passes (then doubles), halves while it does not, then bisects to ${pct(o.precision)}; an inconclusive step is run again with a window twice as long; an invalid step (rate not achieved, pool exhausted, errors, execbench's own schedule or CPU) counts as failed, with its reason.`,
    'A step whose requests have already waited over the limit more often than its p95 allows (more than 5% of what its judged part schedules) is stopped there as failed: its p95 is over the limit whatever the rest would do, and a failure can only lower the bound.',
    `A step is judged as run judges a latency: the distribution-free interval of the p95, passed when wholly under the limit. Its samples are the served requests scheduled after the warm-up (the first 10% of the window, at least 250 ms), in schedule order, thinned to every m-th, m the first lag at which their autocorrelation falls under 0.1 (queueing makes neighbours alike; the interval needs about-independent samples); a pass needs ${o.samplesToPass} of them, so a window is planned long enough to hold them.`,
    `The capacity is reported as a lower confidence bound: the highest rate that passed, below every rate that did not. It assumes the p95 is monotone in the offered rate. Each step's upper bound holds at ${pct(1 - (1 - o.confidence) / o.maxSteps)} (one-sided); Bonferroni over at most ${o.maxSteps} steps makes the bound hold at ${pct(o.confidence)} whatever steps the search chose.`,
    'Every step with maintenance starts from the same table: the rows retention deleted are put back from the dataset, the executions ingest inserted removed, then VACUUM ANALYZE (status updates ingest sent to seeded rows before its first insert committed stay). Every step uses the same seed: arrival times are the same pattern scaled to the rate.',
  ];
}
