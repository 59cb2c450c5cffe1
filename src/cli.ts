// argv -> options -> command; exit codes (see EXIT in errors.ts and the README).
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runBenchCommand } from './commands/run.ts';
import { resolveProviderOptions } from './config.ts';
import { EXIT, ExecbenchError, UsageError } from './errors.ts';
import { checkWritableDir, refuseEmpty } from './paths.ts';
import { parseScale, parseScales } from './seed/scale.ts';
import { AB_TIME_RULE } from './ab/judge-time.ts';
import { givenList, list, numberFlag, parseBudget, parseDuration } from './cli-args.ts';
import { ALL_FAIL_ON, COMPARE_FAIL_ON, DEFAULT_FAIL_ON, type FailOn } from './gate/verdict.ts';
import { EMBEDDED_MAJORS, type EmbeddedMajor } from './db/embedded.ts';
import { editDistance } from './did-you-mean.ts';
import { DEFAULT_POOL } from './load/traffic.ts';

const DEFAULT_SEED = 20261124;
const DEFAULT_BUDGET = '750ms';

const EXIT_CODES = 'Exit codes: 0 all gated checks passed; 1 a contract, threshold or baseline check failed; 2 harness error; 3 bad input, such as a path that is not what it must be (nothing changed); 4 baseline refused or unreadable; 130/143 ended by SIGINT/SIGTERM.';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The commands, for "did you mean" and the help pointer. */
const COMMANDS = ['run', 'whatif', 'load', 'seed', 'db', 'clean', 'report', 'compare'];
/** The arguments as typed (what yargs parses), for the checks yargs cannot make. */
const ARGS = hideBin(process.argv);

function withProviderFlags<T>(y: Argv<T>) {
  return y
    .option('provider', { type: 'string', describe: 'auto | url | container | embedded (auto: --database-url, else Docker where the image is present or can be pulled, else embedded; container never falls back)', group: 'Postgres:' })
    .option('database-url', { type: 'string', describe: 'use this server (also DATABASE_URL): execbench seeds only its own execbench_* schemas there (with your consent), and with run --table only reads your table', group: 'Postgres:' })
    .option('cache-dir', { type: 'string', describe: 'where the embedded data directory lives (also EXECBENCH_CACHE_DIR): a writable folder, created if missing', group: 'Postgres:' })
    .option('port', { type: 'string', describe: 'port for a server execbench starts (default: a free one)', group: 'Postgres:' })
    .option('pg-major', { type: 'string', describe: 'Postgres major of the server execbench starts: 14 (the spec\'s), 15, 16, 17 or 18; run takes a list (14,17,18: the suite on each, compared side by side) (also EXECBENCH_PG_MAJOR) [default: 17]', group: 'Postgres:' })
    .option('image', { type: 'string', describe: 'container image (default postgres:<pg-major>-alpine, postgres:17-alpine)', group: 'Postgres:' })
    .option('cpus', { type: 'string', describe: 'container CPU limit, e.g. 4 to mimic the spec\'s box', group: 'Postgres:' })
    .option('memory', { type: 'string', describe: 'container memory limit in MB, e.g. 8192', group: 'Postgres:' })
    // No yargs default: absent, EXECBENCH_FRESH decides (resolveProviderOptions), and every command reads the result.
    .option('fresh', { type: 'boolean', describe: 'rebuild the embedded server and the datasets from scratch (also EXECBENCH_FRESH) [default: false]', group: 'Postgres:' });
}

/** --yes (run, seed, whatif): building a dataset in a server execbench did not start needs the user's consent. */
function withWriteConsentFlag<T>(y: Argv<T>) {
  return y.option('yes', { type: 'boolean', describe: 'with --database-url/DATABASE_URL: allow creating or rebuilding execbench_* dataset schemas in that server without asking (the size is printed first); without it execbench asks at a terminal and refuses elsewhere', group: 'Postgres:' });
}

function withSeedFlags<T>(y: Argv<T>) {
  return withWriteConsentFlag(y)
    .option('scale', { type: 'string', array: true, describe: '100k, 1m, 5m, 10m or an integer: focus-tenant executions (repeat or comma-separate) [default: 100k,1m]', group: 'Dataset:' })
    .option('seed', { type: 'string', default: String(DEFAULT_SEED), describe: 'PRNG seed (a whole number): same seed, identical rows', group: 'Dataset:' })
    .option('index-build', { choices: ['after', 'during'] as const, default: 'after' as const, describe: 'build indexes after the load, or keep them during it (as in production)', group: 'Dataset:' })
    .option('optional', { type: 'boolean', default: true, describe: 'install the spec\'s optional covering index and daily-stats view (--no-optional to skip)', group: 'Dataset:' });
}

type ProviderArgs = { 'pg-major'?: string; provider?: string; 'database-url'?: string; 'cache-dir'?: string; port?: string; image?: string; cpus?: string; memory?: string; fresh?: boolean; yes?: boolean };

