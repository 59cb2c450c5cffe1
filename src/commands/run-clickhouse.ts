// `execbench run --engine clickhouse`: the spec's Option 3. Provision PostgreSQL and seed (or reuse) the datasets as
// `run` does, copy their rows into ClickHouse (embedded chdb, a server by --clickhouse-url, or two servers as a
// sharded cluster), check every answer against PostgreSQL's, time both side by side, judge, write the reports.
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { withDatabase } from '../db/with-database.ts';
import type { ProviderOptions } from '../db/provider.ts';
import { EXIT } from '../errors.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import type { DatasetRequest, ScaleSpec } from '../seed/types.ts';
import { confirmDatasetWrites } from '../seed/write-consent.ts';
import { checkReportTargets, writeReportFiles } from '../report/write-reports.ts';
import { openCluster, splitClickHouseUrls } from '../clickhouse/cluster.ts';
import { loadChdb, openEmbeddedEngine } from '../clickhouse/embedded.ts';
import type { ClickHouseEngine } from '../clickhouse/engine.ts';
import { deriveFindings } from '../clickhouse/judge.ts';
import { OPTION3_SCHEMA_VERSION, type Option3Results, type ScaleOutcome } from '../clickhouse/results.ts';
import type { EngineTarget } from '../clickhouse/run-analytics.ts';
import { runAnalyticsAtScale } from '../clickhouse/run-analytics.ts';
import { parseClickHouseUrl } from '../clickhouse/server.ts';
import { renderOption3Html } from '../report/option3-html.ts';
import { renderOption3Junit } from '../report/option3-junit.ts';
import { renderOption3Markdown } from '../report/option3-markdown.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Where the engines are: the embedded one, and/or servers (one URL: a server; two: a cluster's shards). */
export interface ClickHouseTargets {
  embedded: boolean;
  /** Each entry one server (length 1) or one cluster (length 2). */
  servers: string[][];
}

export interface ClickHouseRunOptions {
  scales: ScaleSpec[];
  targets: ClickHouseTargets;
  budgetMs: number;
  seed: number;
  fresh: boolean;
  json: boolean;
  outDir?: string;
  provider: ProviderOptions;
}

/** --clickhouse-url given: that server (or two: a cluster); absent: the embedded engine. Checked before anything starts. */
export function clickHouseTargets(url: string | undefined): ClickHouseTargets {
  if (url === undefined) return { embedded: true, servers: [] };
  if (url.trim() === '') parseClickHouseUrl(url); // one line: "was given no value"
  const urls = splitClickHouseUrls(url);
  for (const u of urls) parseClickHouseUrl(u);
  return { embedded: false, servers: [urls] };
}

async function openTargets(targets: ClickHouseTargets, cacheDir: string, opened: ClickHouseEngine[]): Promise<EngineTarget[]> {
  const out: EngineTarget[] = [];
  if (targets.embedded) {
    const engine = await openEmbeddedEngine(path.join(cacheDir, 'chdb'));
    opened.push(engine);
    out.push({ engine });
  }
  for (const urls of targets.servers) {
    if (urls.length === 1) {
      const { openServerEngine } = await import('../clickhouse/server.ts');
      const engine = await openServerEngine(urls[0]!);
      opened.push(engine);
      out.push({ engine });
    } else {
      const cluster = await openCluster(urls);
      opened.push(cluster.engine, ...cluster.shards);
      out.push({ engine: cluster.engine, shards: cluster.shards });
    }
  }
  return out;
}

