// The container provider: the official postgres image through testcontainers, with the same server
// settings as the embedded one and optional CPU/memory limits to mimic the spec's 4 CPU / 8 GB box.
// Where Docker works but the network does not (no registry, a rate limit), it says which image could
// not be had and why, runs without testcontainers' reaper when that image is missing, and removes its
// own container on success, error, Ctrl-C and SIGTERM either way.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ContainerRuntimeClient } from 'testcontainers';
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
  /** How long a pull of a missing image may take before it counts as impossible. */
  pullTimeoutMs?: number;
}

/** What a Docker-engine probe found. */
export type ContainerRuntimeProbe =
  | { available: true; description: string; client: ContainerRuntimeClient }
  | { available: false; why: string };

/** Whether an image can be used: present, pulled just now, or not to be had (why: the registry's answer). */
export type ImageAvailability = { available: true; how: 'present' | 'pulled' } | { available: false; why: string };

/** The label every container execbench starts carries: its start attempt's id, to find and remove it. */
export const EXECBENCH_LABEL = 'org.execbench.start';

/**
 * Default bound on pulling an image: the official postgres:17-alpine takes 10-30 s on a GitHub runner; a
 * registry that does not answer at all must not hold the run for minutes (EXECBENCH_PULL_TIMEOUT_MS).
 */
export const PULL_TIMEOUT_MS = 120_000;

/**
 * This process runs inside a container (`/.dockerenv`) whose network namespace also holds the engine's
 * bridge (docker0): testcontainers would then reach mapped ports through the bridge gateway (and, when
 * the bridge names none, start an alpine helper container to find it, which needs a registry). Published
 * ports listen on this namespace's loopback too, so keep the traffic there. A container that merely has
 * the host's socket mounted has no docker0 of its own and keeps testcontainers' default (the gateway).
 */
export function keepTrafficOnLoopback(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.TESTCONTAINERS_HOST_OVERRIDE !== undefined || env.TESTCONTAINERS_HOST !== undefined) return false;
  if (env.DOCKER_HOST && !env.DOCKER_HOST.startsWith('unix:')) return false;
  if (!existsSync('/.dockerenv') || !existsSync('/sys/class/net/docker0')) return false;
  env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
  return true;
}

/**
 * Asks testcontainers for a container runtime (DOCKER_HOST, ~/.testcontainers.properties, the Docker
 * socket, rootless sockets), giving up after timeoutMs: an absent engine is answered fast, but a
 * DOCKER_HOST pointing at an unreachable machine must not hang the run.
 */
export async function detectContainerRuntime(timeoutMs = 3000): Promise<ContainerRuntimeProbe> {
  keepTrafficOnLoopback();
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await withTimeout(getContainerRuntimeClient(), timeoutMs, `no answer within ${timeoutMs / 1000} s`);
    const info = client.info.containerRuntime;
    return { available: true, client, description: `the Docker engine at ${info.host} (${info.operatingSystem}, ${info.cpus} CPU, server ${info.serverVersion})` };
  } catch (error) {
    const message = firstLine(error);
    const why = /Could not find a working container runtime strategy/.test(message)
      ? (process.env.DOCKER_HOST
        ? `no Docker engine answered at DOCKER_HOST=${process.env.DOCKER_HOST}`
        : 'no Docker engine answered (no DOCKER_HOST, no Docker socket)')
      : `no Docker engine answered (${message})`;
    return { available: false, why };
  }
}

/**
 * Is the image on the engine, or can it be pulled within timeoutMs? testcontainers' own pull resolves even
 * when the registry streams an error, so success means: the image is there afterwards.
 */
export async function ensureImage(client: ContainerRuntimeClient, image: string, timeoutMs = pullTimeoutMs(), log: (line: string) => void = () => {}): Promise<ImageAvailability> {
  const { ImageName } = await import('testcontainers');
  const name = ImageName.fromString(image);
  try {
    if (await client.image.exists(name)) return { available: true, how: 'present' };
  } catch (error) {
    return { available: false, why: `the engine could not inspect it: ${firstLine(error)}` };
  }
  // Said only when the pull takes a while: a registry that is unreachable answers at once, and then the
  // caller's one line (the fallback reason, or the error) says everything.
  const slow = setTimeout(() => log(`container: ${image} is not on the engine; pulling it (at most ${Math.round(timeoutMs / 1000)} s)...`), 2000);
  slow.unref();
  try {
    await withTimeout(client.image.pull(name), timeoutMs, `the pull did not finish within ${Math.round(timeoutMs / 1000)} s`);
  } catch (error) {
    return { available: false, why: registryError(error) };
  } finally {
    clearTimeout(slow);
  }
  if (await client.image.exists(name).catch(() => false)) return { available: true, how: 'pulled' };
  return { available: false, why: 'the registry ended the pull without the image (unknown tag or no access)' };
}

