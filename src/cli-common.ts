// What the commands' wiring shares: the arguments as typed, the defaults and exit codes the help states, the dataset
// flags, and the checks yargs cannot make (a choice or list flag given no value, a switch given a value).
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from './errors.ts';
import { parseScales } from './seed/scale.ts';
import { givenList } from './cli-args.ts';
import { ALL_FAIL_ON } from './gate/verdict.ts';
import { withWriteConsentFlag } from './cli-provider.ts';

export const DEFAULT_SEED = 20261124;
export const DEFAULT_BUDGET = '750ms';

export const EXIT_CODES = 'Exit codes: 0 all gated checks passed; 1 a contract, threshold or baseline check failed; 2 harness error; 3 bad input, such as a path that is not what it must be (nothing changed); 4 baseline refused or unreadable; 130/143 ended by SIGINT/SIGTERM.';

/** The commands, for "did you mean" and the help pointer. */
export const COMMANDS = ['run', 'whatif', 'ab', 'load', 'seed', 'db', 'clean', 'report', 'compare'];
/** The arguments as typed (what yargs parses), for the checks yargs cannot make. */
export const ARGS = hideBin(process.argv);

/** Where a command's handler leaves its exit code: main returns it once yargs is done. */
export interface CommandExit {
  code: number;
}

/** Adds one command (its flags, help and handler) to the CLI. */
export type AddCommand = (cli: Argv, exit: CommandExit) => Argv | Promise<Argv>;

export function withSeedFlags<T>(y: Argv<T>) {
  return withWriteConsentFlag(y)
    .option('scale', { type: 'string', array: true, describe: '100k, 1m, 5m, 10m or an integer: focus-tenant executions (repeat or comma-separate) [default: 100k,1m]', group: 'Dataset:' })
    .option('seed', { type: 'string', default: String(DEFAULT_SEED), describe: 'PRNG seed (a whole number): same seed, identical rows', group: 'Dataset:' })
    .option('index-build', { choices: ['after', 'during'] as const, default: 'after' as const, describe: 'build indexes after the load, or keep them during it (as in production)', group: 'Dataset:' })
    .option('optional', { type: 'boolean', default: true, describe: 'install the spec\'s optional covering index and daily-stats view (--no-optional to skip)', group: 'Dataset:' });
}

/** --fail-on: a non-empty list of known parts (empty would switch the gate off). */
export function failOnList(raw: unknown, allowed: readonly string[] = ALL_FAIL_ON): string[] {
  const failOn = givenList('fail-on', raw, `one or more of ${allowed.join(', ')} (comma-separated)`) ?? [];
  const bad = failOn.find((f) => !allowed.includes(f));
  if (bad) throw new UsageError(`Unknown --fail-on '${bad}': use ${allowed.join(', ')} (comma-separated).`);
  return failOn;
}

/** --scale: the named default when absent; a scale given twice (100k,100000) runs once. */
export function scaleList(raw: unknown) {
  const scales = parseScales(givenList('scale', raw, '100k, 1m, 5m, 10m or a positive integer (comma-separated)') ?? ['100k', '1m']);
  return scales.filter((scale, i) => scales.findIndex((other) => other.focusRows === scale.focusRows) === i);
}

/** A choice flag given with no value (`--clock` last, or `--clock "$UNSET"`) is refused, not read as its default. */
export function refuseEmptyChoices(argv: Record<string, unknown>, flags: string[], raw: readonly string[] = ARGS): void {
  for (const flag of flags) {
    // yargs fills a bare choice flag with its default, so the typed arguments are read here.
    const at = raw.indexOf(`--${flag}`);
    const bare = at >= 0 && (raw[at + 1] === undefined || raw[at + 1]!.startsWith('-'));
    if (argv[flag] === '' || bare) {
      throw new UsageError(`--${flag} was given no value: give one of its choices (execbench ${commandName()}--help), or omit it for the default.`);
    }
  }
}

/** Switches (boolean flags): yargs reads `--json=yes` as false without a word, so a value other than true/false is refused. */
const SWITCHES = ['allow-writes', 'plans-only', 'json', 'strict-spec', 'fresh', 'optional', 'audit', 'calibrate', 'gate-write-time', 'allow-missing', 'ablation', 'generic', 'crossover', 'write-cost'];

export function refuseSwitchValues(raw: readonly string[] = ARGS): void {
  for (const arg of raw) {
    const m = /^--(no-)?([a-z-]+)=(.*)$/.exec(arg);
    if (m && SWITCHES.includes(m[2]!) && !/^(true|false)$/.test(m[3]!)) {
      throw new UsageError(`--${m[1] ?? ''}${m[2]} is a switch, so '${m[3]}' is not a value for it: write --${m[2]} or --no-${m[2]}.`);
    }
  }
}

/** The command typed, for the help pointer: "run " for `execbench run ...`, "" for none or an unknown one. */
export function commandName(): string {
  const command = ARGS[0];
  return command && COMMANDS.includes(command) ? `${command} ` : '';
}
