// Pure: findings that share one cause become one group naming the cause once, the scenarios it affects, and the
// change that removes it (in the query, or in the recommended index set when that variant measurably fixes it).
import type { Finding, ScenarioResult } from '../results.ts';
import { predicateOf } from './generic-plans.ts';
import type { FindingGroup, SchemaVariant, VariantIndex } from './types.ts';

export interface GroupingInput {
  findings: readonly Finding[];
  /** The reference variant's results (all scales): the documented and corrected forms behind each finding. */
  reference: readonly ScenarioResult[];
  /** The reference variant's indexes (for partial predicates). */
  indexes: readonly VariantIndex[];
  /** The comparison variant, its results (all scales); absent when only one variant ran. */
  comparison?: { variant: SchemaVariant; results: readonly ScenarioResult[] };
}

/** The cause of one finding, as a stable sentence (the group key). */
export function causeOf(finding: Finding, documented: ScenarioResult | undefined, indexes: readonly VariantIndex[]): string {
  if (finding.id.startsWith('generic:')) return finding.title.replace(/^[^:]*: /, '');
  const violations = documented?.outcome.status === 'failed' ? documented.outcome.violations : [];
  const sqlError = violations.find((v) => v.kind === 'sql-error');
  if (sqlError) return `the documented SQL is not valid here: ${normalizeError(sqlError.message)}`;
  const missed = violations.find((v) => v.kind === 'index-not-used');
  if (missed?.index) {
    const predicate = predicateOf(indexes.find((i) => i.name === missed.index)?.definition);
    if (!predicate) return `the planner does not choose ${missed.index}`;
    const missing = unimpliedConjuncts(predicate, documented?.sql ?? '');
    return `the query does not imply "${missing.join(' AND ') || predicate}" of its partial index's predicate, so the planner may not use the index`;
  }
  return finding.title;
}

/**
 * The conjuncts of a partial-index predicate that the query text does not obviously imply. Textual, and only for
 * the two forms the spec uses: "col IS NOT NULL" is implied by a comparison on col (=, <, >) or the same test.
 */
export function unimpliedConjuncts(predicate: string, sql: string): string[] {
  const conjuncts = predicate.split(/\)\s+AND\s+\(|\s+AND\s+/i).map((c) => c.replace(/^\(+|\)+$/g, '').trim());
  return conjuncts.filter((c) => {
    const notNull = /^([a-z_][a-z0-9_]*) IS NOT NULL$/i.exec(c);
    if (notNull) return !new RegExp(`\\b${notNull[1]}\\s*(=|<|>|IS NOT NULL)`, 'i').test(sql);
    return !sql.replace(/\s+/g, ' ').includes(c);
  });
}

/** An error message without positions or SQLSTATE, so the same error in two statements reads the same. */
export function normalizeError(message: string): string {
  return message.replace(/\s*\(at character \d+\)/g, '').replace(/\s*\(SQLSTATE \w+\)/g, '').trim();
}

/** What the correction changed in the query text, in a few words. */
export function sqlChange(documented: string, corrected: string): string {
  let start = 0;
  while (start < documented.length && start < corrected.length && documented[start] === corrected[start]) start++;
  let end = 0;
  while (end < documented.length - start && end < corrected.length - start &&
    documented[documented.length - 1 - end] === corrected[corrected.length - 1 - end]) end++;
  const removed = documented.slice(start, documented.length - end).trim();
  const added = corrected.slice(start, corrected.length - end).trim();
  const oneLine = (s: string) => s.replace(/\s+/g, ' ');
  if (removed === '' && added.length <= 90) return `add "${oneLine(added)}"`;
  if (removed.length <= 60 && added.length <= 90) return `replace "${oneLine(removed)}" with "${oneLine(added)}"`;
  return 'rewrite it as the corrected form';
}

