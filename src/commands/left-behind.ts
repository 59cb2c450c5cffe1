// The last words of run, seed and whatif: what execbench leaves in the server, and how to remove it.
import pg from 'pg';
import { defaultCacheDir } from '../config.ts';
import type { Database, ProviderOptions } from '../db/provider.ts';
import { hostPort, redactUrl } from '../db/url.ts';
import { formatBytes } from '../report/format.ts';
import { readDatasetInventory, type InventoryEntry } from '../seed/inventory.ts';

/**
 * Lines saying what is left (read while the server is up; printed after it stopped): in a server the user runs, the
 * execbench schemas there with sizes and the clean command; in the embedded server, where its data lives; for a
 * container, that it was removed.
 */
export async function describeLeftBehind(db: Database, provider: Pick<ProviderOptions, 'image' | 'cacheDir' | 'pgMajor' | 'databaseUrlFrom'>): Promise<string[]> {
  if (db.kind === 'container') return [`The ${provider.image} container execbench started was removed with its data; nothing is left.`];
  let inventory: Awaited<ReturnType<typeof readInventory>>;
  try {
    inventory = await readInventory(db.connectionString);
  } catch (error) {
    // The run's outcome stands; only this summary is missing.
    return [`Could not list what execbench left in the server (${String((error as Error)?.message ?? error)}); \`execbench clean --dry-run\` lists it.`];
  }
  const ours = inventory.entries.filter((e): e is Extract<InventoryEntry, { kind: 'ours' }> => e.kind === 'ours');
  const listed = ours.map((e) => `${e.schema} ${formatBytes(e.bytes)} ${e.status === 'ready' ? 'ready' : 'loading (unfinished: the next run at that scale rebuilds it)'}`).join(', ');
  const total = formatBytes(ours.reduce((sum, e) => sum + e.bytes, 0));
  if (db.kind === 'url') {
    const at = `database "${inventory.database}" at ${hostPort(new URL(db.connectionString))}`;
    if (ours.length === 0) return [`Nothing of execbench's is left in ${at} (your server, which keeps running).`];
    return [
      `Left in ${at} (your server, which keeps running): ${listed}; ${total} in all, kept so the next run reuses them.`,
      // From DATABASE_URL, plain `execbench clean` reaches the same server; a typed URL is shown without its password.
      provider.databaseUrlFrom === 'DATABASE_URL'
        ? 'Remove them with: npx execbench clean (DATABASE_URL names this server)'
        : `Remove them with: npx execbench clean --database-url ${redactUrl(db.connectionString)} (your password where *** stands)`,
    ];
  }
  const flags = [
    '--provider embedded',
    ...(provider.cacheDir !== defaultCacheDir() ? [`--cache-dir ${provider.cacheDir}`] : []),
    ...(provider.pgMajor !== undefined ? [`--pg-major ${provider.pgMajor}`] : []),
  ].join(' ');
  const where = db.dataDir ?? provider.cacheDir;
  if (ours.length === 0) return [`The embedded server execbench started has stopped; its data stays in ${where}, with no datasets.`];
  return [
    `The embedded server execbench started has stopped; its data stays in ${where}: ${listed}; ${total} in all, kept so the next run reuses them.`,
    `Remove them with: npx execbench clean ${flags} (or delete ${provider.cacheDir} to reset everything).`,
  ];
}

async function readInventory(connectionString: string): Promise<{ database: string; entries: InventoryEntry[] }> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    return { database: rows[0]!.db, entries: await readDatasetInventory(client) };
  } finally {
    await client.end().catch(() => {});
  }
}
