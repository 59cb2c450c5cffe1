// Pure: what a run proved about the spec. Findings are a first-class output: listed after every run.
import type { Finding, HeadlineCheck, ScenarioResult } from '../results.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { describeAccess } from './contract.ts';
import { isJudged } from './headline.ts';

/**
 * One finding per scenario and scale where the documented form fails (SQL that does not run, an
 * index that is not used, a documented time that does not hold), stating the evidence and the
 * correction's own result; plus info findings where the planner used an accepted alternative index. A team's
 * own query is never a finding.
 */
export function deriveFindings(results: ScenarioResult[], scenarios: LoadedScenario[]): Finding[] {
  const byId = new Map(scenarios.map((s) => [s.id, s.definition]));
  const findings: Finding[] = [];
  // A team's own query (--queries) says nothing about the document: its failures are its own, listed apart.
  for (const documented of results.filter((r) => r.form === 'documented' && r.origin !== 'team')) {
    const scenario = byId.get(documented.scenarioId);
    const corrected = results.find(
      (r) => r.scenarioId === documented.scenarioId && r.scale === documented.scale && r.form === 'corrected');
    const where = { scenarioId: documented.scenarioId, scale: documented.scale, spec: documented.spec };
    // A violation about a user's own table (an index it lacks) is reported as theirs, not as the document's.
    const aboutDocument = documented.outcome.status === 'failed' ? documented.outcome.violations.filter((v) => v.kind !== 'index-missing') : [];
    if (aboutDocument.length > 0) {
      const kinds = new Set(aboutDocument.map((v) => v.kind));
      const evidence = aboutDocument.map((v) => v.message).join('; ');
      const severity = kinds.has('sql-error') || kinds.has('index-not-used') || kinds.has('seq-scan') ? 'error' : 'warning';
      const title = kinds.has('sql-error')
        ? `${documented.title}: the documented SQL does not run on PostgreSQL`
        : kinds.has('index-not-used') || kinds.has('seq-scan')
          ? `${documented.title}: the documented index is not used`
          : `${documented.title}: the documented time does not hold`;
      const correctedNote = corrected
        ? ` The correction ${corrected.outcome.status === 'passed' ? 'passes' : corrected.outcome.status === 'failed' ? `also fails (${corrected.outcome.violations.map((v) => v.message).join('; ')})` : `is ${corrected.outcome.status}`} at ${documented.scale}.`
        : '';
      const why = corrected?.why ?? scenario?.noCorrection?.why;
      findings.push({
        id: `${documented.scenarioId}@${documented.scale}`,
        severity,
        title,
        detail: `${why ? `${why} ` : ''}Evidence at ${documented.scale}: ${evidence}.${correctedNote}`,
        ...(corrected ? { fix: corrected.sql } : scenario?.noCorrection ? { fix: scenario.noCorrection.fix } : {}),
        ...where,
      });
    }
    for (const r of [documented, corrected]) {
      if (!r?.plan || r.expectedIndexes.length < 2) continue;
      const used = new Set(r.plan.indexes.map((u) => u.index));
      const documentedIndex = r.expectedIndexes[0]!;
      const alternative = r.expectedIndexes.slice(1).find((name) => used.has(name));
      if (!used.has(documentedIndex) && alternative) {
        findings.push({
          id: `${r.scenarioId}@${r.scale}/${r.form}/alternative-index`,
          severity: 'info',
          title: `${r.title}: the planner chose ${alternative}, not the documented ${documentedIndex}`,
          detail: `The plan reads ${describeAccess(r.plan)}. The scenario lists ${alternative} as an acceptable alternative: ${scenario?.alternativeReason ?? 'it serves the same query'}.`,
          scenarioId: r.scenarioId,
          scale: r.scale,
          spec: r.spec,
        });
      }
    }
  }
  return mergeAcrossScales(findings);
}

/**
 * The same finding at several scales becomes one finding naming every scale, with each scale's
 * evidence kept: a reader sees each problem once.
 */
export function mergeAcrossScales(findings: Finding[]): Finding[] {
  const merged = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.scenarioId ?? ''}|${f.title}|${f.severity}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...f, id: f.id.replace(`@${f.scale}`, '') });
      continue;
    }
    const scales = new Set((seen.scale ?? '').split(', ').filter(Boolean));
    if (f.scale && scales.has(f.scale)) continue; // the same finding from another form at the same scale
    seen.scale = [...scales, f.scale].filter(Boolean).join(', ');
    const evidence = /Evidence at [^:]+: (.*)$/s.exec(f.detail)?.[1];
    seen.detail += evidence ? ` Evidence at ${f.scale}: ${evidence}` : '';
  }
  return [...merged.values()];
}

/** A headline promise that did not hold at a scale is a finding about the spec, too. */
export function headlineFindings(checks: HeadlineCheck[]): Finding[] {
  // A promise not judged (a query it needs did not run) is neither kept nor broken: no finding.
  return mergeAcrossScales(checks.filter((c) => !c.passed && isJudged(c)).map((c) => ({
    id: `${c.id}@${c.scale}`,
    severity: 'warning' as const,
    spec: c.claim.split(':')[0] ?? c.claim,
    title: `${c.claim} does not hold`,
    detail: `Evidence at ${c.scale}: measured ${c.measured}. ${c.detail}`,
    scale: c.scale,
  })));
}

/**
 * "No scenario used index X" says something only when every scenario ran: with a subset (--scenario) or forms
 * skipped (a column a user's table lacks, writes not allowed, an optional part not installed) the index may serve
 * one that did not run. Such findings become info, saying why.
 */
export function qualifyUnusedIndexFindings(findings: Finding[], results: ScenarioResult[], selected: number, available: number): Finding[] {
  const skipped = [...new Set(results.filter((r) => r.outcome.status === 'skipped').map((r) => r.scenarioId))];
  const why = [
    ...(selected < available ? [`${selected} of ${available} scenarios were selected`] : []),
    ...(skipped.length > 0 ? [`${skipped.length} were skipped (${skipped.join(', ')})`] : []),
  ];
  if (why.length === 0) return findings;
  return findings.map((f) => (/^audit-unused-/.test(f.id)
    ? { ...f, severity: 'info' as const, title: `${f.title} (not every scenario ran)`, detail: `Not every scenario ran: ${why.join('; ')}, so an index no plan used may serve one that did not run. ${f.detail}` }
    : f));
}
