import { defineScenario } from '../src/scenario/define.ts';

export default defineScenario({
  title: 'Index size and usage monitor (the spec\'s bloat check query)',
  spec: 'Maintenance & Monitoring §2 Monitor Index Bloat',
  kind: 'read',
  documented: {
    sql: `SELECT
    schemaname,
    tablename,
    indexname,
    pg_size_pretty(pg_relation_size(indexrelid)) AS index_size,
    idx_scan AS index_scans,
    idx_tup_read AS tuples_read,
    idx_tup_fetch AS tuples_fetched
FROM pg_stat_user_indexes
WHERE tablename = 'executions'
ORDER BY pg_relation_size(indexrelid) DESC;`,
    params: () => [],
  },
  corrected: {
    sql: `SELECT
    schemaname,
    relname AS tablename,
    indexrelname AS indexname,
    pg_size_pretty(pg_relation_size(indexrelid)) AS index_size,
    idx_scan AS index_scans,
    idx_tup_read AS tuples_read,
    idx_tup_fetch AS tuples_fetched
FROM pg_stat_user_indexes
WHERE relname = 'executions'
ORDER BY pg_relation_size(indexrelid) DESC;`,
    params: () => [],
    why: 'pg_stat_user_indexes has no tablename or indexname columns (those belong to pg_indexes); its columns are relname and indexrelname. The query also shows sizes and scan counts only, not bloat.',
  },
  expect: {},
  thresholds: null,
});
