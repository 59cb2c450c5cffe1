// Reads the index-strategy markdown document into what execbench can check against: its sections, its fenced
// ```sql blocks split into statements (with tokens and 1-based lines), and its tables. Pure except readDocumentFile.
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.ts';

/** One ATX heading (`## Title`). Setext headings (underlined) are not read: the document uses none. */
export interface DocumentSection {
  /** The heading as written, e.g. '`idx_executions_tenant_env_started`'. */
  heading: string;
  /** The heading as plain text: backticks dropped, a leading 'N. ' numbering dropped. */
  title: string;
  level: number;
  line: number;
  /** Plain titles from the outermost section down to this one, the document's title (level 1) left out. */
  path: string[];
  /** How reports name it, e.g. 'Index Inventory > §2 Pagination Indexes (ExecutionsPage) > idx_executions_tenant_env_started'. */
  label: string;
}

/** One SQL token; comments and whitespace are not tokens. */
export interface SqlToken {
  type: 'word' | 'quoted-identifier' | 'string' | 'number' | 'placeholder' | 'ellipsis' | 'operator';
  text: string;
  /** 1-based line in the document (or in the text tokenized, when no first line was given). */
  line: number;
  /** Offsets into the text tokenized. */
  start: number;
  end: number;
}

/** One statement of a SQL block: its text from the first token to its semicolon (comments before it left out). */
export interface SqlStatement {
  text: string;
  line: number;
  /** The statement's tokens, without the closing semicolon. */
  tokens: SqlToken[];
}

/** A fenced ```sql block. */
export interface SqlBlock {
  /** The block's content, the list indentation it sits at removed. */
  text: string;
  /** Line of the block's first content line (the line after the opening fence). */
  line: number;
  /** Label of the section the block sits under ('(top of document)' before any heading). */
  section: string;
  /** Plain titles of that section and the sections around it. */
  sectionPath: string[];
  statements: SqlStatement[];
}

/** A markdown pipe table. */
export interface MarkdownTable {
  section: string;
  sectionPath: string[];
  /** Line of the header row. */
  line: number;
  header: string[];
  rows: { cells: string[]; line: number }[];
}

/** The document as execbench reads it. */
export interface SpecDocument {
  file: string;
  sections: DocumentSection[];
  sqlBlocks: SqlBlock[];
  tables: MarkdownTable[];
}

const TOP_OF_DOCUMENT = '(top of document)';

/**
 * Reads the document at `file`. A missing, non-file, unreadable or empty document is a UsageError naming the path
 * and the fix: the check would otherwise report every scenario as drifted.
 */
export async function readDocumentFile(file: string): Promise<string> {
  const fix = 'pass --spec the path of the index-strategy markdown document, or omit --spec to use docs/execution-indexes.md';
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`Cannot read the document '${file}' (${code === 'ENOENT' ? 'no such file' : code ?? 'stat failed'}): ${fix}.`, { cause: error });
  }
  if (!info.isFile()) throw new UsageError(`The document '${file}' is not a file: ${fix}.`);
  let markdown: string;
  try {
    markdown = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`Cannot read the document '${file}' (${code ?? 'read failed'}): check its permissions, or ${fix}.`, { cause: error });
  }
  if (markdown.trim() === '') throw new UsageError(`The document '${file}' is empty: ${fix}.`);
  return markdown;
}

/** Parses the markdown into sections, SQL blocks (split into statements) and tables. */
export function parseDocument(markdown: string, file: string): SpecDocument {
  const lines = markdown.split(/\r?\n/);
  const sections: DocumentSection[] = [];
  const sqlBlocks: SqlBlock[] = [];
  const tables: MarkdownTable[] = [];
  const open: DocumentSection[] = [];
  const here = () => open.at(-1);

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (fence) {
      const [, indent = '', marker = '```', lang = ''] = fence;
      const content: string[] = [];
      let j = i + 1;
      // The closing fence uses the same character, at least as long (CommonMark); an unclosed fence runs to the end.
      while (j < lines.length && !new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`).test(lines[j]!)) {
        content.push(stripIndent(lines[j]!, indent.length));
        j++;
      }
      if (lang.toLowerCase() === 'sql') {
        const blockText = content.join('\n');
        const section = here();
        sqlBlocks.push({
          text: blockText,
          line: i + 2,
          section: section?.label ?? TOP_OF_DOCUMENT,
          sectionPath: section?.path ?? [],
          statements: splitStatements(blockText, i + 2),
        });
      }
      i = j;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const level = heading[1]!.length;
      while (open.length > 0 && open.at(-1)!.level >= level) open.pop();
      const title = plainTitle(heading[2]!);
      const path = level === 1 ? [] : [...(here()?.path ?? []), title];
      const labels = [...open.filter((s) => s.level > 1).map((s) => sectionLabelPart(s.heading)), sectionLabelPart(heading[2]!)];
      const section: DocumentSection = {
        heading: heading[2]!,
        title,
        level,
        line: i + 1,
        path,
        label: level === 1 ? heading[2]!.replace(/`/g, '') : labels.join(' > '),
      };
      sections.push(section);
      open.push(section);
      continue;
    }
    if (/^\s*\|/.test(text) && i + 1 < lines.length && isSeparatorRow(lines[i + 1]!)) {
      const section = here();
      const table: MarkdownTable = {
        section: section?.label ?? TOP_OF_DOCUMENT,
        sectionPath: section?.path ?? [],
        line: i + 1,
        header: splitRow(text),
        rows: [],
      };
      let j = i + 2;
      for (; j < lines.length && /^\s*\|/.test(lines[j]!); j++) table.rows.push({ cells: splitRow(lines[j]!), line: j + 1 });
      tables.push(table);
      i = j - 1;
    }
  }
  return { file, sections, sqlBlocks, tables };
}

