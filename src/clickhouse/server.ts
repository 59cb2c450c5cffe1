// A ClickHouse server by URL through the official client (@clickhouse/client, HTTP interface). It works with
// Debian's 18.16 as well as current servers for what execbench sends: SELECT ... FORMAT JSON, DDL, and a
// streamed INSERT ... FORMAT TabSeparated (checked here against both; no query parameters, which 18.16 lacks).
import { Readable } from 'node:stream';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { UsageError } from '../errors.ts';
import { ClickHouseError, describeClickHouseError, elapsedMsOf, type ClickHouseEngine, type EngineKind, type JsonFormatBody, type SelectReply } from './engine.ts';
import { parseClickHouseVersion, type ClickHouseVersion } from './features.ts';

/** Checks a --clickhouse-url before anything starts: http(s), a host, a valid port. */
export function parseClickHouseUrl(raw: string, label = '--clickhouse-url'): URL {
  const fix = 'Give the HTTP interface of a ClickHouse server, e.g. http://127.0.0.1:8123, or omit it to use the embedded engine.';
  if (raw.trim() === '') throw new UsageError(`${label} was given no value (an unset variable?). ${fix}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`Invalid ${label} '${raw}': not a URL. ${fix}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`Invalid ${label} '${raw}': ${url.protocol.replace(':', '')} is not http or https (ClickHouse's HTTP interface, port 8123 by default). ${fix}`);
  return url;
}

/** Where the server is, without credentials, for messages. */
function where(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** Opens a server (or a cluster's first server, kind 'cluster') and reads its version; unreachable: one line, exit 2. */
export async function openServerEngine(rawUrl: string, kind: Exclude<EngineKind, 'embedded'> = 'server'): Promise<ClickHouseEngine & { url: URL }> {
  const url = parseClickHouseUrl(rawUrl);
  const client: ClickHouseClient = createClient({
    url: url.toString(),
    request_timeout: 600_000, // a bulk load of millions of rows is one request
    log: { level: ClickHouseLogLevel.OFF }, // failures become one line here, not a logged stack
  });
  let version: ClickHouseVersion;
  try {
    const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    version = parseClickHouseVersion(((await result.json()) as { v: string }[])[0]!.v);
  } catch (error) {
    await client.close().catch(() => {});
    const code = (error as { code?: string }).code;
    const reason = code ?? (error as Error).message.split('\n')[0];
    throw new ClickHouseError(`Cannot reach ClickHouse at ${where(url)} (${reason}). Start it (for the two-shard cluster: .ci/clickhouse-cluster start), or omit --clickhouse-url to use the embedded engine.`, undefined, 'SELECT version()', { cause: error });
  }
  const fail = (error: unknown, sql: string): never => {
    const { line, code, tooOld } = describeClickHouseError((error as Error).message ?? String(error), version);
    throw new ClickHouseError(line, code, sql, { cause: error, ...(tooOld ? { exitCode: 3 } : {}) });
  };
  return {
    kind,
    url,
    label: `${kind === 'cluster' ? 'two-shard cluster' : 'server'} ${where(url)} (ClickHouse ${version.text})`,
    version,
    async command(sql) {
      try { await client.command({ query: sql }); } catch (error) { fail(error, sql); }
    },
    async select<Row>(sql: string): Promise<SelectReply<Row>> {
      const started = performance.now();
      try {
        const result = await client.query({ query: sql, format: 'JSON' });
        const body = (await result.json()) as JsonFormatBody<Row>;
        return { rows: body.data, serverMs: elapsedMsOf(body), clientMs: performance.now() - started };
      } catch (error) {
        return fail(error, sql);
      }
    },
    async insertTabSeparated(table, source) {
      try {
        await client.insert({
          table, values: Readable.from(source, { objectMode: false }), format: 'TabSeparated',
          // Through a Distributed table: forward to the shards before answering, so the copy is complete when counted.
          ...(kind === 'cluster' ? { clickhouse_settings: { insert_distributed_sync: 1 } } : {}),
        });
      } catch (error) {
        fail(error, `INSERT INTO ${table}`);
      }
    },
    async close() {
      await client.close();
    },
  };
}