/**
 * testcontainers' reaper (ryuk) removes containers of a process that died; where its image cannot be had,
 * every start would fail naming the reaper. Then execbench runs without it (its own stop covers success,
 * errors, Ctrl-C and SIGTERM) and says so in one line.
 */
async function ensureReaper(client: ContainerRuntimeClient, log: (line: string) => void): Promise<void> {
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === 'true') return;
  const { REAPER_IMAGE } = await import('testcontainers/build/reaper/reaper.js');
  const running = await client.container.list().catch(() => []);
  if (running.some((c) => c.Labels?.['org.testcontainers.ryuk'] === 'true')) return;
  const reaper = await ensureImage(client, REAPER_IMAGE, Math.min(pullTimeoutMs(), 30_000));
  if (reaper.available) return;
  log(`container: testcontainers' reaper image ${REAPER_IMAGE} is not present and cannot be pulled (${reaper.why}); running without it: execbench removes its container itself on success, error, Ctrl-C and SIGTERM.`);
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
}

/** Starts a Postgres container (database `execbench`); stop() removes it and its volumes. */
export async function startContainer(options: ContainerOptions, probed?: ContainerRuntimeProbe & { available: true }): Promise<Database> {
  const log = options.log ?? (() => {});
  const probe = probed ?? await detectContainerRuntime(options.detectTimeoutMs ?? 3000);
  if (!probe.available) {
    throw new DatabaseError(`--provider container needs a Docker engine, but ${probe.why}. Start Docker, or use --provider embedded (no Docker needed).`);
  }
  const { client } = probe;
  const image = await ensureImage(client, options.image, options.pullTimeoutMs ?? pullTimeoutMs(), log);
  if (!image.available) {
    throw new DatabaseError(`The Postgres image ${options.image} is not present on ${probe.description} and cannot be pulled: ${image.why}. ` +
      `Pull or build it, name a present one with --image, or use --provider embedded.`);
  }
  await ensureReaper(client, log);

  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const settings = serverSettingsFor(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {});
  const startId = randomUUID();
  let container = new PostgreSqlContainer(options.image)
    .withDatabase('execbench')
    .withUsername('postgres')
    .withPassword('execbench')
    .withLabels({ [EXECBENCH_LABEL]: startId })
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

  log(`container: starting ${options.image}${image.how === 'pulled' ? ' (pulled just now)' : ''}${options.cpus ? `, ${options.cpus} CPU` : ''}${options.memoryMb ? `, ${options.memoryMb} MB` : ''} on ${probe.description}...`);
  let started: Awaited<ReturnType<typeof container.start>>;
  try {
    started = await container.start();
  } catch (error) {
    // A start that failed after the container was created (postgres exited, the wait timed out) leaves
    // it behind: testcontainers does not remove it, and without a reaper nothing else would.
    const serverLog = await removeStarted(client, startId);
    const message = firstLine(error);
    if (/port is already allocated|address already in use/i.test(message)) {
      throw new DatabaseError(`Port ${options.port} is already in use. Pick another with --port, or omit --port to use a free one.`, { cause: error });
    }
    const fatal = serverLog.filter((l) => /FATAL|PANIC|ERROR/.test(l)).at(-1);
    throw new DatabaseError(`Could not start the Postgres container ${options.image}: ${message}${fatal ? ` (server log: ${fatal})` : ''}`, { cause: error });
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= started.stop({ remove: true, removeVolumes: true }).then(() => undefined, async (error: unknown) => {
      // Stop failed (the engine hiccuped): remove it by label, so no container is left behind.
      await removeStarted(client, startId);
      log(`container: stopping ${options.image} failed (${firstLine(error)}); removed it by force.`);
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
      containerId: started.getId(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Removes (with its volumes) the container one start attempt created; returns the tail of its log. */
async function removeStarted(client: ContainerRuntimeClient, startId: string): Promise<string[]> {
  try {
    const found = await client.container.fetchByLabel(EXECBENCH_LABEL, startId, {
      status: ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'],
    });
    if (!found) return [];
    const raw = await found.logs({ stdout: true, stderr: true, follow: false, tail: 30 }).catch(() => Buffer.alloc(0));
    await found.remove({ force: true, v: true });
    // Non-TTY logs are multiplexed: an 8-byte frame header precedes each chunk.
    return Buffer.from(raw as Buffer).toString('utf8').split('\n').map((l) => l.replace(/[\x00-\x08]/g, '').trim()).filter(Boolean);
  } catch {
    return [];
  }
}

function pullTimeoutMs(): number {
  const raw = Number(process.env.EXECBENCH_PULL_TIMEOUT_MS);
  return Number.isFinite(raw) && raw > 0 ? raw : PULL_TIMEOUT_MS;
}

/** The registry's answer in one line, without Docker's request URL noise. */
function registryError(error: unknown): string {
  return firstLine(error).replace(/^\(HTTP code (\d+)\) [a-z ]+ - /i, 'HTTP $1: ').trim();
}

function firstLine(error: unknown): string {
  return (String((error as Error)?.message ?? error).split('\n')[0] ?? '').trim();
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
