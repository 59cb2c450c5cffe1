// `execbench load`: the fixed-rate mode. Seed (or reuse) the dataset, copy it for the load's writes, offer each class
// its rate on an open schedule for the duration, watch who waits on whom, then judge the run's validity and the
// spec's promises at that rate; a table per class, --json, and load.json, summary.md, junit.xml and index.html (with
// the run on a time axis). Ctrl-C stops the traffic and prints and saves what was measured so far (no HTML then).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { withClient } from '../db/client.ts';
import { readServerSettings } from '../db/settings.ts';
import type { ProviderOptions } from '../db/provider.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT } from '../errors.ts';
import { confirmLoadCopy, createLoadCopy, loadSchemaName } from '../load/load-schema.ts';
import { formatProgress, renderLoadReport } from '../load/render.ts';
import { startLoad, type LoadHandle, type LoadProgress } from '../load/run-load.ts';
import { summarizeLoad, type LoadReport } from '../load/summary.ts';
import { buildTimeline, type RunTimeline } from '../load/timeline.ts';
import { buildTraffic, checkJudgeable, formatRates, LOAD_CLASSES, type LoadRates } from '../load/traffic.ts';
import { WAIT_SAMPLE_MS } from '../load/wait-sampler.ts';
import { checkWritableDir, ensureDir } from '../paths.ts';
import { renderFixedRateHtml } from '../report/fixed-rate-html.ts';
import { renderFixedRateJunit } from '../report/fixed-rate-junit.ts';
import { renderFixedRateMarkdown } from '../report/fixed-rate-markdown.ts';
import { loadParamPools } from '../runner/params.ts';
import { displayPath, loadScenarios } from '../scenario/load.ts';
import { datasetSchemaName, ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import type { DatasetRequest, ScaleSpec } from '../seed/types.ts';
import { confirmDatasetWrites } from '../seed/write-consent.ts';
import { environmentInfo, PROJECT_ROOT } from './run.ts';
import { CAPACITY_RULE, stepSamplesToPass } from '../load/capacity.ts';
import { renderCapacityReport } from '../load/render-search.ts';
import { searchPromise, type SearchOutcome } from '../load/run-search.ts';
import { CAPACITY_REPORT_VERSION, describeMethod, maintenanceCosts, type CapacityReport, type PromiseClass, type PromiseSearch } from '../load/search-report.ts';
import { SEARCH_WEIGHT, searchShareMs } from '../load/step-plan.ts';
import { DEFAULT_RATES } from '../load/traffic.ts';
import { renderCapacityHtml } from '../report/load-html.ts';
import { renderCapacityJunit } from '../report/load-junit.ts';
import { renderCapacityMarkdown } from '../report/load-markdown.ts';
import { applyVariant } from '../whatif/apply-variant.ts';
import { loadVariants } from '../whatif/variants.ts';

/** Options of `execbench load` (fixed-rate mode), checked by the CLI before anything starts. */
export interface LoadOptions {
  rates: LoadRates;
  durationMs: number;
  pool: number;
  scale: ScaleSpec;
  seed: number;
  json: boolean;
  /** Folder for load.json, index.html, summary.md and junit.xml (default reports/load-<run-id>). */
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

/** What a fixed-rate run and a search both start from: the run id, its report folder (checked) and the dataset. */
async function prepareLoadRun(
  kind: 'load' | 'capacity', options: Pick<LoadOptions, 'outDir' | 'scale' | 'seed' | 'provider'>,
): Promise<{ runId: string; outDir: string; request: DatasetRequest }> {
  const runId = `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const outDir = path.resolve(options.outDir ?? path.join(PROJECT_ROOT, 'reports', runId));
  await checkWritableDir(outDir, {
    label: options.outDir !== undefined ? '--out' : 'The reports folder',
    fix: 'Give --out a writable folder (created if missing), e.g. --out /tmp/execbench-load.',
  });
  const request: DatasetRequest = {
    scale: options.scale, seed: options.seed, indexBuild: 'after', fresh: options.provider.fresh,
    optional: { coveringIndex: true, dailyStats: true },
  };
  return { runId, outDir, request };
}

/** Runs the load; returns the exit code (loadExitCode). */
export async function runLoadCommand(options: LoadOptions): Promise<number> {
  const log = options.provider.log;
  // Bad input was refused by the CLI; what is left to say before anything starts: promises that cannot pass.
  for (const warning of checkJudgeable(options.rates, options.durationMs)) log(`execbench load: warning: ${warning}`);
  const all = buildTraffic(await loadScenarios());
  const classes = LOAD_CLASSES.filter((name) => options.rates[name] !== undefined).map((name) => ({ traffic: all[name], perSecond: options.rates[name]! }));
  const { runId, outDir, request } = await prepareLoadRun('load', options);

  return withDatabase(options.provider, async (db) => {
    log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    await confirmDatasetWrites(db, [request], options.provider, undefined, `copy it into ${loadSchemaName(datasetSchemaName(request.scale.label))} for the load's writes (dropped at the end; the dataset is kept, as after run)`);
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
          restored: `the load wrote only into ${copy.schema}, a copy of ${dataset.schema} made for this run and dropped at its end; ${dataset.schema} (what run and whatif measure${dataset.reused ? '' : ', seeded by this run and kept: `execbench clean` removes it'}) was only read`,
        },
      });
      const timeline = buildTimeline(run, report, { windowMs: run.stoppedAtMs ?? run.durationMs });
      await output(report, timeline, outDir, options.json, interrupted || report.interruptedAtMs !== undefined);
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

