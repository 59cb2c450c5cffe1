import { defineScenario } from '../src/scenario/define.ts';
import { derivedFrom } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'Daily stats read from the materialized view, 30 days',
  spec: 'Scaling Beyond 1M, Option 2: execution_stats_daily / idx_execution_stats_daily_tenant_date',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM execution_stats_daily
WHERE tenant_id = $1 AND date >= $2::date
ORDER BY date DESC;`,
    params: (pick) => [pick.tenant(), pick.daysBeforeAnchor(30)],
    writtenByExecbench: 'The spec prints the view and its index but no query; this is the read its index (tenant_id, date DESC) is built for.',
  },
  expect: { indexes: ['idx_execution_stats_daily_tenant_date'] },
  thresholds: derivedFrom('the spec gives no figure; held to its smallest analytics row (Recent failures: 5 ms at 100k, x3 at 1M)', 5, 15),
  requires: ['daily-stats-view'],
  groups: ['observability-page'],
});
