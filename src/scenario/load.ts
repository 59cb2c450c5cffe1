// Finds scenario modules, checks their shape, and selects them by name or glob.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ScenarioError, UsageError } from '../errors.ts';
import type { ScenarioDefinition } from './define.ts';

/** A scenario with its id (the file name without extension). */
export interface LoadedScenario {
  id: string;
  file: string;
  definition: ScenarioDefinition;
}

export const DEFAULT_SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** Loads every scenarios/*.ts module, sorted by id; a malformed one names the file and what was expected. */
export async function loadScenarios(dir: string = DEFAULT_SCENARIO_DIR): Promise<LoadedScenario[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const loaded: LoadedScenario[] = [];
  for (const file of files) {
    const id = file.replace(/\.(ts|js|mjs)$/, '');
    const full = path.join(dir, file);
    const mod = (await import(pathToFileURL(full).href)) as { default?: unknown };
    loaded.push({ id, file: full, definition: validateScenario(mod.default, `scenarios/${file}`, id) });
  }
  return loaded;
}

/** Checks a module's default export; throws ScenarioError naming the file and the first problem. */
export function validateScenario(value: unknown, file: string, id: string): ScenarioDefinition {
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
