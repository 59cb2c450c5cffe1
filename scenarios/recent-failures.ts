import { defineScenario } from '../src/scenario/define.ts';
import { from100kTable } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'Recent failures widget (ObservabilityPage)',
  spec: '§3 idx_executions_tenant_env_failed_started',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND normalized_status = 'error'
ORDER BY started_at DESC
LIMIT 10;`,
    params: (pick) => [pick.tenant(), pick.environment()],
  },
  expect: { indexes: ['idx_executions_tenant_env_failed_started'], noSeqScanOn: ['executions'] },
  thresholds: from100kTable('Recent failures (10 records)', 5),
  groups: ['observability-page'],
});
