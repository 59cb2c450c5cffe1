// The figures `npm run bench:load` measured, kept and shown: each mode saves its result document (the one-line JSON it
// prints) to reports/bench-load/<mode>.json, stamped with the date, the machine and the commit; `npm run bench:load --
// figures` turns the saved documents into docs/load-measured.md. One current figure per claim: a mode run again
// replaces its document, and the page is written again from what is saved, never typed by hand.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitCommit, gitDirty, PROJECT_ROOT } from '../commands/run.ts';

export const FIGURES_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-load');
export const FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'load-measured.md');
/** This page's inputs as committed (reports/ is not): what the page is rendered from, and what its test re-renders. */
export const FIGURES_INPUTS = figuresInputsDir('load-measured');

/**
 * docs/data/<page>/: the saved documents a figures page (docs/<page>.md) is written from. The benches save to
 * reports/ (git-ignored); a figures mode first copies what they saved here, then renders the page from this folder
 * only, so the page and its inputs are committed together and test/unit/figures-pages.test.ts can re-render it.
 */
export function figuresInputsDir(page: string): string {
  return path.join(PROJECT_ROOT, 'docs', 'data', page);
}

/**
 * Copies every saved document (*.json) of \`from\` into \`to\`, replacing one of the same name and keeping the others:
 * a mode run again replaces its figure, a mode not run here keeps its committed one. Returns the names copied.
 */
export function commitFigureInputs(from: string, to: string): string[] {
  mkdirSync(to, { recursive: true });
  const names = existsSync(from) ? readdirSync(from).filter((f) => f.endsWith('.json')).sort() : [];
  for (const name of names) copyFileSync(path.join(from, name), path.join(to, name));
  return names;
}

/** A figures mode's whole job: commit what the bench saved (from, when it exists), then write the page rendered from the committed inputs. Returns the page. */
export function writeFiguresPage(from: string, inputs: string, page: string, render: () => string): string {
  commitFigureInputs(from, inputs);
  writeFileSync(page, render());
  return page;
}

/** Where and on what a figure was measured. */
export interface Stamp {
  measuredAt: string;
  commit: string | null;
  /** Tracked files differed from the commit. */
  uncommitted: boolean;
  machine: { cpus: number; model: string; memoryGiB: number; platform: string };
  node: string;
  postgres?: string;
}

export interface SavedFigure<T> {
  mode: string;
  stamp: Stamp;
  result: T;
}

