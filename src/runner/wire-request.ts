// The bytes of a timed request: what node-pg would send for a query (the same serializer, pg-protocol, and the same
// value mapping; test/integration/latency-clocks.test.ts compares them), built before the clock starts (sampler.ts).
import { createHash } from 'node:crypto';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { ClientProtocol } from '../results.ts';

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
