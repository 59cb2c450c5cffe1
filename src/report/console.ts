// Pure: the console view of a run (a table, the findings, the headline checks, the budget line).
import type { RunResults, ScenarioResult } from '../results.ts';
import { describeAccess } from '../runner/contract.ts';

/** Renders rows as an aligned text table. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function verdict(r: ScenarioResult): string {
  switch (r.outcome.status) {
    case 'passed': return 'pass';
    case 'failed': return `FAIL: ${r.outcome.violations.map((v) => v.kind).join(',')}`;
    case 'errored': return 'ERROR';
    case 'skipped': return 'skip';
  }
}

const ms = (n: number | undefined) => (n === undefined ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));

/** The scenario x scale x form table. */
export function renderResultsTable(results: RunResults): string {
  const rows = results.scenarios.map((r) => [
    r.scenarioId,
    r.scale,
    r.form + (r.gated || (results.options.strictSpec && r.form === 'documented') ? '' : ' (not gated)'),
    verdict(r),
    ms(r.latency?.client.p50Ms),
    ms(r.latency?.client.p95Ms),
    r.threshold ? `${ms(r.threshold.p95Ms)}${r.threshold.derived ? '*' : ''}` : '-',
    ms(r.latency?.server.p50Ms),
    r.plan ? ellipsis(describeAccess(r.plan).replace(/ using /g, ' '), 60) : '-',
    r.plan ? String(r.plan.buffers.sharedHit + r.plan.buffers.sharedRead) : '-',
  ]);
  return textTable(
    ['scenario', 'scale', 'form', 'verdict', 'p50 ms', 'p95 ms', 'limit ms', 'server ms', 'access', 'buffers'],
    rows,
  ) + [
    '',
    '  p50/p95: client round trip of the plain query (ms); server: median EXPLAIN ANALYZE execution time (ms);',
    '  limit: the spec\'s figure for client p95 (ms); * = derived by execbench where the spec gives none for this',
    '  scale (the HTML report and junit.xml say how); access: the plan\'s scans; buffers: shared blocks hit+read',
    '  of one execution. "(not gated)": the SQL exactly as the spec prints it; where it needed a correction, the',
    '  corrected form is what the gate judges and the documented form\'s failures are spec findings.',
  ].join('\n');
}

function ellipsis(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function renderFindings(results: RunResults): string {
  if (results.findings.length === 0) return 'Spec findings: none.';
  const order = { error: 0, warning: 1, info: 2 } as const;
  const lines = [...results.findings]
    .sort((a, b) => order[a.severity] - order[b.severity])
    // Errors and warnings in full; info findings (things the spec gets right, planner choices) as one line each.
    .map((f) => f.severity === 'info'
      ? `- [info] ${f.title} (${f.scale ?? ''})`
      : `- [${f.severity}] ${f.title} (${f.spec}${f.scale ? `; ${f.scale}` : ''})\n    ${f.detail}${f.fix ? `\n    fix: ${f.fix.replace(/\s*\n\s*/g, ' ')}` : ''}`);
  return `Spec findings (${results.findings.length}):\n${lines.join('\n')}`;
}

export function renderHeadline(results: RunResults): string {
  if (results.headline.length === 0) return '';
  return 'Headline promises of the spec (a failure is listed as a spec finding too; the gate judges scenarios):\n' + results.headline
    .map((h) => `- [${h.passed ? 'pass' : 'FAIL'}] ${h.scale} ${h.claim}: ${h.measured}\n    ${h.detail}`)
    .join('\n');
}