/** --pg-major / EXECBENCH_PG_MAJOR: pinned majors (a comma-separated list for run); empty: the default. */
function pgMajors(raw: string | undefined): EmbeddedMajor[] {
  if (raw !== undefined && raw.trim() === '') throw new UsageError(`--pg-major was given no value (an unset variable?): give ${EMBEDDED_MAJORS.join(', ')} (run takes a list), or omit it for 17.`);
  const value = raw ?? (process.env.EXECBENCH_PG_MAJOR?.trim() || undefined);
  if (value === undefined) return [];
  const source = raw !== undefined ? '--pg-major' : 'EXECBENCH_PG_MAJOR';
  const majors = list([value]).map((v) => {
    const n = Number(v);
    if (!(EMBEDDED_MAJORS as readonly number[]).includes(n)) {
      throw new UsageError(`Invalid ${source} '${v}': execbench pins Postgres ${EMBEDDED_MAJORS.join(', ')} (embedded binaries, and postgres:<major>-alpine for containers); for another version use --image or --database-url.`);
    }
    return n as EmbeddedMajor;
  });
  return [...new Set(majors)];
}

function providerOptions(argv: ProviderArgs, major?: EmbeddedMajor) {
  const options = resolveProviderOptions(
    {
      provider: argv.provider,
      databaseUrl: argv['database-url'],
      cacheDir: argv['cache-dir'],
      port: numberFlag('port', argv.port, { integer: true, min: 1, example: '5433' }),
      image: argv.image,
      cpus: numberFlag('cpus', argv.cpus, { example: '4' }),
      memoryMb: numberFlag('memory', argv.memory, { integer: true, example: '8192' }),
      ...(argv.fresh !== undefined ? { fresh: argv.fresh } : {}),
      ...(major !== undefined ? { pgMajor: major } : {}),
    },
    process.env,
    log,
  );
  if (argv.yes === true) options.yes = true;
  if (major !== undefined && options.databaseUrl) {
    throw new UsageError(options.databaseUrlFrom === 'DATABASE_URL'
      ? `--pg-major chooses the server execbench starts, but DATABASE_URL is set: that server's own version would be used. Unset DATABASE_URL, or add --provider embedded (it ignores DATABASE_URL).`
      : `--pg-major chooses the server execbench starts, but --database-url was given: that server's own version is used. Drop one of them.`);
  }
  return options;
}

/** Provider options for commands that run on one server (seed, db): at most one --pg-major. */
/** The one major a single-server command (seed, db) may be given. */
function singleMajor(argv: ProviderArgs): EmbeddedMajor | undefined {
  const majors = pgMajors(argv['pg-major']);
  if (majors.length > 1) throw new UsageError(`--pg-major lists ${majors.join(', ')}, but this command uses one server: give one major (only run accepts a list).`);
  return majors[0];
}

/** --fail-on: a non-empty list of known parts (empty would switch the gate off). */
function failOnList(raw: unknown, allowed: readonly string[] = ALL_FAIL_ON): string[] {
  const failOn = givenList('fail-on', raw, `one or more of ${allowed.join(', ')} (comma-separated)`) ?? [];
  const bad = failOn.find((f) => !allowed.includes(f));
  if (bad) throw new UsageError(`Unknown --fail-on '${bad}': use ${allowed.join(', ')} (comma-separated).`);
  return failOn;
}

/** --scale: the named default when absent; a scale given twice (100k,100000) runs once. */
function scaleList(raw: unknown) {
  const scales = parseScales(givenList('scale', raw, '100k, 1m, 5m, 10m or a positive integer (comma-separated)') ?? ['100k', '1m']);
  return scales.filter((scale, i) => scales.findIndex((other) => other.focusRows === scale.focusRows) === i);
}

/** A choice flag given with no value (`--clock` last, or `--clock "$UNSET"`) is refused, not read as its default. */
function refuseEmptyChoices(argv: Record<string, unknown>, flags: string[], raw: readonly string[] = ARGS): void {
  for (const flag of flags) {
    // yargs fills a bare choice flag with its default, so the typed arguments are read here.
    const at = raw.indexOf(`--${flag}`);
    const bare = at >= 0 && (raw[at + 1] === undefined || raw[at + 1]!.startsWith('-'));
    if (argv[flag] === '' || bare) {
      throw new UsageError(`--${flag} was given no value: give one of its choices (execbench ${commandName()}--help), or omit it for the default.`);
    }
  }
}

const CACHE_FIX = 'Give a writable folder, e.g. --cache-dir /var/tmp/execbench (created if missing), or omit it for node_modules/.cache/execbench.';

