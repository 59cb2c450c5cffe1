// `npm run bench:figures -- <results.json> [<results.json> ...]`: docs/run-measured.md from the results documents of
// `npm run bench` runs (each report folder's results.json), so the figures the docs quote for the default run are the
// report's own, never retyped: per run its stamp, time and gate, then its Markdown summary (the verdict table).
// The documents are copied (trimmed) to docs/data/run-measured/ and the page is rendered from those copies.
import { EXIT } from '../errors.ts';
import { exitOnHelp, runScript } from './common.ts';
import { writeRunFigures } from './run-figures-page.ts';

exitOnHelp(`
npm run bench:figures -- <results.json> [<results.json> ...]

Writes docs/run-measured.md from the results documents of \`npm run bench\` runs (reports/<run-id>/results.json):
each run's date, machine, commit, run time and gate, then its verdict table as the run's summary.md shows it.
The documents are kept, trimmed, in docs/data/run-measured/ (committed with the page; a test re-renders it).

Example: npm run bench -- --out reports/bench-a && npm run bench:figures -- reports/bench-a/results.json
`);

await runScript(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('bench:figures: give the results.json of one or more `npm run bench` runs, e.g. npm run bench:figures -- reports/bench-a/results.json\n');
    return EXIT.usage;
  }
  process.stdout.write(`Wrote ${writeRunFigures(files)} (its inputs: docs/data/run-measured/)\n`);
  return EXIT.ok;
});
