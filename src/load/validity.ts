// Pure: is a load run a measurement of the server at the offered rates? An open-model run is valid only when it
// stayed open (every request sent on its schedule, few waiting for a connection), the server kept up, and the
// bookkeeping agrees with itself (Little's law). An invalid run is said to be invalid, in words; its latencies are
// not reported as the server's.
import type { LoadClass } from './traffic.ts';

/** The bounds of validity, each with why it is where it is. */
export const VALIDITY_RULE = {
  /** Served / scheduled per class: below 95% the server fell behind the offered rate (the issue's bound). */
  minAchievedShare: 0.95,
  /** Failed requests per class: a latency that leaves out more than 1% of requests describes a different load. */
  maxErrorShare: 0.01,
  /**
   * 99% of requests sent within 5% of the tightest promise judged in the run (25 ms when pages run, 100 ms for a
   * dashboard search step; 25 ms when no class has a promise): a generator that falls behind its own schedule bunches
   * arrivals and adds its own delay to every latency (measured from the intended start, so the delay is counted, never
   * hidden, but it is execbench's, not the server's). 5% of the limit cannot move a verdict on it by more than the
   * verdict's own precision. The bound was first 5 ms, under the jitter of Node's timers on this 2-core machine:
   * 6.7-8.6 ms at the 99th percentile at 5-40 requests/s, so every step of a search was "invalid". Then 25 ms for
   * every run: a dashboard step at 44 loads/s read 100,000 sparkline rows a second off the wire and was late by 31 ms,
   * 1.5% of its 2 s limit, and the search called execbench the limit there.
   */
  maxLagShareOfPromise: 0.05,
  /** The lag bound when no class of the run has a promise: 5% of the tightest promise (500 ms). */
  maxLagP99Ms: 25,
  /**
   * Requests that waited for a free connection, as a share of all: a wait is counted in the request's latency (from
   * its intended start, so nothing is hidden), as an application's users wait for its pool. Over 5% the pool, not the
   * arrival schedule, paced the run (a closed loop, and the p95 is the pool's). It was "no wait at all": with Poisson
   * arrivals a pool of 10 on a server half busy still sees a burst of 10 now and then, so the longer a window, the
   * surer it was invalid, and a capacity bound depended on the window's length rather than on the server.
   */
  maxPoolWaitShare: 0.05,
  /** Mean in flight against rate x mean latency (Little's law), relative (the issue's bound). */
  littleTolerance: 0.1,
  /** Node runs the generator on one thread: from 80% of one core up, execbench's own CPU paces what it measures. */
  execbenchCpuLimit: 0.8,
  /** Above this share of all CPUs busy, the machine itself was saturated (the server shares it with execbench). */
  machineBusyShare: 0.95,
} as const;

/** What one class did against what it was asked. */
export interface ClassTally {
  name: LoadClass;
  /** The rate asked for (--rate). */
  nominalPerSecond: number;
  /** Requests whose intended start fell in the run: the offered rate is this over the duration. */
  scheduled: number;
  /** Of those, requests that succeeded by the end of the drain. */
  completed: number;
  /** Of those, requests that failed (an SQL error). */
  errors: number;
}

/** Little's law, from two independent bookkeepings: the generator's in-flight counter and the requests' latencies. */
export interface LittleCheck {
  /** Time-average of requests in flight (from the moment the generator sent them on its way to their reply). */
  meanInFlight: number;
  /** Requests per second x mean latency from intended start (s). */
  rateTimesLatency: number;
}

/** Everything the gates read. */
export interface ValidityInput {
  /** The run's window: the planned duration, or until Ctrl-C stopped it (rates are per second of this). */
  durationMs: number;
  /** The duration asked for, when Ctrl-C cut the run short. */
  plannedMs?: number;
  classes: ClassTally[];
  /** How late the generator was against its schedule (dispatch - intended start). */
  lagMs: { p99: number; max: number };
  /** The tightest p95 limit among the run's classes (ms); absent when none has a promise. */
  tightestPromiseMs?: number;
  pool: { size: number; waited: number; longestWaitMs: number; maxQueue: number };
  little: LittleCheck;
  cpu: CpuUse;
  /** Set when Ctrl-C stopped the traffic: ms after the start. */
  interruptedAtMs?: number;
  /** Set when a capacity step was stopped because it could no longer pass (run-load.ts cutWhen), in words. */
  cutShort?: string;
}

