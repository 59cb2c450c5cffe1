// Pure: a load run's records -> the report a user reads (console, --json, the results file). Distributions from
// HdrHistogram; the promises judged by the same distribution-free p95 interval as every verdict of `run`, on a series
// thinned to about-independent requests; validity judged first, and an invalid run carries no latency at all.
import { judgeLatency } from '../gate/latency-verdict.ts';
import type { EnvironmentInfo, LatencyVerdict } from '../results.ts';
import { LatencyHistogram, type Percentiles } from './histogram.ts';
import { independentSample } from './independence.ts';
import type { LoadRun, RequestRecord } from './run-load.ts';
import { DEFAULT_RATES_DERIVATION, LOAD_CLASSES, type LoadClass, type LoadRates, type TrafficClass } from './traffic.ts';
import { judgeValidity, type CpuUse, type Gate, type Validity } from './validity.ts';
import { splitByCleanup, summarizeWaits, type CleanupSplit, type Interval, type WaitSummary } from './waits.ts';

export const LOAD_REPORT_VERSION = 1;

/** A promise judged at the offered rate. */
export interface PromiseVerdict {
  limitP95Ms: number;
  source: string;
  /** passed / failed / inconclusive as `run` judges a latency; 'not judged' when the run is invalid. */
  status: LatencyVerdict['status'] | 'not judged';
  /** The verdict with its interval (null when not judged). */
  verdict: LatencyVerdict | null;
  /** Requests apart the verdict's samples are (independence.ts). */
  thinnedEvery: number;
  words: string;
}

/** One class of a run. */
export interface ClassReport {
  class: LoadClass;
  description: string;
  nominalPerSecond: number;
  offeredPerSecond: number;
  achievedPerSecond: number;
  /** Requests scheduled in the run. */
  count: number;
  served: number;
  errors: number;
  /** Queued when the run ended (never sent) or cut off by the drain's end or Ctrl-C. */
  unfinished: number;
  firstError?: string;
  /** From intended start (coordinated omission corrected); null when the run is invalid. */
  latencyMs: Percentiles | null;
  /** From the first statement's send; null when the run is invalid. */
  serviceMs: Omit<Percentiles, 'maxMs' | 'count'> | null;
  /** Requests per kind (the mix as it was drawn). */
  kinds: Record<string, number>;
  /** Retention: rows its batches deleted. */
  rowsDeleted?: number;
  promise?: PromiseVerdict;
}

/** The document `execbench load --json` prints and the results file holds. */
export interface LoadReport {
  kind: 'execbench-load';
  schemaVersion: number;
  runId: string;
  startedAt: string;
  finishedAt: string;
  options: { rates: LoadRates; durationMs: number; pool: number; seed: number; scale: string };
  environment?: EnvironmentInfo;
  dataset: { source: string; loadSchema: string; rows: number; copyMs: number; restored: string };
  valid: boolean;
  /** The failed gates, in words; empty when valid. */
  problems: string[];
  gates: Gate[];
  limitedBy: Validity['limitedBy'] | null;
  cpuStatement: string;
  interruptedAtMs?: number;
  classes: ClassReport[];
  generator: {
    scheduleLagMs: { p50: number; p99: number; max: number };
    pool: LoadRun['pool'];
    littlesLaw: { meanInFlight: number; rateTimesLatency: number };
    cpu: CpuUse;
    sampler: { samples: number; everyMs: number; meanMs: number; maxMs: number; failures: number };
  };
  waits: WaitSummary & { cleanupSplit: CleanupSplit[] };
  /** How the default rates were derived (the spec gives none). */
  defaults: readonly string[];
}

/** What summarize needs besides the run. */
export interface SummaryContext {
  runId: string;
  traffic: readonly TrafficClass[];
  rates: LoadRates;
  pool: number;
  seed: number;
  scale: string;
  sampledEveryMs: number;
  dataset: LoadReport['dataset'];
  environment?: EnvironmentInfo;
  finishedAt?: string;
}

const ok = (r: RequestRecord) => r.outcome === 'ok';

/** The tightest p95 limit among the classes that ran, for the schedule-lag gate. */
function tightestPromise(traffic: readonly TrafficClass[]): { tightestPromiseMs?: number } {
  const limits = traffic.flatMap((t) => (t.promise ? [t.promise.p95Ms] : []));
  return limits.length > 0 ? { tightestPromiseMs: Math.min(...limits) } : {};
}

