// Write cost of the index set: the time to ingest one batch into executions with all its indexes vs with the
// primary key only, each inside a transaction that is rolled back.
//
// Method (also written into the report): one batch of `rows` rows is copied once from existing rows
// (spread over the table by a hash of id, repeated when the table is smaller than the batch) into a
// session temp table, with fresh ids (gen_random_uuid()) and fresh execution_ids, so no unique index
// conflicts. Then, `repetitions` times and alternating which goes first:
// - all indexes:  BEGIN; INSERT INTO executions SELECT * FROM batch; ROLLBACK
// - primary key:  BEGIN; DROP INDEX every index not backing a constraint; INSERT ...; ROLLBACK
// Dropping the indexes inside the rolled-back transaction (instead of inserting into a separate
// primary-key-only table) keeps everything else equal: the same heap, the same primary key tree of the
// same size, the same WAL. DROP INDEX takes an ACCESS EXCLUSIVE lock on the table until the rollback;
// lock_timeout bounds the wait. One unmeasured warm-up pair runs first. Only the INSERT is timed
// (client round trip, performance.now()); the medians and their ratio are reported.
// Aborted inserts leave dead tuples in the heap and every index until VACUUM, so this runs last in the
// audit and the table is vacuumed afterwards (VACUUM, as the spec's Maintenance §1 recommends).
import { performance } from 'node:perf_hooks';
import type { AuditClient } from './catalog.ts';
import { quoteIdentifier } from './catalog.ts';
import type { WriteCost } from './types.ts';

export interface WriteCostOptions {
  /** Rows per batch (default 10 000). */
  rows?: number;
  /** Measured repetitions per variant (default 5). */
  repetitions?: number;
  /** VACUUM the table afterwards to reclaim the aborted rows (default true). */
  vacuumAfter?: boolean;
}

const BATCH_TABLE = 'execbench_audit_batch';

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeInsert(client: AuditClient, target: string, dropIndexes: readonly string[], schema: string, nested = false): Promise<number> {
  // Nested: the caller holds a transaction (a schema variant being measured); a savepoint undoes the drops and rows.
  await client.query(nested ? 'SAVEPOINT execbench_write_cost' : 'BEGIN');
  try {
    if (!nested) await client.query(`SET LOCAL lock_timeout = '10s'`);
    for (const name of dropIndexes) await client.query(`DROP INDEX ${quoteIdentifier(schema)}.${quoteIdentifier(name)}`);
    const started = performance.now();
    await client.query(`INSERT INTO ${target} SELECT * FROM pg_temp.${BATCH_TABLE}`);
    return performance.now() - started;
  } finally {
    await client.query(nested ? 'ROLLBACK TO SAVEPOINT execbench_write_cost; RELEASE SAVEPOINT execbench_write_cost' : 'ROLLBACK');
  }
}

/** Options of measureInsertSets. */
export interface InsertSetOptions {
  rows?: number;
  repetitions?: number;
  /** The caller holds a transaction: savepoints instead of BEGIN/ROLLBACK, and no VACUUM afterwards. */
  nested?: boolean;
}

/**
 * The same batch inserted with different index sets: `sets` maps a label to the indexes dropped for it (inside
 * the rolled-back scope). Each set is timed `repetitions` times after one warm-up (the first two back to back,
 * alternating, the rest rotating), with the same batch-building method as measureWriteCost. Returns the samples per label, ms.
 */
export async function measureInsertSets(
  client: AuditClient, schema: string, table: string, sets: Record<string, readonly string[]>, options: InsertSetOptions = {},
): Promise<Record<string, number[]>> {
  const rows = options.rows ?? 10_000;
  const repetitions = options.repetitions ?? 3;
  const nested = options.nested ?? false;
  const target = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  await buildBatch(client, target, rows);
  try {
    const labels = Object.keys(sets);
    const samples: Record<string, number[]> = Object.fromEntries(labels.map((l) => [l, []]));
    for (const label of labels) await timeInsert(client, target, sets[label]!, schema, nested);
    // The first two sets (the ones compared with each other, e.g. all indexes vs primary key only) run back to
    // back, alternating which goes first; the others rotate after them.
    const [a, b, ...rest] = labels;
    for (let i = 0; i < repetitions; i++) {
      const order = [...(i % 2 === 0 ? [a, b] : [b, a]), ...rest.map((_, k) => rest[(k + i) % rest.length])].filter((l): l is string => l !== undefined);
      for (const label of order) samples[label]!.push(await timeInsert(client, target, sets[label]!, schema, nested));
    }
    return samples;
  } finally {
    await client.query(`DROP TABLE IF EXISTS pg_temp.${BATCH_TABLE}`);
  }
}

