// `npm run bench:scale -- growth [scales] [whatif results.json]`: the suite at several scales by `execbench run`'s own
// code path (runBenchCommand: the same datasets, clocks, verdicts and results.json), then every scenario's growth
// across the scales and one finding per piece of the spec's large-tenant advice (src/scale). The judged figure is
// saved stamped to reports/bench-scale/growth.json; the figures page's section and its chart are written from it.
// Without a process of its own: src/bench/scale.ts runs these as its `growth` mode.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, runBenchCommand, type RunOptions } from '../commands/run.ts';
import { resolveProviderOptions } from '../config.ts';
import { readResultsFile } from '../gate/results-file.ts';
import { renderChartSvg } from '../report/render.ts';
import { buildScaleGrowthChart } from '../report/scale-growth-chart.ts';
import { renderAdviceFindings, renderGrowthTable } from '../report/scale-growth-markdown.ts';
import type { Finding, RunResults } from '../results.ts';
import { judgeLargeTenantAdvice } from '../scale/advice.ts';
import { buildScaleGrowth, type ScaleGrowth } from '../scale/growth.ts';
import { parseScale } from '../seed/scale.ts';
import type { VariantRun } from '../whatif/types.ts';
import { DEFAULT_SEED } from './common.ts';
import { loadFigure, saveFigure, stampLine, type SavedFigure } from './load-figures.ts';

export const GROWTH_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-scale');
/** Where the run's own reports (results.json, index.html...) go: beside the saved figure, replaced by each run. */
export const GROWTH_RUN_DIR = path.join(GROWTH_DIR, 'growth-run');
/** The chart, next to the figures page that shows it. */
export const GROWTH_CHART = path.join(PROJECT_ROOT, 'docs', 'scale-growth.svg');

/** What the growth mode saves (reports/bench-scale/growth.json). */
export interface GrowthFigure {
  /** The results documents judged, as given (files, relative to the project where inside it). */
  resultsFiles: string[];
  /** The whatif results the partitioning was judged from, when one was given. */
  variantsFile?: string;
  /** The runs judged, by id, in the order given. */
  runIds: string[];
  growth: ScaleGrowth;
  findings: Finding[];
}

/** The growth and the advice's findings from results documents (and, optionally, whatif variant runs). Pure. */
export function judgeGrowth(documents: readonly RunResults[], variants?: readonly VariantRun[]): { growth: ScaleGrowth; findings: Finding[] } {
  const growth = buildScaleGrowth(documents);
  return { growth, findings: judgeLargeTenantAdvice({ growth, documents, ...(variants ? { variants } : {}) }) };
}

/** The variant runs of a whatif results.json (`execbench whatif --variant recommended,partitioned ... --out`). */
export async function readVariantRuns(file: string): Promise<VariantRun[]> {
  const doc = await readResultsFile(file, 'results');
  if (!doc.whatif) throw new Error(`'${file}' is a results file without a whatif section: give the results.json of \`execbench whatif --variant recommended,partitioned --scale ...\`.`);
  return doc.whatif.runs;
}

export interface MeasureGrowthOptions {
  scales: string[];
  /** The run's report folder (default reports/bench-scale/growth-run). */
  outDir?: string;
  /** whatif results with 'recommended' and 'partitioned' runs, for the partitioning finding. */
  variantsFile?: string;
  /**
   * Cap per form on buying samples (default 60 s, the CLI's is 20 s): at 10m the sparkline returns a million rows and
   * takes about 9 s a sample, and the growth needs six samples for a median's interval (a p95 verdict's lower bound).
   */
  maxFormMs?: number;
  /** Consent to seed execbench_* schemas in a server given by DATABASE_URL (as `run --yes`); reused datasets need none. */
  yes?: boolean;
  log?: (line: string) => void;
}

/**
 * Runs the suite at the scales as `execbench run --scale <scales> --out <outDir> --no-audit --max-form-time 60s` does
 * (the CLI's other defaults: 750 ms budget, the optional objects), then judges and saves the growth. Returns the run's
 * exit code (1 when a gated check failed: the growth is judged and saved either way) and the saved file.
 */
