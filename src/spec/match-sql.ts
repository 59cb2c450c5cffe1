// How the document's SQL and a scenario's are compared, token by token: PostgreSQL's folding of unquoted words, the
// document's `...` elisions and literals where a scenario has parameters, a printed EXPLAIN prefix, the object a
// CREATE builds, and how far two statements agree from either end (for quoting the difference). Pure.
import type { SqlToken } from './read-document.ts';

/**
 * A token as compared: unquoted words fold to lower case (PostgreSQL folds unquoted identifiers and keywords),
 * `$n` and `?` are one placeholder; strings and quoted identifiers stay as written.
 */
function normalToken(token: SqlToken): string {
  if (token.type === 'word') return token.text.toLowerCase();
  if (token.type === 'placeholder') return '?';
  if (token.type === 'ellipsis') return '...';
  return token.text;
}

export function sameTokens(a: SqlToken[], b: SqlToken[]): boolean {
  return a.length === b.length && a.every((t, k) => normalToken(t) === normalToken(b[k]!));
}

/**
 * Whether a scenario's tokens fit a document statement that elides parts: `...` matches any run of tokens (also
 * none), and the scenario may have a placeholder where the document prints a literal, or another string literal.
 */
export function fitsElided(doc: SqlToken[], scenario: SqlToken[]): boolean {
  const memo = new Map<number, boolean>();
  const fits = (i: number, j: number): boolean => {
    const key = i * (scenario.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === doc.length) result = j === scenario.length;
    else if (doc[i]!.type === 'ellipsis') result = fits(i + 1, j) || (j < scenario.length && fits(i, j + 1));
    else result = j < scenario.length && tokenFits(doc[i]!, scenario[j]!) && fits(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return fits(0, 0);
}

function tokenFits(doc: SqlToken, scenario: SqlToken): boolean {
  if (normalToken(doc) === normalToken(scenario)) return true;
  if (scenario.type === 'placeholder') return doc.type === 'string' || doc.type === 'number';
  return scenario.type === 'string' && doc.type === 'string';
}

/** execbench runs EXPLAIN (ANALYZE, BUFFERS) on every scenario itself, so a printed EXPLAIN prefix is not part of the query. */
export function withoutExplain(tokens: SqlToken[]): SqlToken[] {
  if (normalToken(tokens[0] ?? EMPTY) !== 'explain') return tokens;
  let k = 1;
  if (tokens[k]?.text === '(') {
    while (k < tokens.length && tokens[k]!.text !== ')') k++;
    k++;
  }
  while (k < tokens.length && ['analyze', 'verbose'].includes(normalToken(tokens[k]!))) k++;
  return tokens.slice(k);
}

const EMPTY: SqlToken = { type: 'operator', text: '', line: 0, start: 0, end: 0 };

export function command(tokens: SqlToken[]): string {
  return normalToken(tokens[0] ?? EMPTY);
}

const CREATED = /^create (?:or replace )?(?:(unique )?(?:index)|(materialized view)|(view)|(table)|(function))(?: concurrently)?(?: if not exists)? (\S+)/;

/** The object a CREATE statement builds, by kind and (lower-cased) name. */
export function createdObject(tokens: SqlToken[]): { kind: string; name: string } | undefined {
  const head = tokens.slice(0, 10).map(normalToken).join(' ');
  const m = CREATED.exec(head);
  if (!m) return undefined;
  const kind = m[2] ?? m[3] ?? m[4] ?? m[5] ?? 'index';
  return { kind, name: m[6]! };
}

export function commonEnds(a: SqlToken[], b: SqlToken[]): { prefix: number; suffix: number } {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && normalToken(a[prefix]!) === normalToken(b[prefix]!)) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && normalToken(a[a.length - 1 - suffix]!) === normalToken(b[b.length - 1 - suffix]!)) suffix++;
  return { prefix, suffix };
}

/**
 * How many leading and trailing document tokens an elided match gets through before it fails (fitsElided's rules):
 * the failing middle is what the document prints and the scenario does not.
 */
export function elidedEnds(doc: SqlToken[], scenario: SqlToken[]): { prefix: number; suffix: number } {
  const furthest = (d: SqlToken[], s: SqlToken[]): number => {
    const seen = new Set<number>();
    const stack: [number, number][] = [[0, 0]];
    let best = 0;
    while (stack.length > 0) {
      const [i, j] = stack.pop()!;
      const k = i * (s.length + 1) + j;
      if (seen.has(k)) continue;
      seen.add(k);
      best = Math.max(best, i);
      if (i === d.length) continue;
      if (d[i]!.type === 'ellipsis') {
        stack.push([i + 1, j]);
        if (j < s.length) stack.push([i, j + 1]);
      } else if (j < s.length && tokenFits(d[i]!, s[j]!)) stack.push([i + 1, j + 1]);
    }
    return best;
  };
  const prefix = furthest(doc, scenario);
  const suffix = Math.min(furthest([...doc].reverse(), [...scenario].reverse()), doc.length - prefix);
  return { prefix, suffix };
}
