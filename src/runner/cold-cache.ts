// One file: making the caches cold without root (the account below) and measuring from there are one procedure; it is
// over 400 lines by that account and the facts' types, and split, the steps would sit apart from what explains them.
// The spec's "smaller index = better cache hit rate = faster queries" (Index Design Principles §2; §3's "better cache
// hit rate, faster queries, less disk I/O") measured where it can be true: from a cold start, where neither Postgres'
// shared buffers nor the operating system's page cache hold the table's or the index's pages, against warm.
//
// Cold here, without root and without a restart:
// - shared buffers: every buffer of the relations is evicted with pg_buffercache_evict() (pg_buffercache 1.5,
//   PostgreSQL 17+; it writes a dirty buffer out first);
// - the OS page cache: each of their files is fsynced (a dirty page cannot be dropped), then dropped with
//   posix_fadvise(POSIX_FADV_DONTNEED), which GNU dd issues for `dd if=<file> iflag=nocache count=0`; util-linux
//   fincore then says how much of each file is still resident. It needs the data files on this machine, readable by
//   this process (the server's OS user, or root), which is the embedded server's case.
// `echo 1 > /proc/sys/vm/drop_caches` would need root and empty the whole machine's cache (every other process's
// too), and a restart cannot happen inside the rolled-back transaction that holds each index variant: neither is used.
//
// Each index variant is built in a transaction that is rolled back (as whatif's variants are), with every other
// index that backs no constraint dropped, so the query can only use it (or the primary key, or a sequential scan:
// the plan says which). Samples and facts only; the words are cache-judge.ts's.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, openSync, closeSync, fsyncSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describePgError, ScenarioError } from '../errors.ts';
import { explain } from '../plan/explain.ts';
import { analyzePlan } from '../plan/analyze.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { dropUnconstrainedIndexes, hiddenIndexes } from '../whatif/apply-variant.ts';
import type { ParamPicker } from '../scenario/define.ts';
import { createParamPicker, type ParamPools } from './params.ts';

const run = promisify(execFile);

/** What execbench could do to make a sample cold on this server; the reasons when it could not. */
export interface ColdAbility {
  /** pg_buffercache_evict() is there (PostgreSQL 17+, the extension installable or installed). */
  evictSharedBuffers: boolean;
  /** The schema pg_buffercache is installed in. */
  bufferCacheSchema?: string;
  /** The data files are readable here and GNU dd drops them from the page cache. */
  dropOsCache: boolean;
  /** util-linux fincore is there to check what a drop left resident. */
  checkResidency: boolean;
  /** One sentence per thing it could not do, naming what would allow it. */
  missing: string[];
}

/** One execution of the query under EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) with track_io_timing. */
export interface QuerySample {
  /** 'Execution Time' (TIMING OFF: no per-node clock reads), ms. */
  executionMs: number;
  /** Blocks the execution found in shared buffers / had to read (from the OS cache or the disk). */
  sharedHit: number;
  sharedRead: number;
  /** Time the execution spent reading those blocks (track_io_timing), ms; null where it could not be turned on. */
  readIoMs: number | null;
  /** Blocks asked for / read (not in shared buffers) per relation, planning included (pg_stat_get_xact_blocks_*). */
  indexFetched: number;
  indexRead: number;
  heapFetched: number;
  heapRead: number;
  /** The indexes the plan used. */
  indexesUsed: string[];
}

/** A cold sample: the caches' state just before it, then the query. */
export interface ColdSample extends QuerySample {
  /** Buffers of the relations still in shared buffers after eviction (pinned ones cannot be evicted). */
  buffersLeft: number;
  /** Bytes of the relations' files still in the OS page cache after the drop (fincore); null when unchecked. */
  osResidentBytes: number | null;
}