/**
 * load.json, summary.md and junit.xml first, then the console view (stderr with --json) and the document on stdout
 * with --json; the HTML (vega renders its chart: the slow part) last, and not after Ctrl-C, as the search does.
 */
async function output(report: LoadReport, timeline: RunTimeline, outDir: string, json: boolean, interrupted: boolean): Promise<void> {
  const file = (name: string) => path.join(outDir, name);
  await ensureDir(outDir);
  await writeFile(file('load.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(file('summary.md'), renderFixedRateMarkdown(report));
  await writeFile(file('junit.xml'), renderFixedRateJunit(report));
  const out = json ? process.stderr : process.stdout;
  out.write(`\n${renderLoadReport(report)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (interrupted) {
    out.write(`Results: ${displayPath(file('load.json'))} (and summary.md, junit.xml; no HTML after Ctrl-C)\n`);
    return;
  }
  await writeFile(file('index.html'), await renderFixedRateHtml(report, timeline));
  out.write(`Results: ${displayPath(file('load.json'))}; report ${displayPath(file('index.html'))} (also summary.md, junit.xml)\n`);
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

/** Options of `execbench load --search`, checked by the CLI before anything starts. */
export interface LoadSearchOptions {
  promises: PromiseClass[];
  maintenance: ('without' | 'with')[];
  /** Schema variants (schema/variants/<name>), each searched on its own fresh copy of the same rows. */
  variants: string[];
  maxTimeMs: number;
  /** A first look's window, at least. */
  stepMs: number;
  maxWindowMs: number;
  maxSteps: number;
  pool: number;
  scale: ScaleSpec;
  seed: number;
  json: boolean;
  minCapacity: Partial<Record<PromiseClass, number>>;
  outDir?: string;
  provider: ProviderOptions;
}

/** ingest and retention beside the promise's class "with maintenance": their default rates. */
const MAINTENANCE_RATES = { ingest: DEFAULT_RATES.ingest, retention: DEFAULT_RATES.retention };

/**
 * Exit codes: 0 every search found a capacity bound, at or above its --min-capacity; 1 a bound is below it, or a
 * promise held at no rate tried; 2 a search found no bound (execbench's own limit, undecided, out of time) or Ctrl-C.
 */
export function capacityExitCode(report: CapacityReport): number {
  if (report.interrupted) return EXIT.harness;
  // As the JUnit cases: a bound under --min-capacity, or a promise shown to hold at no rate, fails; no bound at all is an error.
  const gate = (s: PromiseSearch) => (s.lowerBoundPerSecond !== null && s.meetsMinimum === false) || s.status === 'no-pass';
  if (report.searches.some(gate)) return EXIT.gate;
  if (report.searches.length === 0 || report.searches.some((s) => s.lowerBoundPerSecond === null)) return EXIT.harness;
  return EXIT.ok;
}

/** Runs the searches (promises x maintenance on each variant's copy), within --max-time; returns the exit code. */
export async function runLoadSearchCommand(options: LoadSearchOptions): Promise<number> {
  const log = options.provider.log;
  const variants = loadVariants(options.variants);
  const scenarios = await loadScenarios();
  const { runId, outDir, request } = await prepareLoadRun('capacity', options);
  const rule = { ...CAPACITY_RULE, maxSteps: options.maxSteps };
  const startedAt = new Date().toISOString();

  return withDatabase(options.provider, async (db) => {
    log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    await confirmDatasetWrites(db, [request], options.provider, undefined, `copy it into ${loadSchemaName(datasetSchemaName(request.scale.label))} for the load's writes (dropped at the end; the dataset is kept, as after run)`);
    const dataset = await ensureDataset(db, request, createProgress(`seed ${options.scale.label}`));
    await confirmLoadCopy(db, dataset, options.provider);
    // --max-time bounds the search: the copies, the steps and what runs between them, not the seeding above.
    const t0 = performance.now();
    const leftMs = () => options.maxTimeMs - (performance.now() - t0);
    const searches: PromiseSearch[] = [];
    const outcomes: SearchOutcome[] = [];
    const notes: string[] = [];
    let interrupted = false;
    let handle: LoadHandle | undefined;
    let settings: Record<string, string> | undefined;
    let loadSchema = '';
    let reported: () => void = () => {};
    const reportDone = new Promise<void>((resolve) => { reported = resolve; });
    const unregister = db.onInterrupt?.(async () => {
      interrupted = true;
      handle?.stop();
      await reportDone;
      return 'stopped the search and printed what was measured';
    });
    const progress = searchProgressPrinter();
    // The thinning lag each promise's steps measured, carried to its next search (a first step planned for lag 1 at a
    // lag of 6 is inconclusive and buys a second look).
    const lagHints = new Map<PromiseClass, number>();
    const total = variants.length * options.promises.length * options.maintenance.length;
    // Pages first: its steps are short (hundreds of requests a second), and what its searches leave of their share
    // goes to the dashboard's, whose windows are long; each search's share is weighted by what it needs (SEARCH_WEIGHT).
    const promiseOrder = [...options.promises].sort((a, b) => Number(a === 'dashboard') - Number(b === 'dashboard'));
    const searchWeights = variants.flatMap(() => promiseOrder.flatMap((p) => options.maintenance.map(() => SEARCH_WEIGHT[p])));
    let copyMs = 0;
    try {
      for (const [vi, variant] of variants.entries()) {
        if (interrupted) break;
        if (leftMs() <= 0) {
          notes.push(`variant ${variant.name} was not searched: --max-time ran out`);
          continue;
        }
        const copy = await createLoadCopy(db.connectionString, dataset, log);
        copyMs = Math.max(copyMs, copy.copyMs);
        loadSchema = copy.schema;
        try {
          const pools = await withClient(db.connectionString, async (client) => {
            await client.query(`SET search_path TO ${pg.escapeIdentifier(copy.schema)}`);
            // The variant is committed to the copy (dropped at the end), so every pool connection sees it.
            await client.query('BEGIN');
            try {
              const created = await applyVariant(client, variant);
              await client.query('COMMIT');
              if (variant.statements.length > 0) log(`load: variant ${variant.name} applied to ${copy.schema} (${created.length} index(es) built)`);
            } catch (error) {
              await client.query('ROLLBACK').catch(() => {});
              throw error;
            }
            await client.query('ANALYZE executions');
            settings ??= await readServerSettings(client);
            return loadParamPools(client, copy.dataset);
          });
          const state = { dirty: false };
          for (const promise of promiseOrder) {
            for (const mode of options.maintenance) {
              if (interrupted) break;
              const done = searches.length;
              // Later variants need a copy each: their time is kept back from this search's share.
              const shareMs = searchShareMs(leftMs(), searchWeights.slice(done), (variants.length - vi - 1) * copyMs * 1.5);
              log(`load: search ${done + 1} of ${total}: ${promise} p95 < ${promise === 'dashboard' ? 2000 : 500} ms on ${variant.name}, ${mode} maintenance (${(shareMs / 1000).toFixed(0)} s of ${(leftMs() / 1000).toFixed(0)} s left)`);
              const outcome = await searchPromise({
                connectionString: db.connectionString, copy, sourceSchema: dataset.schema, pools, traffic: () => buildTraffic(scenarios),
                pool: options.pool, seed: options.seed, scale: options.scale.label, rule, stepMs: options.stepMs, maxWindowMs: options.maxWindowMs,
                maintenanceRates: MAINTENANCE_RATES, totalLeftMs: leftMs, interrupted: () => interrupted,
                setHandle: (h) => { handle = h; }, progress: progress.line, state, lagHints,
              }, promise, mode === 'with', variant.name, shareMs, options.minCapacity[promise]);
              progress.end();
              log(`load: ${promise}, ${variant.name}, ${mode} maintenance: ${outcome.search.words}`);
              searches.push(outcome.search);
              outcomes.push(outcome);
            }
          }
        } finally {
          log(`load: ${await copy.drop()}`);
        }
      }
      const timeline = (outcomes.find((o) => o.search.maintenance && o.timeline) ?? outcomes.find((o) => o.timeline))?.timeline;
      const report: CapacityReport = {
        kind: 'execbench-load-capacity', schemaVersion: CAPACITY_REPORT_VERSION, runId, startedAt, finishedAt: new Date().toISOString(),
        options: {
          scale: options.scale.label, promises: options.promises, maintenance: options.maintenance, variants: variants.map((v) => v.name),
          maxTimeMs: options.maxTimeMs, stepMs: options.stepMs, maxWindowMs: options.maxWindowMs, maxSteps: rule.maxSteps, precision: rule.precision,
          confidence: rule.confidence, pool: options.pool, seed: options.seed, maintenanceRates: MAINTENANCE_RATES, minCapacity: options.minCapacity,
        },
        ...(settings ? { environment: environmentInfo(db, settings) } : {}),
        dataset: { source: dataset.schema, loadSchema, rows: dataset.counts.totalRows },
        method: describeMethod({ confidence: rule.confidence, maxSteps: rule.maxSteps, precision: rule.precision, samplesToPass: stepSamplesToPass(rule), maintenanceRates: MAINTENANCE_RATES }),
        searches,
        maintenanceCost: maintenanceCosts(searches, MAINTENANCE_RATES),
        ...(timeline ? { timeline } : {}),
        interrupted,
        notes,
        durationMs: Math.round(performance.now() - t0),
      };
      await outputCapacity(report, outDir, options.json, interrupted, reported);
      return capacityExitCode(report);
    } finally {
      progress.end();
      reported();
      unregister?.();
    }
  });
}

/**
 * capacity.json, summary.md and junit.xml first, then the console view (stderr with --json) and the document on
 * stdout with --json; the HTML (vega renders its charts: the slow part) last, and not after Ctrl-C.
 */
async function outputCapacity(report: CapacityReport, outDir: string, json: boolean, interrupted: boolean, printed: () => void): Promise<void> {
  await ensureDir(outDir);
  await writeFile(path.join(outDir, 'capacity.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(outDir, 'summary.md'), renderCapacityMarkdown(report));
  await writeFile(path.join(outDir, 'junit.xml'), renderCapacityJunit(report));
  const out = json ? process.stderr : process.stdout;
  out.write(`\n${renderCapacityReport(report)}\n`);
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (interrupted) {
    out.write(`Results: ${displayPath(path.join(outDir, 'capacity.json'))} (and summary.md, junit.xml; no HTML after Ctrl-C)\n`);
    printed();
    return;
  }
  await writeFile(path.join(outDir, 'index.html'), await renderCapacityHtml(report));
  out.write(`Results: ${displayPath(path.join(outDir, 'capacity.json'))}; report ${displayPath(path.join(outDir, 'index.html'))} (also summary.md, junit.xml)\n`);
}

/** Progress on stderr: the running step's line rewritten in place on a terminal (every 5 s otherwise); a line per step. */
function searchProgressPrinter(): { line: (text: string, final: boolean) => void; end: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  let open = false;
  let last = 0;
  return {
    line: (text, final) => {
      if (final) {
        process.stderr.write(`${open ? '\r\x1b[2K' : ''}${text}\n`);
        open = false;
        return;
      }
      if (tty) {
        process.stderr.write(`\r\x1b[2K${text}`);
        open = true;
      } else if (performance.now() - last >= 5000) {
        last = performance.now();
        process.stderr.write(`${text}\n`);
      }
    },
    end: () => {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}
