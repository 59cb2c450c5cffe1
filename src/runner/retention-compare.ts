// The spec's "faster retention cleanup (drop old partitions instead of DELETE)", measured side by side on the same rows:
// the corrected batched DELETE on an unpartitioned copy against DETACH PARTITION + DROP TABLE on a partitioned copy
// (and DETACH ... CONCURRENTLY where the layout allows it). Removing rows is only honest when it commits (dead tuples,
// bloat and WAL are what a commit leaves), so both copies are scratch schemas of execbench's own, marked, built for the
// measurement and dropped after it; the dataset and the cached partitioned copy are never touched.
//
// Per method: time to remove one month, WAL bytes written, the strongest lock the remover held on executions (sampled
// from another session every few ms) and for how long, dead tuples and heap size left behind; then, with a writer
// inserting one execution every few ms, ingestion's latency while the same method removes the next month.
// Samples and facts only; describeRetention() turns them into words.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { describePgError } from '../errors.ts';
import { datasetLockKey, inspectSchema, MARKER_TABLE } from '../seed/dataset.ts';
import type { DatasetInfo } from '../seed/types.ts';
import { OwnershipError } from '../errors.ts';
import { ensureTableVariant } from '../whatif/table-variant.ts';
import type { SchemaVariant } from '../whatif/types.ts';
import { median } from './statistics.ts';

/** One removal of one month. */
export interface RemovalRun {
  method: 'batched-delete' | 'detach-drop' | 'detach-concurrently-drop';
  month: string;
  rowsRemoved: number;
  ms: number;
  walBytes: number;
  /** Batches (DELETE) or statements (DETACH, DROP) run. */
  statements: number;
  /** Strongest lock mode the remover was seen holding on executions, and the time it was seen holding any, ms. */
  strongestLock: string | null;
  lockHeldMs: number;
  /** Heap bytes of executions (all partitions) and dead tuples after the removal, before any VACUUM. */
  heapBytesBefore: number;
  heapBytesAfter: number;
  deadTuplesAfter: number;
  /** A VACUUM after the removal (what the DELETE still owes), ms; null when none was run. */
  vacuumMs: number | null;
  /** Ingestion while this removal ran (the writer's INSERT latencies), when measured with a writer. */
  ingest?: { samples: number; p50Ms: number; p99Ms: number; maxMs: number; aloneP50Ms: number; aloneMaxMs: number };
}

export interface RetentionFacts {
  scale: string;
  rows: number;
  months: string[];
  runs: RemovalRun[];
  /** DETACH ... CONCURRENTLY while the DEFAULT partition exists: PostgreSQL's refusal. */
  concurrentWithDefault: { error: string } | { ok: true };
}

/** executions and, when partitioned, its partitions (pg_partition_tree lists nothing for a plain table). */
const TABLES = `SELECT 'executions'::regclass UNION SELECT relid FROM pg_partition_tree('executions'::regclass) WHERE isleaf`;

/** Inserts per second the writer aims at while a removal runs (one client, a short sleep between inserts). */
const WRITER_PAUSE_MS = 5;

