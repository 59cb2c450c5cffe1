// A step of the capacity search from a run's records (pure): validity first (an invalid step is failed with its
// reason, or stops the search on Ctrl-C), the verdict on the promise's requests after the warm-up, p50/p95/p99 with
// intervals; what maintenance costs; one run on a time axis.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepVerdictRule, CAPACITY_RULE, type BoundConfidence } from '../../src/load/capacity.ts';
import type { LoadRun, RequestRecord } from '../../src/load/run-load.ts';
import { buildTimeline, judgeStepRun, maintenanceCosts, ratePeople, type PromiseSearch } from '../../src/load/search-report.ts';
import { summarizeLoad, type SummaryContext } from '../../src/load/summary.ts';
import type { LoadClass, TrafficClass } from '../../src/load/traffic.ts';

const traffic = (name: LoadClass, promise?: number): TrafficClass => ({
  name, description: name, writes: false, arrivals: 'poisson', kinds: [{ name: 'only', share: 1, statements: [] }],
  ...(promise ? { promise: { p95Ms: promise, source: 'test' } } : {}),
});

/** pages at 50/s for 10 s: 2 ms from intended start, except the first second (the warm-up) at 900 ms; retention 1/s. */
function records(served = 1): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (let i = 0; i < 500; i++) {
    const at = i * 20;
    const latency = at < 1000 ? 900 : 2;
    const ok = i / 500 < served;
    out.push({ name: 'pages', kind: 'only', seq: i, intendedMs: at, dispatchMs: at, sendMs: at, endMs: ok ? at + latency : Number.NaN, outcome: ok ? 'ok' : 'unsent', queued: false });
  }
  for (let i = 0; i < 10; i++) {
    const at = i * 1000 + 500;
    out.push({ name: 'retention', kind: 'only', seq: i, intendedMs: at, dispatchMs: at, sendMs: at, endMs: at + 20, outcome: 'ok', queued: false, rows: 1000 });
  }
  return out.sort((a, b) => a.intendedMs - b.intendedMs);
}

function run(recs: RequestRecord[], overrides: Partial<LoadRun> = {}): LoadRun {
  const finished = recs.filter((r) => Number.isFinite(r.endMs));
  const meanLatency = finished.reduce((s, r) => s + r.endMs - r.intendedMs, 0) / finished.length / 1000;
  return {
    startedAt: '2026-12-01T00:00:00.000Z', durationMs: 10_000, endedAtMs: 10_010, records: recs,
    meanInFlight: { all: (recs.length / 10) * meanLatency, byClass: {} },
    pool: { size: 10, waited: 0, longestWaitMs: 0, maxQueue: 0, renames: 0 },
    cpu: { execbenchCores: 0.1, machineCores: 2 },
    waits: {
      observations: [{ atMs: 3000, pid: 7, waitingClass: 'pages', waitEventType: 'Lock', waitEvent: 'transactionid', statement: 'SELECT', lock: { type: 'transactionid', mode: 'ShareLock', relation: null }, blockers: [{ pid: 8, class: 'retention', state: 'active', statement: 'DELETE' }] }],
      samples: 400, sampleMs: { mean: 1, max: 2 }, failures: { count: 0 },
    },
    ...overrides,
  };
}

const context: SummaryContext = {
  runId: 'step', traffic: [traffic('pages', 500), traffic('retention')], rates: { pages: 50, retention: 1 }, pool: 10, seed: 1, scale: '20000',
  sampledEveryMs: 25, dataset: { source: 'execbench_20000', loadSchema: 'execbench_load_20000', rows: 28_000, copyMs: 0, restored: '' },
};
const step = { promise: 'pages' as const, limitP95Ms: 500, windowMs: 10_000, warmupMs: 1000, look: 1, sequential: stepVerdictRule({ ...CAPACITY_RULE }), elapsedMs: 11_500 };

