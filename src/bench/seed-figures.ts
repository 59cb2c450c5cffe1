// docs/seed-measured.md: the page `npm run bench:seed -- figures` writes from the results each
// `npm run bench:seed -- <scale>` saved, one row per scale.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { figuresInputsDir, type SavedFigure, writeFiguresPage } from './load-figures.ts';

/** Where bench:seed saves each scale's result (git-ignored). */
export const SEED_FIGURES_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-seed');
export const SEED_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'seed-measured.md');
/** The page's inputs as committed: what it is rendered from (load-figures.ts says why). */
export const SEED_FIGURES_INPUTS = figuresInputsDir('seed-measured');

/** What one `npm run bench:seed -- <scale>` saves (the fields the page reads). */
interface SeedDoc { scale: string; rows: number; ratio: number; ratioTarget: number; totalSeedMs: number; phasesMs: Record<string, number>; peakRssMb: number; rssTargetMb: number; timeTargetMs?: number; seeder: { copyMs: number }; ceiling: { copyMs: number }; passed: boolean }

/** docs/seed-measured.md from every saved scale in `dir` (default: the committed inputs), smallest first. Pure but for reading `dir`. */
export function renderSeedFigures(dir: string = SEED_FIGURES_INPUTS): string {
  const saved = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as SavedFigure<SeedDoc>)
    : [];
  saved.sort((a, b) => a.result.rows - b.result.rows);
  const lines = [
    '# Seeding, measured (`npm run bench:seed`)', '',
    'Written by `npm run bench:seed -- figures` from the results each `npm run bench:seed -- <scale>` saved under reports/bench-seed/ (kept in docs/data/seed-measured/). Targets: the seeder\'s COPY at least 0.90 of the ceiling (the same bytes replayed through the same COPY path), peak RSS at most 300 MB, and at 10m the whole seed (generate and COPY, index builds, ANALYZE) within 6 minutes.', '',
    '| scale | rows | seeder / ceiling COPY | ratio | seed total | phases | peak RSS | targets | measured |', '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { stamp: st, result: r } of saved) {
    lines.push(`| ${r.scale} | ${r.rows.toLocaleString('en-US')} | ${(r.seeder.copyMs / 1000).toFixed(1)} s / ${(r.ceiling.copyMs / 1000).toFixed(1)} s | ${r.ratio.toFixed(3)} | ${(r.totalSeedMs / 1000).toFixed(0)} s${r.timeTargetMs ? ` (target ${r.timeTargetMs / 1000} s)` : ''} | ${Object.entries(r.phasesMs).map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)} s`).join(', ')} | ${r.peakRssMb} MB | ${r.passed ? 'met' : 'not met'} | ${st.measuredAt.slice(0, 16).replace('T', ' ')} UTC, ${st.machine.cpus} × ${st.machine.model}, ${st.postgres ?? ''}, commit ${st.commit?.slice(0, 10) ?? '?'}${st.uncommitted ? '+' : ''} |`);
  }
  if (saved.length === 0) lines.push('| — | not measured yet | | | | | | | |');
  return `${lines.join('\n')}\n`;
}

/** Commits what bench:seed saved to docs/data/seed-measured/, then writes docs/seed-measured.md from there; returns its path. */
export function writeSeedFigures(): string {
  return writeFiguresPage(SEED_FIGURES_DIR, SEED_FIGURES_INPUTS, SEED_FIGURES_PAGE, () => renderSeedFigures());
}
