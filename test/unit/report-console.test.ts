import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RunResults } from '../../src/results.ts';
import { renderBudgetLine, renderResultsTable } from '../../src/report/console.ts';

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
  it('has the verdict columns: verdict, clock, p95 [interval], n, limit, both p50s, buffers, access (last)', () => {
    const { header, rows } = parseTable(renderResultsTable(fixture()));
    assert.deepEqual(header, ['scenario', 'scale', 'form', 'verdict', 'clock', 'p95 [interval] ms', 'n', 'limit ms', 'client p50', 'server p50', 'buffers', 'access']);
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
    assert.match(text, /a warning, not a failure\n  \(--fail-on inconclusive makes it fatal\): 2 on forms the gate judges\./);
    for (const line of legend) assert.ok(line.length <= 130, `legend line of ${line.length} columns: ${line}`);
    results.environment.serverClock = { method: 'explain-timing-off', detail: 'not installed' };
    results.environment.clientClock = { protocol: 'prepared', detail: 'named' };
    const other = renderResultsTable(results);
    assert.match(other, /server = EXPLAIN \(ANALYZE, TIMING OFF\) runs, pg_stat_statements was not available \(this run\)/);
    assert.match(other, /\(prepared statement\)/);
  });

  it('counts inconclusive verdicts as the gate line does; one on a form the gate does not judge is said apart', async () => {
    const { decideExit, DEFAULT_FAIL_ON } = await import('../../src/gate/verdict.ts');
    const results = fixture();
    const documented = results.scenarios.find((r) => !r.gated && r.form === 'documented' && r.latencyVerdict)!;
    documented.latencyVerdict = { ...documented.latencyVerdict!, status: 'inconclusive' };
    const gateCount = decideExit(results, undefined, DEFAULT_FAIL_ON).ignored.filter((line) => / inconclusive: /.test(line)).length;
    // The legend wraps long entries at 128 columns: read it as one text.
    const legend = parseTable(renderResultsTable(results)).legend.join(' ').replace(/\s+/g, ' ');
    assert.match(legend, new RegExp(`makes it fatal\\): ${gateCount} on forms the gate judges; 1 on forms marked †, not gated \\(shown as p95\\? where their contract failed\\)\\.`));
  });

  it('shows the full name of every index a plan used, in the last column, never cut to idx_executions_t…', () => {
    const results = fixture();
    const text = renderResultsTable(results);
    const { rows } = parseTable(text);
    const used = [...new Set(results.scenarios.flatMap((r) => r.plan?.indexes.map((i) => i.index) ?? []))];
    assert.ok(used.some((name) => name.length > 28), 'the fixture has index names longer than the old cut');
    for (const name of used) assert.ok(rows.some((row) => row.at(-1)!.split(/[ ;]+/).includes(name)), `${name} appears whole`);
    const tableLines = text.split('\n').slice(0, text.split('\n').indexOf('', 2));
    assert.ok(!tableLines.some((line) => line.includes('…')), 'no cell is cut');
    // The verdict columns stay aligned: every row's cells before the access column fit their column.
    const widthBeforeAccess = tableLines[1]!.lastIndexOf('  ') + 2;
    for (const line of tableLines.slice(2)) assert.equal(line.slice(widthBeforeAccess - 2, widthBeforeAccess), '  ', line);
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

describe('console budget line', () => {
  it('a run past execbench\'s own time target says so as a note on its speed, never as OVER or FAIL', () => {
    const results = fixture();
    for (const d of results.datasets) d.reused = true;
    results.timings.totalMs = 131_200;
    const over = renderBudgetLine(results, 22);
    assert.match(over, /^Run time 131\.2 s for 22 scenarios x \d scale\(s\) \(warm: datasets reused\), 11\.2 s past execbench's own 120 s target/);
    assert.match(over, /not a verdict: the gate line decides/);
    assert.doesNotMatch(over, /OVER|FAIL/);
    results.timings.totalMs = 100_000;
    assert.match(renderBudgetLine(results, 22), /, within execbench's own 120 s target for a default warm run on 2 cores\.$/);
    results.datasets[0]!.reused = false;
    assert.match(renderBudgetLine(results, 22), /cold: datasets seeded\), within execbench's own 240 s target/);
  });
});
