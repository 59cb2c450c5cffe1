// Pure: the console view of a capacity search (the capacity per promise, each search's steps, what maintenance
// costs) and the progress line while a step runs.
import { textTable } from '../report/console.ts';
import { PEOPLE_BASIS, type CapacityReport, type CapacityStep, type PromiseSearch } from './search-report.ts';

const rate = (n: number | null) => (n === null ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ms = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const clock = (msLeft: number) => {
  const s = Math.max(0, Math.round(msLeft / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/** What the progress line shows. */
export interface SearchProgress {
  label: string;
  step: number;
  look: number;
  rate: number;
  elapsedMs: number;
  windowMs: number;
  offeredPerSecond: number;
  achievedPerSecond: number;
  p95Ms: number;
  searchLeftMs: number;
  totalLeftMs: number;
}

/** 'spec, pages, without maintenance | step 3 at 160/s: 7/10 s, offered 158.2/s, achieved 157.9/s, p95 so far 12.3 ms | search 1m10s left, all 8m40s left' */
export function formatSearchProgress(p: SearchProgress): string {
  return `${p.label} | step ${p.step}${p.look > 1 ? ` (look ${p.look})` : ''} at ${rate(p.rate)}/s: ${Math.floor(p.elapsedMs / 1000)}/${Math.round(p.windowMs / 1000)} s, offered ${rate(p.offeredPerSecond)}/s, achieved ${rate(p.achievedPerSecond)}/s, p95 so far ${ms(p.p95Ms)} ms | search ${clock(p.searchLeftMs)} left, all ${clock(p.totalLeftMs)} left`;
}

/** The bound as one cell: '>= 152/s (2,280 people)' or why there is none. */
export function boundCell(s: PromiseSearch): string {
  if (s.lowerBoundPerSecond === null) return `none: ${s.status}`;
  return `>= ${rate(s.lowerBoundPerSecond)}/s (${s.lowerBoundPeople!.toLocaleString('en-US')} people)`;
}

/** A step's verdict as one cell: 'passed', 'failed (invalid: overload)'. */
export function stepVerdictCell(step: CapacityStep): string {
  if (step.invalid) return step.invalid.cause === 'interrupted' ? 'stopped (Ctrl-C)' : `failed (invalid: ${step.invalid.cause})`;
  if (step.cut) return 'failed (cut short)';
  return step.outcome;
}

/** 'Throughput with the pool busy: 312/s (1248 in 4 s); started at 250/s.' */
export function ceilingWords(s: Pick<PromiseSearch, 'ceiling' | 'promise' | 'startRate'>): string {
  const c = s.ceiling;
  return c ? `Throughput with every pool connection busy (the probe before the search): ${rate(c.perSecond)} ${s.promise} requests/s (${c.completions} in ${(c.windowMs / 1000).toFixed(0)} s); started at ${rate(s.startRate)}/s.` : `Started at ${rate(s.startRate)}/s.`;
}

/** The p95 with its interval as one cell. */
export function p95Cell(step: CapacityStep): string {
  const l = step.latency;
  return l ? `${ms(l.p95.estimateMs)} [${ms(l.p95.lowMs)}, ${ms(l.p95.highMs)}]` : '—';
}

/** The whole console view. */
export function renderCapacityReport(report: CapacityReport): string {
  const lines: string[] = [];
  for (const promise of report.options.promises) {
    const searches = report.searches.filter((s) => s.promise === promise);
    if (searches.length === 0) continue;
    const first = searches[0]!;
    lines.push(`Capacity: ${promise} p95 < ${first.limitP95Ms} ms (${first.source})`);
    // The answer in words goes under the table, one line per search: as a column it made every row a screen wide.
    lines.push(textTable(['variant', 'maintenance', 'capacity (lower bound)', 'lowest rate that failed', 'steps', '--min-capacity'], searches.map((s) => [
      s.variant, s.maintenance ? 'with' : 'without', boundCell(s), s.notBelowPerSecond === null ? '—' : `${rate(s.notBelowPerSecond)}/s`, String(s.steps.length),
      s.minCapacityPerSecond === undefined ? '—' : `${rate(s.minCapacityPerSecond)}/s ${s.meetsMinimum ? 'met' : 'NOT MET'}`,
    ])));
    for (const s of searches) lines.push(`  ${s.variant}, ${s.maintenance ? 'with' : 'without'} maintenance: ${s.words}`);
    for (const s of searches) {
      lines.push('');
      lines.push(`${promise}, ${s.variant}, ${s.maintenance ? 'with' : 'without'} maintenance: ${s.confidence.words}.`);
      if (s.ceiling) lines.push(ceilingWords(s));
      lines.push(textTable(['step', 'rate/s', 'window s', 'offered/s', 'achieved/s', 'p50 ms', 'p95 ms [interval]', 'p99 ms', 'samples', 'verdict', ...(s.maintenance ? ['cleanup', 'lock waits'] : [])], s.steps.map((step, i) => [
        `${i + 1}${step.look > 1 ? ` (look ${step.look})` : ''}`, rate(step.rate), (step.windowMs / 1000).toFixed(1), rate(step.offeredPerSecond), rate(step.achievedPerSecond),
        ms(step.latency?.p50.estimateMs), p95Cell(step), ms(step.latency?.p99.estimateMs),
        step.latency ? `${step.samples}${step.thinnedEvery > 1 ? ` (1 in ${step.thinnedEvery})` : ''}` : '—', stepVerdictCell(step),
        ...(s.maintenance ? [step.maintenance ? `${step.maintenance.cleanupBatches} batches` : '—', step.maintenance ? String(step.maintenance.lockWaits) : '—'] : []),
      ])));
      for (const [i, step] of s.steps.entries()) if (step.invalid || step.cut) lines.push(`  step ${i + 1}: ${step.invalid?.words ?? step.cut!.words}`);
    }
    lines.push('');
  }
  if (report.maintenanceCost.length > 0) {
    lines.push('What maintenance costs:');
    for (const c of report.maintenanceCost) lines.push(`  ${c.promise}, ${c.variant}: ${c.words}.`);
    lines.push('');
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  if (report.interrupted) lines.push('Interrupted: Ctrl-C; the searches above are what was measured so far.');
  lines.push(`Method: ${report.method.join(' ')}`);
  lines.push(`People are counted at ${PEOPLE_BASIS.words}.`);
  lines.push(`Searched for ${(report.durationMs / 1000).toFixed(0)} s of a --max-time of ${(report.options.maxTimeMs / 1000).toFixed(0)} s.`);
  return lines.join('\n');
}