/** Builds the report; pure given the run. */
export function summarizeLoad(run: LoadRun, context: SummaryContext): LoadReport {
  const windowMs = run.stoppedAtMs ?? run.durationMs;
  const seconds = windowMs / 1000;
  const names = LOAD_CLASSES.filter((c) => context.rates[c] !== undefined);
  const byClass = new Map(names.map((name) => [name, run.records.filter((r) => r.name === name)]));

  // Little's law: the generator's in-flight counter against rate x mean time in the system, over the same span the
  // counter counts (from dispatch, when the arrival's timer fired, to the end). Measured from the intended start
  // instead, the two differ by the mean schedule lag, which at ~1 ms latencies is over 10% by itself.
  const finished = run.records.filter((r) => Number.isFinite(r.endMs));
  const meanLatencyS = finished.length > 0 ? finished.reduce((s, r) => s + (r.endMs - r.dispatchMs), 0) / finished.length / 1000 : 0;
  const little = { meanInFlight: run.meanInFlight.all, rateTimesLatency: (run.records.length / seconds) * meanLatencyS };

  const lags = run.records.map((r) => r.dispatchMs - r.intendedMs).sort((a, b) => a - b);
  const lagAt = (p: number) => (lags.length === 0 ? 0 : lags[Math.min(lags.length - 1, Math.floor(p * lags.length))]!);
  const validity = judgeValidity({
    durationMs: windowMs,
    classes: names.map((name) => {
      const records = byClass.get(name)!;
      return { name, nominalPerSecond: context.rates[name]!, scheduled: records.length, completed: records.filter(ok).length, errors: records.filter((r) => r.outcome === 'error').length };
    }),
    lagMs: { p99: lagAt(0.99), max: lags.at(-1) ?? 0 },
    ...tightestPromise(context.traffic.filter((t) => names.includes(t.name))),
    pool: run.pool,
    little,
    cpu: run.cpu,
    ...(run.stoppedAtMs !== undefined ? { interruptedAtMs: run.stoppedAtMs, plannedMs: run.durationMs } : {}),
    ...(run.cut ? { cutShort: run.cut.words } : {}),
  });

  const cleanupBatches = (byClass.get('retention') ?? []).filter(ok);
  const cleanupIntervals: Interval[] = cleanupBatches.map((r) => [r.sendMs, r.endMs]);
  const rowsDeleted = cleanupBatches.reduce((s, r) => s + (r.rows ?? 0), 0);

  const classes = names.map((name): ClassReport => {
    const traffic = context.traffic.find((t) => t.name === name)!;
    const records = byClass.get(name)!;
    const served = records.filter(ok);
    const latency = new LatencyHistogram();
    const service = new LatencyHistogram();
    for (const r of served) {
      latency.record(r.endMs - r.intendedMs);
      service.record(r.endMs - r.sendMs);
    }
    const s = service.summary();
    const kinds: Record<string, number> = {};
    for (const k of traffic.kinds) kinds[k.name] = 0;
    for (const r of records) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
    const errors = records.filter((r) => r.outcome === 'error');
    return {
      class: name,
      description: traffic.description,
      nominalPerSecond: context.rates[name]!,
      offeredPerSecond: records.length / seconds,
      achievedPerSecond: served.length / seconds,
      count: records.length,
      served: served.length,
      errors: errors.length,
      unfinished: records.filter((r) => r.outcome === 'unsent' || r.outcome === 'cancelled').length,
      ...(errors[0]?.error ? { firstError: errors[0].error } : {}),
      latencyMs: validity.valid ? latency.summary() ?? null : null,
      serviceMs: validity.valid && s ? { p50Ms: s.p50Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms } : null,
      kinds,
      ...(name === 'retention' ? { rowsDeleted } : {}),
      ...(traffic.promise ? { promise: judgePromise(traffic, served, validity) } : {}),
    };
  });

  const waits = summarizeWaits(run.waits.observations, run.waits.samples, context.sampledEveryMs, { intervals: cleanupIntervals, rowsDeleted });
  const cleanupSplit = cleanupIntervals.length === 0 || !validity.valid
    ? []
    : (['ingest', 'pages'] as const).filter((n) => byClass.has(n)).map((n) => splitByCleanup(n,
      byClass.get(n)!.filter(ok).map((r) => ({ startMs: r.sendMs, endMs: r.endMs, latencyMs: r.endMs - r.intendedMs })), cleanupIntervals));

  return {
    kind: 'execbench-load',
    schemaVersion: LOAD_REPORT_VERSION,
    runId: context.runId,
    startedAt: run.startedAt,
    finishedAt: context.finishedAt ?? new Date().toISOString(),
    options: { rates: context.rates, durationMs: run.durationMs, pool: context.pool, seed: context.seed, scale: context.scale },
    ...(context.environment ? { environment: context.environment } : {}),
    dataset: context.dataset,
    valid: validity.valid,
    problems: validity.problems,
    gates: validity.gates,
    limitedBy: validity.limitedBy ?? null,
    cpuStatement: validity.cpuStatement,
    ...(run.stoppedAtMs !== undefined ? { interruptedAtMs: run.stoppedAtMs } : {}),
    classes,
    generator: {
      scheduleLagMs: { p50: lagAt(0.5), p99: lagAt(0.99), max: lags.at(-1) ?? 0 },
      pool: run.pool,
      littlesLaw: little,
      cpu: run.cpu,
      sampler: { samples: run.waits.samples, everyMs: context.sampledEveryMs, meanMs: run.waits.sampleMs.mean, maxMs: run.waits.sampleMs.max, failures: run.waits.failures.count },
    },
    waits: { ...waits, cleanupSplit },
    defaults: DEFAULT_RATES_DERIVATION,
  };
}

/** The class's promise, judged on its served requests in schedule order, thinned to about-independent ones. */
function judgePromise(traffic: TrafficClass, served: readonly RequestRecord[], validity: Validity): PromiseVerdict {
  const promise = traffic.promise!;
  const base = { limitP95Ms: promise.p95Ms, source: promise.source };
  if (!validity.valid) {
    return { ...base, status: 'not judged', verdict: null, thinnedEvery: 1, words: `not judged: the run is invalid (${validity.problems.length} problem(s) above)` };
  }
  if (served.length === 0) return { ...base, status: 'not judged', verdict: null, thinnedEvery: 1, words: 'not judged: no request was served' };
  const series = [...served].sort((a, b) => a.intendedMs - b.intendedMs).map((r) => r.endMs - r.intendedMs);
  const { samples, lag } = independentSample(series);
  const verdict = judgeLatency(samples, { limitMs: promise.p95Ms, clock: 'client', statistic: 'p95' });
  const thinned = lag > 1 ? ` (every ${ordinal(lag)} of ${series.length} requests: latencies ${lag} apart are about independent)` : '';
  return { ...base, status: verdict.status, verdict, thinnedEvery: lag, words: `${verdict.status}: ${verdict.reason}${thinned}` };
}

/** 2 -> '2nd', 3 -> '3rd', 11 -> '11th', 21 -> '21st'. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