/** One index definition measured for one query. */
export interface IndexVariant {
  /** Short label: 'partial (spec)', 'full, same columns', ... */
  label: string;
  kind: 'partial' | 'full';
  /** CREATE INDEX ... with the name the facts use. */
  sql: string;
  name: string;
}

/** What was measured of one variant. */
export interface VariantFacts {
  label: string;
  kind: 'partial' | 'full';
  sql: string;
  name: string;
  indexBytes: number;
  /** Rows in the index (pg_class.reltuples after the build). */
  indexRows: number;
  /** Each a separate cold start, with the parameters of iteration i. */
  cold: ColdSample[];
  /** The same parameters again right after each cold sample (everything now in shared buffers), repeated. */
  warm: QuerySample[];
  /**
   * One cold start, then the query for every (tenant, environment) of the dataset, twice over: the cache hit rate of
   * traffic spread over every key, as the cache fills.
   */
  stream: StreamFacts | null;
  /** Set when the variant could not be measured (the index did not build, or the cold start was impossible). */
  error?: string;
}

/** The stream's totals. */
export interface StreamFacts {
  keys: number;
  queries: number;
  sharedHit: number;
  sharedRead: number;
  indexFetched: number;
  indexRead: number;
  heapFetched: number;
  heapRead: number;
  totalMs: number;
  /** Sum of the samples' read time (track_io_timing), ms; null where it was off. */
  readIoMs: number | null;
}

/** A query and the variants it was measured with. */
export interface CacheComparison {
  scenarioId: string;
  spec: string;
  sql: string;
  variants: VariantFacts[];
}

/** Everything one scale's cache measurement found. */
export interface ColdCacheFacts {
  /** SHOW shared_buffers, and in bytes. */
  sharedBuffers: string;
  sharedBuffersBytes: number;
  /** executions' heap, bytes: with one index, the working set the cache is smaller than. */
  heapBytes: number;
  ability: ColdAbility;
  comparisons: CacheComparison[];
}

/** A query to measure: its SQL and its parameters from a picker. */
export interface CacheQuery {
  scenarioId: string;
  spec: string;
  sql: string;
  params: (pick: ParamPicker) => unknown[];
  variants: IndexVariant[];
}

/** How many of each sample; the defaults are what bench:scale uses. */
export interface ColdCacheOptions {
  coldSamples?: number;
  warmRepeats?: number;
  /** false: no stream (the test's quick run). */
  stream?: boolean;
  /** The server's data directory on this machine (embedded: db.dataDir); without it the OS cache is not dropped. */
  dataDir?: string;
  /** execbench started this server: it may CREATE EXTENSION pg_buffercache. */
  mayCreateExtension: boolean;
  log?: (line: string) => void;
}

/**
 * Finds out what a cold start can use on this server: pg_buffercache_evict() (installed here when execbench owns the
 * server), the data directory's files readable, dd's iflag=nocache, fincore.
 */
