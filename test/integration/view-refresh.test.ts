// The materialized view's refresh on a real server (20k): a plain REFRESH holds ACCESS EXCLUSIVE and a dashboard read
// waits for it; CONCURRENTLY fails with the document's (non-unique) index; with the smallest fix it runs holding
// EXCLUSIVE, and the read does not wait; the view and its indexes are left as they were.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadParamPools, createParamPicker } from '../../src/runner/params.ts';
import { CONCURRENT_REFRESH_FIX, describeViewRefresh, measureViewRefresh } from '../../src/runner/view-refresh.ts';
import { loadScenarios } from '../../src/scenario/load.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import { parseScale } from '../../src/seed/scale.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
before(async () => { db = await createTestDatabase('refresh'); });
after(async () => { await db?.drop(); });
stopTestServerAfterAll();

describe('view refresh', { timeout: 300_000 }, () => {
  it('plain REFRESH blocks a read; CONCURRENTLY needs a unique index, and with it the read does not wait; nothing is left changed', async () => {
    const dataset = await ensureDataset({ connectionString: db.connectionString, kind: 'url' }, { scale: parseScale('20000'), seed: 1, indexBuild: 'after', fresh: false, optional: { coveringIndex: false, dailyStats: true } });
    const read = (await loadScenarios()).find((s) => s.id === 'daily-stats-view')!.definition.documented;
    const client = new pg.Client({ connectionString: db.connectionString });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${dataset.schema}`);
      const pools = await loadParamPools(client, dataset);
      const state = async () => (await client.query<{ n: string; idx: string }>(
        `SELECT (SELECT count(*) FROM execution_stats_daily)::text AS n, (SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = $1 AND tablename = 'execution_stats_daily') AS idx`, [dataset.schema])).rows[0];
      const before = await state();
      const facts = await measureViewRefresh(db.connectionString, dataset.schema, read.sql, read.params(createParamPicker(pools, 0)));
      assert.equal(facts.plain.lockMode, 'AccessExclusiveLock');
      assert.ok(facts.rows > 0);
      assert.ok('error' in facts.concurrentWithSpecIndex, JSON.stringify(facts.concurrentWithSpecIndex));
      assert.match(facts.concurrentWithSpecIndex.error, /concurrently|unique index/i);
      assert.ok('run' in facts.concurrentWithFix, JSON.stringify(facts.concurrentWithFix));
      assert.equal(facts.concurrentWithFix.run.lockMode, 'ExclusiveLock');
      const words = describeViewRefresh(facts);
      assert.match(words[0]!, /reads wait for the whole refresh/);
      assert.match(words[2]!, new RegExp(`With the smallest fix, ${CONCURRENT_REFRESH_FIX.replace(/[()]/g, '\\$&')}, REFRESH \\.\\.\\. CONCURRENTLY took .* holding ExclusiveLock`));
      assert.deepEqual(await state(), before, 'the view keeps its rows and its indexes: every refresh was rolled back');
    } finally {
      await client.end();
    }
  });
});
