// Every docs page a bench script writes is re-rendered here from the inputs committed beside it (docs/data/<page>/)
// and compared with the committed page: a renderer changed without re-running its figures mode, a page edited by
// hand, or an input replaced without re-rendering, fails here. The fix is to run the page's figures command.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GATE_FIGURES_INPUTS, renderGateFigures } from '../../src/bench/gate-ab.ts';
import { FIGURES_INPUTS as LOAD_FIGURES_INPUTS, loadFigure, renderLoadFigures } from '../../src/bench/load-figures.ts';
import { readRunInputs, renderRunFigures, RUN_FIGURES_INPUTS } from '../../src/bench/run-figures-page.ts';
import { README, renderReadmeExcerpt, withExcerpt } from '../../src/bench/readme-excerpt.ts';
import { renderSeedFigures, SEED_FIGURES_INPUTS } from '../../src/bench/seed-figures.ts';
import { renderCachePage } from '../../src/bench/scale-cache.ts';
import { readScaleInput, renderScalePage, SCALE_FIGURES_INPUTS } from '../../src/bench/scale-figures.ts';
import { PROJECT_ROOT } from '../../src/commands/run.ts';
import { CLICKHOUSE_FIGURES_INPUTS, renderClickHouseFigures } from '../../src/bench/analytics-figures.ts';
import { FLAKE_FIGURES_INPUTS, renderFlakeFigures } from '../../src/bench/flake-figures.ts';
import { CLOCK_FIGURES_INPUTS, renderClockFigures } from '../../src/bench/clock-figures.ts';
import { renderSensitivityFigures, SENSITIVITY_FIGURES_INPUTS } from '../../src/bench/sensitivity-figures.ts';
import { renderWhatifFigures, WHATIF_FIGURES_INPUTS } from '../../src/bench/whatif-figures.ts';
import { PROVIDERS_FIGURES_INPUTS, renderProvidersFigures } from '../../src/bench/providers-figures.ts';

const committedPage = (name: string) => readFileSync(path.join(PROJECT_ROOT, 'docs', name), 'utf8');
const inputs = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []);

/** The pages rendered from one folder of saved results each: page, its inputs, its renderer, and the command that writes it. */
const PAGES: { page: string; inputs: string; render: () => string; command: string }[] = [
  { page: 'gate-measured.md', inputs: GATE_FIGURES_INPUTS, render: () => renderGateFigures((mode) => loadFigure(mode, GATE_FIGURES_INPUTS)), command: 'npm run bench:gate -- figures' },
  { page: 'load-measured.md', inputs: LOAD_FIGURES_INPUTS, render: () => renderLoadFigures((mode) => loadFigure(mode, LOAD_FIGURES_INPUTS)), command: 'npm run bench:load -- figures' },
  { page: 'seed-measured.md', inputs: SEED_FIGURES_INPUTS, render: () => renderSeedFigures(SEED_FIGURES_INPUTS), command: 'npm run bench:seed -- figures' },
  { page: 'clickhouse-measured.md', inputs: CLICKHOUSE_FIGURES_INPUTS, render: () => renderClickHouseFigures(), command: 'npm run bench:analytics -- figures' },
  { page: 'flake-measured.md', inputs: FLAKE_FIGURES_INPUTS, render: () => renderFlakeFigures(), command: 'npm run bench:flake -- figures' },
  { page: 'clock-measured.md', inputs: CLOCK_FIGURES_INPUTS, render: () => renderClockFigures(), command: 'npm run bench:clock -- figures' },
  { page: 'sensitivity-measured.md', inputs: SENSITIVITY_FIGURES_INPUTS, render: () => renderSensitivityFigures(), command: 'npm run bench:sensitivity -- figures' },
  { page: 'whatif-measured.md', inputs: WHATIF_FIGURES_INPUTS, render: () => renderWhatifFigures(), command: 'npm run bench:whatif -- figures' },
  { page: 'providers-measured.md', inputs: PROVIDERS_FIGURES_INPUTS, render: () => renderProvidersFigures(), command: 'npm run bench:providers -- figures' },
];

/** The first differing line, so a failure says where, not only that, the page and its inputs part. */
function assertSamePage(rendered: string, committed: string, command: string): void {
  if (rendered === committed) return;
  const a = rendered.split('\n');
  const b = committed.split('\n');
  const at = a.findIndex((line, i) => line !== b[i]);
  assert.fail(`the committed page differs from what its inputs render, first at line ${at + 1}:\n  committed: ${b[at]?.slice(0, 200)}\n  rendered:  ${a[at]?.slice(0, 200)}\nRun \`${command}\` and commit the page with its inputs.`);
}

describe('figures pages re-rendered from their committed inputs', () => {
  it('docs/run-measured.md is what bench:figures renders from docs/data/run-measured/', () => {
    const runs = readRunInputs();
    assert.ok(runs.length > 0, `no run-<n>.json in ${RUN_FIGURES_INPUTS}`);
    assertSamePage(renderRunFigures(runs), committedPage('run-measured.md'),
      'npm run bench:figures -- docs/data/run-measured/run-1.json ... (or the reports/<run>/results.json of new runs)');
  });

  it('the README\'s console excerpt is what bench:figures renders from docs/data/run-measured/run-1.json', () => {
    const readme = readFileSync(README, 'utf8');
    const runs = readRunInputs();
    assertSamePage(withExcerpt(readme, renderReadmeExcerpt(runs[0]!.results)), readme, 'npm run bench:figures -- <the results.json of the runs behind docs/run-measured.md>');
    const changed = structuredClone(runs[0]!.results);
    changed.scenarios.find((r) => r.scenarioId === 'paginated-listing' && r.scale === '1m' && r.form === 'corrected')!.latencyVerdict!.estimateMs += 1;
    assert.notEqual(renderReadmeExcerpt(changed), renderReadmeExcerpt(runs[0]!.results), 'a changed figure changes the excerpt');
  });

  it('a figure changed in a committed input changes the rendered page (the comparison can fail)', () => {
    const runs = readRunInputs();
    const changed = structuredClone(runs);
    changed[0]!.results.finishedAt = new Date(Date.parse(changed[0]!.results.finishedAt) + 60_000).toISOString();
    assert.notEqual(renderRunFigures(changed), renderRunFigures(runs));
    const seed = renderSeedFigures(SEED_FIGURES_INPUTS);
    assert.notEqual(seed, renderSeedFigures(path.join(SEED_FIGURES_INPUTS, 'no-such-folder')));
  });

  it('docs/scale-measured.md and docs/cache-measured.md are what bench:scale figures renders from docs/data/scale-measured/', () => {
    assert.ok(inputs(SCALE_FIGURES_INPUTS).length > 0, `no saved result in ${SCALE_FIGURES_INPUTS}`);
    const chart = readScaleInput('growth') ? 'scale-growth.svg' : undefined;
    assertSamePage(renderScalePage(readScaleInput, chart), committedPage('scale-measured.md'), 'npm run bench:scale -- figures');
    assertSamePage(renderCachePage(readScaleInput), committedPage('cache-measured.md'), 'npm run bench:scale -- figures');
  });

  for (const { page, inputs: dir, render, command } of PAGES) {
    it(`docs/${page} is what \`${command}\` renders from docs/data/${path.basename(dir)}/`, () => {
      assert.ok(inputs(dir).length > 0, `no saved result in ${dir}: run the bench that writes it, then \`${command}\``);
      assertSamePage(render(), committedPage(page), command);
    });
  }
});
