// Shared by the ablation (whatif) and the gate proof (bench:gate): which scenarios an index matters to, and
// running something with that index dropped inside a transaction or savepoint that is always rolled back.
import pg from 'pg';
import type { ScenarioResult } from '../results.ts';
import type { LoadedScenario } from '../scenario/load.ts';

/** The scenarios that expect `index` in their contract, or whose plan in `results` used it. */
export function scenariosNeedingIndex(scenarios: readonly LoadedScenario[], results: readonly ScenarioResult[], index: string): LoadedScenario[] {
  return scenarios.filter((s) =>
    s.definition.expect.indexes?.includes(index) ||
    results.some((r) => r.scenarioId === s.id && r.plan?.indexes.some((u) => u.index === index)));
}

/**
 * Runs fn with `index` dropped, then undoes the drop whatever happens. On a client outside a transaction it
 * opens one (BEGIN ... ROLLBACK); `nested` (the caller holds a transaction, e.g. a variant being measured)
 * uses a savepoint that is rolled back and released. The primary key is dropped as its constraint.
 */
export async function withIndexDropped<T>(
  client: pg.ClientBase, index: { name: string; isPrimary: boolean }, nested: boolean, fn: () => Promise<T>,
): Promise<T> {
  await client.query(nested ? 'SAVEPOINT execbench_drop_index' : 'BEGIN');
  try {
    await client.query(index.isPrimary
      ? `ALTER TABLE executions DROP CONSTRAINT ${pg.escapeIdentifier(index.name)}`
      : `DROP INDEX ${pg.escapeIdentifier(index.name)}`);
    return await fn();
  } finally {
    await client.query(nested ? 'ROLLBACK TO SAVEPOINT execbench_drop_index; RELEASE SAVEPOINT execbench_drop_index' : 'ROLLBACK');
  }
}
