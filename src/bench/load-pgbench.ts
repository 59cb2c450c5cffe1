// `npm run bench:load -- pgbench [scale [duration [rate [class]]]]`: the issue's reference, pgbench (PostgreSQL's own C
// client) beside execbench's open-model generator on the same statements, the same server and the same load copy, one
// after the other. One read-only class runs, so both tools see the same table: pages (the ExecutionsPage views, the
// default: about a millisecond each at 100k, where a generator's own overhead shows) or dashboard (four statements,
// tens of ms: where the server's time dominates).
//   1. pgbench's ceiling: `pgbench -c 10 -j 1 -T duration` on the mix without -R (as fast as it goes): its tps.
//   2. execbench's ceiling: open-model runs at 0.8x, 1.0x and 1.2x pgbench's ceiling: the achieved rate, whether
//      execbench's own CPU or schedule was the limit, and the CPU the generator took from the cores the server uses.
//   3. The same offered rate below saturation (default: half the lower of the two ceilings): `pgbench -R rate --log`
//      and execbench at that rate, back to back, side by side: achieved rate and latency from the scheduled start.
// Targets (the issue): execbench reaches 80% of pgbench's ceiling before its own CPU limits it, and agrees with pgbench
// within 15% at the same offered rate below saturation. execbench itself never needs pgbench: only this mode runs it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pg from 'pg';
import { saveFigure } from './load-figures.ts';
import { displayPath } from '../scenario/load.ts';
import { parseDuration } from '../cli-args.ts';
import { resolveProviderOptions } from '../config.ts';
import { withDatabase } from '../db/with-database.ts';
import { UsageError } from '../errors.ts';
import { createLoadCopy } from '../load/load-schema.ts';
import { startLoad, type RequestRecord } from '../load/run-load.ts';
import { summarizeLoad, type LoadReport } from '../load/summary.ts';
import { buildTraffic, type RequestKind, type TrafficClass } from '../load/traffic.ts';
import { VALIDITY_RULE } from '../load/validity.ts';
import { WAIT_SAMPLE_MS } from '../load/wait-sampler.ts';
import { textTable } from '../report/console.ts';
import { createParamPicker, loadParamPools, type ParamPools } from '../runner/params.ts';
import { findPgbench, PGBENCH_HINT } from '../runner/pgbench.ts';
import { SESSION_SETTINGS } from '../runner/session.ts';
import { quantileSorted } from '../runner/statistics.ts';
import type { ParamPicker } from '../scenario/define.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { benchRequest, DEFAULT_SEED } from './common.ts';

const execFileAsync = promisify(execFile);

/** node-pg's own conversion of a parameter to the text it sends (Dates, arrays, objects), so a literal says the same. */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): string | Buffer | null };

/** Connections: bench:load's pool, and pgbench's -c (one thread, -j 1: the clients share one schedule, as the pool does). */
const POOL = 10;

/**
 * pgbench runs at most this many -f/-b scripts in one run: MAX_SCRIPTS in src/bin/pgbench/pgbench.c (128 since
 * PostgreSQL 9.6, when several -f with @weight came in; still 128 on master). More and pgbench refuses to start.
 */
export const PGBENCH_MAX_SCRIPTS = 128;

/**
 * Iterations whose parameters the scripts sample: the picker rotates through pools of up to 256 rows (params.ts) and
 * 24 hourly windows, so 768 (their least common multiple) covers every combination once.
 */
const ROTATION = 768;

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
// Pure: the statements as pgbench scripts.

/**
 * A parameter as a SQL literal that means what the bound parameter meant. node-pg sends every parameter as text with
 * no type (OID 0), and the server infers the type from where $n stands; a quoted literal is of type unknown and is
 * resolved from the same place by the same rules, so `tenant_id = '…'` compares a uuid and `OFFSET '4950'` is a bigint,
 * without casts. The text is node-pg's own (prepareValue: a Date in its offset form, an array as an array literal).
 *
 * pgbench reads `:name` as a variable anywhere in a statement, string literals included (pgbench.c parseQuery): under
 * -M extended an undefined one fails the run. A value with a colon before a name character (a timestamp's '10:30')
 * is therefore written as a Unicode-escaped literal, U&'…\003A…', which is the same string without the colon.
 */
