// The latency verdict (pure): order-statistic intervals and the sequential rule, on synthetic samples whose true
// p95 is known, across many seeds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  judgeLatency, minSamplesToPass, nextLookSamples, perLookConfidence, sequentialVerdict, VERDICT_RULE, type LatencyRule,
} from '../../src/gate/latency-verdict.ts';
import { minSamplesForUpperBound, mulberry32, quantileInterval, quantileIntervalRanks } from '../../src/runner/statistics.ts';

/** A seeded log-normal source with a known true p95 (ms): median * exp(sigma * z95). */
const Z95 = 1.6448536269514722;
function lognormalSource(seed: number, trueP95Ms: number, sigma = 0.5): (count: number) => number[] {
  const random = mulberry32(seed);
  const median = trueP95Ms / Math.exp(sigma * Z95);
  return (count) => Array.from({ length: count }, () => {
    const u1 = random() || Number.MIN_VALUE;
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
    return median * Math.exp(sigma * z);
  });
}

const rule = (limitMs: number): LatencyRule => ({ limitMs, clock: 'server', statistic: 'p95' });
const SEEDS = 400;

function rates(trueP95: number, limit: number, firstLook: number, sigma = 0.5) {
  const counts = { passed: 0, failed: 0, inconclusive: 0 };
  for (let seed = 1; seed <= SEEDS; seed++) counts[sequentialVerdict(lognormalSource(seed, trueP95, sigma), rule(limit), firstLook).status]++;
  return counts;
}

describe('quantileInterval (distribution-free, exact binomial)', () => {
  test('the p95 needs 72 samples for a 95% upper bound and 99 at the per-look 98.75%', () => {
    assert.equal(minSamplesForUpperBound(0.95, 0.95), 72);
    assert.equal(minSamplesToPass(), 99);
    assert.equal(quantileIntervalRanks(71, 0.95, 0.95).highRank, 0);
    assert.equal(quantileIntervalRanks(72, 0.95, 0.95).highRank, 72);
    assert.equal(quantileIntervalRanks(98, 0.95, perLookConfidence()).highRank, 0);
    assert.equal(quantileIntervalRanks(99, 0.95, perLookConfidence()).highRank, 99);
  });

  test('with 5 samples the 98.75% lower bound of the p95 is their median (rank 3)', () => {
    const ci = quantileInterval([5, 1, 4, 2, 3], 0.95, perLookConfidence());
    assert.equal(ci.lowRank, 3);
    assert.equal(ci.low, 3);
    assert.equal(ci.high, null);
  });

  test('ranks bracket n*p and tighten with n: at 1000 samples the 95% interval of the p95 is ranks 937..963', () => {
    const { lowRank, highRank } = quantileIntervalRanks(1000, 0.95, 0.95);
    // Normal approximation: 950 -/+ 1.96 * sqrt(1000 * 0.95 * 0.05) = 950 -/+ 13.5; the exact ranks are within one of that.
    assert.ok(Math.abs(lowRank - 936.5) <= 1.5, `lowRank ${lowRank}`);
    assert.ok(Math.abs(highRank - 963.5) <= 1.5, `highRank ${highRank}`);
  });

  test('coverage: the 95% interval contains the true p95 in at least 94% of 400 seeds', () => {
    let covered = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const ci = quantileInterval(lognormalSource(seed, 10)(200), 0.95, 0.95);
      if (ci.low !== null && ci.high !== null && ci.low <= 10 && 10 <= ci.high) covered++;
    }
    assert.ok(covered / 400 >= 0.94, `covered ${covered} of 400`);
  });

  test('bad arguments are refused with the value', () => {
    assert.throws(() => quantileInterval([], 0.95, 0.95), /empty/);
    assert.throws(() => quantileInterval([1], 1.2, 0.95), /1\.2/);
    assert.throws(() => quantileInterval([1], 0.95, 1), /confidence/);
  });
});

