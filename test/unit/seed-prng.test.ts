import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng, logNormalSampler, randomUuid, weightedTable, zipfTable } from '../../src/seed/prng.ts';

test('the same seed gives the same sequence, another seed a different one', () => {
  const a = createPrng(7);
  const b = createPrng(7);
  const c = createPrng(8);
  const sa = Array.from({ length: 20 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 20 }, () => b.nextUint32()), sa);
  assert.notDeepEqual(Array.from({ length: 20 }, () => c.nextUint32()), sa);
});

test('next() is uniform in [0, 1): mean near 0.5 and every decile filled evenly', () => {
  const rng = createPrng(1);
  const deciles = new Array(10).fill(0);
  let sum = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    deciles[Math.floor(u * 10)]++;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.005);
  for (const count of deciles) assert.ok(Math.abs(count / n - 0.1) < 0.005, `decile share ${count / n}`);
});

test('randomUuid formats 128 bits as a version-4, variant-1 UUID', () => {
  const rng = createPrng(3);
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = randomUuid(rng);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 10_000);
});

test('weightedTable draws each option in proportion to its weight', () => {
  const rng = createPrng(5);
  const table = weightedTable([6, 3, 1]);
  const counts = [0, 0, 0];
  const n = 100_000;
  for (let i = 0; i < n; i++) counts[table.pick(rng)]!++;
  assert.ok(Math.abs(counts[0]! / n - 0.6) < 0.01);
  assert.ok(Math.abs(counts[1]! / n - 0.3) < 0.01);
  assert.ok(Math.abs(counts[2]! / n - 0.1) < 0.01);
});

test('zipfTable makes rank 1 about 2^s times as likely as rank 2', () => {
  const table = zipfTable(20, 1.1);
  const [p1, p2] = table.probabilities;
  assert.ok(Math.abs(p1! / p2! - 2 ** 1.1) < 1e-9);
});

test('logNormalSampler has the requested median', () => {
  const sample = logNormalSampler(createPrng(9), 1200, 1.4);
  const values = Array.from({ length: 50_001 }, sample).sort((a, b) => a - b);
  const median = values[25_000]!;
  assert.ok(median > 1100 && median < 1300, `median ${median}`);
});
