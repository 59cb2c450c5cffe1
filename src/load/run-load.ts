// One file: run() is one closure over the run's clock, queue, pool and records (about 235 lines), and the connection
// helpers above it exist only to open and warm what it drives; split, that state would have to be passed across files.
// The open-model load generator. Requests start on their schedule (schedule.ts), never "when the previous one
// finished": a request whose intended start has come goes to a free connection of the pool, or waits in a FIFO queue
// when all are busy (and that wait counts: the pool was exhausted). Each request records its intended start, the
// moment the generator dispatched it, the moment its first statement was sent and the moment its last reply came, so
// latency from intended start (coordinated omission corrected: a stall counts for every request scheduled during it)
// and service time (from the send) are both known. A wait sampler watches the same clock.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describePgError } from '../errors.ts';
import { createParamPicker, type ParamPools } from '../runner/params.ts';
import { SESSION_SETTINGS } from '../runner/session.ts';
import { LatencyHistogram } from './histogram.ts';
import { countRowsOnly, sendAndCount } from './read-reply.ts';
import { buildSchedule, type Arrival } from './schedule.ts';
import type { LoadClass, TrafficClass } from './traffic.ts';
import { cannotPass, poolPaced } from './step-plan.ts';
import { VALIDITY_RULE, type CpuUse } from './validity.ts';
import { startWaitSampler, WAIT_SAMPLE_MS, type WaitSampling } from './wait-sampler.ts';
import { APPLICATION_PREFIX } from './waits.ts';

/** What to run: classes at their rates, for a duration, on a pool, against one schema. */
export interface LoadPlan {
  connectionString: string;
  /** The schema the traffic runs in (search_path): execbench's load copy, never the user's tables. */
  schema: string;
  classes: { traffic: TrafficClass; perSecond: number }[];
  durationMs: number;
  /** Connections in the pool (an application's pool size). */
  pool: number;
  /** Seeds the arrival times and the kinds of request. */
  seed: number;
  /** The dataset's parameter pools (runner/params.ts), read from the schema the traffic runs in. */
  pools: ParamPools;
  /** After the last arrival, how long replies may take before what is left counts as not served (default: 5% of the duration, at least 1 s). */
  drainMs?: number;
  sampleEveryMs?: number;
  onProgress?: (progress: LoadProgress) => void;
  progressEveryMs?: number;
  /**
   * A capacity step's early stop: every 250 ms, the requests of `name` scheduled from `fromMs` on that already waited
   * over `limitMs` (served or not) are counted; when cannotPass(count, expected) says the step's p95 is over the limit
   * whatever the rest of the window does, the traffic stops and the run carries `cut`.
   */
  cutWhen?: { name: LoadClass; limitMs: number; fromMs: number; expected: number; expectedAll: number };
  /** Called at these offsets (ms after the start), on the run's clock: the pause proof's SIGSTOP. */
  events?: { atMs: number; run: (clock: () => number) => Promise<void> | void }[];
}

/** What happened to one scheduled request. */
export interface RequestRecord {
  name: LoadClass;
  kind: string;
  seq: number;
  /** ms after the start: intended start, dispatch by the generator, first statement sent, last reply received. */
  intendedMs: number;
  dispatchMs: number;
  sendMs: number;
  endMs: number;
  /** ok; error: the server refused it; unsent: still queued when the run ended; cancelled: cut off at the run's end. */
  outcome: 'ok' | 'error' | 'unsent' | 'cancelled' | 'pending';
  error?: string;
  /** Rows the last statement affected or returned (retention: rows deleted). */
  rows?: number;
  /** It waited for a free connection. */
  queued: boolean;
}

/** Progress once a second while the traffic runs. */
export interface LoadProgress {
  elapsedMs: number;
  durationMs: number;
  classes: { name: LoadClass; nominalPerSecond: number; offeredPerSecond: number; achievedPerSecond: number; p95Ms: number }[];
}

