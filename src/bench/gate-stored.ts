// The stored-baseline proof's result (`npm run bench:gate [scale [budget]]`, gate-proof.ts) and its section of
// docs/gate-measured.md: false alarms between two runs on unchanged code and data, then each documented index dropped
// in a rolled-back transaction and whether the comparison with the first run caught it. Pure.
import { stampLine, type SavedFigure } from './load-figures.ts';

export interface StoredDrop {
  index: string;
  /** Scenarios that use or expect the index (re-run without it). */
  scenarios: number;
  /** Gated forms the comparison with the baseline flagged, and those whose plan contract failed. */
  caughtByBaseline: string[];
  caughtByContract: string[];
  /** 'caught', 'not caught: its identical twin ...' (rightly), 'no scenario uses or expects it' or 'NOT CAUGHT'. */
  note: string;
}

export interface StoredGateResult {
  scale: string; budgetMs: number; totalMs: number;
  /** Gated comparisons between the two unchanged runs, and those flagged (with the reason and both server medians). */
  unchangedComparisons: number; falseAlarms: string[];
  drops: StoredDrop[]; caught: number; rightlyMissed: string[]; missed: string[];
}

/** The section, or a line saying how to measure it. */
export function renderStoredGateSection(saved: SavedFigure<StoredGateResult> | undefined): string[] {
  const out = ['## The stored-baseline comparison (`npm run bench:gate`)', ''];
  if (!saved) return [...out, 'Not measured yet.', ''];
  const r = saved.result;
  out.push(stampLine(saved.stamp), '',
    `Two runs of every scenario at ${r.scale} on unchanged code and data (budget ${r.budgetMs} ms per form), compared as \`--baseline\` compares: **${r.falseAlarms.length} false alarm${r.falseAlarms.length === 1 ? '' : 's'} in ${r.unchangedComparisons} gated comparisons** (target 0)` +
      `${r.falseAlarms.length > 0 ? `: ${r.falseAlarms.map((f) => f.trim()).join('; ')}` : ''}. Then each index dropped inside a rolled-back transaction, the scenarios that use or expect it re-run and compared with the first run: ` +
      `**${r.caught} of ${r.drops.length} caught**, ${r.rightlyMissed.length} rightly not (${r.rightlyMissed.join(', ') || 'none'}), ${r.missed.length} missed${r.missed.length > 0 ? ` (${r.missed.join(', ')})` : ''}; ${(r.totalMs / 1000).toFixed(0)} s.`, '',
    '| dropped index | scenarios re-run | regressions vs the baseline (gated forms) | plan contracts failed | verdict |', '|---|---|---|---|---|',
    ...r.drops.map((d) => `| ${d.index} | ${d.scenarios} | ${d.caughtByBaseline.join(', ') || '—'} | ${d.caughtByContract.length || '—'} | ${d.note} |`), '');
  return out;
}