/** Copies `rows` existing rows (fresh ids and execution_ids, so no unique index conflicts) into the batch temp table. */
async function buildBatch(client: AuditClient, target: string, rows: number): Promise<void> {
  const { rows: countRows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${target}`);
  const existing = Number(countRows[0]?.n ?? 0);
  if (existing === 0) throw new Error(`${target} is empty: the write-cost batch is copied from existing rows, so seed it first.`);
  const copies = Math.ceil(rows / existing);
  await client.query(`DROP TABLE IF EXISTS pg_temp.${BATCH_TABLE}`);
  await client.query(`CREATE TEMP TABLE ${BATCH_TABLE} AS SELECT * FROM ${target} LIMIT 0`);
  await client.query(
    `INSERT INTO pg_temp.${BATCH_TABLE}
     SELECT e.* FROM ${target} e CROSS JOIN generate_series(1, $1::int) AS copy(n)
      ORDER BY hashtext(e.id::text || copy.n::text) LIMIT $2::int`,
    [copies, rows],
  );
  await client.query(
    `UPDATE pg_temp.${BATCH_TABLE}
        SET id = gen_random_uuid(),
            execution_id = CASE WHEN execution_id IS NULL THEN NULL ELSE 'execbench-audit-' || gen_random_uuid()::text END`,
  );
  await client.query(`ANALYZE pg_temp.${BATCH_TABLE}`);
}

/**
 * Measures the ingest cost of `schema.table`'s indexes. `droppable` lists the indexes to drop for the
 * primary-key-only variant (every index that does not back a constraint).
 */
export async function measureWriteCost(
  client: AuditClient,
  schema: string,
  table: string,
  droppable: readonly string[],
  options: WriteCostOptions = {},
): Promise<WriteCost> {
  const rows = options.rows ?? 10_000;
  const repetitions = options.repetitions ?? 5;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`Write-cost batch size must be a positive integer, got ${rows}.`);
  if (!Number.isInteger(repetitions) || repetitions < 1) throw new Error(`Write-cost repetitions must be a positive integer, got ${repetitions}.`);
  const target = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;

  try {
    await buildBatch(client, target, rows);

    await timeInsert(client, target, [], schema);
    await timeInsert(client, target, droppable, schema);
    const allIndexes: number[] = [];
    const primaryKeyOnly: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      if (i % 2 === 0) {
        allIndexes.push(await timeInsert(client, target, [], schema));
        primaryKeyOnly.push(await timeInsert(client, target, droppable, schema));
      } else {
        primaryKeyOnly.push(await timeInsert(client, target, droppable, schema));
        allIndexes.push(await timeInsert(client, target, [], schema));
      }
    }
    const allIndexesMedianMs = median(allIndexes);
    const primaryKeyOnlyMedianMs = median(primaryKeyOnly);
    return {
      rows,
      repetitions,
      allIndexesMedianMs,
      primaryKeyOnlyMedianMs,
      allIndexesSamplesMs: allIndexes,
      primaryKeyOnlySamplesMs: primaryKeyOnly,
      ratio: allIndexesMedianMs / primaryKeyOnlyMedianMs,
      indexesDropped: [...droppable],
      method:
        `A batch of ${rows} rows copied from existing rows (new id and execution_id) was inserted into ${schema}.${table} ` +
        `${repetitions} times with all indexes and ${repetitions} times after DROP INDEX of the ${droppable.length} ` +
        `indexes that back no constraint (primary key kept), each in its own transaction that was rolled back, ` +
        `alternating the order, after one warm-up of each; the INSERT statement alone was timed on the client ` +
        `and the medians compared.`,
    };
  } finally {
    await client.query(`DROP TABLE IF EXISTS pg_temp.${BATCH_TABLE}`);
    if (options.vacuumAfter ?? true) await client.query(`VACUUM ${target}`);
  }
}
