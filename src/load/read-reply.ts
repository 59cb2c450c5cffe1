// How the generator sends a statement and reads its reply: every message comes off the wire and every row is counted,
// but no row and no column description is turned into JavaScript values. An application builds its objects on its own
// machine; on this one the generator shares the server's cores, and building them was most of its cost:
// - the dashboard's sparkline returns a row per execution of the week (about 10,000 at 100k): parsed into objects
//   with Dates it cost execbench 50 ms of CPU per page and held its event loop for tens of ms;
// - an ExecutionsPage view returns 50 rows of every column: pg's protocol parser makes a string of every field and an
//   object of every column description, about 100 µs of CPU a request, five times what pgbench spends on the same
//   statement, so at a few thousand requests a second the generator took a quarter of the machine from the server.
// The counting parser is pg-protocol's own Parser (pg's, pinned) with two message kinds skipped: DataRow and
// RowDescription. It is attached only to the load's traffic connections, after they are set up.
import pg from 'pg';
import { Parser } from 'pg-protocol/dist/parser.js';

type QueryCallback = (error: Error | null, result?: { rowCount: number | null }) => void;

/** pg's Query, minus the rows: each DataRow is dropped as it arrives; the command tag still gives the row count. */
class CountedQuery extends (pg.Query as unknown as new (config: pg.QueryConfig, values: undefined, callback: QueryCallback) => object) {
  handleDataRow(): void {
    // The row has been read off the socket; nothing is built from it.
  }
}

/** Sends one statement and waits for its whole reply; resolves with the rows it returned or affected (the command tag's count). */
export function sendAndCount(client: pg.Client, statement: pg.QueryConfig): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const query = new CountedQuery(statement, undefined, (error, result) => {
      if (error) reject(error);
      else resolve(result?.rowCount ?? undefined);
    });
    client.query(query as unknown as pg.QueryConfig);
  });
}

const DATA_ROW = 0x44; // 'D'
const ROW_DESCRIPTION = 0x54; // 'T'

interface Message { name: string; length: number; fields?: unknown[]; fieldCount?: number }
type PacketHandler = (offset: number, code: number, length: number, bytes: Buffer) => Message;

/** What a DataRow becomes: nothing to pass on (CountedQuery ignores rows; the command tag carries their count). */
const SKIPPED_ROW: Message = { name: 'dataRow', length: 0, fields: [] };

/** pg-protocol's Parser; DataRow is skipped, RowDescription comes out empty (the rest as pg has them). */
class CountingParser extends (Parser as unknown as new () => { parse(buffer: Buffer, callback: (message: Message) => void): void }) {
  constructor() {
    super();
    const parent = (this as unknown as { handlePacket: PacketHandler }).handlePacket.bind(this);
    (this as unknown as { handlePacket: PacketHandler }).handlePacket = (offset, code, length, bytes) => {
      if (code === DATA_ROW) return SKIPPED_ROW;
      if (code === ROW_DESCRIPTION) return { name: 'rowDescription', length, fieldCount: bytes.readInt16BE(offset), fields: [] };
      return parent(offset, code, length, bytes);
    };
  }
}

/** Clients whose parser was swapped (a second call is a no-op). */
const counting = new WeakSet<pg.Client>();

/** pg's Connection, as far as the swap needs it (pg 8.23: lib/connection.js attachListeners). */
interface PgConnection {
  stream: NodeJS.ReadableStream & { listenerCount(event: string): number };
  _emitMessage: boolean;
  emit(event: string, message: Message): boolean;
}

/**
 * Replaces the protocol parser of an idle, connected client with the counting one. Call it only between statements
 * (after an await of the last one: the old parser holds no partial message then). From then on the client reads rows
 * only through sendAndCount; a plain client.query on it returns no rows (row counts and errors still arrive).
 */
export function countRowsOnly(client: pg.Client): void {
  if (counting.has(client)) return;
  const connection = (client as unknown as { connection?: PgConnection }).connection;
  if (!connection?.stream || connection.stream.listenerCount('data') !== 1) {
    throw new Error(`countRowsOnly: the client's socket has ${connection?.stream?.listenerCount('data') ?? 'no'} data listeners, expected pg's one (pg's internals changed: check src/load/read-reply.ts against node_modules/pg/lib/connection.js)`);
  }
  const parser = new CountingParser();
  counting.add(client);
  connection.stream.removeAllListeners('data');
  // As pg's attachListeners: an ErrorResponse is emitted as 'errorMessage', every other message under its name.
  connection.stream.on('data', (buffer: Buffer) => parser.parse(buffer, (message) => {
    if (message === SKIPPED_ROW) return;
    if (connection._emitMessage) connection.emit('message', message);
    connection.emit(message.name === 'error' ? 'errorMessage' : message.name, message);
  }));
}
