// Duration flags: the units a person types (ms, s, m, h), and one line naming the value and the fix otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBudget, parseDuration } from '../../src/cli-args.ts';
import { UsageError } from '../../src/errors.ts';

const bounds = { minMs: 1000, maxMs: 3_600_000, example: '60s' };

describe('duration flags', () => {
  it('reads ms (the default unit), s, m and h', () => {
    assert.equal(parseDuration('max-form-time', '1500', bounds), 1500);
    assert.equal(parseDuration('max-form-time', '1500ms', bounds), 1500);
    assert.equal(parseDuration('max-form-time', '1.5s', bounds), 1500);
    assert.equal(parseDuration('max-form-time', '2m', bounds), 120_000);
    assert.equal(parseDuration('max-form-time', '1h', bounds), 3_600_000);
    assert.equal(parseBudget('750ms'), 750);
  });

  it('refuses other units and out-of-bounds values in one line naming the flag, the value and the units', () => {
    assert.throws(() => parseDuration('max-form-time', '5min', bounds), (e: unknown) => e instanceof UsageError &&
      /^Invalid --max-form-time '5min': give a duration between 1000 ms and 3600 s \(a number with ms, s, m or h\), e\.g\. --max-form-time 60s\.$/.test(e.message));
    assert.throws(() => parseDuration('max-form-time', '2h', bounds), /Invalid --max-form-time '2h'/);
    assert.throws(() => parseBudget('11m'), /Invalid --time-budget '11m'/);
  });
});
