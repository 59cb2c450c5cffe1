// `npm run bench:whatif [-- whatif flags]`: `execbench whatif` as a user runs it (default --scale 100k,1m: the spec
// and the recommended index sets), its what-if report saved, stamped, to reports/bench-whatif/whatif.json and
// docs/whatif-measured.md written from it (whatif-figures.ts). `-- figures [results.json]`: only re-render the page,
// from the committed input or from the results.json of a whatif run made by hand.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXIT, UsageError } from '../errors.ts';
import type { RunResults } from '../results.ts';
import { exitOnHelp, runExecbench, runScript } from './common.ts';
import { saveFigure } from './load-figures.ts';
import { WHATIF_FIGURES_DIR, whatifFigureFrom, writeWhatifFigures } from './whatif-figures.ts';

exitOnHelp(`
npm run bench:whatif [-- whatif flags...]
npm run bench:whatif -- figures [results.json]

Runs \`execbench whatif\` (default: --scale 100k,1m, the spec's and the recommended index sets), saves its what-if
report to reports/bench-whatif/whatif.json and writes docs/whatif-measured.md from it. Takes several minutes (the page
says how long it took here). \`figures\` only re-renders the page (from the given whatif results.json, if any).

Example: npm run bench:whatif -- --scale 100k --variant spec,recommended
`);

await runScript(async () => {
  const argv = process.argv.slice(2);
  if (argv[0] === 'figures') {
    if (argv[1]) {
      const text = await readFile(argv[1], 'utf8').catch((error: Error) => {
        throw new UsageError(`cannot read '${argv[1]}' (${error.message.split(':')[0]}): give the results.json of an execbench whatif run, e.g. reports/<run-id>/results.json`);
      });
      const results = JSON.parse(text) as RunResults;
      saveFigure('whatif', whatifFigureFrom(results, ['(run by hand)'], 0), results.environment.postgres.version, WHATIF_FIGURES_DIR);
    }
    process.stdout.write(`Wrote ${writeWhatifFigures()}\n`);
    return EXIT.ok;
  }
  const args = argv.length > 0 ? argv : ['--scale', '100k,1m'];
  const out = await mkdtemp(path.join(os.tmpdir(), 'execbench-whatif-'));
  try {
    const { code, lastLine } = await runExecbench(['whatif', ...args, '--out', out]);
    if (code === EXIT.usage || code === EXIT.harness) {
      process.stderr.write(`bench:whatif: execbench whatif exited ${code}: ${lastLine}\n`);
      return code;
    }
    const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as RunResults;
    const file = saveFigure('whatif', whatifFigureFrom(results, args, code), results.environment.postgres.version, WHATIF_FIGURES_DIR);
    process.stdout.write(`Saved ${file}\nWrote ${writeWhatifFigures()}\n`);
    return code;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
