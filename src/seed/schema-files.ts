// The schema/ files: which apply when, their checksum, and applying one with errors that name
// the file and line. The files are the lead's; this module only reads and runs them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { SchemaError, describePgError } from '../errors.ts';
import type { DatasetRequest } from './types.ts';

/** The project's schema/ folder. */
export const SCHEMA_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../schema');

const TABLE_FILE = '001-executions-table.sql';
const INDEX_FILE = '002-spec-indexes.sql';
const COVERING_FILE = 'optional/covering-index.sql';
const DAILY_STATS_FILE = 'optional/daily-stats-view.sql';

/** One schema file, read. `name` is relative to the project root (e.g. schema/002-spec-indexes.sql). */
export interface SchemaFile {
  name: string;
  sql: string;
}

/** The files a request applies, grouped by the phase that applies them, in apply order. */
export interface SchemaPlan {
  table: SchemaFile;
  indexes: SchemaFile;
  /** Every other schema/*.sql, in name order (003-functions.sql today). */
  functions: SchemaFile[];
  coveringIndex?: SchemaFile;
  dailyStats?: SchemaFile;
  /** sha256 over the names and contents of every file above, in apply order. */
  checksum: string;
}

/** Reads the schema files a request needs. Throws SchemaError naming a missing file. */
export function readSchemaPlan(request: Pick<DatasetRequest, 'optional'>, dir: string = SCHEMA_DIR): SchemaPlan {
  const read = (file: string): SchemaFile => {
    const path = join(dir, file);
    const name = relative(resolve(dir, '..'), path);
    try {
      return { name, sql: readFileSync(path, 'utf8') };
    } catch (error) {
      throw new SchemaError(`Cannot read schema file ${name}: ${(error as Error).message}. Restore it from the repository.`, name, undefined, { cause: error });
    }
  };
  let others: string[];
  try {
    others = readdirSync(dir).filter((f) => f.endsWith('.sql') && f !== TABLE_FILE && f !== INDEX_FILE).sort();
  } catch (error) {
    throw new SchemaError(`Cannot read the schema folder ${dir}: ${(error as Error).message}.`, dir, undefined, { cause: error });
  }
  const table = read(TABLE_FILE);
  const indexes = read(INDEX_FILE);
  const functions = others.map(read);
  const coveringIndex = request.optional.coveringIndex ? read(COVERING_FILE) : undefined;
  const dailyStats = request.optional.dailyStats ? read(DAILY_STATS_FILE) : undefined;
  const ordered = [table, indexes, ...functions, ...(coveringIndex ? [coveringIndex] : []), ...(dailyStats ? [dailyStats] : [])];
  const hash = createHash('sha256');
  for (const file of ordered) hash.update(`${file.name}\0${file.sql}\0`);
  return { table, indexes, functions, coveringIndex, dailyStats, checksum: hash.digest('hex') };
}

/** One statement of a file and the 1-based line its text starts on. */
export interface SchemaStatement {
  sql: string;
  /** Line of the statement's first character (which may be a comment). */
  line: number;
  /** Line of its first character that is neither whitespace nor comment. */
  codeLine: number;
}

/**
 * Splits SQL into statements at top-level semicolons, skipping quotes, dollar quotes and comments.
 * Statements run one by one so an error without a position still names the statement's line.
 */
export function splitStatements(sql: string): SchemaStatement[] {
  const statements: SchemaStatement[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    const text = sql.slice(start, end);
    const code = firstCodeIndex(text);
    if (code >= 0) statements.push({ sql: text, line: lineAt(sql, start), codeLine: lineAt(sql, start + code) });
  };
  while (i < n) {
    const ch = sql[i]!;
    if (ch === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < n && !(sql[j] === ch && sql[j + 1] !== ch)) j += sql[j] === ch ? 2 : 1;
      i = j + 1;
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? n : end + tag[0].length;
      } else i++;
    } else if (ch === ';') {
      push(i + 1);
      start = i + 1;
      i++;
    } else i++;
  }
  push(n);
  return statements;
}

