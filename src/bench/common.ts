// What the benchmark scripts share: the default dataset request (the same one `npm run bench` seeds, so the
// cache is reused) and a top-level that turns a failure into one line and an exit code.
import { EXIT, ExecbenchError } from '../errors.ts';
import { datasetSummary, environmentInfo } from '../commands/run.ts';
import type { Database } from '../db/provider.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults, type ScenarioResult } from '../results.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { DatasetInfo, DatasetRequest, ScaleSpec } from '../seed/types.ts';

/** The seed `execbench run` uses by default (src/cli.ts). */
export const DEFAULT_SEED = 20261124;

/** The dataset `npm run bench` builds for a scale: reusing it keeps benchmark scripts from reseeding. */
export function benchRequest(scale: ScaleSpec): DatasetRequest {
  return { scale, seed: DEFAULT_SEED, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true } };
}

/**
 * `-h` or `--help` as the first argument: prints the script's usage (what it does, its arguments and defaults, an
 * example) and exits 0 before anything starts. Only the first argument, so a flag passed through to a run stays its.
 */
export function exitOnHelp(usage: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (argv[0] !== '-h' && argv[0] !== '--help') return;
  process.stdout.write(`${usage.trim()}\n`);
  process.exit(0);
}

/** Runs a script's main; an error becomes one line on stderr (the stack only with EXECBENCH_DEBUG) and exit 2/3. */
export async function runScript(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${process.env.EXECBENCH_DEBUG && error instanceof Error ? error.stack : message}\n`);
    process.exitCode = error instanceof ExecbenchError ? error.exitCode : EXIT.harness;
  }
}

export { median } from '../runner/statistics.ts';

/** A one-scale results document around a benchmark's measured forms, so compareRuns can judge them like runs. */
export function benchResults(
  db: Database, settings: Record<string, string>, dataset: DatasetInfo, scenarios: LoadedScenario[],
  results: ScenarioResult[], runId: string, budgetMs: number,
): RunResults {
  const now = new Date().toISOString();
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION, runId, startedAt: now, finishedAt: now,
    options: { scales: [dataset.request.scale.label], scenarios: scenarios.map((s) => s.id), timeBudgetMs: budgetMs, strictSpec: false },
    environment: environmentInfo(db, settings), datasets: [datasetSummary(dataset)],
    scenarios: results, findings: [], headline: [], timings: {},
  };
}
