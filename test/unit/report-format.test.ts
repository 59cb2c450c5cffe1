import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LatencyVerdict, ScenarioResult } from '../../src/results.ts';
import {
  countsForGate, describeClocks, displayStatus, formatConfidence, formatLatencyVerdict, formatLimit, formatThreshold, formatTimings, formatVerdictP95,
  shortFingerprint, timingLabel,
} from '../../src/report/format.ts';

const verdict = (over: Partial<LatencyVerdict>): LatencyVerdict => ({
  clock: 'server', statistic: 'p95', limitMs: 300, estimateMs: 49.08, ciLowMs: 45.482, ciHighMs: null, confidence: 0.9875, overallConfidence: 0.95,
  samples: 84, looks: 2, status: 'inconclusive', reason: 'server p95 [45.5, —] ms: 84 samples give no upper bound', ...over,
});

type Row = Pick<ScenarioResult, 'gated' | 'form' | 'outcome'>;
const failed: ScenarioResult['outcome'] = { status: 'failed', violations: [{ kind: 'sql-error', message: 'x' }] };

describe('report formatting', () => {
  it('labels run-phase timing keys for people, from the key pattern', () => {
    assert.equal(timingLabel('provisionMs'), 'provision');
    assert.equal(timingLabel('totalMs'), 'total');
    assert.equal(timingLabel('seed_20000_ms'), 'seed 20000');
    assert.equal(timingLabel('scenarios_20000_ms'), 'scenarios 20000');
    assert.equal(timingLabel('audit_1m_ms'), 'audit 1m');
    assert.equal(timingLabel('reportWriteMs'), 'report write');
    assert.equal(timingLabel('seed'), 'seed');
    const line = formatTimings({ provisionMs: 1400, seed_20000_ms: 28, scenarios_20000_ms: 23_000, audit_20000_ms: 2650, totalMs: 55_748 });
    assert.equal(line, 'provision 1.4 s · seed 20000 28 ms · scenarios 20000 23.0 s · audit 20000 2.6 s · total 55.7 s');
    assert.doesNotMatch(line, /Ms\b|_ms\b|_/);
  });

  it('shortens a fingerprint to its first 12 characters', () => {
    const full = 'a59007c301d1603c35b8ee1a6fe2a8c50243ccf8084f05413e244cd54734a78b';
    assert.equal(shortFingerprint(full), 'a59007c301d1…');
    assert.equal(shortFingerprint('abc'), 'abc');
  });

  it('shows a failed form the gate does not judge as a finding, unless --strict-spec gates it', () => {
    const documentedOnly: Row = { gated: false, form: 'documented', outcome: failed };
    assert.equal(displayStatus(documentedOnly, false), 'finding');
    assert.equal(displayStatus(documentedOnly, true), 'failed');
    assert.equal(countsForGate(documentedOnly, false), false);
    assert.equal(countsForGate(documentedOnly, true), true);
    assert.equal(displayStatus({ gated: true, form: 'corrected', outcome: failed }, false), 'failed');
    assert.equal(displayStatus({ gated: true, form: 'documented', outcome: failed }, false), 'failed');
    assert.equal(displayStatus({ gated: false, form: 'documented', outcome: { status: 'passed' } }, false), 'passed');
    assert.equal(displayStatus({ gated: false, form: 'documented', outcome: { status: 'errored', error: 'timeout' } }, false), 'errored');
  });

  it('a passed form with an inconclusive latency verdict is shown as inconclusive; a failed or errored one keeps its status', () => {
    const passed: Row = { gated: true, form: 'documented', outcome: { status: 'passed' } };
    assert.equal(displayStatus({ ...passed, latencyVerdict: verdict({}) }, false), 'inconclusive');
    assert.equal(displayStatus({ ...passed, latencyVerdict: verdict({ status: 'passed' }) }, false), 'passed');
    assert.equal(displayStatus({ gated: false, form: 'documented', outcome: failed, latencyVerdict: verdict({}) }, false), 'finding');
    assert.equal(displayStatus({ gated: true, form: 'corrected', outcome: failed, latencyVerdict: verdict({}) }, false), 'failed');
  });

  it('formats a verdict with clock, p95, interval (— for a missing bound), confidence, n, limit and status', () => {
    assert.equal(formatLatencyVerdict(verdict({})), 'server p95 49.1 [45.5, —] ms (98.75% per look, 95% overall), n=84, limit 300 ms: inconclusive');
    assert.equal(formatLatencyVerdict(verdict({ clock: 'client', limitMs: 2.5, estimateMs: 0.412, ciLowMs: 0.4, ciHighMs: 0.43, samples: 400, status: 'passed' })),
      'client p95 0.412 [0.400, 0.430] ms (98.75% per look, 95% overall), n=400, limit 2.5 ms: passed');
    assert.match(formatLatencyVerdict(verdict({ status: 'failed', ciLowMs: 320 })), /: FAILED$/);
    assert.equal(formatVerdictP95(verdict({ ciLowMs: null, ciHighMs: null })), '49.1 [—, —]');
    assert.equal(formatConfidence(0.9875), '98.75%');
    assert.equal(formatConfidence(0.95), '95%');
    assert.equal(formatLimit(24), '24');
    assert.equal(formatLimit(0.5), '0.5');
  });

  it('names the threshold\'s clock, and the run\'s clocks from its environment (or says they were not recorded)', () => {
    const r = { threshold: { p95Ms: 36, clock: 'server', derived: true, source: 'x' } } as ScenarioResult;
    assert.equal(formatThreshold(r), '≤ 36 ms server (derived)');
    const env = { serverClock: { method: 'explain-timing-off', detail: 'EXPLAIN (ANALYZE, TIMING OFF): separate runs' }, clientClock: { protocol: 'prepared', detail: 'round trip' } } as const;
    assert.deepEqual(describeClocks(env as never), { server: 'EXPLAIN (ANALYZE, TIMING OFF): separate runs', client: 'prepared statement: round trip' });
    assert.match(describeClocks({} as never).server, /not recorded/);
  });
});
