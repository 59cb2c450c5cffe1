// A team's own query: not printed in the document, judged on the team's own limit. defineQuery is what a team
// writes (docs/add-a-query.md); teamQueryScenario is what the loader makes of it: a ScenarioDefinition with origin
// 'team', so the runner, the gate and the reports need no second path, after checking its fields with messages
// that name the file.
import { ScenarioError } from '../errors.ts';
import type { Clock } from '../results.ts';
import { NAMED_SCALES, type NamedScale, type ParamPicker, type PlanContract, type ScenarioDefinition, type Threshold } from './define.ts';

/** The team's p95 limit on one clock: 'client' is the round trip the application waits for, 'server' the execution time. */
export interface TeamLimit {
  p95Ms: number;
  clock: Clock;
}

/** One limit for every scale, or one per named scale (a custom --scale uses the nearest one's). */
export type TeamLimits = TeamLimit | Record<NamedScale, TeamLimit>;

/** A team's query as the team writes it: `export default defineQuery({ ... })` in a file of a --queries folder. */
export interface TeamQuery {
  title: string;
  /** read: measured as is; write: every execution is rolled back. */
  kind: 'read' | 'write';
  /** The SQL as the application sends it, with $1, $2 ... for its parameters. */
  sql: string;
  /** The parameters, drawn from the synthetic data by the picker (pick.tenant(), pick.daysBeforeAnchor(1), ...). */
  params: (pick: ParamPicker) => unknown[];
  /** What the plan must show; expect.indexes must name indexes of the schema being judged. */
  expect?: PlanContract;
  /** The team's p95 limit; null judges the plan only. */
  limits: TeamLimits | null;
}

/** What defineQuery returns: the query, marked as the team's. */
export interface TeamQueryDefinition extends TeamQuery {
  origin: 'team';
}

/** Identity helper for a team's query file: autocompletion, compile-time checking, and the 'team' mark. */
export function defineQuery(query: TeamQuery): TeamQueryDefinition {
  return { ...query, origin: 'team' };
}

const QUERY_FIELDS = ['title', 'kind', 'sql', 'params', 'expect', 'limits'] as const;
const CONTRACT_FIELDS: readonly (keyof PlanContract)[] = ['indexes', 'noSeqScanOn', 'maxSharedBlocks', 'maxRowsRemovedByFilter'];

/** Whether a module's default export is a team query (defineQuery, or the same fields without it). */
export function isTeamQuery(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.origin === 'team' || (v.documented === undefined && v.spec === undefined && 'sql' in v);
}

/** The limit's source as every report prints it: "your limit, <file>". */
export function teamLimitSource(file: string, scale?: NamedScale): string {
  return `your limit${scale ? ` for ${scale}` : ''}, ${file}`;
}

/**
 * Checks a team query's fields and turns it into the scenario the runner runs. Throws ScenarioError (exit 3)
 * naming the file, the field and what was expected.
 */
export function teamQueryScenario(value: unknown, file: string, id: string): ScenarioDefinition {
  const fail = (what: string, got: unknown): never => {
    throw new ScenarioError(`Invalid query '${file}': expected ${what}, received ${describeValue(got)}`, id);
  };
  if (typeof value !== 'object' || value === null) return fail('a default export built with defineQuery({...})', value);
  const q = value as Record<string, unknown>;
  const unknown = Object.keys(q).filter((key) => key !== 'origin' && !(QUERY_FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new ScenarioError(`Invalid query '${file}': unknown field '${unknown[0]}'; a query has ${QUERY_FIELDS.join(', ')} (docs/add-a-query.md)`, id);
  }
  if (typeof q.title !== 'string' || q.title.trim() === '') fail('title (non-empty string)', q.title);
  if (q.kind !== 'read' && q.kind !== 'write') fail("kind ('read' | 'write')", q.kind);
  if (typeof q.sql !== 'string' || q.sql.trim() === '') fail('sql (string)', q.sql);
  if (typeof q.params !== 'function') fail('params (a function of the picker: (pick) => [pick.tenant(), ...])', q.params);
  const expect = q.expect ?? {};
  if (typeof expect !== 'object' || expect === null || Array.isArray(expect)) fail('expect (a plan contract object, e.g. { indexes: [...] })', q.expect);
  const contract = expect as Record<string, unknown>;
  const badKey = Object.keys(contract).find((key) => !(CONTRACT_FIELDS as readonly string[]).includes(key));
  if (badKey !== undefined) {
    throw new ScenarioError(`Invalid query '${file}': unknown field 'expect.${badKey}'; expect has ${CONTRACT_FIELDS.join(', ')}`, id);
  }
  for (const list of ['indexes', 'noSeqScanOn'] as const) {
    const names = contract[list];
    if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string' && n !== ''))) fail(`expect.${list} (an array of names)`, names);
  }
  if (!('limits' in q)) fail("limits ({ p95Ms, clock }, per scale { '100k': {...}, '1m': {...} }, or null for the plan only)", undefined);
  return {
    origin: 'team',
    title: q.title as string,
    spec: `your query, ${file}`,
    kind: q.kind as 'read' | 'write',
    documented: { sql: q.sql as string, params: q.params as TeamQuery['params'] },
    expect: contract as PlanContract,
    thresholds: q.limits === null ? null : teamThresholds(q.limits, file, fail),
  };
}

function teamThresholds(limits: unknown, file: string, fail: (what: string, got: unknown) => never): Record<NamedScale, Threshold> {
  const one = (value: unknown, where: string, scale?: NamedScale): Threshold => {
    const l = value as Record<string, unknown> | undefined;
    if (typeof l?.p95Ms !== 'number' || !(l.p95Ms > 0)) fail(`${where}.p95Ms (a number of milliseconds > 0)`, l?.p95Ms);
    // Every limit names its clock: a JavaScript query file could otherwise leave it out unnoticed.
    if (l!.clock !== 'client' && l!.clock !== 'server') fail(`${where}.clock ('client' or 'server')`, l!.clock);
    return { p95Ms: l!.p95Ms as number, clock: l!.clock as Clock, source: teamLimitSource(file, scale) };
  };
  if (typeof limits !== 'object' || limits === null) return fail("limits ({ p95Ms, clock }, per scale { '100k': {...}, '1m': {...} }, or null)", limits);
  const l = limits as Record<string, unknown>;
  if ('p95Ms' in l || 'clock' in l) {
    const limit = one(l, 'limits');
    return { '100k': limit, '1m': { ...limit } };
  }
  const stray = Object.keys(l).find((key) => !(NAMED_SCALES as readonly string[]).includes(key));
  if (stray !== undefined) fail(`limits keyed by '100k' and '1m' (a custom --scale uses the nearest), not '${stray}'`, l[stray]);
  return { '100k': one(l['100k'], "limits['100k']", '100k'), '1m': one(l['1m'], "limits['1m']", '1m') };
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.slice(0, 40)}'`;
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
