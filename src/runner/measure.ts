// Measures one scenario form at one scale: EXPLAIN once for the plan contract, then latency with
// two clocks (client round trip via tinybench; server execution time via EXPLAIN ANALYZE).
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { Bench } from 'tinybench';
import { describePgError } from '../errors.ts';
import { analyzePlan } from '../plan/analyze.ts';
import { explain } from '../plan/explain.ts';
import type { PlanFacts } from '../plan/types.ts';
import type { FormLatency, Outcome, ScenarioResult, Violation } from '../results.ts';
import type { ParamPicker, ScenarioDefinition, SqlForm, Threshold } from '../scenario/define.ts';
import { summarize } from './statistics.ts';
import { checkPlanContract } from './contract.ts';

/** Client samples kept in the results document per form (evenly thinned beyond this). */
const MAX_RETAINED_SAMPLES = 1000;

export interface MeasureInput {
  client: pg.ClientBase;
  scenarioId: string;
  scenario: ScenarioDefinition;
  form: 'documented' | 'corrected';
  scale: string;
  threshold: Threshold | undefined;
  gated: boolean;
  picker: (iteration: number) => ParamPicker;
  /** Wall-clock budget for this form, ms. Slow forms get fewer samples, never more time. */
  budgetMs: number;
  /** The caller holds an open transaction (tests that drop an index and roll back): use savepoints. */
  nested?: boolean;
}

