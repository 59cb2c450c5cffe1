// A latency verdict whose pass the per-form cap cannot buy (the 1M live aggregate: 99 samples of ~0.5 s against a
// 20 s cap): the pure rule that stops sampling there, and how the gate says it (a note, still fatal on request).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gateLine } from '../../src/commands/run.ts';
import { decideExit, DEFAULT_FAIL_ON } from '../../src/gate/verdict.ts';
import { beyondCapReason, judgeLatency, minSamplesToPass, OUT_OF_REACH_MARGIN, passOutOfReach } from '../../src/gate/latency-verdict.ts';
import { renderResultsTable } from '../../src/report/console.ts';
import type { RunResults } from '../../src/results.ts';

const LIMIT = 2000;
const five = [480, 510, 495, 530, 505];
const firstLook = judgeLatency(five, { limitMs: LIMIT, clock: 'client', statistic: 'p95' }, 1);

describe('passOutOfReach', () => {
  it('stops when the samples a pass needs cost far more than the time left and no sample is near the limit', () => {
    const beyond = passOutOfReach(firstLook, 530, 500, 17_500, 20_000);
    assert.ok(beyond);
    assert.equal(beyond.neededSamples, minSamplesToPass('p95'));
    assert.equal(beyond.estimatedMs, (minSamplesToPass('p95') - 5) * 500);
    assert.match(beyondCapReason(beyond), /a pass needs 99 samples, about 47 s more at 500 ms each, beyond the 20 s cap per form.*run again with --max-form-time 60s to decide it/);
  });

  it('goes on when the cost is within the margin of the time left (a form near the edge still buys its samples)', () => {
    const needed = minSamplesToPass('p95') - 5;
    const remaining = 17_000;
    const perSampleAtEdge = (remaining * OUT_OF_REACH_MARGIN) / needed;
    assert.equal(passOutOfReach(firstLook, 530, perSampleAtEdge * 0.99, remaining, 20_000), undefined);
    assert.ok(passOutOfReach(firstLook, 530, perSampleAtEdge * 1.01, remaining, 20_000));
  });

  it('goes on when a sample reached the limit: more samples could still decide "failed"', () => {
    assert.equal(passOutOfReach(firstLook, LIMIT, 500, 17_500, 20_000), undefined);
  });

  it('never touches a verdict that is decided or already has an upper bound', () => {
    const failed = judgeLatency([2500, 2600, 2700, 2550, 2650], { limitMs: LIMIT, clock: 'client', statistic: 'p95' }, 1);
    assert.equal(failed.status, 'failed');
    assert.equal(passOutOfReach(failed, 2700, 2600, 1000, 20_000), undefined);
    const many = Array.from({ length: 120 }, (_, i) => 1000 + (i * 1060) / 119);
    const straddling = judgeLatency(many, { limitMs: LIMIT, clock: 'client', statistic: 'p95' }, 2);
    assert.equal(straddling.status, 'inconclusive');
    assert.notEqual(straddling.ciHighMs, null);
    assert.equal(passOutOfReach(straddling, 1990, 500, 100, 20_000), undefined);
  });
});

describe('the gate on a verdict left undecided beyond the cap', () => {
  const fixture = (): RunResults => JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8'));
  const withBeyondCap = (): RunResults => {
    const results = fixture();
    // The fixture's own failing gated forms and inconclusive verdicts out, so the gate passes with nothing else to say.
    results.scenarios = results.scenarios.filter((r) => (!r.gated || r.outcome.status === 'passed') && r.latencyVerdict?.status !== 'inconclusive');
    const form = results.scenarios.find((r) => r.gated && r.outcome.status === 'passed' && r.latencyVerdict)!;
    const beyond = passOutOfReach(firstLook, 530, 500, 17_500, 20_000)!;
    form.latencyVerdict = { ...firstLook, beyondCap: beyond, reason: `${firstLook.reason}; ${beyondCapReason(beyond)}` };
    return results;
  };

  it('is a note under a passing gate line, not a warning', () => {
    const results = withBeyondCap();
    const decision = decideExit(results, undefined, DEFAULT_FAIL_ON);
    assert.equal(decision.exitCode, 0);
    const line = gateLine(results, decision);
    assert.match(line, /^Gate: PASSED \(exit 0\)/);
    assert.doesNotMatch(line, /warning:/);
    assert.match(line, /note: 1 latency verdict\(s\) left undecided on purpose/);
    assert.doesNotMatch(line, /failure\(s\) outside --fail-on/);
  });

  it('still fails the run with --fail-on inconclusive', () => {
    const decision = decideExit(withBeyondCap(), undefined, [...DEFAULT_FAIL_ON, 'inconclusive']);
    assert.notEqual(decision.exitCode, 0);
    assert.ok(decision.reasons.some((r) => / inconclusive beyond the cap: .*a pass needs 99 samples/.test(r)));
  });

  it('an ordinary inconclusive verdict beside it is still a warning', () => {
    const results = withBeyondCap();
    const other = results.scenarios.find((r) => r.gated && r.outcome.status === 'passed' && r.latencyVerdict && !r.latencyVerdict.beyondCap)!;
    other.latencyVerdict = { ...other.latencyVerdict!, status: 'inconclusive' };
    const line = gateLine(results, decideExit(results, undefined, DEFAULT_FAIL_ON));
    assert.match(line, /warning: 1 latency verdict\(s\) inconclusive/);
    assert.match(line, /note: 1 latency verdict\(s\) left undecided on purpose/);
    assert.match(renderResultsTable(results).replace(/\s+/g, ' '), /2 on forms the gate judges \(1 of them undecided on purpose/);
  });
});
