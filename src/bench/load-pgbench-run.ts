// The pgbench reference's I/O: one pgbench run on the load copy (libpq's environment, its log files, the CPU it and
// the machine used), with bench:load's pool as its -c.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { SESSION_SETTINGS } from '../runner/session.ts';
import { DEFAULT_SEED } from './common.ts';
import { parsePgbenchLog, parsePgbenchSummary, type PgbenchSummary, type PgbenchTransaction } from './load-pgbench-judge.ts';

const execFileAsync = promisify(execFile);

/** Connections: bench:load's pool, and pgbench's -c (one thread, -j 1: the clients share one schedule, as the pool does). */
export const POOL = 10;

/** Busy and total CPU ticks of the whole machine (Linux /proc/stat), as run-load.ts reads them; undefined elsewhere. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** libpq's environment for the server and the session: the copy's schema first on the search_path, execbench's settings. */
function pgbenchEnvironment(connectionString: string, schema: string): NodeJS.ProcessEnv {
  const url = new URL(connectionString);
  return {
    ...process.env,
    PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password), PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    PGOPTIONS: [`-c search_path=${schema}`, ...Object.entries(SESSION_SETTINGS).map(([k, v]) => `-c ${k}=${v}`)].join(' '),
    PGAPPNAME: 'execbench-pgbench',
  };
}

/** A pgbench run: its summary, its log (with --log) and the CPU it and the machine used. */
export interface PgbenchRun {
  summary: PgbenchSummary;
  transactions: PgbenchTransaction[];
  /** pgbench's CPU time / its wall time, from its parent shell's cutime+cstime (Linux); undefined elsewhere. */
  pgbenchCores?: number;
  machineBusyCores?: number;
  machineCores: number;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every mainstream architecture. */
const USER_HZ = 100;

export async function runPgbench(
  context: { connectionString: string; schema: string; dir: string; scriptFiles: string[] },
  run: { durationS: number; ratePerSecond?: number; tag: string },
): Promise<PgbenchRun> {
  const prefix = path.join(context.dir, `log-${run.tag}`);
  const statFile = path.join(context.dir, `stat-${run.tag}`);
  const args = [
    '-n', '-M', 'extended', '-c', String(POOL), '-j', '1', '-T', String(run.durationS), `--random-seed=${DEFAULT_SEED}`,
    ...(run.ratePerSecond !== undefined ? ['-R', run.ratePerSecond.toFixed(3), '--log', `--log-prefix=${prefix}`] : []),
    ...context.scriptFiles.flatMap((f) => ['-f', f]),
  ];
  // The shell waits for pgbench, so its own /proc stat then holds pgbench's CPU in cutime and cstime (fields 16, 17).
  const wrapper = 'pgbench "$@"; rc=$?; cat /proc/$$/stat > "$EXECBENCH_STAT_FILE" 2>/dev/null; exit $rc';
  const machine0 = machineCpu();
  const t0 = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('sh', ['-c', wrapper, 'sh', ...args], {
      env: { ...pgbenchEnvironment(context.connectionString, context.schema), EXECBENCH_STAT_FILE: statFile },
      timeout: (run.durationS + 120) * 1000, maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    throw new Error(`pgbench ${args.filter((a) => !a.startsWith('/')).slice(0, 12).join(' ')} … failed: ${(e.stderr || e.message || String(error)).trim().split('\n').slice(-3).join(' ')}`, { cause: error });
  }
  const wallS = (performance.now() - t0) / 1000;
  const machine1 = machineCpu();
  let pgbenchCores: number | undefined;
  try {
    const stat = await readFile(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    pgbenchCores = (Number(fields[13]) + Number(fields[14])) / USER_HZ / wallS;
    if (!Number.isFinite(pgbenchCores)) pgbenchCores = undefined;
  } catch {
    // not Linux: no figure
  }
  const transactions: PgbenchTransaction[] = [];
  if (run.ratePerSecond !== undefined) {
    for (const file of (await readdir(context.dir)).filter((f) => f.startsWith(`log-${run.tag}.`)).sort()) {
      transactions.push(...parsePgbenchLog(await readFile(path.join(context.dir, file), 'utf8')));
    }
  }
  return {
    summary: parsePgbenchSummary(stdout), transactions,
    ...(pgbenchCores !== undefined ? { pgbenchCores } : {}),
    ...(machine0 && machine1 && machine1.total > machine0.total ? { machineBusyCores: ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * os.cpus().length } : {}),
    machineCores: os.cpus().length,
  };
}
