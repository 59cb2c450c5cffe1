// docs/flake-measured.md: what `npm run bench:flake` writes from the run summaries it keeps, stamped, in
// docs/data/flake-measured/flake.json: per run its exit, run time against its budget, warnings and notes, then
// whether the gate failed on unchanged code (target 0), which warnings every run gave (target none) and how many runs
// kept their budget (target all). Pure apart from writeFlakeFigures; a unit test re-renders the page from its input.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import type { RunResults } from '../results.ts';
import { textTable } from '../report/console.ts';
import { figuresInputsDir, loadFigure, stampLine, type SavedFigure } from './load-figures.ts';

export const FLAKE_FIGURES_INPUTS = figuresInputsDir('flake-measured');
export const FLAKE_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'flake-measured.md');

export interface RunSummary {
  run: number; exitCode: number; seconds: number; gated: number; failedGated: string[];
  /** Inconclusive verdicts the gate line warns about, and those it lists as notes (beyond the cap per form). */
  inconclusive: string[]; beyondCap: string[];
  /** Every warning the run gave: inconclusive verdicts and the forms' own warnings (a read with no rows, ...). */
  warnings: string[];
  /** The run's own time (results.timings.totalMs) against its budget: 120 s warm, 240 s cold. */
  runSeconds: number; budgetSeconds: number;
  widest: { form: string; widthPct: number; interval: string } | undefined;
}

/** What bench:flake saves: the runs asked for, the flags passed to each, and one summary per run. */
export interface FlakeResult { runs: number; flags: string[]; summaries: RunSummary[] }

/** One run's summary from its results document (null when the run wrote none). Pure. */
export function summarize(run: number, exitCode: number, seconds: number, results: RunResults | null): RunSummary {
  const gated = results?.scenarios.filter((r) => r.gated) ?? [];
  const name = (r: RunResults['scenarios'][number]) => `${r.scenarioId}@${r.scale}/${r.form}`;
  let widest: RunSummary['widest'];
  for (const r of gated) {
    const v = r.latencyVerdict;
    if (!v || v.ciLowMs === null || v.ciHighMs === null) continue;
    const widthPct = ((v.ciHighMs - v.ciLowMs) / v.limitMs) * 100;
    if (!widest || widthPct > widest.widthPct) widest = { form: name(r), widthPct, interval: `[${v.ciLowMs.toFixed(3)}, ${v.ciHighMs.toFixed(3)}] ms of ${v.limitMs} ms (${v.clock})` };
  }
  const inconclusive = gated.filter((r) => r.latencyVerdict?.status === 'inconclusive' && !r.latencyVerdict.beyondCap).map(name);
  const formWarnings = (results?.scenarios ?? []).flatMap((r) => (r.warnings ?? []).map((w) => `${name(r)}: ${w.split(/[:(]/)[0]!.trim()}`));
  return {
    run, exitCode, seconds, gated: gated.length,
    failedGated: gated.filter((r) => r.outcome.status !== 'passed' && r.outcome.status !== 'skipped').map(name),
    inconclusive,
    beyondCap: gated.filter((r) => r.latencyVerdict?.status === 'inconclusive' && r.latencyVerdict.beyondCap).map(name),
    warnings: [...inconclusive.map((f) => `${f} inconclusive`), ...formWarnings],
    runSeconds: results ? (results.timings.totalMs ?? 0) / 1000 : seconds,
    budgetSeconds: results?.datasets.every((d) => d.reused) === false ? 240 : 120,
    widest,
  };
}

/** The warnings every run gave (none when a run is missing its results). Pure. */
export function commonWarnings(summaries: readonly Pick<RunSummary, 'warnings'>[]): string[] {
  if (summaries.length === 0) return [];
  return [...new Set(summaries[0]!.warnings)].filter((w) => summaries.every((s) => s.warnings.includes(w)));
}