/** providerOptions, plus the cache folder checked wherever an embedded server may start: before anything starts. */
async function checkedProviderOptions(argv: ProviderArgs, major?: EmbeddedMajor) {
  refuseEmpty(argv['cache-dir'], { label: '--cache-dir', fix: CACHE_FIX });
  // `--database-url "$URL"` with an unset variable must not quietly become "start a server of my own".
  refuseEmpty(argv['database-url'], { label: '--database-url', fix: 'Give a postgres:// URL, or omit the flag to use DATABASE_URL or a server execbench starts.' });
  const options = providerOptions(argv, major);
  if (options.provider === 'embedded' || (options.provider === 'auto' && options.databaseUrl === undefined)) {
    const given = argv['cache-dir'] !== undefined ? '--cache-dir' : process.env.EXECBENCH_CACHE_DIR?.trim() ? 'EXECBENCH_CACHE_DIR' : undefined;
    await checkWritableDir(options.cacheDir, given
      ? { label: given, fix: CACHE_FIX }
      : { label: 'The default cache folder', fix: 'Give a writable one with --cache-dir or EXECBENCH_CACHE_DIR, e.g. /var/tmp/execbench (created if missing).' });
  }
  return options;
}

/** Switches (boolean flags): yargs reads `--json=yes` as false without a word, so a value other than true/false is refused. */
const SWITCHES = ['allow-writes', 'plans-only', 'json', 'strict-spec', 'fresh', 'optional', 'audit', 'calibrate', 'gate-write-time', 'allow-missing', 'ablation', 'generic', 'crossover', 'write-cost'];

function refuseSwitchValues(raw: readonly string[] = ARGS): void {
  for (const arg of raw) {
    const m = /^--(no-)?([a-z-]+)=(.*)$/.exec(arg);
    if (m && SWITCHES.includes(m[2]!) && !/^(true|false)$/.test(m[3]!)) {
      throw new UsageError(`--${m[1] ?? ''}${m[2]} is a switch, so '${m[3]}' is not a value for it: write --${m[2]} or --no-${m[2]}.`);
    }
  }
}