export async function measureGrowth(options: MeasureGrowthOptions): Promise<{ exitCode: number; saved: string; figure: GrowthFigure }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outDir = options.outDir ?? GROWTH_RUN_DIR;
  const run: RunOptions = {
    scales: options.scales.map(parseScale), scenarioPatterns: [], queryDirs: [], budgetMs: 750, strictSpec: false, outDir, json: false,
    seed: DEFAULT_SEED, indexBuild: 'after', fresh: false, optional: true, failOn: ['contracts', 'thresholds', 'baseline'], audit: false,
    maxFormMs: options.maxFormMs ?? 60_000,
    provider: { ...resolveProviderOptions({}, process.env, log), ...(options.yes ? { yes: true } : {}) },
  };
  const exitCode = await runBenchCommand(run);
  const { saved, figure } = await judgeSavedRuns([path.join(outDir, 'results.json')], options.variantsFile);
  return { exitCode, saved, figure };
}

/** Judges results.json files already written (by `execbench run --out`, or by measureGrowth) and saves the figure. */
export async function judgeSavedRuns(resultsFiles: readonly string[], variantsFile?: string): Promise<{ saved: string; figure: GrowthFigure }> {
  const documents = await Promise.all(resultsFiles.map((f) => readResultsFile(f, 'results')));
  const variants = variantsFile ? await readVariantRuns(variantsFile) : undefined;
  const { growth, findings } = judgeGrowth(documents, variants);
  const figure: GrowthFigure = {
    resultsFiles: resultsFiles.map(relative), ...(variantsFile ? { variantsFile: relative(variantsFile) } : {}),
    runIds: documents.map((d) => d.runId), growth, findings,
  };
  const postgres = documents[0]?.environment.postgres.version;
  return { saved: saveFigure('growth', figure, postgres, GROWTH_DIR), figure };
}

/** The saved growth figure (reports/bench-scale/growth.json), or undefined when the mode never ran. */
export function loadGrowthFigure(): SavedFigure<GrowthFigure> | undefined {
  return loadFigure<GrowthFigure>('growth', GROWTH_DIR);
}

/** Writes the growth chart (SVG) from the saved figure; false when nothing is saved or there is nothing to draw. */
export async function writeGrowthChart(saved: SavedFigure<GrowthFigure> | undefined, file = GROWTH_CHART): Promise<boolean> {
  const spec = saved ? buildScaleGrowthChart(saved.result.growth) : null;
  if (!spec) return false;
  writeFileSync(file, await renderChartSvg(spec));
  return true;
}

/**
 * The figures page's growth section, from the saved figure: stamp, the chart (when `chart` names the SVG written
 * beside the page), the table and the findings. Returns Markdown text.
 */
export function renderGrowthFigures(saved: SavedFigure<GrowthFigure> | undefined, chart?: string): string {
  const lines = ['## Growth across scales and the large-tenant advice (`growth`)', ''];
  if (!saved) return `${[...lines, 'Not measured yet: `npm run bench:scale -- growth 1m,5m,10m`.'].join('\n')}\n`;
  const { growth, findings, resultsFiles, variantsFile } = saved.result;
  lines.push(stampLine(saved.stamp), '');
  lines.push(`From ${resultsFiles.map((f) => `\`${f}\``).join(', ')}${variantsFile ? ` and the whatif runs of \`${variantsFile}\`` : ''}. `
    + `Scales: ${growth.scales.map((s) => `${s.scale} (${s.focusRows.toLocaleString('en-US')} focus rows, ${s.totalRows.toLocaleString('en-US')} in the table)`).join(', ')}.`, '');
  lines.push('Each form is compared on the clock its threshold judges (else the client\'s). A cell is the median with its distribution-free 95% interval and the p95 (the run\'s verdict where it has one; ❌ failed its limit, ⚠️ undecided); a step is the ratio of the medians, its bounds from the two intervals, *inconclusive* where they overlap. '
    + 'The machine is shared and small: these are noisy figures, for their order of growth rather than their last digit.', '');
  for (const note of growth.notes) lines.push(`> ${note}`, '');
  if (chart) lines.push(`![Median latency of every scenario against the focus tenant's rows, log-log](${chart})`, '');
  lines.push(renderGrowthTable(growth), '### The spec\'s advice beyond 1M, judged', '', renderAdviceFindings(findings));
  return `${lines.join('\n')}\n`;
}

function relative(file: string): string {
  const rel = path.relative(PROJECT_ROOT, path.resolve(file));
  return rel.startsWith('..') ? path.resolve(file) : rel;
}
