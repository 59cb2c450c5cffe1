// docs/run-measured.md: what `npm run bench:figures` writes from the results documents of `npm run bench` runs, per run
// its stamp, time and gate, then its Markdown summary (the verdict table). The runs' documents are committed beside
// the page (docs/data/run-measured/), trimmed of what no figure reads, and the page is rendered from those copies.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { decideExit, DEFAULT_FAIL_ON } from '../gate/verdict.ts';
import { renderMarkdownSummary } from '../report/markdown.ts';
import type { RunResults } from '../results.ts';
import { figuresInputsDir } from './load-figures.ts';
import { writeReadmeExcerpt } from './readme-excerpt.ts';

export const RUN_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'run-measured.md');
/** The runs' documents as committed: run-1.json, run-2.json, ... in the page's order. */
export const RUN_FIGURES_INPUTS = figuresInputsDir('run-measured');

/** The page for these runs, in the order given. Pure. */
export function renderRunFigures(runs: { results: RunResults }[]): string {
  const parts = ['# `npm run bench`, measured', '',
    `Written by \`npm run bench:figures\` from ${runs.length} run(s)' results.json (kept in docs/data/run-measured/); re-run the runs and this command, never edit by hand. Each run's own summary follows (the same table its report's summary.md has).`, ''];
  for (const [i, { results: r }] of runs.entries()) {
    const m = r.environment.machine;
    const decision = decideExit(r, undefined, DEFAULT_FAIL_ON);
    const seconds = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
    parts.push(`## Run ${i + 1} of ${runs.length}`, '',
      `_Measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${m.cpus} × ${m.cpuModel}, ${Math.round(m.memoryBytes / 2 ** 30)} GiB (${m.platform}), Node ${m.node}, PostgreSQL ${r.environment.postgres.version} (${r.environment.provider.kind}), commit ${r.environment.gitCommit?.slice(0, 10) ?? 'unknown'}._`, '',
      `Run time ${seconds.toFixed(0)} s; datasets ${r.datasets.map((d) => `${d.scale} ${d.reused ? 'reused' : 'seeded'}`).join(', ')}; gate: ${decision.exitCode === 0 ? 'passed (exit 0)' : `failed (exit ${decision.exitCode}): ${decision.reasons.join('; ')}`}.`, '',
      renderMarkdownSummary(r).replace(/^(#+) /gm, '$1# '), '');
  }
  return `${parts.join('\n')}\n`;
}

/**
 * A results document without what the page never reads: the raw EXPLAIN JSON, the retained samples and the index
 * audit (three quarters of its size). The page is rendered from this copy, so a renderer that starts reading one of
 * them shows up as a changed page in the test, not as a silently different figure.
 */
export function trimForFigures(results: RunResults): RunResults {
  const { audit: _audit, ...rest } = results;
  return {
    ...rest,
    scenarios: results.scenarios.map(({ planJson: _plan, ...r }) => (r.latency
      ? { ...r, latency: { ...r.latency, clientSamplesMs: [], serverSamplesMs: [] } }
      : r)),
  };
}

/** The committed runs, in the page's order. */
export function readRunInputs(dir: string = RUN_FIGURES_INPUTS): { results: RunResults }[] {
  const files = readdirSync(dir).filter((f) => /^run-\d+\.json$/.test(f)).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  return files.map((f) => ({ results: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as RunResults }));
}

/** Replaces the committed runs with these results documents (trimmed), then writes the page from the copies; returns its path. */
export function writeRunFigures(files: string[]): string {
  // Read every document before the folder is emptied: one of them may be a committed copy.
  const trimmed = files.map((file) => trimForFigures(JSON.parse(readFileSync(file, 'utf8')) as RunResults));
  rmSync(RUN_FIGURES_INPUTS, { recursive: true, force: true });
  mkdirSync(RUN_FIGURES_INPUTS, { recursive: true });
  for (const [i, results] of trimmed.entries()) writeFileSync(path.join(RUN_FIGURES_INPUTS, `run-${i + 1}.json`), `${JSON.stringify(results)}\n`);
  const runs = readRunInputs();
  writeFileSync(RUN_FIGURES_PAGE, renderRunFigures(runs));
  writeReadmeExcerpt(runs[0]!.results);
  return RUN_FIGURES_PAGE;
}
