// The two clocks on a real (embedded) Postgres: pg_stat_statements as the server clock where it is loaded (the
// test server starts with execbench's settings, which preload it), EXPLAIN TIMING OFF for bulk results and where
// the extension is absent, the client clock at the socket, and verdicts that name their clock and interval.
// Timings are not compared with limits that depend on the machine: limits here are far beyond or far below any.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { measureForm } from '../../src/runner/measure.ts';
import { createParamPicker, loadParamPools, type ParamPools } from '../../src/runner/params.ts';
import { connectToDataset } from '../../src/runner/run-scenarios.ts';
import { ensureStatementsExtension, probeStatements } from '../../src/runner/server-clock.ts';
import { timeQuery } from '../../src/runner/sampler.ts';
import { loadScenarios, type LoadedScenario } from '../../src/scenario/load.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import type { DatasetInfo } from '../../src/seed/types.ts';
import type pg from 'pg';
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
  it('times at the socket with one write: unnamed and prepared both return the rows undecoded', async () => {
    for (const protocol of ['unnamed', 'prepared'] as const) {
      const sample = await timeQuery(client, 'SELECT id, started_at FROM executions WHERE tenant_id = $1 LIMIT 3', [pools.tenantId], protocol);
      assert.ok(sample.clientMs > 0 && sample.clientMs < 10_000, `${protocol}: ${sample.clientMs}`);
      assert.equal(sample.result.rows.length, 3);
      assert.equal(typeof sample.result.rows[0]![1], 'string', 'a timestamp stays raw text inside the timed region');
    }
  });

  it('hands the whole request to the socket in one write, and leaves the socket as it found it', async () => {
    const stream = (client as unknown as { connection: { stream: { write: (chunk: Buffer) => boolean } } }).connection.stream;
    const original = stream.write;
    const writes: Buffer[] = [];
    // An own spy property: timeQuery must restore it, not delete it.
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

  it('refuses to time a client that already has a query in flight, and loses nothing', async () => {
    const busy = client.query('SELECT pg_sleep(0.05)');
    await assert.rejects(timeQuery(client, 'SELECT 1', [], 'unnamed'), /query in flight/);
    await busy;
    assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
  });
});