export async function resolveColdAbility(client: pg.ClientBase, options: { dataDir?: string; mayCreateExtension: boolean }): Promise<ColdAbility> {
  const missing: string[] = [];
  // The extension's schema, as installed: search_path points at the dataset, which must not receive it.
  const evictIn = async (): Promise<string | undefined> => (await client.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pg_buffercache' AND to_regproc(quote_ident(n.nspname) || '.pg_buffercache_evict') IS NOT NULL`)).rows[0]?.schema;
  let schema = await evictIn();
  if (schema === undefined && options.mayCreateExtension) {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_buffercache SCHEMA public');
    } catch (error) {
      missing.push(`pg_buffercache could not be installed (${describePgError(error).split('\n')[0]}): shared buffers cannot be emptied of a relation; use --pg-major 17 or 18`);
    }
    schema = await evictIn();
  }
  if (schema === undefined && missing.length === 0) {
    const version = Number((await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]?.v);
    missing.push(version < 170000
      ? `PostgreSQL ${Math.floor(version / 10000)} has no pg_buffercache_evict() (17+): shared buffers cannot be emptied of a relation without a restart; use --pg-major 17 or 18`
      : 'pg_buffercache_evict() is not installed and execbench does not own this server: CREATE EXTENSION pg_buffercache (1.5+) there as a superuser to allow cold samples');
  }
  let dropOs = false;
  if (options.dataDir === undefined) {
    missing.push('the server\'s data files are not on this machine (a --database-url server or a container): the OS page cache cannot be dropped for them, so "cold" would only mean not in shared buffers; use the embedded provider');
  } else {
    const probe = path.join(options.dataDir, 'PG_VERSION');
    try {
      accessSync(probe, constants.R_OK);
      await run('dd', [`if=${probe}`, 'iflag=nocache', 'count=0', 'status=none']);
      dropOs = true;
    } catch (error) {
      missing.push(`the OS page cache cannot be dropped for ${options.dataDir} (${String((error as Error).message).split('\n')[0]}): run as the server's OS user (or root) on a system with GNU dd (coreutils 8.11+)`);
    }
  }
  let fincore = false;
  try {
    await run('fincore', ['--version']);
    fincore = true;
  } catch {
    missing.push('util-linux fincore is not installed: what a drop leaves in the page cache is not checked (apt-get install util-linux)');
  }
  return { evictSharedBuffers: schema !== undefined, ...(schema !== undefined ? { bufferCacheSchema: schema } : {}), dropOsCache: dropOs, checkResidency: fincore, missing };
}

/** The relations a query on executions may read: the table, its TOAST table and index, every index it has now. */
async function relationsOf(client: pg.ClientBase): Promise<{ oid: number; file: string }[]> {
  const { rows } = await client.query<{ oid: number; file: string | null }>(
    `SELECT c.oid::int AS oid, pg_relation_filepath(c.oid) AS file FROM pg_class c
      WHERE c.oid = 'executions'::regclass
         OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'executions'::regclass)
         OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN ('executions'::regclass, (SELECT reltoastrelid FROM pg_class WHERE oid = 'executions'::regclass)))`);
  return rows.filter((r): r is { oid: number; file: string } => r.file !== null);
}

/** Every file of a relation: its main fork's 1 GB segments (x, x.1, ...) and its free-space and visibility maps. */
function filesOf(dataDir: string, relative: string): string[] {
  const base = path.join(dataDir, relative);
  const files: string[] = [];
  for (let segment = 0; existsSync(segment === 0 ? base : `${base}.${segment}`); segment++) files.push(segment === 0 ? base : `${base}.${segment}`);
  for (const fork of ['_fsm', '_vm']) if (existsSync(`${base}${fork}`)) files.push(`${base}${fork}`);
  return files;
}

/** Bytes of `files` resident in the page cache (fincore). */
async function residentBytes(files: string[]): Promise<number> {
  if (files.length === 0) return 0;
  const { stdout } = await run('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES', ...files]);
  return stdout.split('\n').map((l) => Number(l.trim())).filter(Number.isFinite).reduce((a, b) => a + b, 0);
}

/**
 * Empties both caches of the query's relations: shared buffers (pg_buffercache_evict), then the OS page cache
 * (fsync, then POSIX_FADV_DONTNEED through dd). Returns what is left in each.
 */
