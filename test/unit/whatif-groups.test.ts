// Findings that share one cause are grouped, naming the cause once, the scenarios, and the change that removes it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, ScenarioResult } from '../../src/results.ts';
import { groupFindings, sqlChange, unimpliedConjuncts } from '../../src/whatif/finding-groups.ts';
import type { SchemaVariant } from '../../src/whatif/types.ts';

const PAGINATION_DEF = 'CREATE INDEX idx_p ON s.executions USING btree (tenant_id, started_at DESC) WHERE (started_at IS NOT NULL)';
const STATUS_DEF = 'CREATE INDEX idx_s ON s.executions USING btree (tenant_id, normalized_status, started_at DESC) WHERE ((normalized_status IS NOT NULL) AND (started_at IS NOT NULL))';
const indexes = [
  { name: 'idx_p', definition: PAGINATION_DEF, sizeBytes: 1, isPrimary: false },
  { name: 'idx_s', definition: STATUS_DEF, sizeBytes: 1, isPrimary: false },
];

function res(id: string, form: 'documented' | 'corrected', sql: string, outcome: ScenarioResult['outcome'], index: string): ScenarioResult {
  return { scenarioId: id, title: id, spec: '§2', kind: 'read', scale: '100k', form, gated: form === 'corrected', sql, params: [], expectedIndexes: [index], outcome, durationMs: 1 };
}
const missed = (index: string): ScenarioResult['outcome'] => ({ status: 'failed', violations: [{ kind: 'index-not-used', index, message: `expected ${index}` }] });
const finding = (id: string): Finding => ({ id, severity: 'error', spec: '§2', title: `${id}: the documented index is not used`, detail: '', scenarioId: id, scale: '100k, 1m' });

const reference = [
  res('listing', 'documented', 'SELECT * FROM executions WHERE tenant_id = $1 ORDER BY started_at DESC', missed('idx_p'), 'idx_p'),
  res('listing', 'corrected', 'SELECT * FROM executions WHERE tenant_id = $1 AND started_at IS NOT NULL ORDER BY started_at DESC', { status: 'passed' }, 'idx_p'),
  res('status-a', 'documented', "SELECT * FROM executions WHERE tenant_id = $1 AND normalized_status = 'a' ORDER BY started_at DESC", missed('idx_s'), 'idx_s'),
  res('status-a', 'corrected', "SELECT * FROM executions WHERE tenant_id = $1 AND normalized_status = 'a' AND started_at IS NOT NULL ORDER BY started_at DESC", { status: 'passed' }, 'idx_s'),
  res('status-b', 'documented', "SELECT * FROM executions WHERE tenant_id = $1 AND normalized_status = 'b' ORDER BY started_at DESC", missed('idx_s'), 'idx_s'),
  res('upsert', 'documented', 'INSERT ...', { status: 'failed', violations: [{ kind: 'sql-error', message: 'syntax error: near "LIMIT" (at character 12)' }] }, 'idx_u'),
];

describe('groupFindings', () => {
  it('the same missing predicate across a listing and two status filters is one cause, with the query change and the index-set change', () => {
    const variant: SchemaVariant = { name: 'recommended', mode: 'extend', files: [], statements: [
      { kind: 'create', index: 'idx_p', sql: 'CREATE INDEX idx_p ...', why: 'No predicate.', file: 'f', line: 1 },
      { kind: 'create', index: 'idx_s', sql: 'CREATE INDEX idx_s ...', why: 'Half the predicate.', file: 'f', line: 2 },
    ] };
    const comparison: ScenarioResult[] = reference.filter((r) => r.form === 'documented' && r.scenarioId !== 'upsert').map((r): ScenarioResult => ({ ...r, outcome: { status: 'passed' } }))
      .concat([{ ...reference[5]! }]);
    const groups = groupFindings({ findings: ['listing', 'status-a', 'status-b', 'upsert'].map(finding), reference, indexes, comparison: { variant, results: comparison } });
    assert.equal(groups.length, 2);
    const predicate = groups.find((g) => g.cause.includes('started_at IS NOT NULL'))!;
    assert.match(predicate.cause, /does not imply "started_at IS NOT NULL"/);
    assert.deepEqual(predicate.scenarios, ['listing', 'status-a', 'status-b']);
    assert.equal(predicate.findings, 3);
    assert.deepEqual(predicate.scales, ['100k', '1m']);
    assert.match(predicate.queryFix!, /add "AND started_at IS NOT NULL"/);
    assert.match(predicate.indexFix!, /recommended.*idx_p: No predicate\..*idx_s: Half the predicate\./);
    const sql = groups.find((g) => g.scenarios.includes('upsert'))!;
    assert.match(sql.cause, /not valid here: syntax error: near "LIMIT"$/, 'position stripped');
    assert.equal(sql.needsCorrectedSql, true);
    assert.equal(sql.indexFix, undefined);
  });

  it('no index-set change is claimed when the comparison variant does not fix every affected scenario', () => {
    const variant: SchemaVariant = { name: 'mine', mode: 'extend', files: [], statements: [] };
    const groups = groupFindings({ findings: ['listing'].map(finding), reference, indexes, comparison: { variant, results: [reference[0]!] } });
    assert.equal(groups[0]!.indexFix, undefined);
  });
});

describe('sqlChange and unimpliedConjuncts', () => {
  it('describes an added condition, and which predicate halves a query implies', () => {
    assert.equal(sqlChange('WHERE a = 1\nORDER BY b', 'WHERE a = 1 AND b IS NOT NULL\nORDER BY b'), 'add "AND b IS NOT NULL"');
    assert.equal(sqlChange('x'.repeat(100), 'y'.repeat(200)), 'rewrite it as the corrected form');
    assert.deepEqual(unimpliedConjuncts('(normalized_status IS NOT NULL) AND (started_at IS NOT NULL)', "WHERE normalized_status = 'x'"), ['started_at IS NOT NULL']);
    assert.deepEqual(unimpliedConjuncts('started_at IS NOT NULL', 'WHERE started_at < $2'), []);
  });
});
