// summarize() and bootstrapShift() on synthetic samples with known answers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bootstrapShift, mulberry32, quantile, studentT975, summarize } from '../../src/runner/statistics.ts';

/** Seeded log-normal latencies (ms): skewed like real query timings. */
function lognormal(seed: number, n: number, medianMs: number, sigma = 0.4): number[] {
  const random = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u1 = random() || Number.MIN_VALUE;
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
    out.push(medianMs * Math.exp(sigma * z));
  }
  return out;
}

/** Smallest k with P(X <= k) >= q for X ~ Binomial(n, p). */
function binomialQuantile(n: number, p: number, q: number): number {
  let pmf = (1 - p) ** n;
  let cdf = pmf;
  let k = 0;
  while (cdf < q) {
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
    k++;
    cdf += pmf;
  }
  return k;
}

const close = (actual: number, expected: number, tolerance = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

describe('summarize', () => {
  test('percentiles interpolate linearly between closest ranks (numpy/R type 7)', () => {
    // 1..10: h = 9p; p50 = 5.5, p95 = x[8] + 0.55 * (x[9] - x[8]) = 9.55, p99 = 9.91.
    const stats = summarize([10, 3, 1, 7, 2, 9, 4, 6, 8, 5]);
    close(stats.p50Ms, 5.5);
    close(stats.p95Ms, 9.55);
    close(stats.p99Ms, 9.91);
    assert.equal(stats.minMs, 1);
    assert.equal(stats.maxMs, 10);
    assert.equal(stats.samples, 10);
  });

  test('mean, sample sd and the t-based relative margin of error of a small sample', () => {
    const stats = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    close(stats.meanMs, 5);
    // Sum of squares 32, n - 1 = 7.
    close(stats.sdMs, Math.sqrt(32 / 7));
    // t(0.975, 7) = 2.3646 (tables print 2.365), not 1.96.
    close(stats.rmePct, (2.3646243 * Math.sqrt(32 / 7) / Math.sqrt(8) / 5) * 100, 1e-5);
  });

  test('one sample has sd and rme 0, not NaN, so results stay JSON', () => {
    const stats = summarize([3.5]);
    assert.deepEqual(
      [stats.sdMs, stats.rmePct, stats.p50Ms, stats.p95Ms],
      [0, 0, 3.5, 3.5],
    );
  });

  test('an empty sample or a non-finite value is refused with the reason', () => {
    assert.throws(() => summarize([]), /sample is empty/);
    assert.throws(() => summarize([1, Number.NaN]), /sample 1 is NaN/);
  });

  test('quantile p=0 and p=1 are min and max; p outside [0,1] is refused', () => {
    assert.equal(quantile([5, 1, 3], 0), 1);
    assert.equal(quantile([5, 1, 3], 1), 5);
    assert.throws(() => quantile([1], 1.5), /within \[0, 1\]/);
  });

  test('t critical values match the printed tables (3 decimals), and approach 1.96 from above', () => {
    close(studentT975(1), 12.706, 5e-4);
    close(studentT975(7), 2.365, 5e-4);
    close(studentT975(30), 2.042, 5e-4);
    close(studentT975(40), 2.021, 5e-4);
    close(studentT975(120), 1.980, 5e-4);
    assert.ok(studentT975(10_000) > 1.96 && studentT975(10_000) < 1.961);
  });
});

describe('bootstrapShift', () => {
  test('autocorrelated noise (a run of 12 slow samples) widens the block-bootstrap interval beyond the iid one', () => {
    const base = Array.from({ length: 150 }, (_, i) => 3 + 0.1 * Math.sin(i));
    // The current run had one stall: 12 consecutive samples 3x slower, as during a checkpoint.
    const cur = base.map((v, i) => (i >= 60 && i < 72 ? v * 3 : v));
    const iid = bootstrapShift(base, cur, { statistic: 'p95', iterations: 2000, confidence: 0.99, seed: 5, blockLength: 1 });
    const blocks = bootstrapShift(base, cur, { statistic: 'p95', iterations: 2000, confidence: 0.99, seed: 5 });
    assert.ok(blocks.ciLow < iid.ciLow, `block lower bound ${blocks.ciLow} < iid lower bound ${iid.ciLow}`);
    assert.ok(blocks.ciLow <= 1.05, `one stall is not a clear slowdown of the p95 (lower bound ${blocks.ciLow})`);
  });

  const options = { iterations: 2000, confidence: 0.95, seed: 42 } as const;

  test('a 50% slowdown of the whole distribution -> estimate near 1.5 with a CI above 1, for median and p95', () => {
    const baseline = lognormal(1, 200, 2);
    const current = lognormal(2, 200, 3);
    for (const statistic of ['median', 'p95'] as const) {
      const shift = bootstrapShift(baseline, current, { ...options, statistic });
      assert.ok(shift.ciLow > 1.2, `${statistic}: ciLow ${shift.ciLow}`);
      assert.ok(shift.estimateRatio > 1.3 && shift.estimateRatio < 1.7, `${statistic}: estimate ${shift.estimateRatio}`);
      assert.ok(shift.ciLow <= shift.estimateRatio && shift.estimateRatio <= shift.ciHigh);
    }
  });

  test('no shift -> the CI contains 1', () => {
    const shift = bootstrapShift(lognormal(3, 200, 2), lognormal(4, 200, 2), { ...options, statistic: 'median' });
    assert.ok(shift.ciLow < 1 && shift.ciHigh > 1, `CI ${shift.ciLow}..${shift.ciHigh}`);
  });

  test('the estimate is the ratio of the statistic on the original samples', () => {
    const shift = bootstrapShift([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], { ...options, statistic: 'median' });
    close(shift.estimateRatio, 2);
    assert.ok(shift.ciLow >= 0.5 && shift.ciHigh <= 10);
  });

  test('the same seed gives the same interval; another seed gives another', () => {
    const a = lognormal(5, 100, 2);
    const b = lognormal(6, 100, 2);
    const one = bootstrapShift(a, b, { ...options, statistic: 'p95' });
    assert.deepEqual(bootstrapShift(a, b, { ...options, statistic: 'p95' }), one);
    assert.notDeepEqual(bootstrapShift(a, b, { ...options, statistic: 'p95', seed: 43 }), one);
  });

  // The false-alarm rate: two samples from the same distribution, 200 seeds. A one-sided "clearly slower" verdict
  // (ciLow > 1) at 95% two-sided confidence should happen in 2.5% of them: 5 of 200 on average. A count of
  // positives is itself binomial, so the bound is the 99.5th percentile of Binomial(200, 0.025) (11), which a
  // miscalibrated interval (say a 10% rate: 20 positives) exceeds. The gate's own rule is held to the plain
  // expected rate in gate-compare.test.ts.
  for (const statistic of ['median', 'p95'] as const) {
    test(`no more false positives than the 2.5% one-sided rate allows across 200 seeds of identical distributions (${statistic})`, () => {
      let positives = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const baseline = lognormal(seed * 7919, 100, 2);
        const current = lognormal(seed * 7919 + 1, 100, 2);
        const shift = bootstrapShift(baseline, current, { iterations: 1000, confidence: 0.95, seed, statistic });
        if (shift.ciLow > 1) positives++;
      }
      const bound = binomialQuantile(200, 0.025, 0.995);
      assert.equal(bound, 11);
      assert.ok(positives <= bound, `${positives} of 200 identical pairs judged clearly slower (bound ${bound})`);
    });
  }

  test('the same experiment with a real 30% slowdown is caught in most seeds (the test above is not vacuous)', () => {
    let caught = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const shift = bootstrapShift(lognormal(seed * 31, 100, 2), lognormal(seed * 31 + 1, 100, 2.6), { iterations: 1000, confidence: 0.95, seed, statistic: 'median' });
      if (shift.ciLow > 1) caught++;
    }
    assert.ok(caught >= 45, `caught ${caught} of 50`);
  });

  test('bad arguments are refused with the value', () => {
    assert.throws(() => bootstrapShift([], [1], { ...options, statistic: 'median' }), /baseline 0, current 1/);
    assert.throws(() => bootstrapShift([1], [1], { ...options, statistic: 'median', confidence: 1 }), /got 1/);
    assert.throws(() => bootstrapShift([1], [1], { ...options, statistic: 'median', iterations: 10 }), /got 10/);
  });
});
