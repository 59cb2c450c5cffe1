// docs/scale-measured.md: the refresh, retention, cache and growth sections, rendered from the saved results kept in
// docs/data/scale-measured/ (bench:scale figures copies them there from reports/bench-scale/ first), so the page and
// its inputs are committed together and test/unit/figures-pages.test.ts can re-render it.
import type { RetentionFacts } from '../runner/retention-compare.ts';
import type { ViewRefreshFacts } from '../runner/view-refresh.ts';
import { figuresInputsDir, loadFigure, stampLine, type SavedFigure } from './load-figures.ts';
import { renderCacheFigures } from './scale-cache.ts';
import { renderGrowthFigures, type GrowthFigure } from './scale-growth.ts';

export const SCALE_FIGURES_INPUTS = figuresInputsDir('scale-measured');

export interface RefreshResult { scales: { scale: string; facts: ViewRefreshFacts; words: string[] }[] }
export interface RetentionResult { scales: { scale: string; facts: RetentionFacts; words: string[] }[] }

type Read = <T>(mode: string) => SavedFigure<T> | undefined;

/** A saved result as committed beside the page. */
export const readScaleInput: Read = (mode) => loadFigure(mode, SCALE_FIGURES_INPUTS);

/** The whole page: refresh and retention, the cache, growth (with the chart's file name when it was written). */
export function renderScalePage(read: Read = readScaleInput, chart?: string): string {
  return `${renderScaleFigures(read)}\n${renderCacheFigures(read)}\n${renderGrowthFigures(read<GrowthFigure>('growth'), chart)}`;
}

/** docs/scale-measured.md from what is saved. */
export function renderScaleFigures(read: Read = readScaleInput): string {
  const lines = ['# Beyond 1M, measured (`npm run bench:scale`)', '', 'Written by `npm run bench:scale -- figures` from the results saved under reports/bench-scale/ (kept in docs/data/scale-measured/); re-run the modes and this command, never edit by hand.', '', '## The daily-stats view\'s refresh (`refresh`)', ''];
  const saved = read<RefreshResult>('refresh');
  if (!saved) return `${[...lines, 'Not measured yet.'].join('\n')}\n`;
  lines.push(stampLine(saved.stamp), '');
  const ms = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));
  lines.push('| scale | view rows | REFRESH ms (lock) | read meanwhile / alone ms | CONCURRENTLY, document\'s index | CONCURRENTLY with a unique key, ms (lock) | read meanwhile / alone ms |', '|---|---|---|---|---|---|---|');
  for (const { scale, facts: f } of saved.result.scales) {
    const fix = 'run' in f.concurrentWithFix ? f.concurrentWithFix.run : undefined;
    lines.push(`| ${scale} | ${f.rows.toLocaleString('en-US')} | ${ms(f.plain.refreshMs)} (${f.plain.lockMode ?? '—'}) | ${ms(f.plain.readDuringMs)} / ${ms(f.plain.readAloneMs)} | ${'error' in f.concurrentWithSpecIndex ? 'fails: needs a unique index' : 'runs'} | ${fix ? `${ms(fix.refreshMs)} (${fix.lockMode ?? '—'})` : `fails: ${'error' in f.concurrentWithFix ? f.concurrentWithFix.error : ''}`} | ${fix ? `${ms(fix.readDuringMs)} / ${ms(fix.readAloneMs)}` : '—'} |`);
  }
  lines.push('', ...saved.result.scales.flatMap((x) => [`${x.scale}:`, ...x.words.map((w) => `- ${w}`)]));
  lines.push('', ...renderRetentionFigures(read));
  return `${lines.join('\n')}\n`;
}

/** The retention section: one month removed each way, per scale. */
function renderRetentionFigures(read: Read): string[] {
  const lines = ['## Retention: batched DELETE against dropping a partition (`retention`)', ''];
  const saved = read<RetentionResult>('retention');
  if (!saved) return [...lines, 'Not measured yet: `npm run bench:scale -- retention 1m`.'];
  lines.push(stampLine(saved.stamp), '');
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  const t = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
  lines.push('| scale | method | month | rows | time | WAL MB | lock on executions (held) | dead tuples left | heap MB before → after | INSERT p50 / max ms meanwhile (alone) |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const { scale, facts } of saved.result.scales) {
    for (const r of facts.runs) {
      lines.push(`| ${scale} | ${r.method} | ${r.month} | ${r.rowsRemoved.toLocaleString('en-US')} | ${t(r.ms)} | ${mb(r.walBytes)} | ${r.strongestLock ?? '—'} (${t(r.lockHeldMs)}) | ${r.deadTuplesAfter.toLocaleString('en-US')} | ${mb(r.heapBytesBefore)} → ${mb(r.heapBytesAfter)} | ${r.ingest ? `${r.ingest.p50Ms.toFixed(2)} / ${r.ingest.maxMs.toFixed(1)} (${r.ingest.aloneP50Ms.toFixed(2)} / ${r.ingest.aloneMaxMs.toFixed(1)})` : '—'} |`);
    }
  }
  lines.push('', ...saved.result.scales.flatMap((x) => [`${x.scale}:`, ...x.words.map((w) => `- ${w}`)]));
  return lines;
}

