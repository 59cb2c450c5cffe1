// The what-if section of the HTML report and its console tables, rendered from a small fixture report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderWhatifSection } from '../../src/report/whatif-section.ts';
import { buildAblationChart, buildCrossoverChart, buildVariantChart } from '../../src/report/whatif-charts.ts';
import { renderAblation, renderVariantComparison } from '../../src/report/whatif-text.ts';
import type { VariantRun, WhatifReport } from '../../src/whatif/types.ts';

function run(variant: string, usesIndex: boolean, p95: number, bytes: number): VariantRun {
  return {
    variant, scale: '100k', totalIndexBytes: bytes, durationMs: 1000, phasesMs: { scenarios: 800 },
    indexes: [{ name: 'idx_executions_tenant_env_started', definition: 'CREATE INDEX ...', sizeBytes: bytes, isPrimary: false }],
    writeCost: { rows: 10000, repetitions: 5, allIndexesMedianMs: 300, primaryKeyOnlyMedianMs: 50, ratio: 6, ratioInterval: { low: 5, high: 7, confidence: 0.95 }, perIndex: [], method: 'm' },
    rows: [{ scenarioId: 'paginated-listing', form: 'documented', status: usesIndex ? 'passed' : 'failed', reason: usesIndex ? '' : 'Seq Scan on executions',
      judged: { clock: 'client', statistic: 'p95', estimateMs: p95 }, access: usesIndex ? 'Index Scan using idx_executions_tenant_env_started' : 'Seq Scan on executions',
      indexes: [], sharedBlocks: 10, usesIndex }],
    ablation: [{ index: 'idx_executions_tenant_env_started', sizeBytes: bytes, writeShare: 0.2, writeMarginalMs: 50, unneeded: false, affected: [{
      scenarioId: 'paginated-listing', form: 'documented', planChanged: true, accessBefore: 'Index Scan using idx_executions_tenant_env_started', accessAfter: 'Seq Scan on executions',
      statusBefore: 'passed', statusAfter: 'failed', latencyRatio: { statistic: 'p95', estimate: 30, ciLow: 25, ciHigh: 35, confidence: 0.95 }, buffersRatio: 300, buffersBefore: 10, buffersAfter: 3000 }] },
    { index: 'idx_executions_tenant_started_asc', sizeBytes: 500, writeShare: 0.1, writeMarginalMs: 20, unneeded: true, affected: [] }],
    generic: [{ scenarioId: 'recent-failures', form: 'documented', sql: 'SELECT', boundLiterals: ["normalized_status = 'error'"], customAccess: 'Index Scan using idx_f', genericAccess: 'Seq Scan on executions',
      customContractHolds: true, genericContractHolds: false, latencyRatio: { estimate: 50, ciLow: 40, ciHigh: 60, confidence: 0.95 }, customMedianMs: 0.3, genericMedianMs: 15, samples: 20, why: 'idx_f is partial' }],
    ladders: [{ scenarioId: 'sparkline-7d', form: 'documented', rungs: [
      { tenantRows: 2000, tenantId: 'a', plan: 'Index Scan using idx_r', estimatedCost: 50, estimatedRows: 200 },
      { tenantRows: 100000, tenantId: 'b', plan: 'Bitmap Index Scan using idx_r', estimatedCost: 5000, estimatedRows: 10000, measuredMs: 3 }] }],
    crossovers: [{ scenarioId: 'sparkline-7d', form: 'documented', fromRows: 2000, toRows: 100000, fromPlan: 'Index Scan using idx_r', toPlan: 'Bitmap Index Scan using idx_r', fromCost: 50, toCost: 5000, toMeasuredMs: 3 }],
  };
}

const report: WhatifReport = {
  variants: [{ name: 'spec', mode: 'extend', files: [], statements: [] },
    { name: 'recommended', mode: 'extend', files: ['schema/variants/recommended/001.sql'], statements: [{ kind: 'drop', index: 'idx_executions_tenant_started_asc', sql: 'DROP INDEX idx_executions_tenant_started_asc;', why: 'Its twin serves the same queries.', file: 'f', line: 3 }] }],
  runs: [run('spec', false, 28, 8_000_000), run('recommended', true, 0.9, 7_000_000)],
  groups: [{ cause: 'the query does not imply "started_at IS NOT NULL"', severity: 'error', scenarios: ['paginated-listing'], scales: ['100k'], findings: 3, queryFix: 'in the query: add "AND started_at IS NOT NULL"', indexFix: "in the index set ('recommended'): ...", needsCorrectedSql: false }],
  ungroupedFindings: 3,
  covering: [{ variant: 'spec', scale: '100k', index: 'idx_c', improvementPct: 10, ciLowPct: 5, ciHighPct: 15, verdict: 'does not hold', detail: 'd' }],
  fixes: [{ scale: '100k', reference: 'spec', variant: 'recommended', fixed: ['paginated-listing'], broken: [], indexBytesDelta: -1_000_000, writeRatioDelta: -0.4 }],
  method: ['one'],
};

describe('what-if report', () => {
  it('the HTML section shows both variants side by side, the ablation, a breaking generic plan, the crossover and the three charts as SVG', async () => {
    const html = await renderWhatifSection(report);
    assert.match(html, /<section id="whatif">/);
    assert.match(html, /<td data-variant="spec" data-status="failed" data-uses-index="false">/);
    assert.match(html, /<td data-variant="recommended" data-status="passed" data-uses-index="true">/);
    assert.match(html, /data-index="idx_executions_tenant_started_asc"><td>.*no scenario uses or expects it/);
    assert.match(html, /data-breaks="true"/);
    assert.match(html, /BREAKS: Seq Scan/);
    assert.match(html, /class="crossover"><code>sparkline-7d<\/code> documented: Index Scan using idx_r at 2,000 rows/);
    assert.match(html, /makes <strong>1<\/strong> documented queries pass/);
    assert.match(html, /Its twin serves the same queries\./);
    for (const id of ['whatif-variants', 'whatif-ablation', 'whatif-crossovers']) {
      assert.match(html, new RegExp(`id="chart-${id}"[^]*?<svg`), id);
    }
    assert.doesNotMatch(html, /chart-error/);
  });

  it('chart builders return null with nothing to draw, and the console tables name each variant', () => {
    const empty: WhatifReport = { ...report, runs: [] };
    assert.equal(buildVariantChart(empty), null);
    assert.equal(buildAblationChart(empty), null);
    assert.equal(buildCrossoverChart(empty), null);
    const text = renderVariantComparison(report);
    assert.match(text, /paginated-listing \(doc\)\s+FAIL plan\s+28\.0\s+Seq Scan on executions\s+passed\s+0\.90/);
    assert.match(renderAblation(report), /tenant_started_asc\s+500 B\s+10%\s+no scenario needs it/);
  });
});
