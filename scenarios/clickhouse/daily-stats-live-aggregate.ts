import { defineClickHouseScenario } from '../../src/clickhouse/define.ts';

export default defineClickHouseScenario({
  title: 'Daily stats computed live, 30 days, on ClickHouse (what the materialized view holds)',
  postgres: 'daily-stats-live-aggregate',
  view: 'daily-stats-view',
  aggregation: true,
  sql: `SELECT
    tenant_id,
    environment_id,
    toDate(started_at) AS date,
    count() AS total_executions,
    countIf(normalized_status = 'success') AS success_count,
    countIf(normalized_status = 'error') AS error_count,
    quantile(0.95)(duration_ms) AS p95_duration
FROM executions
WHERE tenant_id = {tenant} AND started_at >= {from}
GROUP BY tenant_id, environment_id, date`,
  postgresParams: ['tenant', 'from'],
  windowDays: 30,
  note: 'quantile() is ClickHouse\'s reservoir sampler (8192 values): interpolated like PERCENTILE_CONT, exact while a group holds at most 8192 values.',
  answer: {
    kind: 'groups',
    key: ['environment_id', 'date'],
    exact: ['total_executions', 'success_count', 'error_count'],
    quantiles: [{ column: 'p95_duration', level: 0.95 }],
    distribution: {
      sql: `SELECT environment_id, DATE(started_at) AS date, count(duration_ms) AS n,
  percentile_cont($3::float8[]) WITHIN GROUP (ORDER BY duration_ms) AS at
FROM executions
WHERE started_at IS NOT NULL AND tenant_id = $1 AND started_at >= $2
GROUP BY environment_id, DATE(started_at)`,
      params: ['tenant', 'from'],
    },
  },
});
