// Measures one scenario form at one scale: EXPLAIN once for the plan contract, then samples of two clocks (the
// client's wire round trip, sampler.ts; the server's execution time, server-clock.ts), as many as the sequential
// rule of the latency verdict asks for (gate/latency-verdict.ts). Measuring returns samples and facts; the verdict
// is the pure judgeLatency() of those samples.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { describePgError } from '../errors.ts';
import { beyondCapReason, judgeLatency, nextLookSamples, OUT_OF_REACH_WINDOW, passOutOfReach, VERDICT_RULE } from '../gate/latency-verdict.ts';
import { analyzePlan } from '../plan/analyze.ts';
import { partitionMapFor, resolvePartitions } from '../plan/partitions.ts';
import { explain } from '../plan/explain.ts';
import type { PlanFacts } from '../plan/types.ts';
import type { Clock, ClientProtocol, FormLatency, LatencyVerdict, Outcome, ScenarioResult, Violation } from '../results.ts';
import type { ParamPicker, ScenarioDefinition, SqlForm, Threshold } from '../scenario/define.ts';
import { checkPlanContract } from './contract.ts';
import { createFormSampler } from './form-sampler.ts';
import { guarded, inRolledBackTransaction } from './scope.ts';
import { summarize } from './statistics.ts';
import { noRowsWarning } from './warnings.ts';

/** Client samples kept in the results document per form (evenly thinned beyond this). */
const MAX_RETAINED_SAMPLES = 1000;
/**
 * The most a form may spend buying samples for an undecided verdict (ms; --max-form-time). A slow form gets the 99
 * samples a "passed" needs even when that costs more than --time-budget, up to this cap; past it the verdict stays
 * inconclusive and says how many samples it lacked.
 */
export const DEFAULT_MAX_FORM_MS = 20_000;
/**
 * A decided fast form stops sampling here even within its budget: 400 samples give the baseline gate's p95
 * comparison (which needs 99) a usable interval, and more buy little for a verdict already decided.
 */
const DECIDED_ENOUGH_SAMPLES = 400;
/** Untimed executions before the timed ones of a fast form: caches, plan cache and JIT-free paths warm. */
const WARMUP_SAMPLES = 5;

export interface MeasureInput {
  client: pg.ClientBase;
  scenarioId: string;
  scenario: ScenarioDefinition;
  form: 'documented' | 'corrected';
  scale: string;
  threshold: Threshold | undefined;
  gated: boolean;
  picker: (iteration: number) => ParamPicker;
  /** Wall-clock budget for this form, ms: how long a fast form samples. A slow form's verdict may buy more (MAX_FORM_MS). */
  budgetMs: number;
  /** The caller holds an open transaction (tests that drop an index and roll back): use savepoints. */
  nested?: boolean;
  /** 'auto' (default): each threshold's own clock; otherwise judge every threshold on this clock. */
  clock?: 'auto' | Clock;
  /** How the client sends the timed query (default 'unnamed'). */
  protocol?: ClientProtocol;
  /** Schema of a readable pg_stat_statements (probeStatements); absent: the server clock uses EXPLAIN TIMING OFF. */
  statementsSchema?: string;
  /** The cap on buying samples for an undecided verdict, ms (default DEFAULT_MAX_FORM_MS). */
  maxFormMs?: number;
  /** The user's table being judged (run --table), for messages. */
  table?: string;
  /** --plans-only: EXPLAIN without ANALYZE, the plan contract on the planner's estimate; the statement never runs. */
  plansOnly?: boolean;
}

