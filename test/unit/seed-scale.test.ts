import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { DATASET_SHAPE, validateShape } from '../../src/seed/config.ts';
import { parseScale } from '../../src/seed/scale.ts';

test('parseScale accepts 100k, 1m (any case) and positive integers', () => {
  assert.deepEqual(parseScale('100k'), { label: '100k', focusRows: 100_000 });
  assert.deepEqual(parseScale('1M'), { label: '1m', focusRows: 1_000_000 });
  assert.deepEqual(parseScale('5000'), { label: '5000', focusRows: 5000 });
  assert.deepEqual(parseScale(250), { label: '250', focusRows: 250 });
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
