// The pgbench reference's second pure part: what pgbench reports (its per-transaction log and its summary), both
// tools' runs as the same figures, and the issue's two targets judged on them (agreement at one rate, the ceiling).
import type { RequestRecord } from '../load/run-load.ts';
import type { LoadReport } from '../load/summary.ts';
import { VALIDITY_RULE } from '../load/validity.ts';
import { quantileSorted } from '../runner/statistics.ts';

/** What the issue asks, as numbers. */
export const REFERENCE_TARGET = {
  /** execbench and pgbench agree at the same offered rate: within 15% (the issue). */
  agreement: 0.15,
  /** execbench reaches 80% of pgbench's ceiling before its own CPU limits it (the issue). */
  ceilingShare: 0.8,
  /** Below saturation: each tool served at least this share of what its schedule asked for (validity.ts's bound). */
  belowSaturationShare: VALIDITY_RULE.minAchievedShare,
  /** execbench's open-model runs, as multiples of pgbench's ceiling: under, at and over it. */
  steps: [0.8, 1.0, 1.2],
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Pure: what pgbench reports.

/** One line of pgbench's per-transaction log (-l). */
export interface PgbenchTransaction {
  client: number;
  /** Index of the script (the -f order). */
  script: number;
  status: 'ok' | 'skipped' | 'failed';
  /**
   * The `time` field, in ms: from the transaction's scheduled start to its end under -R (pgbench.c processXactStats:
   * now - txn_scheduled; the docs: "calculated from the scheduled start times"), from its actual start without -R.
   */
  latencyMs?: number;
  /** schedule_lag (-R only): scheduled start to actual start, waiting for a free client included, in ms. */
  lagMs?: number;
  /** Completion time, Unix ms. */
  endUnixMs: number;
}

/**
 * Parses pgbench's per-transaction log: `client_id transaction_no time script_no time_epoch time_us [schedule_lag]
 * [retries]`, with `time` 'skipped' or 'failed' for transactions that did not run or failed. Lines that are not a
 * transaction are an error naming the line.
 */
export function parsePgbenchLog(text: string): PgbenchTransaction[] {
  const out: PgbenchTransaction[] = [];
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const f = line.split(/\s+/);
    const ints = [f[0], f[1], f[3], f[4], f[5]].map((x) => (x !== undefined && /^\d+$/.test(x) ? Number(x) : Number.NaN));
    const time = f[2] ?? '';
    const status = /^\d+$/.test(time) ? 'ok' : time === 'skipped' ? 'skipped' : /^(failed|serialization|deadlock|other)$/.test(time) ? 'failed' : undefined;
    if (f.length < 6 || ints.some(Number.isNaN) || status === undefined || (f[6] !== undefined && !/^\d+(\.\d+)?$/.test(f[6]))) {
      throw new RangeError(`Line ${n + 1} of the pgbench log is not a transaction: '${line}'`);
    }
    out.push({
      client: ints[0]!, script: ints[2]!, status,
      ...(status === 'ok' ? { latencyMs: Number(time) / 1000 } : {}),
      ...(f[6] !== undefined ? { lagMs: Number(f[6]) / 1000 } : {}),
      endUnixMs: ints[3]! * 1000 + ints[4]! / 1000,
    });
  }
  return out;
}

/** pgbench's closing lines: transactions processed, failed, and its tps. */
export interface PgbenchSummary {
  processed: number;
  failed: number;
  /** tps without the initial connection time (pgbench 14 on; 'excluding connections establishing' before). */
  tps: number;
}

export function parsePgbenchSummary(stdout: string): PgbenchSummary {
  const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
  const tps = /^tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/m.exec(stdout);
  if (!processed || !tps) throw new RangeError(`pgbench's output has no ${processed ? 'tps' : 'transaction count'} line:\n${stdout.trim().split('\n').slice(0, 20).join('\n')}`);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  return { processed: Number(processed[1]), failed: failed ? Number(failed[1]) : 0, tps: Number(tps[1]) };
}

