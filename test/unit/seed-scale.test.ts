import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { DATASET_SHAPE, validateShape } from '../../src/seed/config.ts';
import { parseScale, parseScales } from '../../src/seed/scale.ts';
import { checkDiskSpace } from '../../src/seed/disk-space.ts';

test('parseScale accepts 100k, 1m (any case) and positive integers', () => {
  assert.deepEqual(parseScale('100k'), { label: '100k', focusRows: 100_000 });
  assert.deepEqual(parseScale('1M'), { label: '1m', focusRows: 1_000_000 });
  assert.deepEqual(parseScale('5000'), { label: '5000', focusRows: 5000 });
  assert.deepEqual(parseScale(250), { label: '250', focusRows: 250 });
});

test('parseScale knows 5m and 10m, where the spec\'s "Scaling Beyond 1M" advice starts', () => {
  assert.deepEqual(parseScale('5m'), { label: '5m', focusRows: 5_000_000 });
  assert.deepEqual(parseScale('10M'), { label: '10m', focusRows: 10_000_000 });
  assert.throws(() => parseScale('20m'), /use 100k, 1m, 5m, 10m or a positive integer/);
});

test('checkDiskSpace refuses a dataset that does not fit, naming both figures and the fix; a rebuild counts what it frees', () => {
  const input = { schema: 'execbench_10m', neededBytes: 10e9, freeBytes: 8e9, reclaimedBytes: 0, where: 'the embedded server\'s data directory /d', fix: 'Free space there.' };
  assert.throws(() => checkDiskSpace(input), (error: unknown) => error instanceof UsageError
    && /Not enough disk space for execbench_10m: it needs about 11\.6 GB .* and the embedded server's data directory \/d has 7\.5 GB free\. Nothing was written\. Free space there\./.test(error.message));
  assert.doesNotThrow(() => checkDiskSpace({ ...input, freeBytes: 13e9 }));
  assert.doesNotThrow(() => checkDiskSpace({ ...input, reclaimedBytes: 5e9 }), 'the old dataset dropped first makes room');
  assert.throws(() => checkDiskSpace({ ...input, freeBytes: 12e9 }), /11\.6 GB/, 'the 25% margin is asked for');
});

for (const bad of ['10x', '1.5m', '', 'abc', '1e6', '100 k']) {
  test(`parseScale rejects the malformed scale '${bad}' with a UsageError naming it`, () => {
    assert.throws(() => parseScale(bad), (error: unknown) =>
      error instanceof UsageError && error.message.includes(`'${bad}'`) && error.message.includes('100k'));
  });
}

for (const bad of ['0', '-5', '-100']) {
  test(`parseScale rejects the non-positive count ${bad}`, () => {
    assert.throws(() => parseScale(bad), (error: unknown) =>
      error instanceof UsageError && error.message.includes(`'${bad}'`) && /at least 1/.test(error.message));
  });
}

test('validateShape accepts the documented shape', () => {
  assert.equal(validateShape(DATASET_SHAPE), DATASET_SHAPE);
});

test('validateShape rejects fewer than 9 other tenants, naming the field', () => {
  const shape = { ...DATASET_SHAPE, otherTenants: { ...DATASET_SHAPE.otherTenants, count: 4 } };
  assert.throws(() => validateShape(shape), (e: unknown) => e instanceof UsageError && e.message.includes('otherTenants.count'));
});

test('validateShape rejects other tenants adding less than 30% of the focus rows', () => {
  const shape = { ...DATASET_SHAPE, otherTenants: { ...DATASET_SHAPE.otherTenants, extraRowShare: 0.1 } };
  assert.throws(() => validateShape(shape), (e: unknown) => e instanceof UsageError && e.message.includes('extraRowShare'));
});

test('validateShape rejects status shares that leave no room for success', () => {
  const shape = { ...DATASET_SHAPE, status: { error: 0.6, running: 0.3, waiting: 0.2 } };
  assert.throws(() => validateShape(shape), (e: unknown) => e instanceof UsageError && e.message.includes('status'));
});

test('validateShape rejects an unparseable anchor', () => {
  const shape = { ...DATASET_SHAPE, time: { ...DATASET_SHAPE.time, anchor: 'next tuesday' } };
  assert.throws(() => validateShape(shape), (e: unknown) => e instanceof UsageError && e.message.includes('time.anchor'));
});

test('a scale written with thousands separators is refused saying so and what to type, not as \'Invalid scale 000\'', () => {
  assert.throws(() => parseScale('1,000,000'), /Invalid scale '1,000,000': thousands separators are not accepted; write 1000000 or 1m\./);
  assert.throws(() => parseScale('250_000'), /thousands separators are not accepted; write 250000\./);
  assert.throws(() => parseScale("5'000'000"), /write 5000000 or 5m/);
  // What a comma-separated --scale list makes of 1,000,000: its first group is a valid scale, the next is not.
  assert.throws(() => parseScale('000'), /thousands separators \(--scale takes a comma-separated list, so 1,000,000 reads as 1, 000, 000\)\. Thousands separators are not accepted: write 1000000 or 1m\./);
  assert.throws(() => parseScales(['1', '000', '000']), /Invalid scale '1,000,000': thousands separators are not accepted; write 1000000 or 1m\./);
  assert.throws(() => parseScales(['10', '000']), /Invalid scale '10,000': .* write 10000\./);
  assert.deepEqual(parseScales(['100k', '1m']).map((s) => s.label), ['100k', '1m']);
  assert.deepEqual(parseScales(['5000', '250']).map((s) => s.label), ['5000', '250'], 'a list of real counts is a list');
});