/** CPU over the run: execbench's own process, and (Linux) the whole machine. */
export interface CpuUse {
  /** execbench's CPU time / wall time (1 = one core busy all the time). */
  execbenchCores: number;
  /** All CPUs busy time / wall time, from /proc/stat; undefined where it cannot be read. */
  machineBusyCores?: number;
  machineCores: number;
  /** The generator's scheduling priority while the traffic ran, in words (run-load.ts favourGenerator). */
  priority?: string;
}

/** Why a gate failed: the server fell behind, execbench did, the run's own bookkeeping, or the user stopped it. */
export type GateCause = 'overload' | 'execbench' | 'measurement' | 'interrupted';

/** One gate and its outcome, in words. */
export interface Gate {
  gate: 'achieved-rate' | 'errors' | 'pool' | 'schedule-lag' | 'littles-law' | 'complete';
  /** The class a per-class gate (achieved-rate, errors) judges. */
  class?: LoadClass;
  ok: boolean;
  cause: GateCause;
  words: string;
}

/** The verdict on a run. */
export interface Validity {
  valid: boolean;
  gates: Gate[];
  /** The failed gates' words. */
  problems: string[];
  /** What limited the figures: execbench (its CPU or schedule), the server (it fell behind), or nothing seen. */
  limitedBy: 'execbench' | 'server' | undefined;
  /** One sentence on CPU: execbench's, the machine's, and what that means for the figures. */
  cpuStatement: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const n = (x: number) => x.toLocaleString('en-US');
const cores = (x: number) => x.toFixed(2);

/** Judges a run (see VALIDITY_RULE). */
export function judgeValidity(input: ValidityInput, rule: typeof VALIDITY_RULE = VALIDITY_RULE): Validity {
  const gates: Gate[] = [];
  const duration = input.durationMs / 1000;
  if (input.cutShort !== undefined) {
    gates.push({ gate: 'complete', ok: false, cause: 'overload', words: `cut short: ${input.cutShort}` });
  } else if (input.interruptedAtMs !== undefined) {
    gates.push({ gate: 'complete', ok: false, cause: 'interrupted', words: `stopped by Ctrl-C after ${(input.interruptedAtMs / 1000).toFixed(1)} of ${((input.plannedMs ?? input.durationMs) / 1000).toFixed(0)} s: what was measured so far, not a finished run` });
  }
  for (const c of input.classes) {
    const offered = c.scheduled / duration;
    const share = c.scheduled > 0 ? c.completed / c.scheduled : 0;
    gates.push({
      gate: 'achieved-rate', class: c.name, cause: 'overload', ok: c.scheduled > 0 && share >= rule.minAchievedShare,
      words: c.scheduled === 0
        ? `${c.name}: no request fell in the run (at ${c.nominalPerSecond}/s for ${duration} s); nothing to judge`
        : `${c.name}: ${n(c.completed)} of ${n(c.scheduled)} requests served (${pct(share)}, ${(c.completed / duration).toFixed(2)}/s of ${offered.toFixed(2)}/s offered)${share >= rule.minAchievedShare ? '' : `: the server did not keep up (under ${pct(rule.minAchievedShare)})`}`,
    });
    if (c.errors > 0) {
      const share = c.errors / Math.max(1, c.scheduled);
      gates.push({
        gate: 'errors', class: c.name, cause: 'measurement', ok: share <= rule.maxErrorShare,
        words: `${c.name}: ${n(c.errors)} request(s) failed (${pct(share)} of ${n(c.scheduled)})${share <= rule.maxErrorShare ? '' : `: over ${pct(rule.maxErrorShare)}, a latency without them describes another load`}`,
      });
    }
  }
  const { pool } = input;
  const requests = input.classes.reduce((sum, c) => sum + c.scheduled, 0);
  const waitedShare = requests > 0 ? pool.waited / requests : 0;
  const poolOk = waitedShare <= rule.maxPoolWaitShare;
  const waitedWords = `${n(pool.waited)} of ${n(requests)} request(s) (${pct(waitedShare)}) waited for a free connection (the longest ${pool.longestWaitMs.toFixed(1)} ms, up to ${pool.maxQueue} queued)`;
  gates.push({
    gate: 'pool', cause: 'overload', ok: poolOk,
    words: pool.waited === 0
      ? `the pool of ${pool.size} was never exhausted`
      : poolOk
        ? `the pool of ${pool.size} was briefly exhausted: ${waitedWords}, counted in their latency from intended start, as an application's users wait for its pool`
        : `the pool of ${pool.size} was exhausted: ${waitedWords}: over ${pct(rule.maxPoolWaitShare)}, the pool, not the arrival schedule, paced the requests (a closed loop). Raise --pool, or lower the rates`,
  });
  const maxLag = input.tightestPromiseMs === undefined ? rule.maxLagP99Ms : input.tightestPromiseMs * rule.maxLagShareOfPromise;
  const lagOk = input.lagMs.p99 <= maxLag;
  gates.push({
    gate: 'schedule-lag', cause: 'execbench', ok: lagOk,
    words: `execbench sent 99% of requests within ${input.lagMs.p99.toFixed(2)} ms of their intended start (the latest ${input.lagMs.max.toFixed(1)} ms)${lagOk ? '' : `: over ${maxLag.toFixed(0)} ms (5% of the tightest promise in the run), the generator fell behind its own schedule and its delay is in every latency`}`,
  });
  const { meanInFlight, rateTimesLatency } = input.little;
  if (rateTimesLatency > 0) {
    const off = Math.abs(meanInFlight - rateTimesLatency) / rateTimesLatency;
    const behind = gates.some((g) => !g.ok && g.cause === 'overload');
    const cut = input.interruptedAtMs !== undefined;
    const ok = off <= rule.littleTolerance;
    const why = behind
      ? 'not a steady state (a backlog grew)'
      : cut ? 'the run was cut short with requests in flight' : 'the generator\'s in-flight count and the latencies disagree (requests sent late, or lost)';
    gates.push({
      gate: 'littles-law', ok, cause: behind ? 'overload' : cut ? 'interrupted' : 'measurement',
      words: `Little's law: ${meanInFlight.toFixed(3)} requests in flight on average, rate x mean latency ${rateTimesLatency.toFixed(3)} (${pct(off)} apart)${ok ? '' : `: over ${pct(rule.littleTolerance)}, ${why}`}`,
    });
  }
  const failed = gates.filter((g) => !g.ok);
  const cpu = describeCpu(input.cpu, failed, rule);
  return { valid: failed.length === 0, gates, problems: failed.map((g) => g.words), limitedBy: cpu.limitedBy, cpuStatement: cpu.statement };
}

/** Says whose CPU limited the figures: execbench's (its one thread, or its schedule), the server's, or nobody's. */
function describeCpu(cpu: CpuUse, failed: Gate[], rule: typeof VALIDITY_RULE): { limitedBy: Validity['limitedBy']; statement: string } {
  const own = `execbench used ${cores(cpu.execbenchCores)} of one core (it generates on one thread${cpu.priority ? `; ${cpu.priority}` : ''})`;
  const machine = cpu.machineBusyCores === undefined
    ? ''
    : `; the machine's ${cpu.machineCores} CPUs were ${pct(cpu.machineBusyCores / cpu.machineCores)} busy (${cores(Math.max(0, cpu.machineBusyCores - cpu.execbenchCores))} cores for the server and everything else)`;
  const saturated = cpu.machineBusyCores !== undefined && cpu.machineBusyCores >= rule.machineBusyShare * cpu.machineCores;
  if (cpu.execbenchCores >= rule.execbenchCpuLimit) {
    return { limitedBy: 'execbench', statement: `${own}${machine}: these figures are limited by execbench's own CPU, not by Postgres.` };
  }
  // The server falling behind (rate not achieved, pool exhausted) comes first: a backlog also makes the generator
  // late, and 'execbench was the limit' beside 'the server did not keep up' said both at once.
  if (failed.some((g) => g.cause === 'overload')) {
    return {
      limitedBy: 'server',
      statement: `${own}${machine}: the server fell behind${saturated ? ', on a machine whose CPUs were saturated (it shares them with execbench)' : ''}, not execbench.`,
    };
  }
  if (failed.some((g) => g.cause === 'execbench')) {
    const why = saturated
      ? 'execbench could not keep its schedule because the machine\'s CPUs were saturated (it waited for a CPU, not for its own work)'
      : 'execbench could not keep its schedule';
    return { limitedBy: 'execbench', statement: `${own}${machine}: ${why}: these figures are limited by execbench, not by Postgres.` };
  }
  return { limitedBy: undefined, statement: `${own}${machine}${saturated ? ': the machine was saturated, so the server\'s figures include waiting for a CPU' : ''}.` };
}
