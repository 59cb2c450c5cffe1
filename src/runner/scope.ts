// Scopes whose changes are always undone: what execbench runs around a write (or inside a caller's transaction).
import type pg from 'pg';

/**
 * Runs fn and returns its error instead of throwing. Writes always run in a rolled-back
 * transaction; inside a caller's transaction (nested) every statement gets a savepoint, because a
 * failed statement would otherwise abort the caller's whole transaction.
 */
export async function guarded(client: pg.ClientBase, write: boolean, nested: boolean, fn: () => Promise<unknown>): Promise<unknown> {
  if (write || nested) return inRolledBackTransaction(client, fn, nested);
  try {
    await fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * A scope whose changes are always undone: a transaction, or inside a caller's transaction a savepoint
 * that is rolled back AND released (a kept savepoint holds its locks until the caller's transaction ends).
 */
export function openScope(nested: boolean, name: string): string {
  return nested ? `SAVEPOINT ${name}` : 'BEGIN';
}

export function closeScope(nested: boolean, name: string): string {
  return nested ? `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}` : 'ROLLBACK';
}

/** BEGIN (or SAVEPOINT when nested); fn; ROLLBACK — always, also when fn fails. Returns fn's error, if any. */
export async function inRolledBackTransaction(client: pg.ClientBase, fn: () => Promise<unknown>, nested = false): Promise<unknown> {
  await client.query(openScope(nested, 'execbench_form'));
  try {
    await fn();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.query(closeScope(nested, 'execbench_form'));
  }
}
