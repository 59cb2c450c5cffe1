// For each dataset: copy its rows into every ClickHouse engine (or reuse the copy), then for each analytics
// scenario check every engine's answer against PostgreSQL's and time PostgreSQL (live, and the materialized view
// where it holds the answer) and every engine in interleaved rounds, so a noisy neighbour falls on all alike.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ScenarioDefinition } from '../scenario/define.ts';
import { thresholdFor } from '../runner/thresholds.ts';
import { mulberry32, summarize } from '../runner/statistics.ts';
import { minSamplesToPass } from '../gate/latency-verdict.ts';
import type { DatasetInfo } from '../seed/types.ts';
import { checkAnswer, distributionLevels } from './check-answer.ts';
import { ClickHouseError, type ClickHouseEngine } from './engine.ts';
import { missingFeatures, timePrecisionMs } from './features.ts';
import { engineStatus, judgeEngineLatency, medianRatio } from './judge.ts';
import { ensureCopy, postgresStorage, type CopyInfo } from './load.ts';
import { analyticsValues, postgresValues, renderClickHouseSql } from './params.ts';
import type { EngineOutcome, ScaleOutcome, ScenarioOutcome } from './results.ts';
import { CLICKHOUSE_SCENARIOS, type ClickHouseScenario } from './scenarios.ts';
import { copyDatabaseName, copyOutSql, createCopyTableSql } from './table.ts';

const SCENARIO_DIR = new URL('../../scenarios/', import.meta.url);
/** At least this many interleaved rounds per scenario, whatever the budget (an interval needs samples). */
const MIN_ROUNDS = 12;
/** At most this many, however fast the queries. */
const MAX_ROUNDS = 200;
/** Rows in one incremental batch of the lag estimate. */
const BATCH_ROWS = 1000;

/** An engine to run on: one connection, plus the shards when it is a cluster. */
export interface EngineTarget {
  engine: ClickHouseEngine;
  shards?: ClickHouseEngine[];
}

export interface AnalyticsRunOptions {
  connectionString: string;
  dataset: DatasetInfo;
  targets: EngineTarget[];
  /** Wall-clock budget of the interleaved rounds per scenario, ms. */
  budgetMs: number;
  fresh: boolean;
  scenarios?: readonly ClickHouseScenario[];
  log: (line: string) => void;
}

async function postgresScenario(id: string): Promise<ScenarioDefinition> {
  const module = (await import(fileURLToPath(new URL(`${id}.ts`, SCENARIO_DIR)))) as { default: ScenarioDefinition };
  return module.default;
}

/** The SQL an application should run: the correction where the document's form needs one. */
const gatedSql = (s: ScenarioDefinition) => (s.corrected ?? s.documented).sql;

/** A read-only PostgreSQL session on the dataset's schema, UTC, dates as text (as ClickHouse prints them). */
async function connectPostgres(connectionString: string, schema: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  await client.query(`SET search_path TO ${schema}; SET TIME ZONE 'UTC'; SET default_transaction_read_only = on`);
  return client;
}