/** Groups findings by cause. Findings without a scenario (audit, headline) keep a group of their own. */
export function groupFindings(input: GroupingInput): FindingGroup[] {
  const groups = new Map<string, FindingGroup & { members: Finding[] }>();
  for (const finding of input.findings) {
    const documented = input.reference.find((r) => r.scenarioId === finding.scenarioId && r.form === 'documented' && r.outcome.status === 'failed')
      ?? input.reference.find((r) => r.scenarioId === finding.scenarioId && r.form === 'documented');
    const cause = causeOf(finding, documented, input.indexes);
    let group = groups.get(cause);
    if (!group) {
      group = { cause, severity: finding.severity, scenarios: [], scales: [], findings: 0, needsCorrectedSql: false, members: [] };
      groups.set(cause, group);
    }
    group.findings += 1;
    group.members.push(finding);
    if (rank(finding.severity) < rank(group.severity)) group.severity = finding.severity;
    if (finding.scenarioId && !group.scenarios.includes(finding.scenarioId)) group.scenarios.push(finding.scenarioId);
    for (const scale of (finding.scale ?? '').split(', ').filter(Boolean)) if (!group.scales.includes(scale)) group.scales.push(scale);
  }
  return [...groups.values()].map(({ members, ...group }) => {
    const fixes = new Set<string>();
    for (const id of group.scenarios) {
      const documented = input.reference.find((r) => r.scenarioId === id && r.form === 'documented');
      const corrected = input.reference.find((r) => r.scenarioId === id && r.form === 'corrected');
      if (!documented || !corrected) continue;
      const change = sqlChange(documented.sql, corrected.sql);
      // One rewrite explanation per group: the same cause reads the same in every member.
      if (change.startsWith('rewrite') && [...fixes].some((f) => f.startsWith('rewrite'))) continue;
      fixes.add(change.startsWith('rewrite') && corrected.why ? `rewrite it: ${corrected.why}` : change);
    }
    // An info group (an accepted alternative index) needs no fix.
    if (group.severity === 'info') return { ...group, needsCorrectedSql: false };
    const generic = members.find((m) => m.id.startsWith('generic:'))?.fix;
    const queryFix = generic ?? (fixes.size > 0 ? `in the query: ${[...fixes].join('; ')}` : members.find((m) => m.fix)?.fix);
    const indexFix = indexFixFor(group.scenarios, input, members.some((m) => m.id.startsWith('generic:')));
    const stillFails = input.comparison !== undefined && group.scenarios.length > 0 && group.scenarios.every((id) =>
      input.comparison!.results.some((r) => r.scenarioId === id && r.form === 'documented' && r.outcome.status === 'failed' &&
        r.outcome.violations.some((v) => v.kind === 'sql-error')));
    return {
      ...group,
      ...(queryFix ? { queryFix } : {}),
      ...(indexFix ? { indexFix } : {}),
      needsCorrectedSql: stillFails,
    };
  }).sort((a, b) => rank(a.severity) - rank(b.severity) || b.findings - a.findings);
}

/**
 * The recommended set's change for a group, only when the comparison variant measurably removes the cause: every
 * affected scenario's documented form passes its contract there (contracts only: a latency verdict is not the cause).
 */
function indexFixFor(scenarios: readonly string[], input: GroupingInput, generic: boolean): string | undefined {
  const comparison = input.comparison;
  if (!comparison || scenarios.length === 0 || generic) return undefined;
  // Only a broken contract or SQL is something an index set can remove; a time that does not hold is not claimed.
  const contractCause = input.reference.some((r) => scenarios.includes(r.scenarioId) && r.form === 'documented' &&
    r.outcome.status === 'failed' && r.outcome.violations.some((v) => v.kind !== 'threshold'));
  if (!contractCause) return undefined;
  const fixed = scenarios.every((id) => {
    const forms = comparison.results.filter((r) => r.scenarioId === id && r.form === 'documented');
    return forms.length > 0 && forms.every((r) => r.outcome.status === 'passed' ||
      (r.outcome.status === 'failed' && r.outcome.violations.every((v) => v.kind === 'threshold')));
  });
  if (!fixed) return undefined;
  const expected = new Set(input.reference.filter((r) => scenarios.includes(r.scenarioId)).flatMap((r) => r.expectedIndexes));
  const whys = [...new Set(comparison.variant.statements.filter((s) => s.kind === 'create' && expected.has(s.index)).map((s) => `${s.index}: ${s.why}`))];
  return `in the index set ('${comparison.variant.name}'): ${whys.join(' ') || 'its indexes serve the documented query as written'}`;
}

function rank(severity: Finding['severity']): number {
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2;
}
