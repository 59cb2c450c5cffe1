import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RunResults } from '../../src/results.ts';
import { renderResultsTable } from '../../src/report/console.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));

/** The table's rows as cells, split on the column starts of the header's dashes line. */
function parseTable(text: string): { header: string[]; rows: string[][]; legend: string[] } {
  const lines = text.split('\n');
  const dashes = lines[1]!;
  const starts = [...dashes.matchAll(/-+/g)].map((m) => m.index!);
  const cut = (line: string) => starts.map((start, i) => line.slice(start, starts[i + 1] ?? undefined).trim());
  const end = lines.indexOf('', 2);
  return { header: cut(lines[0]!), rows: lines.slice(2, end).map(cut), legend: lines.slice(end + 1) };
}

describe('console results table', () => {
  it('has the verdict columns: verdict, clock, p95 [interval], n, limit, both p50s, access, buffers', () => {
    const { header, rows } = parseTable(renderResultsTable(fixture()));
    assert.deepEqual(header, ['scenario', 'scale', 'form', 'verdict', 'clock', 'p95 [interval] ms', 'n', 'limit ms', 'client p50', 'server p50', 'access', 'buffers']);
    assert.equal(rows.length, fixture().scenarios.length);
  });

  it('prints the judged clock, the p95 with its interval, n and the limit of each verdict', () => {
    const results = fixture();
    const { rows } = parseTable(renderResultsTable(results));
    const row = (id: string, scale: string, form: string) => rows.find((r) => r[0] === id && r[1] === scale && r[2]!.startsWith(form))!;
    const recent = row('recent-failures', '100k', 'documented');
    const v = results.scenarios.find((s) => s.scenarioId === 'recent-failures' && s.scale === '100k')!.latencyVerdict!;
    assert.deepEqual(recent.slice(3, 8), ['pass', 'server', `${v.estimateMs.toFixed(3)} [${v.ciLowMs!.toFixed(3)}, ${v.ciHighMs!.toFixed(3)}]`, String(v.samples), '5']);
    assert.deepEqual(row('paginated-deep-page', '100k', 'corrected').slice(3, 5), ['pass', 'client']);
    assert.equal(row('workflow-filtered-popular', '1m', 'corrected')[7], '24*', 'derived limits are starred');
    // Errored and skipped forms have no verdict: dashes, and the threshold's clock.
    assert.deepEqual(row('paginated-deep-page', '1m', 'corrected').slice(3, 8), ['ERROR', 'client', '-', '-', '500']);
  });

  it('shows an inconclusive verdict as inconclusive (not pass), with the open bound as —, and a failed one as FAIL: p95', () => {
    const { rows } = parseTable(renderResultsTable(fixture()));
    const sparkline = rows.find((r) => r[0] === 'sparkline-7d' && r[1] === '1m')!;
    assert.equal(sparkline[3], 'inconclusive');
    assert.match(sparkline[5]!, /^[\d.]+ \[[\d.]+, —\]$/);
    assert.equal(sparkline[6], '75');
    assert.equal(rows.find((r) => r[0] === 'retention-cleanup-batch' && r[1] === '100k' && r[2] === 'corrected')![3], 'inconclusive');
    assert.equal(rows.find((r) => r[0] === 'retention-cleanup-batch' && r[1] === '1m' && r[2] === 'corrected')![3], 'FAIL: p95');
    assert.equal(rows.find((r) => r[0] === 'paginated-listing' && r[1] === '100k' && r[2] === 'documented†')![3], 'FAIL: index,seqscan,p95');
  });

  it('a form failing a contract with an inconclusive latency says both', () => {
    const results = fixture();
    const sparkline = results.scenarios.find((s) => s.scenarioId === 'sparkline-7d' && s.scale === '1m')!;
    sparkline.outcome = { status: 'failed', violations: [{ kind: 'seq-scan', message: 'Seq Scan on executions' }] };
    const { rows } = parseTable(renderResultsTable(results));
    assert.equal(rows.find((r) => r[0] === 'sparkline-7d' && r[1] === '1m')![3], 'FAIL: seqscan,p95?');
  });

  it('the legend names this run\'s server clock and client protocol, the confidence levels and —, within 130 columns', () => {
    const results = fixture();
    const { legend } = parseTable(renderResultsTable(results));
    const text = legend.join('\n');
    assert.match(text, /server = executor time from pg_stat_statements, per timed execution \(this run\)/);
    assert.match(text, /client = wire round trip of the plain query \(unnamed statement\)/);
    assert.match(text, /distribution-free order-statistic interval, 98\.75% per look \(95% overall\)/);
    assert.match(text, /— = too few samples for that bound \(an upper bound needs 99\)/);
    assert.match(text, /a warning, not a failure\n  \(--fail-on inconclusive makes it fatal\): 2 here\./);
    for (const line of legend) assert.ok(line.length <= 130, `legend line of ${line.length} columns: ${line}`);
    results.environment.serverClock = { method: 'explain-timing-off', detail: 'not installed' };
    results.environment.clientClock = { protocol: 'prepared', detail: 'named' };
    const other = renderResultsTable(results);
    assert.match(other, /server = EXPLAIN \(ANALYZE, TIMING OFF\) runs, pg_stat_statements was not available \(this run\)/);
    assert.match(other, /\(prepared statement\)/);
  });

  it('gives way in the access column, not in the verdict columns, to stay near its width', () => {
    const text = renderResultsTable(fixture());
    const lines = text.split('\n');
    const tableLines = lines.slice(0, lines.indexOf('', 2));
    for (const line of tableLines) assert.ok(line.length <= 182, `a ${line.length}-column line`);
    assert.ok(text.includes('Index Scan idx_executions_'), 'an index name is still recognisable');
    assert.ok(text.includes('…'), 'long access descriptions are shortened');
  });
});

describe('console calibration table (run --calibrate)', () => {
  it('lists each calibrated form with execbench\'s p50, pgbench\'s p50 and the ratio, after the legend; absent without calibration', async () => {
    const { renderCalibrationTable } = await import('../../src/report/console.ts');
    const results = fixture();
    const text = renderResultsTable(results);
    const start = text.indexOf('pgbench beside execbench (--calibrate: pgbench -M extended');
    assert.ok(start > text.indexOf('are spec findings.'), 'the calibration table follows the legend');
    const calibrated = results.scenarios.filter((r) => r.latency?.calibration);
    assert.ok(calibrated.length > 0, 'the fixture has calibrated forms');
    const table = renderCalibrationTable(results).split('\n');
    assert.match(table[2]!, /^scenario\s+scale\s+form\s+execbench p50\s+pgbench p50\s+ratio\s+pgbench transactions$/);
    assert.equal(table.length, 4 + calibrated.length);
    const recent = calibrated.find((r) => r.scenarioId === 'recent-failures' && r.scale === '100k')!.latency!.calibration!;
    const row = table.find((l) => l.startsWith('recent-failures ') && l.includes(' 100k '))!.split(/\s{2,}/);
    assert.deepEqual(row, ['recent-failures', '100k', 'documented', recent.execbenchP50Ms.toFixed(3), recent.pgbenchP50Ms.toFixed(3), `x${recent.ratio.toFixed(2)}`, String(recent.transactions)]);
    for (const r of results.scenarios) if (r.latency) delete r.latency.calibration;
    assert.equal(renderCalibrationTable(results), '');
    assert.doesNotMatch(renderResultsTable(results), /pgbench beside execbench/);
  });
});
