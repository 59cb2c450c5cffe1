// The session settings of every execbench connection to a dataset. pgbench, where execbench runs it beside its own
// clock, gets the same ones: a statement_timeout arms and disarms a timer around every statement on the server.
import pg from 'pg';
import { datasetLockKey } from '../seed/dataset.ts';
import { timedSocket } from './sampler.ts';

/** A hung query must not hang the run: nothing execbench measures should take a minute. */
export const STATEMENT_TIMEOUT_MS = 120_000;

export const SESSION_SETTINGS: Readonly<Record<string, string>> = { TimeZone: 'UTC', statement_timeout: String(STATEMENT_TIMEOUT_MS) };

/**
 * Opens a client on a dataset schema, UTC, with a statement timeout. Without TLS its socket is the sampler's timed
 * socket (arrivals stamped at Node's first callback); with TLS node-pg's own, timed at its 'data' events.
 */
export async function connectToDataset(connectionString: string, schema: string): Promise<pg.Client> {
  // node-pg decides TLS from the URL and PGSSLMODE when a client is made: ask it (this one never connects).
  const tls = Boolean((new pg.Client({ connectionString }) as unknown as { ssl?: unknown }).ssl);
  const client = new pg.Client({ connectionString, ...(tls ? {} : { stream: timedSocket }) });
  await client.connect();
  try {
    await client.query(
      `SET search_path TO ${pg.escapeIdentifier(schema)}; ${Object.entries(SESSION_SETTINGS).map(([k, v]) => `SET ${k} TO '${v}'`).join('; ')}`);
  } catch (error) {
    await client.end();
    throw error;
  }
  return client;
}

/**
 * Before a dataset is measured on `client`: its shared advisory lock (held until the client ends: another execbench
 * process waits before rebuilding it), then statistics fresh and the table clean. Rolled-back writes of an earlier run
 * (upserts, cleanup batches, the audit's write cost) leave dead heap tuples and index entries until VACUUM, which would
 * add buffers to the next run's reads and make two runs of unchanged code differ; INDEX_CLEANUP ON, as with only a few
 * dead tuples VACUUM would otherwise skip the indexes (PG 14+). Then a CHECKPOINT flushes what VACUUM dirtied now,
 * rather than the background writer during the first measurements (it needs superuser or pg_checkpoint on a user's
 * server: without it, carry on).
 */
export async function prepareDatasetSession(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock_shared(hashtext($1))', [datasetLockKey(schema)]);
  await withoutStatementTimeout(client, async () => {
    await client.query('VACUUM (ANALYZE, INDEX_CLEANUP ON) executions');
    await client.query('CHECKPOINT').catch(() => undefined);
  });
}

/**
 * Maintenance that grows with the table (VACUUM, REINDEX, a variant's CREATE INDEX: minutes at 10M rows) is not a
 * measured statement: the session's statement timeout is lifted for it and put back after (also inside a transaction,
 * where SET is undone only by a rollback).
 */
export async function withoutStatementTimeout<T>(client: pg.ClientBase, body: () => Promise<T>): Promise<T> {
  await client.query('SET statement_timeout = 0');
  try {
    return await body();
  } finally {
    await client.query(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}`).catch(() => undefined);
  }
}
