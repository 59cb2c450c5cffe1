// `execbench db`: start (or reach) the server, print how to connect, keep it up until Ctrl-C.
import { once } from 'node:events';
import pg from 'pg';
import type { ProviderOptions } from '../db/provider.ts';
import { withDatabase } from '../db/with-database.ts';
import { resolvePgstattuple } from '../audit/bloat.ts';
import { EXIT } from '../errors.ts';
import { ensureStatementsExtension, probeStatements } from '../runner/server-clock.ts';

/** Keeps a server up and prints its URL (with password) and a psql line until SIGINT/SIGTERM; returns the exit code. */
export async function runDbCommand(options: ProviderOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  await withDatabase(
    options,
    async (db, signal) => {
      options.log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
      // A server execbench started is its own: the extensions a run would create there are created now, because runs
      // against the printed URL (CI's base and head) treat it as a user's server, which execbench never changes:
      // without them their server clock would fall back to EXPLAIN and the audit would have no pgstattuple.
      if (db.kind !== 'url') await createOwnExtensions(db.connectionString, options.log);
      const schemas = await datasetSchemas(db.connectionString);
      out.write(`${db.connectionString}\n`);
      out.write(`psql "${db.connectionString}"\n`);
      if (schemas.length > 0) {
        out.write(`Datasets: ${schemas.join(', ')} (e.g. SET search_path TO ${schemas[0]};)\n`);
      } else {
        out.write('No datasets yet: run `execbench seed --scale 100k` against this server to create one.\n');
      }
      if (db.kind === 'url') {
        out.write('This is your own server; execbench did not start it and leaves it running.\n');
        return;
      }
      out.write('Press Ctrl-C to stop the server.\n');
      // An AbortSignal holds the event loop open no more than a pending promise does: with an embedded server its
      // child process did, but with a container nothing of ours is left, and Node ended the process right here
      // (exit 13, an unsettled top-level await) without stopping the container. A timer holds it until the signal.
      const keepAlive = setInterval(() => {}, 60_000);
      try {
        if (!signal.aborted) await once(signal, 'abort');
      } finally {
        clearInterval(keepAlive);
      }
      options.log('execbench: stopping Postgres...');
    },
    { exitOnSignal: false },
  );
  return EXIT.ok;
}

/** The execbench_* schemas (seeded datasets) in the database, so the user knows what to look at. */
async function datasetSchemas(connectionString: string): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'execbench\\_%' ORDER BY nspname`,
    );
    return rows.map((r) => r.nspname);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * pg_stat_statements (the server clock; preloaded wherever execbench starts a server) and pgstattuple (the audit),
 * created as a run creates them in its own server (ensureStatementsExtension, resolvePgstattuple); what could not
 * be had is said in one line each.
 */
async function createOwnExtensions(connectionString: string, log: (line: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    await ensureStatementsExtension(client);
    const statements = await probeStatements(client);
    if (!statements.available) log(`execbench: ${statements.why}; runs against this server time the server with EXPLAIN instead.`);
    const pgstattuple = await resolvePgstattuple(client, true);
    if (!pgstattuple.available) log(`execbench: ${pgstattuple.reason}; runs against this server go without it.`);
  } finally {
    await client.end().catch(() => {});
  }
}