/** Measures retention both ways on scratch copies of `dataset`, then drops them. */
export async function measureRetention(
  connectionString: string, dataset: DatasetInfo, partitioned: SchemaVariant, log: (line: string) => void,
): Promise<RetentionFacts> {
  const heapSchema = `${dataset.schema}_retention_heap`;
  const partSchema = `${dataset.schema}_retention_part`;
  const admin = await connect(connectionString);
  try {
    await admin.query('SELECT pg_advisory_lock_shared(hashtext($1))', [datasetLockKey(dataset.schema)]);
    log(`[${dataset.request.scale.label}] retention: an unpartitioned copy in ${heapSchema}`);
    await buildHeapCopy(admin, dataset, heapSchema);
    log(`[${dataset.request.scale.label}] retention: a partitioned copy in ${partSchema}`);
    await ensureTableVariant(connectionString, dataset, partitioned, log, { schemaName: partSchema });
    const months = (await admin.query<{ m: string }>(
      `SELECT DISTINCT to_char(date_trunc('month', started_at), 'YYYY-MM-DD') AS m FROM ${q(heapSchema)}.executions WHERE started_at IS NOT NULL ORDER BY 1`)).rows.map((r) => r.m);
    if (months.length < 3) throw new Error(`retention: the dataset spans ${months.length} month(s); three are needed`);
    const runs: RemovalRun[] = [];
    // The writer's executions start in the month after the data (the partition made ahead), never in one being removed.
    const ingestAt = `${monthAfter(months.at(-1)!)}T01:00:00Z`;
    // Month 1 alone (time and WAL are the removal's own), month 2 with the writer (ingestion while it runs).
    runs.push(await batchedDelete(connectionString, heapSchema, months[0]!, monthAfter(months[0]!), false, log));
    runs.push(await batchedDelete(connectionString, heapSchema, months[1]!, monthAfter(months[1]!), ingestAt, log));
    runs.push(await detachDrop(connectionString, partSchema, months[0]!, false, false));
    log(`  DETACH + DROP of ${months[0]!.slice(0, 7)}: ${runs.at(-1)!.rowsRemoved.toLocaleString('en-US')} rows`);
    runs.push(await detachDrop(connectionString, partSchema, months[1]!, ingestAt, false));
    log(`  DETACH + DROP of ${months[1]!.slice(0, 7)} with a writer: ${runs.at(-1)!.rowsRemoved.toLocaleString('en-US')} rows`);
    let concurrentWithDefault: RetentionFacts['concurrentWithDefault'];
    const c = await connect(connectionString, partSchema);
    try {
      const third = await partitionFor(c, months[2]!);
      await c.query(`ALTER TABLE executions DETACH PARTITION ${q(third)} CONCURRENTLY`);
      concurrentWithDefault = { ok: true };
    } catch (error) {
      concurrentWithDefault = { error: describePgError(error) };
    } finally {
      await c.end();
    }
    if ('error' in concurrentWithDefault) {
      // What the layout would need for it: no DEFAULT partition (the never-started rows somewhere else).
      const d = await connect(connectionString, partSchema);
      try {
        await d.query('ALTER TABLE executions DETACH PARTITION executions_default');
      } finally {
        await d.end();
      }
      runs.push(await detachDrop(connectionString, partSchema, months[2]!, ingestAt, true));
    }
    const rows = dataset.counts.totalRows;
    return { scale: dataset.request.scale.label, rows, months: months.slice(0, 3), runs, concurrentWithDefault };
  } finally {
    for (const schema of [heapSchema, partSchema]) {
      const state = await inspectSchema(admin, schema).catch(() => undefined);
      if (state?.kind === 'ours') await admin.query(`DROP SCHEMA ${q(schema)} CASCADE`).catch(() => undefined);
    }
    await admin.end().catch(() => undefined);
  }
}

