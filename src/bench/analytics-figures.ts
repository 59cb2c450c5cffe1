// docs/clickhouse-measured.md: rendered by `npm run bench:analytics` (or its `figures` mode) from the results document
// it keeps, stamped, in docs/data/clickhouse-measured/option3.json, so the page and its input are committed together
// and test/unit/figures-pages.test.ts can re-render it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import type { Option3Results } from '../clickhouse/results.ts';
import { CHDB_INSTALL_DIR, type ChdbInstall } from '../clickhouse/install-chdb.ts';
import { renderOption3Markdown } from '../report/option3-markdown.ts';
import { commitFigureInputs, figuresInputsDir, loadFigure, stampLine, type SavedFigure } from './load-figures.ts';

export const CLICKHOUSE_FIGURES_INPUTS = figuresInputsDir('clickhouse-measured');
export const CLICKHOUSE_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'clickhouse-measured.md');

/** The page from a saved run (pure), or a line saying how to measure it. */
export function renderClickHouseFigures(
  saved: SavedFigure<Option3Results> | undefined = loadFigure('option3', CLICKHOUSE_FIGURES_INPUTS),
  install: SavedFigure<ChdbInstall> | undefined = loadFigure('chdb-install', CLICKHOUSE_FIGURES_INPUTS),
): string {
  const head = '<!-- written by npm run bench:analytics from docs/data/clickhouse-measured/; do not edit by hand -->';
  const body = saved
    ? `${stampLine(saved.stamp)}\n\n${renderOption3Markdown(saved.result).replace(/^# .*\n/, '# Option 3 measured: the analytics on ClickHouse beside PostgreSQL\n')}`
    : '# Option 3 measured: the analytics on ClickHouse beside PostgreSQL\n\nNot measured yet: `npm run bench:analytics`.\n';
  const i = install?.result;
  const cost = !install || !i ? 'Not measured yet: `npm run chdb:install` on a machine without chdb, then `npm run bench:analytics`.'
    : `${stampLine(install.stamp)}\n\n\`npm run chdb:install\` put chdb ${i.version} in its own folder in ${i.seconds.toFixed(0)} s: ${i.mb ?? '?'} MB, ` +
      `against ${i.nodeModulesMb ?? '?'} MB for all of execbench's own node_modules (without the cache of its embedded servers). Why it is installed on demand: [clickhouse.md](clickhouse.md).`;
  return `${head}\n${body.replace(/\n*$/, '\n')}\n## What the embedded engine costs to install\n\n${cost}\n`;
}

/** Commits the install's cost when chdb was installed here (by the bench or npm run chdb:install), then writes the page from the committed inputs; returns its path. */
export function writeClickHouseFigures(): string {
  commitFigureInputs(CHDB_INSTALL_DIR, CLICKHOUSE_FIGURES_INPUTS);
  writeFileSync(CLICKHOUSE_FIGURES_PAGE, renderClickHouseFigures());
  return CLICKHOUSE_FIGURES_PAGE;
}
