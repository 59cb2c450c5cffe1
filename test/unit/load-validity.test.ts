// The validity gates of a load run (pure): an open-model run is reported as a latency only when it stayed open, the
// server kept up and Little's law holds; otherwise it says why, in words, and whose limit it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeValidity, type ValidityInput } from '../../src/load/validity.ts';

const good = (): ValidityInput => ({
  durationMs: 20_000,
  classes: [
    { name: 'pages', nominalPerSecond: 40, scheduled: 800, completed: 800, errors: 0 },
    { name: 'ingest', nominalPerSecond: 10, scheduled: 205, completed: 205, errors: 0 },
  ],
  lagMs: { p99: 0.4, max: 3 },
  pool: { size: 10, waited: 0, longestWaitMs: 0, maxQueue: 0 },
  little: { meanInFlight: 0.21, rateTimesLatency: 0.2 },
  cpu: { execbenchCores: 0.12, machineBusyCores: 0.9, machineCores: 2 },
});

describe('judgeValidity', () => {
  it('a run that kept its schedule, was served in full and agrees with Little\'s law is valid, limited by nobody', () => {
    const v = judgeValidity(good());
    assert.equal(v.valid, true, v.problems.join('; '));
    assert.deepEqual(v.problems, []);
    assert.equal(v.limitedBy, undefined);
    assert.match(v.cpuStatement, /execbench used 0\.12 of one core/);
  });

  it('94% served -> invalid: the server did not keep up (overload), said with the counts', () => {
    const input = good();
    input.classes[0]!.completed = 752;
    const v = judgeValidity(input);
    assert.equal(v.valid, false);
    assert.match(v.problems.join('\n'), /pages: 752 of 800 requests served \(94\.0%.*the server did not keep up/);
    assert.equal(v.limitedBy, 'server');
    // 95% exactly is enough.
    input.classes[0]!.completed = 760;
    assert.equal(judgeValidity(input).valid, true);
  });

  it('a few requests that waited for a connection (up to 5%) count in their latency and leave the run valid; more -> invalid: the pool paced the requests', () => {
    const input = good();
    const requests = input.classes.reduce((sum, c) => sum + c.scheduled, 0);
    input.pool = { size: 10, waited: Math.floor(requests * 0.05), longestWaitMs: 12.5, maxQueue: 3 };
    const brief = judgeValidity(input);
    assert.equal(brief.valid, true, brief.problems.join('; '));
    assert.match(brief.gates.find((g) => g.gate === 'pool')!.words, /briefly exhausted: \d+ of [\d,]+ request\(s\) \(\d\.\d%\) waited .*counted in their latency/);
    input.pool = { size: 10, waited: Math.floor(requests * 0.05) + 1, longestWaitMs: 12.5, maxQueue: 3 };
    const v = judgeValidity(input);
    assert.equal(v.valid, false);
    assert.match(v.problems[0]!, /the pool of 10 was exhausted: \d+ of [\d,]+ request\(s\) .*12\.5 ms.*over 5\.0%.*closed loop.*--pool/);
  });

  it('timer jitter of a few ms (8.6 ms p99, measured here at 5-40/s on an idle machine) is not a late generator', () => {
    const input = good();
    input.lagMs = { p99: 8.6, max: 13.1 };
    const v = judgeValidity(input);
    assert.equal(v.valid, true, v.problems.join('; '));
  });

  it('the lag bound is 5% of the tightest promise in the run: 25 ms with pages (500 ms), 100 ms for a dashboard step (2 s), 25 ms without a promise', () => {
    const input = good();
    input.lagMs = { p99: 31, max: 58 };
    input.tightestPromiseMs = 2000;
    assert.equal(judgeValidity(input).valid, true);
    input.lagMs = { p99: 101, max: 140 };
    assert.match(judgeValidity(input).problems.join('; '), /within 101\.00 ms .*over 100 ms \(5% of the tightest promise in the run\)/);
    input.lagMs = { p99: 31, max: 58 };
    input.tightestPromiseMs = 500;
    assert.equal(judgeValidity(input).valid, false);
    delete input.tightestPromiseMs;
    assert.match(judgeValidity(input).problems.join('; '), /over 25 ms/);
  });

  it('a server that falls behind (rate not achieved) is the limit even when the generator is also late', () => {
    const input = good();
    input.lagMs = { p99: 31, max: 52 };
    input.classes = input.classes.map((c) => ({ ...c, completed: Math.floor(c.scheduled / 2) }));
    const v = judgeValidity(input);
    assert.equal(v.valid, false);
    assert.equal(v.limitedBy, 'server');
    assert.match(v.cpuStatement, /the server fell behind/);
  });

  it('a late generator -> invalid and limited by execbench, even with little CPU of its own when the machine is saturated', () => {
    const input = good();
    input.lagMs = { p99: 31, max: 52 };
    input.cpu = { execbenchCores: 0.16, machineBusyCores: 1.96, machineCores: 2 };
    const v = judgeValidity(input);
    assert.equal(v.valid, false);
    assert.equal(v.limitedBy, 'execbench');
    assert.match(v.problems.join('\n'), /within 31\.00 ms .*fell behind its own schedule/);
    assert.match(v.cpuStatement, /machine's CPUs were saturated.*limited by execbench, not by Postgres/);
  });

  it('execbench at 80% of its one core -> its own CPU limited the figures (a statement; the gates decide validity)', () => {
    const input = good();
    input.cpu = { execbenchCores: 0.85, machineCores: 2 };
    const v = judgeValidity(input);
    assert.equal(v.valid, true);
    assert.equal(v.limitedBy, 'execbench');
    assert.match(v.cpuStatement, /limited by execbench's own CPU/);
  });

  it("Little's law: 11% apart fails, 9% holds; the words say which bookkeeping disagrees", () => {
    const input = good();
    input.little = { meanInFlight: 0.222, rateTimesLatency: 0.2 };
    const v = judgeValidity(input);
    assert.equal(v.valid, false);
    assert.match(v.problems[0]!, /Little's law: 0\.222 .* 0\.200 \(11\.0% apart\).*requests sent late, or lost/);
    input.little = { meanInFlight: 0.218, rateTimesLatency: 0.2 };
    assert.equal(judgeValidity(input).valid, true);
  });

  it("Little's law failing beside an overload is named a backlog, not a measurement fault", () => {
    const input = good();
    input.classes[0]!.completed = 500;
    input.little = { meanInFlight: 3, rateTimesLatency: 9 };
    const v = judgeValidity(input);
    const little = v.gates.find((g) => g.gate === 'littles-law')!;
    assert.equal(little.cause, 'overload');
    assert.match(little.words, /not a steady state/);
  });

  it('more than 1% failed requests -> invalid; a few under 1% are said but do not invalidate', () => {
    const input = good();
    input.classes[1]!.errors = 1;
    input.classes[1]!.completed = 204;
    const few = judgeValidity(input);
    assert.equal(few.valid, true);
    assert.ok(few.gates.some((g) => g.gate === 'errors' && g.ok && /1 request\(s\) failed/.test(g.words)));
    input.classes[1]!.errors = 3;
    input.classes[1]!.completed = 202;
    assert.equal(judgeValidity(input).valid, false);
  });

  it('Ctrl-C makes a run incomplete: invalid, with when it stopped', () => {
    const v = judgeValidity({ ...good(), interruptedAtMs: 7200 });
    assert.equal(v.valid, false);
    assert.match(v.problems[0]!, /stopped by Ctrl-C after 7\.2 of 20 s/);
  });
});
