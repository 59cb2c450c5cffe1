// checkAnswer: ClickHouse answers against PostgreSQL's, from hand-made rows with known differences.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkAnswer, distributionLevels, RESERVOIR_SIZE, rankTolerance, timeMs } from '../../src/clickhouse/check-answer.ts';
import type { AnswerCheck } from '../../src/clickhouse/define.ts';

const rowsCheck: AnswerCheck = { kind: 'rows', key: 'id', sums: ['duration_ms'], time: 'started_at' };
const pgRows = [
  { id: 'a', duration_ms: 10, started_at: new Date('2026-10-30T12:00:00.250Z') },
  { id: 'b', duration_ms: null, started_at: new Date('2026-10-30T12:00:00.750Z') },
  { id: 'c', duration_ms: 5, started_at: new Date('2026-10-30T12:00:01.000Z') },
];
const chRows = [
  { id: 'a', duration_ms: 10, started_at: '2026-10-30 12:00:00.250' },
  { id: 'b', duration_ms: null, started_at: '2026-10-30 12:00:00.750' },
  { id: 'c', duration_ms: '5', started_at: '2026-10-30 12:00:01.000' },
];

describe('rows answers', () => {
  test('the same rows, counts and sums -> passed, naming what was compared', () => {
    const r = checkAnswer(rowsCheck, chRows, pgRows, 1);
    assert.equal(r.status, 'passed', r.mismatches.join('; '));
    assert.match(r.compared, /3 rows: count, sum\(duration_ms\) and the same ids/);
  });
  test('one row missing -> failed with the count and the sum', () => {
    const r = checkAnswer(rowsCheck, chRows.slice(1), pgRows, 1);
    assert.equal(r.status, 'failed');
    assert.ok(r.mismatches.some((m) => m === '2 rows, PostgreSQL 3'));
    assert.ok(r.mismatches.some((m) => m.startsWith('sum(duration_ms) 5, PostgreSQL 15')));
  });
  test('another id with the same count and sum -> failed naming the id', () => {
    const r = checkAnswer(rowsCheck, [{ ...chRows[0]!, id: 'z' }, chRows[1]!, chRows[2]!], pgRows, 1);
    assert.equal(r.status, 'failed');
    assert.match(r.mismatches.join(), /ids PostgreSQL did not return, e\.g\. z/);
  });
  test('whole-second copy (ClickHouse 18.16): ties may swap ids, seconds must still agree', () => {
    const seconds = chRows.map((r) => ({ ...r, started_at: r.started_at.slice(0, 19) }));
    const swapped = [{ ...seconds[1]!, id: 'a' }, { ...seconds[0]!, id: 'b' }, seconds[2]!];
    assert.equal(checkAnswer(rowsCheck, swapped, pgRows, 1000).status, 'passed');
    const shifted = [seconds[0]!, seconds[1]!, { ...seconds[2]!, started_at: '2026-10-30 12:00:02' }];
    const r = checkAnswer(rowsCheck, shifted, pgRows, 1000);
    assert.equal(r.status, 'failed');
    assert.match(r.mismatches[0]!, /differs at row 3/);
  });
});

const groupsCheck: AnswerCheck = {
  kind: 'groups', key: ['environment_id', 'date'], exact: ['total_executions'],
  quantiles: [{ column: 'p95', level: 0.95 }], distribution: { sql: 'unused here', params: [] },
};

describe('grouped answers and quantiles', () => {
  const pg = [{ environment_id: 'E1', date: '2026-10-30', total_executions: '100', p95: 95.05 }];
  const dist = (n: number, exact: number, low: number, high: number) => [{ environment_id: 'E1', date: '2026-10-30', n: String(n), at: [exact, low, high] }];
  test('a small group (all values in the reservoir) must match PERCENTILE_CONT exactly', () => {
    const ok = checkAnswer(groupsCheck, [{ environment_id: 'e1', date: '2026-10-30', total_executions: 100, p95: 95.05 }], pg, 1, dist(100, 95.05, 95.05, 95.05));
    assert.equal(ok.status, 'passed', ok.mismatches.join());
    assert.match(ok.compared, /1 group: 1 counts equal, 1 quantiles within quantile\(\)'s error \(1 exact, 0 sampled\)/);
    const off = checkAnswer(groupsCheck, [{ environment_id: 'e1', date: '2026-10-30', total_executions: 100, p95: 95.2 }], pg, 1, dist(100, 95.05, 95.05, 95.05));
    assert.equal(off.status, 'failed');
    assert.match(off.mismatches[0]!, /p95 \(level 0\.95\) 95\.2, PostgreSQL 95\.05 \(100 values/);
  });
  test('a sampled group passes inside PostgreSQL\'s [p - e, p + e] values and fails outside', () => {
    const n = 50_000;
    const inside = checkAnswer(groupsCheck, [{ environment_id: 'E1', date: '2026-10-30', total_executions: '100', p95: 97 }], pg, 1, dist(n, 95, 90, 99));
    assert.equal(inside.status, 'passed', inside.mismatches.join());
    const outside = checkAnswer(groupsCheck, [{ environment_id: 'E1', date: '2026-10-30', total_executions: '100', p95: 99.5 }], pg, 1, dist(n, 95, 90, 99));
    assert.equal(outside.status, 'failed');
    assert.match(outside.mismatches[0]!, /outside \[90, 99\]/);
  });
  test('a count off by one fails even when the quantile is right', () => {
    const r = checkAnswer(groupsCheck, [{ environment_id: 'E1', date: '2026-10-30', total_executions: 101, p95: 95.05 }], pg, 1, dist(100, 95.05, 95.05, 95.05));
    assert.equal(r.status, 'failed');
    assert.match(r.mismatches[0]!, /total_executions 101, PostgreSQL 100/);
  });
  test('a group only one side has fails, named', () => {
    const r = checkAnswer(groupsCheck, [{ environment_id: 'E2', date: '2026-10-30', total_executions: 100, p95: 95.05 }], pg, 1, dist(100, 95.05, 95.05, 95.05));
    assert.equal(r.status, 'failed');
    assert.ok(r.mismatches.some((m) => m.includes('e1|2026-10-30 missing')));
    assert.ok(r.mismatches.some((m) => m.includes('e2|2026-10-30 is not in PostgreSQL')));
  });
});

describe('the quantile error bound', () => {
  test('exact up to the reservoir size, about 0.0097 in rank at p95 beyond it', () => {
    assert.equal(rankTolerance(RESERVOIR_SIZE, 0.95), 0);
    assert.ok(Math.abs(rankTolerance(RESERVOIR_SIZE + 1, 0.95) - 0.00974) < 1e-4);
  });
  test('distribution levels: p, p - e, p + e per quantile, clamped to [0, 1]', () => {
    const levels = distributionLevels([{ column: 'x', level: 0.5 }, { column: 'x', level: 0.999 }]);
    assert.equal(levels.length, 6);
    assert.equal(levels[0], 0.5);
    assert.ok(levels[1]! < 0.5 && levels[2]! > 0.5);
    assert.equal(levels[5], 1);
  });
  test('ClickHouse time text is read as UTC', () => {
    assert.equal(timeMs('2026-10-30 12:00:01.250'), Date.parse('2026-10-30T12:00:01.250Z'));
    assert.equal(timeMs(new Date(5)), 5);
  });
});
