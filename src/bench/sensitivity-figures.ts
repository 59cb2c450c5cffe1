// docs/sensitivity-measured.md: what `npm run bench:sensitivity -- figures` writes from the result the last
// `npm run bench:sensitivity` saved (reports/bench-sensitivity/sensitivity.json, committed in
// docs/data/sensitivity-measured/): per form and CPU limit, the slowdown measured, how often a limit 1.5x under the true
// p95 failed the run's own verdict, and how often the baseline time check caught the slowdown (false alarms on the
// unthrottled rows). Targets are judged here, from the counts, so the page and the script's exit say the same.
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { figuresInputsDir, loadFigure, stampLine, type SavedFigure, writeFiguresPage } from './load-figures.ts';

export const SENSITIVITY_FIGURES_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-sensitivity');
export const SENSITIVITY_FIGURES_INPUTS = figuresInputsDir('sensitivity-measured');
export const SENSITIVITY_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'sensitivity-measured.md');

/** One form under one CPU limit, over `runs` runs. */
export interface SensitivityRow {
  form: string; scale: string; effect: number; cpus: number | 'unlimited';
  measuredEffect: number; medianEffect: number; referenceP95Ms: number; slowedP95Ms: number;
  /** The one baseline's median over the reference's: a baseline taken in a slow moment hides a slowdown. */
  baselineMedianDrift: number; thresholdLimitMs: number;
  thresholdFails: number; baselineCaught: number; runs: number;
  thresholdSamplesMedian: number; baselineSamplesMedian: number; baselineReferenceSamples: number;
}

export interface SensitivityResult { runs: number; budgetMs: number; thresholdExcess: number; totalMs: number; rows: SensitivityRow[] }

/**
 * A row's target and whether it is met. Pure. The threshold test fails in every run; the baseline check catches x2
 * in every run and x1.5 in at least 9 of 10 (scaled to the runs); an unthrottled row's catches are false alarms, at
 * most 1 in 10.
 */
export function judgeSensitivityRow(row: SensitivityRow): { target: string; met: boolean } {
  const thresholdMet = row.thresholdFails === row.runs;
  if (row.effect === 1) {
    const allowed = Math.floor(row.runs / 10);
    return { target: `threshold ${row.runs} of ${row.runs}; false alarms at most ${allowed}`, met: thresholdMet && row.baselineCaught <= allowed };
  }
  const needed = row.effect >= 2 ? row.runs : Math.ceil(row.runs * 0.9);
  return { target: `threshold ${row.runs} of ${row.runs}; caught at least ${needed}`, met: thresholdMet && row.baselineCaught >= needed };
}

/** The page from the saved result (pure but for `read`), or a line saying how to measure it. */
export function renderSensitivityFigures(read: (mode: string) => SavedFigure<SensitivityResult> | undefined = (mode) => loadFigure(mode, SENSITIVITY_FIGURES_INPUTS)): string {
  const saved = read('sensitivity');
  const head = [
    '# Do the verdict rules see a real slowdown? (`npm run bench:sensitivity`)', '',
    'Written by `npm run bench:sensitivity -- figures` from the result `npm run bench:sensitivity` saved under reports/bench-sensitivity/',
    '(kept in docs/data/sensitivity-measured/); re-run it, never edit by hand. How the slowdown is made (a CPU quota on the embedded',
    'server, calibrated on the median) and what each test is: [benchmarks.md](benchmarks.md).', '',
  ];
  if (!saved) return `${[...head, 'Not measured yet: `npm run bench:sensitivity` (root and a Linux cgroup cpu controller).'].join('\n')}\n`;
  const r = saved.result;
  const judged = r.rows.map((row) => ({ row, ...judgeSensitivityRow(row) }));
  const missed = judged.filter((j) => !j.met);
  const drift = [...new Map(r.rows.map((row) => [row.form, row.baselineMedianDrift])).entries()];
  const lines = [
    ...head, stampLine(saved.stamp), '',
    `${r.runs} runs per row, ${(r.totalMs / 60_000).toFixed(0)} minutes. Threshold test: each run measured against a limit ${r.thresholdExcess}x under the true p95 of that row's slowdown, counted by its own verdict (the run's sequential rule, as in CI). Baseline test: each run against the scenario's real threshold, compared by \`compareRuns\` with one unthrottled baseline; on the unthrottled rows its catches are false alarms.`, '',
    '| form (clock) | scale | CPU limit | measured p95 / median ratio | threshold failed | baseline caught | median samples (threshold / baseline) | target | met |',
    '|---|---|---|---|---|---|---|---|---|',
    ...judged.map(({ row, target, met }) => `| ${row.form} | ${row.scale} | ${row.cpus === 'unlimited' ? 'none' : `${row.cpus} CPU`} | x${row.measuredEffect.toFixed(2)} / x${row.medianEffect.toFixed(2)} | ${row.thresholdFails} of ${row.runs} | ${row.baselineCaught} of ${row.runs}${row.effect === 1 ? ' (false alarms)' : ''} | ${row.thresholdSamplesMedian} / ${row.baselineSamplesMedian} | ${target} | ${met ? 'yes' : '**no**'} |`),
    '',
    missed.length === 0
      ? `**Every row meets its target.**`
      : `**${missed.length} of ${judged.length} rows miss their target**: ${missed.map((j) => `${j.row.form} x${j.row.effect}`).join(', ')}.`,
    `The baselines' median over their reference sample (a baseline taken in a slow minute hides a slowdown from every comparison against it): ${drift.map(([form, d]) => `${form} x${d.toFixed(2)}`).join(', ')}.`,
  ];
  // A missed slowdown against a baseline that itself sat slow: what the comparison actually saw is the slowed median over the baseline's.
  const hidden = missed.filter((j) => j.row.effect > 1 && j.row.baselineMedianDrift > 1.1);
  if (hidden.length > 0) {
    lines.push('', `Where a baseline test missed, its baseline sat slow: ${hidden.map((j) => `${j.row.form} x${j.row.effect} was x${j.row.medianEffect.toFixed(2)} of the reference's median but x${(j.row.medianEffect / j.row.baselineMedianDrift).toFixed(2)} of the baseline's`).join('; ')}, ` +
      'and a comparison flags only when the whole 99% interval of current over baseline lies beyond +20%. One stored baseline taken in a slow minute hides a real slowdown from every comparison against it: the reason the CI gate measures base and head side by side (`execbench ab`, [gate-measured.md](gate-measured.md)).');
  }
  return `${lines.join('\n')}\n`;
}

/** Commits what bench:sensitivity saved, then writes the page from the committed input; returns its path. */
export function writeSensitivityFigures(): string {
  return writeFiguresPage(SENSITIVITY_FIGURES_DIR, SENSITIVITY_FIGURES_INPUTS, SENSITIVITY_FIGURES_PAGE, () => renderSensitivityFigures());
}
