// Before execbench builds a dataset in a server it did not start (the url provider): the role must be able to create
// a schema there, and the user must say yes (--yes, or `y` at a terminal). Until then nothing is created or dropped.
// Reusing a ready dataset needs neither.
import { createInterface } from 'node:readline';
import pg from 'pg';
import type { Database, ProviderOptions } from '../db/provider.ts';
import { hostPort } from '../db/url.ts';
import { WriteRefusedError } from '../errors.ts';
import { formatBytes } from '../report/format.ts';
import { planDatasetWrites, type DatasetWritePlan } from './dataset.ts';
import type { DatasetRequest } from './types.ts';

import { estimateDatasetWrite } from './estimate.ts';

/** Asks a yes/no question; undefined where nobody can answer (no terminal). */
export type AskUser = (question: string) => Promise<boolean | undefined>;

/**
 * For a server execbench did not start: when any requested dataset must be created or rebuilt, checks the role may
 * create a schema there, then asks for consent (--yes, or `y` at a terminal); throws WriteRefusedError (exit 3) with
 * nothing written otherwise. A no-op for servers execbench started and for datasets that are reused.
 */
export async function confirmDatasetWrites(
  db: Pick<Database, 'kind' | 'connectionString'>,
  requests: DatasetRequest[],
  provider: Pick<ProviderOptions, 'yes' | 'databaseUrlFrom' | 'log'>,
  ask: AskUser = askAtTerminal,
  /** What the command writes after the dataset, named in the same question (load: its copy, dropped at the end). */
  then?: string,
): Promise<void> {
  if (db.kind !== 'url') return;
  const writes = (await planDatasetWrites(db, requests)).filter((plan) => plan.action !== 'reuse');
  if (writes.length === 0) return;
  const schemas = writes.map((w) => w.schema);
  const server = await readWriteRights(db.connectionString, writes.filter((w) => w.action === 'rebuild').map((w) => w.schema));
  const at = `database "${server.database}" at ${where(db.connectionString)}`;
  const otherServer = provider.databaseUrlFrom === 'DATABASE_URL'
    ? 'unset DATABASE_URL (or add --provider embedded) to use a server execbench starts'
    : 'omit --database-url to use a server execbench starts';

  if (!server.canCreate) {
    throw new WriteRefusedError(
      `Role "${server.role}" lacks the CREATE privilege on ${at}, which execbench needs to create its schema ${schemas.join(', ')} there; nothing was written. ` +
      `Have the database owner or a superuser run: GRANT CREATE ON DATABASE ${server.databaseIdent} TO ${server.roleIdent}; or ${otherServer}.`,
      schemas, server.database);
  }
  const notMine = server.foreignOwners[0];
  if (notMine) {
    throw new WriteRefusedError(
      `Cannot rebuild schema ${notMine.schema} in ${at}: it belongs to role "${notMine.owner}", and only its owner can drop it; nothing was written. ` +
      `Run as "${notMine.owner}", or have that role run \`execbench clean\` first.`, schemas, server.database);
  }

  const estimates = writes.map((w) => ({ ...w, ...estimateDatasetWrite(w.request) }));
  const total = estimates.reduce((sum, e) => sum + e.bytes, 0);
  const what = `${describeWrites(estimates)}, about ${formatBytes(total)}${then ? `, then ${then}` : ''}, in ${at} (${provider.databaseUrlFrom ?? 'the database URL'})`;
  if (provider.yes) {
    provider.log(`execbench: --yes: writing into a server execbench did not start: ${what}.`);
    return;
  }
  const answer = await ask(`execbench will ${what}, a server execbench did not start. Write there? [y/N] `);
  if (answer === true) return;
  throw new WriteRefusedError(
    `Nothing written${answer === false ? ' (you answered no)' : ''}: execbench would ${what}, a server it did not start, and does that only with your consent. ` +
    `Add --yes to allow it, or ${otherServer}.`, schemas, server.database);
}

/** 'create schemas execbench_100k (140,000 rows), execbench_1m (1,400,000 rows) and drop and rebuild schema ... (...; why)' */
function describeWrites(writes: (DatasetWritePlan & { rows: number })[]): string {
  const rows = (w: { rows: number }) => `${w.rows.toLocaleString('en-US')} rows`;
  const creates = writes.filter((w) => w.action === 'create').map((w) => `${w.schema} (${rows(w)})`);
  const rebuilds = writes.filter((w) => w.action === 'rebuild').map((w) => `${w.schema} (${rows(w)}; ${w.reason})`);
  const parts = [
    ...(creates.length > 0 ? [`create schema${creates.length > 1 ? 's' : ''} ${creates.join(', ')}`] : []),
    ...(rebuilds.length > 0 ? [`drop and rebuild schema${rebuilds.length > 1 ? 's' : ''} ${rebuilds.join(', ')}`] : []),
  ];
  return parts.join(' and ');
}

interface WriteRights {
  role: string;
  database: string;
  /** quote_ident'ed, for a GRANT the user can paste. */
  roleIdent: string;
  databaseIdent: string;
  canCreate: boolean;
  /** Schemas to rebuild that belong to a role the current one is not a member of (DROP would fail). */
  foreignOwners: { schema: string; owner: string }[];
}

async function readWriteRights(connectionString: string, rebuilds: string[]): Promise<WriteRights> {
  const client = new pg.Client({ connectionString, application_name: 'execbench-seed' });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ role: string; database: string; role_ident: string; database_ident: string; can_create: boolean }>(
      `SELECT current_user AS role, current_database() AS database, quote_ident(current_user) AS role_ident,
              quote_ident(current_database()) AS database_ident, has_database_privilege(current_database(), 'CREATE') AS can_create`);
    const owners = await client.query<{ schema: string; owner: string }>(
      `SELECT nspname AS schema, pg_get_userbyid(nspowner) AS owner FROM pg_namespace
       WHERE nspname = ANY($1::text[]) AND NOT pg_has_role(nspowner, 'MEMBER') ORDER BY nspname`, [rebuilds]);
    const row = rows[0]!;
    return {
      role: row.role, database: row.database, roleIdent: row.role_ident, databaseIdent: row.database_ident,
      canCreate: row.can_create, foreignOwners: owners.rows,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

function where(connectionString: string): string {
  try {
    return hostPort(new URL(connectionString));
  } catch {
    return 'the database URL';
  }
}

/** y/N at a terminal (stdin and stderr both TTYs); undefined elsewhere (CI, pipes), where only --yes consents. */
export const askAtTerminal: AskUser = (question) => {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return Promise.resolve(undefined);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    let settled = false;
    // The prompt owns the terminal: a Ctrl-C arrives here, not as a signal. Hand it to withDatabase's handler,
    // which ends the run as any Ctrl-C does (exit 130); this question is never answered.
    rl.on('SIGINT', () => {
      settled = true;
      rl.close();
      process.stderr.write('\n');
      process.emit('SIGINT', 'SIGINT');
    });
    // End of input (Ctrl-D) is a no.
    rl.on('close', () => { if (!settled) resolve(false); });
    rl.question(question, (answer) => {
      settled = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
};
