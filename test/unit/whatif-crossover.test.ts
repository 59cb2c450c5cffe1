// Crossover logic from fixtures: the plan label of saved EXPLAIN output, and the sizes at which it changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findCrossovers, planLabel, rungsNextToFlips } from '../../src/whatif/crossover.ts';
import type { CrossoverLadder } from '../../src/whatif/types.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/plans/${name}.json`, import.meta.url), 'utf8')) as unknown;

describe('planLabel', () => {
  it('names the index of an index scan and a Seq Scan on executions, with the root cost', () => {
    const index = planLabel(fixture('index-scan'));
    assert.match(index.label, /^Index Scan using idx_/);
    assert.ok(index.totalCost > 0);
    assert.equal(planLabel(fixture('seq-scan-with-sort')).label, 'Seq Scan');
    assert.match(planLabel(fixture('bitmap-index-scan')).label, /Bitmap Index Scan using /);
    assert.throws(() => planLabel({ nope: 1 }), /expected EXPLAIN/);
  });
});

describe('findCrossovers', () => {
  const rung = (tenantRows: number, plan: string, estimatedCost: number, measuredMs?: number) =>
    ({ tenantRows, tenantId: `t${tenantRows}`, plan, estimatedCost, estimatedRows: 1, ...(measuredMs !== undefined ? { measuredMs } : {}) });
  it('reports every change between neighbouring sizes, sorted by size, with both sides\' costs', () => {
    const ladder: CrossoverLadder = {
      scenarioId: 'sparkline-7d', form: 'documented',
      rungs: [rung(100_000, 'Seq Scan', 900, 40), rung(1000, 'Index Scan using a', 10), rung(10_000, 'Index Scan using a', 80, 3), rung(1_000_000, 'Bitmap Index Scan using a', 5000)],
    };
    const flips = findCrossovers(ladder);
    assert.deepEqual(flips.map((f) => [f.fromRows, f.toRows, f.fromPlan, f.toPlan]), [
      [10_000, 100_000, 'Index Scan using a', 'Seq Scan'],
      [100_000, 1_000_000, 'Seq Scan', 'Bitmap Index Scan using a'],
    ]);
    assert.equal(flips[0]!.fromCost, 80);
    assert.equal(flips[0]!.toMeasuredMs, 40);
    assert.deepEqual(rungsNextToFlips(ladder).map((r) => r.tenantRows).sort((a, b) => a - b), [10_000, 100_000, 1_000_000]);
  });
  it('a ladder that keeps its plan has no crossover', () => {
    assert.deepEqual(findCrossovers({ scenarioId: 'x', form: 'corrected', rungs: [rung(1, 'Seq Scan', 1), rung(2, 'Seq Scan', 2)] }), []);
  });
});
