// PostgreSQL -> ClickHouse: the dataset's rows streamed out with COPY ... TO STDOUT (text format, which ClickHouse
// reads as TabSeparated unchanged) straight into one bulk INSERT. No file in between, back-pressure end to end.
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { ClickHouseEngine } from './engine.ts';
import { copyOutSql, createCopyTableSql, createDistributedTableSql, createMarkerSql, TABLE_DESIGN } from './table.ts';

/** One engine's copy of one dataset: how it got there and what it occupies. */
export interface CopyInfo {
  engine: string;
  database: string;
  rows: number;
  /** Never-started rows left in PostgreSQL (no analytics query reads them; started_at is the sort key). */
  rowsNotCopied: number;
  reused: boolean;
  /** The COPY + INSERT stream, ms (of the run that made the copy, when reused). */
  loadMs: number;
  rowsPerSecond: number;
  /** COPY text bytes streamed, per second. */
  bytesPerSecond: number;
  /** OPTIMIZE ... FINAL after the load (parts merged as the background merges would), ms. */
  mergeMs: number;
  /** Active parts on disk (compressed), and the same data uncompressed. */
  storageBytes: number;
  uncompressedBytes: number;
  /** Rows per shard (cluster only). */
  shardRows?: number[];
}

/** A cluster: the first server's engine (which holds the Distributed table), and every shard's. */
export interface ClusterHandle {
  engine: ClickHouseEngine;
  shards: ClickHouseEngine[];
}

/**
 * Makes (or reuses) the copy of `pgSchema` in ClickHouse database `database`. A copy is reused when its marker
 * names the same PostgreSQL dataset fingerprint and table design and its row count still matches.
 */