/** Everything a run measured; summary.ts turns it into a report. */
export interface LoadRun {
  startedAt: string;
  durationMs: number;
  /** Ctrl-C, or a cut (below): ms after the start when the traffic was stopped. */
  stoppedAtMs?: number;
  /** The step was stopped early because it could no longer pass (LoadPlan.cutWhen), in words. */
  cut?: { atMs: number; overLimit: number; expected: number; words: string };
  /** When the last request settled, ms after the start. */
  endedAtMs: number;
  records: RequestRecord[];
  /** Time-average of requests in flight over the run's window (the generator's own counter), overall and per class. */
  meanInFlight: { all: number; byClass: Partial<Record<LoadClass, number>> };
  pool: { size: number; waited: number; longestWaitMs: number; maxQueue: number; renames: number };
  cpu: CpuUse;
  waits: WaitSampling;
}

/** A started run: done settles with what was measured; stop() ends the traffic early (Ctrl-C). */
export interface LoadHandle {
  done: Promise<LoadRun>;
  stop(): void;
  /** ms since the run's start (the clock every record uses). */
  clock(): number;
}

/**
 * The generator sleeps on a timer until the next arrival; Node's timers have a 1 ms grain and fire up to a millisecond
 * late, and that lateness is in the schedule lag (the validity gate's bound is 25 ms). It used to wait out the last
 * 2 ms in setImmediate turns: at a few hundred requests a second the gaps are that short, so the generator spun a
 * whole core, on a 2-core machine half the server's CPU, and a capacity search measured execbench's spinning.
 */
const TIMER_GRAIN_MS = 1;

/**
 * How much the generator's process is favoured by the scheduler while the traffic runs (os.setPriority; lowering the
 * nice value needs root or CAP_SYS_NICE, and is skipped without it). The server's backends share the same cores:
 * with the machine busy, a generator at the default priority waits tens of ms for a core when its timer fires (the
 * kernel shares time between it and every busy backend), and that wait lands in every latency as schedule lag. At a
 * higher priority it runs as soon as it wakes; it still uses only the CPU it needs (a fraction of a core).
 */
export const GENERATOR_NICE = -10;

/** Raises this process's scheduling priority for the traffic; returns what it did, in words, and how to put it back. */
export function favourGenerator(): { words: string; restore: () => void } {
  let before: number;
  try {
    before = os.getPriority(0);
  } catch {
    return { words: 'scheduling priority unknown', restore: () => {} };
  }
  if (before <= GENERATOR_NICE) return { words: `the generator ran at nice ${before}`, restore: () => {} };
  try {
    os.setPriority(0, GENERATOR_NICE);
    return {
      words: `the generator ran at nice ${GENERATOR_NICE} (raised from ${before} while the traffic ran, so a busy server does not delay its timers)`,
      restore: () => { try { os.setPriority(0, before); } catch { /* a lower priority may not be allowed back: harmless */ } },
    };
  } catch {
    return { words: `the generator ran at nice ${before} (raising its priority needs root or CAP_SYS_NICE: on a busy machine its timers may fire late, and the schedule-lag gate says so)`, restore: () => {} };
  }
}
/** After the drain, in-flight requests are cancelled and get this long to settle. */
const SETTLE_MS = 2000;

interface Connection {
  client: pg.Client;
  pid: number;
  named: LoadClass | undefined;
  busy: boolean;
}

