// Pure: the document's indexes (as its schema files create them) against the indexes of a user's own table,
// matched by definition (key columns, their order and direction, INCLUDE columns, predicate, uniqueness), never
// by name: a team names its indexes as it likes. Tested from fixtures.
import type { IndexCatalogRow } from '../audit/types.ts';
import { describeIndexShape, includeColumnsOf, keyColumnsOf } from '../audit/compare-indexes.ts';

/** One index the document's schema creates, read from its CREATE INDEX statement. */
export interface DocumentedIndex {
  name: string;
  unique: boolean;
  /** Key columns in order, with direction (NULLS order follows btree's default for the direction). */
  keys: { column: string; descending: boolean }[];
  include: string[];
  /** The WHERE clause as written, or null. */
  predicate: string | null;
  /** The statement, for messages. */
  definition: string;
}

/**
 * How a documented index is matched on the user's table:
 * - same: identical definition;
 * - reversed: the same columns with every direction reversed (a backward scan serves the same order);
 * - differs-predicate: the same key columns under another WHERE clause (or none): it may serve the query, with a Filter;
 * - differs-unique: the same definition without (or with) uniqueness: ON CONFLICT needs a unique arbiter;
 * - missing: nothing on the table has these key columns.
 */
export type IndexMatch = 'same' | 'reversed' | 'differs-predicate' | 'differs-unique' | 'missing';

export interface IndexMapEntry {
  documented: string;
  documentedDefinition: string;
  match: IndexMatch;
  /** The user's index standing for it (absent when missing). */
  theirs?: string;
  theirDefinition?: string;
  /** One sentence: how theirs differs, for the report. */
  note: string;
}

export interface IndexMap {
  entries: IndexMapEntry[];
  /** The user's indexes that stand for no documented one. */
  extra: { name: string; definition: string }[];
}

/** Reads every CREATE [UNIQUE] INDEX of SQL text (the schema files), and the primary key of a CREATE TABLE. */
export function parseDocumentedIndexes(sql: string): DocumentedIndex[] {
  const text = sql.replace(/--[^\n]*/g, '');
  const found: DocumentedIndex[] = [];
  const indexRe = /CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+ON\s+(?:ONLY\s+)?[A-Za-z_."]+\s*(?:USING\s+\w+\s*)?\(([^;]*?)\)\s*(?:INCLUDE\s*\(([^)]*)\))?\s*(?:WHERE\s+([^;]+))?;/gi;
  for (const m of text.matchAll(indexRe)) {
    found.push({
      name: m[2]!.toLowerCase(),
      unique: Boolean(m[1]),
      keys: splitColumns(m[3]!).map(parseKey),
      include: m[4] ? splitColumns(m[4]).map((c) => c.toLowerCase()) : [],
      predicate: m[5] ? m[5].trim() : null,
      definition: m[0].replace(/\s+/g, ' ').trim().replace(/;$/, ''),
    });
  }
  const pk = /CONSTRAINT\s+([A-Za-z_][A-Za-z0-9_]*)\s+PRIMARY\s+KEY\s*\(([^)]*)\)/i.exec(text);
  if (pk) {
    found.unshift({
      name: pk[1]!.toLowerCase(), unique: true, keys: splitColumns(pk[2]!).map(parseKey), include: [], predicate: null,
      definition: `PRIMARY KEY (${pk[2]!.trim()})`,
    });
  }
  return found;
}

function splitColumns(list: string): string[] {
  return list.split(',').map((c) => c.trim()).filter(Boolean);
}

