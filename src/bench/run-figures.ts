// `npm run bench:figures -- <results.json> [<results.json> ...]`: docs/run-measured.md from the results documents of
// `npm run bench` runs (each report folder's results.json), so the figures the docs quote for the default run are the
// report's own, never retyped: per run its stamp, time and gate, then its Markdown summary (the verdict table).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { EXIT } from '../errors.ts';
import { decideExit, DEFAULT_FAIL_ON } from '../gate/verdict.ts';
import { renderMarkdownSummary } from '../report/markdown.ts';
import type { RunResults } from '../results.ts';
import { exitOnHelp, runScript } from './common.ts';

const PAGE = path.join(PROJECT_ROOT, 'docs', 'run-measured.md');

exitOnHelp(`
npm run bench:figures -- <results.json> [<results.json> ...]

Writes docs/run-measured.md from the results documents of \`npm run bench\` runs (reports/<run-id>/results.json):
each run's date, machine, commit, run time and gate, then its verdict table as the run's summary.md shows it.

Example: npm run bench -- --out reports/bench-a && npm run bench:figures -- reports/bench-a/results.json
`);

/** The page for these runs, in the order given. Pure. */
export function renderRunFigures(runs: { file: string; results: RunResults }[]): string {
  const parts = ['# `npm run bench`, measured', '',
    `Written by \`npm run bench:figures\` from ${runs.length} run(s)' results.json; re-run the runs and this command, never edit by hand. Each run's own summary follows (the same table its report's summary.md has).`, ''];
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

await runScript(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('bench:figures: give the results.json of one or more `npm run bench` runs, e.g. npm run bench:figures -- reports/bench-a/results.json\n');
    return EXIT.usage;
  }
  const runs = files.map((file) => ({ file, results: JSON.parse(readFileSync(file, 'utf8')) as RunResults }));
  writeFileSync(PAGE, renderRunFigures(runs));
  process.stdout.write(`Wrote ${PAGE}\n`);
  return EXIT.ok;
});
