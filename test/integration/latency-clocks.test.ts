// The two clocks on a real (embedded) Postgres: pg_stat_statements as the server clock where it is loaded (the
// test server starts with execbench's settings, which preload it), EXPLAIN TIMING OFF for bulk results and where
// the extension is absent, the client clock at the socket, and verdicts that name their clock and interval.
// Timings are not compared with limits that depend on the machine: limits here are far beyond or far below any.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { measureForm } from '../../src/runner/measure.ts';
import { createParamPicker, loadParamPools, type ParamPools } from '../../src/runner/params.ts';
import { connectToDataset } from '../../src/runner/session.ts';
import { ensureStatementsExtension, probeStatements } from '../../src/runner/server-clock.ts';
import { buildRequest, preparedName, timeQuery } from '../../src/runner/sampler.ts';
import { calibrateForm, CALIBRATION_ROUNDS } from '../../src/runner/calibrate.ts';
import { findPgbench } from '../../src/runner/pgbench.ts';
import { loadScenarios, type LoadedScenario } from '../../src/scenario/load.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import type { DatasetInfo } from '../../src/seed/types.ts';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let dataset: DatasetInfo;
let scenarios: LoadedScenario[];
let client: pg.Client;
let pools: ParamPools;
let schema: string;

before(async () => {
  db = await createTestDatabase('clocks');
  dataset = await ensureDataset(db, {
    scale: { label: '20000', focusRows: 20_000 }, seed: 7, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true },
  });
  scenarios = await loadScenarios();
  client = await connectToDataset(db.connectionString, dataset.schema);
  await ensureStatementsExtension(client);
  const probe = await probeStatements(client);
  assert.ok(probe.available, `pg_stat_statements should be readable in a server execbench started: ${'why' in probe ? probe.why : ''}`);
  schema = probe.schema;
  pools = await loadParamPools(client, dataset);
});

after(async () => {
  await client?.end();
  await db?.drop();
});
stopTestServerAfterAll();

function measure(id: string, limitMs: number, clock: 'server' | 'client', withStatements = true) {
  const scenario = scenarios.find((s) => s.id === id)!;
  return measureForm({
    client, scenarioId: id, scenario: scenario.definition, form: scenario.definition.corrected ? 'corrected' : 'documented',
    scale: '20000', gated: true, picker: (i) => createParamPicker(pools, i), budgetMs: 150, clock,
    threshold: { p95Ms: limitMs, clock, source: 'test' },
    ...(withStatements ? { statementsSchema: schema } : {}),
  });
}

