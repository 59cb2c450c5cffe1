// The url provider: a server the user already runs. execbench only connects and reads the version here;
// it never creates or drops anything in the user's database (the seeder works in its own schema there).
import pg from 'pg';
import { DatabaseError, UsageError, describePgError } from '../errors.ts';
import type { Database } from './provider.ts';

/** Options for connectUrl. */
export interface UrlProviderOptions {
  databaseUrl: string;
  /** Where the URL came from (the connection error's fix names it). */
  databaseUrlFrom?: '--database-url' | 'DATABASE_URL';
  /** One sentence: why this provider was chosen (set by select.ts). */
  reason?: string;
  /** How long to wait for the server to answer. */
  connectTimeoutMs?: number;
}

/** Connects to the user's server, checks it answers, reads its version; stop() is a no-op. */
export async function connectUrl(options: UrlProviderOptions): Promise<Database> {
  const url = parseDatabaseUrl(options.databaseUrl);
  const version = await readServerVersion(options.databaseUrl, {
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    hint: options.databaseUrlFrom === 'DATABASE_URL' ? 'unset DATABASE_URL to use a server execbench starts' : 'omit --database-url to use the embedded server',
    url,
  });
  return {
    kind: 'url',
    reason: options.reason ?? `--provider url: using the server at ${hostPort(url)} (${redactUrl(options.databaseUrl)}).`,
    connectionString: options.databaseUrl,
    serverVersion: version.serverVersion,
    serverVersionNum: version.serverVersionNum,
    appliedSettings: {},
    stop: async () => {},
  };
}

/** Checks the URL's shape; a malformed one is a UsageError that names it (password masked). */
export function parseDatabaseUrl(databaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    // WHATWG URL refuses a port over 65535 outright: name it rather than the whole shape.
    const port = /^[a-z]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)(?:[/?#]|$)/i.exec(databaseUrl)?.[1];
    if (port !== undefined && Number(port) > 65535) {
      throw new UsageError(`Invalid database URL '${redactUrl(databaseUrl)}': port '${port}' is not a TCP port (1-65535).`);
    }
    throw new UsageError(`Invalid database URL '${redactUrl(databaseUrl)}': expected postgres://user:password@host:port/database.`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`Invalid database URL '${redactUrl(databaseUrl)}': it must start with postgres:// or postgresql://, e.g. postgres://user:password@host:5432/database.`);
  }
  if (url.port !== '' && !(Number(url.port) > 0 && Number(url.port) < 65536)) {
    throw new UsageError(`Invalid database URL '${redactUrl(databaseUrl)}': port '${url.port}' is not a TCP port.`);
  }
  // node-postgres percent-decodes the user, password and database: a stray % would fail there, as "URI malformed".
  for (const [part, value] of [['user name', url.username], ['password', url.password], ['database name', url.pathname]] as const) {
    try {
      decodeURIComponent(value);
    } catch {
      throw new UsageError(`Invalid database URL '${redactUrl(databaseUrl)}': its ${part} has a '%' that is not percent-encoding; write a literal % as %25.`);
    }
  }
  return url;
}

/** The URL with its password replaced by ***, for messages and logs. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Not a URL at all: mask anything that looks like user:password@.
    return databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/** host:port of a postgres URL, with the defaults node-postgres uses. */
export function hostPort(url: URL): string {
  const host = url.hostname || 'localhost';
  return `${host}:${url.port || '5432'}`;
}

/** Connects once, reads server_version and server_version_num, and translates failures into one line. */
export async function readServerVersion(
  connectionString: string,
  options: { connectTimeoutMs?: number; hint?: string; url?: URL } = {},
): Promise<{ serverVersion: string; serverVersionNum: number }> {
  const url = options.url ?? parseDatabaseUrl(connectionString);
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
  // A server that drops the connection later must not crash the process with an unhandled 'error'.
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string; server_version_num: string }>(
      `SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS server_version_num`,
    );
    const row = rows[0]!;
    return { serverVersion: row.server_version, serverVersionNum: Number(row.server_version_num) };
  } catch (error) {
    throw new DatabaseError(describeConnectionError(error, url, options.hint), { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

/** A connection failure as one line: what was found, where, and how to fix it. */
export function describeConnectionError(error: unknown, url: URL, hint = 'omit --database-url to use the embedded server'): string {
  const at = hostPort(url);
  const code = errorCode(error);
  const user = decodeURIComponent(url.username) || 'the default user';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'the default database';
  switch (code) {
    case 'ECONNREFUSED':
      return `Cannot reach Postgres at ${at} (ECONNREFUSED). Start it, or ${hint}.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot resolve host '${url.hostname}' (${code}). Check the host name in the database URL, or ${hint}.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `Cannot reach Postgres at ${at} (${code}). Check the host, port and firewall, or ${hint}.`;
    case '28P01':
      return `Postgres at ${at} rejected the login (28P01 ${describePgError(error)}). Fix the password for user '${user}' in the database URL.`;
    case '28000':
      return `Postgres at ${at} rejected the login (28000 ${describePgError(error)}). Check pg_hba.conf and the user '${user}' in the database URL.`;
    case '3D000':
      return `Postgres at ${at} has no database '${database}' (3D000). Create it (createdb ${database}) or name an existing one in the database URL.`;
    default: {
      const message = (error as Error)?.message ?? String(error);
      if (/timeout/i.test(message)) {
        return `Timed out connecting to Postgres at ${at}. Check the host, port and firewall, or ${hint}.`;
      }
      return `Cannot connect to Postgres at ${at}: ${describePgError(error).split('\n')[0]}.`;
    }
  }
}

/** The error's code; Node reports a dual-stack refusal as an AggregateError whose parts carry it. */
function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; errors?: { code?: string }[] } | undefined;
  return e?.code ?? e?.errors?.find((inner) => inner?.code)?.code;
}