export async function runAnalyticsAtScale(options: AnalyticsRunOptions): Promise<ScaleOutcome> {
  const { dataset, log } = options;
  const client = await connectPostgres(options.connectionString, dataset.schema);
  try {
    const database = copyDatabaseName(dataset.schema);
    const copies: CopyInfo[] = [];
    for (const target of options.targets) {
      copies.push(await ensureCopy({ pg: client, pgSchema: dataset.schema, fingerprint: dataset.fingerprint, target, database, fresh: options.fresh, log }));
    }
    const batches = [];
    for (const target of options.targets) batches.push(await measureBatches(client, dataset.schema, dataset.focus.tenantId, target.engine, database));
    const scenarios: ScenarioOutcome[] = [];
    for (const scenario of options.scenarios ?? CLICKHOUSE_SCENARIOS) {
      scenarios.push(await runScenario(client, options, scenario, database));
    }
    return {
      scale: dataset.request.scale.label,
      focusRows: dataset.counts.focusRows,
      totalRows: dataset.counts.totalRows,
      pgSchema: dataset.schema,
      postgresStorage: await postgresStorage(client, dataset.schema),
      copies,
      batches,
      scenarios,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The fixed cost of keeping the copy current: a batch of the focus tenant's newest 1000 rows streamed from PostgreSQL into a
 * scratch table of the same design, five times. With the bulk rate, it gives the copy's lag at an ingestion rate.
 */
async function measureBatches(client: pg.Client, schema: string, tenantId: string, engine: ClickHouseEngine, database: string) {
  const scratch = 'execbench_batch_probe';
  await engine.command(`DROP TABLE IF EXISTS ${database}.${scratch}`);
  await engine.command(createCopyTableSql(database, scratch, engine.version));
  const { to: copyTo } = await import('pg-copy-streams');
  const samples: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      // The tenant's newest rows through its (tenant_id, started_at) index, as an incremental copy would read them
      // past a watermark: the batch's cost is then the copy's, not a sort of the whole table.
      const where = `started_at IS NOT NULL AND id IN (SELECT id FROM ${schema}.executions WHERE tenant_id = '${tenantId}' AND started_at IS NOT NULL ORDER BY started_at DESC LIMIT ${BATCH_ROWS})`;
      await engine.insertTabSeparated(`${database}.${scratch}`, client.query(copyTo(copyOutSql(schema, engine.version, where))));
      samples.push(performance.now() - started);
    }
  } finally {
    await engine.command(`DROP TABLE IF EXISTS ${database}.${scratch}`);
  }
  return { engine: engine.label, rows: BATCH_ROWS, medianMs: summarize(samples).p50Ms, samples: samples.length };
}

async function runScenario(client: pg.Client, options: AnalyticsRunOptions, scenario: ClickHouseScenario, database: string): Promise<ScenarioOutcome> {
  const { dataset, log } = options;
  const pgDef = await postgresScenario(scenario.postgres);
  const viewDef = scenario.view ? await postgresScenario(scenario.view) : undefined;
  const values = analyticsValues(dataset, scenario.windowDays);
  const pgParams = postgresValues(scenario.postgresParams, values);
  const pgSql = gatedSql(pgDef);
  const viewSql = viewDef ? gatedSql(viewDef) : undefined;
  // The view's query takes (tenant, the window's first day): the same days as the live aggregate's window.
  const viewParams = [values.tenant, values.from];
  const reference = await client.query({ text: pgSql, values: pgParams });
  const distribution = scenario.answer.kind === 'groups'
    ? (await client.query({ text: scenario.answer.distribution.sql, values: [...postgresValues(scenario.answer.distribution.params, values), distributionLevels(scenario.answer.quantiles)] })).rows
    : [];
  const threshold = thresholdFor(pgDef, dataset.request.scale);

  const outcomes: EngineOutcome[] = [];
  const timed: { target: EngineTarget; outcome: EngineOutcome; sql: string; client: number[]; server: number[] }[] = [];
  for (const target of options.targets) {
    const { engine } = target;
    const outcome: EngineOutcome = { engine: engine.label, kind: engine.kind, status: 'passed' };
    outcomes.push(outcome);
    const missing = missingFeatures(engine.version, scenario.needs ?? []);
    if (missing.length > 0) {
      Object.assign(outcome, { status: 'skipped', reason: `ClickHouse ${engine.version.text} lacks ${missing.join(', ')}` });
      continue;
    }
    const sql = renderClickHouseSql(scenario.sql, values, database);
    outcome.sql = sql;
    try {
      const answer = await engine.select<Record<string, unknown>>(sql);
      outcome.check = checkAnswer(scenario.answer, answer.rows, reference.rows, timePrecisionMs(engine.version), distribution);
      timed.push({ target, outcome, sql, client: [], server: [] });
    } catch (error) {
      const tooOld = error instanceof ClickHouseError && error.exitCode === 3;
      Object.assign(outcome, { status: tooOld ? 'skipped' : 'errored', reason: (error as Error).message });
    }
  }

  // Interleaved rounds: PostgreSQL live, the view (where there is one), every engine, in a shuffled order each round.
  const pgSamples: number[] = [];
  const viewSamples: number[] = [];
  type Participant = () => Promise<void>;
  const participants: Participant[] = [
    async () => { const t = performance.now(); await client.query({ text: pgSql, values: pgParams }); pgSamples.push(performance.now() - t); },
    ...(viewSql ? [async () => { const t = performance.now(); await client.query({ text: viewSql, values: viewParams }); viewSamples.push(performance.now() - t); }] : []),
    ...timed.map((t) => async () => {
      const reply = await t.target.engine.select(t.sql);
      t.client.push(reply.clientMs);
      if (reply.serverMs !== undefined) t.server.push(reply.serverMs);
    }),
  ];
  const random = mulberry32(0x0c1c4 + scenario.id.length);
  const started = performance.now();
  for (let round = 0; round < MAX_ROUNDS && (round < MIN_ROUNDS || performance.now() - started < options.budgetMs); round++) {
    const order = [...participants];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const p of order) await p();
  }
  // ClickHouse alone until its p95 verdict could pass (99 samples), within one more budget per engine.
  for (const t of timed) {
    const topUp = performance.now();
    while (t.client.length < minSamplesToPass('p95') && performance.now() - topUp < options.budgetMs) {
      const reply = await t.target.engine.select(t.sql);
      t.client.push(reply.clientMs);
      if (reply.serverMs !== undefined) t.server.push(reply.serverMs);
    }
  }
  const interleaved = pgSamples.length;
  for (const t of timed) {
    const o = t.outcome;
    o.client = summarize(t.client);
    o.clientSamplesMs = t.client;
    if (t.server.length > 0) { o.server = summarize(t.server); o.serverSamplesMs = t.server; }
    const verdict = judgeEngineLatency(threshold, t.client, t.server);
    if (verdict) o.verdict = verdict;
    // Ratios on the interleaved rounds only: the top-up samples had no PostgreSQL beside them.
    o.vsPostgres = medianRatio(pgSamples, t.client.slice(0, interleaved));
    if (viewSamples.length > 0) o.vsView = medianRatio(viewSamples, t.client.slice(0, interleaved));
    o.status = engineStatus(o);
    if (o.check?.status === 'failed') o.reason = `answer differs from PostgreSQL's: ${o.check.mismatches.join('; ')}`;
    else if (o.verdict && o.verdict.status !== 'passed') o.reason = o.verdict.reason;
  }
  for (const o of outcomes) {
    log(`clickhouse: ${dataset.request.scale.label} ${scenario.id} on ${o.engine}: ${o.status}${o.client ? `, median ${o.client.p50Ms.toFixed(2)} ms (PostgreSQL ${summarize(pgSamples).p50Ms.toFixed(2)} ms${o.vsPostgres ? `, ${o.vsPostgres.ratio.toFixed(1)}x` : ''})` : ''}${o.reason && o.status !== 'passed' ? `: ${o.reason}` : ''}`);
  }
  return {
    id: scenario.id,
    title: scenario.title,
    postgresScenario: scenario.postgres,
    aggregation: scenario.aggregation,
    ...(pgSamples.length > 0 ? { postgres: { client: summarize(pgSamples), clientSamplesMs: pgSamples } } : {}),
    ...(viewDef && viewSamples.length > 0 ? { view: { scenario: scenario.view!, client: summarize(viewSamples), clientSamplesMs: viewSamples } } : {}),
    engines: outcomes,
  };
}
