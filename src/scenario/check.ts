// Checks that loaded scenarios can run, before any server starts. Their params functions are called with a dry
// picker (stand-in values, the real helpers), so a helper that does not exist, a helper given a bad argument or one
// used without its parentheses is named with its file and line; and the indexes their plan contracts expect are
// looked up in the schema being judged, so a typo reads "no such index", not "the expected index is not used".
// Every error is a ScenarioError: exit 3, one line, nothing started.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ScenarioError } from '../errors.ts';
import { editDistance } from '../did-you-mean.ts';
import { createParamPicker, dryParamPools } from '../runner/params.ts';
import { DATASET_SHAPE } from '../seed/config.ts';
import type { LoadedScenario, ParamPicker } from './define.ts';

/** A misuse of the picker, found by the dry picker. */
class PickerMisuse extends Error {}

/** The picker's helpers, from the picker itself: a helper added to ParamPicker is listed here without a second list. */
export const PICKER_HELPERS: readonly string[] = Object.keys(createParamPicker(dryParamPools(DATASET_SHAPE.time.anchor), 0));

/**
 * A ParamPicker over stand-in values that refuses what the real one would get wrong silently or fail on late:
 * an unknown helper (pick.hoursBeforeAnchor), workflow() with neither 'popular' nor 'rare' (the real picker would
 * quietly take the rare one), a number of days or a rank that is not a number.
 */
export function createDryPicker(anchor: string = DATASET_SHAPE.time.anchor): ParamPicker {
  const real = createParamPicker(dryParamPools(anchor), 0);
  const checked: ParamPicker = {
    ...real,
    workflow: (kind) => {
      if (kind !== 'popular' && kind !== 'rare') throw new PickerMisuse(`pick.workflow(${JSON.stringify(kind)}): give 'popular' or 'rare'`);
      return real.workflow(kind);
    },
    daysBeforeAnchor: (days) => {
      if (typeof days !== 'number' || !Number.isFinite(days)) throw new PickerMisuse(`pick.daysBeforeAnchor(${JSON.stringify(days) ?? String(days)}): give a number of days, e.g. pick.daysBeforeAnchor(1) for 24 hours before pick.anchor()`);
      return real.daysBeforeAnchor(days);
    },
    environment: (rank) => {
      if (rank !== undefined && !(Number.isInteger(rank) && rank >= 0)) throw new PickerMisuse(`pick.environment(${JSON.stringify(rank)}): give a rank 0, 1, 2 ... (0 = busiest) or nothing`);
      return real.environment(rank);
    },
  };
  return new Proxy(checked, {
    get(target, property, receiver) {
      // Symbols (inspection, coercion) and 'then' (an accidental await) are not helper lookups.
      if (typeof property !== 'string' || property === 'then' || property in target) return Reflect.get(target, property, receiver);
      throw new PickerMisuse(`pick.${property} is not a picker helper; the helpers are ${PICKER_HELPERS.join(', ')} (src/scenario/define.ts ParamPicker)`);
    },
  });
}

/**
 * Calls every form's params function with the dry picker. Throws ScenarioError naming `label:line` (the line from
 * the error's stack) and the problem; a params function that returns no array, or a helper itself (its parentheses
 * forgotten), names the file.
 */
export function checkScenarioParams(scenario: LoadedScenario, anchor?: string): void {
  const { definition, label, file, id } = scenario;
  const forms = (['documented', 'corrected'] as const).filter((form) => definition[form] !== undefined);
  for (const form of forms) {
    // A team query has one form, its own: no form name in its messages.
    const what = definition.origin === 'team' || forms.length === 1 ? 'params' : `${form}.params`;
    let values: unknown;
    try {
      values = definition[form]!.params(createDryPicker(anchor));
    } catch (error) {
      const line = lineInStack(error, file);
      const where = `${label}${line !== undefined ? `:${line}` : ''}`;
      const message = (error as Error)?.message ?? String(error);
      throw new ScenarioError(error instanceof PickerMisuse ? `${where}: ${message}` : `${where}: ${what}(pick) threw before any server started: ${message}`, id);
    }
    if (!Array.isArray(values)) {
      throw new ScenarioError(`${label}: ${what} must return an array of values for $1, $2 ..., returned ${values === null ? 'null' : typeof values}`, id);
    }
    const helper = values.findIndex((v) => typeof v === 'function');
    if (helper >= 0) {
      // The helpers are named functions (tenant, environment, ...): name the one whose parentheses were forgotten.
      const name = (values[helper] as { name?: string }).name;
      const hint = name && PICKER_HELPERS.includes(name) ? `: write pick.${name}(), not pick.${name}` : ': a helper without its parentheses?';
      throw new ScenarioError(`${label}: ${what} returns a function as $${helper + 1}${hint}`, id);
    }
  }
}

/** The line of `file` an error was thrown from, read from its stack (tsx maps TypeScript lines back to the source). */
export function lineInStack(error: unknown, file: string): number | undefined {
  const stack = String((error as Error)?.stack ?? '');
  const names = [pathToFileURL(file).href, file];
  for (const frame of stack.split('\n').slice(1)) {
    for (const name of names) {
      const at = frame.indexOf(`${name}:`);
      if (at < 0) continue;
      const line = /^:(\d+)/.exec(frame.slice(at + name.length));
      if (line) return Number(line[1]);
    }
  }
  return undefined;
}

/**
 * Every index the scenarios' plan contracts expect (expect.indexes) must exist in the schema being judged: a typo
 * would otherwise surface, after seeding, as "the expected index is not used". Throws one ScenarioError (exit 3)
 * naming file and line of every unknown name, a near known name where there is one, and the known names.
 * `where` says which schema, e.g. 'the seeded schema (schema/*.sql, schema/optional/*.sql)' or 'public.executions'.
 */
export function checkExpectedIndexes(scenarios: readonly LoadedScenario[], knownIndexNames: Iterable<string>, where: string): void {
  const known = [...new Set(knownIndexNames)].sort();
  const knownSet = new Set(known);
  const problems: string[] = [];
  for (const s of scenarios) {
    for (const name of s.definition.expect.indexes ?? []) {
      if (knownSet.has(name)) continue;
      const line = lineOfName(s.file, name);
      const near = nearest(name, known);
      problems.push(`${s.label}${line !== undefined ? `:${line}` : ''}: expect.indexes names ${name}: no such index in ${where}${near ? ` (did you mean ${near}?)` : ''}`);
    }
  }
  if (problems.length === 0) return;
  const first = scenarios.find((s) => (s.definition.expect.indexes ?? []).some((n) => !knownSet.has(n)))!;
  throw new ScenarioError(`${problems.join('; ')}. The indexes there: ${known.length > 0 ? known.join(', ') : 'none'}.`, first.id);
}

/** The first line of a file that quotes `name` (or, failing that, mentions it); undefined when the file does not. */
function lineOfName(file: string, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const quoted = lines.findIndex((l) => [`'${name}'`, `"${name}"`, `\`${name}\``].some((q) => l.includes(q)));
  if (quoted >= 0) return quoted + 1;
  const word = new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`);
  const mentioned = lines.findIndex((l) => word.test(l));
  return mentioned >= 0 ? mentioned + 1 : undefined;
}

/** The known name closest to a misspelt one, when it is close enough to be what was meant. */
function nearest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 5)) ? best.name : undefined;
}

