import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describeIndexShape, findDuplicateIndexes, findRedundantIndexes } from '../../src/audit/compare-indexes.ts';
import type { IndexCatalogRow, IndexColumnRow } from '../../src/audit/types.ts';

// Catalog rows read by readIndexes() from schema/001 + schema/002 on PostgreSQL 17 (the spec's nine indexes).
const specCatalog: IndexCatalogRow[] = JSON.parse(
  readFileSync(new URL('../fixtures/audit/spec-index-catalog.json', import.meta.url), 'utf8'),
);

function column(expression: string, options: Partial<IndexColumnRow> = {}): IndexColumnRow {
  const descending = options.descending ?? false;
  return {
    expression,
    key: true,
    descending,
    nullsFirst: descending,
    opclass: expression.endsWith('_at') ? 'timestamptz_ops' : 'uuid_ops',
    collation: null,
    ...options,
  };
}

function index(name: string, columns: IndexColumnRow[], options: Partial<IndexCatalogRow> = {}): IndexCatalogRow {
  return {
    name,
    accessMethod: 'btree',
    isUnique: false,
    isPrimary: false,
    enforcesConstraint: false,
    isValid: true,
    columns,
    predicate: null,
    definition: `CREATE INDEX ${name} ...`,
    ...options,
  };
}

const notNull = '(started_at IS NOT NULL)';

test('the spec catalog yields exactly one duplicate pair: tenant_started_asc and retention_cleanup', () => {
  const groups = findDuplicateIndexes(specCatalog);
  assert.equal(groups.length, 1);
  assert.deepEqual(groups[0]!.indexes, ['idx_executions_retention_cleanup', 'idx_executions_tenant_started_asc']);
  assert.equal(groups[0]!.sharedDefinition, 'btree (tenant_id, started_at) WHERE (started_at IS NOT NULL)');
  assert.equal(groups[0]!.uniquenessDiffers, false);
});

test('the spec catalog has no redundant prefix index', () => {
  assert.deepEqual(findRedundantIndexes(specCatalog), []);
});

test('the duplicate to keep is the one the planner used during the run', () => {
  const groups = findDuplicateIndexes(specCatalog, { idx_executions_tenant_started_asc: 12, idx_executions_retention_cleanup: 0 });
  assert.equal(groups[0]!.keep, 'idx_executions_tenant_started_asc');
  assert.deepEqual(groups[0]!.drop, ['idx_executions_retention_cleanup']);
});

test('names play no part: two differently named indexes with the same columns and predicate are duplicates', () => {
  const groups = findDuplicateIndexes([
    index('a_sparkline', [column('tenant_id'), column('started_at')], { predicate: notNull }),
    index('z_cleanup', [column('tenant_id'), column('started_at')], { predicate: notNull }),
  ]);
  assert.deepEqual(groups.map((g) => g.indexes), [['a_sparkline', 'z_cleanup']]);
});

test('a different sort direction makes two indexes distinct', () => {
  const groups = findDuplicateIndexes([
    index('asc', [column('tenant_id'), column('started_at')], { predicate: notNull }),
    index('desc', [column('tenant_id'), column('started_at', { descending: true })], { predicate: notNull }),
  ]);
  assert.deepEqual(groups, []);
});

test('a different NULLS order, opclass, predicate or include list makes two indexes distinct', () => {
  const base = [column('tenant_id'), column('started_at')];
  const variants: IndexCatalogRow[] = [
    index('base', base, { predicate: notNull }),
    index('nulls_first', [column('tenant_id'), column('started_at', { nullsFirst: true })], { predicate: notNull }),
    index('other_opclass', [column('tenant_id', { opclass: 'other_ops' }), column('started_at')], { predicate: notNull }),
    index('other_predicate', base, { predicate: "(normalized_status = 'error'::text)" }),
    index('no_predicate', base),
    index('with_include', [...base, { ...column('duration_ms'), key: false, opclass: null }], { predicate: notNull }),
  ];
  assert.deepEqual(findDuplicateIndexes(variants), []);
});

