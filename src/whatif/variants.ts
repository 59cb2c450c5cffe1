// The variant loader: schema/variants/<name>/*.sql, each a list of CREATE INDEX / DROP INDEX statements on
// executions, each justified by a `-- why:` sentence. A bad file gets one line naming the file and the line.
// A `table` variant (`-- execbench-variant: table`) instead defines executions itself: its first statement is a
// CREATE TABLE executions (...) PARTITION BY RANGE (<column>), the rest CREATE INDEX on it, and
// `-- execbench-partition: month|quarter` says how execbench cuts the dataset's range into partitions.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { SCHEMA_DIR, splitStatements } from '../seed/schema-files.ts';
import type { PartitionEvery, SchemaVariant, VariantMode, VariantStatement } from './types.ts';

/** Where variants live: one folder per variant, its name is the variant's name. */
export const VARIANTS_DIR = join(SCHEMA_DIR, 'variants');

/** A malformed variant folder or file (exit 3: bad input, nothing was changed). */
export class VariantError extends UsageError {
  constructor(message: string, readonly file: string, readonly line: number | undefined) {
    super(message);
  }
}

const DIRECTIVE = /^--\s*execbench-variant:\s*(\S*)\s*$/;
const PARTITION_DIRECTIVE = /^--\s*execbench-partition:\s*(\S*)\s*$/;
const CREATE_TABLE = /^CREATE\s+TABLE\s+("?[A-Za-z_][A-Za-z0-9_.]*"?)\s*\(/i;
const PARTITION_BY = /\)\s*PARTITION\s+BY\s+RANGE\s*\(\s*("?[A-Za-z_][A-Za-z0-9_]*"?)\s*\)\s*;?\s*$/i;
const WHY = /^--\s*why:\s*(.*)$/;
const CREATE = /^CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(IF\s+NOT\s+EXISTS\s+)?("?[A-Za-z_][A-Za-z0-9_]*"?)\s+ON\s+(ONLY\s+)?("?[A-Za-z_][A-Za-z0-9_.]*"?)/i;
const DROP = /^DROP\s+INDEX\s+(CONCURRENTLY\s+)?(IF\s+EXISTS\s+)?("?[A-Za-z_][A-Za-z0-9_]*"?)\s*;?\s*$/i;

/**
 * Parses one variant file. `first` is true for the variant's first file, the only one where the
 * `-- execbench-variant: extend|replace` directive may stand. Pure: throws VariantError naming file and line.
 */
