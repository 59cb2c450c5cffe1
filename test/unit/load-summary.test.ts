// From a load run's records to its report (pure): HdrHistogram percentiles from intended start and from the send,
// an invalid run without any latency, the promise judged as `run` judges one, waits turned into episodes and set
// against the cleanup batches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadRun, RequestRecord } from '../../src/load/run-load.ts';
import { summarizeLoad, type SummaryContext } from '../../src/load/summary.ts';
import type { LoadClass, TrafficClass } from '../../src/load/traffic.ts';
import { classOfBackend, splitByCleanup, summarizeWaits, type WaitObservation } from '../../src/load/waits.ts';

const traffic = (name: LoadClass, promise?: number): TrafficClass => ({
  name, description: name, writes: false, arrivals: 'poisson',
  kinds: [{ name: 'only', share: 1, statements: [] }],
  ...(promise ? { promise: { p95Ms: promise, source: 'test' } } : {}),
});

/** pages at 50/s for 10 s: latency 2 ms from intended start, 1.5 ms service; ingest 10/s. */
function records(extra: Partial<RequestRecord> = {}): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (let i = 0; i < 500; i++) {
    const at = i * 20;
    out.push({ name: 'pages', kind: 'only', seq: i, intendedMs: at, dispatchMs: at + 0.01, sendMs: at + 0.5, endMs: at + 2, outcome: 'ok', queued: false, ...extra });
  }
  for (let i = 0; i < 100; i++) {
    const at = i * 100 + 3;
    out.push({ name: 'ingest', kind: 'only', seq: i, intendedMs: at, dispatchMs: at, sendMs: at, endMs: at + 4, outcome: 'ok', queued: false });
  }
  return out.sort((a, b) => a.intendedMs - b.intendedMs);
}

function run(recs: RequestRecord[], overrides: Partial<LoadRun> = {}): LoadRun {
  return {
    startedAt: '2026-12-01T00:00:00.000Z', durationMs: 10_000, endedAtMs: 10_010, records: recs,
    // Little's law exact for these records: 50/s x 1.99 ms + 10/s x 4 ms.
    meanInFlight: { all: 50 * 0.00199 + 10 * 0.004, byClass: {} },
    pool: { size: 10, waited: 0, longestWaitMs: 0, maxQueue: 0, renames: 0 },
    cpu: { execbenchCores: 0.1, machineCores: 2 },
    waits: { observations: [], samples: 400, sampleMs: { mean: 1, max: 2 }, failures: { count: 0 } },
    ...overrides,
  };
}

const context: SummaryContext = {
  runId: 'load-test', traffic: [traffic('pages', 500), traffic('ingest')], rates: { pages: 50, ingest: 10 }, pool: 10, seed: 1,
  scale: '20000', sampledEveryMs: 25, finishedAt: '2026-12-01T00:00:11.000Z',
  dataset: { source: 'execbench_20000', loadSchema: 'execbench_load_20000', rows: 28_000, copyMs: 2000, restored: 'copy dropped' },
};

describe('summarizeLoad', () => {
  it('a valid run: per class offered/achieved rate, latency from intended start and service time, the promise judged', () => {
    const report = summarizeLoad(run(records()), context);
    assert.equal(report.valid, true, report.problems.join('; '));
    const pages = report.classes.find((c) => c.class === 'pages')!;
    assert.equal(pages.count, 500);
    assert.equal(pages.offeredPerSecond, 50);
    assert.equal(pages.achievedPerSecond, 50);
    // HdrHistogram at 3 significant digits: 2 ms and 1.5 ms to within 0.1%.
    assert.ok(Math.abs(pages.latencyMs!.p95Ms - 2) < 0.002 && Math.abs(pages.latencyMs!.maxMs - 2) < 0.002);
    assert.ok(Math.abs(pages.serviceMs!.p50Ms - 1.5) < 0.002);
    assert.equal(pages.promise!.status, 'passed');
    assert.equal(pages.promise!.verdict!.clock, 'client');
    assert.deepEqual(Object.keys(report).sort(), ['classes', 'cpuStatement', 'dataset', 'defaults', 'finishedAt', 'gates', 'generator', 'kind', 'limitedBy', 'options', 'problems', 'runId', 'schemaVersion', 'startedAt', 'valid', 'waits']);
    assert.ok(Math.abs(report.generator.littlesLaw.rateTimesLatency - report.generator.littlesLaw.meanInFlight) / report.generator.littlesLaw.meanInFlight < 0.01);
  });

  it('an invalid run reports no latency at all, and no promise verdict, only the problems in words', () => {
    const report = summarizeLoad(run(records(), { pool: { size: 10, waited: records().length, longestWaitMs: 30, maxQueue: 3, renames: 0 } }), context);
    assert.equal(report.valid, false);
    for (const c of report.classes) {
      assert.equal(c.latencyMs, null);
      assert.equal(c.serviceMs, null);
    }
    assert.equal(report.classes[0]!.promise!.status, 'not judged');
    assert.match(report.problems.join('\n'), /pool of 10 was exhausted/);
  });

  it('requests the run never finished count against the achieved rate', () => {
    const recs = records();
    for (const r of recs.filter((x) => x.name === 'pages').slice(-40)) r.outcome = 'unsent';
    const report = summarizeLoad(run(recs), context);
    const pages = report.classes.find((c) => c.class === 'pages')!;
    assert.equal(pages.unfinished, 40);
    assert.equal(pages.achievedPerSecond, 46);
    assert.equal(report.valid, false);
  });
});

