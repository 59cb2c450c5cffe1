// Pure parts of run --table: the document's indexes against a user's catalog rows, table names, retargeted SQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexCatalogRow } from '../../src/audit/types.ts';
import { mapIndexes, normalizePredicate, parseDocumentedIndexes, translateExpectedIndexes } from '../../src/target/index-map.ts';
import { missingColumnOf, resolveTableRef, retargetSql } from '../../src/target/table.ts';
import { UsageError } from '../../src/errors.ts';

/** A btree catalog row as readIndexes() builds it: `cols` like ['tenant_id', 'started_at DESC']. */
function row(name: string, cols: string[], predicate: string | null = null, unique = false): IndexCatalogRow {
  return {
    name, accessMethod: 'btree', isUnique: unique, isPrimary: false, enforcesConstraint: false, isValid: true, predicate,
    definition: `CREATE INDEX ${name} ...`,
    columns: cols.map((c) => {
      const desc = / DESC$/.test(c);
      return { expression: c.replace(/ DESC$/, ''), key: true, descending: desc, nullsFirst: desc, opclass: 'uuid_ops', collation: null };
    }),
  };
}

const DOCUMENT = `
CREATE TABLE executions (id uuid NOT NULL, CONSTRAINT executions_pkey PRIMARY KEY (id));
-- a comment
CREATE INDEX idx_list ON executions(tenant_id, environment_id, started_at DESC) WHERE started_at IS NOT NULL;
CREATE INDEX idx_failed ON executions(tenant_id, environment_id, started_at DESC) WHERE normalized_status = 'error';
CREATE INDEX idx_asc ON executions(tenant_id, started_at ASC) WHERE started_at IS NOT NULL;
CREATE UNIQUE INDEX idx_unique ON executions(tenant_id, environment_id, execution_id) WHERE execution_id IS NOT NULL;
`;

