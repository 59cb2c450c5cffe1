// Finds scenario modules (the built-in scenarios/ and a team's --queries folders), checks their shape and that
// their params functions run, and selects them by name or glob.
import { resolveExecbenchToSelf } from './resolve-self.ts';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ScenarioError, UsageError } from '../errors.ts';
import { checkReadableDir } from '../paths.ts';
import { checkScenarioParams, lineInStack } from './check.ts';
import type { LoadedScenario, ScenarioDefinition } from './define.ts';
import { isTeamQuery, teamQueryScenario } from './query.ts';

// Declared in define.ts, where check.ts reads it too; re-exported for the modules that load scenarios.
export type { LoadedScenario } from './define.ts';

export const DEFAULT_SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

const MODULE_FILE = /\.(ts|mts|js|mjs)$/;

/**
 * Loads every module of a folder (default: the built-in scenarios/), sorted by id; a malformed one, or one whose
 * params function fails with a dry picker, names the file (and line) and what was expected (ScenarioError, exit 3).
 */
export async function loadScenarios(dir: string = DEFAULT_SCENARIO_DIR): Promise<LoadedScenario[]> {
  const builtIn = path.resolve(dir) === path.resolve(DEFAULT_SCENARIO_DIR);
  const files = (await readdir(dir)).filter((f) => MODULE_FILE.test(f) && !f.endsWith('.d.ts')).sort();
  const loaded: LoadedScenario[] = [];
  for (const file of files) {
    const id = file.replace(MODULE_FILE, '');
    const full = path.join(dir, file);
    const label = builtIn ? `scenarios/${file}` : displayPath(full);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(full).href)) as { default?: unknown };
    } catch (error) {
      // A syntax error (esbuild names file:line:column in its message) or an exception while the module runs.
      const line = lineInStack(error, full);
      throw new ScenarioError(`Cannot load '${label}${line !== undefined ? `:${line}` : ''}': ${oneLine(error)}`, id);
    }
    const scenario = { id, file: full, label, definition: validateScenario(mod.default, label, id) };
    checkScenarioParams(scenario);
    loaded.push(scenario);
  }
  return loaded;
}

/**
 * The built-in scenarios and, after them, every module of the team's --queries folders. An id (file name) defined
 * twice is refused naming both files: the id is how --scenario, the reports and a baseline find a query.
 */
export async function loadScenarioSet(options: { queryDirs?: readonly string[]; builtInDir?: string } = {}): Promise<LoadedScenario[]> {
  // Every folder is checked before any is loaded: a typo in the second one fails before the first one's code runs.
  const dirs: string[] = [];
  for (const dir of options.queryDirs ?? []) {
    dirs.push(await checkReadableDir(dir, { label: '--queries', fix: 'Give a folder of query files (one defineQuery file per query, docs/add-a-query.md), e.g. --queries execbench/queries.' }));
  }
  if (dirs.length > 0) resolveExecbenchToSelf();
  const all = await loadScenarios(options.builtInDir ?? DEFAULT_SCENARIO_DIR);
  for (const [i, dir] of dirs.entries()) {
    const mine = await loadScenarios(dir);
    if (mine.length === 0) {
      throw new UsageError(`--queries '${options.queryDirs![i]}' holds no query files (*.ts, *.mts, *.js, *.mjs). Put one defineQuery file per query there (docs/add-a-query.md).`);
    }
    all.push(...mine);
  }
  const seen = new Map<string, LoadedScenario>();
  for (const s of all) {
    const first = seen.get(s.id);
    if (first) {
      throw new ScenarioError(`Scenario id '${s.id}' is defined twice: ${first.label} and ${s.label}. The file name is the id: rename one of them.`, s.id);
    }
    seen.set(s.id, s);
  }
  return all;
}

/** A path as the user would type it: relative to the working folder when it is below it, else absolute. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}

/** An error's message on one line, at most 400 characters. */
function oneLine(error: unknown): string {
  const text = String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, ' ').trim();
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

/** Checks a module's default export (a scenario, or a team's query); throws ScenarioError naming the file and the first problem. */
export function validateScenario(value: unknown, file: string, id: string): ScenarioDefinition {
  // A team's own query has fields of its own (no spec, no documented form): checked by its own rules.
  if (isTeamQuery(value)) return teamQueryScenario(value, file, id);
  const fail = (what: string, got: unknown): never => {
    throw new ScenarioError(`Invalid scenario '${file}': expected ${what}, received ${describe(got)}`, id);
  };
  if (typeof value !== 'object' || value === null) fail('a default export built with defineScenario({...})', value);
  const s = value as Record<string, unknown>;
  if (typeof s.title !== 'string' || s.title === '') fail('title (non-empty string)', s.title);
  if (typeof s.spec !== 'string' || s.spec === '') fail('spec (the spec section, a string)', s.spec);
  if (!['read', 'write', 'statement'].includes(s.kind as string)) fail("kind ('read' | 'write' | 'statement')", s.kind);
  for (const formName of ['documented', 'corrected'] as const) {
    const form = s[formName] as Record<string, unknown> | undefined;
    if (form === undefined && formName === 'corrected') continue;
    if (typeof form !== 'object' || form === null) fail(`${formName} ({ sql, params })`, form);
    if (typeof form!.sql !== 'string' || form!.sql.trim() === '') fail(`${formName}.sql (string)`, form!.sql);
    if (typeof form!.params !== 'function') fail(`${formName}.params (a function of the picker)`, form!.params);
    if (formName === 'corrected' && typeof form!.why !== 'string') fail('corrected.why (one sentence, string)', form!.why);
  }
  if (typeof s.expect !== 'object' || s.expect === null) fail('expect (a plan contract object)', s.expect);
  if (s.thresholds !== null) {
    const t = s.thresholds as Record<string, { p95Ms?: unknown; clock?: unknown }> | undefined;
    for (const scale of ['100k', '1m']) {
      if (typeof t?.[scale]?.p95Ms !== 'number') fail(`thresholds['${scale}'].p95Ms (number) or thresholds: null`, t?.[scale]?.p95Ms);
      // Every threshold names its clock: a JavaScript scenario file could otherwise leave it out unnoticed.
      if (t?.[scale]?.clock !== 'server' && t?.[scale]?.clock !== 'client') fail(`thresholds['${scale}'].clock ('server' or 'client')`, t?.[scale]?.clock);
    }
  }
  return value as ScenarioDefinition;
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.slice(0, 40)}'`;
  return typeof v;
}

/**
 * Selects scenarios by exact ids or globs (* and ?). An exact name that matches nothing, or a
 * glob that matches nothing, is a UsageError that lists what exists.
 */
export function selectScenarios(all: LoadedScenario[], patterns: string[]): LoadedScenario[] {
  if (patterns.length === 0) return all;
  const chosen = new Set<string>();
  for (const pattern of patterns.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const re = globToRegExp(pattern);
    const hits = all.filter((s) => re.test(s.id));
    if (hits.length === 0) {
      const kind = /[*?]/.test(pattern) ? `No scenario matches the glob '${pattern}'` : `Unknown scenario '${pattern}'`;
      throw new UsageError(`${kind}. Available: ${all.map((s) => s.id).join(', ')}.`);
    }
    hits.forEach((s) => chosen.add(s.id));
  }
  return all.filter((s) => chosen.has(s.id));
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
