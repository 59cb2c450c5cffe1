// The pure parts of the benchmark figures pages: the targets they judge from counts, the counts themselves, and
// that each renderer says "not measured yet" rather than inventing a figure when nothing is saved.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockMisses, countAgreement, renderClockFigures, type ClockRow } from '../../src/bench/clock-figures.ts';
import { renderStoredGateSection, type StoredGateResult } from '../../src/bench/gate-stored.ts';
import { stamp, type SavedFigure } from '../../src/bench/load-figures.ts';
import { renderProvidersFigures } from '../../src/bench/providers-figures.ts';
import { judgeSensitivityRow, renderSensitivityFigures, type SensitivityRow } from '../../src/bench/sensitivity-figures.ts';
import { renderWhatifFigures, whatifFigureFrom } from '../../src/bench/whatif-figures.ts';
import type { RunResults } from '../../src/results.ts';

const row = (over: Partial<SensitivityRow>): SensitivityRow => ({
  form: 'sparkline-7d/server', scale: '1m', effect: 1.5, cpus: 0.67, measuredEffect: 1.5, medianEffect: 1.5, referenceP95Ms: 40, slowedP95Ms: 60,
  baselineMedianDrift: 1, thresholdLimitMs: 40, thresholdFails: 10, baselineCaught: 9, runs: 10, thresholdSamplesMedian: 10, baselineSamplesMedian: 99, baselineReferenceSamples: 99, ...over,
});

describe('bench:sensitivity targets', () => {
  it('x1.5 needs at least 9 of 10 caught, x2 all 10, and the threshold test fails every run', () => {
    assert.equal(judgeSensitivityRow(row({ effect: 1.5, baselineCaught: 9 })).met, true);
    assert.equal(judgeSensitivityRow(row({ effect: 1.5, baselineCaught: 8 })).met, false);
    assert.equal(judgeSensitivityRow(row({ effect: 2, baselineCaught: 9 })).met, false);
    assert.equal(judgeSensitivityRow(row({ effect: 2, baselineCaught: 10 })).met, true);
    assert.equal(judgeSensitivityRow(row({ effect: 2, baselineCaught: 10, thresholdFails: 9 })).met, false);
  });

  it('an unthrottled row counts false alarms: at most 1 in 10', () => {
    assert.equal(judgeSensitivityRow(row({ effect: 1, baselineCaught: 1 })).met, true);
    assert.equal(judgeSensitivityRow(row({ effect: 1, baselineCaught: 2 })).met, false);
  });

  it('the page names the rows that miss, and says when nothing is saved', () => {
    const saved: SavedFigure<{ runs: number; budgetMs: number; thresholdExcess: number; totalMs: number; rows: SensitivityRow[] }> = {
      mode: 'sensitivity', stamp: stamp('17.10'), result: { runs: 10, budgetMs: 750, thresholdExcess: 1.5, totalMs: 60_000, rows: [row({}), row({ effect: 2, baselineCaught: 7 })] },
    };
    assert.match(renderSensitivityFigures(() => saved), /1 of 2 rows miss their target\*\*: sparkline-7d\/server x2/);
    assert.match(renderSensitivityFigures(() => undefined), /Not measured yet/);
  });
});

describe('bench:clock counts', () => {
  const agreement = (status: 'within' | 'outside' | 'undecided', ratio: number) => ({ ratio, low: ratio - 0.03, high: ratio + 0.03, confidence: 0.9875, rounds: 30, status });
  const clockRow = (query: string, target: 'within' | 'outside' | 'undecided' | 'n/a', prepared: 'within' | 'outside' | 'undecided' | 'n/a'): ClockRow => ({
    scale: '100k', query, rows: target === 'n/a' ? 10_000 : 10, rounds: 30, perRound: 50,
    execbench: { unnamed: 0.22, prepared: 0.13 }, pgbench: { extended: 0.2, prepared: 0.11 }, nodePgDefault: 0.3,
    bareSocket: { unnamed: 0.21, prepared: 0.12 }, overFloor: { unnamed: 1.02, prepared: 1.05 }, floorVsPgbench: { unnamed: 1.04, prepared: 1.08 }, spacers: true,
    agreement: { unnamed: agreement(target === 'n/a' ? 'undecided' : target, 1.1), prepared: agreement(prepared === 'n/a' ? 'undecided' : prepared, 1.18) },
    target, targetPrepared: prepared,
  });

  it('counts the small queries only, per protocol, and names each one not within with its gap', () => {
    const rows = [clockRow('a', 'within', 'outside'), clockRow('b', 'undecided', 'within'), clockRow('big', 'n/a', 'n/a')];
    assert.deepEqual(countAgreement(rows, 'target'), { small: 2, within: 1, outside: 0, undecided: 1 });
    assert.deepEqual(countAgreement(rows, 'targetPrepared'), { small: 2, within: 1, outside: 1, undecided: 0 });
    const misses = clockMisses(rows);
    assert.equal(misses.length, 2);
    assert.match(misses.join('\n'), /100k b unnamed: undecided .*\+20 us/);
    assert.match(misses.join('\n'), /100k a prepared: outside .*\+20 us/);
  });

  it('with no placement saved, the page says how to measure', () => {
    assert.match(renderClockFigures(() => undefined), /Not measured yet: `npm run bench:clock`/);
  });
});

describe('the stored-baseline gate section', () => {
  it('states false alarms, caught, rightly missed and missed from the saved counts', () => {
    const result: StoredGateResult = {
      scale: '100k', budgetMs: 750, totalMs: 94_000, unchangedComparisons: 21, falseAlarms: ['  paginated-listing/corrected: time +40%'],
      drops: [{ index: 'a', scenarios: 3, caughtByBaseline: ['x/documented'], caughtByContract: ['x/documented'], note: 'caught' },
        { index: 'twin', scenarios: 1, caughtByBaseline: [], caughtByContract: [], note: 'not caught: its identical twin a serves the same queries' }],
      caught: 1, rightlyMissed: ['twin'], missed: [],
    };
    const text = renderStoredGateSection({ mode: 'stored', stamp: stamp('17.10'), result }).join('\n');
    assert.match(text, /1 false alarm in 21 gated comparisons\*\* \(target 0\): paginated-listing\/corrected: time \+40%/);
    assert.match(text, /1 of 2 caught\*\*, 1 rightly not \(twin\), 0 missed/);
    assert.match(renderStoredGateSection(undefined).join('\n'), /Not measured yet/);
  });
});

describe('what-if and providers pages', () => {
  it('a results document without a what-if report is refused with what to give instead', () => {
    assert.throws(() => whatifFigureFrom({ runId: 'r1' } as RunResults, [], 0), /hold no what-if report: give the results.json of an `execbench whatif` run/);
    assert.match(renderWhatifFigures(() => undefined), /Not measured yet: `npm run bench:whatif`/);
  });

  it('the providers page says which modes were never run', () => {
    const page = renderProvidersFigures(() => undefined);
    assert.match(page, /Not measured yet: `npm run bench:providers -- majors`/);
    assert.match(page, /Not measured yet: `npm run bench:providers -- container <image>`/);
  });
});
