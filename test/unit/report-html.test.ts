import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RunResults } from '../../src/results.ts';
import { escapeHtml, renderHtmlReport, renderPlanTree } from '../../src/report/html.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));

/** The fixture with every gated form passing, plus a scenario whose only form is a non-gated documented one that fails (like partition-ddl). */
function withDocumentedOnlyFinding(): RunResults {
  const results = fixture();
  for (const s of results.scenarios) if (s.gated) s.outcome = { status: 'passed' };
  const template = results.scenarios.find((s) => s.scenarioId === 'upsert-conflict' && s.form === 'documented')!;
  for (const scale of results.options.scales) {
    results.scenarios.push({
      ...structuredClone(template), scenarioId: 'partition-ddl', title: 'Partitioning DDL', scale, form: 'documented', gated: false,
      outcome: { status: 'failed', violations: [{ kind: 'sql-error', message: '"executions" is not partitioned' }] },
    });
  }
  return results;
}

/** The verdict-table row of one scenario at one scale. */
function verdictRow(html: string, scenarioId: string, scale: string): string {
  const start = html.indexOf(`<tr data-scenario="${scenarioId}" data-scale="${scale}"`);
  assert.ok(start > 0, `no verdict row for ${scenarioId} ${scale}`);
  return html.slice(start, html.indexOf('</tr>', start));
}

