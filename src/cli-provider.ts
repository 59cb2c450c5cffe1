// The Postgres flags every command that uses a server shares (--provider, --database-url, --pg-major, ...) and the
// provider options resolved from them (defaults < env < flags), the cache folder checked before anything starts.
import type { Argv } from 'yargs';
import { resolveProviderOptions } from './config.ts';
import { UsageError } from './errors.ts';
import { checkWritableDir, refuseEmpty } from './paths.ts';
import { list, numberFlag } from './cli-args.ts';
import { EMBEDDED_MAJORS, type EmbeddedMajor } from './db/embedded.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

export function withProviderFlags<T>(y: Argv<T>) {
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
export function withWriteConsentFlag<T>(y: Argv<T>) {
  return y.option('yes', { type: 'boolean', describe: 'with --database-url/DATABASE_URL: allow creating or rebuilding execbench_* dataset schemas in that server without asking (the size is printed first); without it execbench asks at a terminal and refuses elsewhere', group: 'Postgres:' });
}

export type ProviderArgs = { 'pg-major'?: string; provider?: string; 'database-url'?: string; 'cache-dir'?: string; port?: string; image?: string; cpus?: string; memory?: string; fresh?: boolean; yes?: boolean };

/** --pg-major / EXECBENCH_PG_MAJOR: pinned majors (a comma-separated list for run); empty: the default. */
export function pgMajors(raw: string | undefined): EmbeddedMajor[] {
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

/** The one major a single-server command (seed, db) may be given. */
export function singleMajor(argv: ProviderArgs): EmbeddedMajor | undefined {
  const majors = pgMajors(argv['pg-major']);
  if (majors.length > 1) throw new UsageError(`--pg-major lists ${majors.join(', ')}, but this command uses one server: give one major (only run accepts a list).`);
  return majors[0];
}

const CACHE_FIX = 'Give a writable folder, e.g. --cache-dir /var/tmp/execbench (created if missing), or omit it for node_modules/.cache/execbench.';

/** providerOptions, plus the cache folder checked wherever an embedded server may start: before anything starts. */
export async function checkedProviderOptions(argv: ProviderArgs, major?: EmbeddedMajor) {
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
