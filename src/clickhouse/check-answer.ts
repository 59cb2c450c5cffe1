// Pure: a ClickHouse answer against PostgreSQL's. Counts and sums must be equal; a quantile must lie within the
// error of ClickHouse's quantile(): a reservoir of 8192 values (ClickHouse's documentation gives the method, not
// an error bound), interpolated between neighbours like PERCENTILE_CONT. So:
//  - a group of at most 8192 values is all in the reservoir, and the answer must equal PERCENTILE_CONT's;
//  - a larger group is a uniform sample of 8192: the sample quantile's rank is off by a binomial error of standard
//    deviation sqrt(p(1-p)/8192), and execbench accepts 4 of them (plus one rank of 8192), i.e. the answer must lie
//    between PERCENTILE_CONT(p - e) and PERCENTILE_CONT(p + e) of PostgreSQL's exact values (e = 0.0097 at p95).
//    A correct answer lands outside with probability about 6 in 100,000 per quantile.
import type { AnswerCheck, QuantileColumn } from './define.ts';

/** ClickHouse quantile()'s reservoir size. */
export const RESERVOIR_SIZE = 8192;

/** The accepted rank error of quantile() at level p for a group of n values (0: exact). */
export function rankTolerance(n: number, p: number): number {
  return n <= RESERVOIR_SIZE ? 0 : 4 * Math.sqrt((p * (1 - p)) / RESERVOIR_SIZE) + 1 / RESERVOIR_SIZE;
}

/** The levels the distribution query is asked for: per quantile, p, then p - e and p + e for a sampled group. */
export function distributionLevels(quantiles: readonly QuantileColumn[]): number[] {
  return quantiles.flatMap((q) => {
    const e = rankTolerance(Number.POSITIVE_INFINITY, q.level);
    return [q.level, Math.max(0, q.level - e), Math.min(1, q.level + e)];
  });
}

/** What was compared and what differed (the first few differences, each one line). */
export interface AnswerCheckResult {
  status: 'passed' | 'failed';
  /** e.g. "31 groups: 93 counts equal, 31 quantiles within quantile()'s error (29 exact, 2 sampled)". */
  compared: string;
  mismatches: string[];
}

type Row = Record<string, unknown>;
const MAX_LISTED = 5;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v));

/** A time from either side, as epoch ms: a Date (pg), or ClickHouse's UTC text '2026-10-25 12:00:00.123'. */
export function timeMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  const s = String(v);
  return Date.parse(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}

const keyText = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).toLowerCase());

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Checks a ClickHouse answer. `precisionMs` is how finely the copy keeps started_at (1, or 1000 before
 * ClickHouse 20.1); `distribution` is PostgreSQL's answer to the check's distribution query (groups only).
 */
export function checkAnswer(check: AnswerCheck, clickhouse: readonly Row[], postgres: readonly Row[], precisionMs: number, distribution: readonly Row[] = []): AnswerCheckResult {
  return check.kind === 'rows'
    ? checkRows(check, clickhouse, postgres, precisionMs)
    : checkGroups(check, clickhouse, postgres, distribution);
}

function checkRows(check: Extract<AnswerCheck, { kind: 'rows' }>, ch: readonly Row[], pg: readonly Row[], precisionMs: number): AnswerCheckResult {
  const mismatches: string[] = [];
  if (ch.length !== pg.length) mismatches.push(`${ch.length} rows, PostgreSQL ${pg.length}`);
  for (const column of check.sums) {
    const sum = (rows: readonly Row[]) => rows.reduce((s, r) => s + (num(r[column]) ?? 0), 0);
    if (sum(ch) !== sum(pg)) mismatches.push(`sum(${column}) ${sum(ch)}, PostgreSQL ${sum(pg)}`);
  }
  let how: string;
  if (precisionMs === 1) {
    const pgKeys = new Set(pg.map((r) => keyText(r[check.key])));
    const missing = ch.filter((r) => !pgKeys.has(keyText(r[check.key])));
    if (missing.length > 0) mismatches.push(`${missing.length} ${check.key}s PostgreSQL did not return, e.g. ${keyText(missing[0]![check.key])}`);
    how = `the same ${check.key}s`;
  } else {
    // Whole seconds: rows with equal seconds may sort either way, so compare the seconds, not the ids.
    const seconds = (rows: readonly Row[]) => rows.map((r) => Math.floor(timeMs(r[check.time]) / precisionMs)).sort((a, b) => a - b);
    const a = seconds(ch);
    const b = seconds(pg);
    const at = a.findIndex((x, i) => x !== b[i]);
    if (at >= 0) mismatches.push(`${check.time} (whole seconds) differs at row ${at + 1}: ${new Date(a[at]! * precisionMs).toISOString()} vs PostgreSQL ${b[at] === undefined ? 'none' : new Date(b[at]! * precisionMs).toISOString()}`);
    how = `the same ${check.time} to the second (the copy keeps whole seconds)`;
  }
  return {
    status: mismatches.length === 0 ? 'passed' : 'failed',
    compared: `${pg.length} rows: count, ${check.sums.map((c) => `sum(${c})`).join(', ')} and ${how}`,
    mismatches: mismatches.slice(0, MAX_LISTED),
  };
}

