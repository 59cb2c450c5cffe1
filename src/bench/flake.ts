// `npm run bench:flake [runs] [-- run flags]`: the default run, N times (10) on unchanged code and data. A gate that
// fails on unchanged code gets switched off: this counts how often it would (target 0), how many latency verdicts
// were inconclusive (warnings) or left undecided beyond the cap (notes), which warnings every run gave (target none:
// a warning every run gives teaches people to skip warnings), how many runs kept the run-time budget (120 s warm),
// and the widest interval. Each run is a real `execbench run` in its own process, as a user or CI
// runs it. Last line: one JSON object.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../errors.ts';
import type { RunResults } from '../results.ts';
import { textTable } from '../report/console.ts';
import { runScript, exitOnHelp } from './common.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface RunSummary {
  run: number; exitCode: number; seconds: number; gated: number; failedGated: string[];
  /** Inconclusive verdicts the gate line warns about, and those it lists as notes (beyond the cap per form). */
  inconclusive: string[]; beyondCap: string[];
  /** Every warning the run gave: inconclusive verdicts and the forms' own warnings (a read with no rows, ...). */
  warnings: string[];
  /** The run's own time (results.timings.totalMs) against its budget: 120 s warm, 240 s cold. */
  runSeconds: number; budgetSeconds: number;
  widest: { form: string; widthPct: number; interval: string } | undefined;
}

exitOnHelp(`
npm run bench:flake [-- runs [run flags...]]

The default run N times on unchanged code and data: how many failed the gate (target 0), how many latency verdicts
were inconclusive, which warnings every run gave (target none), how many runs kept their budget (120 s warm, 240 s
cold; target all), the widest interval. Last line: one JSON object.
  runs        1-100, default 10
  run flags   passed to each \`execbench run\`, e.g. --scale 100k

Example: npm run bench:flake -- 3 --scale 100k
`);

await runScript(async () => {
  const runs = Number(process.argv[2] ?? 10);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    process.stderr.write(`bench:flake: invalid run count '${process.argv[2]}': give a whole number from 1 to 100, e.g. npm run bench:flake -- 10\n`);
    return 3;
  }
  const extra = process.argv.slice(3);
  const summaries: RunSummary[] = [];
  for (let i = 1; i <= runs; i++) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'execbench-flake-'));
    try {
      const t0 = Date.now();
      const { code: exitCode, lastLine } = await runCli(['run', '--out', out, ...extra]);
      const seconds = (Date.now() - t0) / 1000;
      // Bad input (a run flag passed through) is not flakiness: stop at once and say what execbench said.
      if (exitCode === EXIT.usage) {
        process.stderr.write(`bench:flake: run ${i} refused its arguments (exit 3): ${lastLine}\n`);
        return EXIT.usage;
      }
      const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8').catch(() => 'null')) as RunResults | null;
      const summary = summarize(i, exitCode, seconds, results);
      summaries.push(summary);
      process.stderr.write(`bench:flake: run ${i}/${runs}: exit ${exitCode} in ${seconds.toFixed(0)} s; ${summary.failedGated.length} gated failures, ${summary.inconclusive.length} inconclusive\n`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  const failedRuns = summaries.filter((s) => s.exitCode !== 0);
  const inEveryRun = commonWarnings(summaries);
  const overBudget = summaries.filter((s) => s.runSeconds > s.budgetSeconds);
  const widest = summaries.map((s) => s.widest).filter((w) => w !== undefined).sort((a, b) => b.widthPct - a.widthPct)[0];
  process.stdout.write(`\n${textTable(['run', 'exit', 'run time s (budget)', 'gated forms', 'failed', 'warnings', 'notes (beyond the cap)', 'widest interval (width / limit)'],
    summaries.map((s) => [String(s.run), String(s.exitCode), `${s.runSeconds.toFixed(0)} (${s.budgetSeconds})`, String(s.gated), s.failedGated.join(', ') || '-',
      s.warnings.join(', ') || '-', s.beyondCap.join(', ') || '-', s.widest ? `${s.widest.form} ${s.widest.interval} (${s.widest.widthPct.toFixed(0)}%)` : '-']))}\n\n`);
  process.stdout.write(`Gate failed in ${failedRuns.length} of ${runs} runs on unchanged code and data (target 0); ` +
    `${summaries.reduce((n, s) => n + s.inconclusive.length, 0)} inconclusive verdicts in all; ` +
    `warnings given by every run: ${inEveryRun.length === 0 ? 'none (target none)' : `${inEveryRun.join(', ')} (target none)`}; ` +
    `${runs - overBudget.length} of ${runs} runs within their budget (${overBudget.length === 0 ? 'target all' : `over: ${overBudget.map((s) => `run ${s.run} ${s.runSeconds.toFixed(0)} s`).join(', ')}`}).\n`);
  process.stdout.write(JSON.stringify({
    runs, failedRuns: failedRuns.length, target: 0,
    inconclusive: summaries.reduce((n, s) => n + s.inconclusive.length, 0),
    beyondCap: summaries.reduce((n, s) => n + s.beyondCap.length, 0),
    warningsInEveryRun: inEveryRun,
    withinBudget: runs - overBudget.length,
    runSeconds: summaries.map((s) => Math.round(s.runSeconds)),
    widestInterval: widest ?? null,
    medianRunSeconds: [...summaries.map((s) => s.seconds)].sort((a, b) => a - b)[Math.floor(summaries.length / 2)],
    failures: failedRuns.map((s) => ({ run: s.run, exitCode: s.exitCode, forms: s.failedGated })),
  }) + '\n');
  return failedRuns.length > 0 ? 1 : 0;
});

