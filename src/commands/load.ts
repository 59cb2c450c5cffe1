// `execbench load`: the fixed-rate mode. Seed (or reuse) the dataset, copy it for the load's writes, offer each class
// its rate on an open schedule for the duration, watch who waits on whom, then judge the run's validity and the
// spec's promises at that rate; a table per class, --json, and a results file. Ctrl-C stops the traffic and prints
// what was measured so far.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { readServerSettings } from '../db/settings.ts';
import type { ProviderOptions } from '../db/provider.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT } from '../errors.ts';
import { confirmLoadCopy, createLoadCopy } from '../load/load-schema.ts';
import { formatProgress, renderLoadReport } from '../load/render.ts';
import { startLoad, type LoadHandle, type LoadProgress } from '../load/run-load.ts';
import { summarizeLoad, type LoadReport } from '../load/summary.ts';
import { buildTraffic, checkJudgeable, formatRates, LOAD_CLASSES, type LoadRates } from '../load/traffic.ts';
import { WAIT_SAMPLE_MS } from '../load/wait-sampler.ts';
import { checkWritableDir, ensureDir } from '../paths.ts';
import { loadParamPools } from '../runner/params.ts';
import { displayPath, loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import type { DatasetRequest, ScaleSpec } from '../seed/types.ts';
import { confirmDatasetWrites } from '../seed/write-consent.ts';
import { environmentInfo, PROJECT_ROOT } from './run.ts';

/** Options of `execbench load` (fixed-rate mode), checked by the CLI before anything starts. */
export interface LoadOptions {
  rates: LoadRates;
  durationMs: number;
  pool: number;
  scale: ScaleSpec;
  seed: number;
  json: boolean;
  /** Folder for load.json (default reports/load-<run-id>). */
  outDir?: string;
  provider: ProviderOptions;
}

/**
 * Exit codes: 0 a valid run, no promise failed at these rates (an inconclusive one is a warning); 1 a promise failed,
 * or the server did not keep up with the offered rates (an invalid run, said why); 2 execbench could not measure
 * (its own schedule or CPU limited the run, its bookkeeping disagreed, a harness error); 3 bad input.
 */
export function loadExitCode(report: LoadReport): number {
  if (!report.valid) return report.gates.some((g) => !g.ok && (g.cause === 'execbench' || g.cause === 'measurement')) ? EXIT.harness : EXIT.gate;
  return report.classes.some((c) => c.promise?.status === 'failed') ? EXIT.gate : EXIT.ok;
}

/** Runs the load; returns the exit code (loadExitCode). */
export async function runLoadCommand(options: LoadOptions): Promise<number> {
  const log = options.provider.log;
  // Bad input was refused by the CLI; what is left to say before anything starts: promises that cannot pass.
  for (const warning of checkJudgeable(options.rates, options.durationMs)) log(`execbench load: warning: ${warning}`);
  const all = buildTraffic(await loadScenarios());
  const classes = LOAD_CLASSES.filter((name) => options.rates[name] !== undefined).map((name) => ({ traffic: all[name], perSecond: options.rates[name]! }));
  const runId = `load-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const outDir = path.resolve(options.outDir ?? path.join(PROJECT_ROOT, 'reports', runId));
  await checkWritableDir(outDir, {
    label: options.outDir !== undefined ? '--out' : 'The reports folder',
    fix: 'Give --out a writable folder (created if missing), e.g. --out /tmp/execbench-load.',
  });
  const request: DatasetRequest = {
    scale: options.scale, seed: options.seed, indexBuild: 'after', fresh: options.provider.fresh,
    optional: { coveringIndex: true, dailyStats: true },
  };

  return withDatabase(options.provider, async (db) => {
    log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    await confirmDatasetWrites(db, [request], options.provider);
    const dataset = await ensureDataset(db, request, createProgress(`seed ${options.scale.label}`));
    await confirmLoadCopy(db, dataset, options.provider);
    const copy = await createLoadCopy(db.connectionString, dataset, log);
    let handle: LoadHandle | undefined;
    let interrupted = false;
    let reported: () => void = () => {};
    const reportDone = new Promise<void>((resolve) => { reported = resolve; });
    // Ctrl-C: stop the traffic, print and save what was measured, drop the copy; then withDatabase stops the server.
    const unregister = db.onInterrupt?.(async () => {
      interrupted = true;
      if (!handle) return copy.drop();
      handle.stop();
      await reportDone;
      return `stopped the traffic and printed what was measured; ${await copy.drop()}`;
    });
    try {
      const client = new pg.Client({ connectionString: db.connectionString });
      await client.connect();
      let pools;
      let settings: Record<string, string>;
      try {
        await client.query(`SET search_path TO ${pg.escapeIdentifier(copy.schema)}`);
        pools = await loadParamPools(client, copy.dataset);
        settings = await readServerSettings(client);
      } finally {
        await client.end().catch(() => {});
      }
      log(`load: ${formatRates(options.rates)} for ${options.durationMs / 1000} s on a pool of ${options.pool}, seed ${options.seed}`);
      const progress = progressPrinter();
      handle = await startLoad({
        connectionString: db.connectionString, schema: copy.schema, classes, durationMs: options.durationMs,
        pool: options.pool, seed: options.seed, pools, onProgress: progress.update,
      });
      const run = await handle.done;
      progress.end();
      const report = summarizeLoad(run, {
        runId, traffic: classes.map((c) => c.traffic), rates: options.rates, pool: options.pool, seed: options.seed,
        scale: options.scale.label, sampledEveryMs: WAIT_SAMPLE_MS, environment: environmentInfo(db, settings),
        dataset: {
          source: dataset.schema, loadSchema: copy.schema, rows: dataset.counts.totalRows, copyMs: copy.copyMs,
          restored: `the load wrote only into ${copy.schema}, a copy of ${dataset.schema} made for this run and dropped at its end; ${dataset.schema} (what run and whatif measure) was only read`,
        },
      });
      await output(report, outDir, options.json);
      reported();
      if (interrupted) return EXIT.harness;
      return loadExitCode(report);
    } finally {
      reported();
      unregister?.();
      if (!interrupted) log(`load: ${await copy.drop()}`);
    }
  });
}

/** Prints the tables (stderr with --json), writes load.json, prints the document with --json. */
async function output(report: LoadReport, outDir: string, json: boolean): Promise<void> {
  const out = json ? process.stderr : process.stdout;
  out.write(`\n${renderLoadReport(report)}\n`);
  await ensureDir(outDir);
  const file = path.join(outDir, 'load.json');
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  out.write(`Results: ${displayPath(file)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** Progress on stderr: one line rewritten in place on a terminal, a plain line every 5 s otherwise. */
function progressPrinter(): { update: (p: LoadProgress) => void; end: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  let open = false;
  let last = Number.NEGATIVE_INFINITY;
  return {
    update: (p) => {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${formatProgress(p)}`);
        open = true;
      } else if (p.elapsedMs - last >= 5000) {
        last = p.elapsedMs;
        process.stderr.write(`${formatProgress(p)}\n`);
      }
    },
    end: () => {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}