/** Opens a pool connection on the schema, UTC, with execbench's statement timeout and a class's application_name. */
async function openConnection(connectionString: string, schema: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: applicationName });
  // The server may drop a connection (a Ctrl-C that reached it too): the failing query says so, not a crash.
  client.on('error', () => {});
  await client.connect();
  await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}; ${Object.entries(SESSION_SETTINGS).map(([k, v]) => `SET ${k} TO '${v}'`).join('; ')}`);
  return client;
}

async function closeClient(client: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        // A connection to a stopped server never answers the Terminate: drop the socket.
        (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        resolve();
      }, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Plans every statement the run will send, once, on a new connection (EXPLAIN without ANALYZE: nothing is executed or
 * written). A new backend reads the table's and its indexes' catalog entries and plans its first statements slowly;
 * fifty cold connections at once kept every one busy for the first half second of each step, and the requests
 * scheduled then waited for the pool (a capacity step was cut short for it at 0.5 s, at a third of the throughput).
 */
async function warmConnection(client: pg.Client, plan: Pick<LoadPlan, 'classes' | 'pools'>): Promise<void> {
  const seen = new Set<string>();
  const pick = createParamPicker(plan.pools, 0);
  for (const { traffic } of plan.classes) {
    for (const kind of traffic.kinds) {
      for (const statement of kind.statements) {
        if (seen.has(statement.sql)) continue;
        seen.add(statement.sql);
        await client.query({ text: `EXPLAIN ${statement.sql}`, values: statement.params(pick) as unknown[] });
      }
    }
  }
}

/** Busy and total CPU time of the whole machine (Linux /proc/stat, in ticks); undefined elsewhere. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Opens the pool and the sampler's connection, then starts the traffic. */
export async function startLoad(plan: LoadPlan): Promise<LoadHandle> {
  const names = plan.classes.map((c) => c.traffic.name);
  const byName = new Map(plan.classes.map((c) => [c.traffic.name, c]));
  const schedule = buildSchedule(
    plan.classes.map((c) => ({ name: c.traffic.name, perSecond: c.perSecond, arrivals: c.traffic.arrivals, shares: c.traffic.kinds.map((k) => k.share) })),
    plan.durationMs, plan.seed);
  const connections: Connection[] = [];
  let sampler: pg.Client | undefined;
  try {
    // Opened ten at a time; each warmed before the schedule starts (warmConnection).
    for (let first = 0; first < plan.pool; first += 10) {
      const batch = Array.from({ length: Math.min(10, plan.pool - first) }, (_, k) => first + k);
      await Promise.all(batch.map(async (i) => {
        // Named round-robin by class from the start, so a class usually finds a connection already named for it.
        const named = names[i % names.length]!;
        const client = await openConnection(plan.connectionString, plan.schema, `${APPLICATION_PREFIX}${named}`);
        const connection: Connection = { client, pid: 0, named, busy: false };
        connections.push(connection);
        connection.pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await warmConnection(client, plan);
        // From here the traffic's replies are read and counted, not built into objects (read-reply.ts); the
        // sampler's connection keeps pg's parser (it needs its rows).
        countRowsOnly(client);
      }));
    }
    sampler = await openConnection(plan.connectionString, plan.schema, 'execbench-load-sampler');
  } catch (error) {
    await Promise.all([...connections.map((c) => closeClient(c.client, 1000)), sampler ? closeClient(sampler, 1000) : undefined]);
    throw error;
  }
  return run(plan, schedule, byName, connections, sampler);
}

function run(
  plan: LoadPlan, schedule: Arrival[], byName: Map<LoadClass, LoadPlan['classes'][number]>,
  connections: Connection[], control: pg.Client,
): LoadHandle {
  const t0 = performance.now();
  const clock = () => performance.now() - t0;
  const startedAt = new Date().toISOString();
  const drainMs = plan.drainMs ?? Math.max(1000, plan.durationMs * 0.05);
  const records: RequestRecord[] = [];
  const queue: RequestRecord[] = [];
  const live = new Map<LoadClass, { latency: LatencyHistogram; arrived: number; ok: number }>(
    [...byName.keys()].map((name) => [name, { latency: new LatencyHistogram(), arrived: 0, ok: 0 }]));
  const pool = { size: connections.length, waited: 0, longestWaitMs: 0, maxQueue: 0, renames: 0 };
  const cpu0 = process.cpuUsage();
  const machine0 = machineCpu();
  const wall0 = performance.now();
  const sampling = startWaitSampler(control, clock, plan.sampleEveryMs ?? WAIT_SAMPLE_MS);

  // The generator's in-flight counter, integrated over the run's window: Little's law's L, kept apart from latencies.
  let windowEnd = plan.durationMs;
  const area = { all: { n: 0, area: 0, last: 0 }, byClass: new Map([...byName.keys()].map((name) => [name, { n: 0, area: 0, last: 0 }])) };
  const accumulate = (acc: { n: number; area: number; last: number }, now: number) => {
    const t = Math.min(now, windowEnd);
    if (t > acc.last) {
      acc.area += acc.n * (t - acc.last);
      acc.last = t;
    }
  };
  const inFlight = (name: LoadClass, delta: number, now: number) => {
    for (const acc of [area.all, area.byClass.get(name)!]) {
      accumulate(acc, now);
      acc.n += delta;
    }
  };

  let next = 0;
  let stopping = false;
  let stoppedAtMs: number | undefined;
  let scheduleDone = false;
  let running = 0;
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => { settle = resolve; });
  // Settled: every request sent has its reply, and nothing waits (the schedule ran out, or the traffic was stopped).
  const checkSettled = () => { if ((scheduleDone || stopping) && running === 0 && queue.length === 0) settle(); };

  const free = (name: LoadClass): Connection | undefined => {
    let any: Connection | undefined;
    for (const c of connections) {
      if (c.busy) continue;
      if (c.named === name) return c;
      any ??= c;
    }
    return any;
  };

  const execute = async (connection: Connection, request: RequestRecord): Promise<void> => {
    connection.busy = true;
    running += 1;
    const cls = byName.get(request.name)!;
    const kind = cls.traffic.kinds.find((k) => k.name === request.kind)!;
    try {
      if (connection.named !== request.name) {
        // A connection named for another class: renamed first (outside the service time), so a wait names its class.
        await connection.client.query(`SET application_name TO '${APPLICATION_PREFIX}${request.name}'`);
        connection.named = request.name;
        pool.renames += 1;
      }
      const base = createParamPicker(plan.pools, request.seq);
      const picker = cls.traffic.picker?.(base) ?? { pick: base };
      const statements = kind.statements.map((s) => ({ text: s.sql, values: s.params(picker.pick) as unknown[] }));
      request.sendMs = clock();
      let rows: number | undefined;
      for (const statement of statements) rows = await sendAndCount(connection.client, statement);
      request.endMs = clock();
      request.outcome = 'ok';
      if (rows !== undefined) request.rows = rows;
      picker.committed?.();
      const stats = live.get(request.name)!;
      stats.ok += 1;
      stats.latency.record(request.endMs - request.intendedMs);
    } catch (error) {
      request.endMs = clock();
      request.outcome = stopping ? 'cancelled' : 'error';
      request.error = describePgError(error).split('\n')[0]!;
    } finally {
      connection.busy = false;
      running -= 1;
      inFlight(request.name, -1, request.endMs);
      const waiting = stopping ? undefined : queue.shift();
      if (waiting) start(connection, waiting);
      checkSettled();
    }
  };

  const start = (connection: Connection, request: RequestRecord) => {
    if (request.queued) {
      const waited = clock() - request.dispatchMs;
      pool.longestWaitMs = Math.max(pool.longestWaitMs, waited);
    }
    void execute(connection, request);
  };

  const arrive = (arrival: Arrival, now: number) => {
    const cls = byName.get(arrival.name)!;
    const request: RequestRecord = {
      name: arrival.name, kind: cls.traffic.kinds[arrival.kind]!.name, seq: arrival.seq,
      intendedMs: arrival.atMs, dispatchMs: now, sendMs: Number.NaN, endMs: Number.NaN, outcome: 'pending', queued: false,
    };
    records.push(request);
    live.get(arrival.name)!.arrived += 1;
    inFlight(arrival.name, +1, now);
    const connection = free(arrival.name);
    if (connection) {
      start(connection, request);
      return;
    }
    request.queued = true;
    pool.waited += 1;
    queue.push(request);
    pool.maxQueue = Math.max(pool.maxQueue, queue.length);
  };

  let timer: NodeJS.Timeout | undefined;
  const pump = () => {
    timer = undefined;
    if (stopping) return;
    const now = clock();
    while (next < schedule.length && schedule[next]!.atMs <= now) arrive(schedule[next++]!, now);
    if (next >= schedule.length) {
      scheduleDone = true;
      checkSettled();
      return;
    }
    const remaining = schedule[next]!.atMs - clock();
    timer = setTimeout(pump, Math.max(TIMER_GRAIN_MS, remaining));
  };

  const progressTimer = plan.onProgress ? setInterval(() => {
    const elapsedMs = Math.min(clock(), plan.durationMs);
    const seconds = Math.max(elapsedMs, 1) / 1000;
    plan.onProgress!({
      elapsedMs, durationMs: plan.durationMs,
      classes: [...byName.values()].map(({ traffic, perSecond }) => {
        const stats = live.get(traffic.name)!;
        return { name: traffic.name, nominalPerSecond: perSecond, offeredPerSecond: stats.arrived / seconds, achievedPerSecond: stats.ok / seconds, p95Ms: stats.latency.percentileMs(95) };
      }),
    });
  }, plan.progressEveryMs ?? 1000) : undefined;
  const eventTimers = (plan.events ?? []).map((event) => setTimeout(() => { void event.run(clock); }, event.atMs));
  let cut: LoadRun['cut'];
  const cutTimer = plan.cutWhen ? setInterval(() => {
    const w = plan.cutWhen!;
    const now = clock();
    let overLimit = 0;
    for (const r of records) {
      if (r.name !== w.name || r.intendedMs < w.fromMs) continue;
      const end = r.outcome === 'ok' || r.outcome === 'error' ? r.endMs : now;
      if (end - r.intendedMs > w.limitMs) overLimit += 1;
    }
    const at = `stopped at ${(now / 1000).toFixed(1)} of ${(plan.durationMs / 1000).toFixed(1)} s`;
    const words = cannotPass(overLimit, w.expected)
      ? `${at}: ${overLimit} of the about ${Math.round(w.expected)} requests its judged part schedules had already waited over ${w.limitMs} ms (a p95 under the limit allows ${Math.floor(0.05 * w.expected)}), so its p95 is over the limit whatever the rest would do`
      : poolPaced(pool.waited, w.expectedAll)
        ? `${at}: ${pool.waited} requests had already waited for a free connection, over ${(VALIDITY_RULE.maxPoolWaitShare * 100).toFixed(0)}% of the about ${Math.round(w.expectedAll)} the window schedules: the pool paced the run`
        : undefined;
    if (!cut && words !== undefined) {
      cut = { atMs: now, overLimit, expected: w.expected, words };
      stopping = true;
      stopNow();
    }
  }, 250) : undefined;

  /** Ends what is still queued or running: queued requests are not sent, running ones are cancelled on the server. */
  const cutOff = async () => {
    stopping = true;
    for (const request of queue.splice(0)) {
      request.outcome = 'unsent';
      inFlight(request.name, -1, clock());
    }
    const busy = connections.filter((c) => c.busy).map((c) => c.pid);
    if (busy.length > 0) {
      // Our own backends only, by pid: pg_cancel_backend needs no privilege for one's own role.
      await Promise.race([control.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [busy]).catch(() => undefined), sleep(SETTLE_MS)]);
    }
    checkSettled();
    await Promise.race([settled, sleep(SETTLE_MS)]);
  };

  let stopNow: () => void = () => {};
  const stopped = new Promise<void>((resolve) => { stopNow = resolve; });
  const favoured = favourGenerator();
  const done = (async (): Promise<LoadRun> => {
    pump();
    const drainTimer = new AbortController();
    const drained = sleep(plan.durationMs + drainMs, 'drain' as const, { signal: drainTimer.signal }).catch(() => 'drain' as const);
    const how = await Promise.race([settled.then(() => 'settled' as const), drained, stopped.then(() => 'stopped' as const)]);
    drainTimer.abort();
    clearTimeout(timer);
    clearInterval(progressTimer);
    clearInterval(cutTimer);
    for (const t of eventTimers) clearTimeout(t);
    if (how === 'stopped') {
      stoppedAtMs = clock();
      windowEnd = Math.min(windowEnd, stoppedAtMs);
    }
    const wall = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const machine1 = machineCpu();
    favoured.restore();
    const waits = await sampling.stop();
    if (how !== 'settled') await cutOff();
    for (const acc of [area.all, ...area.byClass.values()]) accumulate(acc, windowEnd);
    for (const r of records) if (r.outcome === 'pending') r.outcome = 'cancelled';
    await Promise.all([...connections.map((c) => closeClient(c.client, 1000)), closeClient(control, 1000)]);
    const span = Math.max(1, windowEnd);
    return {
      startedAt, durationMs: plan.durationMs, ...(stoppedAtMs !== undefined ? { stoppedAtMs } : {}), ...(cut ? { cut } : {}), endedAtMs: clock(),
      records,
      meanInFlight: { all: area.all.area / span, byClass: Object.fromEntries([...area.byClass].map(([name, acc]) => [name, acc.area / span])) },
      pool,
      cpu: {
        execbenchCores: (cpu.user + cpu.system) / 1000 / wall,
        ...(machine0 && machine1 && machine1.total > machine0.total
          ? { machineBusyCores: ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * os.cpus().length } : {}),
        machineCores: os.cpus().length,
        priority: favoured.words,
      },
      waits,
    };
  })();
  return {
    done,
    stop: () => { stopping = true; stopNow(); },
    clock,
  };
}
