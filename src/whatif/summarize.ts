// Pure: the what-if runs -> findings about generic plans, what the comparison variant fixes and saves, the
// covering-index verdict, and the grouped findings.
import { layoutFindings } from './layout-findings.ts';
import type { Finding, ScenarioResult } from '../results.ts';
import { judgeCovering } from './ablation.ts';
import { groupFindings } from './finding-groups.ts';
import type { SchemaVariant, VariantRun, WhatifReport } from './types.ts';

/** The scenario the spec's covering-index rule is judged on. */
export const COVERING_SCENARIO = 'covering-percentiles';
export const COVERING_INDEX = 'idx_executions_tenant_started_duration';

/** Generic-plan findings: where binding the parameters breaks the plan contract or slows the query. */
export function genericFindings(runs: readonly VariantRun[]): Finding[] {
  const findings = new Map<string, Finding>();
  for (const run of runs) {
    for (const g of run.generic) {
      if (g.error) continue;
      const broken = g.customContractHolds && !g.genericContractHolds;
      // Slower only counts where the custom plan is the one to keep, and on enough samples to have an interval.
      const slower = g.customContractHolds && g.latencyRatio !== null && g.samples >= 10 && g.latencyRatio.ciLow > 1.2 &&
        (g.genericMedianMs ?? 0) - (g.customMedianMs ?? 0) > 0.5;
      if (!broken && !slower) continue;
      // Another index serving the generic plan, no slower, is worth knowing but breaks nothing an application sees.
      const lostIndex = broken && (g.genericAccess.includes('Seq Scan') || g.genericAccess === 'no index' || slower);
      const title = !broken
        ? `${g.scenarioId} (${g.form}): a generic plan is slower`
        : g.why?.includes('partial')
          ? `${g.scenarioId} (${g.form}): a generic plan cannot use a partial index whose predicate names a literal${run.variant === 'spec' ? '' : ` (variant '${run.variant}')`}`
          : `${g.scenarioId} (${g.form}): a generic plan loses the documented index`;
      const key = `${run.variant}|${g.scenarioId}|${g.form}|${broken}`;
      const ratio = g.latencyRatio ? ` Generic/custom median time ${g.latencyRatio.estimate.toFixed(2)}x (${Math.round(g.latencyRatio.confidence * 100)}% interval ${g.latencyRatio.ciLow.toFixed(2)}-${g.latencyRatio.ciHigh.toFixed(2)}).` : '';
      const evidence = `Evidence at ${run.scale} on '${run.variant}': custom plan ${g.customAccess}; generic plan ${g.genericAccess}.${ratio}`;
      const seen = findings.get(key);
      if (seen) {
        seen.scale = [...new Set([...(seen.scale ?? '').split(', '), run.scale])].join(', ');
        seen.detail += ` ${evidence}`;
        continue;
      }
      const bound = g.boundLiterals.length > 0 ? g.boundLiterals.join(', ') : 'its parameters';
      findings.set(key, {
        id: `generic:${run.variant}:${g.scenarioId}:${g.form}`,
        severity: lostIndex ? 'error' : broken ? 'info' : 'warning',
        spec: run.variant === 'spec' ? 'generic plans (prepared statements)' : `variant '${run.variant}', generic plans`,
        title,
        detail: `Applications bind ${bound} and drivers and poolers prepare statements; PostgreSQL may switch to a generic plan after five executions (plan_cache_mode = auto), or always with force_generic_plan. ${g.why ?? ''} ${evidence}`.replace(/\s+/g, ' ').trim(),
        fix: g.boundLiterals.length > 0
          ? `Keep ${g.boundLiterals.join(', ')} a literal in the SQL text (one prepared statement per value), or index the column as a key column (the recommended idx_executions_tenant_env_status_started serves the bound form), or set plan_cache_mode = force_custom_plan for this statement.`
          : 'Set plan_cache_mode = force_custom_plan for this statement, or make the query imply the partial-index predicate in its text.',
        scenarioId: g.scenarioId,
        scale: run.scale,
      });
    }
  }
  return [...findings.values()];
}

const passesContract = (r: ScenarioResult | undefined) =>
  r !== undefined && (r.outcome.status === 'passed' || (r.outcome.status === 'failed' && r.outcome.violations.every((v) => v.kind === 'threshold')));

