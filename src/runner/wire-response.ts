// Reading a timed response: a framer that finds its end from message headers alone (while the clock runs), then,
// after the clock, pg-protocol's parser for the rows as raw text, and the cost of decoding them as node-pg would.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { BackendMessage, DatabaseError, DataRowMessage, RowDescriptionMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';

/** A result as it came off the wire: every value raw text (or null), nothing decoded. */
export interface RawResult {
  fields: { name: string; dataTypeID: number }[];
  rows: (string | null)[][];
  /** The command tag, e.g. "SELECT 10", "DELETE 500". */
  command: string;
}

/**
 * The response through pg-protocol's parser (node-pg's own): rows of raw text; an ErrorResponse thrown as the
 * DatabaseError node-pg would throw; notices, notifications and parameter changes emitted on node-pg's connection,
 * whose client handles them as it would have.
 */
export function parseResponse(chunks: Buffer[], connection: NodeJS.EventEmitter): RawResult {
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
