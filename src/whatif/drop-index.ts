// Shared by the ablation (whatif) and the gate proof (bench:gate): which scenarios an index matters to, and
// running something with that index dropped inside a transaction or savepoint that is always rolled back.
import { performance } from 'node:perf_hooks';
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

/**
 * Paired samples of one query with and without `index`, alternating (with, without, without, with, ...): each
 * "without" drops the index in a savepoint, runs, and rolls back, so both sides see the same machine load. For a
 * ratio that drift on a shared machine cannot fake. `run` returns the time of one execution, ms.
 */
export async function pairedDropSamples(
  client: pg.ClientBase, index: { name: string; isPrimary: boolean }, run: (i: number) => Promise<number>, pairs: number, budgetMs: number,
): Promise<{ withMs: number[]; withoutMs: number[] }> {
  const withMs: number[] = [];
  const withoutMs: number[] = [];
  const deadline = performance.now() + budgetMs;
  // One unmeasured run of each: the first read of an index or heap page costs more than the rest.
  await run(0);
  await withIndexDropped(client, index, true, () => run(0));
  for (let i = 1; i <= pairs && (i <= 5 || performance.now() < deadline); i++) {
    const withIt = () => run(i).then((ms) => { withMs.push(ms); });
    const without = () => withIndexDropped(client, index, true, () => run(i)).then((ms) => { withoutMs.push(ms); });
    if (i % 2 === 0) { await withIt(); await without(); } else { await without(); await withIt(); }
  }
  return { withMs, withoutMs };
}
