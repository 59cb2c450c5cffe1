// A user's own executions table, judged as it is: resolved from --table/--schema, reached through a session that
// cannot write (default_transaction_read_only), its privileges checked before anything runs, and the parameters
// of every scenario drawn from its own rows (or, with --plans-only, from the planner's statistics alone).
import pg from 'pg';
import { UsageError, describePgError } from '../errors.ts';
import type { ParamPools } from '../runner/params.ts';
import { SESSION_SETTINGS } from '../runner/session.ts';
import { timedSocket } from '../runner/sampler.ts';

/** Where the table is, as the user named it. */
export interface TableRef {
  schema: string;
  table: string;
}

/** What execbench learnt of the table before running anything. */
export interface TableFacts extends TableRef {
  /** Qualified and quoted where needed, for messages: public.executions. */
  qualified: string;
  columns: string[];
  /** pg_class.reltuples: the planner's row estimate (-1 when never analyzed). */
  estimatedRows: number;
  role: string;
  database: string;
  /** Write privileges the role holds on the table (planning a write needs them too, even under --plans-only). */
  writable: { INSERT: boolean; UPDATE: boolean; DELETE: boolean };
}

/**
 * --table [schema.]name and --schema name: `--table app.runs`, `--table runs --schema app`, `--schema app` (the
 * table executions in it), `--table executions` (schema public). Names are taken as typed (lower case unless quoted).
 */
export function resolveTableRef(table: string | undefined, schema: string | undefined): TableRef {
  const clean = (value: string, flag: string): string => {
    const v = value.trim();
    const m = /^(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*))$/.exec(v);
    if (!m) throw new UsageError(`Invalid ${flag} '${value}': give a table name such as executions or public.executions (quote mixed case: '"MyTable"').`);
    return m[1] ?? m[2]!.toLowerCase();
  };
  if (table !== undefined && table.trim() === '') throw new UsageError("--table was given no value (an unset variable?): give your table, e.g. --table public.executions.");
  if (schema !== undefined && schema.trim() === '') throw new UsageError("--schema was given no value (an unset variable?): give the schema holding your executions table, e.g. --schema public.");
  const raw = table ?? 'executions';
  const dot = /^("[^"]+"|[^."]+)\.("[^"]+"|[^."]+)$/.exec(raw.trim());
  if (dot) {
    if (schema !== undefined) throw new UsageError(`--table '${raw}' names its schema and --schema '${schema}' names another: give one of them.`);
    return { schema: clean(dot[1]!, '--table'), table: clean(dot[2]!, '--table') };
  }
  return { schema: clean(schema ?? 'public', '--schema'), table: clean(raw, '--table') };
}

export function qualify(ref: TableRef): string {
  return `${pg.escapeIdentifier(ref.schema)}.${pg.escapeIdentifier(ref.table)}`.replace(/"([a-z_][a-z0-9_]*)"/g, '$1');
}

/**
 * A session on the user's database that cannot write: every transaction read-only unless execbench itself opens one
 * READ WRITE for a rolled-back write (--allow-writes). search_path is the table's schema, so the scenarios' SQL
 * (`FROM executions`) finds it.
 */