describe('the server clock', () => {
  it('reads pg_stat_statements per timed execution: one server sample per client sample, below the round trip', async () => {
    const r = await measure('paginated-listing', 1000, 'server');
    assert.equal(r.latency?.serverMethod, 'pg_stat_statements');
    assert.ok(r.latency!.server.samples >= 0.9 * r.latency!.client.samples, `${r.latency!.server.samples} of ${r.latency!.client.samples}`);
    assert.ok(r.latency!.server.p50Ms < r.latency!.client.p50Ms, `server ${r.latency!.server.p50Ms} < client ${r.latency!.client.p50Ms}`);
    assert.ok(r.latency!.explainOverhead.statementsMs !== undefined);
    // A fast form: each timed execution followed an untimed spacer, which pg_stat_statements did not count (else
    // every delta would span two calls and no server sample would be taken).
    assert.deepEqual(r.latency?.spacers?.used, true);
  });

  it('without the right to switch pg_stat_statements tracking, samples without spacers and says why', async () => {
    const role = `execbench_plain_${process.pid}`;
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'plain'`);
    try {
      await client.query(`GRANT USAGE ON SCHEMA ${pg.escapeIdentifier(dataset.schema)} TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA ${pg.escapeIdentifier(dataset.schema)} TO ${role}`);
      const url = new URL(db.connectionString);
      url.username = role;
      url.password = 'plain';
      const plain = await connectToDataset(url.toString(), dataset.schema);
      try {
        const scenario = scenarios.find((s) => s.id === 'paginated-listing')!;
        const r = await measureForm({
          client: plain, scenarioId: scenario.id, scenario: scenario.definition, form: 'corrected', scale: '20000', gated: true,
          picker: (i) => createParamPicker(pools, i), budgetMs: 100, clock: 'server', threshold: { p95Ms: 1000, clock: 'server', source: 'test' },
          statementsSchema: schema,
        });
        assert.equal(r.latency?.serverMethod, 'pg_stat_statements');
        assert.equal(r.latency?.spacers?.used, false);
        assert.match(r.latency?.spacers?.why ?? '', /cannot be switched off.*superuser or SET privilege/);
        assert.ok(r.latency!.server.samples >= 0.9 * r.latency!.client.samples, `${r.latency!.server.samples} of ${r.latency!.client.samples}`);
      } finally {
        await plain.end();
      }
    } finally {
      await client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('falls back to EXPLAIN (ANALYZE, TIMING OFF) without the extension, and says so', async () => {
    const r = await measure('paginated-listing', 1000, 'server', false);
    assert.equal(r.latency?.serverMethod, 'explain-timing-off');
    assert.ok(r.latency!.server.samples >= 5);
  });

  it('times a bulk result (over 1,000 rows) with EXPLAIN, and records the server side of sending it', async () => {
    const r = await measure('sparkline-7d', 10_000, 'server');
    assert.ok(r.plan!.rowsReturned > 1000, `${r.plan!.rowsReturned} rows`);
    assert.equal(r.latency?.serverMethod, 'explain-timing-off');
    assert.ok(r.latency!.breakdown.sendMs !== undefined, 'sendMs recorded');
    assert.ok(r.latency!.breakdown.rows > 1000, 'the timed executions returned the bulk result too');
    assert.ok(r.latency!.breakdown.decodeMs > 0, 'decoding the rows into JS values is timed apart');
  });
});

describe('latency verdicts on a real server', () => {
  it('a limit far above the query passes, naming the clock, an interval under the limit and the samples', async () => {
    const r = await measure('recent-failures', 1000, 'server');
    const v = r.latencyVerdict!;
    assert.equal(v.status, 'passed', v.reason);
    assert.equal(v.clock, 'server');
    assert.ok(v.samples >= 99 && v.ciHighMs !== null && v.ciHighMs < 1000);
    assert.equal(r.threshold?.clock, 'server');
    assert.equal(r.outcome.status, 'passed');
  });

  it('a limit far below the query fails as a threshold violation that quotes the interval', async () => {
    const r = await measure('covering-percentiles', 0.0001, 'client');
    assert.equal(r.latencyVerdict?.status, 'failed');
    assert.equal(r.outcome.status, 'failed');
    const violation = r.outcome.status === 'failed' ? r.outcome.violations.find((x) => x.kind === 'threshold') : undefined;
    assert.match(violation?.message ?? '', /^client p95 \[[\d.]+, .+\] ms > 0\.000 ms/);
  });
});

describe('the client clock', () => {
  it('times at the socket: unnamed and prepared both return the rows undecoded, on a timed socket and on node-pg\'s own', async () => {
    // connectToDataset's client reads through the sampler's timed socket; a plain node-pg client (as a caller of
    // timeQuery might bring, or a TLS connection) is timed at its 'data' events instead.
    const plain = new pg.Client({ connectionString: db.connectionString });
    await plain.connect();
    try {
      await plain.query(`SET search_path TO ${pg.escapeIdentifier(dataset.schema)}`);
      for (const c of [client, plain]) {
        for (const protocol of ['unnamed', 'prepared', 'prepared'] as const) {
          const sample = await timeQuery(c, 'SELECT id, started_at FROM executions WHERE tenant_id = $1 LIMIT 3', [pools.tenantId], protocol);
          assert.ok(sample.clientMs > 0 && sample.clientMs < 10_000, `${protocol}: ${sample.clientMs}`);
          assert.equal(sample.result().rows.length, 3);
          assert.equal(typeof sample.result().rows[0]![1], 'string', 'a timestamp stays raw text inside the timed region');
        }
        // And node-pg's own queries still work on the same client afterwards, decoded as usual.
        assert.equal((await c.query('SELECT 41 + 1 AS n')).rows[0].n, 42);
      }
    } finally {
      await plain.end();
    }
  });

  it('passes notifications to node-pg, from inside a timed response and between samples', async () => {
    const listener = await connectToDataset(db.connectionString, dataset.schema);
    const other = await connectToDataset(db.connectionString, dataset.schema);
    try {
      const got: string[] = [];
      listener.on('notification', (n) => got.push(n.payload ?? ''));
      await listener.query('LISTEN execbench_test');
      // The session's own NOTIFY arrives inside the timed response, just before ReadyForQuery.
      await timeQuery(listener, `SELECT pg_notify('execbench_test', $1)`, ['inside'], 'unnamed');
      assert.deepEqual(got, ['inside']);
      // Another session's arrives on its own, between samples: the timed socket hands it to node-pg.
      await other.query(`NOTIFY execbench_test, 'between'`);
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got, ['inside', 'between']);
    } finally {
      await listener.end();
      await other.end();
    }
  });

  it('waits for the ReadyForQuery that ends a failed query, which node-pg settles before it arrives', async () => {
    const own = await connectToDataset(db.connectionString, dataset.schema);
    try {
      const internals = own as unknown as { readyForQuery: boolean; connection: { stream: { write(chunk: Buffer): boolean } } };
      // The state node-pg leaves between a query's ErrorResponse and its ReadyForQuery (they can arrive in two reads):
      // rejected, nothing active or queued, not yet ready. A real ReadyForQuery then comes from the server, for a Sync.
      await own.query('SELECT 1/0').catch(() => undefined);
      internals.readyForQuery = false;
      let settled = false;
      const timed = timeQuery(own, 'SELECT 41 + 1', [], 'unnamed').finally(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(settled, false, 'timeQuery waits instead of refusing the client as busy');
      internals.connection.stream.write(serialize.sync());
      assert.deepEqual((await timed).result().rows, [['42']]);
      assert.equal((await own.query('SELECT 1 AS n')).rows[0].n, 1, 'node-pg carries on as usual');
    } finally {
      await own.end();
    }
  });

  it('hands the whole request to the socket in one write, and leaves the socket as it found it', async () => {
    const stream = (client as unknown as { connection: { stream: { write: (chunk: Buffer) => boolean } } }).connection.stream;
    const original = stream.write;
    const writes: Buffer[] = [];
    // An own spy property on the socket: timeQuery writes through it and leaves it in place.
    const spy = function (this: unknown, chunk: Buffer) { writes.push(Buffer.from(chunk)); return original.call(this, chunk); };
    stream.write = spy;
    try {
      for (const protocol of ['unnamed', 'prepared', 'prepared'] as const) {
        writes.length = 0;
        await timeQuery(client, 'SELECT id FROM executions WHERE tenant_id = $1 LIMIT 2', [pools.tenantId], protocol);
        assert.equal(writes.length, 1, `${protocol}: ${writes.length} socket writes`);
        // Ends with Sync ('S', length 4): the whole extended-protocol request left in that one write.
        assert.equal(writes[0]!.subarray(-5).toString('hex'), '5300000004', protocol);
      }
      assert.equal(Object.getOwnPropertyDescriptor(stream, 'write')?.value, spy, 'the spy is back in place');
    } finally {
      delete (stream as { write?: unknown }).write;
    }
    // node-pg's own queries still work on the same client afterwards.
    assert.equal((await client.query('SELECT 41 + 1 AS n')).rows[0].n, 42);
  });

  it('sends the bytes node-pg sends for the same query, first as Parse + Bind and then, prepared, as Bind alone', async () => {
    const fresh = await connectToDataset(db.connectionString, dataset.schema);
    try {
      const stream = (fresh as unknown as { connection: { stream: { write: (chunk: Buffer, ...rest: unknown[]) => boolean } } }).connection.stream;
      const sql = 'SELECT $1::timestamptz AS a, $2::int[] AS b, $3::int AS c, $4::text AS d, $5::text AS e, $6::jsonb AS f';
      // node-pg's value mapping matters here: a Date, an array, a number, a string, null and an object.
      const values = [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), [1, 2, 3], 42, "it's", null, { k: ['v'] }];
      const nodePgBytes = async (config: pg.QueryConfig) => {
        const writes: Buffer[] = [];
        const original = stream.write;
        stream.write = function (this: unknown, chunk: Buffer, ...rest: unknown[]) { writes.push(Buffer.from(chunk)); return original.call(this, chunk, ...rest); };
        try { await fresh.query(config); } finally { delete (stream as { write?: unknown }).write; }
        return Buffer.concat(writes);
      };
      assert.deepEqual(buildRequest(sql, values, 'unnamed', false), await nodePgBytes({ text: sql, values }));
      const name = preparedName(sql);
      assert.deepEqual(buildRequest(sql, values, 'prepared', false), await nodePgBytes({ name, text: sql, values }));
      assert.deepEqual(buildRequest(sql, values, 'prepared', true), await nodePgBytes({ name, text: sql, values }));
      // Without parameters node-pg sends a simple Query; so does the sampler.
      assert.deepEqual(buildRequest('SELECT 1', [], 'unnamed', false), await nodePgBytes({ text: 'SELECT 1' }));
      // And the sampler's own statement is the one node-pg knows: node-pg then sends no second Parse.
      const timed = await timeQuery(fresh, sql, values, 'prepared');
      assert.deepEqual(timed.result().rows[0]!.slice(2), ['42', "it's", null, '{"k": ["v"]}']);
    } finally {
      await fresh.end();
    }
  });

  it('reads a response of many chunks whole, and a database error becomes the error node-pg throws', async () => {
    const big = await timeQuery(client, 'SELECT g, repeat($1, 20) FROM generate_series(1, 50000) g', ['x'], 'unnamed');
    assert.equal(big.rows, 50_000, 'the row count, from the message headers alone');
    assert.equal(big.result().rows.length, 50_000);
    assert.equal(big.result(), big.result(), 'parsed once, when first asked for');
    assert.deepEqual(big.result().rows[49_999], ['50000', 'x'.repeat(20)]);
    assert.equal(big.result().command, 'SELECT 50000');
    for (const protocol of ['unnamed', 'prepared'] as const) {
      await assert.rejects(timeQuery(client, 'SELECT 1 / $1::int AS q', [0], protocol), (e: unknown) => e instanceof pg.DatabaseError && e.code === '22012');
      // The prepared statement was parsed before its execution failed: using it again must not Parse it twice.
      assert.deepEqual((await timeQuery(client, 'SELECT 1 / $1::int AS q', [1], protocol)).result().rows, [['1']]);
    }
    await assert.rejects(timeQuery(client, 'SELEC nothing', [1], 'unnamed'), (e: unknown) => e instanceof pg.DatabaseError && e.code === '42601');
    assert.equal((await client.query('SELECT 2 AS two')).rows[0].two, 2);
  });

  it('hands notices to node-pg, and a query made during a timed one waits its turn', async () => {
    const notices: string[] = [];
    const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
    client.on('notice', onNotice);
    try {
      await timeQuery(client, `DO $$ BEGIN RAISE NOTICE 'hello from the sampler'; END $$`, [], 'unnamed');
      assert.deepEqual(notices, ['hello from the sampler']);
    } finally {
      client.off('notice', onNotice);
    }
    const timed = timeQuery(client, 'SELECT pg_sleep($1::float8 / 1000), 5', [30], 'unnamed');
    const meanwhile = client.query('SELECT 7 AS n');
    const [sample, other] = await Promise.all([timed, meanwhile]);
    assert.deepEqual(sample.result().rows[0]!.slice(1), ['5']);
    assert.ok(sample.clientMs >= 25, `the round trip includes the 30 ms sleep: ${sample.clientMs}`);
    assert.equal(other.rows[0].n, 7);
  });

  it('sends untimed statements around the timed one: those before one by one, the timed request alone, those after in one write', async () => {
    const stream = (client as unknown as { connection: { stream: { write: (chunk: Buffer) => boolean } } }).connection.stream;
    const original = stream.write;
    const writes: Buffer[] = [];
    stream.write = function (this: unknown, chunk: Buffer) { writes.push(Buffer.from(chunk)); return original.call(this, chunk); };
    const sql = 'SELECT count(*) FROM executions WHERE tenant_id = $1 AND $2::int > 0';
    let timedBytes: Buffer | undefined;
    let step;
    try {
      step = await timeQuery(client, sql, [pools.tenantId, 1], 'prepared', {
        before: [{ sql: `SET application_name = 'execbench-before'` }, { sql: 'SELECT pg_sleep(0.2)' }, { sql, values: [pools.tenantId, 2], protocol: 'prepared' }],
        after: [{ sql: `SELECT current_setting('application_name')` }, { sql: 'SELECT $1::int * 2, pg_sleep(0.2)', values: [21] }],
        onRequest: (bytes) => { timedBytes = Buffer.from(bytes); },
      });
    } finally {
      delete (stream as { write?: unknown }).write;
    }
    assert.equal(writes.length, 5, `a write per statement before, the timed one, one for those after: ${writes.length}`);
    assert.deepEqual(writes[3], timedBytes, 'the timed request went out alone');
    assert.ok(writes[4]!.includes(serialize.query(`SELECT current_setting('application_name')`)), 'those after in one write');
    // The untimed spacer parsed the statement; the timed request is its Bind alone ('B'), not a second Parse ('P').
    assert.ok(writes[2]!.includes(serialize.parse({ text: sql, name: preparedName(sql), types: [] })), 'the Parse went with the untimed one');
    assert.equal(String.fromCharCode(timedBytes![0]!), 'B');
    assert.equal(step.before.length, 3);
    assert.equal(step.before[0]!().command, 'SET');
    assert.equal(step.before[2]!().rows.length, 1);
    assert.equal(step.result().rows.length, 1);
    assert.deepEqual(step.after.map((r) => r().rows[0]!.slice(0, 1)), [['execbench-before'], ['42']]);
    // The clock covers the timed request alone: the 200 ms sleeps before and after it are not in it.
    assert.ok(step.clientMs > 0 && step.clientMs < 150, `${step.clientMs} ms`);
    await client.query('RESET application_name');
  });

  it('runs every statement sent even when one fails, throws the first error, and a rolled-back write leaves nothing', async () => {
    await client.query('CREATE TEMP TABLE execbench_sampler_t (n int)');
    try {
      await assert.rejects(
        timeQuery(client, 'INSERT INTO execbench_sampler_t VALUES ($1)', [1], 'unnamed', {
          before: [{ sql: 'SELECT 1 / $1::int', values: [0] }, { sql: 'BEGIN' }],
          after: [{ sql: 'INSERT INTO execbench_sampler_t VALUES (2)' }, { sql: 'ROLLBACK' }, { sql: 'SELECT 1 / 0' }],
        }),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '22012',
      );
      // The statements after the failing one ran: BEGIN, the timed INSERT, the INSERT after it, then ROLLBACK.
      assert.equal((await client.query('SELECT count(*)::int AS n FROM execbench_sampler_t')).rows[0].n, 0);
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1, 'the connection is usable and idle');
      // Committed without the ROLLBACK, the same writes are there: the test above can fail.
      await timeQuery(client, 'INSERT INTO execbench_sampler_t VALUES ($1)', [1], 'unnamed', { before: [{ sql: 'BEGIN' }], after: [{ sql: 'COMMIT' }] });
      assert.equal((await client.query('SELECT count(*)::int AS n FROM execbench_sampler_t')).rows[0].n, 1);
    } finally {
      await client.query('DROP TABLE execbench_sampler_t');
    }
  });

  it('refuses to time a client that already has a query in flight, and loses nothing', async () => {
    const busy = client.query('SELECT pg_sleep(0.05)');
    await assert.rejects(timeQuery(client, 'SELECT 1', [], 'unnamed'), /query in flight/);
    await busy;
    assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
  });
});

describe('run --calibrate', () => {
  it('times pgbench and execbench in alternating rounds on the same parameters, for reads only', async (t) => {
    if (!(await findPgbench())) {
      t.skip('pgbench is not on the PATH (Debian: apt-get install postgresql-client)');
      return;
    }
    const scenario = scenarios.find((s) => s.id === 'recent-failures')!;
    const r = await measure('recent-failures', 1000, 'server');
    const target = { connectionString: db.connectionString, schema: dataset.schema, protocol: 'unnamed' as const, statementsSchema: schema };
    const c = await calibrateForm(r, scenario.definition.documented, createParamPicker(pools, 0), target);
    assert.ok(c, 'a read form is calibrated');
    assert.equal(c.rounds, CALIBRATION_ROUNDS);
    assert.equal(c.mode, 'extended');
    assert.ok(c.transactions >= CALIBRATION_ROUNDS * 10, `${c.transactions} pgbench transactions`);
    assert.ok(c.pgbenchP50Ms > 0 && c.execbenchP50Ms > 0 && c.ratio > 0, JSON.stringify(c));
    // A write is never handed to pgbench (it would commit).
    const write = scenarios.find((s) => s.definition.kind === 'write')!;
    assert.equal(await calibrateForm({ ...r, kind: 'write' }, write.definition.corrected ?? write.definition.documented, createParamPicker(pools, 0), target), undefined);
    // The run's client is left idle and usable.
    assert.equal((await client.query('SELECT 3 AS n')).rows[0].n, 3);
  });
});
