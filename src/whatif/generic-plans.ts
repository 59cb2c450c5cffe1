// Pure: a scenario's SQL as an application sends it (the status a bound parameter), and why a generic plan differs.
import type { VariantIndex } from './types.ts';

/** The SQL an application prepares: WHERE-clause equalities against string literals become parameters. */
export interface ApplicationForm {
  sql: string;
  /** Values of the new parameters, appended after the form's own. */
  extraParams: string[];
  /** The literals that were bound, as written: normalized_status = 'error'. */
  boundLiterals: string[];
}

/**
 * Turns `<column> = '<literal>'` comparisons of the top-level WHERE clause into $n parameters numbered after the
 * form's `paramCount` own ones. Literals inside FILTER (WHERE ...) aggregates are part of the query's meaning,
 * not values an application binds, and stay. Pure and textual: execbench's scenario SQL is simple enough.
 */
export function toApplicationForm(sql: string, paramCount: number): ApplicationForm {
  const extraParams: string[] = [];
  const boundLiterals: string[] = [];
  const out = sql.replace(/(FILTER\s*\(\s*WHERE[^)]*\))|(\b[a-z_][a-z0-9_]*)\s*=\s*'([^']*)'/gi, (match, filter: string | undefined, column: string, literal: string) => {
    if (filter) return match;
    extraParams.push(literal);
    boundLiterals.push(`${column} = '${literal}'`);
    return `${column} = $${paramCount + extraParams.length}`;
  });
  return { sql: out, extraParams, boundLiterals };
}

/**
 * Why the generic plan lost the index the custom plan used, in one sentence, or undefined when it did not.
 * A partial index whose predicate names a bound literal cannot serve a generic plan: the plan must be valid for
 * every value of the parameter, and the planner proves a predicate from the query text alone.
 */
export function explainGenericLoss(
  customIndexes: readonly string[], genericIndexes: readonly string[], boundLiterals: readonly string[], indexes: readonly VariantIndex[],
): string | undefined {
  const lost = customIndexes.filter((name) => !genericIndexes.includes(name));
  if (lost.length === 0) return undefined;
  const name = lost[0]!;
  const predicate = predicateOf(indexes.find((i) => i.name === name)?.definition);
  const literal = boundLiterals.find((b) => predicate && predicate.includes(b.split('=')[0]!.trim()) && predicate.includes(`'${b.split("'")[1]}'`));
  if (predicate && literal) {
    return `${name} is partial (WHERE ${predicate}); with ${literal} bound as a parameter a generic plan must be valid for any value, so the planner cannot prove the predicate and does not use the index.`;
  }
  if (predicate) return `${name} is partial (WHERE ${predicate}); with bound parameters the planner cannot prove that predicate from the generic query.`;
  return `the generic plan's estimates (no parameter values, default selectivities) favour another access path over ${name}.`;
}

/** The WHERE clause of a CREATE INDEX definition (pg_get_indexdef), or undefined for a full index. */
export function predicateOf(definition: string | undefined): string | undefined {
  const m = definition ? / WHERE (.*)$/s.exec(definition) : null;
  return m ? m[1]!.replace(/^\((.*)\)$/s, '$1').replace(/::text/g, '') : undefined;
}
