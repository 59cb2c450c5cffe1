// `npm run bench:load -- pgbench [scale [duration [rate [class]]]]`: the issue's reference, pgbench (PostgreSQL's own C
// client) beside execbench's open-model generator on the same statements, the same server and the same load copy, one
// after the other. One read-only class runs, so both tools see the same table: pages (the ExecutionsPage views, the
// default: about a millisecond each at 100k, where a generator's own overhead shows) or dashboard (four statements,
// tens of ms: where the server's time dominates).
//   1. pgbench's ceiling: `pgbench -c 10 -j 1 -T duration` on the mix without -R (as fast as it goes): its tps.
//   2. execbench's ceiling: open-model runs at 0.8x, 1.0x and 1.2x pgbench's ceiling: the achieved rate, whether
//      execbench's own CPU or schedule was the limit, and the CPU the generator took from the cores the server uses.
//   3. The same offered rate below saturation (default: half the lower of the two ceilings): `pgbench -R rate --log`
//      and execbench at that rate, back to back, side by side: achieved rate and latency from the scheduled start.
// Targets (the issue): execbench reaches 80% of pgbench's ceiling before its own CPU limits it, and agrees with pgbench
// within 15% at the same offered rate below saturation. execbench itself never needs pgbench: only this mode runs it.
// The parts, by role: load-pgbench-scripts.ts (the statements as pgbench scripts), load-pgbench-judge.ts (pgbench's
// output parsed, both sides' figures, the targets judged), load-pgbench-run.ts (one pgbench run); this file drives them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { saveFigure } from './load-figures.ts';
import { displayPath } from '../scenario/load.ts';
import { parseDuration } from '../cli-args.ts';
import { resolveProviderOptions } from '../config.ts';
import { withDatabase } from '../db/with-database.ts';
import { UsageError } from '../errors.ts';
import { createLoadCopy } from '../load/load-schema.ts';
import { startLoad } from '../load/run-load.ts';
import { summarizeLoad } from '../load/summary.ts';
import { buildTraffic } from '../load/traffic.ts';
import { WAIT_SAMPLE_MS } from '../load/wait-sampler.ts';
import { textTable } from '../report/console.ts';
import { loadParamPools } from '../runner/params.ts';
import { findPgbench, PGBENCH_HINT } from '../runner/pgbench.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { benchRequest, DEFAULT_SEED } from './common.ts';
import { buildPgbenchScripts, pickerFor } from './load-pgbench-scripts.ts';
import {
  execbenchFigures, generatorLimit, judgeAgreement, judgeCeiling, pgbenchFigures, pgbenchWindowMs, ratioOf, REFERENCE_TARGET, sameOfferedRate,
  type CeilingStep, type SideFigures,
} from './load-pgbench-judge.ts';
import { POOL, runPgbench } from './load-pgbench-run.ts';

// What the tests and bench:load import from here, wherever it now lives.
export {
  buildPgbenchScripts, PGBENCH_MAX_SCRIPTS, scriptStatement, sqlLiteral, substituteParams, type PgbenchScript, type ScriptPlan,
} from './load-pgbench-scripts.ts';
export {
  execbenchFigures, generatorLimit, judgeAgreement, judgeCeiling, latencyFigures, parsePgbenchLog, parsePgbenchSummary, pgbenchFigures,
  pgbenchWindowMs, REFERENCE_TARGET, sameOfferedRate,
  type Agreement, type CeilingJudgement, type CeilingStep, type LatencyFigures, type PgbenchSummary, type PgbenchTransaction, type Ratios, type SideFigures,
} from './load-pgbench-judge.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** A rate argument: '700' or '700/s'. */
function parseRate(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(raw.trim());
  const value = m ? Number(m[1]) : Number.NaN;
  if (!(value > 0)) throw new UsageError(`Invalid rate '${raw}': give requests per second above 0, e.g. 700 or 700/s (or leave it out for half the lower of the two ceilings).`);
  return value;
}

const fixed = (x: number | undefined, digits = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));
const msText = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratioText = (x: number) => (Number.isNaN(x) ? '-' : `${x.toFixed(2)}x`);

