// The server settings execbench applies wherever it starts Postgres (embedded and container), and
// the plan-shaping settings it records wherever it runs (also against a user's server, where it
// changes nothing).

/**
 * Settings that mimic the spec's test box (PostgreSQL, 4 CPU, 8 GB RAM, SSD), so plans and timings
 * match the numbers the document was written against rather than Postgres' tiny defaults.
 */
export const SERVER_SETTINGS: Readonly<Record<string, string>> = {
  // 25% of 8 GB: the usual dedicated-server rule; the 1M dataset (~400 MB heap + indexes) fits in it,
  // as it would on the spec's box.
  shared_buffers: '2GB',
  // 75% of 8 GB: tells the planner the OS cache holds the rest, which favours index scans as on the box.
  effective_cache_size: '6GB',
  // Per sort/hash node; 16MB keeps the spec's aggregates and top-N sorts in memory without
  // over-promising on a 4-CPU box with many connections.
  work_mem: '16MB',
  // Index builds after the load (CREATE INDEX) and VACUUM run far faster with room to sort.
  maintenance_work_mem: '512MB',
  // SSD: random reads cost little more than sequential ones (the default 4.0 models spinning disks).
  random_page_cost: '1.1',
  // Fewer forced checkpoints while COPY loads a million rows.
  max_wal_size: '4GB',
  checkpoint_timeout: '30min',
  // With minimal WAL, a COPY into a table created in the same transaction skips WAL entirely;
  // minimal requires max_wal_senders = 0 (no replication from a benchmark server).
  wal_level: 'minimal',
  max_wal_senders: '0',
  // The default; stated so the spec's box is described completely.
  max_connections: '100',
  // Timestamps and date_trunc('day', ...) in the spec's queries must not depend on the host's zone.
  TimeZone: 'UTC',
  // The server clock: pg_stat_statements times each statement's executor without EXPLAIN ANALYZE's per-node
  // instrumentation (which counts rows per node even with TIMING OFF). It ships with the embedded binaries and the
  // official images, and must be loaded at server start.
  shared_preload_libraries: 'pg_stat_statements',
  // Its statistics start empty at every start of a server execbench owns: the server clock reads them after each
  // timed execution, and that read walks every entry (1.2 ms with the ~800 that earlier runs, tests and what-if
  // variants had left behind, and growing to the 5000 kept at most), so a run's sampling rate would depend on the
  // history of the data directory rather than on the query.
  'pg_stat_statements.save': 'off',
};

/** The settings for a server with `memoryMb` of RAM: below the spec's 8 GB, memory settings shrink in proportion. */
export function serverSettingsFor(options: { memoryMb?: number } = {}): Record<string, string> {
  const settings = { ...SERVER_SETTINGS };
  const mb = options.memoryMb;
  if (mb !== undefined && mb > 0 && mb < 8192) {
    // A 2GB shared_buffers inside a 1 GB container would be killed by the OOM killer at the first big scan.
    settings.shared_buffers = `${Math.max(128, Math.floor(mb / 4))}MB`;
    settings.effective_cache_size = `${Math.max(256, Math.floor((mb * 3) / 4))}MB`;
    settings.maintenance_work_mem = `${Math.max(64, Math.min(512, Math.floor(mb / 16)))}MB`;
  }
  return settings;
}

/** `{ a: '1' }` -> `['-c', 'a=1']`: the form both the postgres binary and the Docker image accept. */
export function settingsAsFlags(settings: Readonly<Record<string, string>>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

/** The settings that shape plans and timings; recorded with every result so runs can be compared honestly. */
export const RECORDED_SETTINGS = [
  'server_version',
  'shared_buffers',
  'work_mem',
  'effective_cache_size',
  'random_page_cost',
  'seq_page_cost',
  'jit',
  'max_parallel_workers_per_gather',
  'max_parallel_workers',
  'effective_io_concurrency',
  'default_statistics_target',
  'TimeZone',
] as const;

/** Anything with node-postgres' `query` (a Client, a PoolClient or a Pool). */
export interface Queryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** Reads RECORDED_SETTINGS from the server as `current_setting` reports them (with units, e.g. '2GB'). */
export async function readServerSettings(client: Queryable): Promise<Record<string, string>> {
  // One round trip; current_setting(name) gives the unit-bearing form a reader expects ('2GB', not 262144).
  const { rows } = await client.query<{ name: string; value: string }>(
    `SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name`,
    [RECORDED_SETTINGS as unknown as string[]],
  );
  const settings: Record<string, string> = {};
  for (const row of rows) settings[row.name] = row.value;
  return settings;
}
