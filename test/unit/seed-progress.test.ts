import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStderrProgress, formatRowsLine } from '../../src/seed/progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (text: string) => writes.push(text) } };
}

test('formatRowsLine shows rows, percentage, rate and ETA', () => {
  assert.equal(formatRowsLine(50_000, 200_000, 1000), 'seed: 50,000 / 200,000 rows (25%), 50,000 rows/s, ETA 3 s');
});

test('without a terminal, progress prints plain lines at most every 2 s and always the final one', () => {
  let clock = 0;
  const { writes, stream } = fakeStream(false);
  const progress = createStderrProgress({ stream, now: () => clock });
  for (let done = 0; done <= 100_000; done += 1000) {
    progress.rows(done, 100_000);
    clock += 100; // 10 s in total
  }
  progress.done();
  assert.ok(writes.length >= 4 && writes.length <= 7, `${writes.length} lines`);
  assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\r')));
  assert.match(writes.at(-1)!, /100,000 \/ 100,000 rows \(100%\)/);
});

test('on a terminal, progress rewrites one line and ends it before a note', () => {
  let clock = 0;
  const { writes, stream } = fakeStream(true);
  const progress = createStderrProgress({ stream, now: () => clock });
  for (let done = 0; done <= 10_000; done += 1000) {
    progress.rows(done, 10_000);
    clock += 500;
  }
  progress.note('seed: VACUUM (ANALYZE)');
  const rewrites = writes.filter((w) => w.startsWith('\r'));
  assert.ok(rewrites.length >= 5);
  assert.ok(rewrites.every((w) => !w.endsWith('\n')));
  assert.deepEqual(writes.slice(-2), ['\n', 'seed: VACUUM (ANALYZE)\n']);
});
