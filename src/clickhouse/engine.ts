// The one interface every way of reaching ClickHouse implements: embedded (chdb, in-process), a server by URL, and
// the two-shard cluster (a server whose `executions` is a Distributed table). Statements go in as text; reads come
// back as FORMAT JSON, whose `statistics.elapsed` is ClickHouse's own clock on every version reachable here.
import { ExecbenchError, EXIT } from '../errors.ts';
import type { ClickHouseVersion } from './features.ts';

/** How execbench reaches ClickHouse. */
export type EngineKind = 'embedded' | 'server' | 'cluster';

/** One read's rows and both clocks. */
export interface SelectReply<Row> {
  rows: Row[];
  /** ClickHouse's own elapsed time for the query, ms (FORMAT JSON statistics, or chdb's result), when it says. */
  serverMs: number | undefined;
  /** The caller's wall clock around the call, ms: a round trip for a server, a function call for chdb. */
  clientMs: number;
}

/** An open connection to one ClickHouse (or the first server of a cluster). */
export interface ClickHouseEngine {
  readonly kind: EngineKind;
  /** One line for the console and the reports, e.g. "embedded (chdb 3.4.0, ClickHouse 26.7.2.1)". */
  readonly label: string;
  readonly version: ClickHouseVersion;
  /** DDL and other statements without a result. */
  command(sql: string): Promise<void>;
  /** A SELECT; FORMAT JSON is appended here, so `sql` has no FORMAT clause. */
  select<Row>(sql: string): Promise<SelectReply<Row>>;
  /** Bulk TabSeparated rows into `table` (PostgreSQL's COPY text format is read as it is). */
  insertTabSeparated(table: string, source: AsyncIterable<Buffer>): Promise<void>;
  /** Releases the connection or the in-process session. */
  close(): Promise<void>;
}

/** A ClickHouse error: the engine's message, its code when it gave one, and the statement (first line). */
export class ClickHouseError extends ExecbenchError {
  constructor(message: string, readonly code: number | undefined, readonly sql: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { cause: options.cause, exitCode: options.exitCode ?? EXIT.harness });
  }
}

/** ClickHouse error codes that mean "this server does not know this", which a newer one would. */
const TOO_OLD_CODES: Readonly<Record<number, string>> = { 46: 'function', 50: 'type', 115: 'setting', 62: 'syntax' };

/**
 * A ClickHouse error as one line, translated in one place: an unknown function, type or setting on an old
 * server says the server is too old for the query and names the missing thing.
 */
export function describeClickHouseError(message: string, version: ClickHouseVersion): { line: string; code: number | undefined; tooOld: boolean } {
  const codeMatch = /Code:\s*(\d+)/.exec(message);
  const code = codeMatch ? Number(codeMatch[1]) : undefined;
  const first = message.split('\n')[0]!.replace(/\s+/g, ' ').trim().slice(0, 300);
  const kind = code !== undefined ? TOO_OLD_CODES[code] : undefined;
  if (kind !== undefined && kind !== 'syntax') {
    const name = /(?:Unknown|unknown)[^`'"]*[`'"]([^`'"]+)[`'"]/.exec(message)?.[1];
    return { line: `ClickHouse ${version.text} does not know the ${kind}${name ? ` '${name}'` : ''} this query needs (Code ${code}): run it on a newer server (chdb's is 26.x). ${first}`, code, tooOld: true };
  }
  return { line: first, code, tooOld: false };
}

/** The JSON body of FORMAT JSON: rows under data, ClickHouse's clock under statistics.elapsed (seconds). */
export interface JsonFormatBody<Row> {
  data: Row[];
  statistics?: { elapsed?: number };
}

export function elapsedMsOf(body: JsonFormatBody<unknown>): number | undefined {
  const s = body.statistics?.elapsed;
  return typeof s === 'number' && Number.isFinite(s) ? s * 1000 : undefined;
}
