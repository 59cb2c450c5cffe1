// Pure: the audited facts in, findings out. Each finding carries its evidence and what the spec says.
import type { Finding } from '../results.ts';
import type { AuditFinding, AuditReport, AuditedIndex, DuplicateIndexGroup, RedundantIndex, WriteCost } from './types.ts';

/** Where the spec documents each of its indexes, and what it claims the index is for. */
const SPEC_INDEX_PURPOSE: Record<string, { section: string; purpose: string }> = {
  executions_pkey: { section: '§1 Primary Indexes', purpose: 'single execution lookup by UUID' },
  idx_executions_tenant_env_started: { section: '§2 Pagination Indexes', purpose: 'the ExecutionsPage main query' },
  idx_executions_tenant_env_workflow_started: { section: '§2 Pagination Indexes', purpose: 'ExecutionsPage with workflow filter' },
  idx_executions_tenant_env_status_started: { section: '§2 Pagination Indexes', purpose: 'ExecutionsPage with status filter' },
  idx_executions_tenant_env_failed_started: { section: '§3 Error Tracking Index', purpose: 'the "Recent Failures" widget' },
  idx_executions_tenant_started_asc: {
    section: '§4 Analytics Indexes',
    purpose: 'sparkline data ("Why ASC? Matches sparkline bucketing logic that processes chronologically")',
  },
  idx_executions_retention_cleanup: { section: '§5 Retention Cleanup Indexes', purpose: 'cleanup_old_executions() batches' },
  idx_executions_null_started_at: { section: '§5 Retention Cleanup Indexes', purpose: 'cleanup of executions that never started' },
  idx_executions_unique_tenant_env_execution: { section: '§6 Idempotent Ingestion Index', purpose: 'upsert_execution() conflict detection' },
};

/**
 * The spec's numeric claims about the share of rows a partial index covers. A point figure ("0.01%") holds
 * within a factor of two; on seeded data these mostly confirm the generator matched the spec's assumptions.
 */
const SPEC_COVERAGE_CLAIMS: Record<string, { low: number; high: number; quote: string; section: string }> = {
  idx_executions_tenant_env_failed_started: {
    low: 0.05, high: 0.1, section: '§3 Error Tracking Index',
    quote: '"only indexes ~5-10% of records"; "Failed executions are typically 5-10% of total, so this is 90% smaller than a full index"',
  },
  idx_executions_null_started_at: {
    low: 0.00005, high: 0.0002, section: '§5 Retention Cleanup Indexes',
    quote: '"Cleanup stale executions that never started (0.01% of records)"',
  },
  idx_executions_tenant_env_started: {
    low: 0.9998, high: 0.99995, section: '§2 Pagination Indexes',
    quote: '"Excludes rare NULL started_at cases (0.01% of records)"',
  },
};

const UNUSED_RULE = 'Maintenance & Monitoring §3 Check Unused Indexes: "If an index has 0 scans after 30 days, consider dropping it."';
const BLOAT_RULE = 'Maintenance & Monitoring §2 Monitor Index Bloat: "If index bloat exceeds 30%, rebuild: REINDEX INDEX CONCURRENTLY ..."';
const TOO_MANY_RULE = 'Troubleshooting, Too many indexes: "PostgreSQL can efficiently use 8-12 indexes per table. More than 20 indexes can slow down writes."';

