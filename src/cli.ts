// argv -> options -> command; exit codes (see EXIT in errors.ts and the README). The commands with many flags are
// wired in src/commands/*-cli.ts (run, whatif, ab, load), the small ones below main; shared flags and checks live in
// cli-provider.ts (the Postgres flags) and cli-common.ts.
import yargs, { type Argv } from 'yargs';
import { EXIT, ExecbenchError, UsageError } from './errors.ts';
import { numberFlag } from './cli-args.ts';
import { COMPARE_FAIL_ON, type FailOn } from './gate/verdict.ts';
import { editDistance } from './did-you-mean.ts';
import { checkedProviderOptions, singleMajor, withProviderFlags } from './cli-provider.ts';
import { ARGS, COMMANDS, EXIT_CODES, commandName, failOnList, refuseEmptyChoices, refuseSwitchValues, scaleList, withSeedFlags, type AddCommand, type CommandExit } from './cli-common.ts';
import { runCommand } from './commands/run-cli.ts';
import { whatifCommand } from './commands/whatif-cli.ts';
import { abCommand } from './commands/ab-cli.ts';
import { loadCommand } from './commands/load-cli.ts';

/** The commands, in the order the help lists them. */
const ADD_COMMANDS: AddCommand[] = [runCommand, whatifCommand, abCommand, seedCommand, dbCommand, cleanCommand, loadCommand, reportCommand, compareCommand];

async function main(): Promise<number> {
  const exit: CommandExit = { code: EXIT.ok };
  refuseSwitchValues();
  let cli: Argv = yargs(ARGS)
    .scriptName('execbench')
    .usage('$0 <command> [options]\n\nTurns the executions index-strategy document into an executable, CI-gated proof.\nrun is the default command: the options below are run\'s; `$0 <command> --help` gives each other command\'s.');
  for (const add of ADD_COMMANDS) cli = await add(cli, exit);
  await cli
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
  return exit.code;
}

/** seed: build or reuse datasets without running scenarios. */
function seedCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
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
      exit.code = await runSeedCommand({
        provider,
        requests: scales.map((scale) => ({
          scale, seed, indexBuild: argv['index-build'], fresh: provider.fresh,
          optional: { coveringIndex: argv.optional, dailyStats: argv.optional },
        })),
      });
    },
  );
}

/** db: start or reuse the server and keep it up until Ctrl-C. */
function dbCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
    'db',
    'start (or reuse) the server, print its URL, keep it up until Ctrl-C',
    (y) => withProviderFlags(y).example('$0 db', 'then psql the printed URL; datasets seeded by run/seed are in schemas execbench_100k, execbench_1m')
      .epilog(`${EXIT_CODES} db exits 0 when a Ctrl-C or SIGTERM stopped the server it started.`),
    async (argv) => {
      const { runDbCommand } = await import('./commands/db.ts');
      exit.code = await runDbCommand(await checkedProviderOptions(argv, singleMajor(argv)));
    },
  );
}

/** clean: list and drop execbench's dataset schemas. */
function cleanCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
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
      exit.code = await runCleanCommand({ dryRun: argv['dry-run'], provider: await checkedProviderOptions(argv, singleMajor(argv)) });
    },
  );
}

/** report: rebuild the reports from a saved results.json. */
function reportCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
    'report <results>',
    'rebuild the HTML, Markdown, JUnit and trend reports from a saved results.json',
    (y) => y
      .positional('results', { type: 'string', demandOption: true, describe: 'path to results.json' })
      .option('out', { type: 'string', describe: 'output folder (default: next to results.json): a writable folder, created if missing' })
      .example('$0 report reports/2026-11-24T05-00-00-000Z/results.json', 'rewrite index.html and friends')
      .epilog(EXIT_CODES),
    async (argv) => {
      const { runReportCommand } = await import('./commands/report.ts');
      exit.code = await runReportCommand(argv.results, argv.out);
    },
  );
}

/** compare: two results.json files, judged by the baseline gate. */
function compareCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
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
      exit.code = await runCompareCommand({
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
  );
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
    const near = COMMANDS.map((command) => ({ command, d: editDistance(first, command) })).filter((c) => c.d <= 2).sort((a, b) => a.d - b.d)[0]?.command;
    if (near) return `Unknown command '${first}': did you mean ${near}?`;
  }
  if (unknown) {
    const names = unknown[1]!.split(', ').map((name) => (ARGS.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)) ? `--${name}` : name));
    return `Unknown ${names.length > 1 ? 'arguments' : 'argument'}: ${names.join(', ')}`;
  }
  // A flag demanded with a hint (demandOption: 'give ...'): yargs joins the two with a space.
  const missing = /^Missing required arguments?: ([\w-]+)\s*([\s\S]*)$/.exec(message);
  if (missing) return `--${missing[1]} is required${missing[2] ? `: ${missing[2].trim()}` : ''}`;
  if (/^Not enough non-option arguments/.test(message)) {
    const command = ARGS[0];
    if (command === 'report') return 'report needs the results.json to rebuild, e.g. execbench report reports/<run-id>/results.json';
    if (command === 'compare') return 'compare needs two results.json files, the baseline and the current run, e.g. execbench compare main.json pr.json';
  }
  return message;
}
