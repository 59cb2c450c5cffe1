// Pure: catalog rows in, duplicate and redundant indexes out. No database here, so it is tested from fixtures.
//
// Identity is decided on what the catalog stores (pg_index.indkey/indoption/indclass/indcollation and the
// deparsed indpred), never on index names or on the text of CREATE INDEX. Two consequences worth knowing:
// - `started_at` and `started_at ASC` are the same column to the catalog (indoption 0), so the spec's
//   idx_executions_tenant_started_asc and idx_executions_retention_cleanup compare equal.
// - Predicates compare by their deparsed text (pg_get_expr normalises spacing, casts and parentheses).
//   Equal text proves equal predicates; different text proves nothing (`a AND b` vs `b AND a`), so such
//   pairs are not reported. That is the safe direction: no false "drop this index" advice.
import type { DuplicateIndexGroup, IndexCatalogRow, IndexColumnRow, RedundantIndex } from './types.ts';

/** How a key column reads in an index definition: `started_at DESC`, `normalized_status text_pattern_ops`. */
export function describeKeyColumn(column: IndexColumnRow): string {
  let text = column.expression;
  if (column.descending) text += ' DESC';
  // Btree's default is NULLS LAST for ASC and NULLS FIRST for DESC; only a non-default order is written.
  if (column.nullsFirst !== column.descending) text += column.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return text;
}

/** "(tenant_id, started_at DESC) INCLUDE (x) WHERE (started_at IS NOT NULL)" for a catalog row. */
export function describeIndexShape(index: IndexCatalogRow): string {
  const keys = keyColumnsOf(index).map(describeKeyColumn).join(', ');
  const include = includeColumnsOf(index);
  return `${index.accessMethod} (${keys})` +
    (include.length > 0 ? ` INCLUDE (${include.join(', ')})` : '') +
    (index.predicate ? ` WHERE ${index.predicate}` : '');
}

export function keyColumnsOf(index: IndexCatalogRow): IndexColumnRow[] {
  return index.columns.filter((c) => c.key);
}

export function includeColumnsOf(index: IndexCatalogRow): string[] {
  return index.columns.filter((c) => !c.key).map((c) => c.expression);
}

function sameKeyColumn(a: IndexColumnRow, b: IndexColumnRow): boolean {
  return a.expression === b.expression &&
    a.descending === b.descending &&
    a.nullsFirst === b.nullsFirst &&
    a.opclass === b.opclass &&
    a.collation === b.collation;
}

/** Everything that makes two indexes answer the same queries, uniqueness aside. */
function shapeKey(index: IndexCatalogRow): string {
  return JSON.stringify([
    index.accessMethod,
    keyColumnsOf(index).map((c) => [c.expression, c.descending, c.nullsFirst, c.opclass, c.collation]),
    [...includeColumnsOf(index)].sort(),
    index.predicate ?? null,
  ]);
}

/** Groups of indexes with identical definitions (uniqueness aside). Invalid indexes are ignored.
 * `scans` (index name -> scans during the run), when given, picks the member the planner used as the one to keep. */
export function findDuplicateIndexes(
  indexes: readonly IndexCatalogRow[],
  scans: Readonly<Record<string, number>> = {},
): DuplicateIndexGroup[] {
  const groups = new Map<string, IndexCatalogRow[]>();
  for (const index of indexes) {
    if (!index.isValid) continue;
    const key = shapeKey(index);
    groups.set(key, [...(groups.get(key) ?? []), index]);
  }
  const result: DuplicateIndexGroup[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
    // Keep the one that enforces something (dropping a unique or constraint index changes behaviour),
    // else the one the planner used most, else the first by name.
    const byUse = [...sorted].sort((a, b) => (scans[b.name] ?? 0) - (scans[a.name] ?? 0));
    const keep = sorted.find((i) => i.enforcesConstraint) ?? sorted.find((i) => i.isUnique) ?? byUse[0]!;
    result.push({
      indexes: sorted.map((i) => i.name),
      keep: keep.name,
      drop: sorted.filter((i) => i !== keep && !i.enforcesConstraint).map((i) => i.name),
      sharedDefinition: describeIndexShape(keep),
      uniquenessDiffers: new Set(sorted.map((i) => i.isUnique)).size > 1,
    });
  }
  return result.sort((a, b) => a.keep.localeCompare(b.keep));
}

/**
 * Indexes made redundant by a longer one: the shorter's key columns are a strict leading prefix of the
 * longer's with the same direction, NULLS order, opclass and collation, both have identical predicate
 * text, both are btree (a leading prefix only means something for btree), and every INCLUDE column of
 * the shorter one is a column of the longer one (else the shorter can do index-only scans the longer
 * cannot). Unique indexes are never redundant: they enforce a rule the longer index does not, whether or
 * not a constraint is attached (the spec's idx_executions_unique_tenant_env_execution is an ON CONFLICT
 * arbiter without a constraint). Exact duplicates are reported by findDuplicateIndexes, not here.
 */
export function findRedundantIndexes(indexes: readonly IndexCatalogRow[]): RedundantIndex[] {
  const result: RedundantIndex[] = [];
  const valid = indexes.filter((i) => i.isValid);
  for (const short of valid) {
    if (short.isUnique || short.enforcesConstraint || short.accessMethod !== 'btree') continue;
    const shortKeys = keyColumnsOf(short);
    const candidates: IndexCatalogRow[] = [];
    for (const long of valid) {
      if (long === short || long.accessMethod !== 'btree') continue;
      const longKeys = keyColumnsOf(long);
      if (longKeys.length <= shortKeys.length) continue;
      if ((short.predicate ?? null) !== (long.predicate ?? null)) continue;
      if (!shortKeys.every((column, i) => sameKeyColumn(column, longKeys[i]!))) continue;
      const longColumns = new Set(long.columns.map((c) => c.expression));
      if (!includeColumnsOf(short).every((c) => longColumns.has(c))) continue;
      candidates.push(long);
    }
    if (candidates.length === 0) continue;
    // Name the shortest covering index (closest in size), ties by name, so the advice is stable.
    candidates.sort((a, b) => keyColumnsOf(a).length - keyColumnsOf(b).length || a.name.localeCompare(b.name));
    result.push({ index: short.name, coveredBy: candidates[0]!.name, prefixColumns: shortKeys.length });
  }
  return result.sort((a, b) => a.index.localeCompare(b.index));
}
