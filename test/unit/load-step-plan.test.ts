// Step planning within a time budget, and the confidence of the capacity's lower bound over the steps of a search
// (pure): windows long enough for a pass to be possible, shortened or refused when the time is gone, --max-time
// shared among searches; Bonferroni over the steps, checked against M/M/1 searches whose knee is known.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundConfidence, CAPACITY_RULE, judgeStep, searchCapacity, stepSamplesToPass, stepVerdictRule, type CapacityRule, type RunStep } from '../../src/load/capacity.ts';
import { planStep, roundRate, searchShareMs, startRate, STEP_PLAN, warmupMs, windowForSamples } from '../../src/load/step-plan.ts';
import { mulberry32 } from '../../src/runner/statistics.ts';
import { minSamplesForUpperBound } from '../../src/runner/statistics.ts';

const base = { look: 1, suggestedMs: 10_000, samplesToPass: 113, lagHint: 1, maxWindowMs: 60_000, remainingMs: 300_000, overheadMs: 1500 };

describe('planStep', () => {
  it('a first look at a high rate takes the --step floor; at a low rate it is long enough to gather the samples a pass needs', () => {
    assert.deepEqual(planStep({ ...base, rate: 400 }), { windowMs: 10_000 });
    const low = planStep({ ...base, rate: 5 });
    assert.ok('windowMs' in low);
    // 113 x 1.25 margin / 5 per second, over the 90% left after the warm-up: 31.4 s.
    assert.equal(low.windowMs, windowForSamples(5, 113, 1));
    assert.ok(low.windowMs > 31_000 && low.windowMs < 32_000, String(low.windowMs));
  });

  it('the thinning lag seen so far multiplies the samples a window must hold; never over --max-window', () => {
    const lagged = planStep({ ...base, rate: 20, lagHint: 3 }) as { windowMs: number };
    assert.equal(lagged.windowMs, windowForSamples(20, 113, 3));
    assert.deepEqual(planStep({ ...base, rate: 1, lagHint: 4 }), { windowMs: 60_000 });
  });

  it('a later look gets what the search suggests (twice the last window), or more when the lag needs it', () => {
    assert.deepEqual(planStep({ ...base, rate: 400, look: 2, suggestedMs: 20_000 }), { windowMs: 20_000 });
    const more = planStep({ ...base, rate: 20, look: 2, suggestedMs: 16_000, lagHint: 4 }) as { windowMs: number };
    assert.ok(more.windowMs > 16_000);
  });

  it('a step that does not fit what is left is shortened when at least a second remains, else refused with the reason', () => {
    const cut = planStep({ ...base, rate: 400, remainingMs: 6000 });
    assert.ok('windowMs' in cut && cut.windowMs === 4500 && /shortened from 10\.0 s to the 4\.5 s left/.test(cut.shortened!));
    const none = planStep({ ...base, rate: 400, remainingMs: 2000 });
    assert.ok('stop' in none && none.stop === 'time');
    assert.match((none as { words: string }).words, /out of time: a 10\.0 s step at 400\/s does not fit in the 2\.0 s left/);
  });

  it('the warm-up is 10% of the window, at least 250 ms, at most half', () => {
    assert.equal(warmupMs(10_000), 1000);
    assert.equal(warmupMs(1000), 250);
    assert.equal(warmupMs(400), 200);
  });

  it('--max-time is shared evenly among the searches left, less what later copies need; the first rate lets a first window pass', () => {
    assert.equal(searchShareMs(600_000, [1, 1, 1, 1]), 150_000);
    assert.equal(searchShareMs(600_000, [1, 1, 1, 1], 40_000), 140_000);
    assert.equal(searchShareMs(10_000, [1, 1], 40_000), 0);
    // Weighted: a dashboard search (2) before pages (1) and another dashboard (2) gets 2/5 of what is left.
    assert.equal(searchShareMs(500_000, [2, 1, 2]), 200_000);
    assert.throws(() => searchShareMs(1000, []), /positive weights/);
    // pages: the default 40/s already gives 113 x 1.25 samples in 10 s x 90%; the dashboard's 2/s does not.
    assert.equal(startRate(40, 10_000, 113), 40);
    assert.equal(startRate(2, 10_000, 113), roundRate((113 * STEP_PLAN.sampleMargin) / 9));
    assert.equal(roundRate(15.694), 16);
    assert.equal(roundRate(0.1234), 0.12);
  });
});

