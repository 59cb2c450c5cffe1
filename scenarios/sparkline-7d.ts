import { defineScenario } from '../src/scenario/define.ts';
import { fromBothTables } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'Sparkline data, 7 days (ObservabilityPage)',
  spec: '§4 idx_executions_tenant_started_asc',
  kind: 'read',
  documented: {
    sql: `SELECT id, status, started_at, duration_ms
FROM executions
WHERE tenant_id = $1 AND started_at >= $2 AND started_at <= $3
ORDER BY started_at ASC;`,
    params: (pick) => [pick.tenant(), pick.daysBeforeAnchor(7), pick.anchor()],
  },
  // idx_executions_retention_cleanup (§5) has the identical definition; the planner may pick either.
  expect: { indexes: ['idx_executions_tenant_started_asc', 'idx_executions_retention_cleanup'], noSeqScanOn: ['executions'] },
  alternativeReason: 'idx_executions_retention_cleanup (§5) has exactly the same definition (tenant_id, started_at) WHERE started_at IS NOT NULL',
  thresholds: fromBothTables('Sparkline data (7 days)', 80, 300),
  groups: ['observability-page'],
});
