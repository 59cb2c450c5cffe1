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

/** The scenario section's block for one scale of one form. */
function runBlock(html: string, scenarioId: string, form: 'documented' | 'corrected', scale: string): string {
  const section = html.slice(html.indexOf(`id="scenario-${scenarioId}"`));
  const formAt = section.indexOf(`<div class="form ${form}">`);
  assert.ok(formAt > 0, `no ${form} form for ${scenarioId}`);
  const start = section.indexOf(`data-scale="${scale}">`, formAt);
  assert.ok(start > 0, `no ${scale} run for ${scenarioId} ${form}`);
  return section.slice(start, section.indexOf('<div class="plan">', start));
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
    assert.equal((html.match(/<figure class="chart"/g) ?? []).length, 6);
    assert.equal((html.match(/<div class="svg"><svg/g) ?? []).length, 6);
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
    assert.match(html, /\.table-scroll(,\.[\w-]+)*\{overflow-x:auto\}/);
    assert.ok(html.includes('idx_<wbr>executions_<wbr>tenant_<wbr>env_<wbr>failed_<wbr>started'));
  });

  it('shows each verdict\'s clock, p95 with its interval, n and status in the verdict table; inconclusive is a warning badge', async () => {
    const results = fixture();
    const html = await renderHtmlReport(results);
    const find = (id: string, scale: string, form = 'corrected') => results.scenarios.find((s) => s.scenarioId === id && s.scale === scale && s.form === form)!;

    const inconclusive = verdictRow(html, 'sparkline-7d', '1m');
    const v = find('sparkline-7d', '1m', 'documented').latencyVerdict!;
    assert.equal(v.status, 'inconclusive');
    assert.equal(v.ciHighMs, null);
    assert.match(inconclusive, /data-status="passed" data-display="inconclusive"/);
    assert.match(inconclusive, /<td class="verdict"><span class="badge inconclusive" title="latency verdict inconclusive: a warning, not a failure; --fail-on inconclusive makes it fatal">inconclusive<\/span>/);
    assert.ok(inconclusive.includes(`<strong>${v.estimateMs < 100 ? v.estimateMs.toFixed(1) : Math.round(v.estimateMs)}</strong> <span class="ci">[${v.ciLowMs!.toFixed(1)}, —]</span>`), inconclusive);
    assert.ok(inconclusive.includes(`<td class="num">${v.samples}</td>`));
    assert.match(inconclusive, /≤ 300 ms<div class="small clock">server <span[^>]*>\(EXPLAIN\)<\/span><\/div>/);
    assert.match(inconclusive, /<span class="lv inconclusive">inconclusive<\/span>/);

    const failed = verdictRow(html, 'retention-cleanup-batch', '1m');
    assert.match(failed, /<span class="badge failed"/);
    assert.match(failed, /<td class="num p95 lv-failed" title="server p95 \[[\d.]+, —\] ms &gt; 40\.0 ms/);
    assert.match(failed, /<span class="lv failed">FAILED<\/span>/);

    const client = verdictRow(html, 'paginated-deep-page', '100k');
    assert.match(client, /≤ 500 ms<div class="small clock">client<\/div>/);
    assert.match(client, /<span class="lv passed">passed<\/span>/);
    // The banner counts the warnings without calling the run failed for them.
    assert.match(html, /· <span title="[^"]*">2 inconclusive latency verdicts \(warnings\)<\/span><\/p>/);
    assert.match(html, /id="clocks-legend">[^<]*<strong>clock<\/strong>.*98\.75% per look \(95% overall\); — means too few samples/s);
  });

  it('an inconclusive verdict on a form that passes everything else does not fail the banner', async () => {
    const results = fixture();
    for (const s of results.scenarios) if (s.gated && s.outcome.status !== 'skipped') s.outcome = { status: 'passed' };
    const html = await renderHtmlReport(results);
    assert.match(html, /id="overall-verdict">All gated scenarios passed/);
    assert.match(html, /2 inconclusive latency verdicts/);
    delete results.scenarios.find((s) => s.latencyVerdict?.status === 'inconclusive')!.latencyVerdict;
    assert.match(await renderHtmlReport(results), /1 inconclusive latency verdict \(warning\)/);
  });

  it('the scenario section gives each run its verdict sentence, both clocks, the instrumentation overhead, and pgbench where calibrated', async () => {
    const results = fixture();
    const html = await renderHtmlReport(results);
    const recent = results.scenarios.find((s) => s.scenarioId === 'recent-failures' && s.scale === '100k')!;
    const block = runBlock(html, 'recent-failures', 'documented', '100k');
    const v = recent.latencyVerdict!;
    assert.match(block, new RegExp(`<p class="latency-verdict lv-passed" data-clock="server"><span class="label">Latency verdict</span> server p95 ${v.estimateMs.toFixed(3)} \\[${v.ciLowMs!.toFixed(3)}, ${v.ciHighMs!.toFixed(3)}\\] ms \\(98\\.75% per look, 95% overall\\), n=${v.samples}, limit 5 ms: passed`));
    const o = recent.latency!.explainOverhead;
    assert.ok(block.includes(`EXPLAIN ANALYZE TIMING ON ${o.timingOnMs.toFixed(3)} ms · TIMING OFF ${o.timingOffMs.toFixed(3)} ms · pg_stat_statements ${o.statementsMs!.toFixed(3)} ms`), block);
    const c = recent.latency!.calibration!;
    assert.ok(block.includes(`pgbench p50 ${c.pgbenchP50Ms.toFixed(3)} ms <span class="muted">(-M extended, ${c.transactions.toLocaleString('en-US')} transactions)</span> · execbench client p50 ${c.execbenchP50Ms.toFixed(3)} ms · ratio <strong>${c.ratio.toFixed(2)}×</strong>`), block);
    assert.ok(block.includes('(400 samples, unnamed statement)') && block.includes('pg_stat_statements)'));
    // Few rows: no breakdown; an uncalibrated form: no pgbench line.
    assert.doesNotMatch(block, /Where the time goes/);
    assert.doesNotMatch(runBlock(html, 'upsert-conflict', 'corrected', '100k'), /Calibration/);
    // A passed outcome with an undecided verdict says why, with the consequence.
    assert.match(runBlock(html, 'sparkline-7d', 'documented', '1m'), /<p class="reason lv-reason">inconclusive: a warning, not a failure; --fail-on inconclusive makes it fatal: server p95 \[[\d.]+, —\] ms: 75 samples give no upper bound/);
  });

  it('says where a fast form was sampled without spacers, and why; not where it had them', async () => {
    const results = fixture();
    const recent = results.scenarios.find((s) => s.scenarioId === 'recent-failures' && s.scale === '100k')!;
    recent.latency!.spacers = { used: false, why: 'pg_stat_statements.track cannot be switched off for a spacer here' };
    assert.match(runBlock(await renderHtmlReport(results), 'recent-failures', 'documented', '100k'),
      /<p class="facts spacers"><span class="label">No spacers<\/span> <span class="muted">pg_stat_statements.track cannot be switched off for a spacer here<\/span><\/p>/);
    recent.latency!.spacers = { used: true, why: 'each timed execution follows an untimed one' };
    assert.doesNotMatch(runBlock(await renderHtmlReport(results), 'recent-failures', 'documented', '100k'), /No spacers/);
  });

  it('shows where the time goes (server / send / wire / decode) for a form returning many rows', async () => {
    const results = fixture();
    const html = await renderHtmlReport(results);
    const b = results.scenarios.find((s) => s.scenarioId === 'sparkline-7d' && s.scale === '1m')!.latency!.breakdown;
    assert.ok(b.rows >= 1000);
    const block = runBlock(html, 'sparkline-7d', 'documented', '1m');
    assert.ok(block.includes(`(${b.rows.toLocaleString('en-US')} rows, medians)`), block);
    assert.match(block, /<span class="key server"><\/span>server [\d.]+ ms · <span class="key send"><\/span>send [\d.]+ ms · <span class="key wire"><\/span>wire [\d.]+ ms · <span class="key decode"><\/span>decode [\d.]+ ms/);
    const widths = [...block.matchAll(/<span class="seg (\w+)" style="width:([\d.]+)%"/g)].map((m) => [m[1], Number(m[2])] as const);
    assert.deepEqual(widths.map(([part]) => part), ['server', 'send', 'wire', 'decode']);
    const total = b.serverMs + b.sendMs! + b.wireMs + b.decodeMs;
    assert.ok(Math.abs(widths[2]![1] - (b.wireMs / total) * 100) < 0.1, 'the wire segment is its share of the total');
    // The bulk form's server clock is EXPLAIN TIMING OFF, and the verdict table says so under the limit.
    assert.match(verdictRow(html, 'sparkline-7d', '1m'), /≤ 300 ms<div class="small clock">server <span title="server clock of this form: EXPLAIN \(ANALYZE, TIMING OFF\)[^"]*">\(EXPLAIN\)<\/span><\/div>/);
    assert.match(html, /<figure class="chart" id="chart-breakdown"/);
  });

  it('names the server clock method and the client clock protocol in the environment section', async () => {
    const results = fixture();
    const env = (html: string) => html.slice(html.indexOf('<section id="environment">'));
    const html = env(await renderHtmlReport(results));
    assert.match(html, /<dt>Server clock<\/dt><dd id="server-clock"><strong>pg_stat_statements<\/strong><br><span class="muted">pg_stat_statements: executor time of each timed execution/);
    assert.match(html, /<dt>Client clock<\/dt><dd id="client-clock"><strong>unnamed statement<\/strong><br><span class="muted">wire round trip by the extended protocol with an unnamed statement/);
    assert.match(html, /clock auto \(each threshold its own\) · protocol unnamed/);
    results.environment.serverClock = { method: 'explain-timing-off', detail: 'EXPLAIN (ANALYZE, TIMING OFF): execution time of separate runs: the extension is not installed' };
    results.options.clock = 'client';
    const fallback = await renderHtmlReport(results);
    assert.match(env(fallback), /<dd id="server-clock"><strong>explain-timing-off<\/strong>/);
    assert.match(env(fallback), /clock client \(every threshold\)/);
    assert.match(fallback, /id="clocks-legend">[^]*<strong>server<\/strong>: EXPLAIN \(ANALYZE, TIMING OFF\): execution time of separate runs/);
  });
});
