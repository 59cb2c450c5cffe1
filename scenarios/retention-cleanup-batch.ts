import { defineScenario } from '../src/scenario/define.ts';
import { fromBothTables } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'Retention cleanup, one batch of 1000 deletes (rolled back)',
  spec: '§5 idx_executions_retention_cleanup',
  kind: 'write',
  documented: {
    sql: `DELETE FROM executions
WHERE tenant_id = $1 AND started_at < $2
ORDER BY started_at ASC
LIMIT 1000;`,
    params: (pick) => [pick.tenant(), pick.retentionCutoff()],
  },
  corrected: {
    sql: `DELETE FROM executions
WHERE id IN (
  SELECT id FROM executions
  WHERE tenant_id = $1 AND started_at < $2
  ORDER BY started_at ASC
  LIMIT 1000
);`,
    params: (pick) => [pick.tenant(), pick.retentionCutoff()],
    why: 'PostgreSQL\'s DELETE has no ORDER BY or LIMIT clause (a syntax error); the batch has to be chosen by a sub-select on the primary key.',
  },
  // idx_executions_tenant_started_asc (§4) has the identical definition; the planner may pick either.
  expect: { indexes: ['idx_executions_retention_cleanup', 'idx_executions_tenant_started_asc'] },
  alternativeReason: 'idx_executions_tenant_started_asc (§4) has exactly the same definition (tenant_id, started_at) WHERE started_at IS NOT NULL',
  thresholds: fromBothTables('Retention cleanup (1000 deletes)', 15, 40),
});
