// The cache judge from a saved measurement (test/fixtures/cache/cold-cache-1m.json: `npm run bench:scale -- cache`'s
// facts at 1M on the embedded server with shared_buffers 16MB) and from hand-made variants at the judge's bounds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderCacheFigures, type CacheResult } from '../../src/bench/scale-cache.ts';
import type { SavedFigure } from '../../src/bench/load-figures.ts';
import { compareReads, judgeColdCache, summarizeVariant } from '../../src/runner/cache-judge.ts';
import type { ColdCacheFacts, ColdSample, QuerySample, VariantFacts } from '../../src/runner/cold-cache.ts';

const measured = (): ColdCacheFacts => JSON.parse(readFileSync(new URL('../fixtures/cache/cold-cache-1m.json', import.meta.url), 'utf8')) as ColdCacheFacts;

const sample = (over: Partial<QuerySample> = {}): QuerySample => ({
  executionMs: 1, sharedHit: 0, sharedRead: 0, readIoMs: 0, indexFetched: 0, indexRead: 0, heapFetched: 0, heapRead: 0, indexesUsed: ['idx_p'], ...over,
});
const cold = (read: number, indexRead: number, name: string, over: Partial<ColdSample> = {}): ColdSample => ({
  ...sample({ sharedRead: read, indexRead, heapRead: read - indexRead, indexesUsed: [name], executionMs: read }), buffersLeft: 0, osResidentBytes: 0, ...over,
});
const variant = (name: string, kind: 'partial' | 'full', bytes: number, reads: number[], indexRead = 3): VariantFacts => ({
  label: kind === 'partial' ? 'partial (spec)' : 'full, status as a key column', kind, name, sql: `CREATE INDEX ${name} ...`, indexBytes: bytes, indexRows: 1,
  cold: reads.map((r) => cold(r, indexRead, name)), warm: [sample({ indexesUsed: [name], sharedHit: 9 })], stream: null,
});
const facts = (variants: VariantFacts[], over: Partial<ColdCacheFacts> = {}): ColdCacheFacts => ({
  sharedBuffers: '16MB', sharedBuffersBytes: 16 * 2 ** 20, heapBytes: 400 * 2 ** 20,
  ability: { evictSharedBuffers: true, bufferCacheSchema: 'public', dropOsCache: true, checkResidency: true, missing: [] },
  comparisons: [{ scenarioId: 'recent-failures', spec: '§3', sql: 'SELECT 1', variants }], ...over,
});

