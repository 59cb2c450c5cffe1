// The capacity search (pure) on synthetic latency curves whose knee is known: an M/M/1 queue with service rate mu
// has exponential sojourn times of rate (mu - lambda), so its p95 is ln(20) / (mu - lambda) and the highest rate whose
// p95 stays under a limit L is mu - ln(20) / L. Overload (lambda >= mu) is an invalid, overloaded step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAPACITY_RULE, CEILING_STEP, judgeStep, nextRateUp, searchCapacity, type CapacityRule, type RunStep } from '../../src/load/capacity.ts';
import { cannotPass, startRateFromCeiling, usableCeiling } from '../../src/load/step-plan.ts';
import { decorrelationLag, independentSample, thin } from '../../src/load/independence.ts';
import { mulberry32 } from '../../src/runner/statistics.ts';

/** M/M/1: latencies (ms) of rate x window requests at service rate mu (per second). */
function mm1(mu: number, seed: number): RunStep {
  let calls = 0;
  return async (rate, windowMs) => {
    calls += 1;
    if (rate >= mu) return { invalid: { cause: 'overload', words: `offered ${rate}/s, served ${mu}/s` } };
    const random = mulberry32(seed * 1000 + calls);
    const n = Math.round((rate * windowMs) / 1000);
    const latencies = Array.from({ length: n }, () => (-Math.log(1 - random()) / (mu - rate)) * 1000);
    return judgeStep(latencies, LIMIT_MS);
  };
}

const LIMIT_MS = 500;
const knee = (mu: number) => mu - Math.log(20) / (LIMIT_MS / 1000);
const rule = (startRate: number, windowMs = 60_000): CapacityRule => ({ ...CAPACITY_RULE, startRate, windowMs });

