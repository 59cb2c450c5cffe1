// The client clock: one timed execution of a query, measured at the socket, with no client library in the timing.
//
// An application's node-pg client sends Parse, Bind, Describe, Execute and Sync and decodes every column of every row
// into JavaScript values before it resolves. The decoding is not the database or the wire, and node-pg's own path
// around the round trip (its query object, parser and events, tens of microseconds here) is not either: on queries
// of 0.1 ms it read 20-50% above pgbench, while the same bytes written by Node with no library on the socket read
// under it. So a timed sample borrows node-pg's connection (idle, authenticated, with execbench's session settings)
// and runs the round trip on a lean path of its own:
//   - the request is the bytes node-pg would send for this query (the same serializer, pg-protocol, and the same
//     value mapping; a test compares them), built before the clock starts and written in one write, as libpq does;
//   - node-pg's listeners are off the socket while the response arrives; a framer that reads only message headers
//     stops the clock at the chunk that completes ReadyForQuery;
//   - after the clock, pg-protocol's parser (node-pg's own) turns the response into rows of raw text, an error into
//     the DatabaseError node-pg would throw, and the socket goes back to node-pg as it was.
// A sample's untimed neighbours (a spacer, a scope's BEGIN and ROLLBACK, the server clock's read) go on the same
// path: those before it one by one, each request written from the callback that sees the previous response end,
// the timed request likewise, those after it in one write from the callback that stops the clock. No await, and no
// JavaScript beyond the framer, runs between the server finishing the statement before and receiving the timed one.
// The cost of decoding the rows as an application's default node-pg client would is measured apart (decodeSample).
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { ClientProtocol } from '../results.ts';
import { buildRequest, preparedName } from './wire-request.ts';
import { parseResponse, ResponseFramer, type RawResult } from './wire-response.ts';

// The request's bytes and the response's reading have files of their own; callers keep importing them from here.
export { buildRequest, preparedName } from './wire-request.ts';
export { decodeSample, ResponseFramer, type RawResult } from './wire-response.ts';

/** One timed execution: the wire round trip, the row count, and the raw result, parsed when first asked for. */
export interface ClientSample {
  clientMs: number;
  rows: number;
  result(): RawResult;
}

type Socket = NodeJS.EventEmitter & { write(chunk: Buffer): boolean };
type Listener = (...args: unknown[]) => void;

/** The parts of node-pg's client that the lean path reads or borrows (node-pg 8.x; pinned in package.json). */
interface NodePgInternals {
  readyForQuery: boolean;
  _activeQuery: unknown;
  _queryQueue: unknown[];
  _queryable: boolean;
  _ending: boolean;
  _pulseQueryQueue(): void;
  connection: NodeJS.EventEmitter & { stream?: Socket; parsedStatements: Record<string, string> };
}

/**
 * Where a timed sample's response arrives. On a socket from timedSocket(): in its onread callback, the first
 * JavaScript that runs for a read, with nothing to swap. On any other socket (TLS, a client execbench did not open):
 * a 'data' listener that takes node-pg's place for the round trip.
 */
type Arrival = (at: number, chunk: Buffer) => void;
interface Tap { arrival?: Arrival; closed?: () => void }
const taps = new WeakMap<object, Tap>();

/** The size of each read on a timed socket (Node's own default read size). */
const READ_BYTES = 64 * 1024;

/**
 * A TCP socket for node-pg (its `stream` option) whose reads execbench can stamp where Node first hands them to
 * JavaScript: Node's onread fast path, a reused buffer and a callback, instead of the stream machinery behind a
 * 'data' event (measured here: 10-20 us less per round trip). Outside a timed sample every read goes on to node-pg
 * as the 'data' event it listens for, as a copy.
 */
export function timedSocket(): net.Socket {
  const tap: Tap = {};
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  // Node's Socket constructor takes onread (net.connect passes it through); @types/node lists it on connect only.
  const options: net.SocketConstructorOpts & Pick<net.TcpSocketConnectOpts, 'onread'> = {
    onread: {
      buffer,
      callback: (bytes: number, into: Uint8Array) => {
        const at = performance.now();
        const chunk = Buffer.from(into.subarray(0, bytes));
        if (tap.arrival) tap.arrival(at, chunk);
        else socket.emit('data', chunk);
        return true;
      },
    },
  };
  const socket = new net.Socket(options);
  socket.on('close', () => tap.closed?.());
  taps.set(socket, tap);
  return socket;
}

