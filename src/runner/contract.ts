// Pure: a plan's facts against a scenario's plan contract -> violations.
import type { PlanFacts } from '../plan/types.ts';
import type { PlanContract } from '../scenario/define.ts';
import type { Violation } from '../results.ts';

/** Checks one EXPLAIN's facts against the contract. An empty list means the contract holds. */
export function checkPlanContract(facts: PlanFacts, contract: PlanContract): Violation[] {
  const violations: Violation[] = [];
  const used = [...new Set(facts.indexes.map((u) => u.index))];
  if (contract.indexes && contract.indexes.length > 0) {
    const acceptable = contract.indexes;
    if (!used.some((name) => acceptable.includes(name))) {
      const documented = acceptable[0]!;
      const alternatives = acceptable.length > 1 ? ` (or ${acceptable.slice(1).join(', ')})` : '';
      const actual = describeAccess(facts);
      violations.push({
        kind: 'index-not-used',
        index: documented,
        message: `expected ${documented}${alternatives}; the plan uses ${actual}`,
      });
    }
  }
  for (const relation of contract.noSeqScanOn ?? []) {
    const scans = facts.seqScans.filter((s) => s.relation === relation);
    if (scans.length > 0) {
      const removed = scans.reduce((n, s) => n + s.rowsRemovedByFilter, 0);
      const partitions = scans.flatMap((s) => (s.partition ? [s.partition] : []));
      violations.push({
        kind: 'seq-scan',
        message: `Seq Scan on ${relation}${partitions.length > 0 ? ` (partition${partitions.length > 1 ? 's' : ''} ${partitions.join(', ')})` : ''} (${removed.toLocaleString('en-US')} rows removed by filter)`,
      });
    }
  }
  const blocks = facts.buffers.sharedHit + facts.buffers.sharedRead;
  if (contract.maxSharedBlocks !== undefined && blocks > contract.maxSharedBlocks) {
    violations.push({ kind: 'buffers', message: `${blocks} shared buffers hit+read, bound ${contract.maxSharedBlocks}` });
  }
  if (contract.maxRowsRemovedByFilter !== undefined && facts.rowsRemovedByFilter > contract.maxRowsRemovedByFilter) {
    violations.push({
      kind: 'rows-removed',
      message: `${facts.rowsRemovedByFilter} rows removed by filter, bound ${contract.maxRowsRemovedByFilter}`,
    });
  }
  return violations;
}

/** "Index Scan using x; Seq Scan on executions" — what the plan actually reads, for messages. */
export function describeAccess(facts: PlanFacts): string {
  const parts = [
    ...facts.indexes.map((u) => `${u.access}${u.direction === 'Backward' ? ' Backward' : ''} using ${u.index}`),
    ...facts.seqScans.map((s) => `Seq Scan on ${s.partition ?? s.relation}`),
    ...facts.tidScans.map((t) => `Tid Scan on ${t.relation}`),
  ];
  return parts.length > 0 ? [...new Set(parts)].join('; ') : 'no index';
}
