// `npm run bench:gate -- ab-aa | ab-sensitivity | figures`: proof that `execbench ab` does not cry wolf and catches what it
// must. Each mode runs `execbench ab` as a user does (a child process, its own embedded server per run) in a scratch
// git repository holding this checkout's scenarios/ and schema/ (src linked), and saves its result, stamped, to
// reports/bench-gate/<mode>.json; `figures` writes docs/gate-measured.md from what is saved.
//  - ab-aa [runs] [scale]: both sides the same commit: how many runs failed the gate (target: at most 1 in 20), how many
//    flagged a slowdown before its confirmation, and how many a plain "p95 +20%" rule would have flagged.
//  - ab-sensitivity [runs] [scale]: a head whose paginated listing computes an expensive expression per row (plan and
//    buffers unchanged), calibrated to x1.5 and x2 of the base's median server time: runs caught of each (target: x2 in
//    10 of 10, x1.5 in at least 9 of 10), with the measured effect per run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import type { AbDocument } from '../ab/document.ts';
import { PROJECT_ROOT } from '../commands/run.ts';
import { resolveProviderOptions } from '../config.ts';
import { withDatabase } from '../db/with-database.ts';
import { withClient } from '../db/client.ts';
import { createFormSampler } from '../runner/form-sampler.ts';
import { ensureStatementsExtension, probeStatements } from '../runner/server-clock.ts';
import type { ParamPicker, SqlForm } from '../scenario/define.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { connectToDataset } from '../runner/session.ts';
import { median } from '../runner/statistics.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import type { ScaleSpec } from '../seed/types.ts';
import { benchRequest } from './common.ts';
import { renderStoredGateSection, type StoredGateResult } from './gate-stored.ts';
import { figuresInputsDir, loadFigure, saveFigure, stampLine, type SavedFigure, writeFiguresPage } from './load-figures.ts';

export const GATE_FIGURES_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-gate');
export const GATE_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'gate-measured.md');
/** The page's inputs as committed: what it is rendered from (load-figures.ts says why). */
export const GATE_FIGURES_INPUTS = figuresInputsDir('gate-measured');
const TARGET_FORM = { scenarioId: 'paginated-listing', form: 'corrected' } as const;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A scratch repository with this checkout's scenarios/ and schema/ committed on main, src linked. */
function scratchRepository(): string {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'execbench-gate-ab-'));
  cpSync(path.join(PROJECT_ROOT, 'scenarios'), path.join(repo, 'scenarios'), { recursive: true });
  cpSync(path.join(PROJECT_ROOT, 'schema'), path.join(repo, 'schema'), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'src'), path.join(repo, 'src'));
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=bench@execbench', '-c', 'user.name=bench', ...args], { cwd: repo, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  return repo;
}

/** One `execbench ab --base main` in the scratch repository; its document (undefined when it wrote none). */
function runAb(repo: string, scale: ScaleSpec, out: string): { code: number | null; doc?: AbDocument; ms: number; stderr: string } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli.ts'), 'ab', '--repo', repo, '--base', 'main', '--scale', scale.label, '--out', out],
    { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '' }, maxBuffer: 64 * 1024 * 1024 });
  const file = path.join(out, 'ab.json');
  return { code: r.status, ms: Date.now() - t0, stderr: r.stderr, ...(existsSync(file) ? { doc: JSON.parse(readFileSync(file, 'utf8')) as AbDocument } : {}) };
}

/** Exact (Clopper-Pearson) 95% interval of a proportion k/n. */
export function proportionInterval(k: number, n: number): { low: number; high: number } {
  const solve = (f: (p: number) => number, target: number) => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > target) lo = mid; else hi = mid;
    }
    return (lo + hi) / 2;
  };
  // low: P(X >= k | p) = 0.025; high: P(X <= k | p) = 0.025.
  const low = k === 0 ? 0 : solve((p) => binomialCdf(k - 1, n, p), 0.975);
  const high = k === n ? 1 : solve((p) => binomialCdf(k, n, p), 0.025);
  return { low, high };
}

