// `npm run bench:sensitivity [scale|auto] [runs] [forms] [effects]` (defaults: auto = each form at its own scale, 10
// runs, all three forms, 1,1.5,2): do the verdict rules see a real slowdown? The local server's CPU is
// limited with a cgroup (a real slowdown that leaves plans and buffers unchanged), and the same rules the run uses
// judge it:
//  - thresholds: under each real slowdown, the limit is set so that the true p95 (from a long reference sample taken
//    under that same slowdown) exceeds it by exactly 1.5x: the verdict should fail in every run;
//  - the baseline time check: an unthrottled baseline against runs slowed 2x and 1.5x should be caught in 10 of
//    10 and at least 9 of 10; unthrottled against unthrottled shows the false-alarm rate beside it.
// Effects are measured, not assumed: the CPU limit is calibrated on the median and the true p95 and median under each
// limit come from a long reference sample.
// Last line: one JSON object.
import { resolveProviderOptions } from '../config.ts';
import { EXIT } from '../errors.ts';
import { withClient } from '../db/client.ts';
import { readServerSettings } from '../db/settings.ts';
import { withDatabase } from '../db/with-database.ts';
import { compareRuns } from '../gate/compare.ts';
import type { Clock, ScenarioResult } from '../results.ts';
import { textTable } from '../report/console.ts';
import { measureForm } from '../runner/measure.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { connectToDataset } from '../runner/session.ts';
import { ensureStatementsExtension, probeStatements } from '../runner/server-clock.ts';
import { quantile } from '../runner/statistics.ts';
import { thresholdFor } from '../runner/thresholds.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { benchResults, benchRequest, runScript, exitOnHelp } from './common.ts';
import { createCpuThrottle, serverProcesses, type CpuThrottle } from './cpu-throttle.ts';
import { saveFigure } from './load-figures.ts';
import { judgeSensitivityRow, SENSITIVITY_FIGURES_DIR, type SensitivityResult, type SensitivityRow, writeSensitivityFigures } from './sensitivity-figures.ts';

/** CPU-bound forms of a few milliseconds and up (a throttle cannot slow a 0.1 ms query in proportion), one per clock kind. */
/**
 * Each at a scale where one execution spans many periods of the CPU limit (4 ms), so the limit slows it evenly: the
 * sparkline's server time is ~4 ms at 100k, where a quota stretched mostly its tail and the same quota gave median
 * effects from +18% to +68% run to run; at 1M it is ~40 ms. The covering percentiles, likewise: at 100k a 0.54 CPU
 * limit reached only x1.62 and the unthrottled runs drifted by x1.37 in p95.
 */
const FORMS: { id: string; clock: Clock; scale: string }[] = [
  { id: 'covering-percentiles', clock: 'server', scale: '1m' },
  { id: 'sparkline-7d', clock: 'server', scale: '1m' },
  { id: 'daily-stats-live-aggregate', clock: 'client', scale: '100k' },
];
const BUDGET_MS = 750;
/** The threshold test: the true p95 exceeds the limit by this factor. */
const THRESHOLD_EXCESS = 1.5;
const REFERENCE_BUDGET_MS = 4000;
const log = (line: string) => process.stderr.write(`${line}\n`);

exitOnHelp(`
npm run bench:sensitivity [-- scale|auto [runs [forms [effects]]]]
npm run bench:sensitivity -- figures

Do the verdict rules see a real slowdown? A CPU quota on the embedded server (Linux cgroup, root), calibrated to each
effect; per form and effect the detection rate of the threshold test and the baseline test. Exit 0 when every row
meets its target (threshold: every run fails; baseline: x2 caught every run, x1.5 at least 9 in 10, at most 1 false
alarm in 10 unthrottled). Last line: one JSON object.
  scale     auto (default: each form at its own scale), 100k, 1m or a whole number of focus-tenant rows
  runs      runs per row, default 10
  forms     comma-separated, default covering-percentiles,sparkline-7d,daily-stats-live-aggregate
  effects   comma-separated slowdowns of at least 1, default 1,1.5,2
  figures   write docs/sensitivity-measured.md from the result saved under reports/bench-sensitivity/

Example: npm run bench:sensitivity -- auto 3 sparkline-7d 1,2
`);