describe('the lower bound\'s confidence over steps', () => {
  it('each step\'s upper bound is one-sided at 1 - alpha / maxSteps: 99.6875% with 16 steps, so a pass needs 113 samples', () => {
    const rule = stepVerdictRule({ ...CAPACITY_RULE });
    const perLookTwoSided = 1 - (1 - rule.confidence) / rule.maxLooks;
    assert.ok(Math.abs(perLookTwoSided - (1 - 2 * 0.05 / 16)) < 1e-12);
    assert.equal(stepSamplesToPass({ ...CAPACITY_RULE }), 113);
    assert.equal(stepSamplesToPass({ ...CAPACITY_RULE }), minSamplesForUpperBound(0.95, perLookTwoSided));
    // 112 samples all under the limit cannot pass; 113 can.
    assert.equal(judgeStep(Array.from({ length: 112 }, () => 1), 500).verdict!.status, 'inconclusive');
    assert.equal(judgeStep(Array.from({ length: 113 }, () => 1), 500).verdict!.status, 'passed');
  });

  it('Bonferroni: the confidence holds over maxSteps; with fewer steps taken it is higher, and the words say what it assumes', () => {
    const c = boundConfidence({ confidence: 0.95, maxSteps: 16 }, 6);
    assert.ok(Math.abs(c.perStepAlpha - 0.05 / 16) < 1e-12);
    assert.ok(Math.abs(c.achieved - (1 - 6 * 0.05 / 16)) < 1e-12);
    assert.match(c.words, /95% lower confidence bound, assuming latency is monotone in the offered rate: .*99\.69% \(one-sided\), Bonferroni over at most 16 steps; this search took 6, so at least 98\.13%/);
  });

  it('on M/M/1 curves the bound lies above the knee in at most 5% of searches; the same searches judged on the p95 estimate overshoot far more often', async () => {
    const LIMIT_MS = 500;
    const mu = 60;
    const knee = mu - Math.log(20) / (LIMIT_MS / 1000);
    const searches = 120;
    const count = async (byEstimate: boolean) => {
      let above = 0;
      for (let seed = 1; seed <= searches; seed++) {
        let calls = 0;
        const step: RunStep = async (rate, windowMs) => {
          calls += 1;
          if (rate >= mu) return { invalid: { cause: 'overload', words: 'backlog' } };
          const random = mulberry32(seed * 7919 + calls);
          const n = Math.round((rate * windowMs) / 1000);
          const result = judgeStep(Array.from({ length: n }, () => (-Math.log(1 - random()) / (mu - rate)) * 1000), LIMIT_MS);
          if (!byEstimate) return result;
          return { verdict: { ...result.verdict!, status: result.verdict!.estimateMs < LIMIT_MS ? 'passed' as const : 'failed' as const } };
        };
        const result = await searchCapacity(step, { ...CAPACITY_RULE, startRate: knee * 0.7, windowMs: 8000, precision: 0.02 });
        if (result.lowerBound !== null && result.lowerBound > knee) above += 1;
      }
      return above;
    };
    const bound = await count(false);
    const estimate = await count(true);
    assert.ok(bound / searches <= 0.05, `${bound} of ${searches} bounds above the knee ${knee.toFixed(2)}/s`);
    assert.ok(estimate >= 4 * Math.max(1, bound), `judged on the estimate, ${estimate} of ${searches} overshoot; on the bound ${bound}`);
  });
});

describe('the search within a time budget', () => {
  it('stops when the next step no longer fits, with the bracket it has; the time it used stays within the budget', async () => {
    let clockMs = 0;
    const budgetMs = 40_000;
    const overheadMs = 1000;
    const step: RunStep = async (rate, windowMs) => {
      clockMs += windowMs + overheadMs;
      return judgeStep(Array.from({ length: Math.round((rate * windowMs) / 1000) }, (_, i) => (rate > 300 ? 900 : 5 + (i % 3))), 500);
    };
    const result = await searchCapacity(step, { ...CAPACITY_RULE, startRate: 20, windowMs: 5000 }, (rate, look, suggestedMs) => planStep({
      rate, look, suggestedMs, samplesToPass: 113, lagHint: 1, maxWindowMs: 30_000, remainingMs: budgetMs - clockMs, overheadMs,
    }));
    assert.ok(clockMs <= budgetMs, `used ${clockMs} ms of ${budgetMs}`);
    assert.equal(result.stoppedBy, 'time');
    assert.match(result.words, /out of time/);
    assert.ok(result.lowerBound! >= 160, String(result.lowerBound));
    // 20/s for 5 s is 100 requests, too few to pass: the planner lengthened the first window.
    assert.ok(result.steps[0]!.windowMs > 5000);
  });
});