export function parseVariantFile(file: string, sql: string, first: boolean): ParsedVariantFile {
  const fail = (line: number, what: string): never => {
    throw new VariantError(`Invalid variant file ${file} line ${line}: ${what}`, file, line);
  };
  const lines = sql.split('\n');
  let mode: VariantMode | undefined;
  let every: PartitionEvery | undefined;
  // Directives and why-sentences are comment lines; find them by line number first.
  const whyAt = new Map<number, string>();
  let codeSeen = false;
  lines.forEach((text, i) => {
    const line = i + 1;
    const trimmed = text.trim();
    const directive = DIRECTIVE.exec(trimmed);
    if (directive) {
      if (!first || codeSeen || mode !== undefined) fail(line, 'the "-- execbench-variant:" directive may appear once, in the first file, before any statement.');
      if (directive[1] !== 'extend' && directive[1] !== 'replace' && directive[1] !== 'table') fail(line, `expected "-- execbench-variant: extend", "replace" or "table", found '${directive[1]}'.`);
      mode = directive[1] as VariantMode;
      return;
    }
    const partition = PARTITION_DIRECTIVE.exec(trimmed);
    if (partition) {
      if (mode !== 'table') fail(line, 'the "-- execbench-partition:" directive belongs to a table variant: put "-- execbench-variant: table" first.');
      if (partition[1] !== 'month' && partition[1] !== 'quarter') fail(line, `expected "-- execbench-partition: month" or "quarter", found '${partition[1]}'.`);
      every = partition[1] as PartitionEvery;
      return;
    }
    const why = WHY.exec(trimmed);
    if (why) {
      if (why[1]!.trim() === '') fail(line, 'a "-- why:" comment needs its sentence.');
      whyAt.set(line, why[1]!.trim());
    }
    if (trimmed !== '' && !trimmed.startsWith('--')) codeSeen = true;
  });
  const statements: VariantStatement[] = [];
  const seen = new Set<string>();
  let partitionColumn: string | undefined;
  for (const statement of splitStatements(sql)) {
    const code = statement.sql.split('\n').filter((l) => !l.trim().startsWith('--')).join('\n').trim();
    const line = statement.codeLine;
    const why = [...whyAt.entries()].filter(([at]) => at < line).sort((a, b) => b[0] - a[0])[0]?.[1];
    const table = CREATE_TABLE.exec(code);
    if (table) {
      if (mode !== 'table') fail(line, 'CREATE TABLE is allowed only in a table variant: put "-- execbench-variant: table" first.');
      if (statements.length > 0) fail(line, 'a table variant\'s CREATE TABLE must be its first statement.');
      if (table[1]!.replace(/"/g, '').split('.').pop() !== 'executions') fail(line, `a table variant defines executions, found CREATE TABLE ${table[1]}.`);
      const by = PARTITION_BY.exec(code);
      if (!by) fail(line, 'a table variant\'s CREATE TABLE executions must end with PARTITION BY RANGE (<column>).');
      if (!why) fail(line, 'expected a "-- why: <one sentence>" comment before this CREATE TABLE.');
      partitionColumn = by![1]!.replace(/"/g, '');
      statements.push({ kind: 'table', index: 'executions', sql: code, why: why!, file, line });
      continue;
    }
    if (mode === 'table' && statements.length === 0) fail(line, 'a table variant starts with CREATE TABLE executions (...) PARTITION BY RANGE (<column>).');
    const create = CREATE.exec(code);
    const drop = DROP.exec(code);
    if (!create && !drop) fail(line, `expected CREATE [UNIQUE] INDEX ... ON executions or DROP INDEX <name>, found '${code.split('\n')[0]!.slice(0, 60)}'.`);
    if ((create?.[2] ?? drop?.[1]) !== undefined) fail(line, 'CONCURRENTLY cannot run inside the transaction a variant is applied in; remove it.');
    if (create) {
      const table = create[6]!.replace(/"/g, '').split('.').pop();
      if (table !== 'executions') fail(line, `a variant may only index executions, found ON ${create[6]}.`);
    }
    const index = (create?.[4] ?? drop![3]!).replace(/"/g, '');
    if (index.length > 63) fail(line, `index name '${index}' is longer than Postgres's 63 characters.`);
    if (drop && mode === 'table') fail(line, 'a table variant builds its own table: DROP INDEX has nothing to drop; remove it.');
    const kind = create ? 'create' : 'drop';
    const key = `${kind}:${index}`;
    if (seen.has(key)) fail(line, `${kind === 'create' ? 'creates' : 'drops'} ${index} a second time.`);
    seen.add(key);
    if (!why) fail(line, `expected a "-- why: <one sentence>" comment before this ${kind === 'create' ? 'CREATE INDEX' : 'DROP INDEX'}.`);
    statements.push({ kind, index, sql: code, why: why!, file, line });
  }
  if (mode === 'table') {
    if (!partitionColumn) fail(1, 'a table variant needs CREATE TABLE executions (...) PARTITION BY RANGE (<column>).');
    if (!every) fail(1, 'a table variant needs "-- execbench-partition: month" (or quarter) after its directive.');
  }
  return { ...(mode ? { mode } : {}), statements, ...(mode === 'table' ? { partition: { column: partitionColumn!, every: every! } } : {}) };
}

/** What one variant file declares. */
export interface ParsedVariantFile {
  mode?: VariantMode;
  statements: VariantStatement[];
  partition?: { column: string; every: PartitionEvery };
}

/** Lists the variant folders under `dir`. */
export function listVariants(dir: string = VARIANTS_DIR): string[] {
  try {
    return readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory()).sort();
  } catch {
    return [];
  }
}

/** Loads the named variants (in the order given), each folder's *.sql files in name order. */
export function loadVariants(names: readonly string[], dir: string = VARIANTS_DIR): SchemaVariant[] {
  const available = listVariants(dir);
  const root = resolve(dir, '../..');
  return names.map((name) => {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw new UsageError(`Invalid variant name '${name}': use lowercase letters, digits, '-' and '_'.`);
    if (!available.includes(name)) {
      throw new UsageError(`Unknown variant '${name}': no folder ${relative(root, join(dir, name))}/. Available: ${available.join(', ') || 'none'}. Add a folder with .sql files to define one.`);
    }
    const folder = join(dir, name);
    const files = readdirSync(folder).filter((f) => f.endsWith('.sql')).sort();
    const rel = (f: string) => relative(root, join(folder, f));
    if (files.length === 0) throw new VariantError(`Invalid variant ${rel('')}: the folder has no .sql file; add one (it may hold only the "-- execbench-variant: extend" line).`, rel(''), undefined);
    let mode = 'extend' as VariantMode;
    let partition: ParsedVariantFile['partition'];
    const statements: VariantStatement[] = [];
    files.forEach((f, i) => {
      const parsed = parseVariantFile(rel(f), readFileSync(join(folder, f), 'utf8'), i === 0);
      if (parsed.mode) mode = parsed.mode;
      if (parsed.partition) partition = parsed.partition;
      statements.push(...parsed.statements);
    });
    if (mode === 'replace' && !statements.some((s) => s.kind === 'create')) {
      throw new VariantError(`Invalid variant ${rel(files[0]!)} line 1: a replace variant drops every index but the primary key, so it must create at least one.`, rel(files[0]!), 1);
    }
    return { name, mode, files: files.map(rel), statements, ...(partition ? { partition } : {}) };
  });
}
