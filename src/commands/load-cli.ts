// `execbench load` on the command line: its flags (fixed rates, or --search's), their checks, and which of
// runLoadCommand (traffic at fixed rates) or runLoadSearchCommand (the capacity search) they start.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.ts';
import { refuseEmpty } from '../paths.ts';
import { parseScale } from '../seed/scale.ts';
import { givenList, list, numberFlag, parseDuration } from '../cli-args.ts';
import { DEFAULT_POOL } from '../load/traffic.ts';
import { checkedProviderOptions, singleMajor, withProviderFlags, withWriteConsentFlag } from '../cli-provider.ts';
import { ARGS, DEFAULT_SEED, type CommandExit } from '../cli-common.ts';

/** load: the product's traffic at fixed rates, or --search for each promise's capacity. */
export async function loadCommand(cli: Argv, exit: CommandExit): Promise<Argv> {
  return cli.command(
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
      .epilog(`Default rates: ${derivation.join(' ')}\n\n--search: each promise's capacity is a 95% lower confidence bound on the offered rate (the highest rate whose p95 interval lay wholly under the limit, below every rate that did not), assuming latency is monotone in the rate; Bonferroni over --max-steps. An invalid step (rate not achieved, pool exhausted, execbench's own limit) counts as failed, with its reason; so does a step stopped early because more than 5% of its requests already waited over the limit. docs/load.md says how to read the report.\n\nExit codes: 0 a valid run, no promise failed (--search: every promise has a bound, at or above --min-capacity); 1 a promise failed at these rates, or the server did not keep up (invalid run, said why) (--search: a bound below --min-capacity, or the promise held at no rate); 2 execbench could not measure (its own schedule or CPU, a harness error; --search: no bound could be measured); 3 bad input (nothing started); 130/143 Ctrl-C/SIGTERM (what was measured so far is printed).`))((await import('../load/traffic.ts')).DEFAULT_RATES_DERIVATION),
    async (argv) => {
      const { parseRates, checkJudgeable, MIN_DURATION_MS } = await import('../load/traffic.ts');
      const pool = numberFlag('pool', argv.pool, { integer: true, min: 1, example: '10' })!;
      const scale = parseScale(argv.scale);
      const seed = numberFlag('seed', argv.seed, { integer: true, min: 0, example: '42' })!;
      refuseEmpty(argv.out, { label: '--out', fix: 'Give --out a writable folder (created if missing), or omit it for reports/<kind>-<time>.' });
      const searchFlags = ['promise', 'maintenance', 'variant', 'max-time', 'step', 'max-window', 'max-steps', 'min-capacity'];
      if (!argv.search) {
        const stray = ARGS.find((a) => searchFlags.some((f) => new RegExp(`^--${f}(=|$)`).test(a)));
        if (stray) throw new UsageError(`${stray.split('=')[0]} belongs to --search (the capacity search): add --search, or leave it out for a fixed-rate run.`);
        const { runLoadCommand } = await import('./load.ts');
        const rates = parseRates(argv.rate === undefined ? undefined : list(argv.rate));
        const durationMs = parseDuration('duration', argv.duration, { minMs: MIN_DURATION_MS, maxMs: 3_600_000, example: '20s' });
        checkJudgeable(rates, durationMs);
        const provider = await checkedProviderOptions(argv, singleMajor(argv));
        exit.code = await runLoadCommand({ rates, durationMs, pool, scale, seed, json: argv.json, ...(argv.out !== undefined ? { outDir: argv.out } : {}), provider });
        return;
      }
      const { parseMaintenance, parseMaxTime, parseMinCapacity, parsePromises, refuseFixedRateFlags } = await import('../load/search-options.ts');
      const { runLoadSearchCommand } = await import('./load.ts');
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
      exit.code = await runLoadSearchCommand({
        promises, maintenance, variants, maxTimeMs, stepMs, maxWindowMs, maxSteps, pool, scale, seed, json: argv.json, minCapacity,
        ...(argv.out !== undefined ? { outDir: argv.out } : {}), provider,
      });
    },
  );
}
