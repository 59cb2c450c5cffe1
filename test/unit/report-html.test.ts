import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RunResults } from '../../src/results.ts';
import { escapeHtml, renderHtmlReport, renderPlanTree } from '../../src/report/html.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));

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
});
