// The session settings of every execbench connection to a dataset. pgbench, where execbench runs it beside its own
// clock, gets the same ones: a statement_timeout arms and disarms a timer around every statement on the server.
import pg from 'pg';
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
