// argv -> options -> command; exit codes (see EXIT in errors.ts and the README).
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runBenchCommand } from './commands/run.ts';
import { resolveProviderOptions } from './config.ts';
import { EXIT, ExecbenchError, UsageError } from './errors.ts';
import { parseScale } from './seed/scale.ts';
import { list, numberFlag, parseBudget } from './cli-args.ts';

const DEFAULT_SEED = 20261124;
const DEFAULT_BUDGET = '750ms';

const EXIT_CODES = 'Exit codes: 0 all gated checks passed; 1 a contract, threshold or baseline check failed; 2 harness error; 3 bad input (nothing changed); 4 baseline refused or unreadable.';

const log = (line: string) => process.stderr.write(`${line}\n`);

function withProviderFlags<T>(y: Argv<T>) {
  return y
    .option('provider', { type: 'string', describe: 'auto | url | container | embedded (auto: --database-url, else Docker, else embedded)', group: 'Postgres:' })
    .option('database-url', { type: 'string', describe: 'use this server (also DATABASE_URL); execbench works in its own schemas there', group: 'Postgres:' })
    .option('cache-dir', { type: 'string', describe: 'where the embedded data directory lives (also EXECBENCH_CACHE_DIR)', group: 'Postgres:' })
    .option('port', { type: 'string', describe: 'port for a server execbench starts (default: a free one)', group: 'Postgres:' })
    .option('pg-major', { type: 'string', describe: 'embedded server: Postgres major, 16 or 17 (also EXECBENCH_PG_MAJOR) [default: 17]', group: 'Postgres:' })
    .option('image', { type: 'string', describe: 'container image (default postgres:17-alpine; postgres:14-alpine is the spec\'s version)', group: 'Postgres:' })
    .option('cpus', { type: 'string', describe: 'container CPU limit, e.g. 4 to mimic the spec\'s box', group: 'Postgres:' })
    .option('memory', { type: 'string', describe: 'container memory limit in MB, e.g. 8192', group: 'Postgres:' })
    .option('fresh', { type: 'boolean', default: false, describe: 'rebuild the embedded server and the datasets from scratch', group: 'Postgres:' });
}

function withSeedFlags<T>(y: Argv<T>) {
  return y
    .option('scale', { type: 'string', array: true, describe: '100k, 1m or an integer: focus-tenant executions (repeat or comma-separate) [default: 100k,1m]', group: 'Dataset:' })
    .option('seed', { type: 'string', default: String(DEFAULT_SEED), describe: 'PRNG seed (a whole number): same seed, identical rows', group: 'Dataset:' })
    .option('index-build', { choices: ['after', 'during'] as const, default: 'after' as const, describe: 'build indexes after the load, or keep them during it (as in production)', group: 'Dataset:' })
    .option('optional', { type: 'boolean', default: true, describe: 'install the spec\'s optional covering index and daily-stats view (--no-optional to skip)', group: 'Dataset:' });
}

type ProviderArgs = { 'pg-major'?: string; provider?: string; 'database-url'?: string; 'cache-dir'?: string; port?: string; image?: string; cpus?: string; memory?: string; fresh: boolean };

/** --pg-major / EXECBENCH_PG_MAJOR: one of the pinned embedded majors. */
function embeddedMajor(raw: string | undefined): 16 | 17 | undefined {
  const value = raw ?? (process.env.EXECBENCH_PG_MAJOR?.trim() || undefined);
  if (value === undefined) return undefined;
  if (value === '16' || value === '17') return Number(value) as 16 | 17;
  throw new UsageError(`Invalid --pg-major '${value}': the embedded binaries pinned are 16 and 17; for another version use --provider container --image postgres:<major>-alpine or --database-url.`);
}

function providerOptions(argv: ProviderArgs) {
  const major = embeddedMajor(argv['pg-major']);
  const options = resolveProviderOptions(
    {
      provider: argv.provider,
      databaseUrl: argv['database-url'],
      cacheDir: argv['cache-dir'],
      port: numberFlag('port', argv.port, { integer: true, min: 1, example: '5433' }),
      image: argv.image,
      cpus: numberFlag('cpus', argv.cpus, { example: '4' }),
      memoryMb: numberFlag('memory', argv.memory, { integer: true, example: '8192' }),
      fresh: argv.fresh,
    },
    process.env,
    log,
  );
  return major === undefined ? options : { ...options, embeddedMajor: major };
}

