// `execbench whatif` on the command line: its flags, their checks, and the options runWhatifCommand gets.
import type { Argv } from 'yargs';
import { refuseEmpty } from '../paths.ts';
import { givenList, numberFlag, parseBudget } from '../cli-args.ts';
import type { FailOn } from '../gate/verdict.ts';
import { checkedProviderOptions, singleMajor, withProviderFlags, withWriteConsentFlag } from '../cli-provider.ts';
import { DEFAULT_SEED, EXIT_CODES, failOnList, scaleList, type CommandExit } from '../cli-common.ts';

/** whatif: schema variants side by side on the same rows. */
export function whatifCommand(cli: Argv, exit: CommandExit): Argv {
  return cli.command(
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
      const { runWhatifCommand } = await import('./whatif.ts');
      const failOn = failOnList(argv['fail-on']);
      refuseEmpty(argv.out, { label: '--out', fix: 'Give --out a writable folder for the reports (created if missing), or omit it for reports/whatif-<time>.' });
      const provider = await checkedProviderOptions(argv, singleMajor(argv));
      exit.code = await runWhatifCommand({
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
  );
}
