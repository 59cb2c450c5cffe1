import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDatasetSummary } from '../../src/commands/seed.ts';
import type { DatasetInfo } from '../../src/seed/types.ts';

const info: DatasetInfo = {
  schema: 'execbench_100k',
  fingerprint: 'ae345a2813610000',
  reused: false,
  request: { scale: { label: '100k', focusRows: 100_000 }, seed: 42, indexBuild: 'after', optional: { coveringIndex: true, dailyStats: false }, fresh: false },
  counts: { focusRows: 100_000, totalRows: 140_000, tenants: 10 },
  phasesMs: { table: 3, copy: 1800, indexes: 900, vacuum: 400 },
  anchor: '2026-11-01T00:00:00.000Z',
  focus: { tenantId: 't', environments: [], workflows: [] },
};

test('the seed summary line names the schema, counts, seed, mode, optional parts and phase times', () => {
  assert.equal(formatDatasetSummary(info),
    'execbench_100k: seeded, 140,000 rows (100,000 focus-tenant, 10 tenants), seed 42, index-build after, optional coveringIndex, ' +
    'fingerprint ae345a281361; table 0.0 s, copy 1.8 s, indexes 0.9 s, vacuum 0.4 s');
});

test('a reused dataset says so and labels the times as those of its build', () => {
  const line = formatDatasetSummary({ ...info, reused: true });
  assert.match(line, /^execbench_100k: reused, /);
  assert.match(line, /; built in: table 0\.0 s/);
});
