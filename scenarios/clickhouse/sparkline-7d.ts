import { defineClickHouseScenario } from '../../src/clickhouse/define.ts';

export default defineClickHouseScenario({
  title: 'Sparkline data, 7 days (ObservabilityPage), on ClickHouse',
  postgres: 'sparkline-7d',
  aggregation: false,
  sql: `SELECT id, status, started_at, duration_ms
FROM executions
WHERE tenant_id = {tenant} AND started_at >= {from} AND started_at <= {to}
ORDER BY started_at ASC`,
  postgresParams: ['tenant', 'from', 'to'],
  windowDays: 7,
  answer: { kind: 'rows', key: 'id', sums: ['duration_ms'], time: 'started_at' },
});
