// Pure: who waited on whom during a load run. The sampler (wait-sampler.ts) sees, every ~25 ms, each execbench
// backend that is waiting: its wait event, the lock it has not been granted (pg_locks), and the backends that block it
// (pg_blocking_pids); here consecutive sightings become wait episodes, and the episodes are set against the times the
// retention class's cleanup batches ran, for the spec's "retention cleanup without table locks".
import { quantileInterval } from '../runner/statistics.ts';
import { LOAD_CLASSES, type LoadClass } from './traffic.ts';

/** The application_name each load connection carries, naming its class: 'execbench-load:pages'. */
export const APPLICATION_PREFIX = 'execbench-load:';

/** The class an application_name names: a load class, 'autovacuum', or 'other (<name>)'. */
export function classOfBackend(applicationName: string, backendType = 'client backend'): string {
  if (applicationName.startsWith(APPLICATION_PREFIX)) {
    const name = applicationName.slice(APPLICATION_PREFIX.length);
    if ((LOAD_CLASSES as readonly string[]).includes(name)) return name;
  }
  if (backendType === 'autovacuum worker') return 'autovacuum';
  if (backendType !== 'client backend') return backendType;
  return `other (${applicationName || 'no application_name'})`;
}

/** A backend seen blocking another. */
export interface Blocker {
  pid: number;
  class: string;
  state: string;
  statement: string;
}

/** One sighting of one waiting backend. */
export interface WaitObservation {
  atMs: number;
  pid: number;
  waitingClass: string;
  /** pg_stat_activity.wait_event_type / wait_event: 'Lock' / 'transactionid', 'IO' / 'DataFileRead', ... */
  waitEventType: string;
  waitEvent: string;
  statement: string;
  /** The heavyweight lock it waits for (pg_locks, not granted), if any. */
  lock?: { type: string; mode: string; relation: string | null };
  blockers: Blocker[];
}

/** Consecutive sightings of one backend waiting for the same thing behind the same backends. */
export interface WaitEpisode {
  waitingClass: string;
  wait: string;
  lock?: { type: string; mode: string; relation: string | null };
  blockerClasses: string[];
  blockerStatement?: string;
  statement: string;
  startMs: number;
  /** From the first sighting to one sampling interval after the last: how long, to within one interval. */
  durationMs: number;
  sightings: number;
  /** It overlapped a cleanup batch. */
  duringCleanup: boolean;
}

/** Episodes of one kind (waiting class, wait, blocker classes), counted. */
export interface WaitKind {
  waitingClass: string;
  wait: string;
  blockerClasses: string[];
  episodes: number;
  totalMs: number;
  longestMs: number;
  duringCleanup: number;
}

/** The summary a report carries. */
export interface WaitSummary {
  sampledEveryMs: number;
  samples: number;
  episodes: WaitEpisode[];
  kinds: WaitKind[];
  /** The spec's "without table locks", under load: what waited while cleanup ran. */
  cleanup: CleanupVerdict;
}

/** What happened while the cleanup batches ran. */
export interface CleanupVerdict {
  batches: number;
  rowsDeleted: number;
  /** ms of the run during which a batch was running. */
  runningMs: number;
  /** Heavyweight-lock waits (wait_event_type Lock) that overlapped a batch. */
  lockWaits: number;
  /** Of those, waits for a lock on a whole relation (a table lock). */
  tableLockWaits: number;
  /** Lock waits whose blocker was the retention class. */
  blockedByCleanup: number;
  words: string;
}

/** A time interval [startMs, endMs]. */
export type Interval = readonly [number, number];

const overlaps = (a: Interval, intervals: readonly Interval[]) => intervals.some(([s, e]) => a[0] <= e && s <= a[1]);

