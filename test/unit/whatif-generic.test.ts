// Generic-plan logic: the SQL an application prepares, and why a generic plan loses a partial index.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainGenericLoss, predicateOf, toApplicationForm } from '../../src/whatif/generic-plans.ts';

describe('toApplicationForm', () => {
  it('binds the status literal of the WHERE clause as the next parameter', () => {
    const app = toApplicationForm("SELECT * FROM executions\nWHERE tenant_id = $1 AND environment_id = $2 AND normalized_status = 'error'\nORDER BY started_at DESC LIMIT 10;", 2);
    assert.match(app.sql, /normalized_status = \$3\n/);
    assert.deepEqual(app.extraParams, ['error']);
    assert.deepEqual(app.boundLiterals, ["normalized_status = 'error'"]);
  });
  it('leaves literals inside FILTER (WHERE ...) alone: they are the query\'s meaning, not bound values', () => {
    const sql = "SELECT COUNT(*) FILTER (WHERE normalized_status = 'success') FROM executions WHERE tenant_id = $1";
    const app = toApplicationForm(sql, 1);
    assert.equal(app.sql, sql);
    assert.deepEqual(app.extraParams, []);
  });
});

describe('explainGenericLoss', () => {
  const indexes = [
    { name: 'idx_failed', definition: "CREATE INDEX idx_failed ON s.executions USING btree (tenant_id, environment_id, started_at DESC) WHERE (normalized_status = 'error'::text)", sizeBytes: 1, isPrimary: false },
    { name: 'idx_full', definition: 'CREATE INDEX idx_full ON s.executions USING btree (tenant_id)', sizeBytes: 1, isPrimary: false },
  ];
  it('names the partial index whose predicate names the bound literal', () => {
    const why = explainGenericLoss(['idx_failed'], [], ["normalized_status = 'error'"], indexes);
    assert.match(why!, /^idx_failed is partial \(WHERE normalized_status = 'error'\); with normalized_status = 'error' bound as a parameter a generic plan must be valid for any value/);
  });
  it('says nothing when the generic plan keeps the index, and blames estimates for a full index', () => {
    assert.equal(explainGenericLoss(['idx_full'], ['idx_full'], [], indexes), undefined);
    assert.match(explainGenericLoss(['idx_full'], [], [], indexes)!, /estimates/);
    assert.equal(predicateOf(indexes[1]!.definition), undefined);
  });
});