/** A statement sent beside a timed one, untimed: a spacer, a scope's BEGIN or ROLLBACK, the server clock's read. */
export interface Untimed {
  sql: string;
  values?: unknown[];
  /** Default unnamed. */
  protocol?: ClientProtocol;
}

export interface TimeQueryOptions {
  /**
   * Untimed statements before the timed one, each written the moment the previous response is complete, from the
   * callback that sees it; then the timed request the same way. Client and server ping-pong up to the timed
   * request as in pgbench's loop, with no await and no other JavaScript in the gaps. Measured here on a 0.1 ms
   * prepared lookup (20 rounds, twice): chained like this x1.12-x1.20 of pgbench; the same statements pipelined in
   * one write x1.31-x1.41; each awaited x1.21-x1.27 (an idle gap before a request costs more than its statement).
   */
  before?: readonly Untimed[];
  /** Untimed statements written, in one write, the moment the timed response is complete. */
  after?: readonly Untimed[];
  /** Sees the timed request exactly as it goes to the socket (bench:clock replays it on a bare socket). */
  onRequest?: (request: Buffer) => void;
}

/** One timed execution with its untimed neighbours: their results, parsed when asked for, in the order sent. */
export interface TimedStep extends ClientSample {
  before: (() => RawResult)[];
  after: (() => RawResult)[];
}

/**
 * Times one execution of `sql` on `client` by the chosen protocol, optionally between untimed statements (options).
 * The client must be idle (no query in flight). Between the end of one sample and the write of the next, only what
 * a sample needs runs: the rows are parsed when result() is first called, unless a response holds an error, a
 * notice or a notification (then at once, and the first error in the order sent is thrown, after every statement
 * sent has run: a scope's ROLLBACK after a failed execution still runs).
 */