function checkGroups(check: Extract<AnswerCheck, { kind: 'groups' }>, ch: readonly Row[], pg: readonly Row[], distribution: readonly Row[]): AnswerCheckResult {
  const mismatches: string[] = [];
  const keyOf = (r: Row) => check.key.map((k) => keyText(r[k])).join('|') || '(all)';
  const pgBy = new Map(pg.map((r) => [keyOf(r), r]));
  const distBy = new Map(distribution.map((r) => [keyOf(r), r]));
  const chBy = new Map(ch.map((r) => [keyOf(r), r]));
  for (const key of pgBy.keys()) if (!chBy.has(key)) mismatches.push(`group ${key} missing from ClickHouse's answer`);
  for (const key of chBy.keys()) if (!pgBy.has(key)) mismatches.push(`group ${key} is not in PostgreSQL's answer`);
  let exactCompared = 0;
  let exactQuantiles = 0;
  let sampledQuantiles = 0;
  for (const [key, c] of chBy) {
    const p = pgBy.get(key);
    if (!p) continue;
    for (const column of check.exact) {
      exactCompared++;
      if (num(c[column]) !== num(p[column])) mismatches.push(`group ${key}: ${column} ${num(c[column])}, PostgreSQL ${num(p[column])}`);
    }
    const d = distBy.get(key);
    check.quantiles.forEach((q, i) => {
      const label = `${q.column}${q.index !== undefined ? `[${q.index}]` : ''} (level ${q.level})`;
      const raw = q.index !== undefined ? (c[q.column] as unknown[] | undefined)?.[q.index] : c[q.column];
      const value = num(raw);
      if (!d) { mismatches.push(`group ${key}: no PostgreSQL distribution row to check ${label}`); return; }
      const n = num(d.n) ?? 0;
      const at = (d.at as unknown[]).map(num);
      const [exact, low, high] = [at[3 * i], at[3 * i + 1], at[3 * i + 2]];
      if (n === 0) {
        if (value !== null && !Number.isNaN(value)) mismatches.push(`group ${key}: ${label} ${value} over no values, PostgreSQL NULL`);
        return;
      }
      if (value === null || Number.isNaN(value)) { mismatches.push(`group ${key}: ${label} is missing, PostgreSQL ${exact}`); return; }
      if (n <= RESERVOIR_SIZE) {
        exactQuantiles++;
        if (!closeTo(value, exact!)) mismatches.push(`group ${key}: ${label} ${value}, PostgreSQL ${exact} (${n} values: quantile() holds them all and must match)`);
      } else {
        sampledQuantiles++;
        const ok = value >= low! - 1e-9 * Math.abs(low!) && value <= high! + 1e-9 * Math.abs(high!);
        if (!ok) mismatches.push(`group ${key}: ${label} ${value} outside [${low}, ${high}], PostgreSQL's values at level ${q.level} ± ${rankTolerance(n, q.level).toFixed(4)} (${n} values, sampled)`);
      }
    });
  }
  const parts = [`${pg.length} group${pg.length === 1 ? '' : 's'}`];
  if (check.exact.length > 0) parts.push(`${exactCompared} counts equal`);
  if (check.quantiles.length > 0) parts.push(`${exactQuantiles + sampledQuantiles} quantiles within quantile()'s error (${exactQuantiles} exact, ${sampledQuantiles} sampled)`);
  return { status: mismatches.length === 0 ? 'passed' : 'failed', compared: parts.length > 1 ? `${parts[0]}: ${parts.slice(1).join(', ')}` : parts[0]!, mismatches: mismatches.slice(0, MAX_LISTED) };
}