/** Runs and judges one form. Never throws for a failing query: that is a result. */
export async function measureForm(input: MeasureInput): Promise<ScenarioResult> {
  const started = performance.now();
  const { scenario, form: formName } = input;
  const form = scenario[formName] as SqlForm & { why?: string; writtenByExecbench?: string };
  const firstParams = form.params(input.picker(0));
  const base: Omit<ScenarioResult, 'outcome' | 'durationMs'> = {
    scenarioId: input.scenarioId,
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
    ...(input.threshold
      ? { threshold: { p95Ms: input.threshold.p95Ms, derived: input.threshold.derived ?? false, source: input.threshold.source } }
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
  const plan = analyzePlan(planJson);
  const violations: Violation[] = checkPlanContract(plan, scenario.expect);

  const slow = plan.executionMs > input.budgetMs / 10;
  let latency: FormLatency;
  try {
    latency = await measureLatency(input, form, write, plan, timingOffJson, slow, started);
  } catch (error) {
    // Parameters rotate: a later sample can fail (a timeout, a lock) where the EXPLAIN run did not.
    return done({ status: 'failed', violations: [...violations, sqlError(error)] }, { plan, planJson });
  }
  if (input.threshold && latency.client.p95Ms > input.threshold.p95Ms) {
    violations.push({
      kind: 'threshold',
      message: `client p95 ${fmt(latency.client.p95Ms)} ms > ${fmt(input.threshold.p95Ms)} ms${input.threshold.derived ? ' (derived threshold)' : ''}`,
    });
  }
  const outcome: Outcome = violations.length === 0 ? { status: 'passed' } : { status: 'failed', violations };
  return done(outcome, { plan, planJson, latency });
}

async function measureLatency(
  input: MeasureInput,
  form: SqlForm,
  write: boolean,
  plan: PlanFacts,
  timingOffJson: unknown,
  slow: boolean,
  started: number,
): Promise<FormLatency> {
  const { client } = input;
  const clientSamples: number[] = [];
  let iteration = 0;
  let iterationStart = 0;
  // What is left of the budget after the EXPLAINs; about three quarters go to the client clock. tinybench
  // treats `time` and `iterations` as minimums, so the abort signal is the hard stop; each iteration's cost
  // counts its transaction hooks too (overriddenIterationCost), not only the timed query.
  const clientBudget = Math.max(1, (input.budgetMs - (performance.now() - started)) * 0.75);
  const bench = new Bench({
    time: clientBudget,
    iterations: slow ? 1 : 10,
    warmup: !slow,
    warmupTime: Math.min(input.budgetMs * 0.1, clientBudget * 0.2),
    warmupIterations: 3,
    signal: AbortSignal.timeout(Math.ceil(clientBudget * 1.1)),
    throws: true,
  });
  // Writes run in a transaction per iteration; inside a caller's transaction (nested) every iteration,
  // read or write, gets a savepoint that is rolled back and released (a kept savepoint would pile up locks).
  const hooks = input.nested
    ? {
        beforeEach: async () => { iterationStart = performance.now(); await client.query(openScope(true, 'execbench_sample')); },
        afterEach: async () => { await client.query(closeScope(true, 'execbench_sample')); },
      }
    : write
      ? {
          beforeEach: async () => { iterationStart = performance.now(); await client.query(openScope(false, 'execbench_sample')); },
          afterEach: async () => { await client.query(closeScope(false, 'execbench_sample')); },
        }
      : {};
  bench.add(
    input.scenarioId,
    async () => {
      if (!input.nested && !write) iterationStart = performance.now();
      const values = form.params(input.picker(iteration++));
      const t0 = performance.now();
      await client.query(form.sql, values);
      const ms = performance.now() - t0;
      clientSamples.push(ms);
      return { overriddenDuration: ms, overriddenIterationCost: performance.now() - iterationStart };
    },
    hooks,
  );
  await bench.run();
  // Warm-up iterations are in clientSamples too: drop them (tinybench's own counters exclude them).
  const runs = bench.tasks[0]?.runs ?? 0;
  const measured = runs > 0 ? clientSamples.slice(clientSamples.length - runs) : clientSamples.slice(-1);
  if (measured.length === 0) throw new Error('no latency sample was taken within the time budget; raise --time-budget');

  const timingOffMs = timingOffJson ? analyzePlan(timingOffJson).executionMs : plan.executionMs;
  const serverSamples: number[] = [plan.executionMs, timingOffMs];
  const serverDeadline = started + input.budgetMs;
  for (let i = 1; serverSamples.length < 30 && performance.now() < serverDeadline && !(slow && serverSamples.length >= 3); i++) {
    const values = form.params(input.picker(i));
    await guarded(client, write, input.nested ?? false, async () => {
      serverSamples.push(analyzePlan(await explain(client, form.sql, values, { timing: false })).executionMs);
    });
  }
  return {
    client: summarize(measured),
    clientSamplesMs: thin(measured, MAX_RETAINED_SAMPLES).map(round),
    server: summarize(serverSamples),
    serverSamplesMs: serverSamples.map(round),
    explainOverhead: { timingOnMs: round(plan.executionMs), timingOffMs: round(timingOffMs) },
  };
}

/**
 * Runs fn and returns its error instead of throwing. Writes always run in a rolled-back
 * transaction; inside a caller's transaction (nested) every statement gets a savepoint, because a
 * failed statement would otherwise abort the caller's whole transaction.
 */
async function guarded(client: pg.ClientBase, write: boolean, nested: boolean, fn: () => Promise<unknown>): Promise<unknown> {
  if (write || nested) return inRolledBackTransaction(client, fn, nested);
  try {
    await fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * A scope whose changes are always undone: a transaction, or inside a caller's transaction a savepoint
 * that is rolled back AND released (a kept savepoint holds its locks until the caller's transaction ends).
 */
function openScope(nested: boolean, name: string): string {
  return nested ? `SAVEPOINT ${name}` : 'BEGIN';
}

function closeScope(nested: boolean, name: string): string {
  return nested ? `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}` : 'ROLLBACK';
}

/** BEGIN (or SAVEPOINT when nested); fn; ROLLBACK — always, also when fn fails. Returns fn's error, if any. */
export async function inRolledBackTransaction(client: pg.ClientBase, fn: () => Promise<unknown>, nested = false): Promise<unknown> {
  await client.query(openScope(nested, 'execbench_form'));
  try {
    await fn();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.query(closeScope(nested, 'execbench_form'));
  }
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

function fmt(n: number): string {
  return n < 10 ? n.toFixed(2) : n.toFixed(1);
}