/** Runs Option 3 and returns the exit code: 0 all passed or inconclusive, 1 a wrong answer or a failed limit, 2 an engine errored. */
export async function runClickHouseCommand(options: ClickHouseRunOptions, extra: { skippedEngines?: Option3Results['skippedEngines'] } = {}): Promise<{ exitCode: number; results: Option3Results; written: string[] }> {
  const log = options.provider.log;
  const t0 = performance.now();
  // A missing chdb is one line and exit 3 before any server starts or any row is written.
  if (options.targets.embedded) await loadChdb();
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, 'reports', `option3-${runId}`);
  await checkReportTargets(outDir, {
    label: options.outDir !== undefined ? '--out' : 'The reports folder',
    fix: 'Give --out a writable folder for the reports (created if missing), e.g. --out /tmp/execbench-reports.',
  });
  const requests = options.scales.map((scale): DatasetRequest => ({
    scale, seed: options.seed, indexBuild: 'after', fresh: options.fresh, optional: { coveringIndex: true, dailyStats: true },
  }));
  const opened: ClickHouseEngine[] = [];
  // ClickHouse first: an unreachable server is one line before any PostgreSQL starts (nothing is left running).
  let targets: EngineTarget[];
  try {
    targets = await openTargets(options.targets, options.provider.cacheDir, opened);
  } catch (error) {
    for (const engine of opened.reverse()) await engine.close().catch(() => {});
    throw error;
  }
  for (const t of targets) log(`execbench: ClickHouse ${t.engine.label}`);
  const { scales, postgres, engines } = await withDatabase(options.provider, async (db) => {
    log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    try {
      await confirmDatasetWrites(db, requests, options.provider);
      const scales: ScaleOutcome[] = [];
      for (const request of requests) {
        const dataset = await ensureDataset(db, request, createProgress(`seed ${request.scale.label}`));
        scales.push(await runAnalyticsAtScale({ connectionString: db.connectionString, dataset, targets, budgetMs: options.budgetMs, fresh: options.fresh, log }));
      }
      return {
        scales,
        postgres: { version: db.serverVersion, where: db.kind },
        engines: targets.map((t) => ({
          label: t.engine.label, kind: t.engine.kind, version: t.engine.version.text,
          clientClock: t.engine.kind === 'embedded'
            ? 'a function call in this process: ClickHouse\'s work plus handing the JSON result to JavaScript, no socket'
            : 'an HTTP round trip on loopback (the official client), as PostgreSQL\'s is a wire round trip',
        })),
      };
    } finally {
      for (const engine of opened.reverse()) await engine.close().catch(() => {});
    }
  });
  const cpus = os.cpus();
  const results: Option3Results = {
    schemaVersion: OPTION3_SCHEMA_VERSION,
    kind: 'execbench-option3',
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', loadAverage: os.loadavg(), node: process.version,
      note: 'Timings are of this machine at this load: PostgreSQL and ClickHouse share its cores with each other (and here with other work); ratios come from interleaved rounds so drift falls on both sides.',
    },
    postgres,
    engines,
    skippedEngines: extra.skippedEngines ?? [],
    options: { scales: options.scales.map((s) => s.label), budgetMs: options.budgetMs },
    scales,
    findings: scales.flatMap(deriveFindings),
  };
  const markdown = renderOption3Markdown(results);
  const written = await writeReportFiles(outDir, [
    ['results.json', `${JSON.stringify(results, null, 2)}\n`],
    ['index.html', await renderOption3Html(results)],
    ['summary.md', markdown],
    ['junit.xml', renderOption3Junit(results)],
  ], markdown);
  if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  for (const f of results.findings) log(`finding (${f.scale}, ${f.engine}): ${f.status}: ${f.claim}: ${f.measured}`);
  const outcomes = scales.flatMap((s) => s.scenarios.flatMap((c) => c.engines));
  const exitCode = outcomes.some((o) => o.status === 'errored') ? EXIT.harness : outcomes.some((o) => o.status === 'failed') ? EXIT.gate : EXIT.ok;
  log(`execbench: Option 3 in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${outcomes.filter((o) => o.status === 'passed').length} passed, ${outcomes.filter((o) => o.status === 'failed').length} failed, ${outcomes.filter((o) => o.status === 'inconclusive').length} inconclusive, ${outcomes.filter((o) => o.status === 'skipped').length} skipped, ${outcomes.filter((o) => o.status === 'errored').length} errored; reports in ${outDir}.`);
  return { exitCode, results, written };
}
