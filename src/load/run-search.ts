// The capacity search against a real server: the pure search (capacity.ts) drives fixed-rate runs (run-load.ts) on
// one load copy of the dataset. Each step offers the promise's class its rate (with ingest and retention at their
// default rates beside it, or alone), is summarised as a fixed-rate run is (validity first), and judged on the
// promise's p95 by the search's rule. Between steps that wrote, the table is put back as it was (restoreLoadTable).
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { withClient } from '../db/client.ts';
import { createParamPicker, type ParamPools } from '../runner/params.ts';
import { UPSERT_WORKFLOW_NAME } from '../scenario/families.ts';
import type { EnvironmentInfo } from '../results.ts';
import { searchCapacity, stepSamplesToPass, stepVerdictRule, type CapacityRule } from './capacity.ts';
import type { LoadCopy } from './load-schema.ts';
import { formatSearchProgress } from './render-search.ts';
import { startLoad, type LoadHandle, type LoadPlan, type LoadRun } from './run-load.ts';
import { buildTimeline, judgeStepRun, promiseSearch, type PromiseClass, type PromiseSearch, type StepFigures, type TimelineData } from './search-report.ts';
import { FIRST_LAG_HINT, planStep, STEP_PLAN, startRate, startRateFromCeiling, usableCeiling, warmupMs, type CeilingProbe } from './step-plan.ts';
import { summarizeLoad } from './summary.ts';
import { DEFAULT_RATES, LOAD_CLASSES, RETENTION_DAYS, type LoadClass, type LoadRates, type TrafficClass } from './traffic.ts';
import { WAIT_SAMPLE_MS } from './wait-sampler.ts';

/** Everything the searches on one copy share. */
export interface CopySearchContext {
  connectionString: string;
  copy: Pick<LoadCopy, 'schema' | 'dataset'>;
  /** The dataset the copy was made from (read to put deleted rows back). */
  sourceSchema: string;
  pools: ParamPools;
  /** Builds the classes afresh for each step (ingest's ledger must not outlive the rows the restore removes). */
  traffic: () => Record<LoadClass, TrafficClass>;
  pool: number;
  seed: number;
  scale: string;
  rule: Omit<CapacityRule, 'startRate' | 'windowMs'>;
  /** A first look's window, at least (--step); never a window over maxWindowMs. */
  stepMs: number;
  maxWindowMs: number;
  maintenanceRates: { ingest: number; retention: number };
  environment?: EnvironmentInfo;
  /** ms left of --max-time overall (for the progress line). */
  totalLeftMs: () => number;
  interrupted: () => boolean;
  /** The running step's handle, so Ctrl-C can stop it. */
  setHandle: (handle: LoadHandle | undefined) => void;
  /** A progress line: rewritten in place while a step runs (final false), kept when a step ends (final true). */
  progress: (line: string, final: boolean) => void;
  /** Written by a step with maintenance, put back before the next step. */
  state: { dirty: boolean };
  /** The thinning lag the last judged step of each promise measured, shared by the searches of a run. */
  lagHints?: Map<PromiseClass, number>;
}

/** One search's answer, with the timeline of its highest passing step (or its last step) for the report. */
export interface SearchOutcome {
  search: PromiseSearch;
  timeline?: TimelineData;
}

/**
 * Puts the copy's executions back as the dataset has them, as far as the load changes them: the executions ingest
 * inserted (engine ids execbench-new-<n>, workflow 'Upserted by execbench') deleted, the rows retention deleted (the focus tenant's oldest, before the
 * retention cutoff) inserted again from the dataset, then VACUUM ANALYZE, so every step starts from the same table.
 */
