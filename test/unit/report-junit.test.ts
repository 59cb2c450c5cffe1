import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RunResults } from '../../src/results.ts';
import { escapeXml, renderJunitXml } from '../../src/report/junit.ts';
import { allElements, parseXml } from '../support/xml.ts';

const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));



describe('JUnit XML', () => {
  it('is well-formed, with one testsuite per scale and totals that match the fixture', () => {
    const results = fixture();
    const root = parseXml(renderJunitXml(results));
    assert.equal(root.name, 'testsuites');
    const count = (status: string) => results.scenarios.filter((s) => s.outcome.status === status).length;
    // Failing documented forms that the gate does not judge are listed as skipped findings.
    const findings = results.scenarios.filter((s) => s.outcome.status === 'failed' && !s.gated).length;
    assert.ok(findings > 0, 'the fixture has failing documented forms');
    assert.equal(Number(root.attrs.tests), results.scenarios.length);
    assert.equal(Number(root.attrs.failures), count('failed') - findings);
    assert.equal(Number(root.attrs.errors), count('errored'));
    assert.equal(Number(root.attrs.skipped), count('skipped') + findings);
    assert.deepEqual(root.children.map((s) => s.attrs.name), ['execbench 100k', 'execbench 1m']);
    for (const suite of root.children) {
      const cases = allElements(suite, 'testcase');
      assert.equal(Number(suite.attrs.tests), cases.length);
      assert.equal(Number(suite.attrs.failures), cases.filter((c) => c.children.some((x) => x.name === 'failure')).length);
    }
  });

  it('has one testcase per scenario x scale x form, classname = scenario, name = "<scale> <form>"', () => {
    const results = fixture();
    const cases = allElements(parseXml(renderJunitXml(results)), 'testcase');
    assert.equal(cases.length, results.scenarios.length);
    const keys = new Set(cases.map((c) => `${c.attrs.classname}|${c.attrs.name}`));
    for (const s of results.scenarios) assert.ok(keys.has(`${s.scenarioId}|${s.scale} ${s.form}`), `missing ${s.scenarioId} ${s.scale} ${s.form}`);
  });

  it('carries the reason: failures with the violation, errors as <error>, skips as <skipped>', () => {
    const cases = allElements(parseXml(renderJunitXml(fixture())), 'testcase');
    const find = (classname: string, name: string) => cases.find((c) => c.attrs.classname === classname && c.attrs.name === name)!;
    const syntax = find('retention-cleanup-batch', '100k documented').children.find((c) => c.name === 'skipped')!;
    assert.match(syntax.attrs.message!, /^spec finding, not gated .*syntax error at or near "ORDER"/);
    const error = find('paginated-deep-page', '1m corrected').children.find((c) => c.name === 'error')!;
    assert.match(error.attrs.message!, /statement timeout/);
    const skipped = find('sparkline-7d-covering', '100k documented').children.find((c) => c.name === 'skipped')!;
    assert.match(skipped.attrs.message!, /covering-index/);
    const passed = find('recent-failures', '100k documented');
    assert.deepEqual(passed.children.map((c) => c.name), ['system-out']);
  });

  it('with --strict-spec a failing documented form is a <failure> carrying the violation', () => {
    const results = fixture();
    results.options.strictSpec = true;
    const cases = allElements(parseXml(renderJunitXml(results)), 'testcase');
    const syntax = cases.find((c) => c.attrs.classname === 'retention-cleanup-batch' && c.attrs.name === '100k documented')!
      .children.find((c) => c.name === 'failure')!;
    assert.equal(syntax.attrs.type, 'sql-error');
    assert.match(syntax.attrs.message!, /syntax error at or near "ORDER"/);
  });

  it('escapes markup and drops control characters in messages', () => {
    assert.equal(escapeXml('<a href="x">&\'\u0001'), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    const results = fixture();
    results.scenarios[0]!.outcome = { status: 'errored', error: 'bad ]]> <tag> & "quote" \u0007 bell' };
    results.scenarios[0]!.scenarioId = 'weird<&>"id';
    const root = parseXml(renderJunitXml(results));
    const error = allElements(root, 'error').find((e) => e.attrs.message!.includes('bell'))!;
    // parseXml decodes the entities: the message round-trips, control characters dropped.
    assert.equal(error.attrs.message, 'bad ]]> <tag> & "quote"  bell');
  });

  it('a failed latency verdict is a <failure> whose message names the clock, p95, interval, confidence, n, limit and FAILED', () => {
    const results = fixture();
    const cases = allElements(parseXml(renderJunitXml(results)), 'testcase');
    const source = results.scenarios.find((s) => s.scenarioId === 'retention-cleanup-batch' && s.scale === '1m' && s.form === 'corrected')!;
    const v = source.latencyVerdict!;
    assert.equal(v.status, 'failed');
    const failure = cases.find((c) => c.attrs.classname === 'retention-cleanup-batch' && c.attrs.name === '1m corrected')!.children.find((c) => c.name === 'failure')!;
    assert.equal(failure.attrs.type, 'threshold');
    assert.equal(failure.attrs.message, `threshold: server p95 ${v.estimateMs.toFixed(1)} [${v.ciLowMs!.toFixed(1)}, —] ms (98.75% per look, 95% overall), n=${v.samples}, limit 40 ms: FAILED`);
    // The body keeps the verdict's own sentence (with the look it was decided at).
    assert.match(failure.text, /threshold: server p95 \[[\d.]+, —\] ms > 40\.0 ms \(98\.75% distribution-free interval, \d+ samples, look 1 of at most 4\)/);
  });

  it('a failure for another reason carries a latency verdict that did not pass in its message too', () => {
    const results = fixture();
    const sparkline = results.scenarios.find((s) => s.scenarioId === 'sparkline-7d' && s.scale === '1m')!;
    sparkline.outcome = { status: 'failed', violations: [{ kind: 'index-not-used', message: 'expected idx_x; the plan used no index' }] };
    const failure = allElements(parseXml(renderJunitXml(results)), 'testcase')
      .find((c) => c.attrs.classname === 'sparkline-7d' && c.attrs.name === '1m documented')!.children.find((c) => c.name === 'failure')!;
    assert.match(failure.attrs.message!, /^index-not-used: expected idx_x; the plan used no index; latency: server p95 [\d.]+ \[[\d.]+, —\] ms \(98\.75% per look, 95% overall\), n=75, limit 300 ms: inconclusive$/);
  });

  it('an inconclusive verdict leaves the test case passing, with a line saying inconclusive and why', () => {
    const results = fixture();
    const cases = allElements(parseXml(renderJunitXml(results)), 'testcase');
    const sparkline = cases.find((c) => c.attrs.classname === 'sparkline-7d' && c.attrs.name === '1m documented')!;
    assert.deepEqual(sparkline.children.map((c) => c.name), ['system-out'], 'inconclusive is not a failure: the exit code decides');
    const out = sparkline.children[0]!.text;
    assert.match(out, /^latency: server p95 [\d.]+ \[[\d.]+, —\] ms \(98\.75% per look, 95% overall\), n=75, limit 300 ms: inconclusive$/m);
    assert.match(out, /^INCONCLUSIVE \(inconclusive: a warning, not a failure; --fail-on inconclusive makes it fatal\): server p95 \[[\d.]+, —\] ms: 75 samples give no upper bound/m);
    // The run read pg_stat_statements, but this bulk form's server clock is EXPLAIN TIMING OFF: the line says the form's own.
    assert.match(out, /^server clock: EXPLAIN \(ANALYZE, TIMING OFF\) beside each execution for this form/m);
    assert.match(out, /^where the time goes \(78211 rows, medians\): server [\d.]+ ms, send [\d.]+ ms, wire [\d.]+ ms, decode [\d.]+ ms$/m);
    const retention = cases.find((c) => c.attrs.classname === 'retention-cleanup-batch' && c.attrs.name === '100k corrected')!;
    assert.deepEqual(retention.children.map((c) => c.name), ['system-out']);
    assert.match(retention.children[0]!.text, /contains the limit 15\.0 ms/);
  });

  it('a passing case names its clock, interval, n, status and both clocks\' figures in <system-out>', () => {
    const results = fixture();
    const source = results.scenarios.find((s) => s.scenarioId === 'paginated-deep-page' && s.scale === '100k')!;
    const v = source.latencyVerdict!;
    const out = allElements(parseXml(renderJunitXml(results)), 'testcase')
      .find((c) => c.attrs.classname === 'paginated-deep-page' && c.attrs.name === '100k corrected')!.children.find((c) => c.name === 'system-out')!.text;
    assert.ok(out.includes(`latency: client p95 ${v.estimateMs.toFixed(2)} [${v.ciLowMs!.toFixed(2)}, ${v.ciHighMs!.toFixed(2)}] ms (98.75% per look, 95% overall), n=${v.samples}, limit 500 ms: passed`), out);
    assert.match(out, /^threshold p95 500 ms on the client clock: spec Overview/m);
    assert.match(out, /^client clock: wire round trip by the extended protocol with an unnamed statement/m);
    assert.doesNotMatch(out, /where the time goes/, '50 rows: no breakdown line');
    assert.match(out, /\(\d+ samples, unnamed statement\); server p50 [\d.]+ ms, p95 [\d.]+ ms \(\d+ samples, pg_stat_statements\)$/m);
    const calibrated = allElements(parseXml(renderJunitXml(results)), 'testcase')
      .find((c) => c.attrs.classname === 'recent-failures' && c.attrs.name === '100k documented')!.children[0]!.text;
    const c = results.scenarios.find((s) => s.scenarioId === 'recent-failures' && s.scale === '100k')!.latency!.calibration!;
    assert.ok(calibrated.includes(`pgbench p50 ${c.pgbenchP50Ms.toFixed(3)} ms (extended, ${c.transactions} transactions) vs execbench client p50 ${c.execbenchP50Ms.toFixed(3)} ms: ratio ${c.ratio.toFixed(2)}`), calibrated);
  });
});
