// --provider auto|url|container|embedded: picks the provider and says why in one sentence.
import { PROVIDER_CHOICES } from '../config.ts';
import { UsageError } from '../errors.ts';
import { DatabaseError } from '../errors.ts';
import { detectContainerRuntime, ensureImage, startContainer } from './container.ts';
import { EMBEDDED_MAJOR, startEmbedded } from './embedded.ts';
import type { Database, ProviderOptions } from './provider.ts';
import { connectUrl, redactUrl } from './url.ts';

/** How long auto waits for a Docker engine before falling back to embedded. */
const DOCKER_PROBE_MS = 3000;
/**
 * How long auto lets a missing image pull before falling back: an unreachable registry answers within a
 * second or two; a slow one should not cost more than the embedded server's whole start (EXECBENCH_PULL_TIMEOUT_MS).
 */
const AUTO_PULL_MS = Number(process.env.EXECBENCH_PULL_TIMEOUT_MS) > 0 ? Number(process.env.EXECBENCH_PULL_TIMEOUT_MS) : 60_000;

/**
 * Provides the Postgres the options ask for; auto: a URL, else a Docker engine that has (or can pull) the
 * image, else embedded. With --pg-major, a server of another major is refused (an --image of another version).
 */
export async function provideDatabase(options: ProviderOptions): Promise<Database> {
  const db = await provideAnyDatabase(options);
  const major = Math.floor(db.serverVersionNum / 10000);
  if (options.pgMajor !== undefined && db.kind !== 'url' && major !== options.pgMajor) {
    await db.stop();
    throw new DatabaseError(`--pg-major ${options.pgMajor} was asked for, but ${db.kind === 'container' ? `the image ${options.image}` : 'the server'} runs Postgres ${db.serverVersion}. ` +
      `Drop --image (execbench then uses postgres:${options.pgMajor}-alpine) or name an image of Postgres ${options.pgMajor}.`);
  }
  return db;
}

async function provideAnyDatabase(options: ProviderOptions): Promise<Database> {
  const provider = options.provider as string;
  if (!(PROVIDER_CHOICES as readonly string[]).includes(provider)) {
    throw new UsageError(`Unknown --provider '${provider}': use one of ${PROVIDER_CHOICES.join(', ')}.`);
  }
  const portNote = options.port > 0 ? ` on port ${options.port}` : '';

  switch (options.provider) {
    case 'url':
      if (!options.databaseUrl) throw new UsageError('--provider url needs --database-url postgres://user:password@host:port/db or DATABASE_URL.');
      return connectUrl({ databaseUrl: options.databaseUrl, ...(options.databaseUrlFrom ? { databaseUrlFrom: options.databaseUrlFrom } : {}), reason: `--provider url: the server at ${redactUrl(options.databaseUrl)}.` });
    case 'container':
      return startContainer({ ...containerOptions(options), reason: `--provider container: ${options.image}${portNote} via testcontainers.` });
    case 'embedded':
      return startEmbedded({ ...embeddedOptions(options), reason: `--provider embedded: the npm-shipped Postgres ${options.pgMajor ?? EMBEDDED_MAJOR} binaries, data in ${options.cacheDir}.` });
    case 'auto': {
      if (options.databaseUrl) {
        return connectUrl({
          databaseUrl: options.databaseUrl,
          ...(options.databaseUrlFrom ? { databaseUrlFrom: options.databaseUrlFrom } : {}),
          reason: `a database URL was given (${options.databaseUrlFrom ?? '--database-url or DATABASE_URL'}), so execbench uses that server (${redactUrl(options.databaseUrl)}).`,
        });
      }
      const probe = await detectContainerRuntime(DOCKER_PROBE_MS);
      let why: string;
      if (probe.available) {
        // The container only where it can start: an air-gapped or rate-limited engine falls back, saying why.
        const image = await ensureImage(probe.client, options.image, AUTO_PULL_MS, options.log);
        if (image.available) {
          try {
            return await startContainer({
              ...containerOptions(options),
              reason: `no database URL was given and ${probe.description} answered, so execbench started ${options.image} in a container.`,
            }, probe);
          } catch (error) {
            if (!(error instanceof DatabaseError)) throw error;
            // startContainer removed what it created; auto still has a server to offer.
            why = `Docker answered but the ${options.image} container could not start (${error.message.replace(/\.$/, '')})`;
          }
        } else {
          // The run's one provider line carries this reason: no second line for the same fact.
          why = `Docker answered but ${options.image} is not present and cannot be pulled (${image.why})`;
        }
      } else {
        why = probe.why;
      }
      return startEmbedded({
        ...embeddedOptions(options),
        reason: `no database URL was given and ${why}, so execbench started its embedded Postgres ${options.pgMajor ?? EMBEDDED_MAJOR} (data in ${options.cacheDir}).`,
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
  return { cacheDir: options.cacheDir, fresh: options.fresh, port: options.port, log: options.log, major: options.pgMajor ?? EMBEDDED_MAJOR };
}