export async function restoreLoadTable(connectionString: string, schema: string, sourceSchema: string, pools: ParamPools): Promise<number> {
  const t0 = performance.now();
  const pick = createParamPicker(pools, 0);
  const tenant = pick.tenant();
  const cutoff = pick.daysBeforeAnchor(RETENTION_DAYS);
  await withClient(connectionString, async (client) => {
    await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
    // Every row ingest inserted: new executions, and a status update whose execution retention had already deleted
    // (the upsert then inserts it again, under a new id: it would collide with the dataset's row put back below).
    // Ingest names its rows' workflow UPSERT_WORKFLOW_NAME; no dataset row has that name.
    await client.query(`DELETE FROM executions WHERE tenant_id = $1 AND (execution_id LIKE 'execbench-new-%' OR workflow_name = $2)`, [tenant, UPSERT_WORKFLOW_NAME]);
    // Retention deletes oldest first: what it deleted lies at or before the oldest row left, so the dataset is read
    // only over that range (an index range scan), and each row checked against the copy's primary key.
    await client.query(
      `INSERT INTO executions SELECT s.* FROM ${pg.escapeIdentifier(sourceSchema)}.executions s
        WHERE s.tenant_id = $1 AND s.started_at < $2::timestamptz
          AND s.started_at <= coalesce((SELECT min(started_at) FROM executions WHERE tenant_id = $1 AND started_at IS NOT NULL), $2::timestamptz)
          AND NOT EXISTS (SELECT 1 FROM executions c WHERE c.id = s.id)`, [tenant, cutoff]);
    await client.query('VACUUM (ANALYZE) executions');
  });
  return performance.now() - t0;
}

/**
 * One fixed-rate run on the copy: the table put back first if the last run wrote, the promise's class at `rate` (with
 * ingest and retention beside it when with maintenance), the handle kept for Ctrl-C while it runs.
 */
async function runOnCopy(
  ctx: CopySearchContext, promise: PromiseClass, rate: number, maintenance: boolean,
  plan: Pick<LoadPlan, 'durationMs' | 'drainMs' | 'cutWhen' | 'onProgress'>,
): Promise<{ run: LoadRun; rates: LoadRates; classes: { traffic: TrafficClass; perSecond: number }[] }> {
  if (ctx.state.dirty) {
    await restoreLoadTable(ctx.connectionString, ctx.copy.schema, ctx.sourceSchema, ctx.pools);
    ctx.state.dirty = false;
  }
  const rates: LoadRates = { [promise]: rate, ...(maintenance ? ctx.maintenanceRates : {}) };
  const all = ctx.traffic();
  const classes = LOAD_CLASSES.filter((c) => rates[c] !== undefined).map((c) => ({ traffic: all[c], perSecond: rates[c]! }));
  const handle = await startLoad({ connectionString: ctx.connectionString, schema: ctx.copy.schema, classes, pool: ctx.pool, seed: ctx.seed, pools: ctx.pools, ...plan });
  ctx.setHandle(handle);
  if (maintenance) ctx.state.dirty = true;
  try {
    return { run: await handle.done, rates, classes };
  } finally {
    ctx.setHandle(undefined);
  }
}

/**
 * The ceiling probe: offered far over what a pool serves, for durationMs; completions counted from fromMs. A class whose
 * requests take seconds with every connection busy (the 1M dashboard: fifty loads on two cores, each about 4 s) starts
 * and ends in waves, and a wave can miss the short window altogether (1 completion in 4 s, where the server serves
 * about 6 a second): fewer than minCompletions and the probe runs again, long enough for several waves.
 */
export const PROBE = { perSecond: 5000, durationMs: 6000, fromMs: 2000, minCompletions: 10, long: { durationMs: 24_000, fromMs: 8000 } } as const;

/**
 * The server's throughput on the promise's class (with maintenance beside it, or not) when every connection of the pool
 * is busy: the class offered PROBE.perSecond, far over what it serves, so the pool's connections never idle (a closed
 * loop); its completions per second after the first PROBE.fromMs (connections warm, queue full). No rate above it can
 * be served, so it tells the search where to start and where to step; the search's steps, not the probe, judge.
 */
