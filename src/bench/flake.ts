// `npm run bench:flake [runs] [-- run flags]`: the default run, N times (10) on unchanged code and data. A gate that
// fails on unchanged code gets switched off: this counts how often it would (target 0), how many latency verdicts
// were inconclusive (warnings) or left undecided beyond the cap (notes), which warnings every run gave (target none:
// a warning every run gives teaches people to skip warnings), how many runs kept the run-time budget (120 s warm),
// and the widest interval. Each run is a real `execbench run` in its own process, as a user or CI
// runs it. Saves the summaries and writes docs/flake-measured.md from them (flake-figures.ts). Last line: one JSON object.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../errors.ts';
import type { RunResults } from '../results.ts';
import { exitOnHelp, runExecbench, runScript } from './common.ts';
import { FLAKE_FIGURES_INPUTS, flakeFacts, renderFlakeSummary, summarize, writeFlakeFigures, type FlakeResult, type RunSummary } from './flake-figures.ts';
import { saveFigure } from './load-figures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));


exitOnHelp(`
npm run bench:flake [-- runs [run flags...]]

The default run N times on unchanged code and data: how many failed the gate (target 0), how many latency verdicts
were inconclusive, which warnings every run gave (target none), how many runs kept their budget (120 s warm, 240 s
cold; target all), the widest interval. Writes docs/flake-measured.md. Last line: one JSON object.
  runs        1-100, default 10; or \`figures\`: only re-render the page from docs/data/flake-measured/flake.json
  run flags   passed to each \`execbench run\`, e.g. --scale 100k

Example: npm run bench:flake -- 3 --scale 100k
`);

await runScript(async () => {
  if (process.argv[2] === 'figures') {
    process.stderr.write(`bench:flake: wrote ${path.relative(ROOT, writeFlakeFigures())}\n`);
    return EXIT.ok;
  }
  const runs = Number(process.argv[2] ?? 10);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    process.stderr.write(`bench:flake: invalid run count '${process.argv[2]}': give a whole number from 1 to 100, e.g. npm run bench:flake -- 10\n`);
    return 3;
  }
  const extra = process.argv.slice(3);
  const summaries: RunSummary[] = [];
  let postgres: string | undefined;
  for (let i = 1; i <= runs; i++) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'execbench-flake-'));
    try {
      const t0 = Date.now();
      const { code: exitCode, lastLine } = await runExecbench(['run', '--out', out, ...extra], { quiet: true });
      const seconds = (Date.now() - t0) / 1000;
      // Bad input (a run flag passed through) is not flakiness: stop at once and say what execbench said.
      if (exitCode === EXIT.usage) {
        process.stderr.write(`bench:flake: run ${i} refused its arguments (exit 3): ${lastLine}\n`);
        return EXIT.usage;
      }
      const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8').catch(() => 'null')) as RunResults | null;
      postgres ??= results?.environment.postgres.version;
      const summary = summarize(i, exitCode, seconds, results);
      summaries.push(summary);
      process.stderr.write(`bench:flake: run ${i}/${runs}: exit ${exitCode} in ${seconds.toFixed(0)} s; ${summary.failedGated.length} gated failures, ${summary.inconclusive.length} inconclusive\n`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  const result: FlakeResult = { runs, flags: extra, summaries };
  const { table, sentence } = renderFlakeSummary(result);
  process.stdout.write(`\n${table}\n\n${sentence}\n`);
  saveFigure('flake', result, postgres, FLAKE_FIGURES_INPUTS);
  process.stderr.write(`bench:flake: wrote ${path.relative(ROOT, writeFlakeFigures())} (its input: docs/data/flake-measured/flake.json)\n`);
  const { failedRuns, inEveryRun, overBudget, widest, inconclusive } = flakeFacts(summaries);
  process.stdout.write(JSON.stringify({
    runs, failedRuns: failedRuns.length, target: 0,
    inconclusive,
    beyondCap: summaries.reduce((n, s) => n + s.beyondCap.length, 0),
    warningsInEveryRun: inEveryRun,
    withinBudget: runs - overBudget.length,
    runSeconds: summaries.map((s) => Math.round(s.runSeconds)),
    widestInterval: widest ?? null,
    medianRunSeconds: [...summaries.map((s) => s.seconds)].sort((a, b) => a - b)[Math.floor(summaries.length / 2)],
    failures: failedRuns.map((s) => ({ run: s.run, exitCode: s.exitCode, forms: s.failedGated })),
  }) + '\n');
  return failedRuns.length > 0 ? 1 : 0;
});
