// The Option 3 verdicts, the lag model and the reports, from synthetic samples and a hand-made results document.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveFindings, engineStatus, judgeSpeedup, medianRatio } from '../../src/clickhouse/judge.ts';
import { fixedBatchMs, worstLagMs } from '../../src/clickhouse/lag.ts';
import type { Option3Results, ScaleOutcome } from '../../src/clickhouse/results.ts';
import { mulberry32, summarize } from '../../src/runner/statistics.ts';
import { renderOption3Junit } from '../../src/report/option3-junit.ts';
import { renderOption3Markdown } from '../../src/report/option3-markdown.ts';

const noisy = (seed: number, n: number, medianMs: number) => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => medianMs * (0.8 + 0.4 * r()));
};

describe('the 100x claim', () => {
  test('150x with a tight interval passes, 40x fails, a ratio whose interval straddles 100 is inconclusive', () => {
    assert.equal(judgeSpeedup(medianRatio(noisy(1, 40, 150), noisy(2, 40, 1))), 'passed');
    assert.equal(judgeSpeedup(medianRatio(noisy(3, 40, 40), noisy(4, 40, 1))), 'failed');
    assert.equal(judgeSpeedup({ ratio: 100, ciLow: 80, ciHigh: 120, confidence: 0.95, clock: 'client', slowerMedianMs: 100, fasterMedianMs: 1 }), 'inconclusive');
  });
  test('the ratio is slower over faster, with both medians kept', () => {
    const r = medianRatio([10, 10, 10, 10, 10], [2, 2, 2, 2, 2]);
    assert.equal(r.ratio, 5);
    assert.equal(r.slowerMedianMs, 10);
    assert.equal(r.fasterMedianMs, 2);
  });
  test('a wrong answer fails the engine however fast it was', () => {
    assert.equal(engineStatus({ check: { status: 'failed', compared: '', mismatches: ['x'] } }), 'failed');
    assert.equal(engineStatus({ check: { status: 'passed', compared: '', mismatches: [] } }), 'passed');
  });
});

describe('lag of the analytics copy', () => {
  const inputs = { batchMs: 100, batchRows: 1000, bulkRowsPerSecond: 40_000 };
  test('the fixed cost is the batch time beyond its rows\' share of the bulk rate', () => {
    assert.equal(fixedBatchMs(inputs), 75);
  });
  test('worst lag: the interval plus the batch; Infinity when a batch outlasts its interval', () => {
    assert.equal(worstLagMs(100, 1, inputs), 1000 + 75 + 2.5);
    assert.equal(worstLagMs(50_000, 1, inputs), Number.POSITIVE_INFINITY);
    assert.throws(() => worstLagMs(10, 0, inputs), /interval > 0/);
  });
});

function scaleFixture(focusRows: number, check: 'passed' | 'failed'): ScaleOutcome {
  const pg = noisy(5, 30, 800);
  const ch = noisy(6, 30, 5);
  const view = noisy(7, 30, 2);
  return {
    scale: focusRows === 1_000_000 ? '1m' : '100k', focusRows, totalRows: focusRows * 1.4, pgSchema: 'execbench_1m',
    postgresStorage: { tableBytes: 5e8, indexBytes: 5e8, viewBytes: 4e5 },
    copies: [{ engine: 'embedded', database: 'execbench_1m', rows: 1_399_860, rowsNotCopied: 140, reused: false, loadMs: 40_000, rowsPerSecond: 35_000, bytesPerSecond: 1.4e7, mergeMs: 1200, storageBytes: 9e7, uncompressedBytes: 3e8 }],
    batches: [{ engine: 'embedded', rows: 1000, medianMs: 90, samples: 5 }],
    scenarios: [{
      id: 'daily-stats-live-aggregate', title: 't', postgresScenario: 'daily-stats-live-aggregate', aggregation: true,
      postgres: { client: summarize(pg), clientSamplesMs: pg }, view: { scenario: 'daily-stats-view', client: summarize(view), clientSamplesMs: view },
      engines: [{
        engine: 'embedded', kind: 'embedded', status: check === 'passed' ? 'passed' : 'failed',
        ...(check === 'failed' ? { reason: 'answer differs from PostgreSQL\'s: group x: total_executions 3, PostgreSQL 4' } : {}),
        check: { status: check, compared: '30 groups: 90 counts equal', mismatches: check === 'failed' ? ['group x: total_executions 3, PostgreSQL 4'] : [] },
        client: summarize(ch), clientSamplesMs: ch, vsPostgres: medianRatio(pg, ch), vsView: medianRatio(view, ch),
      }],
    }],
  };
}

describe('findings and reports', () => {
  test('judged from 1M up, only on right answers; the view comparison beside', () => {
    assert.deepEqual(deriveFindings(scaleFixture(100_000, 'passed')), []);
    const findings = deriveFindings(scaleFixture(1_000_000, 'passed'));
    assert.deepEqual(findings.map((f) => [f.id, f.status]), [['option3-100x-live-daily-stats-live-aggregate', 'passed'], ['option3-100x-view-daily-stats-live-aggregate', 'failed']]);
    assert.match(findings[1]!.measured, /the view is 2\.\dx faster than ClickHouse/);
    assert.deepEqual(deriveFindings(scaleFixture(1_000_000, 'failed')), []);
  });
  const results = (check: 'passed' | 'failed'): Option3Results => {
    const scale = scaleFixture(1_000_000, check);
    return {
      schemaVersion: 1, kind: 'execbench-option3', runId: 'r', startedAt: '', finishedAt: '',
      machine: { cpus: 2, cpuModel: 'cpu', loadAverage: [1, 1, 1], node: 'v20', note: 'noise' },
      postgres: { version: '17.10', where: 'url' }, engines: [], skippedEngines: [{ engine: 'two-shard cluster', reason: 'failed: no apt' }],
      options: { scales: ['1m'], budgetMs: 1000 }, scales: [scale], findings: deriveFindings(scale),
    };
  };
  test('Markdown: storage of both engines, the lag per rate, the answer check, the ratios and the skipped engine', () => {
    const md = renderOption3Markdown(results('passed'));
    assert.match(md, /table 476\.8 MB \+ indexes 476\.8 MB \+ view 390\.6 kB/);
    assert.match(md, /1\/s: 1\.1 s, 10\/s: 1\.1 s, 100\/s: 1\.1 s, 1000\/s: 1\.1 s/);
    assert.match(md, /passed: 30 groups: 90 counts equal/);
    assert.match(md, /not run: two-shard cluster: failed: no apt/);
    assert.match(md, /\*\*passed\*\* \(1m, embedded\): Option 3: ClickHouse gives "100x faster aggregations"/);
  });
  test('JUnit: a wrong answer is a failure with the mismatch as its message', () => {
    const xml = renderOption3Junit(results('failed'));
    assert.match(xml, /failures="1"/);
    assert.match(xml, /<failure message="answer differs from PostgreSQL&apos;s: group x: total_executions 3, PostgreSQL 4"\/>/);
    assert.match(renderOption3Junit(results('passed')), /failures="0"/);
  });
});