test('a unique and a plain index with the same definition are duplicates and the unique one is kept', () => {
  const groups = findDuplicateIndexes([
    index('plain', [column('tenant_id'), column('environment_id')]),
    index('unique_one', [column('tenant_id'), column('environment_id')], { isUnique: true }),
  ]);
  assert.equal(groups[0]!.keep, 'unique_one');
  assert.deepEqual(groups[0]!.drop, ['plain']);
  assert.equal(groups[0]!.uniquenessDiffers, true);
});

test('an invalid index (failed CREATE INDEX CONCURRENTLY) is not compared', () => {
  const groups = findDuplicateIndexes([
    index('good', [column('tenant_id')]),
    index('broken', [column('tenant_id')], { isValid: false }),
  ]);
  assert.deepEqual(groups, []);
});

test('an index whose columns lead another with the same directions and predicate text is redundant', () => {
  const found = findRedundantIndexes([
    index('idx_tenant_env', [column('tenant_id'), column('environment_id')], { predicate: notNull }),
    index('idx_tenant_env_started', [column('tenant_id'), column('environment_id'), column('started_at', { descending: true })], { predicate: notNull }),
  ]);
  assert.deepEqual(found, [{ index: 'idx_tenant_env', coveredBy: 'idx_tenant_env_started', prefixColumns: 2 }]);
});

test('a prefix with another predicate text is not called redundant, even when it might be implied', () => {
  const found = findRedundantIndexes([
    index('idx_tenant_env', [column('tenant_id'), column('environment_id')], { predicate: "(normalized_status = 'error'::text)" }),
    index('idx_tenant_env_started', [column('tenant_id'), column('environment_id'), column('started_at')], { predicate: notNull }),
  ]);
  assert.deepEqual(found, []);
});

test('a prefix whose direction differs, or that is not leading, is not redundant', () => {
  const found = findRedundantIndexes([
    index('started_desc', [column('started_at', { descending: true })]),
    index('started_tenant', [column('started_at'), column('tenant_id')]),
    index('env_only', [column('environment_id')]),
    index('tenant_env', [column('tenant_id'), column('environment_id')]),
  ]);
  assert.deepEqual(found, []);
});

test('a unique prefix index is never redundant: it enforces a rule the longer index does not', () => {
  const found = findRedundantIndexes([
    index('uniq_tenant_env', [column('tenant_id'), column('environment_id')], { isUnique: true }),
    index('tenant_env_started', [column('tenant_id'), column('environment_id'), column('started_at')]),
  ]);
  assert.deepEqual(found, []);
});

test('a prefix index with an INCLUDE column the longer index lacks is not redundant', () => {
  const found = findRedundantIndexes([
    index('tenant_inc_duration', [column('tenant_id'), { ...column('duration_ms'), key: false, opclass: null }]),
    index('tenant_started', [column('tenant_id'), column('started_at')]),
  ]);
  assert.deepEqual(found, []);
});

test('the shortest covering index is named when several longer ones share the prefix', () => {
  const found = findRedundantIndexes([
    index('t', [column('tenant_id')]),
    index('t_e_s', [column('tenant_id'), column('environment_id'), column('started_at')]),
    index('t_e', [column('tenant_id'), column('environment_id')]),
  ]);
  assert.deepEqual(found.map((r) => [r.index, r.coveredBy]), [['t', 't_e'], ['t_e', 't_e_s']]);
});

test('describeIndexShape writes DESC and non-default NULLS order the way CREATE INDEX does', () => {
  const shape = describeIndexShape(index('x', [
    column('tenant_id'),
    column('started_at', { descending: true }),
    column('finished_at', { descending: true, nullsFirst: false }),
    column('created_at', { nullsFirst: true }),
  ], { predicate: notNull }));
  assert.equal(shape, 'btree (tenant_id, started_at DESC, finished_at DESC NULLS LAST, created_at NULLS FIRST) WHERE (started_at IS NOT NULL)');
});