async function main(): Promise<number> {
  let exitCode: number = EXIT.ok;
  refuseSwitchValues();
  await yargs(ARGS)
    .scriptName('execbench')
    .usage('$0 <command> [options]\n\nTurns the executions index-strategy document into an executable, CI-gated proof.\nrun is the default command: the options below are run\'s; `$0 <command> --help` gives each other command\'s.')
    .command(
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
            ? { shape: await (await import('./seed/shape-file.ts')).readShapeFile(argv['data-shape']), shapeFile: argv['data-shape'] }
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
          const { runClickHouseOption } = await import('./commands/run-clickhouse-cli.ts');
          exitCode = await runClickHouseOption(argv, runOptions, ARGS, tableMode);
          return;
        }
        if (!tableMode && (argv['allow-writes'] || argv['plans-only'])) {
          throw new UsageError(`--${argv['allow-writes'] ? 'allow-writes' : 'plans-only'} applies to your own table: add --table schema.name (without it execbench seeds and judges its own rows).`);
        }
        if (tableMode) {
          const { resolveTableRef } = await import('./target/table.ts');
          const { runTableCommand } = await import('./commands/run-table.ts');
          const given = ['scale', 'baseline', 'calibrate', 'seed', 'index-build', 'fresh', 'pg-major', 'data-shape'].find((flag) => ARGS.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)));
          if (given) throw new UsageError(`--${given} does not apply with --table: your table is judged as it is (its own rows, its own server). Drop --${given}.`);
          const { scales: _scales, seed: _seed, indexBuild: _ib, fresh: _fresh, optional: _optional, baselinePath: _baseline, calibrate: _calibrate, ...rest } = runOptions;
          exitCode = await runTableCommand({
            ...rest,
            table: resolveTableRef(argv.table, argv.schema),
            allowWrites: argv['allow-writes'],
            plansOnly: argv['plans-only'],
          });
          return;
        }
        if (majors.length > 1) {
          const { runAcrossMajors } = await import('./commands/run-majors.ts');
          exitCode = await runAcrossMajors(runOptions, majors);
        } else {
          exitCode = await runBenchCommand(runOptions);
        }
      },
    )
    .command(
      'whatif',
      'schema variants side by side on the same rows: plans, latency, index sizes, write cost; ablation, generic plans, plan crossovers',
      (y) => withWriteConsentFlag(withProviderFlags(y))
        .option('scale', { type: 'string', array: true, describe: '100k, 1m, 5m, 10m or an integer: focus-tenant executions (repeat or comma-separate) [default: 100k,1m]', group: 'Dataset:' })
        .option('seed', { type: 'string', default: String(DEFAULT_SEED), describe: 'PRNG seed (a whole number): same seed, identical rows', group: 'Dataset:' })
        .option('variant', { type: 'string', array: true, describe: 'variants to compare, folders of schema/variants/ (first = reference) [default: spec,recommended]', group: 'What-if:' })
        .option('scenario', { type: 'string', array: true, describe: 'scenario ids or globs, as for run', group: 'What-if:' })
        .option('time-budget', { type: 'string', nargs: 1, default: '500ms', describe: 'wall-clock budget per scenario form, variant and scale', group: 'What-if:' })
        .option('side-budget', { type: 'string', nargs: 1, default: '250ms', describe: 'budget per form re-run without an index (ablation) and per generic-plan form', group: 'What-if:' })
        .option('ablation', { type: 'boolean', default: true, describe: 'drop each index in turn (--no-ablation to skip)', group: 'What-if:' })
        .option('generic', { type: 'boolean', default: true, describe: 'run read forms with plan_cache_mode = force_generic_plan (--no-generic to skip)', group: 'What-if:' })
        .option('crossover', { type: 'boolean', default: true, describe: 'EXPLAIN read forms for every tenant size (--no-crossover to skip)', group: 'What-if:' })
        .option('write-cost', { type: 'boolean', default: true, describe: 'measure each variant\'s ingest cost (--no-write-cost to skip)', group: 'What-if:' })
        .option('fail-on', { type: 'string', array: true, default: ['contracts', 'thresholds', 'baseline'], describe: 'what fails the run: contracts, thresholds, baseline (= plan + time), plan, time, inconclusive (as for run)', group: 'What-if:' })
        .option('out', { type: 'string', describe: 'report folder (default reports/whatif-<time>): a writable folder, created if missing', group: 'What-if:' })
        .option('json', { type: 'boolean', default: false, describe: 'print the results document (with its whatif section) to stdout', group: 'What-if:' })
        .example('$0 whatif --scale 100k,1m', 'the spec\'s indexes against execbench\'s recommended set at both scales')
        .example('$0 whatif --scale 20000 --variant spec,recommended,mine', 'with your own variant in schema/variants/mine/')
        .epilog(EXIT_CODES),
      async (argv) => {
        const { runWhatifCommand } = await import('./commands/whatif.ts');
        const failOn = failOnList(argv['fail-on']);
        refuseEmpty(argv.out, { label: '--out', fix: 'Give --out a writable folder for the reports (created if missing), or omit it for reports/whatif-<time>.' });
        const provider = await checkedProviderOptions(argv, singleMajor(argv));
        exitCode = await runWhatifCommand({
          variants: givenList('variant', argv.variant, 'folder names of schema/variants/, e.g. spec,recommended') ?? ['spec', 'recommended'],
          scales: scaleList(argv.scale),
          scenarioPatterns: givenList('scenario', argv.scenario, 'scenario ids or globs such as "status-*"') ?? [],
          budgetMs: parseBudget(argv['time-budget']),
          sideBudgetMs: parseBudget(argv['side-budget'], '--side-budget'),
          seed: numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!,
          fresh: provider.fresh,
          parts: { ablation: argv.ablation, generic: argv.generic, crossover: argv.crossover, writeCost: argv['write-cost'] },
          failOn: failOn as FailOn[],
          ...(argv.out !== undefined ? { outDir: argv.out } : {}),
          json: argv.json,
          provider,
        });
      },
    )
    .command(
      'ab',
      'the regression gate: a base ref against the working tree (or --head), interleaved on one server and the same rows',
      (y) => withWriteConsentFlag(withProviderFlags(y))
        .option('base', { type: 'string', nargs: 1, demandOption: 'give the ref to compare against, e.g. --base origin/main', describe: 'the base: a branch, tag or commit of this repository (its scenarios/ and schema/)', group: 'A/B:' })
        .option('head', { type: 'string', nargs: 1, describe: 'the head: a branch, tag or commit [default: the working tree, uncommitted changes included]', group: 'A/B:' })
        .option('repo', { type: 'string', nargs: 1, describe: 'a folder inside the repository [default: the working folder]', group: 'A/B:' })
        .option('scale', { type: 'string', nargs: 1, default: '100k', describe: 'one scale: 100k, 1m or an integer (focus-tenant executions)', group: 'Dataset:' })
        .option('seed', { type: 'string', default: String(DEFAULT_SEED), describe: 'PRNG seed (a whole number): same seed, identical rows and round orders', group: 'Dataset:' })
        .option('scenario', { type: 'string', array: true, describe: 'scenario ids or globs, as for run (a gated form the base has and these leave out fails unless --allow-missing)', group: 'A/B:' })
        .option('time-budget', { type: 'string', nargs: 1, default: '2s', describe: 'timed executions per gated read form and measurement, both sides together (a slow form runs at least one execution per block)', group: 'A/B:' })
        .option('rounds', { type: 'string', nargs: 1, default: String(AB_TIME_RULE.rounds), describe: 'rounds per measurement: each a block of the base and one of the head, in a balanced random order', group: 'A/B:' })
        .option('fail-on', { type: 'string', array: true, default: ['plan', 'time'], describe: 'which half fails the gate: plan (indexes, plan shape, buffers, rows: exact), time (paired median ratio, confirmed), or both', group: 'A/B:' })
        .option('allow-missing', { type: 'boolean', default: false, describe: 'a gated form the base has and the head lacks (removed, renamed, filtered out) warns instead of failing', group: 'A/B:' })
        .option('out', { type: 'string', describe: 'report folder (default reports/ab-<time>): ab.json, index.html, summary.md, junit.xml', group: 'A/B:' })
        .option('json', { type: 'boolean', default: false, describe: 'print the A/B document to stdout', group: 'A/B:' })
        .example('$0 ab --base origin/main', 'your working tree against main, at 100k')
        .example('$0 ab --base origin/main --fail-on plan', 'gate only the deterministic half (plans, indexes, buffers, rows)')
        .example('$0 ab --base v1.2.0 --head my-branch --scenario "status-*"', 'two refs, some scenarios')
        .epilog(`How it decides: both refs' scenarios/ and schema/ are read from git; one table holds both sides' indexes inside a transaction that is rolled back, and each side's blocks run in a savepoint that drops the other side's. Plans are compared exactly; time by the median of paired rounds' ratios, each gated form at (5% / number of gated forms) so unchanged code fails on time in at most 5% of runs, and a flagged form fails only when measured again. The table's definition (schema/001) must be the same on both sides. ${EXIT_CODES}`),
      async (argv) => {
        const { runAbCommand } = await import('./commands/ab.ts');
        const failOn = failOnList(argv['fail-on'], ['plan', 'time']) as ('plan' | 'time')[];
        refuseEmpty(argv.out, { label: '--out', fix: 'Give --out a writable folder for the reports (created if missing), or omit it for reports/ab-<time>.' });
        const provider = await checkedProviderOptions(argv, singleMajor(argv));
        exitCode = await runAbCommand({
          base: argv.base as string,
          ...(argv.head !== undefined ? { head: argv.head } : {}),
          ...(argv.repo !== undefined ? { repo: argv.repo } : {}),
          scale: parseScale(argv.scale),
          scenarioPatterns: givenList('scenario', argv.scenario, 'scenario ids or globs such as "status-*"') ?? [],
          budgetMs: parseBudget(argv['time-budget']),
          rounds: numberFlag('rounds', argv.rounds, { integer: true, min: 10, example: '20' })!,
          seed: numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!,
          fresh: provider.fresh,
          failOn,
          allowMissing: argv['allow-missing'],
          ...(argv.out !== undefined ? { outDir: argv.out } : {}),
          json: argv.json,
          provider,
        });
      },
    )
    .command(
      'seed',
      'seed (or reuse) datasets without running scenarios',
      (y) => withSeedFlags(withProviderFlags(y))
        .example('$0 seed --scale 1m', 'build the 1M dataset into the cache')
        .example('$0 seed --scale 100k --fresh', 'rebuild from scratch')
        .epilog(EXIT_CODES),
      async (argv) => {
        const { runSeedCommand } = await import('./commands/seed.ts');
        refuseEmptyChoices(argv, ['index-build']);
        const scales = scaleList(argv.scale);
        const seed = numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!;
        const provider = await checkedProviderOptions(argv, singleMajor(argv));
        exitCode = await runSeedCommand({
          provider,
          requests: scales.map((scale) => ({
            scale, seed, indexBuild: argv['index-build'], fresh: provider.fresh,
            optional: { coveringIndex: argv.optional, dailyStats: argv.optional },
          })),
        });
      },
    )
    .command(
      'db',
      'start (or reuse) the server, print its URL, keep it up until Ctrl-C',
      (y) => withProviderFlags(y).example('$0 db', 'then psql the printed URL; datasets seeded by run/seed are in schemas execbench_100k, execbench_1m')
        .epilog(`${EXIT_CODES} db exits 0 when a Ctrl-C or SIGTERM stopped the server it started.`),
      async (argv) => {
        const { runDbCommand } = await import('./commands/db.ts');
        exitCode = await runDbCommand(await checkedProviderOptions(argv, singleMajor(argv)));
      },
    )
    .command(
      'clean',
      'list execbench\'s dataset schemas (size, ready or loading) and drop them: in your --database-url server, or in the embedded server',
      (y) => withProviderFlags(y)
        .option('dry-run', { type: 'boolean', default: false, describe: 'list what would be dropped, drop nothing', group: 'Clean:' })
        .example('$0 clean --database-url postgres://me@localhost/app --dry-run', 'list execbench\'s schemas in your database with their sizes; drop nothing')
        .example('$0 clean --database-url postgres://me@localhost/app', 'drop them (only schemas marked as execbench\'s; anything else is named and left)')
        .example('$0 clean', 'drop the datasets kept in the embedded server\'s data directory')
        .epilog('Exit codes: 0 done (also when it leaves schemas it may not drop: it names each and why); 2 harness error; 3 bad input (nothing changed); 130/143 ended by SIGINT/SIGTERM.'),
      async (argv) => {
        // clean removes execbench's schemas and nothing else: --fresh would wipe the embedded data directory first
        // (whatever --dry-run says), and the container flags start a container only to find it empty.
        const misplaced = ['fresh', 'no-fresh', 'image', 'cpus', 'memory'].find((flag) => ARGS.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)));
        if (misplaced) throw new UsageError(`--${misplaced} does not apply to clean: clean drops only execbench's dataset schemas, in your --database-url server or the embedded one. Drop --${misplaced}.`);
        if (process.env.EXECBENCH_FRESH?.trim() && !/^(0|false|no)$/i.test(process.env.EXECBENCH_FRESH.trim())) {
          throw new UsageError('EXECBENCH_FRESH is set, which would wipe the embedded data directory before clean looks at it: unset it for clean.');
        }
        // yargs reads `--dry-run=yes` as false, which here would drop: refuse it, as SWITCHES does for other switches.
        const bad = ARGS.find((a) => /^--(no-)?dry-run=(?!(true|false)$)/.test(a));
        if (bad) throw new UsageError(`${bad.split('=')[0]} is a switch, so '${bad.split('=').slice(1).join('=')}' is not a value for it: write --dry-run or --no-dry-run.`);
        const { runCleanCommand } = await import('./commands/clean.ts');
        exitCode = await runCleanCommand({ dryRun: argv['dry-run'], provider: await checkedProviderOptions(argv, singleMajor(argv)) });
      },
    )
    .command(
      'load',
      'offer the product\'s traffic at fixed rates (open model: Poisson arrivals, latency from each request\'s intended start) and judge the spec\'s promises at those rates; or --search the highest rate each promise survives',
      // The default rates' derivation is the help's epilog: read before yargs calls this builder.
      ((derivation: readonly string[]) => (y: Argv) => withWriteConsentFlag(withProviderFlags(y))
        .option('rate', { type: 'string', array: true, describe: 'requests per second per class (repeat or comma-separate); classes not named do not run: dashboard (one ObservabilityPage load), pages (ExecutionsPage views), ingest (upserts), retention (cleanup batches of 1000, committed in a copy of the dataset) [default: dashboard=2/s,pages=40/s,ingest=10/s,retention=1/s]', group: 'Load:' })
        .option('duration', { type: 'string', nargs: 1, default: '20s', describe: 'how long the traffic runs: 20s, 60000ms (at least 5 s, and long enough for 5 requests of every class)', group: 'Load:' })
        .option('pool', { type: 'string', nargs: 1, default: String(DEFAULT_POOL), describe: 'connections to the server, as your application instances open them together (50: five instances with a pool of 10 each); a request that finds all busy waits, and the wait is in its latency (over 5% of requests waiting and the run is invalid: the pool, not the schedule, paced it)', group: 'Load:' })
        .option('scale', { type: 'string', nargs: 1, default: '100k', describe: '100k, 1m or an integer: the dataset the load runs on (seeded or reused, then copied for the load\'s writes)', group: 'Dataset:' })
        .option('seed', { type: 'string', default: String(DEFAULT_SEED), describe: 'PRNG seed (a whole number): the same rows, and the same arrival times', group: 'Dataset:' })
        .option('out', { type: 'string', describe: 'folder for load.json (--search: capacity.json), index.html, summary.md and junit.xml (default reports/load-<time>, reports/capacity-<time>): a writable folder, created if missing', group: 'Load:' })
        .option('json', { type: 'boolean', default: false, describe: 'print the load (or capacity) document to stdout (tables go to stderr)', group: 'Load:' })
        .option('search', { type: 'boolean', default: false, describe: 'find, per promise, the highest offered rate at which it still holds (a lower confidence bound): a probe of the server throughput with the pool busy, then fixed-rate steps from 80% of it, bracketing and bisecting to 10%', group: 'Search:' })
        .option('promise', { type: 'string', array: true, describe: 'with --search: dashboard (page p95 < 2 s), pages (p95 < 500 ms) [default: both]', group: 'Search:' })
        .option('maintenance', { type: 'string', nargs: 1, describe: 'with --search: both, with (ingest 10/s and retention 1/s beside the promise\'s class) or without [default: both: the difference is what maintenance costs]', group: 'Search:' })
        .option('variant', { type: 'string', array: true, describe: 'with --search: schema variants (schema/variants/<name>: spec, recommended), each on its own copy of the same rows, side by side [default: spec]', group: 'Search:' })
        .option('max-time', { type: 'string', nargs: 1, default: '10m', describe: 'with --search: time for all searches (copies, steps, restores; not seeding); each search gets a share of what is left, a dashboard search twice a pages one (10m on one variant: about 3.3 min for each dashboard search and 1.7 min for each pages one, with and without maintenance)', group: 'Search:' })
        .option('step', { type: 'string', nargs: 1, default: '10s', describe: 'with --search: a step\'s window, at least (lengthened where a low rate needs longer to gather the 113 samples a pass needs)', group: 'Search:' })
        .option('max-window', { type: 'string', nargs: 1, default: '150s', describe: 'with --search: no step longer than this (a few requests a second with neighbours alike need about 100 s to gather the samples a pass needs)', group: 'Search:' })
        .option('max-steps', { type: 'string', nargs: 1, default: '16', describe: 'with --search: steps per search, at most (the Bonferroni divisor of the bound\'s 95% confidence)', group: 'Search:' })
        .option('min-capacity', { type: 'string', array: true, describe: 'with --search: dashboard=5/s,pages=100/s: a promise whose capacity bound is below fails its JUnit case (exit 1)', group: 'Search:' })
        .example('$0 load --rate pages=40/s,ingest=10/s --duration 20s', 'pages and ingest only, 20 s, on the 100k dataset')
        .example('$0 load --scale 20000 --duration 10s --json > load.json', 'every class at its default rate on a small dataset, as JSON')
        .example('$0 load --search --variant spec,recommended --min-capacity pages=100/s', 'capacity per promise, with and without maintenance, on both index sets')
        .example('$0 load --database-url postgres://me@localhost/app --yes', 'on your server: seeds execbench_<scale> if missing (kept, as run does), writes only into its copy execbench_load_<scale>, dropped at the end')
        .epilog(`Default rates: ${derivation.join(' ')}\n\n--search: each promise's capacity is a 95% lower confidence bound on the offered rate (the highest rate whose p95 interval lay wholly under the limit, below every rate that did not), assuming latency is monotone in the rate; Bonferroni over --max-steps. An invalid step (rate not achieved, pool exhausted, execbench's own limit) counts as failed, with its reason; so does a step stopped early because more than 5% of its requests already waited over the limit. docs/load.md says how to read the report.\n\nExit codes: 0 a valid run, no promise failed (--search: every promise has a bound, at or above --min-capacity); 1 a promise failed at these rates, or the server did not keep up (invalid run, said why) (--search: a bound below --min-capacity, or the promise held at no rate); 2 execbench could not measure (its own schedule or CPU, a harness error; --search: no bound could be measured); 3 bad input (nothing started); 130/143 Ctrl-C/SIGTERM (what was measured so far is printed).`))((await import('./load/traffic.ts')).DEFAULT_RATES_DERIVATION),
      async (argv) => {
        const { parseRates, checkJudgeable, MIN_DURATION_MS } = await import('./load/traffic.ts');
        const pool = numberFlag('pool', argv.pool, { integer: true, min: 1, example: '10' })!;
        const scale = parseScale(argv.scale);
        const seed = numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!;
        refuseEmpty(argv.out, { label: '--out', fix: 'Give --out a writable folder (created if missing), or omit it for reports/<kind>-<time>.' });
        const searchFlags = ['promise', 'maintenance', 'variant', 'max-time', 'step', 'max-window', 'max-steps', 'min-capacity'];
        if (!argv.search) {
          const stray = ARGS.find((a) => searchFlags.some((f) => new RegExp(`^--${f}(=|$)`).test(a)));
          if (stray) throw new UsageError(`${stray.split('=')[0]} belongs to --search (the capacity search): add --search, or leave it out for a fixed-rate run.`);
          const { runLoadCommand } = await import('./commands/load.ts');
          const rates = parseRates(argv.rate === undefined ? undefined : list(argv.rate));
          const durationMs = parseDuration('duration', argv.duration, { minMs: MIN_DURATION_MS, maxMs: 3_600_000, example: '20s' });
          checkJudgeable(rates, durationMs);
          const provider = await checkedProviderOptions(argv, singleMajor(argv));
          exitCode = await runLoadCommand({ rates, durationMs, pool, scale, seed, json: argv.json, ...(argv.out !== undefined ? { outDir: argv.out } : {}), provider });
          return;
        }
        const { parseMaintenance, parseMaxTime, parseMinCapacity, parsePromises, refuseFixedRateFlags } = await import('./load/search-options.ts');
        const { runLoadSearchCommand } = await import('./commands/load.ts');
        refuseFixedRateFlags(ARGS);
        const promises = parsePromises(givenList('promise', argv.promise, 'dashboard, pages'));
        const maintenance = parseMaintenance(argv.maintenance);
        const variants = givenList('variant', argv.variant, 'variant names such as spec,recommended') ?? ['spec'];
        const maxTimeMs = parseMaxTime(argv['max-time']);
        const stepMs = parseDuration('step', argv.step, { minMs: 1000, maxMs: 600_000, example: '10s' });
        const maxWindowMs = parseDuration('max-window', argv['max-window'], { minMs: stepMs, maxMs: 3_600_000, example: '60s' });
        const maxSteps = numberFlag('max-steps', argv['max-steps'], { integer: true, min: 2, example: '16' })!;
        const minCapacity = parseMinCapacity(argv['min-capacity'] === undefined ? undefined : list(argv['min-capacity']));
        const provider = await checkedProviderOptions(argv, singleMajor(argv));
        exitCode = await runLoadSearchCommand({
          promises, maintenance, variants, maxTimeMs, stepMs, maxWindowMs, maxSteps, pool, scale, seed, json: argv.json, minCapacity,
          ...(argv.out !== undefined ? { outDir: argv.out } : {}), provider,
        });
      },
    )
    .command(
      'report <results>',
      'rebuild the HTML, Markdown, JUnit and trend reports from a saved results.json',
      (y) => y
        .positional('results', { type: 'string', demandOption: true, describe: 'path to results.json' })
        .option('out', { type: 'string', describe: 'output folder (default: next to results.json): a writable folder, created if missing' })
        .example('$0 report reports/2026-11-24T05-00-00-000Z/results.json', 'rewrite index.html and friends')
        .epilog(EXIT_CODES),
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
        .option('min-effect', { type: 'string', default: '0.2', describe: 'smallest slowdown that can fail (0.2 = 20%)' })
        .option('buffer-tolerance', { type: 'string', default: '0.1', describe: 'allowed change in shared buffers and rows (0.1 = 10%)' })
        .option('confidence', { type: 'string', default: '0.99', describe: 'confidence of the bootstrap interval on the latency ratio, between 0 and 1' })
        .option('min-absolute-ms', { type: 'string', default: '0.5', describe: 'smallest absolute slowdown (ms) on the client clock that can fail (the server clock\'s floor is 0.05 ms)' })
        .option('gate-write-time', { type: 'boolean', default: false, describe: 'also gate the latency of (rolled-back) write scenarios' })
        .option('fail-on', { type: 'string', array: true, default: ['contracts', 'thresholds', 'baseline'], describe: 'what fails: contracts, thresholds, baseline (= plan + time), plan (index, plan shape, buffers, rows, gated forms not compared: deterministic), time (median and p95 slowdowns: leave it out on a noisy runner)' })
        .option('allow-missing', { type: 'boolean', default: false, describe: 'a gated form of the baseline not compared (removed, renamed, filtered out, skipped, no plan), or nothing compared at all, warns instead of failing the plan half' })
        .example('$0 compare main.json pr.json', 'exit 1 on a regression, 4 when the runs cannot be compared')
        .example('$0 compare main.json pr.json --fail-on contracts,thresholds,plan', 'on a noisy runner: gate plans, buffers and rows; report time without failing on it')
        .epilog(EXIT_CODES),
      async (argv) => {
        const { runCompareCommand } = await import('./commands/compare.ts');
        exitCode = await runCompareCommand({
          baselinePath: argv.baseline,
          currentPath: argv.current,
          minEffect: numberFlag('min-effect', argv['min-effect'], { min: 0, example: '0.2' })!,
          bufferTolerance: numberFlag('buffer-tolerance', argv['buffer-tolerance'], { min: 0, example: '0.1' })!,
          confidence: numberFlag('confidence', argv.confidence, { min: 0, example: '0.99' })!,
          minAbsoluteMs: numberFlag('min-absolute-ms', argv['min-absolute-ms'], { min: 0, example: '0.5' })!,
          gateWriteTime: argv['gate-write-time'],
          allowMissing: argv['allow-missing'],
          failOn: failOnList(argv['fail-on'], COMPARE_FAIL_ON) as FailOn[],
        });
      },
    )
    .strict()
    .demandCommand(0)
    .help()
    .alias('h', 'help')
    // No hard wrapping: yargs would break words and examples mid-token; terminals wrap long lines themselves.
    .wrap(null)
    .parserConfiguration({ 'camel-case-expansion': false })
    .fail((message, error) => {
      // yargs' own parse errors (a flag with no value, a missing positional) are bad input, not a failure.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(`${explainYargs(message ?? error?.message ?? '')} (see execbench ${commandName()}--help)`); // flattened to one line where it is printed
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

/** yargs' terse messages, said as execbench says things: the flag with its dashes, what is missing. */
function explainYargs(message: string): string {
  const following = /^Not enough arguments following: (.+)$/.exec(message);
  if (following) return `--${following[1]} needs a value`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  // A misspelt command reads as an unknown argument of run (the default command): name the command it looks like.
  const first = ARGS[0];
  if (unknown && first !== undefined && !first.startsWith('-') && unknown[1]!.split(', ').includes(first)) {
    const near = COMMANDS.find((command) => editDistance(first, command) <= 2);
    if (near) return `Unknown command '${first}': did you mean ${near}?`;
  }
  if (unknown) {
    const names = unknown[1]!.split(', ').map((name) => (ARGS.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)) ? `--${name}` : name));
    return `Unknown ${names.length > 1 ? 'arguments' : 'argument'}: ${names.join(', ')}`;
  }
  if (/^Not enough non-option arguments/.test(message)) {
    const command = ARGS[0];
    if (command === 'report') return 'report needs the results.json to rebuild, e.g. execbench report reports/<run-id>/results.json';
    if (command === 'compare') return 'compare needs two results.json files, the baseline and the current run, e.g. execbench compare main.json pr.json';
  }
  return message;
}

/** The command typed, for the help pointer: "run " for `execbench run ...`, "" for none or an unknown one. */
function commandName(): string {
  const command = ARGS[0];
  return command && COMMANDS.includes(command) ? `${command} ` : '';
}

