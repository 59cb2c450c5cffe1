import { defineScenario } from '../src/scenario/define.ts';
import { sameAtBothScales } from '../src/scenario/spec-thresholds.ts';

/** Page 100 of 50: the spec promises "<500ms paginated execution queries" without naming a page. */
const DEEP_OFFSET = 4950;

export default defineScenario({
  title: 'Paginated listing, deep page (page 100, OFFSET 4950)',
  spec: '§2 idx_executions_tenant_env_started; Overview "<500ms paginated execution queries"',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2
ORDER BY started_at DESC
LIMIT 50 OFFSET $3;`,
    params: (pick) => [pick.tenant(), pick.environment(), DEEP_OFFSET],
    writtenByExecbench: 'The spec prints page 1 (OFFSET 0); this is the same text with the offset of page 100 as a parameter.',
  },
  corrected: {
    sql: `SELECT * FROM executions
WHERE tenant_id = $1 AND environment_id = $2 AND started_at IS NOT NULL
ORDER BY started_at DESC
LIMIT 50 OFFSET $3;`,
    params: (pick) => [pick.tenant(), pick.environment(), DEEP_OFFSET],
    why: 'Same as page 1: the partial index (WHERE started_at IS NOT NULL) is only usable when the query implies its predicate.',
  },
  expect: { indexes: ['idx_executions_tenant_env_started'], noSeqScanOn: ['executions'] },
  thresholds: sameAtBothScales(500, 'spec Overview: "<500ms paginated execution queries"'),
  groups: ['paginated'],
});
