// docs/clickhouse-measured.md: rendered by `npm run bench:analytics` (or its `figures` mode) from the results document
// it keeps, stamped, in docs/data/clickhouse-measured/option3.json, so the page and its input are committed together
// and test/unit/figures-pages.test.ts can re-render it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import type { Option3Results } from '../clickhouse/results.ts';
import { renderOption3Markdown } from '../report/option3-markdown.ts';
import { figuresInputsDir, loadFigure, stampLine, type SavedFigure } from './load-figures.ts';

export const CLICKHOUSE_FIGURES_INPUTS = figuresInputsDir('clickhouse-measured');
export const CLICKHOUSE_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'clickhouse-measured.md');

/** The page from a saved run (pure), or a line saying how to measure it. */
export function renderClickHouseFigures(saved: SavedFigure<Option3Results> | undefined = loadFigure('option3', CLICKHOUSE_FIGURES_INPUTS)): string {
  const head = '<!-- written by npm run bench:analytics from docs/data/clickhouse-measured/option3.json; do not edit by hand -->';
  if (!saved) return `${head}\n# Option 3 measured: the analytics on ClickHouse beside PostgreSQL\n\nNot measured yet: \`npm run bench:analytics\`.\n`;
  return `${head}\n${stampLine(saved.stamp)}\n\n${renderOption3Markdown(saved.result).replace(/^# .*\n/, '# Option 3 measured: the analytics on ClickHouse beside PostgreSQL\n')}`;
}

/** Writes the page from the committed input; returns its path. */
export function writeClickHouseFigures(): string {
  writeFileSync(CLICKHOUSE_FIGURES_PAGE, renderClickHouseFigures());
  return CLICKHOUSE_FIGURES_PAGE;
}
