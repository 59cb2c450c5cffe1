// run --baseline in every report: the half (plan, time) of each regression, the gated forms the comparison could not
// compare (missing, new), its warnings, and the table state each side measured. Built from the small.json fixture,
// compared with a baseline that has one more gated form and measured another table state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { comparisonCounts, renderComparisonTable, renderTableStates } from '../../src/commands/compare.ts';
import { applyBaseline } from '../../src/commands/run.ts';
import { compareRuns } from '../../src/gate/compare.ts';
import { renderResultsTable } from '../../src/report/console.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderJunitXml } from '../../src/report/junit.ts';
import { renderMarkdownSummary } from '../../src/report/markdown.ts';
import type { RunResults, ScenarioResult } from '../../src/results.ts';
import { allElements, parseXml } from '../support/xml.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));

const find = (results: RunResults, id: string, scale: string, form: ScenarioResult['form']): ScenarioResult =>
  results.scenarios.find((s) => s.scenarioId === id && s.scale === scale && s.form === form)!;

/**
 * The current run (the fixture) against a baseline where: paginated-deep-page 100k corrected read fewer buffers
 * and was twice as fast (so now it regressed in both halves), a gated form existed that this run lacks (missing), and
 * workflow-filtered-popular 1m did not exist yet (new). Table states differ by dead tuples.
 */
function compared(allowMissing = false): RunResults {
  const current = fixture();
  const baseline = fixture();
  baseline.runId = 'main-run';
  const base = find(baseline, 'paginated-deep-page', '100k', 'corrected');
  base.plan = { ...base.plan!, buffers: { ...base.plan!.buffers, sharedHit: 3 } };
  base.latency!.clientSamplesMs = base.latency!.clientSamplesMs.map((ms) => ms / 2);
  base.latency!.serverSamplesMs = base.latency!.serverSamplesMs.map((ms) => ms / 2);
  baseline.scenarios.push({ ...structuredClone(find(baseline, 'recent-failures', '100k', 'documented')), scenarioId: 'retired-query' });
  baseline.scenarios = baseline.scenarios.filter((s) => !(s.scenarioId === 'workflow-filtered-popular' && s.scale === '1m'));
  for (const d of baseline.datasets) d.tableState = { rows: d.totalRows, deadTuples: 0, relpages: 5000, catalogRelations: 439 };
  for (const d of current.datasets) d.tableState = { rows: d.totalRows, deadTuples: d.scale === '100k' ? 9000 : 0, relpages: 5000, catalogRelations: 439 };
  const comparison = compareRuns(baseline, current, { allowMissing });
  applyBaseline(current, comparison);
  return current;
}