await runScript(async () => {
  if (process.argv[2] === 'figures') {
    process.stdout.write(`Wrote ${writeSensitivityFigures()}\n`);
    return 0;
  }
  const startedAt = Date.now();
  const scaleArg = process.argv[2] ?? 'auto';
  if (scaleArg !== 'auto') parseScale(scaleArg);
  const runs = Number(process.argv[3] ?? 10);
  const only = process.argv[4]?.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = only?.filter((id) => !FORMS.some((f) => f.id === id)) ?? [];
  if (!Number.isInteger(runs) || runs < 1) { process.stderr.write(`bench:sensitivity: runs "${process.argv[3]}" is not a positive whole number (e.g. 10).\n`); return EXIT.usage; }
  if (unknown.length > 0) { process.stderr.write(`bench:sensitivity: unknown form "${unknown[0]}"; choose from ${FORMS.map((f) => f.id).join(', ')}.\n`); return EXIT.usage; }
  const forms = FORMS.filter((f) => !only || only.includes(f.id));
  const effects = (process.argv[5] ?? '1,1.5,2').split(',').map(Number);
  if (effects.some((e) => !Number.isFinite(e) || e < 1)) { process.stderr.write(`bench:sensitivity: effects "${process.argv[5]}" must be numbers of at least 1, e.g. 1,1.5,2.\n`); return EXIT.usage; }
  const throttle = createCpuThrottle();
  if ('unavailable' in throttle) {
    process.stderr.write(`bench:sensitivity: ${throttle.unavailable}; it needs root and a writable cgroup cpu controller (Linux).\n`);
    return 3;
  }
  const rows: SensitivityRow[] = [];
  let serverVersion: string | undefined;
  try {
    await withDatabase(resolveProviderOptions({ provider: process.env.EXECBENCH_PROVIDER ?? 'embedded' }, process.env, log), async (db) => {
      if (db.kind === 'url') throw new Error('bench:sensitivity limits the CPU of a server it starts: use the embedded or container provider.');
      serverVersion = db.serverVersion;
      const scenarios = (await loadScenarios()).filter((s) => forms.some((f) => f.id === s.id));
      const settings = await withClient(db.connectionString, readServerSettings);
      const scaleOf = (f: (typeof FORMS)[number]) => parseScale(scaleArg === 'auto' ? f.scale : scaleArg);
      for (const label of [...new Set(forms.map((f) => scaleOf(f).label))]) {
        const scale = parseScale(label);
        const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
        const client = await connectToDataset(db.connectionString, dataset.schema);
        try {
          await ensureStatementsExtension(client);
          const probe = await probeStatements(client);
          const statementsSchema = probe.available ? probe.schema : undefined;
          const backend = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          throttle.add(serverProcesses(backend.rows[0]!.pid));
          log(`bench:sensitivity: ${db.kind} Postgres ${db.serverVersion} at ${scale.label}; CPU limited through ${throttle.describe()}; ${runs} runs per effect`);
          const pools = await loadParamPools(client, dataset);
          const picker = (i: number) => createParamPicker(pools, i);
          for (const target of forms.filter((f) => scaleOf(f).label === scale.label)) {
            const scenario = scenarios.find((s) => s.id === target.id)!;
            const measure = async (budgetMs: number, limitMs: number) => measureForm({
              client, scenarioId: scenario.id, scenario: scenario.definition, form: scenario.definition.corrected ? 'corrected' : 'documented',
              scale: scale.label, gated: true, picker, budgetMs, clock: target.clock,
              threshold: { p95Ms: limitMs, clock: target.clock, source: 'bench:sensitivity' },
              ...(statementsSchema ? { statementsSchema } : {}),
            });
            const judged = (r: ScenarioResult) => (target.clock === 'server' ? r.latency!.serverSamplesMs : r.latency!.clientSamplesMs);
            const realLimit = thresholdFor(scenario.definition, scale)?.p95Ms ?? Number.MAX_SAFE_INTEGER;
            throttle.set(undefined);
            const reference = await measure(REFERENCE_BUDGET_MS, Number.MAX_SAFE_INTEGER);
            const referenceP95 = quantile(judged(reference), 0.95);
            const referenceMedian = quantile(judged(reference), 0.5);
            // The unthrottled baseline the time check compares against, as a CI job would store it.
            const baselineRun = await measure(BUDGET_MS, realLimit);
            const baseline = benchResults(db, settings, dataset, [scenario], [baselineRun], 'baseline', BUDGET_MS);
            // The one baseline every row of this form is compared with: how far its median sat from the reference's
            // (a baseline taken in a slow moment hides a slowdown from every comparison against it).
            const baselineDrift = quantile(judged(baselineRun), 0.5) / referenceMedian;
            for (const effect of effects) {
              // Calibrated on the median (a CPU limit on a query that spans many quota periods moves the whole
              // distribution; a 2 s sample's median is steady where its p95 swings with the machine's noise).
              const cpus = await calibrate(throttle, effect, async () => quantile(judged(await measure(REFERENCE_BUDGET_MS / 2, Number.MAX_SAFE_INTEGER)), 0.5) / referenceMedian);
              const slowed = await measure(REFERENCE_BUDGET_MS, Number.MAX_SAFE_INTEGER);
              const slowedP95 = quantile(judged(slowed), 0.95);
              const measuredEffect = slowedP95 / referenceP95;
              const medianEffect = quantile(judged(slowed), 0.5) / referenceMedian;
              const thresholdLimit = slowedP95 / THRESHOLD_EXCESS;
              let thresholdFails = 0;
              let baselineCaught = 0;
              const thresholdSamples: number[] = [];
              const baselineSamples: number[] = [];
              for (let run = 0; run < runs; run++) {
                // Each run is measured as `execbench run` would. The threshold test: a run against a limit 1.5x under
                // the true p95 of this slowdown, whose own verdict (with its sequential rule buying samples while
                // undecided, exactly as in CI) should be "failed". The baseline test: a run against the scenario's real
                // threshold (so it samples as a CI run does), compared with the unthrottled baseline.
                const thresholdRun = await measure(BUDGET_MS, thresholdLimit);
                if (thresholdRun.latencyVerdict?.status === 'failed') thresholdFails++;
                thresholdSamples.push(thresholdRun.latencyVerdict?.samples ?? 0);
                const result = await measure(BUDGET_MS, realLimit);
                baselineSamples.push(judged(result).length);
                const comparison = compareRuns(baseline, benchResults(db, settings, dataset, [scenario], [result], `run-${run}`, BUDGET_MS));
                if (comparison.comparisons.some((c) => c.status === 'regressed' && c.reasons.some((reason) => /time/.test(reason)))) baselineCaught++;
                if (process.env.EXECBENCH_DEBUG) {
                  for (const c of comparison.comparisons) for (const check of ('checks' in c ? c.checks : [])) if (check.signal === 'time') log(`  run ${run}: ${check.message}`);
                }
              }
              const row: SensitivityRow = {
                form: `${scenario.id}/${target.clock}`, scale: scale.label, effect, cpus: cpus ?? 'unlimited', measuredEffect: round(measuredEffect), medianEffect: round(medianEffect),
                referenceP95Ms: round(referenceP95), slowedP95Ms: round(slowedP95), baselineMedianDrift: round(baselineDrift), thresholdLimitMs: round(thresholdLimit), thresholdFails, baselineCaught, runs,
                thresholdSamplesMedian: quantile(thresholdSamples, 0.5), baselineSamplesMedian: quantile(baselineSamples, 0.5), baselineReferenceSamples: judged(baseline.scenarios[0]!).length,
              };
              rows.push(row);
              log(`bench:sensitivity: ${row.form} x${effect} (measured x${row.measuredEffect}, ${row.cpus} CPU): threshold failed ${thresholdFails}/${runs}, baseline caught ${baselineCaught}/${runs}`);
            }
            throttle.set(undefined);
          }
        } finally {
          throttle.set(undefined);
          await client.end();
        }
      }
    });
  } finally {
    throttle.release();
  }
  process.stdout.write(`\n${textTable(['form/clock', 'scale', 'slowdown', 'CPU limit', 'measured p95 ratio', 'median ratio', `threshold failed (true p95 = ${THRESHOLD_EXCESS}x limit)`, 'baseline time check caught'],
    rows.map((r) => [String(r.form), String(r.scale), `x${r.effect}`, String(r.cpus), `x${r.measuredEffect}`, `x${r.medianEffect}`, `${r.thresholdFails}/${r.runs}`, `${r.baselineCaught}/${r.runs}`]))}\n` +
    '  x1 rows: no CPU limit; their baseline column is the false-alarm rate. Threshold column: the limit is the true p95 of\n' +
    `  that row's slowdown (a ${REFERENCE_BUDGET_MS / 1000} s reference sample) divided by ${THRESHOLD_EXCESS}; each run is measured against that limit and its own verdict counts.\n` +
    '  Targets: threshold exceeded 1.5x fails in 10 of 10; baseline check catches x2 in 10 of 10 and x1.5 in at least 9 of 10.\n\n');
  const result: SensitivityResult = { runs, budgetMs: BUDGET_MS, thresholdExcess: THRESHOLD_EXCESS, totalMs: Date.now() - startedAt, rows };
  log(`bench:sensitivity: saved ${saveFigure('sensitivity', result, serverVersion, SENSITIVITY_FIGURES_DIR)} (npm run bench:sensitivity -- figures writes docs/sensitivity-measured.md)`);
  process.stdout.write(JSON.stringify({ rows }) + '\n');
  return rows.every((row) => judgeSensitivityRow(row).met) ? 0 : 1;
});

/** Finds a CPU limit that slows the form's median by `effect` (corrected on the measured ratio); undefined for 1. */
async function calibrate(throttle: CpuThrottle, effect: number, ratio: () => Promise<number>): Promise<number | undefined> {
  if (effect === 1) { throttle.set(undefined); return undefined; }
  // A CPU-bound single backend slows by about 1 / cpus below one CPU: start there, then correct a few times.
  let cpus = 1 / effect;
  for (let i = 0; i < 4; i++) {
    throttle.set(cpus);
    const measured = await ratio();
    if (Math.abs(measured - effect) / effect < 0.08) break;
    cpus = Math.min(2, Math.max(0.25, cpus * (measured / effect)));
  }
  throttle.set(cpus);
  return round(cpus);
}


function round(n: number): number {
  return Math.round(n * 100) / 100;
}
