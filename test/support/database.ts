// Real Postgres for integration tests: one embedded server per test process (data in <cacheDir>/test-pg,
// initialised once and reused), or the server EXECBENCH_TEST_DATABASE_URL names. Every test file gets
// its own uniquely named database from createTestDatabase().
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after } from 'node:test';
import pg from 'pg';
import { resolveProviderOptions } from '../../src/config.ts';
import { DataDirInUseError, startEmbedded } from '../../src/db/embedded.ts';
import { isAlive } from '../../src/db/processes.ts';
import type { Database } from '../../src/db/provider.ts';

/** The server integration tests run against. */
export interface TestServer {
  /** Connection string to the server's `postgres` database (can CREATE DATABASE). */
  adminUrl: string;
  /** 'embedded' (started by this process) or 'url' (EXECBENCH_TEST_DATABASE_URL). */
  kind: 'embedded' | 'url';
  /** The embedded server's data directory; undefined for url. */
  dataDir?: string;
  serverVersion: string;
}

/** A database created for one test file; drop() removes it (and stops the server after the last one). */
export interface TestDatabase {
  name: string;
  connectionString: string;
  drop(): Promise<void>;
}

// Parallel test processes (node --test without --test-concurrency=1) each need their own data
// directory: test-pg, test-pg-2, ... each initialised once and reused on later runs.
const MAX_SLOTS = 8;

let serverPromise: Promise<{ server: TestServer; db?: Database }> | undefined;
let openDatabases = 0;

/** Starts (once per process) or reaches the test server. */
export async function getTestServer(): Promise<TestServer> {
  serverPromise ??= startTestServer().catch((error: unknown) => {
    serverPromise = undefined;
    throw error;
  });
  return (await serverPromise).server;
}

async function startTestServer(): Promise<{ server: TestServer; db?: Database }> {
  const url = process.env.EXECBENCH_TEST_DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    await client.end();
    return { server: { adminUrl: url, kind: 'url', serverVersion: rows[0]!.v } };
  }
  const { cacheDir } = resolveProviderOptions({}, process.env, () => {});
  const quiet = process.env.EXECBENCH_DEBUG ? (line: string) => process.stderr.write(`${line}\n`) : () => {};
  for (let slot = 1; slot <= MAX_SLOTS; slot++) {
    const dataDir = path.join(cacheDir, slot === 1 ? 'test-pg' : `test-pg-${slot}`);
    try {
      // unref: a test file that forgets to drop its database must still let the process end;
      // the exit hook and watchdog in embedded.ts then stop the server.
      const db = await startEmbedded({ cacheDir, dataDir, database: 'postgres', log: quiet, unref: true });
      await dropLeftoverDatabases(db.connectionString);
      return { server: { adminUrl: db.connectionString, kind: 'embedded', dataDir, serverVersion: db.serverVersion }, db };
    } catch (error) {
      if (error instanceof DataDirInUseError && slot < MAX_SLOTS) continue;
      throw error;
    }
  }
  throw new Error('unreachable');
}

/** Stops the embedded test server if this process started one. Idempotent. */
export async function stopTestServer(): Promise<void> {
  const pending = serverPromise;
  serverPromise = undefined;
  const started = await pending?.catch(() => undefined);
  await started?.db?.stop();
}

/** Registers an `after` hook that stops the test server: call it at the top level of a test file. */
export function stopTestServerAfterAll(): void {
  after(stopTestServer);
}

/** Creates a uniquely named database on the test server: `<prefix>_<pid>_<random>`. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const server = await getTestServer();
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30) || 'test';
  const name = `${safe}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(server.adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  openDatabases += 1;
  const target = new URL(server.adminUrl);
  target.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    connectionString: target.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      // FORCE: a test that failed half-way may leave a connection open.
      await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      openDatabases -= 1;
      if (openDatabases === 0) await stopTestServer();
    },
  };
}

/** Databases left by test processes that died before drop() (the pid in their name is gone). */
async function dropLeftoverDatabases(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '_[0-9]+_[0-9a-f]{6}$'`);
    for (const { datname } of rows) {
      const pid = Number(/_([0-9]+)_[0-9a-f]{6}$/.exec(datname)?.[1]);
      if (pid !== process.pid && !isAlive(pid)) {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    }
  } finally {
    await client.end();
  }
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
