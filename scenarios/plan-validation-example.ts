import { defineScenario } from '../src/scenario/define.ts';
import { fromBothTables } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'The spec\'s own "Query Plan Validation" example',
  spec: 'Maintenance & Monitoring §4 Query Plan Validation ("Expected: Index Scan using idx_executions_tenant_env_started")',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1
AND environment_id = $2
ORDER BY started_at DESC
LIMIT 50;`,
    params: (pick) => [pick.tenant(), pick.environment()],
    writtenByExecbench: "The spec's literals 'your-tenant-id' and 'your-env-id' are placeholders (and not valid uuids); they become $1 and $2. execbench adds the EXPLAIN (ANALYZE, BUFFERS) itself.",
  },
  corrected: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1
AND environment_id = $2
AND started_at IS NOT NULL
ORDER BY started_at DESC
LIMIT 50;`,
    params: (pick) => [pick.tenant(), pick.environment()],
    why: 'The spec expects "Index Scan using idx_executions_tenant_env_started", but that index is partial (WHERE started_at IS NOT NULL) and this query does not imply its predicate.',
  },
  expect: { indexes: ['idx_executions_tenant_env_started'], noSeqScanOn: ['executions'] },
  thresholds: fromBothTables('Paginated listing (50 records)', 10, 30),
});