interface AaRun { run: number; exit: number | null; ms: number; failed: string[]; flaggedBeforeConfirmation: string[]; p95RuleWouldFlag: string[]; comparisons: number }
export interface AaResult { scale: string; runs: AaRun[]; failedRuns: number; flaggedRuns: number; p95RuleRuns: number; interval: { low: number; high: number }; targetMet: boolean }

export async function abAa(runs: number, scale: ScaleSpec): Promise<number> {
  const repo = scratchRepository();
  const out = mkdtempSync(path.join(os.tmpdir(), 'execbench-gate-ab-aa-'));
  const rows: AaRun[] = [];
  let postgres: string | undefined;
  try {
    for (let i = 1; i <= runs; i++) {
      const r = runAb(repo, scale, path.join(out, `run-${i}`));
      if (!r.doc) throw new Error(`run ${i}: execbench ab wrote no document (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      postgres = r.doc.environment.postgres.version;
      const gated = r.doc.forms.filter((f) => f.gated);
      const row: AaRun = {
        run: i, exit: r.code, ms: r.ms, comparisons: r.doc.method.comparisons,
        failed: gated.filter((f) => f.status === 'regressed').map((f) => `${f.scenarioId}/${f.form}: ${f.reasons.map((x) => x.half).join('+')}`),
        flaggedBeforeConfirmation: gated.filter((f) => f.time.decision?.first.flagged).map((f) => `${f.scenarioId}/${f.form} ${((f.time.decision!.first.ratio - 1) * 100).toFixed(0)}%`),
        p95RuleWouldFlag: gated.filter((f) => f.time.decision && f.time.decision.first.headP95Ms > 1.2 * f.time.decision.first.baseP95Ms).map((f) => `${f.scenarioId}/${f.form} p95 ${f.time.decision!.first.baseP95Ms.toFixed(3)} -> ${f.time.decision!.first.headP95Ms.toFixed(3)}`),
      };
      rows.push(row);
      log(`bench:gate ab-aa: run ${i}/${runs}: exit ${row.exit} in ${(row.ms / 1000).toFixed(0)} s; failed ${row.failed.length ? row.failed.join(', ') : 'none'}; flagged before confirmation ${row.flaggedBeforeConfirmation.length ? row.flaggedBeforeConfirmation.join(', ') : 'none'}; a p95 +20% rule: ${row.p95RuleWouldFlag.length}`);
    }
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
  const failedRuns = rows.filter((r) => r.exit !== 0).length;
  const result: AaResult = {
    scale: scale.label, runs: rows, failedRuns,
    flaggedRuns: rows.filter((r) => r.flaggedBeforeConfirmation.length > 0).length,
    p95RuleRuns: rows.filter((r) => r.p95RuleWouldFlag.length > 0).length,
    interval: proportionInterval(failedRuns, rows.length),
    targetMet: failedRuns <= Math.floor(rows.length / 20),
  };
  process.stdout.write(`\nA/A: ${failedRuns} of ${rows.length} runs on unchanged code failed the gate (95% interval of the rate ${(result.interval.low * 100).toFixed(1)}%-${(result.interval.high * 100).toFixed(1)}%); target at most 1 in 20: ${result.targetMet ? 'met' : 'NOT met'}.\n` +
    `Runs with a slowdown flagged before its confirmation: ${result.flaggedRuns}; runs in which a plain "p95 +20%" rule on the same samples would have flagged a form: ${result.p95RuleRuns}.\n` +
    `Reports of each run: ${out}\nSaved: ${saveFigure('ab-aa', result, postgres, GATE_FIGURES_DIR)}\n`);
  return result.targetMet ? 0 : 1;
}

/** The scenario file with its corrected form padded (the documented form unchanged): the same plan, more work per row. */
export function withPadding(scenarioText: string, repeats: number): string {
  const marker = 'corrected: {\n    sql: `SELECT * FROM executions';
  if (!scenarioText.includes(marker)) throw new Error('scenarios/paginated-listing.ts has changed shape: the sensitivity bench cannot find its corrected SELECT * FROM executions.');
  return scenarioText.replace(marker, `corrected: {\n    sql: \`${paddedSql('SELECT * FROM executions', repeats)}`);
}

/**
 * Median server time (pg_stat_statements, as the gate reads this form) of the base and padded statements, sampled
 * by execbench's own sampler in alternating blocks (paired, so the machine's drift cancels), ms.
 */
async function pairedMedians(client: pg.Client, statementsSchema: string, form: SqlForm, padded: string, picker: (i: number) => ParamPicker, rounds = 20): Promise<{ base: number; head: number }> {
  const make = (sql: string) => createFormSampler({ client, form: { sql, params: form.params }, picker, protocol: 'unnamed', write: false, nested: false, plan: { rowsReturned: 50, executionMs: 0.2 }, statementsSchema });
  const base = await make(form.sql);
  const head = await make(padded);
  for (let i = 0; i < rounds; i++) {
    for (const sampler of i % 2 === 0 ? [base, head] : [head, base]) {
      await sampler.sample(false);
      for (let k = 0; k < 10; k++) await sampler.sample(true);
    }
  }
  return { base: median(base.server), head: median(head.server) };
}

/** The padded statement: length(repeat(id::text, n)) per row, whose cost grows from nothing with n. */
export function paddedSql(sql: string, repeats: number): string {
  if (!sql.includes('SELECT * FROM executions')) throw new Error('The paginated listing no longer starts SELECT * FROM executions: the sensitivity bench cannot pad it.');
  return sql.replace('SELECT * FROM executions', `SELECT *, length(repeat(id::text, ${repeats})) AS execbench_pad FROM executions`);
}

/** Repeats per row that slow the form's median server time by `factor` (x1.5, x2), found by bisection on this server. */
async function calibrate(scale: ScaleSpec, factors: number[]): Promise<{ factor: number; repeats: number; measured: number }[]> {
  return withDatabase(resolveProviderOptions({}, process.env, log), async (db) => {
    if (db.kind !== 'url') await withClient(db.connectionString, ensureStatementsExtension);
    const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
    const definition = (await loadScenarios()).find((s) => s.id === TARGET_FORM.scenarioId)!.definition;
    const form = definition.corrected!;
    const client = await connectToDataset(db.connectionString, dataset.schema);
    try {
      const statements = await probeStatements(client);
      if (!statements.available) throw new Error(`the sensitivity bench calibrates on the server clock the gate reads (pg_stat_statements), which is not available here: ${statements.why}`);
      const pools = await loadParamPools(client, dataset);
      const picker = (i: number) => createParamPicker(pools, i);
      const out: { factor: number; repeats: number; measured: number }[] = [];
      for (const factor of factors) {
        let lo = 0;
        let hi = 65_536;
        let best = { repeats: hi, measured: Number.NaN };
        for (let step = 0; step < 16 && hi - lo > 1; step++) {
          const mid = Math.round((lo + hi) / 2);
          const m = await pairedMedians(client, statements.schema, form, paddedSql(form.sql, mid), picker);
          const ratio = m.head / m.base;
          log(`bench:gate ab-sensitivity: calibrating x${factor}: ${mid} repeats per row -> x${ratio.toFixed(2)} (server median ${m.base.toFixed(3)} -> ${m.head.toFixed(3)} ms)`);
          if (Number.isNaN(best.measured) || Math.abs(ratio - factor) < Math.abs(best.measured - factor)) best = { repeats: mid, measured: ratio };
          if (Math.abs(ratio - factor) <= 0.03 * factor) break;
          if (ratio < factor) lo = mid; else hi = mid;
        }
        out.push({ factor, ...best });
      }
      return out;
    } finally {
      await client.end();
    }
  });
}

interface SensitivityRun { run: number; exit: number | null; caught: boolean; planPassed: boolean; ratio: number | null; confirmedRatio: number | null; otherFailures: string[] }
export interface SensitivityResult { scale: string; form: string; factors: { factor: number; repeats: number; calibrated: number; runs: SensitivityRun[]; caught: number; target: number; targetMet: boolean }[] }

export async function abSensitivity(runs: number, scale: ScaleSpec): Promise<number> {
  const calibration = await calibrate(scale, [1.5, 2]);
  const repo = scratchRepository();
  const out = mkdtempSync(path.join(os.tmpdir(), 'execbench-gate-ab-sens-'));
  const file = path.join(repo, 'scenarios', `${TARGET_FORM.scenarioId}.ts`);
  const original = readFileSync(file, 'utf8');
  const result: SensitivityResult = { scale: scale.label, form: `${TARGET_FORM.scenarioId} (${TARGET_FORM.form})`, factors: [] };
  let postgres: string | undefined;
  try {
    for (const c of calibration) {
      writeFileSync(file, withPadding(original, c.repeats));
      const rows: SensitivityRun[] = [];
      for (let i = 1; i <= runs; i++) {
        const r = runAb(repo, scale, path.join(out, `x${c.factor}-run-${i}`));
        if (!r.doc) throw new Error(`x${c.factor} run ${i}: execbench ab wrote no document (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        postgres = r.doc.environment.postgres.version;
        const target = r.doc.forms.find((f) => f.scenarioId === TARGET_FORM.scenarioId && f.form === TARGET_FORM.form)!;
        const row: SensitivityRun = {
          run: i, exit: r.code, caught: target.reasons.some((x) => x.half === 'time'), planPassed: target.plan.status === 'passed',
          ratio: target.time.decision?.first.ratio ?? null, confirmedRatio: target.time.decision?.confirmation?.ratio ?? null,
          otherFailures: r.doc.forms.filter((f) => f.gated && f !== target && f.status === 'regressed').map((f) => `${f.scenarioId}/${f.form}`),
        };
        rows.push(row);
        log(`bench:gate ab-sensitivity: x${c.factor} run ${i}/${runs}: ${row.caught ? 'caught' : 'NOT caught'} (measured x${row.ratio?.toFixed(2) ?? '—'}${row.confirmedRatio !== null ? `, confirmed x${row.confirmedRatio.toFixed(2)}` : ''}); plan ${row.planPassed ? 'unchanged' : 'CHANGED'}; other forms failed: ${row.otherFailures.length ? row.otherFailures.join(', ') : 'none'}`);
      }
      const caught = rows.filter((r) => r.caught).length;
      const target = c.factor >= 2 ? runs : Math.ceil(runs * 0.9);
      result.factors.push({ factor: c.factor, repeats: c.repeats, calibrated: c.measured, runs: rows, caught, target, targetMet: caught >= target });
    }
  } finally {
    writeFileSync(file, original);
    rmSync(repo, { recursive: true, force: true });
  }
  process.stdout.write('\n');
  for (const f of result.factors) {
    process.stdout.write(`x${f.factor} (${f.repeats} repeats per row, calibrated x${f.calibrated.toFixed(2)}): caught in ${f.caught} of ${f.runs.length} runs (target ${f.target}): ${f.targetMet ? 'met' : 'NOT met'}; measured ${f.runs.map((r) => `x${r.ratio?.toFixed(2) ?? '—'}`).join(' ')}\n`);
  }
  process.stdout.write(`Reports of each run: ${out}\nSaved: ${saveFigure('ab-sensitivity', result, postgres, GATE_FIGURES_DIR)}\n`);
  return result.factors.every((f) => f.targetMet) ? 0 : 1;
}

/** docs/gate-measured.md from the saved results (a mode never run says so). */
export function renderGateFigures(read: <T>(mode: string) => SavedFigure<T> | undefined = (mode) => loadFigure(mode, GATE_FIGURES_INPUTS)): string {
  const parts = ['# The gate, measured', '', 'Written by `npm run bench:gate -- figures` from the results `npm run bench:gate` (the stored-baseline comparison), `-- ab-aa` and `-- ab-sensitivity` (the A/B gate) saved under reports/bench-gate/ (kept in docs/data/gate-measured/). Re-run those and this command; do not edit the figures by hand. How the gate works: [gate.md](gate.md).', ''];
  const aa = read<AaResult>('ab-aa');
  parts.push('## False alarms on unchanged code (`ab-aa`)', '');
  if (!aa) parts.push('Not measured yet.', '');
  else {
    const r = aa.result;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    parts.push(stampLine(aa.stamp), '',
      `${r.runs.length} runs of \`execbench ab --base main\` with both sides the same commit, ${r.scale}, each on its own embedded server (${r.runs[0]?.comparisons ?? '?'} gated time comparisons per run):`, '',
      `| runs | failed the gate | 95% interval of the rate | flagged before confirmation | a "p95 +20%" rule would have flagged | target (at most 1 in 20) |`,
      `|---|---|---|---|---|---|`,
      `| ${r.runs.length} | ${r.failedRuns} | ${pct(r.interval.low)} - ${pct(r.interval.high)} | ${r.flaggedRuns} | ${r.p95RuleRuns} | ${r.targetMet ? 'met' : 'not met'} |`, '',
      `Median run time ${(median(r.runs.map((x) => x.ms)) / 1000).toFixed(0)} s.` +
        (r.runs.some((x) => x.failed.length > 0) ? ` Failures: ${r.runs.filter((x) => x.failed.length > 0).map((x) => `run ${x.run}: ${x.failed.join(', ')}`).join('; ')}.` : ''), '');
  }
  const sens = read<SensitivityResult>('ab-sensitivity');
  parts.push('## Slowdowns with the same plan (`ab-sensitivity`)', '');
  if (!sens) parts.push('Not measured yet.', '');
  else {
    parts.push(stampLine(sens.stamp), '', `The head's ${sens.result.form} computes \`length(repeat(id::text, N))\` per row (plan, buffers and rows unchanged), N calibrated on the server to the factor; ${sens.result.scale}.`, '',
      '| factor | N | calibrated | caught | target | measured ratio per run |', '|---|---|---|---|---|---|',
      ...sens.result.factors.map((f) => `| x${f.factor} | ${f.repeats} | x${f.calibrated.toFixed(2)} | ${f.caught} of ${f.runs.length} | ${f.target} | ${f.runs.map((r) => (r.ratio === null ? '—' : `x${r.ratio.toFixed(2)}`)).join(' ')} |`), '');
    const runs = sens.result.factors.flatMap((f) => f.runs);
    const others = runs.filter((r) => r.otherFailures.length > 0);
    parts.push(`In these ${runs.length} runs the plan of the slowed form was unchanged in ${runs.filter((r) => r.planPassed).length}, and the other, unchanged gated forms failed in ${others.length} (${others.length === 0 ? 'none' : others.map((r) => r.otherFailures.join(', ')).join('; ')}).`, '');
  }
  parts.push(...renderStoredGateSection(read<StoredGateResult>('stored')));
  return `${parts.join('\n')}\n`;
}

export function writeGateFigures(): string {
  return writeFiguresPage(GATE_FIGURES_DIR, GATE_FIGURES_INPUTS, GATE_FIGURES_PAGE, () => renderGateFigures());
}

/** Dispatch for gate-proof.ts: returns undefined when the first argument is not one of these modes. */
export async function gateAbMode(args: string[]): Promise<number | undefined> {
  const [mode, runsArg, scaleArg] = args;
  if (mode === 'figures') {
    process.stdout.write(`Wrote ${writeGateFigures()}\n`);
    return 0;
  }
  if (mode !== 'ab-aa' && mode !== 'ab-sensitivity') return undefined;
  const runs = Number(runsArg ?? (mode === 'ab-aa' ? 20 : 10));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`Invalid runs '${runsArg}': give a whole number >= 1, e.g. 20.`);
  const scale = parseScale(scaleArg ?? '100k');
  return mode === 'ab-aa' ? abAa(runs, scale) : abSensitivity(runs, scale);
}