/** What the runs add up to: the figures both the page's sentence and the script's JSON line report. Pure. */
export function flakeFacts(summaries: readonly RunSummary[]) {
  return {
    failedRuns: summaries.filter((s) => s.exitCode !== 0),
    inEveryRun: commonWarnings(summaries),
    overBudget: summaries.filter((s) => s.runSeconds > s.budgetSeconds),
    widest: summaries.map((s) => s.widest).filter((w) => w !== undefined).sort((a, b) => b.widthPct - a.widthPct)[0],
    inconclusive: summaries.reduce((n, s) => n + s.inconclusive.length, 0),
  };
}

/** The table and the closing sentence, as the script prints them and the page shows them. Pure. */
export function renderFlakeSummary(result: FlakeResult): { table: string; sentence: string } {
  const { summaries, runs } = result;
  const { failedRuns, inEveryRun, overBudget, widest, inconclusive } = flakeFacts(summaries);
  const table = textTable(['run', 'exit', 'run time s (budget)', 'gated forms', 'failed', 'warnings', 'notes (beyond the cap)', 'widest interval (width / limit)'],
    summaries.map((s) => [String(s.run), String(s.exitCode), `${s.runSeconds.toFixed(0)} (${s.budgetSeconds})`, String(s.gated), s.failedGated.join(', ') || '-',
      s.warnings.join(', ') || '-', s.beyondCap.join(', ') || '-', s.widest ? `${s.widest.form} ${s.widest.interval} (${s.widest.widthPct.toFixed(0)}%)` : '-']));
  const times = summaries.map((s) => s.runSeconds).sort((a, b) => a - b);
  const sentence = `Gate failed in ${failedRuns.length} of ${runs} runs on unchanged code and data (target 0); ` +
    `${inconclusive} inconclusive verdicts in all; ` +
    `warnings given by every run: ${inEveryRun.length === 0 ? 'none (target none)' : `${inEveryRun.join(', ')} (target none)`}; ` +
    `${runs - overBudget.length} of ${runs} runs within their budget (${overBudget.length === 0 ? 'target all' : `over: ${overBudget.map((s) => `run ${s.run} ${s.runSeconds.toFixed(0)} s`).join(', ')}`})` +
    `${times.length > 0 ? `; run time ${times[0]!.toFixed(0)}-${times.at(-1)!.toFixed(0)} s, median ${times[Math.floor(times.length / 2)]!.toFixed(0)} s` : ''}` +
    `${widest ? `; widest interval ${widest.form} ${widest.interval}, ${widest.widthPct.toFixed(0)}% of its limit` : ''}.`;
  return { table, sentence };
}

/** The page from the saved result (pure), or a line saying how to measure it. */
export function renderFlakeFigures(saved: SavedFigure<FlakeResult> | undefined = loadFigure('flake', FLAKE_FIGURES_INPUTS)): string {
  const head = ['# The default run on unchanged code (`npm run bench:flake`)', '',
    'Written by `npm run bench:flake` from the run summaries it keeps in docs/data/flake-measured/flake.json; re-run it, never edit by hand.', ''];
  if (!saved) return `${[...head, 'Not measured yet: `npm run bench:flake`.'].join('\n')}\n`;
  const { table, sentence } = renderFlakeSummary(saved.result);
  return `${[...head, stampLine(saved.stamp), '',
    `${saved.result.runs} default runs${saved.result.flags.length > 0 ? ` with \`${saved.result.flags.join(' ')}\`` : ''}, each a real \`execbench run\` process on warm datasets. ` +
    'Run time is the run\'s own (results.timings), against its budget (120 s warm, 240 s cold). A warning is an inconclusive verdict the gate line warns about or a form\'s own warning; a note is a verdict left undecided on purpose, beyond the cap per form (docs/latency.md).', '',
    sentence, '', '```text', table, '```'].join('\n')}\n`;
}

/** Writes the page from the committed input; returns its path. */
export function writeFlakeFigures(): string {
  writeFileSync(FLAKE_FIGURES_PAGE, renderFlakeFigures());
  return FLAKE_FIGURES_PAGE;
}
