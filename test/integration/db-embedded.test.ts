// The embedded provider on real Postgres binaries: settings, reuse, --fresh, leftovers of killed runs,
// occupied ports, and that nothing it starts outlives it. Each test uses its own temporary cache folder.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DataDirInUseError, embeddedDataDir, startEmbedded } from '../../src/db/embedded.ts';
import { commandLine, waitForExit } from '../../src/db/processes.ts';
import { DatabaseError } from '../../src/errors.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
const cacheDirs: string[] = [];
function tempCache(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execbench-db-test-'));
  cacheDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
});

/** Pids of processes whose command line mentions the data directory (the postmaster; ignores the dev server). */
function postgresOn(dataDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dataDir} `]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** The postmaster and its children (checkpointer, walwriter, ...). */
function processTree(pid: number): number[] {
  try {
    return [pid, ...execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number)];
  } catch {
    return [pid];
  }
}

function postmasterPid(dataDir: string): number {
  return Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
}

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('starts with the spec-box settings, creates database execbench, and stop leaves no postgres process', async () => {
  const cacheDir = tempCache();
  const dataDir = embeddedDataDir(cacheDir);
  const db = await startEmbedded({ cacheDir });
  const tree = processTree(postmasterPid(dataDir));
  assert.ok(tree.length > 1, 'postmaster and its auxiliary processes are running');
  assert.deepEqual(postgresOn(dataDir), [tree[0]]);
  const [row] = await query<{ db: string; sb: string; wal: string; tz: string; rpc: string }>(db.connectionString,
    `SELECT current_database() AS db, current_setting('shared_buffers') AS sb, current_setting('wal_level') AS wal,
            current_setting('TimeZone') AS tz, current_setting('random_page_cost') AS rpc`);
  assert.deepEqual(row, { db: 'execbench', sb: '2GB', wal: 'minimal', tz: 'UTC', rpc: '1.1' });
  assert.equal(db.kind, 'embedded');
  assert.match(db.serverVersion, /^17\./);
  assert.ok(db.serverVersionNum >= 170000 && db.serverVersionNum < 180000);
  assert.equal(db.appliedSettings.shared_buffers, '2GB');

  await db.stop();
  await db.stop(); // idempotent
  assert.deepEqual(postgresOn(dataDir), []);
  for (const pid of tree) assert.equal(commandLine(pid), undefined, `process ${pid} of the server is gone`);
  assert.equal(existsSync(path.join(dataDir, 'postmaster.pid')), false);
  assert.equal(existsSync(`${dataDir}.owner`), false, 'the claim on the data directory is released');
});

test('a second start reuses the data directory; --fresh wipes it', async () => {
  const cacheDir = tempCache();
  const logs: string[] = [];
  const first = await startEmbedded({ cacheDir, log: (l) => logs.push(l) });
  await query(first.connectionString, 'CREATE TABLE survives_restart (id int); INSERT INTO survives_restart VALUES (42)');
  await first.stop();
  assert.ok(logs.some((l) => /initialising/.test(l)));

  logs.length = 0;
  const second = await startEmbedded({ cacheDir, log: (l) => logs.push(l) });
  try {
    assert.deepEqual(await query(second.connectionString, 'SELECT id FROM survives_restart'), [{ id: 42 }]);
    assert.ok(!logs.some((l) => /initialising/.test(l)), `no initdb on reuse, got: ${logs.join(' | ')}`);
  } finally {
    await second.stop();
  }

  const third = await startEmbedded({ cacheDir, fresh: true });
  try {
    const rows = await query<{ t: string | null }>(third.connectionString, `SELECT to_regclass('survives_restart')::text AS t`);
    assert.deepEqual(rows, [{ t: null }]);
  } finally {
    await third.stop();
  }
});

test('a stale postmaster.pid from a killed server does not block the next start', async () => {
  const cacheDir = tempCache();
  const dataDir = embeddedDataDir(cacheDir);
  const first = await startEmbedded({ cacheDir });
  const tree = processTree(postmasterPid(dataDir));
  process.kill(tree[0]!, 'SIGKILL');
  for (const pid of tree) assert.ok(await waitForExit(pid, 20_000), `process ${pid} died after its postmaster was killed`);
  await first.stop(); // must not hang on a server that is already dead
  assert.ok(existsSync(path.join(dataDir, 'postmaster.pid')), 'the killed server left its postmaster.pid behind');

  const logs: string[] = [];
  const second = await startEmbedded({ cacheDir, log: (l) => logs.push(l) });
  try {
    assert.ok(logs.some((l) => /stale postmaster\.pid/.test(l)), logs.join(' | '));
    assert.deepEqual(await query(second.connectionString, 'SELECT 1 AS ok'), [{ ok: 1 }]);
  } finally {
    await second.stop();
  }
});

test('an occupied explicit port gives one clear line naming it', async (t) => {
  const cacheDir = tempCache();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen({ port: 0, host: '127.0.0.1' }, resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as net.AddressInfo).port;
  await assert.rejects(startEmbedded({ cacheDir, port }), (e: unknown) =>
    e instanceof DatabaseError &&
    e.message === `Port ${port} is already in use on 127.0.0.1. Pick another with --port, or omit --port to use a free one.`);
  // The failed start released its claim: the next start in the same folder works.
  const db = await startEmbedded({ cacheDir });
  await db.stop();
});

test('a data directory held by a live process is refused with one line', async () => {
  const cacheDir = tempCache();
  const first = await startEmbedded({ cacheDir });
  try {
    await assert.rejects(startEmbedded({ cacheDir }), (e: unknown) =>
      e instanceof DataDirInUseError && /is in use by process \d+ \(this one\)/.test(e.message) && !e.message.includes('\n'));
  } finally {
    await first.stop();
  }
});

/** Runs a child Node process that starts a server through withDatabase and waits; resolves once it is up. */
function startChild(cacheDir: string, mode: 'wait' | 'db-command') {
  const script = mode === 'wait'
    ? `import { withDatabase } from './src/db/with-database.ts';
       import { resolveProviderOptions } from './src/config.ts';
       await withDatabase(resolveProviderOptions({ provider: 'embedded', cacheDir: ${JSON.stringify(cacheDir)} }, {}, () => {}), async (db) => {
         console.log('UP ' + db.connectionString);
         await new Promise(() => {});
       });`
    : `import { runDbCommand } from './src/commands/db.ts';
       import { resolveProviderOptions } from './src/config.ts';
       process.exitCode = await runDbCommand(resolveProviderOptions({ provider: 'embedded', cacheDir: ${JSON.stringify(cacheDir)} }, {}, () => {}));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const up = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /(postgres:\/\/\S+)/.exec(stdout);
      if (m && (mode === 'wait' ? stdout.includes('UP ') : stdout.includes('Ctrl-C'))) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`child exited ${code} before the server was up: ${stderr}`)));
  });
  return { child, up, exited, output: () => ({ stdout, stderr }) };
}

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal} during withDatabase stops the server, then exits ${code}`, async () => {
    const cacheDir = tempCache();
    const dataDir = embeddedDataDir(cacheDir);
    const run = startChild(cacheDir, 'wait');
    const url = await run.up;
    assert.deepEqual(await query(url, 'SELECT 1 AS ok'), [{ ok: 1 }]);
    const tree = processTree(postgresOn(dataDir)[0]!);
    run.child.kill(signal);
    assert.equal(await run.exited, code, run.output().stderr);
    for (const pid of tree) assert.equal(commandLine(pid), undefined, `server process ${pid} is gone when the child has exited`);
    assert.deepEqual(postgresOn(dataDir), []);
  });
}

test('a run killed with SIGKILL leaves no postgres behind (its watchdog stops the server)', async () => {
  const cacheDir = tempCache();
  const dataDir = embeddedDataDir(cacheDir);
  const run = startChild(cacheDir, 'wait');
  await run.up;
  const pid = postgresOn(dataDir)[0]!;
  run.child.kill('SIGKILL');
  await run.exited;
  // The watchdog polls once a second; a fast shutdown then takes well under a second.
  assert.ok(await waitForExit(pid, 30_000), 'the orphaned postmaster was stopped');
  assert.deepEqual(postgresOn(dataDir), []);
  // ...and the next run takes the folder over from the dead owner.
  const db = await startEmbedded({ cacheDir });
  await db.stop();
});

test('execbench db prints the URL and a psql line, serves queries, and stops cleanly on Ctrl-C with exit 0', async () => {
  const cacheDir = tempCache();
  const dataDir = embeddedDataDir(cacheDir);
  const run = startChild(cacheDir, 'db-command');
  const url = await run.up;
  assert.match(url, /^postgres:\/\/postgres:execbench@127\.0\.0\.1:\d+\/execbench$/);
  assert.ok(run.output().stdout.includes(`psql "${url}"`));
  assert.deepEqual(await query(url, 'SELECT current_database() AS db'), [{ db: 'execbench' }]);
  // Its own server: the extensions a run would create are there for runs against the URL (CI's base and head).
  assert.deepEqual(await query(url, `SELECT extname FROM pg_extension WHERE extname IN ('pg_stat_statements', 'pgstattuple') ORDER BY 1`),
    [{ extname: 'pg_stat_statements' }, { extname: 'pgstattuple' }]);
  run.child.kill('SIGINT');
  assert.equal(await run.exited, 0, run.output().stderr);
  assert.deepEqual(postgresOn(dataDir), []);
  await sleep(0);
});
