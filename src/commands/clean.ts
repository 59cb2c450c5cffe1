// `execbench clean`: drops the schemas execbench's marker proves are its own (ready or half-loaded), in a server the
// user runs or in the embedded one; names and leaves everything else (unmarked execbench_* schemas, datasets that
// objects outside depend on or that another execbench is using). --dry-run drops nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { ProviderOptions } from '../db/provider.ts';
import { hostPort } from '../db/url.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT, UsageError, describePgError } from '../errors.ts';
import { formatBytes } from '../report/format.ts';
import { datasetLockKey, inspectSchema, outsideDependents } from '../seed/dataset.ts';
import { readDatasetInventory, type InventoryEntry } from '../seed/inventory.ts';

/** Options of `execbench clean`. */
export interface CleanOptions {
  dryRun: boolean;
  provider: ProviderOptions;
}

/** Lists execbench's schemas and drops those it may (none with --dry-run); returns the exit code (0). */
export async function runCleanCommand(
  options: CleanOptions,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const provider = cleanProvider(options.provider);
  await withDatabase(provider, async (db) => {
    provider.log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    const client = new pg.Client({ connectionString: db.connectionString, application_name: 'execbench-clean' });
    client.on('error', () => {});
    await client.connect();
    try {
      const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
      const where = db.kind === 'url'
        ? `database "${database}" at ${hostPort(new URL(db.connectionString))} (your server)`
        : `database "${database}" of the embedded server (data in ${db.dataDir ?? provider.cacheDir})`;
      const entries = await readDatasetInventory(client);
      out(`execbench clean${options.dryRun ? ' --dry-run' : ''}: ${where}`);
      cleanClickHouseCopies(options, out);
      if (entries.length === 0) {
        out('No execbench schemas here; nothing to drop.');
        return;
      }
      const nameWidth = Math.max(...entries.map((e) => e.schema.length));
      let dropped = 0;
      let freed = 0;
      for (const entry of entries) {
        const outcome = await cleanOne(client, entry, options.dryRun);
        if (outcome.dropped) {
          dropped += 1;
          freed += entry.bytes;
        }
        const status = entry.kind === 'ours' ? entry.status : '';
        const size = entry.kind === 'ours' ? formatBytes(entry.bytes) : '';
        out(`  ${entry.schema.padEnd(nameWidth)}  ${size.padStart(9)}  ${status.padEnd(7)}  ${outcome.note}`);
      }
      const schemas = (n: number) => `${n} schema${n === 1 ? '' : 's'}`;
      out(options.dryRun
        ? `--dry-run: would drop ${schemas(dropped)}, freeing ${formatBytes(freed)}; nothing was dropped.`
        : `Dropped ${schemas(dropped)}, freed ${formatBytes(freed)}.`);
    } finally {
      await client.end().catch(() => {});
    }
  });
  return EXIT.ok;
}

/**
 * The embedded ClickHouse copies `run --engine clickhouse` keeps in execbench's cache folder (<cache>/chdb): execbench
 * created that folder, so it is removed with the datasets (listed only with --dry-run).
 */
function cleanClickHouseCopies(options: CleanOptions, out: (line: string) => void): void {
  const dir = path.join(options.provider.cacheDir, 'chdb');
  if (!existsSync(dir)) return;
  const du = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  const bytes = du.status === 0 ? Number(du.stdout.split('\t')[0]) : undefined;
  const size = bytes === undefined ? '' : ` (${formatBytes(bytes)})`;
  if (options.dryRun) {
    out(`--dry-run: would remove the embedded ClickHouse copies in ${dir}${size}.`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  out(`Removed the embedded ClickHouse copies in ${dir}${size}.`);
}

/** clean reaches the server that holds datasets: the URL's, else the embedded one (a container holds none). */
function cleanProvider(provider: ProviderOptions): ProviderOptions {
  if (provider.provider === 'container') {
    throw new UsageError('clean works on a --database-url server or the embedded server: a container execbench starts is removed, with its datasets, when execbench ends. Drop --provider container.');
  }
  if (provider.provider === 'auto' && provider.databaseUrl === undefined) return { ...provider, provider: 'embedded' };
  return provider;
}

/** Drops one schema where execbench may (or says it would); every other case is named and left. */
async function cleanOne(client: pg.Client, entry: InventoryEntry, dryRun: boolean): Promise<{ dropped: boolean; note: string }> {
  if (entry.kind === 'foreign') return { dropped: false, note: 'not execbench\'s (no execbench_dataset marker), left alone' };
  if (entry.kind === 'unreadable') return { dropped: false, note: `left: this role cannot read it (${entry.why})` };
  if (entry.dependents.length > 0) {
    return { dropped: false, note: `left: objects outside it depend on it (${entry.dependents.join(', ')}); drop those yourself first` };
  }
  if (!entry.ownedByCurrentUser) return { dropped: false, note: `left: it belongs to role "${entry.owner}", and only that role can drop it` };
  // The lock a run holds while it measures and a seed while it loads: a dataset in use is not pulled from under it.
  const key = datasetLockKey(entry.schema);
  const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
  if (!locked.rows[0]?.ok) return { dropped: false, note: 'left: another execbench process is seeding or measuring it' };
  try {
    if (dryRun) return { dropped: true, note: 'would drop' };
    // Read again under the lock: still ours, still nothing outside depending on it.
    const state = await inspectSchema(client, entry.schema);
    if (state.kind !== 'ours') return { dropped: false, note: 'left: its marker is gone since it was listed' };
    const dependents = await outsideDependents(client, entry.schema);
    if (dependents.length > 0) return { dropped: false, note: `left: objects outside it depend on it (${dependents.join(', ')})` };
    await client.query(`DROP SCHEMA ${pg.escapeIdentifier(entry.schema)} CASCADE`);
    return { dropped: true, note: 'dropped' };
  } catch (error) {
    return { dropped: false, note: `left: ${describePgError(error).split('\n')[0]}` };
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
  }
}