/** An unpartitioned copy with the dataset's indexes and primary key, vacuumed. */
async function buildHeapCopy(client: pg.Client, dataset: DatasetInfo, schema: string): Promise<void> {
  const state = await inspectSchema(client, schema);
  if (state.kind === 'foreign') throw new OwnershipError(`Schema "${schema}" exists but has no execbench marker table; execbench never drops what it did not create. Drop or rename it yourself.`);
  if (state.kind === 'ours') await client.query(`DROP SCHEMA ${q(schema)} CASCADE`);
  await client.query('BEGIN');
  await client.query(`CREATE SCHEMA ${q(schema)}`);
  await client.query(`CREATE TABLE ${q(schema)}.${MARKER_TABLE} (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      generator_version text NOT NULL, fingerprint text NOT NULL, derived_from text NOT NULL, status text NOT NULL)`);
  await client.query(`COMMENT ON TABLE ${q(schema)}.${MARKER_TABLE} IS 'execbench ownership marker: a scratch copy for the retention measurement, dropped after it'`);
  await client.query(`INSERT INTO ${q(schema)}.${MARKER_TABLE} VALUES (true, 'scratch', 'scratch', $1, 'loading')`, [dataset.schema]);
  await client.query('COMMIT');
  await client.query(`CREATE TABLE ${q(schema)}.executions AS SELECT * FROM ${q(dataset.schema)}.executions`);
  const defs = await client.query<{ def: string; name: string; primary: boolean }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS def, c.relname AS name, i.indisprimary AS primary
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass`, [`${dataset.schema}.executions`]);
  for (const d of defs.rows) {
    await client.query(d.def.replace(` ON ${q(dataset.schema)}.executions `, ` ON ${q(schema)}.executions `).replace(` ON ${dataset.schema}.executions `, ` ON ${q(schema)}.executions `));
    if (d.primary) await client.query(`ALTER TABLE ${q(schema)}.executions ADD CONSTRAINT ${q(d.name)} PRIMARY KEY USING INDEX ${q(d.name)}`);
  }
  await client.query(`VACUUM (ANALYZE) ${q(schema)}.executions`);
  await client.query(`UPDATE ${q(schema)}.${MARKER_TABLE} SET status = 'ready'`);
}

/** The corrected batch (scenarios/retention-cleanup-batch.ts) for every tenant, until the month is empty. */
async function batchedDelete(connectionString: string, schema: string, from: string, to: string, withWriter: string | false, log: (line: string) => void): Promise<RemovalRun> {
  return remove(connectionString, schema, 'batched-delete', from, withWriter, async (c) => {
    const tenants = (await c.query<{ t: string }>(`SELECT DISTINCT tenant_id AS t FROM executions WHERE started_at >= $1 AND started_at < $2`, [from, to])).rows.map((r) => r.t);
    let statements = 0;
    let removed = 0;
    for (const tenant of tenants) {
      for (;;) {
        // The month's rows only: a lower bound too, so an earlier month already removed is not searched again.
        const r = await c.query(`DELETE FROM executions WHERE id IN (
            SELECT id FROM executions WHERE tenant_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at ASC LIMIT 1000)`, [tenant, from, to]);
        statements += 1;
        removed += r.rowCount ?? 0;
        if ((r.rowCount ?? 0) < 1000) break;
      }
    }
    log(`  batched DELETE of ${from.slice(0, 7)}: ${removed.toLocaleString('en-US')} rows in ${statements} batches`);
    return { statements, removed };
  }, true);
}

async function detachDrop(connectionString: string, schema: string, month: string, withWriter: string | false, concurrently: boolean): Promise<RemovalRun> {
  return remove(connectionString, schema, concurrently ? 'detach-concurrently-drop' : 'detach-drop', month, withWriter, async (c) => {
    const partition = await partitionFor(c, month);
    const removed = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${q(partition)}`)).rows[0]!.n);
    if (concurrently) {
      // CONCURRENTLY cannot run in a transaction block; its weaker lock is held long enough for the monitor to see.
      await c.query(`ALTER TABLE executions DETACH PARTITION ${q(partition)} CONCURRENTLY`);
      await c.query(`DROP TABLE ${q(partition)}`);
      return { statements: 2, removed };
    }
    // A plain DETACH holds its lock for a few milliseconds, less than the monitor's polling can promise to catch on
    // a busy machine: the session also reads the locks it holds on executions right after the DETACH, before its
    // commit releases them (one round trip more inside the lock).
    await c.query('BEGIN');
    await c.query(`ALTER TABLE executions DETACH PARTITION ${q(partition)}`);
    const held = await c.query<{ mode: string }>(`SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND granted AND relation = 'executions'::regclass`);
    await c.query('COMMIT');
    await c.query(`DROP TABLE ${q(partition)}`);
    return { statements: 2, removed, locks: held.rows.map((r) => r.mode) };
  }, false);
}

