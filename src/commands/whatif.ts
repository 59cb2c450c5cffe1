// `execbench whatif`: every schema variant on the same seeded rows, side by side; what each index is worth;
// generic plans; where plans flip with tenant size. Writes the usual report folder with a what-if section.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { withClient } from '../db/client.ts';
import type { ProviderOptions } from '../db/provider.ts';
import { readServerSettings } from '../db/settings.ts';
import { withDatabase } from '../db/with-database.ts';
import { ensureStatementsExtension } from '../runner/server-clock.ts';
import { decideExit, type FailOn } from '../gate/verdict.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults, type ScenarioResult } from '../results.ts';
import { renderAblation, renderCrossovers, renderGeneric, renderGroups, renderLayout, renderVariantComparison } from '../report/whatif-text.ts';
import { checkReportTargets, writeReports } from '../report/write-reports.ts';
import { deriveFindings } from '../runner/findings.ts';
import { loadScenarios, selectScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import type { DatasetInfo, DatasetRequest, ScaleSpec } from '../seed/types.ts';
import { confirmDatasetWrites } from '../seed/write-consent.ts';
import { runVariant } from '../whatif/run-variant.ts';
import { summarizeWhatif } from '../whatif/summarize.ts';
import type { VariantRun } from '../whatif/types.ts';
import { loadVariants } from '../whatif/variants.ts';
import { describeLeftBehind } from './left-behind.ts';
import { datasetSummary, environmentInfo, PROJECT_ROOT } from './run.ts';

export interface WhatifOptions {
  variants: string[];
  scales: ScaleSpec[];
  scenarioPatterns: string[];
  budgetMs: number;
  /** Per re-run form in the ablation and per generic-plan form. */
  sideBudgetMs: number;
  seed: number;
  fresh: boolean;
  parts: { ablation: boolean; generic: boolean; crossover: boolean; writeCost: boolean };
  failOn: FailOn[];
  outDir?: string;
  json: boolean;
  provider: ProviderOptions;
}

/** Runs the what-if comparison; returns the exit code (as for `run`). */
export async function runWhatifCommand(options: WhatifOptions): Promise<number> {
  const t0 = performance.now();
  const log = options.provider.log;
  // Bad variant folders and scenario names fail before anything starts (exit 3).
  const variants = loadVariants(options.variants);
  const scenarios = selectScenarios(await loadScenarios(), options.scenarioPatterns);
  // An unusable report folder fails before anything starts (exit 3), as for run.
  await checkReportTargets(options.outDir ?? path.join(PROJECT_ROOT, 'reports'), {
    label: options.outDir !== undefined ? '--out' : 'The reports folder',
    fix: 'Give --out a writable folder for the reports (created if missing), e.g. --out /tmp/execbench-reports.',
  });
  const startedAt = new Date();
  const runId = `whatif-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  const timings: Record<string, number> = {};

  const outcome = await withDatabase(options.provider, async (db) => {
    log(`execbench whatif: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    // The server clock: pg_stat_statements, preloaded where execbench starts the server (see run).
    if (db.kind !== 'url') await withClient(db.connectionString, ensureStatementsExtension);
    const datasets: DatasetInfo[] = [];
    const measured: { run: VariantRun; results: ScenarioResult[] }[] = [];
    // The optional covering index and view are part of the spec's set; variants change indexes on these rows.
    const requests: DatasetRequest[] = options.scales.map((scale) => ({
      scale, seed: options.seed, indexBuild: 'after', fresh: options.fresh, optional: { coveringIndex: true, dailyStats: true },
    }));
    // In a server execbench did not start, nothing is created or dropped without the role's rights and consent.
    await confirmDatasetWrites(db, requests, options.provider);
    for (const request of requests) {
      const scale = request.scale;
      const s0 = performance.now();
      const dataset = await ensureDataset(db, request, createProgress(`seed ${scale.label}`));
      timings[`seed_${scale.label}_ms`] = Math.round(performance.now() - s0);
      datasets.push(dataset);
      for (const variant of variants) {
        const v0 = performance.now();
        measured.push(await runVariant({
          connectionString: db.connectionString, dataset, scenarios, variant, budgetMs: options.budgetMs,
          sideBudgetMs: options.sideBudgetMs, parts: options.parts, log,
        }));
        timings[`variant_${variant.name}_${scale.label}_ms`] = Math.round(performance.now() - v0);
      }
    }
    const settings = await withClient(db.connectionString, readServerSettings);
    return { datasets, measured, environment: environmentInfo(db, settings), closing: await describeLeftBehind(db, options.provider) };
  });
  timings.totalMs = Math.round(performance.now() - t0);

  const reference = variants[0]!.name;
  const referenceResults = outcome.measured.filter((m) => m.run.variant === reference).flatMap((m) => m.results);
  const { report, findings } = summarizeWhatif({
    variants, measured: outcome.measured, referenceFindings: deriveFindings(referenceResults, scenarios),
  });
  const results: RunResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION, runId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    options: { scales: options.scales.map((s) => s.label), scenarios: scenarios.map((s) => s.id), timeBudgetMs: options.budgetMs, strictSpec: false },
    environment: outcome.environment,
    datasets: outcome.datasets.map(datasetSummary),
    // The report's main sections show the reference variant as `run` would; the what-if section shows all of them.
    scenarios: referenceResults,
    findings,
    headline: [],
    timings,
    whatif: report,
  };
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, 'reports', runId);
  const written = await writeReports(results, outDir);
  const out = options.json ? process.stderr : process.stdout;
  const layout = renderLayout(report);
  out.write(`\n${renderVariantComparison(report)}\n\n${layout ? `${layout}\n\n` : ''}${renderAblation(report)}\n\n${renderGeneric(report)}\n\n${renderCrossovers(report)}\n\n${renderGroups(report)}\n\n`);
  out.write(`Reports: ${written.map((p) => path.relative(process.cwd(), p) || p).join(', ')}\n`);
  out.write(`Run time ${(timings.totalMs / 1000).toFixed(1)} s for ${variants.length} variant(s) x ${options.scales.length} scale(s) x ${scenarios.length} scenarios.\n`);
  for (const line of outcome.closing) out.write(`${line}\n`);
  if (options.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  // Every variant's gated forms count, as `run` counts its own.
  const decision = decideExit({ ...results, scenarios: outcome.measured.flatMap((m) => m.results.map((r) => ({ ...r, scenarioId: `${m.run.variant}:${r.scenarioId}` }))) }, undefined, options.failOn);
  out.write(decision.exitCode === 0 ? `Gate: PASSED (exit 0) on every variant.\n` : `Gate: FAILED (exit ${decision.exitCode}):\n${decision.reasons.map((r) => `  - ${r}`).join('\n')}\n`);
  return decision.exitCode;
}