export async function dropCaches(client: pg.ClientBase, ability: ColdAbility, dataDir: string | undefined): Promise<{ buffersLeft: number; osResidentBytes: number | null }> {
  const relations = await relationsOf(client);
  const filenodes = `(SELECT pg_relation_filenode(oid) FROM unnest($1::oid[]) AS oid)`;
  const inDatabase = `reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  const oids = relations.map((r) => r.oid);
  let buffersLeft = -1;
  if (ability.bufferCacheSchema !== undefined) {
    const ext = pg.escapeIdentifier(ability.bufferCacheSchema);
    // The result's type changed in 18 (a record); only the buffers left afterwards are read.
    await client.query(`SELECT ${ext}.pg_buffercache_evict(bufferid) FROM ${ext}.pg_buffercache WHERE ${inDatabase} AND relfilenode IN ${filenodes}`, [oids]);
    buffersLeft = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ext}.pg_buffercache WHERE ${inDatabase} AND relfilenode IN ${filenodes}`, [oids])).rows[0]!.n;
  }
  let osResidentBytes: number | null = null;
  if (ability.dropOsCache && dataDir !== undefined) {
    const files = relations.flatMap((r) => filesOf(dataDir, r.file));
    for (const file of files) {
      // Pages still dirty (an index just built, a buffer eviction just wrote) are not dropped by DONTNEED.
      const fd = openSync(file, 'r');
      try { fsyncSync(fd); } finally { closeSync(fd); }
      await run('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
    }
    if (ability.checkResidency) osResidentBytes = await residentBytes(files);
  }
  return { buffersLeft, osResidentBytes };
}

/** Blocks asked for and read so far in this transaction, per relation (pg_stat_get_xact_blocks_fetched, - _hit). */
async function blockCounts(client: pg.ClientBase, oids: number[]): Promise<{ fetched: number; read: number }[]> {
  const { rows } = await client.query<{ fetched: string; hit: string }>(
    `SELECT pg_stat_get_xact_blocks_fetched(oid) AS fetched, pg_stat_get_xact_blocks_hit(oid) AS hit
       FROM unnest($1::oid[]) WITH ORDINALITY AS t(oid, i) ORDER BY i`, [oids]);
  return rows.map((r) => ({ fetched: Number(r.fetched), read: Number(r.fetched) - Number(r.hit) }));
}

/** Runs the query once under EXPLAIN (ANALYZE, BUFFERS, TIMING OFF), counting its reads per relation. */
export async function sampleQuery(client: pg.ClientBase, sql: string, params: unknown[], indexOid: number, heapOid: number): Promise<QuerySample> {
  const before = await blockCounts(client, [indexOid, heapOid]);
  const json = await explain(client, sql, params, { timing: false });
  const after = await blockCounts(client, [indexOid, heapOid]);
  const facts = analyzePlan(json);
  const root = ((Array.isArray(json) ? json[0] : json) as { Plan: Record<string, unknown> }).Plan;
  // PostgreSQL 17 renamed 'I/O Read Time' to 'Shared I/O Read Time'; present only with track_io_timing on.
  const io = root['Shared I/O Read Time'] ?? root['I/O Read Time'];
  return {
    executionMs: facts.executionMs,
    sharedHit: facts.buffers.sharedHit,
    sharedRead: facts.buffers.sharedRead,
    readIoMs: typeof io === 'number' ? io : null,
    indexFetched: after[0]!.fetched - before[0]!.fetched,
    indexRead: after[0]!.read - before[0]!.read,
    heapFetched: after[1]!.fetched - before[1]!.fetched,
    heapRead: after[1]!.read - before[1]!.read,
    indexesUsed: [...new Set(facts.indexes.map((u) => u.index))],
  };
}

/**
 * Measures every variant of every query on `client` (search_path at the dataset; the caller ran
 * prepareDatasetSession). Each variant lives in its own transaction, rolled back: the dataset is left as it was.
 */
