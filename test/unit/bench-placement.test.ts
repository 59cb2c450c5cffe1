// bench:clock's placement argument: the three names, and one clear error naming the bad value and the choices.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlacement } from '../../src/bench/placement.ts';

describe('parsePlacement', () => {
  it('defaults to free and accepts the three placements', () => {
    assert.equal(parsePlacement(undefined), 'free');
    for (const p of ['free', 'same', 'split'] as const) assert.equal(parsePlacement(p), p);
  });

  it('names a bad value and the choices', () => {
    const r = parsePlacement('pinned');
    assert.ok(typeof r === 'object');
    assert.match(r.error, /unknown placement "pinned"; choose free .*same .*split/);
  });
});