async function main(): Promise<number> {
  let exitCode: number = EXIT.ok;
  await yargs(hideBin(process.argv))
    .scriptName('execbench')
    .usage('$0 <command> [options]\n\nTurns the executions index-strategy document into an executable, CI-gated proof.')
    .command(
      ['run', '$0'],
      'seed (or reuse) both scales, run every documented query, judge it, write reports',
      (y) => withSeedFlags(withProviderFlags(y))
        .option('scenario', { type: 'string', array: true, describe: 'scenario ids or globs (repeat or comma-separate), e.g. "status-*"', group: 'Run:' })
        .option('time-budget', { type: 'string', nargs: 1, default: DEFAULT_BUDGET, describe: 'wall-clock budget per scenario form and scale: 750, 750ms, 1.5s', group: 'Run:' })
        .option('strict-spec', { type: 'boolean', default: false, describe: 'the documented SQL\'s failures fail the run (default: they are findings)', group: 'Run:' })
        .option('fail-on', { type: 'string', array: true, default: ['contracts', 'thresholds', 'baseline'], describe: 'what fails the run: contracts, thresholds, baseline', group: 'Run:' })
        .option('baseline', { type: 'string', describe: 'compare with this results.json: plan, buffers, rows, latency with statistics', group: 'Run:' })
        .option('gate-write-time', { type: 'boolean', default: false, describe: 'with --baseline: also gate the latency of (rolled-back) write scenarios', group: 'Run:' })
        .option('out', { type: 'string', describe: 'report folder (default reports/<run-id>)', group: 'Run:' })
        .option('audit', { type: 'boolean', default: true, describe: 'run the index audit after the scenarios (--no-audit to skip)', group: 'Run:' })
        .option('json', { type: 'boolean', default: false, describe: 'print the results document to stdout (tables go to stderr)', group: 'Run:' })
        .example('$0 run', 'both scales, every scenario (what `npm run bench` does)')
        .example('$0 run --scale 100k --scenario "status-*"', 'the status-filtered scenarios at 100k only')
        .example('$0 run --scale 20000 --time-budget 300ms --json > results.json', 'a quick run, results as JSON')
        .example('$0 run --database-url postgres://me@localhost/app', 'against your own server (in execbench-owned schemas)')
        .epilog(EXIT_CODES),
      async (argv) => {
        const failOn = list(argv['fail-on']);
        const bad = failOn.find((f) => !['contracts', 'thresholds', 'baseline'].includes(f));
        if (bad) throw new UsageError(`Unknown --fail-on '${bad}': use contracts, thresholds and/or baseline.`);
        const scales = list(argv.scale ?? ['100k', '1m']).map(parseScale);
        const seed = numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!;
        exitCode = await runBenchCommand({
          scales,
          scenarioPatterns: list(argv.scenario),
          budgetMs: parseBudget(argv['time-budget']),
          strictSpec: argv['strict-spec'],
          ...(argv.out ? { outDir: argv.out } : {}),
          ...(argv.baseline ? { baselinePath: argv.baseline } : {}),
          json: argv.json,
          seed,
          indexBuild: argv['index-build'],
          fresh: argv.fresh,
          optional: argv.optional,
          audit: argv.audit,
          gateWriteTime: argv['gate-write-time'],
          failOn: failOn as ('contracts' | 'thresholds' | 'baseline')[],
          provider: providerOptions(argv),
        });
      },
    )
    .command(
      'whatif',
      'schema variants side by side on the same rows: plans, latency, index sizes, write cost; ablation, generic plans, plan crossovers',
      (y) => withProviderFlags(y)
        .option('scale', { type: 'string', array: true, describe: '100k, 1m or an integer: focus-tenant executions (repeat or comma-separate) [default: 100k,1m]', group: 'Dataset:' })
        .option('seed', { type: 'string', default: String(DEFAULT_SEED), describe: 'PRNG seed (a whole number): same seed, identical rows', group: 'Dataset:' })
        .option('variant', { type: 'string', array: true, describe: 'variants to compare, folders of schema/variants/ (first = reference) [default: spec,recommended]', group: 'What-if:' })
        .option('scenario', { type: 'string', array: true, describe: 'scenario ids or globs, as for run', group: 'What-if:' })
        .option('time-budget', { type: 'string', nargs: 1, default: '500ms', describe: 'wall-clock budget per scenario form, variant and scale', group: 'What-if:' })
        .option('side-budget', { type: 'string', nargs: 1, default: '250ms', describe: 'budget per form re-run without an index (ablation) and per generic-plan form', group: 'What-if:' })
        .option('ablation', { type: 'boolean', default: true, describe: 'drop each index in turn (--no-ablation to skip)', group: 'What-if:' })
        .option('generic', { type: 'boolean', default: true, describe: 'run read forms with plan_cache_mode = force_generic_plan (--no-generic to skip)', group: 'What-if:' })
        .option('crossover', { type: 'boolean', default: true, describe: 'EXPLAIN read forms for every tenant size (--no-crossover to skip)', group: 'What-if:' })
        .option('write-cost', { type: 'boolean', default: true, describe: 'measure each variant\'s ingest cost (--no-write-cost to skip)', group: 'What-if:' })
        .option('fail-on', { type: 'string', array: true, default: ['contracts', 'thresholds', 'baseline'], describe: 'what fails the run: contracts, thresholds', group: 'What-if:' })
        .option('out', { type: 'string', describe: 'report folder (default reports/whatif-<run-id>)', group: 'What-if:' })
        .option('json', { type: 'boolean', default: false, describe: 'print the results document (with its whatif section) to stdout', group: 'What-if:' })
        .example('$0 whatif --scale 100k,1m', 'the spec\'s indexes against execbench\'s recommended set at both scales')
        .example('$0 whatif --scale 20000 --variant spec,recommended,mine', 'with your own variant in schema/variants/mine/')
        .epilog(EXIT_CODES),
      async (argv) => {
        const { runWhatifCommand } = await import('./commands/whatif.ts');
        const failOn = list(argv['fail-on']);
        const bad = failOn.find((f) => !['contracts', 'thresholds', 'baseline'].includes(f));
        if (bad) throw new UsageError(`Unknown --fail-on '${bad}': use contracts, thresholds and/or baseline.`);
        exitCode = await runWhatifCommand({
          variants: list(argv.variant ?? ['spec', 'recommended']),
          scales: list(argv.scale ?? ['100k', '1m']).map(parseScale),
          scenarioPatterns: list(argv.scenario),
          budgetMs: parseBudget(argv['time-budget']),
          sideBudgetMs: parseBudget(argv['side-budget']),
          seed: numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!,
          fresh: argv.fresh,
          parts: { ablation: argv.ablation, generic: argv.generic, crossover: argv.crossover, writeCost: argv['write-cost'] },
          failOn: failOn as ('contracts' | 'thresholds' | 'baseline')[],
          ...(argv.out ? { outDir: argv.out } : {}),
          json: argv.json,
          provider: providerOptions(argv),
        });
      },
    )
    .command(
      'seed',
      'seed (or reuse) datasets without running scenarios',
      (y) => withSeedFlags(withProviderFlags(y))
        .example('$0 seed --scale 1m', 'build the 1M dataset into the cache')
        .example('$0 seed --scale 100k --fresh', 'rebuild from scratch'),
      async (argv) => {
        const { runSeedCommand } = await import('./commands/seed.ts');
        const { withDatabase } = await import('./db/with-database.ts');
        const { createProgress } = await import('./seed/progress.ts');
        const scales = list(argv.scale ?? ['100k', '1m']).map(parseScale);
        const seed = numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!;
        const provider = providerOptions(argv);
        await withDatabase(provider, async (db) => {
          log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
          await runSeedCommand(db, scales.map((scale) => ({
            scale, seed, indexBuild: argv['index-build'], fresh: argv.fresh,
            optional: { coveringIndex: argv.optional, dailyStats: argv.optional },
          })), createProgress());
        });
        exitCode = EXIT.ok;
      },
    )
    .command(
      'db',
      'start (or reuse) the server, print its URL, keep it up until Ctrl-C',
      (y) => withProviderFlags(y).example('$0 db', 'then psql the printed URL; datasets seeded by run/seed are in schemas execbench_100k, execbench_1m'),
      async (argv) => {
        const { runDbCommand } = await import('./commands/db.ts');
        exitCode = await runDbCommand(providerOptions(argv));
      },
    )
    .command(
      'report <results>',
      'rebuild the HTML, Markdown, JUnit and trend reports from a saved results.json',
      (y) => y
        .positional('results', { type: 'string', demandOption: true, describe: 'path to results.json' })
        .option('out', { type: 'string', describe: 'output folder (default: next to results.json)' })
        .example('$0 report reports/2026-11-24T05-00-00-000Z/results.json', 'rewrite index.html and friends'),
      async (argv) => {
        const { runReportCommand } = await import('./commands/report.ts');
        exitCode = await runReportCommand(argv.results, argv.out);
      },
    )
    .command(
      'compare <baseline> <current>',
      'compare two results.json files: plan shape, buffers, and latency with statistics',
      (y) => y
        .positional('baseline', { type: 'string', demandOption: true, describe: 'results.json of the reference run (e.g. from main)' })
        .positional('current', { type: 'string', demandOption: true, describe: 'results.json of the run to judge' })
        .option('min-effect', { type: 'number', default: 0.2, describe: 'smallest slowdown that can fail (0.2 = 20%)' })
        .option('buffer-tolerance', { type: 'number', default: 0.1, describe: 'allowed change in shared buffers and rows (0.1 = 10%)' })
        .option('confidence', { type: 'number', default: 0.99, describe: 'confidence of the bootstrap interval on the latency ratio' })
        .option('min-absolute-ms', { type: 'number', default: 0.5, describe: 'smallest absolute slowdown (ms) that can fail' })
        .option('gate-write-time', { type: 'boolean', default: false, describe: 'also gate the latency of (rolled-back) write scenarios' })
        .option('fail-on', { type: 'string', array: true, default: ['contracts', 'thresholds', 'baseline'], describe: 'what fails: contracts, thresholds, baseline' })
        .example('$0 compare main.json pr.json', 'exit 1 on a regression, 4 when the runs cannot be compared'),
      async (argv) => {
        const { runCompareCommand } = await import('./commands/compare.ts');
        exitCode = await runCompareCommand({
          baselinePath: argv.baseline,
          currentPath: argv.current,
          minEffect: argv['min-effect'],
          bufferTolerance: argv['buffer-tolerance'],
          confidence: argv.confidence,
          minAbsoluteMs: argv['min-absolute-ms'],
          gateWriteTime: argv['gate-write-time'],
          failOn: list(argv['fail-on']) as ('contracts' | 'thresholds' | 'baseline')[],
        });
      },
    )
    .strict()
    .demandCommand(0)
    .help()
    .alias('h', 'help')
    .epilog(EXIT_CODES)
    // No hard wrapping: yargs would break words and examples mid-token; terminals wrap long lines themselves.
    .wrap(null)
    .parserConfiguration({ 'camel-case-expansion': false })
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(`${message} (see execbench --help)`); // flattened to one line where it is printed
    })
    .parseAsync();
  return exitCode;
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    if (error instanceof ExecbenchError) {
      // One line, always: messages that quote input (a JSON parse error, a file) may carry newlines.
      process.stderr.write(`execbench: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      if (process.env.EXECBENCH_DEBUG) console.error(error);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`execbench: unexpected failure: ${(error as Error)?.message ?? String(error)}\n`);
      if (process.env.EXECBENCH_DEBUG || !(error instanceof Error)) console.error(error);
      else process.stderr.write('Set EXECBENCH_DEBUG=1 for the stack trace.\n');
      process.exitCode = EXIT.harness;
    }
  },
);
