// `npm run bench:load -- stability [scale [promise [max-time]]]`: the issue's stability proof. Two capacity searches
// on unchanged code and data, one after the other on the same server: each gives a bracket, the highest rate that
// passed (the lower bound) and the lowest that did not; the two brackets must overlap. A search that gives no
// bracket (no bound, or nothing failed) cannot show it, and the proof says so rather than passing.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLoadSearchCommand } from '../commands/load.ts';
import { resolveProviderOptions } from '../config.ts';
import { UsageError } from '../errors.ts';
import { parseMaxTime, parsePromises } from '../load/search-options.ts';
import type { CapacityReport, PromiseSearch } from '../load/search-report.ts';
import { textTable } from '../report/console.ts';
import { parseScale } from '../seed/scale.ts';
import { DEFAULT_SEED } from './common.ts';
import { DEFAULT_POOL } from '../load/traffic.ts';
import { saveFigure } from './load-figures.ts';
import { displayPath } from '../scenario/load.ts';

/** One search's bracket: [lower bound, lowest rate that did not pass); null where the search gave none. */
export interface Bracket {
  low: number | null;
  high: number | null;
}

/** Pure: whether two searches' brackets overlap, in words; undecided when either lacks a side. */
export function bracketsOverlap(a: Bracket, b: Bracket): { verdict: 'overlap' | 'apart' | 'undecided'; words: string } {
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const show = (x: Bracket) => `[${x.low === null ? 'none' : f(x.low)}, ${x.high === null ? 'none' : f(x.high)})`;
  if (a.low === null || b.low === null || a.high === null || b.high === null) {
    return { verdict: 'undecided', words: `a search gave no bracket (${show(a)} and ${show(b)}): stability is not shown` };
  }
  const overlap = Math.max(a.low, b.low) < Math.min(a.high, b.high);
  return {
    verdict: overlap ? 'overlap' : 'apart',
    words: overlap
      ? `the brackets ${show(a)} and ${show(b)} overlap on [${f(Math.max(a.low, b.low))}, ${f(Math.min(a.high, b.high))})`
      : `the brackets ${show(a)} and ${show(b)} do not overlap: two searches on the same code and data disagree`,
  };
}

const bracket = (s: PromiseSearch | undefined): Bracket => ({ low: s?.lowerBoundPerSecond ?? null, high: s?.notBelowPerSecond ?? null });

/** Runs the proof; exit 0 when the brackets overlap, 1 otherwise. */
export async function stabilityProof(args: string[]): Promise<number> {
  const scale = parseScale(args[0] ?? '100k');
  const [promise] = parsePromises([args[1] ?? 'pages']);
  if (!promise || args[1]?.includes(',')) throw new UsageError(`stability searches one promise: give dashboard or pages, not '${args[1]}'.`);
  const maxTimeMs = parseMaxTime(args[2] ?? '3m');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const provider = resolveProviderOptions({ provider: 'embedded' }, process.env, log);
  const rows: string[][] = [];
  const searches: (PromiseSearch | undefined)[] = [];
  const t0 = performance.now();
  for (const n of [1, 2]) {
    const outDir = await mkdtemp(path.join(os.tmpdir(), `execbench-bench-load-stability-${n}-`));
    log(`bench:load: stability: search ${n} of 2: ${promise} at ${scale.label}, spec's indexes, without maintenance, --max-time ${maxTimeMs / 1000} s`);
    await runLoadSearchCommand({
      promises: [promise], maintenance: ['without'], variants: ['spec'], maxTimeMs, stepMs: 10_000, maxWindowMs: 150_000,
      maxSteps: 16, pool: DEFAULT_POOL, scale, seed: DEFAULT_SEED, json: false, minCapacity: {}, outDir, provider,
    });
    const report = JSON.parse(readFileSync(path.join(outDir, 'capacity.json'), 'utf8')) as CapacityReport;
    const s = report.searches[0];
    searches.push(s);
    const b = bracket(s);
    rows.push([String(n), s?.ceiling ? `${s.ceiling.perSecond.toFixed(0)}/s` : '—', b.low === null ? 'none' : `${b.low.toFixed(1)}/s`, b.high === null ? 'none' : `${b.high.toFixed(1)}/s`, s?.status ?? '—', String(s?.steps.length ?? 0), `${((s?.durationMs ?? 0) / 1000).toFixed(0)} s`]);
  }
  const result = bracketsOverlap(bracket(searches[0]), bracket(searches[1]));
  process.stdout.write(`\n${textTable(['search', 'probe (pool busy)', 'lower bound', 'lowest not passed', 'status', 'steps', 'took'], rows)}\n\n`);
  process.stdout.write(`Stability (${promise} at ${scale.label}, two searches on unchanged code and data): ${result.words}; target: the brackets overlap: ${result.verdict === 'overlap' ? 'met' : 'NOT met'}\n`);
  const saved = { mode: 'stability', scale: scale.label, promise, maxTimeMs, totalMs: Math.round(performance.now() - t0), brackets: searches.map(bracket), verdict: result.verdict };
  process.stdout.write(`${JSON.stringify(saved)}\n`);
  log(`bench:load: saved ${displayPath(saveFigure(`stability-${promise}`, saved))} (npm run bench:load -- figures writes docs/load-measured.md)`);
  return result.verdict === 'overlap' ? 0 : 1;
}
