// The README's "What a run prints" excerpt, rendered from the first committed run of docs/run-measured.md
// (docs/data/run-measured/run-1.json) by the console's own renderers: a few rows of the verdict table, the document's
// verdict and the gate line. `npm run bench:figures` writes it between the README's markers; a unit test re-renders it,
// so the README never quotes a figure the run did not print.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gateLine, PROJECT_ROOT } from '../commands/run.ts';
import { decideExit, DEFAULT_FAIL_ON } from '../gate/verdict.ts';
import { renderDocumentVerdict, renderResultsTable } from '../report/console.ts';
import type { RunResults } from '../results.ts';

export const README = path.join(PROJECT_ROOT, 'README.md');
export const EXCERPT_START = '<!-- run-excerpt: written by `npm run bench:figures` from docs/data/run-measured/run-1.json; never edit by hand -->';
export const EXCERPT_END = '<!-- /run-excerpt -->';

/** The table rows the excerpt keeps (scenario, scale, form): a slow aggregate, the view, a Seq Scan and its fix, an error and its fix. */
const ROWS: readonly (readonly [string, string, string])[] = [
  ['daily-stats-live-aggregate', '1m', 'documented'],
  ['daily-stats-view', '1m', 'documented'],
  ['paginated-listing', '1m', 'documented'],
  ['paginated-listing', '1m', 'corrected'],
  ['upsert-insert', '1m', 'documented'],
  ['upsert-insert', '1m', 'corrected'],
];

/** The excerpt (the fenced block only) for one run's results. Pure. */
export function renderReadmeExcerpt(results: RunResults): string {
  const table = renderResultsTable(results).split('\n');
  const end = table.indexOf('', 2);
  const rows = table.slice(2, end === -1 ? undefined : end).filter((line) => {
    const [id, scale, form] = line.split(/\s+/);
    return ROWS.some(([i, s, f]) => i === id && s === scale && form?.startsWith(f));
  });
  const decision = decideExit(results, undefined, DEFAULT_FAIL_ON);
  return ['```text', table[0]!, table[1]!, ...rows, '...', renderDocumentVerdict(results), '...', gateLine(results, decision), '```'].join('\n');
}

/** The README with its excerpt replaced by `excerpt`; throws when the markers are missing. Pure. */
export function withExcerpt(readme: string, excerpt: string): string {
  const start = readme.indexOf(EXCERPT_START);
  const stop = readme.indexOf(EXCERPT_END);
  if (start === -1 || stop < start) throw new Error(`README.md has lost its run-excerpt markers (${EXCERPT_START} ... ${EXCERPT_END}): put them back around the excerpt`);
  return `${readme.slice(0, start + EXCERPT_START.length)}\n${excerpt}\n${readme.slice(stop)}`;
}

/** Rewrites the README's excerpt from this run; returns the README's path. */
export function writeReadmeExcerpt(results: RunResults): string {
  writeFileSync(README, withExcerpt(readFileSync(README, 'utf8'), renderReadmeExcerpt(results)));
  return README;
}
