// `execbench ab` on the command line: its flags, their checks, and the options runAbCommand gets.
import type { Argv } from 'yargs';
import { refuseEmpty } from '../paths.ts';
import { parseScale } from '../seed/scale.ts';
import { AB_TIME_RULE } from '../ab/judge-time.ts';
import { givenList, numberFlag, parseBudget } from '../cli-args.ts';
import { checkedProviderOptions, singleMajor, withProviderFlags, withWriteConsentFlag } from '../cli-provider.ts';
import { DEFAULT_SEED, EXIT_CODES, failOnList, type CommandExit } from '../cli-common.ts';

/** ab: the regression gate, a base ref against the working tree (or --head). */
export function abCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
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
      const { runAbCommand } = await import('./ab.ts');
      const failOn = failOnList(argv['fail-on'], ['plan', 'time']) as ('plan' | 'time')[];
      refuseEmpty(argv.out, { label: '--out', fix: 'Give --out a writable folder for the reports (created if missing), or omit it for reports/ab-<time>.' });
      const provider = await checkedProviderOptions(argv, singleMajor(argv));
      exit.code = await runAbCommand({
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
  );
}
