import { defineScenario, type ParamPicker } from '../src/scenario/define.ts';

const VALUES = `VALUES ($1, $2, $3, $4, $5, $6, 'success', 'success', 'webhook', $7, $8, $9)`;
const COLUMNS = `(id, tenant_id, environment_id, workflow_id, workflow_name, execution_id,
  status, normalized_status, mode, started_at, finished_at, duration_ms)`;
const UPDATE = `status = EXCLUDED.status, normalized_status = EXCLUDED.normalized_status,
  finished_at = EXCLUDED.finished_at, duration_ms = EXCLUDED.duration_ms, updated_at = now()`;

function params(pick: ParamPicker): unknown[] {
  const startedAt = pick.daysBeforeAnchor(0);
  return [pick.newUuid(), pick.tenant(), pick.existingEngineExecution().environmentId, pick.workflow('popular'), 'Upserted by execbench',
    pick.existingEngineExecution().executionId, startedAt, startedAt, 1234];
}

export default defineScenario({
  title: 'Idempotent upsert, conflict path (existing execution_id -> update) (rolled back)',
  spec: '§6 idx_executions_unique_tenant_env_execution',
  kind: 'write',
  documented: {
    sql: `INSERT INTO executions ${COLUMNS}
${VALUES}
ON CONFLICT (tenant_id, environment_id, execution_id)
DO UPDATE SET ${UPDATE};`,
    params,
    writtenByExecbench: 'The spec elides the column list, values and SET clause ("(...)", "..."); execbench fills them in and keeps its ON CONFLICT target verbatim.',
  },
  corrected: {
    sql: `INSERT INTO executions ${COLUMNS}
${VALUES}
ON CONFLICT (tenant_id, environment_id, execution_id) WHERE execution_id IS NOT NULL
DO UPDATE SET ${UPDATE};`,
    params,
    why: 'The unique index is partial (WHERE execution_id IS NOT NULL); PostgreSQL infers a partial unique index as the ON CONFLICT arbiter only when the conflict target repeats its predicate, otherwise it fails with "there is no unique or exclusion constraint matching the ON CONFLICT specification".',
  },
  expect: { indexes: ['idx_executions_unique_tenant_env_execution'] },
  thresholds: {
    '100k': { p95Ms: 2, source: 'spec §6: "O(log n), ~2ms for conflict detection"' },
    '1m': { p95Ms: 6, derived: true, source: 'derived: §6 2 ms x 3 (the spec\'s own 100k->1M growth for paginated listing)' },
  },
});