describe('cache judge', () => {
  it('reads fewer blocks only when at least 2 blocks and 20% fewer: one block of tree height is marginal', () => {
    assert.equal(compareReads(7, 84), 'fewer');
    assert.equal(compareReads(8, 10), 'fewer');
    assert.equal(compareReads(7, 8), 'marginal');
    assert.equal(compareReads(9, 10), 'marginal');
    assert.equal(compareReads(8, 8), 'not-fewer');
    assert.equal(compareReads(9, 8), 'not-fewer');
  });

  it('the 1M measurement: the error index saves reads against the same columns by its predicate, not against a full index with the status in the key, and the started_at index is not smaller', () => {
    const findings = judgeColdCache(measured(), '1m');
    const byId = new Map(findings.map((f) => [f.id, f]));
    assert.equal(byId.get('cache/method@1m')?.severity, 'info');
    const sameColumns = byId.get('cache/recent-failures/cache_full_tenant_env_started@1m')!;
    assert.equal(sameColumns.severity, 'info');
    assert.match(sameColumns.title, /reads fewer blocks from a cold start than full, same columns at 1m \(7 against 84\)/);
    assert.match(sameColumns.detail, /It is the predicate that saves the reads, not the index's size/);
    const statusKey = byId.get('cache/recent-failures/cache_full_tenant_env_status_started@1m')!;
    assert.equal(statusKey.severity, 'warning');
    assert.match(statusKey.title, /95% smaller is not fewer reads: .* 7 against 8 blocks from a cold start/);
    assert.match(statusKey.detail, /the index's own blocks hit 81% against 77%/);
    const listing = byId.get('cache/paginated-listing/cache_full_tenant_env_started@1m')!;
    assert.equal(listing.severity, 'warning');
    assert.match(listing.title, /does not make it smaller, so it cannot cache better \(100% of the full index's size at 1m\)/);
    assert.equal(findings.length, 4);
  });

  it('a partial index 10 times smaller that reads 3 fewer of 12 blocks is judged to read fewer, from its own blocks', () => {
    const [, pair] = judgeColdCache(facts([variant('idx_p', 'partial', 1e6, [9, 9, 9], 2), variant('idx_f', 'full', 1e7, [12, 12, 12], 5)]), '100k');
    assert.equal(pair!.severity, 'info');
    assert.match(pair!.detail, /The saving is in the index's own blocks \(3 of 3 cold\): a smaller tree/);
  });

  it('a variant the plan did not use is not judged, and says why', () => {
    const full = variant('idx_f', 'full', 1e7, [12]);
    full.cold[0]!.indexesUsed = ['executions_pkey'];
    const [, pair] = judgeColdCache(facts([variant('idx_p', 'partial', 1e6, [9]), full]), '100k');
    assert.equal(pair!.severity, 'warning');
    assert.match(pair!.title, /not judged at 100k/);
    assert.match(pair!.detail, /The plan did not use idx_f in every sample/);
  });

  it('without eviction or a drop, the method finding is a warning naming what is missing', () => {
    const f = facts([], { ability: { evictSharedBuffers: false, dropOsCache: false, checkResidency: false, missing: ['PostgreSQL 16 has no pg_buffercache_evict() (17+)'] } });
    const [method] = judgeColdCache(f, '100k');
    assert.equal(method!.severity, 'warning');
    assert.match(method!.detail, /shared buffers NOT emptied, the OS page cache NOT dropped\. Missing: PostgreSQL 16 has no pg_buffercache_evict/);
  });

  it('summaries are medians, and the stream\'s hit rates come from its counts', () => {
    const v = variant('idx_p', 'partial', 1e6, [9, 30, 7]);
    v.stream = { keys: 2, queries: 4, sharedHit: 30, sharedRead: 10, indexFetched: 8, indexRead: 2, heapFetched: 32, heapRead: 8, totalMs: 4, readIoMs: 3 };
    const s = summarizeVariant(v);
    assert.equal(s.cold!.read, 9);
    assert.equal(s.stream!.hitRatio, 0.75);
    assert.equal(s.stream!.indexHitRatio, 0.75);
  });

  it('the figures section shows each index\'s row and the findings, or says it was never measured', () => {
    assert.match(renderCacheFigures(() => undefined), /Not measured yet: `npm run bench:scale -- cache`/);
    const f = measured();
    const saved: SavedFigure<CacheResult> = {
      mode: 'cache',
      stamp: { measuredAt: '2026-01-02T03:04:05Z', commit: 'abcdef1234567', uncommitted: false, machine: { cpus: 2, model: 'cpu', memoryGiB: 24, platform: 'linux' }, node: 'v20' },
      result: { server: 'embedded PostgreSQL 17, restarted with shared_buffers 16MB', scales: [{ scale: '1m', rows: 1_400_000, facts: f, findings: judgeColdCache(f, '1m') }] },
    };
    const text = renderCacheFigures(<T>() => saved as unknown as SavedFigure<T>);
    assert.match(text, /_Measured 2026-01-02 03:04 UTC on 2 × cpu/);
    assert.match(text, /\| recent-failures \| partial \(spec\): `idx_executions_tenant_env_failed_started` \| 4\.8 MB \| 7 \(3 \+ 4\) \|/);
    assert.match(text, /\| recent-failures \| full, same columns: `cache_full_tenant_env_started` \| 79 MB \| 84 \(4 \+ 80\) \|/);
    assert.match(text, /- \*\*warning\*\*: paginated-listing/);
  });
});