export async function measureColdCache(client: pg.ClientBase, pools: ParamPools, queries: CacheQuery[], options: ColdCacheOptions): Promise<ColdCacheFacts> {
  const log = options.log ?? (() => {});
  const coldSamples = options.coldSamples ?? 5;
  const warmRepeats = options.warmRepeats ?? 3;
  // Every tenant's every environment, before any index is dropped (an index-only scan serves it).
  const keys = options.stream === false ? [] : (await client.query<{ tenant: string; environment: string }>(
    'SELECT tenant_id AS tenant, environment_id AS environment FROM executions GROUP BY 1, 2 ORDER BY 1, 2')).rows;
  const ability = await resolveColdAbility(client, options);
  // track_io_timing is superuser-only: on a user's server without that right, readIoMs stays null.
  await client.query('SET track_io_timing = on').catch(() => undefined);
  const settings = (await client.query<{ sb: string; bytes: string; heap: string }>(
    `SELECT current_setting('shared_buffers') AS sb, pg_size_bytes(current_setting('shared_buffers'))::text AS bytes, pg_relation_size('executions')::text AS heap`)).rows[0]!;
  const heapOid = Number((await client.query<{ oid: number }>(`SELECT 'executions'::regclass::oid::int AS oid`)).rows[0]!.oid);
  const comparisons: CacheComparison[] = [];
  for (const query of queries) {
    const variants: VariantFacts[] = [];
    for (const variant of query.variants) {
      log(`cache: ${query.scenarioId}: ${variant.label} (${variant.name})`);
      variants.push(await measureVariant(client, query, variant, heapOid, ability, { pools, keys, coldSamples, warmRepeats, dataDir: options.dataDir }));
    }
    comparisons.push({ scenarioId: query.scenarioId, spec: query.spec, sql: query.sql, variants });
  }
  return { sharedBuffers: settings.sb, sharedBuffersBytes: Number(settings.bytes), heapBytes: Number(settings.heap), ability, comparisons };
}

