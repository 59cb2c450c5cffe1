// docs/whatif-measured.md: what `npm run bench:whatif` writes from the what-if run it saved
// (reports/bench-whatif/whatif.json, committed in docs/data/whatif-measured/): the command, its time and exit, then the
// what-if report exactly as the console prints it (whatif-text.ts): variants side by side, what each index buys and
// costs, generic plans, plan crossovers and the findings grouped by cause. Pure apart from writeWhatifFigures.
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { renderAblation, renderCrossovers, renderGeneric, renderGroups, renderLayout, renderVariantComparison } from '../report/whatif-text.ts';
import type { RunResults } from '../results.ts';
import type { WhatifReport } from '../whatif/types.ts';
import { figuresInputsDir, loadFigure, stampLine, type SavedFigure, writeFiguresPage } from './load-figures.ts';

export const WHATIF_FIGURES_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-whatif');
export const WHATIF_FIGURES_INPUTS = figuresInputsDir('whatif-measured');
export const WHATIF_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'whatif-measured.md');

/** What bench:whatif saves: the command's arguments, exit and times, and its what-if report. */
export interface WhatifFigure {
  args: string[]; exitCode: number; totalMs: number; timings: Record<string, number>;
  provider: string; whatif: WhatifReport;
}

/** The saved figure from a whatif run's results document. Pure. */
export function whatifFigureFrom(results: RunResults, args: string[], exitCode: number): WhatifFigure {
  if (!results.whatif) throw new Error(`results ${results.runId} hold no what-if report: give the results.json of an \`execbench whatif\` run`);
  return {
    args, exitCode, totalMs: results.timings.totalMs ?? Date.parse(results.finishedAt) - Date.parse(results.startedAt), timings: results.timings,
    provider: `${results.environment.provider.kind} PostgreSQL ${results.environment.postgres.version}`, whatif: results.whatif,
  };
}

/** The page from the saved figure (pure but for `read`), or a line saying how to measure it. */
export function renderWhatifFigures(read: (mode: string) => SavedFigure<WhatifFigure> | undefined = (mode) => loadFigure(mode, WHATIF_FIGURES_INPUTS)): string {
  const saved = read('whatif');
  const head = [
    '# What-if, measured (`npm run bench:whatif`)', '',
    'Written by `npm run bench:whatif` from the `execbench whatif` run it saved under reports/bench-whatif/ (kept in docs/data/whatif-measured/);',
    're-run it, never edit by hand. What each part means and how it is measured: [whatif.md](whatif.md).', '',
  ];
  if (!saved) return `${[...head, 'Not measured yet: `npm run bench:whatif`.'].join('\n')}\n`;
  const f = saved.result;
  const report = f.whatif;
  const block = (title: string, text: string) => (text.trim() ? [`## ${title}`, '', '```text', text, '```', ''] : []);
  const variants = report.variants.map((v) => v.name).join(', ');
  return `${[...head, stampLine(saved.stamp), '',
    `\`execbench whatif ${f.args.join(' ')}\` (${f.provider}): variants ${variants}; ${(f.totalMs / 60_000).toFixed(1)} minutes; exit ${f.exitCode} (${f.exitCode === 0 ? 'the gate passed on every variant' : 'the gate failed on at least one variant'}).`, '',
    'Variants are measured one after the other, so where two run the same plan a latency difference is the machine drifting between their windows; the plans and buffers are the deterministic evidence. The ablation and covering ratios are paired in time.', '',
    ...block('Variants side by side', renderVariantComparison(report)),
    ...block('Partitioned layout', renderLayout(report)),
    ...block('What each index buys and costs (ablation)', renderAblation(report)),
    ...block('Generic plans', renderGeneric(report)),
    ...block('Plan crossovers with tenant size', renderCrossovers(report)),
    ...block('Findings grouped by cause, and the covering index rule', renderGroups(report)),
  ].join('\n')}`;
}

/** Commits what bench:whatif saved, then writes the page from the committed input; returns its path. */
export function writeWhatifFigures(): string {
  return writeFiguresPage(WHATIF_FIGURES_DIR, WHATIF_FIGURES_INPUTS, WHATIF_FIGURES_PAGE, () => renderWhatifFigures());
}
