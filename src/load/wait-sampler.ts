// Samples, every ~25 ms on the load run's own clock, which execbench load backends are waiting and for what:
// pg_stat_activity's wait event, the lock pg_locks shows not granted, and the blockers pg_blocking_pids() names (called
// only for backends waiting on a heavyweight lock: it takes the lock manager's partition locks, and the docs warn
// against calling it often). One statement per sample, so all three come from one snapshot of pg_stat_activity.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { describePgError } from '../errors.ts';
import { APPLICATION_PREFIX, classOfBackend, type WaitObservation } from './waits.ts';

/** 25 ms: inside the 20-50 ms, and a small cost (one catalog read) next to the traffic it watches. */
export const WAIT_SAMPLE_MS = 25;

const SAMPLE_SQL = `
WITH waiting AS (
  SELECT a.pid, a.application_name, a.wait_event_type, a.wait_event, left(a.query, 200) AS query,
         l.locktype, l.mode, l.relation::regclass::text AS relation,
         CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) ELSE '{}'::int[] END AS blocked_by
  FROM pg_stat_activity a
  LEFT JOIN LATERAL (SELECT locktype, mode, relation FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) l ON true
  WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state = 'active'
    AND a.application_name LIKE $1 AND a.wait_event_type IS NOT NULL AND a.wait_event_type NOT IN ('Activity', 'Client')
), blockers AS (
  SELECT b.pid, b.application_name, b.backend_type, b.state, left(b.query, 200) AS query
  FROM pg_stat_activity b WHERE b.pid IN (SELECT unnest(blocked_by) FROM waiting)
)
SELECT coalesce((SELECT json_agg(w) FROM waiting w), '[]'::json) AS waiting,
       coalesce((SELECT json_agg(b) FROM blockers b), '[]'::json) AS blockers`;

interface WaitingRow {
  pid: number; application_name: string; wait_event_type: string; wait_event: string; query: string;
  locktype: string | null; mode: string | null; relation: string | null; blocked_by: number[];
}
interface BlockerRow { pid: number; application_name: string; backend_type: string; state: string | null; query: string }

/** What a sampler gathered. */
export interface WaitSampling {
  observations: WaitObservation[];
  /** Samples taken. */
  samples: number;
  /** Its own cost: mean and longest sample statement, ms. */
  sampleMs: { mean: number; max: number };
  /** A sample that failed (the server going away): the first message, and how many. */
  failures: { count: number; first?: string };
}

/** A running sampler; stop() ends it after the sample in flight and returns what it saw. */
export interface WaitSampler {
  stop(): Promise<WaitSampling>;
}

/** Starts sampling on `client` (a connection of its own, not from the pool) against `clock` (ms since the run's start). */
export function startWaitSampler(client: pg.ClientBase, clock: () => number, everyMs = WAIT_SAMPLE_MS): WaitSampler {
  const observations: WaitObservation[] = [];
  const failures: WaitSampling['failures'] = { count: 0 };
  let samples = 0;
  let totalMs = 0;
  let maxMs = 0;
  let stopped = false;
  const stopper = new AbortController();
  const loop = (async () => {
    let next = clock();
    while (!stopped) {
      const at = clock();
      try {
        const { rows } = await client.query<{ waiting: WaitingRow[]; blockers: BlockerRow[] }>(SAMPLE_SQL, [`${APPLICATION_PREFIX}%`]);
        const took = clock() - at;
        samples += 1;
        totalMs += took;
        maxMs = Math.max(maxMs, took);
        const blockers = new Map(rows[0]!.blockers.map((b) => [b.pid, b]));
        for (const w of rows[0]!.waiting) {
          observations.push({
            atMs: at, pid: w.pid, waitingClass: classOfBackend(w.application_name), waitEventType: w.wait_event_type,
            waitEvent: w.wait_event, statement: w.query,
            ...(w.locktype ? { lock: { type: w.locktype, mode: w.mode ?? '?', relation: w.relation } } : {}),
            blockers: (w.blocked_by ?? []).map((pid) => {
              const b = blockers.get(pid);
              return { pid, class: b ? classOfBackend(b.application_name, b.backend_type) : 'gone', state: b?.state ?? '?', statement: b?.query ?? '' };
            }),
          });
        }
      } catch (error) {
        failures.count += 1;
        failures.first ??= describePgError(error).split('\n')[0];
        // An error without a SQLSTATE is the connection's own (closed, terminated): it stays gone, so sampling stops
        // rather than failing every 25 ms.
        if (typeof (error as { code?: unknown }).code !== 'string') break;
      }
      next += everyMs;
      const wait = next - clock();
      if (wait > 0) await sleep(wait, undefined, { signal: stopper.signal }).catch(() => undefined);
      else next = clock();
    }
  })();
  return {
    async stop() {
      stopped = true;
      stopper.abort();
      await loop;
      return { observations, samples, sampleMs: { mean: samples > 0 ? totalMs / samples : 0, max: maxMs }, failures };
    },
  };
}