function parseKey(text: string): { column: string; descending: boolean } {
  const m = /^("?[A-Za-z_][A-Za-z0-9_]*"?)(?:\s+(ASC|DESC))?/i.exec(text.trim());
  return { column: (m?.[1] ?? text).replace(/"/g, '').toLowerCase(), descending: /^desc$/i.test(m?.[2] ?? '') };
}

/**
 * A predicate as comparable text: the catalog deparses `started_at IS NOT NULL` as `(started_at IS NOT NULL)` and
 * `normalized_status = 'error'` as `(normalized_status = 'error'::text)`. Equal normal forms mean equal predicates;
 * different ones are reported as different (a reordered AND reads as different: the safe direction for advice).
 */
export function normalizePredicate(predicate: string | null): string {
  if (predicate === null) return '';
  return predicate
    .replace(/::[a-z_ ]+(\[\])?/gi, '')
    .replace(/[()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Matches each documented index to the user's indexes. Invalid indexes of theirs are left out. */
export function mapIndexes(documented: readonly DocumentedIndex[], theirs: readonly IndexCatalogRow[]): IndexMap {
  const candidates = theirs.filter((i) => i.isValid && i.accessMethod === 'btree');
  const ranked = (doc: DocumentedIndex) => candidates
    .map((row) => ({ row, match: compare(doc, row) }))
    .filter((c): c is { row: IndexCatalogRow; match: Exclude<IndexMatch, 'missing'> } => c.match !== undefined)
    .sort((a, b) => RANK[a.match] - RANK[b.match] || a.row.name.localeCompare(b.row.name));
  // Two passes: an index that is exactly some documented one (same, reversed, differs only in uniqueness) is that
  // one's; only an index that is no documented one exactly may stand, under another WHERE clause, for another.
  const exact = new Set<string>();
  const chosen = documented.map((doc) => {
    const best = ranked(doc).find((c) => c.match !== 'differs-predicate');
    if (best) exact.add(best.row.name);
    return best;
  });
  const used = new Set<string>(exact);
  const entries = documented.map((doc, i): IndexMapEntry => {
    const best = chosen[i] ?? ranked(doc).find((c) => c.match === 'differs-predicate' && !exact.has(c.row.name));
    if (!best) {
      return { documented: doc.name, documentedDefinition: doc.definition, match: 'missing', note: `your table has no index on ${keysText(doc)}${doc.predicate ? ` WHERE ${doc.predicate}` : ''}` };
    }
    used.add(best.row.name);
    return {
      documented: doc.name,
      documentedDefinition: doc.definition,
      match: best.match,
      theirs: best.row.name,
      theirDefinition: describeIndexShape(best.row),
      note: noteFor(doc, best.row, best.match),
    };
  });
  const extra = theirs.filter((i) => !used.has(i.name)).map((i) => ({ name: i.name, definition: describeIndexShape(i) }));
  return { entries, extra };
}

const RANK: Record<Exclude<IndexMatch, 'missing'>, number> = { same: 0, reversed: 1, 'differs-unique': 2, 'differs-predicate': 3 };

function compare(doc: DocumentedIndex, row: IndexCatalogRow): Exclude<IndexMatch, 'missing'> | undefined {
  const keys = keyColumnsOf(row);
  if (keys.length !== doc.keys.length) return undefined;
  if (!keys.every((k, i) => k.expression.replace(/"/g, '').toLowerCase() === doc.keys[i]!.column)) return undefined;
  // btree's defaults: NULLS LAST for ASC, NULLS FIRST for DESC; a non-default NULLS order is another order.
  const defaultNulls = keys.every((k) => k.nullsFirst === k.descending);
  const sameDirections = defaultNulls && keys.every((k, i) => k.descending === doc.keys[i]!.descending);
  const reversedDirections = defaultNulls && keys.every((k, i) => k.descending !== doc.keys[i]!.descending);
  if (!sameDirections && !reversedDirections) return undefined;
  const include = includeColumnsOf(row).map((c) => c.toLowerCase()).sort().join(',');
  if (include !== [...doc.include].sort().join(',')) return undefined;
  if (normalizePredicate(row.predicate) !== normalizePredicate(doc.predicate)) return 'differs-predicate';
  if (row.isUnique !== doc.unique) return 'differs-unique';
  return sameDirections ? 'same' : 'reversed';
}

function keysText(doc: DocumentedIndex): string {
  return `(${doc.keys.map((k) => `${k.column}${k.descending ? ' DESC' : ''}`).join(', ')})`;
}

function noteFor(doc: DocumentedIndex, row: IndexCatalogRow, match: Exclude<IndexMatch, 'missing'>): string {
  switch (match) {
    case 'same': return row.name === doc.name ? 'as documented' : `as documented, named ${row.name}`;
    case 'reversed': return `${row.name} has every direction reversed: a backward scan gives the same order`;
    case 'differs-unique': return doc.unique
      ? `${row.name} is not unique: it cannot be an ON CONFLICT arbiter`
      : `${row.name} is unique where the document's is not`;
    case 'differs-predicate': return row.predicate === null
      ? `${row.name} has no WHERE clause; the document's has WHERE ${doc.predicate}`
      : doc.predicate === null
        ? `${row.name} is partial (WHERE ${row.predicate}); the document's is not`
        : `${row.name} is partial on WHERE ${row.predicate}; the document's on WHERE ${doc.predicate}`;
  }
}

/**
 * A scenario's acceptable indexes on the user's table: each documented name replaced by the index that stands for
 * it (any match but missing); names that are not documented indexes (a team query naming its own) are kept.
 */
export function translateExpectedIndexes(expected: readonly string[], map: IndexMap): { indexes: string[]; missing: IndexMapEntry[] } {
  const indexes: string[] = [];
  const missing: IndexMapEntry[] = [];
  for (const name of expected) {
    const entry = map.entries.find((e) => e.documented === name);
    if (!entry) indexes.push(name);
    else if (entry.theirs) indexes.push(entry.theirs);
    else missing.push(entry);
  }
  return { indexes: [...new Set(indexes)], missing };
}
