// ClickHouse in-process through chdb (its native library ships inside npm packages: ClickHouse 26.x, no download
// outside the registry). chdb is installed on demand, not by default: its library is 566 MB, more than the rest of
// node_modules together (docs/clickhouse.md has the measurements), and only `--engine clickhouse` needs it.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.ts';
import { describeClickHouseError, ClickHouseError, elapsedMsOf, type ClickHouseEngine, type JsonFormatBody, type SelectReply } from './engine.ts';
import { parseClickHouseVersion } from './features.ts';

/** The chdb release execbench is tested with; the install line names it. */
export const CHDB_VERSION = '3.4.0';
/**
 * Where `npm run chdb:install` puts chdb: outside node_modules, so `npm ci` (which empties node_modules) keeps it and
 * one install serves every checkout. EXECBENCH_CHDB_DIR overrides it.
 */
export function chdbDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.EXECBENCH_CHDB_DIR || path.join(homedir(), '.cache', 'execbench', `chdb-${CHDB_VERSION}`));
}
export const CHDB_INSTALL = 'npm run chdb:install';

/** The part of chdb's API execbench uses (declared here: chdb is not a dependency, so its types may be absent). */
interface ChdbResult { readonly elapsed: number; text(): string }
interface ChdbSession {
  queryAsync(query: string, opts?: { format?: string }): Promise<ChdbResult>;
  insert(params: { table: string; values: AsyncIterable<Buffer>; format: 'TabSeparated' }): Promise<{ rowsWritten: number }>;
  close(): void;
}
interface ChdbModule {
  Session: new (path?: string, opts?: { installSignalHandlers?: boolean }) => ChdbSession;
  version(): { chdb: string };
}

/** Loads chdb, or says in one line how to get it (exit 3: nothing was started or written). */
export async function loadChdb(): Promise<ChdbModule> {
  // chdb in node_modules (a user's own install) first, else where chdb:install put it. A variable specifier, so the
  // compiler does not require chdb's types on machines without it.
  const installed = path.join(chdbDir(), 'node_modules', 'chdb', 'index.mjs');
  const specifier = existsSync(path.join(process.cwd(), 'node_modules', 'chdb')) || !existsSync(installed) ? 'chdb' : pathToFileURL(installed).href;
  try {
    return (await import(specifier)) as ChdbModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new UsageError(`The embedded ClickHouse engine needs chdb, which is not installed (on demand: its native library is 566 MB). Run: ${CHDB_INSTALL} (once, into ${chdbDir()}), or give --clickhouse-url to use a server.`, { cause: error });
    }
    throw new UsageError(`chdb is installed but its native library did not load (${(error as Error).message.split('\n')[0]}). Reinstall it: ${CHDB_INSTALL}, or give --clickhouse-url.`, { cause: error });
  }
}

/** Whether chdb can be loaded here (tests skip the embedded engine with this reason when it cannot). */
export async function chdbUnavailableReason(): Promise<string | undefined> {
  try {
    await loadChdb();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Opens chdb on a data folder (kept between runs, so a copy that matches its dataset is reused). chdb allows one
 * session per process: close it before opening another. "In-process" means the client clock has no socket in it:
 * it is ClickHouse's work plus handing the JSON result to JavaScript, so it flatters chdb against any server.
 */
export async function openEmbeddedEngine(dataDir: string): Promise<ClickHouseEngine> {
  const chdb = await loadChdb();
  await mkdir(dataDir, { recursive: true });
  // chdb's own signal handlers would fight execbench's (which stop what it started and exit 130/143).
  const session = new chdb.Session(dataDir, { installSignalHandlers: false });
  const fail = (error: unknown, sql: string): never => {
    const { line, code, tooOld } = describeClickHouseError((error as Error).message ?? String(error), version);
    throw new ClickHouseError(line, code, sql, { cause: error, ...(tooOld ? { exitCode: 3 } : {}) });
  };
  let version = parseClickHouseVersion('0.0');
  const raw = await session.queryAsync('SELECT version() AS v', { format: 'JSONEachRow' });
  version = parseClickHouseVersion((JSON.parse(raw.text()) as { v: string }).v);
  return {
    kind: 'embedded',
    label: `embedded (chdb ${chdb.version().chdb}, ClickHouse ${version.text}, in-process)`,
    version,
    async command(sql) {
      try { await session.queryAsync(sql); } catch (error) { fail(error, sql); }
    },
    async select<Row>(sql: string): Promise<SelectReply<Row>> {
      const started = performance.now();
      try {
        const result = await session.queryAsync(sql, { format: 'JSON' });
        const body = JSON.parse(result.text()) as JsonFormatBody<Row>;
        const clientMs = performance.now() - started;
        return { rows: body.data, serverMs: elapsedMsOf(body) ?? result.elapsed * 1000, clientMs };
      } catch (error) {
        return fail(error, sql);
      }
    },
    async insertTabSeparated(table, source) {
      try { await session.insert({ table, values: source, format: 'TabSeparated' }); } catch (error) { fail(error, `INSERT INTO ${table}`); }
    },
    async close() {
      session.close();
    },
  };
}
