import { defineScenario } from '../src/scenario/define.ts';

export default defineScenario({
  title: 'Unused index check (the spec\'s query)',
  spec: 'Maintenance & Monitoring §3 Check Unused Indexes',
  kind: 'read',
  documented: {
    sql: `SELECT
    schemaname,
    tablename,
    indexname,
    idx_scan,
    pg_size_pretty(pg_relation_size(indexrelid)) AS index_size
FROM pg_stat_user_indexes
WHERE tablename = 'executions' AND idx_scan = 0
ORDER BY pg_relation_size(indexrelid) DESC;`,
    params: () => [],
  },
  corrected: {
    sql: `SELECT
    schemaname,
    relname AS tablename,
    indexrelname AS indexname,
    idx_scan,
    pg_size_pretty(pg_relation_size(indexrelid)) AS index_size
FROM pg_stat_user_indexes
WHERE relname = 'executions' AND idx_scan = 0
ORDER BY pg_relation_size(indexrelid) DESC;`,
    params: () => [],
    why: 'pg_stat_user_indexes has no tablename or indexname columns (those belong to pg_indexes); its columns are relname and indexrelname.',
  },
  expect: {},
  thresholds: null,
});