export async function probeCeiling(ctx: CopySearchContext, promise: PromiseClass, maintenance: boolean): Promise<CeilingProbe> {
  const once = async (durationMs: number, fromMs: number): Promise<CeilingProbe> => {
    const { run } = await runOnCopy(ctx, promise, PROBE.perSecond, maintenance, { durationMs, drainMs: 0 });
    const windowMs = durationMs - fromMs;
    const completions = run.records.filter((r) => r.name === promise && r.outcome === 'ok' && r.endMs >= fromMs && r.endMs <= durationMs).length;
    return { perSecond: completions / (windowMs / 1000), completions, windowMs, offeredPerSecond: PROBE.perSecond };
  };
  const short = await once(PROBE.durationMs, PROBE.fromMs);
  if (short.completions >= PROBE.minCompletions || ctx.interrupted()) return short;
  ctx.progress(`  probe: ${short.completions} completion(s) in ${(short.windowMs / 1000).toFixed(0)} s: the requests are slow with every connection busy; probing again for ${PROBE.long.durationMs / 1000} s`, true);
  return once(PROBE.long.durationMs, PROBE.long.fromMs);
}

/** The search for one promise on the copy, with or without maintenance, within shareMs. */
export async function searchPromise(
  ctx: CopySearchContext, promise: PromiseClass, maintenance: boolean, variant: string, shareMs: number, minCapacityPerSecond?: number,
): Promise<SearchOutcome> {
  const t0 = performance.now();
  const traffic = ctx.traffic()[promise];
  const limitP95Ms = traffic.promise!.p95Ms;
  const sequential = stepVerdictRule(ctx.rule);
  const samplesToPass = stepSamplesToPass(ctx.rule);
  const label = `${variant}, ${promise}, ${maintenance ? 'with' : 'without'} maintenance`;
  ctx.progress(`${label}: probing the server's throughput with all ${ctx.pool} connections busy (${PROBE.durationMs / 1000} s)`, false);
  const ceiling = ctx.interrupted() ? undefined : await probeCeiling(ctx, promise, maintenance);
  const first = startRateFromCeiling(ceiling, startRate(DEFAULT_RATES[promise], ctx.stepMs, samplesToPass));
  if (ceiling) ctx.progress(`  probe: ${fmtRate(ceiling.perSecond)} ${promise} requests/s served with the pool busy (${ceiling.completions} in ${(ceiling.windowMs / 1000).toFixed(0)} s); starting at ${fmtRate(first)}/s`, true);
  let lagHint = ctx.lagHints?.get(promise) ?? FIRST_LAG_HINT[promise];
  let overheadMs: number = STEP_PLAN.defaultOverheadMs;
  let stepNumber = 0;
  let shortened: string | undefined;
  let best: { rate: number; windowMs: number; run: LoadRun; report: ReturnType<typeof summarizeLoad> } | undefined;
  let last: typeof best;

  const runStep = async (rate: number, windowMs: number, look: number) => {
    const s0 = performance.now();
    stepNumber += 1;
    const warm = warmupMs(windowMs);
    const perSecondAll = rate + (maintenance ? ctx.maintenanceRates.ingest + ctx.maintenanceRates.retention : 0);
    const { run, rates, classes } = await runOnCopy(ctx, promise, rate, maintenance, {
      durationMs: windowMs,
      cutWhen: { name: promise, limitMs: limitP95Ms, fromMs: warm, expected: (rate * (windowMs - warm)) / 1000, expectedAll: (perSecondAll * windowMs) / 1000 },
      onProgress: (p) => {
        const c = p.classes.find((x) => x.name === promise)!;
        ctx.progress(formatSearchProgress({
          label, step: stepNumber, look, rate, elapsedMs: p.elapsedMs, windowMs, offeredPerSecond: c.offeredPerSecond, achievedPerSecond: c.achievedPerSecond,
          p95Ms: c.p95Ms, searchLeftMs: shareMs - (performance.now() - t0), totalLeftMs: ctx.totalLeftMs(),
        }), false);
      },
    });
    const report = summarizeLoad(run, {
      runId: `${label} step ${stepNumber}`, traffic: classes.map((c) => c.traffic), rates, pool: ctx.pool, seed: ctx.seed, scale: ctx.scale,
      sampledEveryMs: WAIT_SAMPLE_MS, dataset: { source: ctx.sourceSchema, loadSchema: ctx.copy.schema, rows: ctx.copy.dataset.counts.totalRows, copyMs: 0, restored: '' },
    });
    const elapsedMs = performance.now() - s0;
    overheadMs = Math.max(STEP_PLAN.defaultOverheadMs / 2, elapsedMs - windowMs);
    const result = judgeStepRun(run, report, {
      promise, limitP95Ms, windowMs, warmupMs: warm, look, sequential, elapsedMs, ...(shortened ? { shortened } : {}),
    });
    if (result.verdict) {
      lagHint = result.thinnedEvery;
      ctx.lagHints?.set(promise, lagHint);
    }
    last = { rate, windowMs, run, report };
    if (result.verdict?.status === 'passed' && (!best || rate >= best.rate)) best = last;
    ctx.progress(formatStepLine(stepNumber, rate, windowMs, look, result), true);
    return result;
  };

  const rule = { ...ctx.rule, startRate: first, windowMs: ctx.stepMs, ...(usableCeiling(ceiling) ? { ceilingRate: ceiling!.perSecond } : {}) };
  const result = await searchCapacity<StepFigures>(runStep, rule, (rate, look, suggestedMs) => {
    if (ctx.interrupted()) return { stop: 'interrupted', words: 'stopped by Ctrl-C' };
    const planned = planStep({
      rate, look, suggestedMs, samplesToPass, lagHint, maxWindowMs: ctx.maxWindowMs, overheadMs,
      remainingMs: Math.min(shareMs - (performance.now() - t0), ctx.totalLeftMs()),
    });
    if ('stop' in planned) return planned;
    shortened = planned.shortened;
    return { windowMs: planned.windowMs };
  });
  const search = promiseSearch(result, {
    promise, limitP95Ms, source: traffic.promise!.source, variant, maintenance, startRate: first, ...(ceiling ? { ceiling } : {}),
    ...(minCapacityPerSecond !== undefined ? { minCapacityPerSecond } : {}), shareMs: Math.round(shareMs), durationMs: Math.round(performance.now() - t0),
  });
  const shown = best ?? last;
  return {
    search,
    ...(shown ? { timeline: buildTimeline(shown.run, shown.report, { promise, variant, maintenance, ratePerSecond: shown.rate, windowMs: shown.windowMs }) } : {}),
  };
}

