// How the generator sends a statement and reads its reply: every row comes off the wire and is counted, but none is
// turned into a JavaScript value. An application builds its objects on its own machine; on this one the generator
// shares the server's cores, and the dashboard's sparkline returns a row per execution of the week (about 10,000 at
// 100k, 100,000 at 1M): parsed into objects with Dates it cost execbench 50 ms of CPU per page at 100k, held its
// event loop for tens of ms (schedule lag in every latency) and took CPU from the server it was measuring.
import pg from 'pg';

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
