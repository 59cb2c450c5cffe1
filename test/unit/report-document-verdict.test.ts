import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RunResults } from '../../src/results.ts';
import { renderHeadline } from '../../src/report/console.ts';
import { documentVerdict } from '../../src/report/document-verdict.ts';
import { renderHtmlReport } from '../../src/report/html.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));

describe('the document\'s verdict', () => {
  it('counts the statements whose documented form fails at any scale, grouped by why, each named once', () => {
    const results = fixture();
    const v = documentVerdict(results);
    const documented = results.scenarios.filter((r) => r.form === 'documented');
    const failing = new Set(documented.filter((r) => r.outcome.status === 'failed' || r.outcome.status === 'errored').map((r) => r.scenarioId));
    assert.equal(v.statements, new Set(documented.map((r) => r.scenarioId)).size);
    assert.equal(v.failingCount, failing.size);
    assert.ok(v.failingCount > 0, 'the fixture has failing documented statements');
    const named = v.groups.flatMap((g) => g.scenarioIds);
    assert.deepEqual(new Set(named), failing);
    assert.equal(named.length, failing.size, 'a statement is counted under one cause only');
    const noIndex = v.groups.find((g) => g.cause === 'no-index')!;
    assert.ok(noIndex.scenarioIds.includes('paginated-listing'), 'the documented listing is a Seq Scan');
    const listing = documented.filter((r) => r.scenarioId === 'paginated-listing').map((r) => r.latencyVerdict!.estimateMs);
    assert.ok(noIndex.latencyRangeMs!.high >= Math.max(...listing) && noIndex.latencyRangeMs!.low <= Math.min(...listing));
  });

  it('a documented form that passes leaves the count; an errored one is "does not run"', () => {
    const results = fixture();
    const before = documentVerdict(results).failingCount;
    for (const r of results.scenarios) if (r.scenarioId === 'paginated-listing' && r.form === 'documented') r.outcome = { status: 'passed' };
    assert.equal(documentVerdict(results).failingCount, before - 1);
    const recent = results.scenarios.find((r) => r.scenarioId === 'recent-failures' && r.form === 'documented')!;
    recent.outcome = { status: 'errored', error: 'boom' };
    const v = documentVerdict(results);
    assert.equal(v.failingCount, before);
    assert.ok(v.groups.find((g) => g.cause === 'does-not-run')!.scenarioIds.includes('recent-failures'));
  });

  it('the HTML report opens with it, before the gate\'s banner; the console prints it above the promises', async () => {
    const results = fixture();
    const v = documentVerdict(results);
    const html = await renderHtmlReport(results);
    const main = html.indexOf('<main');
    const verdictAt = html.indexOf('id="document-verdict"');
    assert.ok(verdictAt > 0 && verdictAt < html.indexOf('id="overall-verdict"') && verdictAt < main, 'first, in the header');
    assert.match(html, new RegExp(`<strong>${v.failingCount} of the document's ${v.statements} statements fail as written</strong>`));
    for (const g of v.groups) assert.match(html, new RegExp(`<li data-cause="${g.cause}"><strong>${g.scenarioIds.length} `));
    const text = renderHeadline(results);
    assert.match(text, new RegExp(`^The document's verdict: ${v.failingCount} of its ${v.statements} statements fail as written`));
    assert.ok(text.indexOf('Once corrected') < text.indexOf('Headline promises of the spec'));
  });
});
