// Pure: the growth across scales as a Markdown table, and the large-tenant advice findings as a list, in the
// summary's own finding format (src/report/markdown.ts).
import type { Finding } from '../results.ts';
import { formatFactor } from '../scale/advice.ts';
import { GROWTH_CONFIDENCE, type GrowthStep, type ScaleGrowth, type ScalePoint } from '../scale/growth.ts';
import { formatConfidence, formatMs } from './format.ts';
import { markdownCell } from './markdown.ts';

/** '0.123 [0.110, 0.140] · p95 0.201', or why there is no figure. */
export function formatGrowthCell(p: ScalePoint | undefined): string {
  if (!p) return '—';
  // Untimed (its EXPLAIN outlasted the form's cap): its one EXPLAIN ANALYZE execution, marked as such.
  if (p.medianMs === null) return p.explainMs !== null ? `not timed; one EXPLAIN ANALYZE: ${formatMs(p.explainMs)}` : p.status;
  const bound = (x: number | null) => (x === null ? '—' : formatMs(x));
  const p95 = p.p95Ms !== null ? ` · p95 ${formatMs(p.p95Ms)}` : '';
  const verdict = p.verdict === 'failed' ? ' ❌' : p.verdict === 'inconclusive' ? ' ⚠️' : '';
  return `${formatMs(p.medianMs)} [${bound(p.medianLowMs)}, ${bound(p.medianHighMs)}]${p95}${verdict}`;
}

/** '4.98x (4.61-5.40)', with 'inconclusive' where the intervals overlap. */
export function formatGrowthStep(step: GrowthStep | undefined): string {
  if (!step || step.status === 'not measured') return '—';
  const bounds = step.factorLow !== null && step.factorHigh !== null ? ` (${formatFactor(step.factorLow, false)}-${formatFactor(step.factorHigh, false)})` : '';
  return `${formatFactor(step.factor)}${bounds}${step.status === 'inconclusive' ? ' inconclusive' : step.status === 'shrank' ? ' shrank' : ''}`;
}

/**
 * One row per scenario form (the gated form first), one column per scale (median and its interval, then the p95;
 * ❌ where the p95 failed its limit, ⚠️ where the verdict is inconclusive), then each consecutive step's growth and
 * the smallest-to-largest one, with the rows' own growth in the header.
 */
export function renderGrowthTable(growth: ScaleGrowth): string {
  const scales = growth.scales;
  if (scales.length === 0) return 'No scale measured.\n';
  const steps = scales.slice(1).map((s, i) => ({ from: scales[i]!, to: s }));
  const overall = scales.length > 2 ? [{ from: scales[0]!, to: scales.at(-1)! }] : [];
  const head = [
    'scenario (form)', 'clock',
    ...scales.map((s) => `${s.scale} median [${formatConfidence(GROWTH_CONFIDENCE)}] ms`),
    ...[...steps, ...overall].map((st) => `${st.from.scale}→${st.to.scale} (rows ${formatFactor(st.to.focusRows / st.from.focusRows)})`),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '--:')).join('|')}|`];
  const ordered = [...growth.forms].sort((a, b) => order(growth, a.scenarioId) - order(growth, b.scenarioId) || Number(b.gated) - Number(a.gated));
  for (const f of ordered) {
    const label = `${f.scenarioId} (${f.form}${f.gated ? '' : ', not gated'})`;
    const cells = [
      markdownCell(label), f.clock,
      ...scales.map((s) => markdownCell(formatGrowthCell(f.points.find((p) => p.scale === s.scale)))),
      ...steps.map((st) => markdownCell(formatGrowthStep(f.steps.find((x) => x.from === st.from.scale && x.to === st.to.scale)))),
      ...overall.map(() => markdownCell(formatGrowthStep(f.overall ?? undefined))),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The findings as the run's summary lists them: icon, title, spec and scale, the detail, the fix. */
export function renderAdviceFindings(findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    const icon = f.severity === 'error' ? '🔴' : f.severity === 'warning' ? '🟡' : 'ℹ️';
    lines.push(`- ${icon} **${oneLine(f.title)}** (${oneLine(f.spec)}${f.scale ? `, ${f.scale}` : ''})  `);
    lines.push(`  ${oneLine(f.detail)}${f.fix ? `  \n  **Fix:** ${oneLine(f.fix)}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function order(growth: ScaleGrowth, scenarioId: string): number {
  return growth.forms.findIndex((f) => f.scenarioId === scenarioId);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
