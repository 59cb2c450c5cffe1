// defaults < env < flags, resolved in one pure function (no I/O: env is passed in).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmbeddedMajor } from './db/embedded.ts';
import type { ProviderKind, ProviderOptions } from './db/provider.ts';
import { UsageError } from './errors.ts';

/** The values --provider accepts. */
export const PROVIDER_CHOICES = ['auto', 'url', 'container', 'embedded'] as const satisfies readonly ('auto' | ProviderKind)[];

/** The container image used when neither --image nor EXECBENCH_PG_IMAGE/PG_IMAGE says otherwise. */
export const DEFAULT_IMAGE = 'postgres:17-alpine';

/** The project root: this file lives in <root>/src. */
const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** <project root>/node_modules/.cache/execbench: where the embedded data directory and caches live. */
export function defaultCacheDir(): string {
  return path.join(PROJECT_ROOT, 'node_modules', '.cache', 'execbench');
}

/** Provider flags as the CLI parsed them; anything left undefined falls back to env, then defaults. */
export interface ProviderFlags {
  provider?: string;
  databaseUrl?: string;
  cacheDir?: string;
  port?: number;
  image?: string;
  cpus?: number;
  memoryMb?: number;
  fresh?: boolean;
  /** --pg-major (one of them, for a multi-major run): also the default image's tag. */
  pgMajor?: EmbeddedMajor;
}

/** The environment variables execbench reads (all optional; empty counts as unset). */
export type ProviderEnv = Partial<Record<
  | 'DATABASE_URL' | 'EXECBENCH_PROVIDER' | 'EXECBENCH_CACHE_DIR' | 'EXECBENCH_PORT'
  | 'EXECBENCH_PG_IMAGE' | 'PG_IMAGE' | 'EXECBENCH_CPUS' | 'EXECBENCH_MEMORY_MB' | 'EXECBENCH_FRESH',
  string | undefined
>> & Record<string, string | undefined>;

/** Checks a --provider value; the error lists the valid ones. */
export function parseProvider(value: string, source = '--provider'): ProviderOptions['provider'] {
  const v = value.trim().toLowerCase();
  if ((PROVIDER_CHOICES as readonly string[]).includes(v)) return v as ProviderOptions['provider'];
  throw new UsageError(`Unknown ${source} '${value}': use one of ${PROVIDER_CHOICES.join(', ')}.`);
}

/** Resolves ProviderOptions from defaults < env < flags. Pure: give it process.env or a test object. */
export function resolveProviderOptions(
  flags: ProviderFlags,
  env: ProviderEnv = {},
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): ProviderOptions {
  const fromEnv = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const providerText = flags.provider ?? fromEnv('EXECBENCH_PROVIDER');
  const provider = providerText === undefined
    ? 'auto'
    : parseProvider(providerText, flags.provider !== undefined ? '--provider' : 'EXECBENCH_PROVIDER');

  // An explicit embedded/container provider ignores a DATABASE_URL exported for some other tool,
  // but contradicts an explicit --database-url.
  const startsOwnServer = provider === 'container' || provider === 'embedded';
  if (startsOwnServer && nonEmpty(flags.databaseUrl) !== undefined) {
    throw new UsageError(`--provider ${provider} starts its own server, but --database-url was also given: drop one of them.`);
  }
  const databaseUrl = startsOwnServer ? undefined : nonEmpty(flags.databaseUrl) ?? fromEnv('DATABASE_URL');
  const cacheDir = path.resolve(nonEmpty(flags.cacheDir) ?? fromEnv('EXECBENCH_CACHE_DIR') ?? defaultCacheDir());
  const image = nonEmpty(flags.image) ?? fromEnv('EXECBENCH_PG_IMAGE') ?? fromEnv('PG_IMAGE') ??
    (flags.pgMajor !== undefined ? `postgres:${flags.pgMajor}-alpine` : DEFAULT_IMAGE);

  const port = flags.port ?? numberFromEnv(fromEnv('EXECBENCH_PORT'), 'EXECBENCH_PORT') ?? 0;
  // Each message names where the value came from: the flag, or the variable the user may have forgotten they set.
  const source = (flag: string, variable: string, given: unknown) => (given !== undefined ? flag : variable);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Invalid ${source('--port', 'EXECBENCH_PORT', flags.port)} '${port}': give an integer between 1 and 65535, or omit it to use a free port.`);
  }
  const cpus = flags.cpus ?? numberFromEnv(fromEnv('EXECBENCH_CPUS'), 'EXECBENCH_CPUS');
  if (cpus !== undefined && !(Number.isFinite(cpus) && cpus > 0)) {
    throw new UsageError(`Invalid ${source('--cpus', 'EXECBENCH_CPUS', flags.cpus)} '${cpus}': give a positive number of CPUs, e.g. 4 to mimic the spec's box.`);
  }
  const memoryMb = flags.memoryMb ?? numberFromEnv(fromEnv('EXECBENCH_MEMORY_MB'), 'EXECBENCH_MEMORY_MB');
  if (memoryMb !== undefined && !(Number.isInteger(memoryMb) && memoryMb >= 256)) {
    throw new UsageError(`Invalid ${source('--memory', 'EXECBENCH_MEMORY_MB', flags.memoryMb)} '${memoryMb}': give the container memory limit in MB (at least 256), e.g. 8192.`);
  }
  const fresh = flags.fresh ?? booleanFromEnv(fromEnv('EXECBENCH_FRESH'), 'EXECBENCH_FRESH') ?? false;

  if (provider === 'url' && databaseUrl === undefined) {
    throw new UsageError(`--provider url needs a server: pass --database-url postgres://user:password@host:port/db or set DATABASE_URL.`);
  }

  return {
    provider,
    ...(databaseUrl !== undefined ? { databaseUrl, databaseUrlFrom: nonEmpty(flags.databaseUrl) !== undefined ? '--database-url' as const : 'DATABASE_URL' as const } : {}),
    cacheDir,
    fresh,
    port,
    image,
    ...(cpus !== undefined ? { cpus } : {}),
    ...(memoryMb !== undefined ? { memoryMb } : {}),
    ...(flags.pgMajor !== undefined ? { pgMajor: flags.pgMajor } : {}),
    log,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function numberFromEnv(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`Invalid ${name} '${value}': expected a number.`);
  return n;
}

function booleanFromEnv(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new UsageError(`Invalid ${name} '${value}': expected 1, true, yes or on (0, false, no or off for not), or leave it unset.`);
}