/** Summarises the sightings (ordered by time) against the cleanup batches' intervals. */
export function summarizeWaits(
  observations: readonly WaitObservation[], samples: number, sampledEveryMs: number,
  cleanup: { intervals: readonly Interval[]; rowsDeleted: number },
): WaitSummary {
  const open = new Map<string, WaitEpisode & { lastMs: number }>();
  const episodes: (WaitEpisode & { lastMs: number })[] = [];
  for (const o of observations) {
    const blockerPids = o.blockers.map((b) => b.pid).sort((a, b) => a - b).join(',');
    const key = `${o.pid}|${o.waitEventType}|${o.waitEvent}|${o.lock?.mode ?? ''}|${o.lock?.relation ?? ''}|${blockerPids}`;
    const current = open.get(key);
    // A sighting within two intervals of the last one continues the episode (a late sample is not a new wait).
    if (current && o.atMs - current.lastMs <= 2 * sampledEveryMs) {
      current.lastMs = o.atMs;
      current.sightings += 1;
      continue;
    }
    const episode = {
      waitingClass: o.waitingClass,
      wait: `${o.waitEventType}/${o.waitEvent}`,
      ...(o.lock ? { lock: o.lock } : {}),
      blockerClasses: [...new Set(o.blockers.map((b) => b.class))].sort(),
      ...(o.blockers[0] ? { blockerStatement: o.blockers[0].statement } : {}),
      statement: o.statement,
      startMs: o.atMs, lastMs: o.atMs, durationMs: 0, sightings: 1, duringCleanup: false,
    };
    open.set(key, episode);
    episodes.push(episode);
  }
  const finished: WaitEpisode[] = episodes.map(({ lastMs, ...e }) => {
    const durationMs = lastMs - e.startMs + sampledEveryMs;
    return { ...e, durationMs, duringCleanup: overlaps([e.startMs, e.startMs + durationMs], cleanup.intervals) };
  });
  const kinds = new Map<string, WaitKind>();
  for (const e of finished) {
    const key = `${e.waitingClass}|${e.wait}|${e.blockerClasses.join(',')}`;
    const kind = kinds.get(key) ?? { waitingClass: e.waitingClass, wait: e.wait, blockerClasses: e.blockerClasses, episodes: 0, totalMs: 0, longestMs: 0, duringCleanup: 0 };
    kind.episodes += 1;
    kind.totalMs += e.durationMs;
    kind.longestMs = Math.max(kind.longestMs, e.durationMs);
    if (e.duringCleanup) kind.duringCleanup += 1;
    kinds.set(key, kind);
  }
  return {
    sampledEveryMs, samples, episodes: finished,
    kinds: [...kinds.values()].sort((a, b) => b.totalMs - a.totalMs),
    cleanup: judgeCleanup(finished, cleanup),
  };
}

function judgeCleanup(episodes: readonly WaitEpisode[], cleanup: { intervals: readonly Interval[]; rowsDeleted: number }): CleanupVerdict {
  const runningMs = cleanup.intervals.reduce((sum, [s, e]) => sum + (e - s), 0);
  const during = episodes.filter((e) => e.duringCleanup && e.wait.startsWith('Lock/'));
  const table = during.filter((e) => e.lock?.type === 'relation');
  const byCleanup = during.filter((e) => e.blockerClasses.includes('retention'));
  const base = { batches: cleanup.intervals.length, rowsDeleted: cleanup.rowsDeleted, runningMs, lockWaits: during.length, tableLockWaits: table.length, blockedByCleanup: byCleanup.length };
  if (cleanup.intervals.length === 0) return { ...base, words: 'retention did not run: nothing to say about cleanup and locks' };
  const ran = `${cleanup.intervals.length} cleanup batch(es) ran for ${(runningMs / 1000).toFixed(2)} s in all, deleting ${cleanup.rowsDeleted.toLocaleString('en-US')} rows`;
  if (during.length === 0) return { ...base, words: `${ran}; no backend was seen waiting for a lock while they ran (sampled every interval)` };
  const tables = table.length === 0
    ? 'none of them for a table lock'
    : `${table.length} for a table lock (${[...new Set(table.map((e) => `${e.lock!.mode} on ${e.lock!.relation}`))].join(', ')})`;
  return { ...base, words: `${ran}; ${during.length} lock wait(s) overlapped them, ${byCleanup.length} behind the cleanup itself, ${tables}` };
}

/** A class's latency split by whether its requests overlapped a cleanup batch, with the p99's interval on each side. */
export interface CleanupSplit {
  name: LoadClass;
  during: SplitSide;
  outside: SplitSide;
}

/** One side of the split: how many requests, their p99 and its distribution-free 95% interval (null: too few). */
export interface SplitSide {
  count: number;
  p99Ms: number | null;
  p99LowMs: number | null;
  p99HighMs: number | null;
}

/** p99 with its 95% order-statistic interval; an upper bound needs 368 requests (0.99^n <= 2.5%). */
export function p99Side(latenciesMs: readonly number[]): SplitSide {
  if (latenciesMs.length === 0) return { count: 0, p99Ms: null, p99LowMs: null, p99HighMs: null };
  const ci = quantileInterval(latenciesMs, 0.99, 0.95);
  return { count: latenciesMs.length, p99Ms: ci.estimate, p99LowMs: ci.low, p99HighMs: ci.high };
}

/** Splits requests ([start, end] in ms, latency) by overlap with the cleanup intervals. */
export function splitByCleanup(
  name: LoadClass, requests: readonly { startMs: number; endMs: number; latencyMs: number }[], intervals: readonly Interval[],
): CleanupSplit {
  const during: number[] = [];
  const outside: number[] = [];
  for (const r of requests) (overlaps([r.startMs, r.endMs], intervals) ? during : outside).push(r.latencyMs);
  return { name, during: p99Side(during), outside: p99Side(outside) };
}
