// docs/clock-measured.md: what `npm run bench:clock -- figures` writes from the results each `npm run bench:clock`
// saved (reports/bench-clock/clock-<placement>.json, committed in docs/data/clock-measured/): per placement, every
// query's p50 under execbench and pgbench on both protocols, the paired ratio with its interval and whether it is
// within x0.85-x1.15, Node's bare socket beside them, node-pg's default path and pg_stat_statements' own cost.
// One current figure per placement: a run replaces its placement's document. Pure apart from writeClockFigures.
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import type { ClientProtocol } from '../results.ts';
import { type Agreement, type AgreementStatus, describeMisses, formatAgreement } from './agreement.ts';
import { figuresInputsDir, loadFigure, stampLine, type SavedFigure, writeFiguresPage } from './load-figures.ts';
import { PLACEMENTS, type Placement } from './placement.ts';

export const CLOCK_FIGURES_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-clock');
export const CLOCK_FIGURES_INPUTS = figuresInputsDir('clock-measured');
export const CLOCK_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'clock-measured.md');

/** One query at one scale: the medians (ms) and paired ratios bench:clock measured. */
export interface ClockRow {
  scale: string; query: string; rows: number; rounds: number; perRound: number;
  execbench: Record<ClientProtocol, number>; pgbench: Record<'extended' | 'prepared', number>; nodePgDefault: number;
  /** Node's floor: the same bytes on a bare socket (bareSocket); execbench over it, and it over pgbench (paired ratios). */
  bareSocket: Record<ClientProtocol, number>; overFloor: Record<ClientProtocol, number>; floorVsPgbench: Record<ClientProtocol, number>;
  /** Whether execbench's timed executions followed a spacer, as in a run (runner/form-sampler.ts). */
  spacers: boolean;
  /** The median paired ratio with its interval (per-look confidence) and status, per protocol. */
  agreement: Record<ClientProtocol, Agreement>;
  /** The default protocol against its pgbench twin (unnamed vs -M extended), and prepared vs -M prepared. */
  target: AgreementStatus | 'n/a'; targetPrepared: AgreementStatus | 'n/a';
  /** How much slower the round trip is with pg_stat_statements tracking than without (its own overhead), %. */
  statementsOverheadPct?: number;
}

export interface AgreementCount { small: number; within: number; outside: number; undecided: number }

/** What one bench:clock run saves. */
export interface ClockResult {
  pgbench: string; placement: Placement; tolerance: number; smallRows: number;
  rule: { confidence: number; looks: readonly number[]; perLook: number };
  scales: string[]; queries: string[]; totalMs: number;
  unnamed: AgreementCount; prepared: AgreementCount; targetMet: boolean;
  rows: ClockRow[];
}

/** Counts the small queries' statuses on one protocol. Pure. */
export function countAgreement(rows: readonly ClockRow[], key: 'target' | 'targetPrepared'): AgreementCount {
  const judged = rows.filter((r) => r[key] !== 'n/a');
  const of = (status: AgreementStatus) => judged.filter((r) => r[key] === status).length;
  return { small: judged.length, within: of('within'), outside: of('outside'), undecided: of('undecided') };
}

/** The lines naming every small query not shown within, on either protocol, with the gap in microseconds. Pure. */
export function clockMisses(rows: readonly ClockRow[]): string[] {
  const small = rows.filter((r) => r.target !== 'n/a');
  return describeMisses([
    ...small.map((r) => ({ label: `${r.scale} ${r.query} unnamed`, agreement: r.agreement.unnamed, execbenchMs: r.execbench.unnamed, pgbenchMs: r.pgbench.extended })),
    ...small.map((r) => ({ label: `${r.scale} ${r.query} prepared`, agreement: r.agreement.prepared, execbenchMs: r.execbench.prepared, pgbenchMs: r.pgbench.prepared })),
  ]);
}

const fmt = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const x = (r: number) => `x${r.toFixed(2)}`;
const countLine = (c: AgreementCount) => `${c.within} of ${c.small} within, ${c.outside} outside, ${c.undecided} undecided`;

const PLACEMENT_TEXT: Record<Placement, string> = {
  free: 'placement left to the scheduler (`free`, the default)',
  same: 'execbench, its pgbench and the embedded server pinned to one CPU (`same`)',
  split: 'the clients pinned to one CPU and the embedded server to the other (`split`)',
};