/** Drops backticks and a leading 'N. ' numbering: '`executions_pkey` (Primary Key)' -> 'executions_pkey (Primary Key)'. */
function plainTitle(heading: string): string {
  return heading.replace(/`/g, '').replace(/^\d+\.\s+/, '').trim();
}

/** A heading as part of a label: numbered headings keep their number as '§N', as scenario spec fields cite them. */
function sectionLabelPart(heading: string): string {
  return heading.replace(/`/g, '').replace(/^(\d+)\.\s+/, '§$1 ').trim();
}

function stripIndent(line: string, width: number): string {
  let n = 0;
  while (n < width && (line[n] === ' ' || line[n] === '\t')) n++;
  return line.slice(n);
}

function isSeparatorRow(line: string): boolean {
  const cells = splitRow(line);
  return /^\s*\|/.test(line) && cells.length > 0 && cells.every((c) => /^:?-+:?$/.test(c));
}

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split('|').map((cell) => cell.trim());
}

/** Splits SQL text at top-level semicolons (not inside strings, quoted identifiers, dollar quotes or comments). */
export function splitStatements(sql: string, firstLine = 1): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let current: SqlToken[] = [];
  const flush = (end: number) => {
    const first = current[0];
    if (first) statements.push({ text: sql.slice(first.start, end), line: first.line, tokens: current });
    current = [];
  };
  for (const token of tokenizeSql(sql, firstLine)) {
    if (token.type === 'operator' && token.text === ';') flush(token.end);
    else current.push(token);
  }
  flush(current.at(-1)?.end ?? 0);
  return statements;
}

const OPERATORS = ['->>', '::', '<=', '>=', '<>', '!=', '||', '->'];

/**
 * Tokenizes SQL: `$1` and `?` are placeholders (the document prints `?` where scenarios use `$n`), `...` (or `…`)
 * is the document's elision, `$tag$...$tag$` is one string. Comments are dropped.
 */
export function tokenizeSql(sql: string, firstLine = 1): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  let line = firstLine;
  const push = (type: SqlToken['type'], end: number) => {
    tokens.push({ type, text: sql.slice(i, end), line, start: i, end });
    line += countNewlines(sql, i, end);
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (rest.startsWith('--')) { const nl = sql.indexOf('\n', i); i = nl === -1 ? sql.length : nl; continue; }
    if (rest.startsWith('/*')) { const close = sql.indexOf('*/', i + 2); const end = close === -1 ? sql.length : close + 2; line += countNewlines(sql, i, end); i = end; continue; }
    if (c === "'") { push('string', closingQuote(sql, i, "'")); continue; }
    if (c === '"') { push('quoted-identifier', closingQuote(sql, i, '"')); continue; }
    const dollar = /^\$(\d+)/.exec(rest);
    if (dollar) { push('placeholder', i + dollar[0].length); continue; }
    const tag = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
    if (tag) { const close = sql.indexOf(tag[0], i + tag[0].length); push('string', close === -1 ? sql.length : close + tag[0].length); continue; }
    if (c === '?') { push('placeholder', i + 1); continue; }
    if (rest.startsWith('...')) { push('ellipsis', i + 3); continue; }
    if (c === '…') { push('ellipsis', i + 1); continue; }
    const number = /^\d+(\.\d+)?/.exec(rest);
    if (number) { push('number', i + number[0].length); continue; }
    const word = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(rest);
    if (word) { push('word', i + word[0].length); continue; }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    push('operator', i + (op?.length ?? 1));
  }
  return tokens;
}

/** End offset of a quoted run starting at `start`; a doubled quote is an escaped one. */
function closingQuote(sql: string, start: number, quote: string): number {
  let j = start + 1;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) { j += 2; continue; }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (text[k] === '\n') n++;
  return n;
}