/** A latency distribution, one estimator for both tools (runner/statistics: linear between order statistics). */
export interface LatencyFigures {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function latencyFigures(valuesMs: readonly number[]): LatencyFigures | null {
  if (valuesMs.length === 0) return null;
  const sorted = [...valuesMs].sort((a, b) => a - b);
  return {
    count: sorted.length, meanMs: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    p50Ms: quantileSorted(sorted, 0.5), p95Ms: quantileSorted(sorted, 0.95), p99Ms: quantileSorted(sorted, 0.99), maxMs: sorted.at(-1)!,
  };
}

/** One tool's run at a rate, as the comparison reads it. */
export interface SideFigures {
  offeredPerSecond: number;
  achievedPerSecond: number;
  /** Served of what the schedule asked for: execbench's of the requests it scheduled; pgbench's of rate x its window. */
  servedShare: number;
  /** Latency from the scheduled (intended) start of the served requests. */
  latencyMs: LatencyFigures | null;
  /** Scheduled start to the first statement's send: pgbench's schedule_lag; execbench's timer lag and pool wait. */
  startLagMs: LatencyFigures | null;
  /** From the first send to the last reply (pgbench: time - schedule_lag): the latency without the start lag. */
  serviceMs: LatencyFigures | null;
}

/**
 * How long pgbench's schedule ran: -T less the initial connection time, which pgbench counts inside -T (its tps is
 * "without initial connection time": processed / this window). With 10 connections on a busy 2-core machine that is
 * a few hundred ms of a 6 s run, so rate x -T would call 5% of the schedule unserved that pgbench never scheduled.
 */
export function pgbenchWindowMs(summary: PgbenchSummary): number {
  return summary.tps > 0 ? (summary.processed / summary.tps) * 1000 : Number.NaN;
}

/** pgbench -R's log as side figures, over the window its schedule ran (pgbenchWindowMs). */
export function pgbenchFigures(transactions: readonly PgbenchTransaction[], ratePerSecond: number, windowMs: number): SideFigures {
  const ok = transactions.filter((t) => t.status === 'ok');
  const achieved = ok.length / (windowMs / 1000);
  return {
    offeredPerSecond: ratePerSecond, achievedPerSecond: achieved, servedShare: achieved / ratePerSecond,
    latencyMs: latencyFigures(ok.map((t) => t.latencyMs!)), startLagMs: latencyFigures(ok.filter((t) => t.lagMs !== undefined).map((t) => t.lagMs!)),
    serviceMs: latencyFigures(ok.filter((t) => t.lagMs !== undefined).map((t) => t.latencyMs! - t.lagMs!)),
  };
}

/** An execbench run's records as side figures. */
export function execbenchFigures(records: readonly RequestRecord[], ratePerSecond: number, durationMs: number): SideFigures {
  const ok = records.filter((r) => r.outcome === 'ok');
  return {
    offeredPerSecond: ratePerSecond, achievedPerSecond: ok.length / (durationMs / 1000), servedShare: records.length === 0 ? 0 : ok.length / records.length,
    latencyMs: latencyFigures(ok.map((r) => r.endMs - r.intendedMs)), startLagMs: latencyFigures(ok.map((r) => r.sendMs - r.intendedMs)),
    serviceMs: latencyFigures(ok.map((r) => r.endMs - r.sendMs)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Pure: the targets.

/** execbench / pgbench, per figure (NaN where a side has none). */
export interface Ratios {
  achieved: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** a / b, NaN where either is missing or b is not above 0. */
export const ratioOf = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !(b > 0) ? Number.NaN : a / b);

/** The same-rate comparison, judged. */
export interface Agreement {
  met: boolean;
  ratios: Ratios;
  /** Why it is not met (empty when met). */
  problems: string[];
}

/**
 * Agreement at the same offered rate: both tools below saturation (each served 95% of its schedule, and execbench's
 * run valid by its own gates), and execbench's achieved rate, mean and median latency from schedule within 15% of
 * pgbench's. The 15% applies to the mean and the median, not to p95/p99: the two runs are separate runs one after the
 * other on 2 shared cores, and a tail quantile of one run (p99 of ~5,000 requests rests on its ~50 slowest) moves by
 * more than 15% between two runs of the same tool, with a CPU preemption or a checkpoint; the mean and the median
 * measure what both tools must agree on, the server's time plus each client's own overhead. p95/p99 are shown beside.
 */
export function judgeAgreement(
  pgbench: SideFigures, execbench: SideFigures & { valid: boolean; problems: readonly string[] }, rule: typeof REFERENCE_TARGET = REFERENCE_TARGET,
): Agreement {
  const e = execbench.latencyMs;
  const p = pgbench.latencyMs;
  const ratios: Ratios = {
    achieved: ratioOf(execbench.achievedPerSecond, pgbench.achievedPerSecond),
    meanMs: ratioOf(e?.meanMs, p?.meanMs), p50Ms: ratioOf(e?.p50Ms, p?.p50Ms), p95Ms: ratioOf(e?.p95Ms, p?.p95Ms), p99Ms: ratioOf(e?.p99Ms, p?.p99Ms),
  };
  const problems: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const [name, side] of [['pgbench', pgbench], ['execbench', execbench]] as const) {
    if (side.servedShare < rule.belowSaturationShare) {
      problems.push(`${name} served ${pct(side.servedShare)} of its schedule at ${side.offeredPerSecond.toFixed(1)}/s (under ${pct(rule.belowSaturationShare)}): not below saturation, lower the rate`);
    }
  }
  if (!execbench.valid) problems.push(`execbench's run is invalid by its own gates (${execbench.problems.join('; ')})`);
  for (const [name, r] of [['achieved rate', ratios.achieved], ['mean latency from schedule', ratios.meanMs], ['median latency from schedule', ratios.p50Ms]] as const) {
    if (Number.isNaN(r)) problems.push(`no ${name} to compare`);
    else if (Math.abs(r - 1) > rule.agreement) problems.push(`${name}: execbench's is ${r.toFixed(2)}x pgbench's (beyond ${pct(rule.agreement)})`);
  }
  return { met: problems.length === 0, ratios, problems };
}

/** One of execbench's open-model runs against pgbench's ceiling. */
export interface CeilingStep {
  factor: number;
  offeredPerSecond: number;
  achievedPerSecond: number;
  /** execbench's CPU time / wall time (1 = one core). */
  execbenchCores: number;
  /** Why the generator (execbench's own CPU or schedule) limited the run; null when it did not. */
  generatorLimit: string | null;
}

/**
 * Whether execbench itself limited a run, by its own validity: its CPU at or over the bound where one Node thread
 * paces what it measures (VALIDITY_RULE.execbenchCpuLimit), or a failed gate whose cause is execbench (schedule lag:
 * it sent requests late, whatever kept its thread from the CPU).
 */
export function generatorLimit(report: Pick<LoadReport, 'gates' | 'generator'>, rule: typeof VALIDITY_RULE = VALIDITY_RULE): string | null {
  const why: string[] = [];
  if (report.generator.cpu.execbenchCores >= rule.execbenchCpuLimit) why.push(`its own CPU: ${report.generator.cpu.execbenchCores.toFixed(2)} of one core (the bound is ${rule.execbenchCpuLimit})`);
  for (const g of report.gates) if (!g.ok && g.cause === 'execbench') why.push(g.words);
  return why.length === 0 ? null : why.join('; ');
}

/** The ceiling target, judged. */
export interface CeilingJudgement {
  met: boolean;
  /** The first step that reached the share without execbench limiting itself. */
  reachedAt: number | null;
  /** The highest rate execbench achieved in a step it did not limit itself (null: none). */
  bestUnlimitedPerSecond: number | null;
  words: string;
}

/**
 * The offered rate both tools run at for the comparison: half the lower of the two ceilings (pgbench's tps without
 * -R, the most execbench achieved in its open-model runs), so both run below saturation. Half of pgbench's alone
 * would be above execbench's ceiling wherever execbench's is under half of pgbench's, and a comparison there is a
 * comparison of two queues, not of two clocks.
 */
export function sameOfferedRate(pgbenchCeiling: number, execbenchBest: number): number {
  return Math.max(1, Math.round(Math.min(pgbenchCeiling, execbenchBest) / 2));
}

/** Met when a step achieved 80% of pgbench's ceiling and execbench was not its own limit in that step. */
export function judgeCeiling(pgbenchPerSecond: number, steps: readonly CeilingStep[], rule: typeof REFERENCE_TARGET = REFERENCE_TARGET): CeilingJudgement {
  const needed = rule.ceilingShare * pgbenchPerSecond;
  const unlimited = steps.filter((s) => s.generatorLimit === null);
  const reached = unlimited.find((s) => s.achievedPerSecond >= needed);
  const best = unlimited.length === 0 ? null : Math.max(...unlimited.map((s) => s.achievedPerSecond));
  const share = (x: number) => `${((x / pgbenchPerSecond) * 100).toFixed(0)}%`;
  if (reached) {
    return { met: true, reachedAt: reached.factor, bestUnlimitedPerSecond: best, words: `met: at ${reached.factor}x pgbench's ceiling execbench achieved ${reached.achievedPerSecond.toFixed(0)}/s (${share(reached.achievedPerSecond)} of pgbench's ${pgbenchPerSecond.toFixed(0)}/s) and was not its own limit` };
  }
  const limited = steps.find((s) => s.generatorLimit !== null && s.achievedPerSecond < needed);
  return {
    met: false, reachedAt: null, bestUnlimitedPerSecond: best,
    words: `NOT met: ${limited
      ? `at ${limited.factor}x execbench limited itself (${limited.generatorLimit}) at ${limited.achievedPerSecond.toFixed(0)}/s (${share(limited.achievedPerSecond)}), under ${(rule.ceilingShare * 100).toFixed(0)}% of pgbench's ${pgbenchPerSecond.toFixed(0)}/s`
      : `execbench achieved at most ${(best ?? 0).toFixed(0)}/s (${share(best ?? 0)}) where it was not its own limit, under ${(rule.ceilingShare * 100).toFixed(0)}% of pgbench's ${pgbenchPerSecond.toFixed(0)}/s`}`,
  };
}