/** The reference mode (see the file's head). Exit 0: both targets met; 1: one is not; 3: no pgbench. */
export async function pgbenchReference(args: string[]): Promise<number> {
  const scale = parseScale(args[0] ?? '100k');
  const durationMs = parseDuration('duration', args[1] ?? '10s', { minMs: 5000, maxMs: 600_000, example: '10s' });
  if (durationMs % 1000 !== 0) throw new UsageError(`Invalid duration '${args[1]}': pgbench's -T takes whole seconds, e.g. 10s.`);
  const fixedRate = args[2] === undefined || args[2] === 'auto' ? undefined : parseRate(args[2]);
  const cls = args[3] ?? 'pages';
  if (cls !== 'pages' && cls !== 'dashboard') throw new UsageError(`Invalid class '${cls}': the reference runs a read-only class, pages (the default) or dashboard.`);
  const version = await findPgbench();
  if (!version) throw new UsageError(PGBENCH_HINT);
  const durationS = durationMs / 1000;
  const provider = resolveProviderOptions({ provider: 'embedded' }, process.env, log);

  return withDatabase(provider, async (db) => {
    log(`bench:load: ${db.kind} Postgres ${db.serverVersion}, ${version}; scale ${scale.label}; ${cls} only, ${durationS} s per run, pool and -c ${POOL}`);
    const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
    const traffic = buildTraffic(await loadScenarios())[cls];
    const copy = await createLoadCopy(db.connectionString, dataset, log);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'execbench-bench-pgbench-'));
    try {
      const client = new pg.Client({ connectionString: db.connectionString });
      await client.connect();
      await client.query(`SET search_path TO ${pg.escapeIdentifier(copy.schema)}`);
      const pools = await loadParamPools(client, copy.dataset);
      await client.end();

      const plan = buildPgbenchScripts(traffic.kinds, pickerFor(traffic, pools));
      const scriptFiles: string[] = [];
      for (const [i, script] of plan.scripts.entries()) {
        const file = path.join(dir, `script-${String(i).padStart(3, '0')}.sql`);
        await writeFile(file, script.text);
        scriptFiles.push(`${file}@${script.weight}`);
      }
      const worstShare = Math.max(...plan.kinds.map((k) => Math.abs(k.weightedShare - k.share)));
      log(`bench:load: ${plan.scripts.length} pgbench scripts for ${plan.kinds.length} kinds (${plan.kinds.map((k) => `${k.kind} ${k.scripts}/${k.parameterSets}`).join(', ')} scripts/parameter sets); weights within ${(worstShare * 100).toFixed(4)} points of the shares`);
      const context = { connectionString: db.connectionString, schema: copy.schema, dir, scriptFiles };

      const execbenchAt = async (perSecond: number) => {
        const handle = await startLoad({
          connectionString: db.connectionString, schema: copy.schema, durationMs, pool: POOL, seed: DEFAULT_SEED, pools,
          classes: [{ traffic, perSecond }],
        });
        const run = await handle.done;
        const report = summarizeLoad(run, {
          runId: 'bench-load-pgbench', traffic: [traffic], rates: { [cls]: perSecond }, pool: POOL, seed: DEFAULT_SEED, scale: scale.label,
          sampledEveryMs: WAIT_SAMPLE_MS, dataset: { source: dataset.schema, loadSchema: copy.schema, rows: dataset.counts.totalRows, copyMs: copy.copyMs, restored: '' },
        });
        return { run, report, figures: execbenchFigures(run.records, perSecond, durationMs) };
      };

      log(`bench:load: 1/6 pgbench's ceiling: -c ${POOL} -j 1 -T ${durationS}, no -R`);
      const ceilingRun = await runPgbench(context, { durationS, tag: 'ceiling' });
      const ceiling = ceilingRun.summary.tps;
      if (!(ceiling > 0)) throw new Error(`pgbench processed no transaction in ${durationS} s: ${ceilingRun.summary.failed} failed`);
      log(`bench:load: pgbench's ceiling ${ceiling.toFixed(0)}/s`);

      const steps: (CeilingStep & { machineBusyCores?: number; valid: boolean; limitedBy: string | null })[] = [];
      for (const [i, factor] of REFERENCE_TARGET.steps.entries()) {
        const perSecond = Math.max(1, Math.round(ceiling * factor));
        log(`bench:load: ${2 + i}/6 execbench at ${factor}x pgbench's ceiling: ${perSecond}/s`);
        const { run, report } = await execbenchAt(perSecond);
        steps.push({
          factor, offeredPerSecond: perSecond, achievedPerSecond: report.classes[0]!.achievedPerSecond, execbenchCores: run.cpu.execbenchCores,
          generatorLimit: generatorLimit(report), ...(run.cpu.machineBusyCores !== undefined ? { machineBusyCores: run.cpu.machineBusyCores } : {}),
          valid: report.valid, limitedBy: report.limitedBy ?? null,
        });
      }

      const execbenchBest = Math.max(...steps.map((s) => s.achievedPerSecond));
      const rate = fixedRate ?? sameOfferedRate(ceiling, execbenchBest);
      log(`bench:load: the same offered rate: ${rate}/s${fixedRate === undefined ? ` (half the lower ceiling: pgbench ${ceiling.toFixed(0)}/s, execbench ${execbenchBest.toFixed(0)}/s at most)` : ''}`);
      log(`bench:load: 5/6 pgbench -R ${rate} -T ${durationS} --log`);
      const pgbenchRated = await runPgbench(context, { durationS, ratePerSecond: rate, tag: 'rated' });
      log(`bench:load: 6/6 execbench at ${rate}/s`);
      const execbenchRated = await execbenchAt(rate);
      const pgbenchSide = pgbenchFigures(pgbenchRated.transactions, rate, pgbenchWindowMs(pgbenchRated.summary));
      const agreement = judgeAgreement(pgbenchSide, { ...execbenchRated.figures, valid: execbenchRated.report.valid, problems: execbenchRated.report.problems });
      const ceilingVerdict = judgeCeiling(ceiling, steps);

      // The table: the same rate, side by side.
      const e = execbenchRated.figures;
      const p = pgbenchSide;
      const cores = (x: number | undefined) => fixed(x, 2);
      const perRequestUs = (c: number | undefined, perSecond: number) => (c === undefined || !(perSecond > 0) ? undefined : (c * 1e6) / perSecond);
      process.stdout.write(`\nThe same offered rate, ${rate}/s for ${durationS} s (${cls}: ${plan.kinds.map((k) => `${k.kind} ${(k.share * 100).toFixed(0)}%`).join(', ')}); latency from the scheduled start, ms\n\n`);
      process.stdout.write(`${textTable(['', 'pgbench -R', 'execbench', 'execbench/pgbench'], [
        ['achieved /s', fixed(p.achievedPerSecond), fixed(e.achievedPerSecond), ratioText(agreement.ratios.achieved)],
        ['served of schedule', `${fixed(p.servedShare * 100)}%`, `${fixed(e.servedShare * 100)}%`, ''],
        ['mean', msText(p.latencyMs?.meanMs), msText(e.latencyMs?.meanMs), ratioText(agreement.ratios.meanMs)],
        ['p50', msText(p.latencyMs?.p50Ms), msText(e.latencyMs?.p50Ms), ratioText(agreement.ratios.p50Ms)],
        ['p95', msText(p.latencyMs?.p95Ms), msText(e.latencyMs?.p95Ms), ratioText(agreement.ratios.p95Ms)],
        ['p99', msText(p.latencyMs?.p99Ms), msText(e.latencyMs?.p99Ms), ratioText(agreement.ratios.p99Ms)],
        ['max', msText(p.latencyMs?.maxMs), msText(e.latencyMs?.maxMs), ''],
        ['start lag mean / p50 / p99', `${msText(p.startLagMs?.meanMs)} / ${msText(p.startLagMs?.p50Ms)} / ${msText(p.startLagMs?.p99Ms)}`, `${msText(e.startLagMs?.meanMs)} / ${msText(e.startLagMs?.p50Ms)} / ${msText(e.startLagMs?.p99Ms)}`, ''],
        ['from the send mean / p50', `${msText(p.serviceMs?.meanMs)} / ${msText(p.serviceMs?.p50Ms)}`, `${msText(e.serviceMs?.meanMs)} / ${msText(e.serviceMs?.p50Ms)}`,
          `${ratioText(ratioOf(e.serviceMs?.meanMs, p.serviceMs?.meanMs))} / ${ratioText(ratioOf(e.serviceMs?.p50Ms, p.serviceMs?.p50Ms))}`],
        ['generator CPU (cores)', cores(pgbenchRated.pgbenchCores), cores(execbenchRated.run.cpu.execbenchCores), ''],
        ['machine busy (cores)', cores(pgbenchRated.machineBusyCores), cores(execbenchRated.run.cpu.machineBusyCores), ''],
      ])}\n`);
      process.stdout.write(`(start lag: scheduled start to the first send, pgbench's schedule_lag, execbench's timer lag and pool wait; from the send: the latency less the start lag, shown to place a difference, not judged. execbench's run: ${execbenchRated.report.valid ? 'valid' : `INVALID: ${execbenchRated.report.problems.join('; ')}`})\n`);
      const meanGap = (e.latencyMs?.meanMs ?? Number.NaN) - (p.latencyMs?.meanMs ?? Number.NaN);
      const lagGap = (e.startLagMs?.meanMs ?? Number.NaN) - (p.startLagMs?.meanMs ?? Number.NaN);
      if (Number.isFinite(meanGap) && Number.isFinite(lagGap)) {
        process.stdout.write(`Of the ${msText(Math.abs(meanGap))} ms between the means (execbench's ${meanGap >= 0 ? 'higher' : 'lower'}), ${msText(lagGap)} ms is start lag (scheduled start to send) and ${msText(meanGap - lagGap)} ms from the send on.\n`);
      }
      process.stdout.write(`Agreement (achieved rate, mean and p50 within ${REFERENCE_TARGET.agreement * 100}%; p95/p99 shown, not judged: one run each, their tails move more than that between runs of the same tool): ${agreement.met ? 'met' : `NOT met: ${agreement.problems.join('; ')}`}\n`);

      // The table: the ceiling.
      process.stdout.write(`\nThe ceiling: pgbench without -R, execbench's open model at multiples of it (${durationS} s each)\n\n`);
      process.stdout.write(`${textTable(['run', 'offered /s', 'achieved /s', 'of pgbench ceiling', 'generator CPU (cores)', 'CPU per request (µs)', 'machine busy (cores)', 'execbench its own limit', 'validity / limited by'], [
        [`pgbench -c ${POOL}`, 'as fast as it goes', fixed(ceiling), '100%', cores(ceilingRun.pgbenchCores), fixed(perRequestUs(ceilingRun.pgbenchCores, ceiling), 0), cores(ceilingRun.machineBusyCores), '-', '-'],
        ...steps.map((s) => [
          `execbench ${s.factor}x`, String(s.offeredPerSecond), fixed(s.achievedPerSecond), `${fixed((s.achievedPerSecond / ceiling) * 100, 0)}%`,
          cores(s.execbenchCores), fixed(perRequestUs(s.execbenchCores, s.achievedPerSecond), 0), cores(s.machineBusyCores), s.generatorLimit === null ? 'no' : 'YES',
          `${s.valid ? 'valid' : 'invalid'}${s.limitedBy ? ` / ${s.limitedBy}` : ''}`,
        ]),
      ])}\n`);
      process.stdout.write('(its own limit: its CPU at 0.8 of a core or more, or a failed gate whose cause is execbench; "limited by": execbench\'s validity verdict, which names the server first when the rate was not achieved; machine busy: every process on the machine, the server and any other work)\n');
      for (const s of steps) if (s.generatorLimit !== null) process.stdout.write(`execbench ${s.factor}x was its own limit: ${s.generatorLimit}\n`);
      process.stdout.write(`Ceiling (${REFERENCE_TARGET.ceilingShare * 100}% of pgbench's before execbench's own CPU limits it): ${ceilingVerdict.words}\n`);

      // What sharing the cores costs: at the same rate, the difference in the generators' CPU is CPU the server did not get.
      const machineCores = os.cpus().length;
      const pgbenchUs = perRequestUs(pgbenchRated.pgbenchCores, p.achievedPerSecond);
      const execbenchUs = perRequestUs(execbenchRated.run.cpu.execbenchCores, e.achievedPerSecond);
      const extra = pgbenchRated.pgbenchCores === undefined ? undefined : execbenchRated.run.cpu.execbenchCores - pgbenchRated.pgbenchCores;
      process.stdout.write(`\nThe generator shares the machine's ${machineCores} CPUs with the server. At ${rate}/s pgbench used ${cores(pgbenchRated.pgbenchCores)} cores (${fixed(pgbenchUs, 0)} µs of CPU per transaction), execbench ${cores(execbenchRated.run.cpu.execbenchCores)} (${fixed(execbenchUs, 0)} µs per request)` +
        `${extra === undefined ? '' : `: ${cores(extra)} cores more, ${fixed((extra / machineCores) * 100, 0)}% of the machine the server could not use`}; at pgbench's ceiling pgbench itself took ${cores(ceilingRun.pgbenchCores)} of the ${machineCores} (${fixed(((ceilingRun.pgbenchCores ?? Number.NaN) / machineCores) * 100, 0)}%)${execbenchRated.run.cpu.priority ? `; ${execbenchRated.run.cpu.priority}` : ''}.\n`);

      const met = agreement.met && ceilingVerdict.met;
      process.stdout.write(`Targets: agreement ${agreement.met ? 'met' : 'NOT met'}; ceiling ${ceilingVerdict.met ? 'met' : 'NOT met'}\n`);
      const round = (x: number | undefined, digits = 3) => (x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(digits)));
      const side = (s: SideFigures, generatorCores: number | undefined, machineBusyCores: number | undefined) => ({
        achievedPerSecond: round(s.achievedPerSecond, 2), servedShare: round(s.servedShare, 4),
        latencyMs: s.latencyMs && Object.fromEntries(Object.entries(s.latencyMs).map(([k, v]) => [k, round(v)])),
        startLagMs: { mean: round(s.startLagMs?.meanMs), p50: round(s.startLagMs?.p50Ms), p99: round(s.startLagMs?.p99Ms) },
        serviceMs: { mean: round(s.serviceMs?.meanMs), p50: round(s.serviceMs?.p50Ms) }, generatorCores: round(generatorCores), machineBusyCores: round(machineBusyCores),
      });
      const result = {
        class: cls,
        scale: scale.label, durationMs, pool: POOL, server: db.serverVersion, pgbench: version, machineCores,
        scripts: { count: plan.scripts.length, kinds: plan.kinds.map((k) => ({ ...k, weightedShare: round(k.weightedShare, 6) })) },
        sameRate: {
          offeredPerSecond: rate, pgbench: side(p, pgbenchRated.pgbenchCores, pgbenchRated.machineBusyCores),
          execbench: { ...side(e, execbenchRated.run.cpu.execbenchCores, execbenchRated.run.cpu.machineBusyCores), valid: execbenchRated.report.valid },
          ratios: Object.fromEntries(Object.entries(agreement.ratios).map(([k, v]) => [k, round(v)])), targetMet: agreement.met, problems: agreement.problems,
        },
        ceiling: {
          pgbenchPerSecond: round(ceiling, 2), pgbenchCores: round(ceilingRun.pgbenchCores), machineBusyCores: round(ceilingRun.machineBusyCores),
          steps: steps.map((s) => ({ ...s, achievedPerSecond: round(s.achievedPerSecond, 2), execbenchCores: round(s.execbenchCores), machineBusyCores: round(s.machineBusyCores) })),
          targetMet: ceilingVerdict.met, reachedAt: ceilingVerdict.reachedAt,
        },
        targetsMet: met,
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      log(`bench:load: saved ${displayPath(saveFigure(`pgbench-${cls}`, result, db.serverVersion))} (npm run bench:load -- figures writes docs/load-measured.md)`);
      return met ? 0 : 1;
    } finally {
      await rm(dir, { recursive: true, force: true });
      log(`bench:load: ${await copy.drop()}`);
    }
  });
}