/** 1536 -> "1.5 kB", in powers of 1024 as pg_size_pretty does. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function pct(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}

function purposeOf(name: string): string {
  const p = SPEC_INDEX_PURPOSE[name];
  return p ? `${p.section} documents ${name} for ${p.purpose}` : `${name} is not in the spec's Index Inventory`;
}

function scansText(index: AuditedIndex | undefined): string {
  if (!index) return 'unknown';
  return index.scansDuringRun === null ? `${index.scansTotal} since the last stats reset` : `${index.scansDuringRun} during the run`;
}

function duplicateFinding(group: DuplicateIndexGroup, byName: Map<string, AuditedIndex>): AuditFinding {
  const members = group.indexes.map((n) => byName.get(n));
  const wasted = group.drop.reduce((sum, n) => sum + (byName.get(n)?.sizeBytes ?? 0), 0);
  return {
    id: `audit-duplicate-${group.keep}`,
    severity: 'warning',
    indexes: group.indexes,
    title: `Duplicate indexes: ${group.indexes.join(' and ')} have the same definition`,
    evidence:
      `The catalog (pg_index key columns, indoption directions, opclasses, collations, predicate) shows one definition ` +
      `${group.sharedDefinition} for ${group.indexes.length} indexes` +
      (group.uniquenessDiffers ? ' (uniqueness differs)' : '') + '. ' +
      members.map((m, i) => `${group.indexes[i]}: ${m ? formatBytes(m.sizeBytes) : '?'}, scans ${scansText(m)}`).join('; ') +
      `. The planner can only ever prefer one of them; the other costs ${formatBytes(wasted)} and a write on every insert.`,
    specSection: group.indexes.map((n) => SPEC_INDEX_PURPOSE[n]?.section).filter(Boolean).join(', ') || 'Index Inventory',
    specSays:
      `${group.indexes.map(purposeOf).join('; ')}. (ASC is the default order: a column written with and without ASC is ` +
      `the same index column.) ` +
      `${TOO_MANY_RULE}`,
    fix: `DROP INDEX CONCURRENTLY ${group.drop.join(', ')}; and document ${group.keep} as serving both query patterns.`,
  };
}

function redundantFinding(r: RedundantIndex, byName: Map<string, AuditedIndex>): AuditFinding {
  const short = byName.get(r.index);
  const long = byName.get(r.coveredBy);
  return {
    id: `audit-redundant-${r.index}`,
    severity: 'warning',
    indexes: [r.index, r.coveredBy],
    title: `Redundant index: ${r.index} is a leading prefix of ${r.coveredBy}`,
    evidence:
      `${r.index} (${short?.keyColumns.join(', ') ?? '?'}) equals the first ${r.prefixColumns} key column(s) of ` +
      `${r.coveredBy} (${long?.keyColumns.join(', ') ?? '?'}) with the same directions and opclasses, and both have ` +
      `the predicate ${short?.predicate ?? '(none)'} (identical text). ${r.index}: ${formatBytes(short?.sizeBytes ?? 0)}, ` +
      `scans ${scansText(short)}; ${r.coveredBy}: scans ${scansText(long)}.`,
    specSection: 'Index Strategy Principles §1 Column Order Matters',
    specSays:
      'The spec\'s own rule: "PostgreSQL B-tree indexes work left-to-right", so an index serves queries on any leading ' +
      `prefix of its columns. ${purposeOf(r.index)}.`,
    fix: `DROP INDEX CONCURRENTLY ${r.index}; (after checking the plans of the queries documented for it use ${r.coveredBy}).`,
  };
}

function unusedFinding(index: AuditedIndex, byName: Map<string, AuditedIndex>): AuditFinding {
  const usedTwins = index.duplicateOf.filter((n) => (byName.get(n)?.scansDuringRun ?? 0) > 0);
  const enforcing = index.isUnique || index.enforcesConstraint;
  return {
    id: `audit-unused-${index.name}`,
    severity: enforcing ? 'info' : 'warning',
    indexes: [index.name],
    title: `No scenario used ${index.name}`,
    evidence:
      `pg_stat_user_indexes.idx_scan did not change during the run (0 scans; ${index.scansTotal} since the last stats reset); ` +
      `size ${formatBytes(index.sizeBytes)}.` +
      (usedTwins.length > 0
        ? ` It duplicates ${usedTwins.join(', ')}, which the planner used instead.`
        : index.duplicateOf.length > 0 ? ` It duplicates ${index.duplicateOf.join(', ')}.` : '') +
      (enforcing ? ' It enforces uniqueness, so zero scans do not make it droppable.' : ''),
    specSection: SPEC_INDEX_PURPOSE[index.name]?.section ?? 'Maintenance & Monitoring §3',
    specSays: `${purposeOf(index.name)}. ${UNUSED_RULE} (A benchmark run is not 30 days of traffic: this says no documented query used it.)`,
  };
}

function bloatFindings(indexes: readonly AuditedIndex[], method: string): AuditFinding[] {
  const over = indexes.filter((i) => i.bloat.exceedsSpecLimit);
  const findings: AuditFinding[] = over.map((i) => ({
    id: `audit-bloat-${i.name}`,
    severity: 'warning' as const,
    indexes: [i.name],
    title: `${i.name} is ${pct(i.bloat.bloatRatio ?? 0, 0)} bloated, over the spec's 30% limit`,
    evidence:
      `${i.bloat.method}: ` +
      (i.bloat.avgLeafDensityPct !== undefined
        ? `avg_leaf_density ${i.bloat.avgLeafDensityPct.toFixed(1)}% vs fillfactor ${i.bloat.fillfactor}`
        : `${i.bloat.actualPages ?? '?'} pages vs ${i.bloat.expectedPages ?? '?'} expected at fillfactor ${i.bloat.fillfactor}`) +
      `; size ${formatBytes(i.sizeBytes)}.`,
    specSection: 'Maintenance & Monitoring §2',
    specSays: BLOAT_RULE,
    fix: `REINDEX INDEX CONCURRENTLY ${i.name};`,
  }));
  const measured = indexes.filter((i) => i.bloat.bloatRatio !== null);
  if (over.length === 0 && measured.length > 0) {
    const worst = measured.reduce((a, b) => ((b.bloat.bloatRatio ?? 0) > (a.bloat.bloatRatio ?? 0) ? b : a));
    findings.push({
      id: 'audit-bloat-within-limit',
      severity: 'info',
      indexes: measured.map((i) => i.name),
      title: `No index exceeds the spec's 30% bloat limit`,
      evidence: `${measured.length} indexes measured by ${method}; the highest is ${worst.name} at ${pct(worst.bloat.bloatRatio ?? 0)}.`,
      specSection: 'Maintenance & Monitoring §2',
      specSays: BLOAT_RULE,
    });
  }
  return findings;
}

function coverageFindings(indexes: readonly AuditedIndex[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  for (const index of indexes) {
    const claim = SPEC_COVERAGE_CLAIMS[index.name];
    if (!claim || index.coveredRowShare === null) continue;
    const share = index.coveredRowShare;
    const holds = share >= claim.low && share <= claim.high;
    findings.push({
      id: `audit-coverage-${index.name}`,
      severity: holds ? 'info' : 'warning',
      indexes: [index.name],
      title: holds
        ? `${index.name} covers ${pct(share, 2)} of rows, as the spec says`
        : `${index.name} covers ${pct(share, 2)} of rows, outside the spec's ${pct(claim.low, 2)}-${pct(claim.high, 2)}`,
      evidence: `count(*) FILTER (WHERE ${index.predicate}) / count(*) = ${index.coveredRows} rows, ${pct(share, 2)} of the table.`,
      specSection: claim.section,
      specSays: claim.quote,
    });
  }
  return findings;
}

function footprintFinding(indexes: readonly AuditedIndex[], report: Pick<AuditReport, 'indexToHeapRatio' | 'totalIndexBytes' | 'tableSize'>): AuditFinding {
  const count = indexes.length;
  return {
    id: 'audit-index-footprint',
    severity: count > 20 ? 'warning' : 'info',
    indexes: indexes.map((i) => i.name),
    title: `${count} indexes take ${formatBytes(report.totalIndexBytes)}, ${report.indexToHeapRatio.toFixed(2)}x the heap`,
    evidence:
      `Heap ${formatBytes(report.tableSize.heapBytes)}, TOAST ${formatBytes(report.tableSize.toastBytes)}, indexes ` +
      `${formatBytes(report.totalIndexBytes)}: ` +
      [...indexes].sort((a, b) => b.sizeBytes - a.sizeBytes).map((i) => `${i.name} ${formatBytes(i.sizeBytes)}`).join(', ') + '.',
    specSection: 'Troubleshooting',
    specSays: TOO_MANY_RULE,
  };
}

function writeCostFinding(cost: WriteCost, indexCount: number): AuditFinding {
  return {
    id: 'audit-write-cost',
    severity: 'info',
    indexes: cost.indexesDropped,
    title: `Ingesting ${cost.rows} rows costs ${cost.ratio.toFixed(2)}x with all ${indexCount} indexes vs the primary key only`,
    evidence:
      `Median ${cost.allIndexesMedianMs.toFixed(1)} ms with all indexes vs ${cost.primaryKeyOnlyMedianMs.toFixed(1)} ms ` +
      `with the primary key only (${cost.repetitions} runs each). ${cost.method}`,
    specSection: 'Troubleshooting',
    specSays: TOO_MANY_RULE,
  };
}

export interface FindingsInput {
  indexes: readonly AuditedIndex[];
  duplicates: readonly DuplicateIndexGroup[];
  redundant: readonly RedundantIndex[];
  scansMeasured: boolean;
  bloatMethod: string;
  writeCost: WriteCost | null;
  indexToHeapRatio: number;
  totalIndexBytes: number;
  tableSize: AuditReport['tableSize'];
}

/** Every audit finding, most serious kinds first: duplicates, redundancy, unused, bloat, coverage, footprint, write cost. */
export function buildAuditFindings(input: FindingsInput): AuditFinding[] {
  const byName = new Map(input.indexes.map((i) => [i.name, i]));
  const findings: AuditFinding[] = [
    ...input.duplicates.map((g) => duplicateFinding(g, byName)),
    ...input.redundant.map((r) => redundantFinding(r, byName)),
  ];
  if (input.scansMeasured) {
    for (const index of input.indexes) if (index.unusedDuringRun) findings.push(unusedFinding(index, byName));
  }
  findings.push(...bloatFindings(input.indexes, input.bloatMethod));
  findings.push(...coverageFindings(input.indexes));
  findings.push(footprintFinding(input.indexes, input));
  if (input.writeCost) findings.push(writeCostFinding(input.writeCost, input.indexes.length));
  return findings;
}

/** The audit's findings as run findings (RunResults.findings): detail = evidence + what the spec says. */
export function summarizeAuditFindings(report: AuditReport): Finding[] {
  return report.findings.map((f) => ({
    id: `${f.id}@${report.scale}`,
    severity: f.severity,
    spec: f.specSection,
    title: f.title,
    detail: `${f.evidence} The spec: ${f.specSays}`,
    ...(f.fix ? { fix: f.fix } : {}),
    scale: report.scale,
  }));
}