describe('baseline comparison in the reports', () => {
  it('records each failed check as a baseline violation with its half, and the forms not compared in results.baseline', () => {
    const results = compared();
    const listing = find(results, 'paginated-deep-page', '100k', 'corrected');
    assert.equal(listing.outcome.status, 'failed');
    const halves = listing.outcome.status === 'failed' ? listing.outcome.violations.map((v) => `${v.kind} ${v.half}`) : [];
    assert.ok(halves.includes('baseline plan') && halves.includes('baseline time'), halves.join(', '));
    assert.deepEqual(results.baseline?.notCompared?.map((g) => `${g.scenarioId} ${g.scale} ${g.gate}`), ['workflow-filtered-popular 1m warning', 'retired-query 100k plan']);
    assert.match(results.baseline!.warnings.join('\n'), /Table state at 100k differs \(baseline -> now\): dead tuples 0 -> 9000/);
  });

  it('Markdown: the gate fails, the missing form is a failure of the plan half, the new one and the warnings are listed', () => {
    const results = compared();
    // Only the baseline's word can fail this run: every other gated form passes.
    for (const s of results.scenarios) if (s.gated) s.outcome = { status: 'passed' };
    const md = renderMarkdownSummary(results);
    assert.match(md, /^## execbench: ❌ the gate fails/, 'a missing gated form fails the gate even though every row passed');
    assert.match(md, /### Baseline comparison\n\nCompared with baseline main-run: \d+ form\(s\) compared, 1 regressed/);
    assert.match(md, /- ❌ \*\*plan half:\*\* retired-query 100k documented: gated in the baseline, not measured in this run .*--allow-missing/);
    assert.match(md, /- ⚠️ not compared: workflow-filtered-popular 1m corrected: new in this run, not in the baseline/);
    assert.match(md, /- ⚠️ Table state at 100k differs/);
  });

  it('Markdown: a regression row names its half in the reason', () => {
    const md = renderMarkdownSummary(compared());
    assert.match(md, /compared, 1 regressed \(plan half: 1, time half: 1\)/);
    const row = md.split('\n').find((l) => l.startsWith('| paginated-deep-page | 100k | corrected |'))!;
    assert.match(row, /baseline plan: vs baseline main-run: shared buffers hit\+read 3 -&gt; \d+/);
    assert.match(row, /baseline time: vs baseline main-run: /);
  });

  it('--allow-missing: the missing form is a warning and the gate line no longer fails on it', () => {
    const results = compared(true);
    for (const s of results.scenarios) if (s.gated) s.outcome = { status: 'passed' };
    const md = renderMarkdownSummary(results);
    assert.match(md, /^## execbench: ✅/);
    assert.match(md, /- ⚠️ not compared: retired-query 100k documented: gated in the baseline, not measured in this run .*; accepted with --allow-missing/);
    assert.match(md, /--allow-missing: forms not compared are warnings/);
  });

  it('JUnit: a baseline suite with a failed case per missing gated form, a skipped case per new one, warnings in system-out; totals include it', () => {
    const results = compared();
    const root = parseXml(renderJunitXml(results));
    const suite = root.children.find((s) => s.attrs.name === 'execbench baseline')!;
    assert.ok(suite, 'no baseline suite');
    const cases = allElements(suite, 'testcase');
    assert.deepEqual(cases.map((c) => [c.attrs.name, c.children[0]!.name]), [['retired-query 100k documented', 'failure'], ['workflow-filtered-popular 1m corrected', 'skipped']]);
    assert.equal(cases[0]!.children[0]!.attrs.type, 'baseline-plan');
    assert.equal(Number(root.attrs.tests), results.scenarios.length + 2);
    assert.equal(Number(suite.attrs.failures), 1);
    const out = allElements(suite, 'system-out')[0]!;
    assert.match(JSON.stringify(out), /Table state at 100k differs/);
    // The regression's test case names its halves.
    const listing = allElements(root, 'testcase').find((c) => c.attrs.classname === 'paginated-deep-page' && c.attrs.name === '100k corrected')!;
    assert.match(listing.children.find((c) => c.name === 'failure')!.attrs.message!, /^baseline plan: vs baseline main-run: /);
  });

  it('HTML: a Baseline comparison section with the failures, the forms not compared and the warnings; the table state of each scale', async () => {
    const html = await renderHtmlReport(compared());
    const section = html.slice(html.indexOf('<section id="baseline">'), html.indexOf('</section>', html.indexOf('<section id="baseline">')));
    assert.match(section, /<h2>Baseline comparison<\/h2>/);
    assert.match(section, /plan half<\/span> retired-query 100k documented: gated in the baseline/);
    assert.match(section, /not compared<\/span> workflow-filtered-popular 1m corrected: new in this run/);
    assert.match(section, /Table state at 100k differs/);
    assert.match(html, /<a href="#baseline">Baseline<\/a>/);
    assert.match(html, /id="table-state">Table state of executions, .*100k: rows [\d,]+, dead tuples 9,000, relpages 5,000, 439 relations in pg_class/);
  });

  it('console: the results table marks the half, the comparison table shows missing and new forms and the halves, the table states both sides', () => {
    const results = compared();
    assert.match(renderResultsTable(results), /paginated-deep-page\s+100k\s+corrected\s+FAIL: baseline-plan,baseline-time/);
    const baseline = fixture();
    baseline.scenarios.push({ ...structuredClone(find(baseline, 'recent-failures', '100k', 'documented')), scenarioId: 'retired-query' });
    const current = fixture();
    const slower = find(current, 'paginated-deep-page', '100k', 'corrected');
    slower.latency!.clientSamplesMs = slower.latency!.clientSamplesMs.map((ms) => ms * 3);
    slower.latency!.serverSamplesMs = slower.latency!.serverSamplesMs.map((ms) => ms * 3);
    const comparison = compareRuns(baseline, current);
    const table = renderComparisonTable(comparison);
    assert.match(table, /paginated-deep-page\s+100k\s+corrected\s+yes\s+same\s+.*REGRESSED time: median, p95/);
    assert.match(table, /retired-query\s+100k\s+documented\s+yes(\s+-){5}\s+NOT COMPARED \(fails plan\): gated in the baseline/);
    assert.match(comparisonCounts(comparison), /1 regressed, \d+ not compared \(1 failing the plan half\)/);
    current.datasets[0]!.tableState = { rows: 250_000, deadTuples: 0, relpages: 5000, catalogRelations: 439 };
    assert.deepEqual(renderTableStates(baseline, current), ['table state at 100k: baseline not recorded (older results); now rows 250,000, dead tuples 0, relpages 5,000, 439 relations in pg_class']);
  });
});