describe('searchCapacity on M/M/1 curves of known knee', () => {
  for (const [mu, start] of [[100, 5], [40, 30], [250, 1]] as const) {
    it(`mu=${mu}/s from ${start}/s: a lower bound at or under the knee ${knee(mu).toFixed(1)}/s, within 20% of it, bracket within 10%`, async () => {
      for (let seed = 1; seed <= 5; seed++) {
        const result = await searchCapacity(mm1(mu, seed), rule(start));
        assert.equal(result.status, 'bracketed', result.words);
        const bound = result.lowerBound!;
        assert.ok(bound <= knee(mu) + 1e-9, `seed ${seed}: lower bound ${bound} above the knee ${knee(mu)}`);
        assert.ok(bound >= 0.8 * knee(mu), `seed ${seed}: lower bound ${bound} under 80% of the knee ${knee(mu)}`);
        assert.ok((result.notBelow! - bound) / bound <= 0.1 + 1e-9);
        assert.match(result.words, /capacity at least/);
      }
    });
  }

  it('an inconclusive step buys time: the same rate again with a window twice as long, until it can decide', async () => {
    // 2/s for 20 s is 40 requests: too few for an upper bound on the p95 (99 at the per-look confidence).
    const fast: RunStep = async (rate, windowMs) => (rate > 8
      ? { invalid: { cause: 'overload', words: 'backlog' } }
      : judgeStep(Array.from({ length: Math.round((rate * windowMs) / 1000) }, () => 10), LIMIT_MS));
    const result = await searchCapacity(fast, rule(2, 20_000));
    const atTwo = result.steps.filter((s) => s.rate === 2);
    assert.deepEqual(atTwo.map((s) => [s.look, s.windowMs, s.outcome]), [[1, 20_000, 'inconclusive'], [2, 40_000, 'inconclusive'], [3, 80_000, 'passed']]);
    assert.equal(result.status, 'bracketed');
    assert.ok(result.lowerBound! <= 8 && result.lowerBound! >= 7.2, String(result.lowerBound));
  });

  it('a promise that never holds: no pass, no bound', async () => {
    const never: RunStep = async (rate) => judgeStep(Array.from({ length: Math.round(rate * 60) }, () => 900), LIMIT_MS);
    const result = await searchCapacity(never, { ...rule(8), minRate: 0.5 });
    assert.equal(result.status, 'no-pass');
    assert.equal(result.lowerBound, null);
  });

  it("execbench's own limit counts as a failed step: the search bisects under it, and says that execbench, not the server, bounded it", async () => {
    const limited: RunStep = async (rate, windowMs) => (rate > 30
      ? { invalid: { cause: 'execbench', words: 'schedule lag' } }
      : judgeStep(Array.from({ length: Math.round((rate * windowMs) / 1000) }, (_, i) => 10 + (i % 7)), LIMIT_MS));
    const result = await searchCapacity(limited, rule(5));
    assert.deepEqual(result.steps.map((s) => [s.rate, s.outcome]), [[5, 'passed'], [10, 'passed'], [20, 'passed'], [40, 'failed'], [30, 'passed'], [35, 'failed'], [32.5, 'failed']]);
    assert.equal(result.status, 'limited');
    assert.equal(result.lowerBound, 30);
    assert.match(result.words, /capacity at least 30\.0\/s.*at 32\.5\/s execbench, not the server, was the limit \(schedule lag\)/);
  });

  it('started from a measured ceiling (80% of the throughput mu), it steps to just over mu and brackets the knee in fewer steps than doubling from far below', async () => {
    for (const [mu, far] of [[100, 5], [250, 1]] as const) {
      for (let seed = 1; seed <= 5; seed++) {
        const probe = { perSecond: mu, completions: 400, windowMs: 4000 };
        const steered = await searchCapacity(mm1(mu, seed), { ...rule(startRateFromCeiling(probe, far)), ceilingRate: probe.perSecond });
        const doubling = await searchCapacity(mm1(mu, seed), rule(far));
        assert.equal(steered.status, 'bracketed', steered.words);
        assert.ok(steered.lowerBound! <= knee(mu) + 1e-9 && steered.lowerBound! >= 0.8 * knee(mu), `seed ${seed}: ${steered.lowerBound} against the knee ${knee(mu)}`);
        assert.equal(steered.steps[0]!.rate, 0.8 * mu);
        if (steered.steps[0]!.outcome === 'passed') assert.equal(steered.steps[1]!.rate, CEILING_STEP * mu);
        assert.ok(steered.steps.length < doubling.steps.length, `seed ${seed}: ${steered.steps.length} steps from the ceiling, ${doubling.steps.length} doubling`);
      }
    }
  });

  it('a step cut short (it could no longer pass) counts as failed, without an interval', async () => {
    const cutting: RunStep = async (rate, windowMs) => (rate > 20
      ? { cut: { atMs: 1200, words: 'stopped at 1.2 s: 60 of the about 400 requests had already waited over 500 ms' } }
      : judgeStep(Array.from({ length: Math.round((rate * windowMs) / 1000) }, () => 10), LIMIT_MS));
    const result = await searchCapacity(cutting, rule(16));
    assert.deepEqual(result.steps.slice(0, 2).map((s) => [s.rate, s.outcome]), [[16, 'passed'], [32, 'failed']]);
    assert.equal(result.steps[1]!.verdict, undefined);
    assert.equal(result.status, 'bracketed');
    assert.ok(result.lowerBound! <= 20 && result.lowerBound! >= 18, String(result.lowerBound));
    const never = await searchCapacity(async () => ({ cut: { atMs: 900, words: 'over the limit' } }), { ...rule(4), minRate: 1 });
    assert.equal(never.status, 'no-pass');
    assert.match(never.words, /over the limit/);
  });

  it('no rate passed, but the lowest tried was inconclusive: undecided, not "held at no rate"', async () => {
    // Over 8/s the step fails; at 8/s and under, too few requests for a pass in the time it has (one look, then out of time).
    let looks = 0;
    const slow: RunStep = async (rate, windowMs) => (rate > 8
      ? { cut: { atMs: 500, words: 'the pool paced the run' } }
      : judgeStep(Array.from({ length: Math.min(20, Math.round((rate * windowMs) / 1000)) }, () => 400), LIMIT_MS));
    const result = await searchCapacity(slow, rule(14, 10_000), (rate, look, suggested) => (looks++ < 2 ? { windowMs: suggested } : { stop: 'time', words: 'out of time' }));
    assert.equal(result.lowerBound, null);
    assert.equal(result.status, 'undecided', result.words);
    assert.match(result.words, /down to 7\.00\/s the steps were inconclusive .*did not hold at 14\.0\/s: the pool paced the run/);
  });

  it('stops at maxSteps with the bracket it has', async () => {
    const result = await searchCapacity(mm1(100, 1), { ...rule(5), maxSteps: 5 });
    assert.ok(result.steps.length <= 5);
    assert.notEqual(result.status, 'bracketed');
  });
});

