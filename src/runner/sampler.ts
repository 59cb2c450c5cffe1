// The client clock: one timed execution of a query, measured at the socket, with no decoding inside the timing.
//
// node-pg writes Parse, Bind, Describe, Execute and Sync as separate socket writes and decodes every column of every
// row into JavaScript values before it resolves. Neither is the database or the wire. execbench collects node-pg's
// messages as it serialises them and hands them to the socket as one buffer in one write, as libpq sends a request
// (a corked writev of five small buffers measured 10-12 us slower here than one write of the same bytes, inside the
// timed region); the clock starts just before that write and stops when the response's last chunk arrives (a 'data'
// listener placed before node-pg's own parser). Rows arrive as raw text in array mode; the cost of decoding them as
// an application's default node-pg client would is measured separately on a few samples (decodeSample).
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { ClientProtocol } from '../results.ts';

/** One timed execution: the wire round trip, and the raw result for optional decode timing. */
export interface ClientSample {
  clientMs: number;
  result: pg.QueryArrayResult<unknown[]>;
}

/** Raw text for every type: the timed region decodes nothing. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value };

interface Wire {
  stream: NodeJS.EventEmitter & { write(chunk: Buffer | string): boolean };
  lastDataAt: number;
}

const wires = new WeakMap<pg.ClientBase, Wire>();

/** The socket of a connected node-pg client, with a first-in-line 'data' listener that stamps each arrival. */
function wireOf(client: pg.ClientBase): Wire {
  let wire = wires.get(client);
  if (wire) return wire;
  const stream = (client as unknown as { connection?: { stream?: Wire['stream'] } }).connection?.stream;
  if (!stream || typeof stream.write !== 'function' || typeof stream.prependListener !== 'function') {
    throw new Error('execbench: the node-pg client has no socket stream to time (connect it first).');
  }
  const w: Wire = { stream, lastDataAt: 0 };
  stream.prependListener('data', () => { w.lastDataAt = performance.now(); });
  wires.set(client, w);
  wire = w;
  return wire;
}

/** Times one execution of `sql` on `client` by the chosen protocol. The client must be idle (no query in flight). */
export async function timeQuery(
  client: pg.ClientBase, sql: string, values: unknown[], protocol: ClientProtocol,
  /** Sees the request exactly as it goes to the socket (bench:clock replays it on a bare socket). */
  onRequest?: (request: Buffer) => void,
): Promise<ClientSample> {
  const wire = wireOf(client);
  const config: pg.QueryArrayConfig<unknown[]> & { types: typeof RAW_TYPES } = protocol === 'prepared'
    ? { name: preparedName(sql), text: sql, values, rowMode: 'array', types: RAW_TYPES }
    : { text: sql, values, rowMode: 'array', types: RAW_TYPES };
  // node-pg submits an idle client's query synchronously: while it does, its socket writes are collected (an own
  // property shadows the socket's write for these few lines), then leave as one buffer.
  const chunks: Buffer[] = [];
  const stream = wire.stream;
  const own = Object.getOwnPropertyDescriptor(stream, 'write');
  stream.write = (chunk: Buffer | string) => { chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)); return true; };
  let pending: Promise<pg.QueryArrayResult<unknown[]>>;
  try {
    pending = client.query(config);
  } finally {
    if (own) Object.defineProperty(stream, 'write', own);
    else delete (stream as { write?: unknown }).write;
  }
  if (chunks.length === 0) {
    // Not submitted synchronously (the client was busy): it will write on its own, and this sample cannot be timed.
    await pending.catch(() => undefined);
    throw new Error('execbench: the client had a query in flight; a timed query needs an idle client.');
  }
  const request = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  onRequest?.(request);
  const sentAt = performance.now();
  stream.write(request);
  const result = await pending;
  return { clientMs: wire.lastDataAt - sentAt, result };
}

/**
 * How long an application's default node-pg client would spend turning these raw rows into objects with its
 * type parsers (timestamps to Date, JSON parsed, ints, ...): the client-side decoding a dashboard pays for.
 */
export function decodeSample(result: pg.QueryArrayResult<unknown[]>): number {
  const fields = result.fields;
  const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text') as (v: string) => unknown);
  const names = fields.map((f) => f.name);
  const t0 = performance.now();
  let sink = 0;
  for (const row of result.rows) {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const raw = row[i];
      object[names[i]!] = raw === null || raw === undefined ? null : parsers[i]!(raw as string);
    }
    sink += Object.keys(object).length;
  }
  const ms = performance.now() - t0;
  // Keeps the loop from being optimised away.
  if (sink < 0) throw new Error('unreachable');
  return ms;
}

/** A stable name per SQL text: node-pg refuses one name for two texts on a connection. */
function preparedName(sql: string): string {
  return `execbench_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
}
