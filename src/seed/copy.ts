// COPY ... FROM STDIN through pg-copy-streams. stream.pipeline carries back-pressure from the socket
// to the generator: a chunk is produced only when Postgres has taken the previous ones.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_COLUMNS } from './generate.ts';

/** What one COPY moved. */
export interface CopyResult {
  rows: number;
  bytes: number;
  durationMs: number;
}

/**
 * Streams COPY text chunks into `table` (unqualified: resolved through the session's search_path).
 * `source` may be any iterable or stream of Buffers: the generator, or a file for the ceiling run.
 * `onChunk` sees each chunk's size as it is handed to the socket.
 */
export async function copyChunks(
  client: pg.ClientBase,
  source: Iterable<Buffer> | AsyncIterable<Buffer> | NodeJS.ReadableStream,
  options: { table?: string; onChunk?: (bytes: number) => void } = {},
): Promise<CopyResult> {
  const table = options.table ?? 'executions';
  const sql = `COPY ${table} (${COPY_COLUMNS.join(', ')}) FROM STDIN`;
  const started = performance.now();
  let bytes = 0;
  const input: Readable = isReadableStream(source) ? Readable.from(source) : Readable.from(source, { objectMode: false });
  const sink = client.query(copyFrom(sql));
  async function* count(chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      options.onChunk?.(chunk.length);
      yield chunk;
    }
  }
  await pipeline(input, count, sink);
  return { rows: Number(sink.rowCount), bytes, durationMs: performance.now() - started };
}

function isReadableStream(source: unknown): source is NodeJS.ReadableStream {
  return typeof (source as NodeJS.ReadableStream).pipe === 'function';
}
