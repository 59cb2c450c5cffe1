import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuditFindings, formatBytes, summarizeAuditFindings, type FindingsInput } from '../../src/audit/findings.ts';
import type { AuditReport, AuditedIndex } from '../../src/audit/types.ts';

function audited(name: string, options: Partial<AuditedIndex> = {}): AuditedIndex {
  return {
    name,
    definition: `CREATE INDEX ${name} ON execbench_100k.executions USING btree (tenant_id, started_at)`,
    accessMethod: 'btree',
    isUnique: false,
    isPrimary: false,
    enforcesConstraint: false,
    isPartial: false,
    predicate: null,
    keyColumns: ['tenant_id', 'started_at'],
    includeColumns: [],
    sizeBytes: 1024 * 1024,
    coveredRowShare: 1,
    coveredRows: 1000,
    scansDuringRun: 4,
    scansTotal: 40,
    unusedDuringRun: false,
    bloat: { method: 'pgstatindex', bloatRatio: 0.05, fillfactor: 90, avgLeafDensityPct: 85.5, exceedsSpecLimit: false },
    duplicateOf: [],
    redundantTo: null,
    ...options,
  };
}

function input(indexes: AuditedIndex[], options: Partial<FindingsInput> = {}): FindingsInput {
  return {
    indexes,
    duplicates: [],
    redundant: [],
    scansMeasured: true,
    bloatMethod: 'pgstatindex',
    writeCost: null,
    indexToHeapRatio: 0.5,
    totalIndexBytes: indexes.reduce((s, i) => s + i.sizeBytes, 0),
    tableSize: { heapBytes: 4 * 1024 * 1024, toastBytes: 8192, totalBytes: 8 * 1024 * 1024 },
    ...options,
  };
}

test('a duplicate pair becomes a warning naming both indexes, the evidence and the spec sections', () => {
  const a = audited('idx_executions_retention_cleanup', { scansDuringRun: 0, unusedDuringRun: true, duplicateOf: ['idx_executions_tenant_started_asc'] });
  const b = audited('idx_executions_tenant_started_asc', { scansDuringRun: 7, duplicateOf: ['idx_executions_retention_cleanup'] });
  const findings = buildAuditFindings(input([a, b], {
    duplicates: [{
      indexes: [a.name, b.name], keep: b.name, drop: [a.name],
      sharedDefinition: 'btree (tenant_id, started_at) WHERE (started_at IS NOT NULL)', uniquenessDiffers: false,
    }],
  }));
  const duplicate = findings.find((f) => f.id.startsWith('audit-duplicate'))!;
  assert.equal(duplicate.severity, 'warning');
  assert.deepEqual(duplicate.indexes, [a.name, b.name]);
  assert.match(duplicate.evidence, /btree \(tenant_id, started_at\) WHERE \(started_at IS NOT NULL\)/);
  assert.match(duplicate.evidence, /scans 7 during the run/);
  assert.match(duplicate.specSection, /§5 Retention Cleanup Indexes/);
  assert.match(duplicate.specSection, /§4 Analytics Indexes/);
  assert.equal(duplicate.fix, 'DROP INDEX CONCURRENTLY idx_executions_retention_cleanup; and document idx_executions_tenant_started_asc as serving both query patterns.');
  const unused = findings.find((f) => f.id === 'audit-unused-idx_executions_retention_cleanup')!;
  assert.match(unused.evidence, /which the planner used instead/);
});

test('an index with zero scans during the run is flagged, a unique one only as info', () => {
  const findings = buildAuditFindings(input([
    audited('idx_extra', { scansDuringRun: 0, unusedDuringRun: true }),
    audited('idx_executions_unique_tenant_env_execution', { isUnique: true, scansDuringRun: 0, unusedDuringRun: true }),
    audited('idx_busy'),
  ]));
  const unused = findings.filter((f) => f.id.startsWith('audit-unused-'));
  assert.deepEqual(unused.map((f) => [f.indexes[0], f.severity]), [
    ['idx_extra', 'warning'],
    ['idx_executions_unique_tenant_env_execution', 'info'],
  ]);
  assert.match(unused[0]!.specSays, /0 scans after 30 days/);
});

test('without measured scans no index is flagged unused', () => {
  const findings = buildAuditFindings(input([audited('idx_extra', { scansDuringRun: null, unusedDuringRun: false })], { scansMeasured: false }));
  assert.equal(findings.filter((f) => f.id.startsWith('audit-unused-')).length, 0);
});

test('bloat over 30% becomes a warning with the REINDEX fix; otherwise one info finding names the worst index', () => {
  const bloated = audited('idx_bloated', {
    bloat: { method: 'pgstatindex', bloatRatio: 0.42, fillfactor: 90, avgLeafDensityPct: 52.2, exceedsSpecLimit: true },
  });
  const over = buildAuditFindings(input([bloated, audited('idx_fine')]));
  const warning = over.find((f) => f.id === 'audit-bloat-idx_bloated')!;
  assert.equal(warning.fix, 'REINDEX INDEX CONCURRENTLY idx_bloated;');
  assert.match(warning.evidence, /avg_leaf_density 52\.2% vs fillfactor 90/);
  assert.equal(over.some((f) => f.id === 'audit-bloat-within-limit'), false);

  const fine = buildAuditFindings(input([audited('idx_fine')]));
  assert.match(fine.find((f) => f.id === 'audit-bloat-within-limit')!.evidence, /idx_fine at 5\.0%/);
});

test('partial coverage is checked against the spec claim: 8% errors holds, 20% does not', () => {
  const failed = (share: number) => audited('idx_executions_tenant_env_failed_started', {
    isPartial: true, predicate: "(normalized_status = 'error'::text)", coveredRowShare: share, coveredRows: share * 1000,
  });
  const holds = buildAuditFindings(input([failed(0.08)])).find((f) => f.id.startsWith('audit-coverage-'))!;
  assert.equal(holds.severity, 'info');
  const breaks = buildAuditFindings(input([failed(0.2)])).find((f) => f.id.startsWith('audit-coverage-'))!;
  assert.equal(breaks.severity, 'warning');
  assert.match(breaks.title, /20\.00% of rows, outside the spec's 5\.00%-10\.00%/);
});

test('the run findings carry the scale, the spec section and evidence plus spec text', () => {
  const indexes = [audited('idx_extra', { scansDuringRun: 0, unusedDuringRun: true })];
  const report = { scale: '100k', findings: buildAuditFindings(input(indexes)) } as unknown as AuditReport;
  const findings = summarizeAuditFindings(report);
  const unused = findings.find((f) => f.id === 'audit-unused-idx_extra@100k')!;
  assert.equal(unused.scale, '100k');
  assert.match(unused.detail, /did not change during the run.*The spec: .*30 days/);
  assert.equal(findings.length, report.findings.length);
});

test('formatBytes counts in 1024s as pg_size_pretty does', () => {
  assert.equal(formatBytes(512), '512 bytes');
  assert.equal(formatBytes(1536), '1.5 kB');
  assert.equal(formatBytes(12_820_480), '12.2 MB');
});
