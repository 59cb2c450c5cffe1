import { defineScenario } from '../src/scenario/define.ts';
import { derivedFrom } from '../src/scenario/spec-thresholds.ts';

export default defineScenario({
  title: 'Never-started cleanup batch (rolled back)',
  spec: '§5 idx_executions_null_started_at',
  kind: 'write',
  documented: {
    sql: `DELETE FROM executions
WHERE tenant_id = $1 AND started_at IS NULL AND created_at < $2
LIMIT 1000;`,
    params: (pick) => [pick.tenant(), pick.neverStartedCutoff()],
  },
  corrected: {
    sql: `DELETE FROM executions
WHERE id IN (
  SELECT id FROM executions
  WHERE tenant_id = $1 AND started_at IS NULL AND created_at < $2
  LIMIT 1000
);`,
    params: (pick) => [pick.tenant(), pick.neverStartedCutoff()],
    why: 'PostgreSQL\'s DELETE has no LIMIT clause (a syntax error); the batch has to be chosen by a sub-select on the primary key.',
  },
  expect: { indexes: ['idx_executions_null_started_at'], noSeqScanOn: ['executions'] },
  thresholds: derivedFrom('the spec gives no figure; held to the retention-cleanup batch row (15 ms at 100k, 40 ms at 1M)', 15, 40),
});
