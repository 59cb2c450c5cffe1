import { defineScenario } from '../src/scenario/define.ts';

export default defineScenario({
  title: 'Single execution lookup by id (GET /api/executions/{execution_id})',
  spec: '§1 executions_pkey',
  kind: 'read',
  documented: {
    sql: `SELECT * FROM executions WHERE id = $1;`,
    params: (pick) => [pick.executionId()],
    writtenByExecbench: 'The spec prints no SQL for this lookup; this is the natural primary-key query.',
  },
  expect: { indexes: ['executions_pkey'], noSeqScanOn: ['executions'] },
  thresholds: {
    '100k': { p95Ms: 3, clock: 'server', source: 'spec "Query Performance Benchmarks", 100k table: Single execution lookup' },
    '1m': { p95Ms: 10, clock: 'server', source: 'spec §1 executions_pkey: "~10ms for 1M records"' },
  },
});