/** Runs a schema file statement by statement; a failure becomes a SchemaError naming file and line. */
export async function applySchemaFile(client: pg.ClientBase, file: SchemaFile, onStatement?: (statement: SchemaStatement) => void): Promise<void> {
  for (const statement of splitStatements(file.sql)) {
    onStatement?.(statement);
    try {
      await client.query(statement.sql);
    } catch (error) {
      const line = errorLine(statement, error);
      throw new SchemaError(
        `Schema file ${file.name} failed at line ${line}: ${describePgError(error)}. Fix that line (the schema files must apply cleanly to an empty schema).`,
        file.name, line, { cause: error });
    }
  }
}

/** The file line an error points at: from its character position, else the statement's first code line. */
function errorLine(statement: SchemaStatement, error: unknown): number {
  const e = error as { position?: string; internalPosition?: string; internalQuery?: string };
  const position = Number(e.position);
  if (Number.isInteger(position) && position > 0) {
    // Postgres positions count characters from 1 in the text it was sent: this statement.
    return statement.line + lineAt(statement.sql, position - 1) - 1;
  }
  const internal = Number(e.internalPosition);
  if (e.internalQuery && Number.isInteger(internal) && internal > 0) {
    const at = statement.sql.indexOf(e.internalQuery);
    if (at >= 0) return statement.line + lineAt(statement.sql, at + internal - 1) - 1;
  }
  // No position (e.g. a missing column in CREATE INDEX): find the first name the message quotes.
  const message = (error as { message?: string }).message ?? '';
  for (const [, name] of message.matchAll(/"([^"]+)"/g)) {
    const at = new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(name!)}([^A-Za-z0-9_]|$)`).exec(statement.sql);
    if (at) return statement.line + lineAt(statement.sql, at.index + at[1]!.length) - 1;
  }
  return statement.codeLine;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let k = 0; k < index && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

function firstCodeIndex(text: string): number {
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === ';') i++;
    else if (ch === '-' && text[i + 1] === '-') {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return -1;
      i = eol + 1;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 2;
    } else return i;
  }
  return -1;
}

/**
 * The index names SQL text creates: every CREATE [UNIQUE] INDEX, and the index behind each PRIMARY KEY or UNIQUE
 * constraint (named by CONSTRAINT, else Postgres's <table>_pkey). What a plan contract may expect on the seeded schema.
 */
export function indexNamesInSql(sql: string): string[] {
  const text = sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const names = new Set<string>();
  const ident = '("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
  const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase());
  const createIndex = new RegExp(`CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?${ident}\\s+ON\\b`, 'gi');
  for (const m of text.matchAll(createIndex)) names.add(unquote(m[1]!));
  for (const m of text.matchAll(new RegExp(`CONSTRAINT\\s+${ident}\\s+(?:PRIMARY\\s+KEY|UNIQUE)\\b`, 'gi'))) names.add(unquote(m[1]!));
  // An unnamed primary key (a column's PRIMARY KEY, or PRIMARY KEY (...) without CONSTRAINT) is <table>_pkey.
  for (const statement of splitStatements(text)) {
    const table = new RegExp(`^\\s*CREATE\\s+(?:UNLOGGED\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${ident}`, 'i').exec(statement.sql);
    if (table && /PRIMARY\s+KEY/i.test(statement.sql) && !/CONSTRAINT\s+\S+\s+PRIMARY\s+KEY/i.test(statement.sql)) names.add(`${unquote(table[1]!)}_pkey`);
  }
  return [...names];
}

/** Every index the seeded schema can hold: the schema files' and both optional parts' (schema/*.sql, schema/optional/*.sql). */
export function seededIndexNames(dir: string = SCHEMA_DIR): string[] {
  const plan = readSchemaPlan({ optional: { coveringIndex: true, dailyStats: true } }, dir);
  const files = [plan.table, plan.indexes, ...plan.functions, plan.coveringIndex, plan.dailyStats].filter((f): f is SchemaFile => f !== undefined);
  return [...new Set(files.flatMap((f) => indexNamesInSql(f.sql)))];
}