export async function ensureCopy(options: {
  pg: pg.Client;
  pgSchema: string;
  fingerprint: string;
  target: { engine: ClickHouseEngine; shards?: ClickHouseEngine[] };
  database: string;
  fresh?: boolean;
  log: (line: string) => void;
}): Promise<CopyInfo> {
  const { pg: client, pgSchema, database, log } = options;
  const { engine } = options.target;
  const shards = options.target.shards ?? [];
  const local = shards.length > 0 ? 'executions_local' : 'executions';
  const notCopied = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${pgSchema}.executions WHERE started_at IS NULL`)).rows[0]!.n);
  const expected = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${pgSchema}.executions WHERE started_at IS NOT NULL`)).rows[0]!.n);

  for (const e of [engine, ...shards]) await e.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
  await engine.command(createMarkerSql(database));
  const marker = (await engine.select<{ fingerprint: string; design: string; copied_rows: string; load_ms: number }>(
    `SELECT fingerprint, design, copied_rows, load_ms FROM ${database}.execbench_copy`)).rows[0];
  const present = Number((await engine.select<{ n: string }>(
    `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name = 'executions'`)).rows[0]?.n ?? 0) > 0;
  const count = present ? Number((await engine.select<{ n: string }>(`SELECT count() AS n FROM ${database}.executions`)).rows[0]!.n) : -1;
  if (!options.fresh && marker && marker.fingerprint === options.fingerprint && marker.design === TABLE_DESIGN && count === expected) {
    log(`clickhouse: reusing the copy of ${pgSchema} in ${engine.label} (${count.toLocaleString('en-US')} rows); --fresh rebuilds it`);
    return { ...(await describeStorage(engine, shards, database, local)), engine: engine.label, database, rows: count, rowsNotCopied: notCopied, reused: true, loadMs: marker.load_ms, rowsPerSecond: count / (marker.load_ms / 1000), bytesPerSecond: 0, mergeMs: 0 };
  }

  await engine.command(`DROP TABLE IF EXISTS ${database}.executions`);
  for (const s of shards) await s.command(`DROP TABLE IF EXISTS ${database}.${local}`);
  // Each shard's local table is created on that server directly: ON CLUSTER needs ZooKeeper, which is not here.
  for (const s of shards) await s.command(createCopyTableSql(database, local, s.version));
  await engine.command(shards.length > 0 ? createDistributedTableSql(database, engine.version) : createCopyTableSql(database, 'executions', engine.version));

  log(`clickhouse: copying ${expected.toLocaleString('en-US')} rows of ${pgSchema}.executions into ${engine.label} (COPY -> INSERT ... FORMAT TabSeparated)`);
  const started = performance.now();
  let bytes = 0;
  let rows = 0;
  const stream = client.query(copyTo(copyOutSql(pgSchema, engine.version)));
  async function* counted(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    for await (const chunk of source) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) rows++;
      yield chunk;
    }
  }
  await engine.insertTabSeparated(`${database}.executions`, counted(stream));
  const loadMs = performance.now() - started;
  const m0 = performance.now();
  for (const e of shards.length > 0 ? shards : [engine]) await e.command(`OPTIMIZE TABLE ${database}.${local} FINAL`);
  const mergeMs = performance.now() - m0;
  const copied = Number((await engine.select<{ n: string }>(`SELECT count() AS n FROM ${database}.executions`)).rows[0]!.n);
  if (copied !== expected || rows !== expected) {
    throw new Error(`The copy of ${pgSchema} holds ${copied} rows after streaming ${rows}; PostgreSQL has ${expected} started rows. The copy is incomplete.`);
  }
  await engine.command(`TRUNCATE TABLE ${database}.execbench_copy`).catch(async () => {
    // TRUNCATE is not in every version: drop and recreate the marker instead.
    await engine.command(`DROP TABLE ${database}.execbench_copy`);
    await engine.command(createMarkerSql(database));
  });
  await engine.command(`INSERT INTO ${database}.execbench_copy VALUES ('${options.fingerprint}', '${TABLE_DESIGN}', ${copied}, ${loadMs.toFixed(1)}, now())`);
  log(`clickhouse: copied ${copied.toLocaleString('en-US')} rows in ${(loadMs / 1000).toFixed(1)} s (${Math.round(copied / (loadMs / 1000)).toLocaleString('en-US')} rows/s, ${(bytes / 1e6 / (loadMs / 1000)).toFixed(1)} MB/s of COPY text), merged in ${(mergeMs / 1000).toFixed(1)} s`);
  return {
    ...(await describeStorage(engine, shards, database, local)),
    engine: engine.label, database, rows: copied, rowsNotCopied: notCopied, reused: false,
    loadMs, rowsPerSecond: copied / (loadMs / 1000), bytesPerSecond: bytes / (loadMs / 1000), mergeMs,
  };
}

async function describeStorage(engine: ClickHouseEngine, shards: ClickHouseEngine[], database: string, local: string): Promise<Pick<CopyInfo, 'storageBytes' | 'uncompressedBytes' | 'shardRows'>> {
  let storageBytes = 0;
  let uncompressedBytes = 0;
  const shardRows: number[] = [];
  for (const e of shards.length > 0 ? shards : [engine]) {
    const row = (await e.select<{ disk: string; raw: string; rows: string }>(
      `SELECT sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw, sum(rows) AS rows FROM system.parts WHERE database = '${database}' AND table = '${local}' AND active`)).rows[0]!;
    storageBytes += Number(row.disk);
    uncompressedBytes += Number(row.raw);
    shardRows.push(Number(row.rows));
  }
  return { storageBytes, uncompressedBytes, ...(shards.length > 0 ? { shardRows } : {}) };
}

/** The PostgreSQL side of the storage comparison: the table with its TOAST, its indexes, and the view. */
export async function postgresStorage(client: pg.Client, pgSchema: string): Promise<{ tableBytes: number; indexBytes: number; viewBytes: number | null }> {
  const r = await client.query<{ table: string; indexes: string; view: string | null }>(
    `SELECT pg_table_size(format('%I.executions', $1::text)::regclass) AS table,
            pg_indexes_size(format('%I.executions', $1::text)::regclass) AS indexes,
            (SELECT pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relname = 'execution_stats_daily') AS view`, [pgSchema]);
  const row = r.rows[0]!;
  return { tableBytes: Number(row.table), indexBytes: Number(row.indexes), viewBytes: row.view === null ? null : Number(row.view) };
}
