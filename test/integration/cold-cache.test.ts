// The cold start on a real server (20k): after the caches are dropped the query reads its blocks (shared read > 0, the
// index's and the table's), and the same query right after reads none; the OS page cache is checked empty by fincore
// where the data files are on this machine (the embedded test server). Every index variant was rolled back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { judgeColdCache } from '../../src/runner/cache-judge.ts';
import { measureColdCache, specCacheQueries } from '../../src/runner/cold-cache.ts';
import { loadParamPools } from '../../src/runner/params.ts';
import { connectToDataset, prepareDatasetSession } from '../../src/runner/session.ts';
import { loadScenarios } from '../../src/scenario/load.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import { parseScale } from '../../src/seed/scale.ts';
import { createTestDatabase, getTestServer, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
before(async () => { db = await createTestDatabase('cold_cache'); });
after(async () => { await db?.drop(); });
stopTestServerAfterAll();

describe('cold cache', { timeout: 300_000 }, () => {
  it('a cold sample reads the index\'s and the table\'s blocks, the warm one right after reads none; the dataset keeps its indexes', async () => {
    const server = await getTestServer();
    const dataset = await ensureDataset({ connectionString: db.connectionString, kind: 'url' }, { scale: parseScale('20000'), seed: 1, indexBuild: 'after', fresh: false, optional: { coveringIndex: false, dailyStats: false } });
    const client = await connectToDataset(db.connectionString, dataset.schema);
    try {
      await prepareDatasetSession(client, dataset.schema);
      const indexes = async () => (await client.query<{ names: string }>(
        `SELECT string_agg(indexname, ',' ORDER BY indexname) AS names FROM pg_indexes WHERE schemaname = $1 AND tablename = 'executions'`, [dataset.schema])).rows[0]!.names;
      const before = await indexes();
      const queries = specCacheQueries(await loadScenarios());
      const facts = await measureColdCache(client, await loadParamPools(client, dataset), queries, {
        ...(server.dataDir ? { dataDir: server.dataDir } : {}), mayCreateExtension: server.kind === 'embedded', coldSamples: 2, warmRepeats: 2, stream: false,
      });
      assert.ok(facts.ability.evictSharedBuffers, `no eviction on this server: ${facts.ability.missing.join('; ')}`);
      assert.equal(facts.ability.dropOsCache, server.dataDir !== undefined, facts.ability.missing.join('; '));
      assert.deepEqual(facts.comparisons.map((c) => c.variants.length), [3, 2]);
      for (const v of facts.comparisons.flatMap((c) => c.variants)) {
        assert.equal(v.error, undefined, `${v.name}: ${v.error}`);
        assert.ok(v.indexBytes > 0, `${v.name} was built`);
        assert.equal(v.cold.length, 2);
        for (const s of v.cold) {
          assert.deepEqual(s.indexesUsed, [v.name], `${v.name}'s plan`);
          assert.equal(s.buffersLeft, 0, `${v.name}: every buffer of the table and its indexes evicted`);
          assert.ok(s.sharedRead > 0 && s.indexRead > 0 && s.heapRead > 0, `${v.name} cold: ${JSON.stringify(s)}`);
          if (facts.ability.dropOsCache && facts.ability.checkResidency) assert.equal(s.osResidentBytes, 0, `${v.name}: its files left the page cache`);
        }
        for (const s of v.warm) assert.equal(s.sharedRead, 0, `${v.name} warm: ${JSON.stringify(s)}`);
      }
      const [method] = judgeColdCache(facts, '20000');
      assert.equal(method!.severity, server.dataDir ? 'info' : 'warning');
      assert.equal(await indexes(), before, 'every variant was rolled back');
    } finally {
      await client.end();
    }
  });
});
