import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RunResults } from '../../src/results.ts';
import { markdownCell, renderMarkdownSummary } from '../../src/report/markdown.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));

/** The rows of the first Markdown table after `heading`. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  assert.notEqual(start, -1, `no heading ${heading}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
    else if (rows.length > 0) break;
  }
  return rows.slice(2);
}

describe('Markdown summary', () => {
  it('says the gate passes when every gated form passed or was skipped', () => {
    const results = fixture();
    for (const s of results.scenarios) if (s.gated && s.outcome.status !== 'skipped') s.outcome = { status: 'passed' };
    assert.match(renderMarkdownSummary(results), /^## execbench: ✅ all gated scenarios passed/);
  });

  it('says the gate fails and counts the gated outcomes of the fixture', () => {
    const results = fixture();
    const md = renderMarkdownSummary(results);
    const count = (status: string) => results.scenarios.filter((s) => s.gated && s.outcome.status === status).length;
    assert.ok(count('failed') + count('errored') > 0, 'the fixture is meant to contain failures');
    assert.match(md, /^## execbench: ❌ the gate fails/);
    const passedInconclusive = results.scenarios.filter((s) => s.gated && s.outcome.status === 'passed' && s.latencyVerdict?.status === 'inconclusive').length;
    assert.ok(md.includes(`**Gated forms:** ${count('passed')} passed${passedInconclusive > 0 ? ` (${passedInconclusive} of them with an inconclusive latency verdict)` : ''}, ${count('failed')} failed, ${count('errored')} errored, ${count('skipped')} skipped. **Spec findings:** ${results.findings.length}.`));
    const inconclusive = results.scenarios.filter((s) => s.gated && s.latencyVerdict?.status === 'inconclusive').length;
    assert.equal(inconclusive, 2);
    assert.ok(md.includes(`**Inconclusive latency verdicts:** 2 (inconclusive: a warning, not a failure; --fail-on inconclusive makes it fatal).`));
  });

  it('has one verdict row per gated form, with its clock, p95 interval, n, limit, medians and the index used', () => {
    const results = fixture();
    const rows = tableAfter(renderMarkdownSummary(results), '### Verdicts');
    assert.equal(rows.length, results.scenarios.filter((s) => s.gated).length);
    const recent = rows.find((r) => r[0] === 'recent-failures' && r[1] === '100k')!;
    const source = results.scenarios.find((s) => s.scenarioId === 'recent-failures' && s.scale === '100k')!;
    const v = source.latencyVerdict!;
    assert.equal(recent[3], '✅ pass');
    assert.equal(recent[4], 'server');
    assert.equal(recent[5], `${v.estimateMs.toFixed(3)} [${v.ciLowMs!.toFixed(3)}, ${v.ciHighMs!.toFixed(3)}] passed`);
    assert.equal(recent[6], String(v.samples));
    assert.equal(recent[7], '5');
    assert.equal(Number(recent[8]), Number(source.latency!.client.p50Ms.toFixed(3)));
    assert.equal(Number(recent[9]), Number(source.latency!.server.p50Ms.toFixed(3)));
    assert.equal(recent[10], '`idx_executions_tenant_env_failed_started`');
    assert.equal(rows.find((r) => r[0] === 'recent-failures' && r[1] === '1m')![7], '15 (derived)');
    assert.equal(rows.find((r) => r[0] === 'paginated-deep-page' && r[1] === '100k')![4], 'client');
    const errored = rows.find((r) => r[0] === 'paginated-deep-page' && r[1] === '1m')!;
    assert.equal(errored[3], '💥 error');
    assert.deepEqual(errored.slice(4, 8), ['client', '–', '–', '500']);
    assert.match(errored[11]!, /statement timeout/);
  });

  it('marks an inconclusive verdict as a warning with its reason, and a failed one FAILED with the interval', () => {
    const results = fixture();
    const rows = tableAfter(renderMarkdownSummary(results), '### Verdicts');
    const sparkline = rows.find((r) => r[0] === 'sparkline-7d' && r[1] === '1m')!;
    assert.equal(sparkline[3], '⚠️ inconclusive');
    assert.match(sparkline[5]!, /^[\d.]+ \[[\d.]+, —\] inconclusive$/);
    assert.equal(sparkline[6], '75');
    assert.match(sparkline[11]!, /^server p95 \[[\d.]+, —\] ms: 75 samples give no upper bound at 98\.75% \(needs 99\)/);
    const retention = rows.find((r) => r[0] === 'retention-cleanup-batch' && r[1] === '100k')!;
    assert.equal(retention[3], '⚠️ inconclusive');
    assert.match(retention[11]!, /contains the limit 15\.0 ms/);
    const failed = rows.find((r) => r[0] === 'retention-cleanup-batch' && r[1] === '1m')!;
    assert.equal(failed[3], '❌ fail');
    assert.match(failed[5]!, /^[\d.]+ \[[\d.]+, —\] FAILED$/);
    assert.match(failed[11]!, /^threshold: server p95 \[[\d.]+, —\] ms &gt; 40\.0 ms/);
  });

  it('says under the Verdicts heading which clock is which on this run and how to read an interval', () => {
    const results = fixture();
    const md = renderMarkdownSummary(results);
    const note = md.split('\n')[md.split('\n').indexOf('### Verdicts') + 2]!;
    assert.match(note, /^Each limit judges the p95 of one clock\. \*\*server\*\*: pg_stat_statements: executor time of each timed execution/);
    assert.match(note, /\*\*client\*\*: wire round trip by the extended protocol with an unnamed statement/);
    assert.match(note, /distribution-free order-statistic intervals at 98\.75% per look \(95% overall\); — means too few samples for that bound/);
    results.environment.serverClock = { method: 'explain-timing-off', detail: 'EXPLAIN (ANALYZE, TIMING OFF): execution time of separate runs: not installed' };
    results.environment.clientClock = { protocol: 'prepared', detail: 'wire round trip by a named prepared statement' };
    const other = renderMarkdownSummary(results);
    assert.match(other, /\*\*server\*\*: EXPLAIN \(ANALYZE, TIMING OFF\): execution time of separate runs/);
    assert.match(other, /\*\*client\*\*: wire round trip by a named prepared statement/);
  });

  it('lists every non-gated documented form, passing ones too, with its failures as spec findings, and every finding with its fix', () => {
    const results = fixture();
    // A documented form that holds but is not gated must still be listed somewhere.
    const holding = results.scenarios.find((s) => s.scenarioId === 'status-filtered-success' && s.form === 'documented' && s.scale === '1m')!;
    holding.outcome = { status: 'passed' };
    const md = renderMarkdownSummary(results);
    const documented = results.scenarios.filter((s) => !s.gated);
    const findings = documented.filter((s) => s.outcome.status === 'failed').length;
    assert.ok(md.includes(`<details><summary>${documented.length} documented forms: 1 hold, ${findings} spec findings</summary>`), md);
    const rows = tableAfter(md, '### Documented forms, not gated');
    assert.equal(rows.length, documented.length);
    assert.deepEqual(rows.find((r) => r[0] === 'status-filtered-success' && r[1] === '1m')!.slice(2, 4), ['documented', '✅ pass']);
    for (const row of rows.filter((r) => r[3] !== '✅ pass')) assert.equal(row[3], '🔎 finding', `${row[0]} ${row[1]}`);
    assert.ok(md.includes('🔎 finding: documented form, not gated; --strict-spec gates it.'));
    for (const finding of results.findings) {
      assert.ok(md.includes(finding.title), `finding missing: ${finding.title}`);
      // '<' and '>' are entity-escaped so GitHub does not read them as HTML tags.
      if (finding.fix) assert.ok(md.includes(`**Fix:** ${finding.fix.replace(/</g, '&lt;').replace(/>/g, '&gt;')}`), `fix missing: ${finding.fix}`);
    }
  });

  it('lists every scenario x scale x form exactly once across its tables', () => {
    const results = fixture();
    const md = renderMarkdownSummary(results);
    const listed = [...tableAfter(md, '### Verdicts'), ...tableAfter(md, '### Documented forms, not gated')].map((r) => `${r[0]} ${r[1]} ${r[2]}`);
    const expected = results.scenarios.map((s) => `${s.scenarioId} ${s.scale} ${s.form}`);
    assert.deepEqual([...listed].sort(), [...expected].sort());
  });

  it('under --strict-spec a failing documented form is a failure, and counts in the banner', () => {
    const results = fixture();
    for (const s of results.scenarios) if (s.gated) s.outcome = { status: 'passed' };
    assert.match(renderMarkdownSummary(results), /^## execbench: ✅ all gated scenarios passed/);
    results.options.strictSpec = true;
    const md = renderMarkdownSummary(results);
    const documentedFailed = results.scenarios.filter((s) => !s.gated && s.form === 'documented' && s.outcome.status === 'failed').length;
    assert.match(md, /^## execbench: ❌ the gate fails/);
    assert.ok(md.includes(`${documentedFailed} failed, 0 errored`));
    const rows = tableAfter(md, '### Documented forms, not gated');
    assert.ok(rows.every((r) => r[3] === '❌ fail'));
    assert.ok(!md.includes('🔎'));
  });

  it('lists the headline checks per scale', () => {
    const rows = tableAfter(renderMarkdownSummary(fixture()), '### Headline checks');
    assert.equal(rows.length, 4);
    assert.deepEqual(rows.map((r) => r[1]), ['100k', '100k', '1m', '1m']);
  });

  it('escapes pipes and newlines so a message cannot break its table row', () => {
    assert.equal(markdownCell('a | b\nc'), 'a \\| b c');
    const results = fixture();
    const first = results.scenarios.find((s) => s.gated && s.outcome.status === 'passed')!;
    first.outcome = { status: 'failed', violations: [{ kind: 'threshold', message: 'x | y\nz <b>' }] };
    const rows = tableAfter(renderMarkdownSummary(results), '### Verdicts');
    const row = rows.find((r) => r[0] === first.scenarioId && r[1] === first.scale)!;
    assert.equal(row.length, 12);
    assert.equal(row[11], 'threshold: x \\| y z &lt;b&gt;');
  });
});

describe('Markdown calibration table (run --calibrate)', () => {
  it('lists each calibrated form with both p50s and the ratio; no section without calibration', () => {
    const results = fixture();
    const md = renderMarkdownSummary(results);
    const rows = tableAfter(md, '### pgbench beside execbench (--calibrate)');
    const calibrated = results.scenarios.filter((r) => r.latency?.calibration);
    assert.equal(rows.length, calibrated.length);
    const c = calibrated.find((r) => r.scenarioId === 'recent-failures' && r.scale === '1m')!.latency!.calibration!;
    assert.deepEqual(rows.find((r) => r[0] === 'recent-failures' && r[1] === '1m'),
      ['recent-failures', '1m', 'documented', c.execbenchP50Ms.toFixed(3), c.pgbenchP50Ms.toFixed(3), `x${c.ratio.toFixed(2)}`, String(c.transactions)]);
    assert.match(md, /pgbench -M extended, one client, in blocks alternating with execbench's/);
    for (const r of results.scenarios) if (r.latency) delete r.latency.calibration;
    assert.doesNotMatch(renderMarkdownSummary(results), /pgbench beside execbench/);
  });

  it("leads with the document's verdict, as the console and the HTML report do", () => {
    const results = fixture();
    const md = renderMarkdownSummary(results);
    const documentAt = md.indexOf("### The document's verdict");
    assert.ok(documentAt > 0 && documentAt < md.indexOf('### Verdicts'), 'the document\'s verdict comes before the verdict table');
    assert.match(md, /\*\*\d+ of the document's \d+ statements fail as written\*\*/);
    assert.equal(renderMarkdownSummary({ ...results, scenarios: results.scenarios.filter((r) => r.form !== 'documented') }).includes("### The document's verdict"), false,
      'no documented form judged, no section');
  });
});