function summarize(run: number, exitCode: number, seconds: number, results: RunResults | null): RunSummary {
  const gated = results?.scenarios.filter((r) => r.gated) ?? [];
  const name = (r: RunResults['scenarios'][number]) => `${r.scenarioId}@${r.scale}/${r.form}`;
  let widest: RunSummary['widest'];
  for (const r of gated) {
    const v = r.latencyVerdict;
    if (!v || v.ciLowMs === null || v.ciHighMs === null) continue;
    const widthPct = ((v.ciHighMs - v.ciLowMs) / v.limitMs) * 100;
    if (!widest || widthPct > widest.widthPct) widest = { form: name(r), widthPct, interval: `[${v.ciLowMs.toFixed(3)}, ${v.ciHighMs.toFixed(3)}] ms of ${v.limitMs} ms (${v.clock})` };
  }
  const inconclusive = gated.filter((r) => r.latencyVerdict?.status === 'inconclusive' && !r.latencyVerdict.beyondCap).map(name);
  const formWarnings = (results?.scenarios ?? []).flatMap((r) => (r.warnings ?? []).map((w) => `${name(r)}: ${w.split(/[:(]/)[0]!.trim()}`));
  return {
    run, exitCode, seconds, gated: gated.length,
    failedGated: gated.filter((r) => r.outcome.status !== 'passed' && r.outcome.status !== 'skipped').map(name),
    inconclusive,
    beyondCap: gated.filter((r) => r.latencyVerdict?.status === 'inconclusive' && r.latencyVerdict.beyondCap).map(name),
    warnings: [...inconclusive.map((f) => `${f} inconclusive`), ...formWarnings],
    runSeconds: results ? (results.timings.totalMs ?? 0) / 1000 : seconds,
    budgetSeconds: results?.datasets.every((d) => d.reused) === false ? 240 : 120,
    widest,
  };
}

/** The warnings every run gave (none when a run is missing its results). Pure. */
function commonWarnings(summaries: readonly Pick<RunSummary, 'warnings'>[]): string[] {
  if (summaries.length === 0) return [];
  return [...new Set(summaries[0]!.warnings)].filter((w) => summaries.every((s) => s.warnings.includes(w)));
}

/** One `execbench run` as a child process; its tables go to this process's stderr, quietly. */
/** Runs execbench; its exit code and the last line it wrote to stderr (execbench's one-line error, where it failed). */
function runCli(args: string[]): Promise<{ code: number; lastLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (process.env.EXECBENCH_DEBUG) process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-4096);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 2), lastLine: tail.trim().split('\n').at(-1) ?? '' }));
  });
}