describe('HTML report', () => {
  it('is self-contained: no script, no stylesheet link, no remote src/href, no @import or url()', async () => {
    const html = await renderHtmlReport(fixture());
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<link/i);
    assert.doesNotMatch(html, /\s(src|href)="(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(/i);
  });

  it('puts the verdicts first and the findings before the charts', async () => {
    const html = await renderHtmlReport(fixture());
    const at = (id: string) => html.indexOf(`<section id="${id}"`);
    assert.ok(at('verdicts') > 0 && at('verdicts') < at('findings') && at('findings') < at('charts') && at('charts') < at('scenarios'));
  });

  it('has a verdict row for every scenario and scale, and an inline SVG for every chart', async () => {
    const results = fixture();
    const html = await renderHtmlReport(results);
    const table = html.slice(html.indexOf('<table class="verdicts"'), html.indexOf('</table>', html.indexOf('<table class="verdicts"')));
    for (const s of results.scenarios) assert.ok(table.includes(`data-scenario="${s.scenarioId}" data-scale="${s.scale}"`), `no row for ${s.scenarioId} ${s.scale}`);
    assert.equal((html.match(/<figure class="chart"/g) ?? []).length, 5);
    assert.equal((html.match(/<div class="svg"><svg/g) ?? []).length, 5);
  });

  it('escapes every text it prints from the results', async () => {
    const results = fixture();
    results.scenarios[0]!.title = '<img src=x onerror=alert(1)>';
    results.findings[0]!.detail = '</p><script>alert(1)</script>';
    results.environment.postgres.settings['work_mem'] = '"><b>';
    const html = await renderHtmlReport(results);
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!html.includes('"><b>'));
    assert.equal(escapeHtml(`<a b="c" d='e'>&`), '&lt;a b=&quot;c&quot; d=&#39;e&#39;&gt;&amp;');
  });

  it('renders the audit section only when the results carry an audit', async () => {
    const results = fixture();
    const withAudit = await renderHtmlReport(results);
    assert.match(withAudit, /<section id="audit">/);
    assert.ok(withAudit.includes('idx_executions_null_started_at'));
    for (const report of results.audit!) {
      for (const index of report.indexes) assert.ok(withAudit.includes(`data-index="${index.name}"`), `audit table misses ${index.name}`);
    }
    // An audit of a shape this module does not know is still shown, generically.
    (results as { audit?: unknown[] }).audit = [{ scale: '100k', something: [{ name: 'odd_index', sizeBytes: 8192 }] }];
    const generic = await renderHtmlReport(results);
    assert.match(generic, /<table class="generic">.*odd_index.*8\.0 kB/s);
    delete results.audit;
    assert.doesNotMatch(await renderHtmlReport(results), /<section id="audit">/);
  });

  it('highlights the expected index in the plan tree and marks a seq scan', () => {
    const results = fixture();
    const corrected = results.scenarios.find((s) => s.scenarioId === 'paginated-listing' && s.form === 'corrected' && s.scale === '100k')!;
    assert.match(renderPlanTree(corrected.planJson, corrected.expectedIndexes), /<li class="node hit">.*idx-ok">idx_executions_tenant_env_started/s);
    const documented = results.scenarios.find((s) => s.scenarioId === 'paginated-listing' && s.form === 'documented' && s.scale === '100k')!;
    assert.match(renderPlanTree(documented.planJson, documented.expectedIndexes), /<li class="node seq"><div class="label-line"><span class="type">Seq Scan/);
    assert.match(renderPlanTree(documented.planJson, ['some_other_index']), /class="node seq"/);
    assert.match(renderPlanTree(corrected.planJson, ['some_other_index']), /<li class="node miss">/);
  });

  it('shows the documented and corrected SQL with the why, and the raw EXPLAIN behind <details>', async () => {
    const results = fixture();
    const html = await renderHtmlReport(results);
    const section = html.slice(html.indexOf('id="scenario-retention-cleanup-batch"'));
    assert.ok(section.includes('Documented form') && section.includes('Corrected form'));
    assert.ok(section.includes('ORDER BY started_at ASC\nLIMIT 1000;'));
    assert.ok(section.includes('Why the correction:'));
    assert.match(section, /<details class="raw"><summary>Raw EXPLAIN/);
  });
  it('shows a failing form the gate does not judge as a FINDING, so the table agrees with a passing banner', async () => {
    const results = withDocumentedOnlyFinding();
    const html = await renderHtmlReport(results);
    assert.match(html, /id="overall-verdict">All gated scenarios passed/);
    for (const scale of results.options.scales) {
      const row = verdictRow(html, 'partition-ddl', scale);
      assert.match(row, /data-display="finding"/);
      assert.match(row, /<td class="verdict"><span class="badge spec-finding" title="documented form, not gated; --strict-spec gates it">finding<\/span>/);
      assert.doesNotMatch(row, /badge failed/);
    }
    // The documented column beside a correction follows the same rule.
    const beside = verdictRow(html, 'paginated-listing', '100k');
    assert.match(beside, /<td class="documented"><span class="badge spec-finding" title="documented form, not gated; --strict-spec gates it">/);
    // And so does the scenario section's per-scale badge.
    const section = html.slice(html.indexOf('id="scenario-partition-ddl"'));
    assert.match(section.slice(0, section.indexOf('</section>')), /<div class="run spec-finding"[^>]*>\s*<h5>100k <span class="badge spec-finding"/);
    // The verdict table's group headers span exactly its columns.
    const table = html.slice(html.indexOf('<table class="verdicts"'), html.indexOf('</table>', html.indexOf('<table class="verdicts"')));
    const columns = (table.slice(table.indexOf('<thead>'), table.indexOf('</thead>')).match(/<th[ >]/g) ?? []).length;
    assert.match(table, new RegExp(`<th colspan="${columns}" scope="rowgroup">`));
  });

  it('under --strict-spec a failing documented form is FAILED and the banner says the gate fails', async () => {
    const results = withDocumentedOnlyFinding();
    results.options.strictSpec = true;
    const html = await renderHtmlReport(results);
    assert.match(html, /id="overall-verdict">The gate fails/);
    const row = verdictRow(html, 'partition-ddl', '1m');
    assert.match(row, /<td class="verdict"><span class="badge failed"/);
    assert.doesNotMatch(html, /class="badge spec-finding" title/);
  });

  it('shows a short dataset fingerprint with the full value in its title, and phases that wrap between entries', async () => {
    const results = fixture();
    const full = 'a59007c301d1603c35b8ee1a6fe2a8c50243ccf8084f05413e244cd54734a78b';
    results.datasets[0]!.fingerprint = full;
    const html = await renderHtmlReport(results);
    const env = html.slice(html.indexOf('<section id="environment">'));
    assert.ok(env.includes(`<code class="fingerprint" title="${full}">a59007c301d1…</code>`));
    assert.ok(!env.includes(`>${full}<`), 'the full fingerprint is printed as cell text');
    assert.match(env, /<td class="muted phases"><span class="nowrap">generate 0 ms<\/span>, <span class="nowrap">copy 0 ms<\/span>/);
  });

  it('labels the run phases for people, not with their raw keys', async () => {
    const results = fixture();
    results.timings = { provisionMs: 1400, seed_20000_ms: 28, scenarios_20000_ms: 23_000, audit_20000_ms: 2650, totalMs: 55_748 };
    const html = await renderHtmlReport(results);
    const line = /<p class="muted" id="run-phases">Run phases: ([^<]*)<\/p>/.exec(html)?.[1];
    assert.equal(line, 'provision 1.4 s · seed 20000 28 ms · scenarios 20000 23.0 s · audit 20000 2.6 s · total 55.7 s');
  });

  it('lets the verdict table scroll inside its own wrapper and its long index names wrap at underscores', async () => {
    const html = await renderHtmlReport(fixture());
    assert.match(html, /<div class="table-scroll">\s*<table class="verdicts" id="verdict-table">/);
    assert.match(html, /\.table-scroll\{overflow-x:auto\}/);
    assert.ok(html.includes('idx_<wbr>executions_<wbr>tenant_<wbr>env_<wbr>failed_<wbr>started'));
  });
});
