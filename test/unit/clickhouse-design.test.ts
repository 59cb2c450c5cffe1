// The table design, the SQL rendering and the version features: what each ClickHouse version gets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasFeature, missingFeatures, parseClickHouseVersion, timePrecisionMs } from '../../src/clickhouse/features.ts';
import { analyticsValues, postgresValues, renderClickHouseSql } from '../../src/clickhouse/params.ts';
import { copyOutSql, createCopyTableSql, createDistributedTableSql } from '../../src/clickhouse/table.ts';
import { CLICKHOUSE_SCENARIOS } from '../../src/clickhouse/scenarios.ts';
import { describeClickHouseError } from '../../src/clickhouse/engine.ts';

const v26 = parseClickHouseVersion('26.7.2.1');
const v18 = parseClickHouseVersion('18.16.1');
const dataset = { anchor: '2026-11-01T00:00:00.000Z', focus: { tenantId: '40e5320c-de2c-4161-9b67-b41784f24a26', environments: [{ id: '11111111-2222-3333-4444-555555555555' }] } };

describe('versions', () => {
  test('18.16 has neither DateTime64 nor an ordinary LowCardinality; 26.7 has both', () => {
    assert.equal(hasFeature(v18, 'DateTime64'), false);
    assert.equal(hasFeature(v26, 'LowCardinality'), true);
    assert.equal(timePrecisionMs(v18), 1000);
    assert.equal(timePrecisionMs(v26), 1);
    assert.deepEqual(missingFeatures(v18, ['DateTime64']), ['DateTime64 (DateTime64(3) millisecond timestamps, 20.1+)']);
  });
  test('a version that is not one is refused naming it', () => {
    assert.throws(() => parseClickHouseVersion('banana'), /Not a ClickHouse version: 'banana'/);
  });
  test('an unknown function on an old server says the server is too old and names the function', () => {
    const d = describeClickHouseError("Code: 46, e.displayText() = DB::Exception: Unknown function quantileExactInclusive, e.what() = DB::Exception", v18);
    assert.equal(d.tooOld, true);
    assert.match(d.line, /ClickHouse 18\.16\.1 does not know the function/);
    assert.equal(describeClickHouseError('Code: 60, Table x does not exist', v18).tooOld, false);
  });
});

describe('table design', () => {
  test('MergeTree ordered by tenant then time, partitioned by month, on both versions', () => {
    for (const v of [v18, v26]) {
      const sql = createCopyTableSql('execbench_1m', 'executions', v);
      assert.match(sql, /ENGINE = MergeTree\nPARTITION BY toYYYYMM\(started_at\)\nORDER BY \(tenant_id, started_at\)/);
      assert.doesNotMatch(sql, /started_at Nullable/);
    }
    assert.match(createCopyTableSql('d', 't', v26), /status LowCardinality\(String\)/);
    assert.match(createCopyTableSql('d', 't', v26), /started_at DateTime64\(3, 'UTC'\)/);
    assert.match(createCopyTableSql('d', 't', v18), /started_at DateTime\('UTC'\)/);
    assert.doesNotMatch(createCopyTableSql('d', 't', v18), /LowCardinality/);
  });
  test('the Distributed table shards by a hash of the tenant (text: 18.16 cannot hash a UUID)', () => {
    assert.match(createDistributedTableSql('execbench_1m', v18), /Distributed\(execbench_two_shards, execbench_1m, executions_local, cityHash64\(toString\(tenant_id\)\)\)/);
  });
  test('COPY sends milliseconds to DateTime64 and whole seconds to DateTime, started rows only', () => {
    assert.match(copyOutSql('execbench_1m', v26), /HH24:MI:SS\.MS/);
    assert.doesNotMatch(copyOutSql('execbench_1m', v18), /\.MS/);
    assert.match(copyOutSql('execbench_1m', v18), /FROM execbench_1m\.executions WHERE started_at IS NOT NULL\) TO STDOUT$/);
  });
});

describe('parameters', () => {
  test('whole-day windows ending at the anchor, rendered as checked literals on the dataset database', () => {
    const values = analyticsValues(dataset, 7);
    assert.equal(values.from, '2026-10-25T00:00:00.000Z');
    const sql = renderClickHouseSql('SELECT 1 FROM executions WHERE tenant_id = {tenant} AND started_at >= {from}', values, 'execbench_1m');
    assert.equal(sql, "SELECT 1 FROM execbench_1m.executions WHERE tenant_id = toUUID('40e5320c-de2c-4161-9b67-b41784f24a26') AND started_at >= toDateTime('2026-10-25 00:00:00', 'UTC')");
    assert.deepEqual(postgresValues(['tenant', 'to'], values), [dataset.focus.tenantId, '2026-11-01T00:00:00.000Z']);
  });
  test('a value that is not a UUID, or an unknown placeholder, is refused', () => {
    const values = { ...analyticsValues(dataset, 7), tenant: "x'); DROP TABLE t; --" };
    assert.throws(() => renderClickHouseSql('{tenant}', values, 'd'), /\{tenant\} is not a UUID/);
    assert.throws(() => renderClickHouseSql('{when}', analyticsValues(dataset, 7), 'd'), /Unknown placeholder \{when\}/);
  });
  test('every scenario renders, names an existing PostgreSQL scenario id and passes it as many parameters as it uses', async () => {
    for (const s of CLICKHOUSE_SCENARIOS) {
      assert.doesNotThrow(() => renderClickHouseSql(s.sql, analyticsValues(dataset, s.windowDays), 'd'), s.id);
      const pg = (await import(`../../scenarios/${s.postgres}.ts`)) as { default: { documented: { sql: string } } };
      const used = Math.max(0, ...[...pg.default.documented.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      assert.equal(s.postgresParams.length, used, `${s.id}: ${s.postgres} uses $1..$${used}`);
    }
  });
});
