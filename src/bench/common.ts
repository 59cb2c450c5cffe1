// What the benchmark scripts share: the default dataset request (the same one `npm run bench` seeds, so the
// cache is reused) and a top-level that turns a failure into one line and an exit code.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { EXIT, ExecbenchError, UsageError } from '../errors.ts';
import { datasetSummary, environmentInfo, PROJECT_ROOT } from '../commands/run.ts';
import type { Database } from '../db/provider.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults, type ScenarioResult } from '../results.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { DatasetInfo, DatasetRequest, ScaleSpec } from '../seed/types.ts';

/** The seed `execbench run` uses by default (src/cli-common.ts). */
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
    // These scripts take positional arguments: a flag where one was expected gets said so.
    const flag = error instanceof UsageError ? process.argv.slice(2).find((a) => a.startsWith('--') && message.includes(`'${a}'`)) : undefined;
    const hint = flag ? ` (the arguments are positional, not flags: npm run ${scriptName()} -- --help)` : '';
    process.stderr.write(`${process.env.EXECBENCH_DEBUG && error instanceof Error ? error.stack : `${scriptName()}: ${message}${hint}`}\n`);
    process.exitCode = error instanceof ExecbenchError ? error.exitCode : EXIT.harness;
  }
}

/** bench:clock, bench:seed...: the npm script this process runs, for its messages. */
function scriptName(): string {
  const file = path.basename(process.argv[1] ?? '', '.ts');
  return `bench:${({ 'seed-throughput': 'seed', 'gate-proof': 'gate' } as Record<string, string>)[file] ?? file.replace(/-bench$/, '')}`;
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

/**
 * One `execbench <args>` as a child process, as a user runs it: its exit code and the last line it wrote to stderr
 * (execbench's one-line error, where it failed). Its stdout is dropped; its stderr (progress) is passed through
 * unless `quiet` (then only with EXECBENCH_DEBUG).
 */
export function runExecbench(args: string[], options: { quiet?: boolean } = {}): Promise<{ code: number; lastLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/cli.ts'), ...args], {
      cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (!options.quiet || process.env.EXECBENCH_DEBUG) process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-4096);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 2), lastLine: tail.trim().split('\n').at(-1) ?? '' }));
  });
}