export async function timeQuery(
  client: pg.ClientBase, sql: string, values: unknown[], protocol: ClientProtocol, options: TimeQueryOptions = {},
): Promise<TimedStep> {
  const internals = client as unknown as NodePgInternals;
  const connection = internals.connection;
  const stream = connection?.stream;
  if (!stream || typeof stream.write !== 'function') throw new Error('execbench: the node-pg client has no socket to time (connect it first).');
  if (!internals._queryable || internals._ending) throw new Error('execbench: the node-pg client is closed or broken; a timed query needs a live connection.');
  // node-pg settles a failed query at its ErrorResponse, before the ReadyForQuery that ends it: a caller that awaited
  // the rejection (a refused SET, say) may be here first. Nothing is in flight but that message, so wait for it.
  if (internals.readyForQuery !== true && !internals._activeQuery && internals._queryQueue.length === 0) await readyForQuery(connection, stream);
  if (internals.readyForQuery !== true || internals._activeQuery || internals._queryQueue.length > 0) {
    throw new Error('execbench: the client had a query in flight; a timed query needs an idle client.');
  }
  // Every request built before the clock; a prepared statement parsed by an earlier request here is not parsed again.
  const parsing = new Set<string>();
  const build = (query: Untimed) => {
    const p = query.protocol ?? 'unnamed';
    const name = p === 'prepared' ? preparedName(query.sql) : '';
    const already = p === 'prepared' && (connection.parsedStatements[name] === query.sql || parsing.has(name));
    if (p === 'prepared') parsing.add(name);
    return { name, sql: query.sql, bytes: buildRequest(query.sql, query.values ?? [], p, already) };
  };
  const before = (options.before ?? []).map(build);
  const timed = build({ sql, values, protocol });
  const after = (options.after ?? []).map(build);
  options.onRequest?.(timed.bytes);
  const writes = [...before.map((r) => r.bytes), timed.bytes, ...(after.length > 0 ? [Buffer.concat(after.map((r) => r.bytes))] : [])];
  const requests = [...before, timed, ...after];
  const timedIndex = before.length;

  // The connection is execbench's for these round trips: node-pg queues any query made meanwhile (it is not ready).
  internals.readyForQuery = false;
  const tap = taps.get(stream);
  const nodePgListeners = tap ? [] : stream.listeners('data') as Listener[];
  // One response per request, each ending with ReadyForQuery; `rest` is what came after the last one.
  const responses = requests.map(() => ({ chunks: [] as Buffer[], framer: new ResponseFramer() }));
  let rest: Buffer | undefined;
  let sentAt = 0;
  let arrivedAt = 0;
  let onClose: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onClose = () => reject(new Error('execbench: the connection closed during a timed query.'));
      let current = 0;
      let written = 0;
      const write = () => {
        if (written === timedIndex) sentAt = performance.now();
        try {
          stream.write(writes[written++]!);
        } catch (error) {
          // Called from the socket's read callback too: a failure belongs to this query, not to Node's stream.
          reject(error);
        }
      };
      const arrival: Arrival = (at, chunk) => {
        let piece = chunk;
        while (current < responses.length) {
          const response = responses[current]!;
          let end: number;
          try {
            end = response.framer.feed(piece);
          } catch (error) {
            reject(error);
            return;
          }
          if (end < 0) {
            response.chunks.push(piece);
            return;
          }
          response.chunks.push(piece.subarray(0, end));
          piece = piece.subarray(end);
          current++;
          if (current - 1 === timedIndex) arrivedAt = at;
          // Up to the timed one, each response complete sends the next request at once; after it, the rest in one.
          if (current <= timedIndex + 1 && written < writes.length) write();
          if (current === responses.length) {
            if (piece.length > 0) rest = piece;
            resolve();
            return;
          }
          if (piece.length === 0) return;
        }
      };
      if (tap) {
        tap.arrival = arrival;
        tap.closed = onClose;
      } else {
        stream.once('close', onClose);
        stream.removeAllListeners('data');
        stream.on('data', (chunk: Buffer) => arrival(performance.now(), chunk));
      }
      write();
    });
  } finally {
    if (tap) {
      tap.arrival = undefined;
      tap.closed = undefined;
    } else {
      stream.removeListener('close', onClose!);
      stream.removeAllListeners('data');
      for (const listener of nodePgListeners) stream.on('data', listener);
    }
    internals.readyForQuery = true;
  }
  const clientMs = arrivedAt - sentAt;

  // After the clock. A named statement exists once the server said ParseComplete, even if its execution then failed.
  requests.forEach((request, i) => {
    if (request.name && responses[i]!.framer.parsed) connection.parsedStatements[request.name] = request.sql;
  });
  const results = responses.map((response) => {
    let parsed: RawResult | undefined;
    return () => (parsed ??= parseResponse(response.chunks, connection));
  });
  try {
    // Errors, notices and notifications at once, in the order sent; the first error is thrown.
    let failure: unknown;
    for (let i = 0; i < responses.length; i++) {
      if (!responses[i]!.framer.unusual) continue;
      try {
        results[i]!();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  } finally {
    // Anything after the last ReadyForQuery (an asynchronous notification) is node-pg's.
    if (rest) {
      if (tap) stream.emit('data', rest);
      else for (const listener of nodePgListeners) listener.call(stream, rest);
    }
    if (internals._queryQueue.length > 0) internals._pulseQueryQueue();
  }
  return {
    clientMs, rows: responses[timedIndex]!.framer.dataRows, result: results[timedIndex]!,
    before: results.slice(0, timedIndex), after: results.slice(timedIndex + 1),
  };
}

/** Resolves at the next ReadyForQuery, after node-pg's own handler (registered at connect, so it runs first). */
function readyForQuery(connection: NodeJS.EventEmitter, stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = () => {
      stream.removeListener('close', closed);
      resolve();
    };
    const closed = () => {
      connection.removeListener('readyForQuery', ready);
      reject(new Error('execbench: the connection closed while node-pg waited for the end of its previous query.'));
    };
    connection.once('readyForQuery', ready);
    stream.once('close', closed);
  });
}