describe('judgeLatency: passed only when the whole interval is under the limit, failed only when it is over', () => {
  test('an interval wholly under the limit passes, naming clock, interval and samples', () => {
    const v = judgeLatency(Array.from({ length: 200 }, (_, i) => 1 + i / 1000), rule(5));
    assert.equal(v.status, 'passed');
    assert.equal(v.clock, 'server');
    assert.equal(v.samples, 200);
    assert.ok(v.ciHighMs !== null && v.ciHighMs < 5);
    assert.match(v.reason, /server p95 \[[\d.]+, [\d.]+\] ms < 5\.00 ms/);
  });

  test('98 fast samples cannot pass (no upper bound yet): inconclusive, saying how many it needs', () => {
    const v = judgeLatency(Array.from({ length: 98 }, () => 0.1), rule(5));
    assert.equal(v.status, 'inconclusive');
    assert.equal(v.ciHighMs, null);
    assert.match(v.reason, /needs 99/);
  });

  test('5 samples all 10x over the limit fail at the first look', () => {
    const v = judgeLatency([250, 260, 240, 255, 270], rule(30));
    assert.equal(v.status, 'failed');
    assert.equal(v.ciLowMs, 255);
    assert.match(v.reason, /> 30\.0 ms/);
  });

  test('one slow outlier among 5 does not fail a fast query: the lower bound is the median', () => {
    assert.equal(judgeLatency([1, 1, 1, 1, 400], rule(30)).status, 'inconclusive');
  });
});

describe('the sequential rule across 400 seeds (true p95 known, log-normal, sigma 0.5)', () => {
  // 200 samples at the first look: fewer than a fast form takes within its default budget (hundreds to thousands).
  test('a true p95 20% under the limit passes in at least 95% of seeds (first look at 200 samples)', () => {
    const r = rates(10 / 1.2, 10, 200);
    assert.ok(r.passed / SEEDS >= 0.95, JSON.stringify(r));
    assert.ok(r.failed === 0, JSON.stringify(r));
  });

  test('a true p95 20% over the limit fails in at least 95% of seeds, from a first look at only 99 samples', () => {
    const r = rates(12, 10, 99);
    assert.ok(r.failed / SEEDS >= 0.95, JSON.stringify(r));
    assert.ok(r.passed === 0, JSON.stringify(r));
  });

  test('a true p95 right at the limit is inconclusive in at least 90% of seeds and decided either way in at most 5% (the 95% overall confidence)', () => {
    const r = rates(10, 10, 99);
    assert.ok(r.inconclusive / SEEDS >= 0.9, JSON.stringify(r));
    assert.ok((r.passed + r.failed) / SEEDS <= 0.05, JSON.stringify(r));
  });

  test('a slow form 10x over its limit is decided at the first look, from 5 samples', () => {
    const v = sequentialVerdict(lognormalSource(7, 300, 0.2), rule(30), 5);
    assert.equal(v.status, 'failed');
    assert.equal(v.samples, 5);
    assert.equal(v.looks, 1);
  });

  test('the rule is bounded: at most 4 looks, doubling from the first, at least 99 samples at the second', () => {
    const v = judgeLatency([1, 1, 1, 1, 1], rule(1));
    assert.equal(nextLookSamples(v), 99);
    assert.equal(nextLookSamples({ ...v, samples: 150, looks: 2 }), 300);
    assert.equal(nextLookSamples({ ...v, looks: VERDICT_RULE.maxLooks }), undefined);
    assert.equal(nextLookSamples({ ...v, status: 'passed' }), undefined);
    const atLimit = sequentialVerdict(lognormalSource(3, 10), rule(10), 99);
    assert.ok(atLimit.looks <= VERDICT_RULE.maxLooks);
    assert.ok(atLimit.samples <= 99 * 2 ** (VERDICT_RULE.maxLooks - 1));
  });
});
