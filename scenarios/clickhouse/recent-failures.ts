import { defineClickHouseScenario } from '../../src/clickhouse/define.ts';

export default defineClickHouseScenario({
  title: 'Recent failures widget (ObservabilityPage), on ClickHouse',
  postgres: 'recent-failures',
  aggregation: false,
  sql: `SELECT * FROM executions
WHERE tenant_id = {tenant} AND environment_id = {environment} AND normalized_status = 'error'
ORDER BY started_at DESC
LIMIT 10`,
  postgresParams: ['tenant', 'environment'],
  windowDays: 0,
  note: 'The copy has no never-started rows; PostgreSQL sorts their NULL started_at first under DESC, so the check also proves none of them is an error.',
  answer: { kind: 'rows', key: 'id', sums: ['duration_ms'], time: 'started_at' },
});
