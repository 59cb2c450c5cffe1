// The two sides of an A/B comparison, read from git: a ref's scenarios/ and schema/ (extracted once per commit into
// execbench's cache) or the working tree's. Each side's scenario modules are loaded from its own files; they import
// execbench's helpers (../src/...) from the running execbench, so a side is "that commit's queries and indexes,
// measured by this execbench".
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.ts';
import { loadScenarios, type LoadedScenario } from '../scenario/load.ts';
import { readSchemaPlan, type SchemaPlan } from '../seed/schema-files.ts';

/** execbench's own src/, which every side's scenario modules import their helpers from. */
const EXECBENCH_SRC = fileURLToPath(new URL('../', import.meta.url));

/** Where one side's files come from. */
export interface AbSideSource {
  /** 'base' or 'head'. */
  role: 'base' | 'head';
  /** As the user gave it: a ref, or 'working tree'. */
  given: string;
  /** The commit (a ref's, or HEAD's under a working tree). */
  commit: string;
  /** A working tree with changes to scenarios/ or schema/ not committed. */
  uncommitted: boolean;
  /** The folder holding this side's scenarios/ and schema/. */
  root: string;
}

/** A side, loaded. */
export interface AbSide extends AbSideSource {
  scenarios: LoadedScenario[];
  schema: SchemaPlan;
}

/** The top of the git repository that holds `dir`; a folder outside one is refused naming the fix. */
export function repositoryRoot(dir: string): string {
  const out = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8' });
  if (out.error) throw new UsageError(`execbench ab needs git, which could not be run (${out.error.message}): install git.`);
  if (out.status !== 0) throw new UsageError(`'${dir}' is not inside a git repository: execbench ab compares two states of one (run it in your clone, or give --repo).`);
  const root = out.stdout.trim();
  for (const part of ['scenarios', 'schema']) {
    if (!existsSync(path.join(root, part))) {
      throw new UsageError(`${root} has no ${part}/ folder: execbench ab compares the scenarios/ and schema/ of two states of a repository laid out as execbench's (run it in an execbench clone, or give --repo).`);
    }
  }
  return root;
}

/** The commit a ref names, or a UsageError naming the ref and how to fetch it. */
export function resolveCommit(root: string, ref: string, flag: string): string {
  if (ref.startsWith('-') || ref.trim() === '') throw new UsageError(`Invalid ${flag} '${ref}': give a branch, tag or commit, e.g. ${flag} origin/main.`);
  const out = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) {
    throw new UsageError(`${flag} '${ref}' names no commit in ${root}: fetch it first (git fetch origin ${ref.replace(/^origin\//, '')}), or give a branch, tag or commit that exists (git log --oneline).`);
  }
  return out.stdout.trim();
}

/**
 * Materialises one side: a ref is extracted (scenarios/ and schema/ of that commit) into `cacheDir/<commit>` once,
 * with a src link to the running execbench; `undefined` is the working tree itself.
 */
export function sideSource(root: string, role: 'base' | 'head', ref: string | undefined, cacheDir: string): AbSideSource {
  if (ref === undefined) {
    const commit = resolveCommit(root, 'HEAD', '--head');
    const status = execFileSync('git', ['status', '--porcelain', '--', 'scenarios', 'schema'], { cwd: root, encoding: 'utf8' });
    return { role, given: 'working tree', commit, uncommitted: status.trim() !== '', root };
  }
  const flag = role === 'base' ? '--base' : '--head';
  const commit = resolveCommit(root, ref, flag);
  const target = path.join(cacheDir, commit);
  if (!existsSync(path.join(target, '.complete'))) {
    const partial = `${target}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const archive = spawnSync('git', ['archive', '--format=tar', commit, 'scenarios', 'schema'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    if (archive.status !== 0) {
      rmSync(partial, { recursive: true, force: true });
      throw new UsageError(`${flag} '${ref}' (${commit.slice(0, 12)}) has no scenarios/ or schema/ folder (${String(archive.stderr).trim().split('\n')[0]}): give a commit of this repository that has both.`);
    }
    const untar = spawnSync('tar', ['-x', '-C', partial], { input: archive.stdout });
    if (untar.status !== 0) throw new UsageError(`Cannot extract ${flag} '${ref}' into ${partial}: ${String(untar.stderr).trim()}. Give a writable --cache-dir.`);
    symlinkSync(EXECBENCH_SRC, path.join(partial, 'src'));
    writeFileSync(path.join(partial, '.complete'), `${commit}\n`);
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
  }
  return { role, given: ref, commit, uncommitted: false, root: target };
}

/** Loads a side's scenarios (every module of its scenarios/) and schema plan (with the optional parts). */
export async function loadSide(source: AbSideSource): Promise<AbSide> {
  const scenarios = await loadScenarios(path.join(source.root, 'scenarios'));
  const schema = readSchemaPlan({ optional: { coveringIndex: true, dailyStats: true } }, path.join(source.root, 'schema'));
  return { ...source, scenarios, schema };
}

/** The SQL files of a side that make its index set: the document's indexes and the optional covering index. */
export function indexFiles(schema: SchemaPlan): { name: string; sql: string }[] {
  return [schema.indexes, ...(schema.coveringIndex ? [schema.coveringIndex] : [])];
}

/**
 * Whether both sides can be measured on one table: the rows and the table must be the same, so the table's definition
 * and the daily-stats view must not differ. Pure. Indexes and functions may differ: each side gets its own.
 */
export function interleavable(base: SchemaPlan, head: SchemaPlan): { ok: true } | { ok: false; why: string } {
  if (base.table.sql !== head.table.sql) return { ok: false, why: `${head.table.name} differs between the sides: the table (and its rows) would not be the same` };
  if ((base.dailyStats?.sql ?? '') !== (head.dailyStats?.sql ?? '')) return { ok: false, why: `${head.dailyStats?.name ?? 'schema/optional/daily-stats-view.sql'} differs between the sides: the view's rows would not be the same` };
  return { ok: true };
}

/** Whether the sides' functions (schema/0xx files besides the table and indexes) differ: then each block applies its side's. */
export function functionsDiffer(base: SchemaPlan, head: SchemaPlan): boolean {
  const text = (s: SchemaPlan) => s.functions.map((f) => `${path.basename(f.name)}\n${f.sql}`).join('\n');
  return text(base) !== text(head);
}
