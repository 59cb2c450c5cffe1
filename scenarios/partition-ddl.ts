import { defineScenario } from '../src/scenario/define.ts';

export default defineScenario({
  title: 'Partitioning DDL from "Scaling Beyond 1M" (run in a rolled-back transaction)',
  spec: 'Scaling Beyond 1M Executions, Option 1: Table Partitioning',
  kind: 'statement',
  documented: {
    sql: `CREATE TABLE executions_2026_q1 PARTITION OF executions
FOR VALUES FROM ('2026-01-01') TO ('2026-04-01');`,
    params: () => [],
  },
  noCorrection: {
    why: 'PARTITION OF needs a parent created with PARTITION BY RANGE (started_at); the documented executions table is a plain table, so the statement fails.',
    fix: 'Recreate executions as PARTITION BY RANGE (started_at) and copy the rows over (or attach the old table as a partition); the primary key and the unique index must then include started_at, which changes id lookups and idempotent ingestion.',
  },
  expect: {},
  thresholds: null,
});
