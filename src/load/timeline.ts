// Pure: one fixed-rate run on a time axis (every class's latencies, the cleanup batches, the waits the sampler saw),
// for the timeline chart of `execbench load` and of one step of `execbench load --search`.
import type { LoadRun } from './run-load.ts';
import type { LoadReport } from './summary.ts';
import type { LoadClass } from './traffic.ts';

/** One run on a time axis: latencies per class, cleanup batches, lock and other waits; ms after the run's start. */
export interface RunTimeline {
  windowMs: number;
  /** At most TIMELINE_POINTS requests, thinned by one stride counted per class, so every class that was served is drawn. */
  points: { class: LoadClass; atMs: number; latencyMs: number }[];
  cleanup: { startMs: number; endMs: number; rows: number }[];
  waits: { waitingClass: string; wait: string; blockers: string; startMs: number; endMs: number; duringCleanup: boolean }[];
}

/** At most this many requests on a timeline (a chart of every request of a long run is unreadable and heavy). */
export const TIMELINE_POINTS = 1500;

/** The run on a time axis, with what the caller says about it (its window, and a search step's promise and rate). */
export function buildTimeline<Context extends { windowMs: number }>(
  run: Pick<LoadRun, 'records'>, report: Pick<LoadReport, 'waits'>, context: Context,
): Context & RunTimeline {
  const served = run.records.filter((r) => r.outcome === 'ok');
  const classes = new Set(served.map((r) => r.name)).size;
  // One stride keeps the classes' densities comparable; counted per class, each keeps its first request, so
  // retention at 1/s beside pages at 400/s is still drawn. Each class may round up by one: those are kept back.
  const stride = Math.max(1, Math.ceil(served.length / (TIMELINE_POINTS - classes)));
  const seen = new Map<LoadClass, number>();
  const points = served
    .filter((r) => {
      const i = seen.get(r.name) ?? 0;
      seen.set(r.name, i + 1);
      return i % stride === 0;
    })
    .map((r) => ({ class: r.name, atMs: round(r.intendedMs), latencyMs: round(r.endMs - r.intendedMs) }));
  const cleanup = served.filter((r) => r.name === 'retention').map((r) => ({ startMs: round(r.sendMs), endMs: round(r.endMs), rows: r.rows ?? 0 }));
  const waits = report.waits.episodes.map((e) => ({
    waitingClass: e.waitingClass, wait: e.lock ? `${e.wait} (${e.lock.mode}${e.lock.relation ? ` on ${e.lock.relation}` : ''})` : e.wait,
    blockers: e.blockerClasses.join(', '), startMs: round(e.startMs), endMs: round(e.startMs + e.durationMs), duringCleanup: e.duringCleanup,
  }));
  return { ...context, points, cleanup, waits };
}

const round = (n: number) => Math.round(n * 100) / 100;