/** Runs `body` (the removal) on its own session while a monitor samples its locks and, optionally, a writer inserts. */
async function remove(
  connectionString: string, schema: string, method: RemovalRun['method'], month: string, withWriter: string | false,
  body: (client: pg.Client) => Promise<{ statements: number; removed: number; locks?: string[] }>, vacuumAfter: boolean,
): Promise<RemovalRun> {
  const remover = await connect(connectionString, schema);
  const monitor = await connect(connectionString, schema);
  const writer = withWriter ? await connect(connectionString, schema) : undefined;
  const ingestAt = withWriter || '';
  try {
    const pid = (await remover.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const heapBytes = async () => Number((await monitor.query<{ b: string }>(
      `SELECT coalesce(sum(pg_relation_size(r)), 0) AS b FROM (${TABLES}) t(r)`)).rows[0]!.b);
    const heapBytesBefore = await heapBytes();
    let ingest: RemovalRun['ingest'];
    let stopWriter = false;
    const during: number[] = [];
    let writing: Promise<void> | undefined;
    let aloneSamples: number[] = [];
    if (writer) {
      await writer.query(`CREATE TEMP TABLE execbench_ingest_row AS SELECT * FROM executions WHERE started_at IS NOT NULL ORDER BY started_at DESC LIMIT 1`);
      await writer.query(`UPDATE execbench_ingest_row SET started_at = $1::timestamptz`, [ingestAt]);
      const insertOne = async () => {
        await writer.query(`UPDATE execbench_ingest_row SET id = gen_random_uuid(), execution_id = 'execbench-ingest-' || gen_random_uuid()`);
        const t0 = performance.now();
        await writer.query('INSERT INTO executions SELECT * FROM execbench_ingest_row');
        return performance.now() - t0;
      };
      // The writer alone first: its latency without a removal running.
      const aloneUntil = performance.now() + 2_000;
      while (performance.now() < aloneUntil) {
        aloneSamples.push(await insertOne());
        await sleep(WRITER_PAUSE_MS);
      }
      writing = (async () => {
        while (!stopWriter) {
          during.push(await insertOne());
          await sleep(WRITER_PAUSE_MS);
        }
      })();
    }
    const lsn0 = (await monitor.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]!.l;
    const modes: string[] = [];
    let heldMs = 0;
    let monitoring = true;
    // A DETACH holds its lock for milliseconds: poll back to back there; a DELETE's seconds of batches every 2 ms
    // (back-to-back polling would compete with the batches it watches).
    const pollMs = method === 'batched-delete' ? 2 : 0;
    const watching = (async () => {
      let last = performance.now();
      while (monitoring) {
        const r = await monitor.query<{ mode: string }>(
          `SELECT l.mode FROM pg_locks l WHERE l.pid = $1 AND l.granted AND l.relation = 'executions'::regclass`, [pid]);
        const now = performance.now();
        if (r.rows.length > 0) { modes.push(...r.rows.map((x) => x.mode)); heldMs += now - last; }
        last = now;
        if (pollMs > 0) await sleep(pollMs);
      }
    })();
    const t0 = performance.now();
    const { statements, removed, locks } = await body(remover);
    const ms = performance.now() - t0;
    monitoring = false;
    await watching;
    modes.push(...(locks ?? []));
    const lsn1 = (await monitor.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]!.l;
    const walBytes = Number((await monitor.query<{ d: string }>('SELECT pg_wal_lsn_diff($1, $2) AS d', [lsn1, lsn0])).rows[0]!.d);
    stopWriter = true;
    await writing;
    if (writer) {
      const sorted = [...during].sort((a, b) => a - b);
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      ingest = { samples: during.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? 0, aloneP50Ms: median(aloneSamples), aloneMaxMs: Math.max(...aloneSamples) };
      aloneSamples = [];
    }
    // Dead tuples as the statistics see them: flush this backend's counters first (PostgreSQL 15+), then read.
    await remover.query('SELECT pg_stat_force_next_flush()').catch(() => undefined);
    await remover.query('SELECT 1');
    const dead = Number((await monitor.query<{ n: string }>(
      `SELECT coalesce(sum(n_dead_tup), 0) AS n FROM pg_stat_user_tables WHERE relid IN (${TABLES})`)).rows[0]!.n);
    const heapBytesAfter = await heapBytes();
    let vacuumMs: number | null = null;
    if (vacuumAfter) {
      const v0 = performance.now();
      await remover.query('VACUUM executions');
      vacuumMs = performance.now() - v0;
    }
    const strength = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
    const strongest = modes.length > 0 ? modes.reduce((a, b) => (strength.indexOf(b) > strength.indexOf(a) ? b : a)) : null;
    return {
      method, month: month.slice(0, 7), rowsRemoved: removed, ms, walBytes, statements, strongestLock: strongest, lockHeldMs: heldMs,
      heapBytesBefore, heapBytesAfter, deadTuplesAfter: dead, vacuumMs, ...(ingest ? { ingest } : {}),
    };
  } finally {
    await remover.end().catch(() => undefined);
    await monitor.end().catch(() => undefined);
    await writer?.end().catch(() => undefined);
  }
}

async function partitionFor(client: pg.ClientBase, month: string): Promise<string> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'executions'::regclass AND pg_get_expr(c.relpartbound, c.oid) LIKE $1`, [`FOR VALUES FROM ('${month}%`]);
  if (!rows[0]) throw new Error(`retention: no partition starts at ${month}`);
  return rows[0].name;
}

function monthAfter(month: string): string {
  const d = new Date(`${month}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

async function connect(connectionString: string, schema?: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: 'execbench-retention' });
  client.on('error', () => {});
  await client.connect();
  await client.query(`SET TimeZone TO 'UTC'${schema ? `; SET search_path TO ${q(schema)}` : ''}`);
  return client;
}

function q(name: string): string {
  return pg.escapeIdentifier(name);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pure: the comparison in words, one line per finding. */
export function describeRetention(facts: RetentionFacts): string[] {
  const byMethod = (m: RemovalRun['method'], ingest: boolean) => facts.runs.find((r) => r.method === m && Boolean(r.ingest) === ingest);
  const del = byMethod('batched-delete', false);
  const drop = byMethod('detach-drop', false);
  const delW = byMethod('batched-delete', true);
  const dropW = byMethod('detach-drop', true);
  const conc = facts.runs.find((r) => r.method === 'detach-concurrently-drop');
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  const s = (msv: number) => (msv >= 1000 ? `${(msv / 1000).toFixed(1)} s` : `${msv.toFixed(1)} ms`);
  const words: string[] = [];
  if (del && drop) {
    words.push(`One month removed at ${facts.scale}: batched DELETE ${del.rowsRemoved.toLocaleString('en-US')} rows in ${del.statements} batches, ${s(del.ms)}, ${mb(del.walBytes)} of WAL; ` +
      `DETACH + DROP of the month's partition (${drop.rowsRemoved.toLocaleString('en-US')} rows) ${s(drop.ms)}, ${mb(drop.walBytes)} of WAL: ${(del.ms / drop.ms).toFixed(0)}x the time and ${(del.walBytes / Math.max(1, drop.walBytes)).toFixed(0)}x the WAL for the DELETE.`);
    words.push(`Left behind: the DELETE leaves ${del.deadTuplesAfter.toLocaleString('en-US')} dead tuples and the heap at ${mb(del.heapBytesAfter)} (was ${mb(del.heapBytesBefore)}) until VACUUM (${del.vacuumMs === null ? 'not run' : s(del.vacuumMs)}, which makes the space reusable but does not shrink the files); ` +
      `DROP leaves ${drop.deadTuplesAfter.toLocaleString('en-US')} dead tuples and the heap at ${mb(drop.heapBytesAfter)} (was ${mb(drop.heapBytesBefore)}).`);
    words.push(`Locks on executions: the DELETE holds ${del.strongestLock ?? 'none seen'} (readers and writers go on) for ${s(del.lockHeldMs)} in all, batch by batch; DETACH holds ${drop.strongestLock ?? 'none seen'} (every reader and writer of executions waits) for ${s(drop.lockHeldMs)}.`);
  }
  for (const r of [delW, dropW, conc]) {
    if (!r?.ingest) continue;
    const i = r.ingest;
    words.push(`Ingestion while ${r.method} removed ${r.month} (${s(r.ms)}): INSERT p50 ${i.p50Ms.toFixed(2)} ms, p99 ${i.p99Ms.toFixed(2)} ms, max ${i.maxMs.toFixed(1)} ms over ${i.samples} inserts (alone: p50 ${i.aloneP50Ms.toFixed(2)} ms, max ${i.aloneMaxMs.toFixed(1)} ms).`);
  }
  words.push('error' in facts.concurrentWithDefault
    ? `DETACH PARTITION ... CONCURRENTLY with the DEFAULT partition (the never-started rows) in place: refused ("${facts.concurrentWithDefault.error}").${conc ? ` With the DEFAULT partition detached first, it ran in ${s(conc.ms)} holding ${conc.strongestLock ?? 'no lock seen'} on executions.` : ''}`
    : 'DETACH PARTITION ... CONCURRENTLY ran with the DEFAULT partition in place.');
  return words;
}
