import { defineClickHouseScenario } from '../../src/clickhouse/define.ts';

export default defineClickHouseScenario({
  title: 'Duration percentiles p50/p95/p99 over 7 days, on ClickHouse',
  postgres: 'covering-percentiles',
  aggregation: true,
  sql: `SELECT quantiles(0.5, 0.95, 0.99)(duration_ms) AS duration_percentiles
FROM executions
WHERE tenant_id = {tenant} AND started_at >= {from} AND started_at < {to} AND duration_ms IS NOT NULL`,
  postgresParams: ['tenant', 'from', 'to'],
  windowDays: 7,
  note: 'quantiles() shares one reservoir (8192 values) for the three levels, as percentile_cont(ARRAY[...]) sorts once.',
  answer: {
    kind: 'groups',
    key: [],
    exact: [],
    quantiles: [
      { column: 'duration_percentiles', level: 0.5, index: 0 },
      { column: 'duration_percentiles', level: 0.95, index: 1 },
      { column: 'duration_percentiles', level: 0.99, index: 2 },
    ],
    distribution: {
      sql: `SELECT count(duration_ms) AS n, percentile_cont($4::float8[]) WITHIN GROUP (ORDER BY duration_ms) AS at
FROM executions
WHERE tenant_id = $1 AND started_at >= $2 AND started_at < $3 AND duration_ms IS NOT NULL`,
      params: ['tenant', 'from', 'to'],
    },
  },
});