/** Runs and judges one form. Never throws for a failing query: that is a result. */
export async function measureForm(input: MeasureInput): Promise<ScenarioResult> {
  const started = performance.now();
  const { scenario, form: formName } = input;
  const form = scenario[formName] as SqlForm & { why?: string; writtenByExecbench?: string };
  const firstParams = form.params(input.picker(0));
  const clock = judgedClock(input);
  const base: Omit<ScenarioResult, 'outcome' | 'durationMs'> = {
    scenarioId: input.scenarioId,
    ...(scenario.origin ? { origin: scenario.origin } : {}),
    title: scenario.title,
    spec: scenario.spec,
    kind: scenario.kind,
    scale: input.scale,
    form: formName,
    gated: input.gated,
    sql: form.sql,
    params: firstParams.map(paramToString),
    ...(form.why ? { why: form.why } : {}),
    ...(form.writtenByExecbench ? { writtenByExecbench: form.writtenByExecbench } : {}),
    expectedIndexes: scenario.expect.indexes ?? [],
    ...(input.threshold && clock
      ? { threshold: { p95Ms: input.threshold.p95Ms, clock, derived: input.threshold.derived ?? false, source: input.threshold.source } }
      : {}),
  };
  const done = (outcome: Outcome, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
    ...base,
    ...extra,
    outcome,
    durationMs: round(performance.now() - started),
  });

  if (scenario.kind === 'statement') {
    // DDL cannot be EXPLAINed: run it once in a rolled-back transaction and judge that it runs.
    const error = await inRolledBackTransaction(input.client, () => input.client.query(form.sql, firstParams), input.nested);
    return error ? done({ status: 'failed', violations: [sqlError(error)] }) : done({ status: 'passed' });
  }

  if (input.plansOnly) {
    // The statement is planned, never executed (EXPLAIN without ANALYZE runs nothing, also for a write): no latency.
    let estimateJson: unknown;
    const error = await guarded(input.client, false, input.nested ?? false, async () => {
      estimateJson = await explain(input.client, form.sql, firstParams, { timing: false, analyze: false });
    });
    if (error) return done({ status: 'failed', violations: [sqlError(error)] });
    const plan = resolvePartitions(analyzePlan(estimateJson, { estimated: true }), await partitionMapFor(input.client));
    const violations = checkPlanContract(plan, scenario.expect);
    return done(violations.length === 0 ? { status: 'passed' } : { status: 'failed', violations }, { plan, planJson: estimateJson });
  }

  const write = scenario.kind === 'write';
  let planJson: unknown;
  let timingOffJson: unknown;
  const nested = input.nested ?? false;
  const planError = await guarded(input.client, write, nested, async () => {
    planJson = await explain(input.client, form.sql, firstParams, { timing: true });
  });
  if (planError) {
    return done({ status: 'failed', violations: [sqlError(planError), ...(await missingIndexes(input.client, scenario))] });
  }
  await guarded(input.client, write, nested, async () => {
    timingOffJson = await explain(input.client, form.sql, firstParams, { timing: false });
  });
  const plan = resolvePartitions(analyzePlan(planJson), await partitionMapFor(input.client));
  const violations: Violation[] = checkPlanContract(plan, scenario.expect);

  let measured: { latency: FormLatency; verdict?: LatencyVerdict };
  try {
    // A form the gate does not count, whose plan contract already failed, is decided: its latency needs only the
    // first look (a finding's evidence), not the samples a pass would need.
    const decided = !input.gated && violations.length > 0;
    measured = await measureLatency(input, form, write, plan, timingOffJson, clock, started, decided);
  } catch (error) {
    // Parameters rotate: a later sample can fail (a timeout, a lock) where the EXPLAIN run did not.
    return done({ status: 'failed', violations: [...violations, sqlError(error)] }, { plan, planJson });
  }
  const { latency, verdict } = measured;
  if (verdict?.status === 'failed') {
    violations.push({ kind: 'threshold', message: `${verdict.reason}${input.threshold?.derived ? ' (derived threshold)' : ''}` });
  }
  const outcome: Outcome = violations.length === 0 ? { status: 'passed' } : { status: 'failed', violations };
  // Rows seen: the EXPLAIN run's (first parameters) and the last timed sample's (rotated ones).
  const noRows = noRowsWarning({ kind: scenario.kind, parameters: firstParams.length, rowsSeen: [plan.rowsReturned, latency.breakdown.rows] }, input.scale, input.picker(0).anchor(), input.table);
  return done(outcome, { plan, planJson, latency, ...(verdict ? { latencyVerdict: verdict } : {}), ...(noRows ? { warnings: [noRows] } : {}) });
}

