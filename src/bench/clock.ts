// `npm run bench:clock [scales]`: execbench's client clock against pgbench, the reference client, on the same
// server and the same queries, interleaved in rounds so both see the same machine. Prints each p50 side by side with
// the ratio; the target is execbench within 15% of pgbench for every query returning at most 50 rows. Also shows
// what a plain node-pg call (rows decoded into objects) reads, which is what execbench's clock used to be.
// Last line: one JSON object.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { resolveProviderOptions } from '../config.ts';
import { withDatabase } from '../db/with-database.ts';
import type { ClientProtocol } from '../results.ts';
import { textTable } from '../report/console.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { findPgbench, PGBENCH_HINT, runPgbench } from '../runner/pgbench.ts';
import { connectToDataset } from '../runner/run-scenarios.ts';
import { timeQuery } from '../runner/sampler.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { benchRequest, median, runScript } from './common.ts';

/** The queries the issue names: corrected pagination, recent failures, single lookup, status-filtered, sparkline. */
const QUERIES = ['paginated-listing', 'recent-failures', 'single-execution-lookup', 'status-filtered-success', 'sparkline-7d'];
const ROUNDS = 10;
/** Per method and round: about this much time, 20 to 400 executions. */
const ROUND_MS = 150;
const TARGET_RATIO = 1.15;
const SMALL_ROWS = 50;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Row {
  scale: string; query: string; rows: number;
  execbench: Record<ClientProtocol, number>; pgbench: Record<'extended' | 'prepared', number>; nodePgDefault: number;
  ratioExtended: number; ratioPrepared: number;
  /** The default protocol against its pgbench twin (unnamed vs -M extended), and prepared vs -M prepared. */
  target: 'pass' | 'FAIL' | 'n/a'; targetPrepared: 'pass' | 'FAIL' | 'n/a';
  /** How much slower the round trip is with pg_stat_statements tracking than without (its own overhead), %. */
  statementsOverheadPct?: number;
}

