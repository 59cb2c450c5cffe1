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
import { createHash } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { BackendMessage, DatabaseError, DataRowMessage, RowDescriptionMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { ClientProtocol } from '../results.ts';

/** A result as it came off the wire: every value raw text (or null), nothing decoded. */
export interface RawResult {
  fields: { name: string; dataTypeID: number }[];
  rows: (string | null)[][];
  /** The command tag, e.g. "SELECT 10", "DELETE 500". */
  command: string;
}

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

/** node-pg's value mapping for parameters (Date, arrays, JSON, Buffer...), so the Bind carries the same text. */
const prepareValue = (pg as unknown as { utils?: { prepareValue?: (value: unknown) => unknown } }).utils?.prepareValue;

/** Describe portal, Execute, Sync: the same bytes at the end of every extended-protocol request. */
const REQUEST_TAIL = Buffer.concat([serialize.describe({ type: 'P', name: '' }), serialize.execute({ portal: '' }), serialize.sync()]);

/**
 * The request node-pg sends for this query, as bytes: Parse (unless the statement is already prepared on this
 * connection), Bind, Describe portal, Execute, Sync; a simple Query for an unnamed query without parameters, as
 * node-pg does.
 */
export function buildRequest(sql: string, values: unknown[], protocol: ClientProtocol, preparedAlready: boolean): Buffer {
  if (!prepareValue) throw new Error('execbench: this node-pg has no utils.prepareValue; install the version package.json pins.');
  if (protocol === 'unnamed' && values.length === 0) return serialize.query(sql);
  const name = protocol === 'prepared' ? preparedName(sql) : '';
  const bind = serialize.bind({ portal: '', statement: name, values, binary: false, valueMapper: prepareValue as never });
  return preparedAlready && protocol === 'prepared'
    ? Buffer.concat([bind, REQUEST_TAIL])
    : Buffer.concat([serialize.parse({ text: sql, name, types: [] }), bind, REQUEST_TAIL]);
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

/**
 * The response through pg-protocol's parser (node-pg's own): rows of raw text; an ErrorResponse thrown as the
 * DatabaseError node-pg would throw; notices, notifications and parameter changes emitted on node-pg's connection,
 * whose client handles them as it would have.
 */
function parseResponse(chunks: Buffer[], connection: NodePgInternals['connection']): RawResult {
  const result: RawResult = { fields: [], rows: [], command: '' };
  let error: DatabaseError | undefined;
  const parser = new Parser();
  const onMessage = (message: BackendMessage) => {
    switch (message.name) {
      case 'rowDescription':
        result.fields = (message as RowDescriptionMessage).fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
        break;
      case 'dataRow':
        result.rows.push((message as DataRowMessage).fields as (string | null)[]);
        break;
      case 'commandComplete':
        result.command = (message as unknown as { text: string }).text;
        break;
      case 'error':
        error = message as DatabaseError;
        break;
      case 'notice': case 'parameterStatus': case 'notification':
        connection.emit(message.name, message);
        break;
      default:
    }
  };
  for (const chunk of chunks) parser.parse(chunk, onMessage);
  if (error) throw error;
  return result;
}

/**
 * Finds the end of one response, reading only message headers (type byte, int32 length): the offset just past
 * ReadyForQuery in the chunk that completes it, or -1. A header may be split across chunks. On the way it counts
 * the rows and notes what needs a full parse.
 */
export class ResponseFramer {
  /** DataRow messages seen. */
  dataRows = 0;
  /** ParseComplete seen: a named statement now exists. */
  parsed = false;
  /** An ErrorResponse, notice, notification or parameter change: the response must be parsed at once. */
  unusual = false;
  private readonly header = Buffer.alloc(5);
  private headerBytes = 0;
  private remaining = 0;
  private type = 0;
  private inBody = false;

  feed(chunk: Buffer): number {
    let i = 0;
    while (i < chunk.length) {
      if (!this.inBody) {
        if (this.headerBytes === 0 && i + 5 <= chunk.length) {
          this.type = chunk[i]!;
          this.remaining = chunk.readInt32BE(i + 1) - 4;
          i += 5;
        } else {
          const n = Math.min(5 - this.headerBytes, chunk.length - i);
          chunk.copy(this.header, this.headerBytes, i, i + n);
          this.headerBytes += n;
          i += n;
          if (this.headerBytes < 5) return -1;
          this.type = this.header[0]!;
          this.remaining = this.header.readInt32BE(1) - 4;
          this.headerBytes = 0;
        }
        if (this.remaining < 0) throw new Error(`execbench: a malformed response from the server (message '${String.fromCharCode(this.type)}', length ${this.remaining + 4}).`);
        this.inBody = true;
        this.note(this.type);
      }
      const n = Math.min(this.remaining, chunk.length - i);
      this.remaining -= n;
      i += n;
      if (this.remaining === 0) {
        this.inBody = false;
        if (this.type === 0x5a) return i;
      }
    }
    return -1;
  }

  private note(type: number): void {
    // 'D' DataRow, '1' ParseComplete, 'E' ErrorResponse, 'N' NoticeResponse, 'A' NotificationResponse, 'S' ParameterStatus.
    if (type === 0x44) this.dataRows++;
    else if (type === 0x31) this.parsed = true;
    else if (type === 0x45 || type === 0x4e || type === 0x41 || type === 0x53) this.unusual = true;
  }
}


/**
 * How long an application's default node-pg client would spend turning these raw rows into objects with its
 * type parsers (timestamps to Date, JSON parsed, ints, ...): the client-side decoding a dashboard pays for.
 */
export function decodeSample(result: RawResult): number {
  const fields = result.fields;
  const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text') as (v: string) => unknown);
  const names = fields.map((f) => f.name);
  const t0 = performance.now();
  let sink = 0;
  for (const row of result.rows) {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const raw = row[i];
      object[names[i]!] = raw === null || raw === undefined ? null : parsers[i]!(raw);
    }
    sink += Object.keys(object).length;
  }
  const ms = performance.now() - t0;
  // Keeps the loop from being optimised away.
  if (sink < 0) throw new Error('unreachable');
  return ms;
}

const preparedNames = new Map<string, string>();

/** A stable name per SQL text: node-pg refuses one name for two texts on a connection. */
export function preparedName(sql: string): string {
  let name = preparedNames.get(sql);
  if (name === undefined) {
    name = `execbench_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    preparedNames.set(sql, name);
  }
  return name;
}
