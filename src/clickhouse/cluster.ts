// The two-shard cluster: two servers whose `executions` is a Distributed table on the first, sharded by tenant
// over each server's executions_local (.ci/clickhouse-cluster starts such a pair from Debian's 18.16 package).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../errors.ts';
import type { ClusterHandle } from './load.ts';
import { openServerEngine } from './server.ts';

const run = promisify(execFile);

/** --clickhouse-url: one URL is a server; two, comma-separated, are the two shards of a cluster. */
export function splitClickHouseUrls(raw: string): string[] {
  const urls = raw.split(',').map((u) => u.trim()).filter((u) => u !== '');
  if (urls.length === 0 || urls.length > 2) {
    throw new UsageError(`Invalid --clickhouse-url '${raw}': give one server's URL (http://host:8123), or two comma-separated for the two shards of a cluster (the first holds the Distributed table).`);
  }
  return urls;
}

/** Opens both shards and the Distributed entry point (the first server). */
export async function openCluster(urls: readonly string[]): Promise<ClusterHandle> {
  const shards = [];
  try {
    for (const url of urls) shards.push(await openServerEngine(url, 'server'));
    const engine = await openServerEngine(urls[0]!, 'cluster');
    return { engine, shards };
  } catch (error) {
    await Promise.all(shards.map((s) => s.close().catch(() => {})));
    throw error;
  }
}

/** .ci/clickhouse-cluster, from the project root. */
export function clusterScript(projectRoot: string): string {
  return path.join(projectRoot, '.ci', 'clickhouse-cluster');
}

/**
 * Starts the local two-server cluster (bounded by the script: 30 s per server), or says in one line why not.
 * Returns the URLs and whether this call started it (so the caller stops only what it started).
 */
export async function startLocalCluster(projectRoot: string): Promise<{ urls: string[]; startedHere: boolean } | { skipped: string }> {
  const script = clusterScript(projectRoot);
  try {
    const { stdout } = await run(script, ['urls'], { timeout: 10_000 });
    return { urls: stdout.trim().split(','), startedHere: false };
  } catch { /* not running: start it */ }
  try {
    const { stdout } = await run(script, ['start'], { timeout: 300_000 });
    const line = stdout.trim().split('\n').pop() ?? '';
    if (!line.startsWith('started ')) return { skipped: line || 'the cluster script printed nothing' };
    return { urls: line.slice('started '.length).split(','), startedHere: true };
  } catch (error) {
    const out = ((error as { stdout?: string }).stdout ?? '').trim().split('\n').pop();
    return { skipped: out || (error as Error).message.split('\n')[0]! };
  }
}

export async function stopLocalCluster(projectRoot: string): Promise<void> {
  await run(clusterScript(projectRoot), ['stop'], { timeout: 60_000 });
}