await runScript(async () => {
  const pgbenchVersion = await findPgbench();
  if (!pgbenchVersion) {
    process.stderr.write(`bench:clock: ${PGBENCH_HINT}\n`);
    return 3;
  }
  const scales = (process.argv[2] ?? '100k,1m').split(',').map((s) => parseScale(s.trim()));
  const scenarios = (await loadScenarios()).filter((s) => QUERIES.includes(s.id));
  const rows: Row[] = [];
  await withDatabase(resolveProviderOptions({}, process.env, log), async (db) => {
    log(`bench:clock: ${db.kind} Postgres ${db.serverVersion}; ${pgbenchVersion}; ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms per method`);
    for (const scale of scales) {
      const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
      const client = await connectToDataset(db.connectionString, dataset.schema);
      try {
        const pick = createParamPicker(await loadParamPools(client, dataset), 0);
        const tracked = await client.query(`SET pg_stat_statements.track = 'top'`).then(() => true, () => false);
        for (const { id, definition } of scenarios) {
          const form = definition.corrected ?? definition.documented;
          const values = form.params(pick);
          // One probe sizes the rounds: slow queries get fewer executions per round, never fewer than 20.
          const probe = await timeQuery(client, form.sql, values, 'unnamed');
          const perRound = Math.max(20, Math.min(400, Math.round(ROUND_MS / Math.max(probe.clientMs, 0.05))));
          const samples = { unnamed: [] as number[], prepared: [] as number[], extended: [] as number[], pgPrepared: [] as number[], nodePg: [] as number[], untracked: [] as number[], trackedPair: [] as number[] };
          for (let round = 0; round < ROUNDS; round++) {
            // execbench's two protocols alternate sample by sample, so both see the same moments of the machine.
            for (let i = 0; i < 3; i++) for (const protocol of ['unnamed', 'prepared'] as const) await timeQuery(client, form.sql, values, protocol);
            for (let i = 0; i < perRound; i++) {
              for (const protocol of ['unnamed', 'prepared'] as const) samples[protocol].push((await timeQuery(client, form.sql, values, protocol)).clientMs);
            }
            // pg_stat_statements' own cost on a statement: the same round trip with its tracking off for this session.
            if (tracked) {
              // Tracked and untracked alternate sample by sample (the SETs are outside the timed round trips).
              for (let i = 0; i < perRound; i++) {
                await client.query(`SET pg_stat_statements.track = 'none'`);
                samples.untracked.push((await timeQuery(client, form.sql, values, 'unnamed')).clientMs);
                await client.query(`SET pg_stat_statements.track = 'top'`);
                samples.trackedPair.push((await timeQuery(client, form.sql, values, 'unnamed')).clientMs);
              }
            }
            samples.nodePg.push(...await nodePgDefault(client, form.sql, values, perRound));
            samples.extended.push(...await runPgbench({ connectionString: db.connectionString, schema: dataset.schema, sql: form.sql, values, mode: 'extended', transactions: perRound }));
            samples.pgPrepared.push(...await runPgbench({ connectionString: db.connectionString, schema: dataset.schema, sql: form.sql, values, mode: 'prepared', transactions: perRound }));
          }
          const row: Row = {
            scale: scale.label, query: id, rows: probe.result.rows.length,
            execbench: { unnamed: median(samples.unnamed), prepared: median(samples.prepared) },
            pgbench: { extended: median(samples.extended), prepared: median(samples.pgPrepared) },
            nodePgDefault: median(samples.nodePg),
            ...(tracked ? { statementsOverheadPct: (median(samples.trackedPair) / median(samples.untracked) - 1) * 100 } : {}),
            ratioExtended: 0, ratioPrepared: 0, target: 'n/a', targetPrepared: 'n/a',
          };
          row.ratioExtended = row.execbench.unnamed / row.pgbench.extended;
          row.ratioPrepared = row.execbench.prepared / row.pgbench.prepared;
          if (row.rows <= SMALL_ROWS) {
            row.target = row.ratioExtended <= TARGET_RATIO ? 'pass' : 'FAIL';
            row.targetPrepared = row.ratioPrepared <= TARGET_RATIO ? 'pass' : 'FAIL';
          }
          rows.push(row);
          log(`bench:clock: ${scale.label} ${id}: execbench ${fmt(row.execbench.unnamed)} ms vs pgbench ${fmt(row.pgbench.extended)} ms (x${row.ratioExtended.toFixed(2)})`);
        }
      } finally {
        await client.end();
      }
    }
  });
  const x = (r: number) => `x${r.toFixed(2)}`;
  process.stdout.write(`\n${textTable(
    ['scale', 'query', 'rows', 'execbench unnamed', 'pgbench -M extended', 'ratio', 'execbench prepared', 'pgbench -M prepared', 'ratio', 'node-pg default', 'pg_stat_statements cost', `unnamed <= x${TARGET_RATIO}`, `prepared <= x${TARGET_RATIO}`],
    rows.map((r) => [r.scale, r.query, String(r.rows), fmt(r.execbench.unnamed), fmt(r.pgbench.extended), x(r.ratioExtended),
      fmt(r.execbench.prepared), fmt(r.pgbench.prepared), x(r.ratioPrepared), fmt(r.nodePgDefault),
      r.statementsOverheadPct === undefined ? '-' : `${r.statementsOverheadPct >= 0 ? '+' : ''}${r.statementsOverheadPct.toFixed(1)}%`, r.target, r.targetPrepared]),
  )}\n  p50 in ms over ${ROUNDS} interleaved rounds, one client each, same server and parameters. execbench: the wire round trip` +
    `\n  (one socket write, stop at the last byte, rows not decoded); pgbench: per-transaction latency from its log (-l);` +
    `\n  node-pg default: await client.query() with rows decoded into objects. pg_stat_statements cost: execbench unnamed with` +
    `\n  the extension tracking vs not tracking this session (its own overhead on the statement). Target: queries of at most ${SMALL_ROWS} rows.\n\n`);
  const failed = rows.filter((r) => r.target === 'FAIL').length;
  const failedPrepared = rows.filter((r) => r.targetPrepared === 'FAIL').length;
  const small = rows.filter((r) => r.target !== 'n/a').length;
  process.stdout.write(`Within x${TARGET_RATIO} of pgbench on queries of at most ${SMALL_ROWS} rows: unnamed (execbench's default) ${small - failed} of ${small}, prepared ${small - failedPrepared} of ${small}.\n`);
  process.stdout.write(JSON.stringify({ pgbench: pgbenchVersion, targetRatio: TARGET_RATIO, failed, failedPrepared, rows }) + '\n');
  return failed > 0 ? 1 : 0;
});

/** What an application's plain node-pg call costs: unnamed statement, every row decoded into an object. */
async function nodePgDefault(client: pg.Client, sql: string, values: unknown[], count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await client.query(sql, values);
    out.push(performance.now() - t0);
  }
  return out;
}

function fmt(ms: number): string {
  return ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}
