// The url provider against a real server (the test server): it connects, and every way of failing
// to connect ends in one line that names what was wrong and the fix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { freePort } from '../../src/db/embedded.ts';
import { connectUrl } from '../../src/db/url.ts';
import { DatabaseError, UsageError } from '../../src/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let testDb: TestDatabase;
before(async () => {
  testDb = await createTestDatabase('db_url');
});
after(async () => {
  await testDb?.drop();
});

function withPart(url: string, change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

function oneLine(e: unknown, pattern: RegExp, kind: Function = DatabaseError): boolean {
  return e instanceof kind && !(e as Error).message.includes('\n') && pattern.test((e as Error).message);
}

test('a reachable URL gives a url Database with the server version and a no-op stop', async () => {
  const db = await connectUrl({ databaseUrl: testDb.connectionString });
  assert.equal(db.kind, 'url');
  assert.equal(db.connectionString, testDb.connectionString);
  assert.match(db.serverVersion, /^\d+\.\d+/);
  assert.ok(db.serverVersionNum >= 100000);
  assert.deepEqual(db.appliedSettings, {});
  await db.stop();
  // Still reachable: stop() never touches a server execbench did not start.
  const client = new pg.Client({ connectionString: testDb.connectionString });
  await client.connect();
  await client.end();
});

test('connecting creates nothing in the user database', async () => {
  const count = async () => {
    const client = new pg.Client({ connectionString: testDb.connectionString });
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`);
    const schemas = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema' ORDER BY 1`);
    await client.end();
    return { relations: rows[0]!.n, schemas: schemas.rows };
  };
  const beforeConnect = await count();
  await connectUrl({ databaseUrl: testDb.connectionString });
  assert.deepEqual(await count(), beforeConnect);
});

test('a refused port -> "Cannot reach Postgres at 127.0.0.1:<port> (ECONNREFUSED)" with the fix', async () => {
  const port = await freePort();
  await assert.rejects(connectUrl({ databaseUrl: `postgres://postgres:x@127.0.0.1:${port}/app` }), (e: unknown) =>
    oneLine(e, new RegExp(`^Cannot reach Postgres at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. Start it, or omit --database-url to use the embedded server\\.$`)));
});

test('a wrong password -> one line naming 28P01 and the user', async () => {
  const url = withPart(testDb.connectionString, (u) => { u.password = 'definitely-wrong'; });
  await assert.rejects(connectUrl({ databaseUrl: url }), (e: unknown) =>
    oneLine(e, /rejected the login \(28P01 wrong password: .*\)\. Fix the password for user '\w+' in the database URL\.$/));
});

test('a missing database -> one line naming it (3D000) and how to create it', async () => {
  const url = withPart(testDb.connectionString, (u) => { u.pathname = '/execbench_no_such_db'; });
  await assert.rejects(connectUrl({ databaseUrl: url }), (e: unknown) =>
    oneLine(e, /has no database 'execbench_no_such_db' \(3D000\)\. Create it \(createdb execbench_no_such_db\)/));
});

test('an unresolvable host -> one line naming the host', async () => {
  await assert.rejects(connectUrl({ databaseUrl: 'postgres://u:p@no-such-host.invalid:5432/db', connectTimeoutMs: 5000 }), (e: unknown) =>
    oneLine(e, /^Cannot resolve host 'no-such-host\.invalid' \((ENOTFOUND|EAI_AGAIN)\)/));
});

test('a malformed URL is a usage error naming it, with the password masked', async () => {
  await assert.rejects(connectUrl({ databaseUrl: 'localhost:5432/app' }), (e: unknown) =>
    oneLine(e, /^Invalid database URL 'localhost:5432\/app': it must start with postgres:\/\//, UsageError));
  await assert.rejects(connectUrl({ databaseUrl: 'postgres://me:secret@host:99999/db' }), (e: unknown) =>
    oneLine(e, /^Invalid database URL/, UsageError) && !(e as Error).message.includes('secret'));
  await assert.rejects(connectUrl({ databaseUrl: 'not a url at all' }), (e: unknown) =>
    oneLine(e, /^Invalid database URL 'not a url at all': expected postgres:\/\/user:password@host:port\/database\.$/, UsageError));
});
