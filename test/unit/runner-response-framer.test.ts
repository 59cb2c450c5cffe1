// The framer that stops the client clock: it must find the end of a response (ReadyForQuery) wherever the chunks
// split it, header included, and never before it, whatever bytes the rows carry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseFramer } from '../../src/runner/sampler.ts';

/** One backend message: type byte, int32 length (counting itself), body. */
function message(type: string, body: Buffer | string = ''): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(b.length + 4, 1);
  return Buffer.concat([header, b]);
}

const readyForQuery = message('Z', 'I');
// A DataRow whose body holds the bytes of a ReadyForQuery: a scan for 'Z' at the end of a chunk would stop here.
const trap = message('D', Buffer.concat([Buffer.from([0, 1, 0, 0, 0, 6]), Buffer.from('Z\0\0\0\x05I', 'latin1')]));
const response = Buffer.concat([message('1'), message('2'), message('T', 'x'.repeat(30)), trap, message('D', 'y'.repeat(300)), message('C', 'SELECT 2\0'), readyForQuery]);

function split(buffer: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, buffer.length]) { out.push(buffer.subarray(from, cut)); from = cut; }
  return out;
}

describe('ResponseFramer', () => {
  it('finds ReadyForQuery at the end of a response in one chunk', () => {
    assert.equal(new ResponseFramer().feed(response), response.length);
  });

  it('finds it wherever the chunks split the response, a header included, and never earlier', () => {
    for (let cut = 1; cut < response.length; cut++) {
      for (const second of [cut + 1, cut + 3, response.length - 2]) {
        const cuts = second > cut && second < response.length ? [cut, second] : [cut];
        const end = new ResponseFramer();
        const chunks = split(response, cuts);
        const results = chunks.map((c) => end.feed(c));
        assert.deepEqual(results.slice(0, -1).every((r) => r === -1), true, `cuts ${cuts}: stopped early`);
        assert.equal(results.at(-1), chunks.at(-1)!.length, `cuts ${cuts}`);
      }
    }
  });

  it('does not stop at a row whose bytes end like ReadyForQuery', () => {
    const end = new ResponseFramer();
    assert.equal(end.feed(Buffer.concat([message('1'), message('2'), trap])), -1);
    assert.equal(end.feed(readyForQuery), readyForQuery.length);
  });

  it('reports the offset just past ReadyForQuery when more bytes follow in the same chunk', () => {
    const notification = message('A', 'payload');
    assert.equal(new ResponseFramer().feed(Buffer.concat([response, notification])), response.length);
  });

  it('counts the rows and notes ParseComplete and what needs a full parse, from the headers alone', () => {
    const plain = new ResponseFramer();
    plain.feed(response);
    assert.deepEqual({ rows: plain.dataRows, parsed: plain.parsed, unusual: plain.unusual }, { rows: 2, parsed: true, unusual: false });
    for (const type of ['E', 'N', 'A', 'S']) {
      const framer = new ResponseFramer();
      assert.equal(framer.feed(Buffer.concat([message('1'), message(type, 'x\0'), readyForQuery])), 5 + 7 + 6);
      assert.equal(framer.unusual, true, type);
    }
  });

  it('refuses a malformed length instead of reading past it', () => {
    const bad = Buffer.from([0x44, 0, 0, 0, 2]);
    assert.throws(() => new ResponseFramer().feed(bad), /malformed response.*'D', length 2/);
  });
});
