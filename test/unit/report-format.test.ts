import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScenarioResult } from '../../src/results.ts';
import { countsForGate, displayStatus, formatTimings, shortFingerprint, timingLabel } from '../../src/report/format.ts';

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
});
