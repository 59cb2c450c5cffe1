// The `run --engine clickhouse` branch of the CLI: which run flags apply, then runClickHouseCommand.
import { UsageError } from '../errors.ts';
import type { ProviderOptions } from '../db/provider.ts';
import type { ScaleSpec } from '../seed/types.ts';
import { clickHouseTargets, runClickHouseCommand } from './run-clickhouse.ts';

/** Run flags that mean nothing for Option 3: named in one line rather than silently ignored. */
const NOT_FOR_CLICKHOUSE = ['baseline', 'calibrate', 'queries', 'data-shape', 'pg-major', 'index-build', 'no-optional', 'protocol', 'clock', 'spec', 'strict-spec', 'fail-on', 'allow-missing', 'gate-write-time', 'max-form-time', 'scenario'];

export async function runClickHouseOption(
  argv: { 'clickhouse-url'?: string },
  run: { scales: ScaleSpec[]; budgetMs: number; seed: number; fresh: boolean; json: boolean; outDir?: string; provider: ProviderOptions },
  args: readonly string[],
  tableMode: boolean,
): Promise<number> {
  if (tableMode) throw new UsageError('--engine clickhouse copies execbench\'s seeded rows, not your table: drop --table/--schema, or drop --engine clickhouse.');
  const given = NOT_FOR_CLICKHOUSE.find((flag) => args.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)));
  if (given) throw new UsageError(`--${given} does not apply with --engine clickhouse (the Option 3 run checks answers and times the analytics scenarios): drop --${given}.`);
  const targets = clickHouseTargets(argv['clickhouse-url']);
  const { exitCode } = await runClickHouseCommand({
    scales: run.scales,
    targets,
    // The PostgreSQL live aggregate needs several rounds for an interval: at least 2 s of interleaved rounds.
    budgetMs: Math.max(run.budgetMs, 2000),
    seed: run.seed,
    fresh: run.fresh,
    json: run.json,
    ...(run.outDir !== undefined ? { outDir: run.outDir } : {}),
    provider: run.provider,
  });
  return exitCode;
}