/** Per scale: which documented forms pass their contract on the variant but not on the reference, and the reverse. */
export function variantFixes(reference: { run: VariantRun; results: ScenarioResult[] }, other: { run: VariantRun; results: ScenarioResult[] }): WhatifReport['fixes'][number] {
  const documented = (rs: ScenarioResult[], id: string) => rs.find((r) => r.scenarioId === id && r.form === 'documented');
  const ids = [...new Set(reference.results.map((r) => r.scenarioId))];
  const fixed = ids.filter((id) => !passesContract(documented(reference.results, id)) && passesContract(documented(other.results, id)));
  const broken = ids.filter((id) => passesContract(documented(reference.results, id)) && !passesContract(documented(other.results, id)));
  const a = reference.run.writeCost?.ratio;
  const b = other.run.writeCost?.ratio;
  return {
    scale: reference.run.scale, reference: reference.run.variant, variant: other.run.variant, fixed, broken,
    indexBytesDelta: other.run.totalIndexBytes - reference.run.totalIndexBytes,
    writeRatioDelta: a !== undefined && b !== undefined ? b - a : null,
  };
}

export interface SummarizeInput {
  variants: SchemaVariant[];
  measured: { run: VariantRun; results: ScenarioResult[] }[];
  /** The reference variant's findings as `run` derives them (documented forms that fail, per scenario). */
  referenceFindings: Finding[];
}

/** Builds the what-if report; the reference variant is the first one given. */
export function summarizeWhatif(input: SummarizeInput): { report: WhatifReport; findings: Finding[] } {
  const [reference, ...others] = input.variants;
  const runs = input.measured.map((m) => m.run);
  const generic = genericFindings(runs);
  const referenceRuns = input.measured.filter((m) => m.run.variant === reference?.name);
  const findings = [...input.referenceFindings, ...generic.filter((f) => f.id.startsWith(`generic:${reference?.name}:`))];
  const comparisonVariant = others[0];
  const comparisonResults = comparisonVariant ? input.measured.filter((m) => m.run.variant === comparisonVariant.name).flatMap((m) => m.results) : [];
  const groups = groupFindings({
    findings,
    reference: referenceRuns.flatMap((m) => m.results),
    indexes: referenceRuns[0]?.run.indexes ?? [],
    ...(comparisonVariant ? { comparison: { variant: comparisonVariant, results: comparisonResults } } : {}),
  });
  const fixes = others.flatMap((variant) => referenceRuns.flatMap((ref) => {
    const other = input.measured.find((m) => m.run.variant === variant.name && m.run.scale === ref.run.scale);
    return other ? [variantFixes(ref, other)] : [];
  }));
  const layout = layoutFindings(runs, reference?.name ?? '');
  const covering = runs.map((run) => judgeCovering(run.variant, run.scale, COVERING_INDEX, COVERING_SCENARIO, run.coveringPaired, run.coveringPaired?.plans ?? ''));
  return {
    report: {
      variants: input.variants, runs, groups, ungroupedFindings: findings.length, covering, fixes, layoutFindings: layout,
      method: [
        'Variants are applied to the same seeded rows inside one transaction per variant and scale (DROP/CREATE INDEX), measured, and rolled back: the cached dataset is never changed, so its fingerprint stays honest.',
        'Each scenario runs as `run` does (documented SQL verbatim, then its correction), with savepoints instead of transactions.',
        'Ablation: each index is dropped in a savepoint, the scenarios that used or expect it run again, and the savepoint is rolled back. Latency ratios are without/with, on the client samples, by a moving-block bootstrap (p95 from 100 samples on both sides, else the median), 95% interval.',
        'Generic plans: each read form is PREPAREd with its status literals bound as parameters and EXECUTEd under plan_cache_mode = force_custom_plan and force_generic_plan, alternating; the ratio is generic/custom of the median.',
        ...(runs.some((r) => r.layout) ? ['A table variant (partitioned) is measured on a partitioned copy of the same rows in a schema of its own, built once, vacuumed and analyzed, and reused while the dataset and the variant are unchanged; its scenarios run in a rolled-back transaction like the others. Plans are read in the table\'s terms (each partition index as the partitioned index it belongs to) with the partitions each plan touched.'] : []),
        'Crossovers: each read form is EXPLAINed (no execution) for every tenant of the dataset, smallest to largest; the rungs on both sides of a change of plan are measured with EXPLAIN ANALYZE.',
      ],
    },
    findings: [...input.referenceFindings, ...generic, ...layout],
  };
}
