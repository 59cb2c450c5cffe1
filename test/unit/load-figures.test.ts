// docs/load-measured.md is written from saved result documents, never typed: the page from fixtures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderLoadFigures, type SavedFigure, type Stamp } from '../../src/bench/load-figures.ts';

const stamp: Stamp = { measuredAt: '2026-12-02T23:59:00.000Z', commit: '0123456789abcdef', uncommitted: false, machine: { cpus: 2, model: 'Test CPU', memoryGiB: 24, platform: 'linux 6.1' }, node: 'v20.20.2', postgres: '17.10' };

const saved: Record<string, unknown> = {
  search: { maintenance: ['with'], totalMs: 800_000, targetMet: true, scales: [{ scale: '100k', maxTimeMs: 300_000, ms: 400_000, exit: 0, searches: [{ variant: 'spec', promise: 'pages', maintenance: true, lowerBoundPerSecond: 557, notBelowPerSecond: 608, ceilingPerSecond: 1012, status: 'bracketed', steps: 7 }] }] },
  pause: { scale: '100k', durationMs: 10_000, pauseMs: 1000, pause: { scheduled: 58, showInLatency: 58, showInService: 8 }, p99Ms: { calm: { latencyP99: 9.98, serviceP99: 8.1 }, paused: { latencyP99: 936.9, serviceP99: 20.5 } }, valid: { calm: true, paused: false } },
  'stability-pages': { scale: '100k', promise: 'pages', brackets: [{ low: 557, high: 608 }, { low: 580, high: 630 }], verdict: 'overlap', totalMs: 150_000 },
};

const read = <T,>(mode: string) => (saved[mode] ? ({ mode, stamp, result: saved[mode] } as SavedFigure<T>) : undefined);

describe('renderLoadFigures', () => {
  it('each saved mode gets its section, stamped with date, machine and commit; a mode never run says how to run it', () => {
    const page = renderLoadFigures(read);
    assert.match(page, /_Measured 2026-12-02 23:59 UTC on 2 × Test CPU, 24 GiB \(linux 6\.1\), Node v20\.20\.2, PostgreSQL 17\.10, commit 0123456789\._/);
    assert.match(page, /\| 100k \| spec \| pages \| with \| 1012\/s \| ≥ 557\/s \| 608\/s \| bracketed \| 7 \|/);
    assert.match(page, /within 15 minutes\): \*\*met\*\*/);
    assert.match(page, /\*\*58 of 58\*\* show it in their latency from intended start/);
    assert.match(page, /\| server stopped 1000 ms \| 936\.9 \| 20\.5 \| no \|/);
    assert.match(page, /Not measured yet: `npm run bench:load -- pgbench/);
    assert.match(page, /brackets \[557, 608\) and \[580, 630\) per second: \*\*they overlap\*\*/);
  });
});
