// The open model's schedule (pure): Poisson arrivals at the asked rate from a seeded PRNG, periodic arrivals for a
// job's loop, each class on its own streams.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchedule, periodicTimes, poissonTimes } from '../../src/load/schedule.ts';
import { createPrng } from '../../src/seed/prng.ts';

describe('Poisson arrivals', () => {
  it('a fixed seed gives 40/s within 3% over 1000 s, with exponential gaps (coefficient of variation near 1)', () => {
    const times = poissonTimes(40, 1_000_000, createPrng(20261124, 7));
    // 40,000 expected; a Poisson count's sd is 200 (0.5%): 3% is six of them.
    assert.ok(Math.abs(times.length / 1000 - 40) / 40 < 0.03, `${times.length / 1000}/s`);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / (gaps.length - 1));
    assert.ok(Math.abs(mean - 25) < 0.75, `mean gap ${mean} ms`);
    assert.ok(Math.abs(sd / mean - 1) < 0.03, `cv ${sd / mean}: a periodic or bunched generator would be far from 1`);
  });

  it('the count in 20 s windows varies as a Poisson count does (variance near the mean), not as a fixed rate', () => {
    const times = poissonTimes(10, 4_000_000, createPrng(5, 1));
    const counts = new Array<number>(200).fill(0);
    for (const t of times) counts[Math.floor(t / 20_000)]! += 1;
    const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
    const variance = counts.reduce((s, c) => s + (c - mean) ** 2, 0) / (counts.length - 1);
    assert.ok(Math.abs(mean - 200) < 6, `mean ${mean}`);
    assert.ok(variance / mean > 0.7 && variance / mean < 1.3, `index of dispersion ${variance / mean}`);
  });

  it('refuses a rate that is not above 0', () => {
    assert.throws(() => poissonTimes(0, 1000, createPrng(1)), /above 0/);
  });
});

describe('periodic arrivals (a job loop)', () => {
  it('are 1/rate apart from a phase within the first gap, and never overlap at 1/s', () => {
    const times = periodicTimes(1, 20_000, createPrng(3));
    assert.ok(times[0]! >= 0 && times[0]! < 1000);
    assert.ok(times.length === 20 || times.length === 19, String(times.length));
    for (let i = 1; i < times.length; i++) assert.ok(Math.abs(times[i]! - times[i - 1]! - 1000) < 1e-6);
  });
});

describe('buildSchedule', () => {
  const classes = [
    { name: 'pages' as const, perSecond: 40, shares: [0.45, 0.2, 0.35] },
    { name: 'ingest' as const, perSecond: 10, shares: [0.5, 0.5] },
    { name: 'retention' as const, perSecond: 1, arrivals: 'periodic' as const, shares: [1] },
  ];

  it('the same seed gives the same schedule; another seed another one', () => {
    const a = buildSchedule(classes, 20_000, 42);
    assert.deepEqual(buildSchedule(classes, 20_000, 42), a);
    assert.notDeepEqual(buildSchedule(classes, 20_000, 43).map((x) => x.atMs), a.map((x) => x.atMs));
  });

  it('is ordered by intended start, each class numbered from 0 in its own order', () => {
    const s = buildSchedule(classes, 20_000, 42);
    for (let i = 1; i < s.length; i++) assert.ok(s[i]!.atMs >= s[i - 1]!.atMs);
    for (const name of ['pages', 'ingest', 'retention'] as const) {
      assert.deepEqual(s.filter((a) => a.name === name).map((a) => a.seq), s.filter((a) => a.name === name).map((_, i) => i));
    }
    assert.ok(s.every((a) => a.atMs >= 0 && a.atMs < 20_000));
  });

  it("a class's arrivals do not depend on which other classes run", () => {
    const alone = buildSchedule([classes[0]!], 20_000, 42);
    const together = buildSchedule(classes, 20_000, 42).filter((a) => a.name === 'pages');
    assert.deepEqual(together, alone);
  });

  it('draws request kinds in their shares (within 2 points over 40,000 requests)', () => {
    const s = buildSchedule([classes[0]!], 1_000_000, 9);
    const share = (k: number) => s.filter((a) => a.kind === k).length / s.length;
    assert.ok(Math.abs(share(0) - 0.45) < 0.02 && Math.abs(share(1) - 0.2) < 0.02 && Math.abs(share(2) - 0.35) < 0.02);
  });
});
