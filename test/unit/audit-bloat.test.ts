import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bloatFromLeafDensity, estimateBtreeBloat, SPEC_BLOAT_LIMIT } from '../../src/audit/bloat.ts';
import { diffIndexScans } from '../../src/audit/scans.ts';
import { median } from '../../src/audit/write-cost.ts';
import type { IndexScanSnapshot } from '../../src/audit/types.ts';

test('a btree packed to its fillfactor of 90 has no bloat', () => {
  assert.equal(bloatFromLeafDensity(90), 0);
  assert.equal(bloatFromLeafDensity(95), 0, 'denser than the fillfactor is not negative bloat');
});

test('leaf density 54% against fillfactor 90 is 40% bloat, over the spec limit', () => {
  const ratio = bloatFromLeafDensity(54)!;
  assert.ok(Math.abs(ratio - 0.4) < 1e-9, `got ${ratio}`);
  assert.ok(ratio > SPEC_BLOAT_LIMIT);
});

test('leaf density 63% against fillfactor 90 is exactly the 30% limit, which is not over it', () => {
  const ratio = bloatFromLeafDensity(63)!;
  assert.ok(Math.abs(ratio - 0.3) < 1e-9);
});

test('a custom fillfactor is the reference density', () => {
  assert.ok(Math.abs(bloatFromLeafDensity(35, 70)! - 0.5) < 1e-9);
});

test('an index without leaf pages has no bloat figure and one with a single leaf page has none to reclaim', () => {
  assert.equal(bloatFromLeafDensity(Number.NaN), null);
  assert.equal(bloatFromLeafDensity(0.93, 90, 0), null);
  assert.equal(bloatFromLeafDensity(0.93, 90, 1), 0);
});

test('the statistical estimate expects 100 pages for 20 000 (uuid, timestamptz) tuples at fillfactor 90', () => {
  // tuple = 8 header + 24 data = 32 bytes + 4 line pointer; floor(8152 * 0.9 / 36) = 203 per page;
  // 1 metapage + ceil(20000 / 203) = 100. pgstatindex on such a freshly built index reports 99 leaf pages.
  const input = {
    blockSize: 8192, maxAlign: 8, reltuples: 20_000, fillfactor: 90,
    columns: [{ nullFrac: 0, avgWidth: 16 }, { nullFrac: 0, avgWidth: 8 }],
  };
  assert.deepEqual(estimateBtreeBloat({ ...input, actualPages: 100 }), { bloatRatio: 0, expectedPages: 100 });
  assert.deepEqual(estimateBtreeBloat({ ...input, actualPages: 200 }), { bloatRatio: 0.5, expectedPages: 100 });
});

test('nullable columns add the null bitmap and shrink the data width in the statistical estimate', () => {
  // header 12 -> padded 16; data 16 + 0.5 * 8 = 20 -> padded 24; tuple 40 + 4: floor(8152 * 0.9 / 44) = 166 per page.
  const { expectedPages } = estimateBtreeBloat({
    blockSize: 8192, maxAlign: 8, reltuples: 16_600, actualPages: 101, fillfactor: 90,
    columns: [{ nullFrac: 0, avgWidth: 16 }, { nullFrac: 0.5, avgWidth: 8 }],
  });
  assert.equal(expectedPages, 101);
});

function snapshot(scans: Record<string, number>, forcedFlush = true): IndexScanSnapshot {
  return { schema: 'execbench_100k', takenAt: new Date(0).toISOString(), forcedFlush, scans };
}

test('the scan delta subtracts the earlier snapshot per index', () => {
  const delta = diffIndexScans(snapshot({ a: 10, b: 3 }), snapshot({ a: 15, b: 3 }));
  assert.deepEqual(delta.scans, { a: 5, b: 0 });
  assert.equal(delta.forcedFlush, true);
});

test('an index created between snapshots counts from zero, and a reset counter counts from zero too', () => {
  const delta = diffIndexScans(snapshot({ a: 10 }), snapshot({ a: 2, fresh: 4 }));
  assert.deepEqual(delta.scans, { a: 2, fresh: 4 });
});

test('a delta is only as flushed as its less flushed snapshot', () => {
  assert.equal(diffIndexScans(snapshot({}, false), snapshot({})).forcedFlush, false);
});

test('snapshots of two schemas cannot be diffed', () => {
  assert.throws(() => diffIndexScans(snapshot({}), { ...snapshot({}), schema: 'execbench_1m' }), /execbench_100k.*execbench_1m/);
});

test('median takes the middle value, or the mean of the two middle values', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]));
});
