// `execbench run` (the default command) on the command line: its flags, the checks yargs cannot make, and which run
// they start: the seeded suite (on one major or several), your own table (--table), or Option 3 (--engine clickhouse).
import type { Argv } from 'yargs';
import { runBenchCommand } from './run.ts';
import { UsageError } from '../errors.ts';
import { refuseEmpty } from '../paths.ts';
import { givenList, numberFlag, parseBudget, parseDuration } from '../cli-args.ts';
import { DEFAULT_FAIL_ON, type FailOn } from '../gate/verdict.ts';
import { checkedProviderOptions, pgMajors, withProviderFlags } from '../cli-provider.ts';
import { ARGS, DEFAULT_BUDGET, EXIT_CODES, failOnList, refuseEmptyChoices, scaleList, withSeedFlags, type CommandExit } from '../cli-common.ts';

/** run (also the default command): seed or reuse, run, judge, report; or judge your table. */
export function runCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
    ['run', '$0'],
    'seed (or reuse) both scales, run every documented query, judge it, write reports; with --table, judge your own table as it is, read-only',
    (y) => withSeedFlags(withProviderFlags(y))
      .option('scenario', { type: 'string', array: true, describe: 'scenario ids or globs (repeat or comma-separate), e.g. "status-*"', group: 'Run:' })
      .option('data-shape', { type: 'string', describe: 'a JSON file of dataset shape fields merged over the default (tenants, status mix, time window and its now, never-started rate: docs/data-shape.md); a changed shape reseeds', group: 'Dataset:' })
      .option('queries', { type: 'string', array: true, describe: 'folders of your team\'s own queries (defineQuery files, docs/add-a-query.md), run beside the document\'s and judged on your own limits (repeat or comma-separate)', group: 'Run:' })
      .option('time-budget', { type: 'string', nargs: 1, default: DEFAULT_BUDGET, describe: 'wall-clock budget per scenario form and scale: 750, 750ms, 1.5s', group: 'Run:' })
      .option('strict-spec', { type: 'boolean', default: false, describe: 'the documented SQL\'s failures fail the run (default: they are findings)', group: 'Run:' })
      .option('fail-on', { type: 'string', array: true, default: [...DEFAULT_FAIL_ON], describe: 'what fails the run: contracts, thresholds, baseline (= plan + time), plan (with --baseline: index, plan shape, buffers, rows, and gated forms not compared), time (with --baseline: median and p95 slowdowns; leave it out on a noisy runner), inconclusive (a latency interval that still contains its limit), drift (with --spec: your document and the scenarios disagree)', group: 'Run:' })
      .option('clock', { choices: ['auto', 'server', 'client'] as const, default: 'auto' as const, describe: 'which clock thresholds judge: auto = each threshold\'s own (the spec\'s tables: server execution time; the Overview\'s promises: client round trip)', group: 'Run:' })
      .option('protocol', { choices: ['unnamed', 'prepared'] as const, default: 'unnamed' as const, describe: 'how the client clock sends each query: unnamed statements (pgbench -M extended) or named prepared ones (-M prepared)', group: 'Run:' })
      .option('max-form-time', { type: 'string', nargs: 1, default: '20s', describe: 'cap per form on buying samples for an undecided latency verdict (a p95 pass needs 99 samples): 20s, 60000ms', group: 'Run:' })
      .option('calibrate', { type: 'boolean', default: false, describe: 'also time every read form with pgbench (must be on the PATH) and show its p50 beside execbench\'s in every report', group: 'Run:' })
      .option('baseline', { type: 'string', describe: 'compare with this results.json (a readable file): plan, buffers, rows, latency with statistics', group: 'Run:' })
      .option('gate-write-time', { type: 'boolean', default: false, describe: 'with --baseline: also gate the latency of (rolled-back) write scenarios', group: 'Run:' })
      .option('allow-missing', { type: 'boolean', default: false, describe: 'with --baseline: a gated form of the baseline this run did not compare (removed, renamed, filtered out with --scenario, skipped, no plan), or nothing compared at all, warns instead of failing the plan half', group: 'Run:' })
      .option('out', { type: 'string', describe: 'report folder (default reports/<run-id>): a writable folder, created if missing; checked before anything starts', group: 'Run:' })
      .option('audit', { type: 'boolean', default: true, describe: 'run the index audit after the scenarios (--no-audit to skip)', group: 'Run:' })
      .option('json', { type: 'boolean', default: false, describe: 'print the results document to stdout (tables go to stderr)', group: 'Run:' })
      .option('spec', { type: 'string', describe: 'your copy of the index document (markdown): every scenario\'s SQL and the benchmark tables\' figures are checked against it, and what drifted is listed [default: docs/execution-indexes.md, summarised in one line]', group: 'Run:' })
      .option('table', { type: 'string', describe: 'judge YOUR table as it is, read-only: [schema.]name on the --database-url server (e.g. public.executions); nothing is seeded or written', group: 'Your table:' })
      .option('schema', { type: 'string', describe: 'the schema holding your table (with --table name, or alone for <schema>.executions) [default: public]', group: 'Your table:' })
      .option('allow-writes', { type: 'boolean', default: false, describe: 'with --table: also run the write scenarios, each in a transaction that is rolled back (never DDL)', group: 'Your table:' })
      .option('plans-only', { type: 'boolean', default: false, describe: 'with --table: EXPLAIN without ANALYZE, parameters from pg_stats: no scenario statement is executed (for production)', group: 'Your table:' })
      .option('engine', { choices: ['postgres', 'clickhouse'] as const, default: 'postgres' as const, describe: 'clickhouse: the spec\'s Option 3, the analytics on a ClickHouse copy of the same rows, checked against PostgreSQL\'s answers (docs/clickhouse.md)', group: 'Option 3:' })
      .option('clickhouse-url', { type: 'string', describe: 'with --engine clickhouse: a ClickHouse server\'s HTTP URL (two, comma-separated: the shards of a cluster); absent: the embedded engine (chdb, installed on demand)', group: 'Option 3:' })
      .example('$0 run', 'both scales, every scenario (what `npm run bench` does)')
      .example('$0 run --scale 100k --scenario "status-*"', 'the status-filtered scenarios at 100k only')
      .example('$0 run --scale 20000 --time-budget 300ms --json > results.json', 'a quick run, results as JSON')
      .example('$0 run --queries execbench/queries --scenario "my-*"', 'your team\'s own queries beside the document\'s (docs/add-a-query.md)')
      .example('$0 run --database-url postgres://me@localhost/app --table public.executions', 'judge your own executions table, read-only (nothing seeded or written)')
      .example('$0 run --database-url "$PROD_URL" --table app.executions --plans-only', 'plans only on production: no query executed')
      .example('$0 run --database-url postgres://me@localhost/app --yes', 'seed execbench\'s own rows into execbench_* schemas of your server (execbench clean removes them)')
      .example('$0 run --pg-major 14', 'on PostgreSQL 14, the version the spec measured')
      .example('$0 run --pg-major 14,17,18 --scale 100k', 'the suite on three majors, verdicts side by side, differences called out')
      .example('$0 run --provider container --image localpg:15', 'in a container of a locally built image (nothing is pulled when it is present)')
      .example('$0 run --engine clickhouse --scale 100k', 'Option 3: the analytics on embedded ClickHouse beside PostgreSQL (needs npm run chdb:install)')
      .epilog(EXIT_CODES),
    async (argv) => {
      const failOn = failOnList(argv['fail-on']);
      refuseEmptyChoices(argv, ['clock', 'protocol', 'index-build', 'engine']);
      const scales = scaleList(argv.scale);
      const seed = numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!;
      const majors = pgMajors(argv['pg-major']);
      if (majors.length > 1 && (argv.image || process.env.EXECBENCH_PG_IMAGE?.trim() || process.env.PG_IMAGE?.trim())) {
        throw new UsageError(`--pg-major lists ${majors.join(', ')}, but an image was named (--image, EXECBENCH_PG_IMAGE or PG_IMAGE): one image is one major. Drop the image (execbench uses postgres:<major>-alpine) or give one major.`);
      }
      refuseEmpty(argv.spec, { label: '--spec', fix: 'Give the path of your index document (markdown), e.g. --spec docs/execution-indexes.md, or omit it.' });
      const provider = await checkedProviderOptions(argv, majors[0]);
      const runOptions = {
        scales,
        scenarioPatterns: givenList('scenario', argv.scenario, 'scenario ids or globs such as "status-*"') ?? [],
        ...(argv.spec !== undefined ? { specPath: argv.spec } : {}),
        queryDirs: givenList('queries', argv.queries, 'folders of query files, e.g. --queries execbench/queries') ?? [],
        ...(argv['data-shape'] !== undefined
          ? { shape: await (await import('../seed/shape-file.ts')).readShapeFile(argv['data-shape']), shapeFile: argv['data-shape'] }
          : {}),
        budgetMs: parseBudget(argv['time-budget']),
        strictSpec: argv['strict-spec'],
        ...(argv.out !== undefined ? { outDir: argv.out } : {}),
        ...(argv.baseline !== undefined ? { baselinePath: argv.baseline } : {}),
        json: argv.json,
        seed,
        indexBuild: argv['index-build'],
        fresh: provider.fresh,
        optional: argv.optional,
        audit: argv.audit,
        gateWriteTime: argv['gate-write-time'],
        allowMissing: argv['allow-missing'],
        failOn: failOn as FailOn[],
        clock: argv.clock,
        protocol: argv.protocol,
        calibrate: argv.calibrate,
        maxFormMs: parseDuration('max-form-time', argv['max-form-time'], { minMs: 1000, maxMs: 3_600_000, example: '60s' }),
        provider,
      };
      const tableMode = argv.table !== undefined || argv.schema !== undefined;
      if (argv['clickhouse-url'] !== undefined && argv.engine !== 'clickhouse') throw new UsageError('--clickhouse-url applies to --engine clickhouse: add --engine clickhouse, or drop --clickhouse-url.');
      if (argv.engine === 'clickhouse') {
        const { runClickHouseOption } = await import('./run-clickhouse-cli.ts');
        exit.code = await runClickHouseOption(argv, runOptions, ARGS, tableMode);
        return;
      }
      if (!tableMode && (argv['allow-writes'] || argv['plans-only'])) {
        throw new UsageError(`--${argv['allow-writes'] ? 'allow-writes' : 'plans-only'} applies to your own table: add --table schema.name (without it execbench seeds and judges its own rows).`);
      }
      if (tableMode) {
        const { resolveTableRef } = await import('../target/table.ts');
        const { runTableCommand } = await import('./run-table.ts');
        const given = ['scale', 'baseline', 'calibrate', 'seed', 'index-build', 'fresh', 'pg-major', 'data-shape'].find((flag) => ARGS.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)));
        if (given) throw new UsageError(`--${given} does not apply with --table: your table is judged as it is (its own rows, its own server). Drop --${given}.`);
        const { scales: _scales, seed: _seed, indexBuild: _ib, fresh: _fresh, optional: _optional, baselinePath: _baseline, calibrate: _calibrate, ...rest } = runOptions;
        exit.code = await runTableCommand({
          ...rest,
          table: resolveTableRef(argv.table, argv.schema),
          allowWrites: argv['allow-writes'],
          plansOnly: argv['plans-only'],
        });
        return;
      }
      if (majors.length > 1) {
        const { runAcrossMajors } = await import('./run-majors.ts');
        exit.code = await runAcrossMajors(runOptions, majors);
      } else {
        exit.code = await runBenchCommand(runOptions);
      }
    },
  );
}
