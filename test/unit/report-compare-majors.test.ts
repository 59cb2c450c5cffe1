// The cross-major comparison (run --pg-major 14,17,18): verdicts side by side, differences in words.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compareMajors, renderMajorComparison, renderMajorComparisonMarkdown } from '../../src/report/compare-majors.ts';
import type { RunResults } from '../../src/results.ts';

const small = readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8');
function onMajor(major: number): RunResults {
  const r = JSON.parse(small) as RunResults;
  r.environment.postgres.versionNum = major * 10000 + 3;
  r.environment.postgres.version = `${major}.3`;
  r.runId = `run-pg${major}`;
  return r;
}
const passedIndexScan = (r: RunResults) => r.scenarios.find((s) => s.outcome.status === 'passed' && (s.plan?.indexes.length ?? 0) > 0 &&
  !s.plan!.indexes.some((u) => u.index === 'idx_executions_tenant_env_started'))!;

test('identical runs on two majors: every form side by side, no differences', () => {
  const comparison = compareMajors([onMajor(14), onMajor(17)]);
  assert.deepEqual(comparison.majors.map((m) => m.major), [14, 17]);
  assert.equal(comparison.rows.length, onMajor(14).scenarios.length);
  assert.ok(comparison.rows.every((r) => r.differences.length === 0 && r.cells[14] && r.cells[17]));
  assert.match(renderMajorComparison(comparison), /No plan, index, verdict, finding or headline differs between these majors\./);
});

test('PG 18 choosing another index by skip scan is called out with the index, the buffers and the searches', () => {
  const pg18 = onMajor(18);
  const form = passedIndexScan(pg18);
  form.plan!.indexes = [{ ...form.plan!.indexes[0]!, index: 'idx_executions_tenant_env_started' }];
  form.planJson = [{ Plan: { 'Node Type': 'Index Scan', 'Index Name': 'idx_executions_tenant_env_started', 'Index Cond': '(tenant_id = $1)', 'Index Searches': 3, 'Actual Loops': 1 } }];
  const comparison = compareMajors([onMajor(14), pg18]);
  const row = comparison.rows.find((r) => r.scenarioId === form.scenarioId && r.scale === form.scale && r.form === form.form)!;
  assert.match(row.differences.join('\n'), /^indexes differ \(14: .+; 18: idx_executions_tenant_env_started, \d+ buffers\)$/m);
  assert.match(row.differences.join('\n'), /Postgres 18 reads idx_executions_tenant_env_started by skip scan \(3 index searches in one scan/);
  assert.equal(comparison.rows.filter((r) => r.differences.length > 0).length, 1);
});

test('a threshold that flips alone is a timing difference; a contract that flips is a verdict difference', () => {
  const pg17 = onMajor(17);
  const [a, b] = pg17.scenarios.filter((s) => s.outcome.status === 'passed');
  a!.outcome = { status: 'failed', violations: [{ kind: 'threshold', message: 'p95 over' }] };
  b!.outcome = { status: 'failed', violations: [{ kind: 'seq-scan', message: 'Seq Scan on executions' }] };
  const rows = compareMajors([onMajor(14), pg17]).rows;
  const find = (s: typeof a) => rows.find((r) => r.scenarioId === s!.scenarioId && r.scale === s!.scale && r.form === s!.form)!;
  assert.match(find(a).differences[0]!, /^latency threshold met on some majors only \(client p95: 14: [\d.]+ ms; 17: [\d.]+ ms over\); timing only, the plans agree$/);
  assert.equal(find(b).differences[0], 'verdict differs (14: pass; 17: FAIL seq-scan)');
});

test('a finding reported on one major only, and a headline that holds on one major only, are listed', () => {
  const pg18 = onMajor(18);
  const dropped = pg18.findings.shift()!;
  pg18.headline[0]!.passed = !pg18.headline[0]!.passed;
  const comparison = compareMajors([onMajor(14), pg18]);
  assert.deepEqual(comparison.findings.map((f) => [f.id, f.on, f.missingOn]), [[dropped.id, [14], [18]]]);
  assert.equal(comparison.headline.length, 1);
  const markdown = renderMajorComparisonMarkdown(comparison);
  assert.match(markdown, /^\| scenario \| scale \| form \| PG 14\.3 \| PG 18\.3 \| differs \|$/m);
  assert.ok(markdown.includes(`- finding ${dropped.id} `));
});
