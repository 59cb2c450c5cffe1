import { defineScenario } from '../src/scenario/define.ts';
import { from100kTable } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: "Status-filtered listing, normalized_status = 'waiting'",
  spec: '§2 idx_executions_tenant_env_status_started',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND normalized_status = 'waiting'
ORDER BY started_at DESC
LIMIT 50;`,
    params: (pick) => [pick.tenant(), pick.environment()],
  },
  corrected: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND normalized_status = 'waiting' AND started_at IS NOT NULL
ORDER BY started_at DESC
LIMIT 50;`,
    params: (pick) => [pick.tenant(), pick.environment()],
    why: "The index's predicate is normalized_status IS NOT NULL AND started_at IS NOT NULL; the equality on normalized_status implies the first half, nothing implies the second, so PostgreSQL may not use the index.",
  },
  expect: { indexes: ['idx_executions_tenant_env_status_started'], noSeqScanOn: ['executions'] },
  thresholds: from100kTable('Status-filtered (50 records)', 12),
  groups: ['paginated'],
});
