// Pure: the console view of a load run (a table per class, validity in words, who waited on whom) and the one-line
// progress while it runs.
import { formatInterval } from '../gate/latency-verdict.ts';
import { textTable } from '../report/console.ts';
import type { LoadProgress } from './run-load.ts';
import type { LoadReport } from './summary.ts';
import type { SplitSide } from './waits.ts';

const ms = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const rate = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

/** 'load 7/20 s | pages 39.6/s of 40 p95 3.1 ms | ingest 10.2/s of 10 p95 1.9 ms | 13 s left' */
export function formatProgress(p: LoadProgress): string {
  const classes = p.classes.map((c) => `${c.name} ${rate(c.achievedPerSecond)}/s of ${rate(c.offeredPerSecond)} offered, p95 ${ms(c.p95Ms)} ms`);
  const left = Math.max(0, Math.ceil((p.durationMs - p.elapsedMs) / 1000));
  return `load ${Math.floor(p.elapsedMs / 1000)}/${Math.round(p.durationMs / 1000)} s | ${classes.join(' | ')} | ${left} s left`;
}

/** The whole console view. */
export function renderLoadReport(report: LoadReport): string {
  const lines: string[] = [];
  const header = ['class', 'offered/s', 'achieved/s', 'requests', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'service p50/p95/p99 ms', 'promise'];
  const rows = report.classes.map((c) => {
    const counts = [c.class, rate(c.offeredPerSecond), rate(c.achievedPerSecond), String(c.count), String(c.errors)];
    if (!report.valid || !c.latencyMs) return [...counts, 'invalid', '-', '-', '-', '-', c.promise ? 'not judged' : '-'];
    const l = c.latencyMs;
    const s = c.serviceMs;
    const promise = c.promise?.verdict
      ? `${c.promise.status} (p95 ${formatInterval(c.promise.verdict.ciLowMs, c.promise.verdict.ciHighMs)} vs ${c.promise.limitP95Ms})`
      : c.promise ? c.promise.status : '-';
    return [...counts, ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs), s ? `${ms(s.p50Ms)} / ${ms(s.p95Ms)} / ${ms(s.p99Ms)}` : '-', promise];
  });
  lines.push(textTable(header, rows));
  lines.push('Latency is from each request\'s intended start (the schedule), so a stall counts for every request scheduled during it; service time is from the actual send.');
  lines.push('');
  if (report.interruptedAtMs !== undefined) lines.push(`Interrupted: Ctrl-C after ${(report.interruptedAtMs / 1000).toFixed(1)} s; what was measured so far.`);
  if (report.valid) {
    lines.push('Valid run: every gate held.');
  } else {
    lines.push('INVALID RUN: these figures are not the server\'s latency at the offered rates, and none is reported as one:');
    for (const problem of report.problems) lines.push(`  - ${problem}`);
  }
  lines.push(report.cpuStatement);
  for (const c of report.classes) {
    if (c.promise && c.promise.verdict) lines.push(`${c.class}: ${c.promise.words} (${c.promise.source})`);
    if (c.firstError) lines.push(`${c.class}: ${c.errors} failed, first: ${c.firstError}`);
    if (c.rowsDeleted !== undefined) lines.push(`${c.class}: ${c.rowsDeleted.toLocaleString('en-US')} rows deleted in ${c.served} batch(es)`);
  }
  lines.push('');
  lines.push(...renderWaits(report));
  lines.push('');
  lines.push(`Dataset: ${report.dataset.restored}`);
  return lines.join('\n');
}

function side(s: SplitSide): string {
  if (s.count === 0) return 'no requests';
  return `p99 ${ms(s.p99Ms)} ms ${formatInterval(s.p99LowMs, s.p99HighMs)} over ${s.count}`;
}

function renderWaits(report: LoadReport): string[] {
  const w = report.waits;
  const lines = [`Who waited on whom (sampled every ${w.sampledEveryMs} ms, ${w.samples} samples):`];
  if (w.kinds.length === 0) lines.push('  no execbench backend was seen waiting');
  for (const k of w.kinds.slice(0, 12)) {
    const behind = k.blockerClasses.length > 0 ? ` behind ${k.blockerClasses.join(', ')}` : '';
    lines.push(`  ${k.waitingClass} waited on ${k.wait}${behind}: ${k.episodes} time(s), ${ms(k.totalMs)} ms in all, longest ${ms(k.longestMs)} ms${k.duringCleanup ? `, ${k.duringCleanup} while cleanup ran` : ''}`);
  }
  if (w.kinds.length > 12) lines.push(`  ... and ${w.kinds.length - 12} more kinds (--json lists every wait)`);
  lines.push(`Cleanup under load: ${w.cleanup.words}.`);
  for (const split of w.cleanupSplit) lines.push(`  ${split.name}: while cleanup ran ${side(split.during)}; otherwise ${side(split.outside)} (95% intervals; "—": too few requests for that bound)`);
  return lines;
}
