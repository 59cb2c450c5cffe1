import { defineScenario } from '../src/scenario/define.ts';
import { fromBothTables } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'Paginated listing, page 1 (ExecutionsPage, no filters)',
  spec: '§2 idx_executions_tenant_env_started',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2
ORDER BY started_at DESC
LIMIT 50 OFFSET 0;`,
    params: (pick) => [pick.tenant(), pick.environment()],
  },
  corrected: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND started_at IS NOT NULL
ORDER BY started_at DESC
LIMIT 50 OFFSET 0;`,
    params: (pick) => [pick.tenant(), pick.environment()],
    why: 'The index is partial (WHERE started_at IS NOT NULL) and the query does not imply that predicate, so PostgreSQL may not use it; without the predicate, ORDER BY started_at DESC would also list never-started rows (NULLs sort first in DESC order).',
  },
  expect: { indexes: ['idx_executions_tenant_env_started'], noSeqScanOn: ['executions'] },
  thresholds: fromBothTables('Paginated listing (50 records)', 10, 30),
  groups: ['paginated'],
});
