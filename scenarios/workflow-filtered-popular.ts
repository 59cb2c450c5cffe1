import { defineScenario } from '../src/scenario/define.ts';
import { from100kTable } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'Workflow-filtered listing, popular workflow',
  spec: '§2 idx_executions_tenant_env_workflow_started',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND workflow_id = $3
ORDER BY started_at DESC
LIMIT 50;`,
    params: (pick) => [pick.tenant(), pick.environment(), pick.workflow('popular')],
  },
  corrected: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND workflow_id = $3 AND started_at IS NOT NULL
ORDER BY started_at DESC
LIMIT 50;`,
    params: (pick) => [pick.tenant(), pick.environment(), pick.workflow('popular')],
    why: 'The index is partial (WHERE started_at IS NOT NULL) and the query does not imply that predicate, so PostgreSQL may not use it.',
  },
  expect: { indexes: ['idx_executions_tenant_env_workflow_started'], noSeqScanOn: ['executions'] },
  thresholds: from100kTable('Workflow-filtered (50 records)', 8),
  groups: ['paginated'],
});