export function stamp(postgres?: string): Stamp {
  const cpus = os.cpus();
  return {
    measuredAt: new Date().toISOString(), commit: gitCommit() ?? null, uncommitted: gitDirty() ?? false,
    machine: { cpus: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` },
    node: process.version, ...(postgres ? { postgres } : {}),
  };
}

/** Saves a mode's result (replacing the last one of that mode); returns the file. */
export function saveFigure<T>(mode: string, result: T, postgres?: string, dir: string = FIGURES_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${mode}.json`);
  writeFileSync(file, `${JSON.stringify({ mode, stamp: stamp(postgres), result } satisfies SavedFigure<T>, null, 2)}\n`);
  return file;
}

/** A mode's saved result from `dir` (default reports/bench-load/), or undefined when it was never run. */
export function loadFigure<T>(mode: string, dir: string = FIGURES_DIR): SavedFigure<T> | undefined {
  const file = path.join(dir, `${mode}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SavedFigure<T>) : undefined;
}

// What each mode saves (the fields the page reads).
interface SearchResult {
  totalMs: number; targetMet: boolean; maintenance?: string[];
  scales: { scale: string; maxTimeMs: number; ms: number; exit: number; searches: { variant: string; promise: string; maintenance: boolean; lowerBoundPerSecond: number | null; notBelowPerSecond?: number | null; ceilingPerSecond?: number | null; status: string; steps: number }[] }[];
}
interface PauseResult {
  scale: string; durationMs: number; pauseMs: number;
  pause: { scheduled: number; showInLatency: number; showInService: number };
  p99Ms: { calm: { latencyP99: number; serviceP99: number }; paused: { latencyP99: number; serviceP99: number } };
  valid: { calm: boolean; paused: boolean };
}
interface Side { achievedPerSecond: number; latencyMs: { meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number } | null; startLagMs?: { mean: number } | null; serviceMs?: { mean: number; p50: number } | null; generatorCores?: number }
interface PgbenchResult {
  class?: string; scale: string; durationMs: number; pool: number; pgbench: string;
  sameRate: { offeredPerSecond: number; pgbench: Side; execbench: Side & { valid: boolean }; ratios: { achieved: number; meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number }; targetMet: boolean; problems: string[] };
  ceiling: { pgbenchPerSecond: number; pgbenchCores?: number; steps: { factor: number; offeredPerSecond: number; achievedPerSecond: number; execbenchCores: number }[]; targetMet: boolean };
}
interface StabilityResult { scale: string; promise: string; brackets: { low: number | null; high: number | null }[]; verdict: string; totalMs: number }

const rate = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const ms = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '—');

/** '_Measured <when> UTC on <machine>, Node, PostgreSQL, commit._': the line every figures page stamps a section with. */
export function stampLine(s: Stamp): string {
  const commit = s.commit ? `commit ${s.commit.slice(0, 10)}${s.uncommitted ? ' with uncommitted changes' : ''}` : 'outside a git checkout';
  return `_Measured ${s.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${s.machine.cpus} × ${s.machine.model}, ${s.machine.memoryGiB} GiB (${s.machine.platform}), Node ${s.node}${s.postgres ? `, PostgreSQL ${s.postgres}` : ''}, ${commit}._`;
}

/** The page, from what is saved; modes never run say so. */
export function renderLoadFigures(read: <T>(mode: string) => SavedFigure<T> | undefined = (mode) => loadFigure(mode, FIGURES_INPUTS)): string {
  const out: string[] = [
    '# execbench load: measured here',
    '',
    'Written by `npm run bench:load -- figures` from the result documents the bench:load modes saved under',
    '`reports/bench-load/` (kept in `docs/data/load-measured/`); each section is stamped with when, on what and on which code it was measured. The machine',
    'runs the generator and the server on the same cores, and is shared: read ratios measured side by side, not',
    'absolute times. How the figures are obtained: [load.md](load.md).',
    '',
  ];
  const missing = (command: string) => out.push(`Not measured yet: \`${command}\`.`, '');

  out.push('## Capacity per promise (`npm run bench:load`)', '');
  const search = read<SearchResult>('search');
  if (!search) missing('npm run bench:load');
  else {
    const r = search.result;
    out.push(stampLine(search.stamp), '');
    out.push('| scale | variant | promise | maintenance | probe (pool busy) | capacity (95% lower bound) | lowest rate not passed | status | steps |', '|---|---|---|---|---|---|---|---|---|');
    for (const sc of r.scales) {
      for (const x of sc.searches) {
        out.push(`| ${sc.scale} | ${x.variant} | ${x.promise} | ${x.maintenance ? 'with' : 'without'} | ${x.ceilingPerSecond ? `${rate(x.ceilingPerSecond)}/s` : '—'} | ${x.lowerBoundPerSecond === null ? 'none' : `≥ ${rate(x.lowerBoundPerSecond)}/s`} | ${x.notBelowPerSecond ? `${rate(x.notBelowPerSecond)}/s` : '—'} | ${x.status} | ${x.steps} |`);
      }
    }
    out.push('', `Time: ${r.scales.map((s) => `${s.scale} ${(s.ms / 1000).toFixed(0)} s (--max-time ${(s.maxTimeMs / 60_000).toFixed(1)} min)`).join(', ')}; total ${(r.totalMs / 1000).toFixed(0)} s. Target (both scales, both variants, a bound for every search, within 15 minutes): **${r.targetMet ? 'met' : 'not met'}**.`, '');
  }

  out.push('## Coordinated omission, shown (`npm run bench:load -- pause`)', '');
  const pause = read<PauseResult>('pause');
  if (!pause) missing('npm run bench:load -- pause');
  else {
    const r = pause.result;
    out.push(stampLine(pause.stamp), '');
    out.push(`The server (postmaster and every backend) stopped with SIGSTOP for ${r.pauseMs} ms in the middle of a ${r.durationMs / 1000} s fixed-rate run at ${r.scale}: ${r.pause.scheduled} requests were scheduled in the pause; **${r.pause.showInLatency} of ${r.pause.scheduled}** show it in their latency from intended start (all must), ${r.pause.showInService} in their service time (what a tool timing from the send reports).`, '');
    out.push('| run | p99 from intended start (ms) | p99 service time (ms) | valid |', '|---|---|---|---|');
    out.push(`| undisturbed | ${ms(r.p99Ms.calm.latencyP99)} | ${ms(r.p99Ms.calm.serviceP99)} | ${r.valid.calm ? 'yes' : 'no'} |`);
    out.push(`| server stopped ${r.pauseMs} ms | ${ms(r.p99Ms.paused.latencyP99)} | ${ms(r.p99Ms.paused.serviceP99)} | ${r.valid.paused ? 'yes' : 'no'} |`, '');
  }

  out.push('## The reference: pgbench on the same statements (`npm run bench:load -- pgbench`)', '');
  let anyPgbench = false;
  for (const cls of ['pages', 'dashboard']) {
    const saved = read<PgbenchResult>(`pgbench-${cls}`);
    if (!saved) continue;
    anyPgbench = true;
    const r = saved.result;
    const s = r.sameRate;
    out.push(`### ${cls} at ${r.scale}`, '', stampLine(saved.stamp), '');
    out.push(`Ceiling (no \`-R\`, \`-c ${r.pool}\`): pgbench ${rate(r.ceiling.pgbenchPerSecond)}/s; execbench's open model at ${r.ceiling.steps.map((st) => `${st.factor}x: ${rate(st.achievedPerSecond)}/s (${((st.achievedPerSecond / r.ceiling.pgbenchPerSecond) * 100).toFixed(0)}%, ${st.execbenchCores.toFixed(2)} of a core)`).join('; ')}. Target (80% before its own CPU limits it): **${r.ceiling.targetMet ? 'met' : 'not met'}**.`, '');
    out.push(`At the same offered rate, ${rate(s.offeredPerSecond)}/s for ${r.durationMs / 1000} s, latency from the scheduled start (ms):`, '');
    out.push('| | pgbench -R | execbench | execbench/pgbench |', '|---|---|---|---|');
    out.push(`| achieved /s | ${rate(s.pgbench.achievedPerSecond)} | ${rate(s.execbench.achievedPerSecond)} | ${ratio(s.ratios.achieved)} |`);
    for (const [label, key, rk] of [['mean', 'meanMs', 'meanMs'], ['p50', 'p50Ms', 'p50Ms'], ['p95', 'p95Ms', 'p95Ms'], ['p99', 'p99Ms', 'p99Ms']] as const) {
      out.push(`| ${label} | ${ms(s.pgbench.latencyMs?.[key])} | ${ms(s.execbench.latencyMs?.[key])} | ${ratio(s.ratios[rk])} |`);
    }
    out.push(`| start lag, mean | ${ms(s.pgbench.startLagMs?.mean)} | ${ms(s.execbench.startLagMs?.mean)} | |`);
    out.push(`| from the send, mean | ${ms(s.pgbench.serviceMs?.mean)} | ${ms(s.execbench.serviceMs?.mean)} | |`);
    out.push(`| generator CPU (cores) | ${s.pgbench.generatorCores?.toFixed(2) ?? '—'} | ${s.execbench.generatorCores?.toFixed(2) ?? '—'} | |`, '');
    out.push(`Target (achieved rate, mean and p50 within 15%): **${s.targetMet ? 'met' : 'not met'}**${s.targetMet ? '' : `: ${s.problems.join('; ')}`}.`, '');
  }
  if (!anyPgbench) missing('npm run bench:load -- pgbench (and -- pgbench 100k 10s auto dashboard)');

  out.push('## Stability (`npm run bench:load -- stability`)', '');
  let anyStability = false;
  for (const promise of ['pages', 'dashboard']) {
    const stability = read<StabilityResult>(`stability-${promise}`);
    if (!stability) continue;
    anyStability = true;
    const r = stability.result;
    out.push(stampLine(stability.stamp), '');
    out.push(`Two searches of ${r.promise} at ${r.scale} on unchanged code and data: brackets ${r.brackets.map((b) => `[${rate(b.low)}, ${rate(b.high)})`).join(' and ')} per second: **${r.verdict === 'overlap' ? 'they overlap' : r.verdict === 'apart' ? 'they do not overlap' : 'undecided (a search gave no bracket)'}** (${(r.totalMs / 1000).toFixed(0)} s).`, '');
  }
  if (!anyStability) missing('npm run bench:load -- stability');
  return `${out.join('\n').trimEnd()}\n`;
}

/** Commits what the modes saved to docs/data/load-measured/, then writes docs/load-measured.md from there; returns its path. */
export function writeLoadFigures(): string {
  commitFigureInputs(FIGURES_DIR, FIGURES_INPUTS);
  writeFileSync(FIGURES_PAGE, renderLoadFigures());
  return FIGURES_PAGE;
}