describe('waits', () => {
  const wait = (atMs: number, pid: number, blockers: WaitObservation['blockers'] = []): WaitObservation => ({
    atMs, pid, waitingClass: 'ingest', waitEventType: 'Lock', waitEvent: 'transactionid', statement: 'INSERT ...',
    lock: { type: 'transactionid', mode: 'ShareLock', relation: null }, blockers,
  });

  it('consecutive sightings are one episode; a gap of more than two intervals starts another', () => {
    const blocker = [{ pid: 9, class: 'retention', state: 'active', statement: 'DELETE ...' }];
    const summary = summarizeWaits([wait(100, 1, blocker), wait(125, 1, blocker), wait(150, 1, blocker), wait(400, 1, blocker)], 20, 25,
      { intervals: [[90, 160]], rowsDeleted: 1000 });
    assert.equal(summary.episodes.length, 2);
    assert.equal(summary.episodes[0]!.durationMs, 75);
    assert.equal(summary.episodes[0]!.duringCleanup, true);
    assert.equal(summary.episodes[1]!.duringCleanup, false);
    assert.deepEqual(summary.kinds.map((k) => [k.waitingClass, k.wait, k.blockerClasses, k.episodes]), [['ingest', 'Lock/transactionid', ['retention'], 2]]);
    assert.equal(summary.cleanup.lockWaits, 1);
    assert.equal(summary.cleanup.blockedByCleanup, 1);
    assert.equal(summary.cleanup.tableLockWaits, 0);
    assert.match(summary.cleanup.words, /1 cleanup batch\(es\) ran .* 1 lock wait\(s\) overlapped them, 1 behind the cleanup itself, none of them for a table lock/);
  });

  it('a wait for a lock on a relation while cleanup runs is named a table lock', () => {
    const table = { ...wait(100, 2), lock: { type: 'relation', mode: 'RowExclusiveLock', relation: 'executions' } };
    const summary = summarizeWaits([table], 5, 25, { intervals: [[50, 200]], rowsDeleted: 0 });
    assert.equal(summary.cleanup.tableLockWaits, 1);
    assert.match(summary.cleanup.words, /1 for a table lock \(RowExclusiveLock on executions\)/);
  });

  it('names classes from application_name and backend type', () => {
    assert.equal(classOfBackend('execbench-load:pages'), 'pages');
    assert.equal(classOfBackend('', 'autovacuum worker'), 'autovacuum');
    assert.equal(classOfBackend('psql'), 'other (psql)');
  });

  it('splits a class by overlap with cleanup, with the p99 interval where there are enough requests', () => {
    const requests = Array.from({ length: 1000 }, (_, i) => ({ startMs: i * 10, endMs: i * 10 + 2, latencyMs: i < 100 ? 50 : 2 }));
    const split = splitByCleanup('pages', requests, [[0, 995]]);
    assert.equal(split.during.count, 100);
    assert.equal(split.outside.count, 900);
    assert.equal(split.during.p99Ms, 50);
    assert.equal(split.during.p99HighMs, null, '100 requests give no upper bound for a p99');
    assert.equal(split.outside.p99HighMs, 2);
  });
});