describe('index map', () => {
  const documented = parseDocumentedIndexes(DOCUMENT);

  it('reads every CREATE INDEX and the primary key, with directions, predicates and uniqueness', () => {
    assert.deepEqual(documented.map((d) => d.name), ['executions_pkey', 'idx_list', 'idx_failed', 'idx_asc', 'idx_unique']);
    assert.deepEqual(documented[1]!.keys, [{ column: 'tenant_id', descending: false }, { column: 'environment_id', descending: false }, { column: 'started_at', descending: true }]);
    assert.equal(documented[2]!.predicate, "normalized_status = 'error'");
    assert.equal(documented[4]!.unique, true);
  });

  it('normalises the catalog\'s deparsed predicates to the document\'s text', () => {
    assert.equal(normalizePredicate("(normalized_status = 'error'::text)"), normalizePredicate("normalized_status = 'error'"));
    assert.equal(normalizePredicate('((a IS NOT NULL) AND (b IS NOT NULL))'), normalizePredicate('a IS NOT NULL AND b IS NOT NULL'));
    assert.notEqual(normalizePredicate('(started_at IS NOT NULL)'), normalizePredicate("normalized_status = 'error'"));
  });

  it('matches by definition, not name: same, reversed, differs in predicate or uniqueness, missing, extra', () => {
    const theirs = [
      row('executions_pkey', ['id'], null, true),
      row('my_list', ['tenant_id', 'environment_id', 'started_at DESC'], '(started_at IS NOT NULL)'),
      row('my_time_desc', ['tenant_id DESC', 'started_at DESC'], '(started_at IS NOT NULL)'),
      row('my_engine', ['tenant_id', 'environment_id', 'execution_id'], '(execution_id IS NOT NULL)'),
      row('my_running', ['tenant_id', 'started_at'], "(normalized_status = 'running'::text)"),
    ];
    const map = mapIndexes(documented, theirs);
    const m = (name: string) => map.entries.find((e) => e.documented === name)!;
    assert.deepEqual([m('idx_list').match, m('idx_list').theirs], ['same', 'my_list']);
    assert.deepEqual([m('idx_asc').match, m('idx_asc').theirs], ['reversed', 'my_time_desc']);
    assert.deepEqual([m('idx_unique').match, m('idx_unique').theirs], ['differs-unique', 'my_engine']);
    assert.match(m('idx_unique').note, /cannot be an ON CONFLICT arbiter/);
    // my_list is exactly idx_list: it does not also stand, under another WHERE, for the failed-executions index.
    assert.equal(m('idx_failed').match, 'missing');
    assert.deepEqual(map.extra.map((x) => x.name), ['my_running']);
  });

  it('an index that is no documented one exactly stands for one with the same keys under another WHERE', () => {
    const map = mapIndexes(documented, [row('my_all', ['tenant_id', 'environment_id', 'started_at DESC'])]);
    const list = map.entries.find((e) => e.documented === 'idx_list')!;
    assert.equal(list.match, 'differs-predicate');
    assert.match(list.note, /my_all has no WHERE clause; the document's has WHERE started_at IS NOT NULL/);
  });

  it('translates a contract\'s expected indexes and returns the documented ones the table lacks', () => {
    const map = mapIndexes(documented, [row('my_list', ['tenant_id', 'environment_id', 'started_at DESC'], '(started_at IS NOT NULL)')]);
    assert.deepEqual(translateExpectedIndexes(['idx_list', 'team_own_index'], map).indexes, ['my_list', 'team_own_index']);
    const failed = translateExpectedIndexes(['idx_failed'], map);
    assert.deepEqual([failed.indexes, failed.missing.map((e) => e.documented)], [[], ['idx_failed']]);
  });
});

describe('table references and SQL', () => {
  it('--table and --schema resolve to a schema and a table; conflicting or empty ones are refused', () => {
    assert.deepEqual(resolveTableRef('app.runs', undefined), { schema: 'app', table: 'runs' });
    assert.deepEqual(resolveTableRef('Runs', 'App'), { schema: 'app', table: 'runs' });
    assert.deepEqual(resolveTableRef(undefined, 'app'), { schema: 'app', table: 'executions' });
    assert.deepEqual(resolveTableRef('"MyRuns"', undefined), { schema: 'public', table: 'MyRuns' });
    assert.throws(() => resolveTableRef('app.runs', 'other'), UsageError);
    assert.throws(() => resolveTableRef('', undefined), /--table was given no value/);
    assert.throws(() => resolveTableRef('a;drop', undefined), /Invalid --table 'a;drop'/);
  });

  it('retargets the document\'s SQL to a table of another name, in FROM, INTO, UPDATE and relname literals', () => {
    const sql = "DELETE FROM executions WHERE id IN (SELECT id FROM executions LIMIT 1); SELECT 1 FROM pg_stat_user_indexes WHERE relname = 'executions'";
    assert.equal(retargetSql(sql, 'runs'), "DELETE FROM runs WHERE id IN (SELECT id FROM runs LIMIT 1); SELECT 1 FROM pg_stat_user_indexes WHERE relname = 'runs'");
    assert.equal(retargetSql('INSERT INTO executions (id) VALUES (1)', 'Runs'), 'INSERT INTO "Runs" (id) VALUES (1)');
    assert.equal(retargetSql(sql, 'executions'), sql);
  });

  it('a missing column is the table\'s only when the document\'s table has it', () => {
    const documentedColumns = ['duration_ms', 'workflow_name'];
    const theirs = ['id'];
    assert.equal(missingColumnOf({ code: '42703', message: 'column "duration_ms" does not exist' }, theirs, documentedColumns), 'duration_ms');
    assert.equal(missingColumnOf({ code: '42703', message: 'column "workflow_name" of relation "executions" does not exist' }, theirs, documentedColumns), 'workflow_name');
    assert.equal(missingColumnOf({ code: '42703', message: 'column "tablename" does not exist' }, theirs, documentedColumns), undefined, 'the document\'s own mistake');
    assert.equal(missingColumnOf({ code: '42601', message: 'syntax error' }, theirs, documentedColumns), undefined);
  });
});
