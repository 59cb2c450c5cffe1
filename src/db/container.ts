// The container provider: the official postgres image through testcontainers, with the same server
// settings as the embedded one and optional CPU/memory limits to mimic the spec's 4 CPU / 8 GB box.
import { DatabaseError } from '../errors.ts';
import type { Database } from './provider.ts';
import { serverSettingsFor, settingsAsFlags } from './settings.ts';
import { readServerVersion } from './url.ts';

/** Options for startContainer. */
export interface ContainerOptions {
  /** Image, e.g. postgres:17-alpine. */
  image: string;
  /** 0 or undefined: Docker picks a free host port. */
  port?: number;
  cpus?: number;
  memoryMb?: number;
  log?: (line: string) => void;
  /** One sentence: why this provider was chosen (set by select.ts). */
  reason?: string;
  /** How long to wait for a Docker engine to answer before giving up. */
  detectTimeoutMs?: number;
}

/** What a Docker-engine probe found. */
export type ContainerRuntimeProbe = { available: true; description: string } | { available: false; why: string };

/**
 * Asks testcontainers for a container runtime (DOCKER_HOST, ~/.testcontainers.properties, the Docker
 * socket, rootless sockets), giving up after timeoutMs: an absent engine is answered fast, but a
 * DOCKER_HOST pointing at an unreachable machine must not hang the run.
 */
export async function detectContainerRuntime(timeoutMs = 3000): Promise<ContainerRuntimeProbe> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
        timer.unref();
      }),
    ]);
    const info = client.info.containerRuntime;
    return { available: true, description: `the Docker engine at ${info.host} (${info.operatingSystem}, ${info.cpus} CPU, server ${info.serverVersion})` };
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    const why = /Could not find a working container runtime strategy/.test(message)
      ? (process.env.DOCKER_HOST
        ? `no Docker engine answered at DOCKER_HOST=${process.env.DOCKER_HOST}`
        : 'no Docker engine answered (no DOCKER_HOST, no Docker socket)')
      : `no Docker engine answered (${message.split('\n')[0]})`;
    return { available: false, why };
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a Postgres container (database `execbench`); stop() removes it. */
export async function startContainer(options: ContainerOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  const probe = await detectContainerRuntime(options.detectTimeoutMs ?? 3000);
  if (!probe.available) {
    throw new DatabaseError(`--provider container needs a Docker engine, but ${probe.why}. Start Docker, or use --provider embedded (no Docker needed).`);
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const settings = serverSettingsFor(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {});
  let container = new PostgreSqlContainer(options.image)
    .withDatabase('execbench')
    .withUsername('postgres')
    .withPassword('execbench')
    // Same initdb choices as the embedded server: UTF8 and C collation on every machine.
    .withEnvironment({ POSTGRES_INITDB_ARGS: '--encoding=UTF8 --locale=C' })
    .withCommand(['postgres', ...settingsAsFlags(settings)])
    // Docker's default 64 MB /dev/shm is too small for parallel query with the spec box's work_mem.
    .withSharedMemorySize(1024 ** 3);
  if (options.cpus !== undefined || options.memoryMb !== undefined) {
    // testcontainers takes memory in GB (it multiplies by 1024^3) and CPUs as a fraction of cores.
    container = container.withResourcesQuota({
      ...(options.cpus !== undefined ? { cpu: options.cpus } : {}),
      ...(options.memoryMb !== undefined ? { memory: options.memoryMb / 1024 } : {}),
    });
  }
  if (options.port && options.port > 0) container = container.withExposedPorts({ container: 5432, host: options.port });

  log(`container: starting ${options.image}${options.cpus ? `, ${options.cpus} CPU` : ''}${options.memoryMb ? `, ${options.memoryMb} MB` : ''} on ${probe.description}...`);
  let started: Awaited<ReturnType<typeof container.start>>;
  try {
    started = await container.start();
  } catch (error) {
    const message = String((error as Error)?.message ?? error).split('\n')[0] ?? '';
    if (/port is already allocated|address already in use/i.test(message)) {
      throw new DatabaseError(`Port ${options.port} is already in use. Pick another with --port, or omit --port to use a free one.`, { cause: error });
    }
    throw new DatabaseError(`Could not start the Postgres container ${options.image}: ${message}`, { cause: error });
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= started.stop({ remove: true, removeVolumes: true }).then(() => undefined, (error: unknown) => {
      log(`container: stopping ${options.image} failed: ${String((error as Error)?.message ?? error)} (the testcontainers reaper removes it).`);
    });
    return stopped;
  };
  try {
    const connectionString = started.getConnectionUri();
    const version = await readServerVersion(connectionString, { hint: 'use --provider embedded' });
    return {
      kind: 'container',
      reason: options.reason ?? `--provider container: ${options.image} on ${probe.description}.`,
      connectionString,
      serverVersion: version.serverVersion,
      serverVersionNum: version.serverVersionNum,
      appliedSettings: settings,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
