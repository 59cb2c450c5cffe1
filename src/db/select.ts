// --provider auto|url|container|embedded: picks the provider and says why in one sentence.
import { PROVIDER_CHOICES } from '../config.ts';
import { UsageError } from '../errors.ts';
import { detectContainerRuntime, startContainer } from './container.ts';
import { EMBEDDED_MAJOR, startEmbedded } from './embedded.ts';
import type { Database, ProviderOptions } from './provider.ts';
import { connectUrl, redactUrl } from './url.ts';

/** How long auto waits for a Docker engine before falling back to embedded. */
const DOCKER_PROBE_MS = 3000;

/** Provides the Postgres the options ask for; auto: a URL, else a reachable Docker engine, else embedded. */
export async function provideDatabase(options: ProviderOptions): Promise<Database> {
  const provider = options.provider as string;
  if (!(PROVIDER_CHOICES as readonly string[]).includes(provider)) {
    throw new UsageError(`Unknown --provider '${provider}': use one of ${PROVIDER_CHOICES.join(', ')}.`);
  }
  const portNote = options.port > 0 ? ` on port ${options.port}` : '';

  switch (options.provider) {
    case 'url':
      if (!options.databaseUrl) throw new UsageError('--provider url needs --database-url postgres://user:password@host:port/db or DATABASE_URL.');
      return connectUrl({ databaseUrl: options.databaseUrl, reason: `--provider url: the server at ${redactUrl(options.databaseUrl)}.` });
    case 'container':
      return startContainer({ ...containerOptions(options), reason: `--provider container: ${options.image}${portNote} via testcontainers.` });
    case 'embedded':
      return startEmbedded({ ...embeddedOptions(options), reason: `--provider embedded: the npm-shipped Postgres ${options.embeddedMajor ?? EMBEDDED_MAJOR} binaries, data in ${options.cacheDir}.` });
    case 'auto': {
      if (options.databaseUrl) {
        return connectUrl({
          databaseUrl: options.databaseUrl,
          reason: `a database URL was given (--database-url or DATABASE_URL), so execbench uses that server (${redactUrl(options.databaseUrl)}).`,
        });
      }
      const probe = await detectContainerRuntime(DOCKER_PROBE_MS);
      if (probe.available) {
        return startContainer({
          ...containerOptions(options),
          reason: `no database URL was given and ${probe.description} answered, so execbench started ${options.image} in a container.`,
        });
      }
      return startEmbedded({
        ...embeddedOptions(options),
        reason: `no database URL was given and ${probe.why}, so execbench started its embedded Postgres ${options.embeddedMajor ?? EMBEDDED_MAJOR} (data in ${options.cacheDir}).`,
      });
    }
  }
}

function containerOptions(options: ProviderOptions) {
  return {
    image: options.image,
    port: options.port,
    log: options.log,
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {}),
  };
}

function embeddedOptions(options: ProviderOptions) {
  if (options.cpus !== undefined || options.memoryMb !== undefined) {
    options.log('embedded: --cpus/--memory limit containers only; the embedded server runs unconstrained (its settings still assume the spec\'s 8 GB box).');
  }
  return { cacheDir: options.cacheDir, fresh: options.fresh, port: options.port, log: options.log, major: options.embeddedMajor ?? EMBEDDED_MAJOR };
}
