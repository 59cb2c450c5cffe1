// The flags of `execbench load --search` (pure): each bad value refused with one line naming it and the fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMaintenance, parseMaxTime, parseMinCapacity, parsePromises, refuseFixedRateFlags } from '../../src/load/search-options.ts';

describe('load --search flags', () => {
  it('--promise: both by default, in the promises\' order; an unknown or empty one refused', () => {
    assert.deepEqual(parsePromises(undefined), ['dashboard', 'pages']);
    assert.deepEqual(parsePromises(['pages', 'dashboard', 'pages']), ['dashboard', 'pages']);
    assert.throws(() => parsePromises(['ingest']), /Unknown promise 'ingest' in --promise: the promises are dashboard \(p95 < 2 s\) and pages \(p95 < 500 ms\)/);
    assert.throws(() => parsePromises([]), /--promise was given no value/);
  });

  it('--maintenance: both (without first), with, without; anything else refused', () => {
    assert.deepEqual(parseMaintenance(undefined), ['without', 'with']);
    assert.deepEqual(parseMaintenance('with'), ['with']);
    assert.throws(() => parseMaintenance('yes'), /Invalid --maintenance 'yes': give both/);
  });

  it('--max-time: minutes, seconds or ms, from 5 s to 24 h', () => {
    assert.equal(parseMaxTime('10m'), 600_000);
    assert.equal(parseMaxTime('90s'), 90_000);
    assert.equal(parseMaxTime('1.5min'), 90_000);
    assert.equal(parseMaxTime(60_000), 60_000);
    for (const bad of ['2s', '25h', 'soon', '0m']) assert.throws(() => parseMaxTime(bad), new RegExp(`Invalid --max-time '${bad}'`));
  });

  it('--min-capacity: promise=rate pairs; a class without a promise, a rate of 0 or a bad pair refused naming --min-capacity', () => {
    assert.deepEqual(parseMinCapacity(undefined), {});
    assert.deepEqual(parseMinCapacity(['dashboard=5/s', 'pages=6000/min']), { dashboard: 5, pages: 100 });
    assert.throws(() => parseMinCapacity(['ingest=3/s']), /--min-capacity names 'ingest', which has no promise/);
    assert.throws(() => parseMinCapacity(['pages=0/s']), /Invalid --min-capacity 'pages=0\/s': a rate must be above 0/);
    assert.throws(() => parseMinCapacity([]), /--min-capacity was given no value/);
  });

  it('--rate and --duration belong to the fixed-rate mode', () => {
    assert.throws(() => refuseFixedRateFlags(['load', '--search', '--duration=20s']), /--duration is for the fixed-rate mode/);
    assert.doesNotThrow(() => refuseFixedRateFlags(['load', '--search', '--step', '2s']));
  });
});