describe('judgeStepRun', () => {
  it('a valid step: judged on the requests after the warm-up (the slow first second left out), with p50/p95/p99 and intervals', () => {
    const r = run(records());
    const result = judgeStepRun(r, summarizeLoad(r, context), step);
    assert.equal(result.invalid, undefined);
    assert.equal(result.verdict!.status, 'passed', result.verdict!.reason);
    assert.equal(result.samples, 450, 'the 50 requests of the first second are the warm-up');
    assert.equal(result.latency!.p95.estimateMs, 2);
    assert.equal(result.latency!.p99.estimateMs, 2);
    assert.ok(result.latency!.p95.highMs! < 500);
    assert.equal(result.offeredPerSecond, 50);
    assert.deepEqual([result.maintenance!.cleanupBatches, result.maintenance!.rowsDeleted, result.maintenance!.lockWaits], [10, 10_000, 0]);
    assert.equal(result.elapsedMs, 11_500);
  });

  it('with the warm-up judged too the p95 would fail: the warm-up is what left it out', () => {
    const r = run(records());
    const result = judgeStepRun(r, summarizeLoad(r, context), { ...step, warmupMs: 0 });
    assert.notEqual(result.verdict!.status, 'passed');
  });

  it('a step where the server served under 95% is invalid (overload), carries its reason and no latency', () => {
    const r = run(records(0.9));
    const result = judgeStepRun(r, summarizeLoad(r, context), step);
    assert.equal(result.invalid!.cause, 'overload');
    assert.match(result.invalid!.words, /did not keep up/);
    assert.equal(result.latency, null);
    assert.equal(result.valid, false);
  });

  it("execbench's own CPU limit is its cause (the search reports it as execbench's limit, not the server's)", () => {
    const r = run(records(), { cpu: { execbenchCores: 0.95, machineCores: 2 } });
    assert.equal(judgeStepRun(r, summarizeLoad(r, context), step).invalid!.cause, 'execbench');
  });

  it('Ctrl-C during the step: interrupted, which stops the search rather than failing the rate', () => {
    const r = run(records(), { stoppedAtMs: 4000 });
    assert.equal(judgeStepRun(r, summarizeLoad(r, context), step).invalid!.cause, 'interrupted');
  });
});

const confidence: BoundConfidence = { nominal: 0.95, achieved: 0.97, perStepAlpha: 0.003, steps: 6, maxSteps: 16, words: 'c' };
const search = (maintenance: boolean, bound: number | null): PromiseSearch => ({
  promise: 'pages', limitP95Ms: 500, source: 's', variant: 'spec', maintenance, lowerBoundPerSecond: bound, notBelowPerSecond: null,
  lowerBoundPeople: bound === null ? null : ratePeople('pages', bound), status: bound === null ? 'no-pass' : 'bracketed', words: 'w', confidence, startRate: 40,
  shareMs: 1000, durationMs: 1000, steps: [],
});

describe('maintenance costs and people', () => {
  it('the difference of the two bounds, in rate and in people (60 people per 40 page views/s), said to be indicative', () => {
    const [cost] = maintenanceCosts([search(false, 400), search(true, 300)], { ingest: 10, retention: 1 });
    assert.equal(cost!.costPerSecond, 100);
    assert.equal(cost!.costPeople, 150);
    assert.match(cost!.words, /at least 400\/s without, at least 300\/s with: about 100\/s \(150 people\) fewer\. Both are lower bounds, so the difference is indicative/);
    assert.equal(ratePeople('dashboard', 2), 60);
  });

  it('no difference without both bounds; none at all for a promise searched one way only', () => {
    assert.match(maintenanceCosts([search(false, null), search(true, 300)], { ingest: 10, retention: 1 })[0]!.words, /without maintenance the search found no bound/);
    assert.deepEqual(maintenanceCosts([search(true, 300)], { ingest: 10, retention: 1 }), []);
  });
});

describe('buildTimeline', () => {
  it('served requests at their intended start with their latency, the cleanup batches, the waits, thinned to at most 1500 points', () => {
    const r = run(records());
    const t = buildTimeline(r, summarizeLoad(r, context), { promise: 'pages', variant: 'spec', maintenance: true, ratePerSecond: 50, windowMs: 10_000 });
    assert.equal(t.points.length, 510);
    assert.equal(t.cleanup.length, 10);
    assert.deepEqual(t.cleanup[0], { startMs: 500, endMs: 520, rows: 1000 });
    assert.equal(t.waits.length, 1);
    assert.match(t.waits[0]!.wait, /Lock\/transactionid \(ShareLock\)/);
    assert.equal(t.waits[0]!.blockers, 'retention');
    const many: RequestRecord[] = Array.from({ length: 4000 }, (_, i) => ({ name: 'pages', kind: 'only', seq: i, intendedMs: i, dispatchMs: i, sendMs: i, endMs: i + 1, outcome: 'ok', queued: false }));
    assert.ok(buildTimeline({ records: many }, summarizeLoad(run(records()), context), t).points.length <= 1500);
  });
});
