// The "Slowest runs" panel of our workflow page: the 20 slowest finished executions of one workflow in the
// last 24 hours. The document prints no such query; this file holds it to our own limit.
import { defineQuery } from 'execbench';

export default defineQuery({
  title: 'Slowest runs of a workflow, last 24 h',
  kind: 'read',
  sql: `SELECT id, workflow_name, status, started_at, duration_ms
FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND workflow_id = $3
  AND started_at >= $4 AND started_at IS NOT NULL
  AND duration_ms IS NOT NULL
ORDER BY duration_ms DESC
LIMIT 20;`,
  // "Last 24 h" is relative to the synthetic data's now (pick.anchor()), not to the real today.
  params: (pick) => [pick.tenant(), pick.environment(), pick.workflow('popular'), pick.daysBeforeAnchor(1)],
  // The workflow listing index serves the 24-hour range; the top 20 by duration are then sorted in memory.
  expect: { indexes: ['idx_executions_tenant_env_workflow_started'], noSeqScanOn: ['executions'] },
  // What the panel can afford, as the application waits for it.
  limits: { p95Ms: 50, clock: 'client' },
});
