// Before a dataset is written: is there room for it? A 10M dataset is about 10 GB; running out halfway leaves a
// server with a full disk. Checked where execbench can see the disk the data goes to: the embedded server's data
// directory, or a server on this machine whose data_directory the role may read. Elsewhere (a container, a remote
// server) nothing is checked, and the seed says so.
import { statfs } from 'node:fs/promises';
import type pg from 'pg';
import { UsageError } from '../errors.ts';
import { formatBytes } from '../report/format.ts';

/** Room to spare beyond the dataset's estimate: index builds sort, and the estimate is an average. */
export const DISK_MARGIN = 1.25;

/** Free bytes for an unprivileged writer at `dir`, or undefined where it cannot be read. */
export async function freeBytesAt(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/**
 * Pure: refuses (UsageError, exit 3) a dataset that does not fit: `neededBytes` (the estimate) times DISK_MARGIN
 * must be under what is free plus what a rebuild frees first (the old dataset's size).
 */
export function checkDiskSpace(input: { schema: string; neededBytes: number; freeBytes: number; reclaimedBytes: number; where: string; fix: string }): void {
  const needed = input.neededBytes * DISK_MARGIN;
  const available = input.freeBytes + input.reclaimedBytes;
  if (needed <= available) return;
  throw new UsageError(
    `Not enough disk space for ${input.schema}: it needs about ${formatBytes(needed)} (the dataset's estimate ${formatBytes(input.neededBytes)}, plus ${Math.round((DISK_MARGIN - 1) * 100)}% for index builds), ` +
    `and ${input.where} has ${formatBytes(input.freeBytes)} free${input.reclaimedBytes > 0 ? ` (plus ${formatBytes(input.reclaimedBytes)} the old dataset frees)` : ''}. Nothing was written. ${input.fix}`);
}

/** Where a server's data lives, when the role may read it and the server runs on this machine; else undefined. */
export async function localDataDirectory(client: pg.ClientBase, connectionString: string): Promise<string | undefined> {
  let host = '';
  try {
    host = new URL(connectionString).hostname;
  } catch {
    return undefined;
  }
  if (!(host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.startsWith('/'))) return undefined;
  try {
    const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
    return rows[0]?.dir;
  } catch {
    return undefined;
  }
}
