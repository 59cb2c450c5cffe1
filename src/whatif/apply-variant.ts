// Applies a schema variant to a dataset inside the caller's transaction, which is rolled back afterwards.
//
// Why swap indexes on the same rows instead of seeding a dataset per variant: the variants then differ in
// their indexes and nothing else (the same heap pages, the same statistics, the same cache state), and the
// dataset cache stays honest without a new fingerprint: the committed dataset is never changed, every variant
// lives only inside a transaction that ROLLBACK undoes (DDL is transactional in Postgres). The cost is an index
// build per variant and an ACCESS EXCLUSIVE lock on the dataset's executions table while a variant is measured
// (another execbench process waits, as it does for seeding).
import pg from 'pg';
import { describePgError } from '../errors.ts';
import type { SchemaVariant } from './types.ts';
import { VariantError } from './variants.ts';

/**
 * Applies `variant` on `client`, which must hold an open transaction with search_path at the dataset.
 * replace: every index of executions that backs no constraint is dropped first. Returns the indexes created.
 */
export async function applyVariant(client: pg.ClientBase, variant: SchemaVariant): Promise<string[]> {
  if (variant.mode === 'replace') await dropUnconstrainedIndexes(client);
  const created: string[] = [];
  for (const statement of variant.statements) {
    await client.query('SAVEPOINT execbench_variant_statement');
    try {
      await client.query(statement.sql);
      await client.query('RELEASE SAVEPOINT execbench_variant_statement');
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT execbench_variant_statement');
      throw new VariantError(`Variant '${variant.name}' failed at ${statement.file} line ${statement.line}: ${describePgError(error)}. Fix that statement.`, statement.file, statement.line);
    }
    if (statement.kind === 'create') created.push(statement.index);
    else if (created.includes(statement.index)) created.splice(created.indexOf(statement.index), 1);
  }
  // An index built over broken HOT chains is invisible to the transaction that built it (indcheckxmin):
  // the variant would be measured without it. The table is vacuumed before, so this should never happen.
  const hidden = await hiddenIndexes(client, created);
  if (hidden.length > 0) {
    throw new VariantError(`Variant '${variant.name}': ${hidden.join(', ')} cannot be used by the transaction that built it (broken HOT chains, pg_index.indcheckxmin); VACUUM executions and run again.`, variant.files[0] ?? variant.name, undefined);
  }
  return created;
}

/** Drops every index of executions that backs no constraint (the caller's transaction undoes it). */
export async function dropUnconstrainedIndexes(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'executions'::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`);
  for (const { name } of rows) await client.query(`DROP INDEX ${pg.escapeIdentifier(name)}`);
}

/**
 * Indexes of executions (among `names`, or all) built over broken HOT chains: invisible to the transaction that built
 * them (pg_index.indcheckxmin), so a plan there would be measured without them.
 */
export async function hiddenIndexes(client: pg.ClientBase, names?: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'executions'::regclass AND i.indcheckxmin AND ($1::text[] IS NULL OR c.relname = ANY($1))`, [names ?? null]);
  return rows.map((r) => r.name);
}
