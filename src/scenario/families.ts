// Scenario families: query patterns the spec prints once but execbench runs with several parameters
// (each status, a popular and a rare workflow, both upsert paths). The SQL lives here once, verbatim;
// each scenarios/<id>.ts file stays one line of typed data naming its member.
import { defineScenario, type ParamPicker, type ScenarioDefinition } from './define.ts';
import { from100kTable } from './spec-thresholds.ts';

export type NormalizedStatus = 'success' | 'error' | 'running' | 'waiting';

/** §2 Status-filtered listing; the status is a literal, as in the spec's example. */
export function statusFilteredScenario(status: NormalizedStatus): ScenarioDefinition {
  const where = `WHERE tenant_id = $1 AND environment_id = $2 AND normalized_status = '${status}'`;
  return defineScenario({
    title: `Status-filtered listing, normalized_status = '${status}'`,
    spec: '§2 idx_executions_tenant_env_status_started',
    kind: 'read',
    documented: {
      sql: `SELECT * FROM executions
${where}
ORDER BY started_at DESC
LIMIT 50;`,
      params: (pick) => [pick.tenant(), pick.environment()],
      ...(status === 'success' ? {} : { writtenByExecbench: `The document prints this query once, with normalized_status = 'success'; execbench runs it with '${status}', one of the statuses the index serves ("success/error/running/waiting").` }),
    },
    corrected: {
      sql: `SELECT * FROM executions
${where} AND started_at IS NOT NULL
ORDER BY started_at DESC
LIMIT 50;`,
      params: (pick) => [pick.tenant(), pick.environment()],
      why: "The index's predicate is normalized_status IS NOT NULL AND started_at IS NOT NULL; the equality on normalized_status implies the first half, nothing implies the second, so PostgreSQL may not use the index.",
    },
    // For 'error' the smaller §3 partial index serves the same query; the planner may rightly prefer it.
    expect: {
      indexes: ['idx_executions_tenant_env_status_started', ...(status === 'error' ? ['idx_executions_tenant_env_failed_started'] : [])],
      noSeqScanOn: ['executions'],
    },
    ...(status === 'error' ? { alternativeReason: "the §3 partial index holds exactly the 'error' rows in the same order, a smaller index for the same query" } : {}),
    thresholds: from100kTable('Status-filtered (50 records)', 12),
    groups: ['paginated'],
  });
}

/** §2 Workflow-filtered listing for the focus tenant's most or least used workflow. */
export function workflowFilteredScenario(kind: 'popular' | 'rare'): ScenarioDefinition {
  const params = (pick: ParamPicker) => [pick.tenant(), pick.environment(), pick.workflow(kind)];
  return defineScenario({
    title: `Workflow-filtered listing, ${kind} workflow`,
    spec: '§2 idx_executions_tenant_env_workflow_started',
    kind: 'read',
    documented: {
      sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND workflow_id = $3
ORDER BY started_at DESC
LIMIT 50;`,
      params,
    },
    corrected: {
      sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND workflow_id = $3 AND started_at IS NOT NULL
ORDER BY started_at DESC
LIMIT 50;`,
      params,
      why: 'The index is partial (WHERE started_at IS NOT NULL) and the query does not imply that predicate, so PostgreSQL may not use it.',
    },
    expect: { indexes: ['idx_executions_tenant_env_workflow_started'], noSeqScanOn: ['executions'] },
    thresholds: from100kTable('Workflow-filtered (50 records)', 8),
    groups: ['paginated'],
  });
}

/** The workflow_name of every row the upsert inserts: no seeded row has it, so a load's inserts can be found and removed. */
export const UPSERT_WORKFLOW_NAME = 'Upserted by execbench';

const UPSERT_COLUMNS = `(id, tenant_id, environment_id, workflow_id, workflow_name, execution_id,
  status, normalized_status, mode, started_at, finished_at, duration_ms)`;
const UPSERT_VALUES = `VALUES ($1, $2, $3, $4, $5, $6, 'success', 'success', 'webhook', $7, $8, $9)`;
const UPSERT_SET = `status = EXCLUDED.status, normalized_status = EXCLUDED.normalized_status,
  finished_at = EXCLUDED.finished_at, duration_ms = EXCLUDED.duration_ms, updated_at = now()`;

/** §6 Idempotent upsert: 'conflict' reuses an existing (environment, execution_id); 'insert' a fresh one. */
export function upsertScenario(path: 'conflict' | 'insert'): ScenarioDefinition {
  const params = (pick: ParamPicker): unknown[] => {
    const startedAt = pick.daysBeforeAnchor(0);
    const existing = path === 'conflict' ? pick.existingEngineExecution() : undefined;
    return [pick.newUuid(), pick.tenant(), existing?.environmentId ?? pick.environment(), pick.workflow('popular'),
      UPSERT_WORKFLOW_NAME, existing?.executionId ?? pick.newEngineExecutionId(), startedAt, startedAt, 1234];
  };
  return defineScenario({
    title: path === 'conflict'
      ? 'Idempotent upsert, conflict path (existing execution_id -> update) (rolled back)'
      : 'Idempotent upsert, insert path (new execution_id) (rolled back)',
    spec: '§6 idx_executions_unique_tenant_env_execution',
    kind: 'write',
    documented: {
      sql: `INSERT INTO executions ${UPSERT_COLUMNS}
${UPSERT_VALUES}
ON CONFLICT (tenant_id, environment_id, execution_id)
DO UPDATE SET ${UPSERT_SET};`,
      params,
      writtenByExecbench: 'The spec elides the column list, values and SET clause ("(...)", "..."); execbench fills them in and keeps its ON CONFLICT target verbatim.',
    },
    corrected: {
      sql: `INSERT INTO executions ${UPSERT_COLUMNS}
${UPSERT_VALUES}
ON CONFLICT (tenant_id, environment_id, execution_id) WHERE execution_id IS NOT NULL
DO UPDATE SET ${UPSERT_SET};`,
      params,
      why: 'The unique index is partial (WHERE execution_id IS NOT NULL); PostgreSQL infers a partial unique index as the ON CONFLICT arbiter only when the conflict target repeats its predicate, otherwise it fails with "there is no unique or exclusion constraint matching the ON CONFLICT specification".',
    },
    expect: { indexes: ['idx_executions_unique_tenant_env_execution'] },
    thresholds: {
      '100k': { p95Ms: 2, clock: 'server', source: 'spec §6: "O(log n), ~2ms for conflict detection"' },
      '1m': { p95Ms: 6, clock: 'server', derived: true, source: "derived: §6 2 ms x 3 (the spec's own 100k->1M growth for paginated listing)" },
    },
  });
}