export async function connectToTable(connectionString: string, ref: TableRef): Promise<pg.Client> {
  const tls = Boolean((new pg.Client({ connectionString }) as unknown as { ssl?: unknown }).ssl);
  const client = new pg.Client({ connectionString, application_name: 'execbench (read-only)', ...(tls ? {} : { stream: timedSocket }) });
  try {
    await client.connect();
  } catch (error) {
    throw connectError(error, connectionString);
  }
  try {
    const settings = { ...SESSION_SETTINGS, default_transaction_read_only: 'on' };
    await client.query(`SET search_path TO ${pg.escapeIdentifier(ref.schema)}, pg_catalog; ${Object.entries(settings).map(([k, v]) => `SET ${k} TO '${v}'`).join('; ')}`);
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}

function connectError(error: unknown, connectionString: string): Error {
  const e = error as { code?: string };
  const url = new URL(connectionString);
  const role = decodeURIComponent(url.username) || process.env.PGUSER || 'your role';
  const database = decodeURIComponent(url.pathname.slice(1)) || role;
  if (e?.code === '42501') {
    return new UsageError(`Role ${role} may not connect to database ${database}: grant it with GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(database)} TO ${pg.escapeIdentifier(role)};`);
  }
  return new UsageError(`Cannot connect to ${url.host}/${database} as ${role}: ${describePgError(error)}.`);
}

/**
 * Checks, before anything runs, that the table exists and the role may read it (and write it, rolled back, with
 * --allow-writes): a missing privilege is one line naming it and the GRANT that gives it.
 */
export async function preflightTable(client: pg.ClientBase, ref: TableRef, options: { allowWrites: boolean }): Promise<TableFacts> {
  const who = await client.query<{ role: string; database: string }>('SELECT current_user AS role, current_database() AS database');
  const { role, database } = who.rows[0]!;
  const qualified = qualify(ref);
  const found = await client.query<{ oid: number; kind: string; reltuples: number; schema_usage: boolean | null }>(
    `SELECT c.oid::int8::float8 AS oid, c.relkind AS kind, c.reltuples::float8 AS reltuples,
            has_schema_privilege(n.oid, 'USAGE') AS schema_usage
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`, [ref.schema, ref.table]);
  const row = found.rows[0];
  if (!row) {
    const near = await client.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relname ILIKE '%execution%' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'execbench\\_%' ORDER BY 1 LIMIT 5`);
    const hint = near.rows.length > 0 ? ` Tables here that look like it: ${near.rows.map((r) => r.name).join(', ')}.` : '';
    throw new UsageError(`No table ${qualified} in database ${database}: give the table you want judged with --table schema.name.${hint}`);
  }
  if (row.kind !== 'r' && row.kind !== 'p') {
    throw new UsageError(`${qualified} is not a table (relkind '${row.kind}'): --table judges a table or a partitioned table.`);
  }
  const grant = (privilege: string, on: string) => `GRANT ${privilege} ON ${on} TO ${pg.escapeIdentifier(role)};`;
  if (!row.schema_usage) {
    throw new UsageError(`Role ${role} lacks USAGE on schema ${ref.schema}, which reading ${qualified} needs: ${grant('USAGE', `SCHEMA ${pg.escapeIdentifier(ref.schema)}`)}`);
  }
  const all = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
  const privileges = await client.query<Record<string, boolean>>(
    `SELECT ${all.map((p, i) => `has_table_privilege($1::oid, '${p}') AS p${i}`).join(', ')}`, [row.oid]);
  const holds = (p: (typeof all)[number]) => Boolean(privileges.rows[0]![`p${all.indexOf(p)}`]);
  const needed = ['SELECT', ...(options.allowWrites ? ['INSERT', 'UPDATE', 'DELETE'] as const : [])] as (typeof all)[number][];
  const lacking = needed.filter((p) => !holds(p));
  if (lacking.length > 0) {
    const why = lacking.includes('SELECT') ? 'which judging it needs' : 'which --allow-writes needs for its rolled-back writes (or drop --allow-writes)';
    throw new UsageError(`Role ${role} lacks ${lacking.join(', ')} on ${qualified}, ${why}: ${grant(lacking.join(', '), qualified)}`);
  }
  const columns = await client.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [row.oid]);
  return {
    ...ref, qualified, columns: columns.rows.map((r) => r.name), estimatedRows: Number(row.reltuples), role, database,
    writable: { INSERT: holds('INSERT'), UPDATE: holds('UPDATE'), DELETE: holds('DELETE') },
  };
}

/** The columns the document's queries and the parameter pools read. */
const PARAM_COLUMNS = ['id', 'tenant_id', 'environment_id', 'workflow_id', 'execution_id', 'started_at', 'created_at'] as const;

/** Pools and the facts a report states about them. */
export interface TablePools {
  pools: ParamPools;
  /** The busiest tenant's rows (exact, or the planner's estimate with --plans-only). */
  tenantRows: number;
  /** How the parameters were chosen, one sentence for the report. */
  how: string;
}

/**
 * Parameters from the user's rows, as the seeded dataset gives them: the busiest tenant and its busiest environment,
 * a popular and a rare workflow there, ids and engine ids of existing rows, retention cutoffs from its oldest rows,
 * and windows ending at its newest started_at. Reads rows (an aggregate over the table for the busiest tenant);
 * with plansOnly, only pg_stats is read and nothing of the table itself.
 */
export async function loadTablePools(client: pg.ClientBase, facts: TableFacts, options: { plansOnly: boolean }): Promise<TablePools> {
  const missing = ['tenant_id', 'environment_id', 'started_at'].filter((c) => !facts.columns.includes(c));
  if (missing.length > 0) {
    throw new UsageError(`${facts.qualified} has no column ${missing.join(', ')}: every query of the document filters on tenant_id, environment_id and started_at. Point --table at your executions table.`);
  }
  return options.plansOnly ? poolsFromStatistics(client, facts) : poolsFromRows(client, facts);
}

const has = (facts: TableFacts, column: string) => facts.columns.includes(column);
const NO_UUID = '00000000-0000-0000-0000-000000000000';

async function poolsFromRows(client: pg.ClientBase, facts: TableFacts): Promise<TablePools> {
  const t = facts.qualified;
  // The busiest tenant: an aggregate over every row (a read; --plans-only reads pg_stats instead).
  const tenant = await client.query<{ tenant_id: string; n: string }>(
    `SELECT tenant_id::text AS tenant_id, count(*) AS n FROM ${t} GROUP BY tenant_id ORDER BY count(*) DESC, tenant_id LIMIT 1`);
  if (!tenant.rows[0]) throw new UsageError(`${t} has no rows: there is nothing to judge the document's queries against. Use a table with data, or let execbench seed its own (omit --table).`);
  const tenantId = tenant.rows[0].tenant_id;
  const envs = await client.query<{ id: string }>(
    `SELECT environment_id::text AS id FROM ${t} WHERE tenant_id = $1 GROUP BY environment_id ORDER BY count(*) DESC, environment_id`, [tenantId]);
  const environments = envs.rows.map((r) => r.id);
  const workflows = has(facts, 'workflow_id')
    ? (await client.query<{ id: string }>(
      `SELECT workflow_id::text AS id FROM ${t} WHERE tenant_id = $1 AND environment_id::text = $2 GROUP BY workflow_id ORDER BY count(*) DESC, workflow_id`,
      [tenantId, environments[0]])).rows.map((r) => r.id)
    : [];
  const ids = has(facts, 'id')
    ? (await client.query<{ id: string }>(`SELECT id::text AS id FROM ${t} WHERE tenant_id = $1 ORDER BY id LIMIT 256`, [tenantId])).rows.map((r) => r.id)
    : [];
  const engine = has(facts, 'execution_id')
    ? (await client.query<{ environment_id: string; execution_id: string }>(
      `SELECT environment_id::text AS environment_id, execution_id::text AS execution_id FROM ${t}
        WHERE tenant_id = $1 AND execution_id IS NOT NULL ORDER BY ${has(facts, 'id') ? 'id' : 'execution_id'} DESC LIMIT 256`, [tenantId])).rows
      .map((r) => ({ environmentId: r.environment_id, executionId: r.execution_id }))
    : [];
  const oldest = await client.query<{ started_at: Date }>(
    `SELECT started_at FROM ${t} WHERE tenant_id = $1 AND started_at IS NOT NULL ORDER BY started_at ASC LIMIT 5500`, [tenantId]);
  const newest = await client.query<{ max: Date | null }>(`SELECT max(started_at) AS max FROM ${t} WHERE tenant_id = $1`, [tenantId]);
  const never = has(facts, 'created_at')
    ? (await client.query<{ cutoff: Date | null }>(
      `SELECT max(created_at) + interval '1 second' AS cutoff FROM ${t} WHERE tenant_id = $1 AND started_at IS NULL`, [tenantId])).rows[0]?.cutoff ?? null
    : null;
  const anchorMs = newest.rows[0]?.max ? newest.rows[0].max.getTime() + 1000 : Date.now();
  return {
    pools: {
      tenantId,
      environments,
      popularWorkflow: workflows[0] ?? NO_UUID,
      rareWorkflow: workflows[workflows.length - 1] ?? NO_UUID,
      executionIds: ids,
      engineExecutions: engine,
      oldestStartedAt: oldest.rows.map((r) => r.started_at.toISOString()),
      neverStartedCutoff: (never ?? new Date(anchorMs)).toISOString(),
      anchorMs,
    },
    tenantRows: Number(tenant.rows[0].n),
    how: `the busiest tenant (${tenantId}, ${Number(tenant.rows[0].n).toLocaleString('en-US')} rows) and its busiest environment; ` +
      `workflows by their rows there (popular ${workflows[0] ?? 'none'}, rare ${workflows[workflows.length - 1] ?? 'none'}); ` +
      `time windows end at its newest started_at (${new Date(anchorMs - 1000).toISOString()})`,
  };
}

/**
 * --plans-only: nothing of the table is read. The planner's own statistics (pg_stats: most common values and the
 * histogram of started_at) give a busy tenant, environment and workflows and the table's time range; ids are ones no
 * row has, which EXPLAIN without ANALYZE plans exactly as it plans a real one.
 */
async function poolsFromStatistics(client: pg.ClientBase, facts: TableFacts): Promise<TablePools> {
  const stats = await client.query<{ attname: string; mcv: string[] | null; freqs: number[] | null; bounds: string[] | null; n_distinct: number }>(
    `SELECT attname, most_common_vals::text::text[] AS mcv, most_common_freqs AS freqs,
            histogram_bounds::text::text[] AS bounds, n_distinct
       FROM pg_stats WHERE schemaname = $1 AND tablename = $2`, [facts.schema, facts.table]);
  const byColumn = new Map(stats.rows.map((r) => [r.attname, r]));
  if (!byColumn.has('tenant_id')) {
    throw new UsageError(`${facts.qualified} has no planner statistics (pg_stats is empty for it), which --plans-only draws its parameters from: run ANALYZE ${facts.qualified}; (or let autovacuum do it), or drop --plans-only.`);
  }
  const top = (column: string): string[] => byColumn.get(column)?.mcv ?? byColumn.get(column)?.bounds ?? [];
  const tenants = top('tenant_id');
  const share = byColumn.get('tenant_id')?.freqs?.[0];
  const tenantRows = Math.round((share ?? 1 / Math.max(1, tenants.length)) * Math.max(0, facts.estimatedRows));
  const workflows = top('workflow_id');
  const startedBounds = byColumn.get('started_at')?.bounds ?? [];
  const newest = startedBounds.length > 0 ? Date.parse(startedBounds[startedBounds.length - 1]!) : Date.now();
  const anchorMs = Number.isNaN(newest) ? Date.now() : newest;
  const oldest = startedBounds.slice(0, 2).map((b) => new Date(Date.parse(b)).toISOString()).filter((s) => !s.startsWith('Invalid'));
  return {
    pools: {
      tenantId: tenants[0] ?? NO_UUID,
      environments: top('environment_id').slice(0, 5),
      popularWorkflow: workflows[0] ?? NO_UUID,
      rareWorkflow: workflows[workflows.length - 1] ?? NO_UUID,
      executionIds: [NO_UUID],
      engineExecutions: [],
      oldestStartedAt: oldest,
      neverStartedCutoff: new Date(anchorMs).toISOString(),
      anchorMs,
    },
    tenantRows,
    how: `--plans-only: from the planner's statistics (pg_stats), nothing read from the table: the most common tenant (${tenants[0] ?? 'none'}, about ` +
      `${tenantRows.toLocaleString('en-US')} rows of ${Math.max(0, facts.estimatedRows).toLocaleString('en-US')} estimated), environment and workflows; windows end at the top of started_at's histogram`,
  };
}

/**
 * The scenarios' SQL names the document's table, executions; a table of another name gets its own name in FROM,
 * JOIN, INTO, UPDATE and ON clauses, and in the monitoring queries' relname = 'executions'.
 */
export function retargetSql(sql: string, table: string): string {
  if (table === 'executions') return sql;
  const name = pg.escapeIdentifier(table).replace(/^"([a-z_][a-z0-9_]*)"$/, '$1');
  return sql
    .replace(/\b(FROM|JOIN|INTO|UPDATE|ON)(\s+)executions\b/gi, (_m, keyword: string, space: string) => `${keyword}${space}${name}`)
    .replace(/'executions'/g, `'${table.replace(/'/g, "''")}'`);
}

/** The document's table columns a user's table lacks, among those named in a failed statement's error. */
export function missingColumnOf(error: unknown, theirColumns: readonly string[], documentedColumns: readonly string[]): string | undefined {
  const e = error as { code?: string; message?: string };
  if (e?.code !== '42703') return undefined;
  // 'column "duration_ms" does not exist', 'column "workflow_name" of relation "executions" does not exist'
  const column = /column "?(?:[a-z_]+\.)?([a-z_][a-z0-9_]*)"?(?: of relation "[^"]+")? does not exist/i.exec(e.message ?? '')?.[1];
  if (!column) return undefined;
  return documentedColumns.includes(column) && !theirColumns.includes(column) ? column : undefined;
}

export { PARAM_COLUMNS };
