// Pure: the planner's choice per tenant size (from EXPLAIN JSON) and the sizes at which it changes.
import type { Crossover, CrossoverLadder, CrossoverRung } from './types.ts';

interface Node {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Total Cost'?: number;
  'Plan Rows'?: number;
  Plans?: Node[];
}

/** The access paths of a plan on `relation`'s table and its indexes, e.g. "Index Scan using x" or "Seq Scan". */
export function planLabel(explainJson: unknown, relation = 'executions'): { label: string; totalCost: number; rows: number } {
  const doc = (Array.isArray(explainJson) ? explainJson[0] : explainJson) as { Plan?: Node } | undefined;
  if (!doc?.Plan) throw new Error('planLabel: expected EXPLAIN (FORMAT JSON) output with a Plan.');
  const parts: string[] = [];
  const walk = (node: Node) => {
    const type = node['Node Type'];
    if (node['Index Name'] && (type.includes('Index') || type === 'Bitmap Index Scan')) parts.push(`${type} using ${node['Index Name']}`);
    else if (type === 'Seq Scan' && node['Relation Name'] === relation) parts.push('Seq Scan');
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(doc.Plan);
  return { label: [...new Set(parts)].join(' + ') || 'no scan of executions', totalCost: doc.Plan['Total Cost'] ?? 0, rows: doc.Plan['Plan Rows'] ?? 0 };
}

/** Every place along a ladder (sorted by tenant size) where the plan label changes between neighbouring rungs. */
export function findCrossovers(ladder: CrossoverLadder): Crossover[] {
  const rungs = [...ladder.rungs].sort((a, b) => a.tenantRows - b.tenantRows);
  const flips: Crossover[] = [];
  for (let i = 1; i < rungs.length; i++) {
    const [a, b] = [rungs[i - 1]!, rungs[i]!];
    if (a.plan === b.plan) continue;
    flips.push({
      scenarioId: ladder.scenarioId, form: ladder.form,
      fromRows: a.tenantRows, toRows: b.tenantRows, fromPlan: a.plan, toPlan: b.plan, fromCost: a.estimatedCost, toCost: b.estimatedCost,
      ...(a.measuredMs !== undefined ? { fromMeasuredMs: a.measuredMs } : {}),
      ...(b.measuredMs !== undefined ? { toMeasuredMs: b.measuredMs } : {}),
    });
  }
  return flips;
}

/** The rungs next to a flip: the ones worth measuring with EXPLAIN ANALYZE. */
export function rungsNextToFlips(ladder: CrossoverLadder): CrossoverRung[] {
  const flips = findCrossovers(ladder);
  return ladder.rungs.filter((r) => flips.some((f) => f.fromRows === r.tenantRows || f.toRows === r.tenantRows));
}