/** One placement's section. Pure. */
export function renderClockSection(saved: SavedFigure<ClockResult>): string[] {
  const r = saved.result;
  const pct = `${(r.rule.perLook * 100).toFixed(2)}%`;
  const cell = (p50: number, ref: number, a: Agreement, status: AgreementStatus | 'n/a', bare: number) =>
    `${fmt(p50)} / ${fmt(ref)} ${formatAgreement(a)}${status === 'n/a' ? '' : ` ${status}`} (${fmt(bare)})`;
  const lines = [
    `## ${r.placement === 'free' ? 'Free placement' : r.placement === 'same' ? 'One CPU for both' : 'Client and server on two CPUs'} (\`npm run bench:clock -- ${r.scales.join(',')} ${r.queries.join(',')} ${r.placement}\`)`, '',
    stampLine(saved.stamp), '',
    `${PLACEMENT_TEXT[r.placement]}; ${r.pgbench}; ${(r.totalMs / 60_000).toFixed(0)} minutes. p50 in ms, execbench / pgbench, then the ratio with its ${pct} interval and its status; in brackets Node's bare socket.`, '',
    '| scale | query (rows) | rounds | unnamed vs -M extended | prepared vs -M prepared | execbench over the bare socket | bare socket vs pgbench | node-pg default | pg_stat_statements cost |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map((row) => `| ${row.scale} | ${row.query} (${row.rows.toLocaleString('en-US')}) | ${row.rounds} | ${cell(row.execbench.unnamed, row.pgbench.extended, row.agreement.unnamed, row.target, row.bareSocket.unnamed)} | ` +
      `${cell(row.execbench.prepared, row.pgbench.prepared, row.agreement.prepared, row.targetPrepared, row.bareSocket.prepared)} | ${x(row.overFloor.unnamed)} / ${x(row.overFloor.prepared)} | ` +
      `${x(row.floorVsPgbench.unnamed)} / ${x(row.floorVsPgbench.prepared)} | ${fmt(row.nodePgDefault)} | ${row.statementsOverheadPct === undefined ? '—' : `${row.statementsOverheadPct >= 0 ? '+' : ''}${row.statementsOverheadPct.toFixed(1)}%`} |`),
    '',
    `Queries of at most ${r.smallRows} rows within x${(1 - r.tolerance).toFixed(2)}-x${(1 + r.tolerance).toFixed(2)} of pgbench (whole interval): on execbench's default protocol (unnamed vs -M extended) ${countLine(r.unnamed)}; on prepared statements ${countLine(r.prepared)}. Target (every small query within on the default protocol): **${r.targetMet ? 'met' : 'not met'}**.`,
  ];
  const misses = clockMisses(r.rows);
  if (misses.length > 0) {
    // Whose gap it is: execbench's sampling (execbench well over the bare socket) or Node's own round trip (the bare socket itself over pgbench).
    const notWithin = r.rows.flatMap((row) => (['unnamed', 'prepared'] as const)
      .filter((p) => (p === 'unnamed' ? row.target : row.targetPrepared) !== 'n/a' && row.agreement[p].status !== 'within')
      .map((p) => `${row.scale} ${row.query} ${p}: execbench over the bare socket ${x(row.overFloor[p])}, the bare socket over pgbench ${x(row.floorVsPgbench[p])}`));
    lines.push('', 'Not shown within:', '', ...misses.map((m) => `- ${m}`), '',
      `Whose gap it is (execbench's own cost is its ratio over Node's bare socket; Node's is the bare socket's over pgbench): ${notWithin.join('; ')}.`);
  }
  return [...lines, ''];
}

/** The page from whatever placements are saved (pure but for `read`); a placement never run is not mentioned, none at all says how. */
export function renderClockFigures(read: (mode: string) => SavedFigure<ClockResult> | undefined = (mode) => loadFigure<ClockResult>(mode, CLOCK_FIGURES_INPUTS)): string {
  const head = [
    '# execbench\'s clock against pgbench (`npm run bench:clock`)', '',
    'Does execbench\'s client clock read what the reference client reads? Written by `npm run bench:clock -- figures` from the results each',
    '`npm run bench:clock` saved under reports/bench-clock/ (kept in docs/data/clock-measured/), one per placement; re-run those, never edit by hand.',
    'How the rounds, the ratios and the rule work: [benchmarks.md](benchmarks.md#how-benchclock-checks-the-clock); why a 0.1 ms round trip needs this care: [latency.md](latency.md).', '',
  ];
  const sections = PLACEMENTS.map((p) => read(`clock-${p}`)).filter((s): s is SavedFigure<ClockResult> => s !== undefined);
  if (sections.length === 0) return `${[...head, 'Not measured yet: `npm run bench:clock`.'].join('\n')}\n`;
  return `${[...head, ...sections.flatMap(renderClockSection)].join('\n')}`;
}

/** Commits what bench:clock saved, then writes the page from the committed inputs; returns its path. */
export function writeClockFigures(): string {
  return writeFiguresPage(CLOCK_FIGURES_DIR, CLOCK_FIGURES_INPUTS, CLOCK_FIGURES_PAGE, () => renderClockFigures());
}
