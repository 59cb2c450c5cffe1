// bench:clock's agreement rule (pure): the median of paired per-round ratios, its order-statistic interval, and the
// looks at 30, 60, 120 and 240 rounds, on synthetic ratios whose true median is known, across many seeds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AGREEMENT_RULE, describeMisses, formatAgreement, judgeAgreement, nextAgreementLook, perLookAgreementConfidence, type Agreement } from '../../src/bench/agreement.ts';
import { mulberry32 } from '../../src/runner/statistics.ts';

const TOLERANCE = 0.15;
const SEEDS = 400;

/** Per-round ratios around a known median, log-normal (a ratio of two block p50s), sigma as measured here (~0.2). */
function ratioSource(seed: number, trueMedian: number, sigma = 0.2): (count: number) => number[] {
  const random = mulberry32(seed);
  return (count) => Array.from({ length: count }, () => {
    const u1 = random() || Number.MIN_VALUE;
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
    return trueMedian * Math.exp(sigma * z);
  });
}

/** The rule as bench:clock runs it: the first look's rounds, then more while undecided, up to the last look. */
function sequential(draw: (count: number) => number[]): Agreement {
  const confidence = perLookAgreementConfidence();
  const ratios = draw(AGREEMENT_RULE.looks[0]);
  let agreement = judgeAgreement(ratios, TOLERANCE, confidence);
  for (let next = nextAgreementLook(agreement); next !== undefined; next = nextAgreementLook(agreement)) {
    ratios.push(...draw(next - ratios.length));
    agreement = judgeAgreement(ratios, TOLERANCE, confidence);
  }
  return agreement;
}

function rates(trueMedian: number, sigma = 0.2) {
  const counts = { within: 0, outside: 0, undecided: 0 };
  for (let seed = 1; seed <= SEEDS; seed++) counts[sequential(ratioSource(seed, trueMedian, sigma)).status]++;
  return counts;
}

describe('judgeAgreement', () => {
  test('within when the whole interval is inside x0.85-x1.15, outside when wholly beyond an edge, undecided across one', () => {
    const around = (center: number) => Array.from({ length: 31 }, (_, i) => center + (i - 15) * 0.001);
    assert.equal(judgeAgreement(around(1.0), TOLERANCE, 0.95).status, 'within');
    assert.equal(judgeAgreement(around(1.3), TOLERANCE, 0.95).status, 'outside');
    assert.equal(judgeAgreement(around(0.7), TOLERANCE, 0.95).status, 'outside');
    assert.equal(judgeAgreement(around(1.15), TOLERANCE, 0.95).status, 'undecided');
    const a = judgeAgreement(around(1.0), TOLERANCE, 0.95);
    assert.ok(a.low! < 1 && a.high! > 1 && a.low! >= 0.985 && a.high! <= 1.015, formatAgreement(a));
    assert.equal(a.rounds, 31);
  });

  test('too few rounds give no bound and so no decision, however far the ratios are', () => {
    const a = judgeAgreement([2, 2.1], TOLERANCE, perLookAgreementConfidence());
    assert.equal(a.status, 'undecided');
    assert.equal(a.low, null);
    assert.equal(formatAgreement(a), 'x2.05 [?, ?]');
  });

  test('a bad tolerance is refused', () => {
    assert.throws(() => judgeAgreement([1, 1, 1], 0, 0.95), /tolerance/);
  });
});

describe('the looks', () => {
  test('30, then 60, 120 and 240 rounds while undecided; none once decided or at the last look', () => {
    const undecided = (rounds: number): Agreement => ({ ratio: 1.15, low: 1.1, high: 1.2, confidence: 0.98, rounds, status: 'undecided' });
    assert.equal(nextAgreementLook(undecided(30)), 60);
    assert.equal(nextAgreementLook(undecided(60)), 120);
    assert.equal(nextAgreementLook(undecided(120)), 240);
    assert.equal(nextAgreementLook(undecided(240)), undefined);
    assert.equal(nextAgreementLook({ ...undecided(30), status: 'within' }), undefined);
    assert.equal(nextAgreementLook({ ...undecided(30), status: 'outside' }), undefined);
    assert.ok(Math.abs(perLookAgreementConfidence() - (1 - 0.05 / 4)) < 1e-12);
  });

  test('a true median ratio of x1.00 is judged within in at least 97% of seeds, never outside', () => {
    const r = rates(1.0);
    assert.equal(r.outside, 0, JSON.stringify(r));
    assert.ok(r.within >= SEEDS * 0.97, JSON.stringify(r));
  });

  test('x1.30 and x0.75 are judged outside in at least 97% of seeds, never within', () => {
    for (const median of [1.3, 0.75]) {
      const r = rates(median);
      assert.equal(r.within, 0, `${median}: ${JSON.stringify(r)}`);
      assert.ok(r.outside >= SEEDS * 0.97, `${median}: ${JSON.stringify(r)}`);
    }
  });

  test('right at the edge (x1.15) it is rarely decided either way: at most 2.5% within, at most 2.5% outside', () => {
    const r = rates(1.15);
    assert.ok(r.within <= SEEDS * 0.025, JSON.stringify(r));
    assert.ok(r.outside <= SEEDS * 0.025, JSON.stringify(r));
    assert.ok(r.undecided >= SEEDS * 0.95, JSON.stringify(r));
  });
});

describe('describeMisses', () => {
  const agreement = (status: Agreement['status'], ratio: number, low: number, high: number): Agreement => ({ ratio, low, high, confidence: 0.9875, rounds: 240, status });
  test('lists only the queries not shown within, with the ratio, interval and the gap in microseconds', () => {
    const lines = describeMisses([
      { label: '100k single-execution-lookup prepared', agreement: agreement('within', 1.08, 1.04, 1.14), execbenchMs: 0.124, pgbenchMs: 0.115 },
      { label: '1M single-execution-lookup prepared', agreement: agreement('outside', 1.2, 1.15 + 1e-6, 1.24), execbenchMs: 0.132, pgbenchMs: 0.115 },
      { label: '1M recent-failures prepared', agreement: agreement('undecided', 0.87, 0.8, 0.95), execbenchMs: 0.139, pgbenchMs: 0.16 },
    ]);
    assert.deepEqual(lines, [
      '1M single-execution-lookup prepared: outside at x1.20 [1.15, 1.24], 0.132 vs 0.115 ms (+17 us per round trip)',
      '1M recent-failures prepared: undecided at x0.87 [0.80, 0.95], 0.139 vs 0.160 ms (-21 us per round trip)',
    ]);
  });
  test('says nothing when every query is within', () => {
    assert.deepEqual(describeMisses([{ label: 'a', agreement: agreement('within', 1, 0.95, 1.05), execbenchMs: 1, pgbenchMs: 1 }]), []);
  });
});
