// Both sides' index sets on one table, inside the caller's transaction (rolled back at the end: the dataset is never
// changed). Every index of the dataset that backs no constraint is dropped; then each side's index files are applied
// and the indexes they made renamed execbench_ab_<side>_<n>, so the table holds both sets at once, each built from
// the same rows. A side's block runs in a savepoint that drops the other side's set (cheap: a catalog change) and is
// rolled back after the block. Both sides always drop a whole set, even when the two are identical (A/A): the sides
// are symmetric in everything but what the commits changed.
//
// Plans name the physical indexes; planFacts are renamed back to the names the side's files gave, so a plan that uses
// the same index on both sides reads the same.
import pg from 'pg';
import { describePgError, SchemaError } from '../errors.ts';
import type { PlanFacts } from '../plan/types.ts';
import { closeScope, openScope } from '../runner/scope.ts';
import { applySchemaFile, type SchemaFile } from '../seed/schema-files.ts';
import { dropUnconstrainedIndexes, hiddenIndexes } from '../whatif/apply-variant.ts';

export type AbRole = 'base' | 'head';

/** Each side's physical indexes and the names its files gave them. */
export interface AbIndexSets {
  /** physical name -> the name in that side's files, per side. */
  names: Record<AbRole, Map<string, string>>;
  /** Each side's functions files, applied in its blocks when the sides' differ (else empty). */
  functions: Record<AbRole, SchemaFile[]>;
}

const SAVEPOINT = 'execbench_ab_side';
const ident = (name: string) => pg.escapeIdentifier(name);

async function indexNames(client: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()`);
  return new Set(rows.map((r) => r.name));
}

/**
 * Builds both sets on `client`, which must hold an open transaction with search_path at the dataset (and an
 * ACCESS EXCLUSIVE lock follows from the DDL: other sessions wait for the transaction).
 */
export async function buildIndexSets(
  client: pg.ClientBase, files: Record<AbRole, SchemaFile[]>, functions: Record<AbRole, SchemaFile[]>,
): Promise<AbIndexSets> {
  await dropUnconstrainedIndexes(client);
  const names: AbIndexSets['names'] = { base: new Map(), head: new Map() };
  for (const role of ['base', 'head'] as const) {
    const before = await indexNames(client);
    for (const file of files[role]) {
      try {
        await applySchemaFile(client, file);
      } catch (error) {
        if (error instanceof SchemaError) throw new SchemaError(`The ${role} side's ${error.message}`, file.name, undefined, { cause: error });
        throw error;
      }
    }
    const made = [...(await indexNames(client))].filter((n) => !before.has(n)).sort();
    for (const [i, name] of made.entries()) {
      const physical = `execbench_ab_${role}_${i + 1}`;
      await client.query(`ALTER INDEX ${ident(name)} RENAME TO ${ident(physical)}`);
      names[role].set(physical, name);
    }
  }
  // An index built over broken HOT chains is invisible to the transaction that built it (the caller vacuums first).
  const hidden = await hiddenIndexes(client);
  if (hidden.length > 0) throw new SchemaError(`${hidden.join(', ')} cannot be used by the transaction that built it (broken HOT chains, pg_index.indcheckxmin): VACUUM the dataset's executions and run again.`, 'schema', undefined);
  return { names, functions };
}

/** Enters a side: a savepoint in which the other side's indexes are dropped (and this side's functions applied). */
async function enterSide(client: pg.ClientBase, sets: AbIndexSets, role: AbRole): Promise<void> {
  const other: AbRole = role === 'base' ? 'head' : 'base';
  await client.query(openScope(true, SAVEPOINT));
  try {
    const drops = [...sets.names[other].keys()].map((name) => `DROP INDEX ${ident(name)}`);
    if (drops.length > 0) await client.query(drops.join('; '));
    for (const file of sets.functions[role]) await applySchemaFile(client, file);
  } catch (error) {
    await client.query(closeScope(true, SAVEPOINT)).catch(() => undefined);
    throw new SchemaError(`Cannot enter the ${role} side: ${describePgError(error)}`, 'schema', undefined, { cause: error });
  }
}

/** Leaves a side: everything its block did is undone. */
async function leaveSide(client: pg.ClientBase): Promise<void> {
  await client.query(closeScope(true, SAVEPOINT));
}

/** Runs fn inside a side, always leaving it. */
export async function inSide<T>(client: pg.ClientBase, sets: AbIndexSets, role: AbRole, fn: () => Promise<T>): Promise<T> {
  await enterSide(client, sets, role);
  try {
    return await fn();
  } finally {
    await leaveSide(client);
  }
}

/** A plan's facts with the physical index names of a side renamed back to the names its files gave. Pure. */
export function renamePlanIndexes(plan: PlanFacts, names: ReadonlyMap<string, string>): PlanFacts {
  const rename = (text: string) => text.replace(/\bexecbench_ab_(base|head)_\d+\b/g, (m) => names.get(m) ?? m);
  return {
    ...plan,
    shape: rename(plan.shape),
    indexes: plan.indexes.map((u) => ({ ...u, index: rename(u.index) })),
  };
}