/** The clock a form's threshold is judged on: the --clock override, else the threshold's own. */
function judgedClock(input: MeasureInput): Clock | undefined {
  if (!input.threshold) return undefined;
  return input.clock === undefined || input.clock === 'auto' ? input.threshold.clock : input.clock;
}

/**
 * Samples both clocks, paired: each timed execution gives a client sample and, through pg_stat_statements, the
 * server's time for that same execution (where the extension is missing, a separate EXPLAIN (ANALYZE, TIMING OFF)
 * run gives a server sample next to each client one). A fast form samples for its budget; then the verdict's
 * sequential rule looks, and an undecided verdict buys more samples (bounded by its looks and MAX_FORM_MS).
 */
async function measureLatency(
  input: MeasureInput,
  form: SqlForm,
  write: boolean,
  plan: PlanFacts,
  timingOffJson: unknown,
  clock: Clock | undefined,
  started: number,
  decided: boolean,
): Promise<{ latency: FormLatency; verdict?: LatencyVerdict }> {
  const { client } = input;
  const nested = input.nested ?? false;
  const protocol = input.protocol ?? 'unnamed';
  const sampler = await createFormSampler({
    client, form, picker: input.picker, protocol, write, nested, plan,
    ...(input.statementsSchema ? { statementsSchema: input.statementsSchema } : {}),
  });
  const { client: clientSamples, server: serverSamples, statements: statementSamples, decode: decodeSamples } = sampler;
  const sampleOnce = (timed: boolean) => sampler.sample(timed);

  // A form whose single execution takes a tenth of the budget is slow: no warm-up, straight to the first look.
  const slow = plan.executionMs > input.budgetMs / 10;
  if (!slow) for (let i = 0; i < WARMUP_SAMPLES; i++) await sampleOnce(false);
  const judgedSamples = () => (clock === 'server' ? serverSamples : clientSamples);
  const deadline = started + input.budgetMs;
  const capMs = Math.max(input.budgetMs, input.maxFormMs ?? DEFAULT_MAX_FORM_MS);
  const cap = started + capMs;
  const rule = input.threshold && clock ? { limitMs: input.threshold.p95Ms, clock, statistic: 'p95' as const } : undefined;
  // Phase 1: the budget (fast forms; a decided one stops at DECIDED_ENOUGH_SAMPLES), and at least the first look's
  // samples (every form). A slow or already-decided form goes straight to the first look.
  const firstLook = VERDICT_RULE.firstLookSamples;
  let verdict: LatencyVerdict | undefined;
  while (judgedSamples().length < firstLook || (!slow && !decided && performance.now() < deadline)) {
    if (performance.now() > cap || clientSamples.length >= 100_000) break;
    await sampleOnce(true);
    // One early look for a fast form, counted like every other look of the sequential rule.
    if (rule && !verdict && !slow && !decided && judgedSamples().length === DECIDED_ENOUGH_SAMPLES) {
      verdict = judgeLatency(judgedSamples(), rule, 1);
      if (verdict.status !== 'inconclusive') break;
    }
  }
  if (rule && judgedSamples().length > 0) {
    if (!verdict || verdict.samples < judgedSamples().length) verdict = judgeLatency(judgedSamples(), rule, (verdict?.looks ?? 0) + 1);
    for (let target = decided ? undefined : nextLookSamples(verdict); target !== undefined && performance.now() < cap; target = nextLookSamples(verdict)) {
      // A pass the cap cannot buy, with no sample near the limit: stop rather than spend the cap on an undecidable
      // verdict. Asked after each window of samples, at the latest window's rate (not the first, colder, samples').
      let beyond: LatencyVerdict['beyondCap'];
      let windowStart = performance.now();
      let windowFrom = judgedSamples().length;
      while (judgedSamples().length < target && performance.now() < cap) {
        await sampleOnce(true);
        const judged = judgedSamples();
        if (judged.length - windowFrom < OUT_OF_REACH_WINDOW) continue;
        const now = performance.now();
        beyond = passOutOfReach(verdict, judged.reduce((m, x) => Math.max(m, x), 0), (now - windowStart) / (judged.length - windowFrom), cap - now, capMs, judged.length);
        if (beyond) break;
        windowStart = now;
        windowFrom = judged.length;
      }
      verdict = judgeLatency(judgedSamples(), rule, verdict.looks + 1);
      if (beyond && verdict.status === 'inconclusive') {
        verdict = { ...verdict, beyondCap: beyond, reason: `${verdict.reason}; ${beyondCapReason(beyond)}` };
        break;
      }
    }
    if (verdict.status === 'inconclusive' && !verdict.beyondCap && !decided && performance.now() >= cap && verdict.ciHighMs === null) {
      verdict = { ...verdict, reason: `${verdict.reason}; the ${Math.round(Math.max(input.budgetMs, input.maxFormMs ?? DEFAULT_MAX_FORM_MS) / 1000)} s cap per form (--max-form-time) ran out first` };
    }
  }
  if (clientSamples.length === 0) throw new Error('no latency sample was taken within the time budget; raise --time-budget');
  if (serverSamples.length === 0) serverSamples.push(timingOffJson ? analyzePlan(timingOffJson).executionMs : plan.executionMs);

  const timingOffMs = timingOffJson ? analyzePlan(timingOffJson).executionMs : plan.executionMs;
  const client50 = summarize(clientSamples).p50Ms;
  const server = summarize(serverSamples);
  return {
    latency: {
      client: summarize(clientSamples),
      clientSamplesMs: thin(clientSamples, MAX_RETAINED_SAMPLES).map(round),
      server,
      serverSamplesMs: thin(serverSamples, MAX_RETAINED_SAMPLES).map(round),
      serverMethod: sampler.serverMethod,
      protocol,
      explainOverhead: {
        timingOnMs: round(plan.executionMs),
        timingOffMs: round(timingOffMs),
        // pg_stat_statements' figure where it was read: the server clock itself, or beside EXPLAIN for a bulk result.
        ...(sampler.serverMethod === 'pg_stat_statements' || statementSamples.length > 0
          ? { statementsMs: round(summarize(statementSamples.length > 0 ? statementSamples : serverSamples).p50Ms) } : {}),
      },
      breakdown: {
        serverMs: round(server.p50Ms),
        // Bulk forms: the server's share of sending (pg_stat_statements' executor time minus EXPLAIN's execution).
        ...(statementSamples.length > 0 ? { sendMs: round(Math.max(0, summarize(statementSamples).p50Ms - server.p50Ms)) } : {}),
        wireMs: round(Math.max(0, client50 - Math.max(server.p50Ms, statementSamples.length > 0 ? summarize(statementSamples).p50Ms : 0))),
        decodeMs: round(decodeSamples.length > 0 ? summarize(decodeSamples).p50Ms : 0),
        rows: sampler.rows,
      },
      ...(sampler.spacers ? { spacers: sampler.spacers } : {}),
    },
    ...(verdict ? { verdict } : {}),
  };
}

/**
 * When a form fails outright, say whether its documented index is missing: a dropped arbiter index
 * turns an upsert into an SQL error that does not name the index itself.
 */
async function missingIndexes(client: pg.ClientBase, scenario: ScenarioDefinition): Promise<Violation[]> {
  const expected = scenario.expect.indexes ?? [];
  if (expected.length === 0) return [];
  const { rows } = await client.query<{ indexname: string }>(
    'SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY($1)', [expected]);
  if (rows.length > 0) return [];
  return [{ kind: 'index-not-used', index: expected[0]!, message: `${expected.join(' / ')} does not exist in ${'the dataset schema'}` }];
}

function sqlError(error: unknown): Violation {
  return { kind: 'sql-error', message: describePgError(error) };
}

function paramToString(v: unknown): string {
  return v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
}

/** Keeps at most `max` samples, evenly spaced, preserving order. */
export function thin(samples: number[], max: number): number[] {
  if (samples.length <= max) return samples;
  const step = samples.length / max;
  return Array.from({ length: max }, (_, i) => samples[Math.floor(i * step)]!);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}


