import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SchemaError } from '../../src/errors.ts';
import { readSchemaPlan, SCHEMA_DIR, splitStatements } from '../../src/seed/schema-files.ts';

const none = { coveringIndex: false, dailyStats: false };

test('splitStatements keeps dollar-quoted function bodies whole', () => {
  const statements = splitStatements(readFileSync(join(SCHEMA_DIR, '003-functions.sql'), 'utf8'));
  assert.equal(statements.length, 2);
  assert.match(statements[0]!.sql, /CREATE FUNCTION upsert_execution[\s\S]*RETURNING e\.id;\s*\$\$;$/);
  assert.match(statements[1]!.sql, /CREATE FUNCTION cleanup_old_executions[\s\S]*END;\s*\$\$;$/);
});

test('splitStatements finds the 8 spec indexes and the line each starts on', () => {
  const sql = readFileSync(join(SCHEMA_DIR, '002-spec-indexes.sql'), 'utf8');
  const statements = splitStatements(sql);
  assert.equal(statements.length, 8);
  const lines = sql.split('\n');
  for (const s of statements) assert.match(lines[s.codeLine - 1]!, /^CREATE (UNIQUE )?INDEX /);
});

test('splitStatements ignores semicolons in strings and comments', () => {
  const statements = splitStatements("-- a; comment\nSELECT 'a;b', \"x;y\" /* c; */;\nSELECT 2;\n-- trailing only\n");
  assert.deepEqual(statements.map((s) => s.codeLine), [2, 3]);
});

test('the schema checksum covers the optional parts a request applies', () => {
  const base = readSchemaPlan({ optional: none });
  const covering = readSchemaPlan({ optional: { coveringIndex: true, dailyStats: false } });
  const both = readSchemaPlan({ optional: { coveringIndex: true, dailyStats: true } });
  assert.equal(base.functions.map((f) => f.name).join(), 'schema/003-functions.sql');
  assert.equal(base.table.name, 'schema/001-executions-table.sql');
  assert.equal(readSchemaPlan({ optional: none }).checksum, base.checksum);
  assert.notEqual(covering.checksum, base.checksum);
  assert.notEqual(both.checksum, covering.checksum);
});

test('a changed schema file changes the checksum', () => {
  const dir = mkdtempSync(join(tmpdir(), 'execbench-schema-'));
  const copy = join(dir, 'schema');
  cpSync(SCHEMA_DIR, copy, { recursive: true });
  const before = readSchemaPlan({ optional: none }, copy).checksum;
  writeFileSync(join(copy, '002-spec-indexes.sql'), `${readFileSync(join(copy, '002-spec-indexes.sql'), 'utf8')}\n-- edited\n`);
  assert.notEqual(readSchemaPlan({ optional: none }, copy).checksum, before);
});

test('a missing schema file is a SchemaError naming it', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'execbench-schema-')), 'schema');
  mkdirSync(dir);
  writeFileSync(join(dir, '001-executions-table.sql'), 'CREATE TABLE executions (id uuid);');
  assert.throws(() => readSchemaPlan({ optional: none }, dir),
    (e: unknown) => e instanceof SchemaError && e.file === 'schema/002-spec-indexes.sql' && e.message.includes('002-spec-indexes.sql'));
});