const fmtRate = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtMs = (n: number | null) => (n === null ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

/** 'step 3: 160/s for 10.0 s (look 1): passed, offered 158.2/s, achieved 157.9/s, p95 [11.0, 13.5] ms' */
function formatStepLine(step: number, rate: number, windowMs: number, look: number, r: StepFigures & { verdict?: { status: string }; invalid?: { cause: string; words: string }; cut?: { words: string } }): string {
  const head = `  step ${step}: ${fmtRate(rate)}/s for ${(windowMs / 1000).toFixed(1)} s${look > 1 ? ` (look ${look})` : ''}: `;
  const rates = `offered ${fmtRate(r.offeredPerSecond)}/s, achieved ${fmtRate(r.achievedPerSecond)}/s`;
  if (r.cut) return `${head}failed (cut short), ${rates}: ${r.cut.words}`;
  if (r.invalid) return `${head}${r.invalid.cause === 'interrupted' ? 'stopped' : 'failed (invalid)'}, ${rates}: ${r.invalid.words}`;
  const p95 = r.latency ? `p95 ${fmtMs(r.latency.p95.estimateMs)} ms [${fmtMs(r.latency.p95.lowMs)}, ${fmtMs(r.latency.p95.highMs)}] on ${r.samples} samples${r.thinnedEvery > 1 ? ` (1 in ${r.thinnedEvery} requests)` : ''}` : '';
  return `${head}${r.verdict?.status ?? '?'}, ${rates}, ${p95}${r.shortened ? `; ${r.shortened}` : ''}`;
}