export function sqlLiteral(value: unknown): string {
  const text = prepareValue(value);
  if (text === null) return 'NULL';
  // bytea's hex input form (standard_conforming_strings is on: the backslash is a character of the string).
  if (Buffer.isBuffer(text)) return `'\\x${text.toString('hex')}'`;
  if (/:[A-Za-z0-9_\u0080-\uffff]/.test(text)) {
    return `U&'${text.replaceAll('\\', '\\\\').replaceAll("'", "''").replaceAll(':', '\\003A')}'`;
  }
  return pg.escapeLiteral(text).trim();
}

/**
 * Replaces $1..$n with the values' literals, in one pass (so $1 never eats the start of $10), outside string
 * literals, quoted identifiers, comments and dollar-quoted bodies, where `$1` is not a parameter either. A placeholder
 * without a value is an error naming it.
 */
export function substituteParams(sql: string, values: readonly unknown[]): string {
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // '' inside '…' (and "" inside "…") is the quote itself; E'…' strings also escape with a backslash.
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < sql.length) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j += 1;
      }
      copyUntil(Math.min(sql.length, j + 1));
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      copyUntil(end === -1 ? sql.length : end);
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      copyUntil(end === -1 ? sql.length : end + 2);
    } else if (c === '$') {
      const rest = sql.slice(i, i + 64);
      const placeholder = /^\$(\d+)/.exec(rest);
      const tag = placeholder ? undefined : /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
      if (placeholder) {
        const n = Number(placeholder[1]);
        if (n < 1 || n > values.length) throw new RangeError(`$${n} has no value (${values.length} given) in: ${oneLine(sql)}`);
        out += sqlLiteral(values[n - 1]);
        i += placeholder[0].length;
      } else if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        copyUntil(end === -1 ? sql.length : end + tag[0].length);
      } else {
        copyUntil(i + 1);
      }
    } else {
      copyUntil(i + 1);
    }
  }
  return out;
}

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** One statement of a script: its SQL with literal parameters, ending in one semicolon (pgbench's separator). */
export function scriptStatement(sql: string, values: readonly unknown[]): string {
  const text = substituteParams(sql.trim().replace(/;\s*$/, ''), values);
  // A colon before a name character outside the literals written above would be a pgbench variable (parseQuery).
  const variable = /(?<!:):(?=[A-Za-z0-9_\u0080-\uffff])/.exec(text.replace(/U&'(?:[^']|'')*'/g, "''"));
  if (variable) throw new RangeError(`pgbench would read ':${text.slice(variable.index + 1).split(/[^A-Za-z0-9_]/)[0]}' as a variable in: ${oneLine(text)}`);
  return `${text};`;
}

/** One pgbench script file: one kind's statements with one parameter set, and its weight (-f file@weight). */
export interface PgbenchScript {
  /** The kind's index in the class, and its name. */
  kind: number;
  kindName: string;
  text: string;
  weight: number;
}

/** The scripts, and each kind's share as their weights give it. */
export interface ScriptPlan {
  scripts: PgbenchScript[];
  kinds: { kind: string; share: number; weightedShare: number; scripts: number; parameterSets: number }[];
}

/**
 * pgbench scripts for a class's kinds: each kind's statements with literal parameters from the same picker execbench
 * uses, over the picker's whole rotation. A kind whose parameters never change is one script; a kind whose parameters
 * rotate (open by id: 256 ids) gets a share of the scripts pgbench allows in proportion to its share, each script
 * standing for a run of consecutive parameter sets and weighted by how many it stands for, so the kinds' weights are
 * their shares (to 1 part in 10^6) and a kind's parameter sets keep their frequencies.
 */
export function buildPgbenchScripts(
  kinds: readonly Pick<RequestKind, 'name' | 'share' | 'statements'>[], pick: (iteration: number) => ParamPicker,
  options: { maxScripts?: number; iterations?: number; totalWeight?: number } = {},
): ScriptPlan {
  const maxScripts = options.maxScripts ?? PGBENCH_MAX_SCRIPTS;
  const iterations = options.iterations ?? ROTATION;
  const totalWeight = options.totalWeight ?? 1_000_000;
  const live = kinds.map((kind, index) => ({ kind, index })).filter(({ kind }) => kind.share > 0);
  if (live.length === 0) throw new RangeError('No kind of request has a share above 0: nothing for pgbench to run.');
  if (live.length > maxScripts) throw new RangeError(`${live.length} kinds of request, and pgbench runs at most ${maxScripts} scripts: merge kinds, or give pgbench fewer.`);
  const shareSum = live.reduce((s, { kind }) => s + kind.share, 0);

  // Each kind's distinct texts in the order the rotation first reaches them, with how many iterations give each.
  const variants = live.map(({ kind }) => {
    const counts = new Map<string, number>();
    for (let i = 0; i < iterations; i++) {
      const picker = pick(i);
      const text = kind.statements.map((s) => scriptStatement(s.sql, s.params(picker))).join('\n');
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    return [...counts].map(([text, count]) => ({ text, count }));
  });

  // One script per kind first; what pgbench allows beyond that goes to the kinds that rotate, by share.
  const rotating = live.filter((_, k) => variants[k]!.length > 1);
  const rotatingShare = rotating.reduce((s, { kind }) => s + kind.share, 0);
  const spare = maxScripts - live.length;
  const scripts: PgbenchScript[] = [];
  const summary: ScriptPlan['kinds'] = [];
  live.forEach(({ kind, index }, k) => {
    const list = variants[k]!;
    const extra = list.length > 1 ? Math.floor((spare * kind.share) / rotatingShare) : 0;
    const n = Math.min(list.length, 1 + extra);
    const all = list.reduce((s, v) => s + v.count, 0);
    // Block b of the rotation: its first parameter set stands for the block, weighted by the iterations it holds.
    const blocks = Array.from({ length: n }, (_, b) => list.slice(Math.floor((b * list.length) / n), Math.floor(((b + 1) * list.length) / n)));
    // The kind's weight split over its blocks by largest remainder, so the kind's total is exactly its share.
    const kindWeight = Math.round((kind.share / shareSum) * totalWeight);
    const exact = blocks.map((block) => (kindWeight * block.reduce((s, v) => s + v.count, 0)) / all);
    const weights = exact.map(Math.floor);
    const order = exact.map((x, b) => ({ b, rest: x - Math.floor(x) })).sort((x, y) => y.rest - x.rest);
    const leftover = kindWeight - weights.reduce((s, w) => s + w, 0);
    for (let r = 0; r < leftover; r++) weights[order[r]!.b]! += 1;
    blocks.forEach((block, b) => scripts.push({ kind: index, kindName: kind.name, text: `${block[0]!.text}\n`, weight: Math.max(1, weights[b]!) }));
    const weighted = weights.reduce((s, w) => s + Math.max(1, w), 0);
    summary.push({ kind: kind.name, share: kind.share / shareSum, weightedShare: weighted, scripts: n, parameterSets: list.length });
  });
  const total = scripts.reduce((s, x) => s + x.weight, 0);
  for (const s of summary) s.weightedShare /= total;
  return { scripts, kinds: summary };
}

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
const ratioOf = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !(b > 0) ? Number.NaN : a / b);

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

// ---------------------------------------------------------------------------------------------------------------
// I/O: running pgbench and execbench.

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Busy and total CPU ticks of the whole machine (Linux /proc/stat), as run-load.ts reads them; undefined elsewhere. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** libpq's environment for the server and the session: the copy's schema first on the search_path, execbench's settings. */
function pgbenchEnvironment(connectionString: string, schema: string): NodeJS.ProcessEnv {
  const url = new URL(connectionString);
  return {
    ...process.env,
    PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: decodeURIComponent(url.password), PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
    PGOPTIONS: [`-c search_path=${schema}`, ...Object.entries(SESSION_SETTINGS).map(([k, v]) => `-c ${k}=${v}`)].join(' '),
    PGAPPNAME: 'execbench-pgbench',
  };
}

/** A pgbench run: its summary, its log (with --log) and the CPU it and the machine used. */
interface PgbenchRun {
  summary: PgbenchSummary;
  transactions: PgbenchTransaction[];
  /** pgbench's CPU time / its wall time, from its parent shell's cutime+cstime (Linux); undefined elsewhere. */
  pgbenchCores?: number;
  machineBusyCores?: number;
  machineCores: number;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every mainstream architecture. */
const USER_HZ = 100;

async function runPgbench(
  context: { connectionString: string; schema: string; dir: string; scriptFiles: string[] },
  run: { durationS: number; ratePerSecond?: number; tag: string },
): Promise<PgbenchRun> {
  const prefix = path.join(context.dir, `log-${run.tag}`);
  const statFile = path.join(context.dir, `stat-${run.tag}`);
  const args = [
    '-n', '-M', 'extended', '-c', String(POOL), '-j', '1', '-T', String(run.durationS), `--random-seed=${DEFAULT_SEED}`,
    ...(run.ratePerSecond !== undefined ? ['-R', run.ratePerSecond.toFixed(3), '--log', `--log-prefix=${prefix}`] : []),
    ...context.scriptFiles.flatMap((f) => ['-f', f]),
  ];
  // The shell waits for pgbench, so its own /proc stat then holds pgbench's CPU in cutime and cstime (fields 16, 17).
  const wrapper = 'pgbench "$@"; rc=$?; cat /proc/$$/stat > "$EXECBENCH_STAT_FILE" 2>/dev/null; exit $rc';
  const machine0 = machineCpu();
  const t0 = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('sh', ['-c', wrapper, 'sh', ...args], {
      env: { ...pgbenchEnvironment(context.connectionString, context.schema), EXECBENCH_STAT_FILE: statFile },
      timeout: (run.durationS + 120) * 1000, maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    throw new Error(`pgbench ${args.filter((a) => !a.startsWith('/')).slice(0, 12).join(' ')} … failed: ${(e.stderr || e.message || String(error)).trim().split('\n').slice(-3).join(' ')}`, { cause: error });
  }
  const wallS = (performance.now() - t0) / 1000;
  const machine1 = machineCpu();
  let pgbenchCores: number | undefined;
  try {
    const stat = await readFile(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    pgbenchCores = (Number(fields[13]) + Number(fields[14])) / USER_HZ / wallS;
    if (!Number.isFinite(pgbenchCores)) pgbenchCores = undefined;
  } catch {
    // not Linux: no figure
  }
  const transactions: PgbenchTransaction[] = [];
  if (run.ratePerSecond !== undefined) {
    for (const file of (await readdir(context.dir)).filter((f) => f.startsWith(`log-${run.tag}.`)).sort()) {
      transactions.push(...parsePgbenchLog(await readFile(path.join(context.dir, file), 'utf8')));
    }
  }
  return {
    summary: parsePgbenchSummary(stdout), transactions,
    ...(pgbenchCores !== undefined ? { pgbenchCores } : {}),
    ...(machine0 && machine1 && machine1.total > machine0.total ? { machineBusyCores: ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * os.cpus().length } : {}),
    machineCores: os.cpus().length,
  };
}

/** A request's picker as execbench's generator makes it (run-load.ts): the class's own picker over the base one. */
function pickerFor(traffic: TrafficClass, pools: ParamPools): (iteration: number) => ParamPicker {
  return (iteration) => {
    const base = createParamPicker(pools, iteration);
    return traffic.picker?.(base).pick ?? base;
  };
}

/** A rate argument: '700' or '700/s'. */
function parseRate(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(raw.trim());
  const value = m ? Number(m[1]) : Number.NaN;
  if (!(value > 0)) throw new UsageError(`Invalid rate '${raw}': give requests per second above 0, e.g. 700 or 700/s (or leave it out for half the lower of the two ceilings).`);
  return value;
}

const fixed = (x: number | undefined, digits = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));
const msText = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratioText = (x: number) => (Number.isNaN(x) ? '-' : `${x.toFixed(2)}x`);

/** The reference mode (see the file's head). Exit 0: both targets met; 1: one is not; 3: no pgbench. */
export async function pgbenchReference(args: string[]): Promise<number> {
  const scale = parseScale(args[0] ?? '100k');
  const durationMs = parseDuration('duration', args[1] ?? '10s', { minMs: 5000, maxMs: 600_000, example: '10s' });
  if (durationMs % 1000 !== 0) throw new UsageError(`Invalid duration '${args[1]}': pgbench's -T takes whole seconds, e.g. 10s.`);
  const fixedRate = args[2] === undefined || args[2] === 'auto' ? undefined : parseRate(args[2]);
  const cls = args[3] ?? 'pages';
  if (cls !== 'pages' && cls !== 'dashboard') throw new UsageError(`Invalid class '${cls}': the reference runs a read-only class, pages (the default) or dashboard.`);
  const version = await findPgbench();
  if (!version) throw new UsageError(PGBENCH_HINT);
  const durationS = durationMs / 1000;
  const provider = resolveProviderOptions({ provider: 'embedded' }, process.env, log);

  return withDatabase(provider, async (db) => {
    log(`bench:load: ${db.kind} Postgres ${db.serverVersion}, ${version}; scale ${scale.label}; ${cls} only, ${durationS} s per run, pool and -c ${POOL}`);
    const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
    const traffic = buildTraffic(await loadScenarios())[cls];
    const copy = await createLoadCopy(db.connectionString, dataset, log);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'execbench-bench-pgbench-'));
    try {
      const client = new pg.Client({ connectionString: db.connectionString });
      await client.connect();
      await client.query(`SET search_path TO ${pg.escapeIdentifier(copy.schema)}`);
      const pools = await loadParamPools(client, copy.dataset);
      await client.end();

      const plan = buildPgbenchScripts(traffic.kinds, pickerFor(traffic, pools));
      const scriptFiles: string[] = [];
      for (const [i, script] of plan.scripts.entries()) {
        const file = path.join(dir, `script-${String(i).padStart(3, '0')}.sql`);
        await writeFile(file, script.text);
        scriptFiles.push(`${file}@${script.weight}`);
      }
      const worstShare = Math.max(...plan.kinds.map((k) => Math.abs(k.weightedShare - k.share)));
      log(`bench:load: ${plan.scripts.length} pgbench scripts for ${plan.kinds.length} kinds (${plan.kinds.map((k) => `${k.kind} ${k.scripts}/${k.parameterSets}`).join(', ')} scripts/parameter sets); weights within ${(worstShare * 100).toFixed(4)} points of the shares`);
      const context = { connectionString: db.connectionString, schema: copy.schema, dir, scriptFiles };

      const execbenchAt = async (perSecond: number) => {
        const handle = await startLoad({
          connectionString: db.connectionString, schema: copy.schema, durationMs, pool: POOL, seed: DEFAULT_SEED, pools,
          classes: [{ traffic, perSecond }],
        });
        const run = await handle.done;
        const report = summarizeLoad(run, {
          runId: 'bench-load-pgbench', traffic: [traffic], rates: { [cls]: perSecond }, pool: POOL, seed: DEFAULT_SEED, scale: scale.label,
          sampledEveryMs: WAIT_SAMPLE_MS, dataset: { source: dataset.schema, loadSchema: copy.schema, rows: dataset.counts.totalRows, copyMs: copy.copyMs, restored: '' },
        });
        return { run, report, figures: execbenchFigures(run.records, perSecond, durationMs) };
      };

      log(`bench:load: 1/6 pgbench's ceiling: -c ${POOL} -j 1 -T ${durationS}, no -R`);
      const ceilingRun = await runPgbench(context, { durationS, tag: 'ceiling' });
      const ceiling = ceilingRun.summary.tps;
      if (!(ceiling > 0)) throw new Error(`pgbench processed no transaction in ${durationS} s: ${ceilingRun.summary.failed} failed`);
      log(`bench:load: pgbench's ceiling ${ceiling.toFixed(0)}/s`);

      const steps: (CeilingStep & { machineBusyCores?: number; valid: boolean; limitedBy: string | null })[] = [];
      for (const [i, factor] of REFERENCE_TARGET.steps.entries()) {
        const perSecond = Math.max(1, Math.round(ceiling * factor));
        log(`bench:load: ${2 + i}/6 execbench at ${factor}x pgbench's ceiling: ${perSecond}/s`);
        const { run, report } = await execbenchAt(perSecond);
        steps.push({
          factor, offeredPerSecond: perSecond, achievedPerSecond: report.classes[0]!.achievedPerSecond, execbenchCores: run.cpu.execbenchCores,
          generatorLimit: generatorLimit(report), ...(run.cpu.machineBusyCores !== undefined ? { machineBusyCores: run.cpu.machineBusyCores } : {}),
          valid: report.valid, limitedBy: report.limitedBy ?? null,
        });
      }

      const execbenchBest = Math.max(...steps.map((s) => s.achievedPerSecond));
      const rate = fixedRate ?? sameOfferedRate(ceiling, execbenchBest);
      log(`bench:load: the same offered rate: ${rate}/s${fixedRate === undefined ? ` (half the lower ceiling: pgbench ${ceiling.toFixed(0)}/s, execbench ${execbenchBest.toFixed(0)}/s at most)` : ''}`);
      log(`bench:load: 5/6 pgbench -R ${rate} -T ${durationS} --log`);
      const pgbenchRated = await runPgbench(context, { durationS, ratePerSecond: rate, tag: 'rated' });
      log(`bench:load: 6/6 execbench at ${rate}/s`);
      const execbenchRated = await execbenchAt(rate);
      const pgbenchSide = pgbenchFigures(pgbenchRated.transactions, rate, pgbenchWindowMs(pgbenchRated.summary));
      const agreement = judgeAgreement(pgbenchSide, { ...execbenchRated.figures, valid: execbenchRated.report.valid, problems: execbenchRated.report.problems });
      const ceilingVerdict = judgeCeiling(ceiling, steps);

      // The table: the same rate, side by side.
      const e = execbenchRated.figures;
      const p = pgbenchSide;
      const cores = (x: number | undefined) => fixed(x, 2);
      const perRequestUs = (c: number | undefined, perSecond: number) => (c === undefined || !(perSecond > 0) ? undefined : (c * 1e6) / perSecond);
      process.stdout.write(`\nThe same offered rate, ${rate}/s for ${durationS} s (${cls}: ${plan.kinds.map((k) => `${k.kind} ${(k.share * 100).toFixed(0)}%`).join(', ')}); latency from the scheduled start, ms\n\n`);
      process.stdout.write(`${textTable(['', 'pgbench -R', 'execbench', 'execbench/pgbench'], [
        ['achieved /s', fixed(p.achievedPerSecond), fixed(e.achievedPerSecond), ratioText(agreement.ratios.achieved)],
        ['served of schedule', `${fixed(p.servedShare * 100)}%`, `${fixed(e.servedShare * 100)}%`, ''],
        ['mean', msText(p.latencyMs?.meanMs), msText(e.latencyMs?.meanMs), ratioText(agreement.ratios.meanMs)],
        ['p50', msText(p.latencyMs?.p50Ms), msText(e.latencyMs?.p50Ms), ratioText(agreement.ratios.p50Ms)],
        ['p95', msText(p.latencyMs?.p95Ms), msText(e.latencyMs?.p95Ms), ratioText(agreement.ratios.p95Ms)],
        ['p99', msText(p.latencyMs?.p99Ms), msText(e.latencyMs?.p99Ms), ratioText(agreement.ratios.p99Ms)],
        ['max', msText(p.latencyMs?.maxMs), msText(e.latencyMs?.maxMs), ''],
        ['start lag mean / p50 / p99', `${msText(p.startLagMs?.meanMs)} / ${msText(p.startLagMs?.p50Ms)} / ${msText(p.startLagMs?.p99Ms)}`, `${msText(e.startLagMs?.meanMs)} / ${msText(e.startLagMs?.p50Ms)} / ${msText(e.startLagMs?.p99Ms)}`, ''],
        ['from the send mean / p50', `${msText(p.serviceMs?.meanMs)} / ${msText(p.serviceMs?.p50Ms)}`, `${msText(e.serviceMs?.meanMs)} / ${msText(e.serviceMs?.p50Ms)}`,
          `${ratioText(ratioOf(e.serviceMs?.meanMs, p.serviceMs?.meanMs))} / ${ratioText(ratioOf(e.serviceMs?.p50Ms, p.serviceMs?.p50Ms))}`],
        ['generator CPU (cores)', cores(pgbenchRated.pgbenchCores), cores(execbenchRated.run.cpu.execbenchCores), ''],
        ['machine busy (cores)', cores(pgbenchRated.machineBusyCores), cores(execbenchRated.run.cpu.machineBusyCores), ''],
      ])}\n`);
      process.stdout.write(`(start lag: scheduled start to the first send, pgbench's schedule_lag, execbench's timer lag and pool wait; from the send: the latency less the start lag, shown to place a difference, not judged. execbench's run: ${execbenchRated.report.valid ? 'valid' : `INVALID: ${execbenchRated.report.problems.join('; ')}`})\n`);
      const meanGap = (e.latencyMs?.meanMs ?? Number.NaN) - (p.latencyMs?.meanMs ?? Number.NaN);
      const lagGap = (e.startLagMs?.meanMs ?? Number.NaN) - (p.startLagMs?.meanMs ?? Number.NaN);
      if (Number.isFinite(meanGap) && Number.isFinite(lagGap)) {
        process.stdout.write(`Of the ${msText(Math.abs(meanGap))} ms between the means (execbench's ${meanGap >= 0 ? 'higher' : 'lower'}), ${msText(lagGap)} ms is start lag (scheduled start to send) and ${msText(meanGap - lagGap)} ms from the send on.\n`);
      }
      process.stdout.write(`Agreement (achieved rate, mean and p50 within ${REFERENCE_TARGET.agreement * 100}%; p95/p99 shown, not judged: one run each, their tails move more than that between runs of the same tool): ${agreement.met ? 'met' : `NOT met: ${agreement.problems.join('; ')}`}\n`);

      // The table: the ceiling.
      process.stdout.write(`\nThe ceiling: pgbench without -R, execbench's open model at multiples of it (${durationS} s each)\n\n`);
      process.stdout.write(`${textTable(['run', 'offered /s', 'achieved /s', 'of pgbench ceiling', 'generator CPU (cores)', 'CPU per request (µs)', 'machine busy (cores)', 'execbench its own limit', 'validity / limited by'], [
        [`pgbench -c ${POOL}`, 'as fast as it goes', fixed(ceiling), '100%', cores(ceilingRun.pgbenchCores), fixed(perRequestUs(ceilingRun.pgbenchCores, ceiling), 0), cores(ceilingRun.machineBusyCores), '-', '-'],
        ...steps.map((s) => [
          `execbench ${s.factor}x`, String(s.offeredPerSecond), fixed(s.achievedPerSecond), `${fixed((s.achievedPerSecond / ceiling) * 100, 0)}%`,
          cores(s.execbenchCores), fixed(perRequestUs(s.execbenchCores, s.achievedPerSecond), 0), cores(s.machineBusyCores), s.generatorLimit === null ? 'no' : 'YES',
          `${s.valid ? 'valid' : 'invalid'}${s.limitedBy ? ` / ${s.limitedBy}` : ''}`,
        ]),
      ])}\n`);
      process.stdout.write('(its own limit: its CPU at 0.8 of a core or more, or a failed gate whose cause is execbench; "limited by": execbench\'s validity verdict, which names the server first when the rate was not achieved; machine busy: every process on the machine, the server and any other work)\n');
      for (const s of steps) if (s.generatorLimit !== null) process.stdout.write(`execbench ${s.factor}x was its own limit: ${s.generatorLimit}\n`);
      process.stdout.write(`Ceiling (${REFERENCE_TARGET.ceilingShare * 100}% of pgbench's before execbench's own CPU limits it): ${ceilingVerdict.words}\n`);

      // What sharing the cores costs: at the same rate, the difference in the generators' CPU is CPU the server did not get.
      const machineCores = os.cpus().length;
      const pgbenchUs = perRequestUs(pgbenchRated.pgbenchCores, p.achievedPerSecond);
      const execbenchUs = perRequestUs(execbenchRated.run.cpu.execbenchCores, e.achievedPerSecond);
      const extra = pgbenchRated.pgbenchCores === undefined ? undefined : execbenchRated.run.cpu.execbenchCores - pgbenchRated.pgbenchCores;
      process.stdout.write(`\nThe generator shares the machine's ${machineCores} CPUs with the server. At ${rate}/s pgbench used ${cores(pgbenchRated.pgbenchCores)} cores (${fixed(pgbenchUs, 0)} µs of CPU per transaction), execbench ${cores(execbenchRated.run.cpu.execbenchCores)} (${fixed(execbenchUs, 0)} µs per request)` +
        `${extra === undefined ? '' : `: ${cores(extra)} cores more, ${fixed((extra / machineCores) * 100, 0)}% of the machine the server could not use`}; at pgbench's ceiling pgbench itself took ${cores(ceilingRun.pgbenchCores)} of the ${machineCores} (${fixed(((ceilingRun.pgbenchCores ?? Number.NaN) / machineCores) * 100, 0)}%)${execbenchRated.run.cpu.priority ? `; ${execbenchRated.run.cpu.priority}` : ''}.\n`);

      const met = agreement.met && ceilingVerdict.met;
      process.stdout.write(`Targets: agreement ${agreement.met ? 'met' : 'NOT met'}; ceiling ${ceilingVerdict.met ? 'met' : 'NOT met'}\n`);
      const round = (x: number | undefined, digits = 3) => (x === undefined || Number.isNaN(x) ? null : Number(x.toFixed(digits)));
      const side = (s: SideFigures, generatorCores: number | undefined, machineBusyCores: number | undefined) => ({
        achievedPerSecond: round(s.achievedPerSecond, 2), servedShare: round(s.servedShare, 4),
        latencyMs: s.latencyMs && Object.fromEntries(Object.entries(s.latencyMs).map(([k, v]) => [k, round(v)])),
        startLagMs: { mean: round(s.startLagMs?.meanMs), p50: round(s.startLagMs?.p50Ms), p99: round(s.startLagMs?.p99Ms) },
        serviceMs: { mean: round(s.serviceMs?.meanMs), p50: round(s.serviceMs?.p50Ms) }, generatorCores: round(generatorCores), machineBusyCores: round(machineBusyCores),
      });
      const result = {
        class: cls,
        scale: scale.label, durationMs, pool: POOL, server: db.serverVersion, pgbench: version, machineCores,
        scripts: { count: plan.scripts.length, kinds: plan.kinds.map((k) => ({ ...k, weightedShare: round(k.weightedShare, 6) })) },
        sameRate: {
          offeredPerSecond: rate, pgbench: side(p, pgbenchRated.pgbenchCores, pgbenchRated.machineBusyCores),
          execbench: { ...side(e, execbenchRated.run.cpu.execbenchCores, execbenchRated.run.cpu.machineBusyCores), valid: execbenchRated.report.valid },
          ratios: Object.fromEntries(Object.entries(agreement.ratios).map(([k, v]) => [k, round(v)])), targetMet: agreement.met, problems: agreement.problems,
        },
        ceiling: {
          pgbenchPerSecond: round(ceiling, 2), pgbenchCores: round(ceilingRun.pgbenchCores), machineBusyCores: round(ceilingRun.machineBusyCores),
          steps: steps.map((s) => ({ ...s, achievedPerSecond: round(s.achievedPerSecond, 2), execbenchCores: round(s.execbenchCores), machineBusyCores: round(s.machineBusyCores) })),
          targetMet: ceilingVerdict.met, reachedAt: ceilingVerdict.reachedAt,
        },
        targetsMet: met,
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      log(`bench:load: saved ${displayPath(saveFigure(`pgbench-${cls}`, result, db.serverVersion))} (npm run bench:load -- figures writes docs/load-measured.md)`);
      return met ? 0 : 1;
    } finally {
      await rm(dir, { recursive: true, force: true });
      log(`bench:load: ${await copy.drop()}`);
    }
  });
}
