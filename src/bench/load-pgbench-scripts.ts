// The pgbench reference's first pure part: execbench's statements as pgbench scripts. Parameters become literals that
// mean what the bound parameters meant, and a class's kinds become weighted scripts within pgbench's 128 (-f file@weight).
import { createRequire } from 'node:module';
import pg from 'pg';
import type { RequestKind, TrafficClass } from '../load/traffic.ts';
import { createParamPicker, type ParamPools } from '../runner/params.ts';
import type { ParamPicker } from '../scenario/define.ts';

/** node-pg's own conversion of a parameter to the text it sends (Dates, arrays, objects), so a literal says the same. */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): string | Buffer | null };

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

/** A request's picker as execbench's generator makes it (run-load.ts): the class's own picker over the base one. */
export function pickerFor(traffic: TrafficClass, pools: ParamPools): (iteration: number) => ParamPicker {
  return (iteration) => {
    const base = createParamPicker(pools, iteration);
    return traffic.picker?.(base).pick ?? base;
  };
}