async function measureVariant(
  client: pg.ClientBase, query: CacheQuery, variant: IndexVariant, heapOid: number, ability: ColdAbility,
  n: { pools: ParamPools; keys: { tenant: string; environment: string }[]; coldSamples: number; warmRepeats: number; dataDir: string | undefined },
): Promise<VariantFacts> {
  const base = { label: variant.label, kind: variant.kind, sql: variant.sql, name: variant.name };
  const empty: VariantFacts = { ...base, indexBytes: 0, indexRows: 0, cold: [], warm: [], stream: null };
  await client.query('BEGIN');
  try {
    await dropUnconstrainedIndexes(client);
    try {
      await client.query(variant.sql);
    } catch (error) {
      return { ...empty, error: `${variant.name} did not build: ${describePgError(error).split('\n')[0]}` };
    }
    if ((await hiddenIndexes(client, [variant.name])).length > 0) {
      return { ...empty, error: `${variant.name} cannot be used by the transaction that built it (broken HOT chains): VACUUM executions and run again` };
    }
    const size = (await client.query<{ oid: number; bytes: string; rows: number }>(
      `SELECT c.oid::int AS oid, pg_relation_size(c.oid)::text AS bytes, c.reltuples::float8 AS rows FROM pg_class c WHERE c.oid = $1::regclass`, [variant.name])).rows[0]!;
    const measured: VariantFacts = { ...empty, indexBytes: Number(size.bytes), indexRows: Math.max(0, Math.round(size.rows)) };
    if (!ability.evictSharedBuffers) {
      // Warm only: without eviction a "cold" sample would be whatever the cache happened to hold.
      for (let i = 0; i < n.coldSamples; i++) for (let w = 0; w < n.warmRepeats; w++) measured.warm.push(await sampleQuery(client, query.sql, query.params(createParamPicker(n.pools, i)), size.oid, heapOid));
      return { ...measured, error: 'no cold start: shared buffers cannot be emptied here' };
    }
    for (let i = 0; i < n.coldSamples; i++) {
      // The focus tenant's busiest environment (the picker's choice), windows rotating with i.
      const params = query.params(createParamPicker(n.pools, i));
      const state = await dropCaches(client, ability, n.dataDir);
      measured.cold.push({ ...(await sampleQuery(client, query.sql, params, size.oid, heapOid)), ...state });
      for (let w = 0; w < n.warmRepeats; w++) measured.warm.push(await sampleQuery(client, query.sql, params, size.oid, heapOid));
    }
    if (n.keys.length > 0) {
      await dropCaches(client, ability, n.dataDir);
      const stream: StreamFacts = { keys: n.keys.length, queries: 0, sharedHit: 0, sharedRead: 0, indexFetched: 0, indexRead: 0, heapFetched: 0, heapRead: 0, totalMs: 0, readIoMs: 0 };
      for (let i = 0; i < 2 * n.keys.length; i++) {
        const key = n.keys[i % n.keys.length]!;
        const pick: ParamPicker = { ...createParamPicker(n.pools, i), tenant: () => key.tenant, environment: () => key.environment };
        const s = await sampleQuery(client, query.sql, query.params(pick), size.oid, heapOid);
        stream.queries += 1;
        stream.sharedHit += s.sharedHit;
        stream.sharedRead += s.sharedRead;
        stream.indexFetched += s.indexFetched;
        stream.indexRead += s.indexRead;
        stream.heapFetched += s.heapFetched;
        stream.heapRead += s.heapRead;
        stream.totalMs += s.executionMs;
        stream.readIoMs = s.readIoMs === null || stream.readIoMs === null ? null : stream.readIoMs + s.readIoMs;
      }
      measured.stream = stream;
    }
    return measured;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * The spec's partial indexes against full counterparts, each with the query it serves:
 * - §3's error index (WHERE normalized_status = 'error', "90% smaller than a full index", "better cache hit rate")
 *   for the recent-failures widget, against the same columns with no WHERE and against a full index that has the
 *   status as a key column (the same lookup, every row indexed);
 * - §2's listing index (WHERE started_at IS NOT NULL, "excludes 0.01% edge cases") for page 1 of the listing
 *   (its corrected form, which states the predicate so the partial index can be used), against the same without WHERE.
 */
export function specCacheQueries(scenarios: readonly LoadedScenario[]): CacheQuery[] {
  const scenario = (id: string) => {
    const found = scenarios.find((s) => s.id === id);
    if (!found) throw new ScenarioError(`Scenario '${id}' is missing from scenarios/: the cache comparison measures it; restore scenarios/${id}.ts.`, id);
    return found.definition;
  };
  const failures = scenario('recent-failures').documented;
  const listing = scenario('paginated-listing');
  const listingForm = listing.corrected ?? listing.documented;
  return [
    {
      scenarioId: 'recent-failures', spec: '§3 idx_executions_tenant_env_failed_started', sql: failures.sql,
      params: failures.params,
      variants: [
        { label: 'partial (spec)', kind: 'partial', name: 'idx_executions_tenant_env_failed_started', sql: `CREATE INDEX idx_executions_tenant_env_failed_started ON executions (tenant_id, environment_id, started_at DESC) WHERE normalized_status = 'error'` },
        { label: 'full, same columns', kind: 'full', name: 'cache_full_tenant_env_started', sql: 'CREATE INDEX cache_full_tenant_env_started ON executions (tenant_id, environment_id, started_at DESC)' },
        { label: 'full, status as a key column', kind: 'full', name: 'cache_full_tenant_env_status_started', sql: 'CREATE INDEX cache_full_tenant_env_status_started ON executions (tenant_id, environment_id, normalized_status, started_at DESC)' },
      ],
    },
    {
      scenarioId: 'paginated-listing', spec: '§2 idx_executions_tenant_env_started', sql: listingForm.sql,
      params: listingForm.params,
      variants: [
        { label: 'partial (spec)', kind: 'partial', name: 'idx_executions_tenant_env_started', sql: 'CREATE INDEX idx_executions_tenant_env_started ON executions (tenant_id, environment_id, started_at DESC) WHERE started_at IS NOT NULL' },
        { label: 'full, same columns', kind: 'full', name: 'cache_full_tenant_env_started', sql: 'CREATE INDEX cache_full_tenant_env_started ON executions (tenant_id, environment_id, started_at DESC)' },
      ],
    },
  ];
}
