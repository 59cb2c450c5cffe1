// The variant loader: the shipped variants load; a bad variant file gets one line naming the file and the line.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { loadVariants, parseVariantFile, VariantError } from '../../src/whatif/variants.ts';

const FILE = 'schema/variants/x/001.sql';

function failure(sql: string, first = true): VariantError {
  try {
    parseVariantFile(FILE, sql, first);
  } catch (error) {
    assert.ok(error instanceof VariantError, String(error));
    return error;
  }
  assert.fail('expected a VariantError');
}

describe('variant files', () => {
  it('parses statements with the why in force, their line and the mode', () => {
    const parsed = parseVariantFile(FILE, [
      '-- execbench-variant: replace',
      '-- why: first reason.',
      'CREATE INDEX a ON executions (tenant_id);',
      '',
      '-- why: second reason.',
      'DROP INDEX b;',
      'CREATE UNIQUE INDEX c',
      'ON executions (id);',
    ].join('\n'), true);
    assert.equal(parsed.mode, 'replace');
    assert.deepEqual(parsed.statements.map((s) => [s.kind, s.index, s.why, s.line]),
      [['create', 'a', 'first reason.', 3], ['drop', 'b', 'second reason.', 6], ['create', 'c', 'second reason.', 7]]);
  });

  it('a statement that is not CREATE INDEX or DROP INDEX names the file and its line', () => {
    const e = failure('-- why: x.\nCREATE INDEX a ON executions (tenant_id);\n\nSELECT 1;\n');
    assert.equal(e.line, 4);
    assert.match(e.message, /^Invalid variant file schema\/variants\/x\/001\.sql line 4: expected CREATE \[UNIQUE\] INDEX/);
    assert.doesNotMatch(e.message, /\n/);
    assert.ok(e instanceof UsageError, 'bad input: exit 3');
  });

  it('a statement without a why, an index on another table, CONCURRENTLY and a misplaced directive are refused', () => {
    assert.match(failure('CREATE INDEX a ON executions (x);').message, /line 1: expected a "-- why: <one sentence>" comment/);
    assert.match(failure('-- why: x.\n\nCREATE INDEX a ON other (x);').message, /line 3: a variant may only index executions/);
    assert.match(failure('-- why: x.\nCREATE INDEX CONCURRENTLY a ON executions (x);').message, /line 2: CONCURRENTLY cannot run inside the transaction/);
    assert.match(failure('-- execbench-variant: replace\n', false).message, /line 1: the "-- execbench-variant:" directive may appear once, in the first file/);
    assert.match(failure('-- execbench-variant: swap\n').message, /line 1: expected "-- execbench-variant: extend", "replace" or "table", found 'swap'/);
    assert.match(failure('-- why: x.\nDROP INDEX a;\nDROP INDEX a;').message, /line 3: drops a a second time/);
  });
});

describe('loadVariants', () => {
  it('loads the shipped spec and recommended variants; every recommended change has a why', () => {
    const [spec, recommended] = loadVariants(['spec', 'recommended']);
    assert.equal(spec!.mode, 'extend');
    assert.equal(spec!.statements.length, 0, 'spec is the schema as written');
    assert.ok(recommended!.statements.length >= 5);
    for (const s of recommended!.statements) assert.ok(s.why.length > 20, `${s.index}: ${s.why}`);
    assert.ok(recommended!.statements.some((s) => s.kind === 'drop' && s.index === 'idx_executions_tenant_started_asc'));
  });

  it('an unknown variant lists those that exist; a bad file in a user folder names file and line', () => {
    assert.throws(() => loadVariants(['nope']), (e: Error) => e instanceof UsageError && /Unknown variant 'nope'.*Available: .*recommended.*spec/.test(e.message));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'execbench-variants-'));
    mkdirSync(path.join(dir, 'mine'));
    writeFileSync(path.join(dir, 'mine', '001-a.sql'), '-- why: fine.\nCREATE INDEX a ON executions (tenant_id);\n');
    writeFileSync(path.join(dir, 'mine', '002-b.sql'), '-- why: fine.\nCREATE INDEX b ON executions (tenant_id);\nVACUUM executions;\n');
    mkdirSync(path.join(dir, 'empty'));
    assert.throws(() => loadVariants(['mine'], dir), (e: Error) => e instanceof VariantError && /002-b\.sql line 3: expected CREATE/.test(e.message) && !e.message.includes('\n'));
    assert.throws(() => loadVariants(['empty'], dir), /has no \.sql file/);
  });
});