describe('steering and cutting steps', () => {
  it('nextRateUp: under the ceiling, to just over it (never more than double); at or over it, double', () => {
    assert.equal(nextRateUp(80, 100), 100 * CEILING_STEP);
    assert.equal(nextRateUp(20, 100), 40);
    assert.equal(nextRateUp(111, 100), 222);
    assert.equal(nextRateUp(80, undefined), 160);
  });

  it('cannotPass: more than 5% of the judged part already over the limit', () => {
    assert.equal(cannotPass(20, 400), false);
    assert.equal(cannotPass(21, 400), true);
    assert.equal(cannotPass(0, 0), false);
  });

  it('startRateFromCeiling: 80% of a probe that saw at least 10 completions, rounded to two digits; else the fallback', () => {
    assert.equal(startRateFromCeiling({ perSecond: 312.4, completions: 1250, windowMs: 4000 }, 17), 250);
    assert.equal(startRateFromCeiling({ perSecond: 3.6, completions: 14, windowMs: 4000 }, 17), 2.9);
    assert.equal(startRateFromCeiling({ perSecond: 2, completions: 8, windowMs: 4000 }, 17), 17);
    assert.equal(usableCeiling(undefined), false);
    // A probe that served nearly all it offered did not fill the pool: a start, but no ceiling to step to.
    const unsaturated = { perSecond: 980, completions: 3920, windowMs: 4000, offeredPerSecond: 1000 };
    assert.equal(usableCeiling(unsaturated), false);
    assert.equal(startRateFromCeiling(unsaturated, 17), 784);
    assert.equal(usableCeiling({ ...unsaturated, perSecond: 700 }), true);
  });
});

describe('independence thinning', () => {
  it('an i.i.d. series needs no thinning; an AR(1) series with phi 0.9 is thinned to ~lag 22 (0.9^k < 0.1)', () => {
    const random = mulberry32(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const iid = Array.from({ length: 5000 }, normal);
    assert.equal(decorrelationLag(iid), 1);
    const ar: number[] = [0];
    for (let i = 1; i < 20_000; i++) ar.push(0.9 * ar[i - 1]! + normal());
    const lag = decorrelationLag(ar);
    assert.ok(lag >= 15 && lag <= 30, `lag ${lag}`);
    const { samples } = independentSample(ar);
    assert.equal(samples.length, Math.ceil(ar.length / lag));
  });

  it('thin keeps every step-th value from the first', () => {
    assert.deepEqual(thin([1, 2, 3, 4, 5, 6, 7], 3), [1, 4, 7]);
    assert.throws(() => thin([1], 0), /whole number >= 1/);
  });
});

describe('bench:load stability: do two searches agree', () => {
  it('brackets overlap when one lies partly inside the other; apart when they do not; undecided without both sides', async () => {
    const { bracketsOverlap } = await import('../../src/bench/load-stability.ts');
    assert.equal(bracketsOverlap({ low: 400, high: 440 }, { low: 420, high: 460 }).verdict, 'overlap');
    assert.equal(bracketsOverlap({ low: 400, high: 440 }, { low: 440, high: 480 }).verdict, 'apart');
    assert.match(bracketsOverlap({ low: 300, high: 320 }, { low: 400, high: 440 }).words, /do not overlap/);
    assert.equal(bracketsOverlap({ low: 400, high: null }, { low: 420, high: 460 }).verdict, 'undecided');
  });
});

describe('poolPaced', () => {
  it('more waits than 5% of what the window schedules (every class): the pool gate cannot hold any more', async () => {
    const { poolPaced } = await import('../../src/load/step-plan.ts');
    assert.equal(poolPaced(50, 1000), false);
    assert.equal(poolPaced(51, 1000), true);
  });
});
